// Resource quantities (ace.md "Resource Isolators"): plain ("128974848"), decimal ("0.3"),
// milli ("250m"), SI (k/K M G T P E) and binary (Ki Mi Gi Ti Pi Ei) suffixes, kept as integers in
// base units. Arithmetic is exact (Int128), never floating point, as the spec requires.
import SkiffSystem

/// A resource amount in base units (bytes, or cores for cpu), held exactly in thousandths.
public struct Quantity: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The amount in thousandths of a base unit ("250m" → 250, "1" → 1000), rounded up.
    public var milliValue: Int64

    /// The amount in base units, rounded up ("250m" → 1).
    public var value: Int64 {
        milliValue / 1000 + (milliValue % 1000 > 0 ? 1 : 0)
    }

    /// Parses a quantity; equal amounts compare equal whatever their spelling.
    public init(parsing text: String) throws {
        switch Quantity.parse(text) {
        case .success(let quantity): self = quantity
        case .failure(let problem): throw SkiffError(.invalid, "quantity \(quote(text)): \(problem.reason)")
        }
    }

    /// A quantity of `milliValue` thousandths.
    public init(milliValue: Int64) { self.milliValue = milliValue }

    /// Base units when whole ("1073741824"), else thousandths ("250m").
    public var description: String { milliValue % 1000 == 0 ? String(milliValue / 1000) : "\(milliValue)m" }

    struct Problem: Error { let reason: String }

    static let multipliers: [String: Int128] = [
        "": 1_000, "m": 1, "k": 1_000_000, "K": 1_000_000, "M": 1_000_000_000, "G": 1_000_000_000_000,
        "T": 1_000_000_000_000_000, "P": 1_000_000_000_000_000_000, "E": 1_000_000_000_000_000_000_000,
        "Ki": 1_024_000, "Mi": 1_048_576_000, "Gi": 1_073_741_824_000, "Ti": 1_099_511_627_776_000,
        "Pi": 1_125_899_906_842_624_000, "Ei": 1_152_921_504_606_846_976_000,
    ]

    static func parse(_ text: String) -> Result<Quantity, Problem> {
        let bytes = Array(text.utf8)
        var index = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { return .failure(Problem(reason: "must not be negative")) }
        var mantissa: Int128 = 0
        var fractionDigits = 0
        var digitCount = 0
        var sawPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                digitCount += 1
                guard digitCount <= 30 else { return .failure(Problem(reason: "too many digits")) }
                mantissa = mantissa * 10 + Int128(byte - UInt8(ascii: "0"))
                if sawPoint { fractionDigits += 1 }
            } else {
                break
            }
            index += 1
        }
        guard digitCount > 0 else { return .failure(Problem(reason: "not a number")) }
        let suffix = String(decoding: bytes[index...], as: UTF8.self)
        guard let multiplier = multipliers[suffix] else {
            return .failure(Problem(reason: "unknown suffix \(quote(suffix)) (known: m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei)"))
        }
        // Trailing fraction zeros change nothing but could overflow the product below.
        while fractionDigits > 0, mantissa % 10 == 0 {
            mantissa /= 10
            fractionDigits -= 1
        }
        // milli = ceil(mantissa × multiplier / 10^fractionDigits), exactly.
        var scale: Int128 = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        let (product, overflow) = mantissa.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return .failure(Problem(reason: "too large")) }
        let milli = product / scale + (product % scale > 0 ? 1 : 0)
        guard milli <= Int128(Int64.max) else { return .failure(Problem(reason: "too large")) }
        return .success(Quantity(milliValue: Int64(milli)))
    }

    /// Reads a quantity field: a string, or a bare JSON number (Kubernetes' parser, which appc
    /// used, accepts both).
    static func read(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> Quantity {
        let text: String
        switch value {
        case .string(let string): text = string
        case .number(let number): text = JSONWriter.format(number)
        default: throw SchemaError(path, "expected a quantity string, got \(value.kindName)")
        }
        switch parse(text) {
        case .success(let quantity): return quantity
        case .failure(let problem): throw SchemaError(path, string: text, problem.reason)
        }
    }
}
