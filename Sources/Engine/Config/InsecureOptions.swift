// --insecure-options: every security check Skiff does by default, and the words that lift them.

/// The checks a user can lift with `--insecure-options=a,b` (rkt's values and groups).
public struct InsecureOptions: OptionSet, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Accept images without a trusted signature.
    public static let image = InsecureOptions(rawValue: 1 << 0)
    /// Accept any TLS certificate.
    public static let tls = InsecureOptions(rawValue: 1 << 1)
    /// Allow plain HTTP for images, signatures, discovery and keys.
    public static let http = InsecureOptions(rawValue: 1 << 2)
    /// Trust keys fetched insecurely during fetch.
    public static let pubkey = InsecureOptions(rawValue: 1 << 3)
    /// Give apps all capabilities.
    public static let capabilities = InsecureOptions(rawValue: 1 << 4)
    /// Do not mask or make read-only /proc and /sys paths.
    public static let paths = InsecureOptions(rawValue: 1 << 5)
    /// Do not install a seccomp filter.
    public static let seccomp = InsecureOptions(rawValue: 1 << 6)
    /// Accepted for rkt compatibility and ignored (on-disk verification is `image verify`).
    public static let ondisk = InsecureOptions(rawValue: 1 << 7)

    public static let allFetch: InsecureOptions = [.image, .tls, .http, .pubkey]
    public static let allRun: InsecureOptions = [.capabilities, .paths, .seccomp]
    public static let all: InsecureOptions = [.allFetch, .allRun, .ondisk]

    static let words: [(String, InsecureOptions)] = [
        ("none", []), ("image", .image), ("tls", .tls), ("http", .http), ("pubkey", .pubkey),
        ("capabilities", .capabilities), ("paths", .paths), ("seccomp", .seccomp), ("ondisk", .ondisk),
        ("all-fetch", .allFetch), ("all-run", .allRun), ("all", .all),
    ]

    /// Parses a comma-separated list; every word must be known.
    public init(parsing text: String) throws {
        var options: InsecureOptions = []
        for word in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = word.trimmingCharacters(in: " ")
            guard let match = Self.words.first(where: { $0.0 == trimmed }) else {
                let known = Self.words.map(\.0).joined(separator: ", ")
                throw SkiffError(.usage, "--insecure-options: unknown value \"\(trimmed)\" (one of \(known))")
            }
            options.formUnion(match.1)
        }
        self = options
    }

    /// The single words that are set, comma-separated ("none" for none).
    public var description: String {
        let set = Self.words.filter { $0.1.rawValue.nonzeroBitCount == 1 && contains($0.1) }.map(\.0)
        return set.isEmpty ? "none" : set.joined(separator: ",")
    }
}

extension Substring {
    func trimmingCharacters(in character: Character) -> String {
        // Indices, not drop/reversed: those generic wrappers cost every process that parses
        // the option their metadata set-up (0.1 ms, on every `skiff run`).
        var start = startIndex, end = endIndex
        while start < end && self[start] == character { start = index(after: start) }
        while end > start && self[index(before: end)] == character { end = index(before: end) }
        return String(self[start..<end])
    }
}
