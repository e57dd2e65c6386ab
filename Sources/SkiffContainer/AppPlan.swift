// An app resolved the way it will see itself: user and group from its own /etc files (or a file
// on a volume), programs looked up in its PATH, the appc environment, the event handlers and the
// stop timeout; then turned into C attributes the init starts it with.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffImage
import SkiffIsolation
import SkiffStage1
import SkiffSystem

/// One app of the pod, ready to start: everything that can fail for a reason of the pod's own
/// (an unknown user, a missing program or working directory) fails in `resolve`, before any app
/// ran. Made by the run process; used by the init after the fork.
final class AppPlan {
    /// The app's name in the pod, and as a C string (the init's debug lines).
    let name: String
    let nameC: CPath
    /// Its root as the init sees it after pivot_root: /opt/stage2/<name>/rootfs.
    let root: CPath
    /// The main process, and the appc event handlers (run as root in the app's root).
    let main: PreparedExec
    let preStart: PreparedExec?
    let postStop: PreparedExec?
    /// How long a stopping app has between SIGTERM and SIGKILL, in seconds.
    let stopTimeout: Double
    /// Its status file inside the stage1 root, and the temporary name written first.
    let statusPath: CPath
    let statusTemporary: CPath
    /// What the init's forked child does to become the app, or its post-stop handler.
    let startMain: UnsafeMutablePointer<sk_app_attr>
    let startPostStop: UnsafeMutablePointer<sk_app_attr>?
    /// Its capabilities, seccomp filter, no_new_privs, oom_score_adj and cgroup (AppIsolation.swift).
    let isolation: AppIsolation

    /// "app \"name\"", for messages.
    var subject: String { "app \(quote(name))" }

    /// The annotation of a pod manifest app that sets its stop timeout (`skiff run IMAGE
    /// --annotation=skiff.dev/stop-timeout=30s`): seconds, or a number with ms, s or m.
    static let stopTimeoutAnnotation = "skiff.dev/stop-timeout"
    /// The stop timeout without the annotation (docker's; systemd's 90 s is long for a pod).
    static let defaultStopTimeout = 10.0

    private init(
        name: String, readOnlyRoot: Bool, stdinIsNull: Bool, main: PreparedExec, preStart: PreparedExec?,
        postStop: PreparedExec?, stopTimeout: Double, isolation: AppIsolation
    ) {
        self.isolation = isolation
        self.name = name
        nameC = CPath(name)
        let root = CPath("/opt/stage2/" + name + "/rootfs")
        self.root = root
        self.main = main
        self.preStart = preStart
        self.postStop = postStop
        self.stopTimeout = stopTimeout
        statusPath = CPath("/skiff/status/" + name)
        statusTemporary = CPath("/skiff/status/." + name + ".tmp")
        startMain = .allocate(capacity: 1)
        startMain.initialize(
            to: sk_app_attr(
                root: root.pointer, readonly_root: readOnlyRoot ? 1 : 0, stdin_null: stdinIsNull ? 1 : 0,
                pre: preStart.map { UnsafePointer($0.attributes) }, exec: UnsafePointer(main.attributes),
                userns: isolation.userns.map { UnsafePointer($0) }))
        startPostStop = postStop.map { handler in
            let attributes = UnsafeMutablePointer<sk_app_attr>.allocate(capacity: 1)
            attributes.initialize(
                to: sk_app_attr(
                    root: root.pointer, readonly_root: readOnlyRoot ? 1 : 0, stdin_null: 1, pre: nil,
                    exec: UnsafePointer(handler.attributes), userns: isolation.userns.map { UnsafePointer($0) }))
            return attributes
        }
    }

