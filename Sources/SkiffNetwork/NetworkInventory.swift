// Counting what pod networking leaves on the host (namespaces, veths, IPAM leases, iptables rules,
// the forwarding sysctl), so tests and `make check` can compare before and after a pod.
import SkiffSystem

/// A snapshot of the host resources pod networking creates.
public struct NetworkInventory: Sendable, Equatable, CustomStringConvertible {
    /// Files in the namespace directory (mounted or not: a stale file is a leak too).
    public var namespaces: Int
    /// veth links in the caller's namespace (the host ends of pods' links).
    public var veths: Int
    /// host-local leases (address-named files) under the IPAM data directory.
    public var leases: Int
    /// `-N` and `-A` lines of the nat and filter tables, IPv4 and IPv6.
    public var iptablesRules: Int
    /// net.ipv4.ip_forward.
    public var ipForward: String

    /// host-local's default data directory.
    public static let defaultLeaseDirectory = "/var/lib/cni/networks"

    /// Takes a snapshot. `networks` limits the lease count to those networks' directories (nil:
    /// all of them).
    public static func take(
        namespaceDirectory: String = HostState(runDirectory: HostState.defaultRunDirectory).namespaceDirectory,
        leaseDirectory: String = defaultLeaseDirectory, networks: [String]? = nil
    ) -> NetworkInventory {
        NetworkInventory(
            namespaces: ((try? FileSystem.list(namespaceDirectory)) ?? []).filter { !$0.hasPrefix(".") }.count,
            veths: vethCount(), leases: leaseCount(leaseDirectory, networks: networks),
            iptablesRules: IPTables.ruleCount(),
            ipForward: HostState.readSysctl("/proc/sys/net/ipv4/ip_forward") ?? "?")
    }

    public var description: String {
        "namespaces=\(namespaces) veths=\(veths) leases=\(leases) iptables-rules=\(iptablesRules) ip_forward=\(ipForward)"
    }

    /// host-local names lease files after the address; `last_reserved_ip.N` and `lock` are its
    /// bookkeeping, not leases.
    static func leaseCount(_ directory: String, networks: [String]?) -> Int {
        let names = networks ?? ((try? FileSystem.list(directory)) ?? [])
        return names.reduce(0) { total, network in
            let files = (try? FileSystem.list(directory + "/" + network)) ?? []
            return total + files.filter { isAddress($0) }.count
        }
    }

    private static func isAddress(_ name: String) -> Bool {
        guard !name.hasPrefix("last_reserved_ip"), name != "lock", !name.hasPrefix(".") else { return false }
        return name.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" || $0 == "_" }
    }

    /// Counts links of kind veth with `ip -o link show type veth` (iproute2).
    static func vethCount() -> Int {
        guard let output = try? Subprocess.run(["ip", "-o", "link", "show", "type", "veth"]), output.status == 0 else { return -1 }
        return output.stdoutText.split(separator: "\n").count
    }
}
