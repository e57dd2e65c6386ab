// Configuration loading and precedence, the built-in networks' exact JSON, --net selection and
// its errors, chain derivation. No privileges needed.
import SkiffImage
import SkiffSystem
import XCTest
@testable import SkiffNetwork

final class NetworkConfigTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-netconf-test-")
    }

    override func tearDownWithError() throws { try FileSystem.removeTree(root) }

    private func write(_ directory: String, _ file: String, _ text: String) throws {
        try FileSystem.createDirectory(root + "/" + directory + "/net.d")
        try FileSystem.writeAtomically(root + "/" + directory + "/net.d/" + file, Array(text.utf8))
    }

    private func conf(_ name: String, _ subnet: String) -> String {
        #"{"cniVersion": "1.0.0", "name": "\#(name)", "type": "bridge", "ipam": {"type": "host-local", "subnet": "\#(subnet)"}}"#
    }

    func testBuiltinNetworksExactJSON() {
        XCTAssertEqual(
            String(decoding: BuiltinNetworks.default.json.encoded(pretty: false), as: UTF8.self),
            #"{"cniVersion":"1.0.0","name":"default","plugins":[{"type":"ptp","ipMasq":true,"ipam":{"type":"host-local","subnet":"172.16.28.0/24","routes":[{"dst":"0.0.0.0/0"}]}}]}"#)
        XCTAssertEqual(
            String(decoding: BuiltinNetworks.defaultRestricted.json.encoded(pretty: false), as: UTF8.self),
            #"{"cniVersion":"1.0.0","name":"default-restricted","plugins":[{"type":"ptp","ipMasq":false,"ipam":{"type":"host-local","subnet":"172.31.0.0/16"}}]}"#)
    }

    func testLexicalOrderFirstFileWinsInADirectoryLaterDirectoryWinsAcross() throws {
        try write("system", "10-lan.conf", conf("lan", "10.1.0.0/16"))
        try write("system", "20-lan-again.conf", conf("lan", "10.9.0.0/16"))
        try write("system", "30-dmz.conflist", #"{"cniVersion": "1.0.0", "name": "dmz", "plugins": [{"type": "ptp"}, {"type": "tuning"}]}"#)
        try write("local", "50-lan.conf", conf("lan", "10.2.0.0/16"))
        try write("local", "README", "not a config")
        try write("user", "05-default.conf", conf("default", "10.3.0.0/16"))
        let catalog = try NetworkCatalog.load(configDirectories: ["system", "local", "user", "missing"].map { root + "/" + $0 })
        XCTAssertEqual(catalog.networks.map(\.name), ["default", "dmz", "lan"], "by file name: 05-, 30-, 50-")
        XCTAssertEqual(catalog.network(named: "lan")?.plugins.first?["ipam"]?["subnet"]?.stringValue, "10.2.0.0/16")
        XCTAssertEqual(catalog.network(named: "lan")?.source, root + "/local/net.d/50-lan.conf")
        XCTAssertEqual(catalog.network(named: "dmz")?.pluginTypes, ["ptp", "tuning"])
        XCTAssertTrue(catalog.notes.contains { $0.hasPrefix(root + "/system/net.d/20-lan-again.conf: network \"lan\" already defined") }, "\(catalog.notes)")
        XCTAssertTrue(catalog.notes.contains { $0.contains("50-lan.conf: overrides network \"lan\"") }, "\(catalog.notes)")
        // A configured default replaces the built-in one.
        let selection = try NetworkSelection.select([], catalog: catalog)
        XCTAssertEqual(selection.networks.first?.config.source, root + "/user/net.d/05-default.conf")
    }

    func testBadConfigFilesNameTheFileAndTheProblem() throws {
        let cases: [(String, String, String)] = [
            ("1.conf", "{", "invalid JSON"),
            ("2.conf", #"{"cniVersion": "1.0.0", "type": "ptp"}"#, "\"name\" is missing"),
            ("3.conf", #"{"name": "-x", "type": "ptp"}"#, "network name \"-x\""),
            ("4.conf", #"{"name": "x", "type": "../../bin/sh"}"#, "plugin type \"../../bin/sh\" is not a plain file name"),
            ("5.conflist", #"{"cniVersion": "1.0.0", "name": "x", "plugins": []}"#, "\"plugins\" is empty"),
            ("6.conflist", #"{"cniVersion": "0.2.0", "name": "x", "plugins": [{"type": "a"}, {"type": "b"}]}"#, "needs cniVersion 0.3.0"),
            ("7.conf", #"{"cniVersion": "1.0", "name": "x", "type": "ptp"}"#, "\"cniVersion\" is not a version"),
            ("8.conf", #"{"name": "x", "plugins": [{"type": "ptp"}]}"#, "name the file .conflist"),
        ]
        for (file, text, expected) in cases {
            let directory = root + "/case-" + file
            try FileSystem.createDirectory(directory + "/net.d")
            try FileSystem.writeAtomically(directory + "/net.d/" + file, Array(text.utf8))
            XCTAssertThrowsError(try NetworkCatalog.load(configDirectories: [directory])) { error in
                XCTAssertTrue("\(error)".hasPrefix("network config \"\(directory)/net.d/\(file)\": "), "\(error)")
                XCTAssertTrue("\(error)".contains(expected), "\(file): \(error)")
            }
        }
    }

    func testSelectionFollowsRktRules() throws {
        try write("local", "10-lan.conf", conf("lan", "10.1.0.0/16"))
        try write("local", "20-dmz.conf", conf("dmz", "10.2.0.0/16"))
        let catalog = try NetworkCatalog.load(configDirectories: [root + "/local"])
        func names(_ values: [String]) throws -> [String] {
            try NetworkSelection.select(NetworkSelection.parse(values), catalog: catalog).networks.map(\.config.name)
        }
        XCTAssertEqual(try names([]), ["default"])
        XCTAssertEqual(try names(["default"]), ["default"])
        XCTAssertEqual(try names(["dmz,lan"]), ["lan", "dmz", "default-restricted"], "file order, restricted added last")
        XCTAssertEqual(try names(["lan", "default"]), ["lan", "default"])
        XCTAssertEqual(try names(["all"]), ["lan", "dmz", "default"])
        XCTAssertEqual(try names(["default-restricted"]), ["default-restricted"])
        XCTAssertEqual(try names(["default-restricted,default"]), ["default-restricted", "default"])
        XCTAssertEqual(try names(["all,default-restricted"]), ["lan", "dmz", "default", "default-restricted"])
        XCTAssertEqual(try NetworkSelection.select(NetworkSelection.parse(["host"]), catalog: catalog).mode, .host)
        XCTAssertEqual(try NetworkSelection.select(NetworkSelection.parse(["none"]), catalog: catalog), NetworkSelection(mode: .none, networks: []))
        let withArgs = try NetworkSelection.select(NetworkSelection.parse(["all,lan:IP=10.1.0.9;K=V"]), catalog: catalog)
        XCTAssertEqual(withArgs.networks.map(\.arguments), ["IP=10.1.0.9;K=V", "", ""])
        XCTAssertEqual(withArgs.networks.map(\.interfaceName), ["eth0", "eth1", "eth2"])
        XCTAssertEqual(withArgs.portNetworkIndex, 2, "the first masquerading network (default) carries ports")
        XCTAssertEqual(try NetworkSelection.select(NetworkSelection.parse(["lan"]), catalog: catalog).portNetworkIndex, 1, "else the last")
    }

    func testNetErrorsNameTheNetwork() throws {
        let catalog = NetworkCatalog(networks: [])
        let failures: [([String], String)] = [
            (["nope"], "--net: network \"nope\" not found"),
            (["a,b"], "--net: networks \"a\", \"b\" not found"),
            (["default,default"], "--net: network \"default\" given twice"),
            (["host,default"], "--net=host cannot be combined with other networks"),
            (["none:IP=1.2.3.4"], "--net: network \"none\" takes no arguments"),
            (["default:IP"], "--net: argument \"IP\" of network \"default\" is not K=V"),
            (["bad name"], "--net=bad name: \"bad name\" is not a network name"),
            ([","], "--net=,: empty network name"),
        ]
        for (values, expected) in failures {
            XCTAssertThrowsError(try NetworkSelection.select(NetworkSelection.parse(values), catalog: catalog)) { error in
                XCTAssertTrue("\(error)".hasPrefix(expected), "\(values): \(error)")
            }
        }
    }

    func testDerivedChainInjectsNameVersionAndPortMappings() throws {
        let ports = [PortMapping(hostPort: 8080, containerPort: 80, protocol: "tcp", hostIP: "127.0.0.1")]
        let chain = try CNIChain.derive(BuiltinNetworks.default, portMappings: ports)
        XCTAssertEqual(chain.count, 2)
        XCTAssertEqual(
            String(decoding: chain[1].encoded(pretty: false), as: UTF8.self),
            #"{"type":"portmap","capabilities":{"portMappings":true},"snat":true,"cniVersion":"1.0.0","name":"default","runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp","hostIP":"127.0.0.1"}]}}"#)
        XCTAssertEqual(chain[0]["name"]?.stringValue, "default")
        XCTAssertNil(chain[0]["runtimeConfig"], "ptp does not declare portMappings")
        XCTAssertEqual(try CNIChain.derive(BuiltinNetworks.default, portMappings: []).count, 1, "no ports, no portmap")
        let old = NetworkConfig(name: "old", cniVersion: "0.2.0", plugins: [.object([("type", .string("ptp"))])], source: "/x.conf")
        XCTAssertThrowsError(try CNIChain.derive(old, portMappings: ports)) { error in
            XCTAssertTrue("\(error)".contains("forwarding ports needs cniVersion 0.3.0 or later in /x.conf"), "\(error)")
        }
    }

    func testPortRequestsMatchAppPortsByName() throws {
        let web = try Port(name: ACName(validating: "http"), protocol: "TCP", port: 80)
        let range = try Port(name: ACName(validating: "rtp"), protocol: "udp", port: 5000, count: 3)
        let docker = try PortForwarding.dockerPort("53/udp")
        XCTAssertEqual(docker.name.value, "53-udp")
        let mappings = try PortForwarding.mappings(
            for: [
                ExposedPort(name: ACName(validating: "http"), hostPort: 8080, hostIP: "127.0.0.1"),
                ExposedPort(name: ACName(validating: "rtp"), hostPort: 6000),
                ExposedPort(name: ACName(validating: "53-udp"), hostPort: 5353),
            ], apps: [(name: "web", ports: [web, range]), (name: "dns", ports: [docker])])
        XCTAssertEqual(mappings.map { "\($0.hostIP ?? "*"):\($0.hostPort)->\($0.containerPort)/\($0.protocol)" }, [
            "127.0.0.1:8080->80/tcp", "*:6000->5000/udp", "*:6001->5001/udp", "*:6002->5002/udp", "*:5353->53/udp",
        ])
        XCTAssertThrowsError(
            try PortForwarding.mappings(for: [ExposedPort(name: ACName(validating: "ftp"), hostPort: 21)], apps: [(name: "web", ports: [web])])
        ) { error in
            XCTAssertEqual("\(error)", "--port=ftp:21: no app of the pod has a port named \"ftp\" (ports: http)")
        }
        XCTAssertThrowsError(
            try PortForwarding.mappings(
                for: [ExposedPort(name: ACName(validating: "http"), hostPort: 80)], apps: [(name: "a", ports: [web]), (name: "b", ports: [web])]))
        XCTAssertThrowsError(try PortForwarding.dockerPort("http"))
    }

    func testResultsOfEveryFormatAreRead() throws {
        let v1 = try JSONValue(parsing: Array(#"""
            {"cniVersion":"1.0.0","interfaces":[{"name":"veth1","mac":"aa"},{"name":"eth0","mac":"bb","sandbox":"/run/x"}],
             "ips":[{"interface":1,"address":"10.0.0.2/24","gateway":"10.0.0.1"}],"routes":[{"dst":"0.0.0.0/0"}],
             "dns":{"nameservers":["10.0.0.1"]}}
            """#.utf8))
        let result = try CNIResult.parse(v1, expectedVersion: "1.0.0")
        XCTAssertEqual(result.podAddresses.map(\.ip), ["10.0.0.2"])
        XCTAssertEqual(result.routes, [CNIResult.Route(destination: "0.0.0.0/0", gateway: nil)])
        XCTAssertEqual(result.dns.nameservers, ["10.0.0.1"])
        let v02 = try JSONValue(parsing: Array(#"{"cniVersion":"0.2.0","ip4":{"ip":"10.0.0.3/24","gateway":"10.0.0.1","routes":[{"dst":"10.9.0.0/16","gw":"10.0.0.1"}]}}"#.utf8))
        let legacy = try CNIResult.parse(v02, expectedVersion: "0.2.0")
        XCTAssertEqual(legacy.podAddresses.map(\.address), ["10.0.0.3/24"])
        XCTAssertEqual(legacy.routes.first?.gateway, "10.0.0.1")
        XCTAssertThrowsError(try CNIResult.parse(.array([]), expectedVersion: "1.0.0"))
    }
}
