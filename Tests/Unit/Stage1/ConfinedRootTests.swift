// In-root resolution and mount target creation: kernel (openat2) and userspace walk agree, and
// neither leaves the root.
#if canImport(Glibc)
import Glibc
#endif
@testable import SkiffStage1
import SkiffSystem
import XCTest

final class ConfinedRootTests: XCTestCase {
    var directory: Stage1Scratch!
    var root: String { directory.path + "/root" }
    var outside: String { directory.path + "/outside" }

    override func setUpWithError() throws {
        directory = try Stage1Scratch()
        try stage1WriteFile(root + "/etc/hostname", "inside\n")
        try stage1WriteFile(outside + "/secret", "host\n")
        try stage1WriteFile(outside + "/etc/hostname", "host\n")
        try check("symlink") { symlink(outside, root + "/abs") }                       // absolute, to the host
        try check("symlink") { symlink("../../../../../../..", root + "/up") }         // climbs past the root
        try check("symlink") { symlink("/etc", root + "/etclink") }                    // absolute, inside
        try check("symlink") { symlink("/missing/deeper", root + "/dangling") }
        try check("symlink") { symlink("loop", root + "/loop") }
    }

    override func tearDownWithError() throws { try directory.remove() }

    func testBothResolversStayInsideTheRoot() throws {
        for forced in [false, true] {
            let confined = try ConfinedRoot(root, forceUserspace: forced)
            XCTAssertEqual(confined.usesOpenat2, !forced)
            XCTAssertEqual(try confined.read("/etclink/hostname").map { String(decoding: $0, as: UTF8.self) }, "inside\n")
            XCTAssertEqual(try confined.read("up/etc/hostname").map { String(decoding: $0, as: UTF8.self) }, "inside\n", "forced \(forced)")
            XCTAssertEqual(try confined.read("/../../etc/hostname").map { String(decoding: $0, as: UTF8.self) }, "inside\n")
            XCTAssertNil(try confined.read("abs/secret"), "forced \(forced): read a host file")
            XCTAssertNil(confined.status("/loop"))
            XCTAssertEqual(errno, ELOOP)
        }
    }

    func testCreatesMissingDirectoriesInsideTheRootThroughSymlinks() throws {
        let confined = try ConfinedRoot(root, forceUserspace: true)
        // Through an absolute symlink to the host: created inside the root, nothing on the host.
        let target = try Mounts.confinedTarget("/abs/mnt/data", in: root)
        XCTAssertEqual(target, root + outside + "/mnt/data")
        XCTAssertTrue(FileSystem.isDirectory(target))
        XCTAssertFalse(FileSystem.exists(outside + "/mnt"))
        // A dangling symlink is followed, inside the root.
        XCTAssertEqual(try Mounts.confinedTarget("/dangling", in: root), root + "/missing/deeper")
        // Created directories are 0755 whatever the umask.
        let old = umask(0o077)
        defer { umask(old) }
        let made = try Mounts.confinedTarget("/fresh/dir", in: confined, directory: true)
        XCTAssertEqual(try FileSystem.status(made).st_mode & 0o7777, 0o755)
        XCTAssertEqual(try FileSystem.status(root + "/fresh").st_mode & 0o7777, 0o755)
    }

    func testFileTargetsAndKindMismatches() throws {
        let file = try Mounts.confinedTarget("/etc/resolv.conf", in: root, directory: false)
        XCTAssertEqual(file, root + "/etc/resolv.conf")
        XCTAssertEqual(try FileSystem.status(file).st_mode & S_IFMT, S_IFREG)
        XCTAssertEqual(try FileSystem.status(file).st_size, 0)
        XCTAssertThrowsError(try Mounts.confinedTarget("/etc/hostname", in: root, directory: true)) { error in
            XCTAssertTrue("\(error)".contains("not a directory, and the source is one"), "\(error)")
        }
        XCTAssertThrowsError(try Mounts.confinedTarget("/etc", in: root, directory: false)) { error in
            XCTAssertTrue("\(error)".contains("a directory, and the source is not one"), "\(error)")
        }
        XCTAssertThrowsError(try Mounts.confinedTarget("/etc/hostname/below", in: root)) { error in
            XCTAssertEqual((error as? SkiffError)?.errno, ENOTDIR)
        }
    }

    func testMountInfoDecodesEscapes() {
        XCTAssertEqual(MountInfo.unescape("/a\\040b\\011c\\134d"), "/a b\tc\\d")
        XCTAssertEqual(MountInfo.unescape("/plain"), "/plain")
    }
}
