// Help text: the overview of all commands and the page of one command.

enum Help {
    /// `skiff help`: what Skiff is, then every command with its summary.
    static func overview(_ commands: [CommandSpec]) -> String {
        let width = commands.map(\.name.count).max() ?? 0
        var text = """
            skiff - a pod-native, daemonless container engine

            Usage:
              skiff [global flags] <command> [flags] [arguments]

            Commands:

            """
        for command in commands {
            text += "  " + command.name.padding(width) + "   " + command.summary + "\n"
        }
        text += "\nGlobal flags:\n" + flagLines(GlobalOptions.specs)
        text += "\nRun 'skiff help <command>' or 'skiff <command> --help' for a command's flags.\n"
        return text
    }

    /// `skiff help <command>` and `skiff <command> --help`.
    static func page(_ command: CommandSpec) -> String {
        var text = "skiff \(command.name) - \(command.summary)\n\nUsage:\n  \(command.usage)\n"
        if !command.details.isEmpty { text += "\n" + command.details + "\n" }
        if let more = command.moreHelp { text += "\n" + more() + "\n" }
        if !command.flags.isEmpty { text += "\nFlags:\n" + flagLines(command.flags) }
        text += "\nGlobal flags:\n" + flagLines(GlobalOptions.specs)
        return text
    }

    static func flagLines(_ specs: [FlagSpec]) -> String {
        let labels = specs.map { spec -> String in
            switch spec.kind {
            case .bool: return "--\(spec.name)"
            case .value(let placeholder, _), .repeatable(let placeholder): return "--\(spec.name)=\(placeholder)"
            case .optionalValue(let placeholder): return "--\(spec.name)[=\(placeholder)]"
            }
        }
        let width = labels.map(\.count).max() ?? 0
        var text = ""
        for (label, spec) in zip(labels, specs) {
            var line = "  " + label.padding(width) + "   " + spec.help
            if case .value(_, let defaultValue?) = spec.kind { line += " (default \(defaultValue))" }
            if case .repeatable = spec.kind { line += " (repeatable)" }
            text += line + "\n"
        }
        return text
    }
}

extension String {
    /// Pads with spaces on the right to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
