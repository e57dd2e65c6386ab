// Applying an app's command-line options to its image's `app` section: what the reified pod
// manifest's app entry gets (rkt's stage0 generateRuntimeApp and prepareIsolators).
import SkiffImage
import SkiffSystem

/// The `app` section a reified pod manifest gets for one app: the image's, with the options
/// applied.
///
/// - exec (rkt): `--exec P` replaces the image's whole exec with [P]; the arguments after `--`
///   are appended to the exec (the image's, or [P]). rkt's docs: they "will be appended to the
///   preceding image app's exec arguments". The result must not be empty.
/// - user, group, supplementary GIDs, working directory: replaced when given.
/// - environment: `composeEnvironment` of the parent (with --inherit-env), the image's, the
///   request's files and --set-env, and the app's --environment.
/// - isolators: the image's same-named ones removed (both capability sets when --caps-retain or
///   --caps-remove is given, both seccomp sets for --seccomp), the new ones appended.
/// - user annotations and labels: replaced when given (rkt).
/// - event handlers, mount points and ports: kept.
///
/// An image without an app section needs `--exec`; the app then runs as 0:0 (skiff runs pods
/// as root, where rkt used the caller's IDs). Errors name the image.
public func resolveApp(
    image: App?, imageName: String, options: AppOptions, request: PodRequest, parentEnvironment: [String: String]
) throws -> App {
    let subject = "image \(quote(imageName))"
    var app: App
    if let image {
        app = image
    } else {
        guard options.exec != nil else { throw SkiffError(.usage, "\(subject) has no app section: give --exec") }
        app = App(exec: [], user: "0", group: "0")
    }
    if let exec = options.exec { app.exec = [exec] }
    if let arguments = options.arguments { app.exec += arguments }
    guard let program = app.exec.first, !program.isEmpty else {
        throw SkiffError(.usage, "\(subject) has no exec: give --exec")
    }
    if let user = options.user { app.user = user }
    if let group = options.group { app.group = group }
    if let gids = options.supplementaryGIDs { app.supplementaryGIDs = gids }
    if let directory = options.workingDirectory { app.workingDirectory = directory }
    app.environment = composeEnvironment(parent: parentEnvironment, image: app.environment, request: request, perApp: options.environment)
    let overrides = options.isolators
    if overrides.capabilitiesRetain != nil, overrides.capabilitiesRemove != nil {
        throw SkiffError(.usage, "\(subject): --caps-retain and --caps-remove both given (one or the other)")
    }
    let replaced = overrides.replacedIsolatorNames
    app.isolators.removeAll { replaced.contains($0.name.value) }
    app.isolators += try overrides.isolators()
    if let annotations = options.userAnnotations { app.userAnnotations = annotations }
    if let labels = options.userLabels { app.userLabels = labels }
    return app
}

/// The mounts of an app's pod manifest entry: its own `--mount`s, then the global ones whose
/// target it does not mount already (rkt: "per-app mounts take precedence over global ones if
/// they have the same path"); the first mount of a target wins.
public func resolveMounts(options: AppOptions, request: PodRequest) throws -> [Mount] {
    var mounts: [Mount] = []
    for option in options.mounts + request.globalMounts where !mounts.contains(where: { $0.path == option.target }) {
        mounts.append(try option.podMount())
    }
    return mounts
}

/// The pod manifest's volumes for the request's `--volume`s, in order.
public func resolveVolumes(request: PodRequest) throws -> [Volume] {
    request.volumes
}
