// Empty directories and files kept for reuse instead of being removed and made again: on ext4 without a
// journal every inode allocation scans past the inodes freed in the last minutes (the kernel's
// recently_deleted(), which skips an inode whose on-disk dtime is under 60 s old, 360 s while its
// inode table block is dirty), so a host that makes and removes pods quickly pays 30-300 µs per
// mkdir. A rename costs the same few microseconds whatever the churn.
#if canImport(Glibc)
import Glibc
#endif
import CShim

/// A directory of empty directories and files (`<pods>/spare`), filled by whoever removes a tree
/// and drawn on by whoever makes one. A spare carries nothing of its past: it is empty (a file
/// with one link, truncated), its extended attributes (ACLs, capabilities, overlayfs's trusted.*
/// markers) are removed before it is kept, and a claim gives it the claimer's owner, the asked
/// mode and the current time. Only what the remover knows an app could not have marked is
/// deposited (see PodRemoval). Both sides are
/// lock-free: a claim is a rename that fails when another process took the same spare first.
public final class SpareInodes {
    /// The spare directory (made 0700 at the first deposit).
    public let path: String
    /// How many spares may be kept; a deposit beyond that leaves removal to the caller.
    public let limit: Int
    private var candidates: [String]?
    private var files: [String]?
    private var kept = 0
    private var counter = 0
    /// Names deposits; made at the first one (only removal needs it).
    private lazy var base = String(UInt64.random(in: 0...UInt64.max), radix: 16)
    private lazy var umaskBits: mode_t = {
        let bits = umask(0)
        umask(bits)
        return bits
    }()

    /// Spares in `path`, at most `limit` of them.
    public init(path: String, limit: Int = 256) {
        self.path = path
        self.limit = limit
    }

    /// What `claim` did.
    public enum Claim: Equatable {
        /// `target` is now a spare, with the asked mode, this process's owner and the time now.
        case claimed
        /// `target` exists already (whatever it is): nothing was moved.
        case exists
        /// The parent of `target` does not exist.
        case parentMissing
        /// No spare left (or the spare directory cannot be used): make the directory yourself.
        case none
    }

    /// Moves a spare to `target` (which must not exist) as a directory with `mode` (less the
    /// umask, as mkdir would).
    public func claim(at target: String, mode: mode_t) -> Claim {
        if candidates == nil { candidates = listSpares() }
        while let name = candidates?.popLast() {
            if sk_renameat_noreplace(AT_FDCWD, path + "/" + name, AT_FDCWD, target) == 0 {
                // Owner first: chown clears set-id bits, chmod then sets the mode whole.
                _ = lchown(target, geteuid(), getegid())
                _ = chmod(target, mode & ~umaskBits & 0o7777)
                _ = utimensat(AT_FDCWD, target, nil, AT_SYMLINK_NOFOLLOW)
                return .claimed
            }
            switch errno {
            case EEXIST: candidates?.append(name); return .exists
            case ENOENT:
                // Either another process took this spare, or the target's parent is missing.
                if access(FileSystem.parentPath(target), F_OK) != 0 { candidates?.append(name); return .parentMissing }
            default: candidates?.append(name); return .none
            }
        }
        return .none
    }

    /// Moves an empty spare file to `target` (which must not exist) and opens it for writing,
    /// with `mode` (less the umask) and this process's owner; nil when there is none (create the
    /// file then) or `target` exists. Not opened with O_TRUNC: ext4 takes a truncate to zero
    /// followed by a write as a file being replaced and allocates its blocks at close (30 µs);
    /// the deposit emptied the file and cleared that state already.
    public func claimFile(at target: String, mode: mode_t) -> FileDescriptor? {
        if files == nil { files = listSpares(prefix: "f") }
        while let name = files?.popLast() {
            guard sk_renameat_noreplace(AT_FDCWD, path + "/" + name, AT_FDCWD, target) == 0 else {
                if errno == ENOENT && access(FileSystem.parentPath(target), F_OK) == 0 { continue }
                files?.append(name)
                return nil
            }
            guard let file = try? FileDescriptor.open(target, O_WRONLY | O_NOFOLLOW), let st = try? file.stat() else { return nil }
            if st.st_size != 0 { _ = ftruncate(file.raw, 0) }
            // Spares are stage0's own files: root's and 0644 already, so this seldom changes anything.
            if st.st_uid != geteuid() || st.st_gid != getegid() { _ = fchown(file.raw, geteuid(), getegid()) }
            let wanted = mode & ~umaskBits & 0o7777
            if st.st_mode & 0o7777 != wanted { _ = fchmod(file.raw, wanted) }
            return file
        }
        return nil
    }

