// Helpers for the run-options tests: parsing shorthands, exact error assertions, and a temporary
// directory (removed in tearDown) for --set-env-file and --pod-manifest files.
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffRunOptions

/// Parses `arguments` as `skiff <kind> ...`.
func parseRun(_ arguments: [String], _ kind: RunCommandKind = .run) throws -> PodRequest {
    try PodRequestParser.parse(arguments, kind: kind)
}

/// Asserts that parsing fails with exactly `message` (and `code`).
func assertRunError(
    _ arguments: [String], _ message: String, kind: RunCommandKind = .run, code: SkiffError.Code = .usage,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try PodRequestParser.parse(arguments, kind: kind), file: file, line: line) { error in
        guard let failure = error as? SkiffError else {
            return XCTFail("not a SkiffError: \(error)", file: file, line: line)
        }
        XCTAssertEqual(failure.message, message, file: file, line: line)
        XCTAssertEqual(failure.code, code, file: file, line: line)
    }
}

/// Asserts that `body` throws a SkiffError with exactly `message`.
func assertRunOptionsFailure<T>(
    _ message: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T
) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertEqual((error as? SkiffError)?.message, message, file: file, line: line)
    }
}

/// A test case with a private temporary directory.
class RunOptionsTempDirTestCase: XCTestCase {
    private(set) var directory = ""

    override func setUpWithError() throws {
        directory = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-runopts-")
    }

    override func tearDownWithError() throws {
        if !directory.isEmpty { try FileSystem.removeTree(directory) }
    }

    /// Writes `text` to `name` in the temporary directory; returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try FileSystem.writeAtomically(path, Array(text.utf8))
        return path
    }
}

/// An environment variable, shorter.
func runEnv(_ name: String, _ value: String) -> EnvironmentVariable { EnvironmentVariable(name: name, value: value) }
