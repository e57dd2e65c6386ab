// OCI whiteouts and opaque directories, and removing trees without following symlinks or
// crossing mounts.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

extension SafeExtractor {
    static let opaqueMarker = ".wh..wh..opq"

    /// Applies a ".wh." entry (never extracted itself).
    func whiteout(_ entry: TarEntry, parentPath: String, name: String, path: String) throws {
        if name == Self.opaqueMarker {
            // Refuse a marker reached through a symlink before creating anything.
            if let existing = try lexicalDirectory(parentPath, for: entry) { close(existing) }
            let directory = try parentDirectory(parentPath, for: entry)
            let fd = openat(directory, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd < 0 { throw failure(entry, "open the opaque directory", errno: errno) }
            defer { close(fd) }
            do { try clearLowerEntries(fd, path: parentPath) } catch let error as SkiffError {
                let shown = quote(parentPath.isEmpty ? "/" : parentPath)
                throw failure(entry, "make \(shown) opaque: \(error.message)", errno: error.errno)
            }
            dropParentCache()
            return
        }
        if name.hasPrefix(".wh..wh.") { return }  // aufs bookkeeping (.wh..wh.plnk and such)
        let victim = String(name.dropFirst(4))
        if victim.isEmpty || victim == "." || victim == ".." {
            throw failure(entry, "malformed whiteout \(quote(name))")
        }
        let victimPath = EntryPath.join(parentPath, victim)
        // A whiteout hides what lower layers left; it never removes this layer's own entries.
        if written.contains(victimPath) { return }
        guard let parent = try lexicalDirectory(parentPath, for: entry) else { return }  // nothing below to hide
        defer { close(parent) }
        do { try removeTree(parent: parent, name: victim, path: victimPath) } catch let error as SkiffError {
            throw failure(entry, "remove \(quote(victimPath)): \(error.message)", errno: error.errno)
        }
        forgetTree(victimPath)
        dropParentCache()
    }

    /// The directory `path` (clean, relative) opened component by component without following
    /// any symlink, or nil when a component is missing or not a directory (nothing below it to
    /// hide). A whiteout names what a lower layer put at exactly that path: one reached through
    /// a symlink would delete something else (`link/.wh.passwd` with `link -> /etc` would hit
    /// /etc/passwd of the image), so a symlink on the way is an error. The caller closes it.
    func lexicalDirectory(_ path: String, for entry: TarEntry) throws -> Int32? {
        var fd = openat(rootFD.raw, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw failure(entry, "open the root \(quote(root))", errno: errno) }
        var prefix = ""
        for component in path.split(separator: "/") {
            let name = String(component)
            prefix = EntryPath.join(prefix, name)
            let next = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next >= 0 {
                close(fd)
                fd = next
                continue
            }
            let code = errno
            var st = stat()
            let isLink = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mode & S_IFMT == S_IFLNK
            close(fd)
            if isLink { throw failure(entry, "whiteout through the symlink \(quote(prefix))") }
            if code == ENOENT || code == ENOTDIR { return nil }
            throw parentFailure(entry, prefix, code)
        }
        return fd
    }

    /// Removes everything below the directory `fd` (at `path`) that this extraction did not
    /// write; descends into directories it did write, since their lower contents are hidden too.
    private func clearLowerEntries(_ fd: Int32, path: String) throws {
        for name in try listDirectory(fd, path: path) {
            let child = EntryPath.join(path, name)
            if !written.contains(child) {
                try removeTree(parent: fd, name: name, path: child)
                forgetTree(child)
                continue
            }
            var st = stat()
            guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFDIR else { continue }
            let sub = try openChildDirectory(fd, name, path: child)
            defer { close(sub) }
            try clearLowerEntries(sub, path: child)
        }
    }

    /// rm -rf of `parent/name`: never follows a symlink (it is unlinked), never enters another
    /// mount (error). Missing is fine.
    func removeTree(parent: Int32, name: String, path: String) throws {
        var st = stat()
        if fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0 {
            if errno == ENOENT { return }
            throw SkiffError.system("stat \(quote(path))")
        }
        if st.st_mode & S_IFMT == S_IFDIR {
            let fd = try openChildDirectory(parent, name, path: path)
            defer { close(fd) }
            for child in try listDirectory(fd, path: path) {
                try removeTree(parent: fd, name: child, path: EntryPath.join(path, child))
            }
            if unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT { throw SkiffError.system("rmdir \(quote(path))") }
        } else if unlinkat(parent, name, 0) < 0 && errno != ENOENT {
            throw SkiffError.system("unlink \(quote(path))")
        }
    }

    /// Opens the directory `parent/name` for reading, refusing symlinks and mount points.
    private func openChildDirectory(_ parent: Int32, _ name: String, path: String) throws -> Int32 {
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW
        if resolver.usesOpenat2 {
            let resolve = UInt64(SK_RESOLVE_NO_XDEV | SK_RESOLVE_BENEATH | SK_RESOLVE_NO_SYMLINKS)
            let fd = sk_openat2(parent, name, flags, 0, resolve)
            if fd >= 0 { return fd }
            if errno == EXDEV { throw SkiffError(.invalid, "\(quote(path)) is a mount point, not removing across it") }
            throw SkiffError.system("open \(quote(path))")
        }
        let fd = openat(parent, name, flags | O_CLOEXEC)
        if fd < 0 { throw SkiffError.system("open \(quote(path))") }
        var inner = stat()
        var outer = stat()
        if fstat(fd, &inner) < 0 || fstat(parent, &outer) < 0 || inner.st_dev != outer.st_dev {
            close(fd)
            throw SkiffError(.invalid, "\(quote(path)) is a mount point, not removing across it")
        }
        return fd
    }

    /// The names in the directory `fd` (without "." and "..").
    private func listDirectory(_ fd: Int32, path: String) throws -> [String] {
        let copy = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard copy >= 0, let dir = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw SkiffError.system("list \(quote(path))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
