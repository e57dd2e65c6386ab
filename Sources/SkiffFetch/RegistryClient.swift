// The pull side of the registry HTTP API v2 (distribution spec): version check, the
// WWW-Authenticate flow (anonymous or basic credentials traded for a bearer token at the
// realm, or basic auth itself), manifests by tag or digest with the right Accept types, and
// blobs by digest, redirects followed. Content checks (digests, sizes) are the caller's: this
// client moves bytes and credentials.
import FoundationEssentials
import SkiffSystem

/// A manifest as the registry answered it.
public struct RegistryManifest: Sendable {
    /// The body, byte for byte (its digest is what matters).
    public var bytes: [UInt8]
    /// The Content-Type, without parameters.
    public var contentType: String?
    /// The `Docker-Content-Digest` header, if sent.
    public var digestHeader: String?
}

/// A client for one repository of one registry.
public final class RegistryClient {
    /// The registry's base URL: `https://host[:port]` (`http://` when the policy allows http).
    public let baseURL: URL
    /// "library/debian".
    public let repository: String
    /// The registry as configured credentials name it ("127.0.0.1:5000", "docker.io").
    public let registry: String
    private let http: HTTPClient
    /// What the registry gets in Authorization once a challenge was answered (nil: auth.d's).
    private var authorization: String?

    /// The media types a manifest request accepts.
    public var acceptedManifestTypes: [String]

    /// A client for `repository` at `host` (the API host, with port if any). `registry` names the
    /// credentials (`dockerAuth` registries, else `auth` domains of the API host).
    public init(http: HTTPClient, host: String, registry: String, repository: String, acceptedManifestTypes: [String]) throws {
        let scheme = http.policy.allowHTTP ? "http" : "https"
        guard let url = URL(string: scheme + "://" + host), url.host != nil else {
            throw SkiffError(.usage, "registry \(quote(host)): not a valid host")
        }
        baseURL = url
        self.http = http
        self.registry = registry
        self.repository = repository
        self.acceptedManifestTypes = acceptedManifestTypes
    }

    /// `GET /v2/`: the registry speaks API v2 (200, or 401 with a challenge, answered now).
    public func checkVersion() throws {
        let url = try endpoint("/v2/")
        let response = try authorized(url) { authorization in
            try http.getData(url, limit: 1 << 20, authorization: authorization, passing: [401, 404]).0
        }
        if response.status == 404 {
            throw SkiffError(.invalid, "fetch \(url.absoluteString): not a registry (API v2 answered HTTP 404)")
        }
    }

    /// `GET /v2/<repo>/manifests/<reference>` (a tag or a digest), at most 4 MiB.
    public func manifest(_ reference: String) throws -> RegistryManifest {
        let url = try endpoint("/v2/\(repository)/manifests/\(reference)")
        let accept = [("Accept", acceptedManifestTypes.joined(separator: ", "))]
        var body: [UInt8] = []
        let response = try authorized(url) { authorization in
            let (response, bytes) = try http.getData(url, limit: 4 << 20, headers: accept, authorization: authorization, passing: [401])
            body = bytes
            return response
        }
        let type = response.headers["content-type"].map { String($0.prefix { $0 != ";" }).trimmed() }
        return RegistryManifest(bytes: body, contentType: type, digestHeader: response.headers["docker-content-digest"])
    }

    /// `GET /v2/<repo>/blobs/<digest>` into `sink`, from byte `resumeFrom` (the sink is
    /// restarted if the server sends the whole blob).
    @discardableResult
    public func blob(_ digest: String, to sink: DownloadSink, resumeFrom: Int64 = 0, progress: ProgressBar? = nil) throws
        -> HTTPResponse
    {
        let url = try endpoint("/v2/\(repository)/blobs/\(digest)")
        return try authorized(url) { authorization in
            try http.get(url, to: sink, resumeFrom: resumeFrom, progress: progress, authorization: authorization, passing: [401])
        }
    }

    // MARK: Authentication

