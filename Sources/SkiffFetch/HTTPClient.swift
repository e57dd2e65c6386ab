// GET over curl with the rules curl cannot enforce alone: redirects followed here so every hop
// is checked against the http policy and credentials stay with the host they were meant for.
import FoundationEssentials
import SkiffSystem

/// Fetches over HTTP(S) by running the real `curl`, streaming bodies into Swift as they arrive.
public struct HTTPClient: Sendable {
    /// The most redirects followed for one request.
    public static let maxRedirects = 10

    /// Credentials, per host.
    public let auth: AuthConfig
    /// Schemes, certificates and timeouts.
    public let policy: TransportPolicy
    /// The User-Agent header.
    public let userAgent: String

    /// A client; `userAgent` is sent with every request.
    public init(auth: AuthConfig, policy: TransportPolicy, userAgent: String = "skiff") {
        self.auth = auth
        self.policy = policy
        self.userAgent = userAgent
    }

    /// GETs `url`, streaming the body to `sink`.
    ///
    /// `ifNoneMatch` sends If-None-Match and returns status 304 with no body. `resumeFrom` > 0
    /// sends `Range: bytes=N-` and accepts 206 (`bodyOffset` = N); a 200 means the server ignored
    /// the range: `sink.restart()` is called before the whole body is written and the result
    /// says `rangeIgnored`. Redirects are followed (at most 10), credentials are sent only to
    /// the original host, and plain http:// is refused unless `policy.allowHTTP` (redirects
    /// too). Any other non-2xx status, a short body or a transport failure throws one line:
    /// `fetch <url>: HTTP 404 Not Found`, `fetch <url>: connection closed after N of M bytes`.
    ///
    /// For registries: `headers` are sent on every hop (Accept); `authorization` replaces the
    /// auth.d credential for this request (a bearer token from a token service), with the same
    /// rule: only to the host asked for, never to a redirect target elsewhere; a status in
    /// `passing` is returned instead of thrown, without its body (a 401 whose challenge the
    /// caller answers).
    public func get(
        _ url: URL, to sink: DownloadSink, ifNoneMatch: String? = nil, resumeFrom: Int64 = 0,
        progress: ProgressBar? = nil, headers: [(String, String)] = [], authorization: String? = nil,
        passing: Set<Int> = []
    ) throws -> HTTPResponse {
        defer { progress?.finish() }
        try checkScheme(url, original: url)
        if url.user != nil || url.password != nil {
            throw SkiffError(.usage, "fetch \(redacted(url)): credentials in URLs are not supported (use auth.d)")
        }
        var current = url
        var visited: Set<String> = [url.absoluteString]
        for _ in 0...HTTPClient.maxRedirects {
            let request = Request(
                url: current, original: url, ifNoneMatch: ifNoneMatch, resumeFrom: resumeFrom, headers: headers,
                authorization: authorization, passing: passing)
            let response = try once(request, sink: sink, progress: progress)
            guard [301, 302, 303, 307, 308].contains(response.status) else { return response }
            guard let location = response.headers["location"], !location.isEmpty,
                let next = URL(string: location, relativeTo: current)?.absoluteURL
            else {
                throw failure(url, current, "HTTP \(response.status) \(response.reason) without a valid Location")
            }
            try checkScheme(next, original: url)
            if !visited.insert(next.absoluteString).inserted {
                throw failure(url, current, "redirect loop back to \(next.absoluteString)")
            }
            current = next
        }
        throw failure(url, current, "too many redirects (more than \(HTTPClient.maxRedirects))")
    }

    /// GETs a small body (discovery page, key, signature, manifest, token) into memory: at
    /// most `limit` bytes. `headers`, `authorization` and `passing` as for `get`.
    public func getData(
        _ url: URL, limit: Int = 4 << 20, headers: [(String, String)] = [], authorization: String? = nil,
        passing: Set<Int> = []
    ) throws -> (HTTPResponse, [UInt8]) {
        let sink = MemorySink(limit: limit)
        do {
            let response = try get(url, to: sink, headers: headers, authorization: authorization, passing: passing)
            return (response, sink.bytes)
        } catch where sink.overflowed {
            throw SkiffError(.invalid, "fetch \(redacted(url)): body larger than \(limit) bytes")
        }
    }

    /// One hop of a request: where it goes, and what the caller asked for.
    struct Request {
        var url: URL
        var original: URL
        var ifNoneMatch: String? = nil
        var resumeFrom: Int64 = 0
        var headers: [(String, String)] = []
        var authorization: String? = nil
        var passing: Set<Int> = []
    }

    /// The curl command for one hop, as `once` would run it (exposed for tests: no secrets).
    func command(
        for url: URL, original: URL, ifNoneMatch: String?, resumeFrom: Int64, headerDescriptor: Int32
    ) throws -> CurlCommand {
        try command(
            Request(url: url, original: original, ifNoneMatch: ifNoneMatch, resumeFrom: resumeFrom),
            headerDescriptor: headerDescriptor)
    }

