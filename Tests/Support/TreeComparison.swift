// Compares two directory trees entry by entry without following symlinks: what the engine
// rendered against the tree it was made from.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffDigest
import SkiffSystem

/// Tree equality: paths, types, permission bits, owners, sizes, content hashes, link targets
/// and device numbers; with `metadata`, also nanosecond mtimes (symlinks' too) and xattrs.
public enum TreeComparison {
    /// One line per difference ("usr/bin/x: mode 0644, want 0755"), at most `limit`, plus the
    /// number of entries compared.
    public static func differences(
        _ actual: String, expected: String, metadata: Bool = false, limit: Int = 20
    ) throws -> (lines: [String], entries: Int) {
        let want = try walk(expected, metadata: metadata)
        let have = try walk(actual, metadata: metadata)
        var lines: [String] = []
        func note(_ line: String) { if lines.count < limit { lines.append(line) } }
        for path in want.keys.sorted() {
            guard let got = have[path], let wanted = want[path] else {
                note("\(path): missing")
                continue
            }
            if got.type != wanted.type { note("\(path): type \(got.type), want \(wanted.type)") ; continue }
            if got.type != "symlink" && got.mode != wanted.mode {
                note("\(path): mode \(String(got.mode, radix: 8)), want \(String(wanted.mode, radix: 8))")
            }
            if got.owner != wanted.owner { note("\(path): owner \(got.owner), want \(wanted.owner)") }
            if got.size != wanted.size && got.type == "file" { note("\(path): size \(got.size), want \(wanted.size)") }
            if got.detail != wanted.detail { note("\(path): \(got.type) content/target/device differs") }
            if got.mtime != wanted.mtime { note("\(path): mtime \(got.mtime), want \(wanted.mtime)") }
            if got.xattrs != wanted.xattrs { note("\(path): xattrs \(got.xattrs), want \(wanted.xattrs)") }
        }
        for path in have.keys.sorted() where want[path] == nil { note("\(path): not in the source tree") }
        return (lines, want.count)
    }

    private struct Node {
        var type: String
        var mode: UInt32
        var owner: String
        var size: Int64
        /// sha256 of a file, a symlink's target, a device's numbers.
        var detail: String
        /// "seconds.nanoseconds", or "" when metadata is not compared.
        var mtime = ""
        /// Every extended attribute, sorted, as `name=hex`.
        var xattrs: [String] = []
    }

    private static func walk(_ root: String, metadata: Bool) throws -> [String: Node] {
        var nodes: [String: Node] = [:]
        func visit(_ relative: String) throws {
            let full = relative.isEmpty ? root : root + "/" + relative
            for name in try FileSystem.list(full) {
                let path = relative.isEmpty ? name : relative + "/" + name
                let st = try FileSystem.status(root + "/" + path)
                var node = Node(
                    type: "", mode: UInt32(st.st_mode) & 0o7777, owner: "\(st.st_uid):\(st.st_gid)", size: Int64(st.st_size),
                    detail: "")
                switch st.st_mode & S_IFMT {
                case S_IFREG:
                    node.type = "file"
                    node.detail = try TestCache.fileDigest(root + "/" + path)
                case S_IFDIR: node.type = "dir"
                case S_IFLNK:
                    node.type = "symlink"
                    node.detail = try readLink(root + "/" + path)
                case S_IFCHR, S_IFBLK:
                    node.type = st.st_mode & S_IFMT == S_IFCHR ? "char" : "block"
                    node.detail = "\(sk_dev_major(st.st_rdev)):\(sk_dev_minor(st.st_rdev))"
                case S_IFIFO: node.type = "fifo"
                default: node.type = "socket"
                }
                if metadata {
                    node.mtime = "\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
                    node.xattrs = try extendedAttributes(root + "/" + path)
                }
                nodes[path] = node
                if node.type == "dir" { try visit(path) }
            }
        }
        try visit("")
        return nodes
    }

    /// `name=<hex value>` for every extended attribute of `path` (not followed), sorted.
    public static func extendedAttributes(_ path: String) throws -> [String] {
        var names = [CChar](repeating: 0, count: 65536)
        let length = sk_llistxattr(path, &names, names.count)
        guard length >= 0 else { throw SkiffError.system("llistxattr \(quote(path))") }
        var result: [String] = []
        for raw in names[0..<length].split(separator: 0) {
            let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var value = [UInt8](repeating: 0, count: 65536)
            let size = sk_lgetxattr(path, name, &value, value.count)
            guard size >= 0 else { throw SkiffError.system("lgetxattr \(quote(path)) \(name)") }
            result.append(name + "=" + Array(value[0..<size]).hexString)
        }
        return result.sorted()
    }

    private static func readLink(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buffer, 4096)
        guard n >= 0 else { throw SkiffError.system("readlink \(quote(path))") }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
