// Which stage1 a pod runs under: flags, then stage1.d configuration, then the default flavor.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffRunOptions
import SkiffStage1
import SkiffStore

/// A stage1 image in the store, checked against the contract.
struct Stage1Image {
    let record: ImageRecord
    let manifest: ImageManifest
    let id: ImageID

    /// The path (inside the stage1 root) of an entrypoint annotation.
    func entrypoint(_ annotation: String) throws -> String {
        guard let value = manifest.annotation(annotation), value.hasPrefix("/") else {
            throw SkiffError(.invalid, "stage1 \(quote(record.displayName)): no \(annotation) entrypoint")
        }
        return value
    }
}

/// Finds, imports and checks the stage1 image of a pod (docs/stage1-abi.md, docs/cli.md).
/// Images in the install directory (or next to the skiff binary) are Skiff's own and trusted
/// without a signature; every other stage1 must be signed unless `--insecure-options=image`.
enum Stage1Selection {
    /// Where Skiff's own stage1 images are installed.
    static let installDirectory = "/usr/lib/skiff/stage1-images"
    /// The flavor used when nothing else is said.
    static let defaultFlavor = "container"

    /// The directory of the running skiff binary (development trees keep stage1 images there).
    static var binaryDirectory: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return "." }
        return FileSystem.parentPath(String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// The default image file of a flavor: the install directory first, then beside the binary.
    static func defaultPath(flavor: String) -> String? {
        let name = "stage1-\(flavor).aci"
        for directory in [installDirectory, binaryDirectory] where FileSystem.exists(directory + "/" + name) {
            return directory + "/" + name
        }
        return nil
    }

    /// Whether the image file sits (after resolving symlinks) in the install directory or beside
    /// the skiff binary.
    static func isTrustedLocation(_ path: String) -> Bool {
        guard let resolved = realPath(path) else { return false }
        let directory = FileSystem.parentPath(resolved)
        return directory == realPath(installDirectory) || directory == realPath(binaryDirectory)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Resolves the stage1 for a pod and imports it into the store if needed.
    static func select(_ choice: Stage1Choice?, fetcher: ImageFetcher, store: ImageStore, config: EngineConfig) throws -> Stage1Image {
        var options = FetchOptions()
        options.pullPolicy = .new
        options.progress = false
        let record: ImageRecord
        let selected = try choice ?? configured(config)
        switch selected {
        case .path(let path):
            options.trustedLocation = isTrustedLocation(path)
            record = try fetcher.fetch(path, options: options)
        case .fromDir(let file):
            let path = installDirectory + "/" + file
            guard FileSystem.exists(path) else { throw SkiffError(.notFound, "stage1 \(quote(file)): not in \(installDirectory)") }
            options.trustedLocation = true
            record = try fetcher.fetch(path, options: options)
        case .name(let name):
            record = try fetcher.fetch(name, options: options)
        case .hash(let hash):
            record = try store.resolve(hash)
        case .url(let url):
            record = try fetcher.fetch(url, options: options)
        }
        let id = try record.imageID
        let manifest = try store.manifest(id)
        try check(manifest, record)
        return Stage1Image(record: record, manifest: manifest, id: id)
    }

    /// stage1.d configuration, or the default flavor's image.
    static func configured(_ config: EngineConfig) throws -> Stage1Choice {
        if let location = try ConfigFiles.stage1Location(config) { return location }
        guard let path = defaultPath(flavor: defaultFlavor) else {
            throw SkiffError(
                .notFound,
                "no stage1 image: stage1-\(defaultFlavor).aci is neither in \(installDirectory) nor beside skiff (make builds it)")
        }
        return .path(path)
    }

    /// The contract: every entrypoint annotated, an interface version this Skiff knows.
    static func check(_ manifest: ImageManifest, _ record: ImageRecord) throws {
        let name = quote(record.displayName)
        guard let version = manifest.annotation(Stage1Contract.Annotation.interfaceVersion) else {
            throw SkiffError(.invalid, "stage1 \(name): not a stage1 image (no \(Stage1Contract.Annotation.interfaceVersion))")
        }
        guard Int(version) == Stage1Contract.interfaceVersion else {
            throw SkiffError(
                .invalid, "stage1 \(name): interface version \(version) is not supported (this skiff speaks \(Stage1Contract.interfaceVersion))")
        }
        for annotation in [Stage1Contract.Annotation.run, Stage1Contract.Annotation.enter, Stage1Contract.Annotation.stop, Stage1Contract.Annotation.gc] {
            guard let value = manifest.annotation(annotation), value.hasPrefix("/") else {
                throw SkiffError(.invalid, "stage1 \(name): no \(annotation) entrypoint")
            }
        }
    }
}
