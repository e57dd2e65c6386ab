// One-shot matching semantics: literals, classes, quantifiers, priority, flags, anchors, UTF-8.
import XCTest

@testable import Expect

final class RegexMatchTests: XCTestCase {
    func testLiteralsAndEscapes() throws {
        XCTAssertEqual(try regexTestRange("abc", "xxabcxx"), 2..<5)
        XCTAssertEqual(try regexTestRange("\\n\\t\\x41\\.\\e", "x\n\tA.\u{1B}"), 1..<6)
        XCTAssertEqual(try regexTestRange("\\r\\f\\v\\a\\0", "\r\u{0C}\u{0B}\u{07}\0"), 0..<5)
        XCTAssertEqual(try regexTestRange("\\012", "a\n"), 1..<2)
        XCTAssertEqual(try regexTestRange("\\(\\)\\[\\]\\{\\}\\*\\+\\?\\|\\^\\$\\\\\\/\\ ", "()[]{}*+?|^$\\/ "), 0..<15)
        XCTAssertEqual(try regexTestRange("a{", "a{"), 0..<2)
        XCTAssertEqual(try regexTestRange("a{1", "a{1"), 0..<3)
        XCTAssertEqual(try regexTestRange("a{,}", "a{,}"), 0..<4)
        XCTAssertEqual(try regexTestRange("a}]", "a}]"), 0..<3)
        XCTAssertNil(try regexTestRange("abd", "abcabc"))
    }

    func testClasses() throws {
        XCTAssertEqual(try regexTestGroups("[a-c]+", "xxabcd")?[0], "abc")
        XCTAssertEqual(try regexTestGroups("[]a]+", "x]a]")?[0], "]a]")
        XCTAssertEqual(try regexTestGroups("[^]a]", "]ab")?[0], "b")
        XCTAssertEqual(try regexTestGroups("[a-]+", "x-a-")?[0], "-a-")
        XCTAssertEqual(try regexTestGroups("[-a]+", "x-a-")?[0], "-a-")
        XCTAssertEqual(try regexTestGroups("[\\d_]+", "a1_2b")?[0], "1_2")
        XCTAssertEqual(try regexTestGroups("[\\]\\\\]+", "a]\\b")?[0], "]\\")
        XCTAssertEqual(try regexTestGroups("[[:alpha:]]+", "12abC3")?[0], "abC")
        XCTAssertEqual(try regexTestGroups("[[:^digit:]]+", "12ab34")?[0], "ab")
        XCTAssertEqual(try regexTestGroups("[[:xdigit:][:space:]]+", "xyz1a F!")?[0], "1a F")
        XCTAssertEqual(try regexTestGroups("\\d+", "ab123c")?[0], "123")
        XCTAssertEqual(try regexTestGroups("\\D+", "12ab3")?[0], "ab")
        XCTAssertEqual(try regexTestGroups("\\w+", "  a_1 ")?[0], "a_1")
        XCTAssertEqual(try regexTestGroups("\\W+", "ab+-cd")?[0], "+-")
        XCTAssertEqual(try regexTestGroups("\\s+", "a \t\r\nb")?[0], " \t\r\n")
        XCTAssertEqual(try regexTestGroups("\\S+", "  ab ")?[0], "ab")
        XCTAssertEqual(try regexTestGroups("[\\b]", "a\u{08}")?[0], "\u{08}")
        XCTAssertEqual(try regexTestGroups("[^\\W\\d]+", "12ab_3")?[0], "ab_")
    }

    func testQuantifiers() throws {
        XCTAssertEqual(try regexTestRange("a{2,3}", "aaaa"), 0..<3)
        XCTAssertEqual(try regexTestRange("a{2,3}?", "aaaa"), 0..<2)
        XCTAssertEqual(try regexTestRange("a{2}", "abaaa"), 2..<4)
        XCTAssertEqual(try regexTestRange("a{2,}", "aaaaab"), 0..<5)
        XCTAssertEqual(try regexTestRange("ba{,2}", "baaa"), 0..<3)
        XCTAssertEqual(try regexTestRange("ba{0}c", "bc"), 0..<2)
        XCTAssertEqual(try regexTestRange("a.*b", "aXbYb"), 0..<5)
        XCTAssertEqual(try regexTestRange("a.*?b", "aXbYb"), 0..<3)
        XCTAssertEqual(try regexTestRange("a+?", "aaa"), 0..<1)
        XCTAssertEqual(try regexTestRange("a*?b", "aab"), 0..<3)
        XCTAssertEqual(try regexTestRange("a??b", "ab"), 0..<2)
        XCTAssertEqual(try regexTestRange("a?", "b"), 0..<0)
        XCTAssertEqual(try regexTestRange("(ab){2,}", "abababx"), 0..<6)
        XCTAssertEqual(try regexTestGroups("(a|b)+", "abba")?[1], "a")
        XCTAssertEqual(try regexTestGroups("(a+)(a*)", "aaa"), ["aaa", "aaa", ""])
        XCTAssertEqual(try regexTestGroups("(a+?)(a*)", "aaa"), ["aaa", "a", "aa"])
    }

