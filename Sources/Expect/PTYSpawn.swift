// The Swift half of spawning: resolve the program, build C argv/envp, call the C forkpty helper.
#if canImport(Glibc)
import Glibc
#endif
import CShim

/// A started child: its pid and the pty master.
struct SpawnedChild {
    let pid: pid_t
    let master: Int32
}

enum PTYSpawn {
    /// Starts `argv` on a new pty. Everything the child needs is prepared here, before the fork,
    /// because the child may only run async-signal-safe C until exec.
    static func start(_ argv: [String], options: SpawnOptions) throws(ExpectError) -> SpawnedChild {
        guard let program = argv.first, !program.isEmpty else {
            throw .invalidArgument("spawn: empty argument list")
        }
        let environment = childEnvironment(options)
        let path = try resolve(program, path: environment["PATH"])
        let envStrings = environment.map { "\($0.key)=\($0.value)" }.sorted()

        var result = sk_spawn_result()
        let rc = withCStrings(argv) { cArgv in
            withCStrings(envStrings) { cEnv in
                path.withCString { cPath in
                    withOptionalCString(options.workingDirectory) { cCwd in
                        var attr = sk_spawn_attr(
                            path: cPath, argv: cArgv, envp: cEnv, cwd: cCwd,
                            rows: options.windowSize.rows, cols: options.windowSize.columns,
                            echo: options.echo ? 1 : 0, ignore_sighup: options.ignoreHangup ? 1 : 0)
                        return sk_pty_spawn(&attr, &result)
                    }
                }
            }
        }
        guard rc == 0 else {
            throw .spawnFailed(program: program, operation: stageName(result.stage, options), errno: result.error)
        }
        return SpawnedChild(pid: result.pid, master: result.master)
    }

    /// The inherited (or given) environment with the overrides applied.
    static func childEnvironment(_ options: SpawnOptions) -> [String: String] {
        var env = options.environment ?? currentEnvironment()
        for (key, value) in options.environmentOverrides { env[key] = value }
        return env
    }

    /// This process's environment, read from `environ`.
    static func currentEnvironment() -> [String: String] {
        var env: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let pair = String(cString: entry)
            if let eq = pair.firstIndex(of: "=") {
                env[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            }
            cursor += 1
        }
        return env
    }

    /// execvp's search, done in the parent: a name with a slash is used as is; otherwise the
    /// first executable regular file named so in the child's PATH.
    static func resolve(_ program: String, path: String?) throws(ExpectError) -> String {
        if program.contains("/") { return program }
        let searchPath = path ?? "/usr/local/bin:/usr/bin:/bin"
        var sawDenied = false
        for dir in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + program
            var st = stat()
            guard stat(candidate, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            sawDenied = true
        }
        throw .spawnFailed(program: program, operation: "lookup in PATH", errno: sawDenied ? EACCES : ENOENT)
    }

    static func stageName(_ stage: Int32, _ options: SpawnOptions) -> String {
        switch UInt32(stage) {
        case SK_STAGE_PIPE.rawValue: return "pipe2"
        case SK_STAGE_FORKPTY.rawValue: return "forkpty"
        case SK_STAGE_TERMIOS.rawValue: return "tcsetattr"
        case SK_STAGE_CHDIR.rawValue: return "chdir \(quoted(options.workingDirectory ?? ""))"
        default: return "execve"
        }
    }
}

/// Calls `body` with a NULL-terminated C array of copies of `strings`, freed afterwards.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Calls `body` with a C string, or NULL for nil.
func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
