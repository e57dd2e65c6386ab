// Randomized differential test against Foundation's NSRegularExpression (ICU, backtracking).
import Foundation
import XCTest

@testable import Expect

final class RegexDifferentialTests: XCTestCase {
    /// A random pattern over the alphabet a, b, c: literals, classes, `.`, groups, alternation,
    /// greedy and lazy quantifiers; no anchors. Quantifiers only apply to nodes that cannot match
    /// empty (where leftmost-first Pike VMs and backtrackers are known to differ).
    private struct Generator {
        var random: RegexTestRandom
        var groups = 0

        /// Returns (pattern, can match empty).
        mutating func node(_ depth: Int) -> (String, Bool) {
            switch depth <= 0 ? random.below(3) : 4 + random.below(7) {
            case 0, 2: return (random.pick(["a", "b", "c"]), false)
            case 1, 3: return (random.pick(["[ab]", "[^a]", "[a-c]", "[bc]", "[^bc]", "\\w", "[a\\-]"]), false)
            case 4: return (".", false)
            case 5:
                let (inner, empty) = node(depth - 1)
                groups += 1
                return ("(" + inner + ")", empty)
            case 6, 7:
                let count = 2 + random.below(2)
                var parts: [String] = []
                var empty = true
                for _ in 0..<count {
                    let (part, partEmpty) = node(depth - 1)
                    parts.append(part)
                    empty = empty && partEmpty
                }
                return (parts.joined(), empty)
            case 8:
                let count = 2 + random.below(2)
                var parts: [String] = []
                var empty = false
                for _ in 0..<count {
                    let (part, partEmpty) = random.below(6) == 0 ? ("", true) : node(depth - 1)
                    parts.append(part)
                    empty = empty || partEmpty
                }
                let capture = random.below(2) == 0
                if capture { groups += 1 }
                return ((capture ? "(" : "(?:") + parts.joined(separator: "|") + ")", empty)
            default:
                let (inner, empty) = node(depth - 1)
                let wrapped = inner.count == 1 || inner.hasPrefix("(") && balancedGroup(inner) ? inner : "(?:" + inner + ")"
                if empty { return (wrapped, true) }
                let quantifier = random.pick(["*", "+", "?", "{2}", "{1,2}", "{0,3}", "{2,}"])
                let lazy = random.below(3) == 0 ? "?" : ""
                return (wrapped + quantifier + lazy, quantifier == "*" || quantifier == "?" || quantifier == "{0,3}")
            }
        }

        /// True if `text` is one group: its first `(` closes at the last character.
        func balancedGroup(_ text: String) -> Bool {
            var depth = 0
            for (offset, character) in text.enumerated() {
                if character == "(" { depth += 1 }
                if character == ")" { depth -= 1 }
                if depth == 0 { return offset == text.count - 1 }
            }
            return false
        }
    }

    func testAgainstNSRegularExpression() throws {
        var generator = Generator(random: RegexTestRandom(state: 20_240_601))
        var compared = 0
        var matched = 0
        for _ in 0..<1500 {
            let pattern = (0...generator.random.below(3)).map { _ in generator.node(3).0 }.joined()
            let ours = try ByteRegex(pattern)
            let theirs = try NSRegularExpression(pattern: pattern)
            XCTAssertEqual(ours.groupCount, theirs.numberOfCaptureGroups, pattern)
            for _ in 0..<4 {
                let length = generator.random.below(12)
                let subject = String((0..<length).map { _ in generator.random.pick(["a", "b", "c", "d"] as [Character]) })
                let expected: [Range<Int>?]? = theirs.firstMatch(
                    in: subject, range: NSRange(location: 0, length: subject.utf16.count)
                ).map { result in
                    (0..<result.numberOfRanges).map { index in
                        let range = result.range(at: index)
                        return range.location == NSNotFound ? nil : range.location..<(range.location + range.length)
                    }
                }
                let actual = ours.firstMatch(in: subject)
                XCTAssertEqual(actual, expected, "\(pattern) on \"\(subject)\"")
                compared += 1
                if expected != nil { matched += 1 }
            }
        }
        XCTAssertEqual(compared, 6000)
        XCTAssertGreaterThan(matched, 2000)
    }
}
