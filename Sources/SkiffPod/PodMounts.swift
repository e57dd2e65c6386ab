// Unmounting what a pod left mounted (stage1 and app roots, volumes) before its directory goes.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// The mounts under pod directories, as this process's mount namespace sees them.
public enum PodMounts {
    /// Lazily detaches (umount2 MNT_DETACH|UMOUNT_NOFOLLOW) every mount whose mount point is
    /// `path` or below it, deepest first (stacked mounts on one point top first), as listed by
    /// /proc/self/mountinfo; repeats until none is left (a detach can propagate or uncover more).
    /// Returns the mount points detached, in order. A missing `path` has no mounts.
    @discardableResult
    public static func unmountAll(under path: String) throws -> [String] {
        guard let root = resolved(path) else { return [] }
        var detached: [String] = []
        for _ in 0..<8 {
            let targets = try mountPoints(under: root)
            if targets.isEmpty { return detached }
            for target in targets {
                if umount2(target, Int32(MNT_DETACH) | Int32(UMOUNT_NOFOLLOW)) == 0 {
                    detached.append(target)
                } else if errno != EINVAL && errno != ENOENT {  // EINVAL: already gone with a peer
                    throw SkiffError.system("unmount \(quote(target))")
                }
            }
        }
        let left = try mountPoints(under: root)
        if left.isEmpty { return detached }
        throw SkiffError(.system, "unmount \(quote(root)): \(left.count) mounts are still there (\(quote(left[0])), ...)")
    }

    /// `unmountAll(under:)` for several directories with one read of /proc/self/mountinfo per
    /// round (gc of many pods).
    @discardableResult
    public static func unmountAll(under paths: [String]) throws -> [String] {
        let roots = paths.compactMap(resolved)
        guard !roots.isEmpty else { return [] }
        var detached: [String] = []
        for _ in 0..<8 {
            let targets = try mountPoints(underAny: roots)
            if targets.isEmpty { return detached }
            for target in targets {
                if umount2(target, Int32(MNT_DETACH) | Int32(UMOUNT_NOFOLLOW)) == 0 {
                    detached.append(target)
                } else if errno != EINVAL && errno != ENOENT {
                    throw SkiffError.system("unmount \(quote(target))")
                }
            }
        }
        return detached
    }

    /// The mount points under any of `roots`, deepest first.
    static func mountPoints(underAny roots: [String]) throws -> [String] {
        // Mount points under a pod directory share the pods/<state>/ prefix: index the roots.
        let set = Set(roots)
        let text = try FileSystem.read("/proc/self/mountinfo", limit: 64 << 20)
        var found: [(order: Int, depth: Int, path: String)] = []
        for (order, line) in text.split(separator: UInt8(ascii: "\n")).enumerated() {
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 5, omittingEmptySubsequences: false)
            guard fields.count >= 5 else { continue }
            let point = MountInfo.unescape(fields[4])
            // The pod directory is the first path below pods/<state>/: check that prefix.
            var candidate = point
            var matched = set.contains(candidate)
            while !matched, let slash = candidate.lastIndex(of: "/"), slash != candidate.startIndex {
                candidate = String(candidate[..<slash])
                matched = set.contains(candidate)
            }
            if matched {
                found.append((order, point.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "/") ? 1 : 0) }, point))
            }
        }
        return found.sorted { ($0.depth, $0.order) > ($1.depth, $1.order) }.map(\.path)
    }

    /// The mount points at or under `root` (a resolved absolute path), deepest first; a point
    /// with stacked mounts appears once per mount, later (upper) mounts first.
    static func mountPoints(under root: String) throws -> [String] {
        let text = try FileSystem.read("/proc/self/mountinfo", limit: 64 << 20)
        var found: [(order: Int, depth: Int, path: String)] = []
        for (order, line) in text.split(separator: UInt8(ascii: "\n")).enumerated() {
            // "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw": field 5.
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 5, omittingEmptySubsequences: false)
            guard fields.count >= 5 else { continue }
            let point = MountInfo.unescape(fields[4])
            if point == root || point.hasPrefix(root == "/" ? "/" : root + "/") {
                found.append((order, point.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "/") ? 1 : 0) }, point))
            }
        }
        return found.sorted { ($0.depth, $0.order) > ($1.depth, $1.order) }.map(\.path)
    }

    /// The path with symlinks resolved, as mountinfo spells mount points; nil if it is missing.
    static func resolved(_ path: String) -> String? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }
}
