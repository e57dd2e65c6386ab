// Taking over the pod lock stage0 hands to a stage1 in SKIFF_LOCK_FD: the pod reads as running
// exactly as long as some process holds that descriptor, so the stage1 keeps it, and marks it
// close-on-exec so an app (which may outlive the stage1, or double-fork) never holds it.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// The lock descriptor handed over in SKIFF_LOCK_FD: validated (open, a directory, the pod
/// directory, holding the exclusive lock), kept, and marked close-on-exec so apps never inherit it.
public enum LockHandover {
    /// Validates the descriptor named by `SKIFF_LOCK_FD` in `environment` and returns it, now
    /// close-on-exec. `podDirectory` is what it must be open on (the stage1's cwd by contract).
    public static func adopt(environment: [String: String], podDirectory: String = ".") throws -> Int32 {
        let variable = Stage1Contract.lockFDVariable
        guard let text = environment[variable] else {
            throw SkiffError(.usage, "lock \(variable): not set (stage1 entrypoints are started by skiff)")
        }
        guard let fd = Int32(text), fd >= 0 else {
            throw SkiffError(.invalid, "lock \(variable)=\(quote(text)): not a file descriptor number")
        }
        let flags = fcntl(fd, F_GETFD)
        guard flags >= 0 else { throw SkiffError.system("lock \(variable)=\(fd): not an open descriptor") }
        var st = stat()
        try check("lock \(variable)=\(fd): fstat") { fstat(fd, &st) }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw SkiffError(.invalid, "lock \(variable)=\(fd): not open on a directory")
        }
        var pod = stat()
        try check("lock \(variable)=\(fd): stat pod directory \(quote(podDirectory))") { stat(podDirectory, &pod) }
        guard st.st_dev == pod.st_dev && st.st_ino == pod.st_ino else {
            throw SkiffError(.invalid, "lock \(variable)=\(fd): open on another directory than the pod directory \(quote(podDirectory))")
        }
        // Already holding the exclusive lock through this open file, this is a no-op; if nobody
        // holds it, it takes it; only another holder makes it fail.
        if retryingEINTR({ flock(fd, LOCK_EX | LOCK_NB) }) < 0 {
            if errno == EWOULDBLOCK {
                throw SkiffError(.invalid, "lock \(variable)=\(fd): the pod is locked by another process")
            }
            throw SkiffError.system("lock \(variable)=\(fd): flock")
        }
        try check("lock \(variable)=\(fd): set close-on-exec") { fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        return fd
    }

    /// Whether `fd` holds the exclusive lock on `podDirectory` right now (for checks and the stub):
    /// a second, independent open of the directory cannot get a shared lock, yet `fd` itself can
    /// take the exclusive one.
    public static func holdsLock(_ fd: Int32, podDirectory: String = ".") -> Bool {
        let probe = Glibc.open(podDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard probe >= 0 else { return false }
        defer { close(probe) }
        if flock(probe, LOCK_SH | LOCK_NB) == 0 {
            flock(probe, LOCK_UN)
            return false
        }
        return flock(fd, LOCK_EX | LOCK_NB) == 0
    }
}
