// Mount helpers and volumes, for real (root only); every mount made is checked gone afterwards.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
@testable import SkiffStage1
import SkiffSystem
import XCTest

final class MountsTests: XCTestCase {
    var directory: Stage1Scratch!

    override func setUpWithError() throws {
        try stage1RequireRoot("mount(2)")
        directory = try Stage1Scratch()
    }

    override func tearDownWithError() throws {
        guard let directory else { return }
        for point in try MountInfo.mountPoints(under: directory.path).reversed() { _ = umount2(point, Int32(MNT_DETACH)) }
        try directory.remove()
    }

    private func assertNoMounts(file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try MountInfo.mountPoints(under: directory.path), [], file: file, line: line)
    }

    func testReadOnlyBindKeepsTheSourceFlagsAndUnmounts() throws {
        let source = directory.path + "/source", target = directory.path + "/target"
        try stage1WriteFile(source + "/file", "content")
        try FileSystem.createDirectory(target)
        try Mounts.tmpfs(source, options: "mode=0755")  // a nosuid,nodev mount to bind from
        try stage1WriteFile(source + "/file", "content")
        try Mounts.bind(source, on: target, recursive: false, readOnly: true)
        XCTAssertEqual(try MountInfo.mountPoints(under: directory.path), [source, target])
        XCTAssertEqual(try stage1ReadText(target + "/file"), "content")
        XCTAssertLessThan(open(target + "/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644), 0)
        XCTAssertEqual(errno, EROFS)
        var fs = statvfs()
        XCTAssertEqual(statvfs(target, &fs), 0)
        XCTAssertNotEqual(fs.f_flag & 1, 0, "ST_RDONLY")
        XCTAssertNotEqual(fs.f_flag & 2, 0, "ST_NOSUID carried over")
        XCTAssertNotEqual(fs.f_flag & 4, 0, "ST_NODEV carried over")
        try Mounts.unmount(target)
        try Mounts.unmount(source)
        try assertNoMounts()
    }

    func testRecursiveBindTakesSubmountsAndDetachTakesThemDown() throws {
        let source = directory.path + "/src", target = directory.path + "/dst"
        try FileSystem.createDirectory(source + "/sub")
        try FileSystem.createDirectory(target)
        try Mounts.tmpfs(source + "/sub")
        try stage1WriteFile(source + "/sub/inner", "deep")
        try Mounts.bind(source, on: target, recursive: true, readOnly: true)
        XCTAssertEqual(try stage1ReadText(target + "/sub/inner"), "deep")
        XCTAssertLessThan(open(target + "/sub/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644), 0, "submount read-only too")
        XCTAssertTrue(try MountInfo.mountPoints().contains(target + "/sub"))
        try Mounts.unmount(target)
        XCTAssertEqual(try MountInfo.mountPoints(under: target), [])
        try Mounts.unmount(source + "/sub")
        try assertNoMounts()
    }

    func testProcSysfsAndTmpfs() throws {
        for name in ["proc", "sys", "tmp"] { try FileSystem.createDirectory(directory.path + "/" + name) }
        try Mounts.proc(directory.path + "/proc")
        try Mounts.sysfs(directory.path + "/sys")
        try Mounts.tmpfs(directory.path + "/tmp")
        XCTAssertTrue(FileSystem.exists(directory.path + "/proc/self/status"))
        XCTAssertTrue(FileSystem.isDirectory(directory.path + "/sys/kernel"))
        XCTAssertEqual(try FileSystem.status(directory.path + "/tmp").st_mode & 0o7777, 0o1777)
        XCTAssertLessThan(mkdir(directory.path + "/sys/x", 0o755), 0, "sysfs read-only")
        for name in ["tmp", "sys", "proc"] { try Mounts.unmount(directory.path + "/" + name) }
        try assertNoMounts()
    }

    func testMountErrorsNameSourceTargetAndErrno() throws {
        XCTAssertThrowsError(try Mounts.bind(directory.path + "/nope", on: directory.path, recursive: false, readOnly: false)) { error in
            XCTAssertTrue("\(error)".contains("bind \"\(directory.path)/nope\" on \"\(directory.path)\": ENOENT"), "\(error)")
        }
        XCTAssertThrowsError(try Mounts.unmount(directory.path)) { error in
            XCTAssertTrue("\(error)".contains("unmount \"\(directory.path)\": EINVAL"), "\(error)")
        }
    }
}
