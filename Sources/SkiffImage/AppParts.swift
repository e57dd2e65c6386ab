// The small records inside an image's `app` (aci.md "app"): event handlers, environment
// variables, mount points and ports, each read with the rule the spec gives it.

/// A lifecycle hook: `pre-start` runs before the app, `post-stop` after it exits.
public struct EventHandler: Sendable, Equatable, Codable {
    /// "pre-start" or "post-stop".
    public var name: String
    /// The command, verbatim (no shell, no variable substitution).
    public var exec: [String]

    /// A hook named "pre-start" or "post-stop" running `exec`.
    public init(name: String, exec: [String]) {
        self.name = name
        self.exec = exec
    }

    static let names = ["pre-start", "post-stop"]

    static func read(_ element: JSONValue, at path: FieldPath) throws(SchemaError) -> EventHandler {
        let object = try ObjectReader(element, at: path)
        let name = try object.presentString("name")
        guard names.contains(name) else { throw SchemaError(path.key("name"), string: name, "must be \"pre-start\" or \"post-stop\"") }
        guard let exec = try object.stringArray("exec") else { throw SchemaError(path.key("exec"), "required") }
        guard !exec.isEmpty else { throw SchemaError(path.key("exec"), "must not be empty") }
        return EventHandler(name: name, exec: exec)
    }

    var json: JSONValue { .object([("name", .string(name)), ("exec", .array(exec.map { .string($0) }))]) }

    public init(from decoder: any Decoder) throws {
        self = try decodeSchema(decoder) { (value, path) throws(SchemaError) in try EventHandler.read(value, at: path) }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

/// An environment variable the app gets (values verbatim, never substituted).
public struct EnvironmentVariable: Sendable, Equatable, Codable {
    /// The name, `^[A-Za-z_][A-Za-z_0-9.-]*$`.
    public var name: String
    /// The value, verbatim.
    public var value: String

    /// A variable (the name is checked when a manifest is read).
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// `^[A-Za-z_][A-Za-z_0-9.-]*$`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy {
            isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || [0x5f, 0x2e, 0x2d].contains($0)
        }
    }

    static func read(_ element: JSONValue, at path: FieldPath) throws(SchemaError) -> EnvironmentVariable {
        let object = try ObjectReader(element, at: path)
        let name = try object.presentString("name")
        guard !name.isEmpty else { throw SchemaError(path.key("name"), "required") }
        guard isValidName(name) else { throw SchemaError(path.key("name"), string: name, "not a valid environment variable name") }
        return EnvironmentVariable(name: name, value: try object.presentString("value"))
    }

    var json: JSONValue { .object([("name", .string(name)), ("value", .string(value))]) }

    public init(from decoder: any Decoder) throws {
        self = try decodeSchema(decoder) { (value, path) throws(SchemaError) in try EnvironmentVariable.read(value, at: path) }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

private func isLetter(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
}

/// Where the app expects a volume: a name the pod maps, an absolute path in the rootfs.
public struct MountPoint: Sendable, Equatable, Codable {
    /// The name a pod's mounts refer to.
    public var name: ACName
    /// Absolute path inside the rootfs.
    public var path: String
    /// Defaults to false.
    public var readOnly: Bool

    /// A mount point, read-write unless `readOnly`.
    public init(name: ACName, path: String, readOnly: Bool = false) {
        self.name = name
        self.path = path
        self.readOnly = readOnly
    }

    static func read(_ element: JSONValue, at field: FieldPath) throws(SchemaError) -> MountPoint {
        let object = try ObjectReader(element, at: field)
        let name = try ACName.read(try object.presentString("name"), at: field.key("name"))
        let path = try object.requiredString("path")
        guard isAbsolutePath(path) else { throw SchemaError(field.key("path"), string: path, "must be an absolute path") }
        return MountPoint(name: name, path: path, readOnly: try object.bool("readOnly") ?? false)
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(name.value)), ("path", .string(path))]
        if readOnly { members.append(("readOnly", .bool(true))) }
        return .object(members)
    }

    public init(from decoder: any Decoder) throws {
        self = try decodeSchema(decoder) { (value, path) throws(SchemaError) in try MountPoint.read(value, at: path) }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

/// A port (or a range of `count` ports from `port`) the app listens on.
public struct Port: Sendable, Equatable, Codable {
    /// The port's name, a key for pod port forwarding.
    public var name: ACName
    /// "tcp", "udp"... (any non-empty string; the engine decides what it supports).
    public var `protocol`: String
    /// The first (or only) port number, 1...65535.
    public var port: UInt16
    /// Number of consecutive ports, at least 1 (the default).
    public var count: UInt
    /// Whether the app expects the listening sockets passed to it (sd_listen_fds).
    public var socketActivated: Bool

    /// A port or a range of `count` ports.
    public init(name: ACName, protocol: String, port: UInt16, count: UInt = 1, socketActivated: Bool = false) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.count = count
        self.socketActivated = socketActivated
    }

    static func read(_ element: JSONValue, at path: FieldPath) throws(SchemaError) -> Port {
        let object = try ObjectReader(element, at: path)
        let name = try ACName.read(try object.presentString("name"), at: path.key("name"))
        let proto = try object.requiredString("protocol")
        guard let port = try object.integer("port", in: 1...65535, "1...65535") else { throw SchemaError(path.key("port"), "required") }
        // appc's Go Port has `count` without omitempty, so every Go-written port with an unset
        // count says "count": 0; Go (and rkt) read that as the default, 1. So does Skiff.
        var count = try object.integer("count", in: 0...65535, "1...65535") ?? 1
        if count == 0 { count = 1 }
        guard port + count - 1 <= 65535 else {
            throw SchemaError(path.key("count"), number: count, "ports \(Int(port))-\(Int(port + count - 1)) go past 65535")
        }
        return Port(
            name: name, protocol: proto, port: UInt16(port), count: UInt(count),
            socketActivated: try object.bool("socketActivated") ?? false)
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name.value)), ("protocol", .string(`protocol`)), ("port", .number(Double(port))),
            ("count", .number(Double(count))),
        ]
        if socketActivated { members.append(("socketActivated", .bool(true))) }
        return .object(members)
    }

    public init(from decoder: any Decoder) throws {
        self = try decodeSchema(decoder) { (value, path) throws(SchemaError) in try Port.read(value, at: path) }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}
