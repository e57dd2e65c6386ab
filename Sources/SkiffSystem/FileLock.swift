// flock(2) locks: how Skiff coordinates processes without a daemon.
#if canImport(Glibc)
import Glibc
#endif

/// An flock(2) lock on a file or directory, held while this object lives (or until `unlock`).
/// The kernel drops it when the holder dies, so a crashed process never leaves a stale lock.
public final class FileLock {
    public enum Mode: Sendable { case shared, exclusive }

    public let descriptor: FileDescriptor

    private init(_ descriptor: FileDescriptor) { self.descriptor = descriptor }

    /// Locks `path` (created as an empty file if missing, unless it is a directory), waiting for
    /// other holders.
    public static func lock(_ path: String, _ mode: Mode = .exclusive) throws -> FileLock {
        let fd = try openLockable(path)
        try check("flock \(quote(path))") { flock(fd.raw, mode == .exclusive ? LOCK_EX : LOCK_SH) }
        return FileLock(fd)
    }

    /// Locks `path` if nobody else holds a conflicting lock; nil if someone does.
    public static func tryLock(_ path: String, _ mode: Mode = .exclusive) throws -> FileLock? {
        let fd = try openLockable(path)
        let op = (mode == .exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB
        if retryingEINTR({ flock(fd.raw, op) }) < 0 {
            if errno == EWOULDBLOCK { return nil }
            throw SkiffError.system("flock \(quote(path))")
        }
        return FileLock(fd)
    }

    /// Releases the lock now.
    public func unlock() {
        _ = flock(descriptor.raw, LOCK_UN)
        descriptor.close()
    }

    private static func openLockable(_ path: String) throws -> FileDescriptor {
        if FileSystem.isDirectory(path) { return try FileDescriptor.open(path, O_RDONLY | O_DIRECTORY) }
        return try FileDescriptor.open(path, O_RDWR | O_CREAT, mode: 0o600)
    }
}
