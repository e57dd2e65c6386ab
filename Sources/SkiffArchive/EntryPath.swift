// Cleaning and checking the destination path of an entry before anything touches the disk.

/// Lexical rules for entry paths (see SafeExtractor's rules).
enum EntryPath {
    /// Why a path was refused.
    enum Problem: Error {
        case empty, absolute, escapes, nul, tooLong(Int)

        var message: String {
            switch self {
            case .empty: return "empty path"
            case .absolute: return "absolute path"
            case .escapes: return "path escapes the target"
            case .nul: return "path contains a nul byte"
            case .tooLong(let limit): return "path longer than \(limit) bytes"
            }
        }
    }

    /// `raw` with repeated "/", "./" and a trailing "/" removed. Throws for empty names, absolute
    /// paths, ".." components, NUL bytes and paths over `maxBytes`.
    static func clean(_ raw: String, maxBytes: Int) throws(Problem) -> String {
        let utf8 = raw.utf8
        if utf8.isEmpty { throw .empty }
        if utf8.count > maxBytes { throw .tooLong(maxBytes) }
        if utf8.first == 0x2f { throw .absolute }
        // One pass over the bytes: most paths are already clean and are returned as they are.
        var dirty = false
        var componentLength = 0
        var dots = 0
        func endComponent() throws(Problem) {
            if componentLength == 0 || (componentLength == 1 && dots == 1) { dirty = true }
            if componentLength == 2 && dots == 2 { throw .escapes }
            componentLength = 0
            dots = 0
        }
        for byte in utf8 {
            switch byte {
            case 0: throw .nul
            case 0x2f: try endComponent()
            case 0x2e:
                componentLength += 1
                dots += 1
            default: componentLength += 1
            }
        }
        try endComponent()
        if !dirty { return raw }
        let kept = raw.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if kept.isEmpty { throw .empty }
        return kept.joined(separator: "/")
    }

    /// Splits a clean path into its parent ("" for the root) and last component.
    static func split(_ path: String) -> (parent: String, name: String) {
        guard let slash = path.utf8.lastIndex(of: 0x2f) else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    /// `parent/name`, or `name` at the root.
    static func join(_ parent: String, _ name: String) -> String {
        parent.isEmpty ? name : parent + "/" + name
    }
}
