// The small part of HTTP/1.1 the metadata service speaks: one request per connection (answers
// carry `Connection: close`), bodies by Content-Length (with `Expect: 100-continue` honoured, as
// curl sends it), bounded header and body sizes.
import SkiffSystem
#if canImport(Glibc)
import Glibc
#endif

/// A request as the server read it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path, still percent-encoded, without the query.
    public var path: String
    /// Query parameters, decoded.
    public var query: [String: String]
    /// Header fields with lowercased names.
    public var headers: [String: String]
    public var body: [UInt8]
    /// The peer's IP address for TCP connections; nil over a Unix socket.
    public var peerAddress: String?

    /// Form values: the query, then an `application/x-www-form-urlencoded` body over it.
    public var form: [String: String] {
        var values = query
        if headers["content-type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false {
            for (key, value) in HTTPCoding.parseForm(String(decoding: body, as: UTF8.self)) { values[key] = value }
        }
        return values
    }

    /// The decoded path segments ("/a/b%2Fc" → ["a", "b/c"]).
    public var segments: [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { HTTPCoding.percentDecode(String($0)) }
    }
}

/// A response to write.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String?
    public var body: [UInt8]

    /// A response with a body.
    public init(status: Int, contentType: String? = nil, body: [UInt8] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// `text/plain; charset=us-ascii` with `text`.
    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=us-ascii", body: Array(text.utf8))
    }

    /// `application/json` with `body`.
    public static func json(_ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: 200, contentType: "application/json", body: body)
    }

    /// The bytes on the wire.
    public var serialized: [UInt8] {
        var head = "HTTP/1.1 \(status) \(HTTPCoding.reason(status))\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }
}

/// A request the server refuses before routing it.
struct HTTPFailure: Error {
    let status: Int
    let message: String
}

enum HTTPCoding {
    static let headerLimit = 16 << 10

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 431: return "Request Header Fields Too Large"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        default: return "Status \(status)"
        }
    }

    /// Reads one request from `fd` (blocking; the socket's receive timeout bounds it).
    static func readRequest(_ fd: FileDescriptor, bodyLimit: Int, peer: String?) throws(HTTPFailure) -> HTTPRequest {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        var headerEnd: Int?
        while headerEnd == nil {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd.raw, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw HTTPFailure(status: 400, message: "connection closed before the end of the header") }
            buffer += chunk[0..<n]
            headerEnd = find([13, 10, 13, 10], in: buffer)
            if headerEnd == nil && buffer.count > headerLimit { throw HTTPFailure(status: 431, message: "header too large") }
        }
        let end = headerEnd ?? 0
        let lines = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1."), requestLine[1].hasPrefix("/") else {
            throw HTTPFailure(status: 400, message: "malformed request line")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw HTTPFailure(status: 400, message: "malformed header line") }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...]).trimmingCharacters(in: [" ", "\t"])
        }
        if headers["transfer-encoding"] != nil { throw HTTPFailure(status: 501, message: "chunked bodies are not supported") }
        let length = Int(headers["content-length"] ?? "0") ?? -1
        guard length >= 0 else { throw HTTPFailure(status: 400, message: "bad Content-Length") }
        guard length <= bodyLimit else { throw HTTPFailure(status: 413, message: "body larger than \(bodyLimit) bytes") }
        var body = Array(buffer[(end + 4)...])
        if body.count < length && headers["expect"]?.lowercased() == "100-continue" {
            try? fd.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        while body.count < length {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd.raw, $0.baseAddress, min($0.count, length - body.count)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw HTTPFailure(status: 400, message: "connection closed before the end of the body") }
            body += chunk[0..<n]
        }
        let target = String(requestLine[1])
        let question = target.firstIndex(of: "?")
        let path = question.map { String(target[..<$0]) } ?? target
        let query = question.map { parseForm(String(target[target.index(after: $0)...])) } ?? [:]
        return HTTPRequest(
            method: String(requestLine[0]), path: path, query: query, headers: headers, body: Array(body.prefix(length)),
            peerAddress: peer)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    /// `a=1&b=x+y%21` → ["a": "1", "b": "x y!"]; the first value of a repeated key wins.
    static func parseForm(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecode(String(parts[0]).replacingPlus())
            let value = parts.count > 1 ? percentDecode(String(parts[1]).replacingPlus()) : ""
            if values[key] == nil { values[key] = value }
        }
        return values
    }

    /// Decodes %XX escapes (invalid escapes stay as they are).
    static func percentDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "%"), index + 2 < source.count,
                let value = UInt8(String(decoding: source[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Percent-encodes everything but unreserved characters (for form values).
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80 && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~".unicodeScalars.contains(scalar)) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}

extension String {
    fileprivate func replacingPlus() -> String { String(map { $0 == "+" ? " " : $0 }) }

    /// Splits at every occurrence of `separator`.
    func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
