// Finding (and creating) the directory an entry goes into, confined to the root.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

extension SafeExtractor {
    /// The directory `path` (clean, relative) as a borrowed descriptor, creating missing
    /// components. The last one is cached: archives list a directory's entries together.
    func parentDirectory(_ path: String, for entry: TarEntry) throws -> Int32 {
        if parentCacheIsStale {
            dropParentCache()
            parentCacheIsStale = false
        }
        if path.isEmpty { return rootFD.raw }
        if path == cachedParentPath { return cachedParentFD }
        var fd = resolver.openDirectory(path)
        if fd < 0 {
            let code = errno
            guard code == ENOENT else { throw parentFailure(entry, path, code) }
            fd = try createParents(path, for: entry)
        }
        dropParentCache()
        cachedParentPath = path
        cachedParentFD = fd
        return fd
    }

    /// Forgets the cached parent (after anything that could change what a path resolves to).
    func dropParentCache() {
        if cachedParentFD >= 0 { close(cachedParentFD) }
        cachedParentFD = -1
        cachedParentPath = nil
    }

    /// Creates the missing components of `path`; returns an owned O_PATH descriptor of it. Only
    /// called when resolving `path` found a component missing. The walk is lexical and never
    /// follows a symlink: directories are created only under real directories. A missing
    /// directory behind a symlink (dangling, or pointing at a directory that lacks it) is an error:
    /// archives that write through symlinks write into directories that exist, and creating
    /// directories at a symlink's destination is what an attack looks like.
    private func createParents(_ path: String, for entry: TarEntry) throws -> Int32 {
        var fd = openat(rootFD.raw, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw failure(entry, "open the root \(quote(root))", errno: errno) }
        var prefix = ""
        var creating = false
        for component in path.split(separator: "/") {
            let name = String(component)
            prefix = EntryPath.join(prefix, name)
            if !creating {
                let next = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if next >= 0 {
                    close(fd)
                    fd = next
                    continue
                }
                let code = errno
                if code != ENOENT {
                    var st = stat()
                    let isLink = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mode & S_IFMT == S_IFLNK
                    close(fd)
                    if isLink {
                        throw failure(entry, "missing directory \(quote(path)) behind the symlink \(quote(prefix))")
                    }
                    throw parentFailure(entry, prefix, code)
                }
                creating = true
            }
            if mkdirat(fd, name, 0o755) < 0 {
                let code = errno
                close(fd)
                throw failure(entry, "create parent directory \(quote(prefix))", errno: code)
            }
            // Implicit directories look like the root's own: 0755 whatever the umask, same owner.
            if umask & 0o755 != 0 { fchmodat(fd, name, 0o755, 0) }
            if rootStat.st_uid != geteuid() || rootStat.st_gid != getegid() {
                fchownat(fd, name, rootStat.st_uid, rootStat.st_gid, AT_SYMLINK_NOFOLLOW)
            }
            let child = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let code = errno
            close(fd)
            if child < 0 { throw failure(entry, "open parent directory \(quote(prefix))", errno: code) }
            fd = child
            if options.whiteouts { written.insert(prefix) }
        }
        return fd
    }

    /// The error for a parent that cannot be resolved.
    func parentFailure(_ entry: TarEntry, _ path: String, _ code: Int32) -> SkiffError {
        switch code {
        case ENOTDIR: return failure(entry, "parent \(quote(path)) is not a directory")
        case ELOOP: return failure(entry, "too many symlinks in parent \(quote(path))")
        default: return failure(entry, "resolve parent \(quote(path))", errno: code)
        }
    }
}

/// O_PATH, which Swift's Glibc does not export.
let O_PATH: Int32 = SK_O_PATH
