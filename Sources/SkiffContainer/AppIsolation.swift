// One app's isolation in the container flavor (docs/security.md): capabilities, seccomp,
// no_new_privs, oom_score_adj and its cgroup, prepared by the run process as C data (SkiffIsolation's
// PreparedIsolation) and applied by the app's forked child between fork and execve (sk_exec's
// `isolation`); the event handlers get the same, as root. Also the app's read-only view of its own
// cgroup at /sys/fs/cgroup.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffImage
import SkiffIsolation
import SkiffStage1
import SkiffSystem

/// What the init's child applies to become the app (or one of its event handlers).
final class AppIsolation {
    /// For the main process (its uid).
    let main: PreparedIsolation
    /// For the pre-start and post-stop handlers (root, same bounding set and filter); nil when
    /// the app has none (most apps: not prepared for nothing on every start).
    let handlers: PreparedIsolation?
    /// The app's cgroup, nil when the pod has none.
    let cgroup: CgroupNode?
    /// Its v2 directory, for clone3 CLONE_INTO_CGROUP; nil without a cgroup2 mount.
    let cgroupDirectory: FileDescriptor?
    /// `--private-users`: the pod's range, and the descriptors of the child's handshake (set
    /// afresh before each fork).
    let users: IDRange?
    let userns: UnsafeMutablePointer<sk_userns>?
    let name: String

    private init(
        name: String, main: PreparedIsolation, handlers: PreparedIsolation?, cgroup: CgroupNode?, cgroupDirectory: FileDescriptor?,
        users: IDRange?
    ) {
        self.name = name
        self.main = main
        self.handlers = handlers
        self.cgroup = cgroup
        self.cgroupDirectory = cgroupDirectory
        self.users = users
        userns = users.map { _ in
            let pointer = UnsafeMutablePointer<sk_userns>.allocate(capacity: 1)
            pointer.initialize(to: sk_userns(ready_fd: -1, go_fd: -1))
            return pointer
        }
    }

    deinit { userns?.deallocate() }

    /// The isolation of `app` running as `uid`: its isolators under the lifted defaults, its
    /// cgroup made (below the pod's) with the limits written.
    static func prepare(_ app: RuntimeApp, uid: UInt32, switches: IsolationSwitches, cgroups: PodCgroups?) throws -> AppIsolation {
        let subject = "app \(quote(app.name.value))"
        return try AppMounts.prefixing(subject) {
            let isolators = app.app?.isolators ?? []
            var cgroup: CgroupNode?
            var directory: FileDescriptor?
            var procs: [FileDescriptor] = []
            if let cgroups {
                let node = try cgroups.appNode(app, switches: switches).node
                cgroup = node
                directory = try node.openUnifiedDirectory()
                // v1 members are joined by the child itself (a write of "0"); the v2 one at birth.
                procs = try node.openProcs(skippingUnified: directory != nil)
            }
            let main = try parts(isolators, uid: uid, switches: switches, cgroupProcs: procs)
            let hasHandlers = app.app?.eventHandler("pre-start") != nil || app.app?.eventHandler("post-stop") != nil
            let handlers = hasHandlers ? try parts(isolators, uid: 0, switches: switches, cgroupProcs: []) : nil
            return AppIsolation(
                name: app.name.value, main: main, handlers: handlers, cgroup: cgroup, cgroupDirectory: directory, users: switches.users)
        }
    }

    /// The capability plan, filter, no_new_privs and oom_score_adj for `uid`, packed for C.
    static func parts(_ isolators: [Isolator], uid: UInt32, switches: IsolationSwitches, cgroupProcs: [FileDescriptor]) throws
        -> PreparedIsolation
    {
        let capabilities = try CapabilityPlan.resolve(isolators: isolators, uid: uid, disabled: switches.disableCapabilities)
        let filter = try SeccompFilter.build(isolators: isolators, disabled: switches.disableSeccomp)
        return try PreparedIsolation(
            capabilities: capabilities, seccomp: filter, noNewPrivileges: try ProcessAttributes.noNewPrivileges(isolators: isolators),
            oomScoreAdjust: try ProcessAttributes.oomScoreAdjust(isolators: isolators), uid: uid, cgroupProcs: cgroupProcs)
    }

