// TEMPORARY: replaced by the real engine in Regex/. Literal-only placeholder so the session compiles.
public struct ByteRegex: Sendable, CustomStringConvertible {
    public let pattern: String
    public init(_ pattern: String) throws { self.pattern = pattern }
    public var groupCount: Int { 0 }
    public var groupNames: [String: Int] { [:] }
    public var description: String { "regex \(pattern)" }
    func captures(_ window: UnsafeRawBufferPointer, base: Int, previous: UInt8?, isFinal: Bool, start: Int) -> [Range<Int>?] {
        [start..<(start + pattern.utf8.count)]
    }
}
struct RegexScanner {
    let regex: ByteRegex
    init(_ regex: ByteRegex) { self.regex = regex }
    mutating func discard(before position: Int) {}
    var steppedBytes: Int { 0 }
    mutating func scan(_ window: UnsafeRawBufferPointer, base: Int, previous: UInt8?, isFinal: Bool) -> Range<Int>? {
        let n = Array(regex.pattern.utf8)
        let w = Array(window)
        guard w.count >= n.count else { return nil }
        for i in 0...(w.count - n.count) where Array(w[i..<i + n.count]) == n { return (base + i)..<(base + i + n.count) }
        return nil
    }
}
