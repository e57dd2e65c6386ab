// One binary per stage1 flavor, several entrypoints: the stage1 image has the binary at
// /<flavor> and symlinks /<flavor>-run, -enter, -stop, -gc to it (annotation values must be
// plain paths, so the operation comes from the name the binary was started as).
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// The four entrypoints of the contract and how a multi-call binary finds which one it is.
public enum Stage1Entrypoint: String, Sendable, CaseIterable {
    case run, enter, stop, gc

    /// The operation and its arguments: from the basename's `-run`/`-enter`/`-stop`/`-gc` suffix,
    /// else from the first argument (`fly run ...`, handy by hand). Nil when neither names one.
    public static func split(_ argv: [String]) -> (Stage1Entrypoint, [String])? {
        guard let first = argv.first else { return nil }
        let name = FileSystem.baseName(first)
        for operation in allCases where name.hasSuffix("-" + operation.rawValue) {
            return (operation, Array(argv.dropFirst()))
        }
        if argv.count > 1, let operation = Stage1Entrypoint(rawValue: argv[1]) {
            return (operation, Array(argv.dropFirst(2)))
        }
        return nil
    }

    /// The absolute path of the current directory: the pod directory, by contract.
    public static func podDirectory() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { throw SkiffError.system("getcwd (the pod directory)") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The process environment as a dictionary (the first of duplicate names wins, as getenv).
    public static func environment() -> [String: String] { ProcessEnvironment.current() }

    /// Only the variables `names` that are set: a stage1 that reads a few of them need not turn
    /// the whole environment into a dictionary at every start (fly: 90,000 instructions).
    public static func environment(only names: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for name in names {
            if let value = getenv(name) { result[name] = String(cString: value) }
        }
        return result
    }
}
