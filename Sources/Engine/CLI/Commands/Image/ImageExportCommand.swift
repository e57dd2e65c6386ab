// skiff image export IMAGE OUTPUT.aci
#if canImport(Glibc)
import Glibc
#endif

enum ImageExportCommand {
    static let spec = CommandSpec(
        name: "image export",
        summary: "Write an image from the store as an (uncompressed) ACI file",
        usage: "skiff image export [--overwrite] IMAGE OUTPUT.aci",
        flags: [FlagSpec("overwrite", .bool, help: "replace OUTPUT if it exists")],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        let args = try invocation.positionals(exactly: 2, "IMAGE and OUTPUT")
        let store = try invocation.imageStore()
        let id = try store.resolve(args[0]).imageID
        let output = args[1]
        if FileSystem.exists(output) && !invocation.arguments.isSet("overwrite") {
            throw SkiffError(.usage, "image export: \(quote(output)) exists (use --overwrite)")
        }
        // Write beside the target and rename, so a failed export never leaves half a file.
        let source = try FileDescriptor.open(store.blobPath(id), O_RDONLY)
        let temporary = FileSystem.temporaryName(for: output)
        do {
            let target = try FileDescriptor.open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { break }
                try buffer.withUnsafeBytes { try target.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            try target.sync()
            try FileSystem.rename(temporary, to: output)
        } catch {
            unlink(temporary)
            throw error
        }
        return 0
    }
}
