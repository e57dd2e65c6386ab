// Throwaway OpenPGP keys made with the real gpg for the trust tests, shared by one test class.
import Foundation
import Glibc
import SkiffSystem
import XCTest

/// Keys generated fast (ed25519, no passphrase) in a private GNUPGHOME, with their armored and
/// binary public exports; signs files with them. Generating needs gpg-agent, so `shutdown` kills
/// it and removes every file.
final class KeyFixture: @unchecked Sendable {
    /// The kinds of key a test class can ask for.
    enum Kind: CaseIterable {
        /// Jane Doe: valid, with a separate signing subkey.
        case jane
        /// Mallory: valid, created in 2020 (so signatures can be made with a faked 2021 clock).
        case mallory
        /// Old: created 2020-01-01, expired a day later.
        case expired
        /// Rev: valid but revoked.
        case revoked
    }

    /// One generated key.
    struct Key {
        let fingerprint: String  // lowercase
        let userID: String
        let armored: [UInt8]
        let binary: [UInt8]
        let subkey: String?  // lowercase, jane only
    }

    let root: String
    let home: String
    /// A payload and its binary signature by the revoked key, made before it was revoked (a
    /// revoked key cannot sign any more).
    private(set) var signedBeforeRevocation: (payload: [UInt8], signature: [UInt8])?
    /// A C locale and the caller's PATH; no agent variables of the user.
    static let environment = ["LANG": "C", "LC_ALL": "C", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
    private(set) var keys: [Kind: Key] = [:]

    init(_ kinds: [Kind]) throws {
        root = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-trust-test.")
        home = root + "/gnupg"
        do {
            try FileSystem.createDirectory(home, mode: 0o700)
            for kind in kinds { keys[kind] = try make(kind) }
        } catch {
            shutdown()
            throw error
        }
    }

    /// The key of `kind` (the class asked for it in setUp).
    func key(_ kind: Kind) throws -> Key {
        guard let key = keys[kind] else { throw XCTSkip("fixture has no \(kind) key") }
        return key
    }

    /// Runs gpg in the fixture's home; throws with gpg's stderr if it fails.
    @discardableResult
    func gpg(_ arguments: [String], input: [UInt8]? = nil) throws -> Subprocess.Output {
        let argv = ["gpg", "--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", ""]
            + arguments
        let output = try Subprocess.run(argv, input: input, environment: Self.environment)
        guard output.status == 0 else {
            throw SkiffError(.system, "fixture: \(arguments.joined(separator: " ")): \(output.stderrText)")
        }
        return output
    }

    /// A detached signature of `file` by `key` (its primary key unless `subkey`), armored or binary,
    /// optionally with a faked clock and a signature lifetime.
    func sign(
        _ file: String, by key: Key, armor: Bool, subkey: Bool = false, fakedTime: String? = nil,
        expiresAfter: String? = nil
    ) throws -> [UInt8] {
        let signer = (subkey ? key.subkey ?? key.fingerprint : key.fingerprint) + "!"
        var arguments = ["--local-user", signer, "--output", "-"]
        if let fakedTime { arguments += ["--faked-system-time", fakedTime] }
        if let expiresAfter { arguments += ["--default-sig-expire", expiresAfter] }
        arguments += armor ? ["--armor", "--detach-sign", file] : ["--detach-sign", file]
        return try gpg(arguments).stdout
    }

    /// Kills the agent key generation started and removes every file.
    func shutdown() {
        _ = try? Subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], environment: Self.environment)
        _ = try? Subprocess.run(["gpgconf", "--homedir", home, "--remove-socketdir"], environment: Self.environment)
        try? FileSystem.removeTree(root)
    }

    private func make(_ kind: Kind) throws -> Key {
        switch kind {
        case .jane:
            let primary = try generate("Jane Doe <jane@example.com>", expiry: "never")
            let status = try gpg(["--status-fd", "1", "--quick-add-key", primary, "ed25519", "sign", "never"])
            let subkey = created(status.stdoutText, kind: "S")
            return try export(primary, userID: "Jane Doe <jane@example.com>", subkey: subkey)
        case .mallory:
            let primary = try generate("Mallory <mallory@example.com>", expiry: "never", fakedTime: "20200101T000000")
            return try export(primary, userID: "Mallory <mallory@example.com>")
        case .expired:
            let primary = try generate("Old <old@example.com>", expiry: "1d", fakedTime: "20200101T000000")
            return try export(primary, userID: "Old <old@example.com>")
        case .revoked:
            let primary = try generate("Rev <rev@example.com>", expiry: "never")
            let payload = Array("signed before the revocation\n".utf8)
            try FileSystem.writeAtomically(root + "/revoked-payload", payload)
            let signature = try gpg(["--local-user", primary + "!", "--output", "-", "--detach-sign", root + "/revoked-payload"])
            signedBeforeRevocation = (payload, signature.stdout)
            // gpg stores a revocation certificate at generation, its armor guarded by a leading ":".
            let certificate = try FileSystem.read(home + "/openpgp-revocs.d/" + primary.uppercased() + ".rev")
            let text = String(decoding: certificate, as: UTF8.self).replacingOccurrences(of: "\n:-----", with: "\n-----")
            try gpg(["--import"], input: Array(text.utf8))
            return try export(primary, userID: "Rev <rev@example.com>")
        }
    }

    private func generate(_ userID: String, expiry: String, fakedTime: String? = nil) throws -> String {
        var arguments = ["--status-fd", "1"]
        if let fakedTime { arguments += ["--faked-system-time", fakedTime] }
        arguments += ["--quick-gen-key", userID, "ed25519", "sign", expiry]
        guard let fingerprint = created(try gpg(arguments).stdoutText, kind: "P") else {
            throw SkiffError(.system, "fixture: no KEY_CREATED for \(userID)")
        }
        return fingerprint
    }

    /// The fingerprint from "[GNUPG:] KEY_CREATED <P|S|B> <fpr>", lowercased.
    private func created(_ status: String, kind: String) -> String? {
        for line in status.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count >= 4, words[1] == "KEY_CREATED", words[2] == kind || words[2] == "B" {
                return words[3].lowercased()
            }
        }
        return nil
    }

    private func export(_ fingerprint: String, userID: String, subkey: String? = nil) throws -> Key {
        let armored = try gpg(["--armor", "--export", fingerprint]).stdout
        let binary = try gpg(["--export", fingerprint]).stdout
        return Key(fingerprint: fingerprint, userID: userID, armored: armored, binary: binary, subkey: subkey)
    }
}

/// Test helpers shared by the trust tests.
enum TrustTestSupport {
    /// Writes `bytes` to `path`, creating parent directories.
    static func write(_ path: String, _ bytes: [UInt8]) throws {
        try FileSystem.createDirectory(FileSystem.parentPath(path))
        try FileSystem.writeAtomically(path, bytes)
    }

    /// The pids of live processes whose command line mentions `text` (e.g. a temporary GNUPGHOME);
    /// zombies have an empty command line and do not count.
    static func processes(mentioning text: String) -> [Int32] {
        guard let entries = try? FileSystem.list("/proc") else { return [] }
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let cmdline = try? FileSystem.read("/proc/\(entry)/cmdline") else { return nil }
            let words = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return words.contains { $0.contains(text) } ? pid : nil
        }
    }
}
