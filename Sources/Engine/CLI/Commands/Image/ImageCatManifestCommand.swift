// skiff image cat-manifest IMAGE

enum ImageCatManifestCommand {
    static let spec = CommandSpec(
        name: "image cat-manifest",
        summary: "Print an image's manifest",
        usage: "skiff image cat-manifest [--pretty-print=false] IMAGE",
        flags: [FlagSpec("pretty-print", .value(placeholder: "BOOL", defaultValue: "true"), help: "indent the JSON")],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        let image = try invocation.positionals(exactly: 1, "IMAGE")[0]
        let store = try invocation.imageStore()
        let id = try store.resolve(image).imageID
        let pretty = invocation.value("pretty-print")
        guard pretty == "true" || pretty == "false" else {
            throw SkiffError(.usage, "image cat-manifest: --pretty-print takes true or false")
        }
        let manifest = try store.manifest(id)
        invocation.output.out(String(decoding: manifest.encoded(pretty: pretty == "true"), as: UTF8.self) + "\n")
        return 0
    }
}