    /// What happens to each of `app`'s isolators (appc item 93: the ACE says which it enforced
    /// and which it ignored), under the lifted defaults: one line for `--debug`.
    static func report(_ app: RuntimeApp, switches: IsolationSwitches) -> String {
        let isolators = app.app?.isolators ?? []
        let parts = isolators.map { isolator -> String in
            let name = isolator.name.value
            let outcome: String
            switch try? isolator.interpreted() {
            case .memory?, .cpu?, .cpuShares?, .noNewPrivileges?, .oomScoreAdj?: outcome = "enforced"
            case .capabilitiesRetain?, .capabilitiesRemove?:
                outcome = switches.disableCapabilities ? "ignored (--insecure-options=capabilities)" : "enforced"
            case .seccompRetain?, .seccompRemove?: outcome = switches.disableSeccomp ? "ignored (--insecure-options=seccomp)" : "enforced"
            default: outcome = "ignored (not supported by the container stage1)"
            }
            return "\(name): \(outcome)"
        }
        return "app \(quote(app.name.value)): isolators: " + (parts.isEmpty ? "none (the defaults apply)" : parts.joined(separator: "; "))
    }

    /// Forks the app's process inside its v2 cgroup (no migration), or plainly; with
    /// `--private-users`, then maps the user namespace the child makes (PodUsers.map).
    static func fork(_ isolation: AppIsolation?) -> pid_t {
        guard let isolation, let users = isolation.users, let userns = isolation.userns else { return plainFork(isolation) }
        var ready: [Int32] = [-1, -1]
        var go: [Int32] = [-1, -1]
        guard sk_pipe2(&ready, 0) == 0 else { return -1 }
        guard sk_pipe2(&go, 0) == 0 else {
            close(ready[0])
            close(ready[1])
            return -1
        }
        userns.pointee = sk_userns(ready_fd: ready[1], go_fd: go[0])
        let pid = plainFork(isolation)
        if pid != 0 {
            close(ready[1])
            close(go[0])
            if pid > 0 { PodUsers.map(pid: pid, app: isolation.name, range: users, ready: ready[0], go: go[1]) }
            close(ready[0])
            close(go[1])
        }
        return pid
    }

    private static func plainFork(_ isolation: AppIsolation?) -> pid_t {
        guard let directory = isolation?.cgroupDirectory else { return sk_fork() }
        return sk_fork_into_cgroup(directory.raw)
    }

    /// Mounts the app's cgroup view at `<root>/sys/fs/cgroup` (a host path; the app's sysfs is
    /// mounted there already): each of the app's cgroup directories bound read-only, the cgroup2
    /// one on /sys/fs/cgroup itself on a unified host, else one directory per hierarchy
    /// ("unified", "memory", "cpu"...) in a tmpfs made read-only afterwards. `hidingSysFs`: that
    /// tmpfs goes on /sys/fs instead, holding nothing but `cgroup` (so the rest of /sys/fs is
    /// hidden with the same single mount; see PodMasks). The app sees its limits and usage and can
    /// change nothing.
    func mountCgroupView(root: String, hidingSysFs: Bool) throws {
        let members = cgroup?.members ?? []
        let unifiedRoot = members.count == 1 && members[0].hierarchy.mountPoint == "/sys/fs/cgroup"
        let fs = root + "/sys/fs"
        let target = fs + "/cgroup"
        guard FileSystem.isDirectory(target), hidingSysFs || !members.isEmpty else { return }
        let tmpfs = hidingSysFs ? fs : target
        try check("mount tmpfs on \(quote(tmpfs))") {
            mount("cgroup", tmpfs, "tmpfs", UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC), "mode=755,size=16k")
        }
        if hidingSysFs { try check("mkdir \(quote(target))") { mkdir(target, 0o755) } }
        if unifiedRoot {
            try Mounts.bind(members[0].directory, on: target, recursive: false, readOnly: true)
        } else {
            for member in members {
                let point = target + "/" + FileSystem.baseName(member.hierarchy.mountPoint)
                try check("mkdir \(quote(point))") { mkdir(point, 0o755) }
                try Mounts.bind(member.directory, on: point, recursive: false, readOnly: true)
            }
        }
        try Mounts.makeReadOnly(tmpfs, recursive: false)
    }
}
