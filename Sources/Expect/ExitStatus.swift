// How a spawned process ended.
#if canImport(Glibc)
import Glibc
#endif
import CShim

/// How a child process ended: it exited with a code, or a signal killed it.
public enum ExitStatus: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The process called exit with this code (0 to 255).
    case exited(Int32)
    /// The process was terminated by this signal number.
    case signaled(Int32)

    /// Decodes a `waitpid(2)` status word (the W* macros, which Swift cannot import).
    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        if signal == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signaled(signal)
        }
    }

    /// The code a shell would report: the exit code, or 128 + the signal number.
    public var shellCode: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    /// "exited with status 3" or "killed by signal 9 (SIGKILL)".
    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "killed by signal \(signal) (\(signalName(signal)))"
        }
    }
}

/// "SIGKILL" for 9; "signal 64" when glibc knows no name.
func signalName(_ signal: Int32) -> String {
    guard let name = sk_signal_name(signal) else { return "signal \(signal)" }
    return "SIG" + String(cString: name)
}

/// "ENOENT (No such file or directory)" for an errno value.
func errnoDescription(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    guard let name = sk_errno_name(code) else { return "errno \(code) (\(text))" }
    return "\(String(cString: name)) (\(text))"
}
