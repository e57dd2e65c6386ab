// Writes POSIX tar: ustar headers, with a PAX extended header in front of an entry only when
// ustar cannot hold it, so the output is readable by every tar and by TarReader.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// Writes POSIX ustar + PAX headers when needed (long names, big sizes, xattrs, sub-second mtimes).
/// Output is buffered; `finish()` writes the end-of-archive blocks and flushes.
public final class TarWriter {
    private let sink: FileDescriptor
    private var pending: [UInt8] = []
    private let flushAt = 1 << 20
    private var finished = false

    /// Writes to `sink` (which the caller keeps open until `finish`).
    public init(_ sink: FileDescriptor) {
        self.sink = sink
        pending.reserveCapacity(flushAt + 4096)
    }

    /// Appends `entry` with `data` as its contents. For files the size is `data.count`
    /// (`entry.size` is ignored); other kinds carry no data.
    public func append(_ entry: TarEntry, data: [UInt8] = []) throws {
        var entry = entry
        entry.size = entry.kind == .file ? Int64(data.count) : 0
        try header(entry)
        if entry.kind == .file && !data.isEmpty {
            pending += data
            pad(data.count)
            try flushIfFull()
        }
    }

    /// Appends `entry` with `entry.size` bytes read from `file` (from its current offset).
    public func append(_ entry: TarEntry, contentsOf file: FileDescriptor) throws {
        var entry = entry
        if entry.kind != .file { entry.size = 0 }
        try header(entry)
        var left = Int(entry.size)
        var chunk = [UInt8](repeating: 0, count: min(max(left, 1), 1 << 20))
        while left > 0 {
            let want = min(left, chunk.count)
            let n = try chunk.withUnsafeMutableBytes { buffer in
                try file.readFully(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
            }
            if n < want {
                throw SkiffError(.invalid, "archive \(quote(file.path)) as \(quote(entry.path)): file shrank while being read")
            }
            pending += chunk[0..<n]
            left -= n
            try flushIfFull()
        }
        pad(Int(entry.size))
        try flushIfFull()
    }

    /// Writes the two zero blocks that end an archive, and flushes.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        pending += [UInt8](repeating: 0, count: 2 * TarHeader.blockSize)
        try flush()
    }

    // MARK: - Headers

    private func header(_ entry: TarEntry) throws {
        var pax: [UInt8] = []
        let path = Array(entry.path.utf8)
        let split = splitName(path)
        if split == nil { pax += Pax.record("path", path) }
        let link = Array(entry.linkTarget.utf8)
        if link.count > TarHeader.linkname.length { pax += Pax.record("linkpath", link) }
        if entry.size > TarHeader.octalLimit(TarHeader.size.length) { pax += Pax.record("size", Array(String(entry.size).utf8)) }
        let idLimit = TarHeader.octalLimit(TarHeader.uid.length)
        if Int64(entry.uid) > idLimit { pax += Pax.record("uid", Array(String(entry.uid).utf8)) }
        if Int64(entry.gid) > idLimit { pax += Pax.record("gid", Array(String(entry.gid).utf8)) }
        let seconds = entry.modified.seconds
        if entry.modified.nanoseconds != 0 || seconds < 0 || seconds > TarHeader.octalLimit(TarHeader.mtime.length) {
            pax += Pax.record("mtime", Pax.timeText(entry.modified))
        }
        for (key, value) in entry.xattrs.sorted(by: { $0.key < $1.key }) {
            pax += Pax.record("SCHILY.xattr." + key, value)
        }
        if !pax.isEmpty {
            let base = Array(("PaxHeaders/" + baseName(entry.path)).utf8.prefix(99))
            var meta = TarEntry(path: String(decoding: base, as: UTF8.self), kind: .file, mode: 0o644)
            meta.size = Int64(pax.count)
            meta.modified = TarTimestamp(seconds: max(0, min(seconds, TarHeader.octalLimit(12))))
            pending += block(meta, name: (base, []), type: UInt8(ascii: "x"))
            pending += pax
            pad(pax.count)
        }
        let type: UInt8
        switch entry.kind {
        case .file: type = UInt8(ascii: "0")
        case .hardlink: type = UInt8(ascii: "1")
        case .symlink: type = UInt8(ascii: "2")
        case .characterDevice: type = UInt8(ascii: "3")
        case .blockDevice: type = UInt8(ascii: "4")
        case .directory: type = UInt8(ascii: "5")
        case .fifo: type = UInt8(ascii: "6")
        }
        pending += block(entry, name: split ?? (Array(path.prefix(100)), []), type: type)
        try flushIfFull()
    }

