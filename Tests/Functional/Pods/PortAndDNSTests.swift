// --port through the portmap plugin (reachable on the host's 127.0.0.1 and on its own address,
// Docker-style `80-tcp` names too) and the DNS flags' resolv.conf and hosts files with rkt's
// precedence.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class PortAndDNSTests: NetworkTestCase {
    func testForwardedPortsAnswerOnLoopbackAndTheHostsAddress() throws {
        let script = """
            mkdir -p /www && echo pong-from-the-pod > /www/index.html && httpd -p 8080 -h /www && \
            httpd -p 8081 -h /www && echo serving && exec sleep 60
            """
        let image = try shellImage(script) { recipe in
            recipe.ports = [.init(name: "http", port: 8080), .init(name: "8081-tcp", port: 8081)]
        }
        try forEachStage1(Stage1Case("--port from the host's loopback and its own address", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            let before = inventory()
            let (http, docker) = (try freePort(), try freePort())
            let child = try spawnPod(stage1: stage1, podFlags: ["--port=http:\(http)", "--port=8081-tcp:\(docker)"], image: image)
            try expectOrFail(child, "serving")
            let uuid = try onlyPod()
            let request = "GET /index.html HTTP/1.0\r\n\r\n"
            for (address, port) in [("127.0.0.1", http), (try hostAddress(), http), ("127.0.0.1", docker)] {
                let answer = try TCP.exchange(address, port: port, message: request)
                XCTAssertTrue(answer.contains("pong-from-the-pod"), "\(address):\(port) answered: \(answer)")
            }
            XCTAssertEqual(try world.run("stop", "--force", uuid).status, 0)
            try waitOrFail(child, status: .exited(137))
            try removePods("gc of the forwarding pod")
            try assertNothingLeft(of: uuid)
            XCTAssertEqual(inventory(), before, "portmap's rules and chains went with the pod")
        }
    }

    /// A stage1 without pod networking (fly) refuses a pod that forwards ports, whether run at
    /// once or prepared first, and a pod whose apps only declare ports runs.
    func testAStage1WithoutPodNetworkingRefusesForwardedPorts() throws {
        let image = try shellImage("echo ran") { recipe in recipe.ports = [.init(name: "http", port: 8080)] }
        XCTAssertEqual(try world.run("--insecure-options=image", "fetch", image.path).status, 0)  // no warning below
        let why = "the container stage1 has pod networking and forwards ports (the case above)"
        try forEachStage1(Stage1Case("a stage1 without pod networking refuses --port", notSupported: ["container": why])) { stage1 in
            let port = try freePort()
            let refused = try world.run(podArguments(stage1: stage1, podFlags: ["--port=http:\(port)"], image: image))
            world.assertFailure(refused, contains: "--port: stage1 \"\(stage1.flavor)\" has no pod networking")
            let prepared = try world.run(podArguments("prepare", stage1: stage1, podFlags: ["--port=http:\(port)"], image: image))
            XCTAssertEqual(prepared.status, 0, prepared.stderrText)
            let uuid = prepared.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            world.assertFailure(try world.run("run-prepared", uuid), contains: "--port: stage1 \"\(stage1.flavor)\" has no pod networking")
            let declaredOnly = try runPod(stage1: stage1, image: image)
            XCTAssertEqual(declaredOnly.status, .exited(0), declaredOnly.output)
            XCTAssertTrue(declaredOnly.output.contains("ran"), declaredOnly.output)
            try removePods("gc of the refused pods")
        }
    }

    func testDNSFlagsWriteResolvConfAndHosts() throws {
        let image = try shellImage("echo \"resolv=$(cat /etc/resolv.conf | tr '\\n' '|')\"; echo \"hosts=$(cat /etc/hosts | tr '\\n' '|')\"")
        try forEachStage1(Stage1Case("DNS flags, resolv.conf and hosts files", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            let flags = [
                "--net=none", "--dns=192.0.2.53", "--dns=192.0.2.54", "--dns-search=example.test", "--dns-opt=ndots:3",
                "--dns-domain=example.test", "--hosts-entry=192.0.2.10=db.example.test", "--hosts-entry=192.0.2.10=db2",
            ]
            let given = try runPod(stage1: stage1, podFlags: flags, image: image)
            XCTAssertEqual(given.status, .exited(0), given.output)
            let resolv = probeValue("resolv", in: given.output) ?? ""
            for line in ["search example.test", "nameserver 192.0.2.53|nameserver 192.0.2.54", "options ndots:3", "domain example.test"] {
                XCTAssertTrue(resolv.contains(line), "\(line) in \(resolv)")
            }
            let hosts = probeValue("hosts", in: given.output) ?? ""
            XCTAssertTrue(hosts.contains("192.0.2.10 db.example.test db2|"), hosts)
            XCTAssertTrue(hosts.hasPrefix("127.0.0.1\tlocalhost"), "localhost lines first: \(hosts)")
            XCTAssertTrue(hosts.contains("127.0.0.1 skiff-"), "the pod's hostname: \(hosts)")

            if FileSystem.exists("/etc/resolv.conf") {
                let host = try runPod(stage1: stage1, podFlags: ["--net=none", "--dns=host", "--hosts-entry=host"], image: image)
                let hostResolv = String(decoding: try FileSystem.read("/etc/resolv.conf"), as: UTF8.self)
                XCTAssertEqual(probeValue("resolv", in: host.output), hostResolv.replacingOccurrences(of: "\n", with: "|"), "the host's file")
                let hostHosts = String(decoding: try FileSystem.read("/etc/hosts"), as: UTF8.self)
                let firstLine = String(hostHosts.split(separator: "\n").first ?? "")
                XCTAssertTrue(probeValue("hosts", in: host.output)?.hasPrefix(firstLine) == true, "the host's hosts file: \(host.output)")
            }

            // CNI's DNS answer comes second: a network whose result carries DNS.
            try FileSystem.createDirectory(world.localConfig + "/net.d")
            let network = """
                {"cniVersion": "1.0.0", "name": "dnsnet", "type": "ptp", "dns": {"nameservers": ["192.0.2.77"], "search": ["net.test"]},
                 "ipam": {"type": "host-local", "subnet": "10.254.251.0/24", "dataDir": "\(world.scratch)/leases"}}
                """
            try FileSystem.writeAtomically(world.localConfig + "/net.d/40-dnsnet.conf", Array(network.utf8))
            let fromNetwork = try runPod(stage1: stage1, podFlags: ["--net=dnsnet"], image: image)
            XCTAssertTrue(probeValue("resolv", in: fromNetwork.output)?.contains("search net.test|nameserver 192.0.2.77") == true, fromNetwork.output)
            let cliWins = try runPod(stage1: stage1, podFlags: ["--net=dnsnet", "--dns=192.0.2.53"], image: image)
            let cliResolv = probeValue("resolv", in: cliWins.output) ?? ""
            XCTAssertTrue(cliResolv.contains("nameserver 192.0.2.53") && !cliResolv.contains("192.0.2.77"), "--dns over CNI: \(cliResolv)")
            let ignored = try runPod(stage1: stage1, podFlags: ["--net=dnsnet", "--dns=none"], image: image)
            XCTAssertFalse(ignored.output.contains("192.0.2.77"), "--dns=none ignores CNI's DNS: \(ignored.output)")
        }
    }
    func testRunPreparedTakesTheRunTimeNetworkFlags() throws {
        let image = try shellImage("/probe net; echo \"resolv=$(cat /etc/resolv.conf | tr '\\n' '|')\"")
        try forEachStage1(Stage1Case("run-prepared with --net and DNS flags", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            let refused = try world.run(podArguments("prepare", stage1: stage1, podFlags: ["--dns=192.0.2.99"], image: image))
            XCTAssertEqual(refused.status, 254, "the DNS flags are run-time flags: \(refused.stderrText)")
            let prepared = try world.run(podArguments("prepare", stage1: stage1, image: image))
            XCTAssertEqual(prepared.status, 0, prepared.stderrText)
            let uuid = prepared.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            let run = try world.run("run-prepared", "--net=default-restricted", "--dns=192.0.2.99", "--dns-search=prepared.test", uuid)
            XCTAssertEqual(run.status, 0, run.stderrText)
            XCTAssertTrue(probeValue("net.eth0.ipv4", in: run.stdoutText)?.hasPrefix("172.31.") == true, run.stdoutText)
            XCTAssertEqual(probeValue("resolv", in: run.stdoutText)?.contains("search prepared.test|nameserver 192.0.2.99|"), true, run.stdoutText)
            XCTAssertTrue(try networksOf(uuid)?.hasPrefix("default-restricted:ip4=172.31.") == true)
        }
    }
}
