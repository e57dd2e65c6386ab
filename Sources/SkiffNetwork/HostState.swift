// The host-wide settings pod networking changes, and putting them back once the last pod network
// is gone. ptp and bridge turn on net.ipv4.ip_forward (and IPv6 forwarding) for the whole host on
// every ADD, and nothing turns it off; portmap's host chains stay too (ForwardingHolds undoes both
// host-wide); portmap's route_localnet is per host interface and goes with the pod's veth; the
// namespace directory's mount goes when the last pod of a run directory is gone.
import CShim
import SkiffSystem
#if canImport(Glibc)
import Glibc
#endif

/// Skiff's networking state on the host, under one run directory (default /run/skiff).
public struct HostState: Sendable {
    /// The run directory: `netns/` and the lock live here.
    public let runDirectory: String

    /// The default run directory.
    public static let defaultRunDirectory = "/run/skiff"

    /// The forwarding sysctls ptp and bridge set.
    static let forwardingSysctls = ["/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding"]

    /// State under `runDirectory`.
    public init(runDirectory: String = HostState.defaultRunDirectory) { self.runDirectory = runDirectory }

    /// Where pod network namespaces are bind-mounted.
    public var namespaceDirectory: String { runDirectory + "/netns" }
    var lockPath: String { runDirectory + "/network.lock" }

    /// Runs `body` holding the host networking lock.
    func locked<T>(_ body: () throws -> T) throws -> T {
        try FileSystem.createDirectory(runDirectory)
        let lock = try FileLock.lock(lockPath)
        defer { lock.unlock() }
        return try body()
    }

    /// The pod namespaces present (file names in `namespaceDirectory`).
    func namespaces() -> [String] {
        (try? FileSystem.list(namespaceDirectory))?.filter { !$0.hasPrefix(".") } ?? []
    }

    /// After the last pod namespace of this run directory went away (call while locked, after
    /// removing the namespace): unmounts the namespace directory, and returns what it changed.
    /// (The forwarding sysctls and portmap's chains are host-wide: see `ForwardingHolds`.)
    func restoreIfIdle() throws -> [String] {
        guard namespaces().isEmpty else { return [] }
        var changed: [String] = []
        // The namespace directory's shared bind mount (made by the first pod) goes too, so an
        // idle host has no Skiff mount; the next pod makes it again.
        if sk_umount_detach(namespaceDirectory) == 0 { changed.append("unmounted \(namespaceDirectory)") }
        return changed
    }

    /// A sysctl's value without the newline; nil if it cannot be read.
    static func readSysctl(_ path: String) -> String? {
        guard let bytes = try? FileSystem.read(path, limit: 4096) else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: [" ", "\n"])
    }

    static func writeSysctl(_ path: String, _ value: String) throws {
        let file = try FileDescriptor.open(path, O_WRONLY)
        try file.write(Array((value + "\n").utf8))
    }
}

extension String {
    /// The string without leading and trailing characters from `set`.
    func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
