// The CNI protocol as Skiff speaks it, checked with recording fake plugins (no root needed): the
// environment, the injected name/cniVersion/runtimeConfig/prevResult, ADD order and DEL's reverse
// order, and a plugin's error JSON turned into one line.
import SkiffImage
import SkiffSystem
import XCTest
@testable import SkiffNetwork

final class CNIProtocolTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-cni-proto-test-")
        try FileSystem.createDirectory(root + "/plugins")
        try FileSystem.createDirectory(root + "/record")
        let script = """
            #!/bin/sh
            tag=$(basename "$0")
            dir=${CNI_ARGS#RECORD=}
            cat > "$dir/$tag-$CNI_COMMAND.json"
            env | grep '^CNI_' | sort > "$dir/$tag-$CNI_COMMAND.env"
            echo "$tag $CNI_COMMAND" >> "$dir/log"
            case "$CNI_COMMAND" in
            ADD) printf '{"cniVersion":"1.0.0","ips":[{"address":"10.9.9.%s/24"}]}' "$([ "$tag" = rec-a ] && echo 1 || echo 2)" ;;
            DEL) if [ -e "$dir/fail-del" ]; then
                   printf '{"cniVersion":"1.0.0","code":11,"msg":"try again later","details":"disk on fire"}'; echo "noise" >&2; exit 1
                 fi ;;
            esac
            """
        for name in ["rec-a", "rec-b"] {
            try FileSystem.writeAtomically(root + "/plugins/" + name, Array(script.utf8), mode: 0o755)
        }
    }

    override func tearDownWithError() throws { try FileSystem.removeTree(root) }

    private func network() throws -> AttachedNetwork {
        let config = try NetworkConfig.parse(
            Array(#"{"cniVersion":"1.0.0","name":"rec","plugins":[{"type":"rec-a","x":1},{"type":"rec-b","capabilities":{"portMappings":true}}]}"#.utf8),
            source: "test", isList: true)
        let plugins = try CNIChain.derive(config, portMappings: [PortMapping(hostPort: 8080, containerPort: 80, protocol: "tcp")])
        return AttachedNetwork(
            name: "rec", source: "test", cniVersion: "1.0.0", disableCheck: false, interfaceName: "eth3",
            arguments: "RECORD=\(root)/record", pluginDirectories: [root + "/missing", root + "/plugins"], plugins: plugins)
    }

    private func recorded(_ file: String) throws -> String { String(decoding: try FileSystem.read(root + "/record/" + file), as: UTF8.self) }

    func testAddPassesEnvironmentAndChainsPrevResultDelReversesWithFinalResult() throws {
        var network = try network()
        let result = try CNIChain.add(network, containerID: "pod-1", namespacePath: "/run/skiff/netns/pod-1")
        XCTAssertEqual(result["ips"]?.arrayValue?.first?["address"]?.stringValue, "10.9.9.2/24", "the last plugin's result is final")
        XCTAssertEqual(
            try recorded("rec-a-ADD.env"),
            """
            CNI_ARGS=RECORD=\(root)/record
            CNI_COMMAND=ADD
            CNI_CONTAINERID=pod-1
            CNI_IFNAME=eth3
            CNI_NETNS=/run/skiff/netns/pod-1
            CNI_PATH=\(root)/missing:\(root)/plugins

            """)
        let first = try JSONValue(parsing: FileSystem.read(root + "/record/rec-a-ADD.json"))
        XCTAssertEqual(first, .object([("type", .string("rec-a")), ("x", .number(1)), ("cniVersion", .string("1.0.0")), ("name", .string("rec"))]))
        let second = try JSONValue(parsing: FileSystem.read(root + "/record/rec-b-ADD.json"))
        XCTAssertEqual(second["prevResult"]?["ips"]?.arrayValue?.first?["address"]?.stringValue, "10.9.9.1/24")
        XCTAssertEqual(second["runtimeConfig"]?["portMappings"]?.arrayValue?.first?["hostPort"]?.numberValue, 8080)

        network.result = result
        XCTAssertEqual(try CNIChain.delete(network, containerID: "pod-1", namespacePath: ""), [])
        XCTAssertEqual(try recorded("log"), "rec-a ADD\nrec-b ADD\nrec-b DEL\nrec-a DEL\n")
        XCTAssertTrue(try recorded("rec-a-DEL.env").contains("CNI_NETNS=\n"), "DEL without a namespace passes it empty")
        for tag in ["rec-a", "rec-b"] {
            let del = try JSONValue(parsing: FileSystem.read(root + "/record/\(tag)-DEL.json"))
            XCTAssertEqual(del["prevResult"], result, "\(tag) DEL gets the final ADD result")
        }
        XCTAssertTrue(try CNIChain.check(network, containerID: "pod-1", namespacePath: "/x"))
        XCTAssertEqual(try JSONValue(parsing: FileSystem.read(root + "/record/rec-a-CHECK.json"))["prevResult"], result)
    }

    func testPluginErrorJSONBecomesOneLineAndEveryPluginStillGetsItsDel() throws {
        var network = try network()
        network.result = try CNIChain.add(network, containerID: "pod-2", namespacePath: "/x")
        try FileSystem.writeAtomically(root + "/record/fail-del", [])
        XCTAssertThrowsError(try CNIChain.delete(network, containerID: "pod-2", namespacePath: "/x")) { error in
            XCTAssertEqual("\(error)", "network \"rec\": plugin \"rec-b\" DEL: try again later; disk on fire (cni error 11)")
        }
        XCTAssertTrue(try recorded("log").hasSuffix("rec-b DEL\nrec-a DEL\n"), "rec-a still got its DEL")
    }

    func testDelSkipsAPluginThatIsNotInstalledWithANote() throws {
        var network = try network()
        network.pluginDirectories = [root + "/missing"]
        let notes = try CNIChain.delete(network, containerID: "pod-3", namespacePath: "")
        XCTAssertEqual(notes.count, 2)
        XCTAssertEqual(notes.first, "network \"rec\": plugin \"rec-b\" not installed, nothing of it DELeted")
        XCTAssertThrowsError(try CNIChain.add(network, containerID: "pod-3", namespacePath: "")) { error in
            XCTAssertTrue("\(error)".hasPrefix("network \"rec\": plugin \"rec-a\" ADD: no executable \"rec-a\" in \(root)/missing"), "\(error)")
        }
    }

    func testIPTablesLinesAreTokenizedAndChainNamesMatchThePlugins() {
        XCTAssertEqual(
            IPTables.tokenize(#"-A POSTROUTING -s 10.99.0.2/32 -m comment --comment "name: \"sktest\" id: \"abc\"" -j CNI-9abdb86cdb139eefb40de0b8"#),
            ["-A", "POSTROUTING", "-s", "10.99.0.2/32", "-m", "comment", "--comment", #"name: "sktest" id: "abc""#, "-j", "CNI-9abdb86cdb139eefb40de0b8"])
        // Names ptp and portmap 1.1.1 gave network "sktest", container "abc" on this machine.
        XCTAssertEqual(IPTables.chainName(network: "sktest", containerID: "abc"), "CNI-9abdb86cdb139eefb40de0b8")
        XCTAssertEqual(IPTables.chainName(network: "sktest", containerID: "abc", prefix: "DN-"), "CNI-DN-9abdb86cdb139eefb40de")
    }
}