    /// One ustar header block. Values that do not fit were put in the PAX header; the header keeps
    /// a truncated or clamped stand-in, as POSIX suggests.
    private func block(_ entry: TarEntry, name: (name: [UInt8], prefix: [UInt8]), type: UInt8) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: TarHeader.blockSize)
        TarHeader.putText(name.name, &b, TarHeader.name)
        TarHeader.putNumber(Int64(entry.mode & 0o7777), &b, TarHeader.mode)
        TarHeader.putNumber(min(Int64(entry.uid), TarHeader.octalLimit(8)), &b, TarHeader.uid)
        TarHeader.putNumber(min(Int64(entry.gid), TarHeader.octalLimit(8)), &b, TarHeader.gid)
        TarHeader.putNumber(min(entry.size, TarHeader.octalLimit(12)), &b, TarHeader.size)
        TarHeader.putNumber(max(0, min(entry.modified.seconds, TarHeader.octalLimit(12))), &b, TarHeader.mtime)
        b[TarHeader.typeflag] = type
        TarHeader.putText(Array(entry.linkTarget.utf8.prefix(100)), &b, TarHeader.linkname)
        TarHeader.putText(Array("ustar\0".utf8), &b, TarHeader.magic)
        TarHeader.putText(Array("00".utf8), &b, TarHeader.version)
        if entry.kind == .characterDevice || entry.kind == .blockDevice {
            TarHeader.putNumber(Int64(entry.deviceMajor), &b, TarHeader.devmajor)
            TarHeader.putNumber(Int64(entry.deviceMinor), &b, TarHeader.devminor)
        }
        TarHeader.putText(name.prefix, &b, TarHeader.prefix)
        TarHeader.seal(&b)
        return b
    }

    /// The ustar name/prefix split of a path, or nil when it needs a PAX `path` record.
    private func splitName(_ path: [UInt8]) -> (name: [UInt8], prefix: [UInt8])? {
        if path.count <= TarHeader.name.length { return (path, []) }
        guard path.count <= TarHeader.name.length + 1 + TarHeader.prefix.length else { return nil }
        // The prefix takes everything before some "/"; the name must fit in 100 bytes.
        for slash in path.indices.dropLast().reversed() where path[slash] == 0x2f {
            if path.count - slash - 1 > TarHeader.name.length { return nil }
            if slash <= TarHeader.prefix.length && slash > 0 {
                return (Array(path[(slash + 1)...]), Array(path[..<slash]))
            }
        }
        return nil
    }

    private func baseName(_ path: String) -> String {
        let trimmed = path.utf8.last == 0x2f ? String(path.dropLast()) : path
        return trimmed.split(separator: "/").last.map(String.init) ?? "entry"
    }

    // MARK: - Output

    private func pad(_ count: Int) {
        let extra = (TarHeader.blockSize - count % TarHeader.blockSize) % TarHeader.blockSize
        if extra > 0 { pending += repeatElement(0, count: extra) }
    }

    private func flushIfFull() throws {
        if pending.count >= flushAt { try flush() }
    }

    private func flush() throws {
        try sink.write(pending)
        pending.removeAll(keepingCapacity: true)
    }
}
