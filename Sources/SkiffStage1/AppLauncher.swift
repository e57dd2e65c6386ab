// Starting an app (or an entered command) inside its root: the Swift side of CShim's sk_exec.
// Everything between fork and execve happens in C; this file prepares the arguments and turns
// a failed step into one error line.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// The signal dispositions and mask a stage1 started with, recorded before it changes its own,
/// so what it starts gets them back (an ignored SIGINT of a background job stays ignored).
public struct SignalSnapshot {
    var state = sk_signal_state()

    /// Records the current ignored signals and mask; take it first thing in main.
    public init() { sk_signal_snapshot(&state) }

    /// Whether `signal` was ignored.
    public func isIgnored(_ signal: Int32) -> Bool {
        withUnsafePointer(to: state.ignored) { sigismember($0, signal) == 1 }
    }
}

/// What to start and how.
public struct LaunchSpec {
    /// chroot here first (nil: stay in the current root).
    public var root: String?
    /// The working directory inside the root.
    public var workingDirectory: String
    /// uid, gid and supplementary groups to switch to (nil: keep the caller's).
    public var credentials: (uid: UInt32, gid: UInt32, groups: [UInt32])?
    /// The program, as a path inside the root.
    public var path: String
    /// argv, argv[0] included.
    public var argv: [String]
    /// "NAME=value" entries.
    public var environment: [String]
    /// Names the process in error messages ("app \"web\"").
    public var subject: String

    /// A spec; see the properties.
    public init(
        root: String?, workingDirectory: String, credentials: (uid: UInt32, gid: UInt32, groups: [UInt32])?, path: String,
        argv: [String], environment: [String], subject: String
    ) {
        self.root = root
        self.workingDirectory = workingDirectory
        self.credentials = credentials
        self.path = path
        self.argv = argv
        self.environment = environment
        self.subject = subject
    }
}

/// Starts programs inside roots through sk_fork_exec_in_root / sk_exec_in_root. The program gets
/// stdin, stdout and stderr and no other descriptor: nothing of stage0's or the stage1's (the pod
/// lock above all) reaches an app.
public enum AppLauncher {
    /// Forks and executes `spec`; returns the child's PID once execve succeeded. `started` runs
    /// in this process with the child's PID right after the fork, while the child is still on
    /// its way to execve (on another CPU, if there is one): fly writes `pid` there.
    public static func spawn(
        _ spec: LaunchSpec, signals: SignalSnapshot, started: (pid_t) -> Void = { _ in }
    ) throws -> pid_t {
        var result = sk_exec_result()
        let rc = withAttributes(spec, signals) { attr in
            var report: Int32 = -1
            guard sk_fork_exec_start(attr, &result, &report) == 0 else { return -1 }
            started(result.pid)
            return sk_fork_exec_finish(report, &result)
        }
        guard rc == 0 else { throw failure(spec, result) }
        return result.pid
    }

    /// Becomes `spec` (no fork); returns only by throwing.
    public static func execute(_ spec: LaunchSpec, signals: SignalSnapshot) throws -> Never {
        var result = sk_exec_result()
        _ = withAttributes(spec, signals) { attr in sk_exec_in_root(attr, &result) }
        throw failure(spec, result)
    }

    /// Every pointer sk_exec needs, alive for the duration of `body`.
    private static func withAttributes(_ spec: LaunchSpec, _ signals: SignalSnapshot, _ body: (UnsafePointer<sk_exec_attr>) -> Int32) -> Int32 {
        let argv: [UnsafeMutablePointer<CChar>?] = spec.argv.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = spec.environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let groups: [gid_t] = spec.credentials?.groups.map { gid_t($0) } ?? []
        var state = signals.state
        return spec.path.withCString { path in
            spec.workingDirectory.withCString { cwd in
                withOptionalCString(spec.root) { root in
                    groups.withUnsafeBufferPointer { groupBuffer in
                        argv.withUnsafeBufferPointer { argvBuffer in
                            envp.withUnsafeBufferPointer { envpBuffer in
                                withUnsafePointer(to: &state) { statePointer in
                                    var attr = sk_exec_attr()
                                    attr.root = root
                                    attr.cwd = cwd
                                    attr.set_ids = spec.credentials == nil ? 0 : 1
                                    attr.uid = uid_t(spec.credentials?.uid ?? 0)
                                    attr.gid = gid_t(spec.credentials?.gid ?? 0)
                                    attr.groups = groupBuffer.baseAddress
                                    attr.ngroups = groupBuffer.count
                                    attr.path = path
                                    attr.argv = argvBuffer.baseAddress.map { UnsafePointer($0) }
                                    attr.envp = envpBuffer.baseAddress.map { UnsafePointer($0) }
                                    attr.signals = statePointer
                                    attr.inherit_fds = 0
                                    return body(&attr)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let text else { return body(nil) }
        return text.withCString { body($0) }
    }

    /// Whether an exec failed with ENOENT although the program is there: then what is missing is
    /// the program's interpreter (rkt's stage1 ran a /diagnostic program for this).
    static func missingInterpreter(_ spec: LaunchSpec, _ result: sk_exec_result) -> Bool {
        guard Int(result.stage) == Int(SK_EXEC_EXEC.rawValue), result.error == ENOENT else { return false }
        let inside = spec.path.hasPrefix("/") ? spec.path : spec.workingDirectory + "/" + spec.path
        // No root: the program was looked up in the current one (a caller that chrooted itself).
        guard let confined = try? ConfinedRoot(spec.root ?? "/"), let st = confined.status(inside) else { return false }
        return st.st_mode & S_IFMT == S_IFREG
    }

    /// One line naming the failed step of `spec` (a result of sk_exec's stages).
    public static func failure(_ spec: LaunchSpec, _ result: sk_exec_result) -> SkiffError {
        let step: String
        switch Int(result.stage) {
        case Int(SK_EXEC_PIPE.rawValue): step = "create the exec report pipe"
        case Int(SK_EXEC_FORK.rawValue): step = "fork"
        case Int(SK_EXEC_CHROOT.rawValue): step = "chroot \(quote(spec.root ?? "/"))"
        case Int(SK_EXEC_CHDIR.rawValue): step = "working directory \(quote(spec.workingDirectory))"
        case Int(SK_EXEC_SETGROUPS.rawValue):
            step = "supplementary groups \((spec.credentials?.groups ?? []).map(String.init).joined(separator: ","))"
        case Int(SK_EXEC_SETGID.rawValue): step = "group id \(spec.credentials?.gid ?? 0)"
        case Int(SK_EXEC_SETUID.rawValue): step = "user id \(spec.credentials?.uid ?? 0)"
        default:
            step = "exec \(quote(spec.path))" + (missingInterpreter(spec, result) ? " (it exists: its ELF or #! interpreter is missing in the root)" : "")
        }
        return SkiffError.system("\(spec.subject): \(step)", errno: result.error)
    }
}