    /// Resolves `app` against its root as mounted in the pod's mount namespace (host path).
    static func resolve(_ app: RuntimeApp, launch: PodLaunch, switches: IsolationSwitches, cgroups: PodCgroups?) throws -> AppPlan {
        let name = app.name.value
        let root = launch.paths.appRootfs(name)
        guard let section = app.app, let program = section.exec.first else {
            throw SkiffError(.invalid, "app \(quote(name)): nothing to execute")  // checked by prepare already
        }
        let ids = try Identity.resolve(user: section.user, group: section.group, root: root, app: name)
        let isolation = try AppIsolation.prepare(app, uid: ids.uid, switches: switches, cgroups: cgroups)
        let interactive = launch.arguments.interactive
        var environment = AppEnvironment.compose(
            app: app, interactive: interactive, callerTerm: launch.callerTerm, home: Identity.home(uid: ids.uid, root: root))
        if let url = launch.arguments.metadataURL { environment.append("AC_METADATA_URL=" + url) }
        let workingDirectory = section.workingDirectory ?? "/"
        // appc G.71: a missing working directory fails the run (here, before any app started).
        guard let st = try ConfinedRoot(root).status(workingDirectory), st.st_mode & S_IFMT == S_IFDIR else {
            throw SkiffError(.notFound, "app \(quote(name)): working directory \(quote(workingDirectory)): not a directory in the app's root")
        }
        let searchPath = AppEnvironment.value("PATH", in: environment) ?? AppEnvironment.defaultPath
        let path = try ExecLookup.resolve(program, path: searchPath, root: root, workingDirectory: workingDirectory, app: name)
        let main = LaunchSpec(
            root: nil, workingDirectory: workingDirectory, credentials: (ids.uid, ids.gid, section.supplementaryGIDs), path: path,
            argv: section.exec, environment: environment, subject: "app \(quote(name))")
        let rootEnvironment = AppEnvironment.compose(
            app: app, interactive: interactive, callerTerm: launch.callerTerm, home: Identity.home(uid: 0, root: root))
        func handler(_ kind: String) throws -> PreparedExec? {
            guard let exec = section.eventHandler(kind)?.exec, let first = exec.first else { return nil }
            let handlerPath = try ExecLookup.resolve(
                first, path: searchPath, root: root, workingDirectory: workingDirectory, app: name + " " + kind + " handler")
            // As root with no supplementary group: the handlers prepare and clean up for the app.
            let spec = LaunchSpec(
                root: nil, workingDirectory: workingDirectory, credentials: (0, 0, []), path: handlerPath, argv: exec,
                environment: rootEnvironment, subject: "app \(quote(name)): \(kind) handler")
            let prepared = PreparedExec(spec, signals: launch.signals)
            prepared.attributes.pointee.isolation = isolation.handlers?.pointer
            return prepared
        }
        var timeout = defaultStopTimeout
        if let annotation = app.annotations.first(where: { $0.name.value == stopTimeoutAnnotation }) {
            guard let seconds = parseDuration(annotation.value) else {
                throw SkiffError(
                    .invalid,
                    "app \(quote(name)): annotation \(stopTimeoutAnnotation)=\(quote(annotation.value)): not a duration (10, 10s, 500ms, 2m)")
            }
            timeout = seconds
        }
        let prepared = PreparedExec(main, signals: launch.signals)
        prepared.attributes.pointee.isolation = isolation.main.pointer
        return AppPlan(
            name: name, readOnlyRoot: app.readOnlyRootFS, stdinIsNull: !interactive, main: prepared,
            preStart: try handler("pre-start"), postStop: try handler("post-stop"), stopTimeout: timeout, isolation: isolation)
    }

    /// Seconds from "10", "1.5", "10s", "500ms" or "2m"; nil for anything else.
    static func parseDuration(_ text: String) -> Double? {
        let units: [(suffix: String, scale: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("", 1)]
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = String(text.dropLast(unit.suffix.count))
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(number) else {
                return nil
            }
            return value * unit.scale
        }
        return nil
    }

    /// The error of a failed start of the main process (or of the post-stop handler), as the
    /// child reports it before it exits: one line naming the step.
    func failure(_ result: sk_exec_result, handler: Bool) -> SkiffError {
        let launch = handler ? (postStop ?? main) : main
        switch Int(result.stage) {
        case Int(SK_EXEC_UNSHARE.rawValue): return SkiffError.system("\(launch.spec.subject): unshare its mount namespace", errno: result.error)
        case Int(SK_EXEC_READONLY.rawValue): return SkiffError.system("\(launch.spec.subject): make its root read-only", errno: result.error)
        case Int(SK_EXEC_CHROOT.rawValue): return SkiffError.system("\(launch.spec.subject): chroot \(quote(root.string))", errno: result.error)
        case Int(SK_EXEC_STDIN.rawValue): return SkiffError.system("\(launch.spec.subject): open /dev/null as stdin", errno: result.error)
        case Int(SK_EXEC_USERNS.rawValue): return SkiffError.system("\(launch.spec.subject): enter its user namespace", errno: result.error)
        case Int(SK_EXEC_ISOLATION.rawValue)...:
            let failure = PreparedIsolation.failure(step: result.stage - Int32(SK_EXEC_ISOLATION.rawValue), errno: result.error)
            return SkiffError(failure.code, "\(launch.spec.subject): \(failure.message)", errno: failure.errno)
        case Int(SK_EXEC_PRESTART.rawValue):
            guard let preStart else { break }
            if Int(result.pre_stage) == Int(SK_EXEC_NONE.rawValue) {
                return SkiffError(.invalid, "\(subject): pre-start handler exited with status \(result.error); the app does not start")
            }
            var inner = result
            inner.stage = result.pre_stage
            return preStart.failure(inner)
        default: break
        }
        return launch.failure(result)
    }
}
