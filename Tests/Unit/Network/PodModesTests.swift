// --net=none and --net=host through PodNetwork, and the metadata service reached from inside a
// pod on its network (the pod's own address is the only one its token works from).
import SkiffImage
import SkiffSystem
import XCTest
@testable import SkiffNetwork
#if canImport(Glibc)
import Glibc
#endif

final class PodModesTests: XCTestCase {
    func testNoneGivesALoopbackOnlyNamespaceAndHostGivesNone() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        let before = scratch.inventory()
        let pod = try scratch.pod()
        let none = try PodNetwork.setUp(
            podDirectory: pod.directory, podUUID: pod.uuid, selection: NetworkSelection(mode: .none, networks: []),
            environment: scratch.environment)
        XCTAssertEqual(none.summary, "none")
        let links = try NetworkNamespace(path: try XCTUnwrap(none.namespacePath)).perform { try Subprocess.run(["ip", "-o", "link"]).stdoutText }
        XCTAssertEqual(links.split(separator: "\n").count, 1, links)
        XCTAssertEqual(scratch.inventory().namespaces, before.namespaces + 1)
        try PodNetwork.tearDown(podDirectory: pod.directory)
        XCTAssertEqual(scratch.inventory(), before)

        let host = try scratch.pod()
        let info = try PodNetwork.setUp(
            podDirectory: host.directory, podUUID: host.uuid, selection: NetworkSelection(mode: .host, networks: []),
            environment: scratch.environment)
        XCTAssertNil(info.namespacePath)
        XCTAssertEqual(try NetInfo.load(podDirectory: host.directory)?.mode, .host)
        XCTAssertEqual(scratch.inventory(), before)
        XCTAssertThrowsError(
            try PodNetwork.setUp(
                podDirectory: host.directory, podUUID: host.uuid, selection: NetworkSelection(mode: .host, networks: []),
                portMappings: [PortMapping(hostPort: 8080, containerPort: 80, protocol: "tcp")], environment: scratch.environment)
        ) { error in XCTAssertTrue("\(error)".contains("--port needs a contained network"), "\(error)") }
    }

    func testPodReachesTheMetadataServiceOnTheHostEndOfItsNetwork() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        let name = "sk-mds-\(UInt16.random(in: 0...9999))"
        try scratch.writeConfig(
            "10-\(name).conf",
            #"{"cniVersion": "1.0.0", "name": "\#(name)", "type": "ptp", "ipam": {"type": "host-local", "subnet": "10.213.37.0/24", "dataDir": "\#(scratch.leaseDirectory)"}}"#)
        let pod = try scratch.pod()
        let selection = try NetworkSelection.select(
            NetworkSelection.parse([name]), catalog: NetworkCatalog.load(configDirectories: [scratch.configDirectory]))
        let info = try PodNetwork.setUp(podDirectory: pod.directory, podUUID: pod.uuid, selection: selection, environment: scratch.environment)
        let hostAddress = try XCTUnwrap(info.hostAddress)
        let podAddress = try XCTUnwrap(info.networks[0].parsedResult?.podAddresses.first?.ip)
        let service = try MetadataService(socketPath: scratch.root + "/mds.sock", address: hostAddress, port: 0)
        defer { service.stop() }
        let manifest = Array(#"{"acKind":"PodManifest","acVersion":"0.8.11","apps":[]}"#.utf8)
        let token = try MetadataClient.register(
            socketPath: service.socketPath, uuid: pod.uuid, podManifest: manifest, imageManifests: [], address: podAddress)
        let url = service.url(hostAddress: hostAddress, token: token)
        XCTAssertTrue(url.hasPrefix("http://\(hostAddress):"))
        let inside = try NetworkNamespace(path: try XCTUnwrap(info.namespacePath)).perform {
            try HTTPClient.send("GET", "/\(token)/acMetadata/v1/pod/uuid", to: .tcp(hostAddress, service.port))
        }
        XCTAssertEqual(inside.status, 200)
        XCTAssertEqual(inside.text, pod.uuid)
        let fromHost = try HTTPClient.send("GET", "/\(token)/acMetadata/v1/pod/uuid", to: .tcp(hostAddress, service.port))
        XCTAssertEqual(fromHost.status, 403, "the token only works from the pod's address")
        try MetadataClient.unregister(socketPath: service.socketPath, uuid: pod.uuid)
        try PodNetwork.tearDown(podDirectory: pod.directory)
    }

    func testAFailingDelStillRemovesTheNamespaceAndIsRetriedLater() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        let record = scratch.root + "/record"
        try FileSystem.createDirectory(record)
        try FileSystem.createDirectory(scratch.configDirectory + "/plugins")
        let script = """
            #!/bin/sh
            cat >/dev/null
            dir=${CNI_ARGS#RECORD=}
            echo "$CNI_COMMAND" >> "$dir/log"
            [ "$CNI_COMMAND" = ADD ] && { printf '{"cniVersion":"1.0.0","ips":[]}'; exit 0; }
            [ "$CNI_COMMAND" = DEL ] && [ -e "$dir/fail" ] && { printf '{"code":11,"msg":"busy"}'; exit 1; }
            exit 0
            """
        try FileSystem.writeAtomically(scratch.configDirectory + "/plugins/fake", Array(script.utf8), mode: 0o755)
        try scratch.writeConfig("10-fake.conf", #"{"cniVersion": "1.0.0", "name": "fake", "type": "fake"}"#)
        let before = scratch.inventory()
        let pod = try scratch.pod()
        let selection = try NetworkSelection.select(
            NetworkSelection.parse(["fake:RECORD=\(record)"]), catalog: NetworkCatalog.load(configDirectories: [scratch.configDirectory]))
        let info = try PodNetwork.setUp(podDirectory: pod.directory, podUUID: pod.uuid, selection: selection, environment: scratch.environment)
        XCTAssertEqual(info.networks.map(\.name), ["fake", "default-restricted"])
        try FileSystem.writeAtomically(record + "/fail", [])
        XCTAssertThrowsError(try PodNetwork.tearDown(podDirectory: pod.directory)) { error in
            XCTAssertEqual("\(error)", "network \"fake\": plugin \"fake\" DEL: busy (cni error 11)")
        }
        XCTAssertEqual(scratch.inventory(), before, "namespace, veth, lease and rules are gone anyway")
        XCTAssertEqual(try NetInfo.load(podDirectory: pod.directory)?.networks.map(\.state), [.added, .removed])
        unlink(record + "/fail")
        XCTAssertEqual(try PodNetwork.tearDown(podDirectory: pod.directory).deleted, ["fake"], "the next gc retries the DEL")
        XCTAssertEqual(String(decoding: try FileSystem.read(record + "/log"), as: UTF8.self), "ADD\nDEL\nDEL\n")
    }
}
