// The image store: content-addressed blobs, image records, manifests and HTTP cache records.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import SkiffDigest
import SkiffImage
import SkiffSystem

/// The images Skiff has fetched. Nothing here is ever half-written where a reader can see it:
/// blobs are written under tmp/ and renamed into place, and an image is listed only once its
/// record exists, which is written last (atomically) under the image's lock. A crash at any
/// point leaves at most an orphan blob or temporary file, which `image gc` removes.
public final class ImageStore {
    public let layout: StoreLayout
    /// Made on first write: a JSONEncoder costs its set-up to every command that only reads.
    private lazy var encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }()
    /// Manifests read in this process, by image ID: an image's manifest never changes (the ID is
    /// its content's digest), and preparing a pod asks for each one up to four times.
    private var manifestCache: [String: (bytes: [UInt8], parsed: ImageManifest?)] = [:]

    /// Opens (creating if needed) the store under `root`.
    public init(root: String) throws {
        layout = StoreLayout(root: root)
        for directory in layout.directories { try FileSystem.createDirectory(directory, mode: 0o750) }
    }

    // MARK: Reading

    /// Every image record, sorted by import time. A record that cannot be read is an error naming it.
    public func records() throws -> [ImageRecord] {
        var result: [ImageRecord] = []
        for name in try FileSystem.list(layout.images) where name.hasSuffix(".json") && !name.hasPrefix(".") {
            if let record = try readRecord(layout.images + "/" + name) { result.append(record) }
        }
        return result.sorted { ($0.importTime, $0.id) < ($1.importTime, $1.id) }
    }

    /// The record of an image, nil if it is not in the store.
    public func record(_ id: ImageID) throws -> ImageRecord? {
        try readRecord(layout.imageRecord(id.value))
    }

    /// The manifest bytes exactly as they were in the image.
    public func manifestBytes(_ id: ImageID) throws -> [UInt8] {
        if let cached = manifestCache[id.value] { return cached.bytes }
        let bytes = try FileSystem.read(layout.manifest(id.value))
        manifestCache[id.value] = (bytes, nil)
        return bytes
    }

    /// The file holding an image's manifest (never rewritten: a pod may hold a second name for
    /// it, see FileSystem.linkNew).
    public func manifestFile(_ id: ImageID) -> String { layout.manifest(id.value) }

    /// The parsed manifest of an image.
    public func manifest(_ id: ImageID) throws -> ImageManifest {
        if let parsed = manifestCache[id.value]?.parsed { return parsed }
        let bytes = try manifestBytes(id)
        let parsed = try ImageManifest.parse(bytes)
        manifestCache[id.value] = (bytes, parsed)
        return parsed
    }

    /// The path of an image's blob (its uncompressed ACI).
    public func blobPath(_ id: ImageID) -> String { layout.blob(id.value) }

    /// Finds an image by ID prefix ("sha512-1a2b…" or, for OCI images, "sha256:1a2b…", at least
    /// 2 hex digits) or by name with optional labels ("example.com/app:v1,arch=amd64"); for
    /// names, the newest import wins.
    /// - Throws: `.notFound` naming the reference; `.usage` when an ID prefix is ambiguous.
    public func resolve(_ reference: String) throws -> ImageRecord {
        if reference.hasPrefix("sha512-") || reference.hasPrefix("sha256:") {
            guard let prefix = ImageIDPrefix(reference) else {
                throw SkiffError(.usage, "image \(quote(reference)): not a valid image ID or prefix")
            }
            let matches = try records().filter { record in
                (try? ImageID(validating: record.id)).map(prefix.matches) ?? false
            }
            if matches.count > 1 {
                throw SkiffError(.usage, "image \(quote(reference)): ambiguous, matches \(matches.count) images")
            }
            guard let match = matches.first else { throw SkiffError(.notFound, "image \(quote(reference)): not in the store") }
            return match
        }
        let name = try ImageName(parsing: reference)
        guard let match = try find(name: name.name, labels: name.labels) else {
            throw SkiffError(.notFound, "image \(quote(reference)): not in the store")
        }
        return match
    }

    /// The newest image whose name is `name` and whose labels include `labels`.
    public func find(name: String, labels: [String: String]) throws -> ImageRecord? {
        try records().last { record in
            record.name == name && labels.allSatisfy { record.labels[$0.key] == $0.value }
        }
    }

    // MARK: Importing

    /// Starts writing a new blob under tmp/; feed it the uncompressed tar, then `commit`.
    public func beginImport() throws -> BlobImport {
        try BlobImport(directory: layout.temporary)
    }

    /// Makes an imported blob an image: renames the blob into place, writes the manifest and, last,
    /// the record. If the image is already stored (say, a concurrent fetch won), the new copy is
    /// dropped and the existing record returned with `created == false`.
    public func commit(
        _ blob: BlobImport, manifest bytes: [UInt8], manifest: ImageManifest, source: String, signer: String?
    ) throws -> (record: ImageRecord, created: Bool) {
        let id = try blob.finish()
        let lock = try FileLock.lock(layout.imageLock(id.value))
        defer { lock.unlock() }
        if let existing = try record(id), FileSystem.exists(layout.blob(id.value)) {
            blob.discard()
            return (existing, false)
        }
        try blob.move(to: layout.blob(id.value))
        try FileSystem.writeAtomically(layout.manifest(id.value), bytes)
        let now = Int64(time(nil))
        var labels: [String: String] = [:]
        for label in manifest.labels { labels[label.name.value] = label.value }
        let record = ImageRecord(
            id: id.value, name: manifest.name.value, labels: labels, importTime: now, lastUsed: now,
            size: blob.size, source: source, signer: signer)
        try writeRecord(record)
        return (record, true)
    }

    /// Records that an image was used now (for `image gc`): the record file's mtime, which
    /// reading a record counts as its `lastUsed` when later than the field. Every `run` does this:
    /// one utimensat instead of re-encoding and replacing the record (a new inode each time).
    public func touch(_ id: ImageID) throws {
        let path = layout.imageRecord(id.value)
        if utimensat(AT_FDCWD, path, nil, 0) < 0 && errno != ENOENT {
            throw SkiffError.system("record the use of image \(quote(id.value)) on \(quote(path))")
        }
    }

    // MARK: Removing

    /// Removes an image: its record first (so it is no longer listed), then manifest, blob and the
    /// HTTP cache records that point at it.
    /// An OCI image's config and layers go too unless another image uses them (under the
    /// store lock, which a fetch in progress holds shared, so no fetch loses a layer it counts on).
    public func remove(_ id: ImageID) throws {
        let storeLock = id.isOCI ? try FileLock.lock(layout.storeLock) : nil
        defer { storeLock?.unlock() }
        let lock = try FileLock.lock(layout.imageLock(id.value))
        defer { lock.unlock() }
        guard try record(id) != nil else { throw SkiffError(.notFound, "image \(quote(id.value)): not in the store") }
        let oci = id.isOCI ? try? ociImage(id) : nil
        try removeFile(layout.imageRecord(id.value))
        try removeFile(layout.manifest(id.value))
        manifestCache[id.value] = nil
        try removeFile(layout.blob(id.value))
        for remote in try remotes() where remote.record.imageID == id.value {
            try removeFile(remote.path)
        }
        if let oci { try removeUnusedBlobs(of: oci) }
    }

    // MARK: HTTP cache records

    /// The cache record of a URL.
    public func remote(for url: String) throws -> RemoteRecord? {
        let path = layout.remoteRecord(Self.remoteKey(url))
        guard FileSystem.exists(path) else { return nil }
        return try readRecord(path, RemoteRecord.init(recordBytes:))
    }

    /// Saves the cache record of a URL.
    public func saveRemote(_ remote: RemoteRecord) throws {
        let data = try encode(remote, what: "remote record of \(quote(remote.url))")
        try FileSystem.writeAtomically(layout.remoteRecord(Self.remoteKey(remote.url)), data)
    }

    func remotes() throws -> [(path: String, record: RemoteRecord)] {
        try FileSystem.list(layout.remotes).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map {
            let path = layout.remotes + "/" + $0
            return (path, try readRecord(path, RemoteRecord.init(recordBytes:)))
        }
    }

    /// Cache records are named by the SHA-256 of their URL: URLs do not make good file names.
    static func remoteKey(_ url: String) -> String {
        Digest.hash(.sha256, Array(url.utf8)).hexString
    }

    // MARK: Files

    func writeRecord(_ record: ImageRecord) throws {
        try FileSystem.writeAtomically(
            layout.imageRecord(record.id), encode(record, what: "image record of \(quote(record.id))"))
    }

    private func readRecord(_ path: String) throws -> ImageRecord? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        var record = try readRecord(path, ImageRecord.init(recordBytes:))
        record.lastUsed = max(record.lastUsed, Int64(st.st_mtim.tv_sec))  // touch() sets the mtime
        return record
    }

    private func readRecord<T>(_ path: String, _ parse: ([UInt8]) throws -> T) throws -> T {
        let bytes = try FileSystem.read(path)
        do {
            return try parse(bytes)
        } catch {
            throw SkiffError(.invalid, "read \(quote(path)): not a valid store record (\(error))")
        }
    }

    private func encode<T: Encodable>(_ value: T, what: String) throws -> [UInt8] {
        do {
            return Array(try encoder.encode(value)) + [0x0a]
        } catch {
            throw SkiffError(.invalid, "encode \(what): \(error)")
        }
    }

    private func removeFile(_ path: String) throws {
        if unlink(path) < 0 && errno != ENOENT { throw SkiffError.system("remove \(quote(path))") }
    }
}
