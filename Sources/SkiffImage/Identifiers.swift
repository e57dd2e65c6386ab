// The appc name types (spec/types.md). Both are checked by hand rather than with Regex: the
// grammars are tiny and this keeps the module free of the regex engine's start-up cost.
import SkiffSystem

/// An AC Identifier: `^[a-z0-9]+([-._~/][a-z0-9]+)*$`. Image names, label names, isolator names.
public struct ACIdentifier: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The identifier text.
    public let value: String

    /// Checks `text` against the AC Identifier grammar.
    public init(validating text: String) throws {
        guard ACIdentifier.isValid(text) else { throw SkiffError(.invalid, "\(quote(text)): not an AC identifier") }
        value = text
    }

    /// Whether `text` is an AC Identifier.
    public static func isValid(_ text: String) -> Bool {
        isSeparatedAlphanumerics(text, separators: [UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/")])
    }

    /// Reads an identifier field, naming it in the error.
    static func read(_ text: String, at path: FieldPath) throws(SchemaError) -> ACIdentifier {
        guard !text.isEmpty else { throw SchemaError(path, "required") }
        guard isValid(text) else { throw SchemaError(path, string: text, "not an AC identifier") }
        return ACIdentifier(unchecked: text)
    }

    init(unchecked text: String) { value = text }

    public var description: String { value }
    public static func < (lhs: ACIdentifier, rhs: ACIdentifier) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard ACIdentifier.isValid(text) else { throw corrupted(decoder, "\(quote(text)): not an AC identifier") }
        value = text
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// An AC Name: `^[a-z0-9]+(-[a-z0-9]+)*$`. App names, mount point and port names.
public struct ACName: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The name text.
    public let value: String

    /// Checks `text` against the AC Name grammar.
    public init(validating text: String) throws {
        guard ACName.isValid(text) else { throw SkiffError(.invalid, "\(quote(text)): not an AC name") }
        value = text
    }

    /// Whether `text` is an AC Name.
    public static func isValid(_ text: String) -> Bool {
        isSeparatedAlphanumerics(text, separators: [UInt8(ascii: "-")])
    }

    /// Reads a name field, naming it in the error.
    static func read(_ text: String, at path: FieldPath) throws(SchemaError) -> ACName {
        guard !text.isEmpty else { throw SchemaError(path, "required") }
        guard isValid(text) else { throw SchemaError(path, string: text, "not an AC name") }
        return ACName(unchecked: text)
    }

    init(unchecked text: String) { value = text }

    public var description: String { value }
    public static func < (lhs: ACName, rhs: ACName) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard ACName.isValid(text) else { throw corrupted(decoder, "\(quote(text)): not an AC name") }
        value = text
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// Runs of `[a-z0-9]` joined by single separators, starting and ending with a run.
private func isSeparatedAlphanumerics(_ text: String, separators: Set<UInt8>) -> Bool {
    var previousWasSeparator = true  // so a leading separator fails
    for byte in text.utf8 {
        if (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) {
            previousWasSeparator = false
        } else if separators.contains(byte), !previousWasSeparator {
            previousWasSeparator = true
        } else {
            return false
        }
    }
    return !previousWasSeparator
}

/// A decoding error at the decoder's current position.
func corrupted(_ decoder: any Decoder, _ message: String) -> DecodingError {
    .dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: message))
}
