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
        for step in steps { try replay(step, into: &expected) }
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

    private func replay(_ step: RenderStep, into expected: inout [String: Expected]) throws {
        let file = try FileDescriptor.open(images.blobPath(step.image), O_RDONLY)
        let reader = TarReader(FileSource(file), name: step.image.value)
        let whitelist = step.whitelist.map(PathWhitelist.init)
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        while let entry = try reader.next() {
            guard entry.path.hasPrefix("rootfs/") else { continue }
            let path = clean(String(entry.path.dropFirst("rootfs/".count)))
            if path.isEmpty || !(whitelist?.keeps(path) ?? true) { continue }
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
                if let target = expected[clean(String(entry.linkTarget.dropFirst(entry.linkTarget.hasPrefix("rootfs/") ? 7 : 0)))] {
                    want = target
                }
            default:
                break
            }
            expected[path] = want
        }
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
