// Sniffing and decompressing with the real programs; errors and the bomb limit.
#if canImport(Glibc)
import Glibc
#endif
import SkiffDigest
import SkiffSystem
import XCTest

@testable import SkiffArchive

final class ArchiveCompressionTests: ArchiveTestCase {
    /// A small real tar made by GNU tar, and its compressed variants made by the real programs.
    private func samples(_ dir: TempDir) throws -> String {
        let tree = try dir.dir("tree")
        try FileSystem.writeAtomically(tree + "/hello", Array("hello world\n".utf8))
        try shell("cd \(dir.path) && tar -cf plain.tar tree && gzip -kc plain.tar > t.gz && bzip2 -kc plain.tar > t.bz2 && xz -kc plain.tar > t.xz")
        if (try? Subprocess.run(["zstd", "--version"]))?.status == 0 {
            try shell("cd \(dir.path) && zstd -q -c plain.tar > t.zst")
        }
        return dir.path
    }

    func testSniffsEachCompressionAndPlainTar() throws {
        let dir = try TempDir(self)
        let base = try samples(dir)
        let expected: [(String, Compression)] = [("plain.tar", .none), ("t.gz", .gzip), ("t.bz2", .bzip2), ("t.xz", .xz), ("t.zst", .zstd)]
        for (name, kind) in expected where FileSystem.exists(base + "/" + name) {
            let prefix = Array(try FileSystem.read(base + "/" + name).prefix(512))
            XCTAssertEqual(CompressionSniffer.detect(prefix), kind, name)
        }
        XCTAssertNil(CompressionSniffer.detect(Array("just some text, not an archive".utf8) + [UInt8](repeating: 0x41, count: 600)))
        XCTAssertEqual(CompressionSniffer.detect([UInt8](repeating: 0, count: 1024)), Compression.none, "an empty archive")
    }

    func testDecompressingSourceYieldsTheTar() throws {
        let dir = try TempDir(self)
        let base = try samples(dir)
        let plain = try FileSystem.read(base + "/plain.tar")
        for name in ["plain.tar", "t.gz", "t.bz2", "t.xz", "t.zst"] where FileSystem.exists(base + "/" + name) {
            let fd = try FileDescriptor.open(base + "/" + name, O_RDONLY)
            let source = try DecompressingSource(file: fd, name: name)
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { break }
                out += chunk[0..<n]
            }
            try source.finish()
            XCTAssertEqual(out, plain, name)
            XCTAssertEqual(source.bytesRead, Int64(plain.count), name)
        }
    }

    /// Reads a source to its end and returns the error it throws.
    private func drainError(_ path: String, name: String, limit: Int64 = .max) -> String {
        errorMessage {
            let fd = try FileDescriptor.open(path, O_RDONLY)
            let source = try DecompressingSource(file: fd, name: name, limit: limit)
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while try chunk.withUnsafeMutableBytes({ try source.read(into: $0) }) > 0 {}
            try source.finish()
        }
    }

    func testCorruptAndTruncatedInputGiveOneLineErrors() throws {
        let dir = try TempDir(self)
        try shell("cd \(dir.path) && head -c 300000 /dev/urandom > data && tar -cf d.tar data && gzip -kc d.tar > d.gz && xz -kc d.tar > d.xz")
        for (kind, ext) in [("gzip", "gz"), ("xz", "xz")] {
            let whole = try FileSystem.read("\(dir.path)/d.\(ext)")
            try FileSystem.writeAtomically("\(dir.path)/short.\(ext)", Array(whole.prefix(whole.count / 2)))
            var corrupt = whole
            for i in stride(from: 100, to: corrupt.count - 100, by: 997) { corrupt[i] ^= 0x5a }
            try FileSystem.writeAtomically("\(dir.path)/bad.\(ext)", corrupt)
            for (file, label) in [("short.\(ext)", "truncated"), ("bad.\(ext)", "corrupt")] {
                let message = drainError("\(dir.path)/\(file)", name: "img.\(ext)")
                XCTAssertTrue(message.hasPrefix("decompress \"img.\(ext)\" with \(kind): "), "\(label) \(kind): \(message)")
                XCTAssertFalse(message.contains("\n"), "\(label) \(kind): one line")
                XCTAssertGreaterThan(message.count, "decompress \"img.\(ext)\" with \(kind): ".count + 3, "names the cause")
            }
        }
    }

    func testLimitStopsADecompressionBomb() throws {
        let dir = try TempDir(self)
        try shell("head -c 200M /dev/zero | gzip -1 > \(dir.path)/bomb.gz")
        let size = try FileSystem.status(dir.path + "/bomb.gz").st_size
        XCTAssertLessThan(size, 1 << 20, "a small input")
        let message = drainError(dir.path + "/bomb.gz", name: "bomb.gz", limit: 10 << 20)
        XCTAssertEqual(message, "decompress \"bomb.gz\": larger than the 10485760-byte limit (decompression bomb?)")
    }

    func testObservedSourceHashesTheWholeUncompressedStream() throws {
        let dir = try TempDir(self)
        let base = try samples(dir)  // GNU tar pads to a 10 KiB record after the end blocks
        let expected = try shell("sha512sum \(base)/plain.tar").stdoutText.prefix(128)
        let digest = Digest(.sha512)
        let fd = try FileDescriptor.open(base + "/t.xz", O_RDONLY)
        let source = try DecompressingSource(file: fd, name: "t.xz")
        let reader = TarReader(ObservedSource(source) { digest.update($0) }, name: "t.xz")
        var names: [String] = []
        while let entry = try reader.next() { names.append(entry.path) }
        try source.finish()
        XCTAssertEqual(names, ["tree/", "tree/hello"])
        XCTAssertEqual(digest.finalize().hexString, String(expected))
        XCTAssertEqual(reader.bytesConsumed, Int64(try FileSystem.status(base + "/plain.tar").st_size))
    }

    func testGarbageIsRefused() throws {
        let dir = try TempDir(self)
        try FileSystem.writeAtomically(dir.path + "/junk", [UInt8](repeating: 0x41, count: 2000))
        let message = errorMessage { _ = try DecompressingSource(file: try FileDescriptor.open(dir.path + "/junk", O_RDONLY), name: "junk") }
        XCTAssertEqual(message, "read \"junk\": neither a tar archive nor gzip, bzip2, xz or zstd data")
    }
}
