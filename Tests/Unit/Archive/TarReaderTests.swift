// The reader against archives made by GNU tar (ustar, gnu, pax) and crafted broken ones.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem
import XCTest

@testable import SkiffArchive

final class TarReaderTests: ArchiveTestCase {
    private func archive(_ dir: TempDir, format: String, extra: String = "") throws -> [UInt8] {
        try shell("cd \(dir.path) && tar --sort=name --format=\(format) \(extra) -cf out.tar -C src .")
        return try FileSystem.read(dir.path + "/out.tar")
    }

    private func byPath(_ entries: [(TarEntry, [UInt8])]) -> [String: (TarEntry, [UInt8])] {
        Dictionary(entries.map { ($0.0.path, $0) }, uniquingKeysWith: { $1 })
    }

    func testUstarKindsAndMetadata() throws {
        let dir = try TempDir(self)
        let src = try dir.dir("src")
        try shell("""
            cd \(src) && mkdir d && printf 'abc' > d/f && chmod 4751 d/f && ln -s d/f sl && ln d/f hl && mkfifo fifo \
            && chmod 1777 d && touch -d @1234567890 d/f
            """)
        let entries = byPath(try readAll(try archive(dir, format: "ustar")))
        let f = try XCTUnwrap(entries["./d/f"])
        XCTAssertEqual(f.0.kind, .file)
        XCTAssertEqual(f.1, Array("abc".utf8))
        XCTAssertEqual(f.0.size, 3)
        XCTAssertEqual(f.0.mode, 0o4751)
        XCTAssertEqual(f.0.modified, TarTimestamp(seconds: 1_234_567_890))
        XCTAssertEqual(f.0.uid, getuid())
        XCTAssertEqual(entries["./d/"]?.0.kind, .directory)
        XCTAssertEqual(entries["./d/"]?.0.mode, 0o1777)
        XCTAssertEqual(entries["./sl"]?.0.kind, .symlink)
        XCTAssertEqual(entries["./sl"]?.0.linkTarget, "d/f")
        XCTAssertEqual(entries["./hl"]?.0.kind, .hardlink)
        XCTAssertEqual(entries["./hl"]?.0.linkTarget, "./d/f")
        XCTAssertEqual(entries["./fifo"]?.0.kind, .fifo)
    }

    func testGNULongNamesAndLinks() throws {
        let dir = try TempDir(self)
        let src = try dir.dir("src")
        let long = String(repeating: "n", count: 150) + "/" + String(repeating: "m", count: 120)
        let target = String(repeating: "t", count: 180)
        try shell("cd \(src) && mkdir -p \(FileSystem.parentPath(long)) && echo x > \(long) && ln -s \(target) link && ln \(long) zhard")
        let entries = byPath(try readAll(try archive(dir, format: "gnu")))
        XCTAssertEqual(entries["./" + long]?.1, Array("x\n".utf8))
        XCTAssertEqual(entries["./link"]?.0.linkTarget, target)
        XCTAssertEqual(entries["./zhard"]?.0.linkTarget, "./" + long)
        XCTAssertEqual(entries["./zhard"]?.0.kind, .hardlink)
        // old-GNU format too (no ustar prefix field, same long-name records).
        let old = byPath(try readAll(try archive(dir, format: "oldgnu")))
        XCTAssertEqual(old["./" + long]?.1, Array("x\n".utf8))
    }

    func testPaxLongNamesSubsecondTimesAndXattrs() throws {
        let dir = try TempDir(self)
        let src = try dir.dir("src")
        let long = String(repeating: "p", count: 150) + "/" + String(repeating: "q", count: 150)
        try shell("cd \(src) && mkdir \(FileSystem.parentPath(long)) && echo y > \(long) && touch -d '@1600000000.123456789' \(long)")
        var xattrsStored = false
        let rc = setUserXattr(src + "/" + long, "user.skiff", Array("value\u{0}bin".utf8))
        if rc == 0, (try? Subprocess.run(["tar", "--xattrs", "--version"]))?.status == 0 { xattrsStored = true }
        let entries = byPath(try readAll(try archive(dir, format: "pax", extra: xattrsStored ? "--xattrs" : "")))
        let e = try XCTUnwrap(entries["./" + long])
        XCTAssertEqual(e.1, Array("y\n".utf8))
        XCTAssertEqual(e.0.modified, TarTimestamp(seconds: 1_600_000_000, nanoseconds: 123_456_789))
        if xattrsStored {
            XCTAssertEqual(e.0.xattrs["user.skiff"], Array("value\u{0}bin".utf8))
        } else {
            print("skipping the xattr part: the file system refused user xattrs (\(errno))")
        }
    }