    func testAlternationPriority() throws {
        XCTAssertEqual(try regexTestRange("a|ab", "ab"), 0..<1)
        XCTAssertEqual(try regexTestRange("ab|a", "ab"), 0..<2)
        XCTAssertEqual(try regexTestGroups("(a|ab)(c|bcd)", "abcd"), ["abcd", "a", "bcd"])
        XCTAssertEqual(try regexTestRange("b|abc", "abc"), 0..<3)  // leftmost start wins
        XCTAssertEqual(try regexTestGroups("(?:x|(y))+", "yx")?[1], "y")
        XCTAssertEqual(try regexTestRange("|a", "a"), 0..<0)
        XCTAssertEqual(try regexTestRange("(|a)b", "ab"), 0..<2)
    }

    func testFlags() throws {
        XCTAssertEqual(try regexTestRange("(?i)hello", "say HeLLo"), 4..<9)
        XCTAssertEqual(try regexTestRange("a(?i)b", "aB"), 0..<2)
        XCTAssertNil(try regexTestRange("a(?i)b", "AB"))
        XCTAssertEqual(try regexTestRange("(?i:a)b", "Ab"), 0..<2)
        XCTAssertNil(try regexTestRange("(?i:a)b", "AB"))
        XCTAssertEqual(try regexTestRange("(a(?i)b|c)", "C"), 0..<1)  // to the end of the group
        XCTAssertNil(try regexTestRange("(?:a(?i)b)c", "aBC"))
        XCTAssertEqual(try regexTestRange("(?i)a(?-i)b", "Ab"), 0..<2)
        XCTAssertNil(try regexTestRange("(?i)a(?-i)b", "AB"))
        XCTAssertEqual(try regexTestRange("(?i)[a-c]+", "xABCd"), 1..<4)
        XCTAssertNil(try regexTestRange("(?i)[^a]", "A"))
        XCTAssertEqual(try regexTestRange("(?i)\\x41", "a"), 0..<1)
        XCTAssertNil(try regexTestRange("a.b", "a\nb"))
        XCTAssertEqual(try regexTestRange("(?s)a.b", "a\nb"), 0..<3)
        XCTAssertEqual(try regexTestRange("(?s:.)", "\n"), 0..<1)
        XCTAssertEqual(try regexTestRange("(?m)^b", "a\nb"), 2..<3)
    }

    func testAnchors() throws {
        XCTAssertEqual(try regexTestRange("^b", "a\nb"), 2..<3)
        XCTAssertNil(try regexTestRange("^b", "ab"))
        XCTAssertEqual(try regexTestRange("a$", "a\r\n"), 0..<1)
        XCTAssertEqual(try regexTestRange("a$", "xa\nb"), 1..<2)
        XCTAssertEqual(try regexTestRange("a$", "ba"), 1..<2)
        XCTAssertNil(try regexTestRange("a$", "ab"))
        XCTAssertEqual(try regexTestRange("^$", "a\n\nb"), 2..<2)
        XCTAssertNil(try regexTestRange("\\Aa", "ba"))
        XCTAssertEqual(try regexTestRange("\\Ab", "ab\nb"), nil)
        XCTAssertEqual(try regexTestRange("\\Ab", "b"), 0..<1)
        XCTAssertNil(try regexTestRange("a\\z", "a\n"))
        XCTAssertEqual(try regexTestRange("a\\Z", "ba"), 1..<2)
        XCTAssertEqual(try regexTestRange("\\bfoo\\b", "afoo foo b"), 5..<8)
        XCTAssertEqual(try regexTestRange("\\Bo", "foo"), 1..<2)
        XCTAssertEqual(try regexTestRange("\\b", " a"), 1..<1)
        XCTAssertEqual(try regexTestRange("o\\b", "foo"), 2..<3)
        XCTAssertEqual(try regexTestRange("^", "abc", from: 1), nil)
        XCTAssertEqual(try regexTestRange("a", "aXa", from: 1), 2..<3)
        XCTAssertEqual(try regexTestRange("\\bX", "aXa X", from: 1), 4..<5)
    }

    func testEmptyMatches() throws {
        XCTAssertEqual(try regexTestRange("a*", "bbb"), 0..<0)
        XCTAssertEqual(try regexTestRange("", ""), 0..<0)
        XCTAssertEqual(try regexTestRange("x*$", "ab"), 2..<2)
        XCTAssertEqual(try regexTestRange("()", "ab", from: 2), 2..<2)
        XCTAssertNil(try regexTestRange("()", "ab", from: 3))
        XCTAssertEqual(try regexTestGroups("(a*)*b", "b"), ["b", nil])
        XCTAssertEqual(try regexTestGroups("(a*)+b", "b"), ["b", ""])
        XCTAssertEqual(try regexTestRange("(a*)*", "aab"), 0..<2)
    }

