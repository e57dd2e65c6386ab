// The files a stage1 writes into the pod (docs/stage1-abi.md "The pod directory"): `pid` and one
// status per app. stage0 creates them empty; a stage1 fills an empty one in place with a single
// write, or replaces a file atomically: a reader sees nothing (or an empty file, which means the
// same) or a whole number, never half.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// Files a stage1 writes: `pid` and app statuses, in stage0's empty file or atomically (temporary
/// name in the same directory, then rename); and their readers for stage0.
public enum PodFiles {
    /// Writes `pid` ("<pid>\n"). Not fsynced: it matters only while the pod runs, and a pod does
    /// not survive a host crash, so stage1 start-up does not wait for the disk.
    public static func writePID(_ pid: Int32, paths: PodPaths) throws {
        try fill(paths.pid, "\(pid)\n")
    }

    /// Empties `pid` again (fly, when the exec of the app failed after `pid` was written).
    public static func clearPID(paths: PodPaths) {
        _ = truncate(paths.pid, 0)
    }

    /// Writes `stage1/rootfs/skiff/status/<app>` ("<status>\n"), creating the status directory.
    /// Atomic (a reader never sees half a number) but not fsynced: a pod, like its mounts, does
    /// not survive a power loss, and an fsync here costs every pod's shutdown about a millisecond.
    public static func writeStatus(_ status: Int32, app: String, paths: PodPaths) throws {
        try writeStatus(status, app: app, directory: paths.statusDirectory)
    }

    /// `writeStatus` into a status directory given by path: a stage1 that pivoted into its root
    /// writes `/skiff/status/<app>`, the same file.
    public static func writeStatus(_ status: Int32, app: String, directory: String) throws {
        // stage0 makes the directory before the stage1 runs: create it only when it is missing
        // (a stage1 of an older stage0, or one that pivoted elsewhere).
        do {
            try fill(directory + "/" + app, "\(status)\n")
        } catch let error as SkiffError where error.errno == ENOENT {
            try FileSystem.createDirectory(directory, mode: 0o755)
            try fill(directory + "/" + app, "\(status)\n")
        }
    }

    /// The recorded status of `app`: from the stage1 root, else from the stage1 overlay's upper
    /// directory (after stage0 unmounted the pod); nil when neither exists or both are empty (the
    /// app never ended, or never ran).
    public static func readStatus(app: String, paths: PodPaths) throws -> Int32? {
        for path in [paths.appStatus(app), paths.appStatusInUpper(app)] {
            if let text = try readIfPresent(path) {
                guard let status = Int32(text), status >= 0 else {
                    throw SkiffError(.invalid, "read status of app \(quote(app)) \(quote(path)): \(quote(text)) is not an exit status")
                }
                return status
            }
        }
        return nil
    }

    /// The pod's main process as the stage1 recorded it; nil when `pid` does not exist yet or is
    /// still stage0's empty file.
    public static func readPID(paths: PodPaths) throws -> Int32? {
        guard let text = try readIfPresent(paths.pid) else { return nil }
        guard let pid = Int32(text), pid > 0 else {
            throw SkiffError(.invalid, "read pid \(quote(paths.pid)): \(quote(text)) is not a process ID")
        }
        return pid
    }

    /// The file's text without surrounding whitespace, or nil if it does not exist or is empty.
    static func readIfPresent(_ path: String) throws -> String? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SkiffError.system("open \(quote(path))")
        }
        let bytes = try FileDescriptor(owning: fd, path: path).readAll(limit: 4096)
        guard !bytes.isEmpty else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return String(text.drop { $0 == " " || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
    }

    /// Writes `text` into `path` in place when it is stage0's empty regular file (one write: a
    /// reader sees empty or whole; no inode created, no rename), else replaces it atomically.
    static func fill(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        if fd >= 0 {
            let file = FileDescriptor(owning: fd, path: path)
            defer { file.close() }
            let st = try file.stat()
            if st.st_mode & S_IFMT == S_IFREG && st.st_size == 0 {
                try file.write(Array(text.utf8))
                return
            }
        }
        try replace(path, text, durable: false)
    }

    /// Temporary file next to `path`, written, optionally fsynced, renamed over `path`.
    static func replace(_ path: String, _ text: String, durable: Bool) throws {
        try FileSystem.writeAtomically(path, Array(text.utf8), mode: 0o644, durable: durable)
    }
}
