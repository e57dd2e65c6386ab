// The public regex type: compile once, then search complete data or stream through RegexScanner.

/// A compiled regular expression over bytes: linear time (a Pike VM, no backtracking),
/// leftmost-first like Perl and Python, and able to search a stream chunk by chunk.
///
/// Syntax, a subset of Python `re` / PCRE:
/// - Literals; escapes `\n \r \t \f \v \a \e \0 \xHH` (`\xHH` is that raw byte) and `\` before
///   any punctuation. A non-ASCII character matches its UTF-8 bytes.
/// - `.` is one character except `\n` (`(?s)`: including `\n`): a whole UTF-8 sequence where the
///   bytes form a valid one, else a single byte, so invalid bytes can be matched and skipped.
/// - Classes `[...]`, `[^...]` with ranges, escapes, `]` first taken literally, POSIX names
///   (`[[:alpha:]]`, `[[:^digit:]]`); `\d \D \w \W \s \S` (ASCII) in and out of classes. A
///   positive class may list non-ASCII characters; a range with a non-ASCII end ("non-ASCII range
///   in class") and a negated class holding non-ASCII characters or raw bytes 0x80 and up
///   ("non-ASCII character in negated class") are errors. Negated classes and `\D \W \S`
///   consume a whole character, like `.`.
/// - Anchors: `^` at stream start or after `\n`; `$` before `\r` or `\n` or at the end of a
///   final stream (terminal lines end in `\r\n`); `\A` stream start; `\z` (also `\Z`) end of a
///   final stream; `\b \B` ASCII word boundaries.
/// - Groups `( )`, `(?: )`, `(?<name> )`, `(?P<name> )`, comments `(?# )`; alternation `|`;
///   quantifiers `* + ? {n} {n,} {,m} {n,m}` (counts up to 1000) and lazy forms with `?`; a `{`
///   that does not start a repetition is a literal.
/// - Inline flags `(?i)` (ASCII case-insensitive), `(?s)`, `(?m)` (accepted, no effect), `(?-i)`,
///   scoped `(?i:...)`; a bare flag group applies from there to the end of the enclosing group.
/// - Not supported: backreferences, lookaround, possessive quantifiers, Unicode classes.
/// Programs over 50,000 instructions are rejected ("pattern too large").
public struct ByteRegex: Sendable, CustomStringConvertible {
    public let pattern: String
    let program: RegexProgram

    /// Compiles `pattern`.
    /// - Throws: `RegexSyntaxError` naming the problem and its byte offset in the pattern.
    public init(_ pattern: String) throws(RegexSyntaxError) {
        self.pattern = pattern
        var parser = RegexParser(pattern)
        let tree = try parser.parse()
        program = try RegexCompiler.compile(
            tree, pattern: pattern, groupCount: parser.groupCount, groupNames: parser.groupNames)
    }

    /// Capture groups, excluding group 0 (the whole match).
    public var groupCount: Int { program.groupCount }

    /// Named groups and their indexes.
    public var groupNames: [String: Int] { program.groupNames }

    public var description: String { "regex \(RegexSyntaxError.quote(pattern))" }

    /// The leftmost-first match at or after `from` in complete data (its end is the end of the
    /// stream). Element 0 is the whole match, element i group i (nil if it did not take part).
    /// Anchors see the data as the whole stream: `^` and `\A` do not match at `from` unless it
    /// starts a line or the data.
    public func firstMatch(in bytes: [UInt8], from: Int = 0) -> [Range<Int>?]? {
        guard from >= 0, from <= bytes.count else { return nil }
        return bytes.withUnsafeBytes { window in
            var scanner = RegexScanner(self)
            scanner.discard(before: from)
            guard let found = scanner.scan(window, base: 0, previous: nil, isFinal: true) else { return nil }
            return captures(window, base: 0, previous: nil, isFinal: true, start: found.lowerBound)
        }
    }

    /// `firstMatch(in:from:)` over the string's UTF-8; ranges are UTF-8 byte offsets.
    public func firstMatch(in string: String) -> [Range<Int>?]? {
        firstMatch(in: Array(string.utf8))
    }
}
