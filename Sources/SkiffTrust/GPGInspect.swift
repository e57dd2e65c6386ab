// Reading public key files with gpg's machine-readable listing, without importing them anywhere.
import SkiffSystem

/// Skiff's use of GnuPG: inspecting key files and verifying detached signatures, always through
/// the real `gpg`/`gpgv` programs in a throwaway home, never through a PGP library.
public enum GPG {
    /// The keys in an armored or binary public key file, without touching any keyring of the user
    /// (temporary GNUPGHOME, `gpg --with-colons --import-options show-only --import`). Errors name
    /// the source. A file with secret key material is refused, so it never lands in a trust store.
    /// Temporary homes go under `temporaryDirectory` (default: $TMPDIR or /tmp).
    public static func inspect(_ key: [UInt8], source: String, temporaryDirectory: String? = nil) throws -> [KeyInfo] {
        try inspect(key, source: source, temporaryDirectory: temporaryDirectory, tools: GPGTools())
    }

    static func inspect(_ key: [UInt8], source: String, temporaryDirectory: String?, tools: GPGTools) throws
        -> [KeyInfo]
    {
        let context = "inspect key \(quote(source))"
        if key.isEmpty { throw SkiffError(.invalid, "\(context): the file is empty") }
        let output = try GPGHome.with(parent: temporaryDirectory, tools: tools, context: context) { home in
            try home.gpg(
                ["--with-colons", "--fixed-list-mode", "--with-subkey-fingerprint", "--import-options", "show-only",
                 "--import"],
                input: key, mayStartAgent: true)
        }
        guard output.status == 0 else {
            throw SkiffError(.invalid, "\(context): \(GPGHome.complaint(output))")
        }
        let listing = ColonListing(output.stdoutText)
        if listing.hasSecretKeys {
            throw SkiffError(.invalid, "\(context): contains secret key material; give the public key only")
        }
        if listing.keys.isEmpty { throw SkiffError(.invalid, "\(context): contains no OpenPGP public key") }
        return listing.keys
    }
}

/// gpg's `--with-colons` key listing (doc/DETAILS in GnuPG): one record per line, fields split by
/// ":"; field 1 the record type, 2 validity, 6 creation, 7 expiry, 10 user ID or fingerprint.
struct ColonListing {
    private(set) var keys: [KeyInfo] = []
    private(set) var hasSecretKeys = false

    init(_ text: String) {
        // Which key the next "fpr" record belongs to: the primary ("pub") or a subkey ("sub").
        var expectingPrimaryFingerprint = false
        var current: KeyInfo?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard let type = fields.first else { continue }
            func field(_ number: Int) -> String { fields.count >= number ? fields[number - 1] : "" }
            switch type {
            case "pub", "sec":
                if type == "sec" { hasSecretKeys = true }
                if let key = current, !key.fingerprint.isEmpty { keys.append(key) }
                let validity = field(2)
                current = KeyInfo(
                    fingerprint: "", created: Int64(field(6)), expires: Int64(field(7)),
                    revoked: validity == "r", expired: validity == "e")
                expectingPrimaryFingerprint = true
            case "sub", "ssb":
                if type == "ssb" { hasSecretKeys = true }
                expectingPrimaryFingerprint = false
            case "fpr":
                guard let fingerprint = Fingerprint.normalized(field(10)) else { continue }
                if expectingPrimaryFingerprint {
                    current?.fingerprint = fingerprint
                    expectingPrimaryFingerprint = false
                } else {
                    current?.subkeys.append(fingerprint)
                }
            case "uid":
                current?.userIDs.append(Self.unescape(field(10)))
            default:
                continue
            }
        }
        if let key = current, !key.fingerprint.isEmpty { keys.append(key) }
    }

    /// Undoes gpg's C-style quoting of user IDs ("\x3a" for ":", "\\" for "\").
    static func unescape(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.utf8)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "\\"), index + 3 < input.count, input[index + 1] == UInt8(ascii: "x"),
                let value = UInt8(String(decoding: input[(index + 2)...(index + 3)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 4
            } else if input[index] == UInt8(ascii: "\\"), index + 1 < input.count, input[index + 1] == UInt8(ascii: "\\") {
                bytes.append(UInt8(ascii: "\\"))
                index += 2
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
