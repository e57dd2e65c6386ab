// Shared by the stage1 tests: temporary directories, hand-built pod directories with a
// busybox-static app root, and running entrypoints the way stage0 does (cwd the pod directory,
// the locked pod directory handed over in SKIFF_LOCK_FD).
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffStage1
import SkiffSystem
import XCTest

/// A directory under $TMPDIR, removed by `remove()` (which refuses to cross a mount left behind).
final class Stage1Scratch {
    let path: String

    init(_ prefix: String = "stage1-test.") throws {
        path = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: prefix)
        // mkdtemp makes 0700; an app running as another user must be able to reach its root.
        chmod(path, 0o755)
    }

    func remove() throws { try FileSystem.removeTree(path) }
}

/// Skips a test that needs root (mounts, chroot, credentials), saying why.
func stage1RequireRoot(_ what: String) throws {
    if geteuid() != 0 { throw XCTSkip("needs root: \(what)") }
}

/// The directory the test bundle and the stage1 executables were built into.
var stage1ProductsDirectory: String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    let exe = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "."
    return FileSystem.parentPath(exe)
}

/// A built stage1 program (`stage1-fly`, `stage1-stub`); fails the test when it is missing.
func stage1Binary(_ name: String) throws -> String {
    let path = stage1ProductsDirectory + "/" + name
    guard FileSystem.exists(path) else {
        throw SkiffError(.notFound, "\(path): not built (swift build --build-tests builds it)")
    }
    return path
}

/// Writes `text` to `path`, creating parents.
func stage1WriteFile(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
    try FileSystem.createDirectory(FileSystem.parentPath(path))
    try FileSystem.writeAtomically(path, Array(text.utf8), mode: mode)
}

/// Reads `path` as text.
func stage1ReadText(_ path: String) throws -> String { String(decoding: try FileSystem.read(path), as: UTF8.self) }

let stage1TestUUID = "6f1f4b8e-2c1d-4a7e-9b3a-0c5d7e9f1a2b"

/// A pod directory laid out as stage0 would, by hand.
struct Stage1TestPod {
    let directory: Stage1Scratch
    var paths: PodPaths { PodPaths(root: directory.path) }

    /// An empty pod directory whose stage1 root has entrypoints `<flavor>-run` ... linked to `binary`.
    init(flavor: String, binary: String) throws {
        directory = try Stage1Scratch("stage1-pod.")
        let paths = PodPaths(root: directory.path)
        try FileSystem.createDirectory(paths.stage1Rootfs)
        for entrypoint in Stage1Entrypoint.allCases {
            try check("symlink") { symlink(binary, paths.stage1Rootfs + "/\(flavor)-\(entrypoint.rawValue)") }
        }
        try stage1WriteFile(paths.created, "")
    }

    /// Writes the pod manifest.
    func write(_ manifest: PodManifest) throws {
        try FileSystem.writeAtomically(paths.manifest, manifest.encoded(pretty: true))
    }

