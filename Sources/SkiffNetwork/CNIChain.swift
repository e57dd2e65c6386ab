// Executing a network's plugin chain per the CNI spec: ADD in order with each plugin's result as
// the next one's prevResult; DEL in reverse with the final ADD result as prevResult; CHECK in
// order with it too. The runtime-injected fields (name, cniVersion, runtimeConfig) are set here.
import SkiffImage
import SkiffSystem

enum CNIChain {
    /// The configurations each plugin of `config` gets (without prevResult): `name` and
    /// `cniVersion` of the list, and `runtimeConfig.portMappings` for plugins that declare the
    /// capability. Mappings on a chain with no such plugin append the portmap plugin.
    static func derive(_ config: NetworkConfig, portMappings: [PortMapping]) throws -> [JSONValue] {
        var plugins = config.plugins
        if !portMappings.isEmpty && !config.takesPortMappings {
            guard NetworkConfig.compareVersions(config.cniVersion, "0.3.0") >= 0 else {
                throw SkiffError(
                    .invalid,
                    "network \(quote(config.name)): forwarding ports needs cniVersion 0.3.0 or later in \(config.source), not \(config.cniVersion)")
            }
            plugins.append(BuiltinNetworks.portmap)
        }
        return plugins.map { plugin in
            var members = plugin.objectMembers ?? []
            set(&members, "cniVersion", .string(config.cniVersion))
            set(&members, "name", .string(config.name))
            if NetworkConfig.wantsPortMappings(plugin) && !portMappings.isEmpty {
                var runtime = members.first { $0.0 == "runtimeConfig" }?.1.objectMembers ?? []
                set(&runtime, "portMappings", .array(portMappings.map(\.json)))
                set(&members, "runtimeConfig", .object(runtime))
            }
            return .object(members)
        }
    }

    private static func set(_ members: inout [(String, JSONValue)], _ key: String, _ value: JSONValue) {
        if let index = members.firstIndex(where: { $0.0 == key }) {
            members[index].1 = value
        } else {
            members.append((key, value))
        }
    }

    private static func with(_ plugin: JSONValue, prevResult: JSONValue?) -> JSONValue {
        guard let prevResult, var members = plugin.objectMembers else { return plugin }
        set(&members, "prevResult", prevResult)
        return .object(members)
    }

    static func parameters(_ network: AttachedNetwork, containerID: String, namespacePath: String) -> CNIParameters {
        CNIParameters(
            containerID: containerID, namespacePath: namespacePath, interfaceName: network.interfaceName,
            arguments: network.arguments, pluginDirectories: network.pluginDirectories)
    }

    /// ADD for the whole chain; returns the final result. When a plugin fails, the chain is
    /// DELeted (as the spec asks) before the error is thrown, so nothing of it stays.
    static func add(_ network: AttachedNetwork, containerID: String, namespacePath: String) throws -> JSONValue {
        let parameters = parameters(network, containerID: containerID, namespacePath: namespacePath)
        var previous: JSONValue?
        for plugin in network.plugins {
            do {
                guard let result = try CNIPlugin.run(.add, config: with(plugin, prevResult: previous), network: network.name, parameters: parameters) else {
                    throw SkiffError(.invalid, "network \(quote(network.name)): no result")
                }
                _ = try CNIResult.parse(result, expectedVersion: network.cniVersion)
                previous = result
            } catch let failure {
                var undone = network
                undone.result = previous
                do {
                    try delete(undone, containerID: containerID, namespacePath: namespacePath)
                } catch {
                    throw SkiffError(.system, "\(failure) (and the DEL after it: \(error))")
                }
                throw failure
            }
        }
        guard let previous else { throw SkiffError(.invalid, "network \(quote(network.name)): no plugins") }
        return previous
    }

    /// DEL for the whole chain, last plugin first. Every plugin is called even when one fails
    /// (so each releases what it can); the first failure is thrown at the end. prevResult is
    /// given from spec 0.4.0 on, when the ADD result is known. A plugin that is not installed
    /// (never was, or was removed since) cannot DEL anything: that is returned as a note, not
    /// an error, or the pod could never be collected.
    @discardableResult
    static func delete(_ network: AttachedNetwork, containerID: String, namespacePath: String) throws -> [String] {
        let parameters = parameters(network, containerID: containerID, namespacePath: namespacePath)
        let previous = NetworkConfig.compareVersions(network.cniVersion, "0.4.0") >= 0 ? network.result : nil
        var firstFailure: (any Error)?
        var notes: [String] = []
        for plugin in network.plugins.reversed() {
            let type = plugin["type"]?.stringValue ?? ""
            guard CNIPlugin.find(type, in: network.pluginDirectories) != nil else {
                notes.append("network \(quote(network.name)): plugin \(quote(type)) not installed, nothing of it DELeted")
                continue
            }
            do {
                _ = try CNIPlugin.run(.del, config: with(plugin, prevResult: previous), network: network.name, parameters: parameters)
            } catch {
                if firstFailure == nil { firstFailure = error }
            }
        }
        if let firstFailure { throw firstFailure }
        return notes
    }

    /// CHECK for the whole chain (spec 0.4.0 and later, unless `disableCheck`); throws the
    /// first plugin's complaint. Returns false when CHECK does not apply.
    static func check(_ network: AttachedNetwork, containerID: String, namespacePath: String) throws -> Bool {
        guard !network.disableCheck, NetworkConfig.compareVersions(network.cniVersion, "0.4.0") >= 0, let result = network.result else {
            return false
        }
        let parameters = parameters(network, containerID: containerID, namespacePath: namespacePath)
        for plugin in network.plugins {
            _ = try CNIPlugin.run(.check, config: with(plugin, prevResult: result), network: network.name, parameters: parameters)
        }
        return true
    }
}
