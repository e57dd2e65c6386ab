// UTF-8 decisions the VM makes on raw bytes: how long the character at a position is, and
// whether a window ends inside one.

/// How many bytes the UTF-8 sequence starting with `lead` takes (1 for ASCII and for bytes that
/// cannot start a sequence).
@inline(__always)
func regexUTF8SequenceLength(lead: UInt8) -> Int {
    switch lead {
    case 0xC2...0xDF: return 2
    case 0xE0...0xEF: return 3
    case 0xF0...0xF4: return 4
    default: return 1
    }
}

/// The length of the valid UTF-8 sequence at `bytes[index]` if the bytes there form one, else 1
/// (ASCII, a stray or invalid byte, or a sequence cut off by `limit`). Never reads at or past `limit`.
@inline(__always)
func regexUTF8Length(_ bytes: UnsafePointer<UInt8>, _ index: Int, limit: Int) -> Int {
    let lead = bytes[index]
    if lead < 0x80 { return 1 }
    let length: Int
    var low: UInt8 = 0x80
    var high: UInt8 = 0xBF
    switch lead {
    case 0xC2...0xDF: length = 2
    case 0xE0: length = 3; low = 0xA0
    case 0xE1...0xEC, 0xEE, 0xEF: length = 3
    case 0xED: length = 3; high = 0x9F
    case 0xF0: length = 4; low = 0x90
    case 0xF1...0xF3: length = 4
    case 0xF4: length = 4; high = 0x8F
    default: return 1
    }
    if index + length > limit { return 1 }
    let second = bytes[index + 1]
    if second < low || second > high { return 1 }
    var k = 2
    while k < length {
        let byte = bytes[index + k]
        if byte < 0x80 || byte > 0xBF { return 1 }
        k += 1
    }
    return length
}

/// If the data ends in the middle of a sequence that is valid so far (`C3` alone, `E2 82`), the
/// offset where that sequence starts; else `count`. Looks no further back than `floor`.
func regexIncompleteUTF8Tail(_ bytes: UnsafePointer<UInt8>, count: Int, floor: Int) -> Int {
    var back = 1
    while back <= 3 && count - back >= floor {
        let start = count - back
        let lead = bytes[start]
        if lead < 0x80 { return count }
        let length = regexUTF8SequenceLength(lead: lead)
        if length > 1 {
            guard length > back else { return count }
            // Valid so far: check the bytes that are there.
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xE0: low = 0xA0
            case 0xED: high = 0x9F
            case 0xF0: low = 0x90
            case 0xF4: high = 0x8F
            default: break
            }
            var index = start + 1
            while index < count {
                let byte = bytes[index]
                let (lo, hi) = index == start + 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
                if byte < lo || byte > hi { return count }
                index += 1
            }
            return start
        }
        if lead > 0xBF { return count }  // C0, C1, F5...FF: never a lead, decided already
        back += 1  // a continuation byte: its lead may be further back
    }
    return count
}
