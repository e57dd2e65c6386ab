// rkt's gexpect test helpers, for XCTest: spawnOrFail, expectOrFail, waitOrFail.
import Expect
import XCTest

/// Thrown by a helper after it recorded its XCTest failure, so the test stops at that step.
/// `output` is what the session had collected: on an expect mismatch, the unmatched output.
public struct ExpectTestFailure: Error, CustomStringConvertible {
    public let message: String
    public let output: String
    public var description: String { message }
}

extension SpawnOptions {
    /// Options for driving CLIs in tests: a plain terminal (`TERM=dumb`, `NO_COLOR=1`, so no
    /// colours or bracketed paste), echo off, a wide window and the given timeout.
    public static func testing(
        timeout: Duration = .seconds(60), environment: [String: String] = [:], workingDirectory: String? = nil
    ) -> SpawnOptions {
        var overrides = ["TERM": "dumb", "NO_COLOR": "1"]
        overrides.merge(environment) { _, new in new }
        return SpawnOptions(environmentOverrides: overrides, workingDirectory: workingDirectory, timeout: timeout)
    }
}

/// Starts `argv` on a terminal, or records a failure naming the command and the cause.
public func spawnOrFail(
    _ argv: [String], options: SpawnOptions = .testing(), file: StaticString = #filePath, line: UInt = #line
) throws -> ExpectSession {
    do {
        return try ExpectSession(argv, options: options)
    } catch {
        throw recordFailure("spawn \(argv.joined(separator: " ")) failed: \(error)", output: "", file: file, line: line)
    }
}

/// Waits for one of `patterns`; on a timeout or end of output records a failure showing the
/// patterns and the collected output (also carried by the thrown `ExpectTestFailure`).
@discardableResult
public func expectOrFail(
    _ session: ExpectSession, _ patterns: [Pattern], timeout: Duration? = nil,
    file: StaticString = #filePath, line: UInt = #line
) throws -> ExpectMatch {
    do {
        return try session.expect(patterns, timeout: timeout)
    } catch {
        let output = String(decoding: session.pendingOutput, as: UTF8.self)
        let message = expectFailureMessage(session, patterns: patterns, error: error, output: output)
        throw recordFailure(message, output: output, file: file, line: line)
    }
}

/// `expectOrFail` for a single pattern (a string literal is an exact match).
@discardableResult
public func expectOrFail(
    _ session: ExpectSession, _ pattern: Pattern, timeout: Duration? = nil,
    file: StaticString = #filePath, line: UInt = #line
) throws -> ExpectMatch {
    try expectOrFail(session, [pattern], timeout: timeout, file: file, line: line)
}

/// Drains the output, waits for the exit and asserts the status; the failure message carries the
/// end of the transcript. A child still running after `timeout` is terminated and reported.
public func waitOrFail(
    _ session: ExpectSession, status expected: ExitStatus, timeout: Duration = .seconds(120),
    file: StaticString = #filePath, line: UInt = #line
) throws {
    let status: ExitStatus
    do {
        status = try session.wait(timeout: timeout)
    } catch {
        let ended = session.terminate()
        let message = waitFailureMessage(session, expected: expected, actual: nil, error: error) + " (then \(ended))"
        throw recordFailure(message, output: session.recentOutput, file: file, line: line)
    }
    guard status == expected else {
        let message = waitFailureMessage(session, expected: expected, actual: status, error: nil)
        throw recordFailure(message, output: session.recentOutput, file: file, line: line)
    }
}

// MARK: Messages (plain functions, so their content is unit-testable without failing a test)

/// The message of a failed expect: command, patterns, what went wrong, collected output.
public func expectFailureMessage(_ session: ExpectSession, patterns: [Pattern], error: any Error, output: String)
    -> String
{
    let wanted = patterns.map(\.description).joined(separator: " or ")
    return """
        \(session.argv.joined(separator: " ")): did not see \(wanted): \(firstLine(error))
        --- collected output ---
        \(output.isEmpty ? "(none)" : display(output))
        --- end ---
        """
}

/// The message of a failed wait: command, expected and actual status, transcript tail.
public func waitFailureMessage(_ session: ExpectSession, expected: ExitStatus, actual: ExitStatus?, error: (any Error)?)
    -> String
{
    let what = actual.map { "got: \($0)" } ?? "wait failed: \(error.map(firstLine) ?? "unknown")"
    return """
        \(session.argv.joined(separator: " ")): expected: \(expected); \(what)
        --- transcript tail ---
        \(session.recentOutput.isEmpty ? "(no output)" : display(session.recentOutput))
        --- end ---
        """
}

/// Terminal text for a message: CR LF as plain line ends, no trailing line end.
private func display(_ text: String) -> String {
    var lines = text.replacingOccurrences(of: "\r\n", with: "\n")
    while lines.hasSuffix("\n") { lines.removeLast() }
    return lines
}

private func firstLine(_ error: any Error) -> String {
    String(describing: error).split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
}

private func recordFailure(_ message: String, output: String, file: StaticString, line: UInt) -> ExpectTestFailure {
    XCTFail(message, file: file, line: line)
    return ExpectTestFailure(message: message, output: output)
}
