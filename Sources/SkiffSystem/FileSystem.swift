// Path operations the store and pods need: create, list, remove trees, atomic writes.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// File-system helpers. Every write that must survive a crash goes to a temporary name in the
/// same directory, is fsynced, then renamed over the target (and the directory fsynced), so a
/// reader sees the old content or the new, never a mix.
public enum FileSystem {
    /// Whether something exists at `path` (without following a final symlink).
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return Glibc.lstat(path, &st) == 0
    }

    /// Whether `path` is a directory (following symlinks).
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    /// lstat(2), throwing.
    public static func status(_ path: String) throws -> stat {
        var st = stat()
        try check("stat \(quote(path))") { Glibc.lstat(path, &st) }
        return st
    }

    /// mkdir -p with `mode` for the directories it creates.
    public static func createDirectory(_ path: String, mode: mode_t = 0o755) throws {
        // mkdir first: most calls make a new directory in an existing one, and a stat before and
        // after every mkdir walked the path three times (a pod's layout is a dozen of these).
        if mkdir(path, mode) == 0 { return }
        var error = errno
        if error == ENOENT {
            let parent = parentPath(path)
            if parent != path { try createDirectory(parent, mode: mode) }
            if mkdir(path, mode) == 0 { return }
            error = errno
        }
        guard error == EEXIST else { throw SkiffError.system("mkdir \(quote(path))", errno: error) }
        if !isDirectory(path) { throw SkiffError(.invalid, "mkdir \(quote(path)): exists and is not a directory") }
    }

    /// The names in a directory, without "." and "..", sorted.
    public static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw SkiffError.system("opendir \(quote(path))") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// rm -rf that never follows symlinks and never crosses into another mount. Missing is fine.
    public static func removeTree(_ path: String) throws {
        var st = stat()
        if Glibc.lstat(path, &st) < 0 {
            if errno == ENOENT { return }
            throw SkiffError.system("stat \(quote(path))")
        }
        if st.st_mode & S_IFMT == S_IFDIR {
            for name in try list(path) {
                let child = path + "/" + name
                var childStat = stat()
                if Glibc.lstat(child, &childStat) == 0 && childStat.st_mode & S_IFMT == S_IFDIR
                    && childStat.st_dev != st.st_dev
                {
                    throw SkiffError(.invalid, "remove \(quote(child)): a mount point, not removing across it")
                }
                try removeTree(child)
            }
            if rmdir(path) < 0 && errno != ENOENT { throw SkiffError.system("rmdir \(quote(path))") }
        } else if unlink(path) < 0 && errno != ENOENT {
            throw SkiffError.system("unlink \(quote(path))")
        }
    }

    /// Reads a whole file.
    public static func read(_ path: String, limit: Int = 64 << 20) throws -> [UInt8] {
        try FileDescriptor.open(path, O_RDONLY).readAll(limit: limit)
    }

    /// Replaces `path` with `bytes` atomically: a reader sees the old content or the new, never a
    /// mix, even if this process dies. `durable` (the default) also survives a power loss (fsync
    /// of the file, rename, fsync of the directory); pod files skip that on the hot path of `run`,
    /// because a pod does not outlive a reboot anyway and `gc` cleans what one leaves.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644, durable: Bool = true) throws {
        let temporary = temporaryName(for: path)
        do {
            let file = try FileDescriptor.open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode: mode)
            try file.write(bytes)
            if durable { try file.sync() }
            file.close()
            if durable {
                try rename(temporary, to: path)
            } else {
                try check("rename \(quote(temporary)) to \(quote(path))") { Glibc.rename(temporary, path) }
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Creates `path` (which must not exist) holding `bytes`: no temporary name, no rename, no
    /// fsync. Only for files nobody else reads before their writer is done with the directory
    /// they are in (a pod being prepared: readers take a missing file and an empty one alike,
    /// and a crash leaves a pod that gc removes whole).
    public static func writeNew(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let file = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_EXCL, mode: mode)
        defer { file.close() }
        try file.write(bytes)
    }

    /// A second name `path` for the existing file `source` (link(2)): no inode, no data block.
    /// Where the two are on different file systems or the file system refuses links, a new
    /// file with the bytes `fallback` gives instead (as `writeNew`). Only for files neither
    /// name is ever written through.
    public static func linkNew(_ path: String, to source: String, fallback: () throws -> [UInt8]) throws {
        if Glibc.link(source, path) == 0 { return }
        let error = errno
        guard error == EXDEV || error == EPERM || error == EMLINK || error == EOPNOTSUPP else {
            throw SkiffError.system("link \(quote(path)) to \(quote(source))", errno: error)
        }
        try writeNew(path, try fallback())
    }

    /// rename(2), then fsync of the target's directory so the new name is durable.
    public static func rename(_ from: String, to: String) throws {
        try check("rename \(quote(from)) to \(quote(to))") { Glibc.rename(from, to) }
        syncDirectory(parentPath(to))
    }

    /// fsync of a directory; failures are ignored (not every file system supports it).
    public static func syncDirectory(_ path: String) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            Glibc.close(fd)
        }
    }

    /// A unique temporary name next to `path` (same directory, so a rename is atomic): a random
    /// 64-bit base drawn once per process, plus a counter, in hex. One getrandom per process
    /// instead of one per file, and no generic formatting: `run` writes a handful of these.
    public static func temporaryName(for path: String) -> String {
        let value = temporaryBase &+ temporaryCounter.wrappingAdd(1, ordering: .relaxed).oldValue
        var hex = [UInt8](repeating: 0, count: 16)
        for index in 0..<16 { hex[index] = hexDigits[Int((value >> (60 - 4 * UInt64(index))) & 0xf)] }
        return parentPath(path) + "/." + baseName(path) + ".tmp-" + String(decoding: hex, as: UTF8.self)
    }

    private static let temporaryBase = UInt64.random(in: 0...UInt64.max)
    private static let temporaryCounter = Atomic<UInt64>(0)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The directory part of a path ("/a/b" → "/a", "b" → ".", "/" → "/"). On bytes: paths are
    /// split on every write of `run`, and Character-wise slicing costs microseconds per call.
    public static func parentPath(_ path: String) -> String {
        let bytes = Array(path.utf8)
        var end = bytes.count
        while end > 1 && bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
        guard let slash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == 0 { return "/" }
        return String(decoding: bytes[..<slash], as: UTF8.self)
    }

    /// The last component of a path.
    public static func baseName(_ path: String) -> String {
        let bytes = Array(path.utf8)
        var end = bytes.count
        while end > 1 && bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
        guard let slash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")) else { return String(decoding: bytes[..<end], as: UTF8.self) }
        return String(decoding: bytes[(slash + 1)..<end], as: UTF8.self)
    }
}
