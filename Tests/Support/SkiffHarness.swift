// Runs the skiff binary under test with its own data and configuration directories.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import XCTest

/// A test's own Skiff world: a data dir, local and system config dirs and a scratch dir, all
/// under one temporary directory removed at the end. Commands run with these as global flags.
public final class SkiffHarness {
    public let root: String
    public var dataDirectory: String { root + "/data" }
    public var localConfig: String { root + "/etc" }
    public var systemConfig: String { root + "/lib" }
    public var scratch: String { root + "/scratch" }

    /// Variables set for every skiff run on top of this process's environment.
    public var environment: [String: String] = [:]

    public init() throws {
        root = try makeTemporaryDirectory("skiff-functional")
        for dir in [dataDirectory, localConfig, systemConfig, scratch] { try FileSystem.createDirectory(dir) }
    }

    deinit {
        if ProcessInfo.processInfo.environment["SKIFF_PRESERVE_SCRATCH"] == nil { try? FileSystem.removeTree(root) }
    }

    /// The skiff binary under test: `$SKIFF_BIN`, else the one built next to the test bundle.
    public static var binary: String {
        if let explicit = ProcessInfo.processInfo.environment["SKIFF_BIN"], !explicit.isEmpty { return explicit }
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        return bundle.appendingPathComponent("skiff").path
    }

    /// The directory of the skiff binary (stage1 images are built beside it).
    public static var binaryDirectory: String { FileSystem.parentPath(binary) }

    /// The argv for `skiff <arguments>` in this world.
    public func argv(_ arguments: [String]) -> [String] {
        [Self.binary, "--dir=\(dataDirectory)", "--local-config=\(localConfig)", "--system-config=\(systemConfig)"] + arguments
    }

    /// Runs skiff to completion without a terminal; returns status, stdout, stderr.
    @discardableResult
    public func run(_ arguments: String..., input: String? = nil) throws -> Subprocess.Output {
        try run(arguments, input: input)
    }

    @discardableResult
    public func run(_ arguments: [String], input: String? = nil) throws -> Subprocess.Output {
        try Subprocess.run(argv(arguments), input: input.map { Array($0.utf8) }, environment: childEnvironment)
    }

    /// This process's environment with `environment` applied.
    public var childEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }

    /// Starts skiff on a terminal (Expect), as a person would run it.
    public func spawn(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> ExpectSession {
        try spawnOrFail(argv(arguments), options: .testing(environment: environment), file: file, line: line)
    }

    /// Trusts `keyring`'s key for `prefix` without review.
    public func trust(_ keyring: TestKeyring, prefix: String?) throws {
        let keyPath = scratch + "/key-\(keyring.fingerprint).asc"
        try keyring.writePublicKey(to: keyPath)
        var arguments = ["trust", "--skip-fingerprint-review"]
        arguments += prefix.map { ["--prefix=\($0)"] } ?? ["--root"]
        let result = try run(arguments + [keyPath])
        guard result.status == 0 else { throw TestSupportError("trust failed: \(result.stderrText)") }
    }

    /// Every file under the data directory with its size (to check "store unchanged"), ignoring
    /// lock files, which exist once an operation started.
    public func storeSnapshot() throws -> [String: Int] {
        var result: [String: Int] = [:]
        func walk(_ path: String, _ relative: String) throws {
            for name in try FileSystem.list(path) {
                let full = path + "/" + name
                let rel = relative.isEmpty ? name : relative + "/" + name
                if FileSystem.isDirectory(full) {
                    try walk(full, rel)
                } else if !rel.hasPrefix("locks/") && !rel.hasSuffix(".lock") {
                    result[rel] = Int((try FileSystem.status(full)).st_size)
                }
            }
        }
        if FileSystem.exists(dataDirectory) { try walk(dataDirectory, "") }
        return result
    }

    /// Asserts that skiff failed the engine's way: status 254 and one line on stderr containing
    /// `expected`, nothing on stdout.
    public func assertFailure(
        _ result: Subprocess.Output, contains expected: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(result.status, 254, "status; stderr: \(result.stderrText)", file: file, line: line)
        let lines = result.stderrText.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line of error, got: \(result.stderrText)", file: file, line: line)
        XCTAssertTrue(result.stderrText.hasPrefix("skiff: "), result.stderrText, file: file, line: line)
        XCTAssertTrue(result.stderrText.contains(expected), "\(result.stderrText) lacks \(expected)", file: file, line: line)
    }
}
