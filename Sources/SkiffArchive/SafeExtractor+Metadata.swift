// Metadata by name (symlinks and nodes cannot be opened safely) and replacing what is in the way.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

extension SafeExtractor {
    /// Owner, mode (not for symlinks: Linux ignores it), xattrs and mtime of `parent/name`, never
    /// following it.
    func applyMetadata(_ entry: TarEntry, parent: Int32, name: String, path: String, setMode: Bool) throws {
        if options.preserveOwnership && fchownat(parent, name, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW) < 0 {
            throw failure(entry, "chown to \(entry.uid):\(entry.gid)", errno: errno)
        }
        // fchmodat cannot refuse to follow; the node was just created by us and is no symlink.
        if setMode && fchmodat(parent, name, mode_t(entry.mode & 0o7777), 0) < 0 {
            throw failure(entry, "chmod", errno: errno)
        }
        for (key, value) in entry.xattrs.sorted(by: { $0.key < $1.key }) {
            let rc = value.withUnsafeBytes { sk_lsetxattrat(parent, name, key, $0.baseAddress, $0.count) }
            if rc < 0 { try xattrFailed(entry, path: path, key: key, errno: errno) }
        }
        var times = timestamps(entry.modified)
        if utimensat(parent, name, &times, AT_SYMLINK_NOFOLLOW) < 0 {
            throw failure(entry, "set the mtime", errno: errno)
        }
    }

    /// ENOTSUP/EPERM (the file system or the kernel refuses this name here) is reported; other
    /// failures stop the extraction.
    func xattrFailed(_ entry: TarEntry, path: String, key: String, errno code: Int32) throws {
        guard code == ENOTSUP || code == EOPNOTSUPP || code == EPERM else {
            throw failure(entry, "set xattr \(quote(key))", errno: code)
        }
        skip(path, "xattr \(key) not set: \(errnoText(code))")
    }

    /// Removes what is at `parent/name` so a new entry can take its place. An existing directory
    /// is kept if `keepDirectory` (returns true), else its tree is removed; anything else is
    /// unlinked (a symlink itself, never its target). Returns false if nothing is in the way now.
    func clearFinalComponent(_ entry: TarEntry, parent: Int32, name: String, path: String, keepDirectory: Bool) throws -> Bool {
        var st = stat()
        if fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0 {
            if errno == ENOENT { return false }
            throw failure(entry, "stat the existing entry", errno: errno)
        }
        if st.st_mode & S_IFMT == S_IFDIR {
            if keepDirectory { return true }
            do { try removeTree(parent: parent, name: name, path: path) } catch let error as SkiffError {
                throw failure(entry, "replace the directory there: \(error.message)", errno: error.errno)
            }
            forgetTree(path)
        } else if unlinkat(parent, name, 0) < 0 {
            throw failure(entry, "remove the existing entry", errno: errno)
        }
        // The cached parent may have led through what was removed (directly, or through a
        // symlink): resolve afresh for the next entry. Not now: `parent` may be that descriptor.
        if st.st_mode & S_IFMT == S_IFDIR || st.st_mode & S_IFMT == S_IFLNK { parentCacheIsStale = true }
        return false
    }

    /// Drops deferred metadata for `path` and everything below it (they were removed).
    func forgetTree(_ path: String) {
        let prefix = path + "/"
        pendingDirectories = pendingDirectories.filter { $0.key != path && !$0.key.hasPrefix(prefix) }
    }
}

/// "ENOTSUP (Operation not supported)" for a report line.
func errnoText(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    guard let name = sk_errno_name(code) else { return "errno \(code) (\(text))" }
    return "\(String(cString: name)) (\(text))"
}
