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
