// FileDescriptor.readAll (a buffer sized from fstat, several reads for big files and for files
// whose size fstat does not know) and FileSystem.linkNew (a second name, or a copy across file
// systems).
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
import XCTest

final class ReadAndLinkTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "read-link-test.")
    }

    override func tearDownWithError() throws { try FileSystem.removeTree(directory) }

    func testReadAllReturnsEveryByteOfSmallEmptyAndLargeFiles() throws {
        // 3 MiB + 7: more than the largest buffer readAll sizes from fstat (1 MiB), so it loops.
        let large = (0..<(3 << 20) + 7).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        for (name, bytes) in [("empty", [UInt8]()), ("small", Array("hello\n".utf8)), ("large", large)] {
            try FileSystem.writeNew(directory + "/" + name, bytes)
            XCTAssertEqual(try FileSystem.read(directory + "/" + name), bytes, name)
        }
    }

    func testReadAllReadsFilesWhoseSizeFstatDoesNotKnow() throws {
        // procfs reports size 0; the text is there all the same.
        let text = String(decoding: try FileSystem.read("/proc/self/status"), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("Name:"), text)
        XCTAssertTrue(text.contains("\nPid:\t\(getpid())\n"), text)
    }

    func testReadAllRefusesMoreThanTheLimitNamingTheFile() throws {
        try FileSystem.writeNew(directory + "/big", [UInt8](repeating: 7, count: 100))
        XCTAssertEqual(try FileSystem.read(directory + "/big", limit: 100).count, 100, "exactly the limit is fine")
        XCTAssertThrowsError(try FileSystem.read(directory + "/big", limit: 99)) { error in
            XCTAssertEqual("\(error)", "read \"\(directory)/big\": larger than 99 bytes")
        }
    }

    func testLinkNewGivesTheSameFileASecondName() throws {
        try FileSystem.writeNew(directory + "/source", Array("manifest".utf8))
        var fallbackCalled = false
        try FileSystem.linkNew(directory + "/name", to: directory + "/source") {
            fallbackCalled = true
            return []
        }
        XCTAssertFalse(fallbackCalled, "same file system: no copy")
        let source = try FileSystem.status(directory + "/source")
        let name = try FileSystem.status(directory + "/name")
        XCTAssertEqual(name.st_ino, source.st_ino)
        XCTAssertEqual(name.st_nlink, 2)
    }

    func testLinkNewCopiesAcrossFileSystems() throws {
        let other = try FileSystem.makeTemporaryDirectory(in: "/dev/shm", prefix: "read-link-test.")
        defer { try? FileSystem.removeTree(other) }
        guard try FileSystem.status(other).st_dev != FileSystem.status(directory).st_dev else {
            throw XCTSkip("/dev/shm and \(directory) are on one file system here: no cross-device link to refuse")
        }
        try FileSystem.writeNew(other + "/source", Array("manifest".utf8))
        try FileSystem.linkNew(directory + "/copy", to: other + "/source") { Array("fallback bytes".utf8) }
        XCTAssertEqual(String(decoding: try FileSystem.read(directory + "/copy"), as: UTF8.self), "fallback bytes")
        XCTAssertEqual(try FileSystem.status(directory + "/copy").st_nlink, 1)
    }

    func testLinkNewRefusesAnExistingNameAndOtherFailures() throws {
        try FileSystem.writeNew(directory + "/source", [1])
        try FileSystem.writeNew(directory + "/taken", [2])
        XCTAssertThrowsError(try FileSystem.linkNew(directory + "/taken", to: directory + "/source") { [] }) { error in
            XCTAssertTrue("\(error)".hasPrefix("link \"\(directory)/taken\" to \"\(directory)/source\""), "\(error)")
            XCTAssertTrue("\(error)".contains("exists"), "\(error)")
        }
        XCTAssertThrowsError(try FileSystem.linkNew(directory + "/x", to: directory + "/missing") { [] }) { error in
            XCTAssertTrue("\(error)".contains("No such file"), "\(error)")
        }
        XCTAssertEqual(try FileSystem.read(directory + "/taken"), [2], "left as it was")
        XCTAssertFalse(FileSystem.exists(directory + "/x"))
    }
}
