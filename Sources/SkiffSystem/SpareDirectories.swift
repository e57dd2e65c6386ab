// Empty directories kept for reuse instead of being removed and made again: on ext4 without a
// journal every inode allocation scans past the inodes freed in the last minutes (the kernel's
// recently_deleted(), which skips an inode whose on-disk dtime is under 60 s old, 360 s while its
// inode table block is dirty), so a host that makes and removes pods quickly pays 30-300 µs per
// mkdir. A rename costs the same few microseconds whatever the churn.
#if canImport(Glibc)
import Glibc
#endif
import CShim

/// A directory of empty directories (`<pods>/spare`), filled by whoever removes a tree and drawn
/// on by whoever makes one. A spare directory carries nothing of its past: it is empty, its
/// extended attributes (ACLs, overlayfs's trusted.* markers) are removed before it is kept, and a
/// claim gives it the claimer's owner, the asked mode and the current time. Only directories the
/// remover knows an app could not have marked are deposited (see PodRemoval). Both sides are
/// lock-free: a claim is a rename that fails when another process took the same spare first.
public final class SpareDirectories {
    /// The spare directory (made 0700 at the first deposit).
    public let path: String
    /// How many spares may be kept; a deposit beyond that leaves removal to the caller.
    public let limit: Int
    private var candidates: [String]?
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

    /// Keeps the empty directory `name` of `parent` (at `fullPath`) as a spare instead of
    /// removing it; false when it was not kept (full, not empty, not movable): remove it then.
    public func deposit(_ name: String, in parent: FileDescriptor, fullPath: String) -> Bool {
        if candidates == nil { candidates = listSpares() }
        guard kept + (candidates?.count ?? 0) < limit else { return false }
        guard stripAttributes(fullPath) else { return false }
        if mkdir(path, 0o700) != 0 && errno != EEXIST { return false }
        counter += 1
        let spare = "d" + base + "-" + String(counter)
        guard sk_renameat_noreplace(parent.raw, name, AT_FDCWD, path + "/" + spare) == 0 else { return false }
        kept += 1
        return true
    }

    /// The spares there are now, in an order that differs between processes (pods started at
    /// once then seldom race for the same one).
    private func listSpares() -> [String] {
        guard let names = try? FileSystem.list(path) else { return [] }
        let spares = names.filter { $0.hasPrefix("d") }
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
    /// has some (see SpareDirectories), else making it.
    public static func createDirectory(_ path: String, mode: mode_t = 0o755, spares: SpareDirectories?) throws {
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
