// The arguments of the four stage1 entrypoints (docs/stage1-abi.md, interface version 1): parsed
// by every stage1, rendered by stage0, so both sides agree by construction.
import SkiffSystem

/// The arguments of a stage1 `run` entrypoint, parsed and rendered. Unknown flags are an error
/// naming the flag.
public struct RunArguments: Sendable, Equatable {
    /// `--debug`: say more on stderr.
    public var debug = false
    /// `--interactive`: the single app gets the terminal.
    public var interactive = false
    /// `--hostname=NAME`; nil: the stage1's default (`skiff-<uuid>`).
    public var hostname: String?
    /// `--net=LIST`, split on commas; empty: the flag was not given.
    public var networks: [String] = []
    /// `--disable-capabilities-restriction`.
    public var disableCapabilities = false
    /// `--disable-paths`.
    public var disablePaths = false
    /// `--disable-seccomp`.
    public var disableSeccomp = false
    /// `--private-users`: the apps run in a user namespace of the pod's own.
    public var privateUsers = false
    /// `--local-config=DIR`.
    public var localConfig: String?
    /// `--netns=PATH`: the pod network namespace stage0 made, for stage1s whose manifest says
    /// `skiff.dev/stage1/network: netns` (docs/networking.md).
    public var networkNamespace: String?
    /// `--mds-url=URL`: the apps' AC_METADATA_URL (with `--mds-register`).
    public var metadataURL: String?
    /// The pod UUID (lowercase canonical).
    public var uuid: String

    /// Arguments for the pod `uuid`, every flag at its default.
    public init(uuid: String) { self.uuid = uuid }

    /// Parses argv without argv[0].
    public init(parsing argv: [String]) throws {
        var scanner = FlagScanner(
            argv, entrypoint: "run", valued: ["hostname", "net", "local-config", "netns", "mds-url"],
            switches: ["debug", "interactive", "disable-capabilities-restriction", "disable-paths", "disable-seccomp", "private-users"])
        var positionals: [String] = []
        var parsed = RunArguments(uuid: "")
        while let item = try scanner.next() {
            switch item {
            case .separator: positionals += scanner.rest()
            case .positional(let text): positionals.append(text)
            case .flag(let name, let value):
                switch name {
                case "debug": parsed.debug = true
                case "interactive": parsed.interactive = true
                case "disable-capabilities-restriction": parsed.disableCapabilities = true
                case "disable-paths": parsed.disablePaths = true
                case "disable-seccomp": parsed.disableSeccomp = true
                case "private-users": parsed.privateUsers = true
                case "hostname":
                    guard let value, !value.isEmpty else { throw scanner.usage("--hostname needs a name") }
                    parsed.hostname = value
                case "net":
                    let list = (value ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    guard !list.contains(where: \.isEmpty) else { throw scanner.usage("--net=\(value ?? ""): an empty network name") }
                    parsed.networks = list
                case "netns":
                    guard let value, value.hasPrefix("/") else { throw scanner.usage("--netns needs an absolute path") }
                    parsed.networkNamespace = value
                case "mds-url":
                    guard let value, !value.isEmpty else { throw scanner.usage("--mds-url needs a URL") }
                    parsed.metadataURL = value
                default:
                    guard let value, !value.isEmpty else { throw scanner.usage("--local-config needs a directory") }
                    parsed.localConfig = value
                }
            }
        }
        parsed.uuid = try PodUUID.single(positionals, scanner: scanner)
        self = parsed
    }

    /// What stage0 passes after the entrypoint path: the flags, then the UUID.
    public var arguments: [String] {
        var flags: [String] = []
        if debug { flags.append("--debug") }
        if interactive { flags.append("--interactive") }
        if let hostname { flags.append("--hostname=\(hostname)") }
        if !networks.isEmpty { flags.append("--net=\(networks.joined(separator: ","))") }
        if disableCapabilities { flags.append("--disable-capabilities-restriction") }
        if disablePaths { flags.append("--disable-paths") }
        if disableSeccomp { flags.append("--disable-seccomp") }
        if privateUsers { flags.append("--private-users") }
        if let localConfig { flags.append("--local-config=\(localConfig)") }
        if let networkNamespace { flags.append("--netns=\(networkNamespace)") }
        if let metadataURL { flags.append("--mds-url=\(metadataURL)") }
        return flags + [uuid]
    }
}

/// The arguments of a stage1 `enter` entrypoint: `--pid=PID --appname=APP -- CMD ARGS...`.
public struct EnterArguments: Sendable, Equatable {
    /// The pod's main process, as read from the pod's `pid` file.
    public var pid: Int32
    /// The app whose environment the command runs in.
    public var appName: String
    /// The command and its arguments; empty: the stage1's default (a shell).
    public var command: [String]

