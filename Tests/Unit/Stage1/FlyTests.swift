// The fly stage1 end to end (root only): a pod directory built by hand around a busybox-static
// app root, the fly binary run the way stage0 runs it.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
@testable import SkiffStage1
import SkiffSystem
import XCTest

final class FlyTests: XCTestCase {
    private var pods: [Stage1TestPod] = []
    private var running: [Stage1RunningEntrypoint] = []

    override func setUpWithError() throws { try stage1RequireRoot("fly mounts and chroots") }

    override func tearDownWithError() throws {
        for entrypoint in running where kill(entrypoint.process.pid, 0) == 0 { kill(entrypoint.process.pid, SIGKILL) }
        for pod in pods {
            // An app a failed test left running (fly killed before it): only if it is still that app.
            if let pid = try? PodFiles.readPID(paths: pod.paths), (try? FlyProcess.runs(pid, in: pod.paths.appRootfs("a"))) == true {
                kill(pid, SIGKILL)
            }
            let left = try MountInfo.mountPoints(under: pod.directory.path)
            XCTAssertEqual(left, [], "fly left mounts behind")
            for point in left.reversed() { _ = umount2(point, Int32(MNT_DETACH)) }
            try pod.directory.remove()
        }
    }

    /// A pod of `apps`, each with a busybox root; returns it with the app roots made.
    private func makePod(_ apps: [RuntimeApp], volumes: [Volume] = []) throws -> Stage1TestPod {
        let pod = try Stage1TestPod(flavor: "fly", binary: try stage1Binary("stage1-fly"))
        pods.append(pod)
        for app in apps { _ = try pod.makeBusyboxRoot(app: app.name.value) }
        try pod.write(PodManifest(apps: apps, volumes: volumes))
        return pod
    }

    private func run(_ pod: Stage1TestPod, _ flags: [String] = []) throws -> Stage1EntrypointResult {
        try stage1RunEntrypoint("fly-run", flags + [stage1TestUUID], in: pod, lock: true)
    }

    private func start(_ pod: Stage1TestPod) throws -> Stage1RunningEntrypoint {
        let entrypoint = try Stage1RunningEntrypoint([pod.paths.stage1Rootfs + "/fly-run", stage1TestUUID], in: pod, lock: true)
        running.append(entrypoint)
        return entrypoint
    }

    func testExitCodeStatusFilePIDAndLockRelease() throws {
        let pod = try makePod([try stage1App("a", exec: ["sh", "-c", "echo hello; exit 3"])])
        let result = try run(pod)
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertEqual(result.stdout, "hello\n")
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(try stage1ReadText(pod.paths.appStatus("a")), "3\n")
        XCTAssertGreaterThan(try PodFiles.readPID(paths: pod.paths) ?? 0, 0)
        // fly was the last holder of the lock: the pod now reads as exited.
        XCTAssertNotNil(try FileLock.tryLock(pod.directory.path, .shared))
    }

    func testSignalIs128PlusN() throws {
        let pod = try makePod([try stage1App("a", exec: ["sh", "-c", "kill -KILL $$"])])
        XCTAssertEqual(try run(pod).status, 128 + SIGKILL)
        XCTAssertEqual(try PodFiles.readStatus(app: "a", paths: pod.paths), 128 + SIGKILL)
    }

    func testEnvironmentWorkingDirectoryCredentialsAndDescriptors() throws {
        let script = """
            echo "$PATH|$AC_APP_NAME|$container|$FOO|$HOME"; pwd; grep -E '^(Uid|Gid|Groups):' /proc/self/status; ls /proc/self/fd
            """
        let app = try stage1App(
            "web", exec: ["sh", "-c", script], user: "user1", group: "users", environment: ["FOO": "bar baz"],
            workingDirectory: "/home/user1", supplementaryGIDs: [5, 6])
        let pod = try makePod([app])
        try FileSystem.createDirectory(pod.paths.appRootfs("web") + "/home/user1")
        let result = try run(pod)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map { $0.split(whereSeparator: { $0 == "\t" || $0 == " " }).joined(separator: " ") }
        XCTAssertEqual(lines, [
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|web|skiff|bar baz|/home/user1", "/home/user1",
            "Uid: 1001 1001 1001 1001", "Gid: 1002 1002 1002 1002", "Groups: 5 6",
            // ls's own descriptors: stdio and the directory it lists; no lock, nothing of fly's.
            "0", "1", "2", "3",
        ])
    }

