// What fly mounts into the app's root before the chroot, and takes down after the app ended.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffSystem

/// The mounts a stage1 made, in order, so they come down in reverse.
public final class MountStack {
    /// Host paths mounted on, oldest first.
    public private(set) var targets: [String] = []

    /// An empty stack.
    public init() {}

    /// Records a mount made on `target`.
    public func push(_ target: String) { targets.append(target) }

    /// Unmounts everything recorded, newest first, lazily (MNT_DETACH also takes the mounts below
    /// a recursive bind); failures are reported and skipped, so one busy mount does not keep the
    /// others up. stage0 unmounts whatever is left when it removes the pod.
    public func unmountAll(_ reporter: Stage1Reporter) {
        while let target = targets.popLast() {
            do {
                try Mounts.unmount(target)
            } catch {
                reporter.warn("\(error)")
            }
        }
    }
}

/// fly's mounts, in this order: the root bound on itself, then on that bind /dev, /proc and /sys
/// bound recursively from the host, a tmpfs on /tmp (mode 1777, as rkt's fly; skipped when a
/// volume goes there), the volumes; then the root made read-only if asked.
///
/// Everything hangs below the root's own bind, so one lazy unmount of it takes all of fly's
/// mounts down when the app ends: each umount2 waits for an RCU grace period (~35 µs here), and
/// four of them were a tenth of a millisecond of every pod. The bind also gives `readOnlyRootFS`
/// a mount of its own, so read-only applies to the root and not to the file system the pod
/// directory lives on. The overlay below (stage0's) stays, for readers of the exited pod.
enum FlyMounts {
    /// The host trees fly binds into every app root, recursively.
    static let hostTrees = ["/dev", "/proc", "/sys"]

    static func setUp(
        app: RuntimeApp, manifest: PodManifest, paths: PodPaths, appRoot: String, mounts: MountStack, reporter: Stage1Reporter
    ) throws {
        try Mounts.bind(appRoot, on: appRoot, recursive: false, readOnly: false)
        mounts.push(appRoot)
        let root = try ConfinedRoot(appRoot)
        for tree in hostTrees {
            let target = try Mounts.confinedTarget(tree, in: root, directory: true)
            reporter.debug("bind \(tree) on \(quote(target)) recursively")
            try Mounts.bind(tree, on: target, recursive: true, readOnly: false)
        }
        let volumePaths = Set(app.mounts.map { "/" + $0.path.split(separator: "/").joined(separator: "/") })
        if !volumePaths.contains("/tmp") {
            let target = try Mounts.confinedTarget("/tmp", in: root, directory: true)
            reporter.debug("mount tmpfs on \(quote(target))")
            try Mounts.tmpfs(target, options: "mode=1777")
        }
        // appc's default (recursive host volumes), not rkt fly's (non-recursive): the same pod
        // manifest then means the same mounts under every Skiff stage1.
        try VolumeMounter.mount(
            app: app, manifest: manifest, paths: paths, appRoot: appRoot, recursiveDefault: true, log: { reporter.debug($0) })
        if app.readOnlyRootFS {
            reporter.debug("make \(quote(appRoot)) read-only")
            try Mounts.makeReadOnly(appRoot, recursive: false)
        }
    }
}
