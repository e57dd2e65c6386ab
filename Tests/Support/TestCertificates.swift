// A throwaway CA and a server certificate for 127.0.0.1, made with the real openssl program.
import SkiffSystem

/// A CA, a server certificate it signed (SAN: 127.0.0.1, localhost and any extra names), and a
/// second, unrelated CA for "wrong trust anchor" tests. Files live in `directory`.
public struct TestCertificates {
    /// The trusted test CA (PEM).
    public let caFile: String
    /// The server certificate (PEM), signed by the CA.
    public let certificateFile: String
    /// The server's private key (PEM).
    public let keyFile: String
    /// A CA that did not sign the server certificate.
    public let otherCAFile: String

    /// Generates everything into `directory` (EC P-256 keys: fast to make).
    public init(in directory: String, extraNames: [String] = []) throws {
        caFile = directory + "/ca.pem"
        certificateFile = directory + "/server.pem"
        keyFile = directory + "/server.key"
        otherCAFile = directory + "/other-ca.pem"
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(["req", "-x509"] + key + ["-keyout", directory + "/ca.key", "-out", caFile, "-days", "2", "-subj", "/CN=Skiff Test CA"])
        try Self.openssl(["req", "-x509"] + key + ["-keyout", directory + "/other-ca.key", "-out", otherCAFile, "-days", "2", "-subj", "/CN=Skiff Other CA"])
        try Self.openssl(["req"] + key + ["-keyout", keyFile, "-out", directory + "/server.csr", "-subj", "/CN=127.0.0.1"])
        let names = ["IP:127.0.0.1", "DNS:localhost"] + extraNames.map { "DNS:" + $0 }
        let extensions = directory + "/server.ext"
        try FileSystem.writeAtomically(
            extensions,
            Array("subjectAltName=\(names.joined(separator: ","))\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n".utf8))
        try Self.openssl([
            "x509", "-req", "-in", directory + "/server.csr", "-CA", caFile, "-CAkey", directory + "/ca.key",
            "-CAcreateserial", "-out", certificateFile, "-days", "2", "-extfile", extensions,
        ])
    }

    private static func openssl(_ arguments: [String]) throws {
        let result = try Subprocess.run(["openssl"] + arguments)
        guard result.status == 0 else {
            throw SkiffError(.system, "openssl \(arguments[0]) failed: \(result.stderrLastLine)")
        }
    }
}
