// Finds the earliest match among a list of alternatives, remembering per pattern how far it looked.
import CShim

/// Where an alternative matched: absolute stream positions, and capture groups for regexes.
struct FoundMatch {
    let index: Int
    let start: Int
    let end: Int
    let groups: [Range<Int>?]
}

/// Searches the receive buffer for a list of patterns. Progress is kept per pattern across calls
/// (keyed by the pattern itself), so a loop that calls `expect` with the same alternatives looks
/// at each byte once per pattern, however the output is chunked: the search is linear in the
/// output. Which alternative wins: the one whose match starts earliest; on a tie, the first listed.
final class MatchFinder {
    /// For exact patterns: the absolute position before which no match can start.
    private var exactFrom: [[UInt8]: Int] = [:]
    /// For regexes: a streaming scanner per pattern source.
    private var scanners: [String: RegexScanner] = [:]
    /// Bounds the caches when callers keep inventing new patterns.
    private static let cacheLimit = 256
    /// Bytes exact searches looked at, in total (a test checks the work stays linear).
    private(set) var examinedBytes = 0
    /// Bytes regex scanners stepped through, in total.
    private(set) var steppedBytes = 0

    func search(_ patterns: [Pattern], in buffer: ByteBuffer, isFinal: Bool) -> FoundMatch? {
        if exactFrom.count > Self.cacheLimit { exactFrom.removeAll() }
        if scanners.count > Self.cacheLimit { scanners.removeAll() }
        let window = buffer.window
        var best: (index: Int, start: Int, end: Int)?
        for (index, pattern) in patterns.enumerated() {
            let found: Range<Int>?
            switch pattern.kind {
            case .exact(let needle):
                found = findExact(needle, window: window, base: buffer.base)
            case .regex(let regex):
                var scanner = scanners.removeValue(forKey: regex.pattern) ?? RegexScanner(regex)
                let stepped = scanner.steppedBytes
                scanner.discard(before: buffer.base)
                found = scanner.scan(window, base: buffer.base, previous: buffer.previous, isFinal: isFinal)
                steppedBytes += scanner.steppedBytes - stepped
                scanners[regex.pattern] = scanner
            case .endOfFile, .timeout:
                found = nil
            }
            guard let found else { continue }
            if let current = best, current.start <= found.lowerBound { continue }
            best = (index, found.lowerBound, found.upperBound)
        }
        guard let best else { return nil }
        var groups: [Range<Int>?] = [best.start..<best.end]
        if case .regex(let regex) = patterns[best.index].kind {
            groups = regex.captures(
                window, base: buffer.base, previous: buffer.previous, isFinal: isFinal, start: best.start)
        }
        return FoundMatch(index: best.index, start: best.start, end: best.end, groups: groups)
    }

    /// memmem from where this needle last left off; a failed search resumes len-1 bytes before
    /// the end, since a match may straddle the next read.
    private func findExact(_ needle: [UInt8], window: UnsafeRawBufferPointer, base: Int) -> Range<Int>? {
        let from = max(base, exactFrom[needle] ?? base)
        let offset = from - base
        guard let start = window.baseAddress, offset + needle.count <= window.count else {
            return nil
        }
        let hit = needle.withUnsafeBytes { n in
            sk_memmem(start + offset, window.count - offset, n.baseAddress, n.count)
        }
        if let hit {
            let position = base + start.distance(to: hit)
            examinedBytes += position + needle.count - from
            exactFrom[needle] = position
            return position..<(position + needle.count)
        }
        examinedBytes += window.count - offset
        exactFrom[needle] = base + window.count - needle.count + 1
        return nil
    }
}
