// The container stage1: its pure parts (durations, networks, /etc/hosts, /dev), and end to end
// (root only) on pod directories built by hand, run the way stage0 runs them.
#if canImport(Glibc)
import Glibc
#endif
@testable import SkiffContainer
import SkiffImage
import SkiffStage1
import SkiffSystem
import XCTest

final class ContainerTests: XCTestCase {
    private var pods: [Stage1TestPod] = []

    override func tearDownWithError() throws {
        for pod in pods { try pod.remove() }
    }

    // MARK: Pure parts

    func testStopTimeoutDurations() {
        XCTAssertEqual(AppPlan.parseDuration("10"), 10)
        XCTAssertEqual(AppPlan.parseDuration("1.5"), 1.5)
        XCTAssertEqual(AppPlan.parseDuration("3s"), 3)
        XCTAssertEqual(AppPlan.parseDuration("250ms"), 0.25)
        XCTAssertEqual(AppPlan.parseDuration("2m"), 120)
        for bad in ["", "s", "-1", "1h", "ten", "1 s", "0x10"] { XCTAssertNil(AppPlan.parseDuration(bad), bad) }
    }

    func testNetworksTheStage1CanGive() throws {
        XCTAssertEqual(try PodNetworkJoin.mode(networks: [], namespace: nil), .own, "no --net, no --netns: loopback only")
        XCTAssertEqual(try PodNetworkJoin.mode(networks: ["none"], namespace: nil), .own)
        XCTAssertEqual(try PodNetworkJoin.mode(networks: ["host"], namespace: nil), .host)
        XCTAssertEqual(try PodNetworkJoin.mode(networks: ["default"], namespace: "/run/skiff/netns/x"), .join("/run/skiff/netns/x"))
        XCTAssertEqual(try PodNetworkJoin.mode(networks: [], namespace: "/run/skiff/netns/x"), .join("/run/skiff/netns/x"))
        let refused: [([String], String?)] = [
            (["default"], nil), (["mynet"], nil), (["host", "none"], nil), (["host", "default"], "/n"), (["host"], "/n"),
        ]
        for (networks, namespace) in refused {
            XCTAssertThrowsError(try PodNetworkJoin.mode(networks: networks, namespace: namespace), "\(networks)") { error in
                XCTAssertEqual((error as? SkiffError)?.code, .usage)
            }
        }
    }

    func testRunArgumentsCarryTheNamespaceAndTheMetadataURL() throws {
        let parsed = try RunArguments(parsing: ["--net=default", "--netns=/run/skiff/netns/u", "--mds-url=http://h:1/t", stage1TestUUID])
        XCTAssertEqual(parsed.networkNamespace, "/run/skiff/netns/u")
        XCTAssertEqual(parsed.metadataURL, "http://h:1/t")
        XCTAssertEqual(try RunArguments(parsing: parsed.arguments), parsed, "rendered and parsed back")
        XCTAssertThrowsError(try RunArguments(parsing: ["--netns=relative", stage1TestUUID]))
    }

    func testFallbackEtcHostsNamesLocalhostAndTheHostname() {
        XCTAssertEqual(
            EtcFiles.fallbackHosts(hostname: "skiff-1"),
            "127.0.0.1 localhost localhost.localdomain localhost4 localhost4.localdomain4 skiff-1\n"
                + "::1 localhost localhost.localdomain localhost6 localhost6.localdomain6\n")
    }

    func testDevHoldsTheStandardNamesOnly() {
        XCTAssertEqual(
            PodDevices.names,
            ["console", "fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"])
    }

    // MARK: End to end (root)

    /// A pod of `apps` with busybox roots, its stage1 root linked to the built container binary.
    private func makePod(_ apps: [RuntimeApp]) throws -> Stage1TestPod {
        try stage1RequireRoot("the container stage1 makes namespaces and mounts")
        let pod = try Stage1TestPod(flavor: "container", binary: try stage1Binary("stage1-container"))
        pods.append(pod)
        for app in apps { _ = try pod.makeBusyboxRoot(app: app.name.value) }
        try pod.write(PodManifest(apps: apps))
        return pod
    }

