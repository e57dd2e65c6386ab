// wait, terminate, isAlive: ending a session without losing output or leaving zombies.
#if canImport(Glibc)
import Glibc
#endif

extension ExpectSession {
    /// Waits for the child to exit and returns how it ended.
    ///
    /// The output is drained into the buffer while waiting, so a child blocked writing to a full
    /// terminal still gets to exit, and its last bytes stay readable (`pendingOutput`,
    /// `expect(.eof)`). The wait ends when the child has exited and its output is read, even if a
    /// process it left behind keeps the terminal open.
    /// - Parameter timeout: how long to wait; nil (the default) waits as long as it takes.
    /// - Throws: `ExpectError.timeout` if the child is still running at the deadline.
    @discardableResult
    public func wait(timeout: Duration? = nil) throws(ExpectError) -> ExitStatus {
        if let reapedStatus { return reapedStatus }
        let deadline = Deadline.after(timeout)
        while true {
            if let status = try reapIfExited() {
                try drainAvailable()
                return status
            }
            if reachedEOF || closed {
                // The terminal is closed: the child has exited or is about to, so waiting for it
                // costs at most its exit path (and the deadline still applies where pidfd works).
                if pidfd < 0 || timeout == nil { return reapBlocking() }
                if try waitForExit(until: deadline) { continue }
                throw .timeout(expecting: "\(quoted(argv[0])) to exit", after: timeout ?? .zero, tail: tail())
            }
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
            if pidfd >= 0 { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), deadline.pollTimeout)
            if ready < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "poll terminal of \(quoted(argv[0]))", errno: errno)
            }
            if ready == 0 && deadline.hasPassed {
                throw .timeout(expecting: "\(quoted(argv[0])) to exit", after: timeout ?? .zero, tail: tail())
            }
            if fds[0].revents != 0 { _ = try readChunk() }
        }
    }

    /// Whether the child is still running. Reaps it (keeping its status) if it has exited; its
    /// output stays readable.
    public var isAlive: Bool {
        guard reapedStatus == nil else { return false }
        return (try? reapIfExited()) == nil
    }

    /// The exit status, once the child has been reaped by `wait`, `terminate`, `close` or
    /// `isAlive`; nil before.
    public var exitStatus: ExitStatus? { reapedStatus }

    /// Ends the child politely, then firmly: SIGHUP and SIGTERM (with SIGCONT, so a stopped child
    /// can act on them), then SIGKILL if it is still running after `grace`. Output is drained
    /// meanwhile. Returns how it ended (which may be a normal exit if it handled the signals).
    @discardableResult
    public func terminate(grace: Duration = .seconds(1)) -> ExitStatus {
        if let reapedStatus { return reapedStatus }
        for sig in [SIGHUP, SIGCONT, SIGTERM] { kill(pid, sig) }
        if let status = try? wait(timeout: grace) { return status }
        kill(pid, SIGKILL)
        return (try? wait(timeout: nil)) ?? reapBlocking()
    }

    // MARK: Reaping

    /// waitpid(WNOHANG): the status if the child has exited (and is now reaped), else nil.
    func reapIfExited() throws(ExpectError) -> ExitStatus? {
        if let reapedStatus { return reapedStatus }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        if rc == pid { return recordExit(ExitStatus(waitStatus: status)) }
        if rc < 0 && errno != EINTR { throw .io(operation: "waitpid(\(pid))", errno: errno) }
        return nil
    }

    /// waitpid without WNOHANG. Used once the child is known to be ending (or was SIGKILLed).
    func reapBlocking() -> ExitStatus {
        if let reapedStatus { return reapedStatus }
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, 0)
            if rc == pid { return recordExit(ExitStatus(waitStatus: status)) }
            if rc < 0 && errno == EINTR { continue }
            // ECHILD: someone else reaped it (a SIGCHLD handler set to SIG_IGN does this).
            return recordExit(.signaled(SIGKILL))
        }
    }

    private func recordExit(_ status: ExitStatus) -> ExitStatus {
        reapedStatus = status
        if pidfd >= 0 {
            Glibc.close(pidfd)
            pidfd = -1
        }
        return status
    }

    /// Polls the pidfd until the child exits or the deadline passes; true once it exited.
    private func waitForExit(until deadline: Deadline) throws(ExpectError) -> Bool {
        var pfd = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, deadline.pollTimeout)
        if ready < 0 && errno != EINTR { throw .io(operation: "poll pidfd of \(pid)", errno: errno) }
        return ready > 0
    }

    /// After the exit: read what the terminal still holds, without waiting for descendants that
    /// may keep it open.
    private func drainAvailable() throws(ExpectError) {
        while !reachedEOF && !closed {
            guard try readChunk() != nil else {
                // Empty now; but the kernel may still be moving the child's last write into the
                // master's queue. A zero-timeout poll settles it without sleeping.
                var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                if poll(&pfd, 1, 0) > 0 { continue }
                return
            }
        }
    }
}
