// Small helpers that turn C return conventions into thrown SkiffErrors, and the text helpers
// messages and pod files use (quoting, joining without the standard library's generic path).
#if canImport(Glibc)
import Glibc
#endif
import CShim

/// Runs `call` until it does not fail with EINTR; returns its result. Inlinable, so that callers
/// in other modules get it specialized: the generic entry point looked up `BinaryInteger`'s
/// associated types at run time on first use (a demangling and a conformance scan of the binary).
@inlinable @inline(__always)
public func retryingEINTR<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}

/// Runs `call` (retrying EINTR) and throws `SkiffError.system(operation)` when it returns -1.
@discardableResult
@inlinable @inline(__always)
public func check<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ call: () -> T) throws -> T {
    let result = retryingEINTR(call)
    if result < 0 { throw SkiffError.system(operation()) }
    return result
}

/// `"path"` quoted for messages, with control characters escaped.
public func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7f:
            out += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

extension Array where Element == String {
    /// The elements joined with `separator`. The standard library's `joined(separator:)` is generic
    /// code that is not specialized across modules: on first use it looked up the sequence's
    /// associated types and conformances at run time (0.05 ms of every `skiff run`).
    public func joinedText(separator: String) -> String {
        var text = ""
        for (index, element) in enumerated() {
            if index > 0 { text += separator }
            text += element
        }
        return text
    }
}

extension Array where Element == UInt8 {
    /// Whether the UTF-8 of `text` occurs in these bytes (memmem(3)): a quick look into a file
    /// without decoding or splitting it.
    public func contains(utf8 text: String) -> Bool {
        var needle = text
        return needle.withUTF8 { needle in
            withUnsafeBufferPointer { sk_memmem($0.baseAddress, $0.count, needle.baseAddress, needle.count) != nil }
        }
    }
}
