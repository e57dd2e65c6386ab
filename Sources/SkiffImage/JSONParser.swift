// A strict RFC 8259 parser for manifests. JSONDecoder is not used here because it silently keeps
// the first of two duplicate keys (Go, which wrote and validated most ACIs, keeps the last): a
// signed manifest must not mean different things to different tools, so duplicates are refused.
// It also loses member order, which `encoded()` and isolator values keep.
import SkiffSystem

/// A malformed JSON document: where, and why.
struct JSONSyntaxError: Error, CustomStringConvertible {
    /// Byte offset of the problem, for grammar errors.
    let offset: Int?
    /// The field path of the object holding a duplicate key ("" for the top level).
    let path: String?
    let reason: String

    var description: String {
        if let path { return path.isEmpty ? reason : "\(path): \(reason)" }
        return "invalid JSON at byte \(offset ?? 0): \(reason)"
    }
}

extension JSONValue {
    /// Parses strict JSON (see `parse`). Throws `SkiffError(.invalid, "invalid JSON at byte N: …")`,
    /// or `"<field>: duplicate key \"k\""`; callers prefix what they were reading.
    public init(parsing bytes: [UInt8]) throws {
        do {
            self = try JSONValue.parse(bytes)
        } catch {
            throw SkiffError(.invalid, error.description)
        }
    }

    /// JSON text in member order; `pretty` indents by four spaces.
    public func encoded(pretty: Bool) -> [UInt8] { JSONWriter.encode(self, pretty: pretty) }

    /// Parses one JSON document: UTF-8 only (no BOM), no duplicate object keys, no trailing data,
    /// nesting at most 256 deep, numbers that fit a Double.
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == bytes.count else { throw parser.fail("unexpected data after the document") }
        return value
    }
}

/// The RFC 8259 parser behind JSONValue.parse (strings: JSONParser+Strings.swift).
struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    /// Field path components of the container being parsed, for duplicate-key errors.
    var path = FieldPath()

    init(bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: index, path: nil, reason: reason) }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0a, 0x0d: index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < 256 else { throw fail("nested more than 256 levels deep") }
        guard index < bytes.count else { throw fail("unexpected end of data") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("unexpected character \(printable(bytes[index]))")
        }
    }

    mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw fail("unexpected character \(printable(bytes[index]))")
        }
        index += expected.count
    }

    mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var members: [(String, JSONValue)] = []
        // Duplicate keys: a scan of the members read so far for small objects (most of them),
        // a set from 16 members on, so hashing every key of every object is not paid for.
        var seen: Set<String>? = nil
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let keyOffset = index
            let key = try string()
            let duplicate: Bool
            if var keys = seen {
                seen = nil
                duplicate = !keys.insert(key).inserted
                seen = keys
            } else if members.count < 16 {
                duplicate = members.contains { $0.0 == key }
            } else {
                var keys = Set(members.map(\.0))
                duplicate = !keys.insert(key).inserted
                seen = keys
            }
            guard !duplicate else {
                throw JSONSyntaxError(offset: keyOffset, path: path.text, reason: "duplicate key \(quote(key))")
            }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
            index += 1
            skipSpace()
            let saved = path
            path = path.key(key)
            let member = try value(depth: depth + 1)
            path = saved
            members.append((key, member))
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end of data in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            } else {
                throw fail("expected ',' or '}' in an object")
            }
        }
    }

    mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var elements: [JSONValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipSpace()
            let saved = path
            path = path.index(elements.count)
            elements.append(try value(depth: depth + 1))
            path = saved
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end of data in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            } else {
                throw fail("expected ',' or ']' in an array")
            }
        }
    }

    mutating func number() throws(JSONSyntaxError) -> Double {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw fail("leading zero in a number") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let number = Double(text), number.isFinite else {
            index = start
            throw fail("number out of range")
        }
        return number
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    func printable(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7f ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + String(byte, radix: 16)
    }
}

/// The value of a hexadecimal digit (either case).
func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}
