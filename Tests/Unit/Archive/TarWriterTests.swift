// Writer output: read back by TarReader, and by GNU tar.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
import XCTest

@testable import SkiffArchive

final class TarWriterTests: ArchiveTestCase {
    private var sample: [(TarEntry, [UInt8])] {
        let longName = String(repeating: "d", count: 120) + "/" + String(repeating: "f", count: 90)  // ustar prefix split
        let veryLong = String(repeating: "x", count: 200) + "/" + String(repeating: "y", count: 150)  // needs PAX
        return [
            (TarEntry(path: "dir/", kind: .directory, mode: 0o1755, uid: 10, gid: 20, modified: TarTimestamp(seconds: 1000)), []),
            (TarEntry(path: "dir/file", kind: .file, mode: 0o4755, uid: 3_000_000, gid: 7,
                      modified: TarTimestamp(seconds: 1_600_000_000, nanoseconds: 5), xattrs: ["user.k": [0, 1, 2, 255]]),
             Array("contents".utf8)),
            (TarEntry(path: longName, kind: .file, modified: TarTimestamp(seconds: -5)), Array(repeating: 7, count: 1500)),
            (TarEntry(path: veryLong, kind: .file), []),
            (TarEntry(path: "link", kind: .symlink, mode: 0o777, linkTarget: String(repeating: "t", count: 150)), []),
            (TarEntry(path: "hard", kind: .hardlink, linkTarget: "dir/file"), []),
            (TarEntry(path: "null", kind: .characterDevice, mode: 0o666, deviceMajor: 1, deviceMinor: 3), []),
            (TarEntry(path: "disk", kind: .blockDevice, mode: 0o660, deviceMajor: 8, deviceMinor: 1), []),
            (TarEntry(path: "fifo", kind: .fifo, mode: 0o600), []),
        ]
    }

    func testRoundTrip() throws {
        let dir = try TempDir(self)
        let back = try readAll(try makeTar(dir, sample))
        XCTAssertEqual(back.count, sample.count)
        for ((expected, data), (got, gotData)) in zip(sample, back) {
            var want = expected
            want.size = expected.kind == .file ? Int64(data.count) : 0
            XCTAssertEqual(got, want, expected.path)
            XCTAssertEqual(gotData, data, expected.path)
        }
    }

    func testContentsOfFile() throws {
        let dir = try TempDir(self)
        let payload = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try FileSystem.writeAtomically(dir.path + "/payload", payload)
        let out = try FileDescriptor.open(dir.path + "/o.tar", O_WRONLY | O_CREAT | O_TRUNC)
        let writer = TarWriter(out)
        try writer.append(TarEntry(path: "p", kind: .file, size: Int64(payload.count)), contentsOf: try FileDescriptor.open(dir.path + "/payload", O_RDONLY))
        try writer.finish()
        out.close()
        let back = try readAll(try FileSystem.read(dir.path + "/o.tar"))
        XCTAssertEqual(back.first?.1, payload)
        let short = try FileDescriptor.open(dir.path + "/o2.tar", O_WRONLY | O_CREAT | O_TRUNC)
        let message = errorMessage {
            try TarWriter(short).append(TarEntry(path: "p", kind: .file, size: Int64(payload.count + 1)),
                                        contentsOf: try FileDescriptor.open(dir.path + "/payload", O_RDONLY))
        }
        XCTAssertTrue(message.hasSuffix("file shrank while being read"), message)
    }

    func testGNUTarReadsAndExtractsTheOutput() throws {
        let dir = try TempDir(self)
        let entries = sample.filter { $0.0.kind != .characterDevice && $0.0.kind != .blockDevice }
        _ = try makeTar(dir, entries, name: "w.tar")
        let listing = try runProgram(["tar", "-tvf", dir.path + "/w.tar"]).stdoutText
        for (entry, _) in entries {
            let shown = entry.path.hasSuffix("/") ? String(entry.path.dropLast()) : entry.path
            XCTAssertTrue(listing.contains(shown), "tar -tvf lists \(entry.path)")
        }
        XCTAssertTrue(listing.contains("-rwsr-xr-x"), "mode with setuid: \(listing)")
        let out = try dir.dir("x")
        try runProgram(["tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xf", dir.path + "/w.tar", "-C", out])
        XCTAssertEqual(fileText(out + "/dir/file"), "contents")
        let st = try XCTUnwrap(lstatOf(out + "/dir/file"))
        XCTAssertEqual(st.st_mtim.tv_sec, 1_600_000_000)
        XCTAssertEqual(st.st_mtim.tv_nsec, 5)
        XCTAssertEqual(st.st_nlink, 2, "hard link made")
        let veryLong = String(repeating: "x", count: 200) + "/" + String(repeating: "y", count: 150)
        XCTAssertTrue(FileSystem.exists(out + "/" + veryLong))
        XCTAssertEqual(try FileSystem.status(out + "/link").st_mode & S_IFMT, S_IFLNK)
    }
}
