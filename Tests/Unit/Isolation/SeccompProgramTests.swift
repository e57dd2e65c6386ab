// The generated BPF programs, run through the interpreter for every syscall number, both
// layouts and both architectures; and the embedded tables against the host's headers.
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class SeccompProgramTests: XCTestCase {
    private func expected(_ policy: SeccompPolicy, _ arch: SeccompArchitecture, _ number: UInt32) -> UInt32 {
        let deny = policy.errno.map(SeccompAction.errno) ?? SeccompAction.killProcess
        if arch == .x86_64 && number >= 0x4000_0000 { return deny }
        let listed = Set(policy.syscalls.compactMap { arch.table.numbers[$0] })
        switch policy.mode {
        case .allowList:
            if number > arch.table.highest { return SeccompAction.errno(ENOSYS) }
            return listed.contains(number) ? SeccompAction.allow : deny
        case .denyList:
            return listed.contains(number) ? deny : SeccompAction.allow
        }
    }

    private let policies: [SeccompPolicy] = [
        SeccompPolicy.defaultPolicy,
        SeccompPolicy(mode: .allowList, syscalls: Set(SeccompGroups.systemdDefault), errnoName: "EACCES"),
        SeccompPolicy(mode: .denyList, syscalls: Set(SeccompGroups.dockerBlacklist)),
        SeccompPolicy(mode: .denyList, syscalls: ["read"], errnoName: "EPERM"),  // number 0 on x86_64
        SeccompPolicy(mode: .allowList, syscalls: []),
    ]

    func testProgramsDecideExactlyAsThePolicyForEveryNumber() {
        for arch in SeccompArchitecture.allCases {
            for policy in policies {
                for layout in SeccompLayout.allCases {
                    let filter = SeccompFilter(policy: policy, architecture: arch, layout: layout)
                    XCTAssertLessThanOrEqual(filter.program.count, 4096)
                    var numbers = Array(0...(arch.table.highest + 20))
                    numbers += [0x4000_0000, 0x4000_0027, UInt32.max]
                    for number in numbers {
                        let got = filter.program.evaluate(number: number, arch: arch.auditArch)
                        if got != expected(policy, arch, number) {
                            XCTFail("\(arch) \(layout) \(policy.mode) nr \(number): \(String(describing: got))")
                            break
                        }
                    }
                    let deny = policy.errno.map(SeccompAction.errno) ?? SeccompAction.killProcess
                    XCTAssertEqual(filter.program.evaluate(number: 0, arch: 0x4000_0003), deny, "i386 ABI is denied")
                }
            }
        }
    }

    func testTreeIsShallowerThanLinear() {
        let linear = SeccompFilter(policy: .defaultPolicy, architecture: .x86_64, layout: .linear)
        let tree = SeccompFilter(policy: .defaultPolicy, architecture: .x86_64, layout: .tree)
        XCTAssertLessThan(tree.program.count, linear.program.count)
        print("SECCOMP-PROGRAM default x86_64: linear \(linear.program.count) instructions, tree \(tree.program.count)")
    }

    func testEmbeddedX86TableMatchesTheHostHeader() throws {
        let header = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
        try XCTSkipUnless(FileSystem.exists(header), "no \(header) (linux-libc-dev) on this host")
        let text = String(decoding: try FileSystem.read(header), as: UTF8.self)
        var count = 0
        for line in text.split(separator: "\n") where line.hasPrefix("#define __NR_") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let number = UInt32(fields[2]) else { continue }
            let name = String(fields[1].dropFirst("__NR_".count))
            XCTAssertEqual(SyscallTable.x86_64.numbers[name], number, name)
            count += 1
        }
        XCTAssertGreaterThan(count, 300)
    }

    func testKnownNumbers() {
        XCTAssertEqual(SyscallTable.x86_64.numbers["getpid"], 39)
        XCTAssertEqual(SyscallTable.aarch64.numbers["getpid"], 172)
        XCTAssertEqual(SyscallTable.aarch64.numbers["clone3"], 435)
        XCTAssertNil(SyscallTable.aarch64.numbers["open"], "aarch64 has only openat")
        XCTAssertEqual(SyscallTable.x86_64.numbers["fchmodat2"], 452)
    }
}
