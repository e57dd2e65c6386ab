// skiff status UUID
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffPod

enum StatusCommand {
    static let spec = CommandSpec(
        name: "status",
        summary: "Show a pod's state, times, pid and each app's exit status",
        usage: "skiff status [--wait[=DURATION]] [--check-networks] [--format=json|json-pretty] UUID",
        details: """
            Prints key=value lines: state, created, started, pid, networks, exited, and app-<name>=<status> for
            every app that ended. --wait waits until the pod has exited (for at most DURATION when given;
            the status is 254 if it is still running then).
            """,
        flags: [
            FlagSpec("wait", .optionalValue(placeholder: "DURATION"), help: "wait for the pod to exit (forever, or at most DURATION)"),
            FlagSpec("format", .value(placeholder: "FORMAT", defaultValue: nil), help: "json or json-pretty"),
            FlagSpec("uuid-file", .value(placeholder: "FILE", defaultValue: nil), help: "read the UUID from FILE"),
            FlagSpec("check-networks", .bool, help: "CNI CHECK of a running pod's networks (networks-checked=)"),
        ],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        let text = try podArgument(invocation)
        let pods = try PodStore(dataDirectory: invocation.config.dataDirectory)
        var record = try pods.find(text)
        if let wait = invocation.value("wait") {
            let timeout: Double? = (wait.isEmpty || wait == "true") ? nil : Double(try Formatting.duration(wait, flag: "wait"))
            if wait != "false" {
                guard try waitForExit(record, timeout: timeout) else {
                    throw SkiffError(.usage, "status: pod \(record.uuid.value) still running after --wait=\(wait)")
                }
                record = try pods.find(record.uuid.value)
            }
        }
        var fields: [(String, String)] = [("state", record.status.rawValue)]
        if let created = record.created { fields.append(("created", Formatting.rfc3339(created))) }
        if let started = record.started { fields.append(("started", Formatting.rfc3339(started))) }
        if let pid = try record.pid() { fields.append(("pid", String(pid))) }
        let networks = PodNetworking.summary(record.paths)
        if !networks.isEmpty { fields.append(("networks", networks)) }
        if invocation.arguments.isSet("check-networks") {
            guard record.status == .running else {
                throw SkiffError(.usage, "status: --check-networks: pod \(record.uuid.value) is \(record.status.rawValue), not running")
            }
            fields.append(("networks-checked", try PodNetworking.check(record.paths)))
        }
        fields.append(("exited", record.status == .exited || record.status == .exitedGarbage ? "true" : "false"))
        for (app, code) in try record.appStatuses().sorted(by: { $0.key < $1.key }) { fields.append(("app-" + app, String(code))) }
        if let format = invocation.value("format") {
            guard format == "json" || format == "json-pretty" else {
                throw SkiffError(.usage, "status: unknown format \"\(format)\" (json or json-pretty)")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = format == "json-pretty" ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
            let object = Dictionary(fields, uniquingKeysWith: { _, last in last })
            invocation.output.out(String(decoding: try encoder.encode(object), as: UTF8.self) + "\n")
        } else {
            invocation.output.out(fields.map { "\($0.0)=\($0.1)\n" }.joined())
        }
        return 0
    }
}

/// The pod named by the single positional argument or by --uuid-file.
func podArgument(_ invocation: Invocation) throws -> String {
    if let file = invocation.value("uuid-file") {
        guard invocation.arguments.positionals.isEmpty else {
            throw SkiffError(.usage, "\(invocation.command.name): give a UUID or --uuid-file, not both")
        }
        return String(decoding: try FileSystem.read(file), as: UTF8.self).filter { !$0.isWhitespace }
    }
    return try invocation.positionals(exactly: 1, "UUID")[0]
}
