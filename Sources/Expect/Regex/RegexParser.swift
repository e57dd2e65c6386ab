// Recursive-descent parser: pattern text (as UTF-8 bytes) to a RegexNode tree.

/// Parses a pattern. Offsets in errors are byte offsets into the pattern's UTF-8.
struct RegexParser {
    /// Repetition counts above this are rejected.
    static let maxRepeat = 1000
    /// Groups nested deeper than this are rejected (keeps the recursive passes' stacks small).
    static let maxDepth = 200

    let pattern: String
    let bytes: [UInt8]
    var index = 0
    var depth = 0
    private(set) var groupCount = 0
    private(set) var groupNames: [String: Int] = [:]

    init(_ pattern: String) {
        self.pattern = pattern
        self.bytes = Array(pattern.utf8)
    }

    func error(_ reason: String, at offset: Int) -> RegexSyntaxError {
        RegexSyntaxError(pattern: pattern, offset: offset, reason: reason)
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func byte(at offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    mutating func parse() throws(RegexSyntaxError) -> RegexNode {
        var flags = RegexFlags()
        let node = try parseAlternation(&flags)
        if index < bytes.count { throw error("unbalanced parenthesis", at: index) }
        return node
    }

    mutating func parseAlternation(_ flags: inout RegexFlags) throws(RegexSyntaxError) -> RegexNode {
        var branches = [try parseConcat(&flags)]
        while peek == UInt8(ascii: "|") {
            index += 1
            branches.append(try parseConcat(&flags))
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func parseConcat(_ flags: inout RegexFlags) throws(RegexSyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while let c = peek, c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
            // nil: nothing to repeat (a flag change or comment); the quantifier check below reports it.
            guard let atom = try parseAtom(&flags) else {
                if let quantifier = try parseQuantifier() {
                    throw error("nothing to repeat", at: quantifier.offset)
                }
                continue
            }
            var node = atom
            var repeated = false
            while let quantifier = try parseQuantifier() {
                if repeated { throw error("multiple repeat", at: quantifier.offset) }
                if case .assertion = atom { throw error("nothing to repeat", at: quantifier.offset) }
                node = .repetition(node, min: quantifier.min, max: quantifier.max, greedy: quantifier.greedy)
                repeated = true
            }
            items.append(node)
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concat(items)
        }
    }

    /// A quantifier at the current position, consumed; nil (nothing consumed) if there is none.
    /// A `{` that does not start a valid `{n}`, `{n,}`, `{,m}` or `{n,m}` is not a quantifier.
    mutating func parseQuantifier() throws(RegexSyntaxError) -> (min: Int, max: Int?, greedy: Bool, offset: Int)? {
        guard let c = peek else { return nil }
        let offset = index
        var min = 0
        var max: Int?
        switch c {
        case UInt8(ascii: "*"): index += 1
        case UInt8(ascii: "+"): index += 1; min = 1
        case UInt8(ascii: "?"): index += 1; max = 1
        case UInt8(ascii: "{"):
            guard let counts = try parseBraces() else { return nil }
            (min, max) = counts
        default: return nil
        }
        var greedy = true
        if peek == UInt8(ascii: "?") {
            index += 1
            greedy = false
        }
        return (min, max, greedy, offset)
    }

    /// `{n}`, `{n,}`, `{,m}`, `{n,m}` at the current `{`: consumed and returned; nil if not a repetition.
    mutating func parseBraces() throws(RegexSyntaxError) -> (Int, Int?)? {
        let open = index
        var cursor = index + 1
        func number(_ cursor: inout Int) -> Int? {
            var value: Int?
            while let d = byte(at: cursor), d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") {
                value = Swift.min((value ?? 0) * 10 + Int(d - UInt8(ascii: "0")), 1_000_000)
                cursor += 1
            }
            return value
        }
        let low = number(&cursor)
        var high: Int?
        var hasComma = false
        if byte(at: cursor) == UInt8(ascii: ",") {
            hasComma = true
            cursor += 1
            high = number(&cursor)
        }
        guard byte(at: cursor) == UInt8(ascii: "}"), low != nil || high != nil else { return nil }
        index = cursor + 1
        let min = low ?? 0
        let max = hasComma ? high : low
        if min > Self.maxRepeat || (max ?? 0) > Self.maxRepeat {
            throw error("repetition count too large (limit \(Self.maxRepeat))", at: open)
        }
        if let max, max < min { throw error("min repeat greater than max repeat", at: open) }
        return (min, max)
    }

    /// One atom; nil for constructs that match nothing themselves (`(?i)`, `(?#...)`).
    mutating func parseAtom(_ flags: inout RegexFlags) throws(RegexSyntaxError) -> RegexNode? {
        let offset = index
        let c = bytes[index]
        switch c {
        case UInt8(ascii: "("):
            return try parseGroup(&flags)
        case UInt8(ascii: "["):
            return try parseClass(flags)
        case UInt8(ascii: "."):
            index += 1
            var set = RegexByteSet.ascii
            if !flags.dotMatchesNewline { set = set.subtracting(RegexByteSet([0x0A])) }
            return .character(set)
        case UInt8(ascii: "^"):
            index += 1
            return .assertion(.lineStart)
        case UInt8(ascii: "$"):
            index += 1
            return .assertion(.lineEnd)
        case UInt8(ascii: "\\"):
            return try parseEscape(flags)
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
            throw error("nothing to repeat", at: offset)
        case UInt8(ascii: "{"):
            if try parseBraces() != nil { throw error("nothing to repeat", at: offset) }
            index += 1
            return literal(c, flags)
        default:
            if c >= 0x80 {
                let length = regexUTF8SequenceLength(lead: c)
                let end = Swift.min(index + length, bytes.count)
                let sequence = Array(bytes[index..<end])
                index = end
                return .literal(sequence)
            }
            index += 1
            return literal(c, flags)
        }
    }

    func literal(_ byte: UInt8, _ flags: RegexFlags) -> RegexNode {
        if flags.caseInsensitive, RegexByteSet.alpha.contains(byte) {
            return .byteSet(RegexByteSet([byte | 0x20, byte & ~0x20]))
        }
        return .literal([byte])
    }

    /// At `(`: a group, a flag change (nil) or a comment (nil).
    mutating func parseGroup(_ flags: inout RegexFlags) throws(RegexSyntaxError) -> RegexNode? {
        let open = index
        index += 1
        var capture: Int?
        var inner = flags
        if peek == UInt8(ascii: "?") {
            index += 1
            guard let kind = peek else { throw error("unbalanced parenthesis", at: open) }
            switch kind {
            case UInt8(ascii: ":"):
                index += 1
            case UInt8(ascii: "P"), UInt8(ascii: "<"):
                if kind == UInt8(ascii: "P") {
                    if byte(at: index + 1) == UInt8(ascii: "=") {
                        throw error("backreferences are not supported", at: open)
                    }
                    guard byte(at: index + 1) == UInt8(ascii: "<") else {
                        throw error("unknown extension ?P", at: open + 1)
                    }
                    index += 1
                }
                if let next = byte(at: index + 1), next == UInt8(ascii: "=") || next == UInt8(ascii: "!") {
                    throw error("lookbehind is not supported", at: open)
                }
                index += 1
                capture = try parseGroupName()
            case UInt8(ascii: "="), UInt8(ascii: "!"):
                throw error("lookahead is not supported", at: open)
            case UInt8(ascii: "#"):
                while let b = peek, b != UInt8(ascii: ")") { index += 1 }
                if index >= bytes.count { throw error("missing ), unterminated comment", at: open) }
                index += 1
                return nil
            default:
                if try parseFlags(&inner, open: open) {
                    flags = inner  // `(?i)`: applies to the rest of the enclosing group
                    return nil
                }
            }
        } else {
            groupCount += 1
            capture = groupCount
        }
        depth += 1
        if depth > Self.maxDepth { throw error("groups nested too deeply (limit \(Self.maxDepth))", at: open) }
        let body = try parseAlternation(&inner)
        depth -= 1
        guard peek == UInt8(ascii: ")") else { throw error("unbalanced parenthesis", at: open) }
        index += 1
        return .group(body, capture: capture)
    }

    /// After `(?P<` or `(?<`: the name and `>`; registers and returns the group's index.
    mutating func parseGroupName() throws(RegexSyntaxError) -> Int {
        let start = index
        while let b = peek, b != UInt8(ascii: ">") { index += 1 }
        guard index < bytes.count else { throw error("missing >, unterminated name", at: start) }
        let nameBytes = bytes[start..<index]
        index += 1
        guard let first = nameBytes.first, !RegexByteSet.digits.contains(first),
            nameBytes.allSatisfy({ RegexByteSet.word.contains($0) })
        else { throw error("bad character in group name", at: start) }
        let name = String(decoding: nameBytes, as: UTF8.self)
        if groupNames[name] != nil { throw error("redefinition of group name \(name)", at: start) }
        groupCount += 1
        groupNames[name] = groupCount
        return groupCount
    }

    /// After `(?`: flag letters, then `)` (returns true: a flag change for the rest of the group)
    /// or `:` (returns false: a scoped non-capturing group follows).
    mutating func parseFlags(_ flags: inout RegexFlags, open: Int) throws(RegexSyntaxError) -> Bool {
        var turnOn = true
        var sawLetter = false
        while let b = peek {
            index += 1
            switch b {
            case UInt8(ascii: "i"): flags.caseInsensitive = turnOn; sawLetter = true
            case UInt8(ascii: "s"): flags.dotMatchesNewline = turnOn; sawLetter = true
            case UInt8(ascii: "m"): sawLetter = true  // `^`/`$` always work per line here
            case UInt8(ascii: "-") where turnOn: turnOn = false
            case UInt8(ascii: ")") where sawLetter: return true
            case UInt8(ascii: ":"): return false
            default:
                if b == UInt8(ascii: ")") { throw error("missing flag", at: index - 1) }
                if sawLetter || !turnOn { throw error("unknown flag", at: index - 1) }
                throw error("unknown extension ?\(Character(Unicode.Scalar(b)))", at: open + 1)
            }
        }
        throw error("unbalanced parenthesis", at: open)
    }
}
