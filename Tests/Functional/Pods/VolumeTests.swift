// Volumes: host (read-write, read-only), empty (mode, owner, shared), --mount, image mount points.
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class VolumeTests: PodTestCase {
    func testHostVolumeReadWriteAndReadOnly() throws {
        let image = try TestImages.busybox(probe: ["read-file", "/data/in", "---", "write-file", "/data/out", "from the app"]) {
            $0.mountPoints = [.init(name: "data", path: "/data")]
        }
        try forEachStage1 { stage1 in
            let host = world.scratch + "/host-data-\(stage1.name)"
            try FileSystem.createDirectory(host)
            try "from the host".write(toFile: host + "/in", atomically: true, encoding: .utf8)
            let writable = try runPod(stage1: stage1, podFlags: ["--volume=data,kind=host,source=\(host)"], image: image)
            XCTAssertEqual(writable.status, .exited(0), writable.output)
            XCTAssertEqual(probeValue("content", in: writable.output), "from the host")
            XCTAssertEqual(try String(contentsOfFile: host + "/out", encoding: .utf8), "from the app")
            try FileManager.default.removeItem(atPath: host + "/out")
            let readOnly = try runPod(stage1: stage1, podFlags: ["--volume=data,kind=host,source=\(host),readOnly=true"], image: image)
            XCTAssertEqual(readOnly.status, .exited(1), readOnly.output)
            XCTAssertTrue(readOnly.output.contains("EROFS"), readOnly.output)
            XCTAssertFalse(FileManager.default.fileExists(atPath: host + "/out"))
        }
    }

    func testEmptyVolumeModeAndOwner() throws {
        let image = try TestImages.busybox(probe: ["stat", "/scratch"]) { $0.mountPoints = [.init(name: "scratch", path: "/scratch")] }
        try forEachStage1 { stage1 in
            let result = try runPod(stage1: stage1, podFlags: ["--volume=scratch,kind=empty,mode=0700,uid=1000,gid=1001"], image: image)
            XCTAssertEqual(probeValue("stat.type", in: result.output), "dir", result.output)
            XCTAssertEqual(probeValue("stat.mode", in: result.output), "0700")
            XCTAssertEqual(probeValue("stat.uid", in: result.output), "1000")
            XCTAssertEqual(probeValue("stat.gid", in: result.output), "1001")
        }
    }

    func testUnmatchedMountPointGetsAnEmptyVolume() throws {
        let image = try TestImages.busybox(probe: ["write-file", "/cache/x", "1", "---", "stat", "/cache"]) {
            $0.mountPoints = [.init(name: "cache", path: "/cache")]
        }
        try forEachStage1 { stage1 in
            let result = try runPod(stage1: stage1, image: image)
            XCTAssertEqual(result.status, .exited(0), result.output)
            XCTAssertEqual(probeValue("stat.mode", in: result.output), "0755")
        }
    }

    func testMountFlagWithoutAnImageMountPoint() throws {
        let image = try TestImages.busybox(probe: ["read-file", "/opt/extra/file"])
        try forEachStage1 { stage1 in
            let host = world.scratch + "/extra-\(stage1.name)"
            try FileSystem.createDirectory(host)
            try "mounted".write(toFile: host + "/file", atomically: true, encoding: .utf8)
            let result = try runPod(
                stage1: stage1, podFlags: ["--volume=extra,kind=host,source=\(host)", "--mount=volume=extra,target=/opt/extra"],
                image: image)
            XCTAssertEqual(probeValue("content", in: result.output), "mounted", result.output)
        }
    }

    func testAMissingHostSourceIsAnError() throws {
        let image = try TestImages.busybox(probe: ["exit", "0"]) { $0.mountPoints = [.init(name: "data", path: "/data")] }
        try forEachStage1 { stage1 in
            let result = try runPod(stage1: stage1, podFlags: ["--volume=data,kind=host,source=/nonexistent/skiff"], image: image)
            XCTAssertEqual(result.status, .exited(254), result.output)
            XCTAssertTrue(result.output.contains("/nonexistent/skiff"), result.output)
        }
    }

    func testSymlinkedMountTargetsStayInsideTheAppRoot() throws {
        let escape = "/var/skiff-volume-escape-\(getpid())"
        let image = try TestImages.busybox(probe: ["read-file", "/srv/real/file", "---", "stat", escape + "/inner"]) {
            $0.symlinks = ["data": "/srv/real", "escape": "../../../../../../.." + escape]
            $0.mountPoints = [.init(name: "data", path: "/data"), .init(name: "away", path: "/escape/inner")]
        }
        try forEachStage1 { stage1 in
            let host = world.scratch + "/linked-\(stage1.name)"
            try FileSystem.createDirectory(host)
            try "through the link".write(toFile: host + "/file", atomically: true, encoding: .utf8)
            let result = try runPod(stage1: stage1, podFlags: ["--volume=data,kind=host,source=\(host)"], image: image)
            XCTAssertEqual(result.status, .exited(0), result.output)
            XCTAssertEqual(probeValue("content", in: result.output), "through the link", "an absolute link resolved in the root")
            XCTAssertEqual(probeValue("stat.type", in: result.output), "dir", "an escaping relative link stopped at the root")
            XCTAssertFalse(FileManager.default.fileExists(atPath: escape), "nothing made on the host at \(escape)")
        }
    }

    func testHostnameFlag() throws {
        let image = try TestImages.busybox(probe: ["hostname"])
        try forEachStage1(notSupported: ["fly": "fly shares the host's UTS namespace: the hostname is the host's"]) { stage1 in
            let result = try runPod(stage1: stage1, podFlags: ["--hostname=podhost"], image: image)
            XCTAssertEqual(probeValue("hostname", in: result.output), "podhost")
        }
    }
}
