// The registry client against the test server: challenges parsed, tokens fetched with the right
// scope (anonymously or with basic credentials), Accept sent for manifests, bearer tokens kept
// away from redirect targets on other hosts.
import FoundationEssentials
import SkiffSystem
import SkiffTestSupport
import XCTest

@testable import SkiffFetch

final class RegistryClientTests: FetchTestCase {
    func testChallenges() {
        let bearer = AuthChallenge.parse(#"Bearer realm="https://auth.example/token?x=1",service="registry.example",scope="repository:a/b:pull,push""#)
        XCTAssertEqual(bearer?.scheme, "bearer")
        XCTAssertEqual(bearer?.parameters["realm"], "https://auth.example/token?x=1")
        XCTAssertEqual(bearer?.parameters["scope"], "repository:a/b:pull,push", "commas inside quotes")
        XCTAssertEqual(AuthChallenge.parse(#"Basic realm="a \"quoted\" realm""#)?.parameters["realm"], #"a "quoted" realm"#)
        XCTAssertEqual(AuthChallenge.parse("Basic realm=plain, charset=UTF-8")?.parameters, ["realm": "plain", "charset": "UTF-8"])
        XCTAssertNil(AuthChallenge.parse("   "))
    }

    /// A registry whose /v2/ and manifest want a token from /token.
    private func serveTokenRegistry(requireBasic: String? = nil) {
        let realm = server.baseURL + "/token"
        let challenge = #"Bearer realm="\#(realm)",service="test registry""#
        let protected: @Sendable (RecordedRequest, TestResponse) -> TestResponse = { request, answer in
            guard request.headers["authorization"] == "Bearer tok-1" else {
                return TestResponse(status: 401, reason: "Unauthorized", headers: [("WWW-Authenticate", challenge)])
            }
            return answer
        }
        server.route("/v2/") { protected($0, TestResponse(status: 200, reason: "OK", body: Array("{}".utf8))) }
        server.route("/v2/team/app/manifests/1") {
            protected($0, TestResponse(status: 200, reason: "OK", headers: [("Content-Type", "application/vnd.oci.image.manifest.v1+json; charset=utf-8"), ("Docker-Content-Digest", "sha256:x")], body: Array("{}".utf8)))
        }
        server.route("/token") { request in
            if let requireBasic, request.headers["authorization"] != requireBasic {
                return TestResponse(status: 401, reason: "Unauthorized")
            }
            return TestResponse(status: 200, reason: "OK", body: Array(#"{"access_token":"tok-1","expires_in":60}"#.utf8))
        }
    }

    private func registryClient(auth: AuthConfig = AuthConfig()) throws -> RegistryClient {
        try RegistryClient(
            http: client(auth: auth), host: "127.0.0.1:\(server.port)", registry: "127.0.0.1:\(server.port)",
            repository: "team/app", acceptedManifestTypes: ["application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json"])
    }

    func testAnonymousTokenFlowAndManifestAccept() throws {
        serveTokenRegistry()
        let registry = try registryClient()
        try registry.checkVersion()
        let manifest = try registry.manifest("1")
        XCTAssertEqual(manifest.bytes, Array("{}".utf8))
        XCTAssertEqual(manifest.contentType, "application/vnd.oci.image.manifest.v1+json", "parameters dropped")
        XCTAssertEqual(manifest.digestHeader, "sha256:x")
        let token = try XCTUnwrap(server.requests(to: "/token").first)
        XCTAssertEqual(token.query, "service=test%20registry&scope=repository:team/app:pull")
        XCTAssertNil(token.headers["authorization"])
        XCTAssertEqual(server.requests(to: "/token").count, 1, "the token is kept for later requests")
        XCTAssertEqual(
            server.requests(to: "/v2/team/app/manifests/1").last?.headers["accept"],
            "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json")
    }

    func testCredentialsGoToTheTokenServiceAndMissingOnesAreNamed() throws {
        let basic = "Basic " + Data("ada:pw".utf8).base64EncodedString()
        serveTokenRegistry(requireBasic: basic)
        XCTAssertTrue(errorMessage { try self.registryClient().checkVersion() }.contains("authentication required (add a dockerAuth file for"))
        let auth = try authConfig(registry: "127.0.0.1:\(server.port)", user: "ada", password: "pw")
        XCTAssertNoThrow(try registryClient(auth: auth).checkVersion())
        XCTAssertEqual(server.requests(to: "/token").last?.headers["authorization"], basic)
    }

    func testBasicChallengeAndATokenNeverFollowsARedirectElsewhere() throws {
        let basic = "Basic " + Data("ada:pw".utf8).base64EncodedString()
        server.route("/v2/") { request in
            request.headers["authorization"] == basic
                ? TestResponse(status: 200, reason: "OK")
                : TestResponse(status: 401, reason: "Unauthorized", headers: [("WWW-Authenticate", #"Basic realm="r""#)])
        }
        server.redirect("/v2/team/app/blobs/sha256:b", to: "http://localhost:\(server.port)/storage/b", status: 307)
        server.serveFile("/storage/b", Array("blob".utf8))
        let registry = try registryClient(auth: try authConfig(registry: "127.0.0.1:\(server.port)", user: "ada", password: "pw"))
        try registry.checkVersion()
        let sink = HashingSink()
        sink.keepBytes = true
        try registry.blob("sha256:b", to: sink)
        XCTAssertEqual(sink.bytes, Array("blob".utf8))
        XCTAssertEqual(server.requests(to: "/v2/team/app/blobs/sha256:b").first?.headers["authorization"], basic)
        XCTAssertNil(server.requests(to: "/storage/b").first?.headers["authorization"], "not to another host")
    }

    private func authConfig(registry: String, user: String, password: String) throws -> AuthConfig {
        let directory = temporary.path + "/config"
        try FileSystem.createDirectory(directory + "/auth.d")
        let json = #"{"rktKind":"dockerAuth","rktVersion":"v1","registries":["\#(registry)"],"credentials":{"user":"\#(user)","password":"\#(password)"}}"#
        try FileSystem.writeAtomically(directory + "/auth.d/r.json", Array(json.utf8))
        return try AuthConfig.load(configDirectories: [directory])
    }
}
