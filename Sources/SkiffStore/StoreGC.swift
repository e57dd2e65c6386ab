// image gc: unused images, unreferenced trees, and whatever a crash left behind.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffSystem

/// What a collection removed.
public struct GCReport: Sendable, Equatable {
    public var images: [String] = []
    public var trees: [String] = []
    /// Temporary files, orphan blobs and manifests, half-rendered trees, stale cache records.
    public var debris: [String] = []
}

/// Mark and sweep over the store. Debris is recognised by its lock: a live writer holds an flock
/// on its temporary blob or on its tree, so anything lockable in tmp/ or unmarked in tree/ was
/// left by a process that died. Images are collected when unused for longer than the grace
/// period; trees when no pod references them.
public struct StoreGC {
    public let trees: TreeStore
    var images: ImageStore { trees.images }
    var layout: StoreLayout { images.layout }

    public init(trees: TreeStore) { self.trees = trees }

    /// Runs a collection.
    /// - Parameters:
    ///   - gracePeriod: seconds an image may stay unused before it is removed.
    ///   - keepImages: IDs still used (by pods), never removed.
    ///   - keepTrees: tree IDs still referenced (by pods), never removed.
    public func collect(
        gracePeriod: Int64, keepImages: Set<String> = [], keepTrees: Set<String> = [], now: Int64 = Int64(time(nil))
    ) throws -> GCReport {
        var report = GCReport()
        try collectTemporary(&report)
        for tree in try trees.list() where !keepTrees.contains(tree) {
            try trees.remove(tree)
            report.trees.append(tree)
        }
        for record in try images.records()
        where !keepImages.contains(record.id) && now - record.lastUsed >= gracePeriod {
            guard let id = try? ImageID(validating: record.id) else { continue }
            try images.remove(id)
            report.images.append(record.id)
        }
        try collectOrphans(&report)
        try collectUnusedOCIBlobs(&report)
        return report
    }

    /// sha256 blobs no OCI image lists: left by an interrupted fetch or by a removal. Skipped
    /// while a fetch holds the store lock (its layers have no record yet).
    private func collectUnusedOCIBlobs(_ report: inout GCReport) throws {
        guard let lock = try FileLock.tryLock(layout.storeLock) else { return }
        defer { lock.unlock() }
        let manifests = Set(try images.records().map(\.id).filter { $0.hasPrefix("sha256:") })
        let used = try images.ociBlobsInUse()
        let directory = layout.blobs + "/sha256"
        for name in try FileSystem.list(directory) where !name.hasPrefix(".") {
            if manifests.contains("sha256:" + name) || used.contains("sha256/" + name) { continue }
            if unlink(directory + "/" + name) < 0 && errno != ENOENT { throw SkiffError.system("remove \(quote(directory + "/" + name))") }
            report.debris.append("blob sha256:" + name)
        }
    }

    /// tmp/ entries and half-rendered trees whose writer is gone.
    private func collectTemporary(_ report: inout GCReport) throws {
        for name in try FileSystem.list(layout.temporary) {
            let path = layout.temporary + "/" + name
            if FileSystem.isDirectory(path) {
                try FileSystem.removeTree(path)
            } else if let lock = try? FileLock.tryLock(path) {
                unlink(path)
                lock.unlock()
            } else {
                continue
            }
            report.debris.append("tmp/" + name)
        }
        for name in try FileSystem.list(layout.trees) where name.hasPrefix(".") {
            // ".<tree id>.tmp-<random>": a staging directory; its tree lock tells if it is live.
            let treeID = String(name.dropFirst().prefix { $0 != "." })
            guard let lock = try FileLock.tryLock(layout.treeLock(treeID)) else { continue }
            try FileSystem.removeTree(layout.trees + "/" + name)
            lock.unlock()
            report.debris.append("tree/" + name)
        }
        for tree in try trees.list() where !trees.isRendered(tree) {
            guard let lock = try FileLock.tryLock(layout.treeLock(tree)) else { continue }
            lock.unlock()
            try trees.remove(tree)
            report.debris.append("tree/" + tree)
        }
    }

    /// Blobs and manifests without a record, cache records pointing at nothing.
    private func collectOrphans(_ report: inout GCReport) throws {
        let known = Set(try images.records().map(\.id))
        for name in try FileSystem.list(layout.blobs + "/sha512") where !name.hasPrefix(".") {
            let id = "sha512-" + name
            guard !known.contains(id) else { continue }
            let lock = try FileLock.lock(layout.imageLock(id))
            if try images.record(ImageID(validating: id)) == nil {
                unlink(layout.blob(id))
                report.debris.append("blob " + id)
            }
            lock.unlock()
        }
        for name in try FileSystem.list(layout.manifests) where !known.contains(name) && !name.hasPrefix(".") {
            unlink(layout.manifests + "/" + name)
            report.debris.append("manifest " + name)
        }
        for remote in try images.remotes() where !known.contains(remote.record.imageID) {
            unlink(remote.path)
            report.debris.append("cache record " + remote.record.url)
        }
    }
}
