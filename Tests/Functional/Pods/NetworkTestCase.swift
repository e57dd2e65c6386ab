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
