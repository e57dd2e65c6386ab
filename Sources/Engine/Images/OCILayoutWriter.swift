// `image export` of an OCI image: an OCI image layout (image-layout.md) that skopeo, umoci and
// `skiff fetch oci:DIR` read: `oci-layout`, `index.json` naming the manifest (with the tag as
// `org.opencontainers.image.ref.name`), and every blob under `blobs/sha256/`, byte for byte.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffStore

enum OCILayoutWriter {
    /// Writes `image` as a layout into the new directory `directory`.
    static func write(_ image: StoredOCIImage, tag: String?, store: ImageStore, to directory: String) throws {
        try FileSystem.createDirectory(directory + "/blobs/sha256", mode: 0o755)
        try FileSystem.writeAtomically(directory + "/oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
        var descriptor = image.manifestDescriptor
        if let tag { descriptor.annotations[OCIDescriptor.refNameAnnotation] = tag }
        try FileSystem.writeAtomically(directory + "/index.json", OCIIndex(manifests: [descriptor]).encoded())
        for blob in [descriptor] + image.contentBlobs {
            let target = directory + "/" + OCILayoutSource.blobPath(blob.digest)
            try FileSystem.createDirectory(FileSystem.parentPath(target), mode: 0o755)
            try copyFile(store.blobPath(blob.digest), to: target)
        }
    }

    /// Copies a file's bytes (never a link into the store: changing the export must not change it).
    private static func copyFile(_ source: String, to target: String) throws {
        let input = try FileDescriptor.open(source, O_RDONLY)
        let output = try FileDescriptor.open(target, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = try input.read(into: buffer)
            if n == 0 { break }
            try output.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        try output.sync()
    }
}
