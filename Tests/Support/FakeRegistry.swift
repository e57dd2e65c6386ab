// A registry (distribution API v2, pull side) played by TestHTTPServer over OCITestContent, so a
// test can break exactly one thing (a digest, a size, a blob, a media type, a connection) and
// count the requests. The real registry (docker-registry) is TestRegistry.
import Foundation

extension TestHTTPServer {
    /// Serves `/v2/`, the manifests of `tags` (by tag and by digest) and every blob of `content`
    /// (ranges honoured) for `repository`. Manifests and indexes get their media type as
    /// Content-Type and their digest as Docker-Content-Digest.
    public func serveRegistry(repository: String, content: OCITestContent, tags: [String: TestDescriptor]) {
        route("/v2/") { _ in TestResponse(status: 200, reason: "OK", headers: [("Content-Type", "application/json")], body: Array("{}".utf8)) }
        for (digest, bytes) in content.blobs {
            serveFile("/v2/\(repository)/blobs/\(digest)", bytes)
            if let type = Self.manifestType(bytes) { serveManifest(repository: repository, reference: digest, bytes, type: type) }
        }
        for (tag, descriptor) in tags {
            guard let bytes = content.blobs[descriptor.digest] else { continue }
            serveManifest(repository: repository, reference: tag, bytes, type: descriptor.mediaType)
        }
    }

    /// Answers `/v2/<repository>/manifests/<reference>` with `bytes` as `type`.
    public func serveManifest(repository: String, reference: String, _ bytes: [UInt8], type: String, digest: String? = nil) {
        let headers = [("Content-Type", type), ("Docker-Content-Digest", digest ?? OCITestContent.digest(bytes))]
        route("/v2/\(repository)/manifests/\(reference)") { _ in TestResponse(status: 200, reason: "OK", headers: headers, body: bytes) }
    }

    /// The media type a JSON blob declares, if it is a manifest or an index.
    private static func manifestType(_ bytes: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let type = object["mediaType"] as? String, object["schemaVersion"] != nil
        else { return nil }
        return type
    }
}
