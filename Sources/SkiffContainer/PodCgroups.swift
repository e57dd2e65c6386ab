// The pod's cgroups (docs/security.md "cgroups"): one node per pod below the caller's cgroups,
// one child per app, `_init` for the pod's init. Placement is SkiffIsolation's cheap-join one:
// on a host with a cgroup2 mount (unified or hybrid) every process is created inside its v2
// cgroup with clone3 CLONE_INTO_CGROUP and the device restriction is a BPF program there; v1
// hierarchies are used only for the memory and cpu limits an app asks for (joined by the app's
// child before execve, a 5-15 ms migration paid by that app only). The directories are recorded
// in the pod directory before they are created, so gc removes them whatever happened to the run.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffImage
import SkiffIsolation
import SkiffStage1
import SkiffSystem

/// The pod's cgroup node, made by the run process before it forks the init.
final class PodCgroups {
    /// The file in the pod directory that lists the pod's cgroup directories (for gc).
    static let recordName = "cgroups"
    /// The init's leaf (app names cannot start with "_").
    static let initLeaf = "_init"

    /// The host's hierarchies.
    let layout: CgroupLayout
    /// `skiff-<uuid>` in each hierarchy used.
    let pod: CgroupNode
    /// The init's v2 leaf, opened for clone3; nil without a cgroup2 mount.
    let initDirectory: FileDescriptor?
    /// The record of the directories, in the pod directory.
    let record: String

    /// The device program's attach, running while the pod's mounts are made (`finish` waits).
    private let devicesLoad: DeviceProgramLoad?

    private init(layout: CgroupLayout, pod: CgroupNode, initDirectory: FileDescriptor?, record: String, devicesLoad: DeviceProgramLoad?) {
        self.devicesLoad = devicesLoad
        self.layout = layout
        self.pod = pod
        self.initDirectory = initDirectory
        self.record = record
    }

    /// The controllers `app` needs: memory and cpu for its limits, devices unless paths are
    /// lifted.
    static func limits(of app: RuntimeApp, switches: IsolationSwitches) throws -> CgroupLimits {
        try CgroupLimits.resolve(isolators: app.app?.isolators ?? [], restrictDevices: !switches.disablePaths)
    }

    /// Creates the pod's node (recorded first in the pod directory). Nil when the host has no
    /// cgroup2 mount and no app needs a controller: then the pod has no cgroup (a v1-only host
    /// would pay a migration per pod only to track it).
    static func create(manifest: PodManifest, uuid: String, switches: IsolationSwitches, paths: PodPaths) throws -> PodCgroups? {
        var controllers = Set<CgroupController>()
        for app in manifest.apps {
            let limits = try limits(of: app, switches: switches)
            if limits.memoryBytes != nil { controllers.insert(.memory) }
            if limits.cpuMillicores != nil || limits.cpuShares != nil { controllers.insert(.cpu) }
            if limits.restrictDevices { controllers.insert(.devices) }
        }
        let layout: CgroupLayout
        do {
            layout = try Cgroups.detect()
        } catch where controllers.isEmpty {
            return nil
        } catch {
            throw SkiffError(.notFound, "\(error) (the pod needs cgroups for \(controllers.map(\.rawValue).sorted().joined(separator: ", ")))")
        }
        if layout.unified == nil && controllers.isEmpty { return nil }
        let pod = try CgroupNode.plannedPod(layout: layout, name: "skiff-" + uuid, controllers: controllers)
        let record = paths.root + "/" + recordName
        try FileSystem.writeAtomically(record, Array(pod.record.utf8), durable: false)
        do {
            try pod.create()
            // On v2 the device program goes on the pod's node, once (its descendants, every app
            // and the init, are bound by it): one load instead of one per app.
            var devicesLoad: DeviceProgramLoad?
            if let devices = pod.member(for: .devices), devices.hierarchy.version == 2 {
                devicesLoad = try DeviceProgramLoad(rules: DeviceRule.standard, directory: devices.directory)
            }
            var initDirectory: FileDescriptor?
            if layout.unified != nil {
                let leaf = try pod.child(initLeaf, using: [])
                initDirectory = try leaf.openUnifiedDirectory()
            }
            return PodCgroups(layout: layout, pod: pod, initDirectory: initDirectory, record: record, devicesLoad: devicesLoad)
        } catch {
            try? pod.remove(kill: true, timeout: 1)
            // Tracking alone is not worth failing a pod for (a read-only or undelegated cgroup2
            // mount, in a container): the pod runs without a cgroup. Limits and the device
            // restriction are: secure by default, the error says what to lift.
            if controllers.isEmpty {
                unlink(record)
                return nil
            }
            if let failure = error as? SkiffError, controllers == [.devices] {
                throw SkiffError(failure.code, "\(failure.message) (the pod's device restriction needs it; --insecure-options=paths runs without)", errno: failure.errno)
            }
            throw error
        }
    }

