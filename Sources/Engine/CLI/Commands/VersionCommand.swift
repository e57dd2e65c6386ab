// skiff version

enum VersionCommand {
    static let spec = CommandSpec(
        name: "version",
        summary: "Print the version of skiff and of the specifications it implements",
        usage: "skiff version [--format=json]",
        details: "Prints one 'Key: value' line per fact, as rkt did, or a JSON object with --format=json.",
        flags: [FlagSpec("format", .value(placeholder: "text|json", defaultValue: "text"), help: "output format")],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        guard invocation.arguments.positionals.isEmpty else {
            throw SkiffError(.usage, "version: takes no arguments, got \"\(invocation.arguments.positionals[0])\"")
        }
        let facts: [(String, String, String)] = [
            ("skiff Version", "skiff", SkiffVersion.skiff),
            ("appc Version", "appc", SkiffVersion.appc),
            ("OCI Image Spec Version", "ociImage", SkiffVersion.ociImage),
            ("Swift Version", "swift", SkiffVersion.swift),
            ("OS/Arch", "platform", SkiffVersion.platform),
        ]
        switch invocation.arguments.value("format", in: invocation.command.flags) {
        case "json":
            let body = facts.map { "  \"\($0.1)\": \"\($0.2)\"" }.joined(separator: ",\n")
            invocation.output.out("{\n\(body)\n}\n")
        case "text":
            invocation.output.out(facts.map { "\($0.0): \($0.2)\n" }.joined())
        case let other:
            throw SkiffError(.usage, "version: unknown format \"\(other ?? "")\" (text or json)")
        }
        return 0
    }
}
