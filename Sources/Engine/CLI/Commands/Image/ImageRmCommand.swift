// skiff image rm IMAGE...

enum ImageRmCommand {
    static let spec = CommandSpec(
        name: "image rm",
        summary: "Remove images from the store",
        usage: "skiff image rm IMAGE...",
        details: "IMAGE is an ID (or unique prefix) or a name. Each failure is reported; the status is 254 if any failed.",
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        let images = try invocation.positionals(atLeast: 1, "IMAGE")
        let store = try invocation.imageStore()
        var failed = 0
        for image in images {
            do {
                let record = try invocation.resolveImage(image, in: store)
                try store.remove(try record.imageID)
                invocation.output.out("successfully removed image \(record.id) (\(record.displayName))\n")
            } catch {
                invocation.output.err("skiff: image rm: \(error)\n")
                failed += 1
            }
        }
        invocation.output.out("rm: \(images.count - failed) image(s) successfully removed\n")
        return failed == 0 ? 0 : SkiffError.exitCode
    }
}
