// Ready-made routes for the test server: files with ETag/Cache-Control/Range, redirects,
// authentication checks and injected failures.
import FoundationEssentials

extension TestHTTPServer {
    /// Serves `body` at `path` like a static file server: ETag + If-None-Match → 304,
    /// Cache-Control if given, and `Range: bytes=N-` / `bytes=N-M` → 206 (416 past the end)
    /// unless `ranges` is false (then the whole body, 200, as servers ignoring ranges do).
    public func serveFile(
        _ path: String, _ body: [UInt8], contentType: String = "application/octet-stream", etag: String? = nil,
        cacheControl: String? = nil, ranges: Bool = true
    ) {
        route(path) { request in
            var headers = [("Content-Type", contentType)]
            if let etag { headers.append(("ETag", etag)) }
            if let cacheControl { headers.append(("Cache-Control", cacheControl)) }
            if let etag, let match = request.headers["if-none-match"],
                match == "*" || match.split(separator: ",").contains(where: { $0.drop { $0 == " " } == etag })
            {
                return TestResponse(status: 304, reason: "Not Modified", headers: headers)
            }
            if ranges, let range = request.headers["range"], let (first, last) = parseRange(range) {
                guard first < body.count else {
                    return TestResponse(
                        status: 416, reason: "Range Not Satisfiable", headers: [("Content-Range", "bytes */\(body.count)")])
                }
                let end = min(last ?? body.count - 1, body.count - 1)
                headers.append(("Content-Range", "bytes \(first)-\(end)/\(body.count)"))
                return TestResponse(
                    status: 206, reason: "Partial Content", headers: headers, body: Array(body[first...end]))
            }
            return TestResponse(status: 200, reason: "OK", headers: headers, body: body)
        }
    }

    /// Serves text (HTML pages for discovery).
    public func serveText(_ path: String, _ text: String, contentType: String = "text/html; charset=utf-8") {
        serveFile(path, Array(text.utf8), contentType: contentType)
    }

    /// Redirects `path` to `location` (absolute or relative) with `status` (301, 302, 307...).
    public func redirect(_ path: String, to location: String, status: Int = 302) {
        let reasons = [301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect", 308: "Permanent Redirect"]
        route(path) { _ in
            TestResponse(status: status, reason: reasons[status] ?? "Redirect", headers: [("Location", location)])
        }
    }

    /// Answers `path` with `status` and `reason` (404, 500, ...).
    public func fail(_ path: String, status: Int, reason: String) {
        route(path) { _ in TestResponse(status: status, reason: reason, body: Array("failure \(status)\n".utf8)) }
    }

    /// Serves `body` but closes the connection after `after` bytes.
    public func serveTruncated(_ path: String, _ body: [UInt8], after: Int) {
        route(path) { _ in
            var response = TestResponse(status: 200, reason: "OK", body: body)
            response.dropAfter = after
            return response
        }
    }

    /// Accepts the request and closes the connection without answering.
    public func hangUp(_ path: String) {
        route(path) { _ in
            var response = TestResponse(status: 0)
            response.closeWithoutResponse = true
            return response
        }
    }

    /// Serves `body` after `seconds`.
    public func serveDelayed(_ path: String, _ body: [UInt8], seconds: Double) {
        route(path) { _ in
            var response = TestResponse(status: 200, reason: "OK", body: body)
            response.delay = seconds
            return response
        }
    }

    /// Serves `body` only with `Authorization: Basic base64(user:password)`; else 401 with
    /// `WWW-Authenticate: Basic realm="skiff-test"`.
    public func serveWithBasicAuth(_ path: String, _ body: [UInt8], user: String, password: String) {
        let expected = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        serveAuthorized(path, body, expected: expected, challenge: "Basic realm=\"skiff-test\"")
    }

    /// Serves `body` only with `Authorization: Bearer <token>`; else 401 with a Bearer challenge.
    public func serveWithBearer(_ path: String, _ body: [UInt8], token: String) {
        serveAuthorized(path, body, expected: "Bearer " + token, challenge: "Bearer realm=\"skiff-test\"")
    }

    private func serveAuthorized(_ path: String, _ body: [UInt8], expected: String, challenge: String) {
        route(path) { request in
            guard request.headers["authorization"] == expected else {
                return TestResponse(
                    status: 401, reason: "Unauthorized", headers: [("WWW-Authenticate", challenge)],
                    body: Array("unauthorized\n".utf8))
            }
            return TestResponse(status: 200, reason: "OK", headers: [("Content-Type", "application/octet-stream")], body: body)
        }
    }
}

/// `bytes=N-` or `bytes=N-M` → (N, M?); nil for anything else (suffix or multiple ranges).
private func parseRange(_ header: String) -> (Int, Int?)? {
    guard header.hasPrefix("bytes=") else { return nil }
    let spec = header.dropFirst(6)
    guard !spec.contains(","), let dash = spec.firstIndex(of: "-"), let first = Int(spec[..<dash]) else { return nil }
    let tail = spec[spec.index(after: dash)...]
    if tail.isEmpty { return (first, nil) }
    guard let last = Int(tail), last >= first else { return nil }
    return (first, last)
}
