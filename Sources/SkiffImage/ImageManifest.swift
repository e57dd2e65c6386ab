// The image manifest (aci.md "Image Manifest Schema"): parsed strictly, validated completely,
// every error naming its field. Unknown members are ignored so newer manifests still load; a
// known member of the wrong type is an error.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffSystem

/// An appc image manifest.
public struct ImageManifest: Sendable, Equatable, Codable {
    /// Always "ImageManifest".
    public var acKind: String
    /// The appc spec version the manifest follows.
    public var acVersion: SemVer
    /// The image's name.
    public var name: ACIdentifier
    /// Labels: unique names, never "name"; os/arch whitelisted.
    public var labels: [Label]
    /// How to run the image, if it is runnable.
    public var app: App?
    /// Images rendered below this one, in order.
    public var dependencies: [Dependency]
    /// Absolute paths; when non-empty only these (and their parent directories) stay in the rootfs.
    public var pathWhitelist: [String]
    /// Metadata: unique names; created, homepage, documentation checked.
    public var annotations: [Annotation]

    /// A manifest built in code (acKind "ImageManifest"); check it with `validate()`.
    public init(
        name: ACIdentifier, acVersion: SemVer = .appc, labels: [Label] = [], app: App? = nil,
        dependencies: [Dependency] = [], pathWhitelist: [String] = [], annotations: [Annotation] = []
    ) {
        self.acKind = "ImageManifest"
        self.acVersion = acVersion
        self.name = name
        self.labels = labels
        self.app = app
        self.dependencies = dependencies
        self.pathWhitelist = pathWhitelist
        self.annotations = annotations
    }

    /// Parses and validates a manifest. Errors are `SkiffError(.invalid, "image manifest: <field>: <why>")`,
    /// e.g. `image manifest: labels[1].name "Name": not an AC identifier`.
    public static func parse(_ json: [UInt8]) throws -> ImageManifest {
        let value: JSONValue
        do {
            value = try JSONValue.parse(json)
        } catch {
            throw SkiffError(.invalid, "image manifest: \(error)")
        }
        do {
            return try read(value, at: FieldPath())
        } catch {
            throw invalidManifest("image manifest", error)
        }
    }

    /// Checks a manifest built in code against the same rules `parse` applies.
    public func validate() throws {
        do {
            _ = try ImageManifest.read(json, at: FieldPath())
        } catch {
            throw invalidManifest("image manifest", error)
        }
    }

    /// JSON text that `parse` reads back to an equal manifest (for a valid manifest). Members go
    /// out in the spec's order; empty optional lists are left out.
    public func encoded(pretty: Bool) -> [UInt8] { JSONWriter.encode(json, pretty: pretty) }

    /// The value of label `name`.
    public func label(_ name: String) -> String? { labels.first { $0.name.value == name }?.value }

    /// The "version" label.
    public var version: String? { label("version") }

    /// The labels as a dictionary (names are unique).
    public var labelDictionary: [String: String] {
        Dictionary(labels.map { ($0.name.value, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The value of annotation `name`.
    public func annotation(_ name: String) -> String? { annotations.first { $0.name.value == name }?.value }

    /// The `created` annotation as a date.
    public var created: Date? { annotation("created").flatMap(RFC3339.parse) }

    static func read(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> ImageManifest {
        let object = try ObjectReader(value, at: path)
        let kind = try object.requiredString("acKind")
        guard kind == "ImageManifest" else { throw SchemaError(path.key("acKind"), string: kind, "must be \"ImageManifest\"") }
        let versionText = try object.requiredString("acVersion")
        guard let version = SemVer.parse(versionText) else {
            throw SchemaError(path.key("acVersion"), string: versionText, "not a semantic version")
        }
        let name = try ACIdentifier.read(try object.string("name") ?? "", at: path.key("name"))
        let labels = try Label.readList(try object.array("labels") ?? [])
        let app = try object.value("app").map { (app) throws(SchemaError) in try App.read(app, at: path.key("app")) }
        var dependencies: [Dependency] = []
        for (element, at) in try object.array("dependencies") ?? [] {
            dependencies.append(try Dependency.read(element, at: at))
        }
        var whitelist: [String] = []
        for (element, at) in try object.array("pathWhitelist") ?? [] {
            let entry = try expectString(element, at: at)
            guard isAbsolutePath(entry) else { throw SchemaError(at, string: entry, "must be an absolute path") }
            whitelist.append(entry)
        }
        let annotations = try Annotation.readList(try object.array("annotations") ?? [])
        var manifest = ImageManifest(
            name: name, acVersion: version, labels: labels, app: app, dependencies: dependencies,
            pathWhitelist: whitelist, annotations: annotations)
        manifest.acKind = kind
        return manifest
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("acKind", .string(acKind)), ("acVersion", .string(acVersion.description)), ("name", .string(name.value)),
        ]
        if !labels.isEmpty { members.append(("labels", Label.json(labels))) }
        if let app { members.append(("app", app.json)) }
        if !dependencies.isEmpty { members.append(("dependencies", .array(dependencies.map(\.json)))) }
        if !pathWhitelist.isEmpty { members.append(("pathWhitelist", .array(pathWhitelist.map { .string($0) }))) }
        if !annotations.isEmpty { members.append(("annotations", Annotation.json(annotations))) }
        return .object(members)
    }

    public init(from decoder: any Decoder) throws {
        self = try decodeSchema(decoder) { (value, path) throws(SchemaError) in try ImageManifest.read(value, at: path) }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}
