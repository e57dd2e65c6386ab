// Escapes and bracket expressions (character classes).

extension RegexParser {
    /// What one class member (or escape) stands for.
    enum ClassAtom {
        /// One byte: an ASCII character, or a raw byte written `\xHH`.
        case byte(UInt8)
        /// One non-ASCII character, as its UTF-8 bytes.
        case character([UInt8])
        /// A class escape (`\d`, `\W`, ...): ASCII members, and whether it also takes every
        /// non-ASCII character (the negated escapes do).
        case set(RegexByteSet, nonASCII: Bool)
    }

    /// At `\` outside a class.
    mutating func parseEscape(_ flags: RegexFlags) throws(RegexSyntaxError) -> RegexNode {
        let offset = index
        guard let c = byte(at: index + 1) else { throw error("trailing backslash", at: offset) }
        let assertion: RegexAssertion?
        switch c {
        case UInt8(ascii: "b"): assertion = .wordBoundary
        case UInt8(ascii: "B"): assertion = .notWordBoundary
        case UInt8(ascii: "A"): assertion = .textStart
        case UInt8(ascii: "z"), UInt8(ascii: "Z"): assertion = .textEnd
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            throw error("backreferences are not supported", at: offset)
        default: assertion = nil
        }
        if let assertion {
            index += 2
            return .assertion(assertion)
        }
        switch try parseEscapedAtom(inClass: false) {
        case .byte(let byte): return literal(byte, flags)
        case .character(let sequence): return .literal(sequence)
        case .set(let set, let nonASCII): return nonASCII ? .character(set) : .byteSet(set)
        }
    }

