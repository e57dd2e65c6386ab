// skiff image extract / image render IMAGE DIR
import SkiffArchive
import SkiffImage
import SkiffStore

/// `image extract` unpacks one image as it is; `image render` applies its dependencies first,
/// as a pod would see it, through the tree store (so the render is cached for pods).
enum ImageRenderCommand {
    static let extractSpec = CommandSpec(
        name: "image extract",
        summary: "Unpack an image (without its dependencies) into a directory",
        usage: "skiff image extract [--rootfs-only] [--overwrite] IMAGE DIR",
        flags: flags, action: { try run($0, render: false) })

    static let renderSpec = CommandSpec(
        name: "image render",
        summary: "Render an image with its dependencies into a directory",
        usage: "skiff image render [--rootfs-only] [--overwrite] IMAGE DIR",
        details: "Dependencies are applied depth-first in the order listed, the image last, with each pathWhitelist.",
        flags: flags, action: { try run($0, render: true) })

    static let flags = [
        FlagSpec("rootfs-only", .bool, help: "write the root filesystem's contents into DIR (no manifest)"),
        FlagSpec("overwrite", .bool, help: "replace DIR if it exists"),
    ]

    static func run(_ invocation: Invocation, render: Bool) throws -> Int32 {
        let args = try invocation.positionals(exactly: 2, "IMAGE and DIR")
        let store = try invocation.imageStore()
        let record = try invocation.resolveImage(args[0], in: store)
        let id = try record.imageID
        let target = args[1]
        if FileSystem.exists(target) {
            guard invocation.arguments.isSet("overwrite") else {
                throw SkiffError(.usage, "\(invocation.command.name): \(quote(target)) exists (use --overwrite)")
            }
            try FileSystem.removeTree(target)
        }
        let rootfsOnly = invocation.arguments.isSet("rootfs-only")
        let staging = FileSystem.temporaryName(for: target)
        do {
            try FileSystem.createDirectory(staging + (rootfsOnly ? "" : "/rootfs"))
            let stagingRootfs = rootfsOnly ? staging : staging + "/rootfs"
            if render {
                let steps = try RenderPlan.steps(for: id, store: store)
                _ = try TreeStore(images: store).render(steps, alsoInto: stagingRootfs)
            } else {
                _ = try TreeStore.extract([RenderStep(image: id, whitelist: nil)], into: stagingRootfs, images: store, options: ExtractionOptions())
            }
            if !rootfsOnly { try FileSystem.writeAtomically(staging + "/manifest", try store.manifestBytes(id)) }
            try FileSystem.rename(staging, to: target)
        } catch {
            try? FileSystem.removeTree(staging)
            throw error
        }
        try store.touch(id)
        return 0
    }
}

/// The render plan of an image from the store: its dependencies resolved in the store.
enum RenderPlan {
    static func steps(for id: ImageID, store: ImageStore) throws -> [RenderStep] {
        try renderOrder(root: id, manifest: try store.manifest(id)) { dependency in
            var labels: [String: String] = [:]
            for label in dependency.labels { labels[label.name.value] = label.value }
            let record: ImageRecord?
            if let wanted = dependency.imageID {
                record = try store.record(wanted)
            } else {
                record = try store.find(name: dependency.imageName.value, labels: labels)
            }
            guard let record else {
                throw SkiffError(.notFound, "image \(id.value): dependency \(quote(dependency.imageName.value)) is not in the store (fetch it)")
            }
            let dependencyID = try record.imageID
            return (dependencyID, try store.manifest(dependencyID))
        }
    }
}
