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
