// skiff help [command]

enum HelpCommand {
    static let spec = CommandSpec(
        name: "help",
        summary: "Show help for skiff or for one command",
        usage: "skiff help [command]",
        details: "Without a command, lists every command. 'skiff <command> --help' shows the same page.",
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        let words = invocation.arguments.positionals
        if words.isEmpty {
            invocation.output.out(Help.overview(SkiffCLI.commands))
            return 0
        }
        guard let (command, consumed) = SkiffCLI.find(words), consumed == words.count else {
            throw SkiffError(.usage, "help: unknown command \"\(words.joined(separator: " "))\" (see 'skiff help')")
        }
        invocation.output.out(Help.page(command))
        return 0
    }
}
