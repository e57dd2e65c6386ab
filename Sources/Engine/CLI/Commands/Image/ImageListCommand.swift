// skiff image list
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffStore

enum ImageListCommand {
    static let fields = ["id", "name", "importtime", "lastused", "size", "latest"]

    static let spec = CommandSpec(
        name: "image list",
        summary: "List the images in the store",
        usage: "skiff image list [--fields=id,name,...] [--no-legend] [--full] [--format=json|json-pretty]",
        details: "Fields: \(fields.joined(separator: ", ")). LATEST says whether the image is the newest with its name.",
        flags: [
            FlagSpec("fields", .value(placeholder: "LIST", defaultValue: "id,name,size,importtime,lastused"), help: "columns to show"),
            FlagSpec("no-legend", .bool, help: "omit the header line"),
            FlagSpec("full", .bool, help: "full image IDs and absolute times"),
            FlagSpec("format", .value(placeholder: "FORMAT", defaultValue: nil), help: "json or json-pretty instead of a table"),
        ],
        action: run)

    struct Row: Encodable {
        var id: String
        var name: String
        var importTime: String
        var lastUsed: String
        var size: Int64
        var latest: Bool
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        _ = try invocation.positionals(exactly: 0, "image list takes no arguments")
        let chosen = (invocation.value("fields") ?? "").split(separator: ",").map { $0.lowercased() }
        for field in chosen where !fields.contains(field) {
            throw SkiffError(.usage, "image list: unknown field \"\(field)\" (one of \(fields.joined(separator: ", ")))")
        }
        let records = try invocation.imageStore().records()
        var newest: [String: Int64] = [:]
        for record in records { newest[record.name] = max(newest[record.name] ?? 0, record.importTime) }
        let isLatest = { (record: ImageRecord) in newest[record.name] == record.importTime }

        if let format = invocation.value("format") {
            guard format == "json" || format == "json-pretty" else {
                throw SkiffError(.usage, "image list: unknown format \"\(format)\" (json or json-pretty)")
            }
            let rows = records.map {
                Row(
                    id: $0.id, name: $0.displayName, importTime: Formatting.rfc3339($0.importTime),
                    lastUsed: Formatting.rfc3339($0.lastUsed), size: $0.size, latest: isLatest($0))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = format == "json-pretty" ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
            invocation.output.out(String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n")
            return 0
        }

        let full = invocation.arguments.isSet("full")
        var table: [[String]] = []
        if !invocation.arguments.isSet("no-legend") {
            table.append(chosen.map { $0 == "importtime" ? "IMPORT TIME" : $0 == "lastused" ? "LAST USED" : $0.uppercased() })
        }
        for record in records {
            let id = try record.imageID
            table.append(chosen.map { field in
                switch field {
                case "id": return full ? id.value : id.shorter
                case "name": return record.displayName
                case "importtime": return full ? Formatting.rfc3339(record.importTime) : Formatting.ago(record.importTime)
                case "lastused": return full ? Formatting.rfc3339(record.lastUsed) : Formatting.ago(record.lastUsed)
                case "size": return full ? String(record.size) : Formatting.size(record.size)
                default: return isLatest(record) ? "true" : "false"
                }
            })
        }
        invocation.output.out(Formatting.table(table))
        return 0
    }
}
