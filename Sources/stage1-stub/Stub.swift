// The stub's entrypoints: record, then behave as the test asked.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffStage1
import SkiffSystem

/// What an entrypoint does after recording, from the environment variable SKIFF_STUB_BEHAVIOUR
/// (run) or SKIFF_STUB_<OP>_BEHAVIOUR, else the pod annotation `skiff.dev/stub/behaviour` (run)
/// or `skiff.dev/stub/<op>-behaviour`; default `exit:0`. enter, stop and gc only honour
/// `exit:<code>` (after doing their part: stop signals the pid); the others mean exit 0 there.
enum StubBehaviour: Equatable {
    /// Write statuses `code` for every app and exit with it.
    case exit(Int32)
    /// Sleep (SIGTERM, SIGINT, SIGHUP end it early with 128 + N), write statuses, exit 0.
    case sleep(Double)
    /// Exit 254 before writing `pid`.
    case noPID
    /// SIGKILL itself after writing `pid` (no status).
    case crash

    init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count > 1 ? parts[1] : nil) {
        case ("exit", let value?) where Int32(value) != nil: self = .exit(Int32(value) ?? 0)
        case ("sleep", let value?) where Double(value).map({ $0 >= 0 }) == true: self = .sleep(Double(value) ?? 0)
        case ("no-pid", nil): self = .noPID
        case ("crash", nil): self = .crash
        default: throw SkiffError(.usage, "behaviour \(quote(text)): expected exit:<code>, sleep:<seconds>, no-pid or crash")
        }
    }

    static func lookup(_ operation: Stage1Entrypoint, environment: [String: String], manifest: PodManifest?) throws -> StubBehaviour {
        let variable = operation == .run ? "SKIFF_STUB_BEHAVIOUR" : "SKIFF_STUB_\(operation.rawValue.uppercased())_BEHAVIOUR"
        let annotation = operation == .run ? "skiff.dev/stub/behaviour" : "skiff.dev/stub/\(operation.rawValue)-behaviour"
        let text = environment[variable] ?? manifest?.annotations.first { $0.name.value == annotation }?.value ?? "exit:0"
        return try StubBehaviour(parsing: text)
    }
}

/// The stub stage1's entrypoints.
enum Stub {
    static func main(_ argv: [String], inheritedFDs: [Int32]) -> Never {
        let reporter = Stage1Reporter(flavor: "stub")
        guard let (operation, arguments) = Stage1Entrypoint.split(argv) else {
            reporter.fail(SkiffError(.usage, "entrypoint \(quote(argv.first ?? "")): start the stub as stub-run, -enter, -stop or -gc"))
        }
        let environment = Stage1Entrypoint.environment()
        do {
            let cwd = try podDirectory()
            let record = StubRecord.make(operation: operation, argv: argv, cwd: cwd, environment: environment, fds: inheritedFDs)
            try StubRecord.write(record, operation: operation, podDirectory: cwd)
            let paths = PodPaths(root: cwd)
            let manifest = try? PodManifest.parse(try FileSystem.read(paths.manifest))
            let behaviour = try StubBehaviour.lookup(operation, environment: environment, manifest: manifest)
            switch operation {
            case .run:
                _ = try RunArguments(parsing: arguments)
                _ = try LockHandover.adopt(environment: environment, podDirectory: cwd)
                guard let manifest else { throw SkiffError(.invalid, "pod manifest \(quote(paths.manifest)): missing or invalid") }
                run(behaviour, apps: manifest.apps.map(\.name.value), paths: paths)
            case .enter:
                _ = try EnterArguments(parsing: arguments)
            case .stop:
                let stop = try StopArguments(parsing: arguments)
                guard let pid = try PodFiles.readPID(paths: paths) else { throw SkiffError(.notFound, "stop: no pid file") }
                if kill(pid, stop.force ? SIGKILL : SIGTERM) < 0 && errno != ESRCH { throw SkiffError.system("stop: signal \(pid)") }
            case .gc:
                _ = try GCArguments(parsing: arguments)
            }
            if case .exit(let code) = behaviour { exit(code) }
            exit(0)
        } catch {
            reporter.fail(error)
        }
    }

    /// The run behaviours; statuses are written as the "apps" end, as the contract says.
    static func run(_ behaviour: StubBehaviour, apps: [String], paths: PodPaths) -> Never {
        let reporter = Stage1Reporter(flavor: "stub")
        if behaviour == .noPID { reporter.fail(SkiffError(.invalid, "behaviour no-pid: exiting before writing pid")) }
        do {
            try PodFiles.writePID(getpid(), paths: paths)
            var status: Int32 = 0
            switch behaviour {
            case .crash:
                kill(getpid(), SIGKILL)
            case .exit(let code):
                status = code
            case .sleep(let seconds):
                status = sleep(seconds)
            case .noPID:
                break
            }
            for app in apps { try PodFiles.writeStatus(status, app: app, paths: paths) }
            exit(status)
        } catch {
            reporter.fail(error)
        }
    }

    /// Sleeps, ending early with 128 + N on SIGTERM, SIGINT or SIGHUP; 0 after the full time.
    static func sleep(_ seconds: Double) -> Int32 {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, signal) }
        sigprocmask(SIG_BLOCK, &set, nil)
        var remaining = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var info = siginfo_t()
        while true {
            let signal = sigtimedwait(&set, &info, &remaining)
            if signal > 0 { return 128 + signal }
            if errno != EINTR { return 0 }  // EAGAIN: the time is up
        }
    }

    static func podDirectory() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { throw SkiffError.system("getcwd") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
