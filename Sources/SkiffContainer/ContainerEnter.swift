// The container flavor's `enter`: a command in a running app's namespaces, root and cgroups, with
// the app's environment and isolators, as root (an administrator's tool, like fly's enter and
// rkt's; EnterIsolation.swift says what it carries).
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffImage
import SkiffStage1
import SkiffSystem

/// The `enter` entrypoint.
public enum ContainerEnter {
    /// The shell an empty command means.
    public static let defaultCommand = ["/bin/sh"]

    /// The namespaces joined, in this order: mount last, because joining it changes this process's
    /// root, and every descriptor is opened from the host's /proc before.
    static let namespaces: [(name: String, type: Int32)] = [
        ("ipc", Int32(SK_CLONE_NEWIPC)), ("uts", Int32(SK_CLONE_NEWUTS)), ("net", Int32(SK_CLONE_NEWNET)),
        ("pid", Int32(SK_CLONE_NEWPID)), ("mnt", Int32(SK_CLONE_NEWNS)),
    ]

    /// Runs the command and exits with its status, or 254.
    public static func main(_ argv: [String], environment: [String: String], signals: SignalSnapshot) -> Never {
        let reporter = Stage1Reporter(flavor: flavorName)
        do {
            let arguments = try EnterArguments(parsing: argv)
            let paths = PodPaths(root: try Stage1Entrypoint.podDirectory())
            let manifest = try PodManifest.parse(try FileSystem.read(paths.manifest))
            guard let app = manifest.app(named: arguments.appName) else {
                throw SkiffError(.notFound, "enter app \(quote(arguments.appName)): not in the pod")
            }
            guard PodProcesses.isInit(arguments.pid, paths: paths) else {
                throw SkiffError(.invalid, "enter app \(quote(arguments.appName)): process \(arguments.pid) is not the pod's init")
            }
            let target = try PodProcesses.waitForApp(init: arguments.pid, app: arguments.appName, paths: paths)
            // Host paths (its cgroups) are read before the root changes.
            let isolation = try EnterIsolation.prepare(app, target: target, paths: paths)
            try join(target, app: arguments.appName)
            let env = AppEnvironment.compose(
                app: app, interactive: isatty(0) == 1, callerTerm: environment["TERM"], home: Identity.home(uid: 0, root: "/"))
            let command = arguments.command.isEmpty ? defaultCommand : arguments.command
            let workingDirectory = app.app?.workingDirectory ?? "/"
            let path = try ExecLookup.resolve(
                command[0], path: AppEnvironment.value("PATH", in: env) ?? AppEnvironment.defaultPath, root: "/",
                workingDirectory: workingDirectory, app: arguments.appName)
            let spec = LaunchSpec(
                root: nil, workingDirectory: workingDirectory, credentials: (0, 0, []), path: path, argv: command, environment: env,
                subject: "enter app \(quote(arguments.appName))")
            // setns into a PID namespace moves only the children: the command is forked, and
            // this process waits for it, forwarding SIGTERM and SIGHUP as the run process does.
            try Supervisor.prepare()
            let pid = try isolation.spawn(spec, signals: signals)
            exit(try Supervisor.wait(for: pid))
        } catch {
            reporter.fail(error)
        }
    }

    /// Joins the namespaces of process `pid` (an app's main process) and chroots into its root.
    static func join(_ pid: pid_t, app: String) throws {
        let subject = "enter app \(quote(app))"
        var descriptors: [(FileDescriptor, Int32, String)] = []
        for namespace in namespaces {
            let path = "/proc/\(pid)/ns/\(namespace.name)"
            descriptors.append((try FileDescriptor.open(path, O_RDONLY), namespace.type, path))
        }
        let root = try FileDescriptor.open("/proc/\(pid)/root", SK_O_PATH | O_DIRECTORY)
        let user = try EnterIsolation.userNamespace(of: pid, subject: subject)
        for (fd, type, path) in descriptors {
            try check("\(subject): join \(quote(path))") { sk_setns(fd.raw, type) }
        }
        if let user { try check("\(subject): join its user namespace") { sk_setns(user.raw, Int32(SK_CLONE_NEWUSER)) } }
        try check("\(subject): enter its root") { fchdir(root.raw) }
        try check("\(subject): chroot into its root") { chroot(".") }
    }
}
