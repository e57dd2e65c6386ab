// skiff fetch over HTTP(S): schemes, caching and pull policies, auth, discovery, failures.
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class FetchHTTPTests: XCTestCase {
    var world: SkiffHarness!
    var server: TestHTTPServer!
    nonisolated(unsafe) static var keyring: TestKeyring!

    override class func setUp() { keyring = try? TestKeyring(name: "Web Images", email: "web@example.test") }
    override class func tearDown() { keyring = nil }

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        XCTAssertNotNil(Self.keyring)
        world = try SkiffHarness()
        server = try TestHTTPServer()
        try world.trust(Self.keyring, prefix: "example.test")
    }

    override func tearDown() {
        server?.stop()
        server = nil
        world = nil
    }

    /// A signed image served at /images/app.aci (+ .asc); returns its bytes' image ID.
    @discardableResult
    private func publish(
        at path: String = "/images/app.aci", name: String = "example.test/app", etag: String? = nil, cacheControl: String? = nil,
        size: Int = 1000
    ) throws -> String {
        let file = try ACIBuilder.write(
            world.scratch + "/published-\(UUID().uuidString).aci", manifest: ACIBuilder.manifest(name: name),
            entries: [.file("data", String(repeating: "d", count: size))], compression: "gzip")
        try Self.keyring.sign(file)
        server.serveFile(path, try FileSystem.read(file), etag: etag, cacheControl: cacheControl)
        server.serveFile(path + ".asc", try FileSystem.read(file + ".asc"))
        return try ACIBuilder.imageID(of: file)
    }

    func testPlainHTTPIsRefusedWithoutTheInsecureOption() throws {
        try publish()
        let url = server.baseURL + "/images/app.aci"
        world.assertFailure(try world.run("fetch", url), contains: "http")
        XCTAssertTrue(server.requests.isEmpty, "refused before any request")
        let ok = try world.run("--insecure-options=http", "fetch", "--full", url)
        XCTAssertEqual(ok.status, 0, ok.stderrText)
        XCTAssertEqual(server.requests(to: "/images/app.aci.asc").count, 1, "the signature beside the image")
    }

    func testUpdatePolicyRevalidatesWithETagAndNewPolicyStaysOffline() throws {
        let id = try publish(etag: "\"v1\"")
        let url = server.baseURL + "/images/app.aci"
        let first = try world.run("--insecure-options=http", "fetch", "--full", url)
        XCTAssertEqual(first.stdoutText, id + "\n", first.stderrText)
        let second = try world.run("--insecure-options=http", "fetch", "--full", url)
        XCTAssertEqual(second.stdoutText, id + "\n", second.stderrText)
        let gets = server.requests(to: "/images/app.aci")
        XCTAssertEqual(gets.count, 2)
        XCTAssertEqual(gets.last?.headers["if-none-match"], "\"v1\"", "update asks with the ETag, gets 304")
        let offline = try world.run("--insecure-options=http", "fetch", "--pull-policy=new", url)
        XCTAssertEqual(offline.status, 0)
        XCTAssertEqual(server.requests(to: "/images/app.aci").count, 2, "new: the store answers, no request")
        let never = try world.run("--insecure-options=http", "fetch", "--pull-policy=never", url)
        XCTAssertEqual(never.status, 0)
        world.assertFailure(
            try world.run("--insecure-options=http", "fetch", "--pull-policy=never", server.baseURL + "/other.aci"),
            contains: "--pull-policy=never")
    }

    func testCacheControlMaxAgeAvoidsAsking() throws {
        try publish(cacheControl: "max-age=3600")
        let url = server.baseURL + "/images/app.aci"
        XCTAssertEqual(try world.run("--insecure-options=http", "fetch", url).status, 0)
        XCTAssertEqual(try world.run("--insecure-options=http", "fetch", url).status, 0)
        XCTAssertEqual(server.requests(to: "/images/app.aci").count, 1, "fresh for an hour: not asked again")
    }

    func testServerFailuresAreOneLineAndLeaveTheStoreUnchanged() throws {
        let file = try ACIBuilder.write(
            world.scratch + "/big.aci", manifest: ACIBuilder.manifest(name: "example.test/app"),
            entries: [.file("data", String(repeating: "z", count: 300_000))], compression: "none")
        server.fail("/404.aci", status: 404, reason: "Not Found")
        server.fail("/500.aci", status: 500, reason: "Internal Server Error")
        server.fail("/401.aci", status: 401, reason: "Unauthorized")
        server.serveTruncated("/dropped.aci", try FileSystem.read(file), after: 100_000)
        let before = try world.storeSnapshot()
        for (path, expected) in [("/404.aci", "HTTP 404 Not Found"), ("/500.aci", "HTTP 500"), ("/401.aci", "authentication required"),
                                 ("/dropped.aci", "connection closed after")] {
            let result = try world.run("--insecure-options=http,image", "fetch", server.baseURL + path)
            world.assertFailure(result, contains: expected)
            XCTAssertTrue(result.stderrText.contains(server.baseURL + path), result.stderrText)
        }
        let after = try world.storeSnapshot().filter { !$0.key.hasPrefix("cas/partial/") }
        XCTAssertEqual(after, before, "nothing listed or stored but resumable partial downloads")
        XCTAssertEqual(try world.run("image", "list", "--no-legend").stdoutText, "")
    }

    func testAuthFromAuthD() throws {
        let file = try ACIBuilder.write(world.scratch + "/auth.aci", manifest: ACIBuilder.manifest(name: "example.test/app"),
                                        entries: [.file("a", "x")])
        server.serveWithBasicAuth("/basic.aci", try FileSystem.read(file), user: "ada", password: "s3cret")
        server.serveWithBearer("/bearer.aci", try FileSystem.read(file), token: "tok-123")
        let denied = try world.run("--insecure-options=http,image", "fetch", server.baseURL + "/basic.aci")
        world.assertFailure(denied, contains: "authentication required")
        try FileSystem.createDirectory(world.localConfig + "/auth.d")
        let auth = """
            {"rktKind":"auth","rktVersion":"v1","domains":["127.0.0.1:\(server.port)"],"type":"basic",
             "credentials":{"user":"ada","password":"s3cret"}}
            """
        try auth.write(toFile: world.localConfig + "/auth.d/basic.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(try world.run("--insecure-options=http,image", "fetch", server.baseURL + "/basic.aci").status, 0)
        try auth.replacingOccurrences(of: #""type":"basic""#, with: #""type":"oauth""#)
            .replacingOccurrences(of: #""user":"ada","password":"s3cret""#, with: #""token":"tok-123""#)
            .write(toFile: world.localConfig + "/auth.d/basic.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(try world.run("--insecure-options=http,image", "fetch", server.baseURL + "/bearer.aci").status, 0)
    }

    func testDiscoveryOverHTTPSWithTrustedKeysFromDiscovery() throws {
        let tls = try TLSFixture(extraNames: ["example.test"])
        defer { tls.stop() }
        world.environment["CURL_CA_BUNDLE"] = tls.certificates.caFile
        world.environment["SKIFF_CONNECT_TO"] = "example.test:443:127.0.0.1:\(tls.server.port)"
        // A fresh trust store: the key comes from discovery this time.
        try FileSystem.removeTree(world.localConfig + "/trustedkeys")
        // {name} expands to "example.test/app", so the image sits under example.test/.
        try FileSystem.createDirectory(tls.root.path + "/example.test")
        let image = try ACIBuilder.write(
            tls.root.path + "/example.test/app-1.0.0-linux-amd64.aci", manifest: ACIBuilder.manifest(name: "example.test/app", version: "1.0.0"),
            entries: [.file("hello", "world")], compression: "gzip")
        try Self.keyring.sign(image)
        try Self.keyring.writePublicKey(to: tls.root.path + "/pubkeys.gpg")
        _ = try tls.root.write("app", """
            <html><head>
            <meta name="ac-discovery" content="example.test/app https://example.test/{name}-{version}-{os}-{arch}.{ext}">
            <meta name="ac-discovery-pubkeys" content="example.test/app https://example.test/pubkeys.gpg">
            </head></html>
            """)
        let untrusted = try world.run("fetch", "example.test/app:1.0.0")
        world.assertFailure(untrusted, contains: "no key is trusted")
        let trusted = try world.run("trust", "--prefix=example.test/app", "--skip-fingerprint-review")
        XCTAssertEqual(trusted.status, 0, trusted.stderrText)
        let fetched = try world.run("fetch", "--full", "example.test/app:1.0.0")
        XCTAssertEqual(fetched.status, 0, fetched.stderrText)
        XCTAssertEqual(fetched.stdoutText, try ACIBuilder.imageID(of: image) + "\n")
        let again = try world.run("fetch", "--pull-policy=new", "example.test/app:1.0.0")
        XCTAssertEqual(again.status, 0, "found in the store by name and version")
    }

    func testFourConcurrentFetchesStoreOneCopy() throws {
        let id = try publish(size: 2_000_000)
        let url = server.baseURL + "/images/app.aci"
        let null = try FileDescriptor.open("/dev/null", O_WRONLY)
        let children = try (0..<4).map { _ in
            try Subprocess.spawn(
                world.argv(["--insecure-options=http", "fetch", "--full", "--no-progress", url]),
                stdout: null.raw, stderr: null.raw, environment: world.childEnvironment)
        }
        for child in children { XCTAssertEqual(try child.wait(), 0) }
        let blobs = try FileSystem.list(world.dataDirectory + "/cas/blob/sha512")
        XCTAssertEqual(blobs, [String(id.dropFirst(7))], "one copy")
        XCTAssertEqual(try world.run("image", "list", "--no-legend").stdoutText.split(separator: "\n").count, 1)
    }
}
