// Spare directories: what removal keeps, what a claim gives back, and what never crosses pods.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffStage1
import SkiffSystem
import XCTest

@testable import SkiffPod

final class SpareDirectoryTests: PodTestCase {
    private func inode(_ path: String) throws -> ino_t { try FileSystem.status(path).st_ino }

    /// A pod with stage0's layout (fly's read-only stage1 root), an app root with content, a
    /// volume and an unknown directory.
    private func layOutPod() throws -> PodRecord {
        let record = try makePod(.run)
        let root = record.path
        for directory in [
            "stage1/rootfs", "overlay/stage1.upper/opt/stage2/web/rootfs", "overlay/stage1.upper/skiff/status",
            "overlay/app-web.upper/etc", "overlay/app-web.work/work", "sharedVolumes/data/sub", "stage1/rootfs-extra",
        ] {
            try FileSystem.createDirectory(root + "/" + directory)
        }
        try write(root + "/overlay/stage1.upper/skiff/status/web", "0\n")
        try write(root + "/overlay/app-web.upper/etc/written-by-the-app", "x")
        return record
    }

    /// Only stage0's own directories are kept (never the app's root, its content, the overlay's
    /// inner work directory or a volume); everything else is removed as before.
    func testRemovalKeepsOnlyThePodsOwnDirectories() throws {
        let record = try layOutPod()
        let root = record.path
        let kept = try [
            "stage1", "stage1/rootfs", "overlay", "overlay/stage1.upper", "overlay/stage1.upper/opt",
            "overlay/stage1.upper/opt/stage2", "overlay/stage1.upper/opt/stage2/web", "overlay/stage1.upper/opt/stage2/web/rootfs",
            "overlay/stage1.upper/skiff", "overlay/stage1.upper/skiff/status", "overlay/app-web.work",
        ].map { try inode(root + "/" + $0) }
        let removed = try [
            "overlay/app-web.upper", "overlay/app-web.upper/etc", "overlay/app-web.work/work", "sharedVolumes",
            "sharedVolumes/data", "stage1/rootfs-extra",
        ].map { try inode(root + "/" + $0) }
        let spares = store.spares
        try PodRemoval.removeTree(root, spares: spares)
        XCTAssertFalse(FileSystem.exists(root), "the pod directory itself is removed")
        let names = try FileSystem.list(spares.path)
        let inodes = Set(try names.map { try inode(spares.path + "/" + $0) })
        XCTAssertEqual(inodes, Set(kept), "exactly the pod's own directories are spares")
        XCTAssertTrue(inodes.isDisjoint(with: removed))
        for name in names { XCTAssertEqual(try FileSystem.list(spares.path + "/" + name), [], "\(name) is empty") }
    }

    /// A claimed spare is a new directory in all but its inode: asked mode (less the umask),
    /// this process's owner, the time now, no extended attribute; the claim never replaces
    /// an existing target and says when the parent is missing.
    func testAClaimedSpareLooksNew() throws {
        try XCTSkipUnless(geteuid() == 0, "chown and trusted.* attributes need root")
        let spares = store.spares
        let record = try makePod(.run)
        let old = record.path + "/stage1"
        try FileSystem.createDirectory(old, mode: 0o777)
        XCTAssertEqual(chown(old, 1234, 1234), 0)
        XCTAssertEqual(sk_lsetxattr(old, "trusted.overlay.opaque", "y", 1), 0)
        try setModificationTime(old, 1_000_000_000)
        let parent = try FileDescriptor.open(record.path, O_RDONLY | O_DIRECTORY)
        XCTAssertTrue(spares.deposit("stage1", in: parent, fullPath: old))
        XCTAssertFalse(FileSystem.exists(old))

        let fresh = SpareDirectories(path: spares.path)  // another process, as prepare is
        XCTAssertEqual(fresh.claim(at: scratch + "/missing/child", mode: 0o755), .parentMissing)
        try FileSystem.createDirectory(scratch + "/taken")
        XCTAssertEqual(fresh.claim(at: scratch + "/taken", mode: 0o755), .exists, "an existing directory is not replaced")
        let target = scratch + "/claimed"
        XCTAssertEqual(fresh.claim(at: target, mode: 0o750), .claimed)
        let st = try FileSystem.status(target)
        XCTAssertEqual(st.st_mode & 0o7777, 0o750 & ~currentUmask())
        XCTAssertEqual(st.st_uid, geteuid())
        XCTAssertEqual(st.st_gid, getegid())
        XCTAssertGreaterThan(Int64(st.st_mtim.tv_sec), 1_000_000_000, "the time now, not the spare's")
        var buffer = [CChar](repeating: 0, count: 256)
        XCTAssertEqual(sk_llistxattr(target, &buffer, buffer.count), 0, "no extended attribute survives")
        XCTAssertEqual(fresh.claim(at: scratch + "/another", mode: 0o755), .none, "one spare, claimed once")
    }

    /// createDirectory with spares makes missing parents too, from spares while there are some,
    /// then with mkdir.
    func testCreateDirectoryDrawsOnSparesThenMakes() throws {
        let spares = store.spares
        let record = try makePod(.run)
        try FileSystem.createDirectory(record.path + "/stage1")
        let parent = try FileDescriptor.open(record.path, O_RDONLY | O_DIRECTORY)
        XCTAssertTrue(spares.deposit("stage1", in: parent, fullPath: record.path + "/stage1"))
        let spareInode = try inode(spares.path + "/" + XCTUnwrap(try FileSystem.list(spares.path).first))
        let fresh = SpareDirectories(path: spares.path)
        try FileSystem.createDirectory(scratch + "/a/b/c", mode: 0o755, spares: fresh)
        XCTAssertTrue(FileSystem.isDirectory(scratch + "/a/b/c"))
        XCTAssertEqual(try FileSystem.list(spares.path), [], "the spare was used")
        let inodes = try ["a", "a/b", "a/b/c"].map { try inode(scratch + "/" + $0) }
        XCTAssertTrue(inodes.contains(spareInode), "one of the three is the spare")
        try FileSystem.createDirectory(scratch + "/a/b/c", mode: 0o755, spares: fresh)  // exists: fine
        try write(scratch + "/file", "x")
        XCTAssertThrowsError(try FileSystem.createDirectory(scratch + "/file", spares: fresh))
    }

    /// No more than `limit` spares are kept: the rest is removed.
    func testTheSpareDirectoryIsBounded() throws {
        let record = try layOutPod()
        let spares = SpareDirectories(path: store.spares.path, limit: 4)
        try PodRemoval.removeTree(record.path, spares: spares)
        XCTAssertEqual(try FileSystem.list(spares.path).count, 4)
        XCTAssertFalse(FileSystem.exists(record.path))
    }

    private func currentUmask() -> mode_t {
        let bits = umask(0)
        umask(bits)
        return bits
    }
}
