// Encoding: encoded() parses back to an equal manifest, compact and pretty, and through Codable;
// and a realistic, hand-written manifest with every section.
import SkiffSystem
import XCTest

@testable import SkiffImage

final class ImageModelRoundTripTests: XCTestCase {
    /// A manifest like one acbuild would write for a small web service with a base dependency.
    static let realWorld = #"""
        {
            "acKind": "ImageManifest",
            "acVersion": "0.8.11",
            "name": "quay.io/acme/web-frontend",
            "labels": [
                {"name": "version", "value": "2.4.1"},
                {"name": "os", "value": "linux"},
                {"name": "arch", "value": "amd64"}
            ],
            "app": {
                "exec": ["/usr/bin/frontend", "--listen=:8080", "--config", "/etc/frontend/config.toml"],
                "user": "frontend",
                "group": "frontend",
                "supplementaryGIDs": [44, 100],
                "eventHandlers": [
                    {"name": "pre-start", "exec": ["/usr/bin/frontend", "migrate"]},
                    {"name": "post-stop", "exec": ["/usr/bin/frontend", "cleanup", "--quiet"]}
                ],
                "workingDirectory": "/var/lib/frontend",
                "environment": [
                    {"name": "GOMAXPROCS", "value": "2"},
                    {"name": "FRONTEND_LOG", "value": "json"},
                    {"name": "PATH", "value": "/usr/bin:/bin"}
                ],
                "isolators": [
                    {"name": "resource/cpu", "value": {"request": "250m", "limit": "1"}},
                    {"name": "resource/memory", "value": {"limit": "512Mi"}},
                    {"name": "os/linux/capabilities-retain-set", "value": {"set": ["CAP_NET_BIND_SERVICE"]}},
                    {"name": "os/linux/seccomp-remove-set", "value": {"set": ["@rkt/default-blacklist", "ptrace"], "errno": "EPERM"}},
                    {"name": "os/linux/no-new-privileges", "value": true}
                ],
                "mountPoints": [
                    {"name": "data", "path": "/var/lib/frontend", "readOnly": false},
                    {"name": "config", "path": "/etc/frontend", "readOnly": true}
                ],
                "ports": [
                    {"name": "http", "protocol": "tcp", "port": 8080},
                    {"name": "metrics", "protocol": "tcp", "port": 9102, "count": 1, "socketActivated": false}
                ],
                "userAnnotations": {"team": "web", "pager": "web-oncall@acme.example"},
                "userLabels": {"tier": "frontend"}
            },
            "dependencies": [
                {
                    "imageName": "quay.io/acme/base",
                    "labels": [{"name": "version", "value": "2018.01"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                    "size": 41943040
                },
                {"imageName": "quay.io/acme/ca-certificates"}
            ],
            "pathWhitelist": [],
            "annotations": [
                {"name": "authors", "value": "ACME Web Team <web@acme.example>"},
                {"name": "created", "value": "2018-01-24T10:11:12.5+01:00"},
                {"name": "homepage", "value": "https://acme.example/frontend"},
                {"name": "documentation", "value": "https://docs.acme.example/frontend/"},
                {"name": "acme.example/build-commit", "value": "9f2c1e7"}
            ],
            "x-acme-extension": {"ignored": true}
        }
        """#

    func testRealWorldManifest() throws {
        let manifest = try ManifestFixture.parse(Self.realWorld)
        XCTAssertEqual(manifest.name.value, "quay.io/acme/web-frontend")
        XCTAssertEqual(manifest.version, "2.4.1")
        let app = try XCTUnwrap(manifest.app)
        XCTAssertEqual(app.exec.first, "/usr/bin/frontend")
        XCTAssertEqual(app.supplementaryGIDs, [44, 100])
        XCTAssertEqual(app.eventHandler("pre-start")?.exec, ["/usr/bin/frontend", "migrate"])
        XCTAssertEqual(app.environmentValue("PATH"), "/usr/bin:/bin")
        XCTAssertEqual(try app.isolators.map { try $0.interpreted() }, [
            .cpu(ResourceAmounts(request: Quantity(milliValue: 250), limit: Quantity(milliValue: 1000))),
            .memory(ResourceAmounts(request: nil, limit: Quantity(milliValue: 536_870_912_000))),
            .capabilitiesRetain(["CAP_NET_BIND_SERVICE"]),
            .seccompRemove(set: ["@rkt/default-blacklist", "ptrace"], errno: "EPERM"),
            .noNewPrivileges(true),
        ])
        XCTAssertEqual(app.mountPoints.map(\.readOnly), [false, true])
        XCTAssertEqual(app.ports.map(\.port), [8080, 9102])
        XCTAssertEqual(app.userLabels, ["tier": "frontend"])
        XCTAssertEqual(manifest.dependencies.map(\.imageName.value), ["quay.io/acme/base", "quay.io/acme/ca-certificates"])
        XCTAssertEqual(manifest.dependencies[0].size, 41_943_040)
        XCTAssertEqual(manifest.pathWhitelist, [])
        XCTAssertEqual(manifest.annotation("acme.example/build-commit"), "9f2c1e7")
        XCTAssertEqual(try XCTUnwrap(manifest.created).timeIntervalSince1970, 1_516_785_072.5, accuracy: 1e-6)
        XCTAssertTrue(SkiffImage.manifest(manifest, satisfies: "quay.io/acme/web-frontend", labels: ["os": "linux", "version": "2.4.1"]))
    }

    func testEncodedParsesBackEqual() throws {
        let manifest = try ManifestFixture.parse(Self.realWorld)
        for pretty in [false, true] {
            let bytes = manifest.encoded(pretty: pretty)
            XCTAssertEqual(try ImageManifest.parse(bytes), manifest, "pretty: \(pretty)")
            XCTAssertEqual(manifest.encoded(pretty: pretty), try ImageManifest.parse(bytes).encoded(pretty: pretty), "stable")
        }
        let compact = String(decoding: manifest.encoded(pretty: false), as: UTF8.self)
        XCTAssertTrue(compact.hasPrefix(#"{"acKind":"ImageManifest","acVersion":"0.8.11","name":"quay.io/acme/web-frontend","labels":["#), compact)
        XCTAssertFalse(compact.contains("\\/"), "slashes are not escaped")
        XCTAssertFalse(compact.contains("pathWhitelist"), "empty lists are left out")
        XCTAssertFalse(compact.contains("x-acme-extension"), "unknown members are not kept")
        let pretty = String(decoding: manifest.encoded(pretty: true), as: UTF8.self)
        XCTAssertTrue(pretty.hasPrefix("{\n    \"acKind\": \"ImageManifest\",\n"), pretty)
    }

    func testCodableThroughFoundationCoders() throws {
        let manifest = try ManifestFixture.parse(Self.realWorld)
        let data = try JSONEncoder().encode(manifest)
        XCTAssertEqual(try JSONDecoder().decode(ImageManifest.self, from: data), manifest)
        let app = try XCTUnwrap(manifest.app)
        XCTAssertEqual(try JSONDecoder().decode(App.self, from: try JSONEncoder().encode(app)), app)
        let broken = Data(#"{"exec": [], "user": "0", "group": "0", "ports": [{"name": "P", "port": 1, "protocol": "tcp"}]}"#.utf8)
        XCTAssertThrowsError(try JSONDecoder().decode(App.self, from: broken)) { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(context.debugDescription, #"ports[0].name "P": not an AC name"#)
        }
    }

    func testBuiltManifestRoundTrips() throws {
        var manifest = ImageManifest(name: try ACIdentifier(validating: "example.com/built"))
        manifest.labels = [Label(name: try ACIdentifier(validating: "version"), value: "1")]
        manifest.app = App(
            exec: [], user: "0", group: "0",
            isolators: [Isolator(name: try ACIdentifier(validating: "os/linux/oom-score-adj"), value: .number(-17))],
            mountPoints: [MountPoint(name: try ACName(validating: "data"), path: "/data")],
            ports: [Port(name: try ACName(validating: "dns"), protocol: "udp", port: 53)])
        manifest.dependencies = [Dependency(imageName: try ACIdentifier(validating: "example.com/base"), imageID: ManifestFixture.id("base"), size: 0)]
        manifest.pathWhitelist = ["/data"]
        XCTAssertNoThrow(try manifest.validate())
        XCTAssertEqual(try ImageManifest.parse(manifest.encoded(pretty: false)), manifest)
    }
}
