// Certificates plus an HTTPS server with a served directory, torn down together.
// Test support: no XCTest here.
import SkiffSystem

/// A TLS test server serving `root`, with its certificates, in one temporary directory.
public final class TLSFixture {
    /// Holds the certificates, the server script and its request log.
    public let directory: ScratchDirectory
    /// The directory the server serves; write files (and `<name>.redirect`) here.
    public let root: ScratchDirectory
    /// The CA and server certificate.
    public let certificates: TestCertificates
    /// The running HTTPS server.
    public let server: TestTLSServer

    /// Makes certificates (SAN 127.0.0.1, localhost, `extraNames`) and starts the server.

    public init(extraNames: [String] = []) throws {
        directory = try ScratchDirectory("tls")
        root = try ScratchDirectory("tls-root")
        certificates = try TestCertificates(in: directory.path, extraNames: extraNames)
        server = try TestTLSServer(root: root.path, certificates: certificates, workDirectory: directory.path)
    }

    /// Stops the server and removes both directories.

    public func stop() {
        server.stop()
        directory.remove()
        root.remove()
    }
}
