// The SKIFF_LOCK_FD handover: only the locked pod directory is accepted, and it ends close-on-exec.
#if canImport(Glibc)
import Glibc
#endif
@testable import SkiffStage1
import SkiffSystem
import XCTest

final class LockHandoverTests: XCTestCase {
    var directory: Stage1Scratch!

    override func setUpWithError() throws { directory = try Stage1Scratch() }
    override func tearDownWithError() throws { try directory.remove() }

    func testAdoptsTheLockedPodDirectoryAndMakesItCloseOnExec() throws {
        let fd = try FileDescriptor.open(directory.path, O_RDONLY | O_DIRECTORY)
        try check("flock") { flock(fd.raw, LOCK_EX) }
        try check("clear cloexec") { fcntl(fd.raw, F_SETFD, 0) }
        let adopted = try LockHandover.adopt(environment: ["SKIFF_LOCK_FD": String(fd.raw)], podDirectory: directory.path)
        XCTAssertEqual(adopted, fd.raw)
        XCTAssertNotEqual(fcntl(fd.raw, F_GETFD) & FD_CLOEXEC, 0)
        XCTAssertTrue(LockHandover.holdsLock(fd.raw, podDirectory: directory.path))
    }

    func testRejectsAMissingOrClosedDescriptor() throws {
        XCTAssertThrowsError(try LockHandover.adopt(environment: [:], podDirectory: directory.path)) { error in
            XCTAssertTrue("\(error)".contains("SKIFF_LOCK_FD: not set"), "\(error)")
        }
        XCTAssertThrowsError(try LockHandover.adopt(environment: ["SKIFF_LOCK_FD": "seven"], podDirectory: directory.path))
        let closed = try FileDescriptor.open(directory.path, O_RDONLY | O_DIRECTORY)
        let number = closed.raw
        closed.close()
        XCTAssertThrowsError(try LockHandover.adopt(environment: ["SKIFF_LOCK_FD": String(number)], podDirectory: directory.path)) { error in
            XCTAssertTrue("\(error)".contains("not an open descriptor"), "\(error)")
            XCTAssertEqual((error as? SkiffError)?.errno, EBADF)
        }
    }

    func testRejectsAFileAndAnotherDirectory() throws {
        try stage1WriteFile(directory.path + "/file", "x")
        let file = try FileDescriptor.open(directory.path + "/file", O_RDONLY)
        XCTAssertThrowsError(try LockHandover.adopt(environment: ["SKIFF_LOCK_FD": String(file.raw)], podDirectory: directory.path)) { error in
            XCTAssertTrue("\(error)".contains("not open on a directory"), "\(error)")
        }
        try FileSystem.createDirectory(directory.path + "/other")
        let other = try FileDescriptor.open(directory.path + "/other", O_RDONLY | O_DIRECTORY)
        XCTAssertThrowsError(try LockHandover.adopt(environment: ["SKIFF_LOCK_FD": String(other.raw)], podDirectory: directory.path)) { error in
            XCTAssertTrue("\(error)".contains("another directory than the pod directory"), "\(error)")
        }
    }

    func testRejectsADescriptorWhileSomeoneElseHoldsTheLock() throws {
        // flock locks belong to open files: a second open of the directory is another holder.
        let holder = try FileDescriptor.open(directory.path, O_RDONLY | O_DIRECTORY)
        try check("flock") { flock(holder.raw, LOCK_EX) }
        let handed = try FileDescriptor.open(directory.path, O_RDONLY | O_DIRECTORY)
        XCTAssertFalse(LockHandover.holdsLock(handed.raw, podDirectory: directory.path))
        XCTAssertThrowsError(try LockHandover.adopt(environment: ["SKIFF_LOCK_FD": String(handed.raw)], podDirectory: directory.path)) { error in
            XCTAssertTrue("\(error)".contains("locked by another process"), "\(error)")
        }
    }
}