    func testBase256NumbersFromGNUTarAndCrafted() throws {
        let dir = try TempDir(self)
        let src = try dir.dir("src")
        try shell("cd \(src) && echo z > f")
        // GNU tar writes ids above 07777777 in base-256.
        let bytes = try archive(dir, format: "gnu", extra: "--owner=3000000 --group=3000001 --numeric-owner")
        let f = try XCTUnwrap(byPath(try readAll(bytes))["./f"])
        XCTAssertEqual(f.0.uid, 3_000_000)
        XCTAssertEqual(f.0.gid, 3_000_001)
        // A size in base-256 (what GNU tar does past 8 GiB), crafted small.
        var crafted = try makeTar(dir, [file("big", "12345")])
        for i in 124..<136 { crafted[i] = 0 }
        crafted[124] = 0x80
        crafted[135] = 5
        reseal(&crafted, at: 0)
        let read = try readAll(crafted)
        XCTAssertEqual(read.first?.0.size, 5)
        XCTAssertEqual(read.first?.1, Array("12345".utf8))
    }

    func testTruncatedArchiveIsAnError() throws {
        let dir = try TempDir(self)
        let whole = try makeTar(dir, [file("a", String(repeating: "a", count: 3000)), file("b", "b")])
        // In the data of "a", in its padding, and in the middle of the next header.
        for cut in [512 + 1000, 512 + 3000 + 10, 512 + 3072 + 100] {
            let message = errorMessage { _ = try readAll(Array(whole.prefix(cut)), name: "cut.tar") }
            XCTAssertTrue(message.hasPrefix("read tar \"cut.tar\": truncated archive"), "cut at \(cut): \(message)")
        }
        // Truncated file data is never handed out silently short, even through readData.
        let reader = TarReader(MemorySource(Array(whole.prefix(1000))), name: "cut.tar")
        _ = try reader.next()
        var buffer = [UInt8](repeating: 0, count: 8192)
        XCTAssertThrowsError(try buffer.withUnsafeMutableBytes { b in while try reader.readData(into: b) > 0 {} })
    }

    func testMissingEndBlocksAtAHeaderBoundaryIsAccepted() throws {
        let dir = try TempDir(self)
        let whole = try makeTar(dir, [file("a", "aa"), file("b", "b")])
        XCTAssertEqual(Array(whole.suffix(1024)), [UInt8](repeating: 0, count: 1024))
        XCTAssertEqual(try readAll(Array(whole.dropLast(1024))).map(\.0.path), ["a", "b"])
        let one = try makeTar(dir, [file("a", "aa")])
        XCTAssertEqual(try readAll(Array(one.dropLast(512))).map(\.0.path), ["a"], "a single zero block")
    }

    func testBadChecksumIsAnError() throws {
        let dir = try TempDir(self)
        var bytes = try makeTar(dir, [file("a", "aa"), file("b", "b")])
        bytes[1024 + 10] ^= 0x01  // the name of "b"'s header
        let message = errorMessage { _ = try readAll(bytes, name: "bad.tar") }
        XCTAssertEqual(message, "read tar \"bad.tar\": bad header checksum at byte 1024")
    }

    func testBytesConsumedCoversTheWholeStreamAndSkipsUnreadData() throws {
        let dir = try TempDir(self)
        let src = try dir.dir("src")
        try shell("cd \(src) && head -c 100000 /dev/urandom > big && echo s > small")
        let bytes = try archive(dir, format: "gnu")  // padded to a 10 KiB record
        let reader = TarReader(MemorySource(bytes), name: "x")
        var paths: [String] = []
        while let entry = try reader.next() { paths.append(entry.path) }  // never reads data
        XCTAssertEqual(Set(paths), ["./", "./big", "./small"])
        XCTAssertEqual(reader.bytesConsumed, Int64(bytes.count))
    }

    func testPaxParsing() {
        XCTAssertEqual(Pax.time(Array("-1.5".utf8)), TarTimestamp(seconds: -2, nanoseconds: 500_000_000))
        XCTAssertEqual(Pax.time(Array("12.000000001999".utf8)), TarTimestamp(seconds: 12, nanoseconds: 1))
        XCTAssertEqual(Pax.base64(Array("aGVsbG8".utf8)), Array("hello".utf8))
        XCTAssertEqual(Pax.percentDecoded("user.a%3Db"), "user.a=b")
        let record = Pax.record("path", Array(String(repeating: "x", count: 95).utf8))
        XCTAssertEqual(Pax.parse(record)?.first?.value.count, 95)
        XCTAssertEqual(record.count, Int(String(decoding: record.prefix { $0 != 0x20 }, as: UTF8.self)))
    }

    func testLibarchiveXattrRecords() throws {
        let dir = try TempDir(self)
        let body = Pax.record("LIBARCHIVE.xattr.user.a%3Db", Array("aGk".utf8))
        var bytes = try makeTar(dir, [(TarEntry(path: "PaxHeaders/f", kind: .file), body), file("f", "data")])
        bytes[156] = UInt8(ascii: "x")
        reseal(&bytes, at: 0)
        let entries = try readAll(bytes)
        XCTAssertEqual(entries.map(\.0.path), ["f"])
        XCTAssertEqual(entries.first?.0.xattrs, ["user.a=b": Array("hi".utf8)])
    }
}
