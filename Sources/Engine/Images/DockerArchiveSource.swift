// `docker save` archives: `manifest.json` = [{"Config": "<hex>.json", "RepoTags": ["repo:tag"],
// "Layers": ["<id>/layer.tar", …]}], layers as (usually uncompressed) tars; Docker 25 and later
// point those paths into an OCI `blobs/` tree, so manifest.json is read first, always. There is
// no manifest with digests: Skiff writes an OCI manifest for the image from what it finds (each
// layer hashed as stored), so the image gets a manifest digest like any other, and the layers'
// uncompressed digests are checked against the config's diff_ids when rendered.
import FoundationEssentials
import SkiffArchive
import SkiffDigest
import SkiffImage
import SkiffStore

/// One image of a docker-save archive.
final class DockerArchiveSource: OCIContentSource {
    private struct Entry: Decodable {
        var Config: String
        var RepoTags: [String]?
        var Layers: [String]
    }

    private let files: LayoutFiles
    private let manifestBytes: [UInt8]
    private var paths: [OCIDigest: String] = [:]
    private(set) var nameAndTag: (name: String, tag: String?)?

    /// Reads `manifest.json` and hashes the chosen image's config and layers.
    init(files: LayoutFiles, tag: String?, defaultRegistry: String) throws {
        self.files = files
        let entries: [Entry]
        do {
            entries = try JSONDecoder().decode([Entry].self, from: Data(try files.read("manifest.json", limit: manifestLimit)))
        } catch let error as SkiffError {
            throw SkiffError(error.code, "not a docker-save archive: manifest.json: \(error.message)")
        } catch {
            throw SkiffError(.invalid, "manifest.json: not a docker-save manifest (want [{Config, RepoTags, Layers}])")
        }
        let entry = try Self.choose(entries, tag: tag, defaultRegistry: defaultRegistry)
        if let name = tag ?? entry.RepoTags?.first, let parsed = try? DockerReference(parsing: name, defaultRegistry: defaultRegistry) {
            nameAndTag = (parsed.name, parsed.tag)
        }
        let config = try files.read(entry.Config, limit: 16 << 20)
        let configDigest = OCIDigest.of(config)
        paths[configDigest] = entry.Config
        var layers: [OCIDescriptor] = []
        for path in entry.Layers {
            let (digest, size, type) = try Self.describe(files, path)
            paths[digest] = path
            layers.append(OCIDescriptor(mediaType: type, digest: digest, size: size))
        }
        let manifest = OCIManifest(
            config: OCIDescriptor(mediaType: OCIMediaType.ociConfig, digest: configDigest, size: Int64(config.count)),
            layers: layers)
        manifestBytes = manifest.encoded()
    }

    /// The entry tagged `tag` (as written, or as the same normalized reference), or the only one.
    private static func choose(_ entries: [Entry], tag: String?, defaultRegistry: String) throws -> Entry {
        let tags = entries.flatMap { $0.RepoTags ?? [] }
        guard let tag else {
            guard entries.count == 1, let only = entries.first else {
                throw SkiffError(.usage, "the archive holds \(entries.count) images: name one as docker-archive:PATH:REPO:TAG (tags: \(tags.joined(separator: ", ")))")
            }
            return only
        }
        let wanted = try? DockerReference(parsing: tag, defaultRegistry: defaultRegistry)
        for entry in entries {
            for candidate in entry.RepoTags ?? [] {
                if candidate == tag { return entry }
                if let wanted, let parsed = try? DockerReference(parsing: candidate, defaultRegistry: defaultRegistry),
                    parsed == wanted
                {
                    return entry
                }
            }
        }
        throw SkiffError(.notFound, "no image tagged \(quote(tag)) in the archive (tags: \(tags.joined(separator: ", ")))")
    }

    /// A layer's digest, size and media type (by its first bytes: gzip, zstd, or a plain tar).
    private static func describe(_ files: LayoutFiles, _ path: String) throws -> (OCIDigest, Int64, String) {
        let digest = Digest(.sha256)
        var size: Int64 = 0
        var head: [UInt8] = []
        try files.stream(path) { chunk in
            if head.count < CompressionSniffer.prefixLength { head += chunk.prefix(CompressionSniffer.prefixLength - head.count) }
            digest.update(chunk)
            size += Int64(chunk.count)
        }
        let type: String
        switch CompressionSniffer.detect(head) {
        case .gzip: type = OCIMediaType.ociLayerGzip
        case .zstd: type = OCIMediaType.ociLayerZstd
        case .some(.none): type = OCIMediaType.ociLayer
        default: throw SkiffError(.invalid, "layer \(quote(path)) is neither a tar nor gzip or zstd data")
        }
        return (OCIDigest(.sha256, bytes: digest.finalize()), size, type)
    }

    func root() throws -> OCIRoot { OCIRoot(bytes: manifestBytes, declared: OCIMediaType.ociManifest) }

    func manifest(_ descriptor: OCIDescriptor) throws -> [UInt8] {
        throw SkiffError(.invalid, "a docker-save archive has no index")
    }

    func fetch(_ descriptor: OCIDescriptor, into store: ImageStore) throws {
        guard let path = paths[descriptor.digest] else { throw SkiffError(.notFound, "blob \(descriptor.digest) is not in the archive") }
        try copyBlob(files, path, descriptor, into: store)
    }
}
