// Networking flags: --net list syntax with per-network arguments, --dns and its magic values,
// --dns-search/-opt/-domain, --hosts-entry, --port, and the combinations rkt refused.
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffRunOptions

final class RunOptionsNetworkFlagTests: XCTestCase {
    func testNetList() throws {
        XCTAssertEqual(try parseRun(["--net", "a"]).networks, ["default"], "--net alone means default and takes no next word")
        XCTAssertEqual(try parseRun(["--net=none", "a"]).networks, ["none"])
        let request = try parseRun(["--net=default:IP=172.16.28.5;K=V,lan", "--net=all", "a"])
        XCTAssertEqual(request.networks, ["default:IP=172.16.28.5;K=V", "lan", "all"])
        XCTAssertEqual(request.networkOptions, [
            NetworkOption(name: "default", arguments: "IP=172.16.28.5;K=V"), NetworkOption(name: "lan"), NetworkOption(name: "all"),
        ])
        XCTAssertEqual(try parseRun(["--net=v6:IP=fd00::5", "a"]).networkOptions, [NetworkOption(name: "v6", arguments: "IP=fd00::5")])
    }

    func testNetErrors() {
        assertRunError(["--net=", "a"], "run: --net \"\": empty network name")
        assertRunError(["--net=a,,b", "a"], "run: --net \"a,,b\": empty network name")
        assertRunError(["--net=lan,lan", "a"], "run: --net \"lan,lan\": network \"lan\" given twice")
        assertRunError(["--net=lan", "--net=lan:IP=1.2.3.4", "a"], "run: --net \"lan:IP=1.2.3.4\": network \"lan\" given twice")
        assertRunError(["--net=host:IP=1.2.3.4", "a"], "run: --net \"host:IP=1.2.3.4\": network \"host\" takes no arguments")
        assertRunError(["--net=all:x=y", "a"], "run: --net \"all:x=y\": network \"all\" takes no arguments")
        assertRunError(["--net=lan:IP", "a"], "run: --net \"lan:IP\": argument \"IP\" of network \"lan\" is not K=V")
        assertRunError(["--net=lan:", "a"], "run: --net \"lan:\": argument \"\" of network \"lan\" is not K=V")
        assertRunError(["--net=my net", "a"], "run: --net \"my net\": \"my net\" is not a network name")
        assertRunError(["--net=host,default", "a"], "run: --net=host cannot be combined with other networks")
        assertRunError(["--net=none", "--net=lan", "a"], "run: --net=none cannot be combined with other networks")
    }

    func testDNS() throws {
        let request = try parseRun(["--dns=8.8.8.8,2001:4860:4860::8888", "--dns", "1.1.1.1", "--dns-search=example.com",
            "--dns-search=corp", "--dns-opt=ndots:2", "--dns-domain=example.com", "a"])
        XCTAssertEqual(request.dns, ["8.8.8.8", "2001:4860:4860::8888", "1.1.1.1"])
        XCTAssertEqual(request.dnsSearch, ["example.com", "corp"])
        XCTAssertEqual(request.dnsOptions, ["ndots:2"])
        XCTAssertEqual(request.dnsDomain, "example.com")
        XCTAssertEqual(try parseRun(["--dns=host", "a"]).dns, ["host"])
        XCTAssertEqual(try parseRun(["--dns=none", "a"]).dns, ["none"])
    }

    func testDNSErrors() {
        assertRunError(["--dns=8.8.8", "a"], "run: --dns \"8.8.8\": \"8.8.8\" is not an IP address (nor host or none)")
        assertRunError(["--dns=1.1.1.1,", "a"], "run: --dns \"1.1.1.1,\": \"\" is not an IP address (nor host or none)")
        assertRunError(["--dns=host", "--dns=1.1.1.1", "a"], "run: --dns=host cannot be combined with other --dns values")
        assertRunError(["--dns=none", "--dns-search=x", "a"], "run: --dns-search conflicts with --dns=none")
        assertRunError(["--dns-domain=x", "--dns=host", "a"], "run: --dns-domain conflicts with --dns=host")
        assertRunError(["--dns-opt=a b", "a"], "run: --dns-opt \"a b\": must be one word")
        assertRunError(["--dns-search=", "a"], "run: --dns-search \"\": must be one word")
        assertRunError(["--dns=1.1.1.1", "a"], "prepare: --dns is only for run", kind: .prepare)
    }

    func testHostsEntries() throws {
        XCTAssertEqual(try parseRun(["--hosts-entry=10.0.0.1=db,10.0.0.1=db2", "--hosts-entry", "::1=me", "a"]).hostsEntries,
            ["10.0.0.1=db", "10.0.0.1=db2", "::1=me"])
        XCTAssertEqual(try parseRun(["--hosts-entry=host", "a"]).hostsEntries, ["host"])
        assertRunError(["--hosts-entry=db", "a"], "run: --hosts-entry \"db\": \"db\" is not IP=NAME (nor host)")
        assertRunError(["--hosts-entry=10.0.0=db", "a"], "run: --hosts-entry \"10.0.0=db\": \"10.0.0\" is not an IP address")
        assertRunError(["--hosts-entry=10.0.0.1=", "a"], "run: --hosts-entry \"10.0.0.1=\": \"\" is not a valid host name")
        assertRunError(["--hosts-entry=host", "--hosts-entry=1.2.3.4=x", "a"], "run: --hosts-entry=host cannot be combined with other --hosts-entry values")
    }

    func testPorts() throws {
        let request = try parseRun(["--port=http:8080", "--port", "dns:127.0.0.1:5353", "--port=v6:[::1]:9000", "a"], .prepare)
        XCTAssertEqual(request.ports, [
            ExposedPort(name: try ACName(validating: "http"), hostPort: 8080),
            ExposedPort(name: try ACName(validating: "dns"), hostPort: 5353, hostIP: "127.0.0.1"),
            ExposedPort(name: try ACName(validating: "v6"), hostPort: 9000, hostIP: "::1"),
        ])
        XCTAssertEqual(try parseRun(["--port=80-tcp:80", "a"]).ports.first?.name.value, "80-tcp")
    }

    func testPortErrors() {
        assertRunError(["--port=http", "a"], "run: --port \"http\": not NAME:[HOSTIP:]HOSTPORT")
        assertRunError(["--port=Http:80", "a"], "run: --port \"Http:80\": port name \"Http\" is not an AC name")
        assertRunError(["--port=http:0", "a"], "run: --port \"http:0\": \"0\" is not a port number (1...65535)")
        assertRunError(["--port=http:65536", "a"], "run: --port \"http:65536\": \"65536\" is not a port number (1...65535)")
        assertRunError(["--port=http:localhost:80", "a"], "run: --port \"http:localhost:80\": \"localhost\" is not an IP address")
        assertRunError(["--port=http:80", "--port=http:81", "a"], "run: --port \"http:81\": port \"http\" given twice")
        assertRunError(["--port=http:80", "--net=host", "a"], "run: --port needs a contained network, not --net=host")
        assertRunError(["--net=none", "--port=http:80", "a"], "run: --port needs a contained network, not --net=none")
    }

    func testMetadataServiceNeedsANetwork() throws {
        XCTAssertTrue(try parseRun(["--mds-register", "--net=host", "a"]).mdsRegister)
        assertRunError(["--mds-register", "--net=none", "a"], "run: --mds-register needs a network to reach the metadata service, not --net=none")
    }
}
