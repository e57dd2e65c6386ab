// fetch: from a file, a URL or a discovered name into the store, verified.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import SkiffFetch
import SkiffImage
import SkiffStore
import SkiffTrust

/// Options of one fetch.
public struct FetchOptions: Sendable {
    public var pullPolicy: PullPolicy = .update
    /// `--signature`: a signature file to use instead of the one next to the image.
    public var signaturePath: String?
    /// Draw a progress bar on a terminal.
    public var progress = true
    /// The file is trusted by where it is installed (Skiff's own stage1 images): no signature.
    public var trustedLocation = false
    public init() {}
}

/// Brings images into the store. Every image is verified before it is committed: its signature
/// by a key trusted for its name (unless `--insecure-options=image`), its layout and manifest,
/// its size limits. Failures are one line naming the image and the cause, and leave the store as
/// it was.
public final class ImageFetcher {
    let config: EngineConfig
    let store: ImageStore
    let trust: TrustStore
    let http: HTTPClient
    let limits: ImageLimits
    let log: (String) -> Void

    public init(config: EngineConfig, store: ImageStore, limits: ImageLimits, log: @escaping (String) -> Void) throws {
        self.config = config
        self.store = store
        self.limits = limits
        self.log = log
        trust = TrustStore(adminDirectory: config.localConfig, vendorDirectory: config.systemConfig)
        let auth = try AuthConfig.load(configDirectories: config.configDirectories)
        http = HTTPClient(auth: auth, policy: config.transportPolicy)
    }

    /// Fetches one image (and its dependencies) and returns its record.
    public func fetch(_ text: String, options: FetchOptions) throws -> ImageRecord {
        let record: ImageRecord
        switch try ImageReference(text, defaultRegistry: limits.defaultRegistry) {
        case .oci(let reference):
            return try OCIFetcher(config: config, store: store, http: http, limits: limits, log: log)
                .fetch(reference, text: text, options: options)
        case .file(let path):
            record = try fetchFile(path, options: options)
        case .remote(let url):
            record = try fetchURL(url, signature: nil, subject: url.absoluteString, wanted: nil, options: options)
        case .id(let id):
            record = try store.resolve(id)
        case .name(let name):
            record = try fetchName(name, options: options)
        }
        try fetchDependencies(of: record, options: options, depth: 0)
        return record
    }

    // MARK: Sources

    /// A local file. With `--pull-policy=new` a file imported before and unchanged since (same
    /// device, inode, size, mtime and ctime: the kernel sets ctime on every change, and nobody can
    /// set it back) is not read again: its image comes from the cache record.
    private func fetchFile(_ path: String, options: FetchOptions) throws -> ImageRecord {
        guard FileSystem.exists(path) else { throw SkiffError(.notFound, "image \(quote(path)): no such file") }
        let source = absolute(path)
        let key = "file://" + source
        let st = try FileSystem.status(source)
        let fingerprint = "\(st.st_dev)-\(st.st_ino)-\(st.st_size)-\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)-\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
        if options.pullPolicy != .update, let cached = try store.remote(for: key), cached.etag == fingerprint,
            let record = try store.record(ImageID(validating: cached.imageID)), FileSystem.exists(store.blobPath(try record.imageID))
        {
            return record
        }
        guard options.pullPolicy != .never else {
            throw SkiffError(.notFound, "image \(quote(path)): --pull-policy=never and the file is not in the store")
        }
        let record: ImageRecord
        if options.trustedLocation {
            record = try importUnsigned(file: path, subject: path, source: source)
        } else {
            let signature = options.signaturePath ?? (path + ".asc")
            let signatureBytes = FileSystem.exists(signature) ? try FileSystem.read(signature) : nil
            record = try importVerified(
                file: path, signature: signatureBytes, signatureName: signature, subject: path, source: source, wanted: nil)
        }
        try store.saveRemote(
            RemoteRecord(url: key, imageID: record.id, etag: fingerprint, maxAge: nil, downloadTime: Int64(time(nil))))
        return record
    }

    /// Imports an image from a location trusted by installation (Skiff's own stage1 images).
    private func importUnsigned(file: String, subject: String, source: String) throws -> ImageRecord {
        let aci = try ACIReader.read(path: file, subject: subject, store: store, limits: limits)
        return try store.commit(aci.blob, manifest: aci.manifestBytes, manifest: aci.manifest, source: source, signer: nil).record
    }

    /// Downloads `url` (honouring the pull policy and the HTTP cache record) and imports it.
    func fetchURL(
        _ url: URL, signature: URL?, subject: String, wanted: ImageName?, options: FetchOptions
    ) throws -> ImageRecord {
        let key = url.absoluteString
        let cached = try store.remote(for: key)
        let cachedRecord = try cached.flatMap { try store.record(ImageID(validating: $0.imageID)) }
        if let cachedRecord {
            if options.pullPolicy != .update { return cachedRecord }
            if let cached, cached.isFresh(now: Int64(time(nil))) { return cachedRecord }
        } else if options.pullPolicy == .never {
            throw SkiffError(.notFound, "image \(quote(subject)): --pull-policy=never and it is not in the store")
        }
        let download = try Download(url: url, store: store)
        let progress = options.progress ? ProgressBar.forStandardError(label: "Downloading \(url.lastPathComponent)") : nil
        let response = try download.run(http, ifNoneMatch: cachedRecord != nil ? cached?.etag : nil, progress: progress)
        if response.status == 304, let cachedRecord, var cached {
            cached.downloadTime = Int64(time(nil))
            cached.maxAge = response.cacheMaxAge
            try store.saveRemote(cached)
            return cachedRecord
        }
        var signatureBytes: [UInt8]?
        let signatureURL = signature ?? URL(string: key + ".asc")
        if !config.insecure.contains(.image), let signatureURL {
            signatureBytes = try http.getData(signatureURL, limit: 1 << 20).1
        }
        let record = try importVerified(
            file: download.path, signature: signatureBytes, signatureName: signatureURL?.absoluteString ?? "",
            subject: subject, source: key, wanted: wanted)
        download.remove()
        try store.saveRemote(
            RemoteRecord(
                url: key, imageID: record.id, etag: response.etag, maxAge: response.cacheMaxAge,
                downloadTime: Int64(time(nil))))
        return record
    }

