// Each isolator's effect, seen from inside the app by the probe (issue 7): the capability sets,
// the seccomp mode and a denied syscall, no_new_privs, oom_score_adj; and what each
// --insecure-options word lifts.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class IsolatorTests: SecurityTestCase {
    func testCapabilitiesDefaultRetainRemoveAndLifted() throws {
        let root = try TestImages.busybox(probe: ["caps"])
        let user = try TestImages.busybox(probe: ["caps"]) {
            $0.user = "user"
            $0.group = "user"
        }
        let imageRemove = try TestImages.busybox(probe: ["caps"]) {
            $0.isolators = [.init(name: "os/linux/capabilities-remove-set", value: #"{"set":["CAP_NET_RAW","CAP_SYS_ADMIN"]}"#)]
        }
        try forEachIsolatingStage1 { stage1 in
            let standard = try runSecured(stage1: stage1, image: root)
            XCTAssertEqual(standard.status, .exited(0), standard.output)
            XCTAssertEqual(probeValue("cap.names.bnd", in: standard.output), Self.defaultCapabilityList, "rkt's 14: \(standard.output)")
            XCTAssertEqual(probeValue("cap.names.eff", in: standard.output), Self.defaultCapabilityList, "root holds them")

            let nonRoot = try runSecured(stage1: stage1, image: user)
            XCTAssertEqual(probeValue("cap.names.bnd", in: nonRoot.output), Self.defaultCapabilityList, nonRoot.output)
            XCTAssertEqual(probeValue("cap.eff", in: nonRoot.output), "0000000000000000", "a non-root app holds none: \(nonRoot.output)")
            XCTAssertEqual(probeValue("cap.prm", in: nonRoot.output), "0000000000000000", nonRoot.output)

            let retained = try runSecured(stage1: stage1, image: root, appFlags: ["--caps-retain=CAP_KILL,CAP_CHOWN"])
            XCTAssertEqual(probeValue("cap.names.bnd", in: retained.output), "CAP_CHOWN,CAP_KILL", retained.output)

            let removed = try runSecured(stage1: stage1, image: imageRemove)
            XCTAssertEqual(
                probeValue("cap.names.bnd", in: removed.output), Self.defaultCapabilityList.replacingOccurrences(of: ",CAP_NET_RAW", with: ""),
                "the image's remove set (CAP_SYS_ADMIN was not there: no-op): \(removed.output)")
            let flagWins = try runSecured(stage1: stage1, image: imageRemove, appFlags: ["--caps-remove=CAP_MKNOD"])
            XCTAssertEqual(
                probeValue("cap.names.bnd", in: flagWins.output), Self.defaultCapabilityList.replacingOccurrences(of: ",CAP_MKNOD", with: ""),
                "--caps-remove replaces the image's set: \(flagWins.output)")

            let lifted = try runSecured(stage1: stage1, insecure: "capabilities", image: root)
            let names = probeValue("cap.names.bnd", in: lifted.output) ?? ""
            XCTAssertTrue(names.contains("CAP_SYS_ADMIN") && names.contains("CAP_SYS_MODULE"), "all of them: \(lifted.output)")
        }
    }

    func testSeccompDefaultSetsErrnoAndLifted() throws {
        let image = try TestImages.busybox(probe: ["seccomp", "---", "try", "keyctl", "---", "try", "getpid"])
        let retainImage = try TestImages.busybox(probe: ["seccomp", "---", "try", "keyctl", "---", "try", "getpid"]) {
            $0.isolators = [.init(name: "os/linux/seccomp-retain-set", value: #"{"set":["@docker/default-whitelist"],"errno":"EPERM"}"#)]
        }
        try forEachIsolatingStage1 { stage1 in
            let standard = try runSecured(stage1: stage1, image: image)
            XCTAssertEqual(standard.status, .exited(0), standard.output)
            XCTAssertEqual(probeValue("seccomp", in: standard.output), "2", "a filter: \(standard.output)")
            XCTAssertEqual(probeValue("try.keyctl", in: standard.output), "SIGSYS", "the default kills: \(standard.output)")
            XCTAssertEqual(probeValue("try.getpid", in: standard.output), "ok", standard.output)

            let removed = try runSecured(stage1: stage1, image: image, appFlags: ["--seccomp=mode=remove,errno=ENOTSUP,keyctl"])
            // ENOTSUP and EOPNOTSUPP are one number on Linux; the probe prints the kernel's name.
            XCTAssertEqual(probeValue("try.keyctl", in: removed.output), "EOPNOTSUPP", removed.output)
            XCTAssertEqual(probeValue("try.getpid", in: removed.output), "ok", removed.output)

            let retained = try runSecured(stage1: stage1, image: retainImage)
            XCTAssertEqual(probeValue("try.keyctl", in: retained.output), "EPERM", "the image's retain set and errno: \(retained.output)")

            let lifted = try runSecured(stage1: stage1, insecure: "seccomp", image: image)
            XCTAssertEqual(probeValue("seccomp", in: lifted.output), "0", lifted.output)
            XCTAssertEqual(probeValue("try.keyctl", in: lifted.output), "ok", lifted.output)
        }
    }

    func testNoNewPrivilegesAndOOMScoreAdjust() throws {
        let probe = ["nnp", "---", "read-file", "/proc/self/oom_score_adj"]
        let root = try TestImages.busybox(probe: probe)
        let asked = try TestImages.busybox(probe: probe) {
            $0.isolators = [
                .init(name: "os/linux/no-new-privileges", value: "true"), .init(name: "os/linux/oom-score-adj", value: "250"),
            ]
        }
        let user = try TestImages.busybox(probe: probe) {
            $0.user = "user"
            $0.group = "user"
        }
        try forEachIsolatingStage1 { stage1 in
            let standard = try runSecured(stage1: stage1, image: root)
            XCTAssertEqual(probeValue("nnp", in: standard.output), "0", "default false (appc item 100): \(standard.output)")
            let set = try runSecured(stage1: stage1, image: asked)
            XCTAssertEqual(probeValue("nnp", in: set.output), "1", set.output)
            XCTAssertEqual(probeValue("content", in: set.output), "250", set.output)
            // Positive: lowering it needs CAP_SYS_RESOURCE, which a test host may not have itself.
            let flag = try runSecured(stage1: stage1, image: root, appFlags: ["--oom-score-adj=300"])
            XCTAssertEqual(probeValue("content", in: flag.output), "300", flag.output)
            let nonRoot = try runSecured(stage1: stage1, image: user)
            XCTAssertEqual(probeValue("nnp", in: nonRoot.output), "1", "a filter forces it for a non-root app: \(nonRoot.output)")
        }
    }

    func testTheStage1SaysWhichIsolatorsItEnforcedAndWhichItIgnored() throws {
        let image = try TestImages.busybox(probe: ["nnp"]) {
            $0.isolators = [
                .init(name: "os/linux/no-new-privileges", value: "true"), .init(name: "skiff.test/unknown", value: "{}"),
                .init(name: "os/linux/seccomp-remove-set", value: #"{"set":["keyctl"]}"#),
            ]
        }
        try forEachIsolatingStage1 { stage1 in
            let (output, status) = try runSecured(stage1: stage1, insecure: "seccomp", podFlags: ["--debug"], image: image)
            XCTAssertEqual(status, .exited(0), output)
            XCTAssertTrue(output.contains("os/linux/no-new-privileges: enforced"), output)
            XCTAssertTrue(output.contains("skiff.test/unknown: ignored"), output)
            XCTAssertTrue(output.contains("os/linux/seccomp-remove-set: ignored (--insecure-options=seccomp)"), output)
        }
    }

    func testEventHandlersCarryTheAppsIsolation() throws {
        let image = try TestImages.busybox(probe: ["print", "main", "---", "seccomp", "---", "caps"]) {
            $0.eventHandlers = ["pre-start": ["/probe", "print", "pre-start", "---", "seccomp", "---", "caps"]]
        }
        try forEachIsolatingStage1 { stage1 in
            let (output, status) = try runSecured(stage1: stage1, image: image, appFlags: ["--caps-retain=CAP_KILL"])
            XCTAssertEqual(status, .exited(0), output)
            let lines = output.split(separator: "\n").map(String.init)
            let pre = try XCTUnwrap(lines.firstIndex(of: "pre-start"), output)
            let main = try XCTUnwrap(lines.firstIndex(of: "main"), output)
            for start in [pre, main] {
                XCTAssertEqual(lines[start...].first { $0.hasPrefix("seccomp=") }, "seccomp=2", output)
                XCTAssertEqual(lines[start...].first { $0.hasPrefix("cap.names.bnd=") }, "cap.names.bnd=CAP_KILL", output)
            }
        }
    }
}
