// What a server answered: the status, the headers, and the caching hints the image store keeps.
import FoundationEssentials

/// What the server said, after any redirects were followed.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code of the final response (200, 206, 304, ...).
    public var status: Int
    /// The reason phrase of the status line ("Not Found"); the standard phrase when the server
    /// sent none (HTTP/2 has no reason phrases).
    public var reason: String
    /// Header fields with lowercased names; a field sent twice keeps its last value.
    public var headers: [String: String]
    /// The URL that produced this response (the requested one unless redirected).
    public var finalURL: URL
    /// Where in the whole resource the body given to the sink starts: the resume offset for a
    /// 206, 0 for a 200 (also when a resume was asked for and the server ignored the range: the
    /// sink was restarted then, see `rangeIgnored`).
    public var bodyOffset: Int64 = 0
    /// True when `resumeFrom` > 0 was asked for but the server sent the whole body (200): the
    /// sink's `restart()` was called before the first byte of the new body.
    public var rangeIgnored: Bool = false
    /// How many body bytes were written to the sink by this response.
    public var bodyBytes: Int64 = 0

    /// Creates a response; used by the client and by tests.
    public init(status: Int, reason: String = "", headers: [String: String] = [:], finalURL: URL) {
        self.status = status
        self.reason = reason.isEmpty ? HTTPResponse.standardReason(status) : reason
        self.headers = headers
        self.finalURL = finalURL
    }

    /// The ETag header, exactly as sent (quotes and weak prefix kept, as If-None-Match wants it).
    public var etag: String? { headers["etag"] }

    /// Seconds the response may be reused without asking again: `max-age` of Cache-Control, 0
    /// for `no-cache` or `no-store` (which win over max-age), nil when the server said nothing.
    public var cacheMaxAge: Int? { HTTPResponse.maxAge(cacheControl: headers["cache-control"]) }

    /// The body length the server announced (Content-Length), if any.
    public var contentLength: Int64? {
        headers["content-length"].flatMap { Int64($0.trimmed()) }
    }

    /// Parses a Cache-Control value: see `cacheMaxAge`.
    static func maxAge(cacheControl: String?) -> Int? {
        guard let cacheControl else { return nil }
        var maxAge: Int?
        for directive in cacheControl.split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1)
            let name = parts[0].trimmed().lowercased()
            if name == "no-cache" || name == "no-store" { return 0 }
            if name == "max-age", parts.count == 2 {
                let value = parts[1].trimmed().unquoted()
                if let seconds = Int(value), seconds >= 0 { maxAge = seconds }
            }
        }
        return maxAge
    }

    /// The total size from a `Content-Range: bytes first-last/total` header and its first byte.
    var contentRange: (first: Int64, total: Int64?)? {
        guard let value = headers["content-range"], value.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = value.dropFirst(6).trimmed()
        let halves = spec.split(separator: "/", maxSplits: 1)
        guard halves.count == 2, let dash = halves[0].firstIndex(of: "-"),
            let first = Int64(halves[0][..<dash])
        else { return nil }
        return (first, Int64(halves[1]))
    }

    /// Parses one header block as curl dumps it: a status line, then `Name: value` lines.
    static func parseHead(_ text: String, url: URL) -> HTTPResponse? {
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\r\n" || $0 == "\n" })
            .map(String.init)
        guard !lines.isEmpty else { return nil }
        let statusLine = lines.removeFirst()
        // "HTTP/1.1 404 Not Found" or "HTTP/2 200"
        let fields = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), let status = Int(fields[1]) else { return nil }
        let reason = fields.count == 3 ? fields[2].trimmed() : ""
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmed().lowercased()
            headers[name] = line[line.index(after: colon)...].trimmed()
        }
        return HTTPResponse(status: status, reason: reason, headers: headers, finalURL: url)
    }

    /// The standard reason phrase of a status code ("" for unknown codes).
    public static func standardReason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 410: "Gone"
        case 416: "Range Not Satisfiable"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}
