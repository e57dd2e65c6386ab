// Where a pod's cgroups go when joining them must be cheap. Moving a process into a cgroup
// (writing cgroup.procs) waits for an RCU grace period: 5-15 ms measured on this project's hybrid
// host, far more than the whole isolation budget of `run`. Creating a process inside a v2 cgroup
// (clone3 CLONE_INTO_CGROUP) costs nothing measurable. So, whenever a cgroup2 hierarchy is
// mounted (unified and hybrid hosts), the pod's tracking and device restriction live there (a
// BPF device program works on a hybrid host too: the kernel runs it whatever hierarchy the
// devices controller is bound to), and v1 hierarchies are used only for the limits an app asks
// for (memory, cpu on a hybrid host), paid for by that app alone.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

extension CgroupLayout {
    /// The hierarchy for `controller` under the cheap-join placement: devices on the unified
    /// hierarchy when one is mounted, every other controller where `hierarchy(for:)` says.
    public func cheapHierarchy(for controller: CgroupController) -> CgroupHierarchy? {
        if controller == .devices, let unified { return unified }
        return hierarchy(for: controller)
    }
}

extension CgroupNode {
    /// The directories a pod node `name` would have (cheap-join placement, caller's cgroups as
    /// parents): the unified hierarchy always when mounted (it tracks the pod's processes), plus
    /// one directory per hierarchy serving `controllers`. Nothing is created: a stage1 records
    /// these paths first, so gc finds them even if it crashes while creating them.
    public static func plannedPod(layout: CgroupLayout, name: String, controllers: Set<CgroupController>) throws -> CgroupNode {
        try checkName(name)
        var members: [Member] = []
        if let unified = layout.unified {
            members.append(Member(hierarchy: unified, directory: unified.callerDirectory + "/" + name, controllers: []))
        }
        for controller in controllers.sorted() {
            guard let hierarchy = layout.cheapHierarchy(for: controller) else {
                throw SkiffError(.notFound, "cgroup controller \(controller.rawValue): not mounted (\(layout.mode.rawValue) cgroups)")
            }
            if let index = members.firstIndex(where: { $0.hierarchy == hierarchy }) {
                members[index].controllers.insert(controller)
            } else {
                members.append(Member(hierarchy: hierarchy, directory: hierarchy.callerDirectory + "/" + name, controllers: [controller]))
            }
        }
        return CgroupNode(members: members)
    }

    /// Creates the planned directories (existing ones are reused), enabling v2 controllers on
    /// the way down.
    public func create() throws {
        for member in members {
            try FileSystem.createDirectory(FileSystem.parentPath(member.directory))
            try CgroupNode.enableControllers(member, in: FileSystem.parentPath(member.directory))
            try CgroupNode.makeDirectory(member.directory)
        }
    }

    /// The child `name` in the members serving `controllers`, and in the unified member (which
    /// tracks every process) when there is one. Created.
    public func child(_ name: String, using controllers: Set<CgroupController>) throws -> CgroupNode {
        try CgroupNode.checkName(name)
        var children: [Member] = []
        for member in members where member.hierarchy.version == 2 || !member.controllers.isDisjoint(with: controllers) {
            var child = member
            child.controllers = member.controllers.intersection(controllers)
            try CgroupNode.enableControllers(child, in: member.directory)
            child.directory = member.directory + "/" + name
            try CgroupNode.makeDirectory(child.directory)
            children.append(child)
        }
        return CgroupNode(members: children)
    }

    /// The node whose directories are `directories` (read back from a pod's record, for gc).
    /// The hierarchies are not described: only removal works on it.
    public static func recorded(_ directories: [String]) -> CgroupNode {
        let placeholder = CgroupHierarchy(version: 0, controllers: [], mountPoint: "", callerPath: "", callerDirectory: "")
        return CgroupNode(members: directories.map { Member(hierarchy: placeholder, directory: $0, controllers: []) })
    }

    /// Every directory of the node, one per line (what a stage1 records for gc).
    public var record: String { members.map { $0.directory + "\n" }.joined() }
}
