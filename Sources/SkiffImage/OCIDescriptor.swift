// OCI descriptors (image-spec descriptor.md): what a manifest or index says about the content it
// points to, so every blob can be checked against its digest and size as it is read.
import SkiffSystem

/// The platform an index entry is for (image-spec image-index.md "platform").
public struct OCIPlatform: Sendable, Equatable, CustomStringConvertible {
    /// "linux", "windows"...
    public var os: String
    /// Go's architecture names: "amd64", "arm64", "arm", "386", "ppc64le", "s390x"...
    public var architecture: String
    /// "v7", "v8"... for ARM; nil when not given.
    public var variant: String?

    /// A platform.
    public init(os: String, architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    /// "linux/amd64", "linux/arm/v7".
    public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }

    /// This machine as an OCI platform (Go names: x86_64 is amd64, aarch64 is arm64).
    public static var host: OCIPlatform {
        switch Platform.appcArch(machine: Platform.machine()) {
        case "amd64": return OCIPlatform(os: "linux", architecture: "amd64")
        case "aarch64": return OCIPlatform(os: "linux", architecture: "arm64")
        case "i386": return OCIPlatform(os: "linux", architecture: "386")
        case "armv7l": return OCIPlatform(os: "linux", architecture: "arm", variant: "v7")
        case let other: return OCIPlatform(os: "linux", architecture: other)
        }
    }

    /// The appc `arch` label for an OCI architecture (amd64 stays, arm64 is aarch64...).
    public static func appcArch(_ architecture: String) -> String {
        switch architecture {
        case "arm64": return "aarch64"
        case "386": return "i386"
        case "arm": return "armv7l"
        default: return architecture
        }
    }

    static func read(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> OCIPlatform {
        let object = try ObjectReader(value, at: path)
        return OCIPlatform(
            os: try object.requiredString("os"), architecture: try object.requiredString("architecture"),
            variant: try object.string("variant").flatMap { $0.isEmpty ? nil : $0 })
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("architecture", .string(architecture)), ("os", .string(os))]
        if let variant { members.append(("variant", .string(variant))) }
        return .object(members)
    }
}

/// A reference to content: its media type, digest and size (and, in an index, its platform).
public struct OCIDescriptor: Sendable, Equatable {
    /// What the content is.
    public var mediaType: String
    /// Its digest.
    public var digest: OCIDigest
    /// Its exact size in bytes.
    public var size: Int64
    /// In an index: the platform the manifest is for.
    public var platform: OCIPlatform?
    /// Free-form metadata (`org.opencontainers.image.ref.name` names a tag in a layout's index).
    public var annotations: [String: String]

    /// A descriptor.
    public init(
        mediaType: String, digest: OCIDigest, size: Int64, platform: OCIPlatform? = nil, annotations: [String: String] = [:]
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
        self.annotations = annotations
    }

    /// The annotation naming the tag of a manifest in an OCI layout's index.
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"

    /// The largest blob size accepted (JSON numbers are exact up to 2^53).
    static let maximumSize: Double = 9_007_199_254_740_992

    static func read(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> OCIDescriptor {
        let object = try ObjectReader(value, at: path)
        let mediaType = try object.requiredString("mediaType")
        let digest = try OCIDigest.read(try object.requiredString("digest"), at: path.key("digest"))
        guard let size = try object.integer("size", in: 0...maximumSize, "a non-negative integer") else {
            throw SchemaError(path.key("size"), "required")
        }
        let platform = try object.value("platform").map { (value) throws(SchemaError) in
            try OCIPlatform.read(value, at: path.key("platform"))
        }
        return OCIDescriptor(
            mediaType: mediaType, digest: digest, size: Int64(size), platform: platform,
            annotations: try object.stringMap("annotations") ?? [:])
    }

    /// The descriptor as JSON (members in the spec's order).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("mediaType", .string(mediaType)), ("digest", .string(digest.value)), ("size", .number(Double(size))),
        ]
        if !annotations.isEmpty { members.append(("annotations", .object(annotations.mapValues { .string($0) }))) }
        if let platform { members.append(("platform", platform.json)) }
        return .object(members)
    }
}
