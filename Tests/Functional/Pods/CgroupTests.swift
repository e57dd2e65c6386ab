// The pod's cgroups (issue 7): limits from the flags seen from inside, the app's read-only view of
// its cgroup, a memory hog killed and reported, and the pod's cgroup removed on exit and, after a
// SIGKILL of the stage1, by gc.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class CgroupTests: SecurityTestCase {
    func testLimitsAreWrittenAndTheCgroupIsReadOnly() throws {
        // Writing back each file's own content: harmless if it were allowed.
        let script = "for f in /sys/fs/cgroup/*/memory.limit_in_bytes /sys/fs/cgroup/memory.max /sys/fs/cgroup/*/cgroup.procs "
            + "/sys/fs/cgroup/cgroup.procs; do [ -e $f ] || continue; echo present=$f; (cat $f > $f) 2>/dev/null && echo writable=$f; done; echo checked=1"
        let image = try TestImages.busybox(probe: ["cgroup", "---", "sh", "-c", script])
        try forEachIsolatingStage1 { stage1 in
            let (output, status) = try runSecured(stage1: stage1, image: image, appFlags: ["--memory=64Mi", "--cpu=500m", "--cpu-shares=512"])
            XCTAssertEqual(status, .exited(0), output)
            let uuid = try onlyPod()
            XCTAssertTrue(output.contains("checked=1"), output)
            XCTAssertTrue(output.contains("present="), "the app sees its cgroup: \(output)")
            XCTAssertFalse(output.contains("writable="), "and cannot write it: \(output)")
            let knobs = probeValues("cgroup.", in: output)
            if let v1 = knobs["cgroup.memory.limit_in_bytes"] {
                XCTAssertEqual(v1, "67108864", output)
                XCTAssertEqual(knobs["cgroup.cpu.cfs_quota_us"], "50000", output)
                XCTAssertEqual(knobs["cgroup.cpu.cfs_period_us"], "100000", output)
                XCTAssertEqual(knobs["cgroup.cpu.shares"], "512", output)
            } else {
                XCTAssertEqual(knobs["cgroup.memory.max"], "67108864", "v1 or v2, the limit must be visible: \(output)")
                XCTAssertEqual(knobs["cgroup.cpu.max"], "50000 100000", output)
                XCTAssertEqual(knobs["cgroup.cpu.weight"], "20", output)
            }
            XCTAssertTrue(knobs.values.contains { $0.contains("skiff-\(uuid)/busybox") }, "the app's own cgroup: \(output)")
            XCTAssertEqual(try podCgroups(uuid), [], "removed when the pod exited")
        }
    }

    func testMemoryHogIsKilledAndReported() throws {
        let image = try TestImages.busybox(probe: ["hog", "256"])
        try forEachIsolatingStage1 { stage1 in
            let (output, status) = try runSecured(stage1: stage1, image: image, appFlags: ["--memory=32Mi"])
            XCTAssertEqual(status, .exited(137), "killed by the OOM killer: \(output)")
            XCTAssertFalse(output.contains("hog=done"), output)
            XCTAssertEqual(try appStatuses(try onlyPod()), ["busybox": "137"], "reported in the app's status")
        }
    }

    func testPodCgroupIsRemovedByGCAfterTheStage1IsKilled() throws {
        let image = try TestImages.busybox(probe: ["print", "ready", "---", "sleep", "60"])
        try forEachIsolatingStage1 { stage1 in
            let child = try world.spawn(arguments(stage1: stage1, insecure: nil, image: image, appFlags: ["--memory=64Mi"]))
            try expectOrFail(child, "ready")
            let uuid = try onlyPod()
            XCTAssertFalse(try podCgroups(uuid).isEmpty, "the pod has cgroups while it runs")
            kill(child.pid, SIGKILL)
            _ = try? child.wait(timeout: .seconds(10))
            let gc = try world.run("gc", "--grace-period=0s")
            XCTAssertEqual(gc.status, 0, gc.stderrText)
            XCTAssertEqual(try podCgroups(uuid), [], "gc removed what the killed stage1 could not")
        }
    }
}
