// Running the programs Skiff composes with (gpg, gzip, xz, ...), with posix_spawn.
#if canImport(Glibc)
import Glibc
#endif
import CShim

/// A child program started with posix_spawn: default signal handling, an empty signal mask, and
/// only the descriptors given to it (every descriptor Skiff opens is close-on-exec).
public final class Subprocess {
    public let pid: pid_t
    public let argv: [String]
    private var status: Int32?

    private init(pid: pid_t, argv: [String]) {
        self.pid = pid
        self.argv = argv
    }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            _ = try? wait()
        }
    }

    /// Starts `argv` (looked up in PATH) with the given descriptors as its stdin, stdout and
    /// stderr (nil: /dev/null for stdin, inherited for the others). `inheriting` lists further
    /// descriptors (above 2) the child gets under the same numbers, e.g. for `/dev/fd/N` arguments.
    public static func spawn(
        _ argv: [String], stdin: Int32? = nil, stdout: Int32? = nil, stderr: Int32? = nil,
        environment: [String: String]? = nil, inheriting: [Int32] = [], workingDirectory: String? = nil
    ) throws -> Subprocess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin { posix_spawn_file_actions_adddup2(&actions, stdin, 0) } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if let stdout { posix_spawn_file_actions_adddup2(&actions, stdout, 1) }
        if let stderr { posix_spawn_file_actions_adddup2(&actions, stderr, 2) }
        // dup2 onto itself clears close-on-exec in the child only (POSIX, Austin Group #411; glibc ≥ 2.29).
        for fd in inheriting where fd > 2 { posix_spawn_file_actions_adddup2(&actions, fd, fd) }
        if let workingDirectory { _ = sk_spawn_addchdir(&actions, workingDirectory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var cArgv: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArgv.forEach { free($0) } }
        var cEnv: [UnsafeMutablePointer<CChar>?] = []
        if let environment { cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { cEnv.forEach { free($0) } }

        var pid: pid_t = 0
        let rc = cEnv.isEmpty
            ? posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgv, environ)
            : posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgv, &cEnv)
        guard rc == 0 else { throw SkiffError.system("run \(quote(argv[0]))", errno: rc) }
        return Subprocess(pid: pid, argv: argv)
    }

    /// Waits for the exit; returns the exit code, or 128 + the signal number.
    @discardableResult
    public func wait() throws -> Int32 {
        if let status { return status }
        var raw: Int32 = 0
        try check("waitpid \(quote(argv[0]))") { waitpid(pid, &raw, 0) }
        let signal = raw & 0x7f
        let code = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        status = code
        return code
    }

    /// What `run` collects.
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: [UInt8]
        public let stderr: [UInt8]
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
        /// The last non-empty line of stderr: what to show in a one-line error.
        public var stderrLastLine: String {
            stderrText.split(separator: "\n").last.map(String.init) ?? ""
        }
    }

    /// Runs `argv` to completion, feeding `input` to its stdin and collecting stdout and stderr
    /// (both read while the input is written, so a chatty child cannot deadlock).
    public static func run(
        _ argv: [String], input: [UInt8]? = nil, environment: [String: String]? = nil
    ) throws -> Output {
        let inPipe = try Pipe()
        let outPipe = try Pipe()
        let errPipe = try Pipe()
        let child = try spawn(
            argv, stdin: inPipe.read.raw, stdout: outPipe.write.raw, stderr: errPipe.write.raw,
            environment: environment)
        inPipe.read.close()
        outPipe.write.close()
        errPipe.write.close()
        var pending = input ?? []
        if pending.isEmpty { inPipe.write.close() }
        var out: [UInt8] = []
        var err: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while outPipe.read.raw >= 0 || errPipe.read.raw >= 0 {
            var fds = [
                pollfd(fd: outPipe.read.raw, events: Int16(POLLIN), revents: 0),
                pollfd(fd: errPipe.read.raw, events: Int16(POLLIN), revents: 0),
                pollfd(fd: inPipe.write.raw, events: Int16(POLLOUT), revents: 0),
            ]
            if retryingEINTR({ poll(&fds, 3, -1) }) < 0 { throw SkiffError.system("poll \(quote(argv[0]))") }
            for (index, pipe) in [(0, outPipe), (1, errPipe)] where fds[index].revents != 0 {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(pipe.read.raw, $0.baseAddress, $0.count) }
                if n > 0 {
                    if index == 0 { out += chunk[0..<n] } else { err += chunk[0..<n] }
                } else if n == 0 || errno != EINTR {
                    pipe.read.close()
                }
            }
            if fds[2].revents != 0 {
                let n = pending.withUnsafeBytes { Glibc.write(inPipe.write.raw, $0.baseAddress, $0.count) }
                if n > 0 { pending.removeFirst(n) }
                if n < 0 && errno != EINTR && errno != EAGAIN { pending.removeAll() }  // EPIPE: child stopped reading
                if pending.isEmpty { inPipe.write.close() }
            }
        }
        inPipe.write.close()
        return Output(status: try child.wait(), stdout: out, stderr: err)
    }
}

/// A pipe whose ends close themselves.
public struct Pipe {
    public let read: FileDescriptor
    public let write: FileDescriptor

    public init() throws {
        var fds: [Int32] = [-1, -1]
        try check("pipe") { sk_pipe2(&fds, 0) }
        read = FileDescriptor(owning: fds[0], path: "pipe")
        write = FileDescriptor(owning: fds[1], path: "pipe")
    }
}
