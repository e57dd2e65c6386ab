// send and friends: input, control characters, signals, window size and echo.
#if canImport(Glibc)
import Glibc
#endif
import CShim

extension ExpectSession {
    /// Writes `text` to the child's terminal as is.
    /// While the child's input queue is full, its output keeps being read into the buffer, so a
    /// child blocked writing to us cannot deadlock the send.
    /// - Throws: `ExpectError.timeout` when the child does not take the input before the session
    ///   timeout; `.io` when the terminal is gone.
    public func send(_ text: String) throws(ExpectError) {
        try send(bytes: Array(text.utf8))
    }

    /// Writes `text` followed by `\n`: the Enter key on a terminal with the usual settings
    /// (gexpect's SendLine sent `\r\n`, which a terminal turns into two line ends).
    public func sendLine(_ text: String = "") throws(ExpectError) {
        try send(bytes: Array(text.utf8) + [UInt8(ascii: "\n")])
    }

    /// Writes raw bytes.
    public func send(bytes: [UInt8]) throws(ExpectError) {
        guard !bytes.isEmpty else { return }
        let deadline = Deadline.after(timeout)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { all in
                let chunk = UnsafeRawBufferPointer(rebasing: all[offset...])
                let written = write(master, chunk.baseAddress, chunk.count)
                if written > 0 {
                    transcriptWriter?.record(.input, UnsafeRawBufferPointer(rebasing: chunk[..<written]))
                }
                return written
            }
            if n > 0 {
                offset += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            guard n < 0 && errno == EAGAIN else {
                throw .io(operation: "write to terminal of \(quoted(argv[0]))", errno: n < 0 ? errno : EIO)
            }
            try waitWritable(until: deadline, sent: offset, of: bytes.count)
        }
    }

    /// Polls until the master takes input, reading output meanwhile.
    private func waitWritable(until deadline: Deadline, sent: Int, of total: Int) throws(ExpectError) {
        var pfd = pollfd(fd: master, events: Int16(POLLOUT | POLLIN), revents: 0)
        let ready = poll(&pfd, 1, deadline.pollTimeout)
        if ready < 0 && errno != EINTR {
            throw .io(operation: "poll terminal of \(quoted(argv[0]))", errno: errno)
        }
        if ready == 0 && deadline.hasPassed {
            throw .timeout(
                expecting: "the child to read input (\(sent) of \(total) bytes sent)",
                after: timeout ?? .zero, tail: tail())
        }
        if pfd.revents & Int16(POLLIN) != 0 { _ = try readChunk() }
    }

    /// Sends the control character for `key` (`"c"` → ^C, 0x03; `"["` → ESC; `"?"` → DEL).
    /// - Throws: `ExpectError.invalidArgument` for a key with no control character.
    public func sendControl(_ key: Character) throws(ExpectError) {
        guard let ascii = key.asciiValue else {
            throw .invalidArgument("sendControl: no control character for \(quoted(String(key)))")
        }
        let upper = ascii >= 0x61 && ascii <= 0x7a ? ascii - 0x20 : ascii
        switch upper {
        case 0x3f: try send(bytes: [0x7f])
        case 0x40...0x5f: try send(bytes: [upper & 0x1f])
        default: throw .invalidArgument("sendControl: no control character for \(quoted(String(key)))")
        }
    }

    /// Sends the terminal's end-of-file character (VEOF, usually ^D). Like a user pressing ^D, it
    /// ends input only for a child reading in canonical (line) mode, at the start of a line.
    public func sendEOF() throws(ExpectError) {
        try send(bytes: [try controlCharacter(Int(VEOF))])
    }

    /// Sends the terminal's interrupt character (VINTR, usually ^C); the line discipline turns it
    /// into SIGINT for the foreground process group when ISIG is on.
    public func sendInterrupt() throws(ExpectError) {
        try send(bytes: [try controlCharacter(Int(VINTR))])
    }

    /// Sends `signal` to the child process (not its group). Does nothing once it was reaped.
    public func signal(_ signal: Int32) throws(ExpectError) {
        guard reapedStatus == nil else { return }
        if kill(pid, signal) < 0 && errno != ESRCH {
            throw .io(operation: "kill(\(pid), \(signalName(signal)))", errno: errno)
        }
    }

    /// Resizes the terminal; the kernel sends SIGWINCH to the child's foreground process group.
    public func setWindowSize(_ size: WindowSize) throws(ExpectError) {
        if sk_set_winsize(master, size.rows, size.columns) < 0 {
            throw .io(operation: "set window size \(size) of terminal of \(quoted(argv[0]))", errno: errno)
        }
    }

    /// The terminal's current size.
    public func windowSize() throws(ExpectError) -> WindowSize {
        var rows: UInt16 = 0
        var columns: UInt16 = 0
        if sk_get_winsize(master, &rows, &columns) < 0 {
            throw .io(operation: "get window size of terminal of \(quoted(argv[0]))", errno: errno)
        }
        return WindowSize(rows: rows, columns: columns)
    }

    /// Turns the terminal's echo on or off (the child may change it too, as shells do).
    public func setEcho(_ on: Bool) throws(ExpectError) {
        var attributes = try terminalAttributes()
        if on { attributes.c_lflag |= tcflag_t(ECHO) } else { attributes.c_lflag &= ~tcflag_t(ECHO | ECHONL) }
        if tcsetattr(master, TCSANOW, &attributes) < 0 {
            throw .io(operation: "tcsetattr on terminal of \(quoted(argv[0]))", errno: errno)
        }
    }

    /// Whether the terminal echoes input now.
    public func isEchoOn() throws(ExpectError) -> Bool {
        try terminalAttributes().c_lflag & tcflag_t(ECHO) != 0
    }

    private func terminalAttributes() throws(ExpectError) -> termios {
        var attributes = termios()
        if tcgetattr(master, &attributes) < 0 {
            throw .io(operation: "tcgetattr on terminal of \(quoted(argv[0]))", errno: errno)
        }
        return attributes
    }

    private func controlCharacter(_ index: Int) throws(ExpectError) -> UInt8 {
        var attributes = try terminalAttributes()
        return withUnsafeBytes(of: &attributes.c_cc) { $0[index] }
    }
}
