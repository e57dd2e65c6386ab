// The errors Expect throws. Each names the operation, the object and, where there is one, the errno.

/// An error from an Expect session.
public enum ExpectError: Error, Sendable, CustomStringConvertible {
    /// The program could not be started: `operation` is the step that failed
    /// ("lookup in PATH", "chdir", "execve", "forkpty", ...).
    case spawnFailed(program: String, operation: String, errno: Int32)
    /// No pattern matched before the deadline; `tail` is the end of the unmatched output.
    case timeout(expecting: String, after: Duration, tail: String)
    /// The output ended (the terminal closed) before any pattern matched.
    case endOfFile(expecting: String, tail: String)
    /// A system call on the session failed.
    case io(operation: String, errno: Int32)
    /// The caller passed something unusable (an empty pattern, an unterminated quote, ...).
    case invalidArgument(String)

    /// One line (plus the output tail, when there is one), naming what failed and why.
    public var description: String {
        switch self {
        case .spawnFailed(let program, let operation, let code):
            return "spawn \(quoted(program)): \(operation): \(errnoDescription(code))"
        case .timeout(let expecting, let after, let tail):
            return "timed out after \(formatDuration(after)) waiting for \(expecting); output tail:\n\(tail)"
        case .endOfFile(let expecting, let tail):
            return "end of output while waiting for \(expecting); output tail:\n\(tail)"
        case .io(let operation, let code):
            return "\(operation): \(errnoDescription(code))"
        case .invalidArgument(let message):
            return message
        }
    }
}

/// A string in double quotes with control characters escaped, for messages.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7f:
            out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// "2s", "1.5s", "250ms".
func formatDuration(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
    if millis % 1000 == 0 { return "\(millis / 1000)s" }
    if millis < 1000 { return "\(millis)ms" }
    return "\(millis / 1000).\(String(millis % 1000).leftPadded(to: 3))s"
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
