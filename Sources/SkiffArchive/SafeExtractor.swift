// The one extractor behind ACI and OCI rendering. Its rules, and why:
//
// 1. Paths are cleaned, then checked. Repeated "/" and "./" are removed. An entry is refused,
//    with an error naming it, if its path (after the caller strips "rootfs/" or nothing) is
//    empty, absolute, contains a ".." component or a NUL byte, or is longer than the limit.
//    Why: these are the classic ways out of the target directory; refusing them lexically means
//    no system call ever sees them. (GNU tar strips a leading "/"; we refuse, since an image
//    that stores absolute names is broken or hostile.)
// 2. Parents are resolved inside the root. Every parent path is opened with
//    openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), or, where the kernel lacks openat2 (or
//    SKIFF_ARCHIVE_NO_OPENAT2=1 / ExtractionOptions.userspaceResolution forces it), by a
//    userspace walker with the same meaning: component by component with O_NOFOLLOW, symlinks
//    read and re-resolved with the root as "/", ".." stopping at the root, at most 40 links.
//    Why: a symlink planted by an earlier entry or layer ("evil -> /etc", "evil -> ../../..")
//    must mean what it will mean inside the container, never the host's /etc. Merged-/usr images
//    (`lib -> usr/lib`) need parents that go through symlinks, so those are followed, confined.
//    Missing parent directories (tars need not list them) are created, 0755 and owned like the
//    root, but only under real directories: a missing directory behind a symlink (dangling, or
//    pointing at a directory that lacks it) is an error ("missing directory "evil/x" behind the
//    symlink "evil""). Archives that write through symlinks write into directories that exist;
//    creating directories at a symlink's destination is what an attack looks like.
// 3. The final component is never followed. It is created with openat(O_CREAT|O_EXCL|O_NOFOLLOW),
//    mkdirat, symlinkat, mknodat or linkat, after removing whatever non-directory is there.
//    Later entries replace earlier ones (a later layer overwrites a path): an existing file or
//    symlink is removed and replaced (a symlink is never written through); a directory replaces
//    a non-directory and vice versa (the old directory tree is removed); an existing directory
//    is kept and its metadata updated. Files are replaced, not truncated, so a file hard-linked
//    elsewhere is not changed through the link.
// 4. Hard links: the target (relative to the root, as `extractArchive` passes it) is checked
//    like an entry path ("hard link to outside the root" if absolute or containing ".."),
//    resolved the same confined way, must already exist inside the root (written earlier by this
//    extraction, or by an earlier layer: Docker layers may link to lower files), must be a regular
//    file ("hard link to a symlink", "hard link to a directory", "hard link to a missing file").
//    linkat never follows the target. Why: a hard link to a host file would give the image a
//    writable alias of it; a link to a symlink would be followed later by other tools.
// 5. Devices: `.standardOnly` (the default) creates only the standard character devices (1:3
//    null, 1:5 zero, 1:7 full, 1:8 random, 1:9 urandom, 5:0 tty, 5:1 console, 5:2 ptmx), and only
//    as root; `.none` skips all; `.all` creates all (as root). Every device not created is listed
//    in the report. FIFOs are always created. Why: a block device node in an image (say 8:0)
//    opens a host disk from an app that runs with no device cgroup, e.g. under the fly stage1.
// 6. Metadata: mode including setuid/setgid/sticky (set with fchmod after lchown, since chown
//    clears those bits), numeric uid/gid (only with preserveOwnership), mtime with nanoseconds
//    (utimensat without following symlinks), xattrs (after the data and the owner, because both
//    writing and chown drop security.capability). An xattr the file system or the kernel refuses
//    with ENOTSUP or EPERM (a trusted./security. name when unprivileged, a user. name on a
//    symlink) is reported in `skipped`, not fatal. Directories get their mode, owner and mtime
//    in finish(), deepest first, because adding children changes a directory's mtime and a
//    read-only directory could not receive them. The process umask never changes a mode.
// 7. Limits: total bytes of file data and the number of entries; exceeding one stops the
//    extraction with an error ("archive exceeds the 1048576-byte limit"). Together with
//    DecompressingSource's limit this stops a decompression bomb before the disk fills.
// 8. Whiteouts (OCI layers, when options.whiteouts): ".wh.NAME" removes NAME (file or tree) left
//    by earlier layers and is not extracted itself; ".wh..wh..opq" makes its directory opaque:
//    everything in it that this extraction did not write is removed (this layer's own entries,
//    written before the marker, stay; lower contents of a directory this layer re-declared go
//    too). A whiteout never removes what this extraction wrote: OCI says whiteouts apply to lower
//    layers only. Other ".wh..wh.*" names (aufs internals) are ignored; ".wh.", ".wh.." and
//    ".wh..." are errors. Why track what was written: the opaque marker may come after the
//    layer's own entries in the directory (the spec does not order them). A whiteout or opaque
//    marker whose directory is reached through a symlink ("link/.wh.passwd", link -> /etc) is
//    an error: it names a path of a lower layer exactly, and deleting through the link would
//    remove another directory's file (the image's own /etc/passwd).
// 9. Removing a tree (replacement, whiteouts) never follows symlinks and never crosses a mount
//    point (openat2 RESOLVE_NO_XDEV, else a st_dev comparison): it stops with an error instead.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// Extracts entries into an existing directory and never writes outside it. Not thread-safe;
/// one extractor per extraction. See the rules above.
public final class SafeExtractor {
    /// The root directory's path, for messages.
    public let root: String
    let options: ExtractionOptions
    let rootFD: FileDescriptor
    let resolver: ConfinedRoot
    let rootStat: stat
    let privileged: Bool
    let umask: mode_t

