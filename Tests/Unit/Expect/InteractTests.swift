// interact(), driven by a "person" on a second pseudo-terminal.
import Expect
import Foundation
import XCTest

/// The person's side of a terminal: writes keys, reads what the screen would show.
private final class Person {
    let fd: Int32
    var screen: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    func type(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Reads until `text` is on the screen; returns what came before it, and drops both.
    func read(until text: String, timeout: TimeInterval = 10) throws -> String {
        let wanted = Array(text.utf8)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let range = screen.firstRange(of: wanted) {
                let before = String(decoding: screen[..<range.lowerBound], as: UTF8.self)
                screen.removeSubrange(..<range.upperBound)
                return before
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else {
                throw ExpectTestError("screen never showed \(text.debugDescription): \(String(decoding: screen, as: UTF8.self).debugDescription)")
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(left * 1000) + 1) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 { screen += chunk[0..<n] }
        }
    }
}

private struct ExpectTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Moves a session to the interacting thread; the test thread does not touch it meanwhile.
private final class Handoff: @unchecked Sendable {
    let session: ExpectSession
    var end: ExpectSession.InteractEnd?
    var error: (any Error)?
    init(_ session: ExpectSession) { self.session = session }
}

final class InteractTests: XCTestCase {
    func testInteractRelaysKeysOutputAndWindowSizeUntilTheEscapeCharacter() throws {
        var personFD: Int32 = -1
        var userTTY: Int32 = -1
        var size = winsize(ws_row: 30, ws_col: 90, ws_xpixel: 0, ws_ypixel: 0)
        XCTAssertEqual(openpty(&personFD, &userTTY, nil, nil, &size), 0)
        defer {
            close(personFD)
            close(userTTY)
        }
        var before = termios()
        tcgetattr(userTTY, &before)

        let script = #"echo hello; while read -r line; do if [ "$line" = size ]; then stty size; else echo "got:$line"; fi; done"#
        let handoff = Handoff(try spawn(["sh", "-c", script]))
        let tty = userTTY
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            do {
                handoff.end = try handoff.session.interact(input: tty, output: tty)
            } catch {
                handoff.error = error
            }
            finished.signal()
        }
        thread.start()

        let person = Person(fd: personFD)
        XCTAssertEqual(try person.read(until: "hello\r\n"), "")
        person.type("size\r")  // Enter sends CR; the child's terminal maps it to NL
        XCTAssertEqual(try person.read(until: "\r\n"), "30 90", "the size was copied, and raw mode did not echo")
        person.type("key\r")
        XCTAssertEqual(try person.read(until: "\r\n"), "got:key")

        // The person resizes their window: the kernel would signal their foreground job; here
        // that is this test process, so it raises SIGWINCH itself.
        size = winsize(ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
        XCTAssertEqual(ioctl(personFD, UInt(TIOCSWINSZ), &size), 0)
        kill(getpid(), SIGWINCH)
        let deadline = Date().addingTimeInterval(10)
        while (try? handoff.session.windowSize()) != WindowSize(rows: 40, columns: 120) && Date() < deadline {
            usleep(2000)
        }
        person.type("size\r")
        XCTAssertEqual(try person.read(until: "\r\n"), "40 120")

        person.type("\u{1d}")
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success)
        XCTAssertNil(handoff.error)
        XCTAssertEqual(handoff.end, .escape)

        var after = termios()
        tcgetattr(userTTY, &after)
        XCTAssertEqual(after.c_lflag, before.c_lflag, "the person's terminal mode is restored")
        XCTAssertEqual(after.c_oflag, before.c_oflag)

        // The session is driveable again after the escape.
        try handoff.session.sendLine("after")
        XCTAssertEqual(try handoff.session.readLine(), "got:after")
        try handoff.session.sendEOF()
        XCTAssertEqual(try handoff.session.wait(), .exited(0))
    }

    func testInteractEndsAtEndOfOutputAndShowsBufferedOutputFirst() throws {
        var personFD: Int32 = -1
        var userTTY: Int32 = -1
        XCTAssertEqual(openpty(&personFD, &userTTY, nil, nil, nil), 0)
        defer {
            close(personFD)
            close(userTTY)
        }
        let session = try spawn(["sh", "-c", "echo first; read x; echo \"last:$x\""])
        try session.expect(.timeout, timeout: .milliseconds(200))  // "first" is now in the buffer
        let handoff = Handoff(session)
        let tty = userTTY
        let finished = DispatchSemaphore(value: 0)
        Thread {
            handoff.end = try? handoff.session.interact(input: tty, output: tty)
            finished.signal()
        }.start()
        let person = Person(fd: personFD)
        XCTAssertEqual(try person.read(until: "first\r\n"), "")
        person.type("bye\r")
        XCTAssertEqual(try person.read(until: "last:bye\r\n"), "")
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(handoff.end, .endOfFile)
        XCTAssertEqual(try session.wait(), .exited(0))
    }
}
