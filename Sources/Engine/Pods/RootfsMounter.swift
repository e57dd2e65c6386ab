// The writable roots of a pod: overlayfs over the tree store, or a copy of the tree.
#if canImport(Glibc)
import Glibc
#endif
import SkiffStore

/// Makes a writable root at `target` from a rendered tree: an overlay whose lower layer is the
/// tree (shared, read-only, page cache shared by every pod) and whose upper and work directories
/// live in the pod directory; or, with `--no-overlay` or where overlayfs is missing, a copy.
enum RootfsMounter {
    /// Whether the kernel has overlayfs (read once from /proc/filesystems).
    static let overlayAvailable: Bool = {
        guard let bytes = try? FileSystem.read("/proc/filesystems") else { return false }
        // A byte search for the line "nodev\toverlay": splitting the text into Strings by
        // Character cost 190,000 instructions of every `skiff run`.
        return bytes.contains(utf8: "\toverlay\n")
    }()

    /// Makes `target` a writable copy-on-write view of `tree`; returns false when it copied.
    /// `populate` adds the pod's own entries to the root: called with the upper directory before
    /// the overlay is mounted (plain directories and files on the pod's file system, where the
    /// same through the overlay would look up every component in both layers and create in the
    /// work directory first), or with `target` after a copy.
    ///
    /// `writable`: nil for a root writable everywhere. Otherwise the root is read-only except for
    /// these directories (made by `populate`): the pod's layer becomes the overlay's top lower
    /// layer, there is no upper layer, and each of them is bound from the pod's layer over
    /// itself. A mount without an upper layer has no work directory and skips the probes
    /// overlayfs makes in it at every mount (a directory, a temporary file, a whiteout rename,
    /// xattrs: four inodes created and three deleted, the dearest part of preparing a pod).
    @discardableResult
    static func mount(
        _ tree: RenderedTree, at target: String, layer: String, podOverlay: (upper: String, work: String), overlay: Bool,
        writable: [String]? = nil, populate: (String) throws -> Void = { _ in }
    ) throws -> Bool {
        try FileSystem.createDirectory(target, mode: 0o755)
        if overlay && overlayAvailable, let writable {
            try mountReadOnly(tree, at: target, layer: layer, podLayer: podOverlay.upper, writable: writable, populate: populate)
            return true
        }
        if overlay && overlayAvailable {
            let (upper, work) = podOverlay
            try FileSystem.createDirectory(upper, mode: 0o755)
            try FileSystem.createDirectory(work, mode: 0o700)
            try populate(upper)
            let options = "lowerdir=\(tree.rootfs),upperdir=\(upper),workdir=\(work)"
            if Glibc.mount("overlay", target, "overlay", 0, options) == 0 {
                try copyRootMetadata(from: tree.rootfs, to: upper)
                return true
            }
            let error = errno
            // Not every file system can be an upper layer (overlay on overlay, some FUSE): copy.
            guard error == EINVAL || error == ENODEV || error == ENOTSUP || error == EOPNOTSUPP else {
                throw SkiffError.system("mount overlay of \(layer) at \(quote(target))", errno: error)
            }
        }
        let result = try Subprocess.run(["cp", "-a", "--no-target-directory", tree.rootfs, target])
        guard result.status == 0 else {
            throw SkiffError(.system, "copy the root of \(layer) to \(quote(target)): cp: \(result.stderrLastLine)")
        }
        try populate(target)
        return false
    }

    /// The read-only variant of `mount` (see `writable` there).
    private static func mountReadOnly(
        _ tree: RenderedTree, at target: String, layer: String, podLayer: String, writable: [String],
        populate: (String) throws -> Void
    ) throws {
        try FileSystem.createDirectory(podLayer, mode: 0o755)
        try populate(podLayer)
        try copyRootMetadata(from: tree.rootfs, to: podLayer)
        let options = "lowerdir=\(podLayer):\(tree.rootfs)"
        try check("mount read-only overlay of \(layer) at \(quote(target))") {
            Glibc.mount("overlay", target, "overlay", UInt(MS_RDONLY), options)
        }
        for directory in writable {
            let source = podLayer + "/" + directory, mountPoint = target + "/" + directory
            guard Glibc.mount(source, mountPoint, nil, UInt(MS_BIND), nil) == 0 else {
                let error = errno
                _ = umount2(target, Int32(MNT_DETACH))
                throw SkiffError.system("bind \(quote(source)) on \(quote(mountPoint)) (writable part of \(layer))", errno: error)
            }
        }
    }

    /// The overlay's root directory takes the upper directory's mode; make it the tree's.
    private static func copyRootMetadata(from lower: String, to upper: String) throws {
        let st = try FileSystem.status(lower)
        chmod(upper, st.st_mode & 0o7777)
        _ = chown(upper, st.st_uid, st.st_gid)
    }
}
