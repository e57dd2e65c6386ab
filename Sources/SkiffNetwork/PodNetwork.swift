// A pod's networking from start to end, for any stage1: setUp (namespace + CNI ADD for every
// network, recorded in net-info.json as it goes), check (CNI CHECK), tearDown (CNI DEL in reverse,
// leftovers swept, namespace removed, host settings restored when idle). tearDown needs nothing
// but the pod directory, so gc can run it after the stage1 was SIGKILLed, any number of times.
import SkiffImage
import SkiffSystem

/// Where networking finds its configuration and plugins, and keeps its host state.
public struct NetworkEnvironment: Sendable {
    /// Configuration directories, lowest precedence first (system, local, user).
    public var configDirectories: [String]
    /// CNI_PATH: `<config>/plugins` of each configuration directory, highest precedence first,
    /// then Debian's /usr/lib/cni.
    public var pluginDirectories: [String]
    /// The host state (namespace directory, lock).
    public var host: HostState

    /// Where Debian's containernetworking-plugins installs the plugins.
    public static let systemPluginDirectory = "/usr/lib/cni"

    /// An environment for the given configuration directories.
    public init(configDirectories: [String], runDirectory: String = HostState.defaultRunDirectory, pluginDirectories: [String]? = nil) {
        self.configDirectories = configDirectories
        self.pluginDirectories =
            pluginDirectories ?? (configDirectories.reversed().map { $0 + "/plugins" } + [NetworkEnvironment.systemPluginDirectory])
        self.host = HostState(runDirectory: runDirectory)
    }
}

/// What tearDown did.
public struct TeardownReport: Sendable, Equatable {
    /// Networks DELeted now, in DEL order.
    public var deleted: [String] = []
    /// Rules and chains a plugin left and Skiff removed, and host settings put back.
    public var swept: [String] = []
}

/// The stage1-independent pod networking entry points.
public enum PodNetwork {
    /// Creates the pod's namespace (unless `host`) and attaches it to every selected network in
    /// order. `portMappings` go to the network that carries ports (`portNetworkIndex`). On
    /// failure everything done so far is undone before the error is thrown.
    @discardableResult
    public static func setUp(
        podDirectory: String, podUUID: String, selection: NetworkSelection, portMappings: [PortMapping] = [],
        environment: NetworkEnvironment
    ) throws -> NetInfo {
        if selection.mode != .contained && !portMappings.isEmpty {
            throw SkiffError(.usage, "--port needs a contained network, not --net=\(selection.mode.rawValue)")
        }
        guard selection.mode != .host else {
            let info = NetInfo(podUUID: podUUID, mode: .host, namespacePath: nil)
            try info.save(podDirectory: podDirectory)
            return info
        }
        let host = environment.host
        var info = NetInfo(podUUID: podUUID, mode: selection.mode, namespacePath: host.namespaceDirectory + "/" + podUUID)
        info.runDirectory = host.runDirectory
        // Derive every chain first: a configuration error must not leave anything behind.
        let chains = try selection.networks.enumerated().map { index, selected in
            try CNIChain.derive(selected.config, portMappings: index == selection.portNetworkIndex ? portMappings : [])
        }
        // Recorded before the namespace exists, so a stage1 killed right after still gets it removed.
        try info.save(podDirectory: podDirectory)
        do {
            let namespace = try host.locked { () throws -> NetworkNamespace in
                let namespace = try NetworkNamespace.create(in: host.namespaceDirectory, name: podUUID)
                // Before any ADD turns forwarding on: the first hold remembers it as it was.
                try ForwardingHolds.host.hold(namespace: namespace.path)
                return namespace
            }
            for (selected, plugins) in zip(selection.networks, chains) {
                var network = AttachedNetwork(
                    name: selected.config.name, source: selected.config.source, cniVersion: selected.config.cniVersion,
                    disableCheck: selected.config.disableCheck, interfaceName: selected.interfaceName,
                    arguments: selected.arguments, pluginDirectories: environment.pluginDirectories, plugins: plugins)
                info.networks.append(network)
                try info.save(podDirectory: podDirectory)
                network.result = try CNIChain.add(network, containerID: podUUID, namespacePath: namespace.path)
                network.state = .added
                info.networks[info.networks.count - 1] = network
                try info.save(podDirectory: podDirectory)
            }
            return info
        } catch {
            // CNIChain.add already DELeted the failed chain; tearDown DELs it again (harmless,
            // and it covers a DEL that failed there) and everything before it.
            _ = try? tearDown(podDirectory: podDirectory)
            throw error
        }
    }

    /// DELs every network not yet removed, last first, and removes leftover rules of each;
    /// removes the namespace (its veth ends go with it); restores host settings if no pod
    /// network is left. A missing net-info.json, a missing namespace and a second call are all
    /// fine. When a DEL fails, everything else still happens, the network stays recorded as not
    /// removed (a later call retries its DEL, which then only has IPAM and host state to
    /// release), and the first failure is thrown.
    @discardableResult
    public static func tearDown(podDirectory: String) throws -> TeardownReport {
        var report = TeardownReport()
        guard var info = try NetInfo.load(podDirectory: podDirectory), info.mode != .host else { return report }
        let namespace = info.namespacePath.map(NetworkNamespace.init(path:))
        let namespacePath = namespace.map { $0.isMounted ? $0.path : "" } ?? ""
        var firstFailure: (any Error)?
        for index in info.networks.indices.reversed() where info.networks[index].state != .removed {
            let network = info.networks[index]
            do {
                report.swept += try CNIChain.delete(network, containerID: info.podUUID, namespacePath: namespacePath)
                info.networks[index].state = .removed
                report.deleted.append(network.name)
            } catch {
                if firstFailure == nil { firstFailure = error }
            }
            do {
                report.swept += try IPTables.sweep(network: network.name, containerID: info.podUUID)
            } catch {
                if firstFailure == nil { firstFailure = error }
            }
            try info.save(podDirectory: podDirectory)
        }
        if let namespace {
            let host = HostState(runDirectory: info.runDirectory ?? FileSystem.parentPath(FileSystem.parentPath(namespace.path)))
            report.swept += try host.locked { () throws -> [String] in
                try namespace.remove()
                return try ForwardingHolds.host.release(namespace: namespace.path) + host.restoreIfIdle()
            }
        }
        if let firstFailure { throw firstFailure }
        return report
    }

    /// CNI CHECK of every attached network (those whose version and `disableCheck` allow it);
    /// returns the names checked, throws the first complaint.
    public static func check(podDirectory: String) throws -> [String] {
        guard let info = try NetInfo.load(podDirectory: podDirectory), info.mode == .contained,
            let namespacePath = info.namespacePath
        else { return [] }
        var checked: [String] = []
        for network in info.networks where network.state == .added {
            if try CNIChain.check(network, containerID: info.podUUID, namespacePath: namespacePath) { checked.append(network.name) }
        }
        return checked
    }
}
