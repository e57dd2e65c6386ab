// Pod garbage collection, rkt's mark and sweep: gc and rm.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// Mark-and-sweep garbage collection of pods. Marking renames finished pods into exited-garbage/
/// or garbage/ (the rename is atomic, so two collectors, or a collector and stage0, never both
/// win); sweeping locks each marked pod, lets stage0 clean up (the stage1 gc entrypoint), unmounts
/// what is left and deletes the directory. Any crash leaves pods where the next run finishes them.
public struct PodGC {
    /// The store collected.
    public let store: PodStore
    /// An unlocked embryo without `pod-created` may be a pod whose creator is between mkdir and
    /// flock; while some creator is (it holds embryo/ shared), such an embryo counts as debris
    /// only once it is this old (seconds).
    static let embryoDebrisAge: Int64 = 60

    /// A collector for `store`.
    public init(store: PodStore) { self.store = store }

    /// What a collection did, by pod UUID.
    public struct Report: Sendable {
        /// Pods moved to exited-garbage/ or garbage/ by pass 1.
        public var marked: [String] = []
        /// Pods deleted by pass 2.
        public var removed: [String] = []
        /// Pods kept because something failed, as "uuid: why"; the next gc tries again.
        public var failed: [String] = []

        /// An empty report.
        public init() {}
    }

    /// Collects garbage. Pass 1 marks: run/ pods nobody holds (exited) → exited-garbage/;
    /// unlocked prepare/ pods (aborted) → garbage/; prepared/ pods that entered prepared/ at
    /// least `expirePrepared` seconds before `now` → garbage/; unlocked embryo/ pods (crash debris)
    /// → garbage/. Pass 2 (unless `markOnly`) sweeps exited-garbage/ pods marked at least
    /// `gracePeriod` seconds before `now` (the mark time is the directory's ctime, which the
    /// rename sets, as in rkt) and every garbage/ pod: lock, `cleanup`, unmount, delete. Busy pods
    /// (locked by someone) are left alone. `cleanup` runs with the lock held and sees the pod's
    /// state: `.garbage` pods never ran a stage1. Per-pod failures go to the report.
    public func collect(
        gracePeriod: Int64, expirePrepared: Int64, markOnly: Bool, now: Int64, cleanup: (PodRecord) throws -> Void
    ) throws -> Report {
        var report = Report()
        try mark(.run, to: .exitedGarbage, &report) { _ in true }
        try mark(.prepare, to: .garbage, &report) { _ in true }
        try mark(.prepared, to: .garbage, &report) { record in
            guard let entered = PodGC.changeTime(record.path, now: now) else { return false }
            return now - entered >= expirePrepared
        }
        // Held while embryo/ is listed and marked: no creator can be between mkdir and pod-created.
        let creatorsIdle = store.embryoCreatorsIdle()
        try mark(.embryo, to: .garbage, &report) { record in
            if record.created != nil { return true }  // written under the lock: its creator is gone
            if creatorsIdle != nil { return true }  // no creator is mid-way: a killed one left it
            guard let made = PodGC.changeTime(record.path, now: now) else { return false }
            return now - made >= PodGC.embryoDebrisAge
        }
        creatorsIdle?.close()
        // One fsync per target directory for the whole pass instead of one per rename.
        FileSystem.syncDirectory(store.directory(of: .exitedGarbage))
        FileSystem.syncDirectory(store.directory(of: .garbage))
        if markOnly { return report }

        var due = try store.pods(in: .exitedGarbage).filter { record in
            guard let marked = PodGC.changeTime(record.path, now: now) else { return false }
            return now - marked >= gracePeriod
        }
        due += try store.pods(in: .garbage)
        // Cleanup (the stage1's gc, which lives inside the pod's mounts) for every pod first, then
        // one pass over /proc/self/mountinfo for all of them: reading it per pod costs time in
        // proportion to the number of mounts, which a thousand exited pods make large.
        var ready: [PodHandle] = []
        for record in due {
            if let handle = cleanUp(record, cleanup, &report) { ready.append(handle) }
        }
        do {
            try PodMounts.unmountAll(under: ready.map(\.path))
        } catch {
            report.failed.append("unmount pods: \(error)")
        }
        for handle in ready {
            do {
                try withPodError("remove", handle.uuid) {
                    try PodMounts.unmountAll(under: handle.path)
                    try PodRemoval.removeTree(handle.path)
                }
                handle.unlock()
                report.removed.append(handle.uuid.value)
            } catch {
                report.failed.append("\(handle.uuid): \(error)")
            }
        }
        return report
    }