    private func run(_ pod: Stage1TestPod, _ flags: [String] = []) throws -> Stage1EntrypointResult {
        try stage1RunEntrypoint("container-run", flags + [stage1TestUUID], in: pod, lock: true)
    }

    func testExitStatusPIDStatusFileAndLockRelease() throws {
        let pod = try makePod([try stage1App("a", exec: ["sh", "-c", "echo hello from $(cat /etc/hostname); exit 3"])])
        let result = try run(pod)
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertEqual(result.stdout, "hello from skiff-\(stage1TestUUID)\n")
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(try stage1ReadText(pod.paths.appStatus("a")), "3\n")
        XCTAssertGreaterThan(try PodFiles.readPID(paths: pod.paths) ?? 0, 0)
        XCTAssertNotNil(try FileLock.tryLock(pod.directory.path, .shared), "the run process and the init were the last holders")
    }

    func testEveryAppsStatusAndTheFirstFailingOnesForThePod() throws {
        let pod = try makePod([try stage1App("a", exec: ["sleep", "30"]), try stage1App("b", exec: ["sh", "-c", "exit 5"])])
        let result = try run(pod)
        XCTAssertEqual(result.status, 5, result.stderr)
        XCTAssertEqual(try PodFiles.readStatus(app: "a", paths: pod.paths), 143, "stopped with SIGTERM when b failed")
        XCTAssertEqual(try PodFiles.readStatus(app: "b", paths: pod.paths), 5)
    }

    func testAFailureBeforeAnyAppRanIs254WithoutStatus() throws {
        let pod = try makePod([try stage1App("a", exec: ["true"], user: "nosuchuser")])
        let result = try run(pod)
        XCTAssertEqual(result.status, 254)
        XCTAssertTrue(result.stderr.hasPrefix("skiff stage1 (container): app \"a\": user \"nosuchuser\""), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertNil(try PodFiles.readStatus(app: "a", paths: pod.paths))
    }

    func testAnExecFailureIsTheAppsStatus254AndOneLine() throws {
        let pod = try makePod([try stage1App("a", exec: ["/bin/sh"])])
        // A program that is there but whose interpreter is not: the exec fails inside the app's root.
        try stage1WriteFile(pod.paths.appRootfs("a") + "/bin/script", "#!/no/such/interpreter\n", mode: 0o755)
        try pod.write(PodManifest(apps: [try stage1App("a", exec: ["/bin/script"])]))
        let result = try run(pod)
        XCTAssertEqual(result.status, 254, result.stderr)
        XCTAssertTrue(result.stderr.contains("exec \"/bin/script\" (it exists: its ELF or #! interpreter is missing"), result.stderr)
        XCTAssertEqual(try PodFiles.readStatus(app: "a", paths: pod.paths), 254)
    }

    func testStopEndsThePodWithTheAppsSIGTERMStatus() throws {
        let pod = try makePod([try stage1App("a", exec: ["sleep", "30"])])
        let running = try Stage1RunningEntrypoint([pod.paths.stage1Rootfs + "/container-run", stage1TestUUID], in: pod, lock: true)
        _ = try stage1WaitForPID(pod)
        // The init has the app running once /proc shows a child of it in the app's root.
        let pid = try XCTUnwrap(try PodFiles.readPID(paths: pod.paths))
        _ = try PodProcesses.waitForApp(init: pid, app: "a", paths: pod.paths)
        let stop = try stage1RunEntrypoint("container-stop", [stage1TestUUID], in: pod)
        XCTAssertEqual(stop.status, 0, stop.stderr)
        XCTAssertEqual(try running.finish().status, 143)
        XCTAssertEqual(try PodFiles.readStatus(app: "a", paths: pod.paths), 143)
        XCTAssertEqual(try stage1RunEntrypoint("container-stop", [stage1TestUUID], in: pod).status, 0, "an exited pod is no error")
        XCTAssertEqual(try stage1RunEntrypoint("container-gc", [stage1TestUUID], in: pod).status, 0)
    }
}
