// `image verify` for rendered trees: compare every file of a tree with what its blobs say.
#if canImport(Glibc)
import Glibc
#endif
import SkiffArchive
import SkiffDigest
import SkiffImage
import SkiffSystem

/// What a verification found wrong in a tree: one line per path.
public struct TreeProblems: Sendable, Equatable {
    public var lines: [String] = []
    public var isEmpty: Bool { lines.isEmpty }
}

/// Re-derives what a rendered tree must contain from its image blobs (replaying the render plan)
/// and compares it with the files on disk: type, permissions, owner (as root), size, contents
/// (SHA-512), symlink targets. Rendering stays fast (nothing is hashed then); verification pays.
public struct TreeVerifier {
    private struct Expected {
        var kind: TarEntry.Kind
        var mode: UInt32
        var uid: UInt32
        var gid: UInt32
        var size: Int64
        var digest: [UInt8]
        var linkTarget: String
    }

    let images: ImageStore
    let checkOwners: Bool

    public init(images: ImageStore, checkOwners: Bool = geteuid() == 0) {
        self.images = images
        self.checkOwners = checkOwners
    }

    /// Compares the tree at `rootfs` with the render plan `steps`.
    public func verify(rootfs: String, steps: [RenderStep]) throws -> TreeProblems {
        var expected: [String: Expected] = [:]
        for layer in try TreeStore.layers(steps, images: images) { try replay(layer, into: &expected) }
        var problems = TreeProblems()
        var seen = Set<String>()
        try walk(rootfs, relative: "") { path, st in
            seen.insert(path)
            guard let want = expected[path] else {
                if st.st_mode & S_IFMT != S_IFDIR { problems.lines.append("\(path): not in the image") }
                return
            }
            if let problem = try compare(rootfs + "/" + path, st, want) { problems.lines.append("\(path): \(problem)") }
        }
        for path in expected.keys.sorted() where !seen.contains(path) {
            if [.characterDevice, .blockDevice].contains(expected[path]?.kind) { continue }  // device policy
            problems.lines.append("\(path): missing")
        }
        return problems
    }

    /// What one layer leaves: an ACI's rootfs entries (whitelisted), or an OCI layer's entries
    /// with its whiteouts applied to what lower layers left, as the extractor applies them.
    private func replay(_ layer: RenderLayer, into expected: inout [String: Expected]) throws {
        let file = try FileDescriptor.open(layer.blob, O_RDONLY)
        let oci = layer.diffID != nil
        let source: ByteSource = oci ? try DecompressingSource(file: file, name: layer.name) : FileSource(file)
        let reader = TarReader(source, name: layer.name)
        let whitelist = layer.whitelist.map(PathWhitelist.init)
        var written = Set<String>()
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        while let entry = try reader.next() {
            let path: String
            if oci {
                path = clean(entry.path)
                if path.isEmpty { continue }
                if try applyWhiteout(path, written: written, to: &expected) { continue }
                var ancestor = path
                while written.insert(ancestor).inserted, let slash = ancestor.lastIndex(of: "/") {
                    ancestor = String(ancestor[..<slash])
                }
            } else {
                guard entry.path.hasPrefix("rootfs/") else { continue }
                path = clean(String(entry.path.dropFirst("rootfs/".count)))
                if path.isEmpty || !(whitelist?.keeps(path) ?? true) { continue }
            }
            if entry.kind != .directory { removeTree(path, from: &expected) }
            var want = Expected(
                kind: entry.kind, mode: entry.mode & 0o7777, uid: entry.uid, gid: entry.gid, size: entry.size,
                digest: [], linkTarget: entry.linkTarget)
            switch entry.kind {
            case .file:
                let digest = Digest(.sha512)
                while true {
                    let n = try chunk.withUnsafeMutableBytes { try reader.readData(into: $0) }
                    if n == 0 { break }
                    chunk.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                }
                want.digest = digest.finalize()
            case .hardlink:
                // A hard link has the contents and metadata of its target.
                let prefixed = !oci && entry.linkTarget.hasPrefix("rootfs/")
                if let target = expected[clean(String(entry.linkTarget.dropFirst(prefixed ? 7 : 0)))] {
                    want = target
                }
            default:
                break
            }
            expected[path] = want
        }
    }