    /// Runs `request`; on a 401 answers the challenge and runs it once more.
    private func authorized(_ url: URL, _ request: (String?) throws -> HTTPResponse) throws -> HTTPResponse {
        let first = try request(authorization)
        guard first.status == 401 else { return first }
        try answer(first, for: url)
        let second = try request(authorization)
        guard second.status == 401 else { return second }
        throw SkiffError(.invalid, "fetch \(url.absoluteString): HTTP 401 Unauthorized: the registry refused the credentials")
    }

    /// Sets `authorization` from a 401's challenge: a bearer token from its realm, or basic
    /// credentials. No credentials where basic auth is asked for is an error naming the fix.
    private func answer(_ response: HTTPResponse, for url: URL) throws {
        let header = response.headers["www-authenticate"] ?? ""
        guard let challenge = AuthChallenge.parse(header) else {
            throw SkiffError(.invalid, "fetch \(url.absoluteString): HTTP 401 Unauthorized without a WWW-Authenticate challenge")
        }
        let basic = credentials().map { "Basic " + Data("\($0.user):\($0.password)".utf8).base64EncodedString() }
        switch challenge.scheme {
        case "basic":
            guard let basic else {
                throw SkiffError(
                    .invalid,
                    "fetch \(url.absoluteString): HTTP 401 Unauthorized: authentication required (add a dockerAuth file for \(quote(registry)) in auth.d)")
            }
            authorization = basic
        case "bearer":
            authorization = "Bearer " + (try token(challenge, basic: basic, for: url))
        default:
            throw SkiffError(.invalid, "fetch \(url.absoluteString): HTTP 401 Unauthorized: unsupported authentication scheme \(quote(challenge.scheme))")
        }
    }

    /// Basic credentials for this registry: a `dockerAuth` entry, else a basic `auth` domain.
    private func credentials() -> (user: String, password: String)? {
        if let docker = http.auth.dockerCredentials(for: registry) { return docker }
        if case .basic(let user, let password) = http.auth.credential(for: baseURL) { return (user, password) }
        return nil
    }

    private struct TokenAnswer: Decodable {
        var token: String?
        var access_token: String?
    }

    /// A token for pulling this repository from the challenge's realm (anonymous, or with the
    /// registry's basic credentials, which go to the realm and nowhere else).
    private func token(_ challenge: AuthChallenge, basic: String?, for url: URL) throws -> String {
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm),
            components.host != nil
        else {
            throw SkiffError(.invalid, "fetch \(url.absoluteString): HTTP 401 with a bearer challenge without a valid realm")
        }
        var query = components.queryItems ?? []
        if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
        query.append(URLQueryItem(name: "scope", value: challenge.parameters["scope"] ?? "repository:\(repository):pull"))
        components.queryItems = query
        guard let tokenURL = components.url else { throw SkiffError(.invalid, "token realm \(quote(realm)): not a valid URL") }
        let (response, body) = try http.getData(tokenURL, limit: 1 << 20, authorization: basic, passing: [401, 403])
        guard response.status != 401 && response.status != 403 else {
            let why = basic == nil
                ? "authentication required (add a dockerAuth file for \(quote(registry)) in auth.d)"
                : "the token service refused the credentials"
            throw SkiffError(.invalid, "fetch \(tokenURL.absoluteString): HTTP \(response.status) \(response.reason): \(why)")
        }
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(body)),
            let token = answer.token ?? answer.access_token, !token.isEmpty,
            !token.contains(where: { $0.isNewline || $0 == "\0" })
        else {
            throw SkiffError(.invalid, "fetch \(tokenURL.absoluteString): the token service answered without a token")
        }
        return token
    }

    private func endpoint(_ path: String) throws -> URL {
        guard let url = URL(string: baseURL.absoluteString + path) else {
            throw SkiffError(.usage, "registry \(quote(baseURL.absoluteString)): cannot make a URL of \(quote(path))")
        }
        return url
    }
}
