// Reading an ACI into the store: one pass that decompresses, hashes, stores and checks it.
#if canImport(Glibc)
import Glibc
#endif
import SkiffArchive
import SkiffImage
import SkiffStore

/// Bounds on what an image may be, so a hostile archive stops with an error, not a full disk.
/// Set in `<config>/image.d/*.json` (see docs/images.md).
public struct ImageLimits: Sendable {
    /// Uncompressed bytes of one image.
    public var maxImageBytes: Int64 = 32 << 30
    /// Entries in one image.
    public var maxEntries: Int = 4_000_000
    /// Not a limit but an image setting of image.d too: the registry `docker://` names without
    /// a host go to (`defaultRegistry`; Docker Hub unless set).
    public var defaultRegistry = DockerReference.dockerHub
    public init() {}
}

/// An ACI read into a blob that is not yet committed.
struct ImportedACI {
    let blob: BlobImport
    let manifestBytes: [UInt8]
    let manifest: ImageManifest
}

/// Checks an ACI's layout while its uncompressed bytes stream into a blob: exactly the top-level
/// names `manifest` (a regular file) and `rootfs` (a directory), no duplicate entries, no entry
/// that could land outside `rootfs` (absolute or `..` paths, hard links out, entries written
/// through a symlink of the same archive), within the limits. The manifest is validated too.
/// Nothing reaches the store unless all of that holds.
enum ACIReader {
    static func read(path: String, subject: String, store: ImageStore, limits: ImageLimits) throws -> ImportedACI {
        let file = try FileDescriptor.open(path, O_RDONLY)
        let blob = try store.beginImport()
        let decompressed = try DecompressingSource(file: file, name: subject, limit: limits.maxImageBytes)
        let observed = ObservedSource(decompressed) { chunk in try blob.write(chunk) }
        let reader = TarReader(observed, name: subject)
        var manifestBytes: [UInt8]?
        var seen = Set<String>()
        var symlinks = Set<String>()
        var sawRootfs = false
        while let entry = try reader.next() {
            let path = try checkedPath(entry.path, subject: subject)
            guard seen.insert(path).inserted else { throw invalid(subject, "duplicate entry \(quote(entry.path))") }
            if seen.count > limits.maxEntries {
                throw invalid(subject, "more than \(limits.maxEntries) entries (the limit)")
            }
            if path == "manifest" {
                guard entry.kind == .file else { throw invalid(subject, "manifest is not a regular file") }
                manifestBytes = try reader.readAllData(limit: 1 << 20)
                continue
            }
            guard path == "rootfs" || path.hasPrefix("rootfs/") else {
                throw invalid(subject, "unexpected top-level entry \(quote(entry.path)) (only manifest and rootfs/)")
            }
            if path == "rootfs" {
                guard entry.kind == .directory else { throw invalid(subject, "rootfs is not a directory") }
            }
            sawRootfs = true
            if let through = symlinks.first(where: { path.hasPrefix($0 + "/") }) {
                throw invalid(subject, "entry \(quote(entry.path)) goes through the symlink \(quote(through))")
            }
            switch entry.kind {
            case .symlink: symlinks.insert(path)
            case .hardlink:
                let target = try checkedPath(entry.linkTarget, subject: subject)
                guard target.hasPrefix("rootfs/") else {
                    throw invalid(subject, "hard link \(quote(entry.path)) points outside rootfs (\(quote(entry.linkTarget)))")
                }
                if symlinks.contains(target) {
                    throw invalid(subject, "hard link \(quote(entry.path)) points to a symlink")
                }
            default: break
            }
        }
        try drain(observed)
        try decompressed.finish()
        guard let manifestBytes else { throw invalid(subject, "no manifest") }
        guard sawRootfs else { throw invalid(subject, "no rootfs directory") }
        let manifest: ImageManifest
        do {
            manifest = try ImageManifest.parse(manifestBytes)
        } catch let error as SkiffError {
            throw SkiffError(.invalid, "\(subject): \(error.message)")
        }
        return ImportedACI(blob: blob, manifestBytes: manifestBytes, manifest: manifest)
    }

    /// The ID covers the whole tar stream, padding after the end blocks included.
    private static func drain(_ source: ByteSource) throws {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while try chunk.withUnsafeMutableBytes({ try source.read(into: $0) }) > 0 {}
    }

    /// "./rootfs//a/" → "rootfs/a"; absolute and `..` paths are errors.
    static func checkedPath(_ raw: String, subject: String) throws -> String {
        if raw.hasPrefix("/") { throw invalid(subject, "absolute path \(quote(raw))") }
        let parts = raw.split(separator: "/").filter { $0 != "." }
        if parts.contains("..") { throw invalid(subject, "path \(quote(raw)) escapes the image with \"..\"") }
        if parts.isEmpty { throw invalid(subject, "empty entry name") }
        return parts.joined(separator: "/")
    }

    static func invalid(_ subject: String, _ why: String) -> SkiffError {
        SkiffError(.invalid, "\(subject): \(why)")
    }
}
