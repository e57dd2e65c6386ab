// fetch for OCI and Docker images: resolve the reference to a manifest (choosing linux/amd64,
// or this machine's platform, from an index), store the config and every missing layer, each
// verified against its digest and size while it is copied, render the tree (which checks every
// layer entry and each layer's diff_id), then commit the image keyed by its manifest digest.
// Docker images carry no signature: a reference by tag needs --insecure-options=image; one by
// digest is verified by its content instead.
#if canImport(Glibc)
import Glibc
#endif
import SkiffArchive
import SkiffFetch
import SkiffImage
import SkiffStore

/// Brings OCI images into the store.
struct OCIFetcher {
    let config: EngineConfig
    let store: ImageStore
    let http: HTTPClient
    let limits: ImageLimits
    let log: (String) -> Void

    /// The registry of `docker://` names without a host.
    var defaultRegistry: String { limits.defaultRegistry }

    /// Fetches `reference` (typed as `text`) under the pull policy and returns its record.
    /// Failures are one line starting with `text`; the store keeps nothing of a failed fetch but
    /// resumable partial downloads.
    func fetch(_ reference: OCIReference, text: String, options: FetchOptions) throws -> ImageRecord {
        if reference.pinnedDigest == nil {
            guard config.insecure.contains(.image) else {
                throw SkiffError(
                    .invalid,
                    "\(text): OCI and Docker images have no signature to verify: use --insecure-options=image, or name the image by digest (…@sha256:…), whose content is then verified")
            }
        }
        let record: ImageRecord
        if let cached = try cached(reference, text: text, options: options) {
            record = cached
        } else {
            do {
                record = try importImage(reference, options: options)
            } catch let error as SkiffError {
                throw SkiffError(error.code, "\(text): \(error.message)", errno: error.errno)
            }
        }
        if reference.pinnedDigest == nil {
            log("image: \(quote(text)) has no signature; not verified (--insecure-options=image)\n")
        }
        return record
    }

    /// What the store already has for the reference, as the pull policy allows using it: `never`
    /// and `new` take the image the reference last resolved to (a local layout or archive only
    /// while its file is unchanged); a digest needs no check at all.
    private func cached(_ reference: OCIReference, text: String, options: FetchOptions) throws -> ImageRecord? {
        var found: ImageRecord?
        if let digest = reference.pinnedDigest, let id = try? ImageID(validating: digest.value) {
            found = try store.record(id)
        }
        if found == nil, let remote = try store.remote(for: reference.key), let id = try? ImageID(validating: remote.imageID) {
            let unchanged = reference.localPath == nil || remote.etag == fingerprint(reference)
            if unchanged || options.pullPolicy == .never { found = try store.record(id) }
        }
        switch options.pullPolicy {
        case .never:
            guard let found else { throw SkiffError(.notFound, "\(text): --pull-policy=never and it is not in the store") }
            return found
        case .new: return found
        case .update: return reference.pinnedDigest != nil ? found : nil
        }
    }

    /// The source, the manifest, the blobs, the commit.
    private func importImage(_ reference: OCIReference, options: FetchOptions) throws -> ImageRecord {
        let source = try makeSource(reference, options: options)
        var added: [OCIDescriptor] = []
        let lock = try FileLock.lock(store.layout.storeLock, .shared)
        do {
            let record = try importLocked(reference, source: source, added: &added)
            lock.unlock()
            return record
        } catch {
            lock.unlock()
            store.dropUnusedBlobs(added)
            throw error
        }
    }

