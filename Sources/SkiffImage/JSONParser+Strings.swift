// JSON strings: the escape-free fast path, escapes, \u sequences with surrogate pairs, and the
// UTF-8 check (RFC 8259 section 7).

extension JSONParser {
    mutating func string() throws(JSONSyntaxError) -> String {
        index += 1
        // Most strings hold no escape: they become a String straight from the input bytes, and
        // only one with a byte above 0x7f needs its UTF-8 checked. (Appending byte by byte to an
        // array grew it four or five times per string.)
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let span = bytes[start..<index]
                index += 1
                let text = String(decoding: span, as: UTF8.self)
                guard ascii || (text.utf8.count == span.count && text.utf8.elementsEqual(span)) else {
                    throw fail("invalid UTF-8 in a string")
                }
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                // Decoding repairs invalid UTF-8, so a repaired string differs from the bytes.
                // (String(validating:as:) is not specialized across modules: each first use in
                // a process looked its generic types up at run time.)
                let text = String(decoding: out, as: UTF8.self)
                guard text.utf8.count == out.count, text.utf8.elementsEqual(out) else { throw fail("invalid UTF-8 in a string") }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                try escape(into: &out)
            case 0..<0x20:
                throw fail("control character in a string")
            default:
                out.append(byte)
                index += 1
            }
        }
    }

    mutating func escape(into out: inout [UInt8]) throws(JSONSyntaxError) {
        guard index < bytes.count else { throw fail("unterminated escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xd800..<0xdc00).contains(code) {
                // A high surrogate must be followed by an escaped low one.
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw fail("unpaired surrogate in \\u escape") }
                index += 2
                let low = try hex4()
                guard (0xdc00..<0xe000).contains(low) else { throw fail("unpaired surrogate in \\u escape") }
                code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
            } else if (0xdc00..<0xe000).contains(code) {
                throw fail("unpaired surrogate in \\u escape")
            }
            guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            index -= 1
            throw fail("invalid escape \\\(printable(byte))")
        }
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = hexDigitValue(bytes[index]) else { throw fail("invalid \\u escape") }
            code = code << 4 | UInt32(digit)
            index += 1
        }
        return code
    }
}
