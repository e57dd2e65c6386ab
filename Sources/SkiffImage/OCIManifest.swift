// OCI image manifests and indexes (image-spec manifest.md, image-index.md), and Docker's schema 2
// manifest and manifest list, which have the same shape. Parsed strictly: the media type the
// server or the referring descriptor declared must agree with the document's own, and a config
// or layer of the wrong media type is refused, naming the field.
import SkiffSystem

/// An image manifest: the config and the layers, base first.
public struct OCIManifest: Sendable, Equatable {
    /// The manifest's media type (OCI or Docker).
    public var mediaType: String
    /// The image config.
    public var config: OCIDescriptor
    /// The layers, applied in order.
    public var layers: [OCIDescriptor]
    /// Free-form metadata.
    public var annotations: [String: String]

    /// A manifest.
    public init(
        mediaType: String = OCIMediaType.ociManifest, config: OCIDescriptor, layers: [OCIDescriptor],
        annotations: [String: String] = [:]
    ) {
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }

    /// The JSON text of this manifest (for manifests Skiff writes itself: docker-archive imports).
    public func encoded() -> [UInt8] {
        var members: [(String, JSONValue)] = [
            ("schemaVersion", .number(2)), ("mediaType", .string(mediaType)), ("config", config.json),
            ("layers", .array(layers.map(\.json))),
        ]
        if !annotations.isEmpty { members.append(("annotations", .object(annotations.mapValues { .string($0) }))) }
        return JSONValue.object(members).encoded(pretty: false)
    }

    static func read(_ object: ObjectReader, mediaType: String) throws(SchemaError) -> OCIManifest {
        let configPath = object.path.key("config")
        guard let configValue = object.value("config") else { throw SchemaError(configPath, "required") }
        let config = try OCIDescriptor.read(configValue, at: configPath)
        guard OCIMediaType.isConfig(config.mediaType) else {
            throw SchemaError(configPath.key("mediaType"), string: config.mediaType, "not an image config media type")
        }
        guard let elements = try object.array("layers") else { throw SchemaError(object.path.key("layers"), "required") }
        var layers: [OCIDescriptor] = []
        for (element, at) in elements {
            let layer = try OCIDescriptor.read(element, at: at)
            guard OCIMediaType.isLayer(layer.mediaType) else {
                throw SchemaError(at.key("mediaType"), string: layer.mediaType, "not a layer media type")
            }
            layers.append(layer)
        }
        return OCIManifest(
            mediaType: mediaType, config: config, layers: layers, annotations: try object.stringMap("annotations") ?? [:])
    }
}

/// An image index (or Docker manifest list): manifests for several platforms.
public struct OCIIndex: Sendable, Equatable {
    /// The index's media type.
    public var mediaType: String
    /// The manifests it lists.
    public var manifests: [OCIDescriptor]
    /// Free-form metadata.
    public var annotations: [String: String]

    /// An index.
    public init(mediaType: String = OCIMediaType.ociIndex, manifests: [OCIDescriptor], annotations: [String: String] = [:]) {
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }

    /// The manifest for `platform`: os and architecture equal, and the variant too when both
    /// give one; an entry without a platform does not match (attestations, artifacts). Throws
    /// naming the platforms the index does have.
    public func manifest(for platform: OCIPlatform) throws -> OCIDescriptor {
        let candidates = manifests.filter {
            guard let entry = $0.platform, OCIMediaType.isManifest($0.mediaType) || OCIMediaType.isIndex($0.mediaType)
            else { return false }
            return entry.os == platform.os && entry.architecture == platform.architecture
        }
        if let exact = candidates.first(where: { $0.platform?.variant == platform.variant }) { return exact }
        if let any = candidates.first(where: { $0.platform?.variant == nil || platform.variant == nil }) { return any }
        let offered = manifests.compactMap { $0.platform?.description }.filter { $0 != "unknown/unknown" }
        let list = offered.isEmpty ? "none" : offered.joined(separator: ", ")
        throw SkiffError(.notFound, "no \(platform) image in the index (it has: \(list))")
    }

    /// The JSON text of this index (for OCI layouts Skiff writes: `image export`).
    public func encoded() -> [UInt8] {
        var members: [(String, JSONValue)] = [
            ("schemaVersion", .number(2)), ("mediaType", .string(mediaType)), ("manifests", .array(manifests.map(\.json))),
        ]
        if !annotations.isEmpty { members.append(("annotations", .object(annotations.mapValues { .string($0) }))) }
        return JSONValue.object(members).encoded(pretty: true)
    }

    static func read(_ object: ObjectReader, mediaType: String) throws(SchemaError) -> OCIIndex {
        guard let elements = try object.array("manifests") else { throw SchemaError(object.path.key("manifests"), "required") }
        var manifests: [OCIDescriptor] = []
        for (element, at) in elements { manifests.append(try OCIDescriptor.read(element, at: at)) }
        return OCIIndex(mediaType: mediaType, manifests: manifests, annotations: try object.stringMap("annotations") ?? [:])
    }
}

/// What a manifest reference resolves to: an image manifest, or an index to choose from.
public enum OCIDocument: Sendable, Equatable {
    case manifest(OCIManifest)
    case index(OCIIndex)

    /// Parses a manifest or index. `declared` is what the server's Content-Type or the referring
    /// descriptor said (nil or a generic type when unknown): it must agree with the document's
    /// own `mediaType` when both are specific. Errors: `SkiffError(.invalid, "<field>: why")`.
    public static func parse(_ bytes: [UInt8], declared: String?) throws -> OCIDocument {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw SkiffError(.invalid, "\(error)") }
        do {
            let object = try ObjectReader(value, at: FieldPath())
            let own = try object.string("mediaType")
            let declaredType = declared.map(OCIMediaType.bare).flatMap { isKnown($0) ? $0 : nil }
            if let own, let declaredType, own != declaredType {
                throw SchemaError(FieldPath().key("mediaType"), string: own, "does not match the declared media type \(quote(declaredType))")
            }
            let version = try object.integer("schemaVersion", in: 0...1_000_000, "an integer")
            if [OCIMediaType.dockerSchema1, OCIMediaType.dockerSchema1Signed].contains(declaredType ?? own ?? "") || version == 1 {
                throw SchemaError(FieldPath(), "Docker schema 1 manifests are not supported (push the image again with a current tool)")
            }
            guard let version else {
                throw SchemaError(FieldPath().key("schemaVersion"), "required")
            }
            guard version == 2 else { throw SchemaError(FieldPath().key("schemaVersion"), number: version, "must be 2") }
            let type = declaredType ?? own ?? (object.value("manifests") != nil ? OCIMediaType.ociIndex : OCIMediaType.ociManifest)
            if OCIMediaType.isIndex(type) { return .index(try OCIIndex.read(object, mediaType: type)) }
            if OCIMediaType.isManifest(type) { return .manifest(try OCIManifest.read(object, mediaType: type)) }
            throw SchemaError(FieldPath().key("mediaType"), string: type, "not an image manifest or index media type")
        } catch {
            throw SkiffError(.invalid, "\(error)")
        }
    }

    /// Whether `type` is a manifest, index or schema 1 type (generic types such as
    /// `application/json` or `application/octet-stream` say nothing and are ignored).
    private static func isKnown(_ type: String) -> Bool {
        OCIMediaType.isManifest(type) || OCIMediaType.isIndex(type) || type == OCIMediaType.dockerSchema1
            || type == OCIMediaType.dockerSchema1Signed || type.hasPrefix("application/vnd.oci.")
            || type.hasPrefix("application/vnd.docker.")
    }
}
