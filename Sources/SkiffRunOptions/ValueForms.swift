// The small value grammars flags share: booleans in Go's spelling (rkt's flags were pflag's),
// user and group references, IP addresses, host names, integers. Each check is pure.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// A problem with one flag value; the parser prefixes it with the command and the flag.
struct FlagProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

extension Error {
    /// A usage error `<prefix>: <problem>` for a FlagProblem; other errors unchanged.
    func usageError(_ prefix: String) -> Error {
        guard let problem = self as? FlagProblem else { return self }
        return SkiffError(.usage, "\(prefix): \(problem.message)")
    }
}

enum ValueForms {
    /// Go's strconv.ParseBool spellings, which rkt's boolean flags accepted.
    static func bool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: return nil
        }
    }

    /// A decimal integer with an optional sign, in `range`.
    static func integer(_ text: String, in range: ClosedRange<Int>) throws(FlagProblem) -> Int {
        guard let value = Int(text) else { throw FlagProblem("not an integer") }
        guard range.contains(value) else { throw FlagProblem("not in \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    /// An unsigned decimal ID (uid or gid), 0...4294967294 (4294967295 is "no ID" to the kernel).
    static func id(_ text: String) -> UInt32? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = UInt32(text),
            value != UInt32.max
        else { return nil }
        return value
    }

    /// What `--user` and `--group` accept (appc's app `user`/`group`): a numeric ID, a name in
    /// the form useradd/groupadd allow, or an absolute path whose owner or group is used.
    static func isUserOrGroup(_ text: String) -> Bool {
        if text.hasPrefix("/") { return text.utf8.allSatisfy { $0 != 0 } }
        if id(text) != nil { return true }
        return isAccountName(text)
    }

    /// `[A-Za-z_][A-Za-z0-9_.-]*` with an optional trailing `$` (Samba machine accounts), at
    /// most 256 bytes.
    static func isAccountName(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: "$") { bytes.removeLast() }
        guard let first = bytes.first, bytes.count <= 256, isLetter(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// An IPv4 or IPv6 address in its textual form (inet_pton's grammar).
    static func isIPAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 { return true }
        return inet_pton(AF_INET6, text, &buffer) == 1
    }

    /// An RFC 1123 host name: dot-separated labels of 1-63 letters, digits and inner dashes,
    /// 253 bytes at most.
    static func isHostName(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
            guard first != UInt8(ascii: "-"), last != UInt8(ascii: "-") else { return false }
            return bytes.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// Letters, digits, '_', '.' and '-': network names, syscall names and the like.
    static func isPlainWord(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// Splits `NAME=VALUE` at the first '='; nil without one.
    static func assignment(_ text: String) -> (String, String)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
