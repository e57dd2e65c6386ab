// The base of networking tests: root and the CNI plugins required, a count of what pod networking
// leaves on the host (to compare before and after), and small TCP helpers that talk only to
// loopback, the host's own address and pods' addresses.
import Foundation
import SkiffNetwork
import SkiffSystem
import SkiffTestSupport
import XCTest

class NetworkTestCase: PodTestCase {
    static let flyHostOnly = "fly shares the host's network namespace: only --net=host"

    override func setUpWithError() throws {
        try super.setUpWithError()
        try XCTSkipUnless(FileSystem.exists("/usr/lib/cni/ptp"), "needs Debian's containernetworking-plugins (ci/install-deps check)")
        try XCTSkipUnless(Subprocess.run(["iptables", "-w", "-t", "nat", "-S"]).status == 0, "needs iptables")
    }

    /// What pod networking leaves on the host: namespaces under /run/skiff/netns, veths,
    /// host-local leases of the built-in networks, iptables rules.
    func inventory() -> NetworkInventory { NetworkInventory.take(networks: ["default", "default-restricted"]) }

    /// Asserts that nothing of pod `uuid` is left: its namespace file, a lease, an iptables rule
    /// naming it.
    func assertNothingLeft(of uuid: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertFalse(FileSystem.exists("/run/skiff/netns/" + uuid), "namespace of \(uuid) left", file: file, line: line)
        for network in ["default", "default-restricted"] {
            let directory = NetworkInventory.defaultLeaseDirectory + "/" + network
            for name in (try? FileSystem.list(directory)) ?? [] {
                let text = String(decoding: (try? FileSystem.read(directory + "/" + name)) ?? [], as: UTF8.self)
                XCTAssertFalse(text.contains(uuid), "lease \(name) of \(uuid) left in \(network)", file: file, line: line)
            }
        }
        for tool in ["iptables", "ip6tables"] {
            for table in ["nat", "filter"] {
                let rules = try Subprocess.run([tool, "-w", "-t", table, "-S"]).stdoutText
                XCTAssertFalse(rules.contains(uuid), "\(tool) -t \(table) rule of \(uuid) left:\n\(rules)", file: file, line: line)
            }
        }
    }

    /// The UUID of a pod from `skiff list` whose networks mention `text` (or the only pod).
    func podUUIDs() throws -> [String] {
        try world.run("list", "--no-legend", "--full").stdoutText.split(separator: "\n")
            .compactMap { $0.split(separator: " ").first.map(String.init) }.filter { $0.count == 36 }
    }

    /// `networks=` of `skiff status`.
    func networksOf(_ uuid: String) throws -> String? { probeValue("networks", in: try world.run("status", uuid).stdoutText) }

    /// The pod's IPv4 address on `network` as `status` tells it.
    func address(of uuid: String, network: String = "default") throws -> String {
        let summary = try XCTUnwrap(networksOf(uuid), "status shows no networks")
        for entry in summary.split(separator: ",") where entry.hasPrefix(network + ":ip4=") {
            return String(entry.dropFirst(network.count + 5))
        }
        throw TestSupportError("no ip4 on \(network) in \(summary)")
    }

    /// The host's own IPv4 address (the source of its default route, else its first global
    /// address that is not a pod veth's).
    func hostAddress() throws -> String {
        let route = try Subprocess.run(["ip", "-4", "-o", "route", "get", "192.0.2.1"]).stdoutText.split(separator: " ").map(String.init)
        if let index = route.firstIndex(of: "src"), index + 1 < route.count { return route[index + 1] }
        for line in try Subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"]).stdoutText.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > 3, !fields[1].hasPrefix("veth"), let address = fields[3].split(separator: "/").first else { continue }
            return String(address)
        }
        throw XCTSkip("the host has no global IPv4 address")
    }

    /// A TCP port free on the host right now.
    func freePort() throws -> UInt16 {
        let (socket, port) = try TCP.listen("0.0.0.0", port: 0)
        socket.close()
        return port
    }
}

/// Blocking TCP with timeouts, for the tests' own traffic.
enum TCP {
    /// A listening socket on `address:port` (0: any port), and the port.
    static func listen(_ address: String, port: UInt16) throws -> (FileDescriptor, UInt16) {
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
    static func acceptAndRead(_ listener: FileDescriptor, seconds: Int32 = 20) throws -> String {
        var poller = pollfd(fd: listener.raw, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, seconds * 1000) == 1 else { throw TestSupportError("no connection within \(seconds) s") }
        let connection = FileDescriptor(owning: try check("accept") { accept(listener.raw, nil, nil) }, path: "peer")
        setTimeout(connection.raw, seconds: 5)
        return readAll(connection.raw)
    }

    /// Connects to `address:port`, sends `message`, returns what comes back until the peer
    /// closes (or 5 s pass); retries a refused connection for up to `retrySeconds` (a server in a
    /// pod that is still starting).
    static func exchange(_ address: String, port: UInt16, message: String, retrySeconds: Double = 10) throws -> String {
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
