// An image's `app` section (aci.md): how to run it. Since appc 0.8 `exec` is optional and may
// name a program to look up in PATH (the spec text at 259c2ee, which this follows; older Go code
// wanted an absolute exec[0]). `user` and `group` are required, non-empty strings.

/// The default way to run an image.
public struct App: Sendable, Equatable, Codable {
    /// argv, verbatim; may be empty (the pod or the user supplies one).
    public var exec: [String]
    /// A user name, a UID, or an absolute path whose owner is used.
    public var user: String
    /// A group name, a GID, or an absolute path whose group is used.
    public var group: String
    /// Extra group IDs the app runs with.
    public var supplementaryGIDs: [UInt32]
    /// pre-start / post-stop hooks, at most one of each.
    public var eventHandlers: [EventHandler]
    /// Absolute; nil means "/".
    public var workingDirectory: String?
    /// Environment variables, unique names, values verbatim.
    public var environment: [EnvironmentVariable]
    /// Isolators for this app, known ones checked.
    public var isolators: [Isolator]
    /// Where the app expects volumes.
    public var mountPoints: [MountPoint]
    /// Ports the app listens on.
    public var ports: [Port]
    /// Free-form; must not change how the app runs.
    public var userAnnotations: [String: String]
    /// Free-form; must not change how the app runs.
    public var userLabels: [String: String]

    /// An app; everything but exec, user and group defaults to empty.
    public init(
        exec: [String], user: String, group: String, supplementaryGIDs: [UInt32] = [], eventHandlers: [EventHandler] = [],
        workingDirectory: String? = nil, environment: [EnvironmentVariable] = [], isolators: [Isolator] = [],
        mountPoints: [MountPoint] = [], ports: [Port] = [], userAnnotations: [String: String] = [:],
        userLabels: [String: String] = [:]
    ) {
        self.exec = exec
        self.user = user
        self.group = group
        self.supplementaryGIDs = supplementaryGIDs
        self.eventHandlers = eventHandlers
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.isolators = isolators
        self.mountPoints = mountPoints
        self.ports = ports
        self.userAnnotations = userAnnotations
        self.userLabels = userLabels
    }

    /// The value of environment variable `name`, if the app sets it.
    public func environmentValue(_ name: String) -> String? { environment.first { $0.name == name }?.value }

    /// The event handler named "pre-start" or "post-stop", if any.
    public func eventHandler(_ name: String) -> EventHandler? { eventHandlers.first { $0.name == name } }

    /// Reads and checks an app object (also used for the `app` of a pod manifest entry).
    static func read(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> App {
        let object = try ObjectReader(value, at: path)
        let exec = try object.stringArray("exec") ?? []
        let user = try object.requiredString("user")
        let group = try object.requiredString("group")
        var gids: [UInt32] = []
        for (element, at) in try object.array("supplementaryGIDs") ?? [] {
            gids.append(UInt32(try expectInteger(element, at: at, in: 0...4_294_967_295, "0...4294967295")))
        }
        var handlers: [EventHandler] = []
        for (element, at) in try object.array("eventHandlers") ?? [] {
            let handler = try EventHandler.read(element, at: at)
            guard !handlers.contains(where: { $0.name == handler.name }) else {
                throw SchemaError(at.key("name"), string: handler.name, "duplicate event handler")
            }
            handlers.append(handler)
        }
        var workingDirectory = try object.string("workingDirectory")
        if workingDirectory == "" { workingDirectory = nil }
        if let directory = workingDirectory, !isAbsolutePath(directory) {
            throw SchemaError(path.key("workingDirectory"), string: directory, "must be an absolute path")
        }
        var environment: [EnvironmentVariable] = []
        for (element, at) in try object.array("environment") ?? [] {
            let variable = try EnvironmentVariable.read(element, at: at)
            guard !environment.contains(where: { $0.name == variable.name }) else {
                throw SchemaError(at.key("name"), string: variable.name, "duplicate environment variable")
            }
            environment.append(variable)
        }
        let isolators = try Isolator.readList(try object.array("isolators") ?? [])
        var mountPoints: [MountPoint] = []
        for (element, at) in try object.array("mountPoints") ?? [] {
            let mountPoint = try MountPoint.read(element, at: at)
            guard !mountPoints.contains(where: { $0.name == mountPoint.name }) else {
                throw SchemaError(at.key("name"), string: mountPoint.name.value, "duplicate mount point")
            }
            mountPoints.append(mountPoint)
        }
        var ports: [Port] = []
        for (element, at) in try object.array("ports") ?? [] {
            let port = try Port.read(element, at: at)
            guard !ports.contains(where: { $0.name == port.name }) else {
                throw SchemaError(at.key("name"), string: port.name.value, "duplicate port")
            }
            ports.append(port)
        }
        return App(
            exec: exec, user: user, group: group, supplementaryGIDs: gids, eventHandlers: handlers,
            workingDirectory: workingDirectory, environment: environment, isolators: isolators, mountPoints: mountPoints,
            ports: ports, userAnnotations: try object.stringMap("userAnnotations") ?? [:],
            userLabels: try object.stringMap("userLabels") ?? [:])
    }

    /// The app as JSON, empty optional lists left out.
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("exec", .array(exec.map { .string($0) })), ("user", .string(user)), ("group", .string(group)),
        ]
        func add(_ key: String, _ values: [JSONValue]) {
            if !values.isEmpty { members.append((key, .array(values))) }
        }
        add("supplementaryGIDs", supplementaryGIDs.map { .number(Double($0)) })
        add("eventHandlers", eventHandlers.map(\.json))
        if let workingDirectory { members.append(("workingDirectory", .string(workingDirectory))) }
        add("environment", environment.map(\.json))
        add("isolators", isolators.map(\.json))
        add("mountPoints", mountPoints.map(\.json))
        add("ports", ports.map(\.json))
        if !userAnnotations.isEmpty { members.append(("userAnnotations", .object(userAnnotations.mapValues { .string($0) }))) }
        if !userLabels.isEmpty { members.append(("userLabels", .object(userLabels.mapValues { .string($0) }))) }
        return .object(members)
    }

    public init(from decoder: any Decoder) throws {
        self = try decodeSchema(decoder) { (value, path) throws(SchemaError) in try App.read(value, at: path) }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}
