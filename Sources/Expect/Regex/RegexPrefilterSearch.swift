// Skipping ahead while no thread is alive: memmem for a literal prefix, memchr for a single first
// byte, a table lookup otherwise.
import CShim
import Glibc

/// The offset of the first occurrence of `needle` in `haystack`, or nil (glibc's memmem, through
/// the C shim because the Glibc module does not declare it).
func regexFindBytes(_ haystack: UnsafePointer<UInt8>, count: Int, _ needle: UnsafePointer<UInt8>, needleCount: Int)
    -> Int?
{
    guard needleCount > 0, count >= needleCount else { return needleCount == 0 ? 0 : nil }
    guard let hit = sk_memmem(haystack, count, needle, needleCount) else { return nil }
    return UnsafeRawPointer(haystack).distance(to: hit)
}

extension RegexProgram {
    /// The first position at or after `p` (and at most `input.limit`) where a match could start,
    /// judging by the prefilter.
    func nextCandidate(from p: Int, _ input: RegexInput) -> Int {
        let limit = input.limit
        if anchoredAtStart { return p == 0 ? 0 : limit }
        guard p < limit else { return p }
        let from = input.bytes + (p - input.base)
        let available = limit - p
        switch prefilter {
        case .none:
            return p
        case .byte(let byte):
            guard let hit = memchr(from, Int32(byte), available) else { return limit }
            return p + UnsafeRawPointer(from).distance(to: UnsafeRawPointer(hit))
        case .literal(let needle):
            let found = needle.withUnsafeBufferPointer { needle in
                regexFindBytes(from, count: available, needle.baseAddress!, needleCount: needle.count)
            }
            if let found { return p + found }
            // A match may still begin in the last needle.count - 1 bytes, completed by more data.
            return Swift.max(p, limit - needle.count + 1)
        case .table(let table):
            return table.withUnsafeBufferPointer { table in
                var offset = 0
                while offset < available && !table[Int(from[offset])] { offset &+= 1 }
                return p + offset
            }
        }
    }

    /// Whether a thread starting at `p` is worth adding: the first byte can start a match (or
    /// is not known yet), and `\A` allows it.
    @inline(__always)
    func canStart(at p: Int, _ input: RegexInput) -> Bool {
        if anchoredAtStart && p != 0 { return false }
        guard let startTable else { return true }
        if p < input.limit { return startTable[Int(input.bytes[p &- input.base])] }
        return !input.isFinal
    }
}
