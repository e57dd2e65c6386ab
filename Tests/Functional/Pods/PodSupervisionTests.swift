// What a stage1 with an init does for the apps it supervises: event handlers around them, a stop
// that escalates from SIGTERM to SIGKILL, `enter` into their namespaces, orphans reaped; and many
// pods at once.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class PodSupervisionTests: PodTestCase {
    func testEventHandlersRunAsRootBeforeAndAfterTheApp() throws {
        let image = try TestImages.busybox(probe: ["print", "main", "---", "id", "---", "write-file", "/tmp/by-main", "main-was-here"]) {
            $0.user = "user"
            $0.group = "user"
            $0.eventHandlers = [
                "pre-start": ["/probe", "print", "pre-start", "---", "id"],
                "post-stop": ["/probe", "print", "post-stop", "---", "id", "---", "read-file", "/tmp/by-main"],
            ]
        }
        let failingPreStart = try TestImages.busybox(probe: ["print", "main"]) { $0.eventHandlers = ["pre-start": ["/probe", "exit", "7"]] }
        try forEachStage1(notSupported: ["fly": "fly executes the app alone, without event handlers (as rkt's fly)"]) { stage1 in
            let (output, status) = try runPod(stage1: stage1, image: image)
            XCTAssertEqual(status, .exited(0), output)
            let lines = output.split(separator: "\n").map(String.init)
            let pre = try XCTUnwrap(lines.firstIndex(of: "pre-start"), output)
            let main = try XCTUnwrap(lines.firstIndex(of: "main"), output)
            let post = try XCTUnwrap(lines.firstIndex(of: "post-stop"), output)
            XCTAssertTrue(pre < main && main < post, "pre-start, the app, post-stop, in this order: \(output)")
            XCTAssertEqual(lines[pre...].first { $0.hasPrefix("uid=") }, "uid=0", "pre-start runs as root")
            XCTAssertEqual(lines[main...].first { $0.hasPrefix("uid=") }, "uid=1000", "the app as its user")
            XCTAssertEqual(lines[post...].first { $0.hasPrefix("uid=") }, "uid=0", "post-stop runs as root")
            XCTAssertEqual(lines[post...].first { $0.hasPrefix("content=") }, "content=main-was-here", "post-stop sees the app's files")
            try removePods("before the failing pre-start")
            let failed = try runPod(stage1: stage1, image: failingPreStart)
            XCTAssertEqual(failed.status, .exited(7), "a failing pre-start fails the app with its status: \(failed.output)")
            XCTAssertFalse(failed.output.contains("main"), "the app did not start: \(failed.output)")
            XCTAssertEqual(try appStatuses(try onlyPod()), ["busybox": "7"])
        }
    }

    func testStopSendsSIGTERMThenSIGKILLAfterTheStopTimeout() throws {
        let image = try shellImage("trap '' TERM; echo ready; while :; do sleep 0.1; done")
        try forEachStage1(notSupported: ["fly": "fly's stop is one signal to its app, no timeout"]) { stage1 in
            let child = try spawnPod(stage1: stage1, image: image, appFlags: ["--annotation=skiff.dev/stop-timeout=1"])
            try expectOrFail(child, "ready")
            let uuid = try onlyPod()
            let start = Date()
            let stop = try world.run("stop", uuid)
            XCTAssertEqual(stop.status, 0, stop.stderrText)
            XCTAssertLessThan(Date().timeIntervalSince(start), 0.9, "stop returns once the request is delivered")
            try waitOrFail(child, status: .exited(137), timeout: .seconds(20))
            let elapsed = Date().timeIntervalSince(start)
            XCTAssertGreaterThanOrEqual(elapsed, 0.9, "SIGKILL only after the app's stop timeout")
            XCTAssertLessThan(elapsed, 6, "SIGKILL at the stop timeout, not the default 10 s")
            XCTAssertEqual(try appStatuses(uuid), ["busybox": "137"])
        }
    }

    func testSignalsSentToRunReachTheApps() throws {
        let image = try shellImage(
            "trap 'echo got.HUP' HUP; trap 'echo got.TERM; exit 3' TERM; echo ready; while :; do sleep 0.1; done")
        try forEachStage1 { stage1 in
            let child = try spawnPod(stage1: stage1, image: image)
            try expectOrFail(child, "ready")
            // SIGHUP from another process (not the terminal's hang-up) is passed on to the apps.
            try child.signal(SIGHUP)
            try expectOrFail(child, "got.HUP", timeout: .seconds(10))
            // SIGTERM stops the pod: the app gets it, and run returns the app's status.
            try child.signal(SIGTERM)
            try expectOrFail(child, "got.TERM", timeout: .seconds(10))
            try waitOrFail(child, status: .exited(3), timeout: .seconds(20))
            XCTAssertEqual(try appStatuses(try onlyPod()), ["busybox": "3"])
        }
    }

    func testEnterJoinsTheAppsNamespacesAndRoot() throws {
        let image = try shellImage(
            "echo \"app.mnt=$(readlink /proc/self/ns/mnt)\"; echo \"app.pid=$(readlink /proc/self/ns/pid)\"; "
                + "echo \"app.hostname=$(hostname)\"; echo running; exec sleep 60")
        let command = "echo \"enter.mnt=$(readlink /proc/self/ns/mnt)\"; echo \"enter.pid=$(readlink /proc/self/ns/pid)\"; "
            + "echo \"enter.hostname=$(hostname)\"; echo \"enter.init=$(tr '\\0' ' ' < /proc/1/cmdline)\"; exit 4"
        try forEachStage1(notSupported: ["fly": "fly's enter is a chroot in the host's namespaces"]) { stage1 in
            let child = try spawnPod(stage1: stage1, image: image)
            let app = try expectOrFail(child, "running").beforeText.replacingOccurrences(of: "\r\n", with: "\n")
            let uuid = try onlyPod()
            let enter = try world.spawn(["enter", uuid, "/bin/sh", "-c", command])
            let entered = try expectOrFail(enter, .eof, timeout: .seconds(30)).beforeText.replacingOccurrences(of: "\r\n", with: "\n")
            XCTAssertEqual(try enter.wait(timeout: .seconds(10)), .exited(4), entered)
            for key in ["mnt", "pid", "hostname"] {
                XCTAssertNotNil(probeValue("app.\(key)", in: app), app)
                XCTAssertEqual(probeValue("enter.\(key)", in: entered), probeValue("app.\(key)", in: app), "the app's \(key): \(entered)")
            }
            XCTAssertTrue(probeValue("enter.init", in: entered)?.contains("container-run") == true, "the pod's /proc: \(entered)")
            XCTAssertEqual(try world.run("stop", "--force", uuid).status, 0)
            try waitOrFail(child, status: .exited(137))
        }
    }

    func testOrphansAreReapedByTheInit() throws {
        let image = try shellImage(
            "(sleep 0.3 & echo $! > /tmp/orphan); sleep 0.1; o=$(cat /tmp/orphan); echo \"orphan.ppid=$(cut -d' ' -f4 /proc/$o/stat)\"; "
                + "sleep 0.7; if [ -e /proc/$o ]; then echo \"orphan.state=$(cut -d' ' -f3 /proc/$o/stat)\"; else echo orphan.state=reaped; fi")
        try forEachStage1(notSupported: ["fly": "fly shares the host's PID namespace: the host's init reaps the orphans"]) { stage1 in
            let (output, status) = try runPod(stage1: stage1, image: image)
            XCTAssertEqual(status, .exited(0), output)
            XCTAssertEqual(probeValue("orphan.ppid", in: output), "1", "the orphan went to the pod's init: \(output)")
            XCTAssertEqual(probeValue("orphan.state", in: output), "reaped", "and the init reaped it (no zombie): \(output)")
        }
    }

    func testFiftyPodsStartedAtOnceAllExitWithTheirStatuses() throws {
        let image = try TestImages.busybox(probe: ["exit"])
        try forEachStage1 { stage1 in
            let null = try FileDescriptor.open("/dev/null", O_WRONLY)
            let codes = (0..<50).map { Int32($0 % 10) }
            var children: [Subprocess] = []
            for code in codes {
                let argv = world.argv(podArguments(stage1: stage1, image: image, appArguments: ["\(code)"]))
                children.append(try Subprocess.spawn(argv, stdout: null.raw, stderr: null.raw))
            }
            var statuses: [Int32] = []
            for child in children { statuses.append(try child.wait()) }
            XCTAssertEqual(statuses, codes, "every run returned its app's status")
            let json = try world.run("list", "--format=json")
            let pods = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdoutText.utf8)) as? [[String: Any]])
            XCTAssertEqual(pods.count, 50)
            XCTAssertEqual(pods.filter { $0["state"] as? String == "exited" }.count, 50, json.stdoutText)
            let recorded = pods.compactMap { (($0["apps"] as? [[String: Any]])?.first?["exitCode"] as? Int).map(Int32.init) }
            XCTAssertEqual(recorded.sorted(), codes.sorted(), "every pod recorded its app's status")
        }
    }
}
