// Large outputs: nothing lost, and the search work stays linear in the output size.
@testable import Expect
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
