// The 512-byte tar header: field offsets, numbers (octal and GNU base-256) and the checksum,
// shared by the reader and the writer.

/// Layout and number coding of ustar/GNU headers.
enum TarHeader {
    static let blockSize = 512

    // Field offsets and lengths (POSIX ustar; GNU uses the same positions up to `magic`).
    static let name = (offset: 0, length: 100)
    static let mode = (offset: 100, length: 8)
    static let uid = (offset: 108, length: 8)
    static let gid = (offset: 116, length: 8)
    static let size = (offset: 124, length: 12)
    static let mtime = (offset: 136, length: 12)
    static let checksum = (offset: 148, length: 8)
    static let typeflag = 156
    static let linkname = (offset: 157, length: 100)
    static let magic = (offset: 257, length: 6)
    static let version = (offset: 263, length: 2)
    static let uname = (offset: 265, length: 32)
    static let gname = (offset: 297, length: 32)
    static let devmajor = (offset: 329, length: 8)
    static let devminor = (offset: 337, length: 8)
    static let prefix = (offset: 345, length: 155)

    /// The header checksum: the byte sum with the checksum field counted as spaces. `signed` gives
    /// the variant some historic tars wrote (bytes as signed chars); readers accept both.
    static func checksum(_ block: UnsafeRawBufferPointer, signed: Bool = false) -> Int64 {
        var sum: Int64 = 0
        if signed {
            for i in 0..<blockSize where i < 148 || i >= 156 { sum += Int64(Int8(bitPattern: block[i])) }
        } else {
            for i in 0..<blockSize where i < 148 || i >= 156 { sum += Int64(block[i]) }
        }
        return sum + 8 * 32
    }

    /// Whether the stored checksum matches (unsigned or signed).
    static func checksumIsValid(_ block: UnsafeRawBufferPointer) -> Bool {
        guard let stored = number(block, checksum) else { return false }
        return stored == checksum(block) || stored == checksum(block, signed: true)
    }

    /// Whether all 512 bytes are zero (an end-of-archive block).
    static func isZero(_ block: UnsafeRawBufferPointer) -> Bool {
        // Eight bytes at a time: this runs once per entry.
        var any: UInt64 = 0
        for i in stride(from: 0, to: blockSize, by: 8) { any |= block.loadUnaligned(fromByteOffset: i, as: UInt64.self) }
        return any == 0
    }

    /// A numeric field: octal digits (leading spaces, trailing space/NUL), or GNU base-256 when the
    /// first byte has its high bit set (0x80 positive, 0xff negative). nil when malformed or out of range.
    static func number(_ block: UnsafeRawBufferPointer, _ field: (offset: Int, length: Int)) -> Int64? {
        let first = block[field.offset]
        if first & 0x80 != 0 {
            let negative = first == 0xff
            var value: Int64 = negative ? -1 : Int64(first & 0x7f)
            for i in 1..<field.length {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 256)
                if overflow { return nil }
                value = shifted | Int64(block[field.offset + i])
            }
            return value
        }
        var i = field.offset
        let end = field.offset + field.length
        while i < end && (block[i] == 0x20 || block[i] == 0) { i += 1 }
        if i == end { return 0 }
        var value: Int64 = 0
        while i < end {
            let c = block[i]
            if c == 0x20 || c == 0 { break }
            guard c >= 0x30 && c <= 0x37 else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 8)
            if overflow { return nil }
            value = shifted + Int64(c - 0x30)
            i += 1
        }
        return value
    }

    /// A NUL-terminated (or full-width) text field.
    static func text(_ block: UnsafeRawBufferPointer, _ field: (offset: Int, length: Int)) -> String {
        let bytes = UnsafeRawBufferPointer(rebasing: block[field.offset..<(field.offset + field.length)])
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
    }

    /// The largest value `length - 1` octal digits hold (the last byte is the terminator).
    static func octalLimit(_ length: Int) -> Int64 { (Int64(1) << (3 * Int64(length - 1))) - 1 }

    /// Writes `value` as zero-padded octal with a NUL terminator, or base-256 when it does not fit
    /// (or is negative).
    static func putNumber(_ value: Int64, _ block: inout [UInt8], _ field: (offset: Int, length: Int)) {
        if value >= 0 && value <= octalLimit(field.length) {
            var v = value
            for i in stride(from: field.length - 2, through: 0, by: -1) {
                block[field.offset + i] = UInt8(0x30 + (v & 7))
                v >>= 3
            }
            block[field.offset + field.length - 1] = 0
            return
        }
        var v = value
        for i in stride(from: field.length - 1, through: 1, by: -1) {
            block[field.offset + i] = UInt8(truncatingIfNeeded: v)
            v >>= 8
        }
        block[field.offset] = value < 0 ? 0xff : 0x80
    }

    /// Copies `bytes` into a text field (the caller checked they fit).
    static func putText(_ bytes: some Collection<UInt8>, _ block: inout [UInt8], _ field: (offset: Int, length: Int)) {
        for (i, byte) in bytes.prefix(field.length).enumerated() { block[field.offset + i] = byte }
    }

    /// Fills in the checksum field of a finished header.
    static func seal(_ block: inout [UInt8]) {
        let sum = block.withUnsafeBytes { checksum($0) }
        putNumber(sum, &block, (checksum.offset, 7))
        block[checksum.offset + 7] = 0x20
    }
}