    /// Pass 2's first half for one marked pod: lock it (skipped if busy: another gc or rm is
    /// deleting it) and run `cleanup`. Returns the locked pod, ready for unmounting and removal.
    private func cleanUp(_ record: PodRecord, _ cleanup: (PodRecord) throws -> Void, _ report: inout Report) -> PodHandle? {
        let handle: PodHandle
        do {
            guard let locked = try record.lockExclusive(wait: false), locked.state == record.state else { return nil }
            handle = locked
        } catch where PodGC.isRace(error) {
            return nil  // removed by another process meanwhile
        } catch {
            report.failed.append("\(record.uuid): \(error)")
            return nil
        }
        do {
            try cleanup(handle.record)
            return handle
        } catch {
            report.failed.append("\(record.uuid): \(podError("clean up", handle.uuid, error))")
            return nil
        }
    }

    /// `rm`: deletes one pod now, whatever gc would say about its age. Refuses a pod whose lock
    /// is held ("pod <uuid> is running" for a running one). The pod is first moved to
    /// exited-garbage/ (from run/) or garbage/ (from embryo/, prepare/, prepared/), so a crash
    /// midway leaves it to gc; then `cleanup` runs with the lock held, and the directory goes.
    public func remove(_ record: PodRecord, cleanup: (PodRecord) throws -> Void) throws {
        guard let handle = try record.lockExclusive(wait: false) else {
            if record.state == .run { throw SkiffError(.usage, "remove: pod \(record.uuid) is running") }
            throw SkiffError(.usage, "remove: pod \(record.uuid) is busy (\(record.status.rawValue))")
        }
        switch handle.state {
        case .run: try store.move(handle, to: .exitedGarbage)
        case .embryo, .prepare, .prepared: try store.move(handle, to: .garbage)
        case .exitedGarbage, .garbage: break
        }
        try delete(handle, cleanup)
    }

    /// Deletes a pod its caller holds locked and that never ran (a `run` whose late checks
    /// refused it): moved to garbage/ first, so a crash midway leaves it to gc, then `cleanup`,
    /// unmount, delete. Bad input then leaves no aborted pod behind.
    public func discard(_ handle: PodHandle, cleanup: (PodRecord) throws -> Void) throws {
        if handle.state != .garbage { try store.move(handle, to: .garbage) }
        try delete(handle, cleanup)
    }

    /// Pass 1 for one state directory: every pod there that `due` accepts and that can be locked
    /// at once is renamed to `target` while locked (a locked pod is alive, or someone else is
    /// moving it).
    private func mark(_ state: PodState, to target: PodState, _ report: inout Report, due: (PodRecord) -> Bool) throws {
        for record in try store.pods(in: state) where due(record) {
            do {
                guard let handle = try record.lockExclusive(wait: false), handle.state == state else { continue }
                try store.rename(handle.uuid, from: state, to: target, sync: false)
                handle.state = target
                handle.unlock()
                report.marked.append(record.uuid.value)
            } catch where PodGC.isRace(error) {
                continue  // moved or removed by another process meanwhile: not ours to mark
            } catch {
                report.failed.append("\(record.uuid): \(error)")
            }
        }
    }

    /// Cleanup, then unmount everything under the pod directory, then remove it (refusing to cross
    /// any mount left), all under the lock `handle` holds.
    private func delete(_ handle: PodHandle, _ cleanup: (PodRecord) throws -> Void) throws {
        do {
            try cleanup(handle.record)
        } catch {
            throw podError("clean up", handle.uuid, error)
        }
        try withPodError("remove", handle.uuid) {
            try PodMounts.unmountAll(under: handle.path)
            try PodRemoval.removeTree(handle.path)
        }
        handle.unlock()
    }

    /// Whether an error only says that another process moved or removed the pod first.
    static func isRace(_ error: any Error) -> Bool {
        guard let error = error as? SkiffError else { return false }
        return error.code == .notFound || error.errno == ENOENT
    }

    /// The ctime of `path` in Unix seconds (set by the rename into the current state), or nil;
    /// never later than `now`: a pod marked by this very collection, after the clock ticked past
    /// the caller's `now`, was marked "now" (else a zero grace period would miss it).
    static func changeTime(_ path: String, now: Int64) -> Int64? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return min(Int64(st.st_ctim.tv_sec), now)
    }
}
