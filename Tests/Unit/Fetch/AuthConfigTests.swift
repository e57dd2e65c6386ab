// auth.d parsing, override order, and which URLs get which header.
import FoundationEssentials
import SkiffSystem
import SkiffTestSupport
import XCTest

@testable import SkiffFetch

final class AuthConfigTests: XCTestCase {
    var temporary: ScratchDirectory!

    override func setUpWithError() throws { temporary = try ScratchDirectory("auth") }
    override func tearDown() { temporary?.remove() }

    private func write(_ dir: String, _ name: String, _ json: String) throws {
        try temporary.write("\(dir)/auth.d/\(name)", json)
    }

    private func load(_ dirs: String...) throws -> AuthConfig {
        try AuthConfig.load(configDirectories: dirs.map { temporary.path + "/" + $0 })
    }

    private func message(_ body: () throws -> Void) -> String {
        do { try body() } catch let error as SkiffError { return error.message } catch { return "\(error)" }
        return "(no error)"
    }

    private let basic =
        #"{"rktKind":"auth","rktVersion":"v1","domains":["Example.com","other.org:8443"],"type":"basic","credentials":{"user":"u","password":"p"}}"#
    private let oauth =
        #"{"rktKind":"auth","rktVersion":"v1","domains":["example.com"],"type":"oauth","credentials":{"token":"t0k"}}"#

    func testBasicAndOAuthFiles() throws {
        try write("sys", "a.json", basic)
        try write("sys", "b.json", #"{"rktKind":"auth","rktVersion":"v1","domains":["tokens.io"],"type":"oauth","credentials":{"token":"abc"}}"#)
        try write("sys", "README", "not json, ignored")
        let auth = try load("sys")
        XCTAssertEqual(auth.headers(for: URL(string: "https://example.com/x.aci")!), ["Authorization": "Basic dTpw"])
        XCTAssertEqual(auth.headers(for: URL(string: "https://EXAMPLE.COM/x")!), ["Authorization": "Basic dTpw"])
        XCTAssertEqual(auth.headers(for: URL(string: "https://tokens.io/k")!), ["Authorization": "Bearer abc"])
    }

    func testHeadersOnlyForTheExactHost() throws {
        try write("sys", "a.json", basic)
        let auth = try load("sys")
        XCTAssertEqual(auth.headers(for: URL(string: "https://sub.example.com/x")!), [:])
        XCTAssertEqual(auth.headers(for: URL(string: "https://example.com.evil.net/x")!), [:])
        XCTAssertEqual(auth.headers(for: URL(string: "https://other.org/x")!), [:], "configured with a port only")
        XCTAssertEqual(auth.headers(for: URL(string: "https://other.org:8443/x")!), ["Authorization": "Basic dTpw"])
    }

    func testLaterDirectoryWinsPerDomain() throws {
        try write("system", "a.json", basic)
        try write("local", "z.json", oauth)
        let auth = try load("system", "local", "missing")
        XCTAssertEqual(auth.headers(for: URL(string: "https://example.com/")!), ["Authorization": "Bearer t0k"])
        XCTAssertEqual(auth.headers(for: URL(string: "https://other.org:8443/")!), ["Authorization": "Basic dTpw"])
        let reversed = try load("local", "system")
        XCTAssertEqual(reversed.headers(for: URL(string: "https://example.com/")!), ["Authorization": "Basic dTpw"])
    }

    func testSameDomainTwiceInOneDirectoryIsAnError() throws {
        try write("sys", "a.json", basic)
        try write("sys", "b.json", oauth)
        let dir = temporary.path + "/sys/auth.d"
        XCTAssertEqual(
            message { _ = try load("sys") },
            "auth config \"\(dir)/b.json\": \"example.com\" is already configured in \"\(dir)/a.json\"")
    }

    func testBadKindVersionTypeAndJSONNameTheFile() throws {
        let dir = temporary.path + "/sys/auth.d"
        let cases: [(String, String)] = [
            (#"{"rktKind":"paths","rktVersion":"v1"}"#, "unknown rktKind \"paths\""),
            (#"{"rktKind":"auth","rktVersion":"v2","domains":["a"],"type":"basic"}"#, "unknown rktVersion \"v2\" for rktKind \"auth\""),
            (#"{"rktVersion":"v1"}"#, "missing rktKind"),
            (#"{"rktKind":"auth","rktVersion":"v1","domains":["a"],"type":"aws","credentials":{}}"#, "unsupported type \"aws\" (basic or oauth)"),
            (#"{"rktKind":"auth","rktVersion":"v1","domains":[],"type":"basic"}"#, "missing or empty domains"),
            (#"{"rktKind":"auth","rktVersion":"v1","domains":["a"],"type":"basic","credentials":{"user":"u"}}"#, "missing or empty credentials.password"),
            (#"{"rktKind":"auth","rktVersion":"v1","domains":["a"],"type":"oauth","credentials":{"token":"x\ny"}}"#, "credentials.token contains a line break"),
            (#"{"rktKind":"auth","rktVersion":"v1","domains":"a"}"#, "wrong type for \"domains\""),
            (#"{"rktKind":"auth", "#, "malformed JSON"),
        ]
        for (json, why) in cases {
            try write("sys", "bad.json", json)
            XCTAssertEqual(message { _ = try load("sys") }, "auth config \"\(dir)/bad.json\": \(why)", json)
        }
    }

    func testDockerAuthKeptSeparately() throws {
        try write(
            "sys", "docker.json",
            #"{"rktKind":"dockerAuth","rktVersion":"v1","registries":["quay.io"],"credentials":{"user":"d","password":"q"}}"#)
        let auth = try load("sys")
        XCTAssertEqual(auth.dockerCredentials(for: "QUAY.io")?.user, "d")
        XCTAssertEqual(auth.dockerCredentials(for: "quay.io")?.password, "q")
        XCTAssertEqual(auth.headers(for: URL(string: "https://quay.io/")!), [:])
    }
}
