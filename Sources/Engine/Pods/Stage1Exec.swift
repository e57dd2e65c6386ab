// Handing a pod to its stage1: exec in the same process (run), or run an entrypoint (stop, gc).
#if canImport(Glibc)
import Glibc
#endif
import SkiffPod
import SkiffStage1

/// Starts stage1 entrypoints as docs/stage1-abi.md says: cwd the pod directory, the path inside
/// the pod's stage1 root, stage0's environment (plus the lock for `run`).
enum Stage1Exec {
    /// Replaces this process with the stage1's run entrypoint. Only returns by throwing.
    static func run(_ handle: PodHandle, entrypoint: String, flags: [String], config: EngineConfig) throws -> Never {
        let paths = handle.paths
        let program = paths.stage1Rootfs + entrypoint
        let lockFD = try handle.inheritableLockFD()
        var environment = processEnvironment()
        environment[Stage1Contract.lockFDVariable] = String(lockFD)
        environment[Stage1Contract.dataDirectoryVariable] = config.dataDirectory
        try check("chdir \(quote(paths.root))") { chdir(paths.root) }
        let argv = [program] + flags + [handle.uuid.value]
        try execute(program, argv, environment)
    }

    /// Replaces this process with another entrypoint (enter), cwd the pod directory.
    static func replace(with program: String, arguments: [String], podDirectory: String) throws -> Never {
        try check("chdir \(quote(podDirectory))") { chdir(podDirectory) }
        try execute(program, [program] + arguments, processEnvironment())
    }

    /// Runs an entrypoint to completion (stop, gc) and returns its exit status; its stdout and
    /// stderr are the caller's.
    static func call(_ program: String, arguments: [String], podDirectory: String) throws -> Int32 {
        guard FileSystem.exists(program) else {
            throw SkiffError(.notFound, "stage1 entrypoint \(quote(program)): missing (the pod's stage1 root is gone)")
        }
        let child = try Subprocess.spawn([program] + arguments, stdout: 1, stderr: 2, workingDirectory: podDirectory)
        return try child.wait()
    }

    private static func execute(_ program: String, _ argv: [String], _ environment: [String: String]) throws -> Never {
        var cArgv: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        execve(program, &cArgv, &cEnv)
        let error = errno
        cArgv.forEach { free($0) }
        cEnv.forEach { free($0) }
        throw SkiffError.system("exec stage1 \(quote(program))", errno: error)
    }
}
