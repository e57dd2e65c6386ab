// gc and rm release a pod's networks (CNI DEL) and leave no namespace, veth, IPAM lease or
// iptables rule: after a normal exit, after `stop --force`, and after the stage1 was SIGKILLed.
// Counted before and after, and checked per pod.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class NetworkCleanupTests: NetworkTestCase {
    func testNormalExitThenRmLeavesNothing() throws {
        let image = try TestImages.busybox(probe: ["net"])
        try forEachStage1(Stage1Case("network cleanup after a normal exit (rm)", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            let before = inventory()
            let run = try runPod(stage1: stage1, podFlags: ["--net=default,default-restricted"], image: image)
            XCTAssertEqual(run.status, .exited(0), run.output)
            let uuid = try onlyPod()
            let during = inventory()
            XCTAssertEqual(during.namespaces, before.namespaces + 1, "the exited pod keeps its namespace until rm: \(during)")
            XCTAssertEqual(during.leases, before.leases + 2, "one lease per network: \(during)")
            XCTAssertEqual(during.veths, before.veths + 2, "one veth per network: \(during)")
            XCTAssertGreaterThan(during.iptablesRules, before.iptablesRules, "default masquerades")
            let rm = try world.run("rm", uuid)
            XCTAssertEqual(rm.status, 0, rm.stderrText)
            try assertNothingLeft(of: uuid)
            XCTAssertEqual(inventory(), before)
        }
    }

    func testStopForceThenGCLeavesNothing() throws {
        let image = try TestImages.busybox(probe: ["print", "running", "---", "sleep", "60"]) {
            $0.ports = [.init(name: "http", port: 80)]
        }
        try forEachStage1(Stage1Case("network cleanup after stop --force (gc)", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            let before = inventory()
            let child = try spawnPod(stage1: stage1, podFlags: ["--port=http:\(try freePort())"], image: image)
            try expectOrFail(child, "running")
            let uuid = try onlyPod()
            XCTAssertEqual(try world.run("stop", "--force", uuid).status, 0)
            try waitOrFail(child, status: .exited(137))
            try removePods("gc after stop --force")
            try assertNothingLeft(of: uuid)
            XCTAssertEqual(inventory(), before)
        }
    }

    func testSIGKILLOfTheStage1ThenGCLeavesNothing() throws {
        let image = try TestImages.busybox(probe: ["print", "running", "---", "sleep", "60"]) {
            $0.ports = [.init(name: "http", port: 80)]
        }
        try forEachStage1(Stage1Case("network cleanup after SIGKILL of the stage1 (gc)", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            let before = inventory()
            let child = try spawnPod(stage1: stage1, podFlags: ["--port=http:\(try freePort())"], image: image)
            try expectOrFail(child, "running")
            let uuid = try onlyPod()
            // The skiff process became the stage1 (exec, same PID): kill it with no chance to clean up.
            kill(child.pid, SIGKILL)
            _ = child.close()
            XCTAssertTrue(try world.run("status", "--wait=10s", uuid).stdoutText.contains("exited=true"))
            XCTAssertEqual(inventory().namespaces, before.namespaces + 1, "the namespace outlives the stage1")
            try removePods("gc after SIGKILL")
            try assertNothingLeft(of: uuid)
            XCTAssertEqual(inventory(), before)
        }
    }
}
