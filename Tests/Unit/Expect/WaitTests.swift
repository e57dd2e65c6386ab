// wait, terminate, close, isAlive: exit statuses, draining, EIO as end of file, no deadlocks.
import Expect
import XCTest

final class WaitTests: XCTestCase {
    func testExitCodesAndSignalsAreTyped() throws {
        XCTAssertEqual(try spawn(["sh", "-c", "exit 7"]).wait(), .exited(7))
        XCTAssertEqual(try spawn(["sh", "-c", "exit 255"]).wait(), .exited(255))
        XCTAssertEqual(try spawn(["sh", "-c", "kill -TERM $$"]).wait(), .signaled(SIGTERM))
        XCTAssertEqual(try spawn(["sh", "-c", "kill -KILL $$"]).wait(), .signaled(SIGKILL))
        XCTAssertEqual(ExitStatus.signaled(SIGKILL).description, "killed by signal 9 (SIGKILL)")
        XCTAssertEqual(ExitStatus.signaled(SIGINT).shellCode, 130)
        XCTAssertEqual(ExitStatus.exited(3).description, "exited with status 3")
    }

    func testWaitDrainsAChildBlockedOnAFullTerminal() throws {
        // 1 MiB is far beyond the pty buffer: without draining, the child never exits (rkt#3443).
        let session = try spawn(["sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' x; printf END"])
        XCTAssertEqual(try session.wait(timeout: .seconds(30)), .exited(0))
        let rest = try session.expect(.eof).before
        XCTAssertEqual(rest.count, 1_048_576 + 3)
        XCTAssertEqual(Array(rest.suffix(3)), Array("END".utf8), "the last bytes must not be lost")
    }

    func testLastBytesWithoutNewlineSurviveExit() throws {
        for _ in 0..<50 {
            let session = try spawn(["printf", "tail-without-newline"])
            XCTAssertEqual(try session.wait(), .exited(0))
            XCTAssertEqual(try session.expect(.eof).beforeText, "tail-without-newline")
        }
    }

    func testEIOAfterExitIsEndOfFileNotAnError() throws {
        let session = try spawn(["true"])
        XCTAssertEqual(try session.expect(.eof).outcome, .endOfFile)
        XCTAssertTrue(session.isAtEOF)
        XCTAssertEqual(try session.expect(.eof).outcome, .endOfFile, "EOF stays EOF")
        XCTAssertNil(try session.readLine())
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testWaitReturnsWhenADescendantKeepsTheTerminalOpen() throws {
        // The sleep ignores SIGHUP, or the kernel would end it with its session leader.
        let session = try spawn(["sh", "-c", "trap '' HUP; sleep 30 & echo bg:$!; echo done"])
        let line = try XCTUnwrap(try session.readLine())
        let background = try XCTUnwrap(Int32(line.dropFirst(3)))
        defer { kill(background, SIGKILL) }  // a process this test started, by PID
        XCTAssertEqual(try session.wait(timeout: .seconds(10)), .exited(0))
        XCTAssertEqual(try session.readLine(), "done")
        XCTAssertTrue(ProcessProbe.exists(background))
        XCTAssertFalse(session.isAtEOF, "the background sleep still holds the terminal")
    }

    func testWaitWithATimeoutThrowsWhileTheChildRuns() throws {
        let session = try spawn(["sleep", "30"])
        XCTAssertThrowsError(try session.wait(timeout: .milliseconds(200))) { error in
            XCTAssertEqual("\(error)".components(separatedBy: ";").first, "timed out after 200ms waiting for \"sleep\" to exit")
        }
        XCTAssertTrue(session.isAlive)
        XCTAssertEqual(session.terminate(), .signaled(SIGHUP))
        XCTAssertFalse(session.isAlive)
    }

    func testTerminateEscalatesToSIGKILLAfterTheGrace() throws {
        let session = try spawn(["sh", "-c", "trap '' HUP TERM; echo armed; while :; do sleep 0.05; done"])
        try session.expect("armed\r\n")
        let start = ContinuousClock.now
        XCTAssertEqual(session.terminate(grace: .milliseconds(300)), .signaled(SIGKILL))
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(300))
    }

    func testTerminateLetsAChildThatHandlesTERMExitCleanly() throws {
        let session = try spawn(["sh", "-c", "trap '' HUP; trap 'echo bye; exit 0' TERM; echo armed; while :; do sleep 0.05; done"])
        try session.expect("armed\r\n")
        XCTAssertEqual(session.terminate(grace: .seconds(10)), .exited(0))
        XCTAssertEqual(try session.expect("bye").outcome, .matched)
    }

    func testIsAliveReapsButKeepsOutputReadable() throws {
        let session = try spawn(["sh", "-c", "echo out; exit 3"])
        let start = ContinuousClock.now
        while session.isAlive && ContinuousClock.now - start < .seconds(10) {
            usleep(1000)  // the test waits without reading, so the output stays unread
        }
        XCTAssertFalse(session.isAlive)
        XCTAssertEqual(session.exitStatus, .exited(3))
        XCTAssertEqual(try session.readLine(), "out")
        XCTAssertEqual(try session.wait(), .exited(3))
    }

    func testCloseKillsReapsAndIsIdempotent() throws {
        let session = try spawn(["sleep", "30"])
        let pid = session.pid
        XCTAssertEqual(session.close(), .signaled(SIGKILL))
        XCTAssertEqual(session.close(), .signaled(SIGKILL))
        XCTAssertFalse(ProcessProbe.exists(pid), "killed and reaped, not a zombie")
    }

    func testDroppingASessionKillsAndReapsTheChild() throws {
        var pid: Int32 = 0
        do {
            let session = try spawn(["sleep", "30"])
            pid = session.pid
            XCTAssertTrue(ProcessProbe.exists(pid))
        }
        XCTAssertFalse(ProcessProbe.exists(pid))
    }
}
