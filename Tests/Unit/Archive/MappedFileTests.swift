// Programs and libraries are extracted in pieces the size of the kernel's fault-around window, so
// a process started from a fresh image maps (and counts in its RSS) what it touches, not whole
// large page-cache folios around it.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
import XCTest

@testable import SkiffArchive

final class MappedFileTests: ArchiveTestCase {
    /// 1 MiB and a bit of deterministic noise, optionally behind an ELF magic number.
    private func noise(elf: Bool) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var bytes = (0..<((1 << 20) + 123)).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        if elf { bytes.replaceSubrange(0..<4, with: [0x7f, 0x45, 0x4c, 0x46]) } else { bytes[0] = 0 }
        return bytes
    }

    /// The resident size in KiB of the mapping that starts at `address`, from /proc/self/smaps.
    private func residentKiB(of address: UnsafeMutableRawPointer) throws -> Int? {
        let start = String(UInt(bitPattern: address), radix: 16) + "-"
        var inMapping = false
        for line in String(decoding: try FileSystem.read("/proc/self/smaps"), as: UTF8.self).split(separator: "\n") {
            if line.first?.isHexDigit == true && line.contains("-") && !line.hasPrefix("Rss") {
                inMapping = line.hasPrefix(start)
            } else if inMapping && line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
            }
        }
        return nil
    }

    func testProgramsAreExtractedIntactAndMapOnlyWhatIsTouched() throws {
        let dir = try TempDir(self)
        let root = try dir.dir("root")
        let program = noise(elf: true), data = noise(elf: false)
        let bytes = try makeTar(dir, [
            (TarEntry(path: "bin/prog", kind: .file, mode: 0o755), program),
            (TarEntry(path: "data", kind: .file, mode: 0o644), data),
        ])
        try extract(bytes, into: root)
        XCTAssertEqual(try FileSystem.read(root + "/bin/prog"), program, "written in pieces, intact")
        XCTAssertEqual(try FileSystem.read(root + "/data"), data)

        let fd = open(root + "/bin/prog", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return XCTFail("open the extracted program: errno \(errno)") }
        defer { close(fd) }
        guard let map = mmap(nil, program.count, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            return XCTFail("mmap the extracted program: errno \(errno)")
        }
        defer { munmap(map, program.count) }
        // One page touched in the middle: the kernel maps its fault-around window (64 KiB by
        // default) and the cached folios it overlaps whole; written 1 MiB at a time they are
        // hundreds of KiB each.
        XCTAssertEqual(map.load(fromByteOffset: 512 << 10, as: UInt8.self), program[512 << 10])
        let resident = try XCTUnwrap(try residentKiB(of: map), "the mapping in /proc/self/smaps")
        XCTAssertGreaterThan(resident, 0)
        XCTAssertLessThanOrEqual(resident, 128, "a touched page of an extracted program maps about one fault-around window")
    }

    func testELFDetection() {
        let header: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]
        header.withUnsafeBytes { XCTAssertTrue(SafeExtractor.isELF($0)) }
        Array("#!/bin/sh\n".utf8).withUnsafeBytes { XCTAssertFalse(SafeExtractor.isELF($0)) }
        header[0..<3].withUnsafeBytes { XCTAssertFalse(SafeExtractor.isELF($0), "too short to be a header") }
    }
}
