// A registry as an OCI content source: manifests checked against the digest the reference pins
// or the registry announces, blobs downloaded into resumable files of the store and verified as
// they stream; a connection that drops mid-blob is resumed (HTTP Range) a few times.
import SkiffDigest
import SkiffFetch
import SkiffImage
import SkiffStore

extension VerifiedBlob: DownloadSink {}

/// One repository of a registry, for one reference.
final class RegistrySource: OCIContentSource {
    /// Attempts per blob when the connection drops (each resumes where the last one stopped).
    static let attempts = 4

    let client: RegistryClient
    let reference: DockerReference
    let progress: Bool

    init(http: HTTPClient, reference: DockerReference, progress: Bool) throws {
        client = try RegistryClient(
            http: http, host: reference.apiHost, registry: reference.registry, repository: reference.repository,
            acceptedManifestTypes: OCIMediaType.acceptedManifests)
        self.reference = reference
        self.progress = progress
    }

    var nameAndTag: (name: String, tag: String?)? { nil }

    func root() throws -> OCIRoot {
        try client.checkVersion()
        let answer = try client.manifest(reference.manifestReference)
        let actual = OCIDigest.of(answer.bytes, reference.digest?.algorithm ?? .sha256)
        if let pinned = reference.digest, pinned != actual {
            throw SkiffError(.invalid, "the manifest has digest \(actual), not \(pinned) (corrupt or tampered)")
        }
        if let header = answer.digestHeader, let announced = try? OCIDigest(parsing: header),
            announced != OCIDigest.of(answer.bytes, announced.algorithm)
        {
            throw SkiffError(
                .invalid, "the manifest does not have the digest the registry gives for it (\(announced)): corrupt in transit?")
        }
        return OCIRoot(bytes: answer.bytes, declared: answer.contentType)
    }

    func manifest(_ descriptor: OCIDescriptor) throws -> [UInt8] {
        guard descriptor.size <= Int64(manifestLimit) else {
            throw SkiffError(.invalid, "manifest \(descriptor.digest) is \(descriptor.size) bytes (at most \(manifestLimit))")
        }
        let answer = try client.manifest(descriptor.digest.value)
        guard Int64(answer.bytes.count) == descriptor.size, descriptor.digest.matches(answer.bytes) else {
            throw SkiffError(.invalid, "manifest \(descriptor.digest): the registry sent other content (\(answer.bytes.count) bytes)")
        }
        return answer.bytes
    }

    func fetch(_ descriptor: OCIDescriptor, into store: ImageStore) throws {
        let blob = try store.resumableBlob(descriptor, subject: "")
        if store.hasBlob(descriptor) {  // another fetch finished it while this one waited
            blob.discard()
            return
        }
        var attempt = 1
        while true {
            let bar = progress ? ProgressBar.forStandardError(label: "Downloading \(descriptor.digest.hex.prefix(12))") : nil
            do {
                if blob.size < descriptor.size {
                    try client.blob(descriptor.digest.value, to: blob, resumeFrom: blob.size, progress: bar)
                }
                break
            } catch let error as SkiffError where error.code == .system && blob.size < descriptor.size {
                // The connection dropped (or never came): resume from what arrived, quietly; the
                // last failure is the error.
                guard attempt < Self.attempts else {
                    throw SkiffError(error.code, error.message + " (\(attempt) attempts)", errno: error.errno)
                }
                attempt += 1
            }
        }
        try store.finish(blob)
    }
}