    func testVolumesHostReadOnlyAndEmpty() throws {
        let host = try Stage1Scratch("stage1-host.")
        defer { try? host.remove() }
        try stage1WriteFile(host.path + "/file", "from the host")
        let script = "cat /data/file; echo; if touch /data/x 2>/dev/null; then echo writable; else echo read-only; fi; echo out > /scratch/out"
        let app = try stage1App(
            "a", exec: ["sh", "-c", script],
            mounts: [Mount(volume: try ACName(validating: "data"), path: "/data"), Mount(volume: try ACName(validating: "scratch"), path: "/scratch")])
        let pod = try makePod([app], volumes: [
            Volume(name: try ACName(validating: "data"), kind: .host, source: host.path, readOnly: true),
            Volume(name: try ACName(validating: "scratch"), kind: .empty),
        ])
        try FileSystem.createDirectory(pod.paths.sharedVolume("scratch"))
        let result = try run(pod)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "from the host\nread-only\n")
        XCTAssertEqual(try stage1ReadText(pod.paths.sharedVolume("scratch") + "/out"), "out\n")
        XCTAssertFalse(FileSystem.exists(host.path + "/x"))
    }

    func testReadOnlyRootFSLeavesTmpWritable() throws {
        let script = "touch /x 2>/dev/null && echo root-writable; touch /tmp/x && echo tmp-writable"
        let pod = try makePod([try stage1App("a", exec: ["sh", "-c", script], readOnlyRootFS: true)])
        let result = try run(pod)
        XCTAssertEqual(result.stdout, "tmp-writable\n", result.stderr)
        XCTAssertFalse(FileSystem.exists(pod.paths.appRootfs("a") + "/x"))
    }

    func testMissingProgramAndWorkingDirectoryFailWith254AndNoStatus() throws {
        let pod = try makePod([try stage1App("a", exec: ["nosuch", "arg"])])
        let result = try run(pod)
        XCTAssertEqual(result.status, 254)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("skiff stage1 (fly): app \"a\": exec \"nosuch\": not found in PATH"), result.stderr)
        XCTAssertNil(try PodFiles.readStatus(app: "a", paths: pod.paths))
        XCTAssertNil(try PodFiles.readPID(paths: pod.paths))

        // A script whose interpreter the image lacks: the message says what is missing.
        try stage1WriteFile(pod.paths.appRootfs("a") + "/bin/script", "#!/usr/bin/python3\n", mode: 0o755)
        try pod.write(PodManifest(apps: [try stage1App("a", exec: ["/bin/script"])]))
        let interpreter = try run(pod)
        XCTAssertEqual(interpreter.status, 254)
        XCTAssertTrue(interpreter.stderr.contains("exec \"/bin/script\" (it exists: its ELF or #! interpreter is missing in the root): ENOENT"), interpreter.stderr)

        try pod.write(PodManifest(apps: [try stage1App("a", exec: ["true"], workingDirectory: "/nope")]))
        let cwd = try run(pod)
        XCTAssertEqual(cwd.status, 254)
        XCTAssertEqual(cwd.stderr, "skiff stage1 (fly): app \"a\": working directory \"/nope\": ENOENT (No such file or directory)\n")
        XCTAssertNil(try PodFiles.readStatus(app: "a", paths: pod.paths))
    }

    func testRefusesMultiAppPodsAndOtherNetworks() throws {
        let pod = try makePod([try stage1App("a", exec: ["true"]), try stage1App("b", exec: ["true"])])
        let multi = try run(pod)
        XCTAssertEqual(multi.status, 254)
        XCTAssertTrue(multi.stderr.contains("fly runs a single app, the pod has 2"), multi.stderr)
        try pod.write(PodManifest(apps: [try stage1App("a", exec: ["true"])]))
        let net = try run(pod, ["--net=default"])
        XCTAssertEqual(net.status, 254)
        XCTAssertTrue(net.stderr.contains("network \"default\": fly shares the host's network"), net.stderr)
        XCTAssertEqual(try run(pod, ["--net=host", "--hostname=ignored"]).status, 0)
    }

    func testStopSendsTERMToTheApp() throws {
        let pod = try makePod([try stage1App("a", exec: ["sleep", "100"])])
        let fly = try start(pod)
        let pid = try stage1WaitForPID(pod)
        XCTAssertNotEqual(pid, fly.process.pid, "pid is the app, not fly")
        XCTAssertEqual(try stage1RunEntrypoint("fly-stop", [stage1TestUUID], in: pod).status, 0)
        XCTAssertEqual(try fly.finish().status, 128 + SIGTERM)
        XCTAssertEqual(try PodFiles.readStatus(app: "a", paths: pod.paths), 128 + SIGTERM)
        // Stopping an exited pod is not an error.
        XCTAssertEqual(try stage1RunEntrypoint("fly-stop", ["--force", stage1TestUUID], in: pod).status, 0)
    }

    func testSupervisorIgnoresSIGINTAndForwardsSIGTERM() throws {
        let pod = try makePod([try stage1App("a", exec: ["sleep", "100"])])
        let fly = try start(pod)
        let pid = try stage1WaitForPID(pod)
        kill(fly.process.pid, SIGINT)
        kill(fly.process.pid, SIGTERM)
        XCTAssertEqual(try fly.finish().status, 128 + SIGTERM, "SIGINT ignored by fly, SIGTERM forwarded to the app")
        XCTAssertNotEqual(kill(pid, 0), 0, "the app is gone")
    }

    func testEnterRunsACommandInTheAppRootWithItsEnvironment() throws {
        let pod = try makePod([try stage1App("a", exec: ["sleep", "100"], user: "user1", group: "users", environment: ["FOO": "bar"])])
        try stage1WriteFile(pod.paths.appRootfs("a") + "/marker", "inside the app\n")
        let fly = try start(pod)
        let pid = try stage1WaitForPID(pod)
        let entered = try stage1RunEntrypoint(
            "fly-enter", EnterArguments(pid: pid, appName: "a", command: ["sh", "-c", "cat /marker; echo $AC_APP_NAME $FOO; id -u"]).arguments,
            in: pod)
        XCTAssertEqual(entered.status, 0, entered.stderr)
        XCTAssertEqual(entered.stdout, "inside the app\na bar\n0\n")
        let failing = try stage1RunEntrypoint("fly-enter", ["--pid=\(pid)", "--appname=a", "--", "sh", "-c", "exit 5"], in: pod)
        XCTAssertEqual(failing.status, 5)
        let wrong = try stage1RunEntrypoint("fly-enter", ["--pid=\(fly.process.pid)", "--appname=a", "--", "true"], in: pod)
        XCTAssertEqual(wrong.status, 254)
        XCTAssertTrue(wrong.stderr.contains("is not running in its root"), wrong.stderr)
        XCTAssertEqual(try stage1RunEntrypoint("fly-stop", ["--force", stage1TestUUID], in: pod).status, 0)
        XCTAssertEqual(try fly.finish().status, 128 + SIGKILL)
    }

    func testGCIsIdempotent() throws {
        let pod = try makePod([try stage1App("a", exec: ["true"])])
        XCTAssertEqual(try stage1RunEntrypoint("fly-gc", [stage1TestUUID], in: pod).status, 0)
        XCTAssertEqual(try stage1RunEntrypoint("fly-gc", ["--debug", stage1TestUUID], in: pod).status, 0)
        let bad = try stage1RunEntrypoint("fly-gc", ["--force", stage1TestUUID], in: pod)
        XCTAssertEqual(bad.status, 254)
        XCTAssertEqual(bad.stderr, "skiff stage1 (fly): gc arguments: unknown flag \"--force\"\n")
    }
}
