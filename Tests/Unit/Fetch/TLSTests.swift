// TLS through curl: a private CA, insecure mode, and refusal of an untrusted certificate.
import FoundationEssentials
import SkiffDigest
import SkiffSystem
import SkiffTestSupport
import XCTest

@testable import SkiffFetch

final class TLSTests: XCTestCase {
    // One server for the whole class: making certificates and starting Python costs ~0.1 s.
    nonisolated(unsafe) static var fixture: TLSFixture?
    static let body: [UInt8] = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    override class func setUp() {
        super.setUp()
        do {
            let tls = try TLSFixture()
            try tls.root.write("img.aci", body)
            fixture = tls
        } catch {
            XCTFail("tls fixture: \(error)")
        }
    }

    override class func tearDown() {
        fixture?.stop()
        fixture = nil
        super.tearDown()
    }

    private var tls: TLSFixture { TLSTests.fixture! }
    private var imageURL: URL { URL(string: tls.server.baseURL + "/img.aci")! }

    private func client(_ policy: TransportPolicy, auth: AuthConfig = AuthConfig()) -> HTTPClient {
        HTTPClient(auth: auth, policy: policy)
    }

    func testTrustedThroughCAFile() throws {
        final class Collect: DownloadSink {
            var bytes: [UInt8] = []
            func write(_ chunk: UnsafeRawBufferPointer) throws { bytes += chunk }
        }
        let sink = Collect()
        let response = try client(TransportPolicy(caFile: tls.certificates.caFile)).get(imageURL, to: sink)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(sink.bytes, TLSTests.body)
    }

    func testInsecureAcceptsAnyCertificate() throws {
        let (response, bytes) = try client(TransportPolicy(insecureTLS: true)).getData(imageURL)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(Digest.hash(.sha256, bytes), Digest.hash(.sha256, TLSTests.body))
    }

    func testUntrustedCertificateFailsOnOneLine() {
        do {
            _ = try client(TransportPolicy()).getData(imageURL)
            XCTFail("an untrusted certificate was accepted")
        } catch let error as SkiffError {
            XCTAssertEqual(
                error.message, "fetch \(imageURL.absoluteString): SSL certificate problem: unable to get local issuer certificate")
        } catch {
            XCTFail("\(error)")
        }
    }

    func testWrongCAFails() {
        XCTAssertThrowsError(try client(TransportPolicy(caFile: tls.certificates.otherCAFile)).getData(imageURL)) {
            let message = ($0 as? SkiffError)?.message ?? ""
            XCTAssertTrue(message.hasPrefix("fetch \(self.imageURL.absoluteString): SSL certificate problem"), message)
            XCTAssertFalse(message.contains("\n"))
        }
    }

    func testCredentialsSentOverTLS() throws {
        let conf = try ScratchDirectory("tls-auth")
        defer { conf.remove() }
        try conf.write(
            "auth.d/a.json",
            #"{"rktKind":"auth","rktVersion":"v1","domains":["127.0.0.1"],"type":"oauth","credentials":{"token":"tls-token"}}"#)
        let auth = try AuthConfig.load(configDirectories: [conf.path])
        _ = try client(TransportPolicy(caFile: tls.certificates.caFile), auth: auth).getData(imageURL)
        let logged = try tls.server.requests().last
        XCTAssertEqual(logged?.headers["authorization"], "Bearer tls-token")
    }
}
