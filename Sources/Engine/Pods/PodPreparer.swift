// prepare: fetch a pod's images, reify its manifest and lay out its directory for a stage1.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffPod
import SkiffRunOptions
import SkiffStage1
import SkiffStore

/// A pod ready for its stage1: locked, in prepare/, every file of docs/stage1-abi.md written.
struct PreparedPod {
    let handle: PodHandle
    let manifest: PodManifest
    let stage1: Stage1Image
    /// The stage1 run flags (without the UUID).
    let stage1Flags: [String]
}

/// Stage0's preparation of a pod. On any failure the pod directory is left unlocked in prepare/
/// (or embryo/), which `gc` recognises as an aborted prepare and removes (mounts included).
struct PodPreparer {
    let config: EngineConfig
    let store: ImageStore
    let fetcher: ImageFetcher
    let pods: PodStore

    func prepare(_ request: PodRequest, environment: [String: String]) throws -> PreparedPod {
        let stage1 = try Stage1Selection.select(request.stage1, fetcher: fetcher, store: store, config: config)
        let manifest = try reify(request, environment: environment)
        let handle = try pods.create()
        try pods.move(handle, to: .prepare)
        let paths = handle.paths
        // `list` and `status` read the pod manifest of a pod in prepare/: replaced atomically. The
        // other files are only read once the pod is prepared: written in place (writeNew).
        try FileSystem.writeAtomically(paths.manifest, manifest.encoded(pretty: true), durable: false)
        let flags = stage1Flags(request)
        try FileSystem.writeNew(paths.stage1Options, Array(flags.joinedText(separator: "\n").utf8))
        try PodNetworkOptions(request: request).save(paths)
        try layOut(manifest, stage1: stage1, paths: paths, overlay: !request.noOverlay)
        return PreparedPod(handle: handle, manifest: manifest, stage1: stage1, stage1Flags: flags)
    }

    // MARK: The pod manifest

    /// Every app's image fetched, its app section completed from the image and the flags.
    func reify(_ request: PodRequest, environment: [String: String]) throws -> PodManifest {
        if let path = request.podManifest { return try reifyGiven(path) }
        guard !request.apps.isEmpty else { throw SkiffError(.usage, "run: no image given") }
        var records: [ImageRecord] = []
        var manifests: [ImageManifest] = []
        for app in request.apps {
            var options = FetchOptions()
            options.pullPolicy = try PullPolicy(parsing: request.pullPolicy)
            options.signaturePath = app.signature
            let record = try fetcher.fetch(app.image, options: options)
            records.append(record)
            manifests.append(try store.manifest(record.imageID))
        }
        let names = try appNames(for: request.apps, imageNames: records.map(\.name))
        var volumes = request.volumes
        var apps: [RuntimeApp] = []
        for (index, options) in request.apps.enumerated() {
            let image = manifests[index]
            let app = try resolveApp(
                image: try imageApp(records[index], manifest: image, options: options), imageName: records[index].name,
                options: options, request: request,
                parentEnvironment: environment)
            var mounts: [Mount] = []
            for mount in request.globalMounts + options.mounts {
                mounts.append(Mount(volume: try ACName(validating: mount.volume), path: mount.target))
            }
            // rkt: an image mount point no --mount satisfies gets an empty volume of its own.
            for point in app.mountPoints where !mounts.contains(where: { $0.volume == point.name || $0.path == point.path }) {
                if !volumes.contains(where: { $0.name == point.name }) {
                    volumes.append(Volume(name: point.name, kind: .empty, mode: "0755", uid: 0, gid: 0))
                }
                mounts.append(Mount(volume: point.name, path: point.path))
            }
            apps.append(
                RuntimeApp(
                    name: names[index],
                    image: RuntimeImage(id: try records[index].imageID, name: image.name, labels: image.labels), app: app,
                    readOnlyRootFS: options.readOnlyRootFS ?? false, mounts: mounts, annotations: options.annotations))
        }
        let manifest = PodManifest(apps: apps, volumes: volumes, ports: request.ports)
        try manifest.validate()
        return manifest
    }

    /// `--pod-manifest`: the user's manifest, each image looked up in the store and each app
    /// without an `app` section given its image's.
    private func reifyGiven(_ path: String) throws -> PodManifest {
        var manifest = try PodManifest.parse(try FileSystem.read(path))
        for index in manifest.apps.indices {
            let id = manifest.apps[index].image.id
            guard try store.record(id) != nil else {
                throw SkiffError(.notFound, "pod manifest \(quote(path)): image \(id.value) is not in the store (fetch it first)")
            }
            if manifest.apps[index].app == nil {
                guard let app = try store.manifest(id).app else {
                    throw SkiffError(.invalid, "pod manifest \(quote(path)): app \(manifest.apps[index].name.value) has no app section and its image none either")
                }
                manifest.apps[index].app = app
            }
        }
        return manifest
    }

