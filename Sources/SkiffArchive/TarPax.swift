// PAX extended-header records ("%d %s=%s\n") and the xattr encodings found in them: raw values
// under SCHILY.xattr.NAME (GNU tar, star) and base64 under LIBARCHIVE.xattr.NAME (bsdtar).

/// PAX record coding.
enum Pax {
    /// The records of an extended header, in order. Values stay bytes: xattr values are binary.
    static func parse(_ data: [UInt8]) -> [(key: String, value: [UInt8])]? {
        var records: [(key: String, value: [UInt8])] = []
        var i = 0
        while i < data.count {
            if data[i] == 0 { break }  // padding NULs after the last record
            var length = 0
            var j = i
            while j < data.count, data[j] >= 0x30, data[j] <= 0x39 {
                length = length * 10 + Int(data[j] - 0x30)
                if length > data.count { return nil }
                j += 1
            }
            guard j < data.count, data[j] == 0x20, length > j - i + 1, i + length <= data.count,
                  data[i + length - 1] == 0x0a
            else { return nil }
            let body = data[(j + 1)..<(i + length - 1)]
            guard let equals = body.firstIndex(of: 0x3d) else { return nil }
            let key = String(decoding: body[body.startIndex..<equals], as: UTF8.self)
            records.append((key, Array(body[(equals + 1)...])))
            i += length
        }
        return records
    }

    /// One record, with its self-including decimal length.
    static func record(_ key: String, _ value: [UInt8]) -> [UInt8] {
        let payload = 1 + key.utf8.count + 1 + value.count + 1  // " " key "=" value "\n"
        var length = payload + 1
        while String(length).utf8.count + payload != length { length = String(length).utf8.count + payload }
        return Array(String(length).utf8) + [0x20] + Array(key.utf8) + [0x3d] + value + [0x0a]
    }

    /// A PAX time "seconds[.fraction]" (possibly negative) as a timestamp.
    static func time(_ value: [UInt8]) -> TarTimestamp? {
        var bytes = value[...]
        let negative = bytes.first == 0x2d
        if negative { bytes = bytes.dropFirst() }
        let dot = bytes.firstIndex(of: 0x2e) ?? bytes.endIndex
        guard let whole = decimal(bytes[bytes.startIndex..<dot]) else { return nil }
        var nanos: Int64 = 0
        if dot < bytes.endIndex {
            var digits = 0
            for c in bytes[(dot + 1)...] {
                guard c >= 0x30 && c <= 0x39 else { return nil }
                if digits < 9 { nanos = nanos * 10 + Int64(c - 0x30); digits += 1 }
            }
            while digits < 9 { nanos *= 10; digits += 1 }
        }
        if !negative { return TarTimestamp(seconds: whole, nanoseconds: Int32(nanos)) }
        if nanos == 0 { return TarTimestamp(seconds: -whole, nanoseconds: 0) }
        return TarTimestamp(seconds: -whole - 1, nanoseconds: Int32(1_000_000_000 - nanos))
    }

    /// The PAX text of a timestamp: whole seconds, or seconds and nine fraction digits.
    static func timeText(_ t: TarTimestamp) -> [UInt8] {
        if t.nanoseconds == 0 { return Array(String(t.seconds).utf8) }
        var seconds = t.seconds
        var nanos = Int64(t.nanoseconds)
        var sign = ""
        if seconds < 0 {
            sign = "-"
            seconds = -seconds - 1
            nanos = 1_000_000_000 - nanos
        }
        let fraction = String(nanos)
        return Array((sign + String(seconds) + "." + String(repeating: "0", count: 9 - fraction.count) + fraction).utf8)
    }

    /// An unsigned decimal number; nil if empty, malformed or too large.
    static func decimal(_ bytes: ArraySlice<UInt8>) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value: Int64 = 0
        for c in bytes {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + Int64(c - 0x30)
        }
        return value
    }

    /// Standard base64 (padding optional, as bsdtar omits it); nil if malformed.
    static func base64(_ text: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for c in text {
            let v: UInt32
            switch c {
            case 0x41...0x5a: v = UInt32(c - 0x41)
            case 0x61...0x7a: v = UInt32(c - 0x61 + 26)
            case 0x30...0x39: v = UInt32(c - 0x30 + 52)
            case 0x2b: v = 62
            case 0x2f: v = 63
            case 0x3d: continue
            default: return nil
            }
            accumulator = (accumulator << 6) | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }

    /// Undoes %XX escapes (bsdtar escapes xattr names this way).
    static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x25, i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
