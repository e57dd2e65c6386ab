// Per-app flags: each applies to the last image given. Values are checked here; rkt's own
// rules kept: --exec and --signature once per image, --supplementary-gids appends, the other
// single-valued flags take the last value.
import SkiffImage
import SkiffSystem

extension ParserState {
    mutating func applyApp(_ name: String, _ value: String, to index: Int) throws {
        var app = request.apps[index]
        switch name {
        case "exec":
            guard app.exec == nil else { throw error("--exec given twice for image \(quote(app.image))") }
            app.exec = try nonEmpty(name, value)
        case "signature":
            guard app.signature == nil else { throw error("--signature given twice for image \(quote(app.image))") }
            app.signature = try nonEmpty(name, value)
        case "name":
            guard ACName.isValid(value) else {
                throw error(name, value, "not an AC name (lowercase letters and digits, single dashes between)")
            }
            app.name = value
        case "user", "group":
            guard ValueForms.isUserOrGroup(value) else {
                throw error(name, value, "not a\(name == "user" ? " user" : " group") ID, name or absolute path")
            }
            if name == "user" { app.user = value } else { app.group = value }
        case "supplementary-gids":
            var gids = app.supplementaryGIDs ?? []
            for item in value.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard let gid = ValueForms.id(item) else { throw error(name, value, "\(quote(item)) is not a group ID") }
                gids.append(gid)
            }
            app.supplementaryGIDs = gids
        case "working-dir":
            guard value.hasPrefix("/") else { throw error(name, value, "must be an absolute path") }
            app.workingDirectory = value
        case "environment":
            app.environment.append(try checked(name, value) { () throws(FlagProblem) in try EnvironmentForms.assignment(value) })
        case "readonly-rootfs":
            app.readOnlyRootFS = try boolean(name, value)
        case "mount":
            app.mounts.append(try checked(name, value) { () throws(FlagProblem) in try MountOption.parse(value) })
        case "annotation":
            let (key, text) = try keyValue(name, value)
            guard ACIdentifier.isValid(key) else { throw error(name, value, "\(quote(key)) is not an AC identifier") }
            let annotation = Annotation(name: try ACIdentifier(validating: key), value: text)
            app.annotations.removeAll { $0.name == annotation.name }
            app.annotations.append(annotation)
        case "user-annotation":
            let (key, text) = try keyValue(name, value)
            app.userAnnotations = (app.userAnnotations ?? [:]).merging([key: text]) { $1 }
        case "user-label":
            let (key, text) = try keyValue(name, value)
            app.userLabels = (app.userLabels ?? [:]).merging([key: text]) { $1 }
        default:
            try applyIsolator(name, value, to: &app.isolators)
        }
        request.apps[index] = app
    }

    /// `NAME=VALUE` with a non-empty name.
    private func keyValue(_ name: String, _ value: String) throws -> (String, String) {
        guard let (key, text) = ValueForms.assignment(value), !key.isEmpty else { throw error(name, value, "not NAME=VALUE") }
        return (key, text)
    }

    private func applyIsolator(_ name: String, _ value: String, to isolators: inout AppIsolatorOptions) throws {
        switch name {
        case "memory":
            let memory = try quantity(name, value)
            // rkt's guard against "--memory=16m" (16 thousandths of a byte) meant as megabytes.
            guard memory.value >= 4096 else { throw error(name, value, "below the 4096-byte minimum (M is megabytes, m thousandths)") }
            isolators.memory = memory
        case "cpu":
            let cpu = try quantity(name, value)
            guard cpu.milliValue > 0 else { throw error(name, value, "must be more than 0") }
            isolators.cpu = cpu
        case "cpu-shares":
            isolators.cpuShares = try checked(name, value) { () throws(FlagProblem) in try ValueForms.integer(value, in: 2...262_144) }
        case "oom-score-adj":
            isolators.oomScoreAdj = try checked(name, value) { () throws(FlagProblem) in try ValueForms.integer(value, in: -1000...1000) }
        case "caps-retain", "cap-retain":
            isolators.capabilitiesRetain = try checked(name, value) { () throws(FlagProblem) in try AppIsolatorOptions.capabilities(value) }
        case "caps-remove", "cap-remove":
            isolators.capabilitiesRemove = try checked(name, value) { () throws(FlagProblem) in try AppIsolatorOptions.capabilities(value) }
        case "seccomp":
            isolators.seccomp = try checked(name, value) { () throws(FlagProblem) in try SeccompOption.parse(value) }
        default:
            throw error("--\(name) is not handled (internal error)")
        }
    }

    /// A Kubernetes-style quantity ("128M", "500m", "1Gi").
    private func quantity(_ name: String, _ value: String) throws -> Quantity {
        do {
            return try Quantity(parsing: value)
        } catch let failure as SkiffError {
            // Quantity's message is `quantity "<text>": <reason>`; keep only the reason.
            let prefix = "quantity \(quote(value)): "
            let reason = failure.message.hasPrefix(prefix) ? String(failure.message.dropFirst(prefix.count)) : failure.message
            throw error(name, value, "not a quantity: \(reason)")
        }
    }
}
