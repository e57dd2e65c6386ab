// The members of an `oci-archive:` or `docker-archive:` tar, read in place: one pass records
// where each regular file's data starts, then blobs are read with pread. Nothing is extracted.
// A compressed archive is first decompressed into a locked temporary file of the store.
#if canImport(Glibc)
import Glibc
#endif
import SkiffArchive
import SkiffStore
import SkiffSystem

/// An indexed tar archive.
final class ArchiveFiles: LayoutFiles {
    private enum Member {
        case file(offset: Int64, size: Int64)
        case link(String)
    }

    private let file: FileDescriptor
    private var members: [String: Member] = [:]
    private var temporary: String?

    /// Indexes the archive at `path`; `subject` names it in errors.
    init(_ path: String, subject: String, store: ImageStore) throws {
        let original = try FileDescriptor.open(path, O_RDONLY)
        let source = try DecompressingSource(file: original, name: subject)
        if source.compression == .none {
            file = original
        } else {
            // Decompressed into tmp/ under an flock, so `image gc` leaves it alone while it is used.
            let target = FileSystem.temporaryName(for: store.layout.temporary + "/archive")
            let copy = try FileDescriptor.open(target, O_RDWR | O_CREAT | O_EXCL, mode: 0o600)
            temporary = target
            try check("flock \(quote(target))") { flock(copy.raw, LOCK_EX | LOCK_NB) }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { break }
                try chunk.withUnsafeBytes { try copy.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            try source.finish()
            file = copy
        }
        try index(subject: subject)
    }

    deinit { if let temporary { unlink(temporary) } }

    private func index(subject: String) throws {
        let reader = TarReader(FileSource(file), name: subject)
        try check("seek \(quote(subject))") { lseek(file.raw, 0, SEEK_SET) }
        while let entry = try reader.next() {
            guard let path = Self.clean(entry.path) else { continue }
            switch entry.kind {
            case .file: members[path] = .file(offset: reader.bytesConsumed, size: entry.size)
            case .symlink:
                // docker save links repeated layers: "<id>/layer.tar" -> "../<other>/layer.tar".
                let base = path.split(separator: "/").dropLast().joined(separator: "/")
                let target = entry.linkTarget.hasPrefix("/") ? entry.linkTarget : (base.isEmpty ? "" : base + "/") + entry.linkTarget
                if let resolved = Self.clean(target, allowParent: true) { members[path] = .link(resolved) }
            case .hardlink:
                if let target = Self.clean(entry.linkTarget) { members[path] = .link(target) }
            default: continue
            }
        }
    }

    /// The data of `path` after following links (at most 8), nil when missing.
    private func locate(_ path: String) -> (offset: Int64, size: Int64)? {
        var current = Self.clean(path) ?? path
        for _ in 0..<8 {
            switch members[current] {
            case .file(let offset, let size): return (offset, size)
            case .link(let target): current = target
            case nil: return nil
            }
        }
        return nil
    }

    func size(_ path: String) -> Int64? { locate(path)?.size }

    func read(_ path: String, limit: Int) throws -> [UInt8] {
        guard let (offset, size) = locate(path) else { throw SkiffError(.notFound, "\(quote(path)) is not in the archive") }
        guard size <= Int64(limit) else { throw SkiffError(.invalid, "\(quote(path)) is larger than \(limit) bytes") }
        var out: [UInt8] = []
        out.reserveCapacity(Int(size))
        try streamRange(file, offset: offset, size: size) { out.append(contentsOf: $0) }
        return out
    }

    func stream(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let (offset, size) = locate(path) else { throw SkiffError(.notFound, "\(quote(path)) is not in the archive") }
        try streamRange(file, offset: offset, size: size, body)
    }

    /// "./a//b" → "a/b"; nil for empty or escaping paths ("..", absolute) unless `allowParent`,
    /// which resolves ".." lexically (still never above the top).
    static func clean(_ raw: String, allowParent: Bool = false) -> String? {
        if raw.hasPrefix("/") { return nil }
        var parts: [Substring] = []
        for part in raw.split(separator: "/") where part != "." {
            if part == ".." {
                guard allowParent, !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }
}
