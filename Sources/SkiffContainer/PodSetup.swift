// The pod's namespaces and mounts, made by the run process before it forks the init: all the
// work that needs the host's paths or much code is done here, so the init, a fork of this
// process, starts small and touches little (its peak RSS is the pod's cost per pod).
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffImage
import SkiffStage1
import SkiffSystem

/// What the init is handed: the apps, ready to start, and the last mounts, as C strings.
struct InitPlan {
    /// The apps, in the pod manifest's order.
    let apps: [AppPlan]
    /// The stage1 root (host path), the init's pivot_root target.
    let stage1Root: CPath
    /// Per app: its /proc and /etc/hostname, which the init mounts (in the pod's PID namespace).
    let procMounts: [AppProcMount]
    /// The masked and read-only paths the init mounts after /proc; nil with `--insecure-options=paths`.
    let masks: PodMasks?
    /// The pod's cgroups, removed by the run process when the init has exited.
    let cgroups: PodCgroups?
}

/// The run process's part of the pod's set-up.
enum PodSetup {
    /// Joins stage0's network namespace (CNI networks), then unshares the pod's mount, UTS, IPC
    /// and (`--net=none`) network namespaces for this process, which the init inherits; sets
    /// the hostname; brings up loopback; mounts the stage1 root, the pod's /dev and every app's
    /// mounts but /proc; resolves the apps. Fails, with 254, before any app ran.
    static func run(_ launch: PodLaunch, reporter: Stage1Reporter) throws -> InitPlan {
        if case .join(let path) = launch.network { try PodNetworkJoin.join(path) }
        var flags = SK_CLONE_NEWNS | SK_CLONE_NEWUTS | SK_CLONE_NEWIPC
        if launch.ownNetwork { flags |= SK_CLONE_NEWNET }
        try check("unshare the pod's mount, UTS, IPC\(launch.ownNetwork ? " and network" : "") namespaces") {
            sk_unshare(Int32(flags))
        }
        // Slave: mounts from the host still propagate in (a recursive volume's later submounts),
        // none of the pod's propagates out.
        try check("make the pod's mounts slaves of the host's") {
            mount(nil, "/", nil, UInt(MS_REC) | UInt(MS_SLAVE), nil)
        }
        try check("set the hostname \(quote(launch.hostname))") {
            launch.hostname.withCString { sk_sethostname($0, strlen($0)) }
        }
        if launch.ownNetwork {
            try check("bring the pod's loopback interface up") { sk_loopback_up() }
        }
        var switches = IsolationSwitches(launch.arguments)
        switches.users = try PodUsers.prepare(launch, reporter: reporter)
        let cgroups = try PodCgroups.create(manifest: launch.manifest, uuid: launch.arguments.uuid, switches: switches, paths: launch.paths)
        do {
            let plan = try setUpMounts(launch, switches: switches, cgroups: cgroups, reporter: reporter)
            try cgroups?.finish()
            return plan
        } catch {
            cgroups?.remove(reporter: reporter)
            throw error
        }
    }

    private static func setUpMounts(_ launch: PodLaunch, switches: IsolationSwitches, cgroups: PodCgroups?, reporter: Stage1Reporter) throws -> InitPlan {
        let stage1 = launch.paths.stage1Rootfs
        // Recursive: the app roots stage0 mounted below it come along; and pivot_root needs a
        // mount point.
        try Mounts.bind(stage1, on: stage1, recursive: true, readOnly: false)
        try PodDevices.create(in: stage1, console: launch.console, reporter: reporter)
        try FileSystem.createDirectory(launch.paths.statusDirectory, mode: 0o755)
        try EtcFiles.prepareGiven(stage1: stage1, hostname: launch.hostname)
        var procMounts: [AppProcMount] = []
        for app in launch.manifest.apps {
            procMounts.append(try AppMounts.setUp(app, launch: launch, stage1: stage1, reporter: reporter))
        }
        // After the mounts: a user named by a path may name a file on a volume (as under fly).
        let apps = try launch.manifest.apps.map { try AppPlan.resolve($0, launch: launch, switches: switches, cgroups: cgroups) }
        for app in launch.manifest.apps { reporter.debug(AppIsolation.report(app, switches: switches)) }
        let masks = switches.disablePaths ? nil : try PodMasks(roots: apps.map { launch.paths.appRootfs($0.name) })
        for app in apps { try app.isolation.mountCgroupView(root: launch.paths.appRootfs(app.name), hidingSysFs: masks != nil) }
        return InitPlan(apps: apps, stage1Root: CPath(stage1), procMounts: procMounts, masks: masks, cgroups: cgroups)
    }
}
