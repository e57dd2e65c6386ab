// How an OCI image config becomes the appc model the rest of Skiff runs: an image manifest with
// an `app` section, so pods run OCI images and ACIs the same way (issue: images part 2).
//
//   Entrypoint + Cmd  -> exec (arguments after `--` on the command line are appended, as for
//                        ACIs; docker's "user args replace Cmd" is `--exec` plus arguments)
//   Env "K=V"         -> environment (a later duplicate wins, as in Docker)
//   WorkingDir        -> workingDirectory (must be absolute)
//   User              -> user/group; names are looked up in the image's /etc/passwd and
//                        /etc/group when the pod is prepared (stage0), see OCIUser
//   ExposedPorts      -> ports named "80-tcp"
//   Volumes           -> mount points named "volume-" + the path ("/var/lib/x" -> volume-var-lib-x)
//   Labels            -> annotations (those whose names are AC identifiers)
import SkiffSystem

/// OCI config → appc image manifest.
public enum OCIAppMapping {
    /// The appc manifest of an OCI image named `name` (e.g. "127.0.0.1:5000/debian"), tagged
    /// `tag` (the `version` label), with `config`. Errors name the config field.
    public static func manifest(name: String, tag: String?, config: OCIImageConfig) throws -> ImageManifest {
        var labels: [Label] = []
        if let tag, !tag.isEmpty { labels.append(Label(name: ACIdentifier(unchecked: "version"), value: tag)) }
        labels.append(Label(name: ACIdentifier(unchecked: "os"), value: config.os))
        let arch = OCIPlatform.appcArch(config.architecture)
        if Platform.archProblem(os: config.os, arch: arch) == nil, Platform.osProblem(config.os) == nil {
            labels.append(Label(name: ACIdentifier(unchecked: "arch"), value: arch))
        } else {
            labels.removeAll { $0.name.value == "os" }
        }
        var annotations: [Annotation] = []
        for key in config.labels.keys.sorted() where ACIdentifier.isValid(key) && !reservedAnnotations.contains(key) {
            annotations.append(Annotation(name: ACIdentifier(unchecked: key), value: config.labels[key] ?? ""))
        }
        let manifest = ImageManifest(
            name: acIdentifier(for: name), labels: labels, app: try app(config), annotations: annotations)
        try manifest.validate()
        return manifest
    }

    /// Annotation names appc checks the values of; image labels by these names are left out.
    static let reservedAnnotations: Set<String> = ["created", "homepage", "documentation", Annotation.systemdNotify]

    /// The app section of `config`. User and group are the halves of `User` ("0" when absent);
    /// stage0 replaces them with the numeric IDs looked up in the image.
    public static func app(_ config: OCIImageConfig) throws -> App {
        let (user, group) = splitUser(config.user)
        var app = App(exec: config.entrypoint + config.command, user: user ?? "0", group: group ?? "0")
        if !config.workingDirectory.isEmpty {
            guard config.workingDirectory.hasPrefix("/") else {
                throw SkiffError(.invalid, "config.WorkingDir \(quote(config.workingDirectory)): must be an absolute path")
            }
            app.workingDirectory = config.workingDirectory
        }
        for (index, entry) in config.environment.enumerated() {
            guard let equals = entry.firstIndex(of: "=") else {
                throw SkiffError(.invalid, "config.Env[\(index)] \(quote(entry)): not of the form NAME=value")
            }
            let name = String(entry[..<equals])
            guard EnvironmentVariable.isValidName(name) else {
                throw SkiffError(.invalid, "config.Env[\(index)] \(quote(entry)): not a valid environment variable name")
            }
            app.environment.removeAll { $0.name == name }
            app.environment.append(EnvironmentVariable(name: name, value: String(entry[entry.index(after: equals)...])))
        }
        for key in config.exposedPorts { app.ports.append(try port(key)) }
        app.ports.sort { ($0.port, $0.protocol) < ($1.port, $1.protocol) }
        for path in config.volumes {
            guard path.hasPrefix("/") else { throw SkiffError(.invalid, "config.Volumes \(quote(path)): must be an absolute path") }
            var name = mountPointName(for: path)
            var suffix = 2
            while app.mountPoints.contains(where: { $0.name.value == name }) {
                name = mountPointName(for: path) + "-\(suffix)"
                suffix += 1
            }
            app.mountPoints.append(MountPoint(name: ACName(unchecked: name), path: path))
        }
        return app
    }

    /// `User` split into user and group: "" → (nil, nil), "a" → ("a", nil), "a:b" → ("a", "b").
    public static func splitUser(_ text: String) -> (user: String?, group: String?) {
        guard !text.isEmpty else { return (nil, nil) }
        guard let colon = text.firstIndex(of: ":") else { return (text, nil) }
        let user = String(text[..<colon])
        let group = String(text[text.index(after: colon)...])
        return (user.isEmpty ? nil : user, group.isEmpty ? nil : group)
    }

    /// "80/tcp" → a port named "80-tcp"; "8080" means tcp.
    static func port(_ key: String) throws -> Port {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        let proto = parts.count > 1 ? parts[1].lowercased() : "tcp"
        guard parts.count <= 2, let number = UInt16(parts[0]), number > 0, ["tcp", "udp", "sctp"].contains(proto) else {
            throw SkiffError(.invalid, "config.ExposedPorts \(quote(key)): not PORT or PORT/tcp|udp|sctp")
        }
        return Port(name: ACName(unchecked: "\(number)-\(proto)"), protocol: proto, port: number)
    }

    /// "volume-" and the path with every run of other characters than [a-z0-9] as one dash.
    public static func mountPointName(for path: String) -> String {
        let body = collapse(path.lowercased(), keep: { isAlphanumeric($0) }, separator: { _ in "-" })
        return body.isEmpty ? "volume" : "volume-" + body
    }

    /// An AC identifier made from an image name: lowercased, ":" and other characters outside
    /// the grammar turned into "-", runs of separators collapsed ("127.0.0.1:5000/x" →
    /// "127.0.0.1-5000/x"). An empty result becomes "oci-image".
    public static func acIdentifier(for name: String) -> ACIdentifier {
        let separators: Set<Character> = ["-", ".", "_", "~", "/"]
        let text = collapse(name.lowercased(), keep: { isAlphanumeric($0) }) { separators.contains($0) ? $0 : "-" }
        return ACIdentifier(unchecked: text.isEmpty ? "oci-image" : text)
    }

    /// Keeps `keep` characters; each run of others becomes the separator its first member maps
    /// to; no separator at either end.
    private static func collapse(_ text: String, keep: (Character) -> Bool, separator: (Character) -> Character) -> String {
        var out = ""
        var pending: Character?
        for character in text {
            if keep(character) {
                if let mark = pending, !out.isEmpty { out.append(mark) }
                pending = nil
                out.append(character)
            } else if pending == nil {
                pending = separator(character)
            }
        }
        return out
    }

    private static func isAlphanumeric(_ character: Character) -> Bool {
        ("a"..."z").contains(character) || ("0"..."9").contains(character)
    }
}
