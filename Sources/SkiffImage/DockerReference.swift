// Docker image references (distribution's reference grammar): `[host[:port]/]repo[:tag][@digest]`.
// The first component is a registry host when it has a "." or ":" or is "localhost"; otherwise
// the default registry is meant, and on Docker Hub a single-component name is an official
// image under `library/`.
import SkiffSystem

/// A parsed `docker://` reference (without the scheme).
public struct DockerReference: Sendable, Equatable, CustomStringConvertible {
    /// The registry as written or defaulted: "docker.io", "127.0.0.1:5000", "quay.io".
    public var registry: String
    /// The repository path: "library/debian", "team/app".
    public var repository: String
    /// The tag; "latest" when neither tag nor digest was given.
    public var tag: String?
    /// The manifest (or index) digest, when the reference pins one.
    public var digest: OCIDigest?

    /// Docker Hub's name in references.
    public static let dockerHub = "docker.io"

    /// Parses `text` (no `docker://`). `defaultRegistry` is used when the name has no host part.
    /// Throws `SkiffError(.usage, "image \"docker://…\": why")`.
    public init(parsing text: String, defaultRegistry: String = DockerReference.dockerHub) throws {
        func fail(_ why: String) -> SkiffError { SkiffError(.usage, "image \(quote("docker://" + text)): \(why)") }
        var rest = Substring(text)
        var digest: OCIDigest?
        if let at = rest.firstIndex(of: "@") {
            do { digest = try OCIDigest(parsing: String(rest[rest.index(after: at)...])) } catch let error as SkiffError {
                throw fail(error.message)
            }
            rest = rest[..<at]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var registry = defaultRegistry
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost"
        {
            registry = first.lowercased()
            components.removeFirst()
        }
        var tag: String?
        if let last = components.last, let colon = last.lastIndex(of: ":") {
            tag = String(last[last.index(after: colon)...])
            components[components.count - 1] = String(last[..<colon])
        }
        guard !components.isEmpty, components.allSatisfy(Self.isValidComponent) else {
            throw fail("not a valid repository name (lowercase letters, digits and . _ - separators)")
        }
        if let tag, !Self.isValidTag(tag) { throw fail("tag \(quote(tag)) is not valid") }
        if registry == Self.dockerHub && components.count == 1 { components.insert("library", at: 0) }
        self.registry = registry
        self.repository = components.joined(separator: "/")
        self.tag = tag ?? (digest == nil ? "latest" : nil)
        self.digest = digest
    }

    /// The host the registry API is at (Docker Hub's API is registry-1.docker.io).
    public var apiHost: String { registry == Self.dockerHub ? "registry-1.docker.io" : registry }

    /// "registry/repository": the image's name in the store.
    public var name: String { registry + "/" + repository }

    /// What the manifest endpoint is asked for: the digest if pinned, else the tag.
    public var manifestReference: String { digest?.value ?? tag ?? "latest" }

    /// `docker://registry/repository:tag` or `…@digest` (the tag too when both are given).
    public var description: String {
        var text = "docker://" + name
        if let tag { text += ":" + tag }
        if let digest { text += "@" + digest.value }
        return text
    }

    /// A path component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
    static func isValidComponent(_ component: String) -> Bool {
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        var index = 0
        while index < bytes.count {
            if isAlphanumeric(bytes[index]) {
                index += 1
                continue
            }
            var run = 0
            let separator = bytes[index]
            while index < bytes.count, !isAlphanumeric(bytes[index]) {
                guard bytes[index] == separator, [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-")].contains(separator) else {
                    return false
                }
                run += 1
                index += 1
            }
            if separator == UInt8(ascii: ".") && run > 1 { return false }
            if separator == UInt8(ascii: "_") && run > 2 { return false }
        }
        return true
    }

    /// A tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    static func isValidTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, bytes.count <= 128, isWord(first) else { return false }
        return bytes.allSatisfy { isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isWord(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
    }
}
