// Where the cgroup hierarchies are and where the calling process sits in them, detected from
// /proc/self/mountinfo and /proc/self/cgroup. v1 (one hierarchy per controller group), v2 (one
// unified hierarchy) and hybrid hosts (v1 controllers plus a cgroup2 mount, like this project's
// machine) are all described the same way: a list of hierarchies. Never assumed, always read.
import SkiffSystem

/// A controller Skiff uses.
public enum CgroupController: String, Sendable, CaseIterable, Comparable {
    /// memory.limit_in_bytes / memory.max.
    case memory
    /// cfs quota and shares / cpu.max and cpu.weight.
    case cpu
    /// devices.allow / a BPF_PROG_TYPE_CGROUP_DEVICE program (v2 has no device controller).
    case devices
    /// Tracking only: every pod node has it, so its processes can be listed and killed.
    case pids

    /// Ordered by name (a stable order for creating directories).
    public static func < (a: CgroupController, b: CgroupController) -> Bool { a.rawValue < b.rawValue }
}

/// One mounted hierarchy.
public struct CgroupHierarchy: Sendable, Equatable {
    /// 1 (legacy) or 2 (unified).
    public var version: Int
    /// v1: the controllers mounted together ("cpu", "cpuacct"; "name=systemd" for a named one).
    /// v2: the controllers available at the caller's cgroup (its cgroup.controllers).
    public var controllers: Set<String>
    /// Where it is mounted ("/sys/fs/cgroup/memory").
    public var mountPoint: String
    /// The calling process's cgroup in it ("/user.slice"), as /proc/self/cgroup says.
    public var callerPath: String
    /// The directory of that cgroup (mount point + caller path below the mount's root).
    public var callerDirectory: String

    /// Whether this hierarchy serves `controller` (v2 always serves devices, through BPF).
    public func serves(_ controller: CgroupController) -> Bool {
        if version == 2 && controller == .devices { return true }
        return controllers.contains(controller.rawValue)
    }
}

/// The host's cgroup hierarchies.
public struct CgroupLayout: Sendable, Equatable {
    /// What kind of host this is.
    public enum Mode: String, Sendable {
        /// v1 only.
        case legacy
        /// v2 only.
        case unified
        /// v1 controllers and a cgroup2 mount.
        case hybrid
    }

    /// legacy, unified or hybrid.
    public var mode: Mode
    /// Every cgroup mount below the root, in mountinfo order (named v1 hierarchies included).
    public var hierarchies: [CgroupHierarchy]

    /// The cgroup2 hierarchy, if mounted.
    public var unified: CgroupHierarchy? { hierarchies.first { $0.version == 2 } }

    /// Where `controller` lives: its v1 hierarchy if it has one (on a hybrid host the v1 mount
    /// wins, as the kernel binds a controller to one hierarchy), else the unified one if it
    /// offers it there.
    public func hierarchy(for controller: CgroupController) -> CgroupHierarchy? {
        if let legacy = hierarchies.first(where: { $0.version == 1 && $0.serves(controller) }) { return legacy }
        if let unified, unified.serves(controller) { return unified }
        return nil
    }
}

/// Detecting and creating cgroups.
public enum Cgroups {
    /// The layout as seen by the calling process. `root` is where cgroup mounts are looked for
    /// (mounts elsewhere are ignored) and `proc` the procfs to read self/mountinfo and
    /// self/cgroup from: both are seams, so tests can point them at a fake tree.
    public static func detect(root: String = "/sys/fs/cgroup", proc: String = "/proc") throws -> CgroupLayout {
        let mountinfo = String(decoding: try FileSystem.read(proc + "/self/mountinfo"), as: UTF8.self)
        let membership = String(decoding: try FileSystem.read(proc + "/self/cgroup"), as: UTF8.self)
        return try layout(mountinfo: mountinfo, cgroup: membership, root: root)
    }

