// The command table: every skiff command is a value describing its flags, help and action.

/// Where a command writes. The real CLI writes to stdout/stderr; tests capture.
public struct CommandOutput: Sendable {
    public var out: @Sendable (String) -> Void
    public var err: @Sendable (String) -> Void

    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.out = out
        self.err = err
    }
}

/// What a running command gets: its parsed arguments, the global options and the output.
public struct Invocation: Sendable {
    public let command: CommandSpec
    public let arguments: ParsedArguments
    /// For commands with their own grammar (`run`, `prepare`): the words after the command,
    /// global flags removed.
    public var rawArguments: [String] = []
    /// For those commands: the global flags given before the command word.
    public var leadingGlobalFlags: [String] = []
    public let global: GlobalOptions
    public let output: CommandOutput
}

/// Options every command accepts (rkt's persistent flags).
public struct GlobalOptions: Sendable {
    /// `--debug`: say more about failures.
    public var debug = false
    /// Directories and security policy.
    public var config = EngineConfig()

    static let specs: [FlagSpec] = [
        FlagSpec("dir", .value(placeholder: "DIR", defaultValue: "/var/lib/skiff"), help: "data directory (image store, pods)"),
        FlagSpec("local-config", .value(placeholder: "DIR", defaultValue: "/etc/skiff"), help: "administrator configuration directory"),
        FlagSpec("system-config", .value(placeholder: "DIR", defaultValue: "/usr/lib/skiff"), help: "vendor configuration directory"),
        FlagSpec("user-config", .value(placeholder: "DIR", defaultValue: nil), help: "extra configuration directory, overriding the others"),
        FlagSpec(
            "insecure-options", .value(placeholder: "LIST", defaultValue: "none"),
            help: "checks to skip: none, image, tls, http, pubkey, capabilities, paths, seccomp, all-fetch, all-run, all"),
        FlagSpec("trust-keys-from-https", .bool, help: "trust keys discovered over HTTPS during fetch without review"),
        FlagSpec("debug", .bool, help: "print more detail about what fails"),
        FlagSpec("help", .bool, help: "show help for the command"),
    ]

    /// Each global flag's name and whether it takes a value (for commands with their own grammar).
    static var arity: [String: Bool] {
        Dictionary(uniqueKeysWithValues: specs.filter { $0.name != "help" }.map { ($0.name, $0.takesValue) })
    }

    /// Reads the global flags out of parsed arguments.
    init(_ parsed: ParsedArguments) throws {
        debug = parsed.isSet("debug")
        let specs = Self.specs
        if let dir = parsed.value("dir", in: specs) { config.dataDirectory = dir }
        if let dir = parsed.value("local-config", in: specs) { config.localConfig = dir }
        if let dir = parsed.value("system-config", in: specs) { config.systemConfig = dir }
        if let dir = parsed.value("user-config", in: specs) { config.userConfig = dir }
        config.insecure = try InsecureOptions(parsing: parsed.value("insecure-options", in: specs) ?? "none")
        config.trustKeysFromHTTPS = parsed.isSet("trust-keys-from-https")
        config.readEnvironment(processEnvironment())
    }

    init() {}
}

/// A skiff command: its name (words separated by spaces for subcommands, e.g. "image list"),
/// one-line summary, usage line, longer description, flags, and action (which returns the exit
/// status).
public struct CommandSpec: Sendable {
    public let name: String
    public let summary: String
    public let usage: String
    public let details: String
    /// More help text, built only when a help page is printed (the run grammar's flag tables
    /// are long; building them at every start would cost every pod).
    public let moreHelp: (@Sendable () -> String)?
    public let flags: [FlagSpec]
    public let interspersed: Bool
    /// The command parses its own arguments (rkt's run grammar); `flags` only documents them.
    public let parsesOwnArguments: Bool
    public let action: @Sendable (Invocation) throws -> Int32

    public init(
        name: String, summary: String, usage: String, details: String = "", flags: [FlagSpec] = [],
        interspersed: Bool = true, parsesOwnArguments: Bool = false, moreHelp: (@Sendable () -> String)? = nil,
        action: @escaping @Sendable (Invocation) throws -> Int32
    ) {
        self.moreHelp = moreHelp
        self.parsesOwnArguments = parsesOwnArguments
        self.name = name
        self.summary = summary
        self.usage = usage
        self.details = details
        self.flags = flags
        self.interspersed = interspersed
        self.action = action
    }
}

extension CommandOutput {
    /// Writes to the process's standard output and standard error, unbuffered.
    public static let standard = CommandOutput(
        out: { writeAll(1, $0) },
        err: { writeAll(2, $0) })
}
