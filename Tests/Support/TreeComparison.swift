// Compares two directory trees entry by entry without following symlinks: what the engine
// rendered against the tree it was made from.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffDigest
import SkiffSystem

/// Tree equality: paths, types, permission bits, owners, sizes, content hashes, link targets
/// and device numbers (mtimes are not compared).
public enum TreeComparison {
    /// One line per difference ("usr/bin/x: mode 0644, want 0755"), at most `limit`, plus the
    /// number of entries compared.
    public static func differences(_ actual: String, expected: String, limit: Int = 20) throws -> (lines: [String], entries: Int) {
        let want = try walk(expected)
        let have = try walk(actual)
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
    }

    private static func walk(_ root: String) throws -> [String: Node] {
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
                nodes[path] = node
                if node.type == "dir" { try visit(path) }
            }
        }
        try visit("")
        return nodes
    }

    private static func readLink(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buffer, 4096)
        guard n >= 0 else { throw SkiffError.system("readlink \(quote(path))") }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
