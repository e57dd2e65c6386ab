// The syntax tree of a parsed regular expression, and the error a malformed pattern raises.

/// A malformed pattern: what is wrong and where.
public struct RegexSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pattern as given.
    public let pattern: String
    /// Byte offset in the pattern's UTF-8 where the problem was found.
    public let offset: Int
    /// What is wrong, in lowercase: "unbalanced parenthesis", "nothing to repeat", ...
    public let reason: String

    public init(pattern: String, offset: Int, reason: String) {
        self.pattern = pattern
        self.offset = offset
        self.reason = reason
    }

    /// For example `invalid regex "a(b": unbalanced parenthesis at offset 1`.
    public var description: String {
        "invalid regex \(RegexSyntaxError.quote(pattern)): \(reason) at offset \(offset)"
    }

    /// Wraps a pattern in double quotes, spelling out control characters (backslashes stay as
    /// written, so the pattern reads as the user typed it).
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

/// Zero-width assertions.
enum RegexAssertion: Int32, Sendable {
    /// `^`: at stream start or right after `\n`.
    case lineStart
    /// `$`: right before `\r` or `\n`, or at the end of a final stream.
    case lineEnd
    /// `\A`: at stream start.
    case textStart
    /// `\z`: at the end of a final stream.
    case textEnd
    /// `\b`: between an ASCII word byte and a non-word byte (or the stream's edge).
    case wordBoundary
    /// `\B`: not at a word boundary.
    case notWordBoundary
}

/// A parsed regular expression.
indirect enum RegexNode: Sendable {
    /// Matches the empty string.
    case empty
    /// These bytes, in order.
    case literal([UInt8])
    /// Exactly one byte from the set.
    case byteSet(RegexByteSet)
    /// One character: an ASCII byte from the set (bytes 0x80 and up in the set are ignored), or
    /// any non-ASCII unit: a whole valid UTF-8 sequence, or else a single byte. This is what `.`,
    /// negated classes and `\W \D \S` match.
    case character(RegexByteSet)
    case concat([RegexNode])
    /// Alternatives in priority order.
    case alternation([RegexNode])
    /// A group; `capture` is the group's index (1-based) when it captures.
    case group(RegexNode, capture: Int?)
    /// `max == nil` means unbounded.
    case repetition(RegexNode, min: Int, max: Int?, greedy: Bool)
    case assertion(RegexAssertion)
}

/// Inline flags in effect while parsing.
struct RegexFlags: Sendable {
    /// `(?i)`: ASCII letters match either case.
    var caseInsensitive = false
    /// `(?s)`: `.` matches `\n` too.
    var dotMatchesNewline = false
}
