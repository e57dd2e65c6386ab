// fly's `enter`, `stop` and `gc`, and the dispatch of the fly binary.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffImage
import SkiffSystem

/// The fly binary: `/fly` in the stage1 image, started as `/fly-run`, `/fly-enter`, `/fly-stop`
/// or `/fly-gc`.
public enum FlyMain {
    /// Dispatches on the name the binary was started as; never returns.
    public static func main(_ argv: [String]) -> Never {
        // First of all, before fly changes any disposition: what the app must inherit.
        let signals = SignalSnapshot()
        let reporter = Stage1Reporter(flavor: "fly")
        guard let (operation, arguments) = Stage1Entrypoint.split(argv) else {
            reporter.fail(SkiffError(.usage, "entrypoint \(quote(argv.first ?? "")): start fly as fly-run, fly-enter, fly-stop or fly-gc"))
        }
        // What fly reads of its environment: the lock handed over, and TERM for the app.
        let environment = Stage1Entrypoint.environment(only: [Stage1Contract.lockFDVariable, "TERM"])
        switch operation {
        case .run: FlyRun.main(arguments, environment: environment, signals: signals)
        case .enter: FlyEnter.main(arguments, environment: environment, signals: signals)
        case .stop: FlyStop.main(arguments)
        case .gc: FlyGC.main(arguments)
        }
    }
}

/// fly's `enter`: the command runs chrooted in the app's root with the app's environment, as
/// root (like rkt's fly enter before it learnt app credentials: `enter` is an administrator's
/// tool), with the host's namespaces. fly becomes the command, so its status is the command's.
public enum FlyEnter {
    /// The shell an empty command means.
    public static let defaultCommand = ["/bin/sh"]

    /// Never returns: becomes the command, or exits 254.
    public static func main(_ argv: [String], environment: [String: String], signals: SignalSnapshot) -> Never {
        let reporter = Stage1Reporter(flavor: "fly")
        do {
            let arguments = try EnterArguments(parsing: argv)
            let paths = PodPaths(root: try FlyRun.currentDirectory())
            let manifest = try PodManifest.parse(try FileSystem.read(paths.manifest))
            guard let app = manifest.app(named: arguments.appName) else {
                throw SkiffError(.notFound, "enter app \(quote(arguments.appName)): not in the pod")
            }
            let appRoot = paths.appRootfs(arguments.appName)
            guard try FlyProcess.runs(arguments.pid, in: appRoot) else {
                throw SkiffError(.invalid, "enter app \(quote(arguments.appName)): process \(arguments.pid) is not running in its root")
            }
            let root = try ConfinedRoot(appRoot)
            let env = AppEnvironment.compose(
                app: app, interactive: isatty(0) == 1, callerTerm: environment["TERM"], home: Identity.home(uid: 0, in: root))
            let command = arguments.command.isEmpty ? defaultCommand : arguments.command
            let workingDirectory = app.app?.workingDirectory ?? "/"
            let path = try ExecLookup.resolve(
                command[0], path: AppEnvironment.value("PATH", in: env) ?? AppEnvironment.defaultPath, root: appRoot,
                workingDirectory: workingDirectory, app: arguments.appName)
            let spec = LaunchSpec(
                root: appRoot, workingDirectory: workingDirectory, credentials: nil, path: path, argv: command,
                environment: env, subject: "enter app \(quote(arguments.appName))")
            try AppLauncher.execute(spec, signals: signals)
        } catch {
            reporter.fail(error)
        }
    }
}

/// fly's `stop`: SIGTERM (`--force`: SIGKILL) to the app, the process `pid` names. A process
/// that is gone, or whose root is no longer the app's (its PID was reused), is already stopped.
public enum FlyStop {
    /// Exits 0 once the signal is delivered or the app is gone, 254 otherwise.
    public static func main(_ argv: [String]) -> Never {
        let reporter = Stage1Reporter(flavor: "fly")
        do {
            let arguments = try StopArguments(parsing: argv)
            let paths = PodPaths(root: try FlyRun.currentDirectory())
            try PodStopSignal.send(uuid: arguments.uuid, paths: paths, force: arguments.force, what: "the app") { pid in
                let manifest = try PodManifest.parse(try FileSystem.read(paths.manifest))
                return try manifest.apps.contains { try FlyProcess.runs(pid, in: paths.appRootfs($0.name.value)) }
            }
            exit(0)
        } catch {
            reporter.fail(error)
        }
    }
}

/// fly's `gc`: fly creates nothing outside the pod directory (its mounts are inside it, taken
/// down when the app ends, and stage0 unmounts any left by a killed fly), so there is nothing
/// to release. Idempotent by construction.
public enum FlyGC {
    /// Exits 0 for valid arguments, 254 otherwise.
    public static func main(_ argv: [String]) -> Never {
        do {
            _ = try GCArguments(parsing: argv)
            exit(0)
        } catch {
            Stage1Reporter(flavor: "fly").fail(error)
        }
    }
}

/// Facts about a pod's processes, from /proc.
enum FlyProcess {
    /// Whether process `pid` exists and its root directory is `root`; false when it is gone.
    static func runs(_ pid: Int32, in root: String) throws -> Bool {
        var process = stat()
        if stat("/proc/\(pid)/root", &process) < 0 {
            if errno == ENOENT || errno == ESRCH { return false }
            throw SkiffError.system("stat the root of process \(pid)")
        }
        var expected = stat()
        if stat(root, &expected) < 0 {
            if errno == ENOENT { return false }
            throw SkiffError.system("stat \(quote(root))")
        }
        return process.st_dev == expected.st_dev && process.st_ino == expected.st_ino
    }
}
