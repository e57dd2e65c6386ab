// Mounting for stage1s: thin wrappers over mount(2) and umount2(2) whose errors name source,
// target and errno, and the creation of mount targets inside an app's root (appc F.57).
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// Mounting helpers: bind (recursive or not, read-only), tmpfs, proc, sysfs, unmount, and
/// `confinedTarget`, which creates a mount target inside a root following symlinks only within it.
public enum Mounts {
    /// Bind-mounts `source` on `target` (`recursive`: with every mount below `source`), then
    /// makes it read-only if asked (every mount of the tree when recursive).
    public static func bind(_ source: String, on target: String, recursive: Bool, readOnly: Bool) throws {
        let flags = UInt(MS_BIND) | (recursive ? UInt(MS_REC) : 0)
        try check("bind \(quote(source)) on \(quote(target))") { mount(source, target, nil, flags, nil) }
        if readOnly {
            do {
                try makeReadOnly(target, recursive: recursive)
            } catch {
                _ = umount2(target, Int32(MNT_DETACH))
                throw error
            }
        }
    }

    /// Makes the mount at `target` read-only, keeping its other flags. mount_setattr(2) where the
    /// kernel has it (5.12+); else a bind remount per mount, carrying over the flags statvfs
    /// reports (a plain remount would clear nosuid, nodev and noexec).
    public static func makeReadOnly(_ target: String, recursive: Bool) throws {
        if sk_mount_set_readonly(target, recursive ? 1 : 0) == 0 { return }
        guard errno == ENOSYS else { throw SkiffError.system("make \(quote(target)) read-only") }
        let below = recursive ? try MountInfo.mountPoints(under: target) : []
        for point in [target] + below.filter({ $0 != target }) {
            var fs = statvfs()
            try check("statvfs \(quote(point))") { statvfs(point, &fs) }
            var flags = UInt(MS_BIND) | UInt(MS_REMOUNT) | UInt(MS_RDONLY)
            // statvfs's ST_NOSUID 2, ST_NODEV 4, ST_NOEXEC 8, ST_NOATIME 1024, ST_NODIRATIME 2048,
            // ST_RELATIME 4096 (GNU names Swift does not see) and the MS_ flags they mirror.
            let carried: [(UInt, UInt)] = [
                (2, UInt(MS_NOSUID)), (4, UInt(MS_NODEV)), (8, UInt(MS_NOEXEC)), (1024, UInt(MS_NOATIME)),
                (2048, UInt(MS_NODIRATIME)), (4096, UInt(MS_RELATIME)),
            ]
            for (st, ms) in carried where fs.f_flag & st != 0 { flags |= ms }
            try check("remount \(quote(point)) read-only") { mount(nil, point, nil, flags, nil) }
        }
    }

    /// Mounts a tmpfs on `target` (nosuid, nodev) with `options` ("mode=1777", "size=...").
    public static func tmpfs(_ target: String, options: String = "mode=1777") throws {
        try check("mount tmpfs on \(quote(target))") {
            mount("tmpfs", target, "tmpfs", UInt(MS_NOSUID) | UInt(MS_NODEV), options)
        }
    }

    /// Mounts a procfs on `target` (nosuid, nodev, noexec). Needs a PID namespace of its own to
    /// show only the pod's processes; in the host's it shows the host's.
    public static func proc(_ target: String) throws {
        try check("mount proc on \(quote(target))") {
            mount("proc", target, "proc", UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC), nil)
        }
    }

    /// Mounts a sysfs on `target` (nosuid, nodev, noexec; read-only unless asked otherwise, as
    /// rkt's stage1 did).
    public static func sysfs(_ target: String, readOnly: Bool = true) throws {
        let flags = UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC) | (readOnly ? UInt(MS_RDONLY) : 0)
        try check("mount sysfs on \(quote(target))") { mount("sysfs", target, "sysfs", flags, nil) }
    }

    /// Unmounts `target`; `detach`: lazily, with every mount below it (MNT_DETACH), so a busy
    /// mount goes as soon as its last user does.
    public static func unmount(_ target: String, detach: Bool = true) throws {
        try check("unmount \(quote(target))") { umount2(target, detach ? Int32(MNT_DETACH) : 0) }
    }

    /// Creates the mount target `path` (absolute, as the app sees it) inside `root` if missing —
    /// a directory, or an empty file when `directory` is false — with missing parents 0755 root:root
    /// (appc F.57). Symlinks on the way are resolved inside the root, never outside. Returns the
    /// host path of the target. An existing target of the other kind is an error (rkt's fly did
    /// the same; appc F.59 would replace a file by a directory, which destroys image content).
    public static func confinedTarget(_ path: String, in root: String, directory: Bool = true) throws -> String {
        try confinedTarget(path, in: try ConfinedRoot(root), directory: directory)
    }

    /// `confinedTarget` against an already open root.
    static func confinedTarget(_ path: String, in root: ConfinedRoot, directory: Bool) throws -> String {
        let fd = try root.create(path, directory ? .directory : .file)
        var st = stat()
        try check("stat mount target \(quote(path)) inside \(quote(root.path))") { fstat(fd.raw, &st) }
        let isDirectory = st.st_mode & S_IFMT == S_IFDIR
        if directory && !isDirectory {
            throw SkiffError(.invalid, "mount target \(quote(path)) inside \(quote(root.path)): not a directory, and the source is one")
        }
        if !directory && isDirectory {
            throw SkiffError(.invalid, "mount target \(quote(path)) inside \(quote(root.path)): a directory, and the source is not one")
        }
        return try ConfinedRoot.hostPath(of: fd)
    }
}
