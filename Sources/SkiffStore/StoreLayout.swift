// Where everything of the image store lives under the data directory: one place for the layout.

/// The on-disk layout of the store under the data directory (`--dir`, default /var/lib/skiff).
/// Documented in docs/images.md; every path the store touches is built here.
public struct StoreLayout: Sendable {
    /// The data directory.
    public let root: String

    public init(root: String) { self.root = root }

    /// Content-addressed blobs: the uncompressed ACI tar of an image (sha512/), or an OCI
    /// image's manifest, config and layers as fetched (sha256/), named by their digest, so
    /// re-hashing a blob verifies it.
    public var blobs: String { root + "/cas/blob" }
    /// One JSON record per image: what `image list` shows.
    public var images: String { root + "/cas/image" }
    /// The image manifest as found in the image, byte for byte.
    public var manifests: String { root + "/cas/manifest" }
    /// HTTP cache records, one per fetched URL.
    public var remotes: String { root + "/cas/remote" }
    /// Downloads in progress, kept across runs so an interrupted download resumes.
    public var partials: String { root + "/cas/partial" }
    /// Rendered trees (an image with its dependencies), used as overlayfs lower layers.
    public var trees: String { root + "/tree" }
    /// flock(2) files: one per image and per tree.
    public var locks: String { root + "/locks" }
    /// Temporary files of operations in progress; anything here is garbage once its writer died.
    public var temporary: String { root + "/tmp" }

    /// The blob of a digest such as "sha512-<hex>".
    public func blob(_ digest: String) -> String {
        let (algorithm, hex) = Self.split(digest)
        return blobs + "/" + algorithm + "/" + hex
    }

    public func imageRecord(_ id: String) -> String { images + "/" + id + ".json" }
    public func manifest(_ id: String) -> String { manifests + "/" + id }
    public func remoteRecord(_ key: String) -> String { remotes + "/" + key + ".json" }
    public func tree(_ treeID: String) -> String { trees + "/" + treeID }
    public func imageLock(_ id: String) -> String { locks + "/image-" + id + ".lock" }
    public func treeLock(_ treeID: String) -> String { locks + "/tree-" + treeID + ".lock" }
    /// Held shared by OCI fetches and exclusively by removals of OCI blobs (image rm, image gc),
    /// so no layer an import counts on disappears before its image's record exists.
    public var storeLock: String { locks + "/store.lock" }

    /// Every directory the store needs.
    public var directories: [String] {
        [blobs + "/sha512", blobs + "/sha256", images, manifests, remotes, partials, trees, locks, temporary]
    }

    /// "sha512-abc" → ("sha512", "abc"); "sha256:abc" → ("sha256", "abc").
    static func split(_ digest: String) -> (String, String) {
        if let dash = digest.firstIndex(where: { $0 == "-" || $0 == ":" }) {
            return (String(digest[..<dash]), String(digest[digest.index(after: dash)...]))
        }
        return ("sha512", digest)
    }
}