    /// A name: the store first (policy new), then appc meta-discovery.
    private func fetchName(_ name: ImageName, options: FetchOptions) throws -> ImageRecord {
        if options.pullPolicy != .update, let found = try store.find(name: name.name, labels: name.labels) {
            return found
        }
        if options.pullPolicy == .never {
            throw SkiffError(.notFound, "image \(quote(name.description)): --pull-policy=never and it is not in the store")
        }
        var labels = Platform.hostLabels
        labels.merge(name.labels) { _, new in new }
        let endpoints = try Discovery.discover(name: name.name, labels: labels, client: http)
        guard let first = endpoints.aci.first else {
            throw SkiffError(.notFound, "image \(quote(name.description)): discovery found no image URL")
        }
        try trustDiscoveredKeys(for: name.name, endpoints: endpoints)
        return try fetchURL(
            first.aci, signature: first.signature, subject: name.description, wanted: name, options: options)
    }

    /// `--trust-keys-from-https`: keys from `ac-discovery-pubkeys` are trusted without review,
    /// but only over HTTPS (or with `--insecure-options=pubkey`), and only if none is trusted yet.
    private func trustDiscoveredKeys(for name: String, endpoints: DiscoveryEndpoints) throws {
        guard config.trustKeysFromHTTPS || config.insecure.contains(.pubkey),
            !config.insecure.contains(.image), try trust.keys(for: name).isEmpty
        else { return }
        for keyURL in endpoints.publicKeys {
            guard keyURL.scheme == "https" || config.insecure.contains(.pubkey) else { continue }
            let key = try http.getData(keyURL, limit: 1 << 20).1
            let added = try trust.add(key, source: keyURL.absoluteString, prefix: name)
            log("Trusting key \(added.fingerprint) for prefix \(quote(name)) from \(keyURL.absoluteString)\n")
        }
    }

    // MARK: Verification and import

    /// Reads the ACI, checks the signature against the keys trusted for its name, commits it.
    private func importVerified(
        file: String, signature: [UInt8]?, signatureName: String, subject: String, source: String, wanted: ImageName?
    ) throws -> ImageRecord {
        let aci = try ACIReader.read(path: file, subject: subject, store: store, limits: limits)
        let name = aci.manifest.name.value
        if let wanted, !manifest(aci.manifest, satisfies: wanted.name, labels: wanted.labels) {
            throw SkiffError(.invalid, "\(subject): the image is \(quote(name)), not what was asked for")
        }
        var signer: String?
        if config.insecure.contains(.image) {
            log("image: signature not verified for \(quote(name)) (--insecure-options=image)\n")
        } else {
            guard let signature else {
                throw SkiffError(
                    .invalid, "\(subject): no signature (expected \(signatureName)); use --insecure-options=image to skip")
            }
            let keys = try trust.keys(for: name)
            guard !keys.isEmpty else {
                throw SkiffError(
                    .invalid,
                    "\(subject): no key is trusted for \(quote(name)) (add one with 'skiff trust --prefix=\(name) KEY')")
            }
            let verified = try GPG.verify(file: file, signature: signature, keys: keys, subject: subject)
            log("image: signature verified:\n  \(verified.userID ?? verified.fingerprint)\n")
            signer = verified.fingerprint
        }
        let (record, _) = try store.commit(
            aci.blob, manifest: aci.manifestBytes, manifest: aci.manifest, source: source, signer: signer)
        return record
    }

    /// appc dependencies: fetched by name (and checked against their imageID) before the image
    /// can be rendered.
    private func fetchDependencies(of record: ImageRecord, options: FetchOptions, depth: Int) throws {
        guard depth < 64 else { throw SkiffError(.invalid, "image \(quote(record.displayName)): dependencies nest deeper than 64") }
        let manifest = try store.manifest(ImageID(validating: record.id))
        for dependency in manifest.dependencies {
            var labels: [String: String] = [:]
            for label in dependency.labels { labels[label.name.value] = label.value }
            let wanted = ImageName(name: dependency.imageName.value, labels: labels)
            // A dependency already in the store satisfies it (its ID is checked below); only a
            // missing one is discovered, unless the policy forbids the network.
            var dependencyOptions = options
            if dependencyOptions.pullPolicy == .update { dependencyOptions.pullPolicy = .new }
            let fetched: ImageRecord
            if let id = dependency.imageID, let stored = try store.record(id) {
                fetched = stored
            } else {
                fetched = try fetchName(wanted, options: dependencyOptions)
            }
            if let id = dependency.imageID, fetched.id != id.value {
                throw SkiffError(
                    .invalid, "image \(quote(record.displayName)): dependency \(quote(wanted.description)) is \(fetched.id), not \(id.value)")
            }
            try fetchDependencies(of: fetched, options: options, depth: depth + 1)
        }
    }

    private func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path
    }
}
