// How image commands find a stored image: by ID prefix or appc name (the store's resolve), or
// by an OCI reference (`docker://…`, `oci:…`, …), which names what it resolved to last.
import SkiffImage
import SkiffStore

extension Invocation {
    /// The stored image `text` names. An OCI reference finds the image it was last fetched as
    /// (a tag's digest then), or the image with that manifest digest.
    func resolveImage(_ text: String, in store: ImageStore) throws -> ImageRecord {
        let registry = try ConfigFiles.imageLimits(config).defaultRegistry
        guard let reference = try OCIReference(text, defaultRegistry: registry) else { return try store.resolve(text) }
        if let digest = reference.pinnedDigest, let id = try? ImageID(validating: digest.value), let record = try store.record(id) {
            return record
        }
        if let remote = try store.remote(for: reference.key), let id = try? ImageID(validating: remote.imageID),
            let record = try store.record(id)
        {
            return record
        }
        throw SkiffError(.notFound, "image \(quote(text)): not in the store")
    }
}
