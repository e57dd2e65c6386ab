// How app roots are made: overlay over the tree store by default, a copy with --no-overlay; and
// pods given as a pod manifest.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class RootfsTests: PodTestCase {
    func testOverlayByDefaultAndACopyWithNoOverlay() throws {
        let image = try TestImages.busybox(probe: ["write-file", "/etc/changed", "yes", "---", "sleep", "30"])
        try forEachStage1 { stage1 in
            for (flags, expectOverlay) in [([String](), true), (["--no-overlay"], false)] {
                let child = try spawnPod(stage1: stage1, podFlags: flags, image: image)
                try expectOrFailSilently(child, "wrote=/etc/changed")
                let uuid = try onlyPod()
                let appRoot = URL(fileURLWithPath: world.dataDirectory + "/pods/run/" + uuid + "/stage1/rootfs/opt/stage2/busybox/rootfs")
                    .standardizedFileURL.path
                let mounts = String(decoding: try FileSystem.read("/proc/self/mountinfo"), as: UTF8.self)
                let isOverlay = mounts.split(separator: "\n").contains { $0.contains(" " + appRoot + " ") && $0.contains(" - overlay ") }
                XCTAssertEqual(isOverlay, expectOverlay, "flags \(flags): overlay mount at the app root")
                XCTAssertTrue(FileManager.default.fileExists(atPath: appRoot + "/etc/changed"), "the app's change is in its root")
                XCTAssertEqual(try world.run("stop", "--force", uuid).status, 0)
                _ = try child.wait(timeout: .seconds(20))
                XCTAssertEqual(try world.run("rm", uuid).status, 0)
                // The tree the overlay sat on is untouched by the app.
                let trees = try FileSystem.list(world.dataDirectory + "/tree").filter { $0.hasPrefix("deps-") }
                for tree in trees {
                    XCTAssertFalse(FileManager.default.fileExists(atPath: world.dataDirectory + "/tree/" + tree + "/rootfs/etc/changed"))
                }
            }
        }
    }

    /// An app may be called "stage1": its root is still its own (its overlay layers once shared
    /// the stage1 root's, and the app saw the stage1's /opt/stage2 and /skiff).
    func testAnAppNamedStage1HasARootOfItsOwn() throws {
        let image = try TestImages.busybox(probe: ["print", "unused"])
        try forEachStage1 { stage1 in
            let script = "for p in /opt/stage2 /skiff; do [ -e $p ] && echo seen=$p; done; echo looked"
            let result = try runPod(
                stage1: stage1, image: image, appFlags: ["--name=stage1", "--exec=/bin/sh"], appArguments: ["-c", script])
            XCTAssertEqual(result.status, .exited(0), result.output)
            XCTAssertTrue(result.output.contains("looked"), result.output)
            XCTAssertFalse(result.output.contains("seen="), result.output)
        }
    }

    func testAPodManifest() throws {
        let image = try TestImages.busybox(probe: ["env"])
        try forEachStage1 { stage1 in
            XCTAssertEqual(try world.run("--insecure-options=image", "fetch", image.path).status, 0)
            let manifest = """
                {"acKind":"PodManifest","acVersion":"0.8.11","apps":[{"name":"given","image":{"id":"\(image.id)"},
                 "app":{"exec":["/probe","env"],"user":"0","group":"0","environment":[{"name":"FROM_MANIFEST","value":"1"}]}}]}
                """
            let path = world.scratch + "/pod-\(stage1.name).json"
            try manifest.write(toFile: path, atomically: true, encoding: .utf8)
            let child = try world.spawn(["run", "--stage1-path=\(stage1.path)", "--pod-manifest=\(path)"])
            let output = try expectOrFailSilently(child, .eof)
            XCTAssertTrue(output.contains("env.FROM_MANIFEST=1"), output)
            XCTAssertTrue(output.contains("env.AC_APP_NAME=given"), output)
        }
    }

    /// expect on a session, returning the text before the match.
    @discardableResult
    private func expectOrFailSilently(_ child: Expect.ExpectSession, _ pattern: Expect.Pattern) throws -> String {
        try ExpectTesting.expectOrFail(child, pattern, timeout: .seconds(60)).beforeText
    }
}
