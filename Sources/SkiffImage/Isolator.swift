// Isolators (types.md "Isolator Type", ace.md "Isolators"): a name and an arbitrary JSON value.
// The value is kept raw; the isolators Skiff knows are checked when read and can be interpreted.
import SkiffSystem

/// An isolator entry: `{"name": "resource/memory", "value": {"limit": "1G"}}`.
public struct Isolator: Sendable, Equatable, Codable {
    /// The isolator name, e.g. "resource/memory".
    public var name: ACIdentifier
    /// The value exactly as written.
    public var value: JSONValue

    /// An isolator (its value is checked when a manifest is read or `interpreted()` is called).
    public init(name: ACIdentifier, value: JSONValue) {
        self.name = name
        self.value = value
    }

    /// The isolator's meaning, checked. Throws for a known isolator with a bad value.
    public func interpreted() throws -> KnownIsolator {
        do {
            return try KnownIsolator.read(name: name.value, value: value, at: FieldPath().key("value"))
        } catch {
            throw SkiffError(.invalid, "isolator \(quote(name.value)): \(error)")
        }
    }

    static func read(_ element: JSONValue, at path: FieldPath) throws(SchemaError) -> Isolator {
        let object = try ObjectReader(element, at: path)
        let name = try ACIdentifier.read(try object.presentString("name"), at: path.key("name"))
        guard let value = object.value("value") else { throw SchemaError(path.key("value"), "required") }
        _ = try KnownIsolator.read(name: name.value, value: value, at: path.key("value"))
        return Isolator(name: name, value: value)
    }

    /// Reads an app's isolator list: each known isolator at most once, and neither the two
    /// capability sets nor the two seccomp sets together (ace.md).
    static func readList(_ elements: [(JSONValue, FieldPath)]) throws(SchemaError) -> [Isolator] {
        var isolators: [Isolator] = []
        var seen: [String: FieldPath] = [:]
        for (element, path) in elements {
            let isolator = try read(element, at: path)
            let name = isolator.name.value
            if KnownIsolator.names.contains(name) {
                if let first = seen[name] {
                    throw SchemaError(path.key("name"), string: name, "given twice (also \(first))")
                }
                for other in KnownIsolator.conflicts[name] ?? [] {
                    if let at = seen[other] {
                        throw SchemaError(path.key("name"), string: name, "conflicts with \(quote(other)) (\(at))")
                    }
                }
                seen[name] = path
            }
            isolators.append(isolator)
        }
        return isolators
    }

    var json: JSONValue { .object([("name", .string(name.value)), ("value", value)]) }

