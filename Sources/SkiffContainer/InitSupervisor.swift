// The init's supervision of the pod, rkt's rules without systemd: every app starts; an app that
// fails (non-zero status) stops the others; when every app has exited (and its post-stop handler
// has run) the pod exits with the first failing app's status, 0 if none failed. SIGTERM stops the
// pod: SIGTERM to every app, SIGKILL to those still running after their stop timeout. Orphans
// the apps leave are reaped (the init is PID 1 of the pod).
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffStage1
import SkiffSystem

/// The init's state and its event loop: one thread, signals blocked and taken with sigtimedwait.
final class InitSupervisor {
    /// One app's progress.
    struct Slot {
        let app: AppPlan
        /// The main process, once started.
        var pid: pid_t = 0
        /// Its status, once it ended.
        var status: Int32 = -1
        /// The post-stop handler's process while it runs.
        var postStop: pid_t = 0
        /// When SIGKILL is due (while stopping), for the main process or the post-stop handler.
        var deadline: Double = .infinity

        var isRunning: Bool { pid > 0 && status < 0 }
        var isActive: Bool { isRunning || postStop > 0 }
    }

    private var slots: [Slot]
    private let reporter: Stage1Reporter
    private let log: InitLog
    /// The first non-zero status of an app (254 when an app could not be started); -1: none.
    private var podStatus: Int32 = -1
    /// Whether the pod is stopping (SIGTERM received, or an app failed).
    private var stopping = false
    private var signals = sigset_t()

    init(apps: [AppPlan], reporter: Stage1Reporter) {
        slots = apps.map { Slot(app: $0) }
        self.reporter = reporter
        log = InitLog(debugging: reporter.debugging)
        sigemptyset(&signals)
        for signal in PodInit.waitedSignals { sigaddset(&signals, signal) }
    }

    /// Starts the apps in order, then supervises until the pod is done; returns its status.
    func run() -> Int32 {
        for index in slots.indices {
            takePendingSignals()
            if stopping { break }
            let pid = start(slots[index].app, handler: false)
            if pid > 0 {
                slots[index].pid = pid
                log.debug("started as PID ", app: slots[index].app, number: pid)
            } else {
                if podStatus < 0 { podStatus = Stage1Contract.failureStatus }
                beginStop()
            }
        }
        while true {
            reapChildren()
            if !anyActive() { return max(podStatus, 0) }
            waitForSignal()
            killOverdue()
        }
    }

    /// Whether an app's main process or post-stop handler still runs (a plain loop: no key path).
    private func anyActive() -> Bool {
        for slot in slots where slot.isActive { return true }
        return false
    }

    // MARK: Processes

    /// Forks the app's main process (or its post-stop handler); the child runs CShim's
    /// sk_app_enter_and_exec and, only if that fails, reports and exits: 254, or the status of a
    /// failed pre-start handler. Returns the PID, or 0 when fork failed (reported).
    private func start(_ app: AppPlan, handler: Bool) -> pid_t {
        guard let attributes = handler ? app.startPostStop : app.startMain else { return 0 }
        let pid = AppIsolation.fork(app.isolation)
        if pid < 0 {
            reporter.report(SkiffError.system("\(app.subject): fork"))
            return 0
        }
        if pid > 0 { return pid }
        var result = sk_exec_result()
        _ = sk_app_enter_and_exec(attributes, &result)
        reporter.report(app.failure(result, handler: handler))
        let preStartStatus = Int(result.stage) == Int(SK_EXEC_PRESTART.rawValue) && Int(result.pre_stage) == Int(SK_EXEC_NONE.rawValue)
        _exit(preStartStatus && result.error > 0 && result.error < 256 ? result.error : Stage1Contract.failureStatus)
    }

    /// Reaps every child that ended: an app's main process (status recorded, the pod stopped if
    /// it failed, its post-stop handler started), a post-stop handler, or an orphan.
    private func reapChildren() {
        while true {
            var raw: Int32 = 0
            let pid = waitpid(-1, &raw, WNOHANG)
            if pid <= 0 { return }  // 0: none ended; -1: no child left
            let status = Supervisor.exitStatus(raw)
            if let index = slots.firstIndex(where: { $0.pid == pid && $0.status < 0 }) {
                appEnded(index, status: status)
            } else if let index = slots.firstIndex(where: { $0.postStop == pid }) {
                slots[index].postStop = 0
                slots[index].deadline = .infinity
                log.debug("post-stop handler exited with status ", app: slots[index].app, number: status)
            } else {
                log.debug("reaped an orphan, PID ", number: pid)
            }
        }
    }

