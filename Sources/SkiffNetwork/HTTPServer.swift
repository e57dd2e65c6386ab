// A blocking HTTP/1.1 server: one thread accepts, one short-lived thread serves each connection
// (bounded in number and in time by a receive timeout). Enough for a metadata service whose
// clients are a few pods asking a few small questions.
import CShim
import SkiffSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A listening socket: a Unix socket (registration, root only) or TCP (the pods' side).
public enum HTTPListener {
    /// A Unix stream socket at `path` with `mode`; a stale socket file there is replaced.
    public static func unix(_ path: String, mode: mode_t = 0o600) throws -> FileDescriptor {
        let fd = FileDescriptor(
            owning: try check("socket unix") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) },
            path: path)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw SkiffError(.invalid, "listen on \(quote(path)): path too long for a unix socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        if let st = try? FileSystem.status(path), st.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
        try FileSystem.createDirectory(FileSystem.parentPath(path))
        _ = try withUnsafePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                try check("bind \(quote(path))") { bind(fd.raw, raw, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        try check("chmod \(quote(path))") { chmod(path, mode) }
        try check("listen \(quote(path))") { listen(fd.raw, 64) }
        return fd
    }

    /// A TCP socket on `address` (IPv4, "0.0.0.0" for all) and `port` (0: any free port).
    /// Returns it with the port it got.
    public static func tcp(_ address: String, port: UInt16) throws -> (FileDescriptor, UInt16) {
        let what = "\(address):\(port)"
        let fd = FileDescriptor(
            owning: try check("socket tcp") { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) },
            path: what)
        var one: Int32 = 1
        setsockopt(fd.raw, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
            throw SkiffError(.invalid, "listen on \(what): not an IPv4 address")
        }
        _ = try withUnsafePointer(to: &socketAddress) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                try check("bind \(what)") { bind(fd.raw, raw, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        try check("listen \(what)") { listen(fd.raw, 64) }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd.raw, $0, &length) }
        }
        return (fd, UInt16(bigEndian: bound.sin_port))
    }
}

/// Serves HTTP on one listening socket until `stop`.
final class HTTPServer: Sendable {
    typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    private let listener: Int32
    private let handler: Handler
    private let bodyLimit: Int
    private let active = Mutex(0)
    private let acceptThread = Mutex<pthread_t?>(nil)
    static let maximumConnections = 64

    /// Takes ownership of `listener`.
    init(listener: FileDescriptor, bodyLimit: Int, handler: @escaping Handler) {
        self.listener = listener.release()
        self.bodyLimit = bodyLimit
        self.handler = handler
    }

    /// Starts the accept thread.
    func start() throws {
        let thread = try startThread(joinable: true) { [self] in acceptLoop() }
        acceptThread.withLock { $0 = thread }
    }

    /// Stops accepting (connections being served finish on their own) and waits for the
    /// accept thread.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        if let thread = acceptThread.withLock({ value -> pthread_t? in defer { value = nil }; return value }) {
            pthread_join(thread, nil)
        }
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let fd = sk_accept_cloexec(listener)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if errno == EMFILE || errno == ENFILE {
                    usleep(10_000)  // out of descriptors: let connections finish instead of spinning
                    continue
                }
                return  // EINVAL after shutdown: stopping
            }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            _ = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
            }
            let peer = HTTPServer.peerAddress(storage)
            let connection = FileDescriptor(owning: fd, path: "connection")
            let admitted = active.withLock { count -> Bool in
                guard count < HTTPServer.maximumConnections else { return false }
                count += 1
                return true
            }
            guard admitted else {
                try? connection.write(HTTPResponse.text(503, "too many connections").serialized)
                continue
            }
            let raw = connection.release()
            let started = try? startThread(joinable: false) { [self] in
                serve(FileDescriptor(owning: raw, path: "connection"), peer: peer)
                active.withLock { $0 -= 1 }
            }
            if started == nil {
                close(raw)
                active.withLock { $0 -= 1 }
            }
        }
    }

    private func serve(_ connection: FileDescriptor, peer: String?) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection.raw, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(connection.raw, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let response: HTTPResponse
        do {
            response = handler(try HTTPCoding.readRequest(connection, bodyLimit: bodyLimit, peer: peer))
        } catch {
            response = HTTPResponse.text(error.status, error.message)
        }
        try? connection.write(response.serialized)
    }

    static func peerAddress(_ storage: sockaddr_storage) -> String? {
        var storage = storage
        var text = [CChar](repeating: 0, count: 64)
        switch Int32(storage.ss_family) {
        case AF_INET:
            withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var ip = address.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &ip, &text, socklen_t(text.count))
                }
            }
        case AF_INET6:
            withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var ip = address.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count))
                }
            }
        default: return nil
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Starts `body` on a new pthread; joinable threads are returned for pthread_join.
@discardableResult
func startThread(joinable: Bool, _ body: @escaping @Sendable () -> Void) throws -> pthread_t {
    final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var thread = pthread_t()
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    let rc = pthread_create(&thread, nil, { context in
        guard let context else { return nil }
        Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
        return nil
    }, context)
    guard rc == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        throw SkiffError.system("start a thread", errno: rc)
    }
    if !joinable { pthread_detach(thread) }
    return thread
}