    /// The app's child node with its limits written: in the unified hierarchy always, in a v1
    /// hierarchy only for a limit it sets.
    func appNode(_ app: RuntimeApp, switches: IsolationSwitches) throws -> (node: CgroupNode, limits: CgroupLimits) {
        let limits = try PodCgroups.limits(of: app, switches: switches)
        let node = try pod.child(app.name.value, using: limits.controllers.subtracting([.pids]))
        var own = limits
        if pod.member(for: .devices)?.hierarchy.version == 2 { own.restrictDevices = false }  // the pod's program
        try node.apply(own)
        return (node, limits)
    }

    /// Waits for the device program to be attached (before the init exists); throws if it failed.
    func finish() throws { try devicesLoad?.wait() }

    /// Forks the init inside its leaf (clone3), or plainly without one.
    func forkInit() -> pid_t {
        guard let initDirectory else { return sk_fork() }
        return sk_fork_into_cgroup(initDirectory.raw)
    }

    /// Removes the pod's node once its processes are gone (any left are killed).
    func remove(reporter: Stage1Reporter) {
        try? devicesLoad?.wait()
        do {
            try pod.remove(kill: true)
            unlink(record)
        } catch {
            reporter.warn("\(error)")
        }
    }

    /// gc: removes the directories a run recorded (killing what is left in them), then the
    /// record. Idempotent.
    static func removeRecorded(paths: PodPaths) throws {
        let record = paths.root + "/" + recordName
        guard FileSystem.exists(record) else { return }
        let text = String(decoding: try FileSystem.read(record), as: UTF8.self)
        let directories = text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("/sys/fs/cgroup/") && !$0.contains("/../") }
        try CgroupNode.recorded(directories).remove(kill: true)
        try check("remove \(quote(record))") { unlink(record) == 0 || errno == ENOENT ? 0 : -1 }
    }
}

/// The run flags that lift secure defaults (`--insecure-options=capabilities,seccomp,paths`).
struct IsolationSwitches: Sendable {
    var disableCapabilities = false
    var disableSeccomp = false
    var disablePaths = false
    /// `--private-users`: the pod's range of host ids (PodUsers), once allocated.
    var users: IDRange?

    init(_ arguments: RunArguments) {
        disableCapabilities = arguments.disableCapabilities
        disableSeccomp = arguments.disableSeccomp
        disablePaths = arguments.disablePaths
    }

    /// From the pod's `stage1-options` file (what `enter` sees of the run's flags).
    init(options paths: PodPaths) {
        let lines = (try? FileSystem.read(paths.stage1Options)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let flags = Set(lines.split(separator: "\n").map(String.init))
        disableCapabilities = flags.contains("--disable-capabilities-restriction")
        disableSeccomp = flags.contains("--disable-seccomp")
        disablePaths = flags.contains("--disable-paths")
    }
}
