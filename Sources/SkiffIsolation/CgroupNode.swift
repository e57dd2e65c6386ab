// A logical cgroup (a pod's or an app's) across the hierarchies that serve its controllers:
// creating it, putting processes in it, and removing it again on exit or by gc.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// One logical cgroup: the same relative path in each hierarchy it uses.
///
/// Placement: a pod's cgroup is `<caller's cgroup>/<name>` in every hierarchy (rkt without
/// systemd put pods below the caller's cgroup too), so the caller's own limits keep bounding the
/// pod. Apps get `<pod>/<app name>`. On v2, controllers are enabled in cgroup.subtree_control
/// on the way down, which the kernel refuses (EBUSY) in a non-root cgroup that itself holds
/// processes: there the caller must run in a delegated cgroup, or pass `parent`.
/// Processes belong in leaves only (v2's "no internal processes" rule): a stage1 that wants
/// its own process in the pod's cgroup uses a leaf of its own (a name that is not an app name,
/// e.g. "_stage1": app names cannot start with "_").
public struct CgroupNode: Sendable, Equatable {
    /// The node's directory in one hierarchy.
    public struct Member: Sendable, Equatable {
        /// The hierarchy.
        public var hierarchy: CgroupHierarchy
        /// The directory.
        public var directory: String
        /// The controllers this node uses there.
        public var controllers: Set<CgroupController>
    }

    /// One directory per hierarchy used.
    public var members: [Member]

    /// The member serving `controller`.
    public func member(for controller: CgroupController) -> Member? { members.first { $0.controllers.contains(controller) } }

    /// Creates `<parent>/<name>` in the hierarchies serving `controllers` (`parent` nil: the
    /// caller's cgroup; else a cgroup path like "/skiff", the same in every hierarchy). A
    /// directory that exists already is reused. Throws `.notFound` for a controller the host
    /// lacks.
    public static func create(
        layout: CgroupLayout, name: String, controllers: Set<CgroupController>, parent: String? = nil
    ) throws -> CgroupNode {
        try checkName(name)
        var members: [Member] = []
        for controller in controllers.sorted() {
            guard let hierarchy = layout.hierarchy(for: controller) else {
                throw SkiffError(.notFound, "cgroup controller \(controller.rawValue): not mounted (\(layout.mode.rawValue) cgroups)")
            }
            if let index = members.firstIndex(where: { $0.hierarchy == hierarchy }) {
                members[index].controllers.insert(controller)
            } else {
                let base = parent.map { hierarchy.mountPoint + ($0 == "/" ? "" : $0) } ?? hierarchy.callerDirectory
                members.append(Member(hierarchy: hierarchy, directory: base + "/" + name, controllers: [controller]))
            }
        }
        for member in members {
            try FileSystem.createDirectory(FileSystem.parentPath(member.directory))
            try enableControllers(member, in: FileSystem.parentPath(member.directory))
            try makeDirectory(member.directory)
        }
        return CgroupNode(members: members)
    }

    /// Creates the child cgroup `name` (an app's) in every member.
    public func child(_ name: String) throws -> CgroupNode {
        try CgroupNode.checkName(name)
        var children: [Member] = []
        for member in members {
            try CgroupNode.enableControllers(member, in: member.directory)
            var child = member
            child.directory = member.directory + "/" + name
            try CgroupNode.makeDirectory(child.directory)
            children.append(child)
        }
        return CgroupNode(members: children)
    }

    /// The existing node `<caller's cgroup>/<name>` (or below `parent`), for gc: every
    /// hierarchy in which that directory exists.
    public static func existing(layout: CgroupLayout, name: String, parent: String? = nil) throws -> CgroupNode? {
        try checkName(name)
        var members: [Member] = []
        for hierarchy in layout.hierarchies where !hierarchy.controllers.contains(where: { $0.hasPrefix("name=") }) {
            let base = parent.map { hierarchy.mountPoint + ($0 == "/" ? "" : $0) } ?? hierarchy.callerDirectory
            let directory = base + "/" + name
            if FileSystem.isDirectory(directory) {
                let served = Set(CgroupController.allCases.filter { layout.hierarchy(for: $0) == hierarchy })
                members.append(Member(hierarchy: hierarchy, directory: directory, controllers: served))
            }
        }
        return members.isEmpty ? nil : CgroupNode(members: members)
    }

