// A tiny JSON writer for test image manifests: members keep the order they are given in, so the
// same recipe always renders the same bytes (and so the same cache key and image ID).

/// A JSON value with ordered object members.
public indirect enum ManifestJSON: Sendable, Hashable {
    case string(String)
    case number(Int)
    case bool(Bool)
    case array([ManifestJSON])
    case object([Member])
    /// JSON text written as is (an isolator's value, given by the test).
    case raw(String)

    /// One object member.
    public struct Member: Sendable, Hashable {
        /// The member's name and value.
        public let name: String
        public let value: ManifestJSON
        /// A member `name: value`.
        public init(_ name: String, _ value: ManifestJSON) {
            self.name = name
            self.value = value
        }
    }

    /// The compact JSON text.
    public var text: String {
        switch self {
        case .string(let value): return Self.quoted(value)
        case .number(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .array(let values): return "[" + values.map(\.text).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { Self.quoted($0.name) + ":" + $0.value.text }.joined(separator: ",") + "}"
        case .raw(let text): return text
        }
    }

    /// `[{"name": n, "value": v}]` from a dictionary, sorted by name (appc's labels, annotations
    /// and environment all use this shape).
    public static func nameValueList(_ pairs: [String: String]) -> ManifestJSON {
        .array(
            pairs.keys.sorted().map {
                .object([Member("name", .string($0)), Member("value", .string(pairs[$0] ?? ""))])
            })
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
