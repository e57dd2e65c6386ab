// Running one CNI plugin per the spec: the executable named by `type`, looked up in CNI_PATH, the
// parameters in CNI_* variables, the configuration on stdin, a result or an error on stdout.
import SkiffImage
import SkiffSystem
#if canImport(Glibc)
import Glibc
#endif

/// The CNI operations Skiff performs.
public enum CNICommand: String, Sendable {
    case add = "ADD"
    case del = "DEL"
    case check = "CHECK"
}

/// The parameters every plugin of one network gets (CNI spec "Parameters").
public struct CNIParameters: Sendable, Equatable {
    /// CNI_CONTAINERID: the pod UUID.
    public var containerID: String
    /// CNI_NETNS: the namespace file; empty on DEL when it is gone (the spec allows that).
    public var namespacePath: String
    /// CNI_IFNAME: eth0, eth1...
    public var interfaceName: String
    /// CNI_ARGS: `K=V;K2=V2`.
    public var arguments: String
    /// CNI_PATH, searched in order for plugin executables.
    public var pluginDirectories: [String]
}

/// Whether `path` (following symlinks: plugins are often linked into CNI_PATH) is an executable
/// regular file.
private func isExecutableFile(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFREG && access(path, X_OK) == 0
}

enum CNIPlugin {
    /// The directory list a plugin is found in.
    static func find(_ type: String, in directories: [String]) -> String? {
        for directory in directories {
            let path = directory + "/" + type
            if isExecutableFile(path) { return path }
        }
        return nil
    }

    /// Runs `command` on the plugin of `config` (one derived plugin configuration, with `type`).
    /// Returns the parsed stdout for ADD (nil for DEL and CHECK, which print nothing). Failures
    /// become one line naming the network, the plugin and the command, with the plugin's
    /// `msg`, `details` and `code`.
    static func run(
        _ command: CNICommand, config: JSONValue, network: String, parameters: CNIParameters
    ) throws -> JSONValue? {
        let type = config["type"]?.stringValue ?? ""
        let what = "network \(quote(network)): plugin \(quote(type)) \(command.rawValue)"
        guard let path = find(type, in: parameters.pluginDirectories) else {
            throw SkiffError(
                .notFound, "\(what): no executable \(quote(type)) in \(parameters.pluginDirectories.joined(separator: ":"))")
        }
        let output = try Subprocess.run([path], input: config.encoded(pretty: false), environment: environment(command, parameters))
        if output.status != 0 {
            throw failure(what, output)
        }
        guard command == .add else { return nil }
        guard !output.stdout.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x09 || $0 == 0x0d }) else {
            throw SkiffError(.invalid, "\(what): printed no result")
        }
        do {
            return try JSONValue(parsing: output.stdout)
        } catch let error as SkiffError {
            throw SkiffError(.invalid, "\(what): unreadable result: \(error.message)")
        }
    }

    /// The plugin's environment: a fixed PATH (plugins run iptables, ip, modprobe) and the CNI
    /// variables, nothing inherited, so a DEL from gc runs exactly like the ADD did.
    static func environment(_ command: CNICommand, _ parameters: CNIParameters) -> [String: String] {
        var path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        if let inherited = getenv("PATH").map({ String(cString: $0) }), !inherited.isEmpty { path = inherited }
        return [
            "PATH": path,
            "CNI_COMMAND": command.rawValue,
            "CNI_CONTAINERID": parameters.containerID,
            "CNI_NETNS": parameters.namespacePath,
            "CNI_IFNAME": parameters.interfaceName,
            "CNI_ARGS": parameters.arguments,
            "CNI_PATH": parameters.pluginDirectories.joined(separator: ":"),
        ]
    }

    /// The plugin's error JSON ({code, msg, details}) as one line, else its last stderr line.
    static func failure(_ what: String, _ output: Subprocess.Output) -> SkiffError {
        if let value = try? JSONValue(parsing: output.stdout), let message = value["msg"]?.stringValue {
            var line = "\(what): \(message)"
            if let details = value["details"]?.stringValue, !details.isEmpty { line += "; \(details)" }
            if let code = value["code"]?.numberValue { line += " (cni error \(Int(code)))" }
            return SkiffError(.system, oneLine(line))
        }
        let stderr = output.stderrLastLine
        let text = stderr.isEmpty ? String(decoding: output.stdout.prefix(400), as: UTF8.self) : stderr
        let reason = text.isEmpty ? "exited with status \(output.status)" : "exited with status \(output.status): \(text)"
        return SkiffError(.system, oneLine("\(what): \(reason)"))
    }

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