    var report = ExtractionReport()
    var archive = ""
    var cachedParentPath: String?
    var cachedParentFD: Int32 = -1
    /// Set when a directory or symlink was removed: the cached parent may be gone or moved.
    var parentCacheIsStale = false
    /// Directories whose mode, owner and mtime are applied by finish().
    var pendingDirectories: [String: PendingDirectory] = [:]
    /// Paths this extraction wrote (only kept for whiteouts, where opaque markers need them).
    var written: Set<String> = []

    struct PendingDirectory {
        var mode: UInt32
        var uid: UInt32
        var gid: UInt32
        var modified: TarTimestamp
    }

    /// Opens `root` (an existing directory) for extraction.
    public init(root: String, options: ExtractionOptions = ExtractionOptions()) throws {
        self.root = root
        self.options = options
        rootFD = try FileDescriptor.open(root, O_RDONLY | O_DIRECTORY)
        rootStat = try rootFD.stat()
        resolver = try ConfinedRoot(descriptor: rootFD.raw, path: root, forceUserspace: options.userspaceResolution)
        privileged = geteuid() == 0
        umask = currentUmask()
    }

    deinit { dropParentCache() }

    /// Whether parents are resolved with openat2 (false: the userspace walker).
    public var usesOpenat2: Bool { resolver.usesOpenat2 }

    /// `relativePath` is the entry's destination inside root (callers strip "rootfs/" for ACIs); data is
    /// read from `reader`'s current entry. For hard links `entry.linkTarget` must also be relative to the
    /// root. Later entries replace earlier ones (see the rules above).
    public func extract(_ entry: TarEntry, as relativePath: String, from reader: TarReader) throws {
        archive = reader.name
        let path: String
        do { path = try EntryPath.clean(relativePath, maxBytes: options.limits.maxPathBytes) } catch {
            throw failure(entry, error.message)
        }
        try extract(entry, cleanPath: path, from: reader)
    }