    /// Applies `path` if it is a whiteout (true), as SafeExtractor does: `.wh.NAME` removes NAME
    /// and what is below it unless this layer wrote it; `.wh..wh..opq` removes everything below
    /// its directory that this layer did not write.
    private func applyWhiteout(_ path: String, written: Set<String>, to expected: inout [String: Expected]) throws -> Bool {
        let slash = path.lastIndex(of: "/")
        let parent = slash.map { String(path[..<$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard name.hasPrefix(".wh.") else { return false }
        if name == ".wh..wh..opq" {
            let prefix = parent.isEmpty ? "" : parent + "/"
            for key in expected.keys where key.hasPrefix(prefix) && !written.contains(key) { expected[key] = nil }
        } else if !name.hasPrefix(".wh..wh.") {
            let victim = parent.isEmpty ? String(name.dropFirst(4)) : parent + "/" + name.dropFirst(4)
            if !written.contains(victim) { removeTree(victim, from: &expected) }
        }
        return true
    }

    /// Forgets `path` and, when it was a directory, everything below it (replaced or whited out).
    private func removeTree(_ path: String, from expected: inout [String: Expected]) {
        guard let old = expected.removeValue(forKey: path), old.kind == .directory else { return }
        let prefix = path + "/"
        for key in expected.keys where key.hasPrefix(prefix) { expected[key] = nil }
    }

    private func compare(_ full: String, _ st: stat, _ want: Expected) throws -> String? {
        let type = st.st_mode & S_IFMT
        let kindOK: Bool
        switch want.kind {
        case .file, .hardlink: kindOK = type == S_IFREG
        case .directory: kindOK = type == S_IFDIR
        case .symlink: kindOK = type == S_IFLNK
        case .characterDevice: kindOK = type == S_IFCHR
        case .blockDevice: kindOK = type == S_IFBLK
        case .fifo: kindOK = type == S_IFIFO
        }
        guard kindOK else { return "type changed" }
        if want.kind == .symlink {
            let target = try readLink(full)
            return target == want.linkTarget ? nil : "symlink target changed"
        }
        if UInt32(st.st_mode) & 0o7777 != want.mode {
            return "mode changed (" + String(UInt32(st.st_mode) & 0o7777, radix: 8) + ", want " + String(want.mode, radix: 8) + ")"
        }
        if checkOwners && (st.st_uid != want.uid || st.st_gid != want.gid) { return "owner changed" }
        if type == S_IFREG {
            if Int64(st.st_size) != want.size { return "size changed" }
            if try fileDigest(full) != want.digest { return "contents changed" }
        }
        return nil
    }

    private func fileDigest(_ path: String) throws -> [UInt8] {
        let file = try FileDescriptor.open(path, O_RDONLY | O_NOFOLLOW)
        let digest = Digest(.sha512)
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try file.read(into: $0) }
            if n == 0 { break }
            chunk.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return digest.finalize()
    }

    private func readLink(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = try check("readlink \(quote(path))") { readlink(path, &buffer, 4096) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Depth-first walk without following symlinks; `visit` gets the path relative to the root.
    private func walk(_ root: String, relative: String, _ visit: (String, stat) throws -> Void) throws {
        let directory = relative.isEmpty ? root : root + "/" + relative
        for name in try FileSystem.list(directory) {
            let path = relative.isEmpty ? name : relative + "/" + name
            let st = try FileSystem.status(root + "/" + path)
            try visit(path, st)
            if st.st_mode & S_IFMT == S_IFDIR { try walk(root, relative: path, visit) }
        }
    }

    /// "./a//b/" → "a/b".
    private func clean(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." && !$0.isEmpty }.joined(separator: "/")
    }
}
