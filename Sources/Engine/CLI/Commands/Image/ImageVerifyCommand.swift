// skiff image verify [IMAGE...]
#if canImport(Glibc)
import Glibc
#endif
import SkiffDigest
import SkiffImage
import SkiffStore

enum ImageVerifyCommand {
    static let spec = CommandSpec(
        name: "image verify",
        summary: "Re-hash images and their rendered trees, report what changed, repair trees",
        usage: "skiff image verify [--no-repair] [IMAGE...]",
        details: """
            Each image's stored ACI is hashed again and must equal its ID; an OCI image's
            manifest, config and layers are hashed again against its ID and their descriptors.
            Each rendered tree made
            from it is compared, file by file, with what its images say; a changed tree is rendered
            again unless --no-repair. A changed image cannot be repaired from what is here: remove
            and fetch it again. Exits 254 when anything was wrong.
            """,
        flags: [FlagSpec("no-repair", .bool, help: "only report")],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        let store = try invocation.imageStore()
        let trees = TreeStore(images: store)
        let records = invocation.arguments.positionals.isEmpty
            ? try store.records() : try invocation.arguments.positionals.map { try invocation.resolveImage($0, in: store) }
        var bad = 0
        for record in records {
            let id = try record.imageID
            if id.isOCI, let problem = ociProblem(id, store: store) {
                invocation.output.out("\(record.id) (\(record.displayName)): \(problem); remove and fetch it again\n")
                bad += 1
                continue
            }
            if !id.isOCI, try blobDigest(store.blobPath(id)) != id {
                invocation.output.out("\(record.id) (\(record.displayName)): stored image is corrupt; remove and fetch it again\n")
                bad += 1
                continue
            }
            invocation.output.out("\(record.id) (\(record.displayName)): ok\n")
        }
        let wanted = Set(records.map(\.id))
        for tree in try trees.list() where trees.isRendered(tree) {
            let imageIDs = try trees.images(of: tree)
            guard let last = imageIDs.last, wanted.contains(last) else { continue }
            let steps = try RenderPlan.steps(for: ImageID(validating: last), store: store)
            guard TreeStore.treeID(steps) == tree else { continue }
            let problems = try TreeVerifier(images: store).verify(rootfs: store.layout.tree(tree) + "/rootfs", steps: steps)
            if problems.isEmpty {
                invocation.output.out("tree \(tree): ok\n")
                continue
            }
            bad += 1
            for line in problems.lines.prefix(20) { invocation.output.out("tree \(tree): \(line)\n") }
            if problems.lines.count > 20 { invocation.output.out("tree \(tree): … \(problems.lines.count - 20) more\n") }
            if !invocation.arguments.isSet("no-repair") {
                try trees.remove(tree)
                _ = try trees.render(steps)
                invocation.output.out("tree \(tree): repaired (rendered again)\n")
            }
        }
        return bad == 0 ? 0 : SkiffError.exitCode
    }

    /// What is wrong with an OCI image's blobs, nil if nothing.
    private static func ociProblem(_ id: ImageID, store: ImageStore) -> String? {
        let image: StoredOCIImage
        do { image = try store.ociImage(id) } catch { return "stored image is corrupt (\(error))" }
        if image.manifestDescriptor.digest.value != id.value { return "stored manifest is corrupt" }
        for blob in image.contentBlobs {
            guard let actual = try? fileDigest(store.blobPath(blob.digest), blob.digest.algorithm) else {
                return "blob \(blob.digest) is missing"
            }
            if actual.size != blob.size || actual.hex != blob.digest.hex { return "blob \(blob.digest) is corrupt" }
        }
        return nil
    }

    private static func fileDigest(_ path: String, _ algorithm: DigestAlgorithm) throws -> (hex: String, size: Int64) {
        let file = try FileDescriptor.open(path, O_RDONLY)
        let digest = Digest(algorithm)
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
            if n == 0 { break }
            size += Int64(n)
            buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return (digest.finalize().hexString, size)
    }

    private static func blobDigest(_ path: String) throws -> ImageID {
        let file = try FileDescriptor.open(path, O_RDONLY)
        let digest = Digest(.sha512)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
            if n == 0 { break }
            buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return ImageID(sha512: digest.finalize())
    }
}
