// The stage1 contract, interface version 1 (docs/stage1-abi.md): the names both sides use.

/// Constants of the contract between stage0 and every stage1.
public enum Stage1Contract {
    /// The interface version this Skiff implements.
    public static let interfaceVersion = 1

    /// Image manifest annotations naming a stage1's entrypoints and properties.
    public enum Annotation {
        public static let run = "skiff.dev/stage1/run"
        public static let enter = "skiff.dev/stage1/enter"
        public static let stop = "skiff.dev/stage1/stop"
        public static let gc = "skiff.dev/stage1/gc"
        public static let interfaceVersion = "skiff.dev/stage1/interface-version"
        public static let flavor = "skiff.dev/stage1/flavor"
        /// `netns`: the stage1 joins a pod network namespace stage0 made (`--netns=PATH`, CNI
        /// networks, `--port`, DNS files, `--mds-url`); absent: the stage1 handles `--net` alone.
        public static let network = "skiff.dev/stage1/network"
        /// `true`: the stage1 writes nothing in its root outside `skiff/`, so stage0 mounts the
        /// rest read-only (a cheaper mount: no upper layer); absent: the whole root is writable.
        public static let readOnlyRoot = "skiff.dev/stage1/read-only-root"
    }

    /// The environment variable holding the locked pod directory descriptor.
    public static let lockFDVariable = "SKIFF_LOCK_FD"
    /// The environment variable naming the data directory.
    public static let dataDirectoryVariable = "SKIFF_DATA_DIR"
    /// Exit status of a stage1 (or stage0) failing on its own account.
    public static let failureStatus: Int32 = 254
}

/// Paths inside a pod directory, relative to it (stage0 writes most; stage1 writes `pid` and the
/// app statuses). The single source of truth for the pod layout of docs/stage1-abi.md.
public struct PodPaths: Sendable {
    /// The pod directory (absolute, or "." for a stage1 whose cwd is the pod directory).
    public let root: String

    public init(root: String = ".") { self.root = root }

    public var manifest: String { root + "/pod" }
    public var created: String { root + "/pod-created" }
    public var pid: String { root + "/pid" }
    public var stage1Options: String { root + "/stage1-options" }
    public var stage1: String { root + "/stage1" }
    public var stage1Manifest: String { root + "/stage1/manifest" }
    public var stage1Rootfs: String { root + "/stage1/rootfs" }
    /// The directory of an app inside the stage1 root (holds `manifest` and `rootfs`).
    public func app(_ name: String) -> String { stage1Rootfs + "/opt/stage2/" + name }
    public func appRootfs(_ name: String) -> String { app(name) + "/rootfs" }
    public func appManifest(_ name: String) -> String { app(name) + "/manifest" }
    /// Where the stage1 writes an app's exit status.
    public func appStatus(_ name: String) -> String { stage1Rootfs + "/skiff/status/" + name }
    public var statusDirectory: String { stage1Rootfs + "/skiff/status" }
    /// The same status file in the stage1 overlay's upper directory, readable after unmounting.
    public func appStatusInUpper(_ name: String) -> String { overlay(.stage1).upper + "/skiff/status/" + name }
    /// The directory of an empty volume.
    public func sharedVolume(_ name: String) -> String { root + "/sharedVolumes/" + name }
    /// The overlay upper and work directories of the stage1 root or of an app's root, in the
    /// pod directory: `overlay-stage1.upper`, `overlay-app-<name>.upper` (AC names have no dot,
    /// and the prefix keeps an app named "stage1" from sharing the stage1's layers).
    public func overlay(_ layer: OverlayLayer) -> (upper: String, work: String) {
        // Not in an overlay/ directory of their own: one directory fewer to allocate at prepare
        // and free at gc.
        let base = root + "/overlay-" + layer.directoryName
        return (base + ".upper", base + ".work")
    }
    /// What image gc must keep for the pod, a line each: `tree <id>` for every tree its roots
    /// were made from, `image <id>` for its stage1 image (one file, not two: every file of a pod
    /// is an inode allocated at prepare and freed at gc).
    public var imageReferences: String { root + "/image-refs" }
}

/// Whose root an overlay makes.
public enum OverlayLayer: Sendable, Equatable {
    case stage1
    case app(String)

    var directoryName: String {
        switch self {
        case .stage1: return "stage1"
        case .app(let name): return "app-" + name
        }
    }
}
