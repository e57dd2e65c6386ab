// skiff image gc
import SkiffStore

enum ImageGCCommand {
    static let spec = CommandSpec(
        name: "image gc",
        summary: "Remove unused images, unreferenced rendered trees and debris of interrupted operations",
        usage: "skiff image gc [--grace-period=24h]",
        flags: [FlagSpec("grace-period", .value(placeholder: "DURATION", defaultValue: "24h"), help: "keep images used more recently than this")],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        _ = try invocation.positionals(exactly: 0, "image gc takes no arguments")
        let grace = try Formatting.duration(invocation.value("grace-period") ?? "24h", flag: "grace-period")
        let store = try invocation.imageStore()
        let report = try StoreGC(trees: TreeStore(images: store)).collect(gracePeriod: grace)
        for tree in report.trees { invocation.output.out("removed tree \(tree)\n") }
        for image in report.images { invocation.output.out("removed image \(image)\n") }
        for debris in report.debris { invocation.output.out("removed \(debris)\n") }
        return 0
    }
}
