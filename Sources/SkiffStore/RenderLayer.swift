// One layer of a render: an ACI's rootfs (with its whitelist) or one OCI layer (whiteouts on,
// its uncompressed digest checked against the config's diff_id as it is extracted).
#if canImport(Glibc)
import Glibc
#endif
import SkiffArchive
import SkiffDigest
import SkiffImage
import SkiffSystem

/// A blob to lay down in a render.
struct RenderLayer: Sendable {
    /// The blob file.
    let blob: String
    /// Its name in errors ("sha512-…" for an ACI, "layer 2 (sha256:…) of sha256:…" for OCI).
    let name: String
    /// An ACI's effective pathWhitelist.
    let whitelist: [String]?
    /// For an OCI layer: the diff_id its uncompressed tar must hash to. Nil: an ACI.
    let diffID: OCIDigest?

    /// Extracts the layer into `root`. An ACI is an uncompressed tar whose `rootfs/` is taken;
    /// an OCI layer is a (compressed) tar applied as a whole, with whiteouts.
    func extract(into root: String, options: ExtractionOptions) throws -> ExtractionReport {
        let file = try FileDescriptor.open(blob, O_RDONLY)
        guard let diffID else {
            let reader = TarReader(FileSource(file), name: name)
            let whitelist = whitelist.map(PathWhitelist.init)
            return try extractArchive(
                reader, prefix: "rootfs/", into: root, options: options, include: whitelist.map { list in { list.keeps($0) } })
        }
        let source = try DecompressingSource(file: file, name: name, limit: options.limits.maxBytes)
        let digest = Digest(diffID.algorithm)
        let observed = ObservedSource(source) { digest.update($0) }
        var layerOptions = options
        layerOptions.whiteouts = true
        let report = try extractArchive(TarReader(observed, name: name), prefix: "", into: root, options: layerOptions)
        try source.finish()
        let actual = digest.finalize().hexString
        guard actual == diffID.hex else {
            throw SkiffError(
                .invalid,
                "render \(name): uncompressed digest \(diffID.algorithm.rawValue):\(actual) is not the config's diff_id \(diffID)")
        }
        return report
    }
}

extension TreeStore {
    /// Copies a rendered tree into the existing directory `target` with `cp -a` (owners, modes,
    /// times, xattrs and hard links kept; symlinks copied as symlinks).
    static func copyTree(_ rootfs: String, into target: String) throws {
        let result = try Subprocess.run(["cp", "-a", "--no-target-directory", rootfs, target])
        guard result.status == 0 else {
            throw SkiffError(.system, "copy the tree \(quote(rootfs)) to \(quote(target)): cp: \(result.stderrLastLine)")
        }
    }

    /// The layers of a render plan: an ACI step is its blob; an OCI step is its layers in order.
    static func layers(_ steps: [RenderStep], images: ImageStore) throws -> [RenderLayer] {
        var layers: [RenderLayer] = []
        for step in steps {
            guard step.image.isOCI else {
                layers.append(
                    RenderLayer(blob: images.blobPath(step.image), name: step.image.value, whitelist: step.whitelist, diffID: nil))
                continue
            }
            let image = try images.ociImage(step.image)
            let diffIDs = image.config.diffIDs
            guard diffIDs.count == image.manifest.layers.count else {
                throw SkiffError(
                    .invalid,
                    "image \(step.image.value): the config lists \(diffIDs.count) layer digests, the manifest \(image.manifest.layers.count) layers")
            }
            for (index, layer) in image.manifest.layers.enumerated() {
                let path = images.blobPath(layer.digest)
                guard images.hasBlob(layer) else {
                    throw SkiffError(.notFound, "image \(step.image.value): layer \(layer.digest) is missing from the store (fetch it again)")
                }
                layers.append(
                    RenderLayer(
                        blob: path, name: "layer \(index + 1) (\(layer.digest)) of \(step.image.value)", whitelist: nil,
                        diffID: diffIDs[index]))
            }
        }
        return layers
    }
}
