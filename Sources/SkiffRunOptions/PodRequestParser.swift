// The run/prepare argument grammar (rkt's parseApps with pflag underneath):
//   [pod flags] IMAGE [flags] [-- ARGS... [---]] [IMAGE [flags] [-- ARGS... [---]]]...
// A word that is not a flag starts a new app. Per-app flags attach to the last image; before any
// image only --mount is allowed (it then applies to every app). Pod flags are accepted anywhere
// outside app arguments, as rkt's flag set accepted them between images. `--` starts the last
// image's arguments, which run to `---` or the end, so they may look like flags ("-x", "--y",
// "-"). `---` outside arguments separates nothing and is skipped, as in rkt.
import SkiffImage
import SkiffSystem

/// Parses `skiff run` / `skiff prepare` command lines (rkt-compatible) into a `PodRequest`.
public enum PodRequestParser {
    /// Parses the arguments after the command word (global flags already removed by the
    /// caller). Errors are `SkiffError(.usage, "<command>: <flag> <problem>")`, one line each;
    /// failures to read a `--set-env-file` or `--pod-manifest` keep their errno.
    public static func parse(_ arguments: [String], kind: RunCommandKind) throws -> PodRequest {
        try parse(arguments, kind: kind, globalFlags: [:]).request
    }

    /// Like `parse(_:kind:)`, but also accepts the caller's global flags wherever a pod flag may
    /// appear (rkt accepted its persistent flags there too): `globalFlags` maps each global
    /// flag's name to whether it takes a value. They are returned, in order, as `--name` or
    /// `--name=value` words for the caller to parse.
    public static func parse(
        _ arguments: [String], kind: RunCommandKind, globalFlags: [String: Bool]
    ) throws -> (request: PodRequest, globalArguments: [String]) {
        var state = ParserState(kind: kind)
        var global: [String] = []
        var index = 0
        var inArguments = false
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if inArguments {
                if word == "---" {
                    inArguments = false
                } else {
                    state.appendArgument(word)
                }
                continue
            }
            if word == "---" { continue }
            if word == "--" {
                try state.startArguments()
                inArguments = true
                continue
            }
            guard word.hasPrefix("-"), word != "-" else {
                state.addImage(word)
                continue
            }
            guard word.hasPrefix("--") else { throw state.error("unknown flag \(word)") }
            let body = word.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            let inline: String? = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            if let takesValue = globalFlags[name] {
                if takesValue, inline == nil {
                    guard index < arguments.count else { throw state.error("--\(name) needs a value") }
                    global.append("--\(name)=\(arguments[index])")
                    index += 1
                } else {
                    global.append(word)
                }
                continue
            }
            guard let definition = FlagTable.definition(name) else { throw state.error("unknown flag --\(name)") }
            guard definition.commands.contains(kind) else {
                let others = definition.commands.map(\.rawValue).sorted().joined(separator: " and ")
                throw state.error("--\(name) is only for \(others)")
            }
            let value: String
            switch definition.value {
            case .bool:
                value = inline ?? "true"
            case .optional(_, let defaultValue):
                value = inline ?? defaultValue
            case .required:
                if let inline {
                    value = inline
                } else {
                    guard index < arguments.count else { throw state.error("--\(name) needs a value") }
                    value = arguments[index]
                    index += 1
                }
            }
            try state.apply(definition, value)
        }
        return (try state.finish(), global)
    }

    /// Help for the pod flags of `skiff run` (label such as `--volume=NAME,...`, one-line help).
    public static var podFlagHelp: [(flag: String, help: String)] { FlagTable.help(.pod, for: .run) }

    /// Help for the per-app flags (the same for run and prepare).
    public static var appFlagHelp: [(flag: String, help: String)] { FlagTable.help(.app, for: .run) }

    /// Help for the pod flags `kind` accepts.
    public static func podFlagHelp(for kind: RunCommandKind) -> [(flag: String, help: String)] {
        FlagTable.help(.pod, for: kind)
    }
}

/// The request being built, and what the checks at the end need to know.
struct ParserState {
    let kind: RunCommandKind
    var request = PodRequest()
    /// Pod-manifest conflicts in command-line order ("--volume", "image \"x\"").
    var manifestConflicts: [String] = []
    /// Where each --set-env-file variable came from ("\"a.env\":3"), for duplicate errors.
    var fileOrigins: [String: String] = [:]
    var storeOnly = false
    var noStore = false

    init(kind: RunCommandKind) { self.kind = kind }

    /// A usage error `<command>: <message>`.
    func error(_ message: String) -> SkiffError { SkiffError(.usage, "\(kind.rawValue): \(message)") }

    /// A usage error `<command>: --<flag> "<value>": <problem>`.
    func error(_ flag: String, _ value: String, _ problem: String) -> SkiffError {
        error("--\(flag) \(quote(value)): \(problem)")
    }

    /// Runs a value check, turning its problem into an error naming the flag and the value.
    func checked<T>(_ flag: String, _ value: String, _ body: () throws(FlagProblem) -> T) throws -> T {
        switch Result(catching: body) {
        case .success(let result): return result
        case .failure(let problem): throw error(flag, value, problem.message)
        }
    }

    /// A boolean flag's value.
    func boolean(_ flag: String, _ value: String) throws -> Bool {
        guard let result = ValueForms.bool(value) else { throw error("--\(flag) takes true or false, not \(quote(value))") }
        return result
    }

    /// A value that must not be empty.
    func nonEmpty(_ flag: String, _ value: String) throws -> String {
        guard !value.isEmpty else { throw error(flag, value, "must not be empty") }
        return value
    }

    mutating func addImage(_ image: String) {
        request.apps.append(AppOptions(image: image))
        manifestConflicts.append("image \(quote(image))")
    }

    mutating func startArguments() throws {
        guard let last = request.apps.indices.last else {
            throw error("\"--\" before any image (app arguments follow their image)")
        }
        guard request.apps[last].arguments == nil else {
            throw error("second \"--\" for image \(quote(request.apps[last].image)) (one argument list per image)")
        }
        request.apps[last].arguments = []
    }

    mutating func appendArgument(_ word: String) {
        guard let last = request.apps.indices.last else { return }
        request.apps[last].arguments?.append(word)
    }

    mutating func apply(_ definition: FlagDefinition, _ value: String) throws {
        if case .bool = definition.value { _ = try boolean(definition.name, value) }
        switch definition.scope {
        case .pod:
            try applyPod(definition.name, value)
        case .app:
            if let last = request.apps.indices.last {
                try applyApp(definition.name, value, to: last)
            } else if definition.name == "mount" {
                request.globalMounts.append(try checked("mount", value) { () throws(FlagProblem) in try MountOption.parse(value) })
                manifestConflicts.append("--mount")
            } else {
                throw error("--\(definition.name) for no image (per-app flags follow their image)")
            }
        }
    }
}
