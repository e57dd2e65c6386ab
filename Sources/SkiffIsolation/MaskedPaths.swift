// rkt's masked and read-only kernel paths (rkt.md §5 "Paths"): what an app must not write or
// see under /proc and /sys. Lifted by --insecure-options=paths (then simply not applied).
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// The paths, and the mounts that protect them.
public enum MaskedPaths {
    /// Bound onto themselves read-only.
    public static let readOnly: [String] = [
        "/proc/bus", "/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe", "/proc/sys/vm/panic_on_oom",
        "/proc/sysrq-trigger", "/sys/block", "/sys/bus", "/sys/class", "/sys/dev", "/sys/devices", "/sys/kernel",
    ]

    /// Covered: a directory by an empty read-only tmpfs, a file by /dev/null (read-only).
    public static let hidden: [String] = [
        "/sys/firmware", "/sys/fs", "/sys/hypervisor", "/sys/module", "/sys/power", "/proc/config.gz", "/proc/kallsyms",
        "/proc/sched_debug", "/proc/kcore", "/proc/kmem", "/proc/mem",
    ]

    /// Skiff's additions to rkt's read-only list (what Docker and runc protect too): the whole of
    /// /proc/sys (most sysctls check only the file mode, so a root app could change the host's
    /// kernel settings without any capability) and /proc/irq.
    public static let extraReadOnly: [String] = ["/proc/sys", "/proc/irq"]

    /// Skiff's additions to rkt's hidden list: the host's keys and timers.
    public static let extraHidden: [String] = ["/proc/keys", "/proc/timer_list"]

    /// The mounts for the app root `appRoot` (a path the caller sees; its /proc and /sys already
    /// mounted). Paths the kernel does not have are skipped. A hidden directory that holds a
    /// path of `except` is not covered itself: its other entries are, one by one (e.g.
    /// except ["/sys/fs/cgroup"] keeps the cgroup view a stage1 mounted there and hides the rest
    /// of /sys/fs). Refuses a path with a symbolic link in it: the mounts must land inside the root.
    public static func plan(appRoot: String, except: Set<String> = []) throws -> MaskPlan {
        let base = appRoot.hasSuffix("/") ? String(appRoot.dropLast()) : appRoot
        var entries: [MaskPlan.Entry] = []
        for path in extraReadOnly + readOnly {
            if let st = try status(base, path) { entries.append(.init(path: base + path, kind: .readOnly, isDirectory: isDirectory(st))) }
        }
        for path in hidden + extraHidden { try hide(base, path, except: except, into: &entries) }
        return MaskPlan(entries: entries)
    }

    /// Plans and applies the mounts in the calling thread's mount namespace, which must be the
    /// app's (or pod's) own and must not propagate to the host.
    public static func apply(appRoot: String, except: Set<String> = []) throws {
        try plan(appRoot: appRoot, except: except).apply()
    }

    private static func hide(_ base: String, _ path: String, except: Set<String>, into entries: inout [MaskPlan.Entry]) throws {
        guard let st = try status(base, path) else { return }
        let directory = isDirectory(st)
        if directory && except.contains(where: { $0.hasPrefix(path + "/") }) {
            for name in try FileSystem.list(base + path) {
                let inner = path + "/" + name
                if except.contains(inner) { continue }
                try hide(base, inner, except: except, into: &entries)
            }
            return
        }
        if except.contains(path) { return }
        entries.append(.init(path: base + path, kind: directory ? .hideDirectory : .hideFile, isDirectory: directory))
    }

    private static func isDirectory(_ st: stat) -> Bool { st.st_mode & S_IFMT == S_IFDIR }

    /// lstat of base + path after checking that no component below base is a symlink; nil if
    /// something is missing.
    private static func status(_ base: String, _ path: String) throws -> stat? {
        var current = base
        var st = stat()
        for component in path.split(separator: "/") {
            current += "/" + component
            if lstat(current, &st) < 0 {
                if errno == ENOENT || errno == ENOTDIR { return nil }
                throw SkiffError.system("stat \(quote(current))")
            }
            if st.st_mode & S_IFMT == S_IFLNK {
                throw SkiffError(.invalid, "mask \(quote(current)): a symbolic link, refusing to mount over it")
            }
        }
        return st
    }
}

/// The mounts MaskedPaths.plan chose, ready to apply here or in a forked child (PreparedIsolation).
public struct MaskPlan: Sendable, Equatable {
    /// One mount.
    public struct Entry: Sendable, Equatable {
        /// The path as the caller sees it.
        public var path: String
        /// What to mount.
        public var kind: Kind
        /// Whether the path is a directory.
        public var isDirectory: Bool

        /// An entry.
        public init(path: String, kind: Kind, isDirectory: Bool) {
            self.path = path
            self.kind = kind
            self.isDirectory = isDirectory
        }
    }

    /// The treatment of one path.
    public enum Kind: Sendable, Equatable {
        /// Read-only bind onto itself.
        case readOnly
        /// /dev/null over a file.
        case hideFile
        /// Empty read-only tmpfs over a directory.
        case hideDirectory

        var cValue: Int32 {
            switch self {
            case .readOnly: return Int32(SK_MASK_READONLY.rawValue)
            case .hideFile: return Int32(SK_MASK_HIDE_FILE.rawValue)
            case .hideDirectory: return Int32(SK_MASK_HIDE_DIR.rawValue)
            }
        }
    }

    /// The mounts, read-only ones first.
    public var entries: [Entry]

    /// Applies the mounts in the calling thread's mount namespace.
    public func apply() throws {
        let paths = entries.map { strdup($0.path) }
        defer { paths.forEach { free($0) } }
        let masks = zip(entries, paths).map { sk_mask(path: UnsafePointer($1), kind: $0.kind.cValue) }
        var failed = 0
        let rc = masks.withUnsafeBufferPointer { sk_masks_apply($0.baseAddress, $0.count, &failed) }
        if rc < 0 { throw SkiffError.system("mask \(quote(entries[failed].path))") }
    }
}
