// The engine's side of the metadata service: `run --mds-register` registers the pod (and each
// app's image manifest) over the service's Unix socket before the apps start, and gc unregisters
// it. A one-request HTTP/1.1 client, usable over TCP too (tests, diagnostics).
import SkiffSystem
import CShim
#if canImport(Glibc)
import Glibc
#endif

/// Where an HTTP request goes.
public enum HTTPEndpoint: Sendable, Equatable {
    case unix(String)
    case tcp(String, UInt16)
}

/// A response as the client read it.
public struct HTTPClientResponse: Sendable, Equatable {
    public var status: Int
    /// Header fields with lowercased names.
    public var headers: [String: String]
    public var body: [UInt8]
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// One request per connection, `Connection: close`.
public enum HTTPClient {
    /// Sends `method path` with `body` and reads the whole response (5 s timeouts).
    public static func send(
        _ method: String, _ path: String, body: [UInt8] = [], contentType: String? = nil, to endpoint: HTTPEndpoint
    ) throws -> HTTPClientResponse {
        let socket = try connect(endpoint)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        try socket.write(Array((head + "\r\n").utf8) + body)
        let raw = try socket.readAll(limit: 64 << 20)
        guard let end = HTTPCoding.find([13, 10, 13, 10], in: raw) else { throw SkiffError(.invalid, "\(method) \(path): malformed response") }
        let lines = String(decoding: raw[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines[0].split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw SkiffError(.invalid, "\(method) \(path): malformed status line") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...]).trimmingCharacters(in: [" ", "\t"])
        }
        var bodyBytes = Array(raw[(end + 4)...])
        if let length = headers["content-length"].flatMap({ Int($0) }) { bodyBytes = Array(bodyBytes.prefix(length)) }
        return HTTPClientResponse(status: status, headers: headers, body: bodyBytes)
    }

    private static func connect(_ endpoint: HTTPEndpoint) throws -> FileDescriptor {
        switch endpoint {
        case .unix(let path):
            let fd = FileDescriptor(
                owning: try check("socket unix") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) },
                path: path)
            try setTimeouts(fd)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw SkiffError(.invalid, "connect \(quote(path)): path too long") }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in for (index, byte) in bytes.enumerated() { raw[index] = byte } }
            _ = try withUnsafePointer(to: &address) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                    try check("connect \(quote(path))") { Glibc.connect(fd.raw, raw, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
            }
            return fd
        case .tcp(let host, let port):
            let fd = FileDescriptor(
                owning: try check("socket tcp") { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) },
                path: "\(host):\(port)")
            try setTimeouts(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw SkiffError(.invalid, "connect \(host): not an IPv4 address") }
            _ = try withUnsafePointer(to: &address) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                    try check("connect \(host):\(port)") { Glibc.connect(fd.raw, raw, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            }
            return fd
        }
    }

    private static func setTimeouts(_ fd: FileDescriptor) throws {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd.raw, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd.raw, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}

/// Registering pods with a running `skiff metadata-service`.
public enum MetadataClient {
    /// Registers the pod and its apps' image manifests (app name → manifest bytes) with a fresh
    /// 256-bit token; `address` (the pod's IP) restricts who may use it. Returns the token.
    public static func register(
        socketPath: String = MetadataService.defaultSocketPath, uuid: String, podManifest: [UInt8],
        imageManifests: [(app: String, manifest: [UInt8])], address: String?
    ) throws -> String {
        let token = MetadataRegistry.randomBytes(32).hexString
        var path = "/pods/\(HTTPCoding.percentEncode(uuid))?token=\(token)"
        if let address { path += "&ip=\(HTTPCoding.percentEncode(address))" }
        try expectOK("register pod \(uuid)", try HTTPClient.send("PUT", path, body: podManifest, contentType: "application/json", to: .unix(socketPath)))
        for (app, manifest) in imageManifests {
            let response = try HTTPClient.send(
                "PUT", "/pods/\(HTTPCoding.percentEncode(uuid))/\(HTTPCoding.percentEncode(app))", body: manifest,
                contentType: "application/json", to: .unix(socketPath))
            try expectOK("register app \(quote(app)) of pod \(uuid)", response)
        }
        return token
    }

    /// The TCP port the service listens on for pods (for AC_METADATA_URL).
    public static func port(socketPath: String = MetadataService.defaultSocketPath) throws -> UInt16 {
        let response = try HTTPClient.send("GET", "/port", to: .unix(socketPath))
        try expectOK("ask the port", response)
        guard let port = UInt16(response.text) else {
            throw SkiffError(.invalid, "ask the port of the metadata service: \(quote(response.text)) is not a port")
        }
        return port
    }

    /// Unregisters the pod; an unknown pod is fine (gc may run twice).
    public static func unregister(socketPath: String = MetadataService.defaultSocketPath, uuid: String) throws {
        let response = try HTTPClient.send("DELETE", "/pods/\(HTTPCoding.percentEncode(uuid))", to: .unix(socketPath))
        if response.status != 404 { try expectOK("unregister pod \(uuid)", response) }
    }

    private static func expectOK(_ what: String, _ response: HTTPClientResponse) throws {
        guard response.status == 200 else {
            throw SkiffError(.system, "\(what) with the metadata service: \(response.status) \(response.text)")
        }
    }
}
