// Waiting for a pod to exit: sleeping on its stage1's pidfd, not spinning on its lock.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// Waits until the pod has exited, or until `timeout` seconds have passed (nil: no limit).
/// Returns true if it exited in time. "Exited" means finished: the pod reached run/ (or
/// exited-garbage/ or garbage/, or was removed) and nobody holds its lock. A pod still being
/// created or prepared, or prepared and waiting, is waited for through its run.
///
/// How it waits (no busy polling, no threads, no signals): the lock holder's PID is read from
/// /proc/locks (stage0 takes the lock and execs the stage1 in the same process, so it is the
/// stage1), and the wait sleeps in poll(2) on that process's pidfd, which becomes readable when
/// it exits; the lock is then probed again. The sleep is capped at one second, because the PID is
/// only a hint (a holder may have handed its descriptor to a child and exited, or closed it while
/// a child keeps it). Without a holder PID (an unlocked pod that has not run yet, /proc/locks
/// unreadable, pidfd_open missing before Linux 5.3) it polls the lock every 100 ms, as rkt did.
public func waitForExit(_ record: PodRecord, timeout: Double?) throws -> Bool {
    let deadline = timeout.map { PodClock.monotonic() + max(0, $0) }
    return try withPodError("wait for", record.uuid) {
        var current = record
        while true {
            let directory: FileDescriptor
            do {
                directory = try PodLock.openDirectory(current.path)
            } catch let error as SkiffError where error.errno == ENOENT {
                guard let moved = current.store.locate(current.uuid) else { return true }  // removed: exited long ago
                current = moved
                continue
            }
            let free = try PodLock.lock(directory, exclusive: false, wait: false)
            let finished = current.state == .run || current.state == .exitedGarbage || current.state == .garbage
            if free && finished { return true }
            let holder = free ? nil : PodLock.exclusiveHolder(of: directory)
            directory.close()  // releases the probe: holding it would stall gc and stage0
            var slice = holder == nil ? 0.1 : 1.0
            if let deadline {
                let remaining = deadline - PodClock.monotonic()
                if remaining <= 0 { return false }
                slice = min(slice, remaining)
            }
            PodClock.sleep(slice, untilExitOf: holder)
            if !finished, let moved = current.store.locate(current.uuid) { current = moved }
        }
    }
}

/// Time for waits: the monotonic clock (immune to clock changes) and sleeping on a process.
enum PodClock {
    /// CLOCK_MONOTONIC in seconds.
    static func monotonic() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Sleeps `seconds`, or less if `pid` is given and exits meanwhile (poll on its pidfd). When
    /// no pidfd can be had (pidfd_open missing, or the PID was stale) it sleeps at most 100 ms.
    static func sleep(_ seconds: Double, untilExitOf pid: pid_t?) {
        var fds: [pollfd] = []
        if let pid {
            let pidfd = sk_pidfd_open(pid)  // close-on-exec by definition
            if pidfd >= 0 { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
        }
        defer { fds.forEach { close($0.fd) } }
        let limit = fds.isEmpty ? min(seconds, 0.1) : seconds
        _ = poll(&fds, nfds_t(fds.count), Int32(max(1, (limit * 1000).rounded(.up))))  // EINTR: probed again anyway
    }
}
