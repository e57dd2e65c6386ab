// Helpers for pods of several apps and for facts only the container flavor has (namespaces).
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

/// One app of a multi-app pod: its image, the flags after it, its arguments after `--`.
struct PodApp {
    var image: TestImage
    var flags: [String] = []
    var arguments: [String]? = nil
}

extension PodTestCase {
    /// The argv after `skiff` for `run` of several apps (`---` between them).
    func podArguments(stage1: Stage1UnderTest, podFlags: [String] = [], apps: [PodApp]) -> [String] {
        var argv = ["--insecure-options=image", "run", "--stage1-path=\(stage1.path)"] + podFlags
        for (index, app) in apps.enumerated() {
            if index > 0 { argv.append("---") }
            argv += [app.image.path] + app.flags
            if let arguments = app.arguments { argv += ["--"] + arguments }
        }
        return argv
    }

    /// Runs a pod of several apps on a terminal to completion: its output and status.
    func runPod(
        stage1: Stage1UnderTest, podFlags: [String] = [], apps: [PodApp], file: StaticString = #filePath, line: UInt = #line
    ) throws -> (output: String, status: ExitStatus) {
        let child = try world.spawn(podArguments(stage1: stage1, podFlags: podFlags, apps: apps), file: file, line: line)
        let output = try expectOrFail(child, .eof, timeout: .seconds(60), file: file, line: line).beforeText
        return (output.replacingOccurrences(of: "\r\n", with: "\n"), try child.wait(timeout: .seconds(30)))
    }

    /// A busybox image whose app runs `script` with busybox sh (through the probe).
    func shellImage(_ script: String, name: String = "skiff.test/busybox", _ adjust: (inout TestImageRecipe) -> Void = { _ in }) throws
        -> TestImage
    {
        try TestImages.busybox(probe: ["sh", "-c", script], name: name, adjust)
    }

    /// The namespace link of this test process (`pid:[4026531836]`), to compare with an app's.
    func hostNamespace(_ kind: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = readlink("/proc/self/ns/\(kind)", &buffer, buffer.count - 1)
        guard count > 0 else { throw SkiffError.system("readlink /proc/self/ns/\(kind)") }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The `app-<name>=N` statuses `skiff status` shows for the pod.
    func appStatuses(_ uuid: String) throws -> [String: String] {
        var statuses: [String: String] = [:]
        for line in try world.run("status", uuid).stdoutText.split(separator: "\n") where line.hasPrefix("app-") {
            let parts = line.dropFirst(4).split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { statuses[parts[0]] = parts[1] }
        }
        return statuses
    }
}
