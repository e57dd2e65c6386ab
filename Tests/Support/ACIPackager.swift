// Packs a staged image into a gzip-compressed ACI with the real `tar` and `gzip` programs, so
// the engine's reader is checked against archives it did not write.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// Turns a `StagedImage` into an image file of one format.
///
/// Conformers: `ACIPackager`, and `OCIPackager` for the OCI forms (an OCI image layout
/// directory or archive, a `docker save` archive), which reuse the staging, tar the rootfs as
/// one layer and write their own config, manifest and index JSON.
public protocol TestImagePackager: Sendable {
    /// Writes the image into `directory` (an empty cache entry) as `format.fileName` and returns
    /// its image ID (for an ACI: `sha512-` + hex SHA-512 of the uncompressed tar).
    func package(_ staged: StagedImage, into directory: String) throws -> String
}

/// The image formats the harness can write.
public enum TestImageFormat: String, Sendable, Hashable, CaseIterable {
    /// appc image archive: tar of `manifest` + `rootfs/`, gzip-compressed.
    case aci
    /// An OCI image layout directory (one gzip layer), fetched as `oci:PATH`.
    case ociLayout
    /// The same layout as a tar, fetched as `oci-archive:PATH`.
    case ociArchive
    /// A `docker save` archive (legacy layout, uncompressed layer), `docker-archive:PATH`.
    case dockerArchive

    /// The file name of the image inside its cache entry.
    public var fileName: String {
        switch self {
        case .aci: return "image.aci"
        case .ociLayout: return "image.oci"
        case .ociArchive: return "image.oci.tar"
        case .dockerArchive: return "image.docker.tar"
        }
    }

    /// What skiff is given to fetch or run the image at `path`.
    public func reference(_ path: String) -> String {
        switch self {
        case .aci: return path
        case .ociLayout: return "oci:" + path
        case .ociArchive: return "oci-archive:" + path
        case .dockerArchive: return "docker-archive:" + path
        }
    }

    /// The packager that writes this format.
    public var packager: any TestImagePackager {
        switch self {
        case .aci: return ACIPackager()
        default: return OCIPackager(format: self)
        }
    }
}

/// Writes ACIs: `manifest` first, then `rootfs/` sorted by name, every entry with mtime 0 and
/// numeric owners (root unless `StagedImage.owners` says otherwise), then gzip -n. The same
/// staging always gives the same bytes.
public struct ACIPackager: TestImagePackager {
    /// A packager.
    public init() {}

    public func package(_ staged: StagedImage, into directory: String) throws -> String {
        try TestRootfs.write(staged.directory + "/manifest", staged.manifestJSON, mode: 0o644)
        let tarPath = directory + "/image.tar"
        let common = [
            "--format=gnu", "--sort=name", "--mtime=@0", "--numeric-owner", "--anchored", "-C", staged.directory,
        ]
        let special = staged.owners.keys.sorted()
        // Root-owned entries first, then each differently owned subtree appended with its owner.
        try tar(
            ["--create", "--file=" + tarPath, "--owner=0", "--group=0"] + common
                + special.map { "--exclude=" + $0 } + ["manifest", "rootfs"])
        for path in special {
            guard let owner = staged.owners[path] else { continue }
            let nested = special.filter { $0 != path && $0.hasPrefix(path + "/") }
            try tar(
                ["--append", "--file=" + tarPath, "--owner=\(owner.uid)", "--group=\(owner.gid)"] + common
                    + nested.map { "--exclude=" + $0 } + [path])
        }
        let id = "sha512-" + (try TestCache.fileDigest(tarPath, .sha512))
        let aci = directory + "/" + TestImageFormat.aci.fileName
        let gzip = try Subprocess.run(["sh", "-c", "gzip -n -6 -c < \"$1\" > \"$2\"", "sh", tarPath, aci])
        guard gzip.status == 0 else {
            throw SkiffError(
                .system, "compress \(quote(tarPath)) with gzip: exit \(gzip.status): \(gzip.stderrLastLine)")
        }
        unlink(tarPath)
        return id
    }

    private func tar(_ arguments: [String]) throws {
        let result = try Subprocess.run(["tar"] + arguments)
        guard result.status == 0 else {
            throw SkiffError(.system, "tar \(arguments[0]) test image: exit \(result.status): \(result.stderrLastLine)")
        }
    }
}
