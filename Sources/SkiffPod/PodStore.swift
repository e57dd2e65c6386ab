// The data directory's pods/ tree: one directory per state, one directory per pod.
#if canImport(Glibc)
import Glibc
#endif
import SkiffStage1
import SkiffSystem

/// The pods of a data directory: `<data dir>/pods/<state>/<uuid>/` (docs/stage1-abi.md). No
/// daemon keeps an index: the directories are the index, renames are the transitions and flocks
/// on the pod directories say who is working on a pod.
public struct PodStore: Sendable {
    /// The data directory given to `init`.
    public let dataDirectory: String
    /// `<data dir>/pods`.
    public let podsDirectory: String

    /// A store over `<dataDirectory>/pods`. Creates the six state directories (0750) if missing.
    /// A permission failure (EACCES, EPERM, EROFS) is not an error here: a reader (list, status)
    /// may lack the right to create them and sees missing ones as empty, while operations that
    /// write create what they need again and report it. Other failures (the path is a file, ...)
    /// throw.
    public init(dataDirectory: String) throws {
        self.dataDirectory = dataDirectory
        podsDirectory = dataDirectory + "/pods"
        do {
            try prepareDirectories()
        } catch let error as SkiffError where [EACCES, EPERM, EROFS].contains(error.errno ?? 0) {
            return
        } catch let error as SkiffError {
            throw SkiffError(error.code, "open the pods of \(quote(dataDirectory)): \(error.message)", errno: error.errno)
        }
    }

    /// Creates the state directories that are missing, reporting failures.
    public func prepareDirectories() throws {
        for state in PodState.allCases { try prepareDirectory(state) }
    }

    /// `<data dir>/pods/<state>`.
    public func directory(of state: PodState) -> String { podsDirectory + "/" + state.directoryName }

    /// `<data dir>/pods/<state>/<uuid>`.
    public func path(of uuid: PodUUID, in state: PodState) -> String { directory(of: state) + "/" + uuid.value }

    /// Creates pods/embryo/<new uuid> (0750), takes its exclusive lock (held by the returned
    /// handle) and writes `pod-created`, whose mtime is the creation time. From mkdir to
    /// pod-created the creator holds a shared lock on embryo/ itself: gc leaves a locked embryo
    /// alone, and removes an unlocked one without `pod-created` at once only while it holds the
    /// exclusive lock on embryo/ (no creator mid-way), else once it is a minute old. So the instant
    /// between mkdir and flock is safe from a concurrent gc, and a creator killed in it leaves
    /// debris the next gc removes.
    public func create() throws -> PodHandle {
        let uuid = PodUUID.random()
        return try withPodError("create", uuid) {
            try prepareDirectory(.embryo)
            // Shared, from mkdir until pod-created exists: gc taking the exclusive lock on embryo/
            // knows no creator is in that window (see embryoCreators), so an embryo without
            // pod-created is the debris of a killed creator, not one being made.
            let creators = try PodLock.openDirectory(directory(of: .embryo))
            _ = try PodLock.lock(creators, exclusive: false, wait: true)
            defer { creators.close() }
            let path = path(of: uuid, in: .embryo)
            try check("mkdir \(quote(path))") { mkdir(path, 0o750) }
            do {
                let directory = try PodLock.openDirectory(path)
                guard try PodLock.lock(directory, exclusive: true, wait: false) else {
                    throw SkiffError(.invalid, "\(quote(path)) is locked by another process")
                }
                try directory.openAt(PodPaths().created, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644).close()
                return PodHandle(store: self, uuid: uuid, state: .embryo, directory: directory)
            } catch {
                rmdir(path)  // empty unless pod-created was made; gc removes what is left
                throw error
            }
        }
    }

    /// The exclusive lock on embryo/ when no creator is between its mkdir and its pod-created
    /// (creators hold the shared one there), nil when one is; held until the descriptor closes.
    func embryoCreatorsIdle() -> FileDescriptor? {
        guard let directory = try? PodLock.openDirectory(directory(of: .embryo)),
            (try? PodLock.lock(directory, exclusive: true, wait: false)) == true
        else { return nil }
        return directory
    }

    /// Finds a pod by UUID (any case) or by a unique prefix of at least 2 characters, in any
    /// state. Errors name the text: not found, ambiguous, or not a UUID (prefix).
    public func find(_ text: String) throws -> PodRecord {
        if let uuid = try? PodUUID(parsing: text) {
            guard let record = locate(uuid) else { throw SkiffError(.notFound, "find pod \(quote(text)): no such pod") }
            return record
        }
        let prefix = text.lowercased()
        guard PodUUID.isPrefixText(prefix) else {
            throw SkiffError(.usage, "find pod \(quote(text)): not a pod uuid or uuid prefix")
        }
        guard prefix.utf8.count >= 2 else {
            throw SkiffError(.usage, "find pod \(quote(text)): a uuid prefix needs at least 2 characters")
        }
        let matches = try scan { $0.hasPrefix(prefix) }
        guard let match = matches.first else { throw SkiffError(.notFound, "find pod \(quote(text)): no such pod") }
        guard matches.count == 1 else {
            throw SkiffError(.usage, "find pod \(quote(text)): ambiguous, the uuids of \(matches.count) pods begin with it")
        }
        return PodRecord(store: self, uuid: match.key, state: match.value)
    }

