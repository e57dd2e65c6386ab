// pathWhitelist (aci.md; ace.md "Filesystem Setup" step 3): a non-empty whitelist is the complete
// set of paths left in the rootfs. Listed paths are exact: listing a directory keeps the directory,
// not what is inside it (as appc's acirenderer does). Parents of listed paths stay, so the listed
// paths have somewhere to live.

/// A path whitelist: which rootfs paths survive rendering.
public struct PathWhitelist: Sendable, Equatable {
    /// Listed paths, normalized without the leading "/" ("usr/bin/x"); "" is the root itself.
    private let listed: Set<String>
    /// Every proper ancestor of a listed path (always including the root "").
    private let ancestors: Set<String>

    /// A whitelist of absolute (or rootfs-relative) paths; an empty list keeps everything.
    public init(_ paths: [String]) {
        let normalized = Set(paths.map(PathWhitelist.normalize))
        listed = normalized
        var parents = Set<String>()
        for path in normalized {
            var components = path.split(separator: "/")
            while !components.isEmpty {
                components.removeLast()
                parents.insert(components.joined(separator: "/"))
            }
        }
        ancestors = parents
    }

    /// True for an empty whitelist, which keeps everything.
    public var isEmpty: Bool { listed.isEmpty }

    /// The listed paths, absolute and sorted ("/" for the root).
    public var paths: [String] { listed.map { "/" + $0 }.sorted() }

    /// Whether the path (like "usr/bin/x", "/usr/bin/x" or "usr/bin/") stays in the rootfs.
    public func keeps(_ path: String) -> Bool {
        if listed.isEmpty { return true }
        let normalized = PathWhitelist.normalize(path)
        return normalized.isEmpty || listed.contains(normalized) || ancestors.contains(normalized)
    }

    /// The whitelist keeping exactly what both keep (neither may be empty). Never empty itself:
    /// when nothing but the root survives it is ["/"].
    func intersection(_ other: PathWhitelist) -> PathWhitelist {
        // Both kept-sets are closed under "parent of", so their intersection is too and its
        // maximal elements describe it.
        let mine = listed.union(ancestors)
        let both = mine.intersection(other.listed.union(other.ancestors))
        let maximal = both.filter { path in
            !both.contains { candidate in candidate != path && (path.isEmpty || candidate.hasPrefix(path + "/")) }
        }
        return PathWhitelist(maximal.isEmpty ? ["/"] : maximal.map { "/" + $0 })
    }

    /// Strips "/", "." and empty components and resolves ".." (never above the root).
    static func normalize(_ path: String) -> String {
        var components: [Substring] = []
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() }
            default: components.append(component)
            }
        }
        return components.joined(separator: "/")
    }
}
