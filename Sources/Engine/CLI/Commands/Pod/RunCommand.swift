// skiff run / prepare / run-prepared
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffPod
import SkiffRunOptions
import SkiffStage1

enum RunCommand {
    static let grammar = """
        IMAGE is a file, URL, appc name or image ID, as for fetch (pull policy "new": the store first).
        Per-app flags follow the image they apply to; `--` starts the app's arguments, `---` the next
        app. Global flags (--dir, --insecure-options, ...) go before the first image.
        """

    @Sendable static func flagText() -> String {
        func lines(_ list: [(flag: String, help: String)]) -> String {
            let width = min(34, list.map(\.flag.count).max() ?? 0)
            return list.map { "  " + $0.flag.padding(width) + "   " + $0.help }.joined(separator: "\n")
        }
        return "Pod flags:\n" + lines(PodRequestParser.podFlagHelp) + "\n\nApp flags (after an image):\n"
            + lines(PodRequestParser.appFlagHelp)
    }

    static let runSpec = CommandSpec(
        name: "run",
        summary: "Run a pod of one or more apps, and exit with its status",
        usage: "skiff run [pod flags] IMAGE [app flags] [-- app args] [--- IMAGE [app flags] [-- app args]]...",
        details: grammar + "\nThe exit status is the app's (128+N for signal N); 254 for Skiff's own failures.",
        parsesOwnArguments: true, moreHelp: flagText, action: { try run($0, kind: .run) })

    static let prepareSpec = CommandSpec(
        name: "prepare",
        summary: "Prepare a pod (fetch, render, lay out) and print its UUID; start it with run-prepared",
        usage: "skiff prepare [--quiet] [pod flags] IMAGE [app flags] [-- app args] [--- IMAGE ...]",
        details: grammar,
        parsesOwnArguments: true, moreHelp: flagText, action: { try run($0, kind: .prepare) })

    static func run(_ invocation: Invocation, kind: RunCommandKind) throws -> Int32 {
        let word = kind == .run ? "run" : "prepare"
        try requireRoot(word)
        // Global flags may also come among the pod flags (rkt's persistent flags did).
        let (request, globalWords) = try PodRequestParser.parse(invocation.rawArguments, kind: kind, globalFlags: GlobalOptions.arity)
        var invocation = invocation
        if !globalWords.isEmpty {
            let parsed = try FlagParser.parse(invocation.leadingGlobalFlags + globalWords, specs: GlobalOptions.specs, command: word)
            invocation = Invocation(command: invocation.command, arguments: parsed, global: try GlobalOptions(parsed), output: invocation.output)
        }
        let store = try invocation.imageStore()
        let pods = try PodStore(dataDirectory: invocation.config.dataDirectory)
        let preparer = PodPreparer(config: invocation.config, store: store, fetcher: try invocation.fetcher(store), pods: pods)
        let prepared = try preparer.prepare(request, environment: processEnvironment())
        let uuid = prepared.handle.uuid.value
        if let file = request.uuidFileSave { try FileSystem.writeAtomically(file, Array((uuid + "\n").utf8)) }
        if kind == .prepare {
            try pods.move(prepared.handle, to: .prepared)
            prepared.handle.unlock()
            invocation.output.out(uuid + "\n")
            return 0
        }
        let entrypoint = try prepared.stage1.entrypoint(Stage1Contract.Annotation.run)
        var flags = prepared.stage1Flags
        do {
            try PodNetworking.setUp(
                prepared.handle.paths, uuid: uuid, stage1: Stage1Descriptor(prepared.stage1.manifest), manifest: prepared.manifest, flags: &flags,
                config: invocation.config, debug: invocation.global.debug)
        } catch {
            // An unknown network, a port no app declares, a flag the stage1 cannot honour: the
            // pod never ran, and bad input leaves no pod behind (rkt left an aborted one for gc).
            do {
                try PodGC(store: pods).discard(prepared.handle, cleanup: cleanUpPod)
            } catch let cleanup {
                writeAll(2, "skiff: warning: pod \(uuid) left for gc: \(cleanup)\n")
            }
            throw error
        }
        try pods.move(prepared.handle, to: .run)
        try Stage1Exec.run(prepared.handle, entrypoint: entrypoint, flags: debugging(flags, invocation), config: invocation.config)
    }
}

