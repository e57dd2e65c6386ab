// The container flavor's `stop` and `gc`.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffStage1
import SkiffSystem

/// `stop`: SIGTERM to the pod's init, which stops every app (SIGTERM, then SIGKILL after each
/// app's stop timeout) and ends the pod; `--force`: SIGKILL to the init, and the kernel kills
/// every process of the pod with it at once. Returns once the signal is delivered.
public enum ContainerStop {
    /// Exits 0 once the signal is delivered or the pod is gone, 254 otherwise.
    public static func main(_ argv: [String]) -> Never {
        let reporter = Stage1Reporter(flavor: flavorName)
        do {
            let arguments = try StopArguments(parsing: argv)
            let paths = PodPaths(root: try Stage1Entrypoint.podDirectory())
            try PodStopSignal.send(uuid: arguments.uuid, paths: paths, force: arguments.force, what: "the pod") {
                PodProcesses.isInit($0, paths: paths)
            }
            exit(0)
        } catch {
            reporter.fail(error)
        }
    }
}

/// `gc`: the pod's namespaces and its mounts live in the pod's processes and go with the last
/// of them; its cgroups (recorded in the pod directory) are removed here, processes left in them
/// killed: a stage1 killed with SIGKILL could not remove them itself. Idempotent.
public enum ContainerGC {
    /// Exits 0 for valid arguments, 254 otherwise.
    public static func main(_ argv: [String]) -> Never {
        do {
            _ = try GCArguments(parsing: argv)
            let paths = PodPaths(root: try Stage1Entrypoint.podDirectory())
            try PodCgroups.removeRecorded(paths: paths)
            try PodUsers.release(paths: paths)
            exit(0)
        } catch {
            Stage1Reporter(flavor: flavorName).fail(error)
        }
    }
}
