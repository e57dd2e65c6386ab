// A pod as list, status and gc see it: a name in a state directory, read without holding locks.
#if canImport(Glibc)
import Glibc
#endif
import SkiffStage1
import SkiffSystem

/// A pod seen from outside: where it was when it was looked up, read without taking its lock
/// (status probes it with a shared, non-blocking flock released at once). A record is a snapshot:
/// the pod may move on; `status` follows it, other reads report it gone.
public struct PodRecord: Sendable {
    /// The pod's UUID.
    public let uuid: PodUUID
    /// The state directory it was found in.
    public let state: PodState
    /// `<data dir>/pods/<state>/<uuid>`.
    public let path: String
    /// The store it belongs to.
    public let store: PodStore
    /// The mtime of `pod-created` (the creation time); nil if missing.
    let createdStamp: timespec?
    /// Sort key of `PodStore.all`: the creation time, else the directory's mtime.
    let creationSortKey: Double

    /// Reads the creation time (one stat): `all` sorts by it.
    init(store: PodStore, uuid: PodUUID, state: PodState) {
        self.store = store
        self.uuid = uuid
        self.state = state
        path = store.path(of: uuid, in: state)
        createdStamp = PodRecord.modificationTime(PodPaths(root: path).created)
        creationSortKey = (createdStamp ?? PodRecord.modificationTime(path)).map(PodRecord.seconds) ?? 0
    }

    /// The pod's layout (docs/stage1-abi.md) rooted at `path`.
    public var paths: PodPaths { PodPaths(root: path) }

    /// The creation time (mtime of `pod-created`), Unix seconds; nil if the file is missing.
    public var created: Int64? { createdStamp.map { Int64($0.tv_sec) } }

    /// The creation time in seconds with fractions.
    public var createdTime: Double? { createdStamp.map(PodRecord.seconds) }

    /// The start time (mtime of `pid`), Unix seconds; nil before the stage1 wrote it.
    public var started: Int64? { PodRecord.writtenTime(paths.pid).map { Int64($0.tv_sec) } }

    /// The start time in seconds with fractions.
    public var startedTime: Double? { PodRecord.writtenTime(paths.pid).map(PodRecord.seconds) }

    /// What list/status show: the state read with a lock probe. A pod that moved since it was
    /// looked up is followed to its new state; one that is gone reads as `deleting`.
    public var status: PodStatus { (try? currentStatus()) ?? .deleting }

    /// `status`, reporting why it cannot be read instead of guessing.
    public func currentStatus() throws -> PodStatus {
        do {
            return PodStatus(state: state, locked: try PodLock.isLocked(path))
        } catch let error as SkiffError where error.errno == ENOENT {
            if let moved = store.locate(uuid), moved.state != state { return try moved.currentStatus() }
            throw podError("read the status of", uuid, SkiffError(.notFound, "the pod was removed"))
        } catch {
            throw podError("read the status of", uuid, error)
        }
    }

    /// Whether another process (or another descriptor of this one) holds the pod's exclusive
    /// lock: a shared, non-blocking flock fails.
    public func isLocked() throws -> Bool {
        try withPodError("probe the lock of", uuid) { try PodLock.isLocked(path) }
    }

    /// Takes the pod's exclusive lock: nil if it is busy and `wait` is false. The pod may have
    /// moved while the lock was awaited; the handle's `state` says where it is now. Throws if it
    /// was removed meanwhile.
    public func lockExclusive(wait: Bool) throws -> PodHandle? {
        try withPodError("lock", uuid) {
            let directory = try PodLock.openDirectory(path)
            guard try PodLock.lock(directory, exclusive: true, wait: wait) else { return nil }
            guard let now = store.state(of: uuid, matching: try directory.stat(), expected: state) else {
                throw SkiffError(.notFound, "removed while waiting for its lock")
            }
            return PodHandle(store: store, uuid: uuid, state: now, directory: directory)
        }
    }

    /// st_mtim of `path` (not following a final symlink), or nil.
    static func modificationTime(_ path: String) -> timespec? { status(path)?.st_mtim }

    /// The mtime of a file a stage1 writes (`pid`, a status), nil while it is missing or still
    /// stage0's empty file.
    static func writtenTime(_ path: String) -> timespec? { status(path).flatMap { $0.st_size > 0 ? $0.st_mtim : nil } }

    private static func status(_ path: String) -> stat? {
        var st = stat()
        return lstat(path, &st) == 0 ? st : nil
    }

    static func seconds(_ time: timespec) -> Double { Double(time.tv_sec) + Double(time.tv_nsec) / 1e9 }
}
