// skiff stop / rm / gc
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffPod
import SkiffStage1
import SkiffStore

enum StopCommand {
    static let spec = CommandSpec(
        name: "stop",
        summary: "Stop running pods (through their stage1)",
        usage: "skiff stop [--force] UUID...",
        details: "Asks each pod's stage1 to stop it (apps get SIGTERM; --force: SIGKILL at once) and returns.",
        flags: [
            FlagSpec("force", .bool, help: "kill at once"),
            FlagSpec("uuid-file", .value(placeholder: "FILE", defaultValue: nil), help: "read the UUID from FILE"),
        ],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        try requireRoot("stop")
        let targets = invocation.value("uuid-file") != nil ? [try podArgument(invocation)] : try invocation.positionals(atLeast: 1, "UUID")
        let pods = try PodStore(dataDirectory: invocation.config.dataDirectory)
        var failed = 0
        for target in targets {
            do {
                let record = try pods.find(target)
                guard record.status == .running else {
                    throw SkiffError(.usage, "pod \(record.uuid.value) is \(record.status.rawValue), not running")
                }
                let entrypoint = try stage1Entrypoint(record, Stage1Contract.Annotation.stop)
                let arguments = (invocation.arguments.isSet("force") ? ["--force"] : []) + [record.uuid.value]
                let status = try Stage1Exec.call(entrypoint, arguments: arguments, podDirectory: record.path)
                guard status == 0 else { throw SkiffError(.system, "pod \(record.uuid.value): stage1 stop exited with \(status)") }
                invocation.output.out("\(record.uuid.value)\n")
            } catch {
                invocation.output.err("skiff: stop: \(error)\n")
                failed += 1
            }
        }
        return failed == 0 ? 0 : SkiffError.exitCode
    }
}

/// The absolute path of a stage1 entrypoint of a pod.
func stage1Entrypoint(_ record: PodRecord, _ annotation: String) throws -> String {
    let manifest = try ImageManifest.parse(try FileSystem.read(record.paths.stage1Manifest))
    guard let path = manifest.annotation(annotation), path.hasPrefix("/") else {
        throw SkiffError(.invalid, "pod \(record.uuid.value): its stage1 has no \(annotation) entrypoint")
    }
    return record.paths.stage1Rootfs + path
}

/// What gc and rm do to a pod before it is unmounted and deleted: the pod's networks released
/// (CNI DEL, whatever became of the stage1), the stage1's gc entrypoint (if its root is still there).
func cleanUpPod(_ record: PodRecord) throws {
    try PodNetworking.release(record.paths)
    if FileSystem.exists(record.paths.stage1Manifest), let entrypoint = try? stage1Entrypoint(record, Stage1Contract.Annotation.gc),
        FileSystem.exists(entrypoint)
    {
        let status = try Stage1Exec.call(entrypoint, arguments: [record.uuid.value], podDirectory: record.path)
        guard status == 0 else { throw SkiffError(.system, "stage1 gc of pod \(record.uuid.value) exited with \(status)") }
    }
}

enum RmCommand {
    static let spec = CommandSpec(
        name: "rm",
        summary: "Remove exited or prepared pods at once",
        usage: "skiff rm UUID...",
        flags: [FlagSpec("uuid-file", .value(placeholder: "FILE", defaultValue: nil), help: "read the UUID from FILE")],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        try requireRoot("rm")
        let targets = invocation.value("uuid-file") != nil ? [try podArgument(invocation)] : try invocation.positionals(atLeast: 1, "UUID")
        let store = try PodStore(dataDirectory: invocation.config.dataDirectory)
        var failed = 0
        for target in targets {
            do {
                let record = try store.find(target)
                try PodGC(store: store).remove(record, cleanup: cleanUpPod)
                invocation.output.out("\"\(record.uuid.value)\"\n")
            } catch {
                invocation.output.err("skiff: rm: \(error)\n")
                failed += 1
            }
        }
        return failed == 0 ? 0 : SkiffError.exitCode
    }
}

enum GCCommand {
    static let spec = CommandSpec(
        name: "gc",
        summary: "Garbage-collect exited pods and aborted preparations",
        usage: "skiff gc [--grace-period=30m] [--expire-prepared=24h] [--mark-only]",
        details: """
            Pass 1 marks exited pods (and aborted or expired preparations) as garbage; pass 2 removes
            those marked longer ago than the grace period: the stage1's gc entrypoint, unmounting, deletion.
            """,
        flags: [
            FlagSpec("grace-period", .value(placeholder: "DURATION", defaultValue: "30m"), help: "how long exited pods stay before removal"),
            FlagSpec("expire-prepared", .value(placeholder: "DURATION", defaultValue: "24h"), help: "remove prepared pods older than this"),
            FlagSpec("mark-only", .bool, help: "only mark; remove nothing"),
        ],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        try requireRoot("gc")
        _ = try invocation.positionals(exactly: 0, "gc takes no arguments")
        let grace = try Formatting.duration(invocation.value("grace-period") ?? "30m", flag: "grace-period")
        let expire = try Formatting.duration(invocation.value("expire-prepared") ?? "24h", flag: "expire-prepared")
        let store = try PodStore(dataDirectory: invocation.config.dataDirectory)
        let report = try PodGC(store: store).collect(
            gracePeriod: grace, expirePrepared: expire, markOnly: invocation.arguments.isSet("mark-only"),
            now: Int64(time(nil)), cleanup: cleanUpPod)
        for uuid in report.marked { invocation.output.out("Moving pod \"\(uuid)\" to garbage\n") }
        for uuid in report.removed { invocation.output.out("Garbage collecting pod \"\(uuid)\"\n") }
        for failure in report.failed { invocation.output.err("skiff: gc: \(failure)\n") }
        return report.failed.isEmpty ? 0 : SkiffError.exitCode
    }
}
