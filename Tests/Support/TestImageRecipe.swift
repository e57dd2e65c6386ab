// What a test image is made of: the app section of its manifest, its labels, extra files. A
// recipe is a value: equal recipes give the same cached image.
#if canImport(Glibc)
import Glibc
#endif

/// The description of a busybox test image (see `TestImages.busybox`). Every field has a default
/// that gives a runnable image: root user, `/probe print hello` as the app.
public struct TestImageRecipe: Sendable, Hashable {
    /// A mount point the app declares (appc `app.mountPoints`).
    public struct MountPoint: Sendable, Hashable {
        /// The name a volume is matched by.
        public var name: String
        /// Where in the app's rootfs.
        public var path: String
        /// Whether the app may only read it.
        public var readOnly: Bool
        /// A mount point named `name` at `path`.
        public init(name: String, path: String, readOnly: Bool = false) {
            self.name = name
            self.path = path
            self.readOnly = readOnly
        }
    }

    /// A port the app declares (appc `app.ports`).
    public struct Port: Sendable, Hashable {
        /// The name `--port` refers to.
        public var name: String
        /// "tcp" or "udp".
        public var `protocol`: String
        /// The first port number, and how many follow.
        public var port: Int
        public var count: Int
        /// Whether the app expects the socket passed in (systemd socket activation).
        public var socketActivated: Bool
        /// A port named `name`.
        public init(name: String, protocol: String = "tcp", port: Int, count: Int = 1, socketActivated: Bool = false) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
            self.count = count
            self.socketActivated = socketActivated
        }
    }

    /// An isolator (appc `app.isolators`): `value` is JSON text, e.g. `{"limit":"64M"}`.
    public struct Isolator: Sendable, Hashable {
        /// E.g. `resource/memory`, `os/linux/capabilities-retain-set`.
        public var name: String
        /// The value as JSON text.
        public var value: String
        /// An isolator `name` with the JSON `value`.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// An extra regular file in the rootfs (path relative to the rootfs, no leading slash needed).
    public struct File: Sendable, Hashable {
        /// Relative to the rootfs.
        public var path: String
        /// The file's text.
        public var contents: String
        /// Permission bits, set exactly.
        public var mode: UInt32
        /// Owner in the image; root by default.
        public var uid: UInt32
        public var gid: UInt32
        /// A file at `path` with `contents`.
        public init(_ path: String, _ contents: String, mode: UInt32 = 0o644, uid: UInt32 = 0, gid: UInt32 = 0) {
            self.path = path.hasPrefix("/") ? String(path.dropFirst()) : path
            self.contents = contents
            self.mode = mode
            self.uid = uid
            self.gid = gid
        }
    }

    /// The image name (an AC identifier).
    public var name: String
    /// The `version` label.
    public var version: String = "1.0.0"
    /// Further labels; `os` and `arch` default to this host's (linux, amd64/arm64...).
    public var labels: [String: String] = [:]
    /// The app's argv; nil makes an image without an app section (a dependency-style image).
    public var exec: [String]?
    /// The app's user and group: names from the image's /etc files, numbers, or paths.
    public var user: String = "0"
    public var group: String = "0"
    /// Extra groups of the app.
    public var supplementaryGIDs: [UInt32] = []
    /// The app's working directory; nil leaves it out (the engine uses "/").
    public var workingDirectory: String?
    /// The app's environment (written sorted by name).
    public var environment: [String: String] = [:]
    /// The app's mount points, ports and isolators, in order.
    public var mountPoints: [MountPoint] = []
    public var ports: [Port] = []
    public var isolators: [Isolator] = []
    /// Image annotations.
    public var annotations: [String: String] = [:]
    /// Extra files added to the rootfs (after the standard ones, which they may replace).
    public var files: [File] = []
    /// Symbolic links added to the rootfs: path (relative to it) -> target, verbatim.
    public var symlinks: [String: String] = [:]
    /// Standard files left out of the rootfs, relative to it ("etc/hosts").
    public var omittedFiles: [String] = []
    /// appc event handlers by name ("pre-start", "post-stop") -> their exec.
    public var eventHandlers: [String: [String]] = [:]
    /// Whether /probe is in the image.
    public var includeProbe = true

    /// A recipe for an image named `name` whose app runs `/probe` with `probeArguments`.
    public init(name: String = "skiff.test/busybox", probeArguments: [String] = ["print", "hello"]) {
        self.name = name
        self.exec = ["/probe"] + probeArguments
    }

    /// The appc name of this machine's architecture, as the `arch` label wants it.
    public static var hostArch: String {
        var info = utsname()
        uname(&info)
        let machine = withUnsafeBytes(of: info.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return ["x86_64": "amd64", "aarch64": "arm64", "i686": "i386", "armv7l": "armv7l"][machine] ?? machine
    }

    /// The image manifest as JSON text (members in a fixed order, lists sorted).
    public var manifestJSON: String {
        typealias M = ManifestJSON.Member
        var allLabels = labels
        allLabels["version"] = version
        allLabels["os"] = labels["os"] ?? "linux"
        allLabels["arch"] = labels["arch"] ?? Self.hostArch
        var members = [
            M("acKind", .string("ImageManifest")), M("acVersion", .string("0.8.11")), M("name", .string(name)),
            M("labels", .nameValueList(allLabels)),
        ]
        if let exec {
            var app = [
                M("exec", .array(exec.map { .string($0) })), M("user", .string(user)), M("group", .string(group)),
            ]
            if !supplementaryGIDs.isEmpty {
                app.append(M("supplementaryGIDs", .array(supplementaryGIDs.map { .number(Int($0)) })))
            }
            if !eventHandlers.isEmpty {
                app.append(
                    M(
                        "eventHandlers",
                        .array(
                            eventHandlers.keys.sorted().map { name in
                                .object([M("name", .string(name)), M("exec", .array((eventHandlers[name] ?? []).map { .string($0) }))])
                            })))
            }
            if let workingDirectory { app.append(M("workingDirectory", .string(workingDirectory))) }
            if !environment.isEmpty { app.append(M("environment", .nameValueList(environment))) }
            if !isolators.isEmpty {
                app.append(
                    M(
                        "isolators",
                        .array(isolators.map { .object([M("name", .string($0.name)), M("value", .raw($0.value))]) })))
            }
            if !mountPoints.isEmpty {
                app.append(
                    M(
                        "mountPoints",
                        .array(
                            mountPoints.map {
                                .object([
                                    M("name", .string($0.name)), M("path", .string($0.path)),
                                    M("readOnly", .bool($0.readOnly)),
                                ])
                            })))
            }
            if !ports.isEmpty {
                app.append(
                    M(
                        "ports",
                        .array(
                            ports.map {
                                .object([
                                    M("name", .string($0.name)), M("protocol", .string($0.protocol)),
                                    M("port", .number($0.port)),
                                    M("count", .number($0.count)), M("socketActivated", .bool($0.socketActivated)),
                                ])
                            })))
            }
            members.append(M("app", .object(app)))
        }
        if !annotations.isEmpty { members.append(M("annotations", .nameValueList(annotations))) }
        return ManifestJSON.object(members).text
    }

    /// Everything about the recipe that changes the image's bytes, as text (for the cache key).
    var fingerprint: [String] {
        var parts = [manifestJSON, "probe=\(includeProbe)"]
        if !omittedFiles.isEmpty { parts.append("omitted=" + omittedFiles.sorted().joined(separator: ",")) }
        for (path, target) in symlinks.sorted(by: { $0.key < $1.key }) { parts += ["symlink", path, target] }
        for file in files.sorted(by: { $0.path < $1.path }) {
            parts += [file.path, file.contents, String(file.mode, radix: 8), "\(file.uid):\(file.gid)"]
        }
        return parts
    }
}
