// The media types of OCI image-spec v1 and of Docker's image manifest v2 schema 2, grouped by
// what they are, so every reader can refuse a document or blob of the wrong kind by name.

/// Media types Skiff reads, and what each one is.
public enum OCIMediaType {
    /// OCI image manifest.
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    /// OCI image index.
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    /// OCI image config.
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    /// OCI layer: plain tar.
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    /// OCI layer: gzip tar.
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// OCI layer: zstd tar.
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    /// Docker schema 2 manifest.
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// Docker manifest list (an index).
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// Docker schema 1 manifests: refused, they carry no config and no content digests.
    public static let dockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json"
    /// Docker schema 1, signed: refused too.
    public static let dockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    /// Docker image config.
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    /// Docker layer: gzip tar.
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    /// Docker layer: plain tar.
    public static let dockerLayer = "application/vnd.docker.image.rootfs.diff.tar"
    /// Docker "foreign" layer (pulled like any other here).
    public static let dockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    /// What the manifest endpoint may answer, in the order of preference sent as `Accept`.
    public static let acceptedManifests = [ociManifest, ociIndex, dockerManifest, dockerManifestList]

    /// Whether `type` is an image manifest (OCI or Docker).
    public static func isManifest(_ type: String) -> Bool { type == ociManifest || type == dockerManifest }

    /// Whether `type` is an index or manifest list.
    public static func isIndex(_ type: String) -> Bool { type == ociIndex || type == dockerManifestList }

    /// Whether `type` is an image config.
    public static func isConfig(_ type: String) -> Bool { type == ociConfig || type == dockerConfig }

    /// Whether `type` is a layer Skiff can apply (the OCI "nondistributable" variants included:
    /// they are ordinary layers that registries may not redistribute).
    public static func isLayer(_ type: String) -> Bool { layerTypes.contains(type) }

    private static let layerTypes: Set<String> = [
        ociLayer, ociLayerGzip, ociLayerZstd, dockerLayerGzip, dockerLayer, dockerForeignLayerGzip,
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    ]

    /// The media type without parameters (`; charset=utf-8`), as servers may send it.
    public static func bare(_ contentType: String) -> String {
        String(contentType.prefix { $0 != ";" }).trimmingCharacters()
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingCharacters() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[first...last])
    }
}
