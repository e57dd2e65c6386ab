// Turning a header block plus GNU/PAX extensions into a TarEntry.
import SkiffSystem

extension TarReader {
    /// The entry a header describes (before GNU long names and PAX records are applied).
    func decode(_ header: UnsafeRawBufferPointer, type: UInt8, size: Int64, at offset: Int64) throws -> TarEntry {
        func field(_ f: (offset: Int, length: Int), _ what: String) throws -> Int64 {
            guard let value = TarHeader.number(header, f) else {
                throw SkiffError(.invalid, "read tar \(quote(name)): bad \(what) field at byte \(offset)")
            }
            return value
        }
        func id(_ f: (offset: Int, length: Int), _ what: String) throws -> UInt32 {
            let value = try field(f, what)
            guard let small = UInt32(exactly: value) else {
                throw SkiffError(.invalid, "read tar \(quote(name)): \(what) \(value) out of range at byte \(offset)")
            }
            return small
        }
        var path = TarHeader.text(header, TarHeader.name)
        // POSIX ustar ("ustar\0") splits long names into prefix + name; old GNU ("ustar  \0")
        // keeps other data in those bytes.
        if header[257] == 0x75, header[258] == 0x73, header[259] == 0x74, header[260] == 0x61,
           header[261] == 0x72, header[262] == 0, header[TarHeader.prefix.offset] != 0
        {
            path = TarHeader.text(header, TarHeader.prefix) + "/" + path
        }
        let kind: TarEntry.Kind
        switch type {
        case UInt8(ascii: "1"): kind = .hardlink
        case UInt8(ascii: "2"): kind = .symlink
        case UInt8(ascii: "3"): kind = .characterDevice
        case UInt8(ascii: "4"): kind = .blockDevice
        case UInt8(ascii: "5"), UInt8(ascii: "D"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        case 0, UInt8(ascii: "0"): kind = path.utf8.last == 0x2f ? .directory : .file  // old tars mark dirs with "/"
        default: kind = .file  // "7" (contiguous) and unknown types are regular files, as POSIX says
        }
        var entry = TarEntry(path: path, kind: kind)
        entry.mode = UInt32(truncatingIfNeeded: try field(TarHeader.mode, "mode")) & 0o7777
        entry.uid = try id(TarHeader.uid, "uid")
        entry.gid = try id(TarHeader.gid, "gid")
        entry.size = size
        entry.modified = TarTimestamp(seconds: try field(TarHeader.mtime, "mtime"))
        entry.linkTarget = TarHeader.text(header, TarHeader.linkname)
        if kind == .characterDevice || kind == .blockDevice {
            entry.deviceMajor = try id(TarHeader.devmajor, "device major")
            entry.deviceMinor = try id(TarHeader.devminor, "device minor")
        }
        return entry
    }

    /// Applies PAX records (globals first, then the entry's own; later ones win). An empty value
    /// removes an earlier setting, so the header's value counts again.
    func apply(_ records: [(key: String, value: [UInt8])], to entry: inout TarEntry, size: inout Int64, at offset: Int64) throws {
        if records.isEmpty { return }
        func bad(_ key: String) -> SkiffError {
            SkiffError(.invalid, "read tar \(quote(name)): bad PAX \(key) at byte \(offset)")
        }
        func number(_ key: String, _ value: [UInt8]) throws -> Int64 {
            guard let n = Pax.decimal(value[...]) else { throw bad(key) }
            return n
        }
        for (key, value) in records where !value.isEmpty {
            switch key {
            case "path": entry.path = String(decoding: value, as: UTF8.self)
            case "linkpath": entry.linkTarget = String(decoding: value, as: UTF8.self)
            case "size": size = try number(key, value)
            case "mtime":
                guard let t = Pax.time(value) else { throw bad(key) }
                entry.modified = t
            case "uid", "gid":
                guard let id = UInt32(exactly: try number(key, value)) else { throw bad(key) }
                if key == "uid" { entry.uid = id } else { entry.gid = id }
            case "SCHILY.devmajor", "SCHILY.devminor":
                guard let n = UInt32(exactly: try number(key, value)) else { throw bad(key) }
                if key == "SCHILY.devmajor" { entry.deviceMajor = n } else { entry.deviceMinor = n }
            default:
                if key.hasPrefix("SCHILY.xattr.") {
                    entry.xattrs[String(key.dropFirst("SCHILY.xattr.".count))] = value
                } else if key.hasPrefix("LIBARCHIVE.xattr.") {
                    guard let decoded = Pax.base64(value) else { throw bad(key) }
                    entry.xattrs[Pax.percentDecoded(String(key.dropFirst("LIBARCHIVE.xattr.".count)))] = decoded
                } else if key.hasPrefix("GNU.sparse.") {
                    throw SkiffError(.invalid, "read tar \(quote(name)): unsupported GNU sparse file at byte \(offset)")
                }
            }
        }
    }
}
