// Verifying a detached signature with gpgv against exactly the given trusted key files.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

extension GPG {
    /// The largest key file read into a keyring; real keys are a few KiB, this bounds a bad file.
    static let keyFileLimit = 4 << 20
    /// The largest signature accepted; a detached signature is a few hundred bytes.
    static let signatureLimit = 1 << 20

    /// Verifies a detached signature (armored or binary) of the file at `path` against exactly
    /// `keys` (key files), using gpgv with a temporary keyring built from them (`gpg --dearmor` as
    /// needed) and `--status-fd`. Returns the signer (VALIDSIG primary-key fingerprint, GOODSIG
    /// uid); success needs GOODSIG and VALIDSIG whose primary fingerprint is one of the keys'
    /// fingerprints (the file names), never gpgv's exit status alone. Errors are one line naming
    /// `subject`: not signed by a trusted key (naming the signer's fingerprint or key id), bad
    /// signature (BADSIG), expired or revoked key, expired signature, malformed signature data,
    /// gpg/gpgv missing. Temporary homes go under `temporaryDirectory` (default: $TMPDIR or /tmp).
    public static func verify(
        file path: String, signature: [UInt8], keys: [TrustedKey], subject: String, temporaryDirectory: String? = nil
    ) throws -> Signer {
        try verify(
            file: path, signature: signature, keys: keys, subject: subject, temporaryDirectory: temporaryDirectory,
            tools: GPGTools())
    }

    static func verify(
        file path: String, signature: [UInt8], keys: [TrustedKey], subject: String, temporaryDirectory: String?,
        tools: GPGTools
    ) throws -> Signer {
        let context = "verify \(quote(subject))"
        // Open it first: a missing file is reported as such, not as a failed signature.
        do { _ = try FileDescriptor.open(path, O_RDONLY) } catch let error as SkiffError {
            throw SkiffError(error.code, "\(context): \(error.message)", errno: error.errno)
        }
        if signature.isEmpty { throw SkiffError(.invalid, "\(context): the signature is empty") }
        if signature.count > signatureLimit {
            throw SkiffError(.invalid, "\(context): the signature is larger than \(signatureLimit) bytes")
        }
        let trusted = Set(keys.compactMap { Fingerprint.normalized($0.fingerprint) })
        // gpgv reads stdin for a data file named "-": make a relative path explicit ("./-").
        let dataPath = path.hasPrefix("/") ? path : "./" + path

        let (verdict, output) = try GPGHome.with(parent: temporaryDirectory, tools: tools, context: context) { home in
            let keyring = home.path + "/trusted.gpg"
            let signaturePath = home.path + "/signature"
            try FileSystem.writeAtomically(keyring, try buildKeyring(keys, in: &home), mode: 0o600)
            try FileSystem.writeAtomically(signaturePath, signature, mode: 0o600)
            let output = try home.gpgv(["--keyring", keyring, "--status-fd", "1", "--", signaturePath, dataPath])
            let verdict = VerifyVerdict(VerifyStatus(output.stdoutText), trusted: trusted, exitStatus: output.status)
            return (verdict, output)
        }
        switch verdict {
        case .trusted(let signer):
            return signer
        case .bad(let key):
            throw SkiffError(
                .invalid, "\(context): bad signature by key \(key.keyID.lowercased())\(named(key)) (BADSIG): "
                    + "the file or its signature was altered")
        case .revokedKey(let key):
            throw SkiffError(.invalid, "\(context): signed by revoked key \(key.keyID.lowercased())\(named(key)) (REVKEYSIG)")
        case .expiredKey(let key):
            throw SkiffError(.invalid, "\(context): signed by expired key \(key.keyID.lowercased())\(named(key)) (EXPKEYSIG)")
        case .expiredSignature(let key):
            throw SkiffError(
                .invalid, "\(context): the signature by key \(key.keyID.lowercased())\(named(key)) has expired (EXPSIG)")
        case .untrusted(let signer, let misnamed):
            let detail = misnamed ? ", whose key is in a trusted key file named for another fingerprint" : ""
            throw SkiffError(.invalid, "\(quote(subject)) is not signed by a trusted key: signed by key \(signer)\(detail)")
        case .unchecked(let keyID, let code):
            let why = code == "4" ? "unsupported algorithm" : "gpgv error code \(code)"
            throw SkiffError(.invalid, "\(context): cannot check the signature by key \(keyID) (ERRSIG, \(why))")
        case .malformed:
            throw SkiffError(.invalid, "\(context): malformed signature: no OpenPGP signature found (NODATA)")
        case .failed:
            throw SkiffError(
                .invalid, "\(context): signature not verified (gpgv exit status \(output.status)): \(GPGHome.complaint(output))")
        }
    }

    /// ` ("Jane <jane@example.com>")` when gpg named a user id.
    private static func named(_ key: KeyMention) -> String {
        key.userID.isEmpty ? "" : " (\(quote(key.userID)))"
    }

    /// The binary keyring gpgv reads: every key file, dearmored unless already binary, concatenated
    /// (a keyring in the classic format is a sequence of transferable public keys). Empty files
    /// (disabled vendor keys) contribute nothing.
    static func buildKeyring(_ keys: [TrustedKey], in home: inout GPGHome) throws -> [UInt8] {
        var keyring: [UInt8] = []
        for key in keys {
            let bytes: [UInt8]
            do { bytes = try FileSystem.read(key.path, limit: keyFileLimit) } catch let error as SkiffError {
                throw SkiffError(error.code, "\(home.context): read trusted key: \(error.message)", errno: error.errno)
            }
            if bytes.isEmpty { continue }
            if isBinary(bytes) {
                keyring += bytes
                continue
            }
            let output = try home.gpg(["--dearmor"], input: bytes)
            guard output.status == 0, !output.stdout.isEmpty else {
                throw SkiffError(.invalid, "\(home.context): read trusted key \(quote(key.path)): \(GPGHome.complaint(output))")
            }
            keyring += output.stdout
        }
        return keyring
    }

    /// Whether `bytes` start like binary OpenPGP: every packet header byte has bit 7 set, which no
    /// armored (ASCII) file has; anything else goes through `gpg --dearmor`, which skips text
    /// before the armor header and rejects what is neither.
    static func isBinary(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first else { return false }
        return first & 0x80 != 0
    }
}
