// Running curl for one request: the header dump arrives on its own pipe and is read to its
// blank line before any body byte is taken from stdout, so the status decides where the body
// goes (sink, or nowhere) whatever order the pipes become readable in.
#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SkiffSystem

/// The result of one curl run.
struct CurlOutcome {
    /// The final (non-1xx) response head, if one arrived.
    var head: HTTPResponse?
    /// curl's exit status (meaningless when `stoppedEarly`).
    var exitCode: Int32
    /// curl's own error message without the `curl: (N) ` prefix, if it printed one.
    var curlError: String?
    /// Body bytes handed to the body callback.
    var bodyBytes: Int64
    /// True when the body was not wanted and curl was stopped after the head.
    var stoppedEarly: Bool
}

enum CurlTransfer {
    /// The largest header block accepted.
    static let headLimit = 256 << 10

    /// Runs curl for `url` and calls `onHead` with the final response head; if it returns true
    /// the body is passed to `onBody` as it arrives, otherwise curl is stopped at once.
    /// `makeCommand` gets the descriptor number to dump headers to.
    static func run(
        url: URL, makeCommand: (Int32) throws -> CurlCommand, onHead: (HTTPResponse) throws -> Bool,
        onBody: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> CurlOutcome {
        let headPipe = try Pipe()
        let outPipe = try Pipe()
        let errPipe = try Pipe()
        let command = try makeCommand(headPipe.write.raw)
        var stdinPipe: Pipe?
        if let config = command.config {
            // Written before the spawn: a few hundred bytes always fit in the pipe buffer.
            let pipe = try Pipe()
            try pipe.write.write(Array(config.utf8))
            pipe.write.close()
            stdinPipe = pipe
        }
        let child: Subprocess
        do {
            child = try Subprocess.spawn(
                command.arguments, stdin: stdinPipe?.read.raw, stdout: outPipe.write.raw, stderr: errPipe.write.raw,
                inheriting: [headPipe.write.raw])
        } catch let error as SkiffError {
            throw SkiffError(.system, "fetch \(redacted(url)): run \"curl\" (is the curl package installed?)", errno: error.errno)
        }
        stdinPipe?.read.close()
        headPipe.write.close()
        outPipe.write.close()
        errPipe.write.close()

        var headBytes: [UInt8] = []
        var errBytes: [UInt8] = []
        var head: HTTPResponse?
        var headDone = false  // the final head is parsed, or the head pipe ended without one
        var wantBody = false
        var bodyBytes: Int64 = 0
        var chunk = [UInt8](repeating: 0, count: 256 << 10)

        func stop() {
            kill(child.pid, SIGTERM)
            _ = try? child.wait()
        }

        do {
            while headPipe.read.raw >= 0 || outPipe.read.raw >= 0 || errPipe.read.raw >= 0 {
                // stdout is left unread until the head is known; curl writes the head first, so
                // it cannot be stuck on a full stdout pipe before the head is complete.
                var fds = [
                    pollfd(fd: headPipe.read.raw, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: headDone ? outPipe.read.raw : -1, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: errPipe.read.raw, events: Int16(POLLIN), revents: 0),
                ]
                if retryingEINTR({ poll(&fds, 3, -1) }) < 0 { throw SkiffError.system("poll curl") }
                for index in 0..<3 where fds[index].revents != 0 {
                    let pipe = [headPipe, outPipe, errPipe][index].read
                    let n = chunk.withUnsafeMutableBytes { Glibc.read(pipe.raw, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 {
                        pipe.close()
                        if index == 0 && !headDone { headDone = true }  // no (complete) head: an error
                        continue
                    }
                    switch index {
                    case 0:
                        if headDone { continue }  // trailers, or the tail of an unwanted response
                        headBytes += chunk[0..<n]
                        if headBytes.count > headLimit {
                            throw SkiffError(.invalid, "fetch \(redacted(url)): response headers larger than \(headLimit) bytes")
                        }
                        while let block = takeBlock(&headBytes) {
                            guard let parsed = HTTPResponse.parseHead(block, url: url) else {
                                throw SkiffError(.invalid, "fetch \(redacted(url)): malformed response head")
                            }
                            if (100..<200).contains(parsed.status) { continue }  // 100 Continue, 103 Early Hints
                            head = parsed
                            headDone = true
                            wantBody = try onHead(parsed)
                            if !wantBody {
                                stop()
                                return CurlOutcome(
                                    head: head, exitCode: -1, curlError: nil, bodyBytes: 0, stoppedEarly: true)
                            }
                            break
                        }
                    case 1:
                        guard wantBody else { continue }  // body of a response without a usable head
                        try chunk.withUnsafeBytes { try onBody(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                        bodyBytes += Int64(n)
                    default:
                        if errBytes.count < 64 << 10 { errBytes += chunk[0..<n] }
                    }
                }
            }
        } catch {
            stop()
            throw error
        }
        let status = try child.wait()
        return CurlOutcome(
            head: head, exitCode: status, curlError: curlMessage(errBytes), bodyBytes: bodyBytes, stoppedEarly: false)
    }

    /// Removes and returns the first complete header block (up to its blank line), if any.
    private static func takeBlock(_ bytes: inout [UInt8]) -> String? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0a {
                // A blank line: "\n\n" or "\n\r\n".
                var next = index + 1
                if bytes[next] == 0x0d { next += 1 }
                if next < bytes.count && bytes[next] == 0x0a {
                    let block = String(decoding: bytes[0..<index], as: UTF8.self)
                    bytes.removeFirst(next + 1)
                    return block
                }
            }
            index += 1
        }
        return nil
    }

    /// The gist of curl's stderr: the text of its first `curl: (N) message` line.
    static func curlMessage(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline) {
            guard line.hasPrefix("curl: ") else { continue }
            var message = line.dropFirst(6)
            if message.hasPrefix("("), let close = message.firstIndex(of: ")") {
                message = message[message.index(after: close)...]
            }
            return message.trimmed()
        }
        let lines = text.split(whereSeparator: \.isNewline)
        return lines.first.map { $0.trimmed() }
    }
}