enum RunPreparedCommand {
    static let spec = CommandSpec(
        name: "run-prepared",
        summary: "Run a prepared pod",
        usage: "skiff run-prepared [--interactive] [--hostname=NAME] [--net=LIST] [--dns=IP|host|none]... [--hosts-entry=IP=NAME]... [--mds-register] UUID",
        details: """
            Starts a pod made by 'skiff prepare'. --interactive, --hostname and --net replace those given to
            prepare; the DNS flags and --mds-register are run-time flags (prepare does not take them).
            """,
        flags: [
            FlagSpec("interactive", .bool, help: "give the app the terminal"),
            FlagSpec("hostname", .value(placeholder: "NAME", defaultValue: nil), help: "the pod's hostname"),
            FlagSpec("net", .value(placeholder: "LIST", defaultValue: nil), help: "networks to join"),
            FlagSpec("uuid-file", .value(placeholder: "FILE", defaultValue: nil), help: "read the UUID from FILE (as prepare --uuid-file-save wrote it)"),
        ] + PodNetworkOptions.runtimeFlags,
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        try requireRoot("run-prepared")
        let uuid = try podArgument(invocation)
        let pods = try PodStore(dataDirectory: invocation.config.dataDirectory)
        let record = try pods.find(uuid)
        guard record.state == .prepared else {
            throw SkiffError(.usage, "run-prepared: pod \(record.uuid.value) is \(record.status.rawValue), not prepared")
        }
        guard let handle = try record.lockExclusive(wait: false) else {
            throw SkiffError(.usage, "run-prepared: pod \(record.uuid.value) is being started by another process")
        }
        var flags = String(decoding: try FileSystem.read(handle.paths.stage1Options), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        func replace(_ name: String, _ value: String?) {
            guard let value else { return }
            flags.removeAll { $0 == "--\(name)" || $0.hasPrefix("--\(name)=") }
            flags.insert(value.isEmpty ? "--\(name)" : "--\(name)=\(value)", at: 0)
        }
        if invocation.arguments.isSet("interactive") { replace("interactive", "") }
        replace("hostname", invocation.value("hostname"))
        replace("net", invocation.value("net"))
        try PodNetworkOptions(invocation.arguments, networks: invocation.value("net")).save(handle.paths)
        let stage1Manifest = try Stage1Descriptor(podCopy: try FileSystem.read(handle.paths.stage1Manifest), path: handle.paths.stage1Manifest)
        guard let entrypoint = stage1Manifest.annotation(Stage1Contract.Annotation.run) else {
            throw SkiffError(.invalid, "run-prepared: pod \(record.uuid.value): its stage1 has no run entrypoint")
        }
        try PodNetworking.setUp(
            handle.paths, uuid: record.uuid.value, stage1: stage1Manifest, flags: &flags, config: invocation.config,
            debug: invocation.global.debug)
        try pods.move(handle, to: .run)
        try Stage1Exec.run(handle, entrypoint: entrypoint, flags: debugging(flags, invocation), config: invocation.config)
    }
}

/// The stage1 flags with `--debug` first when the global `--debug` is given (rkt passed it on
/// too). Not saved in `stage1-options`: it is about this start, not about the pod.
func debugging(_ flags: [String], _ invocation: Invocation) -> [String] {
    invocation.global.debug && !flags.contains("--debug") ? ["--debug"] + flags : flags
}

/// Commands that mount, chroot and signal pods need root (rkt checked this up front too).
func requireRoot(_ command: String) throws {
    guard geteuid() == 0 else { throw SkiffError(.usage, "\(command): must be run as root") }
}
