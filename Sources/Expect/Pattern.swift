// What `expect` waits for, and what it answers.

/// One alternative of an `expect` call: an exact byte string, a regular expression, or one of
/// the sentinels end-of-file and timeout, which turn those outcomes into an answer instead of an
/// error. A string literal is an exact pattern.
public struct Pattern: ExpressibleByStringLiteral, CustomStringConvertible, Sendable {
    enum Kind: Sendable {
        case exact([UInt8])
        case regex(ByteRegex)
        case endOfFile
        case timeout
    }

    let kind: Kind

    /// Matches `text`'s UTF-8 bytes exactly.
    public static func exact(_ text: String) -> Pattern { Pattern(kind: .exact(Array(text.utf8))) }
    /// Matches these bytes exactly.
    public static func bytes(_ bytes: [UInt8]) -> Pattern { Pattern(kind: .exact(bytes)) }
    /// Matches a compiled regular expression.
    public static func regex(_ regex: ByteRegex) -> Pattern { Pattern(kind: .regex(regex)) }
    /// Compiles and matches a regular expression (syntax in `ByteRegex`).
    public static func regex(_ pattern: String) throws -> Pattern { Pattern(kind: .regex(try ByteRegex(pattern))) }
    /// Answers when the output ends and no other pattern matched what is left.
    public static let eof = Pattern(kind: .endOfFile)
    /// Answers when the timeout passes and no other pattern matched.
    public static let timeout = Pattern(kind: .timeout)

    public init(stringLiteral value: String) { kind = .exact(Array(value.utf8)) }

    init(kind: Kind) { self.kind = kind }

    /// `"prompt> "`, `/a+b/`, `EOF`, `TIMEOUT`.
    public var description: String {
        switch kind {
        case .exact(let bytes): return quoted(String(decoding: bytes, as: UTF8.self))
        case .regex(let regex): return "/\(regex.pattern)/"
        case .endOfFile: return "EOF"
        case .timeout: return "TIMEOUT"
        }
    }
}

/// The answer of `expect`: which alternative matched, the output before it, and the match.
public struct ExpectMatch: Sendable {
    /// Which way the call ended.
    public enum Outcome: Sendable, Equatable {
        /// A string or regex alternative matched.
        case matched
        /// The `.eof` alternative: the output ended; `before` holds what was left.
        case endOfFile
        /// The `.timeout` alternative: time ran out; `before` holds the unmatched output, which
        /// stays in the buffer for the next call.
        case timeout
    }

    /// Index of the alternative that answered, in the list given to `expect`.
    public let index: Int
    /// How the call ended.
    public let outcome: Outcome
    /// The output between the previous match and this one.
    public let before: [UInt8]
    /// Group 0 is the whole match; then each capture group, nil when it did not take part.
    /// Empty for end-of-file and timeout.
    public let groups: [[UInt8]?]
    /// Names of the regex's named groups, mapped to their index in `groups`.
    public let groupNames: [String: Int]

    /// The matched bytes (empty for end-of-file and timeout).
    public var matched: [UInt8] { groups.first.flatMap { $0 } ?? [] }
    /// `before` as text (invalid UTF-8 shows as U+FFFD).
    public var beforeText: String { String(decoding: before, as: UTF8.self) }
    /// The matched text.
    public var text: String { String(decoding: matched, as: UTF8.self) }
    /// Capture group `index` as text, nil when it did not take part or does not exist.
    public func group(_ index: Int) -> String? {
        guard index < groups.count, let bytes = groups[index] else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
    /// A named capture group as text.
    public func group(named name: String) -> String? {
        groupNames[name].flatMap(group)
    }
}
