// interact: hand the session to a person at a terminal.
#if canImport(Glibc)
import Glibc
#endif
import CShim

extension ExpectSession {
    /// Why `interact` returned.
    public enum InteractEnd: Sendable, Equatable {
        /// The person typed the escape character; the session can be driven again.
        case escape
        /// The child's output ended.
        case endOfFile
    }

    /// Connects a person's terminal to the child until they type `escape` or the output ends.
    ///
    /// Output already received but not consumed is shown first. When `input` is a terminal it is
    /// put in raw mode (every key goes to the child, which does its own echo and line editing) and
    /// restored afterwards, and its window size is copied to the child now and on every SIGWINCH.
    /// - Parameters:
    ///   - input: where keys come from (default standard input).
    ///   - output: where the child's output goes (default standard output).
    ///   - escape: the byte that hands control back (default ^], 0x1d); nil for none.
    public func interact(
        input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, escape: UInt8? = 0x1d
    ) throws(ExpectError) -> InteractEnd {
        let isTerminal = isatty(input) == 1
        var saved = termios()
        if isTerminal && tcgetattr(input, &saved) == 0 {
            var raw = saved
            cfmakeraw(&raw)
            _ = tcsetattr(input, TCSAFLUSH, &raw)
        }
        defer { if isTerminal { _ = tcsetattr(input, TCSAFLUSH, &saved) } }
        // Shown only now: in raw mode the terminal passes the child's CR LF through unchanged.
        if buffer.count > 0 {
            writeFully(output, buffer.window)
            buffer.consume(upTo: buffer.end)
        }
        if reachedEOF { return .endOfFile }

        var winch: [Int32] = [-1, -1]
        if isTerminal && sk_pipe2(&winch, 1) == 0 {
            _ = sk_winch_relay_install(winch[1])
            copyWindowSize(from: input)
        }
        defer {
            if winch[0] >= 0 {
                sk_winch_relay_remove()
                Glibc.close(winch[0])
                Glibc.close(winch[1])
            }
        }
        return try relay(input: input, output: output, escape: escape, winch: winch[0])
    }

    private func relay(input: Int32, output: Int32, escape: UInt8?, winch: Int32) throws(ExpectError) -> InteractEnd {
        var inputOpen = true
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            var fds = [
                pollfd(fd: master, events: Int16(POLLIN), revents: 0),
                pollfd(fd: inputOpen ? input : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: winch, events: Int16(POLLIN), revents: 0),
            ]
            if poll(&fds, 3, -1) < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "poll in interact", errno: errno)
            }
            if fds[0].revents != 0 {
                if try readChunk() == .endOfFile { return .endOfFile }
                writeFully(output, buffer.window)
                buffer.consume(upTo: buffer.end)
            }
            if fds[1].revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if n <= 0 {
                    inputOpen = false  // the person's side closed: keep showing output until EOF
                    continue
                }
                let keys = chunk[0..<n]
                if let escape, let at = keys.firstIndex(of: escape) {
                    try send(bytes: Array(keys[..<at]))
                    return .escape
                }
                try send(bytes: Array(keys))
            }
            if fds[2].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                _ = drain.withUnsafeMutableBytes { read(winch, $0.baseAddress, $0.count) }
                copyWindowSize(from: input)
            }
        }
    }

    private func copyWindowSize(from terminal: Int32) {
        var rows: UInt16 = 0
        var columns: UInt16 = 0
        if sk_get_winsize(terminal, &rows, &columns) == 0 && rows > 0 && columns > 0 {
            _ = sk_set_winsize(master, rows, columns)
        }
    }
}
