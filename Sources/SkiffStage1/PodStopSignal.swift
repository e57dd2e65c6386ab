// The `stop` entrypoint's one act, shared by the stage1s: the stop signal to the process `pid`
// names, pinned by a pidfd so it cannot reach a later owner of the same PID.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// Sends a pod's stop signal to the process its `pid` file names.
public enum PodStopSignal {
    /// SIGTERM (SIGKILL with `force`) to the process of `paths`' pid file, if it still exists
    /// and `isPodProcess(pid)` says it is still the pod's (checked after the pidfd pinned it: a
    /// PID reused by another process is never signalled). A pod whose process is gone is already
    /// stopped: no error. `what`: the process, for the error when there is no pid file yet.
    public static func send(
        uuid: String, paths: PodPaths, force: Bool, what: String, isPodProcess: (pid_t) throws -> Bool
    ) throws {
        guard let pid = try PodFiles.readPID(paths: paths) else {
            throw SkiffError(.notFound, "stop pod \(uuid): no pid file yet (\(what) has not started)")
        }
        let pidfd = sk_pidfd_open(pid)
        if pidfd < 0 {
            if errno == ESRCH { return }
            throw SkiffError.system("stop pod \(uuid): open process \(pid)")
        }
        defer { close(pidfd) }
        guard try isPodProcess(pid) else { return }  // ended, and its PID reused
        if sk_pidfd_send_signal(pidfd, force ? SIGKILL : SIGTERM) < 0 && errno != ESRCH {
            throw SkiffError.system("stop pod \(uuid): signal process \(pid)")
        }
    }
}
