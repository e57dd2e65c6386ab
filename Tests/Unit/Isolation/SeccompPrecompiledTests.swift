// The default filter is shipped precompiled (SeccompDefaultProgram.swift): compiling it costs a
// third of a millisecond on every pod start. This test keeps the constant honest: it must equal
// what the compiler makes of rkt's default list today. SKIFF_PRINT_SECCOMP_DEFAULT=1 prints the
// literal to paste after a change of the list or the compiler.
import Foundation
import XCTest

@testable import SkiffIsolation

final class SeccompPrecompiledTests: XCTestCase {
    func testPrecompiledDefaultEqualsTheCompilersOutput() {
        for arch in SeccompArchitecture.allCases {
            let compiled = SeccompCompiler.compile(.defaultPolicy, arch: arch, layout: .tree)
            let packed = compiled.map(SeccompDefaultProgram.pack)
            if ProcessInfo.processInfo.environment["SKIFF_PRINT_SECCOMP_DEFAULT"] == "1" {
                let rows = stride(from: 0, to: packed.count, by: 6).map { start in
                    "        " + packed[start..<min(start + 6, packed.count)].map { String(format: "0x%016llx", $0) }.joined(separator: ", ") + ","
                }
                print("    static let \(arch.rawValue): [UInt64] = [\n" + rows.joined(separator: "\n") + "\n    ]")
            }
            XCTAssertEqual(SeccompDefaultProgram.packed(arch), packed, "regenerate SeccompDefaultProgram.swift for \(arch)")
        }
        XCTAssertEqual(SeccompFilter.nativeDefault, SeccompFilter(policy: .defaultPolicy), "the precompiled filter is the compiled one")
    }
}
