// --net end to end: the built-in networks' addresses and routes as the app sees them, what list
// and status show, per-network CNI arguments, traffic between pods and the host, and the errors
// of bad network configurations.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class NetworkTests: NetworkTestCase {
    /// The probe's view of the network, then the routing table on one line.
    private func networkImage() throws -> TestImage {
        try shellImage("/probe net; echo \"routes=$(ip -4 route | tr '\\n' ';')\"")
    }

    /// A network file in the world's local configuration.
    private func writeNetwork(_ file: String, _ json: String) throws {
        try FileSystem.createDirectory(world.localConfig + "/net.d")
        try FileSystem.writeAtomically(world.localConfig + "/net.d/" + file, Array(json.utf8))
    }

    /// A ptp network of the test's own (leases kept under the world, not in /var/lib/cni).
    private func testNetwork(_ name: String, subnet: String, extra: String = "") -> String {
        """
        {"cniVersion": "1.0.0", "name": "\(name)", "type": "ptp"\(extra),
         "ipam": {"type": "host-local", "subnet": "\(subnet)", "dataDir": "\(world.scratch)/leases"}}
        """
    }

    func testBuiltinNetworksGiveAddressesAndRoutes() throws {
        let image = try networkImage()
        try forEachStage1(Stage1Case("built-in networks: addresses and routes", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            // No --net: rkt's default, `default`.
            let plain = try runPod(stage1: stage1, image: image)
            XCTAssertEqual(plain.status, .exited(0), plain.output)
            let address = try XCTUnwrap(probeValue("net.eth0.ipv4", in: plain.output), plain.output)
            XCTAssertNotNil(address.range(of: #"^172\.16\.28\.\d+/24$"#, options: .regularExpression), address)
            XCTAssertTrue(probeValue("routes", in: plain.output)?.contains("default via 172.16.28.1") == true, plain.output)
            let uuid = try onlyPod()
            let ip = String(address.split(separator: "/")[0])
            XCTAssertEqual(try networksOf(uuid), "default:ip4=\(ip)", "status shows the address the app saw")
            XCTAssertTrue(try world.run("list").stdoutText.contains("default:ip4=\(ip)"), "list's NETWORKS column")
            XCTAssertTrue(try world.run("list", "--format=json").stdoutText.contains("\"networks\":\"default:ip4=\(ip)\""))
            try removePods("gc of the default pod")

            let restricted = try runPod(stage1: stage1, podFlags: ["--net=default-restricted"], image: image)
            XCTAssertEqual(restricted.status, .exited(0), restricted.output)
            let restrictedAddress = try XCTUnwrap(probeValue("net.eth0.ipv4", in: restricted.output), restricted.output)
            XCTAssertNotNil(restrictedAddress.range(of: #"^172\.31\.\d+\.\d+/16$"#, options: .regularExpression), restrictedAddress)
            let routes = probeValue("routes", in: restricted.output) ?? ""
            XCTAssertFalse(routes.contains("default"), "no route out: \(routes)")
            XCTAssertTrue(routes.contains("172.31.0.0/16"), routes)
            try removePods("gc of the restricted pod")

            let both = try runPod(stage1: stage1, podFlags: ["--net=default,default-restricted"], image: image)
            XCTAssertEqual(both.status, .exited(0), both.output)
            XCTAssertTrue(probeValue("net.eth0.ipv4", in: both.output)?.hasPrefix("172.16.28.") == true, both.output)
            XCTAssertTrue(probeValue("net.eth1.ipv4", in: both.output)?.hasPrefix("172.31.") == true, both.output)
            XCTAssertTrue(try networksOf(try onlyPod())?.contains(",default-restricted:ip4=172.31.") == true)
            try removePods("gc of the two-network pod")

            let none = try runPod(stage1: stage1, podFlags: ["--net=none"], image: image)
            let links = none.output.split(separator: "\n").filter { $0.hasPrefix("net.") && !$0.dropFirst(4).contains(".") }
            XCTAssertEqual(links, ["net.lo=up"], none.output)
            XCTAssertEqual(try networksOf(try onlyPod()), "none")
        }
    }

    func testHostNetworkAndWhatAHostOnlyStage1Refuses() throws {
        let image = try networkImage()
        try forEachStage1(Stage1Case("--net=host; contained networks refused by a host-only stage1")) { stage1 in
            let host = try runPod(stage1: stage1, podFlags: ["--net=host"], image: image)
            XCTAssertEqual(host.status, .exited(0), host.output)
            XCTAssertEqual(try networksOf(try onlyPod()) ?? "host", "host")
            guard stage1.flavor == "fly" else { return }
            for flags in [["--net=default"], ["--dns=192.0.2.53"], ["--mds-register"]] {
                let refused = try world.run(podArguments(stage1: stage1, podFlags: flags, image: image))
                XCTAssertEqual(refused.status, 254, "\(flags): \(refused.stderrText)")
                XCTAssertFalse(refused.stderrText.isEmpty)
            }
        }
    }

    func testPerNetworkArgumentsAndConfiguredNetworks() throws {
        let image = try networkImage()
        try forEachStage1(Stage1Case("net.d networks and per-network CNI args", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            try writeNetwork("20-skifftest.conf", testNetwork("skifftest", subnet: "10.254.253.0/24"))
            let pinned = try runPod(stage1: stage1, podFlags: ["--net=skifftest:IP=10.254.253.77"], image: image)
            XCTAssertEqual(pinned.status, .exited(0), pinned.output)
            XCTAssertEqual(probeValue("net.eth0.ipv4", in: pinned.output), "10.254.253.77/24", "IP= reached host-local")
            XCTAssertTrue(probeValue("net.eth1.ipv4", in: pinned.output)?.hasPrefix("172.31.") == true, "default-restricted joins last")
            XCTAssertEqual(try networksOf(try onlyPod())?.hasPrefix("skifftest:ip4=10.254.253.77,default-restricted:ip4="), true)
        }
    }

    func testPodsAndTheHostReachEachOther() throws {
        let image = try shellImage(
            "/probe net; echo from-pod-to-host | nc 172.16.28.1 \"$1\"; echo listening; nc -l -p 7777; echo pod-done")
        try forEachStage1(Stage1Case("pod-to-host and host-to-pod traffic", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            let (listener, port) = try TCP.listen("0.0.0.0", port: 0)
            defer { listener.close() }
            let child = try spawnPod(stage1: stage1, image: image, appArguments: ["pod", String(port)])
            XCTAssertEqual(try TCP.acceptAndRead(listener), "from-pod-to-host\n", "the pod reached the host's end of its network")
            let seen = try expectOrFail(child, "listening").beforeText
            let address = try XCTUnwrap(probeValue("net.eth0.ipv4", in: seen.replacingOccurrences(of: "\r\n", with: "\n")))
            let ip = String(address.split(separator: "/")[0])
            let uuid = try onlyPod()
            XCTAssertEqual(ip, try self.address(of: uuid))
            let checked = try world.run("status", "--check-networks", uuid)
            XCTAssertEqual(probeValue("networks-checked", in: checked.stdoutText), "default", "CNI CHECK passed: \(checked.stderrText)")
            _ = try TCP.exchange(ip, port: 7777, message: "from-host-to-pod\n")
            try expectOrFail(child, "from-host-to-pod")
            try expectOrFail(child, "pod-done")
            try waitOrFail(child, status: .exited(0))
        }
    }

    func testTwoPodsOnOneNetworkReachEachOther() throws {
        let server = try shellImage("echo listening; nc -l -p 7000; echo server-done", name: "skiff.test/server")
        let client = try shellImage(
            "for i in 1 2 3 4 5 6 7 8 9 10; do echo hello-from-the-other-pod | nc \"$1\" 7000 && exit 0; sleep 0.3; done; exit 1",
            name: "skiff.test/client")
        try forEachStage1(Stage1Case("two pods on one network", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            let first = try spawnPod(stage1: stage1, image: server)
            try expectOrFail(first, "listening")
            let ip = try address(of: try onlyPod())
            let second = try runPod(stage1: stage1, image: client, appArguments: ["client", ip])
            XCTAssertEqual(second.status, .exited(0), second.output)
            try expectOrFail(first, "hello-from-the-other-pod")
            try waitOrFail(first, status: .exited(0))
        }
    }

    func testBadNetworkConfigurationsFailWithOneClearLine() throws {
        let image = try networkImage()
        try forEachStage1(Stage1Case("bad network configs and unknown plugins", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            let before = inventory()
            func assertRefused(_ flags: [String], _ expected: String, line: UInt = #line) throws {
                let result = try world.run(podArguments(stage1: stage1, podFlags: flags, image: image))
                XCTAssertEqual(result.status, 254, result.stderrText, line: line)
                let lines = result.stderrText.split(separator: "\n").filter { !$0.hasPrefix("image: signature not verified") }
                XCTAssertEqual(lines.count, 1, "one line: \(result.stderrText)", line: line)
                XCTAssertTrue(lines.first?.hasPrefix("skiff: ") == true, result.stderrText, line: line)
                XCTAssertTrue(result.stderrText.contains(expected), "\(result.stderrText) lacks \(expected)", line: line)
            }
            try assertRefused(["--net=nosuchnet"], "network \"nosuchnet\" not found")
            try writeNetwork("30-noplugin.conf", testNetwork("noplugin", subnet: "10.254.252.0/24").replacingOccurrences(of: "\"ptp\"", with: "\"nosuchplugin\""))
            try assertRefused(["--net=noplugin"], "nosuchplugin")
            try writeNetwork("10-broken.conf", "{\"cniVersion\": \"1.0.0\", \"type\": \"ptp\"}")
            try assertRefused(["--net=default"], "10-broken.conf")
            try FileSystem.removeTree(world.localConfig + "/net.d/10-broken.conf")
            try writeNetwork("10-badjson.conf", "{\"name\": ")
            try assertRefused(["--net=default"], "10-badjson.conf")
            try FileSystem.removeTree(world.localConfig + "/net.d")
            try assertRefused(["--port=nosuchport:18080"], "no app of the pod has a port named \"nosuchport\"")
            try removePods("gc after the refused runs")
            XCTAssertEqual(inventory(), before, "a failed start leaves nothing")
        }
    }
}
