// Parser errors and the basic matching constructs of ByteRegex.
import XCTest

@testable import Expect

final class RegexSyntaxTests: XCTestCase {
    /// The reason and offset `pattern` is rejected with, or nil if it compiles.
    private func failure(_ pattern: String) -> (String, Int)? {
        do {
            _ = try ByteRegex(pattern)
            return nil
        } catch {
            return (error.reason, error.offset)
        }
    }

    private func assertError(
        _ pattern: String, _ reason: String, at offset: Int, file: StaticString = #filePath, line: UInt = #line
    ) {
        guard let (actualReason, actualOffset) = failure(pattern) else {
            return XCTFail("\(pattern) compiled", file: file, line: line)
        }
        XCTAssertEqual(actualReason, reason, pattern, file: file, line: line)
        XCTAssertEqual(actualOffset, offset, pattern, file: file, line: line)
    }

    func testErrorDescription() {
        XCTAssertThrowsError(try ByteRegex("a(b")) { error in
            XCTAssertEqual("\(error)", "invalid regex \"a(b\": unbalanced parenthesis at offset 1")
            XCTAssertEqual(
                error as? RegexSyntaxError,
                RegexSyntaxError(pattern: "a(b", offset: 1, reason: "unbalanced parenthesis"))
        }
        XCTAssertEqual(try ByteRegex("ab+").description, "regex \"ab+\"")
    }

    func testParenthesisErrors() {
        assertError("a(b", "unbalanced parenthesis", at: 1)
        assertError("a)b", "unbalanced parenthesis", at: 1)
        assertError("(a))", "unbalanced parenthesis", at: 3)
        assertError("((a)", "unbalanced parenthesis", at: 0)
        assertError("(?i", "unbalanced parenthesis", at: 0)
        assertError(String(repeating: "(", count: 300) + String(repeating: ")", count: 300),
            "groups nested too deeply (limit 200)", at: 200)
    }

    func testRepeatErrors() {
        assertError("*a", "nothing to repeat", at: 0)
        assertError("a|*", "nothing to repeat", at: 2)
        assertError("(+)", "nothing to repeat", at: 1)
        assertError("^*", "nothing to repeat", at: 1)
        assertError("\\b+", "nothing to repeat", at: 2)
        assertError("(?i)*", "nothing to repeat", at: 4)
        assertError("{2}", "nothing to repeat", at: 0)
        assertError("a**", "multiple repeat", at: 2)
        assertError("a{2}{3}", "multiple repeat", at: 4)
        assertError("a+?+", "multiple repeat", at: 3)
        assertError("a{3,2}", "min repeat greater than max repeat", at: 1)
        assertError("a{1001}", "repetition count too large (limit 1000)", at: 1)
        assertError("(a{1000}){1000}", "pattern too large (over 50000 instructions compiled)", at: 0)
    }

    func testClassErrors() {
        assertError("[abc", "unterminated character set", at: 0)
        assertError("x[]", "unterminated character set", at: 1)
        assertError("[z-a]", "bad character range", at: 1)
        assertError("[\\d-z]", "bad character range", at: 1)
        assertError("[é-ü]", "non-ASCII range in class", at: 1)
        assertError("[a-é]", "non-ASCII range in class", at: 3)
        assertError("[^aé]", "non-ASCII character in negated class", at: 3)
        assertError("[^\\xff]", "non-ASCII character in negated class", at: 2)
        assertError("[[:foo:]]", "unknown POSIX class name foo", at: 1)
    }

    func testEscapeAndGroupErrors() {
        assertError("a\\", "trailing backslash", at: 1)
        assertError("\\q", "bad escape \\q", at: 0)
        assertError("[\\k]", "bad escape \\k", at: 1)
        assertError("\\x4", "incomplete escape \\x (two hex digits needed)", at: 0)
        assertError("(a)\\1", "backreferences are not supported", at: 3)
        assertError("(?P=n)", "backreferences are not supported", at: 0)
        assertError("(?=a)", "lookahead is not supported", at: 0)
        assertError("(?<!a)", "lookbehind is not supported", at: 0)
        assertError("(?P<1a>x)", "bad character in group name", at: 4)
        assertError("(?<n>a)(?<n>b)", "redefinition of group name n", at: 10)
        assertError("(?<n", "missing >, unterminated name", at: 3)
        assertError("(?x)", "unknown extension ?x", at: 1)
        assertError("(?ix)", "unknown flag", at: 3)
        assertError("(?#abc", "missing ), unterminated comment", at: 0)
    }

    func testGroupsAndNames() throws {
        let regex = try ByteRegex("(?P<year>\\d{4})-(?<month>\\d\\d)(?:-(\\d\\d))?")
        XCTAssertEqual(regex.groupCount, 3)
        XCTAssertEqual(regex.groupNames, ["year": 1, "month": 2])
        XCTAssertEqual(regex.firstMatch(in: "on 2024-05!"), [3..<10, 3..<7, 8..<10, nil])
        XCTAssertEqual(regex.firstMatch(in: "2024-05-17"), [0..<10, 0..<4, 5..<7, 8..<10])
        XCTAssertEqual(try ByteRegex("(?:ab)+(c)").groupCount, 1)
        XCTAssertEqual(try ByteRegex("(a)(b)?(c)").firstMatch(in: "ac"), [0..<2, 0..<1, nil, 1..<2])
        XCTAssertEqual(try ByteRegex("a(?#comment)b").firstMatch(in: "ab"), [0..<2])
    }
}
