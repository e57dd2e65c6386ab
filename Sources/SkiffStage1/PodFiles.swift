// The files a stage1 writes into the pod (docs/stage1-abi.md "The pod directory"): `pid` and one
// status per app, each replaced atomically so a reader sees nothing or a whole number, never half.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// Files a stage1 writes: `pid` and app statuses, atomically (temporary name in the same
/// directory, then rename); and their readers for stage0.
public enum PodFiles {
    /// Writes `pid` ("<pid>\n"). Not fsynced: it matters only while the pod runs, and a pod does
    /// not survive a host crash, so stage1 start-up does not wait for the disk.
    public static func writePID(_ pid: Int32, paths: PodPaths) throws {
        try replace(paths.pid, "\(pid)\n", durable: false)
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
            try replace(directory + "/" + app, "\(status)\n", durable: false)
        } catch let error as SkiffError where error.errno == ENOENT {
            try FileSystem.createDirectory(directory, mode: 0o755)
            try replace(directory + "/" + app, "\(status)\n", durable: false)
        }
    }

    /// The recorded status of `app`: from the stage1 root, else from the stage1 overlay's upper
    /// directory (after stage0 unmounted the pod); nil when neither exists (the app never ended,
    /// or never ran).
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

    /// The pod's main process as the stage1 recorded it; nil when `pid` does not exist yet.
    public static func readPID(paths: PodPaths) throws -> Int32? {
        guard let text = try readIfPresent(paths.pid) else { return nil }
        guard let pid = Int32(text), pid > 0 else {
            throw SkiffError(.invalid, "read pid \(quote(paths.pid)): \(quote(text)) is not a process ID")
        }
        return pid
    }

    /// The file's text without surrounding whitespace, or nil if it does not exist.
    static func readIfPresent(_ path: String) throws -> String? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SkiffError.system("open \(quote(path))")
        }
        let bytes = try FileDescriptor(owning: fd, path: path).readAll(limit: 4096)
        let text = String(decoding: bytes, as: UTF8.self)
        return String(text.drop { $0 == " " || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
    }

    /// Temporary file next to `path`, written, optionally fsynced, renamed over `path`.
    static func replace(_ path: String, _ text: String, durable: Bool) throws {
        try FileSystem.writeAtomically(path, Array(text.utf8), mode: 0o644, durable: durable)
    }
}
