// Real CNI ADD and DEL with Debian's ptp, host-local and portmap plugins in namespaces the test
// creates. Traffic goes only between those namespaces and the host's own addresses.
import SkiffImage
import SkiffSystem
import SkiffTestSupport
import XCTest
@testable import SkiffNetwork
#if canImport(Glibc)
import Glibc
#endif

final class CNIAttachTests: XCTestCase {
    /// A ptp network on a subnet of its own (10.213.N.0/24), masqueraded like `default`.
    private func writePTP(_ scratch: NetworkScratch, name: String, subnet: Int, version: String = "1.0.0", route: Bool = true) throws {
        let routes = route ? #", "routes": [{"dst": "0.0.0.0/0"}]"# : ""
        try scratch.writeConfig(
            "10-\(name).conf",
            """
            {"cniVersion": "\(version)", "name": "\(name)", "type": "ptp", "ipMasq": true,
             "ipam": {"type": "host-local", "subnet": "10.213.\(subnet).0/24",
                      "dataDir": "\(scratch.leaseDirectory)"\(routes)},
             "dns": {"nameservers": ["10.213.\(subnet).1"], "search": ["pods.test"]}}
            """)
    }

    private func select(_ scratch: NetworkScratch, _ net: String) throws -> NetworkSelection {
        try NetworkSelection.select(
            NetworkSelection.parse([net]), catalog: NetworkCatalog.load(configDirectories: [scratch.configDirectory]))
    }

    func testAddShowsAddressAndRoutesInsideAndDelRemovesEverything() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        let name = "sk-add-\(UInt16.random(in: 0...9999))"
        try writePTP(scratch, name: name, subnet: 31)
        let before = scratch.inventory(name)
        let pod = try scratch.pod()
        let info = try PodNetwork.setUp(
            podDirectory: pod.directory, podUUID: pod.uuid, selection: try select(scratch, name), environment: scratch.environment)

        // net-info.json on disk says what the plugins said.
        let saved = try XCTUnwrap(try NetInfo.load(podDirectory: pod.directory))
        XCTAssertEqual(saved, info)
        XCTAssertEqual(saved.networks.map(\.name), [name, "default-restricted"], "default-restricted joins when default is absent")
        XCTAssertEqual(saved.networks.map(\.interfaceName), ["eth0", "eth1"])
        let result = try XCTUnwrap(saved.networks[0].parsedResult)
        let address = try XCTUnwrap(result.podAddresses.first)
        XCTAssertTrue(address.address.hasPrefix("10.213.31.") && address.address.hasSuffix("/24"), address.address)
        XCTAssertEqual(address.gateway, "10.213.31.1")
        XCTAssertEqual(result.dns.nameservers, ["10.213.31.1"])
        XCTAssertEqual(saved.hostAddress, "10.213.31.1")
        XCTAssertTrue(saved.summary.hasPrefix("\(name):ip4=\(address.ip),default-restricted:ip4=172.31."), saved.summary)

        // Inside: both interfaces with their addresses, the default route via the ptp gateway.
        let namespace = NetworkNamespace(path: try XCTUnwrap(saved.namespacePath))
        let (addresses, routes) = try namespace.perform {
            (try Subprocess.run(["ip", "-4", "-o", "addr", "show"]).stdoutText, try Subprocess.run(["ip", "-4", "route", "show"]).stdoutText)
        }
        XCTAssertTrue(addresses.contains("eth0    inet \(address.address)") || addresses.contains("eth0 inet \(address.address)"), addresses)
        XCTAssertTrue(addresses.contains("eth1") && addresses.contains("inet 172.31."), addresses)
        XCTAssertTrue(routes.contains("default via 10.213.31.1 dev eth0"), routes)
        XCTAssertFalse(routes.contains("default via 172.31."), "default-restricted adds no default route: \(routes)")

        // Pod to host and host to pod, on the pod's own address and the host end.
        let podIP = address.ip
        let (listener, port) = try namespace.perform { try TCP.listen("0.0.0.0") }
        let echo = try OneShotEcho(listener: listener)
        XCTAssertEqual(try TCP.exchange(podIP, port: port, message: "host-to-pod", retrySeconds: 0), "echo:host-to-pod")
        echo.wait()
        let (hostListener, hostPort) = try TCP.listen("10.213.31.1")
        let hostEcho = try OneShotEcho(listener: hostListener)
        XCTAssertEqual(try namespace.perform { try TCP.exchange("10.213.31.1", port: hostPort, message: "pod-to-host", retrySeconds: 0) }, "echo:pod-to-host")
        hostEcho.wait()
        XCTAssertEqual(hostEcho.peer, podIP)

