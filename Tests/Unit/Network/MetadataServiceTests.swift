// The appc metadata service over real sockets (a private Unix socket and 127.0.0.1): every
// endpoint with its content type, HMAC sign and verify, a forged signature, an unregistered pod,
// registration over the Unix socket.
import SkiffImage
import SkiffSystem
import XCTest
@testable import SkiffNetwork

final class MetadataServiceTests: XCTestCase {
    private var root = ""
    private var service: MetadataService?
    private let uuid = "6f2b1e7e-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
    private let imageID = "sha512-" + String(repeating: "ab", count: 64)

    private var podManifest: [UInt8] {
        Array(#"""
            {"acKind":"PodManifest","acVersion":"0.8.11","apps":[{"name":"web","image":{"name":"example.com/web","id":"\#(imageID)"},
             "annotations":[{"name":"role","value":"pod-side"}]}],
             "annotations":[{"name":"team","value":"skiff"},{"name":"tier","value":"front"}]}
            """#.utf8)
    }
    private let imageManifest = Array(#"""
        {"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/web",
         "annotations":[{"name":"role","value":"image-side"},{"name":"authors","value":"skiff team"}]}
        """#.utf8)

    override func setUpWithError() throws {
        root = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-mds-test-")
        service = try MetadataService(socketPath: root + "/mds.sock", address: "127.0.0.1", port: 0)
    }

    override func tearDownWithError() throws {
        service?.stop()
        try FileSystem.removeTree(root)
    }

    private func get(_ token: String, _ path: String) throws -> HTTPClientResponse {
        try HTTPClient.send("GET", "/\(token)/acMetadata/v1/\(path)", to: .tcp("127.0.0.1", try XCTUnwrap(service).port))
    }

    private func post(_ token: String, _ path: String, _ form: [(String, String)]) throws -> HTTPClientResponse {
        let body = form.map { "\($0.0)=\(HTTPCoding.percentEncode($0.1))" }.joined(separator: "&")
        return try HTTPClient.send(
            "POST", "/\(token)/acMetadata/v1/\(path)", body: Array(body.utf8), contentType: "application/x-www-form-urlencoded",
            to: .tcp("127.0.0.1", try XCTUnwrap(service).port))
    }

    private func registerOverSocket(address: String? = nil) throws -> String {
        try MetadataClient.register(
            socketPath: root + "/mds.sock", uuid: uuid, podManifest: podManifest, imageManifests: [("web", imageManifest)], address: address)
    }

    func testEveryEndpointWithExactContentTypes() throws {
        let token = try registerOverSocket()
        XCTAssertEqual(token.count, 64, "256-bit token")
        let json = "application/json"
        let text = "text/plain; charset=us-ascii"
        let cases: [(String, String, String)] = [
            ("pod/manifest", json, String(decoding: podManifest, as: UTF8.self)),
            ("pod/uuid", text, uuid),
            ("pod/annotations", json, #"[{"name":"team","value":"skiff"},{"name":"tier","value":"front"}]"#),
            ("pod/annotations/tier", text, "front"),
            ("apps/web/annotations", json, #"[{"name":"role","value":"pod-side"},{"name":"authors","value":"skiff team"}]"#),
            ("apps/web/annotations/role", text, "pod-side"),
            ("apps/web/image/manifest", json, String(decoding: imageManifest, as: UTF8.self)),
            ("apps/web/image/id", text, imageID),
        ]
        for (path, type, body) in cases {
            let response = try get(token, path)
            XCTAssertEqual(response.status, 200, path)
            XCTAssertEqual(response.headers["content-type"], type, path)
            XCTAssertEqual(response.text, body, path)
        }
        XCTAssertEqual(try get(token, "apps/db/image/id").status, 404)
        XCTAssertEqual(try get(token, "pod/nothing").status, 404)
        XCTAssertEqual(try post(token, "pod/uuid", []).status, 405)
    }

    func testSignThenVerifyRoundTripAndForgeriesAreRefused() throws {
        let token = try registerOverSocket()
        let signed = try post(token, "pod/hmac/sign", [("content", "hello world")])
        XCTAssertEqual(signed.status, 200)
        XCTAssertEqual(signed.headers["content-type"], "text/plain; charset=us-ascii")
        let signature = signed.text
        XCTAssertEqual(Base64.decode(signature)?.count, 64, "HMAC-SHA512")
        XCTAssertEqual(try post(token, "pod/hmac/verify", [("content", "hello world"), ("uuid", uuid), ("signature", signature)]).status, 200)
        // Another content, another pod's UUID, a made-up signature: 403.
        XCTAssertEqual(try post(token, "pod/hmac/verify", [("content", "hello world!"), ("uuid", uuid), ("signature", signature)]).status, 403)
        let other = "00000000-0000-4000-8000-000000000000"
        XCTAssertEqual(try post(token, "pod/hmac/verify", [("content", "hello world"), ("uuid", other), ("signature", signature)]).status, 403)
        let forged = Base64.encode([UInt8](repeating: 7, count: 64))
        XCTAssertEqual(try post(token, "pod/hmac/verify", [("content", "hello world"), ("uuid", uuid), ("signature", forged)]).status, 403)
        XCTAssertEqual(try post(token, "pod/hmac/verify", [("content", "x"), ("uuid", uuid), ("signature", "%%%")]).status, 400)
        XCTAssertEqual(try post(token, "pod/hmac/sign", []).status, 400, "no content")
    }

    func testUnregisteredPodsAndWrongAddressesAreRefused() throws {
        let guess = String(repeating: "0", count: 64)
        XCTAssertEqual(try get(guess, "pod/uuid").status, 401)
        XCTAssertEqual(try post(guess, "pod/hmac/sign", [("content", "x")]).status, 401)
        let token = try registerOverSocket()
        XCTAssertEqual(try get(token, "pod/uuid").status, 200)
        try MetadataClient.unregister(socketPath: root + "/mds.sock", uuid: uuid)
        XCTAssertEqual(try get(token, "pod/uuid").status, 401, "unregistered pods are refused")
        XCTAssertNoThrow(try MetadataClient.unregister(socketPath: root + "/mds.sock", uuid: uuid), "twice is fine")
        // Registered for another address: requests from 127.0.0.1 are refused.
        let bound = try registerOverSocket(address: "10.213.0.9")
        XCTAssertEqual(try get(bound, "pod/uuid").status, 403)
        let local = try registerOverSocket(address: "127.0.0.1")
        XCTAssertEqual(try get(local, "pod/uuid").text, uuid)
        XCTAssertEqual(try get(bound, "pod/uuid").status, 401, "registering again replaces the old token")
    }

    func testRegistrationRejectsBadInput() throws {
        let socket = HTTPEndpoint.unix(root + "/mds.sock")
        let token = String(repeating: "a", count: 32)
        XCTAssertEqual(try HTTPClient.send("PUT", "/pods/\(uuid)?token=\(token)", body: Array("{}".utf8), to: socket).status, 400)
        XCTAssertEqual(try HTTPClient.send("PUT", "/pods/not-a-uuid?token=\(token)", body: podManifest, to: socket).status, 400)
        XCTAssertEqual(try HTTPClient.send("PUT", "/pods/\(uuid)?token=abc", body: podManifest, to: socket).status, 400, "short token")
        XCTAssertEqual(try HTTPClient.send("PUT", "/pods/\(uuid)", body: podManifest, to: socket).status, 400, "no token")
        XCTAssertEqual(try HTTPClient.send("PUT", "/pods/\(uuid)/web", body: imageManifest, to: socket).status, 404, "pod not registered")
        XCTAssertEqual(try HTTPClient.send("PUT", "/pods/\(uuid)?token=\(token)", body: podManifest, to: socket).status, 200)
        XCTAssertEqual(try HTTPClient.send("PUT", "/pods/\(uuid)/db", body: imageManifest, to: socket).status, 404, "no such app")
        XCTAssertEqual(try HTTPClient.send("GET", "/pods/\(uuid)", to: socket).status, 405)
        let service = try XCTUnwrap(service)
        XCTAssertEqual(service.url(hostAddress: "172.16.28.1", token: token), "http://172.16.28.1:\(service.port)/\(token)")
    }

    func testCurlSeesTheSameAnswers() throws {
        guard FileSystem.exists("/usr/bin/curl") else { throw XCTSkip("curl is not installed") }
        let token = try registerOverSocket()
        let port = try XCTUnwrap(service).port
        let output = try Subprocess.run([
            "curl", "-sS", "--max-time", "5", "-D", "-", "http://127.0.0.1:\(port)/\(token)/acMetadata/v1/pod/uuid",
        ])
        XCTAssertEqual(output.status, 0, output.stderrText)
        XCTAssertTrue(output.stdoutText.hasPrefix("HTTP/1.1 200 OK\r\n"), output.stdoutText)
        XCTAssertTrue(output.stdoutText.contains("\r\nContent-Type: text/plain; charset=us-ascii\r\n"), output.stdoutText)
        XCTAssertTrue(output.stdoutText.hasSuffix("\r\n\r\n\(uuid)"), output.stdoutText)
        let sign = try Subprocess.run([
            "curl", "-sS", "--max-time", "5", "--data-urlencode", "content=from curl",
            "http://127.0.0.1:\(port)/\(token)/acMetadata/v1/pod/hmac/sign",
        ])
        XCTAssertEqual(try post(token, "pod/hmac/verify", [("content", "from curl"), ("uuid", uuid), ("signature", sign.stdoutText)]).status, 200)
    }

    func testBase64RoundTrip() {
        for count in 0..<8 {
            let bytes = (0..<count).map { UInt8($0 * 37 & 0xff) }
            XCTAssertEqual(Base64.decode(Base64.encode(bytes)), bytes)
        }
        XCTAssertEqual(Base64.encode(Array("foobar".utf8)), "Zm9vYmFy")
        XCTAssertEqual(Base64.encode(Array("fo".utf8)), "Zm8=")
        XCTAssertNil(Base64.decode("Zm8"))
        XCTAssertNil(Base64.decode("Z=8="))
    }
}
