// OCI images in the store: every blob (manifest, config, layers) under cas/blob/<alg>/<hex> as it
// came, layers shared by every image that lists them; the image keyed by its manifest digest;
// an appc manifest made from its config under cas/manifest/, so pods run it like an ACI.
#if canImport(Glibc)
import Glibc
#endif
import SkiffDigest
import SkiffImage
import SkiffSystem

/// An OCI image read back from the store.
public struct StoredOCIImage: Sendable {
    /// The image ID: `sha256:` + the manifest digest.
    public let id: ImageID
    /// The manifest exactly as fetched (its digest is the ID).
    public let manifestBytes: [UInt8]
    /// The manifest, parsed.
    public let manifest: OCIManifest
    /// The config exactly as fetched.
    public let configBytes: [UInt8]
    /// The config, parsed.
    public let config: OCIImageConfig

    /// The manifest's own descriptor.
    public var manifestDescriptor: OCIDescriptor {
        OCIDescriptor(
            mediaType: manifest.mediaType, digest: OCIDigest(.sha256, bytes: Digest.hash(.sha256, manifestBytes)),
            size: Int64(manifestBytes.count))
    }

    /// Config and layers: the blobs besides the manifest.
    public var contentBlobs: [OCIDescriptor] { [manifest.config] + manifest.layers }
}

extension ImageStore {
    /// Where the blob `digest` lives.
    public func blobPath(_ digest: OCIDigest) -> String {
        layout.blobs + "/" + digest.algorithm.rawValue + "/" + digest.hex
    }

    /// Whether the blob is stored with the size its descriptor gives (its digest was checked
    /// when it was stored; `image verify` checks it again).
    public func hasBlob(_ descriptor: OCIDescriptor) -> Bool {
        guard let st = try? FileSystem.status(blobPath(descriptor.digest)) else { return false }
        return st.st_mode & S_IFMT == S_IFREG && Int64(st.st_size) == descriptor.size
    }

    /// A blob to write under tmp/ (dropped if the process dies: gc finds it unlocked).
    public func beginBlob(_ expected: OCIDescriptor, subject: String) throws -> VerifiedBlob {
        try VerifiedBlob(
            path: FileSystem.temporaryName(for: layout.temporary + "/blob"), expected: expected, subject: subject,
            resume: false)
    }

    /// A blob downloaded into cas/partial/, kept when the transfer fails so the next attempt
    /// (in this process or a later one) resumes; named by its digest, so any registry serving
    /// it continues the same file.
    public func resumableBlob(_ expected: OCIDescriptor, subject: String) throws -> VerifiedBlob {
        let name = "blob-" + expected.digest.algorithm.rawValue + "-" + expected.digest.hex
        return try VerifiedBlob(path: layout.partials + "/" + name, expected: expected, subject: subject, resume: true)
    }

    /// Verifies a written blob and moves it into place.
    public func finish(_ blob: VerifiedBlob) throws {
        try FileSystem.createDirectory(layout.blobs + "/" + blob.expected.digest.algorithm.rawValue, mode: 0o750)
        try blob.finish(into: blobPath(blob.expected.digest))
    }

    /// Stores a small blob held in memory (a config) after checking it against `expected`.
    public func storeBlob(_ bytes: [UInt8], _ expected: OCIDescriptor, subject: String) throws {
        if hasBlob(expected) { return }
        let blob = try beginBlob(expected, subject: subject)
        try bytes.withUnsafeBytes { try blob.write($0) }
        try finish(blob)
    }

    /// The OCI image `id`, parsed from its blobs.
    public func ociImage(_ id: ImageID) throws -> StoredOCIImage {
        guard id.isOCI else { throw SkiffError(.invalid, "image \(id.value): not an OCI image") }
        let manifestBytes = try FileSystem.read(layout.blob(id.value), limit: 4 << 20)
        let manifest: OCIManifest
        do {
            guard case .manifest(let parsed) = try OCIDocument.parse(manifestBytes, declared: nil) else {
                throw SkiffError(.invalid, "an index, not a manifest")
            }
            manifest = parsed
        } catch let error as SkiffError {
            throw SkiffError(.invalid, "image \(id.value): stored manifest: \(error.message)")
        }
        let configBytes = try FileSystem.read(blobPath(manifest.config.digest), limit: 16 << 20)
        let config: OCIImageConfig
        do { config = try OCIImageConfig.parse(configBytes) } catch let error as SkiffError {
            throw SkiffError(.invalid, "image \(id.value): stored config: \(error.message)")
        }
        return StoredOCIImage(id: id, manifestBytes: manifestBytes, manifest: manifest, configBytes: configBytes, config: config)
    }

    /// Makes an OCI image of a manifest whose config and layers are stored: writes the manifest
    /// blob, the appc manifest and, last, the record. An image already stored is returned with
    /// `created == false` (its record unchanged).
    public func commitOCI(
        manifest bytes: [UInt8], appc: ImageManifest, name: String, labels: [String: String], size: Int64,
        source: String
    ) throws -> (record: ImageRecord, created: Bool) {
        let id = ImageID(ociManifest: Digest.hash(.sha256, bytes))
        let lock = try FileLock.lock(layout.imageLock(id.value))
        defer { lock.unlock() }
        if let existing = try record(id), FileSystem.exists(layout.blob(id.value)) { return (existing, false) }
        try FileSystem.writeAtomically(layout.blob(id.value), bytes, mode: 0o640)
        try FileSystem.writeAtomically(layout.manifest(id.value), appc.encoded(pretty: true))
        let now = Int64(time(nil))
        let record = ImageRecord(
            id: id.value, kind: "oci", name: name, labels: labels, importTime: now, lastUsed: now, size: size,
            source: source, signer: nil)
        try writeRecord(record)
        return (record, true)
    }

    /// The config and layer blobs (`<alg>/<hex>` under cas/blob) of every OCI image in the store.
    func ociBlobsInUse() throws -> Set<String> {
        var used = Set<String>()
        for record in try records() where record.id.hasPrefix("sha256:") {
            guard let id = try? ImageID(validating: record.id), let image = try? ociImage(id) else { continue }
            for blob in image.contentBlobs { used.insert(blob.digest.algorithm.rawValue + "/" + blob.digest.hex) }
        }
        return used
    }

    /// Removes the config and layers of a removed OCI image that no other image uses. The
    /// caller holds the store lock exclusively (a fetch in progress holds it shared).
    func removeUnusedBlobs(of image: StoredOCIImage) throws {
        let used = try ociBlobsInUse()
        for blob in image.contentBlobs where !used.contains(blob.digest.algorithm.rawValue + "/" + blob.digest.hex) {
            let path = blobPath(blob.digest)
            if unlink(path) < 0 && errno != ENOENT { throw SkiffError.system("remove \(quote(path))") }
        }
    }
}

extension ImageStore {
    /// Drops blobs a failed import stored, unless an image uses them, so a failed fetch leaves
    /// the store as it was. Skipped while another import holds the store lock (gc collects them
    /// later); the caller must not hold it itself.
    public func dropUnusedBlobs(_ blobs: [OCIDescriptor]) {
        guard !blobs.isEmpty, let lock = try? FileLock.tryLock(layout.storeLock) else { return }
        defer { lock.unlock() }
        guard let used = try? ociBlobsInUse(), let images = try? records().map(\.id) else { return }
        let manifests = Set(images)
        for blob in blobs where !used.contains(blob.digest.algorithm.rawValue + "/" + blob.digest.hex) {
            if manifests.contains(blob.digest.value) { continue }
            unlink(blobPath(blob.digest))
        }
    }
}
