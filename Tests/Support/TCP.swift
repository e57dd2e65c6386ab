// Blocking TCP over IPv4 with timeouts, for the tests' own traffic (loopback, the host's own
// address, pods' addresses): the unit tests of pod networking and the functional ones share it.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// Blocking TCP with timeouts, for the tests' own traffic.
public enum TCP {
    /// A listening socket on `address:port` (0: any port), and the port.
    public static func listen(_ address: String, port: UInt16 = 0) throws -> (FileDescriptor, UInt16) {
        let fd = FileDescriptor(owning: try check("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }, path: address)
        var one: Int32 = 1
        setsockopt(fd.raw, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = try socketAddress(address, port)
        _ = try withUnsafePointer(to: &addr) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                try check("bind \(address):\(port)") { bind(fd.raw, raw, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        try check("listen") { Glibc.listen(fd.raw, 8) }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd.raw, $0, &length) }
        }
        return (fd, UInt16(bigEndian: bound.sin_port))
    }

    /// Accepts one connection within `seconds` and returns everything it sent until it closed.
    public static func acceptAndRead(_ listener: FileDescriptor, seconds: Int32 = 20) throws -> String {
        var poller = pollfd(fd: listener.raw, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, seconds * 1000) == 1 else { throw TestSupportError("no connection within \(seconds) s") }
        let connection = FileDescriptor(owning: try check("accept") { accept(listener.raw, nil, nil) }, path: "peer")
        setTimeout(connection.raw, seconds: 5)
        return readAll(connection.raw)
    }

    /// Connects to `address:port`, sends `message`, returns what comes back until the peer
    /// closes (or 5 s pass); retries a refused connection for up to `retrySeconds` (a server in a
    /// pod that is still starting).
    public static func exchange(_ address: String, port: UInt16, message: String, retrySeconds: Double = 10) throws -> String {
        let deadline = Date().addingTimeInterval(retrySeconds)
        while true {
            let fd = try check("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
            let socketFD = FileDescriptor(owning: fd, path: "\(address):\(port)")
            setTimeout(fd, seconds: 5)
            var addr = try socketAddress(address, port)
            let rc = withUnsafePointer(to: &addr) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if rc == 0 {
                let bytes = Array(message.utf8)
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                shutdown(fd, Int32(SHUT_WR))
                return readAll(fd)
            }
            let failure = errno
            socketFD.close()
            guard Date() < deadline else { throw SkiffError.system("connect \(address):\(port)", errno: failure) }
            usleep(100_000)  // a retry interval, not synchronisation: the server's readiness is not observable from here
        }
    }

    private static func readAll(_ fd: Int32) -> String {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            result += buffer[0..<count]
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func setTimeout(_ fd: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func socketAddress(_ address: String, _ port: UInt16) throws -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, address, &addr.sin_addr) == 1 else { throw TestSupportError("\(address): not an IPv4 address") }
        return addr
    }
}
