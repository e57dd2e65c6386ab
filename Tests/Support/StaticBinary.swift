// Whether an executable is statically linked: a test image has no dynamic loader, and a dynamic
// payload fails there with a misleading "no such file or directory" (youki's runtimetest warns).
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// ELF inspection of test payloads (the probe, busybox).
public enum StaticBinary {
    /// True when `path` is a 64-bit little-endian ELF file without a PT_INTERP program header
    /// (no dynamic loader requested), as `readelf -l` would show.
    public static func isStatic(_ path: String) throws -> Bool {
        let file = try FileDescriptor.open(path, O_RDONLY)
        var header = [UInt8](repeating: 0, count: 64)
        let count = try header.withUnsafeMutableBytes { try file.readFully(into: $0) }
        // ELF magic, ELFCLASS64, ELFDATA2LSB: the only layout Skiff's test hosts produce.
        guard count == 64, header[0..<4] == [0x7f, 0x45, 0x4c, 0x46], header[4] == 2, header[5] == 1 else {
            throw SkiffError(.invalid, "read elf header of \(quote(path)): not a 64-bit little-endian elf file")
        }
        let programHeaders = Int(littleEndian(header, at: 0x20, size: 8))
        let entrySize = Int(littleEndian(header, at: 0x36, size: 2))
        let entries = Int(littleEndian(header, at: 0x38, size: 2))
        guard entrySize >= 4, entries < 4096 else {
            throw SkiffError(.invalid, "read elf header of \(quote(path)): implausible program header table")
        }
        var table = [UInt8](repeating: 0, count: entrySize * entries)
        let read = table.withUnsafeMutableBytes { pread(file.raw, $0.baseAddress, $0.count, off_t(programHeaders)) }
        guard read == table.count else { throw SkiffError.system("read program headers of \(quote(path))") }
        let ptInterp: UInt64 = 3
        for index in 0..<entries where littleEndian(table, at: index * entrySize, size: 4) == ptInterp {
            return false
        }
        return true
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<size).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        return value
    }
}
