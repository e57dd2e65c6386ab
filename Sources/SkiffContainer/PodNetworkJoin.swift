// The container stage1's side of pod networking: stage0 made the pod's network namespace (CNI
// networks attached, docs/networking.md) and passes its path as `--netns`; the run process joins
// it before it unshares the pod's other namespaces, so the init and every app are inside. The
// namespace outlives the pod's processes (bind-mounted): gc removes it, not this stage1.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// Joining the namespace stage0 made.
enum PodNetworkJoin {
    /// How the pod is networked, from `--net` and `--netns`: `.join` the namespace stage0 made
    /// (any CNI networks), `.own` a new namespace with loopback only (`--net=none`), `.host` the
    /// caller's. A CNI network without `--netns` is refused: stage0 attaches networks, not this
    /// stage1 (the contract says a stage1 fails rather than run another pod).
    enum Mode: Equatable {
        case join(String), own, host
    }

    /// The mode for the run arguments.
    static func mode(networks: [String], namespace: String?) throws -> Mode {
        if networks.count > 1 && (networks.contains("host") || networks.contains("none")) {
            throw SkiffError(.usage, "--net=\(networks.joined(separator: ",")): host and none stand alone")
        }
        if networks == ["host"] {
            guard namespace == nil else { throw SkiffError(.usage, "--netns cannot go with --net=host") }
            return .host
        }
        if let namespace { return .join(namespace) }
        // No --net at all: a stage0 that attaches no networks; loopback only, as before CNI.
        if networks == ["none"] || networks.isEmpty { return .own }
        throw SkiffError(
            .usage,
            "network \(quote(networks.first ?? "default")): no pod network namespace given (--netns); stage0 attaches CNI networks"
        )
    }

    /// Moves the calling thread (the run process's only one that forks) into the namespace at
    /// `path`; the init and the apps, forked from it, start inside.
    static func join(_ path: String) throws {
        let descriptor = try FileDescriptor.open(path, O_RDONLY)
        guard sk_is_netns(descriptor.raw) == 1 else {
            throw SkiffError(.invalid, "join the pod network namespace \(quote(path)): not a network namespace")
        }
        try check("join the pod network namespace \(quote(path))") { sk_netns_enter(descriptor.raw) }
    }
}
