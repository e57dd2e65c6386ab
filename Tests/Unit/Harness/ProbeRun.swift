// Running the probe from tests and reading its `key=value` lines.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
import SkiffTestSupport
import XCTest

/// The probe's output, split into lines.
struct ProbeOutput {
    let status: Int32
    let lines: [String]
    let stderr: String

    init(_ output: Subprocess.Output) {
        status = output.status
        lines = output.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !$0.isEmpty }
        stderr = output.stderrText
    }

    /// Every value printed for `key`, in order.
    func values(_ key: String) -> [String] {
        lines.compactMap { line in line.hasPrefix(key + "=") ? String(line.dropFirst(key.count + 1)) : nil }
    }

    /// The single value printed for `key`, nil if none.
    func value(_ key: String) -> String? { values(key).first }

    /// Asserts that some line matches `pattern` as a whole.
    func assertLine(matching pattern: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let regex = try? Regex(pattern) else { return XCTFail("bad regex \(pattern)", file: file, line: line) }
        XCTAssertTrue(
            lines.contains { $0.wholeMatch(of: regex) != nil },
            "no line matches /\(pattern)/ in:\n\(lines.joined(separator: "\n"))",
            file: file, line: line)
    }
}

/// Runs the probe (optionally behind `prefix`, e.g. setpriv or chroot) with `arguments`.
func runProbe(
    _ arguments: [String], prefix: [String] = [], input: String? = nil, environment: [String: String]? = nil
) throws -> ProbeOutput {
    let probe = try ProbeBinary.path()
    return ProbeOutput(
        try Subprocess.run(prefix + [probe] + arguments, input: input.map { Array($0.utf8) }, environment: environment))
}

/// A directory under $TMPDIR named `skiff-<label>-XXXXXX` (mode 0755, so a probe run as
/// another user may enter it), removed by `remove()`.
final class TestDirectory {
    let path: String

    init(_ label: String) throws {
        path = try FileSystem.makeTemporaryDirectory(in: TestEnvironment.temporaryDirectory, prefix: "skiff-\(label)-")
        chmod(path, 0o755)
    }

    deinit { remove() }

    func remove() { try? FileSystem.removeTree(path) }

    @discardableResult
    func write(_ name: String, _ text: String, mode: mode_t = 0o644) throws -> String {
        let full = path + "/" + name
        try FileSystem.writeAtomically(full, Array(text.utf8), mode: mode)
        chmod(full, mode)
        return full
    }
}
