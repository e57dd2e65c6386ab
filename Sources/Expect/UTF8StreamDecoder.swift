// Decodes UTF-8 that arrives in pieces, never splitting a character across two pieces.

/// Turns a stream of byte chunks into text. A character whose bytes are split across chunks is
/// held back until it is complete, so it is never replaced by U+FFFD; bytes that can never form
/// valid UTF-8 become U+FFFD as `String(decoding:as:)` does.
public struct UTF8StreamDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Decodes `chunk` plus whatever was held back. With `final`, nothing is held back.
    public mutating func decode(_ chunk: some Collection<UInt8>, final: Bool = false) -> String {
        var bytes = pending
        bytes.append(contentsOf: chunk)
        pending.removeAll(keepingCapacity: true)
        if !final {
            let keep = Self.incompleteSuffixLength(bytes)
            if keep > 0 {
                pending.append(contentsOf: bytes.suffix(keep))
                bytes.removeLast(keep)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The length of a trailing, still incomplete but so far valid, multi-byte sequence.
    static func incompleteSuffixLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        var back = 1
        while back <= min(3, n) {
            let byte = bytes[n - back]
            if byte & 0xc0 == 0x80 {  // continuation byte: keep looking for the lead
                back += 1
                continue
            }
            let needed: Int
            switch byte {
            case 0xc2...0xdf: needed = 2
            case 0xe0...0xef: needed = 3
            case 0xf0...0xf4: needed = 4
            default: return 0  // ASCII or invalid lead: nothing to wait for
            }
            return back < needed ? back : 0
        }
        return 0
    }
}
