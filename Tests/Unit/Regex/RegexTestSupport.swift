// Helpers shared by the regex tests.
@testable import Expect

/// The text of each group of the first match of `pattern` in `subject` (element 0: whole match).
func regexTestGroups(_ pattern: String, _ subject: String) throws -> [String?]? {
    try regexTestGroups(pattern, Array(subject.utf8))
}

func regexTestGroups(_ pattern: String, _ subject: [UInt8]) throws -> [String?]? {
    guard let ranges = try ByteRegex(pattern).firstMatch(in: subject) else { return nil }
    return ranges.map { range in range.map { String(decoding: subject[$0], as: UTF8.self) } }
}

/// The whole-match range of the first match.
func regexTestRange(_ pattern: String, _ subject: [UInt8], from: Int = 0) throws -> Range<Int>? {
    try ByteRegex(pattern).firstMatch(in: subject, from: from)?[0]
}

func regexTestRange(_ pattern: String, _ subject: String, from: Int = 0) throws -> Range<Int>? {
    try regexTestRange(pattern, Array(subject.utf8), from: from)
}

/// A small deterministic generator (SplitMix64).
struct RegexTestRandom {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Scans `data` with a RegexScanner fed in windows of the given sizes (cycled), consuming each
/// match (an empty one plus one byte) as an expect loop does. Returns the matches, checking that
/// captures agree with each reported range.
func regexTestStream(_ regex: ByteRegex, _ data: [UInt8], chunks: [Int], checkCaptures: Bool = true)
    -> (matches: [Range<Int>], capturesAgree: Bool)
{
    var scanner = RegexScanner(regex)
    var base = 0
    var fed = 0
    var chunk = 0
    var matches: [Range<Int>] = []
    var agree = true
    while true {
        let isFinal = fed == data.count
        let window = base
        let found = data.withUnsafeBytes { all in
            let slice = UnsafeRawBufferPointer(rebasing: all[window..<fed])
            let previous = window > 0 ? data[window - 1] : nil
            let found = scanner.scan(slice, base: window, previous: previous, isFinal: isFinal)
            if checkCaptures, let found {
                let groups = regex.captures(
                    slice, base: window, previous: previous, isFinal: isFinal, start: found.lowerBound)
                if groups.first != found { agree = false }
            }
            return found
        }
        if let found {
            matches.append(found)
            let next = found.isEmpty ? found.upperBound + 1 : found.upperBound
            if next > data.count { break }
            base = next
            fed = max(fed, base)
            scanner.discard(before: base)
        } else {
            if isFinal { break }
            fed = min(data.count, fed + chunks[chunk % chunks.count])
            chunk += 1
        }
    }
    return (matches, agree)
}

/// The same sequence of matches found by one-shot searches.
func regexTestOneShot(_ regex: ByteRegex, _ data: [UInt8]) -> [Range<Int>] {
    var matches: [Range<Int>] = []
    var from = 0
    while from <= data.count, let found = regex.firstMatch(in: data, from: from)?[0] {
        matches.append(found)
        from = found.isEmpty ? found.upperBound + 1 : found.upperBound
    }
    return matches
}
