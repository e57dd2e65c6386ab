// Checklist C.34: a non-empty pathWhitelist keeps only the listed paths and their parents; an
// empty one keeps everything. And dependency validation (imageName, imageID, labels, size).
import SkiffSystem
import XCTest

@testable import SkiffImage

final class ImageModelPathWhitelistTests: XCTestCase {
    func testC34_ListedPathsAndParentsAreKept() {
        let whitelist = PathWhitelist(["/etc/ca/example.com/crt", "/usr/bin/map-reduce-worker", "/etc/systemd/system/"])
        XCTAssertFalse(whitelist.isEmpty)
        let kept = [
            "etc/ca/example.com/crt", "/etc/ca/example.com/crt", "usr/bin/map-reduce-worker", "usr/bin/", "usr", "etc",
            "etc/ca", "etc/systemd/system", "./etc//ca/", "/", "",
        ]
        for kept in kept {
            XCTAssertTrue(whitelist.keeps(kept), kept)
        }
        for dropped in ["etc/passwd", "usr/bin/sh", "usr/lib", "etc/systemd/system/getty.service", "etc/ca/example.com/crt2", "var"] {
            XCTAssertFalse(whitelist.keeps(dropped), dropped)
        }
        XCTAssertEqual(whitelist.paths, ["/etc/ca/example.com/crt", "/etc/systemd/system", "/usr/bin/map-reduce-worker"])
    }

    func testC34_EmptyWhitelistKeepsEverything() {
        let whitelist = PathWhitelist([])
        XCTAssertTrue(whitelist.isEmpty)
        XCTAssertTrue(whitelist.keeps("anything/at/all"))
    }

    func testDotDotIsResolvedNotEscaped() {
        let whitelist = PathWhitelist(["/a/b"])
        XCTAssertTrue(whitelist.keeps("x/../a/b"))
        XCTAssertFalse(whitelist.keeps("a/b/../c"))
        XCTAssertTrue(whitelist.keeps("../../a"))
    }

    /// The intersection keeps exactly what both keep.
    func testIntersection() {
        let a = PathWhitelist(["/usr/bin/x", "/etc/a"])
        let b = PathWhitelist(["/usr/lib/y", "/etc/a", "/opt/z"])
        let both = a.intersection(b)
        XCTAssertEqual(both.paths, ["/etc/a", "/usr"])
        for path in ["usr", "usr/bin", "usr/bin/x", "usr/lib", "usr/lib/y", "etc", "etc/a", "opt", "opt/z", "", "var"] {
            XCTAssertEqual(both.keeps(path), a.keeps(path) && b.keeps(path), path)
        }
    }
}

final class ImageModelDependencyTests: XCTestCase {
    private func deps(_ body: String) -> String { ManifestFixture.manifest(#""dependencies": [\#(body)]"#) }

    func testValidDependencies() throws {
        let id = ManifestFixture.id("base")
        let manifest = try ManifestFixture.parse(deps(
            #"{"imageName": "example.com/base", "imageID": "\#(id.value)", "#
                + #""labels": [{"name": "os", "value": "linux"}, {"name": "env", "value": "canary"}], "size": 22017258}, "#
                + #"{"imageName": "example.com/certs"}"#))
        XCTAssertEqual(manifest.dependencies.count, 2)
        XCTAssertEqual(manifest.dependencies[0].imageID, id)
        XCTAssertEqual(manifest.dependencies[0].labelDictionary, ["os": "linux", "env": "canary"])
        XCTAssertEqual(manifest.dependencies[0].size, 22_017_258)
        XCTAssertNil(manifest.dependencies[1].imageID)
        XCTAssertNil(manifest.dependencies[1].size)
    }

    func testInvalidDependencies() {
        assertImageManifestError(deps("{}"), "dependencies[0].imageName: required")
        assertImageManifestError(deps(#"{"imageName": "Base"}"#), #"dependencies[0].imageName "Base": not an AC identifier"#)
        assertImageManifestError(deps(#"{"imageName": "b", "imageID": "sha512-..."}"#), #"dependencies[0].imageID "sha512-...": want 128 hex digits after sha512-, got 3"#)
        assertImageManifestError(deps(#"{"imageName": "b", "imageID": "sha256-ab"}"#), #"dependencies[0].imageID "sha256-ab": unsupported hash algorithm "sha256""#)
        assertImageManifestError(
            deps(#"{"imageName": "b", "labels": [{"name": "os", "value": "plan9"}]}"#),
            #"dependencies[0].labels[0].value "plan9": unknown os (known: darwin, freebsd, linux)"#)
        assertImageManifestError(deps(#"{"imageName": "b", "labels": [{"name": "name", "value": "x"}]}"#), #"dependencies[0].labels[0].name "name": reserved for the image name"#)
        assertImageManifestError(deps(#"{"imageName": "b", "size": -1}"#), "dependencies[0].size -1: must be 0...18446744073709551615")
        assertImageManifestError(deps(#"{"imageName": "b", "size": "10"}"#), "dependencies[0].size: expected a number, got a string")
    }
}
