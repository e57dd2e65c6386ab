// Transcripts to descriptors and closures, and the gexpect-parity shell splitter.
import Expect
import Foundation
import XCTest

final class TranscriptTests: XCTestCase {
    func testBytesTranscriptSeesBothDirectionsInOrder() throws {
        final class Log { var events: [(Transcript.Direction, String)] = [] }
        let log = Log()
        let options = SpawnOptions(transcript: .bytes { log.events.append(($0, String(decoding: $1, as: UTF8.self))) })
        let session = try spawn(["sh", "-c", "echo prompt; read x; echo got:$x"], options: options)
        try session.expect("prompt\r\n")
        try session.sendLine("answer")
        try session.expect("got:answer\r\n")
        XCTAssertEqual(try session.wait(), .exited(0))
        let input = log.events.filter { $0.0 == .input }.map(\.1).joined()
        let output = log.events.filter { $0.0 == .output }.map(\.1).joined()
        XCTAssertEqual(input, "answer\n")
        XCTAssertEqual(output, "prompt\r\ngot:answer\r\n")
        let firstInput = try XCTUnwrap(log.events.firstIndex { $0.0 == .input })
        XCTAssertTrue(log.events[..<firstInput].contains { $0.1.contains("prompt") }, "the prompt came first")
    }

    func testFileDescriptorTranscriptAndTee() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/log"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        final class Seen { var text = "" }
        let seen = Seen()
        let transcript = Transcript.tee([
            .fileDescriptor(fd, includeInput: true),
            .text { if $0 == .output { seen.text += $1 } },
        ])
        let session = try spawn(["cat"], options: SpawnOptions(transcript: transcript))
        try session.sendLine("logged")
        try session.expect("logged\r\n")
        try session.sendEOF()
        XCTAssertEqual(try session.wait(), .exited(0))
        session.close()
        close(fd)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "logged\nlogged\r\n\u{04}")
        XCTAssertEqual(seen.text, "logged\r\n")
    }

    func testRecentOutputKeepsTheTail() throws {
        let session = try spawn(["sh", "-c", "seq 1 5000"])
        XCTAssertEqual(try session.wait(), .exited(0))
        XCTAssertTrue(session.recentOutput.hasSuffix("4999\r\n5000\r\n"))
        XCTAssertLessThanOrEqual(session.recentOutput.utf8.count, 4096)
    }

    func testShellSplit() throws {
        XCTAssertEqual(try shellSplit("  a  b\tc\n"), ["a", "b", "c"])
        XCTAssertEqual(try shellSplit(#"'a b' "c d" e\ f"#), ["a b", "c d", "e f"])
        XCTAssertEqual(try shellSplit(#""x\"y\\z\$w" 'no\escape'"#), [#"x"y\z$w"#, #"no\escape"#])
        XCTAssertEqual(try shellSplit(#"a"b"'c'd"#), ["abcd"], "adjacent quoted parts join one word")
        XCTAssertEqual(try shellSplit(#"'' """#), ["", ""], "empty quotes are empty words")
        XCTAssertEqual(try shellSplit(""), [])
        XCTAssertThrowsError(try shellSplit(#"a "b"#)) { XCTAssertEqual("\($0)", #"split command line "a \"b": unterminated double quote"#) }
        XCTAssertThrowsError(try shellSplit("a\\")) { XCTAssertEqual("\($0)", #"split command line "a\\": trailing backslash"#) }
    }
}
