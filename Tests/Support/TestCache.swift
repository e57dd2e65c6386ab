// A content-addressed build cache for test artifacts (the probe, test images): each entry is
// built once, by one process, and then only read.
#if canImport(Glibc)
import Glibc
#endif
import SkiffDigest
import SkiffSystem

/// Directories under `TestEnvironment.cacheDirectory`, one per key: `<cache>/<kind>/<key>/`.
///
/// An entry is built in a temporary sibling and renamed into place, under an flock(2) on
/// `<cache>/<kind>/`, so parallel test processes build it once and nobody sees a half-built entry.
/// Keys are digests of every input (sources, tools, recipe), so entries never go stale.
public enum TestCache {
    /// The directory of the entry `key` of `kind`, built by `build(directory)` if missing.
    /// `build` fills the (empty, 0755) directory it is given; if it throws nothing is kept.
    public static func entry(_ kind: String, key: String, build: (String) throws -> Void) throws -> String {
        let parent = TestEnvironment.cacheDirectory + "/" + kind
        let final = parent + "/" + key
        if FileSystem.isDirectory(final) { return final }
        try createShared(TestEnvironment.cacheDirectory)
        try createShared(parent)
        return try buildOnce(final, build: build)
    }

    /// `final`, a directory in an existing parent, built by `build(staging)` if missing: in a
    /// temporary sibling (empty, 0755) renamed into place under an flock(2) on the parent (on the
    /// directory itself: no lock files, readable by any user), so concurrent processes build it
    /// once and nobody sees it half-built; if `build` throws nothing is kept.
    public static func buildOnce(_ final: String, build: (String) throws -> Void) throws -> String {
        let parent = FileSystem.parentPath(final)
        let lock = try FileLock.lock(parent)
        defer { lock.unlock() }
        if FileSystem.isDirectory(final) { return final }  // built by another process meanwhile
        let name = String(final.split(separator: "/").last ?? "entry")
        let staging = try FileSystem.makeTemporaryDirectory(in: parent, prefix: "." + name + ".tmp-")
        do {
            chmod(staging, 0o755)
            try build(staging)
            try FileSystem.rename(staging, to: final)
        } catch {
            try? FileSystem.removeTree(staging)
            throw error
        }
        return final
    }

    /// A cache key: the hex SHA-256 of the parts (each length-prefixed, so parts cannot run
    /// into each other), shortened to 32 characters.
    public static func key(_ parts: [String]) -> String {
        let digest = Digest(.sha256)
        for part in parts {
            digest.update(Array("\(part.utf8.count):".utf8))
            digest.update(Array(part.utf8))
        }
        return String(digest.finalize().hexString.prefix(32))
    }

    /// The hex digest (SHA-256 unless told) of a file's content.
    public static func fileDigest(_ path: String, _ algorithm: DigestAlgorithm = .sha256) throws -> String {
        let file = try FileDescriptor.open(path, O_RDONLY)
        let digest = Digest(algorithm)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try file.read(into: $0) }
            if count == 0 { break }
            chunk.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return digest.finalize().hexString
    }

    /// mkdir with mode 0755 whatever the umask: cache entries are read by other users too
    /// (a probe run under `setpriv --reuid`, an unprivileged developer after a root run).
    private static func createShared(_ path: String) throws {
        if FileSystem.isDirectory(path) { return }
        try FileSystem.createDirectory(path, mode: 0o755)
        chmod(path, 0o755)
    }
}
