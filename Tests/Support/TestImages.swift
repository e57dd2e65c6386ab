// Test images built from Debian's busybox-static and the probe, once per distinct recipe, into
// the test cache.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// A built test image in the cache. Treat `path` as read-only: copy it (`copy(to:)`) before
/// changing or signing it.
public struct TestImage: Sendable {
    /// The image file (for `.aci`: a gzip-compressed ACI).
    public let path: String
    /// The image ID (`sha512-<hex>` of the uncompressed tar; `sha256:<hex>` of the manifest for
    /// the OCI forms).
    public let id: String
    /// What it was built from.
    public let recipe: TestImageRecipe
    /// Its format.
    public let format: TestImageFormat

    /// The image argument skiff takes: the path for an ACI, `oci:PATH` and so on for the OCI forms.
    public var reference: String { format.reference(path) }

    /// Copies the image's bytes to `target` (never a hard link: a test may corrupt its copy on
    /// purpose, and that must not reach the cache).
    @discardableResult
    public func copy(to target: String) throws -> String {
        unlink(target)
        try TestRootfs.copy(path, to: target, mode: 0o644)
        return target
    }

    /// Copies the image into `directory` as `fileName` and signs the copy with `keyring`
    /// (detached, armored: `<copy>.asc`). Returns both paths.
    public func signed(
        by keyring: TestKeyring, into directory: String, fileName: String = "image.aci"
    ) throws -> (image: String, signature: String) {
        let image = try copy(to: directory + "/" + fileName)
        return (image, try keyring.sign(image))
    }

    /// Extracts the image's `manifest` and `rootfs/` into `directory` with the real tar (owners
    /// kept when running as root; the caller's otherwise), for tests that run the probe under chroot.
    public func unpack(into directory: String) throws {
        let owners = TestEnvironment.isRoot ? "--same-owner" : "--no-same-owner"
        let result = try Subprocess.run(["tar", "--extract", "--file=" + path, owners, "-C", directory])
        guard result.status == 0 else {
            throw SkiffError(
                .system,
                "unpack \(quote(path)) into \(quote(directory)): exit \(result.status): \(result.stderrLastLine)")
        }
    }
}

/// Builds test images (see `TestImageRecipe`), caching each distinct one.
public enum TestImages {
    /// The static busybox: `$SKIFF_TEST_BUSYBOX`, else /bin/busybox (Debian's busybox-static).
    public static var busyboxPath: String { TestEnvironment.value("SKIFF_TEST_BUSYBOX") ?? "/bin/busybox" }

    /// Bumped when the layout `TestRootfs` writes changes, so old cache entries are not reused.
    static let layoutVersion = "busybox-layout-1"

    /// A busybox image named `name` whose app is `/probe <probe...>`, adjusted by `adjust`.
    ///
    ///     let image = try TestImages.busybox(probe: ["env", "---", "exit", "3"]) { $0.environment["A"] = "1" }
    public static func busybox(
        probe arguments: [String] = ["print", "hello"], name: String = "skiff.test/busybox",
        format: TestImageFormat = .aci, _ adjust: (inout TestImageRecipe) -> Void = { _ in }
    ) throws -> TestImage {
        var recipe = TestImageRecipe(name: name, probeArguments: arguments)
        adjust(&recipe)
        return try build(recipe, format: format)
    }

    /// The image for `recipe`, from the cache or built now.
    public static func build(_ recipe: TestImageRecipe, format: TestImageFormat = .aci) throws -> TestImage {
        let busybox = busyboxPath
        guard FileSystem.exists(busybox) else {
            throw SkiffError(
                .notFound, "find busybox for test images at \(quote(busybox)): missing (install busybox-static)")
        }
        guard try StaticBinary.isStatic(busybox) else {
            throw SkiffError(
                .invalid, "use \(quote(busybox)) in test images: dynamically linked (install busybox-static)")
        }
        let probe = recipe.includeProbe ? try ProbeBinary.path() : nil
        // busybox is identified by path, size and mtime (a package upgrade changes them); the
        // probe's cache path already names a digest of its source.
        let info = try FileSystem.status(busybox)
        let key = TestCache.key(
            [layoutVersion, format.rawValue, "\(busybox):\(info.st_size):\(info.st_mtim.tv_sec)", probe ?? "-"]
                + recipe.fingerprint)
        let entry = try TestCache.entry("images", key: key) { directory in
            let staging = directory + "/staging"
            try FileSystem.createDirectory(staging)
            defer { try? FileSystem.removeTree(staging) }
            let staged = try TestRootfs.stage(recipe, busybox: busybox, probe: probe, in: staging)
            let id = try format.packager.package(staged, into: directory)
            try TestRootfs.write(directory + "/image.id", id + "\n", mode: 0o644)
        }
        let id = String(decoding: try FileSystem.read(entry + "/image.id"), as: UTF8.self)
        return TestImage(
            path: entry + "/" + format.fileName, id: id.trimmingNewline, recipe: recipe, format: format)
    }
}

extension String {
    fileprivate var trimmingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
