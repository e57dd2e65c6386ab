// Pod UUIDs: RFC 4122 version 4, spelled lowercase and canonical, as the pod directory names them.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// A pod's identity: an RFC 4122 UUID in lowercase canonical form (8-4-4-4-12 hex digits), which
/// is also the name of the pod directory. New pods get version 4 (random); parsing accepts any
/// RFC 4122 UUID, in any case, with or without hyphens. Unique prefixes are resolved by
/// `PodStore.find`.
public struct PodUUID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The canonical lowercase text, e.g. `"2f1c7b5e-0c3a-4d7e-9b1a-6f0e8d2c4b3a"`.
    public let value: String

    private init(canonical: String) { value = canonical }

    /// A new random (version 4, variant 10) UUID.
    public static func random() -> PodUUID {
        var generator = SystemRandomNumberGenerator()  // getrandom(2): fit for identities
        let words = [generator.next(), generator.next()] as [UInt64]
        var bytes = words.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        return PodUUID(canonical: canonicalText(hexDigits: bytes.hexDigits))
    }

    /// Parses a full UUID (any case, hyphens in the canonical places or none at all).
    /// Throws a usage error naming the text.
    public init(parsing text: String) throws {
        guard let canonical = PodUUID.canonical(text) else {
            throw SkiffError(.usage, "parse pod uuid \(quote(text)): not a uuid")
        }
        value = canonical
    }

    /// The UUID if `name` is exactly a canonical lowercase UUID (a pod directory name), else nil.
    /// Directory listings use this: anything else in a state directory is not a pod.
    static func directoryName(_ name: String) -> PodUUID? {
        var count = 0
        for byte in name.utf8 {  // one pass, no allocation: list runs this on every entry
            let hyphen = count == 8 || count == 13 || count == 18 || count == 23
            guard count < 36, hyphen ? byte == UInt8(ascii: "-") : isHexDigit(byte) else { return nil }
            count += 1
        }
        return count == 36 ? PodUUID(canonical: name) : nil
    }

    /// Whether `text` could begin a pod UUID (lowercased hex digits and hyphens, at most 36).
    static func isPrefixText(_ text: String) -> Bool {
        text.utf8.count <= 36 && text.utf8.allSatisfy { isHexDigit($0) || $0 == UInt8(ascii: "-") }
    }

    /// The canonical text.
    public var description: String { value }

    /// Orders by the canonical text.
    public static func < (lhs: PodUUID, rhs: PodUUID) -> Bool { lhs.value < rhs.value }

    /// The canonical text of a UUID written with or without hyphens, or nil if it is not one.
    private static func canonical(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        let digits: [UInt8]
        if bytes.count == 36 {
            for index in [8, 13, 18, 23] where bytes[index] != UInt8(ascii: "-") { return nil }
            digits = bytes.enumerated().filter { ![8, 13, 18, 23].contains($0.offset) }.map(\.element)
        } else if bytes.count == 32 {
            digits = bytes
        } else {
            return nil
        }
        guard digits.allSatisfy({ isHexDigit(lowercased($0)) }) else { return nil }
        return canonicalText(hexDigits: digits.map(lowercased))
    }

    /// 32 lowercase hex digits as 8-4-4-4-12.
    private static func canonicalText(hexDigits: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (index, digit) in hexDigits.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { out.append(UInt8(ascii: "-")) }
            out.append(digit)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hex digits as ASCII bytes (two per byte).
    fileprivate var hexDigits: [UInt8] {
        let table = Array("0123456789abcdef".utf8)
        return flatMap { [table[Int($0 >> 4)], table[Int($0 & 0x0f)]] }
    }
}
