// What the store knows about an image besides its bytes, and about a fetched URL.
import SkiffImage

/// The metadata of one image in the store (rkt's aciinfo table), one JSON file per image.
public struct ImageRecord: Codable, Sendable, Equatable {
    /// The image ID ("sha512-…" for an ACI, "sha256:…", the manifest digest, for an OCI image).
    public var id: String
    /// The image kind: "aci", or "oci" for OCI and Docker images.
    public var kind: String
    /// The name from the image manifest.
    public var name: String
    /// The manifest labels (version, os, arch, ...).
    public var labels: [String: String]
    /// When the image entered the store (Unix seconds).
    public var importTime: Int64
    /// When a pod or a render last used it (Unix seconds).
    public var lastUsed: Int64
    /// Bytes of the stored blob.
    public var size: Int64
    /// Where it came from: a URL, a file path, a discovery name, or an OCI reference
    /// (`docker://…`, `oci:…`, `oci-archive:…`, `docker-archive:…`).
    public var source: String
    /// The fingerprint of the key whose signature was verified; nil when fetched insecurely.
    public var signer: String?

    public init(
        id: String, kind: String = "aci", name: String, labels: [String: String], importTime: Int64, lastUsed: Int64,
        size: Int64, source: String, signer: String?
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.labels = labels
        self.importTime = importTime
        self.lastUsed = lastUsed
        self.size = size
        self.source = source
        self.signer = signer
    }

    /// "name:version" as rkt printed it ("name" alone without a version label).
    public var displayName: String {
        guard let version = labels["version"] else { return name }
        return name + ":" + version
    }
}

/// HTTP cache state of one URL (rkt's remote table): what `--pull-policy` consults.
public struct RemoteRecord: Codable, Sendable, Equatable {
    public var url: String
    public var imageID: String
    public var etag: String?
    /// Cache-Control max-age in seconds; within it the URL is not asked again.
    public var maxAge: Int?
    /// When it was downloaded (Unix seconds).
    public var downloadTime: Int64

    public init(url: String, imageID: String, etag: String?, maxAge: Int?, downloadTime: Int64) {
        self.url = url
        self.imageID = imageID
        self.etag = etag
        self.maxAge = maxAge
        self.downloadTime = downloadTime
    }

    /// Whether the copy is fresh enough not to ask the server at `now`.
    public func isFresh(now: Int64) -> Bool {
        guard let maxAge, maxAge > 0 else { return false }
        return now < downloadTime + Int64(maxAge)
    }
}
