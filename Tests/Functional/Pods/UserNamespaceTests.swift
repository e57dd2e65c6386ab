// --private-users (issue 7): the apps run in a user namespace mapping 0-65535 to the pod's own
// high range of host ids, their roots shifted into it (files owned by root in the image are owned
// by the pod's root), enter joins the same namespace, and gc gives the range back.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class UserNamespaceTests: SecurityTestCase {
    func testPrivateUsersMapThePodToAHighRangeWithShiftedFiles() throws {
        let facts = ["id", "---", "read-file", "/proc/self/uid_map", "---", "stat", "/etc/passwd"]
        let root = try TestImages.busybox(probe: facts + ["---", "write-file", "/tmp/written", "x", "---", "try", "mount"])
        let user = try TestImages.busybox(probe: facts) {
            $0.user = "user"
            $0.group = "user"
        }
        try forEachStage1(notSupported: ["fly": "fly runs the app with the host's users (it refuses --private-users)"]) { stage1 in
            let (output, status) = try runSecured(stage1: stage1, podFlags: ["--private-users"], image: root)
            XCTAssertEqual(status, .exited(0), output)
            XCTAssertEqual(probeValue("uid", in: output), "0", output)
            let map = (probeValue("content", in: output) ?? "").split(separator: " ")
            XCTAssertEqual(map.count, 3, output)
            XCTAssertEqual(map.first, "0", output)
            XCTAssertGreaterThanOrEqual(UInt32(map.dropFirst().first ?? "") ?? 0, 1 << 28, "a high range: \(output)")
            XCTAssertEqual(map.last, "65536", output)
            XCTAssertEqual(probeValue("stat.uid", in: output), "0", "the image's files belong to the pod's root: \(output)")
            XCTAssertEqual(probeValue("wrote", in: output), "/tmp/written", output)
            XCTAssertNotEqual(probeValue("try.mount", in: output), "ok", output)
            let uuid = try onlyPod()
            let ranges = world.dataDirectory + "/userns-ranges"
            XCTAssertTrue(String(decoding: try FileSystem.read(ranges), as: UTF8.self).contains(uuid), "allocated to the pod")

            let nonRoot = try runSecured(stage1: stage1, podFlags: ["--private-users"], image: user)
            XCTAssertEqual(nonRoot.status, .exited(0), nonRoot.output)
            XCTAssertEqual(probeValue("uid", in: nonRoot.output), "1000", nonRoot.output)
            XCTAssertNotEqual(probeValue("content", in: nonRoot.output), probeValue("content", in: output), "each pod its own range")

            try removePods("gc of the private-users pods")
            XCTAssertFalse(String(decoding: try FileSystem.read(ranges), as: UTF8.self).contains(uuid), "gc gave the range back")
        }
    }

    func testEnterJoinsTheAppsUserNamespace() throws {
        let image = try TestImages.busybox(probe: ["read-file", "/proc/self/uid_map", "---", "print", "running", "---", "sleep", "60"])
        try forEachStage1(notSupported: ["fly": "fly runs the app with the host's users (it refuses --private-users)"]) { stage1 in
            let child = try world.spawn(arguments(stage1: stage1, insecure: nil, podFlags: ["--private-users"], image: image))
            let app = try expectOrFail(child, "running").beforeText.replacingOccurrences(of: "\r\n", with: "\n")
            let uuid = try onlyPod()
            let enter = try world.spawn(["enter", uuid, "/probe", "id", "---", "read-file", "/proc/self/uid_map", "---", "seccomp"])
            let entered = try expectOrFail(enter, .eof, timeout: .seconds(30)).beforeText.replacingOccurrences(of: "\r\n", with: "\n")
            XCTAssertEqual(try enter.wait(timeout: .seconds(10)), .exited(0), entered)
            XCTAssertEqual(probeValue("uid", in: entered), "0", entered)
            XCTAssertNotNil(probeValue("content", in: app), app)
            XCTAssertEqual(probeValue("content", in: entered), probeValue("content", in: app), "the app's map: \(entered)")
            XCTAssertEqual(probeValue("seccomp", in: entered), "2", entered)
            XCTAssertEqual(try world.run("stop", "--force", uuid).status, 0)
            try waitOrFail(child, status: .exited(137))
        }
    }
}
