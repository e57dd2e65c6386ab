// The pod manifest (appc pods.md "Pod Manifest Schema"): what stage0 hands every stage1. Parsed
// and validated like the image manifest: strictly, every error naming its field.

import SkiffSystem

/// An appc pod manifest. Stage0 writes it reified: every app's image ID set and every app's
/// `app` section complete, so a stage1 needs nothing else to run the pod.
public struct PodManifest: Sendable, Equatable, Codable {
    /// Always "PodManifest".
    public var acKind: String
    public var acVersion: SemVer
    /// The apps, in order; names unique.
    public var apps: [RuntimeApp]
    /// Volumes the apps' mounts refer to; names unique.
    public var volumes: [Volume]
    /// Pod-wide isolators.
    public var isolators: [Isolator]
    public var annotations: [Annotation]
    /// Host ports forwarded to app ports.
    public var ports: [ExposedPort]
    public var userAnnotations: [String: String]
    public var userLabels: [String: String]

    public init(
        apps: [RuntimeApp], volumes: [Volume] = [], isolators: [Isolator] = [], annotations: [Annotation] = [],
        ports: [ExposedPort] = [], userAnnotations: [String: String] = [:], userLabels: [String: String] = [:]
    ) {
        acKind = "PodManifest"
        acVersion = .appc
        self.apps = apps
        self.volumes = volumes
        self.isolators = isolators
        self.annotations = annotations
        self.ports = ports
        self.userAnnotations = userAnnotations
        self.userLabels = userLabels
    }

    /// Parses and validates. Errors are `SkiffError(.invalid, "pod manifest: <field>: <why>")`.
    public static func parse(_ json: [UInt8]) throws -> PodManifest {
        let value: JSONValue
        do {
            value = try JSONValue.parse(json)
        } catch {
            throw SkiffError(.invalid, "pod manifest: \(error)")
        }
        do {
            return try read(value, at: FieldPath())
        } catch {
            throw invalidManifest("pod manifest", error)
        }
    }

    /// Checks a manifest built in code against the rules `parse` applies.
    public func validate() throws {
        do {
            _ = try PodManifest.read(json, at: FieldPath())
        } catch {
            throw invalidManifest("pod manifest", error)
        }
    }

    /// JSON that `parse` reads back to an equal manifest.
    public func encoded(pretty: Bool) -> [UInt8] { JSONWriter.encode(json, pretty: pretty) }

    /// The app called `name`.
    public func app(named name: String) -> RuntimeApp? { apps.first { $0.name.value == name } }

    static func read(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> PodManifest {
        let object = try ObjectReader(value, at: path)
        let kind = try object.requiredString("acKind")
        guard kind == "PodManifest" else { throw SchemaError(path.key("acKind"), string: kind, "must be \"PodManifest\"") }
        let versionText = try object.requiredString("acVersion")
        guard let version = SemVer.parse(versionText) else {
            throw SchemaError(path.key("acVersion"), string: versionText, "not a semantic version")
        }
        guard let appElements = try object.array("apps") else { throw SchemaError(path.key("apps"), "required") }
        var apps: [RuntimeApp] = []
        for (element, at) in appElements {
            let app = try RuntimeApp.read(element, at: at)
            if apps.contains(where: { $0.name == app.name }) {
                throw SchemaError(at.key("name"), string: app.name.value, "duplicate app name")
            }
            apps.append(app)
        }
        var volumes: [Volume] = []
        for (element, at) in try object.array("volumes") ?? [] {
            let volume = try Volume.read(element, at: at)
            if volumes.contains(where: { $0.name == volume.name }) {
                throw SchemaError(at.key("name"), string: volume.name.value, "duplicate volume name")
            }
            volumes.append(volume)
        }
        for (appIndex, app) in apps.enumerated() {
            for (mountIndex, mount) in app.mounts.enumerated() where mount.appVolume == nil {
                if !volumes.contains(where: { $0.name == mount.volume }) {
                    throw SchemaError(
                        path.key("apps").index(appIndex).key("mounts").index(mountIndex).key("volume"),
                        string: mount.volume.value, "no such volume in the pod")
                }
            }
        }
        var ports: [ExposedPort] = []
        for (element, at) in try object.array("ports") ?? [] {
            let port = try ExposedPort.read(element, at: at)
            if ports.contains(where: { $0.name == port.name }) {
                throw SchemaError(at.key("name"), string: port.name.value, "duplicate port name")
            }
            ports.append(port)
        }
        var manifest = PodManifest(
            apps: apps, volumes: volumes, isolators: try Isolator.readList(try object.array("isolators") ?? []),
            annotations: try Annotation.readList(try object.array("annotations") ?? []), ports: ports,
            userAnnotations: try object.stringMap("userAnnotations") ?? [:],
            userLabels: try object.stringMap("userLabels") ?? [:])
        manifest.acKind = kind
        manifest.acVersion = version
        return manifest
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("acKind", .string(acKind)), ("acVersion", .string(acVersion.description)), ("apps", .array(apps.map(\.json))),
        ]
        if !volumes.isEmpty { members.append(("volumes", .array(volumes.map(\.json)))) }
        if !isolators.isEmpty { members.append(("isolators", .array(isolators.map(\.json)))) }
        if !annotations.isEmpty { members.append(("annotations", Annotation.json(annotations))) }
        if !ports.isEmpty { members.append(("ports", .array(ports.map(\.json)))) }
        if !userAnnotations.isEmpty { members.append(("userAnnotations", stringMapJSON(userAnnotations))) }
        if !userLabels.isEmpty { members.append(("userLabels", stringMapJSON(userLabels))) }
        return .object(members)
    }

    public init(from decoder: any Decoder) throws {
        self = try decodeSchema(decoder) { (value, path) throws(SchemaError) in try PodManifest.read(value, at: path) }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

func stringMapJSON(_ map: [String: String]) -> JSONValue {
    .object(map.keys.sorted().map { ($0, .string(map[$0] ?? "")) })
}