    /// The stage1 run flags the request asks for.
    func stage1Flags(_ request: PodRequest) -> [String] {
        var flags: [String] = []
        if request.interactive { flags.append("--interactive") }
        if let hostname = request.hostname { flags.append("--hostname=\(hostname)") }
        if let networks = request.networks { flags.append("--net=" + networks.joinedText(separator: ",")) }
        if config.insecure.contains(.capabilities) { flags.append("--disable-capabilities-restriction") }
        if config.insecure.contains(.paths) { flags.append("--disable-paths") }
        if config.insecure.contains(.seccomp) { flags.append("--disable-seccomp") }
        if request.privateUsers { flags.append("--private-users") }
        flags.append("--local-config=\(config.localConfig)")
        return flags
    }

    // MARK: The pod directory

    private func layOut(_ manifest: PodManifest, stage1: Stage1Image, paths: PodPaths, overlay: Bool) throws {
        let trees = TreeStore(images: store)
        var treeIDs: [String] = []
        let stage1Tree = try trees.render(try RenderPlan.steps(for: stage1.id, store: store))
        treeIDs.append(stage1Tree.id)
        try FileSystem.createDirectory(paths.stage1, mode: 0o755)
        // The store's manifest file under a second name: every file a pod is made of is an inode
        // allocated at prepare and freed at gc, and ext4 without a journal scans past every
        // inode freed in the last minutes for each one it allocates. Nothing writes to it.
        try FileSystem.linkNew(paths.stage1Manifest, to: store.manifestFile(stage1.id)) { try store.manifestBytes(stage1.id) }
        // The stage1 root gets opt/stage2/<app>/{manifest,rootfs/} for every app and the status
        // directory its stage1 writes to (docs/stage1-abi.md), made before it is mounted; a
        // stage1 that declares it writes only below skiff/ gets the rest read-only.
        let readOnly = stage1.manifest.annotation(Stage1Contract.Annotation.readOnlyRoot) == "true"
        try RootfsMounter.mount(
            stage1Tree, at: paths.stage1Rootfs, layer: "stage1", podOverlay: paths.overlay(.stage1), overlay: overlay,
            writable: readOnly ? ["skiff"] : nil
        ) { root in
            for app in manifest.apps {
                let directory = root + "/opt/stage2/" + app.name.value
                try FileSystem.createDirectory(directory + "/rootfs", mode: 0o755)
                // Linked too where the stage1 cannot write its root; a stage1 with a writable root
                // gets a copy of its own (a write through the link would change the store).
                let manifestPath = directory + "/manifest"
                if readOnly {
                    try FileSystem.linkNew(manifestPath, to: store.manifestFile(app.image.id)) { try store.manifestBytes(app.image.id) }
                } else {
                    try FileSystem.writeNew(manifestPath, try store.manifestBytes(app.image.id))
                }
            }
            // Empty status files, filled in place by the stage1 as each app ends (docs/stage1-abi.md).
            try FileSystem.createDirectory(root + "/skiff/status", mode: 0o755)
            for app in manifest.apps { try FileSystem.writeNew(root + "/skiff/status/" + app.name.value, []) }
        }
        for app in manifest.apps {
            let name = app.name.value
            let tree = try trees.render(try RenderPlan.steps(for: app.image.id, store: store))
            treeIDs.append(tree.id)
            try RootfsMounter.mount(tree, at: paths.appRootfs(name), layer: "app \(name)", podOverlay: paths.overlay(.app(name)), overlay: overlay)
            try store.touch(app.image.id)
        }
        for volume in manifest.volumes where volume.kind == .empty {
            let directory = paths.sharedVolume(volume.name.value)
            try FileSystem.createDirectory(directory, mode: 0o755)
            let mode = mode_t(volume.mode.flatMap { UInt32($0, radix: 8) } ?? 0o755)
            try check("chmod \(quote(directory))") { chmod(directory, mode) }
            try check("chown \(quote(directory))") { chown(directory, uid_t(volume.uid ?? 0), gid_t(volume.gid ?? 0)) }
        }
        let references = treeIDs.map { "tree " + $0 + "\n" }.joinedText(separator: "") + "image " + stage1.id.value + "\n"
        try FileSystem.writeNew(paths.imageReferences, Array(references.utf8))
        // Empty until the stage1 writes the PID into it: starting a prepared pod then creates no
        // file (ext4 without a journal scans past every inode freed in the last minutes for each
        // one it allocates; after a few hundred pods that was 0.3 ms a file).
        try FileSystem.writeNew(paths.pid, [])
    }
}
