// `--private-users` (docs/security.md "User namespaces"): every app of the pod runs in a user
// namespace of its own that maps ids 0-65535 to the pod's 65536 host ids, allocated from a file
// in the data directory so that two pods never share a range (rkt picked a random range and could
// collide). The app roots (the pod's overlay, or its copy) have their ownership shifted into the
// range once, when the pod starts; volumes are not shifted (the host's files keep their owners;
// an app sees them as owned by nobody unless prepared for the range), as with rkt. The stage1
// itself (run process, init) stays in the host's user namespace: it needs the host's files.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffIsolation
import SkiffStage1
import SkiffSystem

/// The pod's id range.
enum PodUsers {
    /// The allocation file, in the data directory (three levels above a pod directory:
    /// `<data>/pods/<state>/<uuid>`), shared by every pod of that data directory.
    static func allocations(_ paths: PodPaths) -> String {
        FileSystem.parentPath(FileSystem.parentPath(FileSystem.parentPath(paths.root))) + "/userns-ranges"
    }

    /// With `--private-users`: the pod's range (allocated once per pod, avoiding /etc/subuid's
    /// ranges), every app root shifted into it. Nil without the flag.
    static func prepare(_ launch: PodLaunch, reporter: Stage1Reporter) throws -> IDRange? {
        guard launch.arguments.privateUsers else { return nil }
        let avoided = try UserNamespace.subordinateRanges("/etc/subuid") + UserNamespace.subordinateRanges("/etc/subgid")
        let range = try UserNamespace.allocate(owner: launch.arguments.uuid, file: allocations(launch.paths), avoiding: avoided)
        for app in launch.manifest.apps {
            let root = launch.paths.appRootfs(app.name.value)
            let report = try OwnershipShift.shift(tree: root, by: range)
            reporter.debug(
                "app \(quote(app.name.value)): ownership shifted by \(range.start) (\(report.shifted) entries, \(report.unmapped) unmapped)")
        }
        return range
    }

    /// gc: gives the pod's range back. Idempotent.
    static func release(paths: PodPaths) throws {
        let file = allocations(paths)
        guard FileSystem.exists(file) else { return }
        try UserNamespace.release(owner: FileSystem.baseName(paths.root), file: file)
    }

    /// The init's side of sk_userns, for the child `pid` of app `name`: waits for the child's
    /// new namespace, writes its maps through the app's /proc (the pod's PID namespace, as the
    /// init sees it after pivot_root), and lets it go on. On failure the child is told so and
    /// fails with EPERM, which it reports.
    static func map(pid: pid_t, app name: String, range: IDRange, ready: Int32, go: Int32) {
        var byte: UInt8 = 0
        var ok = read(ready, &byte, 1) == 1
        if ok {
            do {
                try UserNamespace.writeMaps(pid: pid, range: range, proc: "/opt/stage2/" + name + "/rootfs/proc")
            } catch {
                ok = false
            }
        }
        byte = ok ? 1 : 0
        _ = write(go, &byte, 1)
    }
}
