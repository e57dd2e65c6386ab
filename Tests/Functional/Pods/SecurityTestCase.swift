// Shared by the security tests (issue 7): pods run with chosen --insecure-options, the facts the
// probe prints parsed, the pod's cgroup directories found on the host.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

class SecurityTestCase: PodTestCase {
    /// Why fly cannot run these cases: it is a chroot in the host's namespaces, by design.
    static let flyReason = "fly is a chroot with the host's namespaces and privileges, by design (rkt's fly neither isolates)"

    /// `forEachStage1` with fly declared not supported.
    func forEachIsolatingStage1(file: StaticString = #filePath, line: UInt = #line, _ body: (Stage1UnderTest) throws -> Void) throws {
        try forEachStage1(notSupported: ["fly": SecurityTestCase.flyReason], file: file, line: line, body)
    }

    /// Runs `image` to completion with `--insecure-options=image,<insecure>`; output and status.
    func runSecured(
        stage1: Stage1UnderTest, insecure: String? = nil, podFlags: [String] = [], image: TestImage, appFlags: [String] = [],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> (output: String, status: ExitStatus) {
        let child = try world.spawn(arguments(stage1: stage1, insecure: insecure, podFlags: podFlags, image: image, appFlags: appFlags), file: file, line: line)
        let output = try expectOrFail(child, .eof, timeout: .seconds(60), file: file, line: line).beforeText
        return (output.replacingOccurrences(of: "\r\n", with: "\n"), try child.wait(timeout: .seconds(30)))
    }

    /// The argv of such a run.
    func arguments(stage1: Stage1UnderTest, insecure: String?, podFlags: [String] = [], image: TestImage, appFlags: [String] = []) -> [String] {
        var argv = podArguments(stage1: stage1, podFlags: podFlags, image: image, appFlags: appFlags)
        if let insecure { argv[0] = "--insecure-options=image,\(insecure)" }
        return argv
    }

    /// Every `key=value` of probe output whose key starts with `prefix`, as a dictionary.
    func probeValues(_ prefix: String, in output: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix(prefix) {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        return values
    }

    /// The directories named `skiff-<uuid>` anywhere under /sys/fs/cgroup.
    func podCgroups(_ uuid: String) throws -> [String] {
        let found = try Subprocess.run(["find", "/sys/fs/cgroup", "-name", "skiff-\(uuid)", "-type", "d"])
        return found.stdoutText.split(separator: "\n").map(String.init)
    }

    /// rkt's default bounding set (appc-and-oci.md item 97), ordered by number as the probe prints it.
    static let defaultCapabilityList = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP",
    ].joined(separator: ",")
}
