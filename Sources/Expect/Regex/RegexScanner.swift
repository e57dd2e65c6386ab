// Streaming search of one regex over an append-only byte stream.

/// Searches an append-only byte stream addressed by absolute positions (position 0 is the first
/// byte the stream ever produced), keeping its Pike VM threads between calls: a byte is stepped
/// through the VM at most once, unless a match was reported (then the scanner may re-examine
/// from the earliest thread still alive, at most from the match start). Copies are independent
/// (copy on write).
///
/// At the end of a non-final window the next byte is unknown: assertions that need it (`$`,
/// `\b`, `\B`, `\z`) wait for it, and so does a character cut off mid UTF-8 sequence. A match that
/// is complete in the data available is reported at once, even if a greedy quantifier could
/// extend it with more data (like Python's `re.search` on the bytes so far).
struct RegexScanner {
    private var state: RegexScanState

    init(_ regex: ByteRegex) {
        state = RegexScanState(program: regex.program)
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&state) { state = state.copy() }
    }

    /// Forgets all progress that involves stream positions before `position` (the caller
    /// consumed them): the next match starts at or after it.
    mutating func discard(before position: Int) {
        makeUnique()
        state.discard(before: position)
    }

    /// Scans `window`, which holds stream bytes [base, base + window.count) and starts at or
    /// before where the last call stopped; `previous` is the byte at base - 1 (nil at stream
    /// start) and `isFinal` says the stream ended after the window. Returns the leftmost-first
    /// match (absolute positions) complete within the data, or nil.
    mutating func scan(_ window: UnsafeRawBufferPointer, base: Int, previous: UInt8?, isFinal: Bool) -> Range<Int>? {
        makeUnique()
        state.discard(before: base)
        let input = RegexInput(window, base: base, previous: previous, isFinal: isFinal, program: state.program)
        return state.scan(input)
    }

    /// Total bytes stepped through the VM so far (a test checks the work stays linear).
    var steppedBytes: Int { state.stepped }
}
