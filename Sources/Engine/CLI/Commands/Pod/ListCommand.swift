// skiff list
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffImage
import SkiffPod

enum ListCommand {
    static let spec = CommandSpec(
        name: "list",
        summary: "List pods and their state",
        usage: "skiff list [--full] [--no-legend] [--format=json|json-pretty]",
        details: "Columns: UUID, APP, IMAGE NAME, STATE, CREATED, STARTED, NETWORKS. Reads the pod directories; no daemon.",
        flags: [
            FlagSpec("full", .bool, help: "full UUIDs and image IDs, absolute times"),
            FlagSpec("no-legend", .bool, help: "omit the header line"),
            FlagSpec("format", .value(placeholder: "FORMAT", defaultValue: nil), help: "json or json-pretty instead of a table"),
        ],
        action: run)

    struct App: Encodable {
        var name: String
        var imageID: String
        var imageName: String?
        var exitCode: Int32?
    }

    struct Row: Encodable {
        var uuid: String
        var state: String
        var created: String?
        var started: String?
        var apps: [App]
        /// `default:ip4=172.16.28.2`, `host`, `none`; nil without a network record.
        var networks: String?
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        _ = try invocation.positionals(exactly: 0, "list takes no arguments")
        let pods = try PodStore(dataDirectory: invocation.config.dataDirectory).all()
        var rows: [Row] = []
        for pod in pods {
            let manifest = try? pod.manifest()
            let statuses = manifest.flatMap { try? pod.appStatuses(of: $0) } ?? [:]
            let apps = manifest?.apps.map {
                App(name: $0.name.value, imageID: $0.image.id.value, imageName: $0.image.name?.value, exitCode: statuses[$0.name.value])
            } ?? []
            rows.append(
                Row(
                    uuid: pod.uuid.value, state: pod.status.rawValue, created: pod.created.map(Formatting.rfc3339),
                    started: pod.started.map(Formatting.rfc3339), apps: apps,
                    networks: Optional(PodNetworking.summary(pod.paths)).flatMap { $0.isEmpty ? nil : $0 }))
        }
        if let format = invocation.value("format") {
            guard format == "json" || format == "json-pretty" else {
                throw SkiffError(.usage, "list: unknown format \"\(format)\" (json or json-pretty)")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = format == "json-pretty" ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
            invocation.output.out(String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n")
            return 0
        }
        let full = invocation.arguments.isSet("full")
        var table: [[String]] = invocation.arguments.isSet("no-legend") ? [] : [["UUID", "APP", "IMAGE NAME", "STATE", "CREATED", "STARTED", "NETWORKS"]]
        for (pod, row) in zip(pods, rows) {
            let uuid = full ? row.uuid : String(row.uuid.prefix(8))
            let created = pod.created.map { full ? Formatting.rfc3339($0) : Formatting.ago($0) } ?? ""
            let started = pod.started.map { full ? Formatting.rfc3339($0) : Formatting.ago($0) } ?? ""
            let networks = row.networks ?? ""
            if row.apps.isEmpty { table.append([uuid, "-", "-", row.state, created, started, networks]) }
            for (index, app) in row.apps.enumerated() {
                let image = full ? app.imageID : (app.imageName ?? String(app.imageID.prefix(19)))
                table.append(index == 0 ? [uuid, app.name, image, row.state, created, started, networks] : ["", app.name, image, "", "", "", ""])
            }
        }
        invocation.output.out(Formatting.table(table))
        return 0
    }
}
