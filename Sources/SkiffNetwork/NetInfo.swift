// net-info.json in the pod directory: what the pod's networking is, written before each CNI ADD
// and after it, so that gc can DEL with the exact configuration and result even when the stage1
// was SIGKILLed halfway, and `list` and `status` can show the addresses.
import SkiffImage
import SkiffSystem

/// One network of a pod as it was (or is being) attached.
public struct AttachedNetwork: Sendable, Equatable {
    /// `adding` is written before ADD runs: gc then still DELs it (a DEL without prevResult
    /// cleans what it can). `removed` after a successful DEL.
    public enum State: String, Sendable {
        case adding, added, removed
    }

    public var name: String
    /// The file the configuration came from, or "built-in".
    public var source: String
    public var cniVersion: String
    public var disableCheck: Bool
    public var interfaceName: String
    /// CNI_ARGS.
    public var arguments: String
    /// CNI_PATH at ADD time (DEL uses the same).
    public var pluginDirectories: [String]
    /// Every plugin's configuration exactly as given to ADD, without prevResult.
    public var plugins: [JSONValue]
    public var state: State
    /// The final ADD result (the last plugin's), nil until ADD succeeded.
    public var result: JSONValue?

    /// The result read (nil if absent or unreadable).
    public var parsedResult: CNIResult? { result.flatMap { try? CNIResult.parse($0, expectedVersion: cniVersion) } }

    /// The port mappings given to the chain.
    public var portMappings: [PortMapping] {
        plugins.flatMap { $0["runtimeConfig"]?["portMappings"]?.arrayValue ?? [] }.compactMap(PortMapping.init(json:))
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)), ("source", .string(source)), ("cniVersion", .string(cniVersion)),
            ("interfaceName", .string(interfaceName)), ("arguments", .string(arguments)),
            ("pluginDirectories", .array(pluginDirectories.map(JSONValue.string))), ("plugins", .array(plugins)),
            ("state", .string(state.rawValue)),
        ]
        if disableCheck { members.append(("disableCheck", .bool(true))) }
        if let result { members.append(("result", result)) }
        return .object(members)
    }

    init(json: JSONValue, file: String) throws {
        func field(_ key: String) throws -> String {
            guard let text = json[key]?.stringValue else { throw SkiffError(.invalid, "read \(quote(file)): network \"\(key)\" missing") }
            return text
        }
        name = try field("name")
        source = try field("source")
        cniVersion = try field("cniVersion")
        interfaceName = try field("interfaceName")
        arguments = try field("arguments")
        guard let state = State(rawValue: try field("state")) else { throw SkiffError(.invalid, "read \(quote(file)): bad network state") }
        self.state = state
        pluginDirectories = json["pluginDirectories"]?.arrayValue?.compactMap(\.stringValue) ?? []
        plugins = json["plugins"]?.arrayValue ?? []
        disableCheck = json["disableCheck"]?.boolValue ?? false
        result = json["result"]
    }

    init(
        name: String, source: String, cniVersion: String, disableCheck: Bool, interfaceName: String, arguments: String,
        pluginDirectories: [String], plugins: [JSONValue]
    ) {
        self.name = name
        self.source = source
        self.cniVersion = cniVersion
        self.disableCheck = disableCheck
        self.interfaceName = interfaceName
        self.arguments = arguments
        self.pluginDirectories = pluginDirectories
        self.plugins = plugins
        self.state = .adding
        self.result = nil
    }
}

/// The contents of `<pod dir>/net-info.json`.
public struct NetInfo: Sendable, Equatable {
    /// The file name in the pod directory.
    public static let fileName = "net-info.json"

    /// The pod UUID (CNI_CONTAINERID).
    public var podUUID: String
    public var mode: NetworkMode
    /// The namespace file; nil for `host`.
    public var namespacePath: String?
    public var networks: [AttachedNetwork]
    /// The host state directory the namespace belongs to (its lock and saved sysctls).
    public var runDirectory: String?

    /// A record from its parts.
    public init(podUUID: String, mode: NetworkMode, namespacePath: String?, networks: [AttachedNetwork] = []) {
        self.podUUID = podUUID
        self.mode = mode
        self.namespacePath = namespacePath
        self.networks = networks
    }

    /// Reads `<podDirectory>/net-info.json`; nil when there is none (the pod never got that far).
    public static func load(podDirectory: String) throws -> NetInfo? {
        let path = podDirectory + "/" + fileName
        guard FileSystem.exists(path) else { return nil }
        let value = try JSONValue(parsing: try FileSystem.read(path, limit: 16 << 20))
        guard let uuid = value["podUUID"]?.stringValue, let mode = value["mode"]?.stringValue.flatMap(NetworkMode.init(rawValue:)) else {
            throw SkiffError(.invalid, "read \(quote(path)): podUUID or mode missing")
        }
        let networks = try (value["networks"]?.arrayValue ?? []).map { try AttachedNetwork(json: $0, file: path) }
        var info = NetInfo(podUUID: uuid, mode: mode, namespacePath: value["netns"]?.stringValue, networks: networks)
        info.runDirectory = value["runDirectory"]?.stringValue
        return info
    }

    /// Writes the record atomically; durably for CNI networks: host-local leases outlive a
    /// reboot, and gc after a reboot needs this file to release them. `none` and `host` leave
    /// nothing on disk to release, and pod files on the hot path of run are not fsynced
    /// (docs/architecture.md): two fsyncs cost this VM about 0.6 ms per pod.
    public func save(podDirectory: String) throws {
        try FileSystem.writeAtomically(
            podDirectory + "/" + NetInfo.fileName, json.encoded(pretty: true) + [0x0a], durable: mode == .contained)
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("podUUID", .string(podUUID)), ("mode", .string(mode.rawValue))]
        if let namespacePath { members.append(("netns", .string(namespacePath))) }
        if let runDirectory { members.append(("runDirectory", .string(runDirectory))) }
        members.append(("networks", .array(networks.map(\.json))))
        return .object(members)
    }

    /// What `list` and `status` show: `default:ip4=172.16.28.2` per attached network, comma
    /// separated; "host" or "none" for those modes.
    public var summary: String {
        switch mode {
        case .host: return "host"
        case .none: return "none"
        case .contained:
            return networks.filter { $0.state == .added }.map { network in
                let addresses = network.parsedResult?.podAddresses ?? []
                let parts = addresses.map { "\($0.isIPv4 ? "ip4" : "ip6")=\($0.ip)" }
                return ([network.name] + parts).joined(separator: ":")
            }.joined(separator: ",")
        }
    }

    /// The host's address on the pod's first network (the ptp/bridge gateway): where the pod
    /// reaches the host and its metadata service.
    public var hostAddress: String? {
        for network in networks where network.state == .added {
            if let gateway = network.parsedResult?.podAddresses.first(where: { $0.isIPv4 && $0.gateway != nil })?.gateway {
                return gateway
            }
        }
        return nil
    }
}
