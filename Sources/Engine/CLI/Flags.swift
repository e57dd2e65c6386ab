// Flag declarations and parsing in rkt's (pflag's) style: --name=value, --name value, --bool.

/// One flag a command accepts.
public struct FlagSpec: Sendable {
    /// What the flag takes.
    public enum Kind: Sendable {
        /// `--name` alone means true; `--name=false` turns it off.
        case bool
        /// `--name=value` or `--name value`; the last occurrence wins.
        case value(placeholder: String, defaultValue: String?)
        /// Like `.value`, but every occurrence is kept, in order.
        case repeatable(placeholder: String)
        /// `--name` alone (value "") or `--name=value`; never takes the next word.
        case optionalValue(placeholder: String)
    }

    public let name: String
    public let kind: Kind
    public let help: String

    public init(_ name: String, _ kind: Kind, help: String) {
        self.name = name
        self.kind = kind
        self.help = help
    }

    var takesValue: Bool {
        switch kind {
        case .bool, .optionalValue: return false
        default: return true
        }
    }
}

/// Flags and positional arguments after parsing.
public struct ParsedArguments: Sendable {
    /// Every value given per flag name, in order (bool flags hold "true" or "false").
    public var values: [String: [String]] = [:]
    /// Arguments that are not flags, in order.
    public var positionals: [String] = []

    /// The last value of a flag, or its declared default.
    public func value(_ name: String, in specs: [FlagSpec]) -> String? {
        if let last = values[name]?.last { return last }
        for spec in specs where spec.name == name {
            if case .value(_, let defaultValue) = spec.kind { return defaultValue }
        }
        return nil
    }

    /// Whether a bool flag is on.
    public func isSet(_ name: String) -> Bool {
        values[name]?.last == "true"
    }
}

enum FlagParser {
    /// Parses `arguments` against `specs`. Flags may come before or among positionals unless
    /// `interspersed` is false, where the first positional ends flag parsing (rkt's `run`).
    /// `--` ends flag parsing. Unknown flags are errors naming the flag and the command.
    static func parse(
        _ arguments: [String], specs: [FlagSpec], command: String, interspersed: Bool = true
    ) throws(SkiffError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var flagsDone = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if flagsDone || !argument.hasPrefix("-") || argument == "-" {
                parsed.positionals.append(argument)
                if !interspersed { flagsDone = true }
                continue
            }
            if argument == "--" {
                flagsDone = true
                continue
            }
            let body = argument.drop { $0 == "-" }
            let name = String(body.prefix { $0 != "=" })
            let inline: String? = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            guard let spec = specs.first(where: { $0.name == name }) else {
                throw SkiffError(.usage, "\(command): unknown flag \(argument.prefix { $0 != "=" })")
            }
            if case .optionalValue = spec.kind {
                parsed.values[name, default: []].append(inline ?? "")
                continue
            }
            if !spec.takesValue {
                let value = inline ?? "true"
                guard value == "true" || value == "false" else {
                    throw SkiffError(.usage, "\(command): flag --\(name) takes true or false, not \"\(value)\"")
                }
                parsed.values[name, default: []].append(value)
                continue
            }
            if let inline {
                parsed.values[name, default: []].append(inline)
            } else if index < arguments.count {
                parsed.values[name, default: []].append(arguments[index])
                index += 1
            } else {
                throw SkiffError(.usage, "\(command): flag --\(name) needs a value")
            }
        }
        return parsed
    }
}
