// A real distribution image for the tests: a Debian 12 minbase tree from debootstrap, made once
// by ci/debian-rootfs and cached outside the repository (/var/cache/skiff-test, or
// $SKIFF_TEST_DEBIAN_CACHE), and an OCI layout of it (one gzip layer made with GNU tar, the way
// image builders pack a rootfs), cached beside it. Needs root (debootstrap) and the Debian mirror
// ($SKIFF_TEST_DEBIAN_MIRROR) the first time; about 30 s. SKIFF_TEST_DEBIAN=0 skips the tests
// that use it.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SkiffSystem
import XCTest

/// The cached Debian tree and its OCI layout.
public enum DebianRootfs {
    /// Where the tree and the layout are kept between runs.
    public static var cacheDirectory: String { TestEnvironment.value("SKIFF_TEST_DEBIAN_CACHE") ?? "/var/cache/skiff-test" }

    static let name = "debian-12-minbase"

    /// The root filesystem, made now by `ci/debian-rootfs` (the script make check runs first)
    /// if it is not cached. Skips (XCTSkip) when turned off, not root, or debootstrap is
    /// missing; a failing debootstrap is an error.
    public static func rootfs(from origin: String = #filePath) throws -> String {
        if TestEnvironment.value("SKIFF_TEST_DEBIAN") == "0" { throw XCTSkip("SKIFF_TEST_DEBIAN=0") }
        let cached = cacheDirectory + "/" + name + "/rootfs"
        if FileSystem.isDirectory(cached) { return cached }
        guard TestEnvironment.isRoot else { throw XCTSkip("debootstrap needs root") }
        guard TestEnvironment.which("debootstrap") ?? TestEnvironment.which("/usr/sbin/debootstrap") != nil else {
            throw XCTSkip("debootstrap is not installed (ci/install-deps check)")
        }
        let result = try Subprocess.run([try script(from: origin)])
        let path = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, path == cached else {
            throw TestSupportError("ci/debian-rootfs: exit \(result.status): \(result.stderrLastLine)")
        }
        return path
    }

    /// `ci/debian-rootfs` in the first directory above this source file that has it.
    static func script(from origin: String) throws -> String {
        var directory = FileSystem.parentPath(origin)
        while directory != "/" && directory != "." {
            if FileSystem.exists(directory + "/ci/debian-rootfs") { return directory + "/ci/debian-rootfs" }
            directory = FileSystem.parentPath(directory)
        }
        throw TestSupportError("find ci/debian-rootfs above \(origin)")
    }

    /// An OCI layout of the tree: `(path, manifest digest)`, its ref `debian:12`.
    public static func layout() throws -> (path: String, digest: String) {
        let rootfs = try rootfs()
        let entry = try cached(name + "-oci") { staging in
            let tarPath = staging + "/layer.tar"
            let tar = try Subprocess.run([
                "tar", "--create", "--file=" + tarPath, "--format=pax", "--sort=name", "--numeric-owner", "--xattrs",
                "--xattrs-include=*", "-C", rootfs, ".",
            ])
            guard tar.status == 0 else { throw TestSupportError("tar the Debian tree: \(tar.stderrText)") }
            let tarBytes = try FileSystem.read(tarPath, limit: 4 << 30)
            let compressor = TestEnvironment.which("pigz") != nil ? "pigz" : "gzip"
            let gzip = try Subprocess.run([compressor, "-n", "-6", "-c", tarPath])
            guard gzip.status == 0 else { throw TestSupportError("\(compressor) the Debian layer: \(gzip.stderrText)") }
            unlink(tarPath)
            let content = OCITestContent(scratch: staging)
            let layer = content.add(gzip.stdout, mediaType: OCITestContent.layerGzipType)
            let config = try content.config(
                diffIDs: [OCITestContent.digest(tarBytes)],
                run: ["Cmd": ["bash"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]])
            let manifest = try content.manifest(config: config, layers: [layer])
            try content.writeLayout(to: staging + "/layout", refs: [(manifest, "debian:12")])
            try FileSystem.writeAtomically(staging + "/digest", Array(manifest.digest.utf8))
        }
        return (entry + "/layout", String(decoding: try FileSystem.read(entry + "/digest"), as: UTF8.self))
    }

    /// `<cache>/<key>`, built once (TestCache.buildOnce) by `build(staging)`.
    private static func cached(_ key: String, build: (String) throws -> Void) throws -> String {
        let final = cacheDirectory + "/" + key
        if FileSystem.isDirectory(final) { return final }
        try FileSystem.createDirectory(cacheDirectory, mode: 0o755)
        return try TestCache.buildOnce(final, build: build)
    }
}