    /// Every pod, in any state, sorted by creation time (then UUID). Costs one readdir per state
    /// directory and one stat per pod; manifests are not read and locks are not probed.
    public func all() throws -> [PodRecord] {
        try scan { _ in true }.map { PodRecord(store: self, uuid: $0.key, state: $0.value) }.sorted {
            ($0.creationSortKey, $0.uuid) < ($1.creationSortKey, $1.uuid)
        }
    }

    /// The pods of one state directory (unsorted), for gc.
    func pods(in state: PodState) throws -> [PodRecord] {
        try names(in: state).compactMap(PodUUID.directoryName).map { PodRecord(store: self, uuid: $0, state: state) }
    }

    /// Moves a locked pod to `state` by rename (the lock travels with the directory) and makes
    /// the rename durable. Moving to the state it is in does nothing.
    public func move(_ handle: PodHandle, to state: PodState) throws {
        guard handle.isLocked else {
            throw SkiffError(.usage, "move pod \(handle.uuid) to \(state.rawValue): the pod is not locked by this process")
        }
        if handle.state == state { return }
        // Not fsynced: a power loss ends every pod anyway, and gc handles any state it left.
        try rename(handle.uuid, from: handle.state, to: state, sync: false)
        handle.state = state
    }

    /// Moves a pod to `state` by rename, without taking its lock: the caller makes sure nobody
    /// else moves it meanwhile. Returns the pod as it is now.
    @discardableResult
    public func move(_ record: PodRecord, to state: PodState) throws -> PodRecord {
        if record.state != state { try rename(record.uuid, from: record.state, to: state, sync: true) }
        return PodRecord(store: self, uuid: record.uuid, state: state)
    }

    /// rename(2) between state directories. ENOENT means the pod left `from` meanwhile (another
    /// process moved or removed it: gc, rm, run-prepared) and is reported as such. `sync: false`
    /// lets gc fsync each state directory once for a whole pass instead of once per pod.
    func rename(_ uuid: PodUUID, from: PodState, to: PodState, sync: Bool) throws {
        try withPodError("move", uuid) {
            try prepareDirectory(to)
            let source = path(of: uuid, in: from)
            let target = path(of: uuid, in: to)
            if Glibc.rename(source, target) < 0 {
                if errno == ENOENT {
                    throw SkiffError(
                        .notFound, "from \(from.rawValue) to \(to.rawValue): no longer in \(from.rawValue)/ "
                            + "(moved or removed by another process)")
                }
                throw SkiffError.system("rename \(quote(source)) to \(quote(target))")
            }
            if sync { FileSystem.syncDirectory(directory(of: to)) }
        }
    }

    /// The pod with this UUID wherever it is now, or nil.
    func locate(_ uuid: PodUUID) -> PodRecord? {
        var found: PodState?
        for state in PodState.allCases where FileSystem.exists(path(of: uuid, in: state)) { found = state }
        return found.map { PodRecord(store: self, uuid: uuid, state: $0) }
    }

    /// The state directory holding the directory `st` describes (dev and inode), or nil: where a
    /// pod went while we waited for its lock. `expected` is looked at first (one stat when the pod
    /// stayed put, the usual case).
    func state(of uuid: PodUUID, matching st: stat, expected: PodState) -> PodState? {
        let matches = { (state: PodState) -> Bool in
            guard let here = try? FileSystem.status(self.path(of: uuid, in: state)) else { return false }
            return here.st_dev == st.st_dev && here.st_ino == st.st_ino
        }
        return matches(expected) ? expected : PodState.allCases.last { $0 != expected && matches($0) }
    }

    /// UUID → state of every pod whose name passes `filter`. States are scanned in lifecycle
    /// order and a later sighting wins: moves only go forward in that order, so a pod that moves
    /// during the scan is seen at least once and reported where it went.
    private func scan(_ filter: (String) -> Bool) throws -> [PodUUID: PodState] {
        var found: [PodUUID: PodState] = [:]
        for state in PodState.allCases {
            for name in try names(in: state) where filter(name) {
                if let uuid = PodUUID.directoryName(name) { found[uuid] = state }
            }
        }
        return found
    }

    /// The entries of a state directory; none if it does not exist (a data dir never written).
    private func names(in state: PodState) throws -> [String] {
        do {
            return try FileSystem.list(directory(of: state))
        } catch let error as SkiffError where error.errno == ENOENT {
            return []
        }
    }

    private func prepareDirectory(_ state: PodState) throws {
        let path = directory(of: state)
        if !FileSystem.isDirectory(path) { try FileSystem.createDirectory(path, mode: 0o750) }
    }
}
