// Streaming tar reader: one pass over any ByteSource, large buffered reads, file data handed out
// as slices of the read buffer (no copy) to the extractor.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// Streaming tar reader: ustar, GNU (old-GNU too) long names/links ('L','K'), PAX per-file ('x') and
/// global ('g') headers (path, linkpath, size, mtime with fractions, uid, gid, xattrs), base-256 numbers.
/// Detects truncation (error, never a silent short file), bad checksums, and a missing end (two zero
/// blocks may be absent at EOF: a clean EOF at a header boundary is accepted like GNU tar does, but
/// not in the middle of an entry). After the end marker the rest of the stream is read and
/// discarded, so an observer (the image-ID hash) sees every byte.
public final class TarReader {
    /// The archive's name, for error messages.
    public let name: String
    /// Stream bytes parsed so far (headers, data, padding; after the end, the whole stream).
    public private(set) var bytesConsumed: Int64 = 0

    static let bufferSize = 1 << 20
    /// The largest GNU long name or PAX header accepted (they are read into memory).
    static let metaLimit = 1 << 20

    private let source: ByteSource
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var sourceEnded = false
    private var remaining: Int64 = 0
    private var padding = 0
    private var finished = false
    private var globals: [(key: String, value: [UInt8])] = []
    private(set) var currentPath = ""

