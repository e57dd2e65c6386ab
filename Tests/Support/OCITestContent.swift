// OCI content for tests, built by hand so every field can be wrong on purpose: layers from
// entries (TarWriter, then the real gzip), configs, manifests and indexes as JSON, written as an
// OCI layout or served as a registry by TestHTTPServer.
import Foundation
import SkiffArchive
import SkiffDigest
import SkiffSystem

/// What a manifest or index says about a blob.
public struct TestDescriptor: Sendable, Hashable {
    /// The blob's media type (tests set wrong ones on purpose).
    public var mediaType: String
    /// "sha256:<hex>".
    public var digest: String
    /// The size the descriptor claims.
    public var size: Int
    /// `os/architecture[/variant]`, for index entries.
    public var platform: String?
    /// Annotations (a layout's ref name).
    public var annotations: [String: String] = [:]

    /// The hex part of the digest.
    public var hex: String { String(digest.dropFirst(7)) }

    /// The descriptor as a JSON object.
    public var json: [String: Any] {
        var object: [String: Any] = ["mediaType": mediaType, "digest": digest, "size": size]
        if !annotations.isEmpty { object["annotations"] = annotations }
        if let platform {
            let parts = platform.split(separator: "/").map(String.init)
            var entry: [String: Any] = ["os": parts[0], "architecture": parts.count > 1 ? parts[1] : ""]
            if parts.count > 2 { entry["variant"] = parts[2] }
            object["platform"] = entry
        }
        return object
    }
}

/// One entry of a test layer, path as written in the tar.
public struct TestLayerEntry {
    /// The tar header.
    public var entry: TarEntry
    /// The file's data.
    public var data: [UInt8]

    /// A regular file.
    public static func file(_ path: String, _ text: String, mode: UInt32 = 0o644, uid: UInt32 = 0, gid: UInt32 = 0) -> TestLayerEntry {
        let bytes = Array(text.utf8)
        return TestLayerEntry(entry: TarEntry(path: path, kind: .file, mode: mode, uid: uid, gid: gid, size: Int64(bytes.count)), data: bytes)
    }

    /// A directory.
    public static func directory(_ path: String, mode: UInt32 = 0o755) -> TestLayerEntry {
        TestLayerEntry(entry: TarEntry(path: path, kind: .directory, mode: mode), data: [])
    }

    /// A symlink.
    public static func symlink(_ path: String, to target: String) -> TestLayerEntry {
        TestLayerEntry(entry: TarEntry(path: path, kind: .symlink, mode: 0o777, linkTarget: target), data: [])
    }

    /// A hard link (the target as written in the tar).
    public static func hardlink(_ path: String, to target: String) -> TestLayerEntry {
        TestLayerEntry(entry: TarEntry(path: path, kind: .hardlink, mode: 0o644, linkTarget: target), data: [])
    }

    /// `.wh.<name>` in the directory of `path`: deletes `path` from lower layers.
    public static func whiteout(_ path: String) -> TestLayerEntry {
        let parts = path.split(separator: "/").map(String.init)
        let name = (parts.dropLast() + [".wh." + (parts.last ?? "")]).joined(separator: "/")
        return file(name, "")
    }

    /// `.wh..wh..opq` in `directory` ("" for the root).
    public static func opaque(_ directory: String) -> TestLayerEntry {
        file(directory.isEmpty ? ".wh..wh..opq" : directory + "/.wh..wh..opq", "")
    }
}

/// Blobs by digest plus helpers that make layers, configs, manifests and indexes.
public final class OCITestContent {
    /// OCI image manifest.
    public static let manifestType = "application/vnd.oci.image.manifest.v1+json"
    /// OCI image index.
    public static let indexType = "application/vnd.oci.image.index.v1+json"
    /// OCI image config.
    public static let configType = "application/vnd.oci.image.config.v1+json"
    /// OCI gzip layer.
    public static let layerGzipType = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// OCI plain tar layer.
    public static let layerType = "application/vnd.oci.image.layer.v1.tar"

    /// Every blob added, by digest.
    public private(set) var blobs: [String: [UInt8]] = [:]
    private let scratch: String

    /// Content whose temporary files go under `scratch` (an existing directory).
    public init(scratch: String) { self.scratch = scratch }

    /// "sha256:<hex>" of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> String { "sha256:" + Digest.hash(.sha256, bytes).hexString }

