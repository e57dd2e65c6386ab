// Redirects are followed by the client itself, so each hop obeys the http and credential rules.
import FoundationEssentials
import SkiffSystem
import SkiffTestSupport
import XCTest

@testable import SkiffFetch

final class RedirectTests: FetchTestCase {
    func testRelativeAndAbsoluteRedirectsAreFollowed() throws {
        server.serveFile("/files/img.aci", pattern(3000))
        server.redirect("/a", to: "files/img.aci", status: 301)  // relative to /
        server.redirect("/b", to: server.baseURL + "/a", status: 307)
        server.redirect("/c", to: "/b", status: 302)
        let sink = HashingSink()
        let response = try client().get(url("/c"), to: sink)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.finalURL, url("/files/img.aci"))
        XCTAssertEqual(sink.count, 3000)
        XCTAssertEqual(server.requests.map(\.path), ["/c", "/b", "/a", "/files/img.aci"])
    }

    func testRedirectLoopIsAnError() {
        server.redirect("/x", to: "/y")
        server.redirect("/y", to: "/x")
        let message = errorMessage { _ = try client().get(url("/x"), to: HashingSink()) }
        XCTAssertEqual(
            message,
            "fetch \(url("/x").absoluteString) (redirected to \(url("/y").absoluteString)): redirect loop back to \(url("/x").absoluteString)")
    }

    func testTooManyRedirects() {
        for hop in 0...12 { server.redirect("/hop\(hop)", to: "/hop\(hop + 1)") }
        let message = errorMessage { _ = try client().get(url("/hop0"), to: HashingSink()) }
        XCTAssertTrue(message.hasSuffix(": too many redirects (more than 10)"), message)
        XCTAssertEqual(server.requests.count, 11)
    }

    func testRedirectToOtherPortKeepsConditionalHeaders() throws {
        let other = try TestHTTPServer()
        defer { other.stop() }
        other.serveFile("/img.aci", pattern(100), etag: "\"e\"")
        server.redirect("/img.aci", to: other.baseURL + "/img.aci")
        let response = try client().get(url("/img.aci"), to: HashingSink(), ifNoneMatch: "\"e\"")
        XCTAssertEqual(response.status, 304)
        XCTAssertEqual(other.requests.first?.headers["if-none-match"], "\"e\"")
    }

    func testCredentialsStayWithTheOriginalHost() throws {
        let other = try TestHTTPServer()
        defer { other.stop() }
        let auth = try authConfig(domains: ["127.0.0.1", "localhost"], user: "u", password: "secret")
        other.serveFile("/img.aci", pattern(10))
        // Same host, another path: credentials kept. Another host name: dropped.
        server.redirect("/start", to: "/same-host")
        server.redirect("/same-host", to: "http://localhost:\(other.port)/img.aci")
        _ = try client(auth: auth).get(url("/start"), to: HashingSink())
        let expected = "Basic " + Data("u:secret".utf8).base64EncodedString()
        XCTAssertEqual(server.requests.map { $0.headers["authorization"] }, [expected, expected])
        XCTAssertEqual(other.requests.count, 1)
        XCTAssertNil(other.requests.first?.headers["authorization"])
    }

    func testRedirectToHTTPRefusedUnlessAllowed() throws {
        let tls = try TLSFixture()
        defer { tls.stop() }
        server.serveFile("/img.aci", pattern(10))
        try tls.root.write("img.aci.redirect", server.baseURL + "/img.aci")
        let secure = HTTPClient(auth: AuthConfig(), policy: TransportPolicy(caFile: tls.certificates.caFile))
        let message = errorMessage { _ = try secure.get(URL(string: tls.server.baseURL + "/img.aci")!, to: HashingSink()) }
        XCTAssertEqual(
            message,
            "fetch \(tls.server.baseURL)/img.aci (redirected to \(server.baseURL)/img.aci): plain http is not allowed (insecure option http)")
        XCTAssertEqual(server.requests.count, 0)
        let lenient = HTTPClient(
            auth: AuthConfig(), policy: TransportPolicy(allowHTTP: true, caFile: tls.certificates.caFile))
        let response = try lenient.get(URL(string: tls.server.baseURL + "/img.aci")!, to: HashingSink())
        XCTAssertEqual(response.finalURL.absoluteString, server.baseURL + "/img.aci")
    }

    func testPlainHTTPRefusedUnlessAllowed() {
        server.serveFile("/img.aci", pattern(10))
        let message = errorMessage { _ = try client(allowHTTP: false).get(url("/img.aci"), to: HashingSink()) }
        XCTAssertEqual(message, "fetch \(url("/img.aci").absoluteString): plain http is not allowed (insecure option http)")
        XCTAssertEqual(server.requests.count, 0)
    }

    func testOtherSchemesRefused() {
        let message = errorMessage { _ = try client().get(URL(string: "file:///etc/passwd")!, to: HashingSink()) }
        XCTAssertEqual(message, "fetch file:///etc/passwd: unsupported URL scheme \"file\"")
    }

    /// An AuthConfig with one basic-auth file for `domains`.
    func authConfig(domains: [String], user: String, password: String) throws -> AuthConfig {
        let list = domains.map { "\"\($0)\"" }.joined(separator: ",")
        try temporary.write(
            "conf/auth.d/test.json",
            #"{"rktKind":"auth","rktVersion":"v1","domains":[\#(list)],"type":"basic","credentials":{"user":"\#(user)","password":"\#(password)"}}"#)
        return try AuthConfig.load(configDirectories: [temporary.path + "/conf"])
    }
}
