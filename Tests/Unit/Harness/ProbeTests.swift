// The probe run directly on the host: each subcommand reports what this process can see too.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SkiffSystem
@testable import SkiffTestSupport
import XCTest

final class ProbeTests: XCTestCase {
    func testBuildIsStaticAndCached() throws {
        let first = try ProbeBinary.path()
        XCTAssertTrue(try StaticBinary.isStatic(first), "\(first) is dynamically linked")
        XCTAssertEqual(try ProbeBinary.path(), first, "the second call must reuse the cached build")
        XCTAssertTrue(first.hasPrefix(TestEnvironment.cacheDirectory + "/probe/"), first)
        // The checker can tell: the test bundle itself is dynamically linked.
        XCTAssertFalse(try StaticBinary.isStatic(TestEnvironment.executablePath))
    }

    func testExitStatusAndChainOrder() throws {
        XCTAssertEqual(try runProbe(["exit", "7"]).status, 7)
        let chained = try runProbe([
            "print", "first", "---", "print", "second", "---", "exit", "3", "---", "print", "never",
        ])
        XCTAssertEqual(chained.status, 3)
        XCTAssertEqual(chained.lines, ["first", "second"])
    }

    func testUsageErrorsExit2BeforeRunningAnything() throws {
        let unknown = try runProbe(["print", "x", "---", "bogus"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertEqual(unknown.lines, [], "nothing may run when the chain is wrong")
        XCTAssertTrue(unknown.stderr.contains("unknown subcommand \"bogus\""), unknown.stderr)
        XCTAssertEqual(try runProbe(["exit"]).status, 2)
        XCTAssertEqual(try runProbe(["print", "a", "---"]).status, 2)
        XCTAssertEqual(try runProbe([]).status, 2)
    }

    func testEnvListsEveryVariableSorted() throws {
        let output = try runProbe(["env"], environment: ["SKIFF_PROBE_B": "two words", "SKIFF_PROBE_A": "x=y"])
        XCTAssertEqual(output.lines, ["env.SKIFF_PROBE_A=x=y", "env.SKIFF_PROBE_B=two words"])
    }

    func testCwdAndSymlinkDispatch() throws {
        let directory = try TestDirectory("probe-cwd")
        let link = directory.path + "/cwd"
        XCTAssertEqual(symlink(try ProbeBinary.path(), link), 0)
        // Called as "cwd" through the symlink, from inside the directory.
        let result = try Subprocess.run(["sh", "-c", "cd \"$1\" && exec ./cwd", "sh", directory.path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, "cwd=\(directory.path)\n")
    }

    func testIdMatchesThisProcess() throws {
        let output = try runProbe(["id"])
        XCTAssertEqual(output.value("uid"), String(getuid()))
        XCTAssertEqual(output.value("gid"), String(getgid()))
        XCTAssertEqual(output.value("euid"), String(geteuid()))
        var groups = [gid_t](repeating: 0, count: 256)
        let count = getgroups(Int32(groups.count), &groups)
        XCTAssertEqual(
            output.value("groups"), groups.prefix(Int(count)).sorted().map(String.init).joined(separator: ","))
    }

    func testIdUnderSetprivShowsTheNewIdentity() throws {
        try XCTSkipUnless(TestEnvironment.isRoot, "setpriv --reuid needs root")
        let output = try runProbe(
            ["id"], prefix: ["setpriv", "--reuid=1000", "--regid=1000", "--groups=1001,5", "--"])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.value("uid"), "1000")
        XCTAssertEqual(output.value("euid"), "1000")
        XCTAssertEqual(output.value("gid"), "1000")
        XCTAssertEqual(output.value("groups"), "5,1001", "groups are sorted")
    }

    func testHostname() throws {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        let expected = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        XCTAssertEqual(try runProbe(["hostname"]).lines, ["hostname=\(expected)"])
    }

    func testCapsAgreeWithProcStatus() throws {
        let output = try runProbe(["caps"])
        let bounding = try procStatusField("CapBnd")
        XCTAssertEqual(output.value("cap.bnd"), bounding, "the bounding set is inherited unchanged")
        let mask = UInt64(bounding, radix: 16) ?? 0
        let names = output.value("cap.names.bnd")?.split(separator: ",") ?? []
        XCTAssertEqual(names.count, mask.nonzeroBitCount)
        XCTAssertEqual(names.contains("CAP_CHOWN"), mask & 1 != 0)
        XCTAssertNotNil(output.value("cap.eff"))
        XCTAssertNotNil(output.value("cap.prm"))
    }

    func testNoNewPrivsAndSeccomp() throws {
        let plain = try runProbe(["nnp", "---", "seccomp"])
        XCTAssertEqual(plain.value("nnp"), "0")
        // The mode is inherited: whatever this process has (0 on a plain host, 2 in a sandbox).
        XCTAssertEqual(plain.value("seccomp"), try procStatusField("Seccomp"))
        // setpriv sets no_new_privs without privileges; it is inherited across exec.
        let restricted = try runProbe(["nnp"], prefix: ["setpriv", "--no-new-privs", "--"])
        XCTAssertEqual(restricted.value("nnp"), "1", restricted.stderr)
    }
}

/// A field of this process's /proc/self/status, trimmed.
func procStatusField(_ name: String) throws -> String {
    let status = String(decoding: try FileSystem.read("/proc/self/status"), as: UTF8.self)
    return status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
        .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) } ?? ""
}
