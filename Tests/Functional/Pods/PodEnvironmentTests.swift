// What a pod looks like from inside under a stage1 with namespaces: the apps of a pod share the
// PID, IPC, UTS and network namespaces and see each other; each has its own mount namespace; the
// init is PID 1; /dev, /etc/hosts, /etc/hostname, the hostname and the network are the pod's.
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class PodEnvironmentTests: PodTestCase {
    static let flyShares = "fly runs its app in the host's namespaces"

    func testAppsShareThePodsNamespacesAndSeeEachOtherButMountTheirOwn() throws {
        let namespaces = "for n in pid ipc uts net mnt; do echo \"$0.$n=$(readlink /proc/self/ns/$n)\"; done; echo \"$0.hostname=$(hostname)\""
        let first = try shellImage(
            namespaces + "; echo $$ > /shared/a.pid; while [ ! -e /shared/b.done ]; do sleep 0.05; done", name: "skiff.test/a")
        let second = try shellImage(
            "while [ ! -s /shared/a.pid ]; do sleep 0.05; done; echo \"b.sees-a=$(tr '\\0' ' ' < /proc/$(cat /shared/a.pid)/cmdline)\"; "
                + namespaces + "; touch /shared/b.done", name: "skiff.test/b")
        try forEachStage1(notSupported: ["fly": "fly runs a single app per pod by design"]) { stage1 in
            let mount = "--mount=volume=shared,target=/shared"
            let (output, status) = try runPod(
                stage1: stage1, podFlags: ["--volume=shared,kind=empty"],
                apps: [PodApp(image: first, flags: [mount], arguments: ["a"]), PodApp(image: second, flags: [mount], arguments: ["b"])])
            XCTAssertEqual(status, .exited(0), output)
            XCTAssertTrue(probeValue("b.sees-a", in: output)?.contains("-e /shared/b.done") == true, "b sees a's process: \(output)")
            for kind in ["pid", "ipc", "uts", "net"] {
                let a = try XCTUnwrap(probeValue("a.\(kind)", in: output), output)
                XCTAssertEqual(a, probeValue("b.\(kind)", in: output), "the apps share the \(kind) namespace")
                XCTAssertNotEqual(a, try hostNamespace(kind), "the pod's \(kind) namespace is not the host's")
            }
            XCTAssertNotEqual(probeValue("a.mnt", in: output), probeValue("b.mnt", in: output), "each app has its own mount namespace")
            XCTAssertEqual(probeValue("a.hostname", in: output), probeValue("b.hostname", in: output))
            XCTAssertEqual(try appStatuses(try onlyPod()), ["a": "0", "b": "0"])
        }
    }

    func testOneFailingAppStopsTheOthersAndRunReturnsItsStatus() throws {
        let long = try shellImage("echo a-running; exec sleep 30", name: "skiff.test/a")
        let failing = try shellImage("sleep 0.3; exit 3", name: "skiff.test/b")
        try forEachStage1(notSupported: ["fly": "fly runs a single app per pod by design"]) { stage1 in
            let start = Date()
            let (output, status) = try runPod(stage1: stage1, apps: [PodApp(image: long), PodApp(image: failing)])
            XCTAssertEqual(status, .exited(3), "the failing app's status: \(output)")
            XCTAssertLessThan(Date().timeIntervalSince(start), 8, "a died of SIGTERM, not of the stop timeout")
            XCTAssertEqual(try appStatuses(try onlyPod()), ["a": "143", "b": "3"], "a was stopped with SIGTERM")
        }
    }

    func testInteractiveNeedsASingleApp() throws {
        let image = try TestImages.busybox(probe: ["exit", "0"])
        try forEachStage1(notSupported: ["fly": "fly runs a single app per pod by design"]) { stage1 in
            let second = try TestImages.busybox(probe: ["exit", "0"], name: "skiff.test/second")
            let result = try world.run(
                podArguments(stage1: stage1, podFlags: ["--interactive"], apps: [PodApp(image: image), PodApp(image: second)]))
            XCTAssertEqual(result.status, 254, result.stderrText)
            XCTAssertTrue(result.stderrText.contains("--interactive"), result.stderrText)
        }
    }

    func testDefaultHostnameEtcHostnameAndEtcHosts() throws {
        let script = "hostname; cat /etc/hostname; cat /etc/hosts"
        let withoutHosts = try shellImage(script) { $0.omittedFiles = ["etc/hosts"] }
        let withHosts = try shellImage(script) { $0.files.append(.init("/etc/hosts", "10.9.8.7 image-host\n")) }
        try forEachStage1(notSupported: ["fly": Self.flyShares + ": the host's hostname"]) { stage1 in
            let fallback = try runPod(stage1: stage1, image: withoutHosts)
            XCTAssertEqual(fallback.status, .exited(0), fallback.output)
            let uuid = try onlyPod()
            let lines = appLines(fallback.output)
            XCTAssertEqual(lines.first, "skiff-" + uuid, "the default hostname, as rkt's rkt-<uuid>")
            XCTAssertEqual(lines.dropFirst().first, "skiff-" + uuid, "/etc/hostname says the hostname")
            XCTAssertTrue(lines.contains { $0.hasPrefix("127.0.0.1 localhost") && $0.hasSuffix(" skiff-" + uuid) }, fallback.output)
            XCTAssertTrue(lines.contains { $0.hasPrefix("::1 localhost") }, fallback.output)
            try removePods("before the image with its own /etc/hosts")
            let own = try runPod(stage1: stage1, podFlags: ["--hostname=named"], image: withHosts)
            XCTAssertEqual(appLines(own.output), ["named", "named", "10.9.8.7 image-host"], "the image's own /etc/hosts is left alone")
        }
    }

    func testDevHoldsTheStandardNodesOnly() throws {
        let image = try shellImage(
            "ls -A /dev | tr '\\n' ' '; echo; stat -c '%n %F %t:%T' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty; "
                + "for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done; head -c 4 /dev/zero | od -An -tx1; "
                + "echo x > /dev/full || echo full-refused; grep -E ' /dev/(pts|shm) ' /proc/self/mountinfo | sed 's/.* - //'")
        try forEachStage1(notSupported: ["fly": "fly binds the host's /dev"]) { stage1 in
            let (output, status) = try runPod(stage1: stage1, image: image)
            XCTAssertEqual(status, .exited(0), output)
            let lines = appLines(output).map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(
                lines.first, "console fd full null ptmx pts random shm stderr stdin stdout tty urandom zero", "exactly these")
            for (node, numbers) in [("null", "1:3"), ("zero", "1:5"), ("full", "1:7"), ("random", "1:8"), ("urandom", "1:9"), ("tty", "5:0")] {
                XCTAssertTrue(lines.contains("/dev/\(node) character special file \(numbers)"), "/dev/\(node): \(output)")
            }
            for target in ["pts/ptmx", "/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1", "/proc/self/fd/2"] {
                XCTAssertTrue(lines.contains(target), "link to \(target): \(output)")
            }
            XCTAssertTrue(lines.contains("00 00 00 00"), "reading /dev/zero: \(output)")
            XCTAssertTrue(output.contains("No space left on device") && lines.contains("full-refused"), output)
            XCTAssertTrue(lines.contains { $0.hasPrefix("devpts devpts ") }, "a devpts on /dev/pts: \(output)")
            XCTAssertTrue(lines.contains { $0.hasPrefix("tmpfs shm ") }, "a tmpfs on /dev/shm: \(output)")
        }
    }

    func testTheInitIsPID1AndAppsAreItsChildren() throws {
        let image = try TestImages.busybox(probe: ["pid", "---", "read-file", "/proc/1/cmdline"])
        try forEachStage1(notSupported: ["fly": Self.flyShares + ": no init of its own"]) { stage1 in
            let (output, status) = try runPod(stage1: stage1, image: image)
            XCTAssertEqual(status, .exited(0), output)
            XCTAssertNotEqual(probeValue("pid", in: output), "1", "the app is not PID 1")
            XCTAssertEqual(probeValue("ppid", in: output), "1", "the init started it")
            XCTAssertNotEqual("pid:[\(probeValue("pidns", in: output) ?? "")]", try hostNamespace("pid"))
            XCTAssertTrue(probeValue("content", in: output)?.contains("container-run") == true, "PID 1 is the stage1's init: \(output)")
        }
    }

    func testNetworkIsLoopbackOnlyOrTheHostsWithNetHost() throws {
        let image = try shellImage("echo \"netns=$(readlink /proc/self/ns/net)\"; /probe net")
        try forEachStage1(notSupported: ["fly": Self.flyShares + ": only --net=host"]) { stage1 in
            let own = try runPod(stage1: stage1, podFlags: ["--net=none"], image: image)
            XCTAssertEqual(own.status, .exited(0), own.output)
            XCTAssertNotEqual(probeValue("netns", in: own.output), try hostNamespace("net"))
            let links = own.output.split(separator: "\n").filter { $0.hasPrefix("net.") && !$0.dropFirst(4).contains(".") }
            XCTAssertEqual(links, ["net.lo=up"], "loopback only, and up: \(own.output)")
            XCTAssertEqual(probeValue("net.lo.ipv4", in: own.output), "127.0.0.1/8")
            let host = try runPod(stage1: stage1, podFlags: ["--net=host"], image: image)
            XCTAssertEqual(host.status, .exited(0), host.output)
            XCTAssertEqual(probeValue("netns", in: host.output), try hostNamespace("net"), "--net=host: the caller's namespace")
        }
    }

    /// The output's lines without stage0's own (the note that an image is not verified).
    private func appLines(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("image: signature not verified") }
    }
}
