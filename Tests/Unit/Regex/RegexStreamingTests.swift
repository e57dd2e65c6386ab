// RegexScanner: the eager rule, chunking independence, discard(before:) and linear work.
import XCTest

@testable import Expect

final class RegexStreamingTests: XCTestCase {
    /// Scans `data` (stream positions from 0) as one window.
    private func scan(_ scanner: inout RegexScanner, _ data: [UInt8], base: Int = 0, isFinal: Bool) -> Range<Int>? {
        data.withUnsafeBytes { all in
            let window = UnsafeRawBufferPointer(rebasing: all[base...])
            return scanner.scan(window, base: base, previous: base > 0 ? data[base - 1] : nil, isFinal: isFinal)
        }
    }

    private func scan(_ scanner: inout RegexScanner, _ text: String, base: Int = 0, isFinal: Bool) -> Range<Int>? {
        scan(&scanner, Array(text.utf8), base: base, isFinal: isFinal)
    }

    func testEagerAtWindowEnd() throws {
        var scanner = RegexScanner(try ByteRegex("ab+"))
        XCTAssertEqual(scan(&scanner, "xabb", isFinal: false), 1..<4)
        // Reported again (more data may extend it, as re.search on the longer data would).
        XCTAssertEqual(scan(&scanner, "xabbb", isFinal: false), 1..<5)
        XCTAssertEqual(scan(&scanner, "xabbbc", isFinal: false), 1..<5)
    }

    func testEagerWithEarlierLiveThread() throws {
        var scanner = RegexScanner(try ByteRegex("abcd|c"))
        XCTAssertEqual(scan(&scanner, "abc", isFinal: false), 2..<3)
        // Not consumed; more data: the earlier thread wins.
        XCTAssertEqual(scan(&scanner, "abcd", isFinal: false), 0..<4)
        // Consumed instead: the scanner starts over after it.
        var other = RegexScanner(try ByteRegex("abcd|c"))
        XCTAssertEqual(scan(&other, "abc", isFinal: false), 2..<3)
        other.discard(before: 3)
        XCTAssertEqual(scan(&other, "abcdc", base: 3, isFinal: false), 4..<5)
    }

    func testAssertionsWaitForTheNextByte() throws {
        var scanner = RegexScanner(try ByteRegex("a$"))
        XCTAssertNil(scan(&scanner, "xa", isFinal: false))
        XCTAssertEqual(scan(&scanner, "xa\r", isFinal: false), 1..<2)
        var boundary = RegexScanner(try ByteRegex("a\\b"))
        XCTAssertNil(scan(&boundary, "a", isFinal: false))
        XCTAssertNil(scan(&boundary, "ab", isFinal: false))
        XCTAssertEqual(scan(&boundary, "ab a", isFinal: false), nil)
        XCTAssertEqual(scan(&boundary, "ab a-", isFinal: false), 3..<4)
        var end = RegexScanner(try ByteRegex("a\\z"))
        XCTAssertNil(scan(&end, "a", isFinal: false))
        XCTAssertEqual(scan(&end, "a", isFinal: true), 0..<1)
        var dollar = RegexScanner(try ByteRegex("a$"))
        XCTAssertNil(scan(&dollar, "a", isFinal: false))
        XCTAssertEqual(scan(&dollar, "a", isFinal: true), 0..<1)
        // A lower-priority match is reported while the waiting assertion is still undecided.
        var priority = RegexScanner(try ByteRegex("ab$|a"))
        XCTAssertEqual(scan(&priority, "ab", isFinal: false), 0..<1)
        XCTAssertEqual(scan(&priority, "ab\n", isFinal: false), 0..<2)
    }

