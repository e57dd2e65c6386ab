// expect: exact strings, regexes with groups, alternatives, sentinels, timeouts and their errors.
import Expect
import XCTest

final class ExpectMatchTests: XCTestCase {
    func testExactMatchReportsBeforeAndConsumesThroughTheMatch() throws {
        let session = try spawn(["printf", "login: alice\\npassword: "])
        let first = try session.expect("login: ")
        XCTAssertEqual(first.beforeText, "")
        XCTAssertEqual(first.text, "login: ")
        let second = try session.expect("password: ")
        XCTAssertEqual(second.beforeText, "alice\r\n", "ONLCR turns the child's \\n into \\r\\n")
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testSeveralExpectsInARowFromOneReadLoseNothing() throws {
        // One write, so one read brings all three words (gexpect lost data here before push-back).
        let session = try spawn(["printf", "one two three"])
        XCTAssertEqual(try session.expect("one").index, 0)
        XCTAssertEqual(try session.expect("two").beforeText, " ")
        XCTAssertEqual(try session.expect("three").beforeText, " ")
        XCTAssertEqual(try session.expect(.eof).beforeText, "")
    }

    func testRegexWithCaptureGroupsAndNamedGroups() throws {
        let session = try spawn(["echo", "pod 3fa9 exited with 42"])
        let match = try session.expect(regex: #"pod (?<uuid>[0-9a-f]+) exited with (\d+)"#)
        XCTAssertEqual(match.text, "pod 3fa9 exited with 42")
        XCTAssertEqual(match.group(1), "3fa9")
        XCTAssertEqual(match.group(named: "uuid"), "3fa9")
        XCTAssertEqual(match.group(2), "42")
        XCTAssertNil(match.group(3))
    }

    func testEarliestMatchInTheOutputWinsNotTheFirstListed() throws {
        let session = try spawn(["printf", "alpha beta gamma"])
        let match = try session.expect(["gamma", "beta", try .regex("al+")])
        XCTAssertEqual(match.index, 2, "alpha starts first")
        XCTAssertEqual(match.text, "al")
        let next = try session.expect(["gamma", "beta"])
        XCTAssertEqual(next.index, 1)
        XCTAssertEqual(next.beforeText, "pha ")
    }

    func testOnATieTheFirstListedWins() throws {
        let session = try spawn(["printf", "abcdef"])
        let match = try session.expect(["abc", "abcdef", try .regex("a.")])
        XCTAssertEqual(match.index, 0)
        XCTAssertEqual(match.text, "abc")
    }

    func testEndOfFileAsAnAlternative() throws {
        let session = try spawn(["printf", "no prompt here"])
        let match = try session.expect(["prompt> ", .eof])
        XCTAssertEqual(match.index, 1)
        XCTAssertEqual(match.outcome, .endOfFile)
        XCTAssertEqual(match.beforeText, "no prompt here")
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testEndOfFileWithoutTheSentinelThrowsWithTheTail() throws {
        let session = try spawn(["printf", "something else"])
        XCTAssertThrowsError(try session.expect("prompt> ")) { error in
            guard case ExpectError.endOfFile(let expecting, let tail) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(expecting, "\"prompt> \"")
            XCTAssertEqual(tail, "something else")
        }
    }

    func testTimeoutAsAnAlternativeKeepsTheOutputForTheNextCall() throws {
        let session = try spawn(["sh", "-c", "printf 'partial'; read x; printf ' rest'"])
        let match = try session.expect(["never", .timeout], timeout: .milliseconds(300))
        XCTAssertEqual(match.outcome, .timeout)
        XCTAssertEqual(match.index, 1)
        XCTAssertEqual(match.beforeText, "partial")
        try session.sendLine("")
        XCTAssertEqual(try session.expect("rest").beforeText, "partial ")
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testTimeoutErrorNamesPatternsDurationAndTail() throws {
        let session = try spawn(["sh", "-c", "echo 'line one'; printf 'waiting at prompt'; exec sleep 30"])
        let start = ContinuousClock.now
        XCTAssertThrowsError(try session.expect(["ready", try .regex("done \\d+")], timeout: .milliseconds(400))) {
            error in
            let text = "\(error)"
            XCTAssertTrue(
                text.hasPrefix("timed out after 400ms waiting for \"ready\" or /done \\d+/; output tail:\n"), text)
            XCTAssertTrue(text.hasSuffix("line one\r\nwaiting at prompt"), text)
        }
        let elapsed = ContinuousClock.now - start
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(400), "must not give up before the deadline")
        session.close()
    }

    func testSessionDefaultTimeoutAppliesAndPerCallOverrides() throws {
        let session = try spawn(["sleep", "30"], options: SpawnOptions(timeout: .milliseconds(200)))
        XCTAssertThrowsError(try session.expect("x")) { error in
            guard case ExpectError.timeout(_, let after, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(after, .milliseconds(200))
        }
        XCTAssertThrowsError(try session.expect("x", timeout: .milliseconds(50))) { error in
            guard case ExpectError.timeout(_, let after, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(after, .milliseconds(50))
        }
        session.timeout = .milliseconds(10)
        XCTAssertThrowsError(try session.expect("x")) { error in
            guard case ExpectError.timeout(_, let after, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(after, .milliseconds(10))
        }
        session.close()
    }

    func testATrickleOfOutputDoesNotPostponeTheTimeout() throws {
        // go-expect#20: a timeout that never fires while data keeps coming.
        let session = try spawn(["sh", "-c", "while :; do echo tick; sleep 0.05; done"])
        let start = ContinuousClock.now
        XCTAssertThrowsError(try session.expect("never", timeout: .milliseconds(500)))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
        session.close()
    }

    func testEmptyPatternAndBadRegexAreInvalidArguments() throws {
        let session = try spawn(["true"])
        XCTAssertThrowsError(try session.expect("")) { error in
            XCTAssertEqual("\(error)", "expect: empty search string")
        }
        XCTAssertThrowsError(try session.expect(regex: "a(b")) { error in
            guard case ExpectError.invalidArgument(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("unbalanced parenthesis"), message)
        }
    }

    func testReadLineStripsTheCarriageReturnAndReturnsTheLastPieceAtEOF() throws {
        let session = try spawn(["printf", "first\\nsecond\\r\\nlast"])
        XCTAssertEqual(try session.readLine(), "first")
        XCTAssertEqual(try session.readLine(), "second")
        XCTAssertEqual(try session.readLine(), "last")
        XCTAssertNil(try session.readLine())
    }

    func testReadUntilADelimiter() throws {
        let session = try spawn(["printf", "a:b:c"])
        XCTAssertEqual(try session.readUntil(UInt8(ascii: ":")), Array("a".utf8))
        XCTAssertEqual(try session.readUntil(UInt8(ascii: ":")), Array("b".utf8))
        XCTAssertEqual(try session.readUntil(UInt8(ascii: ":")), Array("c".utf8))
        XCTAssertNil(try session.readUntil(UInt8(ascii: ":")))
    }

    func testMatchingIsOnBytes() throws {
        let session = try spawn(["printf", "\\001\\377binary\\000zero"])
        let match = try session.expect(.bytes([0xff, 0x62]))
        XCTAssertEqual(match.before, [0x01])
        let zero = try session.expect(.bytes([0x00, 0x7a]))
        XCTAssertEqual(zero.before, Array("inary".utf8))
    }
}
