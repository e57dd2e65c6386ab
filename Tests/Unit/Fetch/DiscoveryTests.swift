// Meta-discovery against local servers. Names like "example.test/app" are routed to 127.0.0.1
// with curl's --connect-to (TransportPolicy.connectTo), so no lookup ever leaves the machine.
import FoundationEssentials
import SkiffSystem
import SkiffTestSupport
import XCTest

@testable import SkiffFetch

final class DiscoveryTests: FetchTestCase {
    private let linux = ["os": "linux", "arch": "amd64"]

    /// A client whose example.test (https and http) goes to the plain test server.
    private func discoveryClient(allowHTTP: Bool = true) -> HTTPClient {
        HTTPClient(
            auth: AuthConfig(),
            policy: TransportPolicy(
                allowHTTP: allowHTTP,
                connectTo: ["example.test:443:127.0.0.1:\(server.port)", "example.test:80:127.0.0.1:\(server.port)"]))
    }

    private func page(_ tags: [(String, String)]) -> String {
        "<html><head>" + tags.map { "<meta name=\"\($0.0)\" content=\"\($0.1)\">" }.joined(separator: "\n")
            + "</head><body>hi</body></html>"
    }

    func testDiscoversTemplatesWithLabelsOverHTTPFallback() throws {
        server.serveText(
            "/app",
            page([
                ("ac-discovery", "example.test/app http://example.test/images/{name}-{version}-{os}-{arch}.{ext}"),
                ("ac-discovery-pubkeys", "example.test http://example.test/pubkeys.gpg"),
            ]))
        let found = try Discovery.discover(name: "example.test/app", labels: linux, client: discoveryClient())
        XCTAssertEqual(
            found,
            DiscoveryEndpoints(
                aci: [
                    ACIEndpoint(
                        aci: URL(string: "http://example.test/images/example.test/app-latest-linux-amd64.aci")!,
                        signature: URL(string: "http://example.test/images/example.test/app-latest-linux-amd64.aci.asc")!)
                ],
                publicKeys: [URL(string: "http://example.test/pubkeys.gpg")!]))
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.target, "/app?ac-discovery=1")
        XCTAssertEqual(request.headers["host"], "example.test")
    }

    func testParentPathRetriedOn404AndOnNoTags() throws {
        server.fail("/team/app", status: 404, reason: "Not Found")
        server.serveText("/team", page([("ac-discovery", "example.test/other http://x/{name}.{ext}")]))
        server.serveText("/", page([("ac-discovery", "example.test http://example.test/{name}-{version}.{ext}")]))
        let found = try Discovery.discover(
            name: "example.test/team/app", labels: ["version": "2.0"], client: discoveryClient())
        XCTAssertEqual(found.aci.map(\.aci.absoluteString), ["http://example.test/example.test/team/app-2.0.aci"])
        XCTAssertEqual(server.requests.map(\.target), ["/team/app?ac-discovery=1", "/team?ac-discovery=1", "/?ac-discovery=1"])
    }

    func testNothingFoundListsEveryAttempt() {
        server.serveText("/app", "<html>no tags</html>")
        server.fail("/", status: 500, reason: "Oops")
        let message = errorMessage { _ = try Discovery.discover(name: "example.test/app", labels: [:], client: discoveryClient()) }
        XCTAssertTrue(message.hasPrefix("discover \"example.test/app\": no ACI endpoints found (example.test/app: no matching ac-discovery meta tags; fetch https://example.test?ac-discovery=1: "), message)
        XCTAssertTrue(message.hasSuffix("; fetch http://example.test?ac-discovery=1: HTTP 500 Oops)"), message)
    }

    func testNoPlainHTTPFallbackUnlessAllowed() {
        server.serveText("/app", page([("ac-discovery", "example.test https://example.test/{name}.{ext}")]))
        XCTAssertThrowsError(try Discovery.discover(name: "example.test/app", labels: [:], client: discoveryClient(allowHTTP: false)))
        XCTAssertEqual(server.requests.count, 0, "only https attempts (refused by the plain server) were made")
    }

    func testRedirectsFollowed() throws {
        server.redirect("/app", to: "/pages/app.html", status: 301)
        server.serveText("/pages/app.html", page([("ac-discovery", "example.test/app http://example.test/{name}.{ext}")]))
        let found = try Discovery.discover(name: "example.test/app", labels: [:], client: discoveryClient())
        XCTAssertEqual(found.aci.count, 1)
    }

    func testPublicKeysWalkUp() throws {
        server.serveText("/app", page([("ac-discovery", "example.test/app http://example.test/{name}.{ext}")]))
        server.serveText(
            "/",
            page([
                ("ac-discovery-pubkeys", "example.test http://example.test/root.gpg"),
                ("ac-discovery-pubkeys", "example.test/lib http://example.test/lib.gpg"),
            ]))
        let keys = try Discovery.discoverPublicKeys(prefix: "example.test/app", client: discoveryClient())
        XCTAssertEqual(keys.map(\.absoluteString), ["http://example.test/root.gpg"])
    }

    func testInvalidNamesRefused() {
        for name in ["", "https://a.com/x", "a.com/x?y", "/abs"] {
            let message = errorMessage { _ = try Discovery.discover(name: name, labels: [:], client: discoveryClient()) }
            XCTAssertEqual(message, "discover \(quote(name)): not an image name")
        }
    }

    func testDiscoveryOverHTTPS() throws {
        let tls = try TLSFixture(extraNames: ["example.test"])
        defer { tls.stop() }
        try tls.root.write(
            "app", page([("ac-discovery", "example.test/app https://example.test/{name}-{version}.{ext}")]))
        let client = HTTPClient(
            auth: AuthConfig(),
            policy: TransportPolicy(
                caFile: tls.certificates.caFile, connectTo: ["example.test:443:127.0.0.1:\(tls.server.port)"]))
        let found = try Discovery.discover(name: "example.test/app", labels: [:], client: client)
        XCTAssertEqual(found.aci.map(\.signature.absoluteString), ["https://example.test/example.test/app-latest.aci.asc"])
        XCTAssertEqual(try tls.server.requests().map(\.target), ["/app?ac-discovery=1"])
    }
}
