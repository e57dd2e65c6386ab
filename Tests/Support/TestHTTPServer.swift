// A small HTTP/1.1 server on 127.0.0.1 for tests: one thread per connection, Connection: close,
// routes registered by exact path, and a log of every request for assertions.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem
import Synchronization

/// A request as the test server received it.
public struct RecordedRequest: Sendable {
    /// "GET".
    public var method: String
    /// The request target as sent: path and query.
    public var target: String
    /// Header fields with lowercased names (last wins).
    public var headers: [String: String]
    /// The target without its query.
    public var path: String { String(target.prefix { $0 != "?" }) }
    /// The query (after "?"), if any.
    public var query: String? { target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) } }
}

/// What a route answers, plus the failures it can inject.
public struct TestResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The reason phrase ("Status" if empty).
    public var reason: String = ""
    /// Header fields, in order (Content-Length and Connection are added).
    public var headers: [(String, String)] = []
    /// The body.
    public var body: [UInt8] = []
    /// Close the connection after this many body bytes (Content-Length still announces all).
    public var dropAfter: Int? = nil
    /// Seconds to wait before answering (cut short when the server stops).
    public var delay: Double = 0
    /// Send no Content-Length (the body ends when the connection closes).
    public var omitContentLength = false
    /// Close the connection without sending anything.
    public var closeWithoutResponse = false

    /// A response; failure injection is set through the vars.

    public init(status: Int, reason: String = "", headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }
}

/// The server. Create it, register routes, use `baseURL`, and `stop()` it in tearDown (its
/// threads hold it, so it is not stopped by going out of scope).
public final class TestHTTPServer: @unchecked Sendable {
    /// Answers one request; runs on the connection's thread.
    public typealias Handler = @Sendable (RecordedRequest) -> TestResponse

    /// The port it listens on (ephemeral).
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private let listener: FileDescriptor
    private let wake: Pipe
    private let state = Mutex(State())
    private var acceptThread: JoinableThread?

    private struct State {
        var routes: [String: Handler] = [:]
        var requests: [RecordedRequest] = []
        var connections: [JoinableThread] = []
        var stopped = false
    }

    /// Listens on 127.0.0.1 with an ephemeral port and starts accepting.
    public init() throws {
        let fd = try check("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        listener = FileDescriptor(owning: fd, path: "test server socket")
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = try withUnsafePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                try check("bind 127.0.0.1") { bind(fd, raw, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        try check("listen") { listen(fd, 64) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                try check("getsockname") { getsockname(fd, raw, &length) }
            }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        wake = try Pipe()
        acceptThread = try JoinableThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    /// Answers requests for `path` (exact match, query ignored) with `handler`.
    public func route(_ path: String, _ handler: @escaping Handler) {
        state.withLock { $0.routes[path] = handler }
    }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] { state.withLock { $0.requests } }

    /// The requests for one path.
    public func requests(to path: String) -> [RecordedRequest] { requests.filter { $0.path == path } }

    /// Stops accepting, wakes every delayed handler, joins all threads and closes the socket.
    public func stop() {
        let first = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        wake.write.close()  // every poll on wake.read now sees end-of-file
        acceptThread?.join()
        acceptThread = nil
        // No connection can be added once stopped is set and the accept thread has ended.
        for connection in state.withLock({ $0.connections }) { connection.join() }
        listener.close()
    }

    /// Waits up to `seconds` for the wake pipe; true if the server is stopping.
    public func sleepUnlessStopped(_ seconds: Double) -> Bool {
        var fds = [pollfd(fd: wake.read.raw, events: Int16(POLLIN), revents: 0)]
        return retryingEINTR({ poll(&fds, 1, Int32(seconds * 1000)) }) != 0
    }

    private func acceptLoop() {
        while true {
            var fds = [
                pollfd(fd: listener.raw, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake.read.raw, events: Int16(POLLIN), revents: 0),
            ]
            if retryingEINTR({ poll(&fds, 2, -1) }) < 0 || fds[1].revents != 0 { return }
            let client = sk_accept_cloexec(listener.raw)
            if client < 0 { continue }
            let connection = FileDescriptor(owning: client, path: "test server connection")
            // A client that stops reading must not hold a handler (and stop()) forever.
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard let thread = try? JoinableThread({ [self] in serve(connection) }) else { continue }
            state.withLock { $0.connections.append(thread) }
        }
    }

    private func serve(_ connection: FileDescriptor) {
        defer { connection.close() }
        guard let request = readRequest(connection) else { return }
        let handler = state.withLock { state -> Handler? in
            state.requests.append(request)
            return state.routes[request.path]
        }
        let response = handler?(request) ?? TestResponse(status: 404, reason: "Not Found", body: Array("no route\n".utf8))
        if response.delay > 0 && sleepUnlessStopped(response.delay) { return }
        if response.closeWithoutResponse { return }
        send(response, to: connection)
    }

    /// Reads the request head (the server serves GETs only; bodies are not read).
    private func readRequest(_ connection: FileDescriptor) -> RecordedRequest? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !bytes.containsHeadEnd {
            var fds = [
                pollfd(fd: connection.raw, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake.read.raw, events: Int16(POLLIN), revents: 0),
            ]
            if retryingEINTR({ poll(&fds, 2, 10_000) }) <= 0 || fds[1].revents != 0 { return nil }
            let n = chunk.withUnsafeMutableBytes { recv(connection.raw, $0.baseAddress, $0.count, 0) }
            if n <= 0 || bytes.count > 1 << 20 { return nil }
            bytes += chunk[0..<n]
            // Not HTTP (a TLS ClientHello from an https attempt): hang up at once, as a
            // plain server would, instead of waiting for a blank line that never comes.
            if !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[0]) { return nil }
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n").map(String.init)
        let requestLine = lines.first?.split(separator: " ").map(String.init) ?? []
        guard requestLine.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers[line[..<colon].lowercased()] = String(value)
        }
        return RecordedRequest(method: requestLine[0], target: requestLine[1], headers: headers)
    }

    private func send(_ response: TestResponse, to connection: FileDescriptor) {
        let reason = response.reason.isEmpty ? "Status" : response.reason
        var head = "HTTP/1.1 \(response.status) \(reason)\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        let bodyless = response.status == 304 || response.status == 204 || response.status < 200
        if !response.omitContentLength && !bodyless { head += "Content-Length: \(response.body.count)\r\n" }
        head += "Connection: close\r\n\r\n"
        guard sendAll(Array(head.utf8), connection), !bodyless else { return }
        let count = min(response.dropAfter ?? response.body.count, response.body.count)
        _ = sendAll(Array(response.body[0..<count]), connection)
    }

    /// send(2) with MSG_NOSIGNAL: a client that hung up must not SIGPIPE the test process.
    private func sendAll(_ bytes: [UInt8], _ connection: FileDescriptor) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(connection.raw, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}

extension Array where Element == UInt8 {
    /// Whether the bytes contain "\r\n\r\n".
    fileprivate var containsHeadEnd: Bool {
        count >= 4 && indices.dropLast(3).contains { self[$0] == 13 && self[$0 + 1] == 10 && self[$0 + 2] == 13 && self[$0 + 3] == 10 }
    }
}
