// Bad input to the pod commands: one line, status 254, nothing left behind.
import Foundation
import SkiffNetwork
import SkiffSystem
import SkiffTestSupport
import XCTest

final class BadInputTests: PodTestCase {
    func testUsageErrors() throws {
        world.assertFailure(try world.run("run"), contains: "no image")
        world.assertFailure(try world.run("run", "--frobnicate", "x.aci"), contains: "unknown flag --frobnicate")
        world.assertFailure(try world.run("run", "--user=0"), contains: "--user")
        world.assertFailure(try world.run("status", "not-a-uuid"), contains: "not-a-uuid")
        world.assertFailure(try world.run("status", "ffffffff"), contains: "ffffffff")
        world.assertFailure(try world.run("rm", "00000000-0000-4000-8000-000000000000"), contains: "00000000")
        world.assertFailure(try world.run("enter"), contains: "missing UUID")
        world.assertFailure(try world.run("--insecure-options=image", "run", world.scratch + "/missing.aci"), contains: "no such file")
        world.assertFailure(
            try world.run("run", "--stage1-path=/a.aci", "--stage1-name=b", "x.aci"), contains: "--stage1")
        world.assertFailure(
            try world.run("run", "--pod-manifest=\(world.scratch)/m.json", world.scratch + "/x.aci"), contains: "--pod-manifest")
        XCTAssertEqual(try world.run("list", "--no-legend").stdoutText, "", "no pod was created")
    }

    func testNetworkInputRefusedAfterPreparingLeavesNoPod() throws {
        let image = try TestImages.busybox(probe: ["exit", "0"])
        XCTAssertEqual(try world.run("--insecure-options=image", "fetch", image.path).status, 0)
        try forEachStage1(notSupported: ["fly": "fly has no pod networking: it refuses any --net but host itself, when run"]) { stage1 in
            let unknown = try world.run(podArguments(stage1: stage1, podFlags: ["--net=no-such-net"], image: image))
            world.assertFailure(unknown, contains: "no-such-net")
            let port = try world.run(podArguments(stage1: stage1, podFlags: ["--port=http:18080"], image: image))
            world.assertFailure(port, contains: "http")
            XCTAssertEqual(try world.run("list", "--no-legend").stdoutText, "", "the refused pods were removed, not left aborted")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: world.dataDirectory + "/pods/garbage")
            XCTAssertEqual(leftovers, [], "nothing left for gc either")
        }
    }

    func testAStage1FromElsewhereMustBeSigned() throws {
        let image = try TestImages.busybox(probe: ["exit", "0"])
        try forEachStage1 { stage1 in
            let copy = world.scratch + "/copied-stage1.aci"
            try? FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: stage1.path, toPath: copy)
            let refused = try world.run(["run", "--stage1-path=\(copy)", image.path])
            XCTAssertEqual(refused.status, 254)
            XCTAssertTrue(refused.stderrText.contains("signature"), refused.stderrText)
        }
    }

    func testSIGKILLOfRunAtRandomPointsLeavesWhatGCCleans() throws {
        let image = try TestImages.busybox(probe: ["print", "started", "---", "sleep", "2"])
        try forEachStage1 { stage1 in
            let argv = world.argv(podArguments(stage1: stage1, image: image))
            // Container pods join `default`: a kill may land in the middle of CNI ADD.
            let network = NetworkInventory.take(networks: ["default"])
            let null = try FileDescriptor.open("/dev/null", O_WRONLY)
            // How long a run takes to get going (the app prints, then sleeps).
            let start = DispatchTime.now().uptimeNanoseconds
            let probe = try Subprocess.spawn(argv, stdout: null.raw, stderr: null.raw)
            usleep(400_000)
            kill(probe.pid, SIGKILL)
            _ = try probe.wait()
            let window = max(UInt64(50_000_000), (DispatchTime.now().uptimeNanoseconds - start) / 2)
            for _ in 0..<20 {
                let child = try Subprocess.spawn(argv, stdout: null.raw, stderr: null.raw)
                usleep(UInt32(UInt64.random(in: 0...window) / 1000))
                kill(child.pid, SIGKILL)
                _ = try child.wait()
            }
            let gc = try world.run("gc", "--grace-period=0s", "--expire-prepared=0s")
            XCTAssertEqual(gc.status, 0, gc.stderrText)
            XCTAssertEqual(try world.run("list", "--no-legend").stdoutText, "", "gc removed every pod")
            for state in ["embryo", "prepare", "prepared", "run", "exited-garbage", "garbage"] {
                XCTAssertEqual(try FileSystem.list(world.dataDirectory + "/pods/" + state), [], state)
            }
            let mounts = String(decoding: try FileSystem.read("/proc/self/mountinfo"), as: UTF8.self)
            XCTAssertFalse(mounts.contains(world.dataDirectory), "no mount left")
            XCTAssertEqual(NetworkInventory.take(networks: ["default"]), network, "no namespace, veth, lease or iptables rule left")
        }
    }
}
