// Finding a pod's processes from the host (enter, stop): by what /proc says their root and working
// directory are, compared as files (device and inode), so a recycled PID is never mistaken for
// the pod's.
#if canImport(Glibc)
import Glibc
#endif
import SkiffStage1
import SkiffSystem

/// Facts about a running pod's processes, from the host's /proc.
enum PodProcesses {
    /// Whether `pid` is this pod's init: its root is the pod's stage1 root (after pivot_root), or,
    /// in the moment before, its working directory is the pod directory. False when it is gone.
    static func isInit(_ pid: pid_t, paths: PodPaths) -> Bool {
        sameFile("/proc/\(pid)/root", paths.stage1Rootfs) || sameFile("/proc/\(pid)/cwd", paths.root)
    }

    /// The main process of `app`: the child of the init whose root is the app's root; nil when the
    /// app is not running (not started yet, or ended).
    static func appProcess(init pid: pid_t, app: String, paths: PodPaths) -> pid_t? {
        let root = paths.appRootfs(app)
        return children(of: pid).first { sameFile("/proc/\($0)/root", root) }
    }

    /// `appProcess`, waiting up to `seconds` for an app that is still starting, while the init lives.
    static func waitForApp(init pid: pid_t, app: String, paths: PodPaths, seconds: Double = 5) throws -> pid_t {
        for _ in 0..<max(1, Int(seconds * 50)) {
            if let found = appProcess(init: pid, app: app, paths: paths) { return found }
            guard isInit(pid, paths: paths) else { break }
            usleep(20_000)
        }
        throw SkiffError(.notFound, "enter app \(quote(app)): not running in the pod (it has not started, or it has ended)")
    }

    /// The children of every thread of `pid` (/proc/PID/task/TID/children, host PIDs).
    static func children(of pid: pid_t) -> [pid_t] {
        let tasks = (try? FileSystem.list("/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task -> [pid_t] in
            guard let bytes = try? FileSystem.read("/proc/\(pid)/task/\(task)/children", limit: 1 << 20) else { return [] }
            return bytes.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") }).compactMap { pid_t(String(decoding: $0, as: UTF8.self)) }
        }
    }

    /// Whether two paths name the same file (stat, following links: /proc/PID/root is one).
    static func sameFile(_ first: String, _ second: String) -> Bool {
        var a = stat()
        var b = stat()
        guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}