        XCTAssertEqual(try PodNetwork.check(podDirectory: pod.directory), [name, "default-restricted"])
        let during = scratch.inventory(name)
        XCTAssertEqual(during.namespaces, before.namespaces + 1)
        XCTAssertEqual(during.veths, before.veths + 2)
        XCTAssertEqual(during.leases, before.leases + 1)
        XCTAssertGreaterThan(during.iptablesRules, before.iptablesRules)

        let report = try PodNetwork.tearDown(podDirectory: pod.directory)
        XCTAssertEqual(report.deleted, ["default-restricted", name])
        XCTAssertEqual(scratch.inventory(name), before)
        XCTAssertEqual(try NetInfo.load(podDirectory: pod.directory)?.networks.map(\.state), [.removed, .removed])
        XCTAssertEqual(try PodNetwork.tearDown(podDirectory: pod.directory), TeardownReport(), "a second teardown is a no-op")
    }

    func testTwoPodsOnOneNetworkReachEachOther() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        let name = "sk-two-\(UInt16.random(in: 0...9999))"
        try writePTP(scratch, name: name, subnet: 32)
        let first = try scratch.pod()
        let second = try scratch.pod()
        let selection = try select(scratch, name)
        let a = try PodNetwork.setUp(podDirectory: first.directory, podUUID: first.uuid, selection: selection, environment: scratch.environment)
        let b = try PodNetwork.setUp(podDirectory: second.directory, podUUID: second.uuid, selection: selection, environment: scratch.environment)
        let aIP = try XCTUnwrap(a.networks[0].parsedResult?.podAddresses.first?.ip)
        let bIP = try XCTUnwrap(b.networks[0].parsedResult?.podAddresses.first?.ip)
        XCTAssertNotEqual(aIP, bIP)
        let (listener, port) = try NetworkNamespace(path: try XCTUnwrap(a.namespacePath)).perform { try TCP.listen(aIP) }
        let echo = try OneShotEcho(listener: listener)
        let reply = try NetworkNamespace(path: try XCTUnwrap(b.namespacePath)).perform { try TCP.exchange(aIP, port: port, message: "from-b", retrySeconds: 0) }
        echo.wait()
        XCTAssertEqual(reply, "echo:from-b")
        XCTAssertEqual(echo.peer, bIP, "ptp routes pod to pod through the host without masquerading")
        try PodNetwork.tearDown(podDirectory: first.directory)
        try PodNetwork.tearDown(podDirectory: second.directory)
        XCTAssertEqual(NetworkInventory.leaseCount(scratch.leaseDirectory, networks: [name]), 0)
    }

    func testPortForwardAnswersOnHostLoopbackAndOwnAddress() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        let name = "sk-port-\(UInt16.random(in: 0...9999))"
        try writePTP(scratch, name: name, subnet: 33)
        let before = scratch.inventory(name)
        let pod = try scratch.pod()
        let hostPort = UInt16.random(in: 30000...39999)
        let app = try Port(name: ACName(validating: "http"), protocol: "tcp", port: 8080)
        let mappings = try PortForwarding.mappings(
            for: [ExposedPort(name: ACName(validating: "http"), hostPort: hostPort)], apps: [(name: "web", ports: [app])])
        let info = try PodNetwork.setUp(
            podDirectory: pod.directory, podUUID: pod.uuid, selection: try select(scratch, name), portMappings: mappings,
            environment: scratch.environment)
        XCTAssertEqual(info.networks[0].portMappings, mappings, "the masqueraded network carries the ports")
        XCTAssertEqual(info.networks[0].plugins.map { $0["type"]?.stringValue }, ["ptp", "portmap"])
        XCTAssertTrue(info.networks[1].portMappings.isEmpty)
        let namespace = NetworkNamespace(path: try XCTUnwrap(info.namespacePath))
        for target in ["127.0.0.1", try XCTUnwrap(hostAddress())] {
            let (listener, _) = try namespace.perform { try TCP.listen("0.0.0.0", port: 8080) }
            let echo = try OneShotEcho(listener: listener)
            XCTAssertEqual(try TCP.exchange(target, port: hostPort, message: "via \(target)", retrySeconds: 0), "echo:via \(target)", target)
            echo.wait()
            listener.close()
        }
        try PodNetwork.tearDown(podDirectory: pod.directory)
        XCTAssertEqual(scratch.inventory(name), before)
    }

    /// An address of this host outside loopback and pod links (the machine's own address).
    private func hostAddress() throws -> String? {
        let output = try Subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"])
        for line in output.stdoutText.split(separator: "\n") where !line.contains("veth") {
            let fields = line.split(separator: " ")
            if let index = fields.firstIndex(of: "inet"), index + 1 < fields.count {
                return String(fields[index + 1].split(separator: "/")[0])
            }
        }
        return nil
    }
}
