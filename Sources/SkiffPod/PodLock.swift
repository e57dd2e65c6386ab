// flock(2) on pod directories: who holds a pod, told without a daemon.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// The lock primitives of the pod lifecycle. The lock is an flock on the pod directory itself
/// (never a lock file that could be unlinked), so it travels with the directory across renames
/// and the kernel drops it when its last holder exits.
enum PodLock {
    /// Opens a pod directory read-only: the descriptor the lock is taken on.
    static func openDirectory(_ path: String) throws -> FileDescriptor {
        try FileDescriptor.open(path, O_RDONLY | O_DIRECTORY)
    }

    /// flock with LOCK_NB (or blocking, when `wait`): true if taken, false if someone holds a
    /// conflicting lock.
    static func lock(_ fd: FileDescriptor, exclusive: Bool, wait: Bool) throws -> Bool {
        let operation = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB)
        if retryingEINTR({ flock(fd.raw, operation) }) == 0 { return true }
        if errno == EWOULDBLOCK && !wait { return false }
        throw SkiffError.system("flock \(quote(fd.path))")
    }

    /// Whether someone holds the pod's exclusive lock: a shared, non-blocking probe, released at
    /// once (so probing never blocks gc or stage0 for longer than two syscalls).
    static func isLocked(_ path: String) throws -> Bool {
        let fd = try openDirectory(path)
        defer { fd.close() }  // closing the only descriptor of this open file releases the probe
        return try !lock(fd, exclusive: false, wait: false)
    }

    /// The PID that took the exclusive flock on the file `fd` is open on, from /proc/locks (dev
    /// and inode must both match), or nil if none is listed. Stage0 takes the lock and then execs
    /// the stage1 in the same process, so this is the stage1's PID. It is a hint for waiting, not
    /// a fact: a holder that forked and exited leaves a stale PID behind.
    static func exclusiveHolder(of fd: FileDescriptor) -> pid_t? {
        guard let st = try? fd.stat(), let text = try? FileSystem.read("/proc/locks", limit: 16 << 20) else { return nil }
        let device = "\(hex2(sk_dev_major(st.st_dev))):\(hex2(sk_dev_minor(st.st_dev))):\(st.st_ino)"
        // "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF"; waiters carry "->" and are skipped.
        for line in text.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "WRITE", fields[5] == device else { continue }
            if let pid = pid_t(fields[4]), pid > 0 { return pid }
        }
        return nil
    }

    /// /proc/locks prints device numbers as "%02x:%02x".
    private static func hex2(_ value: UInt32) -> String {
        let text = String(value, radix: 16)
        return text.count < 2 ? "0" + text : text
    }
}

/// "<operation> pod <uuid>: <cause>": the one-line form of every pod error, keeping the code and
/// the errno of the underlying failure.
func podError(_ operation: String, _ uuid: PodUUID, _ error: any Error) -> SkiffError {
    if let error = error as? SkiffError {
        return SkiffError(error.code, "\(operation) pod \(uuid): \(error.message)", errno: error.errno)
    }
    return SkiffError(.system, "\(operation) pod \(uuid): \(error)")
}

/// Runs `body`, turning any error into `podError(operation, uuid, error)`.
func withPodError<T>(_ operation: String, _ uuid: PodUUID, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw podError(operation, uuid, error)
    }
}
