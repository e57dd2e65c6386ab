// What pod networks share across the host is host-wide bookkeeping, whatever run directory a
// pod's namespace lives under (tests use private ones): the forwarding sysctls and portmap's host
// chains. Every namespace attached to networks holds a file in /run/skiff/forwarding.holders; the
// first hold on the host remembers the sysctls' values, the last release puts back the ones that
// were off and removes portmap's idle chains. Holds whose namespace file is gone (a crash, a
// deleted test directory) are dropped when seen.
import SkiffDigest
import SkiffSystem
#if canImport(Glibc)
import Glibc
#endif

/// Host-wide holds on the forwarding sysctls ptp and bridge turn on.
struct ForwardingHolds: Sendable {
    /// Where the holds, the remembered values and their lock live.
    let directory: String

    /// The host's holds.
    static let host = ForwardingHolds(directory: HostState.defaultRunDirectory)

    var holdersDirectory: String { directory + "/forwarding.holders" }
    var savedPath: String { directory + "/forwarding.saved" }
    var lockPath: String { directory + "/forwarding.lock" }

    /// The namespace paths holding forwarding now (stale holds dropped).
    func holders() -> [String] {
        var alive: [String] = []
        for name in (try? FileSystem.list(holdersDirectory)) ?? [] where !name.hasPrefix(".") {
            let file = holdersDirectory + "/" + name
            let path = String(decoding: (try? FileSystem.read(file, limit: 4096)) ?? [], as: UTF8.self)
            if !path.isEmpty && FileSystem.exists(path) { alive.append(path) } else { unlink(file) }
        }
        return alive
    }

    /// Records that the namespace at `path` (existing) is attached to networks; the first hold
    /// on the host remembers the forwarding values. Call before the first CNI ADD.
    func hold(namespace path: String) throws {
        try locked {
            try FileSystem.createDirectory(holdersDirectory)
            if holders().isEmpty && !FileSystem.exists(savedPath) {
                let values = HostState.forwardingSysctls.map { "\($0)=\(HostState.readSysctl($0) ?? "")\n" }.joined()
                try FileSystem.writeAtomically(savedPath, Array(values.utf8), mode: 0o600, durable: false)
            }
            try FileSystem.writeAtomically(holdersDirectory + "/" + name(path), Array(path.utf8), mode: 0o600, durable: false)
        }
    }

    /// Drops the hold of the namespace at `path` (none is fine); when no hold is left, writes back
    /// the forwarding values that were off and removes portmap's idle host chains (under the
    /// lock every hold takes before its ADD, so no pod's portmap is using them meanwhile).
    /// Returns what it changed.
    func release(namespace path: String) throws -> [String] {
        try locked {
            unlink(holdersDirectory + "/" + name(path))
            guard holders().isEmpty else { return [] }
            var changed = try IPTables.removeIdlePortmapChains()
            guard let saved = try? FileSystem.read(savedPath) else { return changed }
            for line in String(decoding: saved, as: UTF8.self).split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                let sysctl = String(line[..<equals])
                let value = String(line[line.index(after: equals)...])
                guard HostState.forwardingSysctls.contains(sysctl), value == "0", HostState.readSysctl(sysctl) != "0" else { continue }
                try HostState.writeSysctl(sysctl, value)
                changed.append("\(sysctl)=\(value)")
            }
            unlink(savedPath)
            return changed
        }
    }

    /// A hold's file name: the namespace path's digest (paths hold slashes).
    private func name(_ path: String) -> String { String(Digest.hash(.sha256, Array(path.utf8)).hexString.prefix(32)) }

    private func locked<T>(_ body: () throws -> T) throws -> T {
        try FileSystem.createDirectory(directory)
        let lock = try FileLock.lock(lockPath)
        defer { lock.unlock() }
        return try body()
    }
}