    func testCharacterCutOffAtWindowEnd() throws {
        var scanner = RegexScanner(try ByteRegex("x.$"))
        XCTAssertNil(scan(&scanner, [0x78, 0xE2], isFinal: false))
        XCTAssertNil(scan(&scanner, [0x78, 0xE2, 0x82], isFinal: false))
        XCTAssertEqual(scan(&scanner, [0x78, 0xE2, 0x82, 0xAC, 0x0A], isFinal: false), 0..<4)
        var invalid = RegexScanner(try ByteRegex("x."))
        XCTAssertNil(scan(&invalid, [0x78, 0xC3], isFinal: false))
        XCTAssertEqual(scan(&invalid, [0x78, 0xC3], isFinal: true), 0..<2)
        var split = RegexScanner(try ByteRegex("x.."))
        XCTAssertNil(scan(&split, [0x78, 0xE2, 0x82], isFinal: false))
        XCTAssertEqual(scan(&split, [0x78, 0xE2, 0x82, 0x41], isFinal: false), 0..<3)
    }

    func testUTF8Decisions() {
        func length(_ bytes: [UInt8]) -> Int {
            bytes.withUnsafeBufferPointer { regexUTF8Length($0.baseAddress!, 0, limit: $0.count) }
        }
        func tail(_ bytes: [UInt8]) -> Int {
            bytes.withUnsafeBufferPointer { regexIncompleteUTF8Tail($0.baseAddress!, count: $0.count, floor: 0) }
        }
        XCTAssertEqual(length([0x41]), 1)
        XCTAssertEqual(length([0xC3, 0xA9]), 2)
        XCTAssertEqual(length([0xE2, 0x82, 0xAC]), 3)
        XCTAssertEqual(length([0xF0, 0x9F, 0x98, 0x80]), 4)
        XCTAssertEqual(length([0xF4, 0x90, 0x80, 0x80]), 1)  // above U+10FFFF
        XCTAssertEqual(length([0xE0, 0x80, 0x80]), 1)  // overlong
        XCTAssertEqual(length([0xC3]), 1)
        XCTAssertEqual(length([0x80]), 1)
        XCTAssertEqual(tail([0x41, 0xC3]), 1)
        XCTAssertEqual(tail([0x41, 0xE2, 0x82]), 1)
        XCTAssertEqual(tail([0xF0, 0x9F, 0x98]), 0)
        XCTAssertEqual(tail([0xF0, 0x9F, 0x98, 0x80]), 4)
        XCTAssertEqual(tail([0x41, 0xE2, 0x41]), 3)
        XCTAssertEqual(tail([0xE0, 0x80]), 2)  // E0 80 can never become valid
        XCTAssertEqual(tail([0x80, 0x80]), 2)
        XCTAssertEqual(tail([0xFF]), 1)
    }

    func testDiscardBefore() throws {
        let regex = try ByteRegex("a.*z")
        var scanner = RegexScanner(regex)
        let data = Array("a---z-a--z".utf8)
        XCTAssertEqual(scan(&scanner, data, isFinal: false), 0..<10)
        scanner.discard(before: 1)
        XCTAssertEqual(scan(&scanner, data, base: 1, isFinal: false), 6..<10)
        // Discarding past a live thread's start: threads starting later are found again.
        var live = RegexScanner(try ByteRegex("a.*z|b.*y"))
        let text = Array("a-b--".utf8)
        XCTAssertNil(scan(&live, text, isFinal: false))
        live.discard(before: 1)
        XCTAssertEqual(scan(&live, Array("a-b--y".utf8), base: 1, isFinal: false), 2..<6)
        // The thread from 0 hid the one from 2 (same pc, same future): dropping it must not lose it.
        var shadow = RegexScanner(try ByteRegex("a.*z"))
        XCTAssertNil(scan(&shadow, "a-a--", isFinal: false))
        shadow.discard(before: 1)
        XCTAssertEqual(scan(&shadow, "a-a--z", base: 1, isFinal: false), 2..<6)
        // A cached match survives discards before its start.
        var cached = RegexScanner(try ByteRegex("b"))
        XCTAssertEqual(scan(&cached, "aab", isFinal: false), 2..<3)
        cached.discard(before: 2)
        XCTAssertEqual(scan(&cached, "aab", base: 2, isFinal: false), 2..<3)
        cached.discard(before: 3)
        XCTAssertNil(scan(&cached, "aab", base: 3, isFinal: false))
        XCTAssertEqual(scan(&cached, "aabb", base: 3, isFinal: false), 3..<4)
    }

