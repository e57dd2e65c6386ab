// What `enter` carries (issue 7): rkt's enter ran commands with none of the app's isolation
// (CVE-2019-10144: capability bounding set, CVE-2019-10145: seccomp, CVE-2019-10147: cgroups).
// The entered command must have the app's bounding set, filter, no_new_privs and cgroup, see no
// descriptor of the host, and be unable to reach the stage1's binary.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class EnterSecurityTests: SecurityTestCase {
    func testEnteredCommandsCarryTheAppsIsolation() throws {
        let facts = ["caps", "---", "seccomp", "---", "nnp", "---", "cgroup"]
        let image = try TestImages.busybox(probe: facts + ["---", "print", "running", "---", "sleep", "60"]) {
            $0.isolators = [.init(name: "os/linux/no-new-privileges", value: "true")]
        }
        try forEachIsolatingStage1 { stage1 in
            let child = try world.spawn(
                arguments(stage1: stage1, insecure: nil, image: image, appFlags: ["--caps-remove=CAP_NET_RAW", "--memory=64Mi"]))
            let app = try expectOrFail(child, "running").beforeText.replacingOccurrences(of: "\r\n", with: "\n")
            let uuid = try onlyPod()
            let enter = try world.spawn(["enter", uuid, "/probe"] + facts + ["---", "try", "keyctl", "---", "fds", "---", "exes"])
            let entered = try expectOrFail(enter, .eof, timeout: .seconds(30)).beforeText.replacingOccurrences(of: "\r\n", with: "\n")
            XCTAssertEqual(try enter.wait(timeout: .seconds(10)), .exited(0), entered)

            // CVE-2019-10144: the bounding set.
            XCTAssertEqual(probeValue("cap.bnd", in: entered), probeValue("cap.bnd", in: app), "app: \(app)\nentered: \(entered)")
            XCTAssertFalse((probeValue("cap.names.bnd", in: entered) ?? "CAP_NET_RAW").contains("CAP_NET_RAW"), entered)
            // CVE-2019-10145: seccomp and no_new_privs.
            XCTAssertEqual(probeValue("seccomp", in: entered), "2", entered)
            XCTAssertEqual(probeValue("try.keyctl", in: entered), "SIGSYS", entered)
            XCTAssertEqual(probeValue("nnp", in: entered), "1", entered)
            // CVE-2019-10147: the cgroups, limits included.
            let appCgroups = probeValues("cgroup.", in: app)
            XCTAssertFalse(appCgroups.isEmpty, app)
            XCTAssertEqual(probeValues("cgroup.", in: entered), appCgroups, "app: \(app)\nentered: \(entered)")
            // No descriptor of the host: only stdin, stdout and stderr (the terminal).
            let fds = probeValues("fd.", in: entered)
            XCTAssertEqual(Set(fds.keys), ["fd.0", "fd.1", "fd.2"], entered)
            // Nothing in the pod can open a binary for writing, the stage1's least of all.
            let exes = probeValues("exe.", in: entered)
            XCTAssertFalse(exes.isEmpty, entered)
            XCTAssertTrue(exes.values.allSatisfy { !$0.hasPrefix("ok") }, entered)

            XCTAssertEqual(try world.run("stop", "--force", uuid).status, 0)
            try waitOrFail(child, status: .exited(137))
        }
    }
}
