// Image IDs (aci.md "Image ID", types.md "Image ID Type"): `sha512-` and the lowercase hex
// SHA-512 of the uncompressed tar. OCI and Docker images are keyed by their manifest digest
// instead, `sha256:` and 64 lowercase hex digits (the OCI digest form, so it reads as what a
// registry shows). Only full forms are ImageIDs; the shortened forms people type go through
// ImageIDPrefix.
import SkiffDigest
import SkiffSystem

/// A full image ID: "sha512-" followed by 128 lowercase hex digits (an ACI), or "sha256:"
/// followed by 64 (an OCI image: the digest of its manifest).
public struct ImageID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// "sha512-…".
    public let value: String

    /// Accepts exactly "sha512-" and 128 lowercase hex digits, or "sha256:" and 64.
    public init(validating text: String) throws {
        if let reason = ImageID.problem(text) { throw SkiffError(.invalid, "image ID \(quote(text)): \(reason)") }
        value = text
    }

    /// The ID of a raw 64-byte SHA-512 digest.
    public init(sha512 digest: [UInt8]) {
        precondition(digest.count == 64, "ImageID(sha512:) needs a 64-byte digest, got \(digest.count)")
        value = "sha512-" + digest.hexString
    }

    /// The ID of an OCI image: its manifest's raw 32-byte SHA-256 digest.
    public init(ociManifest digest: [UInt8]) {
        precondition(digest.count == 32, "ImageID(ociManifest:) needs a 32-byte digest, got \(digest.count)")
        value = "sha256:" + digest.hexString
    }

    /// The hex digits (128 for an ACI, 64 for an OCI image; both prefixes are 7 characters).
    public var hex: String { String(value.dropFirst(7)) }
    /// The prefix and the first 32 hex digits, as rkt's fetch prints it.
    public var short: String { String(value.prefix(7 + 32)) }
    /// The prefix and the first 12 hex digits, as rkt's image list prints it.
    public var shorter: String { String(value.prefix(7 + 12)) }
    /// Whether this is an OCI image (keyed by its manifest digest) rather than an ACI.
    public var isOCI: Bool { value.hasPrefix("sha256:") }

    public var description: String { value }
    public static func < (lhs: ImageID, rhs: ImageID) -> Bool { lhs.value < rhs.value }

    /// Why `text` is not an image ID, or nil if it is one.
    static func problem(_ text: String) -> String? {
        if text.hasPrefix("sha256:") {
            let digits = text.utf8.dropFirst(7)
            guard digits.count == 64 else { return "want 64 hex digits after sha256:, got \(digits.count)" }
            guard digits.allSatisfy(isLowerHex) else { return "not lowercase hex after sha256:" }
            return nil
        }
        guard let dash = text.firstIndex(of: "-") else { return "not of the form sha512-<hex>" }
        let algorithm = text[..<dash]
        guard algorithm == "sha512" else {
            return algorithm.isEmpty ? "missing hash algorithm" : "unsupported hash algorithm \(quote(String(algorithm)))"
        }
        let digits = text.utf8.dropFirst(7)
        guard digits.count == 128 else { return "want 128 hex digits after sha512-, got \(digits.count)" }
        guard digits.allSatisfy(isLowerHex) else { return "not lowercase hex after sha512-" }
        return nil
    }

    /// Reads an image ID field, naming it in the error.
    static func read(_ text: String, at path: FieldPath) throws(SchemaError) -> ImageID {
        if let reason = problem(text) { throw SchemaError(path, string: text, reason) }
        return ImageID(unchecked: text)
    }

    private init(unchecked text: String) { value = text }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        if let reason = ImageID.problem(text) { throw corrupted(decoder, "image ID \(quote(text)): \(reason)") }
        value = text
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// What a user types to name a stored image by ID: "sha512-" (or "sha256:" for OCI images) and
/// at least 2 hex digits (rkt resolves any unique prefix of at least `sha512-xx`). Uppercase hex
/// is accepted and folded.
public struct ImageIDPrefix: Sendable, Hashable, CustomStringConvertible {
    /// The normalized prefix: "sha512-" and 2...128 lowercase hex digits, or "sha256:" and 2...64.
    public let value: String

    /// Nil when `text` is not "sha512-" with 2 to 128 hex digits or "sha256:" with 2 to 64.
    public init?(_ text: String) {
        let prefix = String(text.prefix(7))
        let most: Int
        switch prefix {
        case "sha512-": most = 128
        case "sha256:": most = 64
        default: return nil
        }
        let digits = text.utf8.dropFirst(7)
        guard (2...most).contains(digits.count), digits.allSatisfy({ hexDigitValue($0) != nil }) else { return nil }
        value = prefix + String(decoding: digits, as: UTF8.self).lowercased()
    }

    /// Whether `id` starts with this prefix.
    public func matches(_ id: ImageID) -> Bool { id.value.hasPrefix(value) }

    /// Whether this is a whole ID rather than a prefix.
    public var isComplete: Bool { value.utf8.count == 7 + (value.hasPrefix("sha256:") ? 64 : 128) }

    public var description: String { value }
}

private func isLowerHex(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
}
