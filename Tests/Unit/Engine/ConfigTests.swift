// --insecure-options, durations and the other small parsers of the CLI.
@testable import Engine
import XCTest

final class ConfigTests: XCTestCase {
    func testInsecureOptionsParseEveryRktValueAndGroup() throws {
        XCTAssertEqual(try InsecureOptions(parsing: "none"), [])
        XCTAssertEqual(try InsecureOptions(parsing: "image,tls"), [.image, .tls])
        XCTAssertEqual(try InsecureOptions(parsing: "http,pubkey"), [.http, .pubkey])
        XCTAssertEqual(try InsecureOptions(parsing: "capabilities,paths,seccomp"), .allRun)
        XCTAssertEqual(try InsecureOptions(parsing: "all-fetch"), [.image, .tls, .http, .pubkey])
        XCTAssertEqual(try InsecureOptions(parsing: "all-run"), [.capabilities, .paths, .seccomp])
        XCTAssertEqual(try InsecureOptions(parsing: "all"), [.allFetch, .allRun, .ondisk])
        XCTAssertEqual(try InsecureOptions(parsing: "ondisk"), .ondisk)
        XCTAssertEqual(try InsecureOptions(parsing: "image, http").description, "image,http")
        XCTAssertThrowsError(try InsecureOptions(parsing: "imag")) { error in
            XCTAssertTrue("\(error)".hasPrefix("--insecure-options: unknown value \"imag\" (one of none, image,"), "\(error)")
        }
        XCTAssertThrowsError(try InsecureOptions(parsing: "image,,tls"))
    }

    func testGlobalFlagsFillTheEngineConfig() throws {
        let parsed = try FlagParser.parse(
            ["--dir=/d", "--local-config", "/l", "--system-config=/s", "--insecure-options=image", "--trust-keys-from-https"],
            specs: GlobalOptions.specs, command: "t")
        let options = try GlobalOptions(parsed)
        XCTAssertEqual(options.config.dataDirectory, "/d")
        XCTAssertEqual(options.config.localConfig, "/l")
        XCTAssertEqual(options.config.systemConfig, "/s")
        XCTAssertEqual(options.config.insecure, .image)
        XCTAssertTrue(options.config.trustKeysFromHTTPS)
        XCTAssertEqual(options.config.configDirectories, ["/s", "/l"], "vendor first, the administrator overrides")
        let defaults = try GlobalOptions(try FlagParser.parse([], specs: GlobalOptions.specs, command: "t"))
        XCTAssertEqual(defaults.config.dataDirectory, "/var/lib/skiff")
        XCTAssertEqual(defaults.config.insecure, [])
    }

    func testDurationsInGoSyntax() throws {
        XCTAssertEqual(try Formatting.duration("24h", flag: "f"), 86400)
        XCTAssertEqual(try Formatting.duration("1h30m", flag: "f"), 5400)
        XCTAssertEqual(try Formatting.duration("90s", flag: "f"), 90)
        XCTAssertEqual(try Formatting.duration("0", flag: "f"), 0)
        XCTAssertEqual(try Formatting.duration("1.5h", flag: "f"), 5400)
        for bad in ["", "10", "h", "5d", "1h-2m"] {
            XCTAssertThrowsError(try Formatting.duration(bad, flag: "grace-period"), bad)
        }
    }

    func testSizesTimesAndTables() {
        XCTAssertEqual(Formatting.size(512), "512B")
        XCTAssertEqual(Formatting.size(1536), "1.5KiB")
        XCTAssertEqual(Formatting.size(12 << 20), "12MiB")
        XCTAssertEqual(Formatting.rfc3339(0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(Formatting.rfc3339(1_764_400_000), "2025-11-29T07:06:40Z")
        XCTAssertEqual(Formatting.ago(100, now: 100), "just now")
        XCTAssertEqual(Formatting.ago(0, now: 7200), "2 hours ago")
        XCTAssertEqual(Formatting.ago(0, now: 86400), "1 day ago")
        XCTAssertEqual(Formatting.table([["A", "BB"], ["ccc", "d"]]), "A    BB\nccc  d\n")
    }

    func testPullPolicyAndImageReferences() throws {
        XCTAssertEqual(try PullPolicy(parsing: "never"), .never)
        XCTAssertThrowsError(try PullPolicy(parsing: "always"))
        XCTAssertEqual(try ImageReference("file:///x/y.aci"), .file("/x/y.aci"))
        XCTAssertEqual(try ImageReference("app.aci"), .file("app.aci"))
        XCTAssertEqual(try ImageReference("sha512-abcd"), .id("sha512-abcd"))
        if case .remote(let url) = try ImageReference("https://example.com/a.aci") {
            XCTAssertEqual(url.host, "example.com")
        } else {
            XCTFail("not a URL")
        }
        if case .name(let name) = try ImageReference("example.com/app:1.0") {
            XCTAssertEqual(name.name, "example.com/app")
            XCTAssertEqual(name.labels["version"], "1.0")
        } else {
            XCTFail("not a name")
        }
        XCTAssertEqual(try ImageReference("sha256:abcd"), .id("sha256:abcd"))
    }

    func testOCIReferenceForms() throws {
        guard case .oci(.docker(let hub)) = try ImageReference("docker://busybox") else { return XCTFail("not docker") }
        XCTAssertEqual(hub.description, "docker://docker.io/library/busybox:latest")
        XCTAssertEqual(hub.apiHost, "registry-1.docker.io")
        guard case .oci(.docker(let local)) = try ImageReference("docker://debian:12", defaultRegistry: "mirror.example:5000")
        else { return XCTFail("not docker") }
        XCTAssertEqual(local.name, "mirror.example:5000/debian", "the configured default registry, no library/")
        XCTAssertEqual(try ImageReference("oci:/x/layout:v1"), .oci(.layout(path: "/x/layout", ref: "v1")))
        XCTAssertEqual(try ImageReference("oci:/x/layout"), .oci(.layout(path: "/x/layout", ref: nil)))
        let digest = "sha256:" + String(repeating: "a", count: 64)
        let pinned = try ImageReference("oci-archive:/x/a.tar@" + digest)
        XCTAssertEqual(pinned, .oci(.archive(path: "/x/a.tar", ref: "@" + digest)))
        if case .oci(let reference) = pinned { XCTAssertEqual(reference.pinnedDigest?.value, digest) }
        let archive = try ImageReference("docker-archive:/x/save.tar:app:1.0")
        XCTAssertEqual(archive, .oci(.dockerArchive(path: "/x/save.tar", tag: "app:1.0")))
        if case .oci(let reference) = archive {
            XCTAssertNil(reference.pinnedDigest, "a docker-save archive can only be trusted insecurely")
            XCTAssertEqual(reference.nameAndTag(defaultRegistry: "docker.io").name, "docker.io/library/app")
        }
        XCTAssertThrowsError(try ImageReference("docker://Upper/Case")) { error in
            XCTAssertTrue("\(error)".contains("not a valid repository name"), "\(error)")
        }
        XCTAssertThrowsError(try ImageReference("oci:")) { error in XCTAssertTrue("\(error)".contains("no path"), "\(error)") }
    }
}