    private func importLocked(_ reference: OCIReference, source: OCIContentSource, added: inout [OCIDescriptor]) throws
        -> ImageRecord
    {
        let root = try source.root()
        let (manifestBytes, manifest) = try resolveManifest(root, source: source)
        let id = try ImageID(validating: OCIDigest.of(manifestBytes).value)
        if let existing = try store.record(id) {
            try remember(reference, id: existing.id)
            return existing
        }
        guard manifest.config.size <= 16 << 20 else {
            throw SkiffError(.invalid, "config \(manifest.config.digest) is \(manifest.config.size) bytes (at most 16 MiB)")
        }
        if !store.hasBlob(manifest.config) {
            try source.fetch(manifest.config, into: store)
            added.append(manifest.config)
        }
        let configBytes = try FileSystem.read(store.blobPath(manifest.config.digest), limit: 16 << 20)
        let imageConfig: OCIImageConfig
        do { imageConfig = try OCIImageConfig.parse(configBytes) } catch let error as SkiffError {
            throw SkiffError(.invalid, "config \(manifest.config.digest): \(error.message)")
        }
        try checkPlatform(imageConfig.platform)
        guard imageConfig.diffIDs.count == manifest.layers.count else {
            throw SkiffError(
                .invalid, "the config lists \(imageConfig.diffIDs.count) layer digests, the manifest \(manifest.layers.count) layers")
        }
        let (name, tag) = source.nameAndTag ?? reference.nameAndTag(defaultRegistry: defaultRegistry)
        let appc = try OCIAppMapping.manifest(name: name, tag: tag, config: imageConfig)
        for layer in manifest.layers where !store.hasBlob(layer) {
            try source.fetch(layer, into: store)
            added.append(layer)
        }
        // Render now: every layer is checked (whiteouts, links, diff_ids) before the image is
        // listed, and the first pod finds its tree ready.
        let manifestBlob = OCIDescriptor(mediaType: manifest.mediaType, digest: try OCIDigest(parsing: id.value), size: Int64(manifestBytes.count))
        if !store.hasBlob(manifestBlob) {
            try store.storeBlob(manifestBytes, manifestBlob, subject: "")
            added.append(manifestBlob)
        }
        let options = ExtractionOptions(limits: ExtractionLimits(maxBytes: limits.maxImageBytes, maxEntries: limits.maxEntries))
        _ = try TreeStore(images: store).render([RenderStep(image: id, whitelist: nil)], options: options)
        let size = manifest.layers.reduce(Int64(manifestBytes.count) + manifest.config.size) { $0 + $1.size }
        let (record, _) = try store.commitOCI(
            manifest: manifestBytes, appc: appc, name: name, labels: appc.labelDictionary, size: size,
            source: reference.key)
        try remember(reference, id: record.id)
        return record
    }

    /// The image manifest of the root document: itself, or the entry of this machine's platform
    /// in an index (nested indexes followed, at most four deep).
    private func resolveManifest(_ root: OCIRoot, source: OCIContentSource) throws -> ([UInt8], OCIManifest) {
        var bytes = root.bytes
        var declared = root.declared
        for _ in 0..<4 {
            let document: OCIDocument
            do { document = try OCIDocument.parse(bytes, declared: declared) } catch let error as SkiffError {
                throw SkiffError(.invalid, "manifest: \(error.message)")
            }
            switch document {
            case .manifest(let manifest): return (bytes, manifest)
            case .index(let index):
                let entry = try index.manifest(for: .host)
                bytes = try source.manifest(entry)
                declared = entry.mediaType
            }
        }
        throw SkiffError(.invalid, "indexes nest deeper than 4 levels")
    }

    /// Only images for this machine run here.
    private func checkPlatform(_ platform: OCIPlatform) throws {
        let host = OCIPlatform.host
        guard platform.os == host.os && platform.architecture == host.architecture else {
            throw SkiffError(.invalid, "the image is for \(platform), this machine runs \(host)")
        }
    }

    /// Records what the reference resolved to (the tag's digest now; a local file's fingerprint).
    private func remember(_ reference: OCIReference, id: String) throws {
        try store.saveRemote(
            RemoteRecord(
                url: reference.key, imageID: id, etag: reference.localPath.map { _ in fingerprint(reference) },
                maxAge: nil, downloadTime: Int64(time(nil))))
    }

    /// A local layout's index.json, or an archive: device, inode, size, mtime and ctime.
    private func fingerprint(_ reference: OCIReference) -> String {
        guard var path = reference.localPath else { return "" }
        if case .layout = reference { path += "/index.json" }
        guard let st = try? FileSystem.status(path) else { return "" }
        return "\(st.st_dev)-\(st.st_ino)-\(st.st_size)-\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)-\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
    }

    private func makeSource(_ reference: OCIReference, options: FetchOptions) throws -> OCIContentSource {
        switch reference {
        case .docker(let docker): return try RegistrySource(http: http, reference: docker, progress: options.progress)
        case .layout(let path, let ref):
            return OCILayoutSource(files: try DirectoryFiles(path), ref: ref, path: path, defaultRegistry: defaultRegistry)
        case .archive(let path, let ref):
            return OCILayoutSource(
                files: try ArchiveFiles(path, subject: path, store: store), ref: ref, path: path, defaultRegistry: defaultRegistry)
        case .dockerArchive(let path, let tag):
            return try DockerArchiveSource(
                files: try ArchiveFiles(path, subject: path, store: store), tag: tag, defaultRegistry: defaultRegistry)
        }
    }
}