    /// The layout from the two files' text.
    static func layout(mountinfo: String, cgroup: String, root: String) throws -> CgroupLayout {
        var paths: [String: String] = [:]  // "cpu,cpuacct" or "" (v2) → path
        for line in cgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            paths[normalize(String(fields[1]))] = String(fields[2])
        }
        var hierarchies: [CgroupHierarchy] = []
        let prefix = root.hasSuffix("/") ? root : root + "/"
        // Bytes, not Characters: splitting the whole mountinfo by grapheme cost 2.5 ms of every
        // pod start (measured); only cgroup mounts are parsed at all.
        for line in mountinfo.utf8.split(separator: UInt8(ascii: "\n")) where MountInfoLine.mayBeCgroup(line) {
            guard let mount = MountInfoLine(Substring(line)), mount.point == root || mount.point.hasPrefix(prefix) else { continue }
            let version: Int
            let controllers: Set<String>
            switch mount.type {
            case "cgroup":
                version = 1
                controllers = Set(mount.superOptions.filter { knownV1.contains($0) || $0.hasPrefix("name=") })
            case "cgroup2":
                version = 2
                controllers = []
            default: continue
            }
            let key = version == 2 ? "" : controllers.sorted().joined(separator: ",")
            // The first mount of a hierarchy wins (a bind mount of it elsewhere below root repeats it).
            if hierarchies.contains(where: { $0.version == version && (version == 2 || $0.controllers == controllers) }) { continue }
            guard let callerPath = paths[key] else { continue }
            let below = relative(callerPath, to: mount.root)
            var hierarchy = CgroupHierarchy(
                version: version, controllers: controllers, mountPoint: mount.point, callerPath: callerPath,
                callerDirectory: below == "/" ? mount.point : mount.point + below)
            if version == 2 {
                let text = (try? FileSystem.read(hierarchy.callerDirectory + "/cgroup.controllers")) ?? []
                hierarchy.controllers = Set(String(decoding: text, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
            }
            hierarchies.append(hierarchy)
        }
        let v1 = hierarchies.contains { $0.version == 1 && !$0.controllers.allSatisfy { $0.hasPrefix("name=") } }
        let v2 = hierarchies.contains { $0.version == 2 }
        guard v1 || v2 else { throw SkiffError(.notFound, "cgroups: no cgroup or cgroup2 mount below \(quote(root))") }
        return CgroupLayout(mode: v1 && v2 ? .hybrid : (v2 ? .unified : .legacy), hierarchies: hierarchies)
    }

    /// The v1 controllers the kernel has (a mount's super options also hold rw, xattr, ...).
    static let knownV1: Set<String> = [
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "blkio", "perf_event", "net_prio",
        "hugetlb", "pids", "rdma", "misc",
    ]

    /// "cpuacct,cpu" and "cpu,cpuacct" name the same hierarchy.
    private static func normalize(_ list: String) -> String {
        list.split(separator: ",").map(String.init).sorted().joined(separator: ",")
    }

    /// `path` below `base` ("/a/b" below "/a" is "/b"); `path` itself when it is not below it
    /// (a cgroup namespace already shows paths relative to its root).
    static func relative(_ path: String, to base: String) -> String {
        if base == "/" || base.isEmpty { return path }
        if path == base { return "/" }
        if path.hasPrefix(base + "/") { return String(path.dropFirst(base.count)) }
        return path
    }
}

/// One line of /proc/<pid>/mountinfo (proc(5)).
struct MountInfoLine {
    /// The mount's root within its file system.
    let root: String
    /// Where it is mounted.
    let point: String
    /// File system type ("cgroup", "cgroup2").
    let type: String
    /// Per-super-block options ("rw,memory").
    let superOptions: [String]

    /// Whether a mountinfo line can be a cgroup mount (" - cgroup" in it): a quick byte scan.
    static func mayBeCgroup(_ line: Substring.UTF8View) -> Bool {
        let needle = Array(" - cgroup".utf8)
        var matched = 0
        for byte in line {
            matched = byte == needle[matched] ? matched + 1 : (byte == needle[0] ? 1 : 0)
            if matched == needle.count { return true }
        }
        return false
    }

    init?(_ line: String) { self.init(Substring(line)) }

    init?(_ line: Substring) {
        let fields = line.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
        guard let dash = fields.firstIndex(of: "-"), dash >= 6, dash + 3 < fields.count else { return nil }
        root = MountInfo.unescape(fields[3])
        point = MountInfo.unescape(fields[4])
        type = fields[dash + 1]
        superOptions = fields[dash + 3].split(separator: ",").map(String.init)
    }
}
