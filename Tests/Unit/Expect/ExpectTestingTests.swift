// The ExpectTesting helpers: their success paths, and the content of their failure messages.
import Expect
import ExpectTesting
import XCTest

final class ExpectTestingTests: XCTestCase {
    func testHelpersPassOnTheHappyPath() throws {
        let child = try spawnOrFail(["sh", "-c", "echo TERM=$TERM NO_COLOR=$NO_COLOR; exit 4"])
        let match = try expectOrFail(child, try .regex(#"TERM=(\S+) NO_COLOR=(\S+)\r\n"#))
        XCTAssertEqual(match.group(1), "dumb", "testing options ask for a plain terminal")
        XCTAssertEqual(match.group(2), "1")
        try waitOrFail(child, status: .exited(4))
    }

    func testExpectFailureMessageShowsPatternsCauseAndCollectedOutput() throws {
        let child = try spawn(["printf", "collected text"])
        var caught: (any Error)?
        do { try child.expect(["wanted", .timeout]) } catch { caught = error }
        do { try child.expect("wanted") } catch { caught = error }
        let error = try XCTUnwrap(caught)
        let message = expectFailureMessage(child, patterns: ["wanted"], error: error, output: "collected text")
        XCTAssertEqual(
            message,
            """
            printf collected text: did not see "wanted": end of output while waiting for "wanted"; output tail:
            --- collected output ---
            collected text
            --- end ---
            """)
    }

    func testWaitFailureMessageShowsBothStatusesAndTheTranscriptTail() throws {
        let child = try spawn(["sh", "-c", "echo last words; exit 3"])
        let status = try child.wait()
        let message = waitFailureMessage(child, expected: .exited(0), actual: status, error: nil)
        XCTAssertEqual(
            message,
            """
            sh -c echo last words; exit 3: expected: exited with status 0; got: exited with status 3
            --- transcript tail ---
            last words
            --- end ---
            """)
    }
}