    func testCopiesAreIndependent() throws {
        var first = RegexScanner(try ByteRegex("ab"))
        XCTAssertNil(scan(&first, "xa", isFinal: false))
        var second = first
        XCTAssertEqual(scan(&second, "xab", isFinal: false), 1..<3)
        second.discard(before: 3)
        XCTAssertEqual(scan(&first, "xab", isFinal: false), 1..<3)
    }

    /// Bytes are stepped once however the stream is chunked, for a thread that never ends.
    func testLinearWork() throws {
        let count = 1 << 20
        var data = [UInt8](repeating: UInt8(ascii: "b"), count: count)
        for i in stride(from: 0, to: count, by: 7) { data[i] = UInt8(ascii: "a") }
        data[10] = 0xC3  // an incomplete character somewhere
        for pattern in ["a.*z", "(?s)a.*z", "a[^z]*z$", "\\w+\\z"] {
            var scanner = RegexScanner(try ByteRegex(pattern))
            var fed = 4096
            while fed <= count {
                let found = data.withUnsafeBytes { all in
                    scanner.scan(UnsafeRawBufferPointer(rebasing: all[0..<fed]), base: 0, previous: nil, isFinal: false)
                }
                XCTAssertNil(found, pattern)
                fed += 4096 + 13
            }
            XCTAssertLessThanOrEqual(scanner.steppedBytes, count + 16, pattern)
            XCTAssertGreaterThan(scanner.steppedBytes, count / 2, pattern)
        }
        // A literal is found by memmem: hardly any bytes are stepped.
        var literal = RegexScanner(try ByteRegex("__END__"))
        data[count - 9] = UInt8(ascii: "_")
        data.replaceSubrange((count - 7)..<count, with: Array("__END__".utf8))
        var found: Range<Int>?
        var fed = 0
        while found == nil && fed < count {
            fed = min(count, fed + 65536)
            found = data.withUnsafeBytes { all in
                literal.scan(UnsafeRawBufferPointer(rebasing: all[0..<fed]), base: 0, previous: nil, isFinal: false)
            }
        }
        XCTAssertEqual(found, (count - 7)..<count)
        XCTAssertLessThan(literal.steppedBytes, 200)
    }

    /// The same data in any chunking (one-byte windows too) gives the one-shot matches.
    func testChunkingIndependence() throws {
        var random = RegexTestRandom(state: 42)
        let pieces: [[UInt8]] = [
            "foo", " ", "bar", "\r\n", "\n", "ERROR: disk", "error: Net", "x12y", "x3", "é", "€", "😀", "a", "z",
            "<b>", "</b>", "1.25", "3.", "\t", "foo@bar.com", "_", "ab", "AB",
        ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0xE2, 0x82], [0x80]]
        var data: [UInt8] = []
        while data.count < 3000 { data += random.pick(pieces) }
        let patterns = [
            "\\bfoo\\b", "^\\w+$", "\\w+\\b", "[a-z]+\\r\\n", "é.", ".é", "(?i)ERROR: (\\w+)\\b", "a.*?z",
            ".$", "^$", "(?s)<b>.*?</b>", "\\d+\\.\\d+\\b", "[^\\r\\n]+\\r\\n", "\\b\\w+@\\w+\\.com\\b", "\\A\\w+\\b",
            "\\w+\\z", "x\\d+y", "[\\x80-\\xff]", "\\B", "(foo|bar)+\\s", "😀|€", "[^a-z\\s]+\\r\\n", "\\W\\d\\.",
        ]
        for pattern in patterns {
            let regex = try ByteRegex(pattern)
            let expected = regexTestOneShot(regex, data)
            XCTAssertFalse(expected.isEmpty, pattern)
            for chunking in [[1], [2], [3], [7, 1, 64], [4096], [random.below(50) + 1, random.below(9) + 1]] {
                let (actual, agree) = regexTestStream(regex, data, chunks: chunking)
                XCTAssertEqual(actual.count, expected.count, "\(pattern) chunks \(chunking)")
                if let index = zip(actual, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                    XCTFail("\(pattern) chunks \(chunking): match \(index) is \(actual[index]), expected \(expected[index])")
                }
                XCTAssertTrue(agree, "captures disagree: \(pattern) chunks \(chunking)")
            }
        }
    }
}
