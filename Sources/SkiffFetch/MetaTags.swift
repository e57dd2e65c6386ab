// Finding <meta name=... content=...> in a discovery page without an HTML parser: real pages are
// hand-written, so attribute order, quoting, case and self-closing slashes all vary.

extension Discovery {
    /// The `<meta>` tags of a page that have both a `name` and a `content` attribute, in page
    /// order. Tag and attribute names are case-insensitive; values may be double-quoted,
    /// single-quoted or bare; character references (`&amp;`, `&#38;`, `&#x26;`) are decoded;
    /// comments are skipped.
    public static func metaTags(in html: String) -> [(name: String, content: String)] {
        var scanner = TagScanner(Array(html.utf8))
        var tags: [(name: String, content: String)] = []
        while let attributes = scanner.nextMeta() {
            if let name = attributes["name"], let content = attributes["content"] { tags.append((name, content)) }
        }
        return tags
    }
}

/// A forward-only scan over the bytes of a page.
private struct TagScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The attributes (lowercased names, decoded values) of the next `<meta` tag, or nil at the end.
    mutating func nextMeta() -> [String: String]? {
        while index < bytes.count {
            if bytes[index] != UInt8(ascii: "<") {
                index += 1
            } else if starts(with: "<!--") {
                index = find("-->").map { $0 + 3 } ?? bytes.count
            } else if starts(with: "<meta"), index + 5 < bytes.count, isSeparator(bytes[index + 5]) {
                index += 5
                return attributes()
            } else {
                index += 1
            }
        }
        return nil
    }

    /// Parses `name=value` pairs up to the closing `>`; the first of duplicate names wins, as in HTML.
    private mutating func attributes() -> [String: String] {
        var result: [String: String] = [:]
        while index < bytes.count {
            while index < bytes.count && (isSpace(bytes[index]) || bytes[index] == UInt8(ascii: "/")) { index += 1 }
            guard index < bytes.count, bytes[index] != UInt8(ascii: ">") else { break }
            let nameStart = index
            while index < bytes.count && !isSpace(bytes[index])
                && ![UInt8(ascii: "="), UInt8(ascii: ">"), UInt8(ascii: "/")].contains(bytes[index])
            {
                index += 1
            }
            let name = String(decoding: bytes[nameStart..<index], as: UTF8.self).lowercased()
            skipSpaces()
            var value = ""
            if index < bytes.count && bytes[index] == UInt8(ascii: "=") {
                index += 1
                skipSpaces()
                value = decodeReferences(readValue())
            }
            if result[name] == nil { result[name] = value }
        }
        index += 1  // past ">"
        return result
    }

    /// A quoted value up to its matching quote, or a bare value up to a space or `>`.
    private mutating func readValue() -> String {
        guard index < bytes.count else { return "" }
        let quote = bytes[index]
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            index += 1
            let start = index
            while index < bytes.count && bytes[index] != quote { index += 1 }
            defer { index = min(index + 1, bytes.count) }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        let start = index
        while index < bytes.count && !isSpace(bytes[index]) && bytes[index] != UInt8(ascii: ">") { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func skipSpaces() { while index < bytes.count && isSpace(bytes[index]) { index += 1 } }

    /// Case-insensitive ASCII prefix test at the current position.
    private func starts(with text: String) -> Bool {
        let pattern = Array(text.utf8)
        guard index + pattern.count <= bytes.count else { return false }
        for (offset, byte) in pattern.enumerated() where lower(bytes[index + offset]) != byte { return false }
        return true
    }

    private func find(_ text: String) -> Int? {
        let pattern = Array(text.utf8)
        var position = index
        while position + pattern.count <= bytes.count {
            if bytes[position..<position + pattern.count].elementsEqual(pattern) { return position }
            position += 1
        }
        return nil
    }

    private func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
    private func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0d) }
    private func isSeparator(_ byte: UInt8) -> Bool {
        isSpace(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">")
    }
}

/// Decodes the character references a URL in an attribute may carry.
func decodeReferences(_ text: String) -> String {
    guard text.contains("&") else { return text }
    let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
    var out = ""
    var rest = Substring(text)
    while let amp = rest.firstIndex(of: "&") {
        out += rest[..<amp]
        let after = rest[rest.index(after: amp)...]
        if let semicolon = after.prefix(10).firstIndex(of: ";") {
            let entity = String(after[..<semicolon])
            var replacement: String?
            if let value = named[entity.lowercased()] {
                replacement = value
            } else if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
            } else if entity.hasPrefix("#") {
                replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
            }
            if let replacement {
                out += replacement
                rest = after[after.index(after: semicolon)...]
                continue
            }
        }
        out += "&"
        rest = after
    }
    return out + rest
}
