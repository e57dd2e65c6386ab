// An OCI config mapped onto the appc app model: what each field becomes, and what is refused.
import SkiffSystem
import XCTest

@testable import SkiffImage

final class OCIAppMappingTests: XCTestCase {
    private func config(_ change: (inout OCIImageConfig) -> Void = { _ in }) -> OCIImageConfig {
        var config = OCIImageConfig(architecture: "amd64")
        change(&config)
        return config
    }

    func testEveryFieldOfTheConfig() throws {
        let app = try OCIAppMapping.app(config {
            $0.entrypoint = ["/bin/server"]
            $0.command = ["--port", "80"]
            $0.environment = ["A=1", "B=x=y", "A=2", "EMPTY="]
            $0.workingDirectory = "/srv"
            $0.user = "www:staff"
            $0.exposedPorts = ["8080", "80/tcp", "53/UDP"]
            $0.volumes = ["/var/lib/data", "/cache"]
        })
        XCTAssertEqual(app.exec, ["/bin/server", "--port", "80"], "Entrypoint + Cmd")
        XCTAssertEqual(app.environment.map { "\($0.name)=\($0.value)" }, ["B=x=y", "A=2", "EMPTY="], "the later A wins")
        XCTAssertEqual(app.workingDirectory, "/srv")
        XCTAssertEqual([app.user, app.group], ["www", "staff"])
        XCTAssertEqual(app.ports.map(\.name.value), ["53-udp", "80-tcp", "8080-tcp"])
        XCTAssertEqual(app.ports.map(\.port), [53, 80, 8080])
        XCTAssertEqual(app.mountPoints.map(\.name.value), ["volume-var-lib-data", "volume-cache"])
        XCTAssertEqual(app.mountPoints.map(\.path), ["/var/lib/data", "/cache"])
    }

    func testDefaultsAndUserForms() throws {
        let bare = try OCIAppMapping.app(config())
        XCTAssertEqual(bare.exec, [], "no command: --exec is needed")
        XCTAssertEqual([bare.user, bare.group], ["0", "0"])
        XCTAssertNil(bare.workingDirectory)
        XCTAssertTrue(OCIAppMapping.splitUser("") == (nil, nil))
        XCTAssertTrue(OCIAppMapping.splitUser("1000") == ("1000", nil))
        XCTAssertTrue(OCIAppMapping.splitUser("app:") == ("app", nil))
        XCTAssertTrue(OCIAppMapping.splitUser(":10") == (nil, "10"))
    }

    func testRefusals() {
        func message(_ change: (inout OCIImageConfig) -> Void) -> String {
            do {
                _ = try OCIAppMapping.app(config(change))
                return "no error"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(message { $0.workingDirectory = "srv" }, "config.WorkingDir \"srv\": must be an absolute path")
        XCTAssertEqual(message { $0.environment = ["NOEQUALS"] }, "config.Env[0] \"NOEQUALS\": not of the form NAME=value")
        XCTAssertEqual(message { $0.environment = ["OK=1", "1BAD=x"] }, "config.Env[1] \"1BAD=x\": not a valid environment variable name")
        XCTAssertEqual(message { $0.exposedPorts = ["http"] }, "config.ExposedPorts \"http\": not PORT or PORT/tcp|udp|sctp")
        XCTAssertEqual(message { $0.volumes = ["data"] }, "config.Volumes \"data\": must be an absolute path")
    }

    func testNamesBecomeACIdentifiersAndLabels() throws {
        XCTAssertEqual(OCIAppMapping.acIdentifier(for: "127.0.0.1:5000/debian").value, "127.0.0.1-5000/debian")
        XCTAssertEqual(OCIAppMapping.acIdentifier(for: "/tmp/My Layout/").value, "tmp/my-layout")
        XCTAssertEqual(OCIAppMapping.acIdentifier(for: "::").value, "oci-image")
        XCTAssertEqual(OCIAppMapping.mountPointName(for: "/"), "volume")
        let manifest = try OCIAppMapping.manifest(
            name: "docker.io/library/debian", tag: "12",
            config: config { $0.architecture = "arm64"; $0.labels = ["org.example.ok": "yes", "Bad Name": "no", "created": "x"] })
        XCTAssertEqual(manifest.name.value, "docker.io/library/debian")
        XCTAssertEqual(manifest.labelDictionary, ["version": "12", "os": "linux", "arch": "aarch64"])
        XCTAssertEqual(manifest.annotations.map(\.name.value), ["org.example.ok"], "labels that are AC identifiers, not appc's checked names")
        XCTAssertNoThrow(try ImageManifest.parse(manifest.encoded(pretty: false)), "a valid appc manifest")
    }
}
