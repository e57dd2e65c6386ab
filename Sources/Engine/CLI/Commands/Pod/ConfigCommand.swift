// skiff config
import SkiffRunOptions
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

enum ConfigCommand {
    static let spec = CommandSpec(
        name: "config",
        summary: "Print the configuration in effect (directories, insecure options, stage1, limits)",
        usage: "skiff config [--pretty-print=false]",
        flags: [FlagSpec("pretty-print", .value(placeholder: "BOOL", defaultValue: "true"), help: "indent the JSON")],
        action: run)

    struct Shown: Encodable {
        var dataDirectory: String
        var configDirectories: [String]
        var insecureOptions: String
        var trustKeysFromHTTPS: Bool
        var stage1: String
        var imageLimits: [String: Int64]
    }

    static func run(_ invocation: Invocation) throws -> Int32 {
        _ = try invocation.positionals(exactly: 0, "config takes no arguments")
        let config = invocation.config
        let stage1: String
        switch try? Stage1Selection.configured(config) {
        case .path(let path)?: stage1 = path
        case .name(let name)?: stage1 = name
        case .url(let url)?: stage1 = url
        case .hash(let hash)?: stage1 = hash
        case .fromDir(let file)?: stage1 = Stage1Selection.installDirectory + "/" + file
        case nil: stage1 = "(none found)"
        }
        let limits = try ConfigFiles.imageLimits(config)
        let shown = Shown(
            dataDirectory: config.dataDirectory, configDirectories: config.configDirectories,
            insecureOptions: config.insecure.description, trustKeysFromHTTPS: config.trustKeysFromHTTPS, stage1: stage1,
            imageLimits: ["maxImageBytes": limits.maxImageBytes, "maxEntries": Int64(limits.maxEntries)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = invocation.value("pretty-print") == "false" ? [.sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        invocation.output.out(String(decoding: try encoder.encode(shown), as: UTF8.self) + "\n")
        return 0
    }
}