    /// Keeps `name` of `parent` (at `fullPath`), an empty directory or (`file`) a regular file
    /// with one link, emptied, as a spare instead of removing it; false when it was not kept
    /// (full, another kind, more links, not movable): remove it then.
    public func deposit(_ name: String, in parent: FileDescriptor, fullPath: String, file: Bool = false) -> Bool {
        if candidates == nil { candidates = listSpares() }
        if files == nil { files = listSpares(prefix: "f") }
        guard kept + (candidates?.count ?? 0) + (files?.count ?? 0) < limit else { return false }
        if file {
            var st = stat()
            guard fstatat(parent.raw, name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_nlink == 1
            else { return false }
            if st.st_size > 0 {
                // Emptied through a descriptor that is closed at once: the close clears the
                // "replaced by truncation" state ext4 would otherwise act on at the claimer's close.
                let fd = openat(parent.raw, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
                guard fd >= 0 else { return false }
                close(fd)
            }
        }
        guard stripAttributes(fullPath) else { return false }
        if mkdir(path, 0o700) != 0 && errno != EEXIST { return false }
        counter += 1
        let spare = (file ? "f" : "d") + base + "-" + String(counter)
        guard sk_renameat_noreplace(parent.raw, name, AT_FDCWD, path + "/" + spare) == 0 else { return false }
        kept += 1
        return true
    }

    /// The spares there are now, in an order that differs between processes (pods started at
    /// once then seldom race for the same one).
    private func listSpares(prefix: String = "d") -> [String] {
        guard let names = try? FileSystem.list(path) else { return [] }
        let spares = names.filter { $0.hasPrefix(prefix) }
        guard !spares.isEmpty else { return [] }
        let start = Int(getpid()) % spares.count
        return Array(spares[start...] + spares[..<start])
    }

    /// Removes every extended attribute of `path`; false if one stays.
    private func stripAttributes(_ path: String) -> Bool {
        var buffer = [CChar](repeating: 0, count: 4096)
        let size = sk_llistxattr(path, &buffer, buffer.count)
        if size == 0 { return true }
        guard size > 0 else { return errno == ENOTSUP }
        var names: [String] = []
        var start = 0
        for index in 0..<size where buffer[index] == 0 {
            names.append(String(decoding: buffer[start..<index].map { UInt8(bitPattern: $0) }, as: UTF8.self))
            start = index + 1
        }
        for name in names where sk_lremovexattr(path, name) != 0 && errno != ENODATA { return false }
        return true
    }
}

extension FileSystem {
    /// `createDirectory`, drawing the directory and any missing parent from `spares` when it
    /// has some (see SpareInodes), else making it.
    public static func createDirectory(_ path: String, mode: mode_t = 0o755, spares: SpareInodes?) throws {
        guard let spares else { return try createDirectory(path, mode: mode) }
        switch spares.claim(at: path, mode: mode) {
        case .claimed: return
        case .exists:
            if !isDirectory(path) { throw SkiffError(.invalid, "mkdir \(quote(path)): exists and is not a directory") }
        case .parentMissing:
            let parent = parentPath(path)
            if parent != path { try createDirectory(parent, mode: mode, spares: spares) }
            if spares.claim(at: path, mode: mode) != .claimed { try createDirectory(path, mode: mode) }
        case .none: try createDirectory(path, mode: mode)
        }
    }
}

extension FileSystem {
    /// `writeNew` into a spare file from `spares` when there is one (see SpareInodes).
    public static func writeNew(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644, spares: SpareInodes?) throws {
        guard let file = spares?.claimFile(at: path, mode: mode) else { return try writeNew(path, bytes, mode: mode) }
        defer { file.close() }
        // An empty file gets the time now as a new one would (a write sets it otherwise).
        if bytes.isEmpty { _ = futimens(file.raw, nil) } else { try file.write(bytes) }
    }
}
