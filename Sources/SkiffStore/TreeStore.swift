// Rendered trees: an image with its dependencies applied in order, ready to be a lower layer.
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import SkiffArchive
import SkiffDigest
import SkiffImage
import SkiffSystem

/// A rendered tree in the store.
public struct RenderedTree: Sendable, Equatable {
    /// "deps-sha512-…": the hash of the render plan (the images and whitelists, in order), so the
    /// same image rendered with other dependencies gets another tree.
    public let id: String
    /// The tree directory (holding `rootfs/` and the `rendered` marker).
    public let path: String
    /// The rendered root filesystem.
    public var rootfs: String { path + "/rootfs" }
}

/// The tree store. A tree is rendered into a temporary directory and renamed into place, then
/// marked `rendered` (fsynced); a tree without the marker is debris from a crash and is rendered
/// again. Each tree has its own lock, so two renders of one tree wait for each other.
public final class TreeStore {
    public let images: ImageStore
    var layout: StoreLayout { images.layout }

    public init(images: ImageStore) { self.images = images }

    /// The tree ID of a render plan.
    public static func treeID(_ steps: [RenderStep]) -> String {
        var text = ""
        for step in steps {
            text += step.image.value + "\n"
            if let whitelist = step.whitelist { text += whitelist.sorted().joined(separator: "\n") + "\n" }
            text += "--\n"
        }
        return "deps-" + "sha512-" + Digest.hash(.sha512, Array(text.utf8)).hexString
    }

    /// Renders the plan into the store unless it is already there, and returns the tree. With
    /// `alsoInto`, the same plan is also extracted into that (existing, empty) directory: from
    /// the blobs, on a second thread while the tree is rendered, which costs less than copying
    /// the tree afterwards. A tree already rendered from compressed OCI layers is copied instead
    /// (decompressing costs more than copying).
    public func render(
        _ steps: [RenderStep], options: ExtractionOptions = ExtractionOptions(), alsoInto target: String? = nil
    ) throws -> RenderedTree {
        let id = Self.treeID(steps)
        let tree = RenderedTree(id: id, path: layout.tree(id))
        let lock = try FileLock.lock(layout.treeLock(id))
        defer { lock.unlock() }
        let layers = try Self.layers(steps, images: images)
        if FileSystem.exists(tree.path + "/rendered") {
            guard let target else { return tree }
            // Compressed OCI layers cost a decompression each: copying the tree is cheaper.
            if layers.contains(where: { $0.diffID != nil }) {
                try Self.copyTree(tree.rootfs, into: target)
            } else {
                _ = try Self.extract(layers, into: target, options: options)
            }
            return tree
        }
        try FileSystem.removeTree(tree.path)
        let staging = FileSystem.temporaryName(for: tree.path)
        do {
            try FileSystem.createDirectory(staging + "/rootfs", mode: 0o755)
            try Self.extractConcurrently(layers, into: [staging + "/rootfs"] + (target.map { [$0] } ?? []), options: options)
            try FileSystem.writeAtomically(staging + "/images", Array(steps.map(\.image.value).joined(separator: "\n").utf8) + [0x0a])
            try FileSystem.rename(staging, to: tree.path)
            try FileSystem.writeAtomically(tree.path + "/rendered", [])
        } catch {
            try? FileSystem.removeTree(staging)
            throw error
        }
        return tree
    }

    /// Extracts every step's rootfs, in order, into `root` (used for trees and for `image extract`).
    public static func extract(
        _ steps: [RenderStep], into root: String, images: ImageStore, options: ExtractionOptions
    ) throws -> ExtractionReport {
        try extract(try layers(steps, images: images), into: root, options: options)
    }

    static func extract(_ layers: [RenderLayer], into root: String, options: ExtractionOptions) throws -> ExtractionReport {
        var total = ExtractionReport(entries: 0, bytes: 0, skipped: [])
        for layer in layers {
            let report = try layer.extract(into: root, options: options)
            total.entries += report.entries
            total.bytes += report.bytes
            total.skipped += report.skipped
        }
        return total
    }

    /// The same layers into several roots at once, one thread each.
    static func extractConcurrently(_ layers: [RenderLayer], into roots: [String], options: ExtractionOptions) throws {
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: roots.count) { index in
            do {
                _ = try extract(layers, into: roots[index], options: options)
            } catch {
                failures.record(error)
            }
        }
        if let error = failures.first { throw error }
    }

    /// The trees in the store (rendered or not).
    public func list() throws -> [String] {
        try FileSystem.list(layout.trees).filter { $0.hasPrefix("deps-") }
    }

    /// Whether a tree is completely rendered.
    public func isRendered(_ id: String) -> Bool { FileSystem.exists(layout.tree(id) + "/rendered") }

    /// The image IDs a tree was rendered from, in order.
    public func images(of id: String) throws -> [String] {
        String(decoding: try FileSystem.read(layout.tree(id) + "/images"), as: UTF8.self)
            .split(separator: "\n").map(String.init)
    }

    /// Removes a tree (taking its lock, so a render in progress finishes first).
    public func remove(_ id: String) throws {
        let lock = try FileLock.lock(layout.treeLock(id))
        defer { lock.unlock() }
        // Unmark first: a crash halfway leaves an unmarked tree, which is re-rendered, never used.
        if unlink(layout.tree(id) + "/rendered") < 0 && errno != ENOENT {
            throw SkiffError.system("remove \(quote(layout.tree(id) + "/rendered"))")
        }
        try FileSystem.removeTree(layout.tree(id))
        unlink(layout.treeLock(id))
    }
}

/// Errors collected from concurrent work.
final class Failures: Sendable {
    private let errors = Mutex<[any Error]>([])

    func record(_ error: any Error) { errors.withLock { $0.append(error) } }
    var first: (any Error)? { errors.withLock { $0.first } }
}
