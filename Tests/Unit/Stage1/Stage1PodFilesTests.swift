// pid and status files: atomic replacement, and the readers stage0 uses.
#if canImport(Glibc)
import Glibc
#endif
@testable import SkiffStage1
import SkiffSystem
import XCTest

final class Stage1PodFilesTests: XCTestCase {
    var directory: Stage1Scratch!

    override func setUpWithError() throws { directory = try Stage1Scratch() }
    override func tearDownWithError() throws { try directory.remove() }

    func testPIDIsWrittenWholeAndReadBack() throws {
        let paths = PodPaths(root: directory.path)
        XCTAssertNil(try PodFiles.readPID(paths: paths))
        try PodFiles.writePID(1234, paths: paths)
        XCTAssertEqual(try stage1ReadText(paths.pid), "1234\n")
        XCTAssertEqual(try PodFiles.readPID(paths: paths), 1234)
        try PodFiles.writePID(99, paths: paths)
        XCTAssertEqual(try stage1ReadText(paths.pid), "99\n")
        // Nothing but the file itself is left: the temporary name was renamed over it.
        XCTAssertEqual(try FileSystem.list(directory.path), ["pid"])
    }

    func testAtomicReplacementKeepsAnOpenReaderOnTheOldFile() throws {
        let paths = PodPaths(root: directory.path)
        try PodFiles.writePID(111, paths: paths)
        let old = try FileDescriptor.open(paths.pid, O_RDONLY)
        let oldInode = try old.stat().st_ino
        try PodFiles.writePID(222, paths: paths)
        // A rename replaces the directory entry, never the content a reader already has open.
        XCTAssertEqual(String(decoding: try old.readAll(), as: UTF8.self), "111\n")
        XCTAssertNotEqual(try FileSystem.status(paths.pid).st_ino, oldInode)
    }

    func testStatusCreatesItsDirectoryAndReadsBack() throws {
        let paths = PodPaths(root: directory.path)
        XCTAssertNil(try PodFiles.readStatus(app: "web", paths: paths))
        try PodFiles.writeStatus(143, app: "web", paths: paths)
        XCTAssertEqual(try stage1ReadText(paths.appStatus("web")), "143\n")
        XCTAssertEqual(try PodFiles.readStatus(app: "web", paths: paths), 143)
        XCTAssertEqual(try FileSystem.list(paths.statusDirectory), ["web"])
    }

    /// stage0's empty files: read as not written yet, filled in place (same inode, no temporary
    /// name), and only an empty file is written in place: a written one is replaced atomically.
    func testStage0sEmptyFilesReadAsAbsentAndAreFilledInPlace() throws {
        let paths = PodPaths(root: directory.path)
        try FileSystem.createDirectory(paths.statusDirectory)
        try stage1WriteFile(paths.pid, "")
        try stage1WriteFile(paths.appStatus("web"), "")
        XCTAssertNil(try PodFiles.readPID(paths: paths), "an empty pid is not written yet")
        XCTAssertNil(try PodFiles.readStatus(app: "web", paths: paths), "an empty status is not written yet")
        let pidInode = try FileSystem.status(paths.pid).st_ino
        let statusInode = try FileSystem.status(paths.appStatus("web")).st_ino
        try PodFiles.writePID(77, paths: paths)
        try PodFiles.writeStatus(9, app: "web", paths: paths)
        XCTAssertEqual(try PodFiles.readPID(paths: paths), 77)
        XCTAssertEqual(try PodFiles.readStatus(app: "web", paths: paths), 9)
        XCTAssertEqual(try FileSystem.status(paths.pid).st_ino, pidInode, "filled in place")
        XCTAssertEqual(try FileSystem.status(paths.appStatus("web")).st_ino, statusInode, "filled in place")
        XCTAssertEqual(try FileSystem.list(directory.path).sorted(), ["pid", "stage1"], "no temporary file left")
        try PodFiles.writePID(78, paths: paths)
        XCTAssertNotEqual(try FileSystem.status(paths.pid).st_ino, pidInode, "a written pid is replaced, not overwritten")
        PodFiles.clearPID(paths: paths)
        XCTAssertNil(try PodFiles.readPID(paths: paths), "cleared: empty again")
    }

    func testStatusIsFoundInTheOverlayUpperDirectoryAfterUnmount() throws {
        let paths = PodPaths(root: directory.path)
        try stage1WriteFile(paths.appStatusInUpper("db"), "3\n")
        XCTAssertEqual(try PodFiles.readStatus(app: "db", paths: paths), 3)
    }

    func testMalformedFilesAreErrorsNamingThem() throws {
        let paths = PodPaths(root: directory.path)
        try stage1WriteFile(paths.pid, "12x\n")
        XCTAssertThrowsError(try PodFiles.readPID(paths: paths)) { error in
            XCTAssertTrue("\(error)".contains("\"12x\" is not a process ID"), "\(error)")
        }
        try stage1WriteFile(paths.appStatus("a"), "-1\n")
        XCTAssertThrowsError(try PodFiles.readStatus(app: "a", paths: paths)) { error in
            XCTAssertTrue("\(error)".contains("app \"a\""), "\(error)")
        }
    }
}
