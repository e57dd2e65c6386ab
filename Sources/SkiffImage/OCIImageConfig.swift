// The image config (image-spec config.md; Docker's container image v1 JSON is the same): the
// platform, the uncompressed layer digests, and how to run the image.
import SkiffSystem

/// An image config, as far as running the image needs it.
public struct OCIImageConfig: Sendable, Equatable {
    /// "linux".
    public var os: String
    /// Go architecture name ("amd64").
    public var architecture: String
    /// ARM variant, if any.
    public var variant: String?
    /// `config.User`: "", "name", "uid", "name:group", "uid:gid".
    public var user: String
    /// `config.Env`: "NAME=value" entries.
    public var environment: [String]
    /// `config.Entrypoint` (argv = Entrypoint + Cmd).
    public var entrypoint: [String]
    /// `config.Cmd`.
    public var command: [String]
    /// `config.WorkingDir` ("" when unset).
    public var workingDirectory: String
    /// `config.ExposedPorts` keys ("80/tcp", "53/udp", "8080").
    public var exposedPorts: [String]
    /// `config.Volumes` keys (absolute paths).
    public var volumes: [String]
    /// `config.Labels`.
    public var labels: [String: String]
    /// `config.StopSignal`, if set.
    public var stopSignal: String?
    /// `rootfs.diff_ids`: the digests of the uncompressed layers, in order.
    public var diffIDs: [OCIDigest]

    /// A config (tests and synthesized images).
    public init(
        os: String = "linux", architecture: String, variant: String? = nil, user: String = "", environment: [String] = [],
        entrypoint: [String] = [], command: [String] = [], workingDirectory: String = "", exposedPorts: [String] = [],
        volumes: [String] = [], labels: [String: String] = [:], stopSignal: String? = nil, diffIDs: [OCIDigest] = []
    ) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
        self.user = user
        self.environment = environment
        self.entrypoint = entrypoint
        self.command = command
        self.workingDirectory = workingDirectory
        self.exposedPorts = exposedPorts
        self.volumes = volumes
        self.labels = labels
        self.stopSignal = stopSignal
        self.diffIDs = diffIDs
    }

    /// The platform the image was built for.
    public var platform: OCIPlatform { OCIPlatform(os: os, architecture: architecture, variant: variant) }

    /// Parses a config. Errors: `SkiffError(.invalid, "<field>: why")`, e.g.
    /// `rootfs.diff_ids[0] "md5:x": unsupported algorithm "md5"`.
    public static func parse(_ bytes: [UInt8]) throws -> OCIImageConfig {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw SkiffError(.invalid, "\(error)") }
        do {
            return try read(value)
        } catch {
            throw SkiffError(.invalid, "\(error)")
        }
    }

    private static func read(_ value: JSONValue) throws(SchemaError) -> OCIImageConfig {
        let top = try ObjectReader(value, at: FieldPath())
        var config = OCIImageConfig(
            os: try top.requiredString("os"), architecture: try top.requiredString("architecture"),
            variant: try top.string("variant").flatMap { $0.isEmpty ? nil : $0 })
        let rootfsPath = FieldPath().key("rootfs")
        guard let rootfsValue = top.value("rootfs") else { throw SchemaError(rootfsPath, "required") }
        let rootfs = try ObjectReader(rootfsValue, at: rootfsPath)
        let type = try rootfs.requiredString("type")
        guard type == "layers" else { throw SchemaError(rootfsPath.key("type"), string: type, "must be \"layers\"") }
        for (element, at) in try rootfs.array("diff_ids") ?? [] {
            config.diffIDs.append(try OCIDigest.read(try expectString(element, at: at), at: at))
        }
        guard let runValue = top.value("config") else { return config }
        let run = try ObjectReader(runValue, at: FieldPath().key("config"))
        config.user = try run.string("User") ?? ""
        config.environment = try run.stringArray("Env") ?? []
        config.entrypoint = try run.stringArray("Entrypoint") ?? []
        config.command = try run.stringArray("Cmd") ?? []
        config.workingDirectory = try run.string("WorkingDir") ?? ""
        config.exposedPorts = try keys(run, "ExposedPorts")
        config.volumes = try keys(run, "Volumes")
        config.labels = try run.stringMap("Labels") ?? [:]
        config.stopSignal = try run.string("StopSignal").flatMap { $0.isEmpty ? nil : $0 }
        return config
    }

    /// The member names of an object whose values are (empty) objects, sorted.
    private static func keys(_ object: ObjectReader, _ key: String) throws(SchemaError) -> [String] {
        guard let found = object.value(key) else { return [] }
        let inner = try ObjectReader(found, at: object.path.key(key))
        guard case .object(let members) = found else { return [] }
        _ = inner
        return members.map(\.0).sorted()
    }
}
