// Every flag `run` and `prepare` accept: its name, what value it takes, whether it belongs to the
// pod or to the image it follows, which commands take it, and its help line. rkt's flag set
// (rkt/run.go, rkt/prepare.go, rkt/cli_apps.go at v1.30), including the deprecated aliases.

/// One flag of run/prepare.
struct FlagDefinition: Sendable {
    /// Pod flags apply to the whole pod wherever they appear; app flags to the last image.
    enum Scope: Sendable { case pod, app }

    /// What follows the flag.
    enum Value: Sendable {
        /// `--f`, `--f=BOOL`; never takes the next word.
        case bool
        /// `--f=V` or `--f V`.
        case required(placeholder: String)
        /// `--f` (meaning `defaultValue`) or `--f=V`; never takes the next word (like `--net`).
        case optional(placeholder: String, defaultValue: String)
    }

    /// Both commands, the default: one array shared by every definition.
    static let everyCommand: [RunCommandKind] = [.run, .prepare]

    let name: String
    let scope: Scope
    let value: Value
    /// An array, not a set: hashing a set for each of the 70 flags was a sizeable part of
    /// starting `skiff run`, and there are two commands.
    let commands: [RunCommandKind]
    /// Deprecated aliases rkt kept working but did not show.
    let hidden: Bool
    let help: String

    init(
        _ name: String, _ scope: Scope, _ value: Value, for commands: [RunCommandKind] = FlagDefinition.everyCommand,
        hidden: Bool = false, _ help: String
    ) {
        self.name = name
        self.scope = scope
        self.value = value
        self.commands = commands
        self.hidden = hidden
        self.help = help
    }

    /// `--name=PLACEHOLDER`, `--name[=PLACEHOLDER]` or `--name`, for help.
    var label: String {
        switch value {
        case .bool: return "--\(name)"
        case .required(let placeholder): return "--\(name)=\(placeholder)"
        case .optional(let placeholder, _): return "--\(name)[=\(placeholder)]"
        }
    }
}

enum FlagTable {
    static let runOnly: [RunCommandKind] = [.run]

