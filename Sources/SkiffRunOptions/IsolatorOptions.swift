// The isolator flags of an app (`--memory`, `--cpu`, `--cpu-shares`, `--caps-retain`,
// `--caps-remove`, `--seccomp`, `--oom-score-adj`): parsed and checked here, turned into the
// appc isolators a stage1 applies.
import SkiffImage
import SkiffSystem

/// The isolator overrides given for one app.
public struct AppIsolatorOptions: Sendable, Equatable {
    /// `--memory`: limit (and request) in bytes, at least 4096.
    public var memory: Quantity?
    /// `--cpu`: limit (and request) in cores; milliValue is millicores.
    public var cpu: Quantity?
    /// `--cpu-shares`: 2...262144.
    public var cpuShares: Int?
    /// `--caps-retain`: the bounding set is exactly these.
    public var capabilitiesRetain: [String]?
    /// `--caps-remove`: the default set minus these.
    public var capabilitiesRemove: [String]?
    /// `--seccomp`.
    public var seccomp: SeccompOption?
    /// `--oom-score-adj`: -1000...1000.
    public var oomScoreAdj: Int?

    /// No overrides.
    public init() {}

    /// Whether no isolator flag was given.
    public var isEmpty: Bool { self == AppIsolatorOptions() }

    /// The isolators these flags stand for, in a fixed order (memory, cpu, cpu-shares,
    /// oom-score-adj, capabilities, seccomp). Memory and cpu set request = limit, as rkt did.
    public func isolators() throws -> [Isolator] {
        var list: [Isolator] = []
        func amounts(_ quantity: Quantity) -> JSONValue {
            .object([("request", .string(quantity.description)), ("limit", .string(quantity.description))])
        }
        if let memory { list.append(try isolator(IsolatorName.memory, amounts(memory))) }
        if let cpu { list.append(try isolator(IsolatorName.cpu, amounts(cpu))) }
        if let cpuShares { list.append(try isolator(IsolatorName.cpuShares, .number(Double(cpuShares)))) }
        if let oomScoreAdj { list.append(try isolator(IsolatorName.oomScoreAdj, .number(Double(oomScoreAdj)))) }
        if let capabilitiesRetain {
            list.append(try isolator(IsolatorName.capsRetain, .object([("set", .array(capabilitiesRetain.map { .string($0) }))])))
        }
        if let capabilitiesRemove {
            list.append(try isolator(IsolatorName.capsRemove, .object([("set", .array(capabilitiesRemove.map { .string($0) }))])))
        }
        if let seccomp { list.append(try seccomp.isolator()) }
        return list
    }

    /// The image isolators these flags replace: same-named ones, both capability sets when a
    /// capability flag is given, both seccomp sets when `--seccomp` is.
    public var replacedIsolatorNames: Set<String> {
        var names = Set<String>()
        if memory != nil { names.insert(IsolatorName.memory) }
        if cpu != nil { names.insert(IsolatorName.cpu) }
        if cpuShares != nil { names.insert(IsolatorName.cpuShares) }
        if oomScoreAdj != nil { names.insert(IsolatorName.oomScoreAdj) }
        if capabilitiesRetain != nil || capabilitiesRemove != nil {
            names.formUnion([IsolatorName.capsRetain, IsolatorName.capsRemove])
        }
        if seccomp != nil { names.formUnion([IsolatorName.seccompRetain, IsolatorName.seccompRemove]) }
        return names
    }

    /// `CAP_A,CAP_B`: known capability names, at least one.
    static func capabilities(_ text: String) throws(FlagProblem) -> [String] {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for name in names {
            guard !name.isEmpty else { throw FlagProblem("empty capability name") }
            guard LinuxCapability.number(name) != nil else { throw FlagProblem("unknown capability \(quote(name))") }
        }
        return names
    }
}

/// `--seccomp mode=retain|remove[,errno=ENAME],syscall,@group,...` (rkt's syntax; the keys may
/// come anywhere in the list).
public struct SeccompOption: Sendable, Equatable {
    /// Whether the set lists the allowed syscalls or the forbidden ones.
    public enum Mode: String, Sendable {
        case retain, remove
    }

    /// retain: only `set` is allowed; remove: `set` is forbidden.
    public var mode: Mode
    /// The errno a filtered syscall fails with; nil means the process is killed (SIGSYS).
    public var errno: String?
    /// Syscall names and `@group` names, in order.
    public var set: [String]

    /// A seccomp override (not validated; `init(parsing:)` validates).
    public init(mode: Mode, errno: String? = nil, set: [String]) {
        self.mode = mode
        self.errno = errno
        self.set = set
    }

    /// Parses the `--seccomp` syntax.
    public init(parsing text: String) throws {
        do {
            self = try SeccompOption.parse(text)
        } catch {
            throw error.usageError("--seccomp \(quote(text))")
        }
    }

    /// The `os/linux/seccomp-retain-set` or `-remove-set` isolator.
    public func isolator() throws -> Isolator {
        var value: [(String, JSONValue)] = [("set", .array(set.map { .string($0) }))]
        if let errno { value.append(("errno", .string(errno))) }
        return try SkiffRunOptions.isolator(mode == .retain ? IsolatorName.seccompRetain : IsolatorName.seccompRemove, .object(value))
    }

    static func parse(_ text: String) throws(FlagProblem) -> SeccompOption {
        var mode: Mode?
        var errno: String?
        var set: [String] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if let (key, value) = ValueForms.assignment(item) {
                switch key {
                case "mode":
                    guard mode == nil else { throw FlagProblem("mode given twice") }
                    guard let parsed = Mode(rawValue: value) else { throw FlagProblem("mode \(quote(value)) is not retain or remove") }
                    mode = parsed
                case "errno":
                    guard errno == nil else { throw FlagProblem("errno given twice") }
                    guard LinuxErrno.number(value) != nil else { throw FlagProblem("unknown errno \(quote(value))") }
                    errno = value
                default:
                    throw FlagProblem("unknown parameter \(quote(key)) (known: mode, errno)")
                }
            } else {
                let name = item.hasPrefix("@") ? String(item.dropFirst()) : item
                guard ValueForms.isPlainWord(name.replacingSlashes) else {
                    throw FlagProblem("\(quote(item)) is not a syscall name or @group")
                }
                set.append(item)
            }
        }
        guard let mode else { throw FlagProblem("needs mode=retain or mode=remove") }
        guard !set.isEmpty else { throw FlagProblem("names no syscalls") }
        return SeccompOption(mode: mode, errno: errno, set: set)
    }
}

extension String {
    /// '/' turned into '-', so group names like "rkt/default-whitelist" check as plain words.
    fileprivate var replacingSlashes: String { String(map { $0 == "/" ? "-" : $0 }) }
}

/// The appc isolator names the flags produce.
enum IsolatorName {
    static let memory = "resource/memory"
    static let cpu = "resource/cpu"
    static let cpuShares = "os/linux/cpu-shares"
    static let oomScoreAdj = "os/linux/oom-score-adj"
    static let capsRetain = "os/linux/capabilities-retain-set"
    static let capsRemove = "os/linux/capabilities-remove-set"
    static let seccompRetain = "os/linux/seccomp-retain-set"
    static let seccompRemove = "os/linux/seccomp-remove-set"
}

/// An isolator entry named `name`.
func isolator(_ name: String, _ value: JSONValue) throws -> Isolator {
    Isolator(name: try ACIdentifier(validating: name), value: value)
}
