// The container flavor's `run`, host side: checks the pod, forks the pod's init into a new PID
// namespace, writes `pid`, and waits for the init as the caller's foreground process, so the pod
// lives exactly as long as `skiff run` (killing it kills the pod, as with crun run or nspawn).
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffImage
import SkiffStage1
import SkiffSystem

/// Everything the pod's init needs, settled on the host side before the fork (so the init
/// starts with it in memory and reads nothing twice).
struct PodLaunch {
    /// The parsed `run` arguments.
    let arguments: RunArguments
    /// The reified pod manifest.
    let manifest: PodManifest
    /// The pod directory, absolute.
    let paths: PodPaths
    /// The pod's hostname (`--hostname`, default `skiff-<uuid>` as rkt's `rkt-<uuid>`).
    let hostname: String
    /// The pod's network: stage0's namespace, one with loopback only, or the caller's.
    let network: PodNetworkJoin.Mode
    /// true with `--net=none`: the pod unshares a network namespace of its own.
    var ownNetwork: Bool { network == .own }
    /// The terminal bound on /dev/console (`--interactive` on a terminal), else nil.
    let console: String?
    /// The caller's TERM, for interactive apps.
    let callerTerm: String?
    /// The dispositions and mask the stage1 started with (what every app gets back).
    let signals: SignalSnapshot
}

/// The `run` entrypoint (docs/stage1-abi.md "Running", docs/stage1-container.md).
public enum ContainerRun {
    /// Runs the pod whose directory is the current directory; exits with the pod's status, 254
    /// when the stage1 fails before any app ran.
    public static func main(_ argv: [String], environment: [String: String], signals: SignalSnapshot) -> Never {
        var reporter = Stage1Reporter(flavor: flavorName)
        let arguments = reporter.runArguments(argv)
        do {
            let launch = try prepare(arguments, environment: environment, signals: signals)
            exit(try run(launch, reporter: reporter))
        } catch {
            reporter.fail(error)
        }
    }

    /// The checks that need no namespace: the lock, the flags, the manifest, the app roots.
    static func prepare(_ arguments: RunArguments, environment: [String: String], signals: SignalSnapshot) throws -> PodLaunch {
        let paths = PodPaths(root: try Stage1Entrypoint.podDirectory())
        // Kept open (close-on-exec) by this process and the init: the pod reads as running until
        // both are gone.
        _ = try LockHandover.adopt(environment: environment, podDirectory: paths.root)
        let network = try PodNetworkJoin.mode(networks: arguments.networks, namespace: arguments.networkNamespace)
        let manifest = try PodManifest.parse(try FileSystem.read(paths.manifest))
        guard !manifest.apps.isEmpty else { throw SkiffError(.invalid, "pod \(arguments.uuid): no app to run") }
        if arguments.interactive && manifest.apps.count > 1 {
            throw SkiffError(.usage, "pod \(arguments.uuid): --interactive gives the terminal to one app, the pod has \(manifest.apps.count)")
        }
        for app in manifest.apps {
            let name = app.name.value
            guard let section = app.app else {
                throw SkiffError(.invalid, "app \(quote(name)): no app section in the pod manifest (stage0 writes it reified)")
            }
            guard !section.exec.isEmpty else {
                throw SkiffError(.invalid, "app \(quote(name)): nothing to execute (the image has no exec; try --exec)")
            }
            guard FileSystem.isDirectory(paths.appRootfs(name)) else {
                throw SkiffError(.notFound, "app \(quote(name)): root \(quote(paths.appRootfs(name))): not a directory")
            }
        }
        let hostname = arguments.hostname ?? "skiff-" + arguments.uuid
        // HOST_NAME_MAX; sethostname would say EINVAL, this says why.
        guard hostname.utf8.count <= 64 else {
            throw SkiffError(.usage, "hostname \(quote(hostname)): longer than 64 bytes")
        }
        var console: String?
        if arguments.interactive, isatty(0) == 1, let name = ttyname(0) { console = String(cString: name) }
        return PodLaunch(
            arguments: arguments, manifest: manifest, paths: paths, hostname: hostname, network: network,
            console: console, callerTerm: environment["TERM"], signals: signals)
    }

    /// Forks the init into a new PID namespace, writes `pid`, waits for the init (forwarding
    /// SIGTERM and SIGHUP a process sends to this one), and returns the pod's status.
    static func run(_ launch: PodLaunch, reporter: Stage1Reporter) throws -> Int32 {
        try Supervisor.prepare()
        let plan = try PodSetup.run(launch, reporter: reporter)
        // Made here, not in the init: the runtime's first use of a type (metadata set-up, a class
        // above all) runs much code, which the init would map and count as its own.
        let supervisor = InitSupervisor(apps: plan.apps, reporter: reporter)
        // The init's lifeline: the write end stays open (close-on-exec) in this process only, so
        // the init sees the read end hang up if this process died before its death signal was set.
        var lifeline: [Int32] = [-1, -1]
        try check("create the init's lifeline pipe") { sk_pipe2(&lifeline, 0) }
        // Only children move into the new PID namespace: the init will be its PID 1.
        try check("unshare the PID namespace") { sk_unshare(Int32(SK_CLONE_NEWPID)) }
        let pid = plan.cgroups?.forkInit() ?? sk_fork()
        if pid < 0 {
            let error = SkiffError.system("fork the pod's init")  // errno, before the clean-up changes it
            plan.cgroups?.remove(reporter: reporter)
            throw error
        }
        if pid == 0 {
            close(lifeline[1])
            PodInit.main(plan, supervisor: supervisor, lifeline: lifeline[0], reporter: reporter)
        }
        close(lifeline[0])
        do {
            try PodFiles.writePID(pid, paths: launch.paths)
        } catch {
            // Without `pid` nobody can stop or enter the pod: do not leave it running unseen.
            kill(pid, SIGKILL)
            _ = try? Supervisor.wait(for: pid)
            plan.cgroups?.remove(reporter: reporter)
            throw error
        }
        var usage = rusage()
        let raw = try Supervisor.waitStatus(for: pid, usage: &usage)
        let status = Supervisor.exitStatus(raw)
        plan.cgroups?.remove(reporter: reporter)
        reporter.debug("init exited with status \(status), peak RSS \(usage.ru_maxrss) KiB")
        if raw & 0x7f != 0 { recordKilled(status, launch: launch, reporter: reporter) }
        return status
    }

    /// The init was killed (`stop --force`, or a signal from outside): the kernel killed every
    /// app with it, and nobody recorded their statuses. Record 128 + N for every app that has none.
    static func recordKilled(_ status: Int32, launch: PodLaunch, reporter: Stage1Reporter) {
        for app in launch.manifest.apps where (try? PodFiles.readStatus(app: app.name.value, paths: launch.paths)) == nil {
            do {
                try PodFiles.writeStatus(status, app: app.name.value, paths: launch.paths)
            } catch {
                reporter.warn("\(error)")
            }
        }
    }
}
