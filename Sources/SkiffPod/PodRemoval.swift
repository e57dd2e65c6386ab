// Deleting a pod directory without ever deleting through a mount (a host volume bound in!).
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// rm -rf of a pod directory, descriptor-relative (openat/unlinkat, O_NOFOLLOW: a symlink an app
/// planted is removed, never followed) and confined to one mount: every directory must have the
/// st_dev and, where the kernel reports it (5.8+), the mount ID of the pod directory, which must
/// itself sit on the mount of its parent. Unmounting first is `PodMounts`' job; this is the second
/// guard, for a mount that was missed: it refuses, leaving everything in place.
enum PodRemoval {
    /// Removes `path` and everything below it. Missing is fine.
    static func removeTree(_ path: String) throws {
        let parent = try FileDescriptor.open(FileSystem.parentPath(path), O_RDONLY | O_DIRECTORY)
        let name = FileSystem.baseName(path)
        let top: FileDescriptor
        do {
            top = try parent.openAt(name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        } catch let error as SkiffError where error.errno == ENOENT {
            return
        }
        let mount = try MountIdentity(top)
        guard try MountIdentity(parent) == mount else {
            throw SkiffError(.invalid, "remove \(quote(path)): a mount point, not removing across it")
        }
        try removeContents(of: top, on: mount)
        top.close()
        try check("rmdir \(quote(path))") { unlinkat(parent.raw, name, AT_REMOVEDIR) }
    }

    /// Empties the directory `directory`, which lies on `mount`.
    private static func removeContents(of directory: FileDescriptor, on mount: MountIdentity) throws {
        try makeWritable(directory)
        for (name, isDirectory) in try entries(of: directory) {
            let child = directory.path + "/" + name
            if isDirectory, let sub = try openSubdirectory(name, in: directory) {
                guard try MountIdentity(sub) == mount else {
                    throw SkiffError(.invalid, "remove \(quote(child)): a mount point, not removing across it")
                }
                try removeContents(of: sub, on: mount)
                sub.close()
                if unlinkat(directory.raw, name, AT_REMOVEDIR) < 0 && errno != ENOENT {
                    throw SkiffError.system("rmdir \(quote(child))")
                }
            } else if unlinkat(directory.raw, name, 0) < 0 && errno != ENOENT {
                throw SkiffError.system("unlink \(quote(child))")
            }
        }
    }

    /// The entries of a directory with whether each is a directory (d_type, or lstat when the
    /// file system does not say). Read completely before anything is removed, and the stream is
    /// closed at once, so a deep tree holds one descriptor per level.
    private static func entries(of directory: FileDescriptor) throws -> [(String, Bool)] {
        let copy = try check("dup \(quote(directory.path))") { fcntl(directory.raw, F_DUPFD_CLOEXEC, 0) }
        guard let stream = fdopendir(copy) else {
            close(copy)
            throw SkiffError.system("opendir \(quote(directory.path))")
        }
        defer { closedir(stream) }
        var result: [(String, Bool)] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            var isDirectory = entry.pointee.d_type == 4  // DT_DIR
            if entry.pointee.d_type == 0 {  // DT_UNKNOWN
                var st = stat()
                isDirectory = fstatat(directory.raw, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mode & S_IFMT == S_IFDIR
            }
            result.append((name, isDirectory))
        }
        return result
    }

    /// Opens a subdirectory without following symlinks; nil if it vanished or turned out not to
    /// be a directory (then the caller unlinks it as a file). A directory this user cannot open
    /// (mode 0 in an image) is given owner rights first.
    private static func openSubdirectory(_ name: String, in directory: FileDescriptor) throws -> FileDescriptor? {
        var retried = false
        while true {
            let fd = openat(directory.raw, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 { return FileDescriptor(owning: fd, path: directory.path + "/" + name) }
            let code = errno
            if code == ENOENT || code == ENOTDIR || code == ELOOP { return nil }
            var st = stat()
            guard code == EACCES, !retried, fstatat(directory.raw, name, &st, AT_SYMLINK_NOFOLLOW) == 0,
                st.st_mode & S_IFMT == S_IFDIR, fchmodat(directory.raw, name, 0o700, 0) == 0
            else {
                throw SkiffError.system("open \(quote(directory.path + "/" + name))", errno: code)
            }
            retried = true
        }
    }

    /// Read-only directories (from images) are made writable by their owner so that an
    /// unprivileged gc can empty them; root needs no such thing.
    private static func makeWritable(_ directory: FileDescriptor) throws {
        let st = try directory.stat()
        if st.st_mode & 0o700 != 0o700 && st.st_uid == geteuid() { _ = fchmod(directory.raw, st.st_mode & 0o7777 | 0o700) }
    }
}

/// Which mount a descriptor is on: st_dev, plus the mount ID where the kernel gives it (a bind
/// mount of a directory of the same file system has the same st_dev but its own mount ID).
struct MountIdentity: Equatable {
    let device: dev_t
    let mountID: UInt64?

    init(_ fd: FileDescriptor) throws {
        device = try fd.stat().st_dev
        var id: UInt64 = 0
        mountID = sk_fd_mount_id(fd.raw, &id) == 0 ? id : nil
    }
}
