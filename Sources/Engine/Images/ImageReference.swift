// What the user named on the command line: a file, a URL, an image ID or an image name.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffImage

/// A user's image argument, classified the way rkt did: an existing file wins, then URLs by
/// scheme, then the OCI forms by scheme word, then IDs, then appc names (resolved by discovery).
enum ImageReference: Equatable {
    case file(String)
    case remote(URL)
    case id(String)
    case name(ImageName)
    /// `docker://`, `oci:`, `oci-archive:` or `docker-archive:`.
    case oci(OCIReference)

    /// Classifies `text`; `defaultRegistry` completes `docker://` names without a host.
    init(_ text: String, defaultRegistry: String = DockerReference.dockerHub) throws {
        if let oci = try OCIReference(text, defaultRegistry: defaultRegistry) {
            self = .oci(oci)
        } else if text.hasPrefix("file://") {
            self = .file(String(text.dropFirst("file://".count)))
        } else if text.hasPrefix("http://") || text.hasPrefix("https://") {
            guard let url = URL(string: text), url.host != nil else {
                throw SkiffError(.usage, "image \(quote(text)): not a valid URL")
            }
            self = .remote(url)
        } else if text.contains("/") && FileSystem.exists(text) || text.hasSuffix(".aci") {
            self = .file(text)
        } else if text.hasPrefix("sha512-") || text.hasPrefix("sha256:") {
            self = .id(text)
        } else {
            self = .name(try ImageName(parsing: text))
        }
    }
}

/// `--pull-policy`: when to ask the network.
public enum PullPolicy: String, Sendable, CaseIterable {
    /// Use the store if the image is there; fetch otherwise.
    case new
    /// Ask the remote for a newer version (honouring ETag and Cache-Control).
    case update
    /// Never touch the network: the image must be in the store.
    case never

    init(parsing text: String) throws {
        guard let policy = PullPolicy(rawValue: text) else {
            throw SkiffError(.usage, "--pull-policy: unknown value \"\(text)\" (new, update or never)")
        }
        self = policy
    }
}
