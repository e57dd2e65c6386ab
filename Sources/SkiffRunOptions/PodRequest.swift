// What a `skiff run` / `skiff prepare` command line asks for, typed and validated, before any
// image is fetched: the apps (one per image, with their per-app flags), the volumes, and the
// pod-wide options. Produced by `PodRequestParser`; consumed by the engine that fetches the
// images and writes the pod manifest.
import SkiffImage

/// The command whose arguments are parsed; error messages start with its name.
public enum RunCommandKind: String, Sendable {
    case run, prepare
}

/// Which stage1 image a pod uses, from one of the `--stage1-*` flags (rkt allowed at most one).
public enum Stage1Choice: Sendable, Equatable {
    /// `--stage1-path`: an ACI file, absolute or relative.
    case path(String)
    /// `--stage1-name`: an image name (discovery if not in the store).
    case name(String)
    /// `--stage1-hash`: an image ID (possibly shortened) already in the store.
    case hash(String)
    /// `--stage1-url`: an http(s), file or docker URL.
    case url(String)
    /// `--stage1-from-dir`: a file name inside the configured stage1 images directory.
    case fromDir(String)

    /// The flag that gives this choice, without dashes ("stage1-path").
    public var flagName: String {
        switch self {
        case .path: return "stage1-path"
        case .name: return "stage1-name"
        case .hash: return "stage1-hash"
        case .url: return "stage1-url"
        case .fromDir: return "stage1-from-dir"
        }
    }

    /// The flag's value as typed.
    public var location: String {
        switch self {
        case .path(let text), .name(let text), .hash(let text), .url(let text), .fromDir(let text): return text
        }
    }
}

/// One entry of `--net`: a network name and, optionally, the CNI arguments passed to it
/// (`name:K=V;K2=V2`, kept as text).
public struct NetworkOption: Sendable, Equatable {
    /// "default", "default-restricted", "host", "none", "all" or a configured network's name.
    public var name: String
    /// The text after the first ':' (`IP=10.1.1.1;K=V`), nil when none was given.
    public var arguments: String?

    /// A network entry.
    public init(name: String, arguments: String? = nil) {
        self.name = name
        self.arguments = arguments
    }

    /// Splits an entry of `PodRequest.networks` ("name" or "name:args").
    public init(entry: String) {
        if let colon = entry.firstIndex(of: ":") {
            name = String(entry[..<colon])
            arguments = String(entry[entry.index(after: colon)...])
        } else {
            name = entry
            arguments = nil
        }
    }

    /// "name" or "name:args", as `PodRequest.networks` holds it.
    public var entry: String { arguments.map { "\(name):\($0)" } ?? name }
}

/// Everything a run/prepare command line says.
public struct PodRequest: Sendable, Equatable {
    /// One entry per image, in command-line order.
    public var apps: [AppOptions] = []
    /// `--volume`, in order; names unique.
    public var volumes: [Volume] = []
    /// `--mount` given before any image: applies to every app (an app's own mount of the same
    /// target wins).
    public var globalMounts: [MountOption] = []
    /// `--set-env NAME=VALUE` for every app, in order; names unique (rkt refused repeats).
    public var setEnv: [EnvironmentVariable] = []
    /// `--set-env-file FILE`, in order.
    public var setEnvFiles: [String] = []
    /// The variables those files set, in file and line order; names unique across files.
    public var fileEnvironment: [EnvironmentVariable] = []
    /// `--inherit-env`: the apps get skiff's own environment under everything else.
    public var inheritEnv = false
    /// `--interactive` (run): one app, attached to the terminal.
    public var interactive = false
    /// `--hostname` (run); nil means the engine's default (`rkt-<uuid>` in rkt).
    public var hostname: String?
    /// `--net` (run) entries, "name" or "name:args", in order; nil when `--net` was not given
    /// (the engine's default network). `--net` alone means ["default"].
    public var networks: [String]?
    /// `--dns` (run) values, each an IP address, or the single value "host" or "none".
    public var dns: [String] = []
    /// `--dns-search` (run), in order.
    public var dnsSearch: [String] = []
    /// `--dns-opt` (run), in order.
    public var dnsOptions: [String] = []
    /// `--dns-domain` (run).
    public var dnsDomain: String?
    /// `--hosts-entry` (run) values, each `IP=NAME`, or the single value "host".
    public var hostsEntries: [String] = []
    /// `--port NAME:[IP:]PORT`, in order; names unique.
    public var ports: [ExposedPort] = []
    /// `--pod-manifest FILE`: run this pod manifest instead of images.
    public var podManifest: String?
    /// The manifest read from `podManifest` (read and validated by the parser).
    public var podManifestContents: PodManifest?
    /// `--uuid-file-save FILE`: where to write the pod's UUID (recorded, not written here).
    public var uuidFileSave: String?
    /// `--no-overlay`.
    public var noOverlay = false
    /// `--quiet` (prepare): print only the UUID.
    public var quiet = false
    /// `--private-users`: run in a user namespace.
    public var privateUsers = false
    /// `--mds-register` (run): register with the metadata service.
    public var mdsRegister = false
    /// `--ipc` (run): "auto", "private" or "parent"; nil means auto.
    public var ipc: String?
    /// `--stage1-*`; nil means the configured default.
    public var stage1: Stage1Choice?
    /// `--pull-policy`: "new" (default), "update" or "never" (`--store-only` and `--no-store`,
    /// deprecated in rkt, set "never" and "update").
    public var pullPolicy = "new"

    /// An empty request (no apps, every option at its default).
    public init() {}

    /// `networks` split into names and arguments.
    public var networkOptions: [NetworkOption]? { networks?.map(NetworkOption.init(entry:)) }
}
