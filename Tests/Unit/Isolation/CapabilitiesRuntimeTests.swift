// Capability plans applied in a forked child the way a stage1 does, read back from
// /proc/self/status of the program it executes (root only: dropping needs CAP_SETPCAP).
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class CapabilitiesRuntimeTests: XCTestCase {
    private func hex(_ mask: UInt64) -> String {
        let digits = String(mask, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    func testRootAppGetsExactlyTheBoundingSet() throws {
        try requireRoot()
        let plan = try CapabilityPlan.resolve(isolators: [], uid: 0, disabled: false)
        let iso = try PreparedIsolation(capabilities: plan, seccomp: nil, noNewPrivileges: false, oomScoreAdjust: nil, uid: 0)
        let outcome = try runProbe(isolation: iso, ids: (0, 0), action: .exec(["/bin/cat", "/proc/self/status"]))
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        XCTAssertEqual(statusField(outcome.output, "CapBnd"), hex(0xa804_25fb))
        XCTAssertEqual(statusField(outcome.output, "CapEff"), hex(0xa804_25fb))
        XCTAssertEqual(statusField(outcome.output, "CapPrm"), hex(0xa804_25fb))
        XCTAssertEqual(statusField(outcome.output, "CapInh"), hex(0))
        XCTAssertEqual(statusField(outcome.output, "CapAmb"), hex(0))
        XCTAssertEqual(statusField(outcome.output, "NoNewPrivs"), "0")
    }

    func testNonRootAppHasNoEffectiveCapabilities() throws {
        try requireRoot()
        let retain = try isolator("os/linux/capabilities-retain-set", #"{"set": ["CAP_NET_RAW", "CAP_KILL"]}"#)
        let plan = try CapabilityPlan.resolve(isolators: [retain], uid: 65534, disabled: false)
        let filter = try SeccompFilter.build(isolators: [], disabled: false)
        let iso = try PreparedIsolation(capabilities: plan, seccomp: filter, noNewPrivileges: false, oomScoreAdjust: nil, uid: 65534)
        XCTAssertTrue(iso.noNewPrivileges, "a filter for a non-root app forces no_new_privs")
        let outcome = try runProbe(isolation: iso, ids: (65534, 65534), action: .exec(["/bin/cat", "/proc/self/status"]))
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        XCTAssertEqual(statusField(outcome.output, "CapBnd"), hex(1 << 13 | 1 << 5))
        XCTAssertEqual(statusField(outcome.output, "CapEff"), hex(0))
        XCTAssertEqual(statusField(outcome.output, "CapPrm"), hex(0))
        XCTAssertEqual(statusField(outcome.output, "Uid")?.split(separator: "\t").first, "65534")
        XCTAssertEqual(statusField(outcome.output, "NoNewPrivs"), "1")
        XCTAssertEqual(statusField(outcome.output, "Seccomp"), "2")
    }

    func testRootAppWithFilterDoesNotKeepSysAdmin() throws {
        try requireRoot()
        let plan = try CapabilityPlan.resolve(isolators: [], uid: 0, disabled: false)
        let filter = try SeccompFilter.build(isolators: [], disabled: false)
        let iso = try PreparedIsolation(capabilities: plan, seccomp: filter, noNewPrivileges: false, oomScoreAdjust: nil, uid: 0)
        XCTAssertFalse(iso.noNewPrivileges)
        let outcome = try runProbe(isolation: iso, ids: (0, 0), action: .exec(["/bin/cat", "/proc/self/status"]))
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        XCTAssertEqual(statusField(outcome.output, "CapEff"), hex(0xa804_25fb), "CAP_SYS_ADMIN is gone after execve")
        XCTAssertEqual(statusField(outcome.output, "Seccomp"), "2")
        XCTAssertEqual(statusField(outcome.output, "NoNewPrivs"), "0")
    }

    /// The stage1 path: sk_fork_exec_in_root with sk_exec_attr.isolation.
    func testForkExecInRootAppliesTheIsolation() throws {
        try requireRoot()
        let dir = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-iso-exec-")
        defer { try? FileSystem.removeTree(dir) }
        let out = dir + "/status"
        let plan = try CapabilityPlan.resolve(isolators: [], uid: 0, disabled: false)
        let filter = try SeccompFilter.build(isolators: [], disabled: false)
        let iso = try PreparedIsolation(capabilities: plan, seccomp: filter, noNewPrivileges: false, oomScoreAdjust: 321, uid: 0)
        let (rc, result) = forkExecInRoot(
            ["/bin/sh", "-c", "cat /proc/self/status /proc/self/oom_score_adj > \"$0\"", out], environment: ["PATH=/usr/bin:/bin"]
        ) { $0.isolation = iso.pointer }
        XCTAssertEqual(rc, 0, "stage \(result.stage) errno \(result.error)")
        var status: Int32 = 0
        waitpid(result.pid, &status, 0)
        XCTAssertEqual(status, 0)
        let text = String(decoding: try FileSystem.read(out), as: UTF8.self)
        XCTAssertEqual(statusField(text, "CapBnd"), hex(0xa804_25fb))
        XCTAssertEqual(statusField(text, "Seccomp"), "2")
        XCTAssertTrue(text.hasSuffix("321\n"), text)
    }

    func testDisabledKeepsWhatTheCallerHas() throws {
        try requireRoot()
        let plan = try CapabilityPlan.resolve(isolators: [], uid: 0, disabled: true)
        let iso = try PreparedIsolation(capabilities: plan, seccomp: nil, noNewPrivileges: false, oomScoreAdjust: nil, uid: 0)
        let outcome = try runProbe(isolation: iso, ids: (0, 0), action: .exec(["/bin/cat", "/proc/self/status"]))
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        let mine = Capabilities.current()
        XCTAssertEqual(statusField(outcome.output, "CapBnd"), hex(mine.bounding))
        XCTAssertEqual(statusField(outcome.output, "CapEff"), hex(mine.bounding))
    }

    func testCurrentReadsThisProcess() {
        let now = Capabilities.current()
        XCTAssertEqual(now.effective & ~now.permitted, 0)
        XCTAssertGreaterThanOrEqual(Capabilities.lastCapability, 37)
    }
}
