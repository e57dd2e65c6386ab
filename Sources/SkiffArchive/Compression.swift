// Which compression an image or layer file uses, told by its first bytes (never by its name:
// appc says an `.aci` may be plain, gzip, bzip2 or xz; OCI layers may be plain, gzip or zstd).

#if canImport(Glibc)
import Glibc
#endif

/// A compression format Skiff can read, each by running the real decompressor.
public enum Compression: String, Sendable {
    case none, gzip, bzip2, xz, zstd

    /// The decompressing command (reads stdin, writes stdout); nil for `.none`. gzip data goes
    /// through igzip (Intel's ISA-L, Debian's isal) when it is installed, about 3x faster than
    /// pigz here (CRC and length checked as gzip does), else through pigz (reading, writing and
    /// the CRC on other threads, about 1.5x faster than gzip), else gzip.
    public var decompressor: [String]? {
        switch self {
        case .none: return nil
        case .gzip: return Self.hasIgzip ? ["igzip", "-dc"] : Self.hasPigz ? ["pigz", "-dc"] : ["gzip", "-dc"]
        case .bzip2: return ["bzip2", "-dc"]
        case .xz: return ["xz", "-dc"]
        case .zstd: return ["zstd", "-dc"]
        }
    }

    /// Whether `pigz` is on PATH (looked up once).
    static let hasPigz = onPath("pigz")
    /// Whether `igzip` is on PATH (looked up once).
    static let hasIgzip = onPath("igzip")

    private static func onPath(_ program: String) -> Bool {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { access(String($0) + "/" + program, X_OK) == 0 }
    }
}

/// Magic-byte detection of a compressed stream or a plain tar.
public enum CompressionSniffer {
    /// How many leading bytes `detect` wants to see (one tar header).
    public static let prefixLength = 512

    /// Detects by magic bytes: gzip 1f8b, bzip2 "BZh", xz fd377a585a00, zstd 28b52ffd; `.none` if the
    /// first 512 bytes look like a tar header ("ustar" at offset 257, or a valid checksum); nil otherwise.
    /// An all-zero first block is also `.none`: it is the end marker of an empty archive.
    public static func detect(_ prefix: UnsafeRawBufferPointer) -> Compression? {
        func starts(with magic: [UInt8]) -> Bool {
            prefix.count >= magic.count && zip(prefix, magic).allSatisfy { $0 == $1 }
        }
        if starts(with: [0x1f, 0x8b]) { return .gzip }
        if starts(with: [0x42, 0x5a, 0x68]) { return .bzip2 }
        if starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .xz }
        if starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return .zstd }
        guard prefix.count >= TarHeader.blockSize else { return nil }
        let block = UnsafeRawBufferPointer(rebasing: prefix[0..<TarHeader.blockSize])
        if block.allSatisfy({ $0 == 0 }) { return Compression.none }
        let ustar: [UInt8] = Array("ustar".utf8)
        if zip(block[257..<262], ustar).allSatisfy({ $0 == $1 }) { return Compression.none }
        return TarHeader.checksumIsValid(block) ? Compression.none : nil
    }

    /// `detect` for an array (tests, small inputs).
    public static func detect(_ prefix: [UInt8]) -> Compression? {
        prefix.withUnsafeBytes { detect($0) }
    }
}
