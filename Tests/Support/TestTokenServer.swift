// A token service for docker-registry's token auth: GET /token?service=…&scope=… answers
// {"token": <JWT>} signed RS256 with a throwaway key (openssl signs), whose certificate the
// registry trusts (rootcertbundle); the JWT header's `kid` is the libtrust key ID distribution
// looks the key up by. Optionally requires basic credentials for a token.
import Foundation
import SkiffDigest
import SkiffSystem

/// The token server (a TestHTTPServer route) and its signing key.
public final class TestTokenServer {
    /// The HTTP server answering /token (`requests` shows what clients sent).
    public let server: TestHTTPServer
    /// The registry's `service`.
    public let service = "skiff-test-registry"
    /// The tokens' issuer.
    public let issuer = "skiff-test-issuer"
    /// The certificate of the signing key (the registry's rootcertbundle).
    public let certificateFile: String
    private let keyFile: String
    private let directory: ScratchDirectory

    /// `http://127.0.0.1:<port>/token`.
    public var realm: String { server.baseURL + "/token" }

    /// Starts the server. With `credentials`, a token needs `Authorization: Basic` with them;
    /// without, anyone gets one.
    public init(credentials: (user: String, password: String)? = nil) throws {
        directory = try ScratchDirectory("token")
        keyFile = directory.path + "/key.pem"
        certificateFile = directory.path + "/cert.pem"
        let made = try Subprocess.run([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certificateFile,
            "-days", "2", "-subj", "/CN=skiff-test-token",
        ])
        guard made.status == 0 else { throw TestSupportError("openssl req: \(made.stderrText)") }
        let der = try Subprocess.run(["openssl", "pkey", "-in", keyFile, "-pubout", "-outform", "DER"])
        guard der.status == 0 else { throw TestSupportError("openssl pkey: \(der.stderrText)") }
        let keyID = Self.libtrustKeyID(publicKeyDER: der.stdout)
        server = try TestHTTPServer()
        let expected = credentials.map { "Basic " + Data("\($0.user):\($0.password)".utf8).base64EncodedString() }
        let (service, issuer, keyFile) = (service, issuer, keyFile)
        server.route("/token") { request in
            if let expected, request.headers["authorization"] != expected {
                return TestResponse(status: 401, reason: "Unauthorized", headers: [("WWW-Authenticate", "Basic realm=\"token\"")])
            }
            let scopes = Self.queryValues(request.query ?? "", "scope")
            let subject = expected == nil ? "" : credentials?.user ?? ""
            guard let token = try? Self.token(
                scopes: scopes, service: service, issuer: issuer, subject: subject, keyID: keyID, keyFile: keyFile)
            else { return TestResponse(status: 500, reason: "Internal Server Error") }
            let body = try? JSONSerialization.data(withJSONObject: ["token": token, "access_token": token, "expires_in": 300])
            return TestResponse(status: 200, reason: "OK", headers: [("Content-Type", "application/json")], body: Array(body ?? Data()))
        }
    }

    /// Stops the server and removes the key.
    public func stop() {
        server.stop()
        directory.remove()
    }

    /// A JWT granting what `scopes` ask for ("repository:NAME:pull,push").
    static func token(
        scopes: [String], service: String, issuer: String, subject: String, keyID: String, keyFile: String
    ) throws -> String {
        var access: [[String: Any]] = []
        for scope in scopes {
            let parts = scope.split(separator: ":").map(String.init)
            guard parts.count >= 3 else { continue }
            let actions = parts[parts.count - 1].split(separator: ",").map(String.init)
            access.append(["type": parts[0], "name": parts[1..<(parts.count - 1)].joined(separator: ":"), "actions": actions])
        }
        let now = Int(Date().timeIntervalSince1970)
        let header: [String: Any] = ["typ": "JWT", "alg": "RS256", "kid": keyID]
        let claims: [String: Any] = [
            "iss": issuer, "sub": subject, "aud": service, "exp": now + 300, "nbf": now - 60, "iat": now,
            "jti": UUID().uuidString, "access": access,
        ]
        let signingInput = base64URL(try JSONSerialization.data(withJSONObject: header)) + "."
            + base64URL(try JSONSerialization.data(withJSONObject: claims))
        let signed = try Subprocess.run(["openssl", "dgst", "-sha256", "-sign", keyFile], input: Array(signingInput.utf8))
        guard signed.status == 0 else { throw TestSupportError("openssl dgst: \(signed.stderrText)") }
        return signingInput + "." + base64URL(Data(signed.stdout))
    }

    /// libtrust's key ID: the SHA-256 of the DER public key, first 30 bytes, base32, in groups
    /// of four joined by ":".
    static func libtrustKeyID(publicKeyDER: [UInt8]) -> String {
        let hash = Array(Digest.hash(.sha256, publicKeyDER).prefix(30))
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0
        var value = 0
        var text = ""
        for byte in hash {
            value = value << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                text.append(alphabet[(value >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        var groups: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(4)))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: ":")
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Every value of `name` in a query string, percent-decoded.
    public static func queryValues(_ query: String, _ name: String) -> [String] {
        query.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == name else { return nil }
            return parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
    }
}
