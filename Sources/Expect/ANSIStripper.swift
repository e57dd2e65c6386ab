// Removes terminal escape sequences from a byte stream, keeping state across reads.

/// A streaming filter that drops ANSI/ECMA-48 escape sequences: CSI (`ESC [` ... final byte),
/// OSC (`ESC ]` ... BEL or `ESC \`), DCS/SOS/PM/APC strings, charset selections (`ESC ( B`) and
/// two-byte escapes (`ESC =`). A sequence split across reads is removed whole. C1 control bytes
/// (0x80-0x9f) are left alone because in UTF-8 text they are continuation bytes.
public struct ANSIStripper: Sendable {
    private enum State: Sendable {
        case ground, escape, charset, csi, string, stringEscape
    }

    private var state = State.ground

    public init() {}

    /// Appends the bytes of `input` that are not part of an escape sequence to `output`.
    public mutating func filter(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        for byte in input {
            switch state {
            case .ground:
                if byte == 0x1b { state = .escape } else { output.append(byte) }
            case .escape:
                switch byte {
                case UInt8(ascii: "["): state = .csi
                case UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "X"), UInt8(ascii: "^"), UInt8(ascii: "_"):
                    state = .string
                case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"):
                    state = .charset
                case 0x1b: state = .escape
                case 0x20...0x2f: state = .escape  // intermediate bytes
                default: state = .ground  // final byte of a two-byte escape
                }
            case .charset:
                state = .ground
            case .csi:
                if (0x40...0x7e).contains(byte) { state = .ground }
            case .string:
                if byte == 0x07 { state = .ground } else if byte == 0x1b { state = .stringEscape }
            case .stringEscape:
                state = byte == UInt8(ascii: "\\") ? .ground : .string
            }
        }
    }

    /// Convenience for whole strings: the text without escape sequences.
    public static func strip(_ text: String) -> String {
        var stripper = ANSIStripper()
        var out: [UInt8] = []
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { stripper.filter(UnsafeRawBufferPointer($0), into: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}
