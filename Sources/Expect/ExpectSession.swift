// A program running on a pseudo-terminal, driven by expect/send: the heart of the Expect library.
#if canImport(Glibc)
import Glibc
#endif
import CShim

/// A child process on a new pseudo-terminal, with the calls to drive it: `expect` output, `send`
/// input, `wait` for its exit status. All work happens on the calling thread in a poll loop with
/// deadlines: no helper threads and no sleeps. A session is not thread-safe; use it from one
/// thread at a time. Dropping the last reference kills (SIGKILL) and reaps a child still running,
/// and closes the terminal, so sessions leak neither zombies nor descriptors.
public final class ExpectSession {
    /// The child's process ID.
    public let pid: pid_t
    /// The command that was started.
    public let argv: [String]
    /// The default timeout of `expect`, `readLine`, `readUntil` and `send`; nil waits forever.
    public var timeout: Duration?

    let master: Int32
    /// Polls readable when the child exits (pidfd_open); -1 on kernels without it.
    var pidfd: Int32
    let buffer = ByteBuffer()
    let finder = MatchFinder()
    var stripper: ANSIStripper?
    var transcriptWriter: TranscriptWriter?
    /// The terminal reported end of file (EIO or 0 from the master).
    var reachedEOF = false
    /// Set once the child has been reaped.
    var reapedStatus: ExitStatus?
    var closed = false
    /// Bytes the last read returned: a full read suggests more is waiting, so read before polling.
    private var lastReadSize = 0
    /// The last bytes received, for error messages and test failure reports.
    var recent = RecentBytes(limit: 4096)

    /// Starts `argv` (a program and its arguments; the program is looked up in the child's PATH)
    /// on a new terminal.
    /// - Throws: `ExpectError.spawnFailed` naming the program, the failed step and errno when it
    ///   cannot be started (not found, not executable, bad working directory, ...).
    public init(_ argv: [String], options: SpawnOptions = SpawnOptions()) throws(ExpectError) {
        let child = try PTYSpawn.start(argv, options: options)
        self.pid = child.pid
        self.master = child.master
        self.argv = argv
        self.timeout = options.timeout
        self.pidfd = sk_pidfd_open(child.pid)
        if pidfd >= 0 { _ = fcntl(pidfd, F_SETFD, FD_CLOEXEC) }
        // Non-blocking so a read after a full read costs no poll, and a write to a child that
        // stopped reading can wait in poll while the output keeps draining.
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        if options.stripANSI { stripper = ANSIStripper() }
        if let transcript = options.transcript { transcriptWriter = TranscriptWriter(transcript) }
    }

    deinit {
        if reapedStatus == nil {
            kill(pid, SIGKILL)
            _ = reapBlocking()
        }
        releaseDescriptors()
    }

    /// Kills the child if it still runs (SIGKILL), reaps it and closes the terminal. Idempotent.
    /// - Returns: how the child ended.
    @discardableResult
    public func close() -> ExitStatus {
        if reapedStatus == nil {
            kill(pid, SIGKILL)
        }
        let status = reapBlocking()
        releaseDescriptors()
        return status
    }

    /// The output received but not yet consumed by `expect`, `readLine` or `readUntil`.
    public var pendingOutput: [UInt8] { buffer.bytes(from: buffer.base, to: buffer.end) }

    /// The last few KiB received, as text: what a failure message should show.
    public var recentOutput: String { recent.text }

    /// Whether the terminal has reported end of file.
    public var isAtEOF: Bool { reachedEOF }

    private func releaseDescriptors() {
        guard !closed else { return }
        closed = true
        transcriptWriter?.finish()
        Glibc.close(master)
        if pidfd >= 0 { Glibc.close(pidfd) }
        pidfd = -1
    }

    // MARK: Reading

    /// The result of one attempt to get more output.
    enum Fill { case data, endOfFile, timedOut }

    /// Reads one more chunk into the buffer, waiting until `deadline`.
    func fill(until deadline: Deadline) throws(ExpectError) -> Fill {
        if reachedEOF { return .endOfFile }
        if closed { throw .io(operation: "read from terminal of \(quoted(argv[0]))", errno: EBADF) }
        if lastReadSize >= 2048, let result = try readChunk() { return result }
        while true {
            var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, deadline.pollTimeout)
            if ready < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "poll terminal of \(quoted(argv[0]))", errno: errno)
            }
            if ready == 0 {
                if deadline.hasPassed { return .timedOut }
                continue
            }
            if let result = try readChunk() { return result }
        }
    }

    /// One read(2) from the master. Returns nil (or .timedOut) when nothing was available.
    func readChunk() throws(ExpectError) -> Fill? {
        let space = buffer.writableSpace(minimum: 65536)
        let n = read(master, space.baseAddress, 65536)
        if n > 0 {
            lastReadSize = n
            received(UnsafeRawBufferPointer(start: space.baseAddress, count: n), into: space)
            return .data
        }
        lastReadSize = 0
        if n == 0 || errno == EIO {  // Linux reports EIO once every holder of the slave is gone
            reachedEOF = true
            return .endOfFile
        }
        if errno == EAGAIN || errno == EINTR { return nil }
        throw .io(operation: "read from terminal of \(quoted(argv[0]))", errno: errno)
    }

    /// Bytes just read into the buffer's free space: log them, strip escapes, commit.
    private func received(_ chunk: UnsafeRawBufferPointer, into space: UnsafeMutableRawBufferPointer) {
        transcriptWriter?.record(.output, chunk)
        if stripper == nil {
            recent.append(chunk)
            buffer.commit(chunk.count)
            return
        }
        var kept: [UInt8] = []
        kept.reserveCapacity(chunk.count)
        stripper?.filter(chunk, into: &kept)
        // The filtered bytes are never longer than the chunk, so they fit where it was read.
        kept.withUnsafeBytes { filtered in
            if let source = filtered.baseAddress, let target = space.baseAddress {
                target.copyMemory(from: source, byteCount: filtered.count)
            }
            recent.append(filtered)
        }
        buffer.commit(kept.count)
    }
}

/// A small ring of the most recent bytes.
struct RecentBytes {
    let limit: Int
    private var bytes: [UInt8] = []

    init(limit: Int) { self.limit = limit }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        if chunk.count >= limit {
            bytes = Array(chunk.suffix(limit))
            return
        }
        bytes.append(contentsOf: chunk)
        if bytes.count > 2 * limit { bytes.removeFirst(bytes.count - limit) }
    }

    /// The last `limit` bytes as text.
    var text: String { String(decoding: bytes.suffix(limit), as: UTF8.self) }
}
