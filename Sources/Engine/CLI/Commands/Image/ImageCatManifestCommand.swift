// skiff image cat-manifest IMAGE
import SkiffImage

enum ImageCatManifestCommand {
    static let spec = CommandSpec(
        name: "image cat-manifest",
        summary: "Print an image's manifest",
        usage: "skiff image cat-manifest [--pretty-print=false] IMAGE",
        details: "An ACI's appc image manifest; an OCI image's OCI (or Docker) image manifest, as stored with --pretty-print=false.",
        flags: [FlagSpec("pretty-print", .value(placeholder: "BOOL", defaultValue: "true"), help: "indent the JSON")],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        let image = try invocation.positionals(exactly: 1, "IMAGE")[0]
        let store = try invocation.imageStore()
        let id = try invocation.resolveImage(image, in: store).imageID
        let pretty = invocation.value("pretty-print")
        guard pretty == "true" || pretty == "false" else {
            throw SkiffError(.usage, "image cat-manifest: --pretty-print takes true or false")
        }
        let text: [UInt8]
        if id.isOCI {
            let bytes = try store.ociImage(id).manifestBytes
            text = pretty == "true" ? try JSONValue(parsing: bytes).encoded(pretty: true) : bytes
        } else {
            text = try store.manifest(id).encoded(pretty: pretty == "true")
        }
        invocation.output.out(String(decoding: text, as: UTF8.self) + "\n")
        return 0
    }
}
