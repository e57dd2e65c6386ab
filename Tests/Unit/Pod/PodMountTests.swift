// Never deleting through a mount: unmount first, and refuse to cross a mount left behind.
// Mounting needs root; every test here skips with a reason otherwise.
#if canImport(Glibc)
import Glibc
#endif
import SkiffStage1
import SkiffSystem
import XCTest

@testable import SkiffPod

final class PodMountTests: PodTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(geteuid() == 0, "mounting a tmpfs and bind mounts needs root")
        try super.setUpWithError()
    }

    private func mountTmpfs(_ path: String) throws {
        try FileSystem.createDirectory(path)
        try check("mount tmpfs on \(quote(path))") { mount("tmpfs", path, "tmpfs", 0, "size=1m") }
    }

    private func bind(_ source: String, _ target: String) throws {
        try FileSystem.createDirectory(target)
        try check("bind \(quote(source)) on \(quote(target))") { mount(source, target, nil, UInt(MS_BIND), nil) }
    }

    /// An exited pod with its stage1 root on a tmpfs and a host volume (with a sentinel) bound
    /// into an app root inside it: rm unmounts both, deletes the pod, and the sentinel survives.
    func testRemoveUnmountsBeforeDeleting() throws {
        let volume = scratch + "/host-volume"
        try write(volume + "/sentinel", "precious")
        let pod = try makePod(.run)
        try mountTmpfs(pod.paths.stage1Rootfs)
        try write(pod.paths.appRootfs("app") + "/etc/hostname", "pod")
        try bind(volume, pod.paths.appRootfs("app") + "/data")
        XCTAssertTrue(FileSystem.exists(pod.paths.appRootfs("app") + "/data/sentinel"))
        try PodGC(store: store).remove(pod) { _ in }
        XCTAssertNil(store.locate(pod.uuid))
        XCTAssertEqual(try FileSystem.read(volume + "/sentinel"), Array("precious".utf8))
        XCTAssertEqual(try PodMounts.mountPoints(under: try XCTUnwrap(PodMounts.resolved(scratch))), [])
    }

    /// The same through gc's sweep.
    func testCollectUnmountsBeforeDeleting() throws {
        let volume = scratch + "/host-volume"
        try write(volume + "/sentinel", "precious")
        let pod = try makePod(.run)
        try bind(volume, pod.paths.sharedVolume("data"))
        let report = try PodGC(store: store).collect(gracePeriod: 0, expirePrepared: 0, markOnly: false, now: now) { _ in }
        XCTAssertEqual(report.removed, [pod.uuid.value])
        XCTAssertEqual(try FileSystem.read(volume + "/sentinel"), Array("precious".utf8))
    }

    /// The second guard: removal alone refuses to cross a bind mount of the same file system
    /// (same st_dev, other mount ID) and a tmpfs (other st_dev), leaving what is behind intact.
    func testRemovalRefusesToCrossMounts() throws {
        let volume = scratch + "/host-volume"
        try write(volume + "/sentinel", "precious")
        let pod = try makePod(.run)
        try bind(volume, pod.paths.sharedVolume("bound"))
        XCTAssertThrowsError(try PodRemoval.removeTree(pod.path)) { error in
            XCTAssertTrue("\(error)".contains("a mount point, not removing across it"), "\(error)")
        }
        XCTAssertEqual(try FileSystem.read(volume + "/sentinel"), Array("precious".utf8))
        try check("umount") { umount(pod.paths.sharedVolume("bound")) }
        try mountTmpfs(pod.paths.stage1Rootfs)
        try write(pod.paths.stage1Rootfs + "/inside", "x")
        XCTAssertThrowsError(try PodRemoval.removeTree(pod.path))
        XCTAssertTrue(FileSystem.exists(pod.paths.stage1Rootfs + "/inside"))
    }

    /// unmountAll detaches nested and stacked mounts deepest first, finds mount points whose
    /// names mountinfo escapes (a space), and leaves mounts outside the path alone.
    func testUnmountAllOrder() throws {
        let root = try XCTUnwrap(PodMounts.resolved(scratch)) + "/tree"
        let outside = try XCTUnwrap(PodMounts.resolved(scratch)) + "/tree-sibling"
        try mountTmpfs(root)
        try mountTmpfs(root + "/a b")
        try mountTmpfs(root + "/a b/c")
        try mountTmpfs(root + "/a b/c")  // stacked on the same point
        try mountTmpfs(outside)
        defer { _ = umount2(outside, Int32(MNT_DETACH)) }
        let detached = try PodMounts.unmountAll(under: root)
        XCTAssertEqual(detached, [root + "/a b/c", root + "/a b/c", root + "/a b", root])
        XCTAssertEqual(try PodMounts.mountPoints(under: root), [])
        XCTAssertEqual(try PodMounts.mountPoints(under: outside), [outside])
        XCTAssertEqual(try PodMounts.unmountAll(under: root), [])
    }
}
