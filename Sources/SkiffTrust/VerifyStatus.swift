// gpgv's --status-fd report (GnuPG doc/DETAILS), read per signature, and the verdict Skiff draws:
// "signed by this trusted key" or one reason why not.
// The exit status alone is not enough: gpgv exits 0 for a good signature by an expired or revoked
// key (EXPKEYSIG/REVKEYSIG), so the verdict is taken from the status lines.

/// A key mentioned in a status line: its key id (or fingerprint) and the user id gpg printed.
struct KeyMention: Equatable {
    var keyID: String
    var userID: String
}

/// What gpgv said about one signature in the file (the lines after one NEWSIG).
struct SignatureReport: Equatable {
    /// GOODSIG: the signature is cryptographically good.
    var good: KeyMention?
    /// VALIDSIG: the signing key's fingerprint and field 10, the primary key's fingerprint.
    var validSigner: String?
    var validPrimary: String?
    /// BADSIG: the data does not match the signature.
    var bad: KeyMention?
    /// ERRSIG: key id, return code (9: no public key, 4: unknown algorithm) and fingerprint if sent.
    var errorKeyID: String?
    var errorCode: String?
    var errorFingerprint: String?
    /// NO_PUBKEY key id.
    var missingKey: String?
    /// EXPKEYSIG, REVKEYSIG: the key is expired or revoked; EXPSIG: the signature has expired.
    var expiredKey: KeyMention?
    var revokedKey: KeyMention?
    var expiredSignature: KeyMention?

    /// A clean good signature: GOODSIG and VALIDSIG with a primary fingerprint, nothing against it.
    var isCleanGood: Bool {
        good != nil && validPrimary != nil && bad == nil && errorCode == nil && expiredKey == nil
            && revokedKey == nil && expiredSignature == nil
    }

    /// Only "no public key" went wrong: the signer is not in the trusted keyring.
    var isMissingKeyOnly: Bool {
        good == nil && bad == nil && expiredKey == nil && revokedKey == nil && expiredSignature == nil
            && (errorCode == "9" || (errorCode == nil && missingKey != nil))
    }

    /// The best name for the signing key: its fingerprint when known, else its long key id.
    var signerName: String {
        let name = errorFingerprint ?? validPrimary ?? missingKey ?? errorKeyID ?? good?.keyID ?? bad?.keyID
        return (name ?? "unknown").lowercased()
    }
}

