// The per-app part of a run/prepare command line: the image and the flags that follow it
// (rkt: "per-app flags apply to the image they follow").
import SkiffImage
import SkiffSystem

/// Per-app options, given after the image they apply to.
public struct AppOptions: Sendable, Equatable {
    /// The image as typed (file, URL, name, ID).
    public var image: String
    /// `--name`: the app's name, a valid AC name.
    public var name: String?
    /// `--exec`: replaces the image's whole exec (program and its arguments).
    public var exec: String?
    /// The words after `--`, up to `---` or the end. nil: no `--`; []: `--` with nothing after.
    /// rkt appends them to the exec (see `resolveApp`).
    public var arguments: [String]?
    /// `--user`: a UID, a user name, or an absolute path whose owner is used.
    public var user: String?
    /// `--group`: a GID, a group name, or an absolute path whose group is used.
    public var group: String?
    /// `--supplementary-gids=1,2` (repeats append, as in rkt).
    public var supplementaryGIDs: [UInt32]?
    /// `--working-dir`, absolute.
    public var workingDirectory: String?
    /// `--environment NAME=VALUE`, in order (a later value of the same name wins).
    public var environment: [EnvironmentVariable] = []
    /// `--readonly-rootfs[=BOOL]`.
    public var readOnlyRootFS: Bool?
    /// `--mount volume=NAME,target=PATH` after this image.
    public var mounts: [MountOption] = []
    /// `--signature FILE`: a detached signature for this image.
    public var signature: String?
    /// `--memory`, `--cpu`, `--cpu-shares`, `--caps-retain`, `--caps-remove`, `--seccomp`,
    /// `--oom-score-adj`.
    public var isolators = AppIsolatorOptions()
    /// `--annotation NAME=VALUE`: annotations of the pod manifest's app entry (a later value of
    /// the same name replaces the earlier one).
    public var annotations: [Annotation] = []
    /// `--user-annotation NAME=VALUE`; when given, they replace the image's (rkt).
    public var userAnnotations: [String: String]?
    /// `--user-label NAME=VALUE`; when given, they replace the image's (rkt).
    public var userLabels: [String: String]?

    /// Options for `image` with nothing overridden.
    public init(image: String) {
        self.image = image
    }
}

/// `--mount volume=NAME,target=PATH`: a volume mounted at an absolute path in an app.
public struct MountOption: Sendable, Equatable {
    /// The volume's name (a valid AC name, declared with `--volume`).
    public var volume: String
    /// The absolute path inside the app.
    public var target: String

    /// A mount (not validated; `init(parsing:)` validates).
    public init(volume: String, target: String) {
        self.volume = volume
        self.target = target
    }

    /// Parses `volume=NAME,target=PATH` (keys in any order, each once, both required).
    public init(parsing text: String) throws {
        do {
            self = try MountOption.parse(text)
        } catch {
            throw error.usageError("--mount \(quote(text))")
        }
    }

    /// The pod manifest's form of this mount.
    public func podMount() throws -> Mount {
        Mount(volume: try ACName(validating: volume), path: target)
    }

    static func parse(_ text: String) throws(FlagProblem) -> MountOption {
        var volume: String?
        var target: String?
        for (key, value) in try keyValueList(text, allowing: ["volume", "target"]) {
            if key == "volume" {
                guard ACName.isValid(value) else { throw FlagProblem("volume \(quote(value)) is not an AC name") }
                volume = value
            } else {
                guard value.hasPrefix("/") else { throw FlagProblem("target \(quote(value)) is not an absolute path") }
                target = value
            }
        }
        guard let volume else { throw FlagProblem("needs volume=NAME") }
        guard let target else { throw FlagProblem("needs target=PATH") }
        return MountOption(volume: volume, target: target)
    }
}

/// Splits `k=v,k2=v2` into pairs, each key allowed and given at most once. Values are taken
/// verbatim (no URL decoding), so they cannot contain ','.
func keyValueList(_ text: String, allowing keys: [String]) throws(FlagProblem) -> [(String, String)] {
    var pairs: [(String, String)] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
        guard let equals = item.firstIndex(of: "=") else { throw FlagProblem("\(quote(String(item))) is not KEY=VALUE") }
        let key = String(item[..<equals])
        let value = String(item[item.index(after: equals)...])
        guard keys.contains(key) else {
            throw FlagProblem("unknown parameter \(quote(key)) (known: \(keys.joined(separator: ", ")))")
        }
        guard !pairs.contains(where: { $0.0 == key }) else { throw FlagProblem("\(key) given twice") }
        pairs.append((key, value))
    }
    return pairs
}
