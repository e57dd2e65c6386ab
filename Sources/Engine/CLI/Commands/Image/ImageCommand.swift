// skiff image: the group of image subcommands.

enum ImageCommand {
    static let subcommands: [CommandSpec] = [
        ImageListCommand.spec, ImageRmCommand.spec, ImageExportCommand.spec, ImageRenderCommand.extractSpec,
        ImageRenderCommand.renderSpec, ImageCatManifestCommand.spec, ImageGCCommand.spec, ImageVerifyCommand.spec,
    ]

    static let spec = CommandSpec(
        name: "image",
        summary: "Operate on the image store (list, rm, export, extract, render, cat-manifest, gc, verify)",
        usage: "skiff image <subcommand> [flags] [arguments]",
        details: "Subcommands:\n" + subcommands.map { "  " + $0.name.padding(24) + $0.summary }.joined(separator: "\n"),
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        if let word = invocation.arguments.positionals.first {
            throw SkiffError(.usage, "image: unknown subcommand \"\(word)\" (see 'skiff image --help')")
        }
        invocation.output.out(Help.page(spec))
        return 0
    }
}