    /// `extract` for a path already cleaned by `EntryPath.clean`.
    func extract(_ entry: TarEntry, cleanPath path: String, from reader: TarReader) throws {
        archive = reader.name
        report.entries += 1
        if report.entries > options.limits.maxEntries {
            throw failure(entry, "archive exceeds the \(options.limits.maxEntries)-entry limit")
        }
        let (parentPath, name) = EntryPath.split(path)
        if options.whiteouts && name.hasPrefix(".wh.") {
            try whiteout(entry, parentPath: parentPath, name: name, path: path)
            return
        }
        if entry.kind == .file {
            if entry.size > options.limits.maxBytes - report.bytes {
                throw failure(entry, "archive exceeds the \(options.limits.maxBytes)-byte limit")
            }
        }
        let parent = try parentDirectory(parentPath, for: entry)
        switch entry.kind {
        case .file: try writeFile(entry, parent: parent, name: name, path: path, reader: reader)
        case .directory: try makeDirectory(entry, parent: parent, name: name, path: path)
        case .symlink: try makeSymlink(entry, parent: parent, name: name, path: path)
        case .hardlink: try makeHardLink(entry, parent: parent, name: name, path: path)
        case .characterDevice, .blockDevice, .fifo: try makeNode(entry, parent: parent, name: name, path: path)
        }
        if options.whiteouts { markWritten(path) }
    }

    /// Records `path` and its ancestors as this layer's: a directory holding an entry of this
    /// layer survives an opaque marker above it even when the layer did not list it.
    private func markWritten(_ path: String) {
        var current = path
        while written.insert(current).inserted {
            guard let slash = current.utf8.lastIndex(of: 0x2f) else { return }
            current = String(current[..<slash])
        }
    }

    /// Applies deferred directory modes, owners and mtimes (deepest first) and returns the report.
    public func finish() throws -> ExtractionReport {
        dropParentCache()
        let ordered = pendingDirectories.sorted { depth($0.key) > depth($1.key) }
        pendingDirectories = [:]
        for (path, meta) in ordered {
            let (parentPath, name) = EntryPath.split(path)
            let parent = resolver.openDirectory(parentPath)
            if parent < 0 { continue }  // replaced by a later entry: nothing to set
            defer { close(parent) }
            let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 {
                if errno == ENOENT || errno == ENOTDIR || errno == ELOOP { continue }
                throw SkiffError.system("set metadata of \(quote(path)) in \(quote(root))")
            }
            defer { close(fd) }
            if options.preserveOwnership {
                try check("chown \(quote(path)) in \(quote(root))") { fchown(fd, meta.uid, meta.gid) }
            }
            try check("chmod \(quote(path)) in \(quote(root))") { fchmod(fd, mode_t(meta.mode & 0o7777)) }
            var times = timestamps(meta.modified)
            try check("set the mtime of \(quote(path)) in \(quote(root))") { futimens(fd, &times) }
        }
        return report
    }

    // MARK: - Helpers shared by the extension files

    /// The error for `entry`: `extract "rootfs/../x" of "img.aci": path escapes the target`.
    func failure(_ entry: TarEntry, _ why: String, errno code: Int32? = nil) -> SkiffError {
        let message = "extract \(quote(entry.path)) of \(quote(archive)): \(why)"
        if let code { return SkiffError.system(message, errno: code) }
        return SkiffError(.invalid, message)
    }

    /// Records something left out on purpose.
    func skip(_ path: String, _ why: String) {
        report.skipped.append("\(path): \(why)")
    }

    /// atime left alone, mtime from the archive.
    func timestamps(_ t: TarTimestamp) -> [timespec] {
        [timespec(tv_sec: 0, tv_nsec: Int(utimeOmit)),
         timespec(tv_sec: Int(t.seconds), tv_nsec: Int(t.nanoseconds))]
    }

    private func depth(_ path: String) -> Int {
        path.utf8.reduce(0) { $1 == 0x2f ? $0 + 1 : $0 }
    }
}

/// UTIME_OMIT: leave that timestamp as it is.
let utimeOmit: Int = (1 << 30) - 2

/// The process umask, read from /proc/self/status (umask(2) would have to change it to read it,
/// which races with other threads). If unknown, 0o777: then every mode is set explicitly.
func currentUmask() -> mode_t {
    guard let status = try? FileSystem.read("/proc/self/status", limit: 1 << 16) else { return 0o777 }
    for line in String(decoding: status, as: UTF8.self).split(separator: "\n") where line.hasPrefix("Umask:") {
        let digits = line.dropFirst("Umask:".count).trimmingCharacters()
        if let value = mode_t(digits, radix: 8) { return value }
    }
    return 0o777
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(self).trimmingSpaces()
    }
}