    /// Adds a blob and returns its descriptor.
    @discardableResult
    public func add(_ bytes: [UInt8], mediaType: String) -> TestDescriptor {
        let digest = Self.digest(bytes)
        blobs[digest] = bytes
        return TestDescriptor(mediaType: mediaType, digest: digest, size: bytes.count)
    }

    /// A layer of `entries` (gzip unless `gzip` is false); returns its descriptor and diff_id.
    public func layer(_ entries: [TestLayerEntry], gzip: Bool = true) throws -> (layer: TestDescriptor, diffID: String) {
        let path = scratch + "/layer-\(UUID().uuidString).tar"
        defer { unlink(path) }
        let file = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        let writer = TarWriter(file)
        for item in entries { try writer.append(item.entry, data: item.data) }
        try writer.finish()
        file.close()
        let tar = try FileSystem.read(path, limit: 1 << 30)
        guard gzip else { return (add(tar, mediaType: Self.layerType), Self.digest(tar)) }
        let compressed = try Subprocess.run(["gzip", "-n", "-c", path])
        guard compressed.status == 0 else { throw TestSupportError("gzip \(path): \(compressed.stderrText)") }
        return (add(compressed.stdout, mediaType: Self.layerGzipType), Self.digest(tar))
    }

    /// An image config for `diffIDs`; `run` is the `config` object (Entrypoint, Env, User...),
    /// `extra` top-level members that replace the defaults (say a wrong architecture).
    public func config(diffIDs: [String], run: [String: Any] = [:], extra: [String: Any] = [:]) throws -> TestDescriptor {
        var object: [String: Any] = [
            "architecture": Self.hostArchitecture, "os": "linux", "config": run,
            "rootfs": ["type": "layers", "diff_ids": diffIDs],
        ]
        for (key, value) in extra { object[key] = value }
        return add(try Self.json(object), mediaType: Self.configType)
    }

    /// A manifest of `config` and `layers`.
    public func manifest(config: TestDescriptor, layers: [TestDescriptor], mediaType: String = OCITestContent.manifestType) throws
        -> TestDescriptor
    {
        let object: [String: Any] = [
            "schemaVersion": 2, "mediaType": mediaType, "config": config.json, "layers": layers.map(\.json),
        ]
        return add(try Self.json(object), mediaType: mediaType)
    }

    /// An index of `manifests` (each with its `platform`).
    public func index(_ manifests: [TestDescriptor]) throws -> TestDescriptor {
        let object: [String: Any] = ["schemaVersion": 2, "mediaType": Self.indexType, "manifests": manifests.map(\.json)]
        return add(try Self.json(object), mediaType: Self.indexType)
    }

    /// A one-layer image of `entries` with `run` as its config; returns the manifest.
    public func image(_ entries: [TestLayerEntry], run: [String: Any] = [:]) throws -> TestDescriptor {
        let (layer, diffID) = try layer(entries)
        return try manifest(config: try config(diffIDs: [diffID], run: run), layers: [layer])
    }

    /// Writes an OCI layout into `directory` (created): every blob, `index.json` listing `refs`
    /// (descriptor and its `org.opencontainers.image.ref.name`, nil for none).
    public func writeLayout(to directory: String, refs: [(TestDescriptor, String?)]) throws {
        try FileSystem.createDirectory(directory + "/blobs/sha256")
        try FileSystem.writeAtomically(directory + "/oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
        for (digest, bytes) in blobs { try FileSystem.writeAtomically(directory + "/blobs/sha256/" + digest.dropFirst(7), bytes) }
        let entries = refs.map { (descriptor, name) -> [String: Any] in
            var entry = descriptor
            if let name { entry.annotations["org.opencontainers.image.ref.name"] = name }
            return entry.json
        }
        let index: [String: Any] = ["schemaVersion": 2, "mediaType": Self.indexType, "manifests": entries]
        try FileSystem.writeAtomically(directory + "/index.json", try Self.json(index))
    }

    /// Compact JSON with sorted keys: the same object always gives the same digest.
    public static func json(_ object: Any) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// This machine's architecture as OCI names it.
    public static var hostArchitecture: String {
        ["x86_64": "amd64", "aarch64": "arm64", "i686": "386"][TestImageRecipe.machine] ?? TestImageRecipe.machine
    }
}

extension TestImageRecipe {
    /// `uname -m`.
    static var machine: String {
        var info = utsname()
        uname(&info)
        return withUnsafeBytes(of: info.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