    /// At `\`, in or out of a class: a character escape or a class escape. Consumes it.
    mutating func parseEscapedAtom(inClass: Bool) throws(RegexSyntaxError) -> ClassAtom {
        let offset = index
        guard let c = byte(at: index + 1) else { throw error("trailing backslash", at: offset) }
        index += 2
        switch c {
        case UInt8(ascii: "n"): return .byte(0x0A)
        case UInt8(ascii: "r"): return .byte(0x0D)
        case UInt8(ascii: "t"): return .byte(0x09)
        case UInt8(ascii: "f"): return .byte(0x0C)
        case UInt8(ascii: "v"): return .byte(0x0B)
        case UInt8(ascii: "a"): return .byte(0x07)
        case UInt8(ascii: "e"): return .byte(0x1B)
        case UInt8(ascii: "b") where inClass: return .byte(0x08)
        case UInt8(ascii: "0"):
            // `\0`, or `\0` plus up to two octal digits (as in Python).
            var value = 0
            var digits = 0
            while digits < 2, let d = peek, d >= UInt8(ascii: "0"), d <= UInt8(ascii: "7") {
                value = value * 8 + Int(d - UInt8(ascii: "0"))
                index += 1
                digits += 1
            }
            return .byte(UInt8(value))
        case UInt8(ascii: "x"):
            guard let high = byte(at: index).flatMap(Self.hexValue),
                let low = byte(at: index + 1).flatMap(Self.hexValue)
            else { throw error("incomplete escape \\x (two hex digits needed)", at: offset) }
            index += 2
            return .byte(high << 4 | low)
        case UInt8(ascii: "d"): return .set(.digits, nonASCII: false)
        case UInt8(ascii: "D"): return .set(RegexByteSet.digits.asciiComplement, nonASCII: true)
        case UInt8(ascii: "w"): return .set(.word, nonASCII: false)
        case UInt8(ascii: "W"): return .set(RegexByteSet.word.asciiComplement, nonASCII: true)
        case UInt8(ascii: "s"): return .set(.space, nonASCII: false)
        case UInt8(ascii: "S"): return .set(RegexByteSet.space.asciiComplement, nonASCII: true)
        default:
            if c >= 0x80 {
                let end = Swift.min(offset + 1 + regexUTF8SequenceLength(lead: c), bytes.count)
                index = end
                return .character(Array(bytes[(offset + 1)..<end]))
            }
            if RegexByteSet.alnum.contains(c) {
                throw error("bad escape \\\(Character(Unicode.Scalar(c)))", at: offset)
            }
            return .byte(c)  // `\` + punctuation, space or control: that character
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// One member inside a class: an escape, a non-ASCII character or a byte.
    mutating func parseClassAtom() throws(RegexSyntaxError) -> ClassAtom {
        let c = bytes[index]
        if c == UInt8(ascii: "\\") { return try parseEscapedAtom(inClass: true) }
        if c >= 0x80 {
            let end = Swift.min(index + regexUTF8SequenceLength(lead: c), bytes.count)
            defer { index = end }
            return .character(Array(bytes[index..<end]))
        }
        index += 1
        return .byte(c)
    }

    /// At `[:` inside a class: a POSIX class `[:name:]` or `[:^name:]`, consumed; nil (nothing
    /// consumed) when no `:]` closes it, so the `[` is an ordinary member.
    mutating func parsePOSIXClass() throws(RegexSyntaxError) -> ClassAtom? {
        let open = index
        var cursor = index + 2
        while let b = byte(at: cursor), b != UInt8(ascii: "]"), b != UInt8(ascii: ":") { cursor += 1 }
        guard byte(at: cursor) == UInt8(ascii: ":"), byte(at: cursor + 1) == UInt8(ascii: "]") else { return nil }
        var name = String(decoding: bytes[(open + 2)..<cursor], as: UTF8.self)
        let negated = name.hasPrefix("^")
        if negated { name.removeFirst() }
        guard let set = RegexByteSet.posix(name) else {
            throw error("unknown POSIX class name \(name)", at: open)
        }
        index = cursor + 2
        return negated ? .set(set.asciiComplement, nonASCII: true) : .set(set, nonASCII: false)
    }

    /// At `[`: a bracket expression.
    ///
    /// Positive classes may list non-ASCII characters (each matches its UTF-8 bytes) and raw
    /// bytes `\xHH`; a range must have single-byte ends ("non-ASCII range in class"), and a
    /// negated class may not hold non-ASCII characters or raw bytes 0x80 and up ("non-ASCII
    /// character in negated class"). A negated class, like `.`, consumes a whole UTF-8 character
    /// (or one invalid byte) that is not a member.
    mutating func parseClass(_ flags: RegexFlags) throws(RegexSyntaxError) -> RegexNode {
        let open = index
        index += 1
        var negated = false
        if peek == UInt8(ascii: "^") {
            negated = true
            index += 1
        }
        var set = RegexByteSet()
        var anyNonASCII = false
        var sequences: [[UInt8]] = []
        var nonASCIIOffset: Int?
        var first = true
        while true {
            guard let c = peek else { throw error("unterminated character set", at: open) }
            if c == UInt8(ascii: "]") && !first {
                index += 1
                break
            }
            first = false
            let itemOffset = index
            var atom: ClassAtom
            if c == UInt8(ascii: "["), byte(at: index + 1) == UInt8(ascii: ":"), let posix = try parsePOSIXClass() {
                atom = posix
            } else {
                atom = try parseClassAtom()
            }
            if peek == UInt8(ascii: "-"), let after = byte(at: index + 1), after != UInt8(ascii: "]") {
                index += 1
                let highOffset = index
                let high: ClassAtom
                if after == UInt8(ascii: "["), byte(at: index + 1) == UInt8(ascii: ":"),
                    let posix = try parsePOSIXClass()
                {
                    high = posix
                } else {
                    high = try parseClassAtom()
                }
                switch (atom, high) {
                case (.byte(let low), .byte(let high)):
                    guard low <= high else { throw error("bad character range", at: itemOffset) }
                    set.formUnion(RegexByteSet(range: low...high))
                    if high >= 0x80 { nonASCIIOffset = nonASCIIOffset ?? itemOffset }
                    continue
                case (.character, _):
                    throw error("non-ASCII range in class", at: itemOffset)
                case (_, .character):
                    throw error("non-ASCII range in class", at: highOffset)
                default:
                    throw error("bad character range", at: itemOffset)
                }
            }
            switch atom {
            case .byte(let byte):
                set.insert(byte)
                if byte >= 0x80 { nonASCIIOffset = nonASCIIOffset ?? itemOffset }
            case .character(let sequence):
                if !sequences.contains(sequence) { sequences.append(sequence) }
                nonASCIIOffset = nonASCIIOffset ?? itemOffset
            case .set(let members, let nonASCII):
                set.formUnion(members)
                if nonASCII { anyNonASCII = true }
            }
        }
        if flags.caseInsensitive { set = set.addingASCIICaseVariants }
        if negated {
            if let offset = nonASCIIOffset { throw error("non-ASCII character in negated class", at: offset) }
            let complement = set.asciiComplement
            return anyNonASCII ? .byteSet(complement) : .character(complement)
        }
        // Every non-ASCII character is a member: one UTF-8-aware step covers the listed ones too.
        if anyNonASCII { return .character(set) }
        var alternatives: [RegexNode] = []
        if set.count == 1, let only = set.members.first {
            alternatives.append(.literal([only]))
        } else if !set.isEmpty {
            alternatives.append(.byteSet(set))
        }
        alternatives += sequences.map { .literal($0) }
        return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
    }
}
