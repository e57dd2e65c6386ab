// OCI content digests (image-spec descriptor.md "Digests"): `algorithm:encoded`, here sha256 or
// sha512 with lowercase hex, the only registered algorithms. A digest names content: the store
// keeps blobs under it and every byte read is checked against it.
import SkiffDigest
import SkiffSystem

/// A content digest such as `sha256:<64 hex>`.
public struct OCIDigest: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The hash algorithm.
    public let algorithm: DigestAlgorithm
    /// The lowercase hex digest.
    public let hex: String

    /// Parses `sha256:<64 lowercase hex>` or `sha512:<128 lowercase hex>`; throws
    /// `SkiffError(.invalid, "digest \"…\": why")`.
    public init(parsing text: String) throws {
        if let problem = Self.problem(text) { throw SkiffError(.invalid, "digest \(quote(text)): \(problem)") }
        algorithm = text.hasPrefix("sha512:") ? .sha512 : .sha256
        hex = String(text.drop { $0 != ":" }.dropFirst())
    }

    /// The digest of raw hash bytes.
    public init(_ algorithm: DigestAlgorithm, bytes: [UInt8]) {
        self.algorithm = algorithm
        hex = bytes.hexString
    }

    /// The digest of `content` with `algorithm`.
    public static func of(_ content: [UInt8], _ algorithm: DigestAlgorithm = .sha256) -> OCIDigest {
        OCIDigest(algorithm, bytes: Digest.hash(algorithm, content))
    }

    /// `sha256:…`.
    public var value: String { algorithm.rawValue + ":" + hex }
    public var description: String { value }
    public static func < (lhs: OCIDigest, rhs: OCIDigest) -> Bool { lhs.value < rhs.value }

    /// Whether `content` has this digest.
    public func matches(_ content: [UInt8]) -> Bool { Digest.hash(algorithm, content).hexString == hex }

    /// Why `text` is not a digest Skiff accepts, or nil.
    static func problem(_ text: String) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return "not of the form algorithm:hex" }
        let name = text[..<colon]
        let digits = text.utf8[text.utf8.index(after: colon)...]
        let length: Int
        switch name {
        case "sha256": length = 64
        case "sha512": length = 128
        default: return name.isEmpty ? "missing algorithm" : "unsupported algorithm \(quote(String(name)))"
        }
        guard digits.count == length else { return "want \(length) hex digits after \(name):, got \(digits.count)" }
        let lowerHex = digits.allSatisfy {
            ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
        }
        return lowerHex ? nil : "not lowercase hex"
    }

    /// Reads a digest field, naming it in the error.
    static func read(_ text: String, at path: FieldPath) throws(SchemaError) -> OCIDigest {
        if let problem = problem(text) { throw SchemaError(path, string: text, problem) }
        return (try? OCIDigest(parsing: text)) ?? OCIDigest(.sha256, bytes: [])
    }
}
