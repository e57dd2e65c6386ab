// The values the trust store and signature verification hand out (keys, key files, signers)
// and how a key is shown for review.
import SkiffSystem

/// A public key as gpg sees it (from `gpg --with-colons`), identified by its primary key.
public struct KeyInfo: Sendable, Equatable {
    /// The primary key's fingerprint: 40 lowercase hex digits (v4 keys).
    public var fingerprint: String
    /// The user IDs ("Jane <jane@example.com>"), in the order gpg lists them, unescaped.
    public var userIDs: [String]
    /// When the primary key was created (seconds since the epoch), if gpg says.
    public var created: Int64?
    /// When the primary key expires (seconds since the epoch); nil if it does not.
    public var expires: Int64?
    /// Fingerprints of the subkeys (40 lowercase hex each), shown at fingerprint review as rkt did.
    public var subkeys: [String]
    /// gpg's validity says the key is revoked ("r").
    public var revoked: Bool
    /// gpg's validity says the key has expired ("e"), judged at the time of inspection.
    public var expired: Bool

    /// A key description; everything but the fingerprint is optional.
    public init(
        fingerprint: String, userIDs: [String] = [], created: Int64? = nil, expires: Int64? = nil,
        subkeys: [String] = [], revoked: Bool = false, expired: Bool = false
    ) {
        self.fingerprint = fingerprint
        self.userIDs = userIDs
        self.created = created
        self.expires = expires
        self.subkeys = subkeys
        self.revoked = revoked
        self.expired = expired
    }
}

/// A key file in the trust store.
public struct TrustedKey: Sendable, Equatable {
    /// The fingerprint the file is named by (40 lowercase hex): the trust decision is this name.
    public var fingerprint: String
    /// The key file (armored or binary OpenPGP public key).
    public var path: String
    /// The image-name prefix the key is trusted for; nil for a root key (every image).
    public var prefix: String?
    /// Whether the key comes from the vendor directory rather than the admin directory.
    public var vendor: Bool

    /// A key file entry.
    public init(fingerprint: String, path: String, prefix: String?, vendor: Bool) {
        self.fingerprint = fingerprint
        self.path = path
        self.prefix = prefix
        self.vendor = vendor
    }
}

/// Who signed a file, as verified by gpgv.
public struct Signer: Sendable, Equatable {
    /// The primary key fingerprint (40 lowercase hex) of the signing key, even if a subkey signed.
    public var fingerprint: String
    /// The user ID gpgv reported for the good signature, if any.
    public var userID: String?

    /// A verified signer.
    public init(fingerprint: String, userID: String?) {
        self.fingerprint = fingerprint
        self.userID = userID
    }
}

/// Fingerprint spelling: stored and compared as 40 lowercase hex digits.
enum Fingerprint {
    /// `text` lowercased if it is a v4 fingerprint (40 hex digits), else nil.
    static func normalized(_ text: String) -> String? {
        let lower = text.lowercased()
        guard lower.utf8.count == 40, lower.utf8.allSatisfy(isHexDigit) else { return nil }
        return lower
    }

    /// Whether `text` is already a stored-form fingerprint (40 lowercase hex digits).
    static func isStoredForm(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { isHexDigit($0) && !($0 >= 65 && $0 <= 70) }
    }

    /// rkt's display form: uppercase groups of four, two spaces in the middle
    /// ("8B86 DE38 890D DB72 9186  7B02 5210 BD88 8818 2190").
    static func display(_ fingerprint: String) -> String {
        let digits = Array(fingerprint.uppercased())
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && index % 4 == 0 {
                out += index == digits.count / 2 && digits.count == 40 ? "  " : " "
            }
            out.append(digit)
        }
        return out
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70)
    }
}

/// rkt's fingerprint review text for one key, each line ending in "\n":
///
///     Prefix: "example.com/app"
///     Key: "https://example.com/pubkeys.gpg"
///     GPG key fingerprint is: 8B86 DE38 890D DB72 9186  7B02 5210 BD88 8818 2190
///         Subkey fingerprint: 5EF1 0A27 5E1C 7DA9 7234  8358 D263 E4A5 6194 E2B2
///     \tJane <jane@example.com>
///
/// A root key (prefix nil) shows `Prefix: ROOT KEY (matches all names)`, as rkt's keystore did;
/// the "Key:" line appears when `location` (the URL or file it came from) is given. Revoked or
/// expired keys get a warning line. The caller prints the question
/// "Are you sure you want to trust this key (yes/no)?" after it.
public func describeForReview(_ info: KeyInfo, prefix: String?, location: String? = nil) -> String {
    var text = ""
    if let prefix {
        text += "Prefix: \(quote(prefix))\n"
    } else {
        text += "Prefix: ROOT KEY (matches all names)\n"
    }
    if let location { text += "Key: \(quote(location))\n" }
    text += "GPG key fingerprint is: \(Fingerprint.display(info.fingerprint))\n"
    for subkey in info.subkeys {
        text += "    Subkey fingerprint: \(Fingerprint.display(subkey))\n"
    }
    for userID in info.userIDs {
        text += "\t\(printable(userID))\n"
    }
    if info.revoked { text += "WARNING: this key is revoked\n" }
    if info.expired { text += "WARNING: this key has expired\n" }
    return text
}

/// A user id with control characters escaped, so a hostile key cannot rewrite the terminal
/// (clear the screen, fake a different fingerprint line) during review.
private func printable(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar.value {
        case 0x0a: out += "\\n"
        case 0x09: out += "\\t"
        case 0x5c: out += "\\\\"
        case 0..<0x20, 0x7f, 0x80..<0xa0:
            out += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}
