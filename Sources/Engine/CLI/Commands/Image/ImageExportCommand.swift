// skiff image export IMAGE OUTPUT
#if canImport(Glibc)
import Glibc
#endif

enum ImageExportCommand {
    static let spec = CommandSpec(
        name: "image export",
        summary: "Write an image from the store: an ACI as an (uncompressed) ACI file, an OCI image as an OCI layout",
        usage: "skiff image export [--overwrite] IMAGE OUTPUT",
        details: "An OCI image becomes an OCI image layout directory (oci-layout, index.json, blobs/), read back with oci:OUTPUT.",
        flags: [FlagSpec("overwrite", .bool, help: "replace OUTPUT if it exists")],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        let args = try invocation.positionals(exactly: 2, "IMAGE and OUTPUT")
        let store = try invocation.imageStore()
        let record = try invocation.resolveImage(args[0], in: store)
        let id = try record.imageID
        let output = args[1]
        if FileSystem.exists(output) && !invocation.arguments.isSet("overwrite") {
            throw SkiffError(.usage, "image export: \(quote(output)) exists (use --overwrite)")
        }
        // Write beside the target and rename, so a failed export never leaves half an image.
        let temporary = FileSystem.temporaryName(for: output)
        do {
            if id.isOCI {
                // The ref name: "name:tag" (read back as that name and tag), or the tag of a
                // layout's image, which is named by its path.
                let tag = record.labels["version"].map { record.name.hasPrefix("/") ? $0 : record.name + ":" + $0 }
                try OCILayoutWriter.write(try store.ociImage(id), tag: tag, store: store, to: temporary)
                try FileSystem.removeTree(output)
            } else {
                try copyACI(store.blobPath(id), to: temporary)
            }
            try FileSystem.rename(temporary, to: output)
        } catch {
            try? FileSystem.removeTree(temporary)
            throw error
        }
        return 0
    }

    private static func copyACI(_ path: String, to temporary: String) throws {
        let source = try FileDescriptor.open(path, O_RDONLY)
        let target = try FileDescriptor.open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            try buffer.withUnsafeBytes { try target.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        try target.sync()
    }
}