    /// Arguments for entering `appName` of the pod whose main process is `pid`.
    public init(pid: Int32, appName: String, command: [String]) {
        self.pid = pid
        self.appName = appName
        self.command = command
    }

    /// Parses argv without argv[0]. Everything after `--` (or the first positional) is the command.
    public init(parsing argv: [String]) throws {
        var scanner = FlagScanner(argv, entrypoint: "enter", valued: ["pid", "appname"], switches: [])
        var pid: Int32?
        var appName: String?
        var command: [String] = []
        scanning: while let item = try scanner.next() {
            switch item {
            case .separator:
                command = scanner.rest()
                break scanning
            case .positional(let first):
                command = [first] + scanner.rest()
                break scanning
            case .flag(let name, let value):
                if name == "pid" {
                    guard let value, let number = Int32(value), number > 0 else {
                        throw scanner.usage("--pid=\(value ?? ""): not a process ID")
                    }
                    pid = number
                } else {
                    guard let value, !value.isEmpty else { throw scanner.usage("--appname needs an app name") }
                    appName = value
                }
            }
        }
        guard let pid else { throw scanner.usage("missing --pid") }
        guard let appName else { throw scanner.usage("missing --appname") }
        self.init(pid: pid, appName: appName, command: command)
    }

    /// What stage0 passes after the entrypoint path.
    public var arguments: [String] { ["--pid=\(pid)", "--appname=\(appName)", "--"] + command }
}

/// The arguments of a stage1 `stop` entrypoint: `[--force] UUID`.
public struct StopArguments: Sendable, Equatable {
    /// Kill at once instead of asking the apps to end.
    public var force: Bool
    /// The pod UUID.
    public var uuid: String

    /// Arguments to stop the pod `uuid`.
    public init(force: Bool = false, uuid: String) {
        self.force = force
        self.uuid = uuid
    }

    /// Parses argv without argv[0].
    public init(parsing argv: [String]) throws {
        let (switches, uuid) = try parseSwitches(argv, entrypoint: "stop", allowed: ["force"])
        self.init(force: switches.contains("force"), uuid: uuid)
    }

    /// What stage0 passes after the entrypoint path.
    public var arguments: [String] { (force ? ["--force"] : []) + [uuid] }
}

/// The arguments of a stage1 `gc` entrypoint: `[--debug] UUID`.
public struct GCArguments: Sendable, Equatable {
    /// Say more on stderr.
    public var debug: Bool
    /// The pod UUID.
    public var uuid: String

    /// Arguments to release the stage1 resources of the pod `uuid`.
    public init(debug: Bool = false, uuid: String) {
        self.debug = debug
        self.uuid = uuid
    }

    /// Parses argv without argv[0].
    public init(parsing argv: [String]) throws {
        let (switches, uuid) = try parseSwitches(argv, entrypoint: "gc", allowed: ["debug"])
        self.init(debug: switches.contains("debug"), uuid: uuid)
    }

    /// What stage0 passes after the entrypoint path.
    public var arguments: [String] { (debug ? ["--debug"] : []) + [uuid] }
}

/// Switches and a single UUID: the shape of `stop` and `gc`.
private func parseSwitches(_ argv: [String], entrypoint: String, allowed: Set<String>) throws -> (Set<String>, String) {
    var scanner = FlagScanner(argv, entrypoint: entrypoint, valued: [], switches: allowed)
    var switches = Set<String>()
    var positionals: [String] = []
    while let item = try scanner.next() {
        switch item {
        case .separator: positionals += scanner.rest()
        case .positional(let text): positionals.append(text)
        case .flag(let name, _): switches.insert(name)
        }
    }
    return (switches, try PodUUID.single(positionals, scanner: scanner))
}
