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
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").contains { $0.hasSuffix("\toverlay") }
    }()

    /// Makes `target` a writable copy-on-write view of `tree`; returns false when it copied.
    /// `populate` adds the pod's own entries to the root: called with the upper directory before
    /// the overlay is mounted (plain directories and files on the pod's file system, where the
    /// same through the overlay would look up every component in both layers and create in the
    /// work directory first), or with `target` after a copy.
    @discardableResult
    static func mount(
        _ tree: RenderedTree, at target: String, layer: String, podOverlay: (upper: String, work: String), overlay: Bool,
        populate: (String) throws -> Void = { _ in }
    ) throws -> Bool {
        try FileSystem.createDirectory(target, mode: 0o755)
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

    /// The overlay's root directory takes the upper directory's mode; make it the tree's.
    private static func copyRootMetadata(from lower: String, to upper: String) throws {
        let st = try FileSystem.status(lower)
        chmod(upper, st.st_mode & 0o7777)
        _ = chown(upper, st.st_uid, st.st_gid)
    }
}
