// Large outputs: nothing lost, and the search work stays linear in the output size.
@testable import Expect
import Foundation
import XCTest

final class ThroughputTests: XCTestCase {
    func testHundredMegabytesWithAMarkerAtTheEnd() throws {
        // 75,000,000 zero bytes → 100,000,000 base64 characters in 1,315,790 lines of 76.
        let session = try spawn(["sh", "-c", "head -c 75000000 /dev/zero | base64 | cat; echo __END__"])
        let match = try session.expect(["__END__", try .regex(#"FAILED: (\w+)"#)], timeout: .seconds(300))
        XCTAssertEqual(match.index, 0)
        let lines = (100_000_000 + 75) / 76
        XCTAssertEqual(match.before.count, 100_000_000 + 2 * lines, "every byte, each line ending in CR LF")
        XCTAssertEqual(try session.wait(), .exited(0))
        let streamed = session.buffer.end
        // Each byte is examined once per pattern, plus a pattern-length overlap per read.
        XCTAssertLessThan(session.finder.examinedBytes, streamed + streamed / 100, "exact search work")
        XCTAssertLessThan(session.finder.steppedBytes, streamed + streamed / 100, "regex search work")
    }
}

final class ManySmallReadsTests: XCTestCase {
    func testALineBufferedProducerLosesNoLine() throws {
        // stdio line-buffers a terminal: seq makes one write per line, so one read per line or so.
        let session = try spawn(["seq", "1", "50000"])
        var expected = 1
        while let line = try session.readLine() {
            XCTAssertEqual(line, String(expected))
            if line != String(expected) { break }
            expected += 1
        }
        XCTAssertEqual(expected, 50001)
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testTwentyPatternsFindEveryMatchInADenseStream() throws {
        // pexpect's searchwindowsize found 1,701 of 20,000 here; every match must be found.
        let dir = try TemporaryDirectory()
        var text = ""
        var expected: [String] = []
        for i in 0..<6000 {
            if i % 3 == 0 {
                let k = (i * 7) % 20
                text += String(format: "[%07d] ev%02d: state=running value=%d id=c%x\n", i, k, i * 13 % 9973, i)
                expected.append(String(format: "%02d:c%x", k, i))
            } else {
                text += String(format: "[%07d] noise: lorem ipsum dolor sit amet consectetur %d\n", i, i * 31 % 100003)
            }
        }
        let path = try dir.file("stream", contents: text)
        var patterns: [Pattern] = try (0..<20).map {
            try .regex(String(format: #"ev%02d: state=(\w+) value=(\d+) id=(c[0-9a-f]+)\r\n"#, $0))
        }
        patterns.append(.eof)
        let session = try spawn(["cat", path])
        var found: [String] = []
        while true {
            let match = try session.expect(patterns)
            if match.outcome == .endOfFile { break }
            XCTAssertEqual(match.group(1), "running")
            found.append(String(format: "%02d:", match.index) + (match.group(3) ?? "?"))
        }
        XCTAssertEqual(found.count, expected.count, "every tagged line is found")
        if let first = (0..<min(found.count, expected.count)).first(where: { found[$0] != expected[$0] }) {
            XCTFail("match \(first): found \(found[first]), expected \(expected[first]) (pattern:id)")
        }
    }
}
