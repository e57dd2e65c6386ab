// no_new_privs and oom_score_adj, visible in /proc of the child (unprivileged: raising
// oom_score_adj and setting no_new_privs need no privilege).
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class ProcessAttributesTests: XCTestCase {
    func testNoNewPrivsAndOOMScoreAdjustAreVisibleInProc() throws {
        let iso = try PreparedIsolation(capabilities: nil, seccomp: nil, noNewPrivileges: true, oomScoreAdjust: 567, uid: geteuid())
        let outcome = try runProbe(isolation: iso, action: .exec(["/bin/sh", "-c", "cat /proc/self/status; echo adj $(cat /proc/self/oom_score_adj)"]))
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        XCTAssertEqual(statusField(outcome.output, "NoNewPrivs"), "1")
        XCTAssertEqual(outcome.number(after: "adj"), 567, outcome.output)
    }

    func testDefaultsLeaveBothAlone() throws {
        let iso = try PreparedIsolation(capabilities: nil, seccomp: nil, noNewPrivileges: false, oomScoreAdjust: nil, uid: geteuid())
        let mine = try CgroupFiles.read("/proc/self/oom_score_adj")
        let outcome = try runProbe(isolation: iso, action: .exec(["/bin/sh", "-c", "cat /proc/self/status; echo adj $(cat /proc/self/oom_score_adj)"]))
        XCTAssertEqual(statusField(outcome.output, "NoNewPrivs"), ProcessAttributes.noNewPrivileges ? "1" : "0")
        XCTAssertEqual(outcome.number(after: "adj"), Int(mine), outcome.output)
    }

    func testIsolatorsAreRead() throws {
        let nnp = try isolator("os/linux/no-new-privileges", "true")
        let oom = try isolator("os/linux/oom-score-adj", "-17")
        XCTAssertTrue(try ProcessAttributes.noNewPrivileges(isolators: [nnp, oom]))
        XCTAssertFalse(try ProcessAttributes.noNewPrivileges(isolators: [oom]))
        XCTAssertEqual(try ProcessAttributes.oomScoreAdjust(isolators: [nnp, oom]), -17)
        XCTAssertNil(try ProcessAttributes.oomScoreAdjust(isolators: []))
    }

    func testOutOfRangeIsRefused() {
        XCTAssertThrowsError(try ProcessAttributes.setOOMScoreAdjust(1001))
        XCTAssertThrowsError(try PreparedIsolation(capabilities: nil, seccomp: nil, noNewPrivileges: false, oomScoreAdjust: -1001, uid: 0))
    }
}
