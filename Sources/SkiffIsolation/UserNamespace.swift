// --private-users: each pod gets its own 65536 host uids and gids (the same numbers for both),
// allocated from a file under the data directory so two pods never share a range (rkt picked a
// random range and could collide), and the maps written for the pod's first process.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// A range of host ids: container id N is host id `start + N` for N < `count`.
public struct IDRange: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The host id of container id 0.
    public var start: UInt32
    /// How many ids.
    public var count: UInt32

    /// A range.
    public init(start: UInt32, count: UInt32) {
        self.start = start
        self.count = count
    }

    /// Whether the two ranges share an id.
    public func overlaps(_ other: IDRange) -> Bool {
        UInt64(start) < UInt64(other.start) + UInt64(other.count) && UInt64(other.start) < UInt64(start) + UInt64(count)
    }

    /// The host id for container id `id`, or nil if the range does not map it.
    public func host(_ id: UInt32) -> UInt32? { id < count ? start + id : nil }

    /// "start+count".
    public var description: String { "\(start)+\(count)" }
}

/// Allocating ranges and writing maps.
public enum UserNamespace {
    /// Ids per pod: 0-65535 inside, like rkt.
    public static let size: UInt32 = 65536
    /// The first candidate start (2^28): far above system and login ids and the /etc/subuid
    /// ranges tools hand out by default (100000 on).
    public static let firstStart: UInt32 = 0x1000_0000
    /// Starts stay below 2^31, which some tools treat as negative ids.
    public static let lastStart: UInt32 = 0x7FFF_0000

    /// The range owned by `owner` (a pod UUID) in the allocation file `file`, allocating the
    /// lowest free 65536-aligned one if it has none. Ranges in `avoiding` (e.g. from /etc/subuid)
    /// are never handed out. The file is read and rewritten under an flock of `file.lock`.
    public static func allocate(owner: String, file: String, avoiding: [IDRange] = []) throws -> IDRange {
        try checkOwner(owner)
        let lock = try FileLock.lock(file + ".lock")
        defer { lock.unlock() }
        var entries = try read(file)
        if let mine = entries.first(where: { $0.owner == owner }) { return mine.range }
        var start = firstStart
        while start <= lastStart {
            let candidate = IDRange(start: start, count: size)
            if !entries.contains(where: { $0.range.overlaps(candidate) }) && !avoiding.contains(where: { $0.overlaps(candidate) }) {
                entries.append((owner, candidate))
                try write(entries, to: file)
                return candidate
            }
            start += size
        }
        throw SkiffError(.system, "allocate a user namespace range in \(quote(file)): all \((lastStart - firstStart) / size + 1) ranges are in use")
    }

    /// Gives `owner`'s range back (gc). Nothing happens if it has none.
    public static func release(owner: String, file: String) throws {
        let lock = try FileLock.lock(file + ".lock")
        defer { lock.unlock() }
        let entries = try read(file)
        let kept = entries.filter { $0.owner != owner }
        if kept.count != entries.count { try write(kept, to: file) }
    }

    /// The ranges in /etc/subuid or /etc/subgid format ("name:start:count" lines); a missing
    /// file has none.
    public static func subordinateRanges(_ path: String = "/etc/subuid") throws -> [IDRange] {
        guard FileSystem.exists(path) else { return [] }
        return String(decoding: try FileSystem.read(path), as: UTF8.self).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":")
            guard fields.count == 3, let start = UInt32(fields[1]), let count = UInt32(fields[2]) else { return nil }
            return IDRange(start: start, count: count)
        }
    }

    /// Writes /proc/<pid>/uid_map and gid_map: container ids 0..<count are host ids start....
    /// The process must be in a new user namespace whose maps are unwritten. As root (with
    /// CAP_SETUID and CAP_SETGID over the parent namespace) neither newuidmap nor setgroups
    /// "deny" is needed, and the app may still call setgroups inside. The child's own host uid
    /// (0) is not in the map, so once the maps are written it switches to its ids inside the
    /// namespace (setresgid/setresuid to 0 or the app's ids; it has CAP_SETUID and CAP_SETGID
    /// there), which makes it host id start + N. It must wait for the maps before that (and
    /// before execve): a pipe the parent writes to after this call.
    public static func writeMaps(pid: pid_t, range: IDRange, proc: String = "/proc") throws {
        let line = "0 \(range.start) \(range.count)\n"
        for file in ["uid_map", "gid_map"] {
            let path = "\(proc)/\(pid)/\(file)"
            let fd = try FileDescriptor.open(path, O_WRONLY)
            // One write(2): the kernel accepts a map only once, whole.
            try fd.write(Array(line.utf8))
        }
    }

    private static func read(_ file: String) throws -> [(owner: String, range: IDRange)] {
        guard FileSystem.exists(file) else { return [] }
        let text = String(decoding: try FileSystem.read(file), as: UTF8.self)
        return try text.split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, let start = UInt32(fields[1]), let count = UInt32(fields[2]) else {
                throw SkiffError(.invalid, "user namespace allocations \(quote(file)): bad line \(quote(String(line)))")
            }
            return (String(fields[0]), IDRange(start: start, count: count))
        }
    }

    /// "owner start count" per line, replaced atomically.
    private static func write(_ entries: [(owner: String, range: IDRange)], to file: String) throws {
        let text = entries.map { "\($0.owner) \($0.range.start) \($0.range.count)\n" }.joined()
        try FileSystem.writeAtomically(file, Array(text.utf8), mode: 0o644)
    }

    private static func checkOwner(_ owner: String) throws {
        guard !owner.isEmpty, !owner.contains(where: { $0 == " " || $0 == "\n" }) else {
            throw SkiffError(.invalid, "user namespace owner \(quote(owner)): must be one word")
        }
    }
}
