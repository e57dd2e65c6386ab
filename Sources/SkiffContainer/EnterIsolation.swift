// What `enter` carries into the command it runs (docs/security.md "enter"): rkt's enter ran the
// command with the pod's namespaces and nothing else (CVE-2019-10144, -10145, -10147). Here the
// command gets the app's capability bounding set, seccomp filter and no_new_privs (from the pod
// manifest and the run's flags in `stage1-options`), is created inside the app's cgroups, and
// inherits no descriptor but stdin, stdout and stderr. The enter process itself stays outside the
// pod's PID namespace, so nothing in the pod can see it or reach its binary through /proc.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffImage
import SkiffIsolation
import SkiffStage1
import SkiffSystem

/// The entered command's isolation, prepared on the host side before joining the app.
final class EnterIsolation {
    let isolation: PreparedIsolation
    /// The app's v2 cgroup, for clone3 CLONE_INTO_CGROUP; nil if it has none of its own.
    let cgroupDirectory: FileDescriptor?

    private init(isolation: PreparedIsolation, cgroupDirectory: FileDescriptor?) {
        self.isolation = isolation
        self.cgroupDirectory = cgroupDirectory
    }

    /// Reads the cgroups of the app's main process `target` (host paths: before the command's
    /// root changes) and prepares the app's isolators for a root command.
    static func prepare(_ app: RuntimeApp, target: pid_t, paths: PodPaths) throws -> EnterIsolation {
        let switches = IsolationSwitches(options: paths)
        var directory: FileDescriptor?
        var procs: [FileDescriptor] = []
        let mine = try memberships("/proc/self/cgroup")
        let theirs = try memberships("/proc/\(target)/cgroup")
        if let layout = try? Cgroups.detect() {
            for hierarchy in layout.hierarchies {
                let key = hierarchy.version == 2 ? "" : hierarchy.controllers.sorted().joined(separator: ",")
                // Only where the app is in a cgroup other than this process's: a v1 migration
                // costs milliseconds, and the caller's own cgroups are the app's too.
                guard let path = theirs[key], path != mine[key] else { continue }
                let base = hierarchy.callerPath == "/" ? hierarchy.callerDirectory : String(hierarchy.callerDirectory.dropLast(hierarchy.callerPath.count))
                let cgroup = base + (path == "/" ? "" : path)
                if hierarchy.version == 2 {
                    directory = try FileDescriptor.open(cgroup, O_RDONLY | O_DIRECTORY)
                } else {
                    procs.append(try FileDescriptor.open(cgroup + "/cgroup.procs", O_WRONLY))
                }
            }
        }
        let isolation = try AppIsolation.parts(app.app?.isolators ?? [], uid: 0, switches: switches, cgroupProcs: procs)
        return EnterIsolation(isolation: isolation, cgroupDirectory: directory)
    }

    /// The user namespace of `pid`, opened, when it is not this process's (`--private-users`).
    /// The caller joins it last, since joining it leaves no capability over the namespaces the
    /// host's user namespace owns; the command then switches to the namespace's root
    /// (credentials 0:0), which is the pod's first host id.
    static func userNamespace(of pid: pid_t, subject: String) throws -> FileDescriptor? {
        var theirs = stat()
        var mine = stat()
        try check("\(subject): stat its user namespace") { stat("/proc/\(pid)/ns/user", &theirs) }
        try check("\(subject): stat this process's user namespace") { stat("/proc/self/ns/user", &mine) }
        guard theirs.st_ino != mine.st_ino || theirs.st_dev != mine.st_dev else { return nil }
        return try FileDescriptor.open("/proc/\(pid)/ns/user", O_RDONLY)
    }

    /// "controllers (sorted, comma-separated; empty for v2)" → cgroup path, from a /proc cgroup file.
    static func memberships(_ file: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for line in String(decoding: try FileSystem.read(file), as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let key = fields[1].split(separator: ",").map(String.init).sorted().joined(separator: ",")
            result[key] = String(fields[2])
        }
        return result
    }

    /// Forks and executes `spec` with the isolation, inside the app's cgroup; returns the PID
    /// once execve succeeded.
    func spawn(_ spec: LaunchSpec, signals: SignalSnapshot) throws -> pid_t {
        // Between fork and execve the child is this stage1 binary inside the pod's PID namespace:
        // non-dumpable (inherited by the child, reset by execve), its /proc/PID/exe cannot be
        // opened from the pod without CAP_SYS_PTRACE (runc's CVE-2019-5736: reopening the
        // runtime's binary for writing through it).
        try check("make the enter process non-dumpable") { sk_set_dumpable(0) }
        let prepared = PreparedExec(spec, signals: signals)
        prepared.attributes.pointee.isolation = isolation.pointer
        if let cgroupDirectory {
            prepared.attributes.pointee.into_cgroup = 1
            prepared.attributes.pointee.cgroup_fd = cgroupDirectory.raw
        }
        var result = sk_exec_result()
        guard sk_fork_exec_in_root(prepared.attributes, &result) == 0 else {
            if Int(result.stage) >= Int(SK_EXEC_ISOLATION.rawValue) {
                let failure = PreparedIsolation.failure(step: result.stage - Int32(SK_EXEC_ISOLATION.rawValue), errno: result.error)
                throw SkiffError(failure.code, "\(spec.subject): \(failure.message)", errno: failure.errno)
            }
            throw prepared.failure(result)
        }
        return result.pid
    }
}
