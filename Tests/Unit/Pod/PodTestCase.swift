// Shared by the pod tests: a data directory per test, pods made by hand, lock-holding processes.
#if canImport(Glibc)
import Glibc
#endif
import SkiffStage1
import SkiffSystem
import XCTest

@testable import SkiffPod

/// A test with its own data directory (removed in tearDown, after detaching any mount a failed
/// test left in it) and the lock holders it started (killed in tearDown).
class PodTestCase: XCTestCase {
    var scratch = ""
    var store: PodStore!
    private var holders: [PodLockHolder] = []

    override func setUpWithError() throws {
        scratch = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-pod-")
        store = try PodStore(dataDirectory: scratch + "/data")
    }

    override func tearDownWithError() throws {
        holders.forEach { $0.kill() }
        holders = []
        if geteuid() == 0 { _ = try? PodMounts.unmountAll(under: scratch) }
        try FileSystem.removeTree(scratch)
    }

    /// Makes a pod directory by hand in `state` with `pod-created` (mtime `created`, if given).
    @discardableResult
    func makePod(_ state: PodState, uuid: PodUUID = .random(), created: Int64? = nil) throws -> PodRecord {
        let path = store.path(of: uuid, in: state)
        try FileSystem.createDirectory(path, mode: 0o750)
        let paths = PodPaths(root: path)
        try FileDescriptor.open(paths.created, O_WRONLY | O_CREAT | O_EXCL).close()  // no fsync: benchmarks make 1,000
        if let created { try setModificationTime(paths.created, created) }
        return try XCTUnwrap(store.locate(uuid))
    }

    /// Starts a process that holds the exclusive flock on `path` until killed (or `seconds`).
    @discardableResult
    func holdLock(_ path: String, seconds: Double = 30) throws -> PodLockHolder {
        try holdLock(path, then: "exec sleep \(seconds)")
    }

    /// Starts a process that holds the exclusive flock on `path` while it runs `script` (sh, with
    /// `arguments` as $1...), then exits.
    @discardableResult
    func holdLock(_ path: String, then script: String, _ arguments: [String] = []) throws -> PodLockHolder {
        let holder = try PodLockHolder(path, script: script, arguments)
        holders.append(holder)
        return holder
    }

    /// Sets the mtime (and atime) of `path` to `seconds`.
    func setModificationTime(_ path: String, _ seconds: Int64) throws {
        var times = [timespec(tv_sec: Int(seconds), tv_nsec: 0), timespec(tv_sec: Int(seconds), tv_nsec: 0)]
        try check("utimensat \(quote(path))") { utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) }
    }

    /// Writes `text` to `path`, creating its parent directories.
    func write(_ path: String, _ text: String) throws {
        try FileSystem.createDirectory(FileSystem.parentPath(path))
        try FileSystem.writeAtomically(path, Array(text.utf8))
    }

    /// The current time in Unix seconds.
    var now: Int64 { Int64(time(nil)) }
}

/// A separate process holding an exclusive flock on a directory: util-linux `flock --no-fork`,
/// which takes the lock and execs the command in the same process (so /proc/locks names the
/// process that really holds it, as with a stage1). It says "locked" on stdout once it holds the
/// lock; killing it makes the kernel drop the lock.
final class PodLockHolder {
    private let process: Subprocess
    private var reaped = false
    var pid: pid_t { process.pid }

    init(_ path: String, script: String, _ arguments: [String]) throws {
        let pipe = try SkiffSystem.Pipe()
        process = try Subprocess.spawn(
            ["flock", "--no-fork", "--exclusive", path, "sh", "-c", "echo locked; exec >/dev/null; " + script, "sh"]
                + arguments,
            stdout: pipe.write.raw)
        pipe.write.close()
        var fds = [pollfd(fd: pipe.read.raw, events: Int16(POLLIN), revents: 0)]
        guard retryingEINTR({ poll(&fds, 1, 10_000) }) == 1 else {
            throw SkiffError(.system, "hold the lock of \(quote(path)): no answer from flock")
        }
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = try buffer.withUnsafeMutableBytes { try pipe.read.read(into: $0) }
        guard String(decoding: buffer[0..<count], as: UTF8.self) == "locked\n" else {
            throw SkiffError(.system, "hold the lock of \(quote(path)): flock failed")
        }
    }

    /// Kills the holder and reaps it: the kernel has dropped the lock when this returns.
    func kill() {
        if !reaped { _ = Glibc.kill(process.pid, SIGKILL) }  // never signal a reaped (reusable) PID
        _ = try? wait()
    }

    /// Waits for the holder to end by itself; its exit status.
    @discardableResult
    func wait() throws -> Int32 {
        defer { reaped = true }
        return try process.wait()
    }
}
