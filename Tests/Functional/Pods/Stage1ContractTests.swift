// Stage0's side of the stage1 contract, checked with the stub stage1 (docs/stage1-abi.md), and
// stage1 selection.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class Stage1ContractTests: PodTestCase {
    var stub: String { SkiffHarness.binaryDirectory + "/stub/stage1-stub.aci" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try XCTSkipUnless(FileManager.default.fileExists(atPath: stub), "no stub stage1 at \(stub): make build-tests makes it")
    }

    private func stubRun(_ behaviour: String, podFlags: [String] = [], appFlags: [String] = []) throws -> (Subprocess.Output, String) {
        let image = try TestImages.busybox(probe: ["exit", "0"])
        world.environment["SKIFF_STUB_BEHAVIOUR"] = behaviour
        let result = try world.run(["--insecure-options=image", "run", "--stage1-path=\(stub)"] + podFlags + [image.path] + appFlags)
        return (result, try onlyPod())
    }

    private func record(_ uuid: String, _ name: String = "stub-record.json") throws -> [String: Any] {
        let path = world.dataDirectory + "/pods/run/" + uuid + "/" + name
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try FileSystem.read(path))) as? [String: Any])
    }

    func testRunGetsTheContractsArgumentsEnvironmentAndLock() throws {
        let (result, uuid) = try stubRun("exit:0", podFlags: ["--interactive", "--hostname=h1"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let got = try record(uuid)
        let argv = try XCTUnwrap(got["argv"] as? [String])
        XCTAssertEqual(argv.last, uuid, "the UUID comes last")
        XCTAssertTrue(argv.contains("--interactive") && argv.contains("--hostname=h1"), "\(argv)")
        XCTAssertTrue(argv.contains { $0.hasPrefix("--local-config=") }, "\(argv)")
        let expected = URL(fileURLWithPath: world.dataDirectory + "/pods/run/" + uuid).standardizedFileURL.path
        XCTAssertEqual((got["cwd"] as? String).map { URL(fileURLWithPath: $0).standardizedFileURL.path }, expected, "cwd is the pod directory")
        let lock = try XCTUnwrap(got["lock"] as? [String: Any], "SKIFF_LOCK_FD is set")
        XCTAssertEqual(lock["podDirectory"] as? Bool, true, "it is the pod directory: \(lock)")
        XCTAssertEqual(lock["holdsLock"] as? Bool, true, "it holds the pod's lock: \(lock)")
        let environment = try XCTUnwrap(got["environment"] as? [String: Any])
        XCTAssertEqual(environment["SKIFF_DATA_DIR"] as? String, world.dataDirectory)
    }

    func testRunStatusIsTheStage1sAndStatusReadsWhatItWrote() throws {
        let (result, uuid) = try stubRun("exit:42")
        XCTAssertEqual(result.status, 42)
        let status = try world.run("status", uuid).stdoutText
        XCTAssertTrue(status.contains("state=exited"), status)
        XCTAssertNotNil(probeValue("pid", in: status))
    }

    func testAStage1ThatNeverWritesItsPid() throws {
        let image = try TestImages.busybox(probe: ["exit", "0"])
        world.environment["SKIFF_STUB_BEHAVIOUR"] = "no-pid"
        let result = try world.run(["--insecure-options=image", "run", "--stage1-path=\(stub)", image.path])
        XCTAssertEqual(result.status, 254)
        let uuid = try onlyPod()
        let status = try world.run("status", uuid).stdoutText
        XCTAssertTrue(status.contains("state=exited"), status)
        XCTAssertNil(probeValue("pid", in: status))
        world.assertFailure(try world.run("enter", uuid), contains: "not running")
        XCTAssertEqual(try world.run("gc", "--grace-period=0s").status, 0, "gc cleans it")
        XCTAssertEqual(try world.run("list", "--no-legend").stdoutText, "")
    }

    func testStopAndGCEntrypointsAreCalled() throws {
        let image = try TestImages.busybox(probe: ["exit", "0"])
        world.environment["SKIFF_STUB_BEHAVIOUR"] = "sleep:60"
        let child = try world.spawn(["--insecure-options=image", "run", "--stage1-path=\(stub)", image.path])
        var uuid = ""
        for _ in 0..<100 where uuid.isEmpty {
            uuid = String(try world.run("list", "--no-legend", "--full").stdoutText.prefix(36))
            if try world.run("status", uuid).stdoutText.contains("pid=") == false { uuid = "" ; usleep(50_000) }
        }
        XCTAssertEqual(try world.run("stop", uuid).status, 0)
        try waitOrFail(child, status: .exited(143))
        let stopRecord = try record(uuid, "stub-record-stop.json")
        XCTAssertEqual(stopRecord["argv"].flatMap { ($0 as? [String])?.last }, uuid)
        XCTAssertEqual(try world.run("rm", uuid).status, 0)
    }

    /// `skiff.dev/stage1/read-only-root: true`: the stage1 root is a read-only overlay with only
    /// skiff/ writable, statuses land in the pod's layer, and gc takes every mount down.
    func testAStage1DeclaringAReadOnlyRootGetsOneWithSkiffWritable() throws {
        let variant = try stubVariant(annotations: [("skiff.dev/stage1/read-only-root", "true")])
        let image = try TestImages.busybox(probe: ["exit", "0"])
        world.environment["SKIFF_STUB_BEHAVIOUR"] = "exit:5"
        let result = try world.run(["--insecure-options=image", "run", "--stage1-path=\(variant)", image.path])
        XCTAssertEqual(result.status, 5, result.stderrText)
        let uuid = try onlyPod()
        let pod = URL(fileURLWithPath: world.dataDirectory + "/pods/run/" + uuid).standardizedFileURL.path
        let mounts = try podMounts(pod)
        XCTAssertEqual(mounts[pod + "/stage1/rootfs"]?.type, "overlay", "\(mounts)")
        XCTAssertEqual(mounts[pod + "/stage1/rootfs"]?.options.contains("ro"), true, "the stage1 root is read-only: \(mounts)")
        XCTAssertEqual(mounts[pod + "/stage1/rootfs/skiff"]?.options.contains("rw"), true, "skiff/ is writable: \(mounts)")
        XCTAssertEqual(open(pod + "/stage1/rootfs/not-skiff", O_WRONLY | O_CREAT | O_EXCL, 0o644), -1)
        XCTAssertEqual(errno, EROFS, "outside skiff/ the root refuses writes")
        XCTAssertFalse(FileSystem.exists(pod + "/overlay-stage1.work"), "no upper layer, no work directory")
        let status = try world.run("status", uuid).stdoutText
        XCTAssertTrue(status.contains("app-busybox=5\n"), "the status the stub wrote under skiff/: \(status)")
        XCTAssertTrue(FileSystem.exists(pod + "/overlay-stage1.upper/skiff/status/busybox"), "it lives in the pod's layer")
        let appManifest = try FileSystem.status(pod + "/stage1/rootfs/opt/stage2/busybox/manifest")
        XCTAssertEqual(appManifest.st_nlink, 2, "the app manifest is the store's file, linked: nothing can write through it")
        XCTAssertEqual(try world.run("gc", "--grace-period=0s").status, 0)
        XCTAssertEqual(try podMounts(pod).keys.sorted(), [], "gc took every mount down")
    }

    /// The stage1 manifest is the store's file under a second name (no inode to allocate), the
    /// app manifest a copy where the stage1 root is writable (a write through a link would change
    /// the store), and image-refs names what image gc keeps: the two trees and the stage1 image.
    func testManifestLinksAndImageReferences() throws {
        let image = try TestImages.busybox(probe: ["exit", "0"])
        world.environment["SKIFF_STUB_BEHAVIOUR"] = "exit:0"
        let result = try world.run(["--insecure-options=image", "run", "--stage1-path=\(stub)", image.path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let pod = world.dataDirectory + "/pods/run/" + (try onlyPod())
        let references = String(decoding: try FileSystem.read(pod + "/image-refs"), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(references.filter { $0.hasPrefix("tree ") }.count, 2, "the stage1's tree and the app's: \(references)")
        let stage1Images = references.filter { $0.hasPrefix("image ") }.map { String($0.dropFirst("image ".count)) }
        XCTAssertEqual(stage1Images.count, 1, "\(references)")
        let stored = try FileSystem.status(world.dataDirectory + "/cas/manifest/" + (stage1Images.first ?? ""))
        let linked = try FileSystem.status(pod + "/stage1/manifest")
        XCTAssertEqual(linked.st_ino, stored.st_ino, "stage1/manifest is the store's manifest of the stage1 image")
        XCTAssertEqual(linked.st_dev, stored.st_dev)
        XCTAssertEqual(try FileSystem.status(pod + "/stage1/rootfs/opt/stage2/busybox/manifest").st_nlink, 1, "a copy")
        XCTAssertEqual(try world.run("gc", "--grace-period=0s").status, 0)
        XCTAssertEqual(try FileSystem.status(world.dataDirectory + "/cas/manifest/" + (stage1Images.first ?? "")).st_nlink, 1,
            "gc removed the pod's name, the store keeps its own")
    }

    /// The mounts at or below `directory`: mount point -> (file system type, mount options).
    private func podMounts(_ directory: String) throws -> [String: (type: String, options: [String])] {
        var result: [String: (type: String, options: [String])] = [:]
        for line in String(decoding: try FileSystem.read("/proc/self/mountinfo"), as: UTF8.self).split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            let fields = halves[0].split(separator: " ")
            guard halves.count == 2, fields.count >= 6 else { continue }
            let point = MountInfo.unescape(fields[4])
            guard point == directory || point.hasPrefix(directory + "/") else { continue }
            result[point] = (String(halves[1].split(separator: " ")[0]), fields[5].split(separator: ",").map(String.init))
        }
        return result
    }

    /// The stub stage1 image with extra annotations in its manifest.
    private func stubVariant(annotations: [(String, String)]) throws -> String {
        let directory = world.scratch + "/stub-variant"
        try FileSystem.createDirectory(directory)
        XCTAssertEqual(try Subprocess.run(["tar", "-xf", stub, "-C", directory]).status, 0)
        var manifest = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(try FileSystem.read(directory + "/manifest"))) as? [String: Any])
        var list = manifest["annotations"] as? [[String: String]] ?? []
        list += annotations.map { ["name": $0.0, "value": $0.1] }
        manifest["annotations"] = list
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: directory + "/manifest"))
        let output = world.scratch + "/stub-variant.aci"
        let packed = try Subprocess.run(["tar", "--numeric-owner", "-cf", output, "-C", directory, "manifest", "rootfs"])
        XCTAssertEqual(packed.status, 0, packed.stderrText)
        return output
    }

    func testStage1ConfigAndSelectionFlags() throws {
        let image = try TestImages.busybox(probe: ["exit", "0"])
        // A stage1.d file naming the stub makes it the default.
        try FileSystem.createDirectory(world.localConfig + "/stage1.d")
        try #"{"skiffKind":"stage1","skiffVersion":"v1","location":"\#(stub)"}"#
            .write(toFile: world.localConfig + "/stage1.d/stub.json", atomically: true, encoding: .utf8)
        world.environment["SKIFF_STUB_BEHAVIOUR"] = "exit:9"
        XCTAssertEqual(try world.run("--insecure-options=image", "run", image.path).status, 9, "the configured stage1 ran")
        let config = try world.run("config")
        XCTAssertTrue(config.stdoutText.contains(stub), config.stdoutText)
        // By hash: the stub is in the store now.
        let listed = try world.run("image", "list", "--no-legend", "--full", "--fields=id,name").stdoutText
        let stubID = try XCTUnwrap(listed.split(separator: "\n").first { $0.contains("stage1-stub") }?.split(separator: " ").first)
        XCTAssertEqual(try world.run("--insecure-options=image", "run", "--stage1-hash=\(stubID)", image.path).status, 9)
        world.assertFailure(
            try world.run("--insecure-options=image", "run", "--stage1-hash=sha512-0000", image.path), contains: "sha512-0000")
        // A plain image is not a stage1.
        world.assertFailure(
            try world.run("--insecure-options=image", "run", "--stage1-path=\(image.path)", image.path), contains: "not a stage1 image")
    }
}