    /// Moves process `pid` (all its threads) into this node, in every hierarchy.
    public func join(pid: pid_t) throws {
        for member in members { try CgroupFiles.write(member.directory + "/cgroup.procs", "\(pid)") }
    }

    /// The node's cgroup.procs files opened for writing, for a child to join itself before
    /// execve (PreparedIsolation writes "0" to each). `skippingUnified`: leave out the v2 member,
    /// which the child enters at birth instead (`openUnifiedDirectory`).
    public func openProcs(skippingUnified: Bool = false) throws -> [FileDescriptor] {
        try members.filter { !(skippingUnified && $0.hierarchy.version == 2) }.map {
            try FileDescriptor.open($0.directory + "/cgroup.procs", O_WRONLY)
        }
    }

    /// The v2 member's directory, opened for sk_exec_attr.cgroup_fd (`into_cgroup`): the child is
    /// then created inside the cgroup (clone3 CLONE_INTO_CGROUP) instead of moved there, which
    /// avoids the migration's RCU wait (6-15 ms measured here). Nil without a v2 member.
    public func openUnifiedDirectory() throws -> FileDescriptor? {
        guard let member = members.first(where: { $0.hierarchy.version == 2 }) else { return nil }
        return try FileDescriptor.open(member.directory, O_RDONLY | O_DIRECTORY)
    }

    /// The processes in this node and below, in any member (deduplicated).
    public func processes() throws -> [pid_t] {
        var pids = Set<pid_t>()
        for member in members { pids.formUnion(try CgroupFiles.processes(below: member.directory)) }
        return pids.sorted()
    }

    /// Removes the node and everything below it, leaves first. With `kill`, remaining processes
    /// get SIGKILL first (repeatedly: a process may fork while being killed). A directory still
    /// busy after `timeout` seconds (processes that are not killed, or not yet reaped) is an
    /// error. Missing directories are fine, so gc can call this again.
    public func remove(kill: Bool, timeout: Double = 2) throws {
        for member in members { try CgroupFiles.removeTree(member.directory, kill: kill, timeout: timeout) }
    }

    /// Writes "+controller" for this member's v2 controllers into `directory`'s
    /// cgroup.subtree_control (those not enabled there yet). Nothing to do on v1.
    static func enableControllers(_ member: Member, in directory: String) throws {
        guard member.hierarchy.version == 2 else { return }
        let wanted = member.controllers.filter { $0 != .devices }.map(\.rawValue)
        guard !wanted.isEmpty else { return }
        let enabled = Set(try CgroupFiles.words(directory + "/cgroup.subtree_control", missingIsEmpty: true).map {
            $0.hasPrefix("+") ? String($0.dropFirst()) : $0  // a fake tree logs "+memory"
        })
        let missing = wanted.filter { !enabled.contains($0) }.sorted()
        guard !missing.isEmpty else { return }
        do {
            try CgroupFiles.write(directory + "/cgroup.subtree_control", missing.map { "+" + $0 }.joined(separator: " "))
        } catch let error as SkiffError where error.errno == EBUSY {
            throw SkiffError(
                .system, "enable \(missing.joined(separator: ",")) below \(quote(directory)): the cgroup holds processes (cgroup v2 allows controllers below a cgroup only when it has none; run from a delegated cgroup or give a cgroup parent)",
                errno: EBUSY)
        }
    }

    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) < 0 && errno != EEXIST { throw SkiffError.system("create cgroup \(quote(path))") }
    }

    static func checkName(_ name: String) throws {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", !name.contains("\n") else {
            throw SkiffError(.invalid, "cgroup name \(quote(name)): must be one path component")
        }
    }
}
