// OCI images as pods under each stage1: the busybox probe image in the OCI forms, its config
// mapped onto the app model (Entrypoint + Cmd, Env, WorkingDir, User looked up in the image,
// ExposedPorts, Volumes) and run like an ACI.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class OCIRunTests: PodTestCase {
    /// Runs `image` (by its OCI reference) to completion on a terminal.
    private func runOCI(
        _ image: TestImage, stage1: Stage1UnderTest, podFlags: [String] = [], appFlags: [String] = [],
        arguments: [String]? = nil, file: StaticString = #filePath, line: UInt = #line
    ) throws -> (output: String, status: ExitStatus) {
        var argv = ["--insecure-options=image", "run", "--stage1-path=\(stage1.path)"] + podFlags + [image.reference] + appFlags
        if let arguments { argv += ["--"] + arguments }
        let child = try world.spawn(argv, file: file, line: line)
        let output = try expectOrFail(child, .eof, timeout: .seconds(60), file: file, line: line).beforeText
        return (output.replacingOccurrences(of: "\r\n", with: "\n"), try child.wait(timeout: .seconds(30)))
    }

    func testImagesInEveryOCIFileFormRun() throws {
        let images = try [TestImageFormat.ociLayout, .ociArchive, .dockerArchive].map { format in
            try TestImages.busybox(probe: ["print", "from \(format.rawValue)", "---", "exit", "5"], format: format)
        }
        try forEachStage1 { stage1 in
            for image in images {
                let (output, status) = try runOCI(image, stage1: stage1)
                XCTAssertEqual(status, .exited(5), output)
                XCTAssertTrue(output.contains("from \(image.format.rawValue)"), output)
            }
            let status = try world.run("status", try lastPod()).stdoutText
            XCTAssertTrue(status.contains("app-busybox=5"), "the app is named after the image: \(status)")
        }
    }

    func testTheConfigMapsOntoTheApp() throws {
        let image = try TestImages.busybox(probe: ["env", "---", "cwd", "---", "id"], format: .ociLayout) {
            $0.environment = ["FROM_IMAGE": "oci", "PATH": "/bin:/usr/bin"]
            $0.workingDirectory = "/tmp"
            $0.user = "user"
        }
        try forEachStage1 { stage1 in
            let (output, status) = try runOCI(image, stage1: stage1)
            XCTAssertEqual(status, .exited(0), output)
            XCTAssertEqual(probeValue("env.FROM_IMAGE", in: output), "oci")
            XCTAssertEqual(probeValue("env.PATH", in: output), "/bin:/usr/bin", "the image's PATH")
            XCTAssertEqual(probeValue("cwd", in: output), "/tmp", "WorkingDir")
            XCTAssertEqual(probeValue("uid", in: output), "1000", "User \"user\" looked up in the image")
            XCTAssertEqual(probeValue("gid", in: output), "1000", "its primary group from /etc/passwd")
            XCTAssertEqual(probeValue("groups", in: output), "1001", "and the groups that list it")
            let flags = try runOCI(image, stage1: stage1, appFlags: ["--user=4242", "--group=4343"])
            XCTAssertEqual(probeValue("uid", in: flags.output), "4242", "--user still wins")
            XCTAssertEqual(probeValue("gid", in: flags.output), "4343")
        }
    }

    func testArgumentsReplaceAndExtendTheCommand() throws {
        let image = try TestImages.busybox(probe: ["exit"], format: .ociLayout)
        try forEachStage1 { stage1 in
            XCTAssertEqual(try runOCI(image, stage1: stage1, arguments: ["9"]).status, .exited(9), "arguments after -- are appended")
            let replaced = try runOCI(image, stage1: stage1, appFlags: ["--exec=/probe"], arguments: ["print", "replaced"])
            XCTAssertTrue(replaced.output.contains("replaced"), replaced.output)
        }
    }

    func testVolumesAreMountPointsAndPortsAreNamed() throws {
        let image = try TestImages.busybox(probe: ["write-file", "/data/x", "1", "---", "stat", "/data"], format: .ociLayout) {
            $0.mountPoints = [.init(name: "data", path: "/data")]
            $0.ports = [.init(name: "http", port: 80)]
        }
        try forEachStage1 { stage1 in
            let unmatched = try runOCI(image, stage1: stage1)
            XCTAssertEqual(unmatched.status, .exited(0), unmatched.output)
            XCTAssertEqual(probeValue("stat.type", in: unmatched.output), "dir", "an empty volume at the image's volume")
            let manifest = try String(contentsOfFile: try podDirectory(try lastPod()) + "/pod", encoding: .utf8)
            XCTAssertTrue(manifest.contains("\"volume-data\""), manifest)
            let host = world.scratch + "/data-\(stage1.name)"
            try FileSystem.createDirectory(host)
            let mapped = try runOCI(image, stage1: stage1, podFlags: ["--volume=volume-data,kind=host,source=\(host)"])
            XCTAssertEqual(mapped.status, .exited(0), mapped.output)
            XCTAssertEqual(try String(contentsOfFile: host + "/x", encoding: .utf8), "1", "the volume named after the path")
            let stored = try world.run("image", "list", "--no-legend", "--fields=id", "--full").stdoutText
            let id = try XCTUnwrap(
                stored.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("sha256:") })
            let out = world.scratch + "/render-\(stage1.name)"
            XCTAssertEqual(try world.run("image", "render", id, out).status, 0)
            let appc = try String(contentsOfFile: out + "/manifest", encoding: .utf8)
            XCTAssertTrue(appc.contains("\"80-tcp\""), "ExposedPorts 80/tcp is the port 80-tcp: \(appc)")
        }
    }

    func testARegistryImageRunsByTagAndByDigest() throws {
        let image = try TestImages.busybox(
            probe: ["print", "from the registry", "---", "env", "---", "cwd", "---", "id", "---", "exit", "3"], format: .ociLayout
        ) {
            $0.environment = ["FROM_REGISTRY": "yes", "PATH": "/bin"]
            $0.workingDirectory = "/tmp"
            $0.user = "user"
        }
        let registry = try TestRegistry()
        defer { registry.stop() }
        try registry.push("oci:\(image.path)", to: "skiff/busybox", tag: "v1")
        let byTag = "docker://\(registry.host)/skiff/busybox:v1"
        try forEachStage1 { stage1 in
            // A tag names no content: without --insecure-options=image it is refused, before a pod exists.
            world.assertFailure(
                try world.run("--insecure-options=http", "run", "--stage1-path=\(stage1.path)", byTag),
                contains: "use --insecure-options=image, or name the image by digest")
            // A digest is verified instead: no image option needed.
            let runs = [("http,image", byTag), ("http", "docker://\(registry.host)/skiff/busybox@\(image.id)")]
            for (options, reference) in runs {
                let child = try world.spawn(["--insecure-options=\(options)", "run", "--stage1-path=\(stage1.path)", reference])
                let output = try expectOrFail(child, .eof, timeout: .seconds(60)).beforeText.replacingOccurrences(of: "\r\n", with: "\n")
                XCTAssertEqual(try child.wait(timeout: .seconds(30)), .exited(3), output)
                XCTAssertTrue(output.contains("from the registry"), output)
                XCTAssertEqual(probeValue("env.FROM_REGISTRY", in: output), "yes", "Env")
                XCTAssertEqual(probeValue("cwd", in: output), "/tmp", "WorkingDir")
                XCTAssertEqual(probeValue("uid", in: output), "1000", "User looked up in the image's /etc/passwd")
            }
        }
    }

    func testPrepareTakesOCIReferencesByDigestWithoutTheInsecureOption() throws {
        let image = try TestImages.busybox(probe: ["exit", "7"], format: .ociArchive)
        try forEachStage1 { stage1 in
            world.assertFailure(
                try world.run("prepare", "--quiet", "--stage1-path=\(stage1.path)", image.reference),
                contains: "use --insecure-options=image, or name the image by digest")
            let prepared = try world.run("prepare", "--quiet", "--stage1-path=\(stage1.path)", image.reference + "@" + image.id)
            XCTAssertEqual(prepared.status, 0, prepared.stderrText)
            let uuid = prepared.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertTrue(try world.run("status", uuid).stdoutText.hasPrefix("state=prepared\n"))
            let child = try world.spawn(["run-prepared", uuid])
            try waitOrFail(child, status: .exited(7))
        }
    }

    /// The UUID of the newest pod.
    private func lastPod() throws -> String {
        let list = try world.run("list", "--no-legend", "--full").stdoutText
        return try XCTUnwrap(list.split(separator: "\n").last?.split(separator: " ").first.map(String.init))
    }

    /// The directory of pod `uuid`, whatever its state.
    private func podDirectory(_ uuid: String) throws -> String {
        for state in try FileSystem.list(world.dataDirectory + "/pods") where FileSystem.isDirectory(world.dataDirectory + "/pods/\(state)/\(uuid)") {
            return world.dataDirectory + "/pods/\(state)/\(uuid)"
        }
        throw TestSupportError("pod \(uuid) not found")
    }
}
