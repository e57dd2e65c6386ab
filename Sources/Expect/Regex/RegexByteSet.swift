// A set of byte values (256 bits) and the ASCII character classes built from it.

/// A set of byte values, stored as four 64-bit words.
struct RegexByteSet: Hashable, Sendable {
    var w0: UInt64 = 0
    var w1: UInt64 = 0
    var w2: UInt64 = 0
    var w3: UInt64 = 0

    init() {}

    init(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { insert(byte) }
    }

    init(range: ClosedRange<UInt8>) {
        for byte in range { insert(byte) }
    }

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) &<< UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return w0 & bit != 0
        case 1: return w1 & bit != 0
        case 2: return w2 & bit != 0
        default: return w3 & bit != 0
        }
    }

    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) &<< UInt64(byte & 63)
        switch byte >> 6 {
        case 0: w0 |= bit
        case 1: w1 |= bit
        case 2: w2 |= bit
        default: w3 |= bit
        }
    }

    mutating func formUnion(_ other: RegexByteSet) {
        w0 |= other.w0
        w1 |= other.w1
        w2 |= other.w2
        w3 |= other.w3
    }

    func union(_ other: RegexByteSet) -> RegexByteSet {
        var result = self
        result.formUnion(other)
        return result
    }

    /// The bytes 0x00...0x7F that are not in this set (bytes 0x80...0xFF are never included).
    var asciiComplement: RegexByteSet {
        var result = RegexByteSet()
        result.w0 = ~w0
        result.w1 = ~w1
        return result
    }

    /// The ASCII part of this set.
    var asciiPart: RegexByteSet {
        var result = RegexByteSet()
        result.w0 = w0
        result.w1 = w1
        return result
    }

    var isEmpty: Bool { w0 | w1 | w2 | w3 == 0 }

    var count: Int { w0.nonzeroBitCount + w1.nonzeroBitCount + w2.nonzeroBitCount + w3.nonzeroBitCount }

    /// The members in increasing order.
    var members: [UInt8] { (0...255).compactMap { contains(UInt8($0)) ? UInt8($0) : nil } }

    /// Adds the other ASCII case of every ASCII letter in the set.
    var addingASCIICaseVariants: RegexByteSet {
        var result = self
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") where contains(byte) { result.insert(byte | 0x20) }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") where contains(byte) { result.insert(byte & ~0x20) }
        return result
    }

    static let all: RegexByteSet = {
        var set = RegexByteSet()
        set.w0 = ~0
        set.w1 = ~0
        set.w2 = ~0
        set.w3 = ~0
        return set
    }()

    static let digits = RegexByteSet(range: UInt8(ascii: "0")...UInt8(ascii: "9"))
    static let upper = RegexByteSet(range: UInt8(ascii: "A")...UInt8(ascii: "Z"))
    static let lower = RegexByteSet(range: UInt8(ascii: "a")...UInt8(ascii: "z"))
    static let alpha = upper.union(lower)
    static let alnum = alpha.union(digits)
    static let word = alnum.union(RegexByteSet([UInt8(ascii: "_")]))
    /// `\s`: space, \t, \n, \v, \f, \r.
    static let space = RegexByteSet([0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D])
    static let blank = RegexByteSet([0x20, 0x09])
    static let control = RegexByteSet(range: 0x00...0x1F).union(RegexByteSet([0x7F]))
    static let graph = RegexByteSet(range: 0x21...0x7E)
    static let print = RegexByteSet(range: 0x20...0x7E)
    static let punct = graph.asciiPart.subtracting(alnum)
    static let hexDigits = digits.union(RegexByteSet(range: UInt8(ascii: "a")...UInt8(ascii: "f")))
        .union(RegexByteSet(range: UInt8(ascii: "A")...UInt8(ascii: "F")))
    static let ascii = RegexByteSet(range: 0x00...0x7F)

    func subtracting(_ other: RegexByteSet) -> RegexByteSet {
        var result = self
        result.w0 &= ~other.w0
        result.w1 &= ~other.w1
        result.w2 &= ~other.w2
        result.w3 &= ~other.w3
        return result
    }

    /// The set for a POSIX class name used as `[:name:]` inside a bracket expression.
    static func posix(_ name: String) -> RegexByteSet? {
        switch name {
        case "alpha": return alpha
        case "digit": return digits
        case "alnum": return alnum
        case "upper": return upper
        case "lower": return lower
        case "space": return space
        case "blank": return blank
        case "punct": return punct
        case "xdigit": return hexDigits
        case "word": return word
        case "cntrl": return control
        case "graph": return graph
        case "print": return print
        case "ascii": return ascii
        default: return nil
        }
    }

    /// True for ASCII word bytes (`[A-Za-z0-9_]`), the definition `\b` and `\w` use.
    @inline(__always)
    static func isWordByte(_ byte: Int) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x5F
    }
}