    /// An app root made of /bin/busybox (static) and its applets, a passwd and a group file.
    func makeBusyboxRoot(app: String) throws -> String {
        guard FileSystem.exists("/bin/busybox") else {
            throw XCTSkip("needs /bin/busybox from busybox-static (ci/install-deps check installs it)")
        }
        let root = paths.appRootfs(app)
        try FileSystem.createDirectory(root + "/bin")
        let busybox = try FileSystem.read("/bin/busybox", limit: 64 << 20)
        try FileSystem.writeAtomically(root + "/bin/busybox", busybox, mode: 0o755)
        for applet in ["sh", "cat", "echo", "id", "ls", "sleep", "touch", "pwd", "grep", "true", "env", "kill", "test"] {
            try check("symlink") { symlink("busybox", root + "/bin/" + applet) }
        }
        try stage1WriteFile(root + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser1:x:1001:1001:User:/home/user1:/bin/sh\n")
        try stage1WriteFile(root + "/etc/group", "root:x:0:\nusers:x:1002:user1\n")
        return root
    }

    /// Removes the pod directory; fails if a mount was left behind in it.
    func remove() throws {
        XCTAssertEqual(try MountInfo.mountPoints(under: directory.path), [], "mounts left in the pod directory")
        try directory.remove()
    }
}

/// An app entry for a pod manifest.
func stage1App(
    _ name: String, exec: [String], user: String = "0", group: String = "0", environment: [String: String] = [:],
    workingDirectory: String? = nil, supplementaryGIDs: [UInt32] = [], mounts: [Mount] = [], mountPoints: [MountPoint] = [],
    readOnlyRootFS: Bool = false
) throws -> RuntimeApp {
    let app = App(
        exec: exec, user: user, group: group, supplementaryGIDs: supplementaryGIDs, workingDirectory: workingDirectory,
        environment: environment.sorted { $0.key < $1.key }.map { EnvironmentVariable(name: $0.key, value: $0.value) },
        mountPoints: mountPoints)
    return RuntimeApp(
        name: try ACName(validating: name), image: RuntimeImage(id: ImageID(sha512: Array(repeating: 7, count: 64))),
        app: app, readOnlyRootFS: readOnlyRootFS, mounts: mounts)
}

/// What an entrypoint did.
struct Stage1EntrypointResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// A running entrypoint, its output going to files in `output`.
final class Stage1RunningEntrypoint {
    let process: Subprocess
    private let output: Stage1Scratch

    init(_ argv: [String], in pod: Stage1TestPod, environment: [String: String] = [:], lock: Bool) throws {
        output = try Stage1Scratch("stage1-output.")
        let out = try FileDescriptor.open(output.path + "/stdout", O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        let err = try FileDescriptor.open(output.path + "/stderr", O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        var env = environment
        env["PATH"] = env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        var inherited: [Int32] = []
        var lockFD: FileDescriptor?
        if lock {
            // As stage0: the exclusive lock on the pod directory, passed as an inheritable descriptor.
            let fd = try FileDescriptor.open(pod.directory.path, O_RDONLY | O_DIRECTORY)
            try check("flock") { flock(fd.raw, LOCK_EX | LOCK_NB) }
            env[Stage1Contract.lockFDVariable] = String(fd.raw)
            inherited = [fd.raw]
            lockFD = fd
        }
        process = try Subprocess.spawn(
            argv, stdout: out.raw, stderr: err.raw, environment: env, inheriting: inherited, workingDirectory: pod.directory.path)
        // Only the stage1 holds the lock from now on, as after stage0's exec.
        lockFD?.close()
    }

    /// Waits for the exit and collects the output.
    func finish() throws -> Stage1EntrypointResult {
        let status = try process.wait()
        defer { try? output.remove() }
        return Stage1EntrypointResult(status: status, stdout: try stage1ReadText(output.path + "/stdout"), stderr: try stage1ReadText(output.path + "/stderr"))
    }
}

/// Runs `<pod>/stage1/rootfs/<entrypoint>` with `arguments` to completion.
func stage1RunEntrypoint(
    _ entrypoint: String, _ arguments: [String], in pod: Stage1TestPod, environment: [String: String] = [:], lock: Bool = false
) throws -> Stage1EntrypointResult {
    try Stage1RunningEntrypoint([pod.paths.stage1Rootfs + "/" + entrypoint] + arguments, in: pod, environment: environment, lock: lock).finish()
}

/// Waits (up to `seconds`) for `pid` to appear, polling: the stage1 writes it asynchronously.
func stage1WaitForPID(_ pod: Stage1TestPod, seconds: Double = 10) throws -> Int32 {
    let deadline = Double(time(nil)) + seconds
    while Double(time(nil)) <= deadline {
        if let pid = try PodFiles.readPID(paths: pod.paths) { return pid }
        usleep(5_000)
    }
    throw SkiffError(.notFound, "pid of pod \(pod.directory.path): not written within \(seconds) s")
}
