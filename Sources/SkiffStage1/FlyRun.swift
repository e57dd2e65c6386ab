// fly's `run`: one app, chrooted into its root with the host's namespaces, forked and waited for
// so its exit status is recorded (rkt's fly exec'd the app and lost it).
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffSystem

/// The fly flavor's `run` entrypoint (docs/stage1-abi.md "Running"; the fly row of "The flavors
/// Skiff ships").
public enum FlyRun {
    /// Runs the pod whose directory is the current directory and exits with the app's status,
    /// or 254 when fly fails before the app ran (no `pid`, no status file then).
    public static func main(_ argv: [String], environment: [String: String], signals: SignalSnapshot) -> Never {
        var reporter = Stage1Reporter(flavor: "fly")
        let arguments = reporter.runArguments(argv)
        let mounts = MountStack()
        do {
            let status = try run(arguments, environment: environment, signals: signals, mounts: mounts, reporter: reporter)
            mounts.unmountAll(reporter)
            exit(status)
        } catch {
            mounts.unmountAll(reporter)
            reporter.fail(error)
        }
    }

    static func run(
        _ arguments: RunArguments, environment: [String: String], signals: SignalSnapshot, mounts: MountStack,
        reporter: Stage1Reporter
    ) throws -> Int32 {
        let paths = PodPaths(root: try currentDirectory())
        // Kept open (close-on-exec) until fly exits: the pod reads as running exactly that long.
        _ = try LockHandover.adopt(environment: environment, podDirectory: paths.root)
        if let network = arguments.networks.first(where: { $0 != "host" }) {
            throw SkiffError(.usage, "network \(quote(network)): fly shares the host's network, only --net=host is possible")
        }
        if arguments.privateUsers {
            throw SkiffError(.usage, "--private-users: fly runs the app with the host's users, it has no user namespace (use the container stage1)")
        }
        if let hostname = arguments.hostname { reporter.debug("hostname \(quote(hostname)) ignored: fly shares the host's") }
        let manifest = try PodManifest.parse(try FileSystem.read(paths.manifest))
        guard manifest.apps.count == 1, let app = manifest.apps.first else {
            throw SkiffError(.usage, "pod \(arguments.uuid): fly runs a single app, the pod has \(manifest.apps.count)")
        }
        let name = app.name.value
        guard let section = app.app else {
            throw SkiffError(.invalid, "app \(quote(name)): no app section in the pod manifest (stage0 writes it reified)")
        }
        guard let program = section.exec.first else {
            throw SkiffError(.invalid, "app \(quote(name)): nothing to execute (the image has no exec; try --exec)")
        }
        let appRoot = paths.appRootfs(name)
        guard FileSystem.isDirectory(appRoot) else {
            throw SkiffError(.notFound, "app \(quote(name)): root \(quote(appRoot)): not a directory")
        }

        try FlyMounts.setUp(app: app, manifest: manifest, paths: paths, appRoot: appRoot, mounts: mounts, reporter: reporter)
        // Resolved after the mounts, as rkt's fly did: a user given as a path may name a file
        // on a volume.
        let root = try ConfinedRoot(appRoot)
        let ids = try Identity.resolve(user: section.user, group: section.group, in: root, app: name)
        let env = AppEnvironment.compose(
            app: app, interactive: arguments.interactive, callerTerm: environment["TERM"], home: Identity.home(uid: ids.uid, in: root))
        let workingDirectory = section.workingDirectory ?? "/"
        let path = try ExecLookup.resolve(
            program, path: AppEnvironment.value("PATH", in: env) ?? AppEnvironment.defaultPath, root: appRoot,
            workingDirectory: workingDirectory, app: name)
        reporter.debug("app \(quote(name)): exec \(quote(path)) as \(ids.uid):\(ids.gid) in \(quote(workingDirectory))")

        try Supervisor.prepare()
        let spec = LaunchSpec(
            root: appRoot, workingDirectory: workingDirectory, credentials: (ids.uid, ids.gid, section.supplementaryGIDs),
            path: path, argv: section.exec, environment: env, subject: "app \(quote(name))")
        // `pid` is written while the child chroots and executes (the contract asks for it once
        // the process exists), not after: that overlaps the two on a machine with two CPUs.
        var pidError: Error?
        let pid: pid_t
        do {
            pid = try AppLauncher.spawn(spec, signals: signals) { child in
                do { try PodFiles.writePID(child, paths: paths) } catch { pidError = error }
            }
        } catch {
            // The exec failed: the PID written names nobody now.
            if pidError == nil { PodFiles.clearPID(paths: paths) }
            throw error
        }
        if let pidError {
            // Without `pid` nobody can stop or enter the pod: do not leave the app running unseen.
            kill(pid, SIGKILL)
            _ = try? Supervisor.wait(for: pid)
            throw pidError
        }
        let status = try Supervisor.wait(for: pid)
        reporter.debug("app \(quote(name)): exited with status \(status)")
        do {
            try PodFiles.writeStatus(status, app: name, paths: paths)
        } catch {
            reporter.warn("\(error)")
        }
        return status
    }

    /// The absolute path of the current directory (the pod directory, by contract).
    static func currentDirectory() throws -> String { try Stage1Entrypoint.podDirectory() }
}
