// One CNI network as Skiff runs it: a name, a spec version and a chain of plugin configurations.
// A `.conflist` is read as written; a `.conf` (one plugin, rkt's format) is a chain of one.
import SkiffImage
import SkiffSystem

/// A CNI network configuration (CNI spec "network configuration list").
public struct NetworkConfig: Sendable, Equatable {
    /// The network name (`--net=NAME`), unique on the host.
    public var name: String
    /// The CNI spec version the configuration is written for; every plugin gets it.
    public var cniVersion: String
    /// `disableCheck`: CHECK is never run for this network.
    public var disableCheck: Bool
    /// The plugin configurations in chain order; each is an object with a `type`.
    public var plugins: [JSONValue]
    /// The file it came from, or "built-in".
    public var source: String

    /// A network from its parts.
    public init(name: String, cniVersion: String, disableCheck: Bool = false, plugins: [JSONValue], source: String) {
        self.name = name
        self.cniVersion = cniVersion
        self.disableCheck = disableCheck
        self.plugins = plugins
        self.source = source
    }

    /// The spec version libcni assumes for a configuration without `cniVersion`.
    public static let unversioned = "0.1.0"

    /// Parses a `.conf` (`isList` false) or `.conflist` file's bytes. Errors name `source`.
    public static func parse(_ bytes: [UInt8], source: String, isList: Bool) throws -> NetworkConfig {
        func invalid(_ why: String) -> SkiffError { SkiffError(.invalid, "network config \(quote(source)): \(why)") }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch let error as SkiffError {
            throw invalid(error.message)
        }
        guard case .object = value else { throw invalid("not a JSON object") }
        guard let name = value["name"]?.stringValue else { throw invalid("\"name\" is missing or not a string") }
        guard isValidName(name) else {
            throw invalid("network name \(quote(name)) must be letters, digits, '_', '.' or '-', starting with a letter or digit")
        }
        var version = unversioned
        if let given = value["cniVersion"] {
            guard let text = given.stringValue, isValidVersion(text) else { throw invalid("\"cniVersion\" is not a version string") }
            version = text
        }
        var plugins: [JSONValue]
        var disableCheck = false
        if isList {
            guard let list = value["plugins"]?.arrayValue else { throw invalid("\"plugins\" is missing or not an array") }
            guard !list.isEmpty else { throw invalid("\"plugins\" is empty") }
            plugins = list
            switch value["disableCheck"] {
            case nil, .null?: break
            case .bool(let flag)?: disableCheck = flag
            case .string(let text)? where text == "true" || text == "false": disableCheck = text == "true"
            default: throw invalid("\"disableCheck\" is not true or false")
            }
        } else {
            if value["plugins"] != nil { throw invalid("has \"plugins\": name the file .conflist") }
            plugins = [value]
        }
        for (index, plugin) in plugins.enumerated() {
            guard case .object = plugin else { throw invalid("plugin \(index) is not an object") }
            guard let type = plugin["type"]?.stringValue else { throw invalid("plugin \(index): \"type\" is missing or not a string") }
            guard isPlainFileName(type) else { throw invalid("plugin type \(quote(type)) is not a plain file name") }
            if let ipam = plugin["ipam"], let ipamType = ipam["type"]?.stringValue, !isPlainFileName(ipamType) {
                throw invalid("ipam type \(quote(ipamType)) is not a plain file name")
            }
        }
        if plugins.count > 1, compareVersions(version, "0.3.0") < 0 {
            throw invalid("a chain of plugins needs cniVersion 0.3.0 or later, not \(version)")
        }
        return NetworkConfig(name: name, cniVersion: version, disableCheck: disableCheck, plugins: plugins, source: source)
    }

    /// The plugin types in chain order ("ptp", "portmap").
    public var pluginTypes: [String] { plugins.compactMap { $0["type"]?.stringValue } }

    /// Whether the network masquerades its pods' traffic (`ipMasq` on any plugin): such a network
    /// carries forwarded ports first, as in rkt.
    public var masquerades: Bool { plugins.contains { $0["ipMasq"]?.boolValue == true } }

    /// Whether a plugin of the chain takes port mappings (`capabilities.portMappings`).
    public var takesPortMappings: Bool { plugins.contains(where: NetworkConfig.wantsPortMappings) }

    static func wantsPortMappings(_ plugin: JSONValue) -> Bool {
        plugin["capabilities"]?["portMappings"]?.boolValue == true
    }

    /// The configuration as a `.conflist` document.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("cniVersion", .string(cniVersion)), ("name", .string(name))]
        if disableCheck { members.append(("disableCheck", .bool(true))) }
        members.append(("plugins", .array(plugins)))
        return .object(members)
    }

    /// CNI network names: an alphanumeric first character, then alphanumerics, '_', '.', '-'.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isAlphanumeric(first) else { return false }
        return name.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "_" || $0 == "." || $0 == "-" }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
    }

    private static func isValidVersion(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }

    /// Compares two `x.y.z` versions numerically: negative, zero or positive.
    static func compareVersions(_ lhs: String, _ rhs: String) -> Int {
        let left = lhs.split(separator: ".").map { Int($0) ?? 0 }
        let right = rhs.split(separator: ".").map { Int($0) ?? 0 }
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            if a != b { return a < b ? -1 : 1 }
        }
        return 0
    }
}
