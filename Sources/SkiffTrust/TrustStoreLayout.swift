// Where the trust store's files live, how admin and vendor directories are merged, and which
// image-name prefixes (the directories of prefix.d) are valid.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

extension TrustStore {
    /// A key file found in one of the two directories.
    private struct KeyFile {
        let path: String
        let isEmpty: Bool
    }

    /// `<base>/trustedkeys/root.d` or `<base>/trustedkeys/prefix.d/<prefix>`, after checking the prefix.
    func keyDirectory(_ base: String, prefix: String?, operation: String) throws -> String {
        guard let prefix else { return base + "/trustedkeys/root.d" }
        guard ImagePrefix.isValid(prefix) else {
            throw SkiffError(.usage, "\(operation): invalid prefix \(quote(prefix)): \(ImagePrefix.rule)")
        }
        return base + "/trustedkeys/prefix.d/" + prefix
    }

    /// The keys of one prefix (nil: root), admin over vendor: an admin file hides the vendor file
    /// of the same name, and an empty one hides it without replacing it (rkt's way to disable a
    /// vendor key). Sorted by fingerprint.
    func merged(prefix: String?) throws -> [TrustedKey] {
        let operation = "list trusted keys"
        let admin = try keyFiles(in: keyDirectory(adminDirectory, prefix: prefix, operation: operation))
        let vendor = try keyFiles(in: keyDirectory(vendorDirectory, prefix: prefix, operation: operation))
        var result: [TrustedKey] = []
        for name in Set(admin.keys).union(vendor.keys).sorted() {
            if let file = admin[name] {
                if !file.isEmpty {
                    result.append(TrustedKey(fingerprint: name, path: file.path, prefix: prefix, vendor: false))
                }
            } else if let file = vendor[name], !file.isEmpty {
                result.append(TrustedKey(fingerprint: name, path: file.path, prefix: prefix, vendor: true))
            }
        }
        return result
    }

    /// The regular files (or symlinks to them) named by a lowercase fingerprint in `directory`;
    /// a missing directory has none.
    private func keyFiles(in directory: String) throws -> [String: KeyFile] {
        let names: [String]
        do { names = try FileSystem.list(directory) } catch let error as SkiffError
            where error.errno == ENOENT || error.errno == ENOTDIR
        {
            return [:]
        }
        var files: [String: KeyFile] = [:]
        for name in names where Fingerprint.isStoredForm(name) {
            let path = directory + "/" + name
            var st = stat()
            guard stat(path, &st) == 0 else {
                if errno == ENOENT { continue }  // a dangling symlink is no key
                throw SkiffError.system("list trusted keys: stat \(quote(path))")
            }
            guard st.st_mode & S_IFMT == S_IFREG else { continue }
            files[name] = KeyFile(path: path, isEmpty: st.st_size == 0)
        }
        return files
    }

    /// Every directory below prefix.d whose relative path is a valid prefix (not following
    /// symlinked directories, so a loop cannot hang the walk).
    func collectPrefixes(_ directory: String, relative: String, into prefixes: inout Set<String>) throws {
        let names: [String]
        do { names = try FileSystem.list(directory) } catch let error as SkiffError
            where error.errno == ENOENT || error.errno == ENOTDIR
        {
            return
        }
        for name in names where !name.hasPrefix(".") {
            let path = directory + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else { continue }
            let prefix = relative.isEmpty ? name : relative + "/" + name
            guard ImagePrefix.isValid(prefix) else { continue }
            prefixes.insert(prefix)
            try collectPrefixes(path, relative: prefix, into: &prefixes)
        }
    }
}

/// An appc AC identifier used as an image name or trust prefix: `[a-z0-9]+([-._~/][a-z0-9]+)*`
/// (appc spec, types/acidentifier.go). The grammar alone rules out "..", "//", a leading or
/// trailing "/" and uppercase, so a valid prefix is always a safe relative path below prefix.d.
enum ImagePrefix {
    /// Whether `name` is an AC identifier.
    static func isValid(_ name: String) -> Bool {
        var previousWasSeparator = true  // the name must start with [a-z0-9]
        for byte in name.utf8 {
            if isAlphanumeric(byte) {
                previousWasSeparator = false
            } else if isSeparator(byte) {
                if previousWasSeparator { return false }
                previousWasSeparator = true
            } else {
                return false
            }
        }
        return !previousWasSeparator  // non-empty, and must end with [a-z0-9]
    }

    /// Every prefix of `name` at a "/" boundary, longest first: "example.com/app/foo" gives
    /// "example.com/app/foo", "example.com/app", "example.com" (never "example.com/ap").
    static func pathPrefixes(of name: String) -> [String] {
        var prefixes = [name]
        var current = Substring(name)
        while let slash = current.lastIndex(of: "/") {
            current = current[..<slash]
            prefixes.append(String(current))
        }
        return prefixes
    }

    /// Why a prefix is refused, for one-line errors.
    static let rule = "lowercase letters and digits, separated by single \"-\", \".\", \"_\", \"~\" or \"/\", "
        + "e.g. \"example.com/app\""

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
            || byte == UInt8(ascii: "/")
    }
}
