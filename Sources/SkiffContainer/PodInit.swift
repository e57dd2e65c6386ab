// The pod's init, PID 1 of the pod's PID namespace: a fork of the run process (no exec: it
// starts with its plan in memory and costs no second program start). It mounts what must be
// mounted from inside the pod's PID namespace, pivots into the stage1 root, then supervises the
// apps. Everything it does after the fork was prepared as C data beforehand, and its hot path
// formats no text: its peak RSS, the pod's own memory cost, stays small.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffStage1
import SkiffSystem

/// The init's life: the last set-up steps (failing with 254 before any app ran), then supervision.
enum PodInit {
    /// The signals the init waits for with sigtimedwait: blocked for its whole life. (SIGINT and
    /// SIGQUIT stay ignored, as the run process set them: a terminal sends them to the apps too.)
    static let waitedSignals: [Int32] = [SIGCHLD, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2]

    /// Runs in the forked child; never returns.
    static func main(_ plan: InitPlan, supervisor: InitSupervisor, lifeline: Int32, reporter: Stage1Reporter) -> Never {
        do {
            // Die with the run process: the pod is its caller's foreground job.
            try check("set the init's parent death signal") { sk_set_parent_death_signal(SIGKILL) }
            // No app may reach the stage1's binary or memory through /proc/1 (docs/security.md).
            try check("make the init non-dumpable") { sk_set_dumpable(0) }
            var poll = pollfd(fd: lifeline, events: Int16(POLLIN), revents: 0)
            if Glibc.poll(&poll, 1, 0) != 0 { _exit(Stage1Contract.failureStatus) }  // hung up: it died first
            close(lifeline)
            var set = sigset_t()
            sigemptyset(&set)
            for signal in waitedSignals { sigaddset(&set, signal) }
            try check("block the init's signals") { sigprocmask(SIG_BLOCK, &set, nil) }
            try setUp(plan)
            // _exit: nothing is buffered (every line is one write), and exit's handlers would
            // only map more code.
            _exit(supervisor.run())
        } catch {
            reporter.fail(error)
        }
    }

    /// A mount namespace of the init's own (a copy of the run process's), /proc and /etc/hostname
    /// of every app, pivot_root into the stage1 root.
    static func setUp(_ plan: InitPlan) throws {
        try check("unshare the init's mount namespace") { sk_unshare(Int32(SK_CLONE_NEWNS)) }
        for mount in plan.procMounts {
            if Glibc.mount("proc", mount.proc.pointer, "proc", UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC), nil) < 0 {
                throw SkiffError.system("mount proc on \(quote(mount.proc.string))")
            }
            if Glibc.mount(mount.hostnameSource.pointer, mount.hostname.pointer, nil, UInt(MS_BIND), nil) < 0 {
                throw SkiffError.system("bind \(quote(mount.hostnameSource.string)) on \(quote(mount.hostname.string))")
            }
        }
        try plan.masks?.apply()
        // pivot_root(".", ".") with the new root as working directory stacks the old root on top
        // of the new one; detaching it leaves the stage1 root alone (runc's way: no put_old).
        if chdir(plan.stage1Root.pointer) < 0 { throw SkiffError.system("chdir \(quote(plan.stage1Root.string))") }
        if sk_pivot_root(".", ".") < 0 { throw SkiffError.system("pivot_root into \(quote(plan.stage1Root.string))") }
        if umount2(".", Int32(MNT_DETACH)) < 0 { throw SkiffError.system("detach the host's root") }
        if chdir("/") < 0 { throw SkiffError.system("chdir / in the stage1 root") }
    }
}
