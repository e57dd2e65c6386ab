// The flag syntax every stage1 entrypoint reads: `--name` for switches, `--name=VALUE` (or
// `--name VALUE`) for values, `--` ending the flags. Strict: an unknown flag is an error naming it,
// because a stage1 silently ignoring a flag would run a pod other than the one asked for.
import SkiffSystem

/// A one-pass reader of an entrypoint's argv (without argv[0]).
struct FlagScanner {
    /// What the scanner found next.
    enum Item: Equatable {
        case flag(name: String, value: String?)
        case positional(String)
        /// `--`: everything after it is positional.
        case separator
    }

    private var arguments: ArraySlice<String>
    private let valued: Set<String>
    private let switches: Set<String>
    private let entrypoint: String

    /// `valued`: flags that take a value; `switches`: flags that do not. Names without dashes.
    init(_ arguments: [String], entrypoint: String, valued: Set<String>, switches: Set<String>) {
        self.arguments = arguments[...]
        self.valued = valued
        self.switches = switches
        self.entrypoint = entrypoint
    }

    /// The remaining arguments, untouched (after `--`).
    mutating func rest() -> [String] {
        defer { arguments = [] }
        return Array(arguments)
    }

    /// The next item, or nil at the end.
    mutating func next() throws -> Item? {
        guard let argument = arguments.popFirst() else { return nil }
        if argument == "--" { return .separator }
        guard argument.hasPrefix("--"), argument.count > 2 else {
            if argument.hasPrefix("-") && argument != "-" {
                throw usage("unknown flag \(quote(argument))")
            }
            return .positional(argument)
        }
        let body = argument.dropFirst(2)
        let name: String
        var value: String?
        if let equals = body.firstIndex(of: "=") {
            name = String(body[..<equals])
            value = String(body[body.index(after: equals)...])
        } else {
            name = String(body)
        }
        if switches.contains(name) {
            guard value == nil else { throw usage("flag --\(name) takes no value") }
            return .flag(name: name, value: nil)
        }
        guard valued.contains(name) else { throw usage("unknown flag \(quote("--" + name))") }
        if value == nil {
            guard let following = arguments.popFirst() else { throw usage("flag --\(name) needs a value") }
            value = following
        }
        return .flag(name: name, value: value)
    }

    /// A usage error of this entrypoint.
    func usage(_ text: String) -> SkiffError {
        SkiffError(.usage, "\(entrypoint) arguments: \(text)")
    }
}

/// Pod UUIDs as the contract writes them: RFC 4122, lowercase canonical 8-4-4-4-12.
enum PodUUID {
    /// Whether `text` is a lowercase canonical UUID.
    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                if byte != UInt8(ascii: "-") { return false }
            } else if !((byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))) {
                return false
            }
        }
        return true
    }

    /// Checks the single positional UUID of an entrypoint.
    static func single(_ positionals: [String], scanner: FlagScanner) throws -> String {
        guard let uuid = positionals.first else { throw scanner.usage("missing the pod UUID") }
        guard positionals.count == 1 else {
            throw scanner.usage("unexpected argument \(quote(positionals[1])) after the pod UUID")
        }
        guard isValid(uuid) else { throw scanner.usage("\(quote(uuid)) is not a lowercase canonical UUID") }
        return uuid
    }
}
