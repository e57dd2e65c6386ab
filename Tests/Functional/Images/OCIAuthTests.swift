// Registries that want credentials: docker-registry with htpasswd basic auth, and behind a token
// service (TestTokenServer) that hands out bearer tokens, anonymously or for basic credentials.
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class OCIAuthTests: XCTestCase {
    var world: SkiffHarness!
    var registry: TestRegistry?
    var tokens: TestTokenServer?
    var content: OCITestContent!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        world = try SkiffHarness()
        content = OCITestContent(scratch: world.scratch)
    }

    override func tearDown() {
        registry?.stop()
        tokens?.stop()
        world = nil
    }

    /// Pushes a small image as private:1 with `credentials`; returns its manifest digest.
    private func pushImage(to registry: TestRegistry, credentials: (String, String)?) throws -> String {
        let manifest = try content.image([.file("secret", "s")])
        let dir = world.scratch + "/layout"
        try content.writeLayout(to: dir, refs: [(manifest, "it")])
        try registry.push("oci:\(dir):it", to: "private", tag: "1", credentials: credentials)
        return manifest.digest
    }

    /// auth.d/registry.json with a dockerAuth entry for the registry.
    private func writeCredentials(_ host: String, user: String, password: String) throws {
        try FileSystem.createDirectory(world.localConfig + "/auth.d")
        let json = """
            {"rktKind":"dockerAuth","rktVersion":"v1","registries":["\(host)"],
             "credentials":{"user":"\(user)","password":"\(password)"}}
            """
        try FileSystem.writeAtomically(world.localConfig + "/auth.d/registry.json", Array(json.utf8))
    }

    private func fetch(_ reference: String) throws -> Subprocess.Output {
        try world.run("--insecure-options=http,image", "fetch", "--full", reference)
    }

    func testBasicAuthRegistry() throws {
        let registry = try TestRegistry(auth: .basic(user: "ada", password: "s3cret"))
        self.registry = registry
        let digest = try pushImage(to: registry, credentials: ("ada", "s3cret"))
        let reference = "docker://\(registry.host)/private:1"
        let before = try world.storeSnapshot()
        world.assertFailure(try fetch(reference), contains: "HTTP 401 Unauthorized: authentication required (add a dockerAuth file for \"\(registry.host)\" in auth.d)")
        try writeCredentials(registry.host, user: "ada", password: "wrong")
        world.assertFailure(try fetch(reference), contains: "the registry refused the credentials")
        XCTAssertEqual(try world.storeSnapshot(), before, "store unchanged")
        try writeCredentials(registry.host, user: "ada", password: "s3cret")
        let fetched = try fetch(reference)
        XCTAssertEqual(fetched.stdoutText, digest + "\n", fetched.stderrText)
    }

    func testTokenRegistryWithAnonymousTokens() throws {
        let tokens = try TestTokenServer()
        self.tokens = tokens
        let registry = try TestRegistry(auth: .token(tokens))
        self.registry = registry
        let digest = try pushImage(to: registry, credentials: nil)
        let fetched = try fetch("docker://\(registry.host)/private:1")
        XCTAssertEqual(fetched.stdoutText, digest + "\n", fetched.stderrText + registry.logText)
        let asked = tokens.server.requests(to: "/token").last
        XCTAssertEqual(asked.flatMap { TestTokenServer.queryValues($0.query ?? "", "scope") }, ["repository:private:pull"])
        XCTAssertEqual(asked.flatMap { TestTokenServer.queryValues($0.query ?? "", "service") }, [tokens.service])
        XCTAssertNil(asked?.headers["authorization"], "anonymous")
    }

    func testTokenRegistryWithCredentials() throws {
        let tokens = try TestTokenServer(credentials: ("bob", "pa55"))
        self.tokens = tokens
        let registry = try TestRegistry(auth: .token(tokens))
        self.registry = registry
        let digest = try pushImage(to: registry, credentials: ("bob", "pa55"))
        let before = try world.storeSnapshot()
        world.assertFailure(try fetch("docker://\(registry.host)/private:1"), contains: "/token")
        XCTAssertEqual(try world.storeSnapshot(), before)
        try writeCredentials(registry.host, user: "bob", password: "pa55")
        let fetched = try fetch("docker://\(registry.host)/private:1")
        XCTAssertEqual(fetched.stdoutText, digest + "\n", fetched.stderrText)
        let basic = "Basic " + Data("bob:pa55".utf8).base64EncodedString()
        XCTAssertEqual(tokens.server.requests(to: "/token").last?.headers["authorization"], basic, "credentials go to the token service")
    }
}
