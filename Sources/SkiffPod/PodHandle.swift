// A pod this process holds: its directory open and exclusively flocked.
#if canImport(Glibc)
import Glibc
#endif
import SkiffStage1
import SkiffSystem

/// An open, locked pod directory. The lock is an exclusive flock on `directory` (opened
/// O_RDONLY|O_DIRECTORY|O_CLOEXEC), held until `unlock()` or deinit; since it is on the directory
/// itself it moves with the pod when `PodStore.move` renames it.
public final class PodHandle {
    /// The pod's UUID.
    public let uuid: PodUUID
    /// The state directory the pod is in (updated by `PodStore.move`).
    public internal(set) var state: PodState
    /// The store the pod belongs to.
    public let store: PodStore
    /// The locked directory descriptor; `raw` is -1 once unlocked.
    public let directory: FileDescriptor
    /// Set once the descriptor was made inheritable: a LOCK_UN from here would also release the
    /// lock for the stage1 that inherited it (flock locks belong to the open file description).
    private var handedOut = false

    init(store: PodStore, uuid: PodUUID, state: PodState, directory: FileDescriptor) {
        self.store = store
        self.uuid = uuid
        self.state = state
        self.directory = directory
    }

    deinit { unlock() }

    /// The pod directory as it is named now: `<data dir>/pods/<state>/<uuid>`.
    public var path: String { store.path(of: uuid, in: state) }

    /// The pod's layout (docs/stage1-abi.md) rooted at `path`.
    public var paths: PodPaths { PodPaths(root: path) }

    /// Whether this handle still holds the lock.
    public var isLocked: Bool { directory.raw >= 0 }

    /// The pod as list/status see it.
    public var record: PodRecord { PodRecord(store: store, uuid: uuid, state: state) }

    /// Clears FD_CLOEXEC on the lock descriptor and returns its number, for `SKIFF_LOCK_FD`:
    /// call it right before executing the stage1 (every other program started meanwhile would
    /// inherit the lock too). After this, `unlock()` only closes this process's descriptor.
    public func inheritableLockFD() throws -> Int32 {
        guard isLocked else { throw SkiffError(.usage, "hand over the lock of pod \(uuid): the pod is not locked") }
        let raw = directory.raw
        let flags = fcntl(raw, F_GETFD)
        guard flags >= 0, fcntl(raw, F_SETFD, flags & ~FD_CLOEXEC) >= 0 else {
            throw SkiffError.system("hand over the lock of pod \(uuid): fcntl \(quote(path))")
        }
        handedOut = true
        return raw
    }

    /// Releases the lock and closes the descriptor; later calls do nothing.
    public func unlock() {
        guard directory.raw >= 0 else { return }
        if !handedOut { _ = flock(directory.raw, LOCK_UN) }
        directory.close()
    }
}
