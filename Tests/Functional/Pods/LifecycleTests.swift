// prepare, run-prepared, list, status --wait, stop, enter, rm, gc, cat-manifest, export.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class LifecycleTests: PodTestCase {
    func testPrepareThenRunPrepared() throws {
        let image = try TestImages.busybox(probe: ["exit", "5"])
        try forEachStage1 { stage1 in
            let prepared = try world.run(podArguments("prepare", stage1: stage1, image: image))
            XCTAssertEqual(prepared.status, 0, prepared.stderrText)
            let uuid = prepared.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertEqual(uuid.count, 36, prepared.stdoutText)
            XCTAssertTrue(try world.run("status", uuid).stdoutText.hasPrefix("state=prepared\n"))
            let child = try world.spawn(["run-prepared", uuid])
            try waitOrFail(child, status: .exited(5))
            XCTAssertTrue(try world.run("status", uuid).stdoutText.contains("app-busybox=5"))
            let again = try world.run("run-prepared", uuid)
            world.assertFailure(again, contains: "not prepared")
        }
    }

    func testListShowsPodsInEveryFormat() throws {
        let image = try TestImages.busybox(probe: ["exit", "0"])
        try forEachStage1 { stage1 in
            _ = try runPod(stage1: stage1, image: image)
            let uuid = try onlyPod()
            let table = try world.run("list")
            XCTAssertTrue(table.stdoutText.hasPrefix("UUID"), table.stdoutText)
            XCTAssertTrue(table.stdoutText.contains(String(uuid.prefix(8))) && table.stdoutText.contains("exited"), table.stdoutText)
            let json = try world.run("list", "--format=json")
            let pods = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdoutText.utf8)) as? [[String: Any]])
            XCTAssertEqual(pods.first?["uuid"] as? String, uuid)
            XCTAssertEqual(pods.first?["state"] as? String, "exited")
            let apps = try XCTUnwrap(pods.first?["apps"] as? [[String: Any]])
            XCTAssertEqual(apps.first?["exitCode"] as? Int, 0)
            XCTAssertEqual(try world.run("rm", uuid).status, 0)
        }
    }

    func testStopWaitAndStatus() throws {
        let image = try TestImages.busybox(probe: ["print", "running", "---", "sleep", "60"])
        try forEachStage1 { stage1 in
            let child = try spawnPod(stage1: stage1, image: image)
            try expectOrFail(child, "running")
            let uuid = try onlyPod()
            let running = try world.run("status", uuid).stdoutText
            XCTAssertTrue(running.hasPrefix("state=running\n"), running)
            XCTAssertNotNil(probeValue("pid", in: running), running)
            let timedOut = try world.run("status", "--wait=1s", uuid)
            world.assertFailure(timedOut, contains: "still running")
            let stop = try world.run("stop", uuid)
            XCTAssertEqual(stop.status, 0, stop.stderrText)
            try waitOrFail(child, status: .exited(143))
            let waited = try world.run("status", "--wait", uuid)
            XCTAssertEqual(waited.status, 0)
            XCTAssertTrue(waited.stdoutText.contains("state=exited") && waited.stdoutText.contains("app-busybox=143"), waited.stdoutText)
            world.assertFailure(try world.run("stop", uuid), contains: "not running")
        }
    }

    func testStopForce() throws {
        let image = try TestImages.busybox(probe: ["print", "running", "---", "sleep", "60"])
        try forEachStage1 { stage1 in
            let child = try spawnPod(stage1: stage1, image: image)
            try expectOrFail(child, "running")
            XCTAssertEqual(try world.run("stop", "--force", try onlyPod()).status, 0)
            try waitOrFail(child, status: .exited(137))
        }
    }

    func testEnterRunsACommandInTheApp() throws {
        let image = try TestImages.busybox(probe: ["print", "running", "---", "sleep", "60"]) {
            $0.files.append(.init("/etc/marker", "inside the image"))
        }
        try forEachStage1 { stage1 in
            let child = try spawnPod(stage1: stage1, image: image)
            try expectOrFail(child, "running")
            let uuid = try onlyPod()
            let enter = try world.spawn(["enter", uuid, "/probe", "read-file", "/etc/marker", "---", "exit", "4"])
            try expectOrFail(enter, "content=inside the image")
            try waitOrFail(enter, status: .exited(4))
            XCTAssertEqual(try world.run("stop", "--force", uuid).status, 0)
            try waitOrFail(child, status: .exited(137))
            world.assertFailure(try world.run("enter", uuid, "/bin/true"), contains: "not running")
        }
    }

    func testRmAndGCRemovePodsAndTheirMounts() throws {
        let image = try TestImages.busybox(probe: ["exit", "0"])
        try forEachStage1 { stage1 in
            _ = try runPod(stage1: stage1, image: image)
            _ = try runPod(stage1: stage1, image: image)
            let marked = try world.run("gc")
            XCTAssertEqual(marked.stdoutText.components(separatedBy: "to garbage").count - 1, 2, marked.stdoutText)
            XCTAssertFalse(marked.stdoutText.contains("Garbage collecting"), "within the grace period: kept")
            XCTAssertTrue(try world.run("status", String(try world.run("list", "--no-legend", "--full").stdoutText.prefix(36))).stdoutText.contains("exited"))
            let swept = try world.run("gc", "--grace-period=0s")
            XCTAssertEqual(swept.stdoutText.components(separatedBy: "Garbage collecting").count - 1, 2, swept.stdoutText)
            XCTAssertEqual(try world.run("list", "--no-legend").stdoutText, "")
            let mounts = String(decoding: try FileSystem.read("/proc/self/mountinfo"), as: UTF8.self)
            XCTAssertFalse(mounts.contains(world.dataDirectory), "gc unmounted everything")
        }
    }

    func testCatManifestAndExport() throws {
        let image = try TestImages.busybox(probe: ["write-file", "/etc/created-by-the-app", "hello"])
        try forEachStage1 { stage1 in
            _ = try runPod(stage1: stage1, image: image)
            let uuid = try onlyPod()
            let manifest = try world.run("cat-manifest", uuid)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(manifest.stdoutText.utf8)) as? [String: Any])
            XCTAssertEqual(object["acKind"] as? String, "PodManifest")
            let apps = try XCTUnwrap(object["apps"] as? [[String: Any]])
            XCTAssertEqual((apps.first?["image"] as? [String: Any])?["id"] as? String, image.id)
            let out = world.scratch + "/exported-\(stage1.name).aci"
            let export = try world.run("export", uuid, out)
            XCTAssertEqual(export.status, 0, export.stderrText)
            let listing = try Subprocess.run(["tar", "-tf", out]).stdoutText
            XCTAssertTrue(listing.contains("rootfs/etc/created-by-the-app"), "the app's changes are exported")
            XCTAssertTrue(listing.hasPrefix("manifest\n"))
            let refetched = try world.run("--insecure-options=image", "fetch", out)
            XCTAssertEqual(refetched.status, 0, "the export is a valid ACI: \(refetched.stderrText)")
        }
    }
}
