// Failures come back as one line naming the URL and the cause.
#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SkiffSystem
import SkiffTestSupport
import XCTest

@testable import SkiffFetch

final class HTTPErrorTests: FetchTestCase {
    func testNotFoundUsesTheServersReasonPhrase() {
        server.fail("/gone", status: 404, reason: "Nothing Here")
        let message = errorMessage { _ = try client().get(url("/gone"), to: HashingSink()) }
        XCTAssertEqual(message, "fetch \(url("/gone").absoluteString): HTTP 404 Nothing Here")
    }

    func testNotFoundErrorCode() {
        server.fail("/gone", status: 404, reason: "Not Found")
        XCTAssertThrowsError(try client().get(url("/gone"), to: HashingSink())) {
            XCTAssertEqual(($0 as? SkiffError)?.code, .notFound)
        }
    }

    func testServerError() {
        server.fail("/broken", status: 500, reason: "Internal Server Error")
        let sink = HashingSink()
        let message = errorMessage { _ = try client().get(url("/broken"), to: sink) }
        XCTAssertEqual(message, "fetch \(url("/broken").absoluteString): HTTP 500 Internal Server Error")
        XCTAssertEqual(sink.count, 0, "an error body must not reach the sink")
    }

    func testUnauthorizedWithoutCredentials() {
        server.serveWithBasicAuth("/private.aci", [1, 2, 3], user: "u", password: "p")
        let message = errorMessage { _ = try client().get(url("/private.aci"), to: HashingSink()) }
        XCTAssertEqual(
            message,
            "fetch \(url("/private.aci").absoluteString): HTTP 401 Unauthorized: authentication required (add credentials in auth.d)")
    }

    func testConnectionDroppedMidBody() {
        server.serveTruncated("/cut.aci", pattern(100_000), after: 30_000)
        let sink = HashingSink()
        let message = errorMessage { _ = try client().get(url("/cut.aci"), to: sink) }
        XCTAssertEqual(message, "fetch \(url("/cut.aci").absoluteString): connection closed after 30000 of 100000 bytes")
        XCTAssertEqual(sink.count, 30_000, "what arrived was streamed, so a resume can continue from it")
    }

    func testConnectionClosedBeforeAnyResponse() {
        server.hangUp("/silent")
        let message = errorMessage { _ = try client().get(url("/silent"), to: HashingSink()) }
        XCTAssertEqual(message, "fetch \(url("/silent").absoluteString): Empty reply from server")
    }

    func testConnectionRefused() throws {
        let port = try closedPort()
        let message = errorMessage { _ = try client().get(URL(string: "http://127.0.0.1:\(port)/x")!, to: HashingSink()) }
        XCTAssertTrue(message.hasPrefix("fetch http://127.0.0.1:\(port)/x: Failed to connect to 127.0.0.1 port \(port)"), message)
        XCTAssertFalse(message.contains("\n"))
    }

    func testStalledTransferTimesOut() throws {
        server.serveDelayed("/slow", [1], seconds: 10)
        let started = Date.now
        let message = errorMessage { _ = try client(stall: 1).get(url("/slow"), to: HashingSink()) }
        XCTAssertTrue(message.hasPrefix("fetch \(url("/slow").absoluteString): Operation too slow"), message)
        XCTAssertLessThan(Date.now.timeIntervalSince(started), 8)
    }

    func testCurlErrorGist() {
        let stderr = "curl: (60) SSL certificate problem: unable to get local issuer certificate\nMore details here: https://curl.se/docs/sslcerts.html\n"
        XCTAssertEqual(
            CurlTransfer.curlMessage(Array(stderr.utf8)), "SSL certificate problem: unable to get local issuer certificate")
    }

    func testHeadParsing() throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"a\"\r\netag: \"b\"\r\nX-Thing:  spaced  \r\n"
        let response = try XCTUnwrap(HTTPResponse.parseHead(head, url: url("/")))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.reason, "OK")
        XCTAssertEqual(response.etag, "\"b\"", "last one wins")
        XCTAssertEqual(response.headers["x-thing"], "spaced")
        XCTAssertEqual(response.contentLength, 5)
        let h2 = try XCTUnwrap(HTTPResponse.parseHead("HTTP/2 404\r\n", url: url("/")))
        XCTAssertEqual(h2.reason, "Not Found", "HTTP/2 has no reason phrase: the standard one is used")
    }

    func testCacheControlVariants() {
        XCTAssertEqual(HTTPResponse.maxAge(cacheControl: "max-age=\"120\""), 120)
        XCTAssertEqual(HTTPResponse.maxAge(cacheControl: "Max-Age=5, must-revalidate"), 5)
        XCTAssertEqual(HTTPResponse.maxAge(cacheControl: "no-store"), 0)
        XCTAssertNil(HTTPResponse.maxAge(cacheControl: "private"))
        XCTAssertNil(HTTPResponse.maxAge(cacheControl: "max-age=-1"))
    }

    /// A port on 127.0.0.1 that nothing listens on (bound, then closed).
    private func closedPort() throws -> Int {
        let other = try TestHTTPServer()
        let port = other.port
        other.stop()
        return port
    }
}
