// What a CNI plugin's ADD returns: interfaces, addresses, routes and DNS. Read in every format the
// plugins speak: 1.0.0, 0.3.x/0.4.0 (the same plus a "version" per address) and the 0.1.0/0.2.0
// "ip4"/"ip6" objects older configurations (rkt's) produce. The JSON itself is kept verbatim: it
// is the prevResult of the next plugin, of CHECK and of DEL.
import SkiffImage
import SkiffSystem

/// A CNI ADD result.
public struct CNIResult: Sendable, Equatable {
    /// An interface the plugin created.
    public struct Interface: Sendable, Equatable {
        public var name: String
        public var mac: String?
        /// The namespace path for interfaces inside the pod; nil for host-side ones.
        public var sandbox: String?
    }

    /// An address given to an interface.
    public struct Address: Sendable, Equatable {
        /// CIDR, "172.16.28.2/24".
        public var address: String
        public var gateway: String?
        /// Index into `interfaces`, when the plugin said.
        public var interface: Int?
        /// The address without its prefix length.
        public var ip: String { String(address.split(separator: "/").first ?? "") }
        /// Whether it is an IPv4 address.
        public var isIPv4: Bool { !address.contains(":") }
    }

    /// A route the plugin installed (or asks for).
    public struct Route: Sendable, Equatable {
        public var destination: String
        public var gateway: String?
    }

    /// DNS settings a network suggests.
    public struct DNS: Sendable, Equatable {
        public var nameservers: [String] = []
        public var domain: String?
        public var search: [String] = []
        public var options: [String] = []
        /// Whether the network said nothing about DNS.
        public var isEmpty: Bool { nameservers.isEmpty && domain == nil && search.isEmpty && options.isEmpty }
        /// DNS settings from their parts.
        public init(nameservers: [String] = [], domain: String? = nil, search: [String] = [], options: [String] = []) {
            self.nameservers = nameservers
            self.domain = domain
            self.search = search
            self.options = options
        }
    }

    public var cniVersion: String
    public var interfaces: [Interface]
    public var addresses: [Address]
    public var routes: [Route]
    public var dns: DNS
    /// The result exactly as the plugin printed it (re-encoded in member order).
    public var json: JSONValue

    /// Reads a result; `expectedVersion` is the configuration's version (used when the result
    /// omits its own).
    public static func parse(_ value: JSONValue, expectedVersion: String) throws -> CNIResult {
        guard case .object = value else { throw SkiffError(.invalid, "cni result: not a JSON object") }
        let version = value["cniVersion"]?.stringValue ?? expectedVersion
        var result = CNIResult(
            cniVersion: version, interfaces: [], addresses: [], routes: [], dns: DNS(), json: value)
        for element in value["interfaces"]?.arrayValue ?? [] {
            guard let name = element["name"]?.stringValue else { throw SkiffError(.invalid, "cni result: an interface has no name") }
            let sandbox = element["sandbox"]?.stringValue
            result.interfaces.append(
                Interface(name: name, mac: element["mac"]?.stringValue, sandbox: sandbox?.isEmpty == true ? nil : sandbox))
        }
        for element in value["ips"]?.arrayValue ?? [] {
            guard let address = element["address"]?.stringValue else { throw SkiffError(.invalid, "cni result: an ip has no address") }
            result.addresses.append(
                Address(
                    address: address, gateway: element["gateway"]?.stringValue,
                    interface: element["interface"]?.numberValue.map { Int($0) }))
        }
        result.routes = try routes(value["routes"])
        // 0.1.0 and 0.2.0: "ip4" and "ip6" objects with their own routes.
        for key in ["ip4", "ip6"] {
            guard let legacy = value[key] else { continue }
            guard let address = legacy["ip"]?.stringValue else { throw SkiffError(.invalid, "cni result: \(key) has no ip") }
            result.addresses.append(Address(address: address, gateway: legacy["gateway"]?.stringValue, interface: nil))
            result.routes += try routes(legacy["routes"])
        }
        if let dns = value["dns"] {
            result.dns = DNS(
                nameservers: strings(dns["nameservers"]), domain: dns["domain"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                search: strings(dns["search"]), options: strings(dns["options"]))
        }
        return result
    }

    private static func routes(_ value: JSONValue?) throws -> [Route] {
        try (value?.arrayValue ?? []).map { element in
            guard let destination = element["dst"]?.stringValue else { throw SkiffError(.invalid, "cni result: a route has no dst") }
            return Route(destination: destination, gateway: element["gw"]?.stringValue)
        }
    }

    private static func strings(_ value: JSONValue?) -> [String] { value?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// The addresses of interfaces inside the pod (all addresses when the plugin named no
    /// interfaces, as 0.2.0 plugins and IPAM plugins do not).
    public var podAddresses: [Address] {
        addresses.filter { address in
            guard let index = address.interface, interfaces.indices.contains(index) else { return true }
            return interfaces[index].sandbox != nil
        }
    }
}