    public init(from decoder: any Decoder) throws {
        self = try decodeSchema(decoder) { (value, path) throws(SchemaError) in try Isolator.read(value, at: path) }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

/// A resource isolator's amounts (ace.md: `request` defaults to `limit`).
public struct ResourceAmounts: Sendable, Equatable {
    /// The guaranteed amount, if given.
    public var request: Quantity?
    /// The maximum amount, if given.
    public var limit: Quantity?
    /// The request, or the limit when no request is given.
    public var effectiveRequest: Quantity? { request ?? limit }
}

/// What an isolator means, for the isolators Skiff understands.
public enum KnownIsolator: Sendable, Equatable {
    /// `resource/memory`, in bytes.
    case memory(ResourceAmounts)
    /// `resource/cpu`, in cores (milliValue = millicores).
    case cpu(ResourceAmounts)
    /// `resource/block-bandwidth`, bytes per second.
    case blockBandwidth(limit: Quantity)
    /// `resource/block-iops`, operations per second.
    case blockIOPS(limit: Quantity)
    /// `resource/network-bandwidth`, bytes per second.
    case networkBandwidth(limit: Quantity)
    /// `os/linux/capabilities-retain-set`: the bounding set is exactly these.
    case capabilitiesRetain([String])
    /// `os/linux/capabilities-remove-set`: the default set minus these.
    case capabilitiesRemove([String])
    /// `os/linux/seccomp-retain-set`: only these syscalls; others fail with errno (or SIGSYS).
    case seccompRetain(set: [String], errno: String?)
    /// `os/linux/seccomp-remove-set`: these syscalls fail with errno (or SIGSYS).
    case seccompRemove(set: [String], errno: String?)
    /// `os/linux/no-new-privileges`.
    case noNewPrivileges(Bool)
    /// `os/linux/oom-score-adj`, -1000...1000.
    case oomScoreAdj(Int)
    /// `os/linux/cpu-shares`, 2...262144.
    case cpuShares(Int)
    /// Not interpreted: unknown to Skiff, or known but not checked here (selinux-context,
    /// apparmor-profile, os/unix/sysctl: the engine reads those itself).
    case other

    /// Names whose values are checked; each may appear once per app.
    static let names: Set<String> = [
        "resource/memory", "resource/cpu", "resource/block-bandwidth", "resource/block-iops",
        "resource/network-bandwidth", "os/linux/capabilities-retain-set", "os/linux/capabilities-remove-set",
        "os/linux/seccomp-retain-set", "os/linux/seccomp-remove-set", "os/linux/no-new-privileges",
        "os/linux/oom-score-adj", "os/linux/cpu-shares",
    ]

    /// Isolators that exclude each other within one app.
    static let conflicts: [String: [String]] = [
        "os/linux/capabilities-retain-set": ["os/linux/capabilities-remove-set"],
        "os/linux/capabilities-remove-set": ["os/linux/capabilities-retain-set"],
        "os/linux/seccomp-retain-set": ["os/linux/seccomp-remove-set"],
        "os/linux/seccomp-remove-set": ["os/linux/seccomp-retain-set"],
    ]

    static func read(name: String, value: JSONValue, at path: FieldPath) throws(SchemaError) -> KnownIsolator {
        switch name {
        case "resource/memory": return .memory(try amounts(value, at: path))
        case "resource/cpu": return .cpu(try amounts(value, at: path))
        case "resource/block-bandwidth": return .blockBandwidth(limit: try deviceLimit(value, at: path))
        case "resource/block-iops": return .blockIOPS(limit: try deviceLimit(value, at: path))
        case "resource/network-bandwidth": return .networkBandwidth(limit: try deviceLimit(value, at: path))
        case "os/linux/capabilities-retain-set": return .capabilitiesRetain(try capabilities(value, at: path))
        case "os/linux/capabilities-remove-set": return .capabilitiesRemove(try capabilities(value, at: path))
        case "os/linux/seccomp-retain-set":
            let (set, errno) = try seccomp(value, at: path)
            return .seccompRetain(set: set, errno: errno)
        case "os/linux/seccomp-remove-set":
            let (set, errno) = try seccomp(value, at: path)
            return .seccompRemove(set: set, errno: errno)
        case "os/linux/no-new-privileges":
            guard case .bool(let flag) = value else { throw SchemaError(path, "expected a boolean, got \(value.kindName)") }
            return .noNewPrivileges(flag)
        case "os/linux/oom-score-adj":
            return .oomScoreAdj(Int(try expectInteger(value, at: path, in: -1000...1000, "-1000...1000")))
        case "os/linux/cpu-shares":
            return .cpuShares(Int(try expectInteger(value, at: path, in: 2...262_144, "2...262144")))
        default: return .other
        }
    }

    /// `{"request": Q, "limit": Q}` with at least one; `default`, if given, must be false.
    private static func amounts(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> ResourceAmounts {
        let object = try ObjectReader(value, at: path)
        if try object.bool("default") == true { throw SchemaError(path.key("default"), "must be false for this resource") }
        let request = try object.value("request").map { (v) throws(SchemaError) in try Quantity.read(v, at: path.key("request")) }
        let limit = try object.value("limit").map { (v) throws(SchemaError) in try Quantity.read(v, at: path.key("limit")) }
        guard request != nil || limit != nil else { throw SchemaError(path, "needs a request or a limit") }
        return ResourceAmounts(request: request, limit: limit)
    }

    /// `{"default": true, "limit": Q}`: these apply to every device; there is no request.
    private static func deviceLimit(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> Quantity {
        let object = try ObjectReader(value, at: path)
        guard try object.bool("default") == true else { throw SchemaError(path.key("default"), "must be true for this resource") }
        guard object.value("request") == nil else { throw SchemaError(path.key("request"), "not supported by this resource") }
        guard let limit = object.value("limit") else { throw SchemaError(path.key("limit"), "required") }
        return try Quantity.read(limit, at: path.key("limit"))
    }

    /// `{"set": ["CAP_…", …]}`, non-empty, names Linux knows.
    private static func capabilities(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> [String] {
        let object = try ObjectReader(value, at: path)
        guard let set = try object.array("set") else { throw SchemaError(path.key("set"), "required") }
        guard !set.isEmpty else { throw SchemaError(path.key("set"), "must not be empty") }
        var names: [String] = []
        for (element, at) in set {
            let name = try expectString(element, at: at)
            guard LinuxCapability.number(name) != nil else { throw SchemaError(at, string: name, "unknown capability") }
            names.append(name)
        }
        return names
    }

    /// `{"set": [syscall or @wildcard, …], "errno": "EPERM"?}`, set non-empty.
    private static func seccomp(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> ([String], String?) {
        let object = try ObjectReader(value, at: path)
        guard let set = try object.array("set") else { throw SchemaError(path.key("set"), "required") }
        guard !set.isEmpty else { throw SchemaError(path.key("set"), "must not be empty") }
        var names: [String] = []
        for (element, at) in set {
            let name = try expectString(element, at: at)
            guard !name.isEmpty else { throw SchemaError(at, "must not be empty") }
            names.append(name)
        }
        guard let errno = try object.string("errno"), !errno.isEmpty else { return (names, nil) }
        guard LinuxErrno.number(errno) != nil else { throw SchemaError(path.key("errno"), string: errno, "unknown errno name") }
        return (names, errno)
    }
}
