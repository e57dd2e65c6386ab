// Pod networking is stage0's job, done right before the stage1 runs, with the stage1-independent
// SkiffNetwork module: stage0 creates the pod's network namespace (bind-mounted at
// /run/skiff/netns/<uuid>), runs CNI ADD for every network, writes the DNS files and registers
// the pod with the metadata service; the stage1 only joins the namespace by path (`--netns`), so
// the container stage1 and a VM stage1 share one implementation, and the stage1 binaries stay
// free of CNI. gc and rm undo it from the pod directory's net-info.json alone, whatever became
// of the stage1 (docs/networking.md).
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffNetwork
import SkiffPod
import SkiffStage1

enum PodNetworking {
    /// The stage1 annotation value saying "give me a pod network namespace".
    static let namespaceCapability = "netns"

    /// The metadata service's registration socket: `$SKIFF_METADATA_SOCKET` (tests run a
    /// private service), else the default.
    static var metadataSocket: String {
        let given = processEnvironment()["SKIFF_METADATA_SOCKET"] ?? ""
        return given.isEmpty ? MetadataService.defaultSocketPath : given
    }

    /// The file recording that the pod was registered with the metadata service (its socket),
    /// so gc unregisters it.
    static let registrationFile = "metadata-registration"

    /// Sets up the pod's networking for a stage1 that asks for it (annotation
    /// `skiff.dev/stage1/network: netns`) and adds the flags the stage1 needs (`--netns`,
    /// `--mds-url`) to `flags`. For other stage1s (fly) nothing is done and the options that need
    /// pod networking are refused. On failure everything done is undone before the error.
    /// `manifest`: the pod manifest when the caller holds it (run just wrote it), else it is read.
    static func setUp(
        _ paths: PodPaths, uuid: String, stage1: Stage1Descriptor, manifest given: PodManifest? = nil, flags: inout [String],
        config: EngineConfig, debug: Bool
    ) throws {
        let options = try PodNetworkOptions.load(paths)
        let values = flags.compactMap { flag -> String? in
            flag == "--net" ? "default" : flag.hasPrefix("--net=") ? String(flag.dropFirst(6)) : nil
        }
        guard stage1.annotation(Stage1Contract.Annotation.network) == namespaceCapability else {
            let flavor = stage1.annotation(Stage1Contract.Annotation.flavor) ?? stage1.name
            let ports = try given.map { !$0.ports.isEmpty } ?? declaresPorts(paths)
            var asked: [String] = ports ? ["--port"] : []
            if options.mdsRegister { asked.append("--mds-register") }
            if options.dns != DNSOptions() { asked.append("--dns/--hosts-entry") }
            if let first = asked.first {
                throw SkiffError(.usage, "\(first): stage1 \(quote(flavor)) has no pod networking (only --net=host)")
            }
            return
        }
        let manifest = try given ?? PodManifest.parse(try FileSystem.read(paths.manifest))
        let selection = try NetworkSelection.select(
            try NetworkSelection.parse(values), catalog: try NetworkCatalog.load(configDirectories: config.configDirectories))
        let mappings = try PortForwarding.mappings(
            for: manifest.ports, apps: manifest.apps.map { (name: $0.name.value, ports: $0.app?.ports ?? []) })
        var info: NetInfo
        switch selection.mode {
        case .contained:
            info = try PodNetwork.setUp(
                podDirectory: paths.root, podUUID: uuid, selection: selection, portMappings: mappings,
                environment: NetworkEnvironment(configDirectories: config.configDirectories))
            if let path = info.namespacePath { flags.append("--netns=\(path)") }
        case .host, .none:
            if !mappings.isEmpty { throw SkiffError(.usage, "--port needs a contained network, not --net=\(selection.mode.rawValue)") }
            // The stage1 shares the caller's namespace or unshares one with loopback only: a
            // namespace nobody else must clean up, so no bind mount here.
            info = NetInfo(podUUID: uuid, mode: selection.mode, namespacePath: nil)
            try info.save(podDirectory: paths.root)
        }
        do {
            let origins = try PodNetworkOptions.writeDNSFiles(options.dns, info: info, paths: paths)
            if debug { for origin in origins { writeAll(2, "skiff: \(origin)\n") } }
            if options.mdsRegister { flags.append("--mds-url=\(try register(paths, uuid: uuid, manifest: manifest, info: info))") }
        } catch {
            _ = try? release(paths)
            throw error
        }
    }

