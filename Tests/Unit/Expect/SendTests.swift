// send, sendLine, control characters, signals, window size and echo changes.
import Expect
import XCTest

final class SendTests: XCTestCase {
    func testSendLineSendsALineFeedNotCRLF() throws {
        // The child reads raw bytes: exactly what reached its terminal input.
        let session = try spawn(["sh", "-c", "stty raw; dd bs=1 count=6 2>/dev/null | od -An -c"])
        try session.expect(.timeout, timeout: .milliseconds(100))  // give stty a moment
        try session.sendLine("hello")
        let line = try XCTUnwrap(try session.readLine())
        XCTAssertEqual(line.split(separator: " ").map(String.init), ["h", "e", "l", "l", "o", "\\n"])
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testCRLFPitfallGexpectsSendLineMadeTwoLines() throws {
        // What gexpect's SendLine did: "\r\n" reaches a canonical-mode reader as two lines.
        let session = try spawn(["sh", "-c", "read a; read b; echo \"[$a][$b]\""])
        try session.send("x\r\n")
        XCTAssertEqual(try session.readLine(), "[x][]")
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testSendEOFEndsCat() throws {
        let session = try spawn(["cat"])
        try session.sendLine("echoed")
        XCTAssertEqual(try session.readLine(), "echoed")
        try session.sendEOF()
        XCTAssertEqual(try session.expect(.eof).beforeText, "")
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testSendInterruptDeliversSIGINTThroughTheLineDiscipline() throws {
        let session = try spawn(["sh", "-c", "echo ready; exec sleep 30"])
        try session.expect("ready\r\n")
        try session.sendInterrupt()
        XCTAssertEqual(try session.wait(timeout: .seconds(10)), .signaled(SIGINT))
    }

    func testSendControlMapsKeysToControlCharacters() throws {
        let session = try spawn(["sh", "-c", "stty raw; dd bs=1 count=4 2>/dev/null | od -An -tx1"])
        try session.expect(.timeout, timeout: .milliseconds(100))
        try session.sendControl("a")
        try session.sendControl("Z")
        try session.sendControl("[")
        try session.sendControl("?")
        XCTAssertEqual(try session.readLine()?.trimmingCharacters(in: .whitespaces), "01 1a 1b 7f")
        XCTAssertEqual(try session.wait(), .exited(0))
        XCTAssertThrowsError(try session.sendControl("é"))
        XCTAssertThrowsError(try session.sendControl("1"))
    }

    func testSignalSendsToTheChild() throws {
        let session = try spawn(["sh", "-c", "trap 'echo got USR1' USR1; echo ready; while :; do sleep 0.05; done"])
        try session.expect("ready\r\n")
        try session.signal(SIGUSR1)
        try session.expect("got USR1\r\n")
        try session.signal(SIGKILL)
        XCTAssertEqual(try session.wait(), .signaled(SIGKILL))
        XCTAssertNoThrow(try session.signal(SIGTERM), "signalling a reaped child is a no-op")
    }

    func testSetWindowSizeIsSeenByTheChildAndRaisesSIGWINCH() throws {
        let session = try spawn(["sh", "-c", "trap 'stty size' WINCH; echo ready; while :; do sleep 0.05; done"])
        try session.expect("ready\r\n")
        try session.setWindowSize(WindowSize(rows: 40, columns: 100))
        XCTAssertEqual(try session.readLine(), "40 100")
        XCTAssertEqual(try session.windowSize(), WindowSize(rows: 40, columns: 100))
        session.close()
    }

    func testSetEchoAtRunTime() throws {
        let session = try spawn(["cat"])
        try session.setEcho(true)
        try session.sendLine("twice")
        XCTAssertEqual(try session.readLine(), "twice", "the echo")
        XCTAssertEqual(try session.readLine(), "twice", "cat's copy")
        try session.setEcho(false)
        try session.sendLine("once")
        XCTAssertEqual(try session.readLine(), "once")
        try session.sendEOF()
        XCTAssertEqual(try session.expect(.eof).beforeText, "", "no second copy of \"once\"")
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testLargeSendToAChildThatAlsoWritesDoesNotDeadlock() throws {
        // cat echoes everything back: while our write waits for room, its output must be read.
        let session = try spawn(["sh", "-c", "stty raw -echo; cat"])
        try session.expect(.timeout, timeout: .milliseconds(100))
        let payload = String(repeating: "0123456789abcdef", count: 64 * 1024)  // 1 MiB
        try session.send(payload)
        var received = 0
        while received < payload.utf8.count {
            received += try session.expect(try .regex("[0-9a-f]+")).matched.count
        }
        XCTAssertEqual(received, payload.utf8.count)
        session.close()
    }
}
