// Pod-level flags: their values checked as they come, then the checks that need the whole
// command line (--pod-manifest conflicts, volumes behind every --mount, one image with
// --interactive...) once it has been read.
import SkiffImage
import SkiffSystem

extension ParserState {
    mutating func applyPod(_ name: String, _ value: String) throws {
        switch name {
        case "volume":
            let volume = try checked(name, value) { () throws(FlagProblem) in try VolumeOption.parse(value) }
            guard !request.volumes.contains(where: { $0.name == volume.name }) else {
                throw error(name, value, "volume \(quote(volume.name.value)) given twice")
            }
            request.volumes.append(volume)
            manifestConflicts.append("--volume")
        case "port":
            let port = try checked(name, value) { () throws(FlagProblem) in try NetworkForms.port(value) }
            guard !request.ports.contains(where: { $0.name == port.name }) else {
                throw error(name, value, "port \(quote(port.name.value)) given twice")
            }
            request.ports.append(port)
            manifestConflicts.append("--port")
        case "inherit-env":
            request.inheritEnv = try boolean(name, value)
            if request.inheritEnv { manifestConflicts.append("--inherit-env") }
        case "set-env":
            let variable = try checked(name, value) { () throws(FlagProblem) in try EnvironmentForms.assignment(value) }
            guard !request.setEnv.contains(where: { $0.name == variable.name }) else {
                throw error(name, value, "\(quote(variable.name)) already set")
            }
            request.setEnv.append(variable)
            manifestConflicts.append("--set-env")
        case "set-env-file":
            try readEnvironmentFile(try nonEmpty(name, value))
            manifestConflicts.append("--set-env-file")
        case "no-overlay": request.noOverlay = try boolean(name, value)
        case "private-users": request.privateUsers = try boolean(name, value)
        case "quiet": request.quiet = try boolean(name, value)
        case "interactive": request.interactive = try boolean(name, value)
        case "mds-register": request.mdsRegister = try boolean(name, value)
        case "pull-policy":
            guard ["new", "update", "never"].contains(value) else { throw error(name, value, "must be new, update or never") }
            request.pullPolicy = value
            if value != "new" { manifestConflicts.append("--pull-policy") }
        case "store-only":
            storeOnly = try boolean(name, value)
            if storeOnly { manifestConflicts.append("--store-only") }
        case "no-store":
            noStore = try boolean(name, value)
            if noStore { manifestConflicts.append("--no-store") }
        case "pod-manifest": request.podManifest = try nonEmpty(name, value)
        case "uuid-file-save": request.uuidFileSave = try nonEmpty(name, value)
        case "stage1-path": try setStage1(.path(try nonEmpty(name, value)))
        case "stage1-name": try setStage1(.name(try nonEmpty(name, value)))
        case "stage1-hash": try setStage1(.hash(try nonEmpty(name, value)))
        case "stage1-from-dir": try setStage1(.fromDir(try nonEmpty(name, value)))
        case "stage1-url":
            guard value.contains("://") else { throw error(name, value, "not a URL (scheme://...)") }
            try setStage1(.url(value))
        case "hostname":
            guard ValueForms.isHostName(value) else { throw error(name, value, "not a valid host name") }
            request.hostname = value
        case "ipc":
            guard ["auto", "private", "parent"].contains(value) else { throw error(name, value, "must be auto, private or parent") }
            request.ipc = value
        default:
            try applyNetworkFlag(name, value)
        }
    }

    mutating func setStage1(_ choice: Stage1Choice) throws {
        if let current = request.stage1 {
            if current.flagName == choice.flagName { throw error("--\(choice.flagName) given twice") }
            throw error("--\(choice.flagName) conflicts with --\(current.flagName) (one stage1 flag at most)")
        }
        request.stage1 = choice
    }

    /// The checks that need the whole command line; returns the finished request.
    mutating func finish() throws -> PodRequest {
        if request.podManifest != nil, let conflict = manifestConflicts.first {
            throw error("--pod-manifest conflicts with \(conflict) (the manifest says everything about the pod)")
        }
        if request.apps.isEmpty, request.podManifest == nil {
            throw error("no image given (\(kind.rawValue) IMAGE [flags] [-- ARGS] ..., or --pod-manifest FILE)")
        }
        if storeOnly, noStore { throw error("--store-only conflicts with --no-store") }
        if storeOnly { request.pullPolicy = "never" }
        if noStore { request.pullPolicy = "update" }
        if request.interactive, request.apps.count > 1 {
            throw error("--interactive takes one image, got \(request.apps.count)")
        }
        try checkNetworking()
        try checkMounts()
        for app in request.apps where app.isolators.capabilitiesRetain != nil && app.isolators.capabilitiesRemove != nil {
            throw error("--caps-retain and --caps-remove both given for image \(quote(app.image)) (one or the other)")
        }
        if let path = request.podManifest { request.podManifestContents = try readPodManifest(path) }
        return request
    }

    /// Every --mount names a --volume (rkt: "dangling mount point").
    func checkMounts() throws {
        let names = Set(request.volumes.map(\.name.value))
        for mount in request.globalMounts + request.apps.flatMap(\.mounts) where !names.contains(mount.volume) {
            throw error("--mount \(quote("volume=\(mount.volume),target=\(mount.target)")): no --volume named \(quote(mount.volume))")
        }
    }

    func readPodManifest(_ path: String) throws -> PodManifest {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path)
        } catch let failure as SkiffError {
            throw SkiffError(failure.code, "\(kind.rawValue): --pod-manifest: \(failure.message)", errno: failure.errno)
        }
        do {
            return try PodManifest.parse(bytes)
        } catch let failure as SkiffError {
            throw SkiffError(.invalid, "\(kind.rawValue): --pod-manifest \(quote(path)): \(failure.message)")
        }
    }
}
