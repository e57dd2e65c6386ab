// rkt's trust store: key files named by fingerprint, per image-name prefix, admin over vendor.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// rkt's trust store: keys stored as files named by lowercase fingerprint under
/// `<dir>/trustedkeys/root.d/` and `<dir>/trustedkeys/prefix.d/<prefix>/`, in an admin dir
/// (default /etc/skiff) over a vendor dir (default /usr/lib/skiff). An empty file in the admin dir
/// with the same relative path disables the vendor key. Files not named by a lowercase
/// fingerprint (temporary files, notes) are ignored.
public struct TrustStore: Sendable {
    /// Where `skiff trust` writes keys.
    public static let defaultAdminDirectory = "/etc/skiff"
    /// Where a distribution ships keys.
    public static let defaultVendorDirectory = "/usr/lib/skiff"

    /// The admin directory (holds `trustedkeys/`).
    public let adminDirectory: String
    /// The vendor directory (holds `trustedkeys/`).
    public let vendorDirectory: String
    /// Where `add` makes its throwaway GNUPGHOME; nil: $TMPDIR or /tmp.
    public let temporaryDirectory: String?

    /// A store over the given admin and vendor directories (neither needs to exist yet).
    public init(
        adminDirectory: String = TrustStore.defaultAdminDirectory,
        vendorDirectory: String = TrustStore.defaultVendorDirectory, temporaryDirectory: String? = nil
    ) {
        self.adminDirectory = adminDirectory
        self.vendorDirectory = vendorDirectory
        self.temporaryDirectory = temporaryDirectory
    }

    /// Adds a key (armored or binary): validates with GPG.inspect (exactly one primary key, not
    /// revoked, not expired), writes it atomically as
    /// `<admin>/trustedkeys/prefix.d/<prefix>/<fingerprint>` (or root.d) and returns it. The prefix
    /// must be an AC identifier (lowercase, no "..", no leading "/"). Adding a key over an empty
    /// disabling file re-enables it.
    public func add(_ key: [UInt8], source: String, prefix: String?) throws -> TrustedKey {
        let context = "trust key \(quote(source))"
        let directory = try keyDirectory(adminDirectory, prefix: prefix, operation: context)
        let infos = try GPG.inspect(key, source: source, temporaryDirectory: temporaryDirectory)
        guard infos.count == 1, let info = infos.first else {
            throw SkiffError(.invalid, "\(context): contains \(infos.count) keys; give exactly one")
        }
        if info.revoked { throw SkiffError(.invalid, "\(context): key \(info.fingerprint) is revoked") }
        if info.expired { throw SkiffError(.invalid, "\(context): key \(info.fingerprint) has expired") }
        let path = directory + "/" + info.fingerprint
        do {
            try FileSystem.createDirectory(directory)
            try FileSystem.writeAtomically(path, key, mode: 0o644)
        } catch let error as SkiffError {
            throw SkiffError(error.code, "\(context): \(error.message)", errno: error.errno)
        }
        return TrustedKey(fingerprint: info.fingerprint, path: path, prefix: prefix, vendor: false)
    }

    /// Keys that apply to an image name: root.d keys plus the keys of every prefix that is a path
    /// prefix of the name ("example.com/app/foo" matches prefixes "example.com/app/foo",
    /// "example.com/app", "example.com"; not "example.com/ap"), admin and vendor merged, disabled
    /// vendor keys dropped. Root keys come first, then from the shortest prefix to the longest.
    public func keys(for imageName: String) throws -> [TrustedKey] {
        guard ImagePrefix.isValid(imageName) else {
            throw SkiffError(.usage, "trusted keys for \(quote(imageName)): not a valid image name (\(ImagePrefix.rule))")
        }
        var result = try merged(prefix: nil)
        for prefix in ImagePrefix.pathPrefixes(of: imageName).reversed() {
            result += try merged(prefix: prefix)
        }
        return result
    }

    /// Every key, for listing: root keys, then every prefix in name order; disabled vendor keys
    /// are left out.
    public func allKeys() throws -> [TrustedKey] {
        var prefixes = Set<String>()
        for base in [adminDirectory, vendorDirectory] {
            try collectPrefixes(base + "/trustedkeys/prefix.d", relative: "", into: &prefixes)
        }
        var result = try merged(prefix: nil)
        for prefix in prefixes.sorted() { result += try merged(prefix: prefix) }
        return result
    }

    /// Removes a key by fingerprint from the admin dir (for tests/tools), and the prefix
    /// directories it leaves empty. Vendor keys are disabled, not removed: see the type's notes.
    public func remove(fingerprint: String, prefix: String?) throws {
        let context = "remove trusted key \(quote(fingerprint))"
        guard let name = Fingerprint.normalized(fingerprint) else {
            throw SkiffError(.usage, "\(context): not a key fingerprint (40 hex digits)")
        }
        let directory = try keyDirectory(adminDirectory, prefix: prefix, operation: context)
        let path = directory + "/" + name
        if unlink(path) < 0 {
            if errno == ENOENT {
                let scope = prefix.map { "prefix \(quote($0))" } ?? "root"
                throw SkiffError(.notFound, "\(context): no such key for \(scope) in \(quote(adminDirectory))")
            }
            throw SkiffError.system("\(context): unlink \(quote(path))")
        }
        FileSystem.syncDirectory(directory)
        // Tidy empty prefix directories up to prefix.d (rmdir fails harmlessly on a non-empty one).
        if let prefix {
            let base = adminDirectory + "/trustedkeys/prefix.d"
            for component in ImagePrefix.pathPrefixes(of: prefix) where rmdir(base + "/" + component) < 0 { break }
        }
    }
}
