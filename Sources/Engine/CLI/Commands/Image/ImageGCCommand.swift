// skiff image gc
import SkiffPod
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
        let (keepImages, keepTrees) = try PodReferences.collect(dataDirectory: invocation.config.dataDirectory)
        let report = try StoreGC(trees: TreeStore(images: store)).collect(
            gracePeriod: grace, keepImages: keepImages, keepTrees: keepTrees)
        for tree in report.trees { invocation.output.out("removed tree \(tree)\n") }
        for image in report.images { invocation.output.out("removed image \(image)\n") }
        for debris in report.debris { invocation.output.out("removed \(debris)\n") }
        return 0
    }
}

/// What pods still use: their images (apps and stage1) and the trees their roots are made of.
/// Image gc keeps these, so no pod loses a lower layer or the image it was made from.
enum PodReferences {
    static func collect(dataDirectory: String) throws -> (images: Set<String>, trees: Set<String>) {
        var images = Set<String>()
        var trees = Set<String>()
        for pod in try PodStore(dataDirectory: dataDirectory).all() {
            func lines(_ path: String) -> [String] {
                guard let bytes = try? FileSystem.read(path) else { return [] }
                return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
            }
            for line in lines(pod.paths.imageReferences) {
                let fields = line.split(separator: " ", maxSplits: 1).map(String.init)
                guard fields.count == 2 else { continue }
                if fields[0] == "tree" { trees.insert(fields[1]) } else if fields[0] == "image" { images.insert(fields[1]) }
            }
            // Pods prepared before image-refs kept the two lists in files of their own.
            trees.formUnion(lines(pod.path + "/tree-ids"))
            images.formUnion(lines(pod.path + "/stage1-image-id"))
            if let manifest = try? pod.manifest() { images.formUnion(manifest.apps.map(\.image.id.value)) }
        }
        return (images, trees)
    }
}
