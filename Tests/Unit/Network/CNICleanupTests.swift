// Teardown guarantees: from net-info.json alone after a simulated SIGKILL (even mid-ADD), with the
// namespace already gone, and failures that name the network and plugin.
import SkiffImage
import SkiffSystem
import XCTest
@testable import SkiffNetwork
#if canImport(Glibc)
import Glibc
#endif

final class CNICleanupTests: XCTestCase {
    private func writePTP(_ scratch: NetworkScratch, name: String, subnet: Int, version: String = "1.0.0") throws {
        try scratch.writeConfig(
            "20-\(name).conf",
            """
            {"cniVersion": "\(version)", "name": "\(name)", "type": "ptp", "ipMasq": true,
             "ipam": {"type": "host-local", "subnet": "10.213.\(subnet).0/24", "dataDir": "\(scratch.leaseDirectory)",
                      "routes": [{"dst": "0.0.0.0/0"}]}}
            """)
    }

    private func setUp(_ scratch: NetworkScratch, _ net: String, ports: [PortMapping] = []) throws -> (String, NetInfo) {
        let pod = try scratch.pod()
        let selection = try NetworkSelection.select(
            NetworkSelection.parse([net]), catalog: NetworkCatalog.load(configDirectories: [scratch.configDirectory]))
        let info = try PodNetwork.setUp(
            podDirectory: pod.directory, podUUID: pod.uuid, selection: selection, portMappings: ports, environment: scratch.environment)
        return (pod.directory, info)
    }

    func testKilledMidAddIsCleanedFromNetInfoAlone() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        let name = "sk-kill-\(UInt16.random(in: 0...9999))"
        try writePTP(scratch, name: name, subnet: 34)
        let before = scratch.inventory(name)
        let ports = [PortMapping(hostPort: UInt16.random(in: 40000...49999), containerPort: 80, protocol: "tcp")]
        let (directory, info) = try setUp(scratch, name, ports: ports)
        XCTAssertNotEqual(scratch.inventory(name), before)
        // What a stage1 SIGKILLed between the plugins' ADD and recording the result leaves: the
        // network marked "adding", no result. Only the file on disk is used from here on.
        var killed = info
        for index in killed.networks.indices {
            killed.networks[index].state = .adding
            killed.networks[index].result = nil
        }
        try killed.save(podDirectory: directory)
        let report = try PodNetwork.tearDown(podDirectory: directory)
        XCTAssertEqual(Set(report.deleted), [name, "default-restricted"])
        XCTAssertEqual(scratch.inventory(name), before, "no namespace, veth, lease or rule left")
    }

    func testNamespaceGoneBeforeDelStillLeavesNothingAndDelRunsTwice() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        let name = "sk-gone-\(UInt16.random(in: 0...9999))"
        try writePTP(scratch, name: name, subnet: 35)
        let before = scratch.inventory(name)
        let (directory, info) = try setUp(scratch, name)
        // The namespace disappears (a reboot, an operator): ptp cannot find the veth, so it
        // keeps its masquerading chain; Skiff's sweep removes it.
        try NetworkNamespace(path: try XCTUnwrap(info.namespacePath)).remove()
        let report = try PodNetwork.tearDown(podDirectory: directory)
        let masquerade = IPTables.chainName(network: name, containerID: info.podUUID)
        XCTAssertTrue(report.swept.contains { $0.contains("chain \(masquerade)") }, "\(report.swept)")
        XCTAssertEqual(scratch.inventory(name), before)
        // CNI DEL itself, twice more, with and without a namespace path: still succeeds.
        let network = try XCTUnwrap(try NetInfo.load(podDirectory: directory)?.networks.first)
        XCTAssertNoThrow(try CNIChain.delete(network, containerID: info.podUUID, namespacePath: ""))
        XCTAssertNoThrow(try CNIChain.delete(network, containerID: info.podUUID, namespacePath: try XCTUnwrap(info.namespacePath)))
        XCTAssertEqual(scratch.inventory(name), before)
    }

    func testSpecVersion040ResultsAreReadAndChecked() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        let name = "sk-v04-\(UInt16.random(in: 0...9999))"
        try writePTP(scratch, name: name, subnet: 36, version: "0.4.0")
        let (directory, info) = try setUp(scratch, name)
        let result = try XCTUnwrap(info.networks[0].parsedResult)
        XCTAssertEqual(result.cniVersion, "0.4.0")
        XCTAssertEqual(result.json["ips"]?.arrayValue?.first?["version"]?.stringValue, "4", "0.4.0 results carry a version")
        XCTAssertTrue(try XCTUnwrap(result.podAddresses.first).address.hasPrefix("10.213.36."))
        XCTAssertEqual(try PodNetwork.check(podDirectory: directory), [name, "default-restricted"])
        try PodNetwork.tearDown(podDirectory: directory)
    }

    func testUnknownPluginAndPluginErrorsNameNetworkAndPluginAndLeaveNothing() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        try scratch.writeConfig("30-ghost.conf", #"{"cniVersion": "1.0.0", "name": "ghost", "type": "no-such-plugin"}"#)
        // host-local refuses a subnet that is not one: its error JSON becomes the message.
        try scratch.writeConfig(
            "31-broken.conf",
            #"{"cniVersion": "1.0.0", "name": "broken", "type": "ptp", "ipam": {"type": "host-local", "subnet": "not-a-subnet"}}"#)
        let okay = "sk-okay-\(UInt16.random(in: 0...9999))"
        try writePTP(scratch, name: okay, subnet: 38)
        let before = scratch.inventory(okay)
        // The first network attaches, the second fails: both are undone.
        XCTAssertThrowsError(try setUp(scratch, "\(okay),ghost")) { error in
            XCTAssertTrue("\(error)".hasPrefix("network \"ghost\": plugin \"no-such-plugin\" ADD: no executable \"no-such-plugin\" in "), "\(error)")
        }
        XCTAssertThrowsError(try setUp(scratch, "broken")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("network \"broken\": plugin \"ptp\" ADD: "), text)
            XCTAssertTrue(text.contains("not-a-subnet"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
        XCTAssertEqual(scratch.inventory(okay), before, "a failed start undoes everything")
    }

    func testDefaultNetworkAddAndDelTiming() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        let before = NetworkInventory.take(namespaceDirectory: scratch.runDirectory + "/netns", networks: ["default"])
        let pod = try scratch.pod()
        let selection = try NetworkSelection.select([], catalog: NetworkCatalog(networks: []))
        XCTAssertEqual(selection.networks.map(\.config.name), ["default"])
        let start = monotonicSeconds()
        let info = try PodNetwork.setUp(podDirectory: pod.directory, podUUID: pod.uuid, selection: selection, environment: scratch.environment)
        let added = monotonicSeconds()
        try PodNetwork.tearDown(podDirectory: pod.directory)
        let deleted = monotonicSeconds()
        XCTAssertTrue(try XCTUnwrap(info.networks.first?.parsedResult?.podAddresses.first).address.hasPrefix("172.16.28."))
        print(String(format: "default network: setUp (netns + ADD) %.1f ms, tearDown (DEL + sweep + netns) %.1f ms", (added - start) * 1000, (deleted - added) * 1000))
        XCTAssertEqual(NetworkInventory.take(namespaceDirectory: scratch.runDirectory + "/netns", networks: ["default"]), before)
    }
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
