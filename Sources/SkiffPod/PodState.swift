// Pod states (the directory a pod is in) and statuses (what list and status show).

/// The state directory a pod is in, under `<data dir>/pods/`. A pod moves between them by
/// rename(2). The cases are in lifecycle order, and every move the engine makes goes forward in
/// it (embryo → prepare → prepared → run → exited-garbage, and anything → garbage); listings scan
/// in this order so that a pod moving during a scan is seen at least once (docs/stage1-abi.md).
public enum PodState: String, Sendable, CaseIterable {
    case embryo, prepare, prepared, run
    case exitedGarbage = "exited-garbage"
    case garbage

    /// The directory name under pods/.
    public var directoryName: String { rawValue }
}

/// What `list` and `status` show for a pod: its state read together with its lock.
public enum PodStatus: String, Sendable {
    case embryo, preparing
    case abortedPrepare = "aborted prepare"
    case prepared, running, exited
    case exitedGarbage = "exited garbage"
    case garbage, deleting

    /// The status of a pod in `state` whose lock is (or is not) held by someone else; the table
    /// of docs/stage1-abi.md ("States, locks and renames").
    public init(state: PodState, locked: Bool) {
        switch state {
        case .embryo: self = .embryo  // locked: being created; unlocked: crash debris, gc removes it
        case .prepare: self = locked ? .preparing : .abortedPrepare
        case .prepared: self = .prepared  // locked only while run-prepared starts it
        case .run: self = locked ? .running : .exited
        case .exitedGarbage: self = locked ? .deleting : .exitedGarbage
        case .garbage: self = locked ? .deleting : .garbage
        }
    }
}
