// Environment variables from the command line: `NAME=VALUE` flags, `--set-env-file` files, and
// how they layer over the image's (rkt's documented precedence, lowest first: parent
// environment with --inherit-env, image, --set-env-file, --set-env, per-app --environment).
import SkiffImage
import SkiffSystem

enum EnvironmentForms {
    /// `NAME=VALUE` with a valid variable name; the value verbatim (may be empty, no NUL).
    static func assignment(_ text: String) throws(FlagProblem) -> EnvironmentVariable {
        guard let (name, value) = ValueForms.assignment(text) else { throw FlagProblem("not NAME=VALUE") }
        guard EnvironmentVariable.isValidName(name) else { throw FlagProblem("\(quote(name)) is not a variable name") }
        guard !value.utf8.contains(0) else { throw FlagProblem("the value contains a NUL byte") }
        return EnvironmentVariable(name: name, value: value)
    }

    /// A `--set-env-file` body: `NAME=VALUE` lines; blank lines and lines starting with '#' or
    /// ';' (after leading blanks) skipped; a trailing CR dropped (as Go's line scanner did);
    /// values verbatim. Returns each variable with its line number, or the first bad line.
    static func file(_ bytes: [UInt8]) -> Result<[(EnvironmentVariable, Int)], LineProblem> {
        var variables: [(EnvironmentVariable, Int)] = []
        // Split bytes, not Characters: Swift reads "\r\n" as one Character.
        for (offset, rawLine) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            let lineBytes = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            let content = lineBytes.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            if content.isEmpty || content.first == UInt8(ascii: "#") || content.first == UInt8(ascii: ";") { continue }
            let line = String(decoding: lineBytes, as: UTF8.self)
            switch Result(catching: { () throws(FlagProblem) in try assignment(line) }) {
            case .success(let variable): variables.append((variable, number))
            case .failure(let problem):
                return .failure(LineProblem(line: number, message: "\(quote(line)): \(problem.message)"))
            }
        }
        return .success(variables)
    }

    struct LineProblem: Error {
        let line: Int
        let message: String
    }
}

extension ParserState {
    /// Reads a `--set-env-file` now (rkt read it while parsing too); names must be unique across
    /// all files. Errors name the file and the line: `run: --set-env-file "a.env":3: ...`.
    mutating func readEnvironmentFile(_ path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path, limit: 16 << 20)
        } catch let failure as SkiffError {
            throw SkiffError(failure.code, "\(kind.rawValue): --set-env-file: \(failure.message)", errno: failure.errno)
        }
        let place = "--set-env-file \(quote(path))"
        switch EnvironmentForms.file(bytes) {
        case .failure(let problem):
            throw error("\(place):\(problem.line): \(problem.message)")
        case .success(let variables):
            for (variable, line) in variables {
                if let earlier = fileOrigins[variable.name] {
                    throw error("\(place):\(line): \(quote(variable.name)) already set (\(earlier))")
                }
                fileOrigins[variable.name] = "\(quote(path)):\(line)"
                request.fileEnvironment.append(variable)
            }
            request.setEnvFiles.append(path)
        }
    }
}

/// The environment an app gets, layered lowest to highest: `parent` (only when `inherit`; names
/// that are not valid variable names are skipped), the image's, the `--set-env-file` ones
/// (`files`), the `--set-env` ones, the app's `--environment` (`perApp`). A later layer's value
/// wins; each variable keeps the position of its first appearance (parent variables sorted by
/// name).
public func composeEnvironment(
    parent: [String: String], inherit: Bool, image: [EnvironmentVariable], files: [(String, String)],
    setEnv: [(String, String)], perApp: [(String, String)]
) -> [EnvironmentVariable] {
    func variables(_ pairs: [(String, String)]) -> [EnvironmentVariable] { pairs.map { EnvironmentVariable(name: $0.0, value: $0.1) } }
    return layeredEnvironment(parent: inherit ? parent : [:], layers: [image, variables(files), variables(setEnv), variables(perApp)])
}

/// `composeEnvironment` with the command-line layers taken from `request` (its --inherit-env,
/// --set-env-file and --set-env) and the app's `--environment`.
public func composeEnvironment(
    parent: [String: String], image: [EnvironmentVariable], request: PodRequest, perApp: [EnvironmentVariable]
) -> [EnvironmentVariable] {
    layeredEnvironment(parent: request.inheritEnv ? parent : [:], layers: [image, request.fileEnvironment, request.setEnv, perApp])
}

func layeredEnvironment(parent: [String: String], layers: [[EnvironmentVariable]]) -> [EnvironmentVariable] {
    var result: [EnvironmentVariable] = []
    var positions: [String: Int] = [:]
    func set(_ variable: EnvironmentVariable) {
        if let position = positions[variable.name] {
            result[position].value = variable.value
        } else {
            positions[variable.name] = result.count
            result.append(variable)
        }
    }
    for name in parent.keys.sorted() where EnvironmentVariable.isValidName(name) {
        set(EnvironmentVariable(name: name, value: parent[name] ?? ""))
    }
    for layer in layers {
        for variable in layer { set(variable) }
    }
    return result
}
