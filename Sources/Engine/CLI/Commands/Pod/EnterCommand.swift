// skiff enter / cat-manifest / export
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffPod
import SkiffStage1

enum EnterCommand {
    static let spec = CommandSpec(
        name: "enter",
        summary: "Run a command inside a running app of a pod",
        usage: "skiff enter [--app=NAME] UUID [CMD [ARGS...]]",
        details: "Without CMD, runs /bin/sh. --app is required when the pod has several apps. Exits with CMD's status.",
        flags: [FlagSpec("app", .value(placeholder: "NAME", defaultValue: nil), help: "the app to enter")],
        interspersed: false,
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        try requireRoot("enter")
        let args = try invocation.positionals(atLeast: 1, "UUID")
        let record = try PodStore(dataDirectory: invocation.config.dataDirectory).find(args[0])
        guard record.status == .running else {
            throw SkiffError(.usage, "enter: pod \(record.uuid.value) is \(record.status.rawValue), not running")
        }
        let manifest = try record.manifest()
        let app: String
        if let wanted = invocation.value("app") {
            guard manifest.app(named: wanted) != nil else {
                throw SkiffError(.notFound, "enter: pod \(record.uuid.value) has no app \(quote(wanted))")
            }
            app = wanted
        } else {
            guard manifest.apps.count == 1, let only = manifest.apps.first else {
                let names = manifest.apps.map(\.name.value).joined(separator: ", ")
                throw SkiffError(.usage, "enter: pod \(record.uuid.value) has several apps (\(names)): choose one with --app")
            }
            app = only.name.value
        }
        let pid = try waitForPID(record)
        let command = args.count > 1 ? Array(args[1...]) : ["/bin/sh"]
        let entrypoint = try stage1Entrypoint(record, Stage1Contract.Annotation.enter)
        try Stage1Exec.replace(with: entrypoint, arguments: ["--pid=\(pid)", "--appname=\(app)", "--"] + command, podDirectory: record.path)
    }

    /// The pod's pid, waiting up to 10 s for a stage1 that has not written it yet.
    static func waitForPID(_ record: PodRecord) throws -> Int32 {
        for _ in 0..<200 {
            if let pid = try record.pid() { return pid }
            guard try record.isLocked() else { throw SkiffError(.usage, "enter: pod \(record.uuid.value) exited") }
            usleep(50_000)
        }
        throw SkiffError(.system, "enter: pod \(record.uuid.value): its stage1 wrote no pid within 10 s")
    }
}

enum CatManifestCommand {
    static let spec = CommandSpec(
        name: "cat-manifest",
        summary: "Print a pod's manifest",
        usage: "skiff cat-manifest [--pretty-print=false] UUID",
        flags: [
            FlagSpec("pretty-print", .value(placeholder: "BOOL", defaultValue: "true"), help: "indent the JSON"),
            FlagSpec("uuid-file", .value(placeholder: "FILE", defaultValue: nil), help: "read the UUID from FILE"),
        ],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        let record = try PodStore(dataDirectory: invocation.config.dataDirectory).find(try podArgument(invocation))
        let pretty = invocation.value("pretty-print")
        guard pretty == "true" || pretty == "false" else { throw SkiffError(.usage, "cat-manifest: --pretty-print takes true or false") }
        invocation.output.out(String(decoding: try record.manifest().encoded(pretty: pretty == "true"), as: UTF8.self) + "\n")
        return 0
    }
}

enum ExportCommand {
    static let spec = CommandSpec(
        name: "export",
        summary: "Export an exited app's root filesystem, with its changes, as an ACI",
        usage: "skiff export [--app=NAME] [--overwrite] UUID OUTPUT.aci",
        flags: [
            FlagSpec("app", .value(placeholder: "NAME", defaultValue: nil), help: "the app (required with several apps)"),
            FlagSpec("overwrite", .bool, help: "replace OUTPUT if it exists"),
        ],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        try requireRoot("export")
        let args = try invocation.positionals(exactly: 2, "UUID and OUTPUT")
        let record = try PodStore(dataDirectory: invocation.config.dataDirectory).find(args[0])
        guard record.status == .exited || record.status == .exitedGarbage else {
            throw SkiffError(.usage, "export: pod \(record.uuid.value) is \(record.status.rawValue); export needs an exited pod")
        }
        let manifest = try record.manifest()
        guard let app = invocation.value("app").flatMap(manifest.app(named:)) ?? (manifest.apps.count == 1 ? manifest.apps.first : nil) else {
            throw SkiffError(.usage, "export: choose the app with --app (pod \(record.uuid.value) has \(manifest.apps.count))")
        }
        let output = args[1]
        if FileSystem.exists(output) && !invocation.arguments.isSet("overwrite") {
            throw SkiffError(.usage, "export: \(quote(output)) exists (use --overwrite)")
        }
        let rootfs = record.paths.appRootfs(app.name.value)
        guard FileSystem.isDirectory(rootfs) else { throw SkiffError(.notFound, "export: the root of app \(app.name.value) is gone") }
        // The real tar writes the (possibly overlay-merged) tree: manifest first, then rootfs/.
        let staging = FileSystem.temporaryName(for: output)
        let manifestDirectory = staging + ".d"
        defer { try? FileSystem.removeTree(manifestDirectory) }
        try FileSystem.createDirectory(manifestDirectory)
        try FileSystem.writeAtomically(manifestDirectory + "/manifest", try FileSystem.read(record.paths.appManifest(app.name.value)))
        let result = try Subprocess.run([
            "tar", "--numeric-owner", "--xattrs", "-cf", staging, "-C", manifestDirectory, "manifest",
            "-C", record.paths.app(app.name.value), "rootfs",
        ])
        guard result.status == 0 else {
            unlink(staging)
            throw SkiffError(.system, "export \(quote(output)): tar: \(result.stderrLastLine)")
        }
        try FileSystem.rename(staging, to: output)
        return 0
    }
}
