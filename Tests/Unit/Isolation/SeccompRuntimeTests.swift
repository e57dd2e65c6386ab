// Seccomp filters installed in a forked child: what is denied is denied (errno or SIGSYS), what
// is allowed works, and a real program runs under the default filter.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class SeccompRuntimeTests: XCTestCase {
    /// A child with no_new_privs (so it needs no privilege) and `filter`.
    private func isolation(_ filter: SeccompFilter?) throws -> PreparedIsolation {
        try PreparedIsolation(capabilities: nil, seccomp: filter, noNewPrivileges: true, oomScoreAdjust: nil, uid: geteuid())
    }

    func testRemoveSetWithErrnoFailsTheCallAndAllowsOthers() throws {
        let remove = try isolator("os/linux/seccomp-remove-set", #"{"set": ["getppid"], "errno": "ENOTBLK"}"#)
        let filter = try XCTUnwrap(try SeccompFilter.build(isolators: [remove], disabled: false))
        let denied = try runProbe(isolation: isolation(filter), action: .syscall(syscallNumber("getppid"), []))
        XCTAssertEqual(denied.exitCode, 0, denied.output)
        XCTAssertEqual(denied.number(after: "result"), -1, denied.output)
        XCTAssertEqual(denied.number(after: "errno"), Int(ENOTBLK), denied.output)
        let allowed = try runProbe(isolation: isolation(filter), action: .syscall(syscallNumber("getpid"), []))
        XCTAssertGreaterThan(allowed.number(after: "result") ?? -1, 0, allowed.output)
    }

    func testDefaultFilterKillsWithSIGSYS() throws {
        let filter = try XCTUnwrap(try SeccompFilter.build(isolators: [], disabled: false))
        // mount(2) is not in the default whitelist: the whole process dies with SIGSYS.
        let outcome = try runProbe(isolation: isolation(filter), action: .syscall(syscallNumber("mount"), [0, 0, 0, 0, 0]))
        XCTAssertEqual(outcome.signal, SIGSYS, "status \(outcome.status): \(outcome.output)")
        let allowed = try runProbe(isolation: isolation(filter), action: .syscall(syscallNumber("getpid"), []))
        XCTAssertEqual(allowed.exitCode, 0, allowed.output)
    }

    func testUnknownNewerSyscallGetsENOSYSUnderAnAllowList() throws {
        let filter = try XCTUnwrap(try SeccompFilter.build(isolators: [], disabled: false))
        let number = Int(SeccompArchitecture.native.table.highest) + 5
        let outcome = try runProbe(isolation: isolation(filter), action: .syscall(number, []))
        XCTAssertEqual(outcome.number(after: "errno"), Int(ENOSYS), outcome.output)
    }

    func testRealProgramRunsUnderTheDefaultFilter() throws {
        let filter = try XCTUnwrap(try SeccompFilter.build(isolators: [], disabled: false))
        let outcome = try runProbe(
            isolation: isolation(filter), action: .exec(["/bin/sh", "-c", "echo started; cat /proc/self/status; ls / >/dev/null && echo listed"]))
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        XCTAssertTrue(outcome.output.contains("started") && outcome.output.contains("listed"), outcome.output)
        XCTAssertEqual(statusField(outcome.output, "Seccomp"), "2")
        XCTAssertEqual(statusField(outcome.output, "NoNewPrivs"), "1")
    }

    func testRetainAllInstallsNothing() throws {
        let retain = try isolator("os/linux/seccomp-retain-set", #"{"set": ["@appc.io/all"]}"#)
        let filter = try SeccompFilter.build(isolators: [retain], disabled: false)
        XCTAssertNil(filter)
        let outcome = try runProbe(isolation: isolation(filter), action: .exec(["/bin/cat", "/proc/self/status"]))
        XCTAssertEqual(statusField(outcome.output, "Seccomp"), "0", outcome.output)
    }

    func testInstallInThisProcessRefusesAForeignArchitecture() throws {
        let foreign: SeccompArchitecture = SeccompArchitecture.native == .x86_64 ? .aarch64 : .x86_64
        let filter = SeccompFilter(policy: .defaultPolicy, architecture: foreign)
        XCTAssertThrowsError(try filter.install())
    }
}
