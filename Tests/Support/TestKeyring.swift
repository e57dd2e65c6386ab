// Throwaway gpg keys for tests: generate, export, sign. Nothing touches the user's keyrings.
import Foundation
import SkiffSystem

/// A temporary GNUPGHOME holding one secret key, removed (with any agent) on deinit.
public final class TestKeyring {
    public let home: String
    public let uid: String
    public private(set) var fingerprint = ""

    public init(name: String = "Skiff Test", email: String = "test@skiff.invalid", expired: Bool = false) throws {
        home = try makeTemporaryDirectory("skiff-gpg")
        chmod(home, 0o700)
        uid = "\(name) <\(email)>"
        let expiry = expired ? "seconds=1" : "never"
        try gpg(["--quick-gen-key", uid, "ed25519", "sign", expiry])
        let listing = try gpg(["--with-colons", "--list-secret-keys"])
        fingerprint = listing.split(separator: "\n").first { $0.hasPrefix("fpr:") }
            .map { String($0.split(separator: ":", omittingEmptySubsequences: false)[9]).lowercased() } ?? ""
        if expired { sleep(2) }
    }

    deinit {
        _ = try? Subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"])
        try? FileSystem.removeTree(home)
    }

    /// The ASCII-armored public key.
    public func publicKey() throws -> String { try gpg(["--armor", "--export", fingerprint]) }

    /// Writes the public key to `path`.
    public func writePublicKey(to path: String) throws {
        try publicKey().write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Signs `path` into `path.asc` (armored, detached) and returns the signature path.
    @discardableResult
    public func sign(_ path: String, to signature: String? = nil) throws -> String {
        let output = signature ?? path + ".asc"
        unlink(output)
        try gpg(["--armor", "--detach-sign", "--output", output, path])
        return output
    }

    @discardableResult
    private func gpg(_ arguments: [String]) throws -> String {
        let result = try Subprocess.run(
            ["gpg", "--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", ""] + arguments,
            environment: ["PATH": "/usr/bin:/bin", "LANG": "C"])
        guard result.status == 0 else { throw TestSupportError("gpg \(arguments.first ?? ""): \(result.stderrText)") }
        return result.stdoutText
    }
}

/// mkdtemp under the system temporary directory.
public func makeTemporaryDirectory(_ prefix: String) throws -> String {
    var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { throw TestSupportError("mkdtemp: \(errno)") }
    return String(cString: made)
}
