// The base of pod tests: a world of its own per test, pods run under each stage1 under test.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

class PodTestCase: Stage1TestCase {
    var world: SkiffHarness!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        try XCTSkipUnless(geteuid() == 0, "pods need root (mounts, chroot)")
        world = try SkiffHarness()
    }

    override func tearDownWithError() throws {
        // Every pod the test made goes away with its mounts, whatever the test did.
        if world != nil { try removePods("gc after the test") }
        world = nil
    }

    /// Each stage1 starts from an empty pod list: the pods a stage1's run made go before the next
    /// stage1's (so `onlyPod()` means the pod of the stage1 under test).
    override func stage1RunDidFinish(_ stage1: Stage1UnderTest) throws {
        if world != nil { try removePods("gc after the run on stage1 \(stage1.name)") }
    }

    /// gc of every exited or prepared pod, then no mount may be left under the world.
    func removePods(_ what: String) throws {
        let gc = try world.run("gc", "--grace-period=0s", "--expire-prepared=0s")
        XCTAssertEqual(gc.status, 0, "\(what): \(gc.stderrText)")
        let mounts = String(decoding: try FileSystem.read("/proc/self/mountinfo"), as: UTF8.self)
        XCTAssertFalse(mounts.contains(world.root), "\(what): mounts left under \(world.root)")
    }

    /// The argv after `skiff` for `run` (or another command) of `image` under `stage1`.
    func podArguments(
        _ command: String = "run", stage1: Stage1UnderTest, podFlags: [String] = [], image: TestImage,
        appFlags: [String] = [], appArguments: [String]? = nil
    ) -> [String] {
        var argv = ["--insecure-options=image", command, "--stage1-path=\(stage1.path)"] + podFlags + [image.path] + appFlags
        if let appArguments { argv += ["--"] + appArguments }
        return argv
    }

    /// Runs a pod on a terminal and returns the session (Expect).
    func spawnPod(
        stage1: Stage1UnderTest, podFlags: [String] = [], image: TestImage, appFlags: [String] = [],
        appArguments: [String]? = nil, file: StaticString = #filePath, line: UInt = #line
    ) throws -> ExpectSession {
        try world.spawn(
            podArguments(stage1: stage1, podFlags: podFlags, image: image, appFlags: appFlags, appArguments: appArguments),
            file: file, line: line)
    }

    /// Runs a pod to completion and returns its output (stdout and stderr merged on the terminal) and status.
    func runPod(
        stage1: Stage1UnderTest, podFlags: [String] = [], image: TestImage, appFlags: [String] = [],
        appArguments: [String]? = nil, file: StaticString = #filePath, line: UInt = #line
    ) throws -> (output: String, status: ExitStatus) {
        let child = try spawnPod(
            stage1: stage1, podFlags: podFlags, image: image, appFlags: appFlags, appArguments: appArguments, file: file,
            line: line)
        let output = try expectOrFail(child, .eof, timeout: .seconds(60), file: file, line: line).beforeText
        return (output.replacingOccurrences(of: "\r\n", with: "\n"), try child.wait(timeout: .seconds(30)))
    }

    /// The value of `key=` in probe output lines.
    func probeValue(_ key: String, in output: String) -> String? {
        for line in output.split(separator: "\n") where line.hasPrefix(key + "=") {
            return String(line.dropFirst(key.count + 1))
        }
        return nil
    }

    /// The UUID of the only pod of the world.
    func onlyPod() throws -> String {
        let list = try world.run("list", "--no-legend", "--full")
        let uuids = list.stdoutText.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.count == 36 }
        XCTAssertEqual(uuids.count, 1, list.stdoutText)
        return try XCTUnwrap(uuids.first)
    }
}
