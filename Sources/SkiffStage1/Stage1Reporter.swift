// How a stage1 talks on stderr: one line per failure, `skiff stage1 (<flavor>): <op> <object>:
// <cause>`, and exit status 254 so its failures are never mistaken for an app's status.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// Failure, warning and debug lines of a stage1 flavor.
public struct Stage1Reporter: Sendable {
    /// The flavor named in every line ("fly", "stub").
    public let flavor: String
    /// Whether debug lines are printed (`--debug`).
    public var debugging: Bool

    /// A reporter for `flavor`, debug lines off.
    public init(flavor: String, debugging: Bool = false) {
        self.flavor = flavor
        self.debugging = debugging
    }

    /// `run`'s arguments (docs/stage1-abi.md "Running"), with debug lines on for `--debug`; bad
    /// ones end the stage1 here (one line, exit status 254).
    public mutating func runArguments(_ argv: [String]) -> RunArguments {
        do {
            let arguments = try RunArguments(parsing: argv)
            debugging = arguments.debug
            return arguments
        } catch {
            fail(error)
        }
    }

    /// The line for `error`, without the newline.
    public func line(_ error: any Error) -> String { "skiff stage1 (\(flavor)): \(error)" }

    /// Prints the failure line and exits with 254.
    public func fail(_ error: any Error) -> Never {
        write(line(error))
        exit(Stage1Contract.failureStatus)
    }

    /// Prints the failure line without exiting (a forked child reports, then calls `_exit`).
    public func report(_ error: any Error) { write(line(error)) }

    /// Prints a warning line.
    public func warn(_ text: String) { write("skiff stage1 (\(flavor)): warning: \(text)") }

    /// Prints a debug line when debugging.
    public func debug(_ text: @autoclosure () -> String) {
        if debugging { write("skiff stage1 (\(flavor)): debug: \(text())") }
    }

    private func write(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
