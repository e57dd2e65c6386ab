// Where an OCI image's manifest and blobs come from, and the OCI image layout (image-spec
// image-layout.md) as one such source: `oci-layout`, `index.json`, `blobs/<alg>/<hex>`, in a
// directory (`oci:`) or a tar (`oci-archive:`).
import SkiffImage
import SkiffStore

/// The document a reference names, before it is parsed.
struct OCIRoot {
    /// The manifest or index, byte for byte.
    var bytes: [UInt8]
    /// The media type the source declared for it (Content-Type, or the descriptor's).
    var declared: String?
}

/// A place OCI content is read from: a registry, a layout, a docker-save archive.
protocol OCIContentSource: AnyObject {
    /// The manifest or index the reference names, already checked against any digest the
    /// reference or the source pins.
    func root() throws -> OCIRoot
    /// A manifest an index lists, checked against its descriptor.
    func manifest(_ descriptor: OCIDescriptor) throws -> [UInt8]
    /// Puts the blob into the store, checked against its descriptor while it is copied.
    func fetch(_ descriptor: OCIDescriptor, into store: ImageStore) throws
    /// The image's name and tag when the source knows them better than the reference does.
    var nameAndTag: (name: String, tag: String?)? { get }
}

/// Manifests are small; anything larger is refused before it is read.
let manifestLimit = 4 << 20

/// An OCI image layout.
final class OCILayoutSource: OCIContentSource {
    let files: LayoutFiles
    let ref: String?
    let path: String
    let defaultRegistry: String
    /// The ref name of the entry chosen when the reference named none.
    private var chosenName: String?

    init(files: LayoutFiles, ref: String?, path: String, defaultRegistry: String) {
        self.files = files
        self.ref = ref
        self.path = path
        self.defaultRegistry = defaultRegistry
    }

    /// Without a REF in the reference, the chosen entry's ref name names the image.
    var nameAndTag: (name: String, tag: String?)? {
        guard ref == nil, let chosenName else { return nil }
        return OCIReference.nameAndTag(path: path, ref: chosenName, defaultRegistry: defaultRegistry)
    }

    func root() throws -> OCIRoot {
        guard files.size("oci-layout") != nil else { throw SkiffError(.invalid, "not an OCI image layout (no oci-layout file)") }
        let marker = try JSONValue(parsing: try files.read("oci-layout", limit: 1 << 16))
        guard let version = marker["imageLayoutVersion"]?.stringValue, version.hasPrefix("1.") else {
            throw SkiffError(.invalid, "oci-layout: unsupported imageLayoutVersion (want 1.x)")
        }
        let indexBytes = try files.read("index.json", limit: manifestLimit)
        let index: OCIIndex
        do {
            guard case .index(let parsed) = try OCIDocument.parse(indexBytes, declared: OCIMediaType.ociIndex) else {
                throw SkiffError(.invalid, "not an index")
            }
            index = parsed
        } catch let error as SkiffError {
            throw SkiffError(.invalid, "index.json: \(error.message)")
        }
        let entry = try choose(from: index)
        chosenName = entry.annotations[OCIDescriptor.refNameAnnotation]
        return OCIRoot(bytes: try manifest(entry), declared: entry.mediaType)
    }

    /// The index entry REF names: by digest (`@sha256:…`), by `org.opencontainers.image.ref.name`,
    /// or the only entry when there is no REF.
    private func choose(from index: OCIIndex) throws -> OCIDescriptor {
        let names = index.manifests.compactMap { $0.annotations[OCIDescriptor.refNameAnnotation] }
        guard let ref else {
            guard index.manifests.count == 1, let only = index.manifests.first else {
                let list = names.isEmpty ? "" : " (refs: \(names.joined(separator: ", ")))"
                throw SkiffError(.usage, "the layout holds \(index.manifests.count) images: name one as oci:PATH:REF\(list)")
            }
            return only
        }
        if ref.hasPrefix("@") {
            guard let found = index.manifests.first(where: { "@" + $0.digest.value == ref }) else {
                throw SkiffError(.notFound, "no image \(ref) in the layout")
            }
            return found
        }
        guard let found = index.manifests.first(where: { $0.annotations[OCIDescriptor.refNameAnnotation] == ref }) else {
            throw SkiffError(.notFound, "no image named \(quote(ref)) in the layout (refs: \(names.joined(separator: ", ")))")
        }
        return found
    }

    func manifest(_ descriptor: OCIDescriptor) throws -> [UInt8] {
        guard descriptor.size <= Int64(manifestLimit) else {
            throw SkiffError(.invalid, "manifest \(descriptor.digest) is \(descriptor.size) bytes (at most \(manifestLimit))")
        }
        let path = Self.blobPath(descriptor.digest)
        guard let size = files.size(path) else { throw SkiffError(.notFound, "blob \(descriptor.digest) is missing from the layout") }
        guard size == descriptor.size else {
            throw SkiffError(.invalid, "blob \(descriptor.digest) has \(size) bytes, its descriptor says \(descriptor.size)")
        }
        let bytes = try files.read(path, limit: manifestLimit)
        guard descriptor.digest.matches(bytes) else {
            throw SkiffError(.invalid, "blob \(descriptor.digest) does not have that digest (corrupt or tampered)")
        }
        return bytes
    }

    func fetch(_ descriptor: OCIDescriptor, into store: ImageStore) throws {
        try copyBlob(files, Self.blobPath(descriptor.digest), descriptor, into: store)
    }

    static func blobPath(_ digest: OCIDigest) -> String { "blobs/" + digest.algorithm.rawValue + "/" + digest.hex }
}

/// Copies `path` of `files` into the store as the blob `descriptor`, verified while copied.
func copyBlob(_ files: LayoutFiles, _ path: String, _ descriptor: OCIDescriptor, into store: ImageStore) throws {
    guard let size = files.size(path) else { throw SkiffError(.notFound, "blob \(descriptor.digest) is missing") }
    guard size == descriptor.size else {
        throw SkiffError(.invalid, "blob \(descriptor.digest) has \(size) bytes, its descriptor says \(descriptor.size)")
    }
    let blob = try store.beginBlob(descriptor, subject: "")
    try files.stream(path) { try blob.write($0) }
    try store.finish(blob)
}