    func command(_ request: Request, headerDescriptor: Int32) throws -> CurlCommand {
        var headers = request.headers
        if let ifNoneMatch = request.ifNoneMatch { headers.append(("If-None-Match", ifNoneMatch)) }
        return try CurlCommand.get(
            request.url, headers: headers,
            secretHeaders: secretHeaders(for: request.url, original: request.original, explicit: request.authorization),
            resumeFrom: request.resumeFrom, policy: policy, userAgent: userAgent, headerDescriptor: headerDescriptor)
    }

    /// Credentials go only to the host the caller asked for, and never from https down to http.
    /// An `explicit` Authorization value replaces the configured one.
    func secretHeaders(for url: URL, original: URL, explicit: String? = nil) -> [(String, String)] {
        guard let host = url.host?.lowercased(), host == original.host?.lowercased() else { return [] }
        if original.scheme?.lowercased() == "https" && url.scheme?.lowercased() != "https" { return [] }
        if let explicit { return [("Authorization", explicit)] }
        return auth.headers(for: url).map { ($0.key, $0.value) }
    }

    /// One request without following redirects: a redirect comes back as a response.
    private func once(_ request: Request, sink: DownloadSink, progress: ProgressBar?) throws -> HTTPResponse {
        let url = request.url
        let original = request.original
        let resumeFrom = request.resumeFrom
        var final: HTTPResponse?
        var expected: Int64?
        var received: Int64 = 0
        let outcome = try CurlTransfer.run(
            url: url,
            makeCommand: { try command(request, headerDescriptor: $0) },
            onHead: { head in
                var head = head
                if request.passing.contains(head.status) {
                    final = head
                    return false
                }
                switch head.status {
                case 301, 302, 303, 307, 308, 304:
                    final = head
                    return false
                case 200..<300:
                    if resumeFrom > 0 && head.status == 200 {
                        try sink.restart()
                        head.rangeIgnored = true
                    } else if head.status == 206 {
                        guard resumeFrom > 0, let range = head.contentRange, range.first == resumeFrom else {
                            throw failure(original, url, "HTTP 206 with a Content-Range that does not start at \(resumeFrom)")
                        }
                        head.bodyOffset = resumeFrom
                    }
                    expected = head.contentLength
                    final = head
                    return true
                default:
                    throw statusError(head, original: original, url: url)
                }
            },
            onBody: { chunk in
                try sink.write(chunk)
                received += Int64(chunk.count)
                if let progress, let offset = final?.bodyOffset {
                    progress.update(received: offset + received, total: expected.map { $0 + offset })
                }
            })
        // Transport failures (no answer, short body, TLS) are .system; bad answers are .invalid.
        guard var response = final else {
            throw failure(original, url, outcome.curlError ?? "curl exited with status \(outcome.exitCode)", code: .system)
        }
        if outcome.stoppedEarly { return response }
        response.bodyBytes = outcome.bodyBytes
        let short = expected.map { outcome.bodyBytes < $0 } ?? false
        if short || outcome.exitCode == 18 {
            let of = expected.map { " of \($0)" } ?? ""
            throw failure(original, url, "connection closed after \(outcome.bodyBytes)\(of) bytes", code: .system)
        }
        if outcome.exitCode != 0 {
            throw failure(original, url, outcome.curlError ?? "curl exited with status \(outcome.exitCode)", code: .system)
        }
        return response
    }

    /// The error for a non-2xx status.
    private func statusError(_ head: HTTPResponse, original: URL, url: URL) -> SkiffError {
        var why = "HTTP \(head.status) \(head.reason)".trimmed()
        if head.status == 401 {
            why += secretHeaders(for: url, original: original).isEmpty
                ? ": authentication required (add credentials in auth.d)"
                : ": the credentials in auth.d were rejected"
        }
        let code: SkiffError.Code = head.status == 404 || head.status == 410 ? .notFound : .invalid
        return SkiffError(code, failure(original, url, why).message)
    }

    private func checkScheme(_ url: URL, original: URL) throws {
        switch url.scheme?.lowercased() {
        case "https": return
        case "http" where policy.allowHTTP: return
        case "http":
            throw failure(original, url, "plain http is not allowed (insecure option http)", code: .usage)
        default:
            throw failure(original, url, "unsupported URL scheme \(quote(url.scheme ?? ""))", code: .usage)
        }
    }

    /// `fetch <url>: why`, naming the redirect target too when it differs.
    private func failure(_ original: URL, _ current: URL, _ why: String, code: SkiffError.Code = .invalid)
        -> SkiffError
    {
        let target = current == original ? "" : " (redirected to \(redacted(current)))"
        return SkiffError(code, "fetch \(redacted(original))\(target): \(why)")
    }
}