    /// Whether the pod manifest asks for ports. Parsed only when its text names "ports": a
    /// stage1 without pod networking needs nothing else of it, and parsing costs every start.
    private static func declaresPorts(_ paths: PodPaths) throws -> Bool {
        let bytes = try FileSystem.read(paths.manifest)
        guard bytes.contains(utf8: "\"ports\"") else { return false }
        return try !PodManifest.parse(bytes).ports.isEmpty
    }

    /// Registers the pod with the running metadata service; returns AC_METADATA_URL.
    static func register(_ paths: PodPaths, uuid: String, manifest: PodManifest, info: NetInfo) throws -> String {
        guard info.mode == .contained, let hostAddress = info.hostAddress else {
            throw SkiffError(.usage, "--mds-register needs a network with a route to the host, not --net=\(info.mode.rawValue)")
        }
        let podAddress = info.networks.lazy.compactMap { $0.parsedResult?.podAddresses.first(where: \.isIPv4)?.ip }.first
        let socket = metadataSocket
        let images = try manifest.apps.map { (app: $0.name.value, manifest: try FileSystem.read(paths.appManifest($0.name.value))) }
        let port: UInt16
        let token: String
        do {
            port = try MetadataClient.port(socketPath: socket)
            try FileSystem.writeAtomically(paths.root + "/" + registrationFile, Array((socket + "\n").utf8), durable: false)
            token = try MetadataClient.register(
                socketPath: socket, uuid: uuid, podManifest: try FileSystem.read(paths.manifest), imageManifests: images, address: podAddress)
        } catch let error as SkiffError {
            throw SkiffError(error.code, "--mds-register: \(error.message) (is skiff metadata-service running?)", errno: error.errno)
        }
        return "http://\(hostAddress):\(port)/\(token)"
    }

    /// What gc and rm do for the pod's networking: unregister it from the metadata service (a
    /// service that is gone forgot it anyway), CNI DEL of every network, namespace removed.
    static func release(_ paths: PodPaths) throws {
        let registration = paths.root + "/" + registrationFile
        if let socket = try? FileSystem.read(registration) {
            let path = String(decoding: socket, as: UTF8.self).filter { $0 != "\n" }
            if FileSystem.exists(path) { _ = try? MetadataClient.unregister(socketPath: path, uuid: PodNetworking.uuid(of: paths)) }
            unlink(registration)
        }
        try PodNetwork.tearDown(podDirectory: paths.root)
    }

    /// CNI CHECK of every network of a running pod (`status --check-networks`): the plugins
    /// confirm the interfaces, addresses, routes and leases are still as ADD left them. Returns
    /// the networks checked, comma-separated ("" when none applies); throws the first complaint.
    static func check(_ paths: PodPaths) throws -> String {
        try PodNetwork.check(podDirectory: paths.root).joined(separator: ",")
    }

    /// The UUID of a pod directory (its name).
    static func uuid(of paths: PodPaths) -> String { String(paths.root.split(separator: "/").last ?? "") }

    /// The NETWORKS column of `list` and `networks=` of `status`: `default:ip4=172.16.28.2`,
    /// `host`, `none`; "" when the pod has no record (not started, or a stage1 without pod
    /// networking).
    static func summary(_ paths: PodPaths) -> String {
        guard let info = try? NetInfo.load(podDirectory: paths.root) else { return "" }
        return info.summary
    }
}