    private func appEnded(_ index: Int, status: Int32) {
        let app = slots[index].app
        slots[index].status = status
        slots[index].deadline = .infinity
        log.debug("exited with status ", app: app, number: status)
        writeStatus(app, status)
        if status != 0 {
            if podStatus < 0 { podStatus = status }
            beginStop()
        }
        if app.startPostStop != nil {
            let pid = start(app, handler: true)
            slots[index].postStop = pid
            if pid > 0 && stopping { slots[index].deadline = now() + app.stopTimeout }
        }
    }

    /// `/skiff/status/<app>`, atomically (a temporary name, then rename), with no allocation.
    private func writeStatus(_ app: AppPlan, _ status: Int32) {
        let fd = open(app.statusTemporary.pointer, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        var ok = fd >= 0
        if ok {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { buffer in
                var count = 0
                var divisor: Int32 = 1
                while divisor <= status / 10 { divisor *= 10 }
                while divisor > 0 {
                    buffer[count] = UInt8(ascii: "0") + UInt8(status / divisor % 10)
                    count += 1
                    divisor /= 10
                }
                buffer[count] = UInt8(ascii: "\n")
                ok = write(fd, buffer.baseAddress, count + 1) == count + 1
            }
            ok = close(fd) == 0 && ok && rename(app.statusTemporary.pointer, app.statusPath.pointer) == 0
        }
        if !ok { reporter.warn("\(app.subject): write its status \(quote(app.statusPath.string)): \(String(cString: strerror(errno)))") }
    }

    // MARK: Stopping

    /// SIGTERM to every running app; SIGKILL is due after each app's stop timeout. Once.
    private func beginStop() {
        guard !stopping else { return }
        stopping = true
        let start = now()
        for index in slots.indices where slots[index].isActive {
            if slots[index].isRunning { kill(slots[index].pid, SIGTERM) }
            slots[index].deadline = start + slots[index].app.stopTimeout
        }
        log.debug("stopping the pod")
    }

    /// SIGKILL to what outlived its deadline.
    private func killOverdue() {
        let time = now()
        for index in slots.indices where slots[index].deadline <= time {
            if slots[index].isRunning { kill(slots[index].pid, SIGKILL) }
            if slots[index].postStop > 0 { kill(slots[index].postStop, SIGKILL) }
            slots[index].deadline = .infinity
            log.debug("killed after its stop timeout", app: slots[index].app)
        }
    }

    // MARK: Signals

    /// Waits for one signal (until the next deadline, if any) and acts on it.
    private func waitForSignal() {
        var info = siginfo_t()
        var next = Double.infinity
        for slot in slots where slot.deadline < next { next = slot.deadline }
        let signal: Int32
        if next.isFinite {
            let remaining = max(0, next - now())
            var timeout = timespec(tv_sec: Int(remaining), tv_nsec: Int((remaining - remaining.rounded(.down)) * 1e9))
            signal = sigtimedwait(&signals, &info, &timeout)
        } else {
            signal = sigwaitinfo(&signals, &info)
        }
        if signal > 0 { handle(signal, info) }
    }

    /// Takes the signals already pending, without waiting (before starting each app).
    private func takePendingSignals() {
        var info = siginfo_t()
        var zero = timespec(tv_sec: 0, tv_nsec: 0)
        while true {
            let signal = sigtimedwait(&signals, &info, &zero)
            if signal <= 0 { return }
            handle(signal, info)
        }
    }

    private func handle(_ signal: Int32, _ info: siginfo_t) {
        switch signal {
        case SIGTERM:
            log.debug("SIGTERM: stopping the pod")
            beginStop()
        case SIGHUP, SIGUSR1, SIGUSR2:
            // The kernel's own SIGHUP (a terminal hanging up) reached the apps already.
            guard info.si_code != 0x80 else { return }
            for slot in slots where slot.isRunning { kill(slot.pid, signal) }
        default:
            break  // SIGCHLD: the loop reaps
        }
    }

    private func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
