// Creating the final component of each entry kind, never following what is already there.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

extension SafeExtractor {
    /// A regular file: created O_EXCL|O_NOFOLLOW (replacing what was there), data written from the
    /// reader's buffer, then owner, mode, xattrs and mtime set through the descriptor.
    func writeFile(_ entry: TarEntry, parent: Int32, name: String, path: String, reader: TarReader) throws {
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        let createMode = mode_t(entry.mode & 0o777)
        var fd = openat(parent, name, flags, createMode)
        if fd < 0 && errno == EEXIST {
            _ = try clearFinalComponent(entry, parent: parent, name: name, path: path, keepDirectory: false)
            fd = openat(parent, name, flags, createMode)
        }
        if fd < 0 { throw failure(entry, "create", errno: errno) }
        defer { close(fd) }
        var copied: Int64 = 0
        var piece = Int.max
        while true {
            let chunk = try reader.nextChunk(max: Int.max)
            guard let base = chunk.baseAddress, chunk.count > 0 else { break }
            if copied == 0 && Self.isELF(chunk) { piece = Self.mappedFilePiece }
            var offset = 0
            while offset < chunk.count {
                let n = Glibc.write(fd, base + offset, min(chunk.count - offset, piece))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure(entry, "write", errno: errno)
                }
                offset += n
            }
            copied += Int64(chunk.count)
        }
        report.bytes += copied
        if options.preserveOwnership && fchown(fd, entry.uid, entry.gid) < 0 {
            throw failure(entry, "chown to \(entry.uid):\(entry.gid)", errno: errno)
        }
        // The creation mode went through the umask, and chown cleared setuid/setgid.
        if entry.mode & 0o7000 != 0 || mode_t(entry.mode & 0o777) & umask != 0 {
            if fchmod(fd, mode_t(entry.mode & 0o7777)) < 0 { throw failure(entry, "chmod", errno: errno) }
        }
        for (key, value) in entry.xattrs.sorted(by: { $0.key < $1.key }) {
            let rc = value.withUnsafeBytes { sk_fsetxattr(fd, key, $0.baseAddress, $0.count) }
            if rc < 0 { try xattrFailed(entry, path: path, key: key, errno: errno) }
        }
        var times = timestamps(entry.modified)
        if futimens(fd, &times) < 0 { throw failure(entry, "set the mtime", errno: errno) }
    }

    /// Programs and libraries are written in pieces of this size. A buffered write fills the
    /// page cache with folios as large as the write (up to 2 MiB on ext4 and XFS), and Linux 6.18
    /// maps a whole cached folio when a process faults on any page of it: every process started
    /// from a freshly extracted image would map, and count in its RSS, up to 2 MiB of text around
    /// each page it runs. 64 KiB is the fault-around window, what a fault mapped anyway on older
    /// kernels: one folio per window. The container pod's init measured 4.1-5.8 MiB from a binary
    /// written in 1 MiB pieces, 2.1 MiB from 64 KiB pieces, 1.8 MiB from 16 KiB pieces; smaller
    /// pieces cost every start more per-folio work at each fault and at exit (16 KiB: a fly
    /// `run` 0.12 ms slower, fly-run and the app both; docs/images.md, the extractor's rules).
    static let mappedFilePiece = 64 << 10

    /// Whether a file's first bytes are an ELF header (what the kernel maps into a process).
    static func isELF(_ chunk: UnsafeRawBufferPointer) -> Bool {
        chunk.count >= 4 && chunk[0] == 0x7f && chunk[1] == 0x45 && chunk[2] == 0x4c && chunk[3] == 0x46
    }

    /// A directory: created 0700 (so it can receive children whatever its final mode) or kept if
    /// one exists; mode, owner and mtime are applied by finish().
    func makeDirectory(_ entry: TarEntry, parent: Int32, name: String, path: String) throws {
        if mkdirat(parent, name, 0o700) < 0 {
            guard errno == EEXIST else { throw failure(entry, "mkdir", errno: errno) }
            let kept = try clearFinalComponent(entry, parent: parent, name: name, path: path, keepDirectory: true)
            if !kept && mkdirat(parent, name, 0o700) < 0 { throw failure(entry, "mkdir", errno: errno) }
        }
        if umask & 0o700 != 0 { fchmodat(parent, name, 0o700, 0) }
        pendingDirectories[path] = PendingDirectory(mode: entry.mode, uid: entry.uid, gid: entry.gid, modified: entry.modified)
        if entry.xattrs.isEmpty { return }
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 { throw failure(entry, "open the new directory", errno: errno) }
        defer { close(fd) }
        for (key, value) in entry.xattrs.sorted(by: { $0.key < $1.key }) {
            let rc = value.withUnsafeBytes { sk_fsetxattr(fd, key, $0.baseAddress, $0.count) }
            if rc < 0 { try xattrFailed(entry, path: path, key: key, errno: errno) }
        }
    }

    /// A symlink, stored as it is: its target only means something once resolved in the root.
    func makeSymlink(_ entry: TarEntry, parent: Int32, name: String, path: String) throws {
        if entry.linkTarget.isEmpty { throw failure(entry, "symlink with an empty target") }
        if entry.linkTarget.utf8.contains(0) { throw failure(entry, "symlink target contains a nul byte") }
        if symlinkat(entry.linkTarget, parent, name) < 0 {
            guard errno == EEXIST else { throw failure(entry, "symlink", errno: errno) }
            _ = try clearFinalComponent(entry, parent: parent, name: name, path: path, keepDirectory: false)
            if symlinkat(entry.linkTarget, parent, name) < 0 { throw failure(entry, "symlink", errno: errno) }
        }
        try applyMetadata(entry, parent: parent, name: name, path: path, setMode: false)
    }

    /// A hard link to a regular file already inside the root.
    func makeHardLink(_ entry: TarEntry, parent: Int32, name: String, path: String) throws {
        let target: String
        do { target = try EntryPath.clean(entry.linkTarget, maxBytes: options.limits.maxPathBytes) } catch {
            switch error {
            case .absolute, .escapes: throw failure(entry, "hard link to outside the root (\(quote(entry.linkTarget)))")
            default: throw failure(entry, "hard link target: \(error.message)")
            }
        }
        if target == path { return }  // a link to itself: already there
        let (targetParentPath, targetName) = EntryPath.split(target)
        let targetParent = resolver.openDirectory(targetParentPath)
        if targetParent < 0 {
            if errno == ENOENT || errno == ENOTDIR { throw failure(entry, "hard link to a missing file \(quote(target))") }
            throw parentFailure(entry, targetParentPath, errno)
        }
        defer { close(targetParent) }
        var st = stat()
        if fstatat(targetParent, targetName, &st, AT_SYMLINK_NOFOLLOW) < 0 {
            if errno == ENOENT { throw failure(entry, "hard link to a missing file \(quote(target))") }
            throw failure(entry, "stat the hard link target \(quote(target))", errno: errno)
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: throw failure(entry, "hard link to a symlink (\(quote(target)))")
        case S_IFDIR: throw failure(entry, "hard link to a directory (\(quote(target)))")
        default: throw failure(entry, "hard link to a special file (\(quote(target)))")
        }
        if linkat(targetParent, targetName, parent, name, 0) < 0 {
            guard errno == EEXIST else { throw failure(entry, "link to \(quote(target))", errno: errno) }
            _ = try clearFinalComponent(entry, parent: parent, name: name, path: path, keepDirectory: false)
            if linkat(targetParent, targetName, parent, name, 0) < 0 {
                throw failure(entry, "link to \(quote(target))", errno: errno)
            }
        }
    }

    /// A FIFO, or a device node if the device policy and privileges allow it (else reported).
    func makeNode(_ entry: TarEntry, parent: Int32, name: String, path: String) throws {
        let type: mode_t
        switch entry.kind {
        case .characterDevice: type = S_IFCHR
        case .blockDevice: type = S_IFBLK
        default: type = S_IFIFO
        }
        if type != S_IFIFO {
            let what = "\(type == S_IFCHR ? "character" : "block") device \(entry.deviceMajor):\(entry.deviceMinor)"
            if let why = refusal(entry) {
                skip(path, "\(what) not created (\(why))")
                return
            }
        }
        let mode = type | mode_t(entry.mode & 0o777)
        if sk_mknodat(parent, name, mode, entry.deviceMajor, entry.deviceMinor) < 0 {
            if errno == EPERM && type != S_IFIFO {
                skip(path, "device \(entry.deviceMajor):\(entry.deviceMinor) not created (mknod not permitted)")
                return
            }
            guard errno == EEXIST else { throw failure(entry, "mknod", errno: errno) }
            _ = try clearFinalComponent(entry, parent: parent, name: name, path: path, keepDirectory: false)
            if sk_mknodat(parent, name, mode, entry.deviceMajor, entry.deviceMinor) < 0 {
                throw failure(entry, "mknod", errno: errno)
            }
        }
        try applyMetadata(entry, parent: parent, name: name, path: path, setMode: true)
    }

    /// Why a device entry is not created, or nil if it is.
    private func refusal(_ entry: TarEntry) -> String? {
        switch options.devices {
        case .none: return "device policy: none"
        case .standardOnly:
            let standard: Set<UInt64> = [0x1_0003, 0x1_0005, 0x1_0007, 0x1_0008, 0x1_0009, 0x5_0000, 0x5_0001, 0x5_0002]
            let number = UInt64(entry.deviceMajor) << 16 | UInt64(entry.deviceMinor & 0xffff)
            if entry.kind != .characterDevice || entry.deviceMinor > 0xffff || !standard.contains(number) {
                return "device policy: standard devices only"
            }
        case .all: break
        }
        return privileged ? nil : "not running as root"
    }
}
