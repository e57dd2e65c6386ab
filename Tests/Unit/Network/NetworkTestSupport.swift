// Shared by the network tests: root checks, a scratch pod/config/run directory that cleans up
// whatever a test leaves (namespaces, CNI attachments, leases), and small TCP helpers that create
// their sockets inside a namespace.
import CShim
import SkiffImage
import SkiffSystem
import XCTest
@testable import SkiffNetwork
#if canImport(Glibc)
import Glibc
#endif

/// Skips the test unless it runs as root with the CNI plugins installed.
func requireRootAndPlugins() throws {
    guard geteuid() == 0 else { throw XCTSkip("needs root: creates network namespaces, veths and iptables rules") }
    guard FileSystem.exists("/usr/lib/cni/ptp") else {
        throw XCTSkip("needs Debian's containernetworking-plugins in /usr/lib/cni (ci/install-deps check)")
    }
}

/// A pod directory, a configuration directory and a private run directory under /tmp and
/// /run; `cleanUp` tears down every pod set up in it and removes it all.
final class NetworkScratch {
    let root: String
    let runDirectory: String
    let configDirectory: String
    private(set) var podDirectories: [String] = []
    /// The forwarding sysctls when the test began: put back by `cleanUp` when no pod holds them.
    private let forwarding: [(String, String)]

    init() throws {
        root = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-net-test-")
        try FileSystem.createDirectory("/run")
        runDirectory = try FileSystem.makeTemporaryDirectory(in: "/run", prefix: "skiff-net-test-")
        configDirectory = root + "/config"
        try FileSystem.createDirectory(configDirectory + "/net.d")
        forwarding = HostState.forwardingSysctls.compactMap { path in HostState.readSysctl(path).map { (path, $0) } }
    }

    /// host-local's data directory for the test's own networks.
    var leaseDirectory: String { root + "/leases" }

    /// The inventory with this scratch's namespace and lease directories.
    func inventory(_ networks: String...) -> NetworkInventory {
        NetworkInventory.take(namespaceDirectory: runDirectory + "/netns", leaseDirectory: leaseDirectory, networks: networks)
    }

    var environment: NetworkEnvironment { NetworkEnvironment(configDirectories: [configDirectory], runDirectory: runDirectory) }

    /// A new pod directory and a random pod UUID.
    func pod() throws -> (directory: String, uuid: String) {
        let uuid = randomUUID()
        let directory = root + "/pods/" + uuid
        try FileSystem.createDirectory(directory)
        podDirectories.append(directory)
        return (directory, uuid)
    }

    /// Writes `<config>/net.d/<file>`.
    func writeConfig(_ file: String, _ text: String) throws {
        try FileSystem.writeAtomically(configDirectory + "/net.d/" + file, Array(text.utf8))
    }

    /// Tears everything down, even after a failed test.
    func cleanUp() {
        for directory in podDirectories { _ = try? PodNetwork.tearDown(podDirectory: directory) }
        let namespaces = runDirectory + "/netns"
        for name in (try? FileSystem.list(namespaces)) ?? [] { try? NetworkNamespace(path: namespaces + "/" + name).remove() }
        _ = sk_umount_detach(namespaces)
        try? FileSystem.removeTree(runDirectory)
        try? FileSystem.removeTree(root)
        // A safety net for a test that failed half-way, only while no pod anywhere on the host
        // holds forwarding (a pod of another run needs it on).
        guard ForwardingHolds.host.holders().isEmpty else { return }
        for (path, value) in forwarding where HostState.readSysctl(path) != value { try? HostState.writeSysctl(path, value) }
    }
}

func randomUUID() -> String {
    let hex = (0..<16).map { _ in UInt8.random(in: 0...255) }.hexString
    let characters = Array(hex)
    return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
}

/// Serves one connection on `listener` in the background: replies "echo:<what it read>" and
/// closes. `wait()` joins it (bounded by the socket timeouts).
final class OneShotEcho: @unchecked Sendable {
    private let listener: FileDescriptor
    private var thread = pthread_t()
    private(set) var peer = ""

    init(listener: FileDescriptor) throws {
        self.listener = listener
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(listener.raw, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<OneShotEcho>.fromOpaque(context).takeRetainedValue().serve()
            return nil
        }, context)
        if rc != 0 { throw SkiffError.system("pthread_create", errno: rc) }
    }

    private func serve() {
        var from = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = withUnsafeMutablePointer(to: &from) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener.raw, $0, &length) }
        }
        guard fd >= 0 else { return }
        let connection = FileDescriptor(owning: fd, path: "accepted")
        var text = [CChar](repeating: 0, count: 64)
        inet_ntop(AF_INET, &from.sin_addr, &text, socklen_t(text.count))
        peer = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = (try? connection.readAll(limit: 1 << 16)) ?? []
        try? connection.write(Array("echo:".utf8) + request)
    }

    func wait() { pthread_join(thread, nil) }
}
