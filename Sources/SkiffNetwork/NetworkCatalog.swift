// Where network configurations come from: `<config>/net.d/*.conf` and `*.conflist` in each
// configuration directory, plus the built-in networks. Precedence follows rkt's configuration:
// user over local over system, so a name defined in a later directory replaces the earlier one;
// inside one directory the first file (in lexical order) defining a name wins, as rkt's loader did.
import SkiffImage
import SkiffSystem
#if canImport(Glibc)
import Glibc
#endif

/// Every network the host defines, in the order `--net=all` loads them.
public struct NetworkCatalog: Sendable {
    /// Configured networks (not the built-ins), ordered by file name, then by directory.
    public let networks: [NetworkConfig]
    /// Files that were ignored or overridden, one line each, for `--debug` output.
    public let notes: [String]

    /// The subdirectory of a configuration directory holding network files.
    public static let subdirectory = "net.d"

    /// A catalog of the given networks (tests, or a caller that built them in code).
    public init(networks: [NetworkConfig], notes: [String] = []) {
        self.networks = networks
        self.notes = notes
    }

    /// Reads `<dir>/net.d` of every directory, lowest precedence first (system, local, user).
    /// Missing directories are fine; an unreadable or malformed file fails with its path.
    public static func load(configDirectories: [String]) throws -> NetworkCatalog {
        struct Entry {
            var config: NetworkConfig
            var fileName: String
            var directoryIndex: Int
        }
        var chosen: [String: Entry] = [:]
        var notes: [String] = []
        for (directoryIndex, directory) in configDirectories.enumerated() {
            let netDirectory = directory + "/" + subdirectory
            guard FileSystem.isDirectory(netDirectory) else { continue }
            var seenHere = Set<String>()
            for fileName in try FileSystem.list(netDirectory) {
                let isList = fileName.hasSuffix(".conflist")
                guard isList || fileName.hasSuffix(".conf"), !fileName.hasPrefix(".") else { continue }
                let path = netDirectory + "/" + fileName
                guard (try? FileSystem.status(path)).map({ $0.st_mode & S_IFMT == S_IFREG }) ?? false else {
                    notes.append("\(path): not a regular file, ignored")
                    continue
                }
                let config = try NetworkConfig.parse(try FileSystem.read(path, limit: 1 << 20), source: path, isList: isList)
                if seenHere.contains(config.name) {
                    notes.append("\(path): network \(quote(config.name)) already defined in \(netDirectory), ignored")
                    continue
                }
                seenHere.insert(config.name)
                if let earlier = chosen[config.name] {
                    notes.append("\(path): overrides network \(quote(config.name)) of \(earlier.config.source)")
                }
                chosen[config.name] = Entry(config: config, fileName: fileName, directoryIndex: directoryIndex)
            }
        }
        let ordered = chosen.values.sorted {
            ($0.fileName, $0.directoryIndex, $0.config.name) < ($1.fileName, $1.directoryIndex, $1.config.name)
        }
        return NetworkCatalog(networks: ordered.map(\.config), notes: notes)
    }

    /// The configured network called `name` (a configured `default` overrides the built-in).
    public func network(named name: String) -> NetworkConfig? { networks.first { $0.name == name } }

    /// The configured network, else the built-in one, called `name`.
    public func resolve(_ name: String) -> NetworkConfig? { network(named: name) ?? BuiltinNetworks.network(named: name) }
}

/// The networks Skiff defines itself, as rkt's stage1 did.
public enum BuiltinNetworks {
    /// `default`: a veth pair to the host (ptp), an address from 172.16.28.0/24 (host-local), a
    /// default route through the host, and masquerading of the pod's outgoing traffic.
    public static let `default` = NetworkConfig(
        name: "default", cniVersion: "1.0.0",
        plugins: [
            .object([
                ("type", .string("ptp")), ("ipMasq", .bool(true)),
                (
                    "ipam",
                    .object([
                        ("type", .string("host-local")), ("subnet", .string("172.16.28.0/24")),
                        ("routes", .array([.object([("dst", .string("0.0.0.0/0"))])])),
                    ])
                ),
            ])
        ], source: "built-in")

    /// `default-restricted`: ptp with an address from 172.31.0.0/16, no default route and no
    /// masquerading: the pod reaches the host (and its metadata service) and nothing else.
    public static let defaultRestricted = NetworkConfig(
        name: "default-restricted", cniVersion: "1.0.0",
        plugins: [
            .object([
                ("type", .string("ptp")), ("ipMasq", .bool(false)),
                ("ipam", .object([("type", .string("host-local")), ("subnet", .string("172.31.0.0/16"))])),
            ])
        ], source: "built-in")

    /// The plugin appended to a chain to forward ports, when the chain has none taking
    /// `portMappings`. `snat` (the default, spelled out) masquerades connections from the host's
    /// 127.0.0.1 and hairpin traffic, and makes portmap set `route_localnet` on the pod's host
    /// interface only, so forwarded ports answer on localhost (rkt's issues #1256, #2283, #3886).
    public static let portmap = JSONValue.object([
        ("type", .string("portmap")), ("capabilities", .object([("portMappings", .bool(true))])), ("snat", .bool(true)),
    ])

    /// `default` or `default-restricted`, nil for other names.
    public static func network(named name: String) -> NetworkConfig? {
        switch name {
        case "default": return Self.default
        case "default-restricted": return defaultRestricted
        default: return nil
        }
    }
}
