// Checklist B.17-22, B.24 and B.28: the rules of an image's `app`.
import SkiffSystem
import XCTest

@testable import SkiffImage

final class ImageModelAppTests: XCTestCase {
    private func app(_ body: String) -> String { ManifestFixture.manifest(#""app": {\#(body)}"#) }

    /// B.17: user and group are required, non-empty strings. exec is optional (spec 0.8.11 text).
    func testB17_UserAndGroupRequired() throws {
        assertImageManifestError(app(#""exec": ["/bin/true"], "group": "0""#), "app.user: required")
        assertImageManifestError(app(#""exec": ["/bin/true"], "user": "", "group": "0""#), "app.user: required")
        assertImageManifestError(app(#""user": "0""#), "app.group: required")
        assertImageManifestError(app(#""user": 0, "group": "0""#), "app.user: expected a string, got a number")
        let noExec = try ManifestFixture.parse(app(#""user": "root", "group": "/usr/bin/ping""#))
        XCTAssertEqual(noExec.app?.exec, [])
        XCTAssertEqual(noExec.app?.group, "/usr/bin/ping")
        let relative = try ManifestFixture.parse(app(#""exec": ["sh", "-c", "x"], "user": "0", "group": "0""#))
        XCTAssertEqual(relative.app?.exec, ["sh", "-c", "x"])
    }

    /// B.18: workingDirectory absolute when set; "" means unset (default "/").
    func testB18_WorkingDirectory() throws {
        XCTAssertEqual(try ManifestFixture.parse(ManifestFixture.appManifest(#""workingDirectory": "/opt/work""#)).app?.workingDirectory, "/opt/work")
        XCTAssertNil(try ManifestFixture.parse(ManifestFixture.appManifest(#""workingDirectory": """#)).app?.workingDirectory)
        XCTAssertNil(try ManifestFixture.parse(ManifestFixture.appManifest()).app?.workingDirectory)
        assertImageManifestError(ManifestFixture.appManifest(#""workingDirectory": "opt/work""#), #"app.workingDirectory "opt/work": must be an absolute path"#)
    }

    /// B.19: event handler names pre-start/post-stop, one each, with a non-empty exec.
    func testB19_EventHandlers() throws {
        let manifest = try ManifestFixture.parse(ManifestFixture.appManifest(
            #""eventHandlers": [{"name": "pre-start", "exec": ["/bin/prep"]}, {"name": "post-stop", "exec": ["/bin/clean", "-v"]}]"#))
        XCTAssertEqual(manifest.app?.eventHandler("post-stop")?.exec, ["/bin/clean", "-v"])
        assertImageManifestError(
            ManifestFixture.appManifest(#""eventHandlers": [{"name": "pre-stop", "exec": ["/x"]}]"#),
            #"app.eventHandlers[0].name "pre-stop": must be "pre-start" or "post-stop""#)
        assertImageManifestError(
            ManifestFixture.appManifest(#""eventHandlers": [{"name": "pre-start", "exec": ["/x"]}, {"name": "pre-start", "exec": ["/y"]}]"#),
            #"app.eventHandlers[1].name "pre-start": duplicate event handler"#)
        assertImageManifestError(
            ManifestFixture.appManifest(#""eventHandlers": [{"name": "post-stop", "exec": []}]"#), "app.eventHandlers[0].exec: must not be empty")
        assertImageManifestError(ManifestFixture.appManifest(#""eventHandlers": [{"name": "post-stop"}]"#), "app.eventHandlers[0].exec: required")
    }

    /// B.20: environment names match ^[A-Za-z_][A-Za-z_0-9.-]*$, are non-empty and unique.
    func testB20_Environment() throws {
        let manifest = try ManifestFixture.parse(ManifestFixture.appManifest(
            #""environment": [{"name": "REDUCE_WORKER_DEBUG", "value": "true"}, {"name": "_a.b-c9", "value": ""}]"#))
        XCTAssertEqual(manifest.app?.environmentValue("REDUCE_WORKER_DEBUG"), "true")
        XCTAssertEqual(manifest.app?.environmentValue("_a.b-c9"), "")
        assertImageManifestError(
            ManifestFixture.appManifest(#""environment": [{"name": "1X", "value": "a"}]"#),
            #"app.environment[0].name "1X": not a valid environment variable name"#)
        assertImageManifestError(
            ManifestFixture.appManifest(#""environment": [{"name": "A=B", "value": "a"}]"#),
            #"app.environment[0].name "A=B": not a valid environment variable name"#)
        assertImageManifestError(ManifestFixture.appManifest(#""environment": [{"name": "", "value": "a"}]"#), "app.environment[0].name: required")
        assertImageManifestError(
            ManifestFixture.appManifest(#""environment": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]"#),
            #"app.environment[1].name "A": duplicate environment variable"#)
        assertImageManifestError(ManifestFixture.appManifest(#""environment": [{"name": "A"}]"#), "app.environment[0].value: required")
    }

    /// B.21: mount point names are AC Names, unique; paths absolute; readOnly defaults to false.
    func testB21_MountPoints() throws {
        let manifest = try ManifestFixture.parse(ManifestFixture.appManifest(
            #""mountPoints": [{"name": "work", "path": "/var/lib/work"}, {"name": "conf-dir", "path": "/etc/x", "readOnly": true}]"#))
        XCTAssertEqual(manifest.app?.mountPoints.map(\.readOnly), [false, true])
        XCTAssertEqual(manifest.app?.mountPoints.first?.name.value, "work")
        assertImageManifestError(
            ManifestFixture.appManifest(#""mountPoints": [{"name": "Work", "path": "/w"}]"#), #"app.mountPoints[0].name "Work": not an AC name"#)
        assertImageManifestError(
            ManifestFixture.appManifest(#""mountPoints": [{"name": "w", "path": "/a"}, {"name": "w", "path": "/b"}]"#),
            #"app.mountPoints[1].name "w": duplicate mount point"#)
        assertImageManifestError(
            ManifestFixture.appManifest(#""mountPoints": [{"name": "w", "path": "w"}]"#), #"app.mountPoints[0].path "w": must be an absolute path"#)
        assertImageManifestError(ManifestFixture.appManifest(#""mountPoints": [{"name": "w"}]"#), "app.mountPoints[0].path: required")
        assertImageManifestError(
            ManifestFixture.appManifest(#""mountPoints": [{"name": "w", "path": "/w", "readOnly": "yes"}]"#),
            "app.mountPoints[0].readOnly: expected a boolean, got a string")
    }

    /// B.22: ports need an AC Name and a protocol; port 1...65535; count >= 1, default 1.
    func testB22_Ports() throws {
        let manifest = try ManifestFixture.parse(ManifestFixture.appManifest(
            #""ports": [{"name": "health", "port": 4000, "protocol": "tcp", "socketActivated": true}, {"name": "ftp-data", "port": 20000, "count": 1000, "protocol": "tcp"}]"#))
        let ports = try XCTUnwrap(manifest.app?.ports)
        XCTAssertEqual(ports[0], Port(name: try ACName(validating: "health"), protocol: "tcp", port: 4000, count: 1, socketActivated: true))
        XCTAssertEqual(ports[1].count, 1000)
        XCTAssertFalse(ports[1].socketActivated)
        func port(_ body: String) -> String { ManifestFixture.appManifest(#""ports": [\#(body)]"#) }
        assertImageManifestError(port(#"{"name": "HTTP", "port": 80, "protocol": "tcp"}"#), #"app.ports[0].name "HTTP": not an AC name"#)
        assertImageManifestError(port(#"{"port": 80, "protocol": "tcp"}"#), "app.ports[0].name: required")
        assertImageManifestError(port(#"{"name": "http", "port": 80}"#), "app.ports[0].protocol: required")
        assertImageManifestError(port(#"{"name": "http", "protocol": "tcp"}"#), "app.ports[0].port: required")
        assertImageManifestError(port(#"{"name": "http", "port": 0, "protocol": "tcp"}"#), "app.ports[0].port 0: must be 1...65535")
        assertImageManifestError(port(#"{"name": "http", "port": 65536, "protocol": "tcp"}"#), "app.ports[0].port 65536: must be 1...65535")
        assertImageManifestError(port(#"{"name": "http", "port": 80.5, "protocol": "tcp"}"#), "app.ports[0].port 80.5: must be an integer")
        assertImageManifestError(port(#"{"name": "http", "port": 80, "count": -1, "protocol": "tcp"}"#), "app.ports[0].count -1: must be 1...65535")
        // Go writes an unset count as 0 and reads it as 1.
        XCTAssertEqual(try ManifestFixture.parse(port(#"{"name": "http", "port": 80, "count": 0, "protocol": "tcp"}"#)).app?.ports.first?.count, 1)
        assertImageManifestError(
            port(#"{"name": "hi", "port": 65000, "count": 1000, "protocol": "udp"}"#), "app.ports[0].count 1000: ports 65000-65999 go past 65535")
        assertImageManifestError(
            port(#"{"name": "http", "port": 80, "protocol": "tcp"}, {"name": "http", "port": 81, "protocol": "tcp"}"#),
            #"app.ports[1].name "http": duplicate port"#)
    }

    /// B.24: userAnnotations and userLabels are string maps, kept as data only.
    func testB24_UserAnnotationsAndLabels() throws {
        let manifest = try ManifestFixture.parse(ManifestFixture.appManifest(
            #""userAnnotations": {"Any Key!": "v", "exec": "/not/used"}, "userLabels": {"tier": "web"}"#))
        XCTAssertEqual(manifest.app?.userAnnotations, ["Any Key!": "v", "exec": "/not/used"])
        XCTAssertEqual(manifest.app?.userLabels, ["tier": "web"])
        XCTAssertEqual(manifest.app?.exec, ["/bin/true"], "a user annotation named exec changes nothing")
        assertImageManifestError(ManifestFixture.appManifest(#""userLabels": {"tier": 1}"#), "app.userLabels.tier: expected a string, got a number")
        assertImageManifestError(ManifestFixture.appManifest(#""userAnnotations": ["a"]"#), "app.userAnnotations: expected an object, got an array")
    }

    /// B.28: exec strings are kept verbatim: no variable substitution, no shell splitting.
    func testB28_ExecIsVerbatim() throws {
        let argv = ["/bin/echo", "$HOME", "a b", "${X:-y}", "'q'", "\\n", "ünï"]
        let json = ManifestFixture.manifest(#""app": {"exec": ["/bin/echo", "$HOME", "a b", "${X:-y}", "'q'", "\\n", "\u00fcn\u00ef"], "user": "0", "group": "0"}"#)
        let manifest = try ManifestFixture.parse(json)
        XCTAssertEqual(manifest.app?.exec, argv)
        XCTAssertEqual(try ImageManifest.parse(manifest.encoded(pretty: true)).app?.exec, argv)
    }

    func testSupplementaryGIDs() throws {
        XCTAssertEqual(try ManifestFixture.parse(ManifestFixture.appManifest(#""supplementaryGIDs": [10, 4294967295]"#)).app?.supplementaryGIDs, [10, 4_294_967_295])
        assertImageManifestError(ManifestFixture.appManifest(#""supplementaryGIDs": [-1]"#), "app.supplementaryGIDs[0] -1: must be 0...4294967295")
    }
}
