// The OCI reference forms: `docker://…` (a registry), `oci:DIR[:REF]` (an OCI image layout),
// `oci-archive:FILE[:REF]` (a tar of one) and `docker-archive:FILE[:REPO:TAG]` (`docker save`).
// As in containers/image, the path ends at the first ":"; REF may also be `@sha256:…`, which
// pins the manifest.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage

/// Where an OCI image comes from.
enum OCIReference: Equatable {
    case docker(DockerReference)
    case layout(path: String, ref: String?)
    case archive(path: String, ref: String?)
    case dockerArchive(path: String, tag: String?)

    /// Parses the text after its scheme word; nil for other forms.
    init?(_ text: String, defaultRegistry: String) throws {
        if text.hasPrefix("docker://") {
            self = .docker(try DockerReference(parsing: String(text.dropFirst(9)), defaultRegistry: defaultRegistry))
        } else if text.hasPrefix("oci:") {
            let (path, ref) = try Self.split(String(text.dropFirst(4)), text: text)
            self = .layout(path: path, ref: ref)
        } else if text.hasPrefix("oci-archive:") {
            let (path, ref) = try Self.split(String(text.dropFirst(12)), text: text)
            self = .archive(path: path, ref: ref)
        } else if text.hasPrefix("docker-archive:") {
            let (path, tag) = try Self.split(String(text.dropFirst(15)), text: text)
            self = .dockerArchive(path: path, tag: tag)
        } else {
            return nil
        }
    }

    /// "PATH[:REF]" or "PATH@sha256:…" into the absolute path and the reference.
    private static func split(_ rest: String, text: String) throws -> (String, String?) {
        var path = rest
        var ref: String?
        if let at = rest.firstIndex(of: "@"), rest[rest.index(after: at)...].hasPrefix("sha") {
            path = String(rest[..<at])
            ref = String(rest[at...])
        } else if let colon = rest.firstIndex(of: ":") {
            path = String(rest[..<colon])
            ref = String(rest[rest.index(after: colon)...])
        }
        guard !path.isEmpty else { throw SkiffError(.usage, "image \(quote(text)): no path") }
        if ref?.isEmpty == true { ref = nil }
        return (absolutePath(path), ref)
    }

    /// The manifest digest the reference pins, if any: then its content is verified against it
    /// and no signature is needed.
    var pinnedDigest: OCIDigest? {
        switch self {
        case .docker(let reference): return reference.digest
        case .layout(_, let ref), .archive(_, let ref):
            guard let ref, ref.hasPrefix("@") else { return nil }
            return try? OCIDigest(parsing: String(ref.dropFirst()))
        case .dockerArchive: return nil
        }
    }

    /// The key of the store's record of what this reference resolved to last (the tag's digest).
    var key: String {
        switch self {
        case .docker(let reference): return reference.description
        case .layout(let path, let ref): return "oci:" + path + (ref.map { ":" + $0 } ?? "")
        case .archive(let path, let ref): return "oci-archive:" + path + (ref.map { ":" + $0 } ?? "")
        case .dockerArchive(let path, let tag): return "docker-archive:" + path + (tag.map { ":" + $0 } ?? "")
        }
    }

    /// The local file or directory, for the local forms.
    var localPath: String? {
        switch self {
        case .docker: return nil
        case .layout(let path, _), .archive(let path, _), .dockerArchive(let path, _): return path
        }
    }

    /// The name and tag the image gets in the store: registry/repository and tag for docker;
    /// for a layout whose REF is an image reference ("example.com/app:1.0", as skopeo writes),
    /// that reference's name and tag; otherwise the path and REF.
    func nameAndTag(defaultRegistry: String) -> (name: String, tag: String?) {
        switch self {
        case .docker(let reference): return (reference.name, reference.tag)
        case .layout(let path, let ref), .archive(let path, let ref):
            return Self.nameAndTag(path: path, ref: ref, defaultRegistry: defaultRegistry)
        case .dockerArchive(let path, let ref):
            guard let ref, let parsed = try? DockerReference(parsing: ref, defaultRegistry: defaultRegistry) else { return (path, nil) }
            return (parsed.name, parsed.tag)
        }
    }

    /// A layout image's name and tag from its ref name: an image reference ("example.com/app:1.0")
    /// gives its name and tag, a plain tag ("latest") the layout's path and that tag.
    static func nameAndTag(path: String, ref: String?, defaultRegistry: String) -> (name: String, tag: String?) {
        guard let ref, !ref.hasPrefix("@") else { return (path, nil) }
        if ref.contains("/"), let parsed = try? DockerReference(parsing: ref, defaultRegistry: defaultRegistry) {
            return (parsed.name, parsed.tag)
        }
        return (path, ref)
    }
}

/// `path` made absolute against the working directory.
func absolutePath(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    let directory = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return directory + "/" + (path.hasPrefix("./") ? String(path.dropFirst(2)) : path)
}
