// `--net` as rkt read it: which networks a pod joins, in which order, with which CNI_ARGS.
import SkiffSystem

/// How a pod is networked.
public enum NetworkMode: String, Sendable, Equatable, Codable {
    /// The caller's network namespace (`--net=host`; fly's only mode).
    case host
    /// A namespace of its own with only `lo` (`--net=none`).
    case none
    /// A namespace of its own joined to CNI networks.
    case contained
}

/// One network a pod joins: its configuration, its interface name and its CNI_ARGS.
public struct SelectedNetwork: Sendable, Equatable {
    /// The configuration (from net.d or built in).
    public var config: NetworkConfig
    /// The pod-side interface: `eth0`, `eth1`... in join order.
    public var interfaceName: String
    /// `K=V;K2=V2` from `--net=NAME:K=V;K2=V2`, passed as CNI_ARGS ("" when none).
    public var arguments: String
}

/// The outcome of `--net`: the mode and, for a contained pod, its networks in order.
public struct NetworkSelection: Sendable, Equatable {
    public var mode: NetworkMode
    public var networks: [SelectedNetwork]

    /// One `--net` entry, `NAME` or `NAME:K=V;K2=V2`.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var arguments: String?
        /// An entry from its parts.
        public init(name: String, arguments: String? = nil) {
            self.name = name
            self.arguments = arguments
        }
    }

    /// Splits `--net` values (each a comma-separated list; a flag given alone means
    /// "default"). Errors are usage errors naming the entry.
    public static func parse(_ values: [String]) throws -> [Entry] {
        var entries: [Entry] = []
        for value in values {
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                var entry = Entry(name: String(item))
                if let colon = item.firstIndex(of: ":") {
                    entry = Entry(name: String(item[..<colon]), arguments: String(item[item.index(after: colon)...]))
                }
                guard !entry.name.isEmpty else { throw SkiffError(.usage, "--net=\(value): empty network name") }
                guard NetworkConfig.isValidName(entry.name) else {
                    throw SkiffError(.usage, "--net=\(value): \(quote(entry.name)) is not a network name")
                }
                guard !entries.contains(where: { $0.name == entry.name }) else {
                    throw SkiffError(.usage, "--net: network \(quote(entry.name)) given twice")
                }
                if let arguments = entry.arguments {
                    guard !["host", "none", "all"].contains(entry.name) else {
                        throw SkiffError(.usage, "--net: network \(quote(entry.name)) takes no arguments")
                    }
                    for argument in arguments.split(separator: ";", omittingEmptySubsequences: false) {
                        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                            throw SkiffError(
                                .usage, "--net: argument \(quote(String(argument))) of network \(quote(entry.name)) is not K=V")
                        }
                    }
                }
                entries.append(entry)
            }
        }
        return entries
    }

    /// Resolves entries against the catalog with rkt's rules: no entry means `default`; `host` and
    /// `none` stand alone; `all` loads every configured network; configured networks join in
    /// catalog (file) order; the built-in `default` (asked for, or `all`) and
    /// `default-restricted` (asked for) follow unless configured; when neither is among them,
    /// `default-restricted` is added last.
    public static func select(_ entries: [Entry], catalog: NetworkCatalog) throws -> NetworkSelection {
        let entries = entries.isEmpty ? [Entry(name: "default")] : entries
        let names = entries.map(\.name)
        for special in ["host", "none"] where names.contains(special) {
            guard names.count == 1 else { throw SkiffError(.usage, "--net=\(special) cannot be combined with other networks") }
            return NetworkSelection(mode: special == "host" ? .host : .none, networks: [])
        }
        let all = names.contains("all")
        var chosen = catalog.networks.filter { all || names.contains($0.name) }
        let builtins = ["default", "default-restricted"]
        for name in names.map({ $0 == "all" ? "default" : $0 }) where builtins.contains(name) && !chosen.contains(where: { $0.name == name }) {
            if let config = catalog.resolve(name) { chosen.append(config) }
        }
        if !chosen.contains(where: { builtins.contains($0.name) }), let restricted = catalog.resolve("default-restricted") {
            chosen.append(restricted)
        }
        let missing = names.filter { name in name != "all" && !chosen.contains { $0.name == name } }
        if !missing.isEmpty {
            throw SkiffError(
                .notFound,
                "--net: network\(missing.count > 1 ? "s" : "") \(missing.map(quote).joined(separator: ", ")) not found "
                    + "(no net.d file defines \(missing.count > 1 ? "them" : "it"))")
        }
        let networks = chosen.enumerated().map { index, config in
            SelectedNetwork(
                config: config, interfaceName: "eth\(index)",
                arguments: entries.first { $0.name == config.name }?.arguments ?? "")
        }
        return NetworkSelection(mode: .contained, networks: networks)
    }

    /// The network that carries forwarded ports: the first that masquerades, else the last
    /// (rkt's rule); nil when the pod has no contained network.
    public var portNetworkIndex: Int? {
        guard mode == .contained, !networks.isEmpty else { return nil }
        return networks.firstIndex { $0.config.masquerades } ?? networks.count - 1
    }
}