/// All of gpgv's status lines for one run.
struct VerifyStatus {
    private(set) var signatures: [SignatureReport] = []
    /// NODATA: no OpenPGP data (or no signature) where a signature was expected.
    private(set) var noData = false

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            var words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard words.count >= 2, words[0] == "[GNUPG:]" else { continue }
            words.removeFirst()
            let keyword = words.removeFirst()
            if keyword == "NEWSIG" {
                signatures.append(SignatureReport())
                continue
            }
            if keyword == "NODATA" {
                noData = true
                continue
            }
            // Everything else belongs to the current signature (gpg 2.2 always sends NEWSIG first).
            if signatures.isEmpty { signatures.append(SignatureReport()) }
            apply(keyword, words, to: &signatures[signatures.count - 1])
        }
    }

    private func apply(_ keyword: String, _ args: [String], to report: inout SignatureReport) {
        let keyID = args.first ?? ""
        // The user id is the rest of the line, with "%XX" escapes for special characters.
        let userID = Self.percentDecoded(args.dropFirst().joined(separator: " "))
        switch keyword {
        case "GOODSIG": report.good = KeyMention(keyID: keyID, userID: userID)
        case "BADSIG": report.bad = KeyMention(keyID: keyID, userID: userID)
        case "EXPKEYSIG": report.expiredKey = KeyMention(keyID: keyID, userID: userID)
        case "REVKEYSIG": report.revokedKey = KeyMention(keyID: keyID, userID: userID)
        case "EXPSIG": report.expiredSignature = KeyMention(keyID: keyID, userID: userID)
        case "NO_PUBKEY": report.missingKey = keyID
        case "ERRSIG":
            // ERRSIG <keyid> <pkalgo> <hashalgo> <sig_class> <time> <rc> [<fpr>]
            report.errorKeyID = keyID
            report.errorCode = args.count > 5 ? args[5] : ""
            report.errorFingerprint = args.count > 6 ? Fingerprint.normalized(args[6]) : nil
        case "VALIDSIG":
            // VALIDSIG <fpr> <date> <timestamp> <expire> <version> <reserved> <pkalgo> <hashalgo> <class> <primary-fpr>
            report.validSigner = Fingerprint.normalized(keyID)
            report.validPrimary = args.count > 9 ? Fingerprint.normalized(args[9]) : nil
        default:
            break
        }
    }

    /// Decodes "%XX" escapes (gpg escapes "%", control characters and non-printables so).
    static func percentDecoded(_ text: String) -> String {
        let input = Array(text.utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "%"), index + 2 < input.count,
                let value = UInt8(String(decoding: input[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The outcome of checking a detached signature against a set of trusted fingerprints.
enum VerifyVerdict: Equatable {
    /// A good signature by a trusted primary key.
    case trusted(Signer)
    /// The data does not match a signature (tampered file or signature).
    case bad(KeyMention)
    /// The signing key is revoked.
    case revokedKey(KeyMention)
    /// The signing key has expired.
    case expiredKey(KeyMention)
    /// The signature itself has expired.
    case expiredSignature(KeyMention)
    /// Not signed by any trusted key; names the signer. `misnamed`: the signer's key was in the
    /// keyring but in a key file named for another fingerprint, so the name-based trust refused it.
    case untrusted(signer: String, misnamed: Bool)
    /// gpgv could not check the signature for another reason (ERRSIG code, e.g. 4: unknown algorithm).
    case unchecked(keyID: String, code: String)
    /// No OpenPGP signature in the signature data.
    case malformed
    /// gpgv failed without a status line that explains it.
    case failed

    /// Decides. Rules, in order: any BADSIG, revoked key, expired key or expired signature fails the
    /// whole file (a multi-signature file with one bad signature is suspect); otherwise a clean good
    /// signature whose VALIDSIG primary fingerprint is in `trusted` wins, provided every other
    /// signature is also good or merely by an unknown key (rkt accepted the first signature whose
    /// issuer it knew) and gpgv's exit status agrees; otherwise the first signer is named.
    init(_ status: VerifyStatus, trusted: Set<String>, exitStatus: Int32) {
        let reports = status.signatures
        // For an expired or revoked key gpgv still sends VALIDSIG: name the key by its fingerprint.
        func named(_ report: SignatureReport, _ mention: KeyMention) -> KeyMention {
            KeyMention(keyID: report.validPrimary ?? mention.keyID, userID: mention.userID)
        }
        if let bad = reports.lazy.compactMap(\.bad).first {
            self = .bad(bad)
        } else if let report = reports.first(where: { $0.revokedKey != nil }), let revoked = report.revokedKey {
            self = .revokedKey(named(report, revoked))
        } else if let report = reports.first(where: { $0.expiredKey != nil }), let expired = report.expiredKey {
            self = .expiredKey(named(report, expired))
        } else if let report = reports.first(where: { $0.expiredSignature != nil }), let expired = report.expiredSignature {
            self = .expiredSignature(named(report, expired))
        } else if let winner = reports.first(where: { $0.isCleanGood && trusted.contains($0.validPrimary ?? "") }),
            let fingerprint = winner.validPrimary,
            reports.allSatisfy({ $0.isCleanGood || $0.isMissingKeyOnly }),
            exitStatus == 0 || reports.contains(where: \.isMissingKeyOnly)
        {
            self = .trusted(Signer(fingerprint: fingerprint, userID: winner.good?.userID))
        } else if let stranger = reports.first(where: { $0.isCleanGood }), let primary = stranger.validPrimary,
            !trusted.contains(primary)
        {
            self = .untrusted(signer: primary, misnamed: true)
        } else if let unknown = reports.first(where: \.isMissingKeyOnly) {
            self = .untrusted(signer: unknown.signerName, misnamed: false)
        } else if let unchecked = reports.first(where: { $0.errorCode != nil }) {
            self = .unchecked(keyID: unchecked.signerName, code: unchecked.errorCode ?? "")
        } else if reports.isEmpty || status.noData {
            self = .malformed
        } else {
            self = .failed
        }
    }
}