    /// Reads the archive from `source`; `name` appears in error messages.
    public init(_ source: ByteSource, name: String) {
        self.source = source
        self.name = name
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 4096)
    }

    deinit { buffer.deallocate() }

    /// The next entry, or nil at the end of the archive. Skips unread data of the previous entry.
    public func next() throws -> TarEntry? {
        if finished { return nil }
        try skip(remaining + Int64(padding))
        remaining = 0
        padding = 0
        var longName: String?
        var longLink: String?
        var local: [(key: String, value: [UInt8])] = []
        while true {
            let offset = bytesConsumed
            guard let header = try block() else {
                if longName != nil || longLink != nil || !local.isEmpty { throw truncated("after an extended header") }
                finished = true
                return nil
            }
            if TarHeader.isZero(header) {
                try drain()
                return nil
            }
            guard TarHeader.checksumIsValid(header) else {
                throw SkiffError(.invalid, "read tar \(quote(name)): bad header checksum at byte \(offset)")
            }
            guard let size = TarHeader.number(header, TarHeader.size), size >= 0 else {
                throw SkiffError(.invalid, "read tar \(quote(name)): bad size field at byte \(offset)")
            }
            let type = header[TarHeader.typeflag]
            switch type {
            case UInt8(ascii: "L"): longName = cString(try meta(size))
            case UInt8(ascii: "K"): longLink = cString(try meta(size))
            case UInt8(ascii: "x"), UInt8(ascii: "X"): local += try records(try meta(size), at: offset)
            case UInt8(ascii: "g"): globals += try records(try meta(size), at: offset)
            case UInt8(ascii: "V"): try skip(padded(size))
            case UInt8(ascii: "S"), UInt8(ascii: "M"):
                throw SkiffError(
                    .invalid, "read tar \(quote(name)): unsupported GNU sparse or multi-volume entry at byte \(offset)")
            default:
                var entry = try decode(header, type: type, size: size, at: offset)
                if let longName { entry.path = longName }
                if let longLink { entry.linkTarget = longLink }
                var dataSize = size
                try apply(globals + local, to: &entry, size: &dataSize, at: offset)
                switch entry.kind {
                case .file: entry.size = dataSize
                case .directory: entry.size = 0
                default: entry.size = 0; dataSize = 0  // links, devices and FIFOs carry no data
                }
                remaining = dataSize
                padding = Int((512 - dataSize % 512) % 512)
                currentPath = entry.path
                return entry
            }
        }
    }

    /// Copies the current entry's data; 0 at its end. Throws if the archive ends early.
    public func readData(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        guard target.count > 0, let destination = target.baseAddress else { return 0 }
        let chunk = try nextChunk(max: target.count)
        if let from = chunk.baseAddress { destination.copyMemory(from: from, byteCount: chunk.count) }
        return chunk.count
    }

    /// The rest of the current entry's data in memory; throws if more than `limit` bytes.
    public func readAllData(limit: Int) throws -> [UInt8] {
        guard remaining <= Int64(limit) else {
            throw SkiffError(.invalid, "read tar \(quote(name)): \(quote(currentPath)) is larger than \(limit) bytes")
        }
        var out: [UInt8] = []
        out.reserveCapacity(Int(remaining))
        while true {
            let chunk = try nextChunk(max: Int.max)
            if chunk.isEmpty { return out }
            out.append(contentsOf: chunk)
        }
    }

    /// The next slice of the current entry's data, straight from the read buffer (valid until the
    /// next call on this reader); empty at the entry's end.
    func nextChunk(max: Int) throws -> UnsafeRawBufferPointer {
        if remaining == 0 { return UnsafeRawBufferPointer(start: nil, count: 0) }
        if start == end {
            start = 0
            end = 0
            if try fill() == 0 { throw truncated("in the data of \(quote(currentPath))") }
        }
        let n = Int(min(Int64(min(end - start, max)), remaining))
        let chunk = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + n)])
        start += n
        remaining -= Int64(n)
        bytesConsumed += Int64(n)
        return chunk
    }

    // MARK: - Blocks and buffering

    /// The next 512-byte block (valid until the next read), nil at a clean end of stream.
    private func block() throws -> UnsafeRawBufferPointer? {
        while end - start < TarHeader.blockSize {
            if sourceEnded {
                if start == end { return nil }
                throw truncated("in a header")
            }
            if start == end {
                start = 0
                end = 0
            } else if start + TarHeader.blockSize > buffer.count, let base = buffer.baseAddress {
                // A header straddles the end of the buffer: move its first part to the front.
                memmove(base, base + start, end - start)
                end -= start
                start = 0
            }
            _ = try fill()
        }
        let header = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + TarHeader.blockSize)])
        start += TarHeader.blockSize
        bytesConsumed += Int64(TarHeader.blockSize)
        return header
    }

    /// Reads more bytes after `end`; returns how many (0 at the end of the source).
    @discardableResult
    private func fill() throws -> Int {
        if sourceEnded || end == buffer.count { return 0 }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
        if n == 0 { sourceEnded = true }
        end += n
        return n
    }

    /// Consumes `count` stream bytes; the stream ending first is truncation.
    private func skip(_ count: Int64) throws {
        var left = count
        while left > 0 {
            if start == end {
                start = 0
                end = 0
                if try fill() == 0 { throw truncated("in the data of \(quote(currentPath))") }
            }
            let n = Int(min(Int64(end - start), left))
            start += n
            left -= Int64(n)
            bytesConsumed += Int64(n)
        }
    }

    /// After the end marker: reads the rest of the stream so observers see all of it.
    private func drain() throws {
        finished = true
        bytesConsumed += Int64(end - start)
        start = 0
        end = 0
        while try fill() > 0 {
            bytesConsumed += Int64(end)
            end = 0
        }
    }

    private func truncated(_ where_: String) -> SkiffError {
        SkiffError(.invalid, "read tar \(quote(name)): truncated archive (ends \(where_))")
    }

    // MARK: - Headers

    /// The data of a GNU long-name or PAX header, padding consumed.
    private func meta(_ size: Int64) throws -> [UInt8] {
        guard size <= Int64(Self.metaLimit) else {
            throw SkiffError(.invalid, "read tar \(quote(name)): extended header of \(size) bytes is too large")
        }
        remaining = size
        let data = try readAllData(limit: Self.metaLimit)
        try skip(padded(size) - size)
        return data
    }

    private func padded(_ size: Int64) -> Int64 { (size + 511) / 512 * 512 }

    private func cString(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    private func records(_ data: [UInt8], at offset: Int64) throws -> [(key: String, value: [UInt8])] {
        guard let parsed = Pax.parse(data) else {
            throw SkiffError(.invalid, "read tar \(quote(name)): malformed PAX header at byte \(offset)")
        }
        return parsed
    }
}
