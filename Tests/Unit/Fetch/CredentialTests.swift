// Credentials reach the server but never curl's argv (readable by every user through /proc).
#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SkiffSystem
import SkiffTestSupport
import XCTest

@testable import SkiffFetch

final class CredentialTests: FetchTestCase {
    private func config(_ type: String, _ credentials: String) throws -> AuthConfig {
        try temporary.write(
            "conf/auth.d/a.json",
            #"{"rktKind":"auth","rktVersion":"v1","domains":["127.0.0.1"],"type":"\#(type)","credentials":\#(credentials)}"#)
        return try AuthConfig.load(configDirectories: [temporary.path + "/conf"])
    }

    func testBasicAuthReachesTheServer() throws {
        let auth = try config("basic", #"{"user":"alice","password":"s3cr\"et\\x"}"#)
        server.serveWithBasicAuth("/p.aci", pattern(500), user: "alice", password: "s3cr\"et\\x")
        let sink = HashingSink()
        XCTAssertEqual(try client(auth: auth).get(url("/p.aci"), to: sink).status, 200)
        XCTAssertEqual(sink.count, 500)
    }

    func testBearerTokenReachesTheServer() throws {
        let auth = try config("oauth", #"{"token":"tok-123"}"#)
        server.serveWithBearer("/p.aci", pattern(10), token: "tok-123")
        XCTAssertEqual(try client(auth: auth).get(url("/p.aci"), to: HashingSink()).status, 200)
        XCTAssertEqual(server.requests.first?.headers["authorization"], "Bearer tok-123")
    }

    func testRejectedCredentialsSaySo() throws {
        let auth = try config("oauth", #"{"token":"wrong"}"#)
        server.serveWithBearer("/p.aci", pattern(10), token: "right")
        let message = errorMessage { _ = try client(auth: auth).get(url("/p.aci"), to: HashingSink()) }
        XCTAssertEqual(message, "fetch \(url("/p.aci").absoluteString): HTTP 401 Unauthorized: the credentials in auth.d were rejected")
    }

    func testSecretsNeverOnTheCommandLine() throws {
        let auth = try config("basic", #"{"user":"alice","password":"hunter2"}"#)
        let client = self.client(auth: auth)
        let encoded = Data("alice:hunter2".utf8).base64EncodedString()
        let command = try client.command(
            for: url("/p.aci"), original: url("/p.aci"), ifNoneMatch: "\"e\"", resumeFrom: 5, headerDescriptor: 9)
        let argv = command.arguments.joined(separator: " ")
        XCTAssertFalse(argv.contains(encoded), argv)
        XCTAssertFalse(argv.contains("hunter2"), argv)
        XCTAssertTrue(argv.contains("If-None-Match: \"e\""), "non-secret headers may stay on argv")
        XCTAssertEqual(command.config, "header = \"Authorization: Basic \(encoded)\"\n")
        XCTAssertEqual(Array(command.arguments.suffix(4)), ["--config", "-", "--url", url("/p.aci").absoluteString])
        XCTAssertEqual(command.arguments[1], "--disable", "~/.curlrc is ignored only if --disable comes first")
    }

    func testSecretsNotInTheLiveProcessTable() throws {
        // While curl waits on a delayed response, read its real argv from /proc.
        let auth = try config("oauth", #"{"token":"very-secret-token"}"#)
        server.serveDelayed("/slow", [1], seconds: 0.3)
        let finder = try JoinableThread { [self] in _ = try? client(auth: auth).get(url("/slow"), to: HashingSink()) }
        var seen: [String] = []
        for _ in 0..<100 where seen.isEmpty {
            seen = curlCommandLines()
            if seen.isEmpty { usleep(10_000) }
        }
        finder.join()
        XCTAssertFalse(seen.isEmpty, "curl was not seen running")
        for line in seen { XCTAssertFalse(line.contains("very-secret-token"), line) }
        XCTAssertEqual(server.requests.first?.headers["authorization"], "Bearer very-secret-token")
    }

    func testConfigQuoting() {
        XCTAssertEqual(CurlCommand.configQuoted(#"a"b\c"#), #""a\"b\\c""#)
    }

    func testCredentialsInURLRefused() {
        let message = errorMessage { _ = try client().get(URL(string: "http://bob:pw@127.0.0.1/x")!, to: HashingSink()) }
        XCTAssertEqual(message, "fetch http://bob:xxx@127.0.0.1/x: credentials in URLs are not supported (use auth.d)")
    }

    func testNoCredentialsDowngradedToHTTP() throws {
        let auth = try config("oauth", #"{"token":"t"}"#)
        let client = self.client(auth: auth)
        let secure = URL(string: "https://127.0.0.1/x")!
        XCTAssertEqual(client.secretHeaders(for: secure, original: secure).count, 1)
        XCTAssertEqual(client.secretHeaders(for: URL(string: "http://127.0.0.1/x")!, original: secure).count, 0)
        XCTAssertEqual(client.secretHeaders(for: URL(string: "https://localhost/x")!, original: secure).count, 0)
    }

    /// The command lines of running curl processes that are children of this test process.
    private func curlCommandLines() -> [String] {
        let me = getpid()
        var lines: [String] = []
        for entry in (try? FileSystem.list("/proc")) ?? [] where Int32(entry) != nil {
            guard let stat = try? FileSystem.read("/proc/\(entry)/stat"),
                let cmdline = try? FileSystem.read("/proc/\(entry)/cmdline")
            else { continue }
            // Field 4 of stat is the parent pid; the command name in field 2 may hold spaces.
            let text = String(decoding: stat, as: UTF8.self)
            guard let close = text.lastIndex(of: ")") else { continue }
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == me else { continue }
            let argv = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if argv.first == "curl" { lines.append(argv.joined(separator: " ")) }
        }
        return lines
    }
}