    func testUTF8Dot() throws {
        XCTAssertEqual(try regexTestRange(".", "é"), 0..<2)
        XCTAssertNil(try regexTestRange("^..$", "é"))
        XCTAssertEqual(try regexTestRange("a.c", "a€c"), 0..<5)
        XCTAssertEqual(try regexTestRange("^.$", "😀"), 0..<4)
        XCTAssertEqual(try regexTestRange(".", [0xFF]), 0..<1)
        XCTAssertEqual(try regexTestRange("a.b", [0x61, 0xC3, 0x62]), 0..<3)
        // E2 82 41: not a valid sequence, so E2 and 82 are one unit each.
        XCTAssertEqual(try regexTestRange("^...$", [0xE2, 0x82, 0x41]), 0..<3)
        XCTAssertNil(try regexTestRange("^..$", [0xE2, 0x82, 0x41]))
        XCTAssertEqual(try regexTestRange("^.$", [0xE2, 0x82, 0xAC]), 0..<3)
        // Overlong and surrogate encodings are invalid: byte by byte.
        XCTAssertEqual(try regexTestRange("^..$", [0xC0, 0x80]), 0..<2)
        XCTAssertEqual(try regexTestRange("^...$", [0xED, 0xA0, 0x80]), 0..<3)
        XCTAssertEqual(try regexTestRange("^..$", [0xC3]), nil)
        XCTAssertEqual(try regexTestRange("[^a]", "é"), 0..<2)
        XCTAssertEqual(try regexTestRange("\\W", "é"), 0..<2)
        XCTAssertEqual(try regexTestRange("\\D\\S", "éü"), 0..<4)
        XCTAssertEqual(try regexTestRange("\\w+", "héllo"), 0..<1)
        XCTAssertEqual(try regexTestRange("x[^y]z", [0x78, 0xFF, 0x7A]), 0..<3)
        XCTAssertNil(try regexTestRange("\\n", "é"))
    }

    func testNonASCIILiteralsAndClasses() throws {
        XCTAssertEqual(try regexTestRange("é+", "aééx"), 1..<5)
        XCTAssertEqual(try regexTestRange("[éa]+", "béab"), 1..<4)
        XCTAssertEqual(try regexTestRange("[€-]+", "a-€-b"), 1..<6)
        XCTAssertEqual(try regexTestRange("[\\Wa]+", "béa!b"), 1..<5)
        XCTAssertEqual(try regexTestRange("\\xff\\xfe", [0x41, 0xFF, 0xFE]), 1..<3)
        XCTAssertEqual(try regexTestRange("[\\x80-\\xff]+", [0x41, 0xC3, 0xA9, 0x41]), 1..<3)
        XCTAssertEqual(try regexTestRange("(?i)é", "É"), nil)  // ASCII-only case folding
        XCTAssertEqual(try regexTestRange("(?i)ÉA", "Éa"), 0..<3)
        XCTAssertEqual(try ByteRegex("(é)(ü)").firstMatch(in: "xéü"), [1..<5, 1..<3, 3..<5])
    }

    func testManyThreadsWithCaptures() throws {
        // Eighteen a* loops alive at once: the capture pass's thread lists must grow.
        let pattern = String(repeating: "(a*)", count: 18) + "z"
        let groups = try regexTestGroups(pattern, "baaaaz")
        XCTAssertEqual(groups?[0], "aaaaz")
        XCTAssertEqual(groups?[1], "aaaa")
        XCTAssertEqual(groups?[18], "")
        let lazy = try regexTestGroups(String(repeating: "(a*?)", count: 18) + "z", "aaaz")
        XCTAssertEqual(lazy?[18], "aaa")
        XCTAssertEqual(lazy?[1], "")
    }

    func testFromOutOfRange() throws {
        let regex = try ByteRegex("a*")
        XCTAssertNil(regex.firstMatch(in: [0x61], from: 2))
        XCTAssertNil(regex.firstMatch(in: [0x61], from: -1))
        XCTAssertEqual(regex.firstMatch(in: [0x61], from: 1), [1..<1])
        XCTAssertEqual(try ByteRegex("b").firstMatch(in: []), nil)
    }

    func testRepetitionOfNonASCII() throws {
        XCTAssertEqual(try regexTestRange("^é{2}$", "éé"), 0..<4)
        XCTAssertNil(try regexTestRange("^é{2}$", "é"))
        XCTAssertEqual(try regexTestRange("^.{3}$", "aé€"), 0..<6)
    }
}