    static let all: [FlagDefinition] = [
        // Pod flags.
        FlagDefinition("volume", .pod, .required(placeholder: "NAME,kind=host|empty,..."),
            "a pod volume: NAME,kind=host,source=PATH[,readOnly=BOOL][,recursive=BOOL] or NAME,kind=empty[,mode=0755][,uid=0][,gid=0][,readOnly=BOOL] (repeatable)"),
        FlagDefinition("port", .pod, .required(placeholder: "NAME:[HOSTIP:]HOSTPORT"),
            "forward a host port to the app port NAME (repeatable; needs a contained network)"),
        FlagDefinition("inherit-env", .pod, .bool, "give apps skiff's environment, under the image's and the flags' variables"),
        FlagDefinition("set-env", .pod, .required(placeholder: "NAME=VALUE"), "set a variable in every app (repeatable)"),
        FlagDefinition("set-env-file", .pod, .required(placeholder: "FILE"),
            "set every app the variables of FILE: NAME=VALUE lines, '#' or ';' comments, blank lines (repeatable)"),
        FlagDefinition("no-overlay", .pod, .bool, "copy image trees instead of mounting them with overlayfs"),
        FlagDefinition("private-users", .pod, .bool, "run the pod in a user namespace"),
        FlagDefinition("pull-policy", .pod, .required(placeholder: "new|update|never"),
            "when to fetch images: new (only if not in the store), update (check for a newer one), never (default new)"),
        FlagDefinition("store-only", .pod, .bool, hidden: true, "deprecated: --pull-policy=never"),
        FlagDefinition("no-store", .pod, .bool, hidden: true, "deprecated: --pull-policy=update"),
        FlagDefinition("pod-manifest", .pod, .required(placeholder: "FILE"),
            "run this pod manifest instead of images (no images, volumes, mounts, ports, environment or pull policy with it)"),
        FlagDefinition("uuid-file-save", .pod, .required(placeholder: "FILE"), "write the pod's UUID to FILE"),
        FlagDefinition("stage1-path", .pod, .required(placeholder: "PATH"), "the stage1 image file to use"),
        FlagDefinition("stage1-url", .pod, .required(placeholder: "URL"), "the URL of the stage1 image to use"),
        FlagDefinition("stage1-name", .pod, .required(placeholder: "NAME"), "the name of the stage1 image to use"),
        FlagDefinition("stage1-hash", .pod, .required(placeholder: "ID"), "the image ID of a stage1 image in the store"),
        FlagDefinition("stage1-from-dir", .pod, .required(placeholder: "FILE"), "a stage1 image file in the stage1 images directory"),
        FlagDefinition("quiet", .pod, .bool, for: [.prepare], "print only the pod's UUID"),
        FlagDefinition("net", .pod, .optional(placeholder: "NET[:ARGS],...", defaultValue: "default"), for: runOnly,
            "networks to join: default, default-restricted, host, none, all or configured names; NAME:K=V;K2=V2 passes CNI arguments (repeatable)"),
        FlagDefinition("dns", .pod, .required(placeholder: "IP|host|none"), for: runOnly,
            "a name server for /etc/resolv.conf; host uses the host's file, none ignores the network's DNS (repeatable)"),
        FlagDefinition("dns-search", .pod, .required(placeholder: "DOMAIN"), for: runOnly, "a search domain for /etc/resolv.conf (repeatable)"),
        FlagDefinition("dns-opt", .pod, .required(placeholder: "OPTION"), for: runOnly, "a resolv.conf(5) option for /etc/resolv.conf (repeatable)"),
        FlagDefinition("dns-domain", .pod, .required(placeholder: "DOMAIN"), for: runOnly, "the domain for /etc/resolv.conf"),
        FlagDefinition("hosts-entry", .pod, .required(placeholder: "IP=NAME|host"), for: runOnly,
            "an /etc/hosts entry; host uses the host's file (repeatable)"),
        FlagDefinition("hostname", .pod, .required(placeholder: "NAME"), for: runOnly, "the pod's host name (default: derived from the pod UUID)"),
        FlagDefinition("interactive", .pod, .bool, for: runOnly, "run the pod's only app attached to this terminal"),
        FlagDefinition("mds-register", .pod, .bool, for: runOnly, "register the pod with the metadata service"),
        FlagDefinition("ipc", .pod, .required(placeholder: "auto|private|parent"), for: runOnly,
            "the pod's IPC namespace: its own (private), the host's (parent), or the stage1's choice (auto, default)"),
        // App flags (after the image they apply to).
        FlagDefinition("exec", .app, .required(placeholder: "PROGRAM"), "run PROGRAM instead of the image's exec"),
        FlagDefinition("name", .app, .required(placeholder: "NAME"), "the app's name (default: from the image name)"),
        FlagDefinition("user", .app, .required(placeholder: "UID|NAME|PATH"), "run as this user (a path: its owner)"),
        FlagDefinition("group", .app, .required(placeholder: "GID|NAME|PATH"), "run with this group (a path: its group)"),
        FlagDefinition("supplementary-gids", .app, .required(placeholder: "GID,..."), "the app's supplementary groups"),
        FlagDefinition("working-dir", .app, .required(placeholder: "PATH"), "the app's working directory (absolute)"),
        FlagDefinition("environment", .app, .required(placeholder: "NAME=VALUE"), "set a variable in this app (repeatable)"),
        FlagDefinition("readonly-rootfs", .app, .bool, "mount the app's root file system read-only"),
        FlagDefinition("mount", .app, .required(placeholder: "volume=NAME,target=PATH"),
            "mount a volume in this app; before any image: in every app (repeatable)"),
        FlagDefinition("signature", .app, .required(placeholder: "FILE"), "a detached signature for this image"),
        FlagDefinition("annotation", .app, .required(placeholder: "NAME=VALUE"), "an annotation of this app in the pod manifest (repeatable)"),
        FlagDefinition("user-annotation", .app, .required(placeholder: "NAME=VALUE"), "a user annotation of this app (repeatable)"),
        FlagDefinition("user-label", .app, .required(placeholder: "NAME=VALUE"), "a user label of this app (repeatable)"),
        FlagDefinition("memory", .app, .required(placeholder: "QUANTITY"), "memory limit, e.g. 128M, 1Gi"),
        FlagDefinition("cpu", .app, .required(placeholder: "QUANTITY"), "CPU limit in cores, e.g. 500m, 2"),
        FlagDefinition("cpu-shares", .app, .required(placeholder: "SHARES"), "CPU weight, 2...262144"),
        FlagDefinition("caps-retain", .app, .required(placeholder: "CAP,..."), "keep only these capabilities"),
        FlagDefinition("caps-remove", .app, .required(placeholder: "CAP,..."), "drop these capabilities from the default set"),
        FlagDefinition("cap-retain", .app, .required(placeholder: "CAP,..."), hidden: true, "deprecated: --caps-retain"),
        FlagDefinition("cap-remove", .app, .required(placeholder: "CAP,..."), hidden: true, "deprecated: --caps-remove"),
        FlagDefinition("seccomp", .app, .required(placeholder: "mode=retain|remove[,errno=E],SYSCALL,@GROUP,..."),
            "the app's seccomp filter: allow only (retain) or forbid (remove) these syscalls"),
        FlagDefinition("oom-score-adj", .app, .required(placeholder: "N"), "the app's OOM score adjustment, -1000...1000"),
    ]

    /// The flag called `name` (any command). A scan: a run names a few flags, and building a
    /// dictionary of all of them first cost more than the scans.
    static func definition(_ name: String) -> FlagDefinition? { all.first { $0.name == name } }

    /// Help lines of the visible flags of `scope` that `kind` accepts.
    static func help(_ scope: FlagDefinition.Scope, for kind: RunCommandKind) -> [(flag: String, help: String)] {
        all.filter { $0.scope == scope && !$0.hidden && $0.commands.contains(kind) }.map { ($0.label, $0.help) }
    }
}
