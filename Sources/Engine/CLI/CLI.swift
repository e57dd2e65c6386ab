// The skiff command line: global flags, dispatch to a command, errors to exit status 254.

/// Entry point of the `skiff` executable.
public enum SkiffCLI {
    /// Every command's name and its spec, in the order `skiff help` lists them. Looked up by
    /// name, so a process builds the spec (flag tables, closures, their generic metadata) of the
    /// command it runs only: building all of them cost every `skiff run` 0.1 ms.
    static let table: [(name: String, spec: @Sendable () -> CommandSpec)] = [
        ("run", { RunCommand.runSpec }),
        ("prepare", { RunCommand.prepareSpec }),
        ("run-prepared", { RunPreparedCommand.spec }),
        ("list", { ListCommand.spec }),
        ("status", { StatusCommand.spec }),
        ("stop", { StopCommand.spec }),
        ("rm", { RmCommand.spec }),
        ("gc", { GCCommand.spec }),
        ("enter", { EnterCommand.spec }),
        ("cat-manifest", { CatManifestCommand.spec }),
        ("export", { ExportCommand.spec }),
        ("fetch", { FetchCommand.spec }),
        ("trust", { TrustCommand.spec }),
        ("image", { ImageCommand.spec }),
        ("image list", { ImageListCommand.spec }),
        ("image rm", { ImageRmCommand.spec }),
        ("image export", { ImageExportCommand.spec }),
        ("image extract", { ImageRenderCommand.extractSpec }),
        ("image render", { ImageRenderCommand.renderSpec }),
        ("image cat-manifest", { ImageCatManifestCommand.spec }),
        ("image gc", { ImageGCCommand.spec }),
        ("image verify", { ImageVerifyCommand.spec }),
        ("config", { ConfigCommand.spec }),
        ("help", { HelpCommand.spec }),
        ("version", { VersionCommand.spec }),
        ("metadata-service", { MetadataServiceCommand.spec }),
    ]

    /// Every command, in the order `skiff help` lists them.
    public static var commands: [CommandSpec] { table.map { $0.spec() } }

    /// Runs `skiff` with `arguments` (without the program name) and returns the exit status.
    /// Engine failures print `skiff: <message>` on stderr and return 254.
    public static func run(_ arguments: [String], output: CommandOutput) -> Int32 {
        do {
            return try dispatch(arguments, output: output)
        } catch let error as SkiffError {
            output.err("skiff: \(error)\n")
            return SkiffError.exitCode
        } catch {
            output.err("skiff: \(error)\n")
            return SkiffError.exitCode
        }
    }

    static func dispatch(_ arguments: [String], output: CommandOutput) throws -> Int32 {
        // Global flags may come before the command; the command's own parse accepts them too.
        var index = 0
        var leading: [String] = []
        while index < arguments.count, arguments[index].hasPrefix("-"), arguments[index] != "--" {
            leading.append(arguments[index])
            index += 1
        }
        let words = Array(arguments[index...])
        guard let (command, consumed) = find(words) else {
            let preParsed = try FlagParser.parse(leading, specs: GlobalOptions.specs, command: "skiff")
            if words.isEmpty {
                output.out(Help.overview(commands))
                return 0
            }
            if preParsed.isSet("help") {
                output.out(Help.overview(commands))
                return 0
            }
            throw SkiffError(.usage, "unknown command \"\(words[0])\" (see 'skiff help')")
        }
        if command.parsesOwnArguments {
            let own = Array(words[consumed...])
            let parsed = try FlagParser.parse(leading, specs: GlobalOptions.specs, command: command.name)
            if parsed.isSet("help") || own.first == "--help" || own.first == "-h" {
                output.out(Help.page(command))
                return 0
            }
            var invocation = Invocation(command: command, arguments: parsed, global: try GlobalOptions(parsed), output: output)
            invocation.rawArguments = own
            invocation.leadingGlobalFlags = leading
            return try command.action(invocation)
        }
        let rest = leading + Array(words[consumed...])
        let specs = GlobalOptions.specs + command.flags
        let parsed = try FlagParser.parse(rest, specs: specs, command: command.name, interspersed: command.interspersed)
        if parsed.isSet("help") {
            output.out(Help.page(command))
            return 0
        }
        let global = try GlobalOptions(parsed)
        return try command.action(Invocation(command: command, arguments: parsed, global: global, output: output))
    }

    /// The command named by the longest prefix of `words` ("image list" before "image").
    static func find(_ words: [String]) -> (CommandSpec, Int)? {
        var best: (entry: Int, words: Int)?
        for (entry, command) in table.enumerated() {
            // Split and compared as bytes: splitting the 40 command names by Character was
            // 100,000 instructions of every start.
            let parts = command.name.utf8.split(separator: UInt8(ascii: " "))
            guard parts.count <= words.count, zip(parts, words).allSatisfy({ $0.elementsEqual($1.utf8) }) else { continue }
            if parts.count > best?.words ?? 0 { best = (entry, parts.count) }
        }
        return best.map { (table[$0.entry].spec(), $0.words) }
    }
}
