// Leak checks find what a test leaves (a temp dir, a process, a mount...) and pass once it is gone.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SkiffSystem
@testable import SkiffTestSupport
import XCTest

// Other test runs may share this machine (and its /tmp, mounts, cgroups), so tests that assert
// "nothing left" confine the check to their own directory and to the kinds they exercise.
final class LeakCheckTests: XCTestCase {
    /// A scope confined to `directory`: its temp dir, roots, mount keyword and cgroup/netns roots.
    private func privateScope(_ directory: TestDirectory, _ kinds: Set<LeakItem.Kind>) -> LeakScope {
        var scope = LeakScope(
            roots: [directory.path], temporaryDirectory: directory.path, temporaryPrefixes: ["skiff-"])
        scope.mountKeyword = directory.path
        scope.cgroupRoot = directory.path + "/cgroup"
        scope.netnsDirectory = directory.path + "/netns"
        scope.kinds = kinds
        return scope
    }

    func testStandardScopeCoversSkiffTemporaryDirectories() throws {
        let before = LeakCheck.snapshot()
        let left = try FileSystem.makeTemporaryDirectory(
            in: TestEnvironment.temporaryDirectory, prefix: "skiff-leaktest-")
        let found = LeakCheck.leftovers(since: before, settle: 0)
        XCTAssertTrue(found.contains(LeakItem(.temporaryDirectory, key: left)), "\(found)")
        XCTAssertTrue(LeakCheck.report(found).contains("temp dir: \(left)"), LeakCheck.report(found))
        try FileSystem.removeTree(left)
        XCTAssertFalse(LeakCheck.leftovers(since: before, settle: 0).contains(LeakItem(.temporaryDirectory, key: left)))
    }

    func testTemporaryDirectoryLeftIsNamedThenCleanAfterRemoval() throws {
        let directory = try TestDirectory("leak-tmp")
        let before = LeakCheck.snapshot(privateScope(directory, [.temporaryDirectory]))
        let left = try FileSystem.makeTemporaryDirectory(in: directory.path, prefix: "skiff-leaktest-")
        XCTAssertEqual(LeakCheck.leftovers(since: before, settle: 0), [LeakItem(.temporaryDirectory, key: left)])
        try FileSystem.removeTree(left)
        XCTAssertEqual(LeakCheck.leftovers(since: before, settle: 0), [])
        LeakCheck.assertClean(since: before)
    }

    func testChildProcessLeftIsNamedThenCleanAfterKill() throws {
        let directory = try TestDirectory("leak-child")
        let before = LeakCheck.snapshot(privateScope(directory, [.process]))
        let child = try Subprocess.spawn(["sleep", "30"])
        let found = LeakCheck.leftovers(since: before, settle: 0)
        let item = found.first { $0.kind == .process && $0.key.hasPrefix("\(child.pid)@") }
        XCTAssertNotNil(item, "\(found)")
        XCTAssertTrue(item?.detail.contains("sleep 30 (child of the test process)") ?? false, item?.detail ?? "")
        kill(child.pid, SIGKILL)
        try child.wait()
        LeakCheck.assertClean(since: before)
    }

    func testDetachedProcessInATestDirectoryIsFound() throws {
        let directory = try TestDirectory("leak-detached")
        let before = LeakCheck.snapshot(privateScope(directory, [.process]))
        // The shell exits at once; its background sleep is reparented away from this process and
        // is found by its working directory.
        let shell = try Subprocess.run([
            "sh", "-c", "cd \"$1\" && { sleep 30 >/dev/null 2>&1 & echo $!; }", "sh", directory.path,
        ])
        let pid = try XCTUnwrap(Int32(shell.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
        let item = LeakCheck.leftovers(since: before, settle: 0).first { $0.key.hasPrefix("\(pid)@") }
        XCTAssertTrue(item?.detail.contains("cwd \(directory.path)") ?? false, item?.detail ?? "not found")
        kill(pid, SIGKILL)
        XCTAssertEqual(LeakCheck.leftovers(since: before, settle: 2), [])
    }

    func testMountLeftIsNamedThenCleanAfterUnmount() throws {
        try XCTSkipUnless(TestEnvironment.isRealRoot, "mounting needs real root")
        let directory = try TestDirectory("leak-mount")
        let before = LeakCheck.snapshot(privateScope(directory, [.mount]))
        let target = directory.path + "/mnt with space"
        try FileSystem.createDirectory(target)
        XCTAssertEqual(try Subprocess.run(["mount", "-t", "tmpfs", "skiff-leak", target]).status, 0)
        let found = LeakCheck.leftovers(since: before, settle: 0)
        XCTAssertTrue(found.contains { $0.kind == .mount && $0.detail == "\(target) (tmpfs)" }, "\(found)")
        XCTAssertEqual(try Subprocess.run(["umount", target]).status, 0)
        LeakCheck.assertClean(since: before)
    }

    func testCgroupsAndNetworkNamespacesFromInjectedRoots() throws {
        let directory = try TestDirectory("leak-roots")
        let scope = privateScope(directory, [.cgroup, .netns])
        try FileSystem.createDirectory(scope.cgroupRoot + "/memory/machine.slice")
        try FileSystem.createDirectory(scope.netnsDirectory)
        let before = LeakCheck.snapshot(scope)
        try FileSystem.createDirectory(scope.cgroupRoot + "/memory/machine.slice/skiff-pod-1/app")
        try FileSystem.writeAtomically(scope.netnsDirectory + "/cni-1234", [])
        let found = LeakCheck.leftovers(since: before, settle: 0)
        XCTAssertTrue(
            found.contains(LeakItem(.cgroup, key: scope.cgroupRoot + "/memory/machine.slice/skiff-pod-1")), "\(found)")
        XCTAssertFalse(found.contains { $0.key.hasSuffix("/app") }, "a matching cgroup's children go with it")
        XCTAssertTrue(found.contains(LeakItem(.netns, key: "cni-1234")), "\(found)")
        try FileSystem.removeTree(scope.cgroupRoot + "/memory/machine.slice/skiff-pod-1")
        unlink(scope.netnsDirectory + "/cni-1234")
        XCTAssertEqual(LeakCheck.leftovers(since: before, settle: 0), [])
    }

    func testReportNamesEveryLeftover() {
        let items = [
            LeakItem(.mount, key: "42 /tmp/skiff-x/rootfs", detail: "/tmp/skiff-x/rootfs (overlay)"),
            LeakItem(.link, key: "veth1", detail: "veth1 (veth)"),
        ]
        XCTAssertEqual(
            LeakCheck.report(items),
            "leak check: 2 leftovers\n  mount: /tmp/skiff-x/rootfs (overlay)\n  link: veth1 (veth)")
        XCTAssertEqual(LeakCheck.report([]), "")
    }

    func testMountinfoUnescaping() {
        XCTAssertEqual(MountInfo.unescape(#"/tmp/a\040b\134c"#), #"/tmp/a b\c"#)
        XCTAssertEqual(MountInfo.unescape(#"/tmp/end\04"#), #"/tmp/end\04"#)
    }
}
