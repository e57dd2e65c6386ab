// A registry that breaks one thing at a time (played by TestHTTPServer): each fault is a one-line
// error naming the image, exit 254, and the store as it was (resumable partial downloads aside).
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class OCIFaultTests: XCTestCase {
    var world: SkiffHarness!
    var server: TestHTTPServer!
    var content: OCITestContent!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        world = try SkiffHarness()
        server = try TestHTTPServer()
        content = OCITestContent(scratch: world.scratch)
    }

    override func tearDown() {
        server?.stop()
        server = nil
        world = nil
    }

    private var host: String { "127.0.0.1:\(server.port)" }

    /// A two-layer image served as app:1; returns its manifest and layers.
    @discardableResult
    private func publish(bigLayer: Int = 1000) throws -> (manifest: TestDescriptor, layers: [TestDescriptor]) {
        let (base, baseID) = try content.layer([.directory("etc/"), .file("etc/hostname", "base\n")])
        let noise = (0..<bigLayer).map { String($0 * 7919 % 10007) }.joined(separator: ",")
        let (top, topID) = try content.layer([.file("data", noise)])
        let config = try content.config(diffIDs: [baseID, topID], run: ["Cmd": ["/bin/true"]])
        let manifest = try content.manifest(config: config, layers: [base, top])
        server.serveRegistry(repository: "app", content: content, tags: ["1": manifest])
        return (manifest, [base, top])
    }

    /// Fetches `reference` and expects a refusal containing `expected`, store unchanged.
    private func refuse(_ reference: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try world.storeSnapshot()
        let result = try world.run("--insecure-options=http,image", "fetch", "--no-progress", reference)
        world.assertFailure(result, contains: expected, file: file, line: line)
        XCTAssertTrue(result.stderrText.contains(reference), "names the image: \(result.stderrText)", file: file, line: line)
        let after = try world.storeSnapshot().filter { !$0.key.hasPrefix("cas/partial/") }
        XCTAssertEqual(after, before.filter { !$0.key.hasPrefix("cas/partial/") }, "store unchanged", file: file, line: line)
        XCTAssertEqual(try world.run("image", "list", "--no-legend").stdoutText, "", file: file, line: line)
    }

    func testALayerWithOtherContentIsRefused() throws {
        let (_, layers) = try publish()
        var bytes = try XCTUnwrap(content.blobs[layers[1].digest])
        bytes[bytes.count / 2] ^= 0x55
        server.serveFile("/v2/app/blobs/\(layers[1].digest)", bytes)
        try refuse("docker://\(host)/app:1", "blob \(layers[1].digest) has digest")
    }

    func testALayerLongerOrShorterThanItsDescriptorIsRefused() throws {
        let (_, layers) = try publish()
        let bytes = try XCTUnwrap(content.blobs[layers[1].digest])
        server.serveFile("/v2/app/blobs/\(layers[1].digest)", bytes + [0, 0, 0])
        try refuse("docker://\(host)/app:1", "is larger than the \(bytes.count) bytes its descriptor gives")
        server.serveFile("/v2/app/blobs/\(layers[1].digest)", Array(bytes.dropLast(3)))
        try refuse("docker://\(host)/app:1", "has \(bytes.count - 3) bytes, its descriptor says \(bytes.count)")
    }

    func testAManifestPointingToAMissingBlob() throws {
        let (_, layers) = try publish()
        server.fail("/v2/app/blobs/\(layers[1].digest)", status: 404, reason: "Not Found")
        try refuse("docker://\(host)/app:1", "HTTP 404 Not Found")
    }

    func testAManifestOtherThanTheDigestAsked() throws {
        let (manifest, _) = try publish()
        let other = try content.image([.file("x", "other")])
        server.serveManifest(repository: "app", reference: manifest.digest, try XCTUnwrap(content.blobs[other.digest]), type: other.mediaType)
        // By digest: no --insecure-options=image needed, and the content must be that digest.
        let before = try world.storeSnapshot()
        let result = try world.run("--insecure-options=http", "fetch", "docker://\(host)/app@\(manifest.digest)")
        world.assertFailure(result, contains: "not \(manifest.digest) (corrupt or tampered)")
        XCTAssertEqual(try world.storeSnapshot(), before)
    }

    func testAnIndexWithoutThisPlatform() throws {
        let arm = try content.image([.file("x", "arm")])
        var armEntry = arm
        armEntry.platform = "linux/arm64"
        var s390 = try content.image([.file("x", "s390x")])
        s390.platform = "linux/s390x"
        let index = try content.index([armEntry, s390])
        server.serveRegistry(repository: "app", content: content, tags: ["multi": index])
        try refuse("docker://\(host)/app:multi", "no linux/\(OCITestContent.hostArchitecture) image in the index (it has: linux/arm64, linux/s390x)")
    }

    func testWrongMediaTypes() throws {
        let (layer, diffID) = try content.layer([.file("a", "a")])
        var text = layer
        text.mediaType = "text/plain"
        let manifest = try content.manifest(config: try content.config(diffIDs: [diffID]), layers: [text])
        server.serveRegistry(repository: "app", content: content, tags: ["text": manifest])
        try refuse("docker://\(host)/app:text", "layers[0].mediaType \"text/plain\": not a layer media type")
        // A manifest the server calls a config.
        let good = try content.image([.file("b", "b")])
        server.serveManifest(
            repository: "app", reference: "config", try XCTUnwrap(content.blobs[good.digest]),
            type: "application/vnd.oci.image.config.v1+json")
        try refuse("docker://\(host)/app:config", "does not match the declared media type")
    }

    func testADroppedConnectionIsResumedWithARange() throws {
        let (manifest, layers) = try publish(bigLayer: 60_000)
        let bytes = try XCTUnwrap(content.blobs[layers[1].digest])
        let path = "/v2/app/blobs/\(layers[1].digest)"
        let served = FirstDrop()
        server.route(path) { request in
            if served.take() {
                var response = TestResponse(status: 200, reason: "OK", body: bytes)
                response.dropAfter = bytes.count / 3
                return response
            }
            guard let range = request.headers["range"], range.hasPrefix("bytes="), let first = Int(range.dropFirst(6).dropLast()) else {
                return TestResponse(status: 200, reason: "OK", body: bytes)
            }
            return TestResponse(
                status: 206, reason: "Partial Content", headers: [("Content-Range", "bytes \(first)-\(bytes.count - 1)/\(bytes.count)")],
                body: Array(bytes[first...]))
        }
        let result = try world.run("--insecure-options=http,image", "fetch", "--full", "docker://\(host)/app:1")
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, manifest.digest + "\n")
        let requests = server.requests(to: path)
        XCTAssertEqual(requests.count, 2, "one drop, one resume")
        XCTAssertEqual(requests.last?.headers["range"], "bytes=\(bytes.count / 3)-")
    }

    func testAConnectionThatAlwaysDropsIsAClearError() throws {
        let (_, layers) = try publish(bigLayer: 60_000)
        let bytes = try XCTUnwrap(content.blobs[layers[1].digest])
        server.serveTruncated("/v2/app/blobs/\(layers[1].digest)", bytes, after: 1000)
        try refuse("docker://\(host)/app:1", "connection closed after 1000 of \(bytes.count) bytes (4 attempts)")
    }

    func testUnauthorizedWithoutCredentials() throws {
        try publish()
        server.route("/v2/") { _ in
            TestResponse(status: 401, reason: "Unauthorized", headers: [("WWW-Authenticate", "Basic realm=\"registry\"")])
        }
        try refuse("docker://\(host)/app:1", "authentication required (add a dockerAuth file for \"\(host)\" in auth.d)")
    }

    func testPullPoliciesAskTheRegistryOnlyWhenTheyMust() throws {
        let (manifest, layers) = try publish()
        let first = try world.run("--insecure-options=http,image", "fetch", "--full", "docker://\(host)/app:1")
        XCTAssertEqual(first.stdoutText, manifest.digest + "\n", first.stderrText)
        let count = server.requests.count
        for policy in ["new", "never"] {
            let again = try world.run("--insecure-options=http,image", "fetch", "--full", "--pull-policy=\(policy)", "docker://\(host)/app:1")
            XCTAssertEqual(again.stdoutText, manifest.digest + "\n", again.stderrText)
        }
        XCTAssertEqual(server.requests.count, count, "new and never: the store answers")
        let update = try world.run("--insecure-options=http,image", "fetch", "--full", "docker://\(host)/app:1")
        XCTAssertEqual(update.stdoutText, manifest.digest + "\n")
        XCTAssertEqual(server.requests(to: "/v2/app/manifests/1").count, 2, "update asks for the tag again")
        XCTAssertEqual(server.requests(to: "/v2/app/blobs/\(layers[0].digest)").count, 1, "and downloads nothing it has")
        world.assertFailure(
            try world.run("--insecure-options=http,image", "fetch", "--pull-policy=never", "docker://\(host)/app:2"),
            contains: "--pull-policy=never and it is not in the store")
    }

    /// A flag that is true exactly once (handlers run on server threads).
    private final class FirstDrop: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        func take() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            defer { done = true }
            return !done
        }
    }
}
