// Checklist B.12-14 (acKind, acVersion, name), forward compatibility (unknown members ignored),
// type errors naming the field, and strict JSON (duplicate keys, syntax).
import SkiffSystem
import XCTest

@testable import SkiffImage

final class ImageModelManifestHeaderTests: XCTestCase {
    func testMinimalManifest() throws {
        let manifest = try ManifestFixture.parse(ManifestFixture.manifest())
        XCTAssertEqual(manifest.acKind, "ImageManifest")
        XCTAssertEqual(manifest.acVersion.description, "0.8.11")
        XCTAssertEqual(manifest.name.value, "example.com/app")
        XCTAssertNil(manifest.app)
        XCTAssertEqual(manifest.labels, [])
        XCTAssertNil(manifest.version)
    }

    /// B.12
    func testB12_ACKindMustBeImageManifest() {
        assertImageManifestError(
            #"{"acKind": "PodManifest", "acVersion": "0.8.11", "name": "a"}"#, #"acKind "PodManifest": must be "ImageManifest""#)
        assertImageManifestError(#"{"acVersion": "0.8.11", "name": "a"}"#, "acKind: required")
        assertImageManifestError(#"{"acKind": 1, "acVersion": "0.8.11", "name": "a"}"#, "acKind: expected a string, got a number")
    }

    /// B.13
    func testB13_ACVersionMustBeSemver() throws {
        assertImageManifestError(#"{"acKind": "ImageManifest", "acVersion": "0.8", "name": "a"}"#, #"acVersion "0.8": not a semantic version"#)
        assertImageManifestError(#"{"acKind": "ImageManifest", "acVersion": "", "name": "a"}"#, "acVersion: required")
        assertImageManifestError(#"{"acKind": "ImageManifest", "name": "a"}"#, "acVersion: required")
        let manifest = try ManifestFixture.parse(#"{"acKind": "ImageManifest", "acVersion": "0.8.11+git", "name": "a"}"#)
        XCTAssertEqual(manifest.acVersion.build, ["git"])
    }

    /// B.14
    func testB14_NameMustBeACIdentifier() {
        assertImageManifestError(ManifestFixture.manifest(name: "Example.com/Foo"), #"name "Example.com/Foo": not an AC identifier"#)
        assertImageManifestError(ManifestFixture.manifest(name: "-a"), #"name "-a": not an AC identifier"#)
        assertImageManifestError(ManifestFixture.manifest(name: "a//b"), #"name "a//b": not an AC identifier"#)
        assertImageManifestError(ManifestFixture.manifest(name: ""), "name: required")
        assertImageManifestError(#"{"acKind": "ImageManifest", "acVersion": "0.8.11"}"#, "name: required")
    }

    /// Members this version does not know are ignored, at the top level and inside.
    func testUnknownMembersAreIgnored() throws {
        let json = ManifestFixture.manifest(#""futureField": {"x": [1, 2]}, "app": {"user": "0", "group": "0", "criLabels": {"a": "b"}}"#)
        let manifest = try ManifestFixture.parse(json)
        XCTAssertEqual(manifest.app?.user, "0")
    }

    /// A known member of the wrong type is an error naming it.
    func testWrongTypesNameTheField() {
        assertImageManifestError(ManifestFixture.manifest(#""labels": {"version": "1"}"#), "labels: expected an array, got an object")
        assertImageManifestError(ManifestFixture.manifest(#""app": []"#), "app: expected an object, got an array")
        assertImageManifestError(
            ManifestFixture.manifest(#""app": {"exec": "/bin/sh", "user": "0", "group": "0"}"#), "app.exec: expected an array, got a string")
        assertImageManifestError(
            ManifestFixture.manifest(#""app": {"exec": ["/bin/sh", 1], "user": "0", "group": "0"}"#), "app.exec[1]: expected a string, got a number")
        assertImageManifestError(ManifestFixture.manifest(#""pathWhitelist": [true]"#), "pathWhitelist[0]: expected a string, got a boolean")
        assertImageManifestError("[]", "expected an object, got an array")
    }

    /// null counts as absent (as in Go's encoding/json).
    func testNullMeansAbsent() throws {
        let manifest = try ManifestFixture.parse(ManifestFixture.manifest(#""labels": null, "app": null, "annotations": null"#))
        XCTAssertNil(manifest.app)
        XCTAssertEqual(manifest.labels, [])
    }

    /// Strict JSON: a duplicate key is refused wherever it is (Go keeps the last, JSONDecoder the
    /// first: a signed manifest must not mean two things).
    func testDuplicateKeysAreRejected() {
        assertImageManifestError(
            #"{"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "a", "name": "b"}"#, #"duplicate key "name""#)
        assertImageManifestError(
            ManifestFixture.manifest(#""app": {"user": "0", "group": "0", "user": "1"}"#), #"app: duplicate key "user""#)
        assertImageManifestError(
            ManifestFixture.manifest(#""labels": [{"name": "os", "value": "linux"}, {"name": "a", "name": "b", "value": ""}]"#),
            #"labels[1]: duplicate key "name""#)
    }

    func testSyntaxErrorsGiveTheByteOffset() {
        assertImageManifestError(#"{"acKind": "ImageManifest",}"#, "invalid JSON at byte 27: expected a string key")
        assertImageManifestError("", "invalid JSON at byte 0: unexpected end of data")
        let trailing = ManifestFixture.manifest() + " x"
        assertImageManifestError(trailing, "invalid JSON at byte \(trailing.utf8.count - 1): unexpected data after the document")
        assertImageManifestError("\u{FEFF}{}", "invalid JSON at byte 0: unexpected character 0xef")
    }

    func testPathWhitelistEntriesMustBeAbsolute() throws {
        assertImageManifestError(ManifestFixture.manifest(#""pathWhitelist": ["/etc/a", "etc/b"]"#), #"pathWhitelist[1] "etc/b": must be an absolute path"#)
        let manifest = try ManifestFixture.parse(ManifestFixture.manifest(#""pathWhitelist": ["/etc/a", "/etc/systemd/system/"]"#))
        XCTAssertEqual(manifest.pathWhitelist, ["/etc/a", "/etc/systemd/system/"])
    }

    /// validate() applies the parse rules to a manifest built in code.
    func testValidateBuiltManifest() throws {
        var manifest = ImageManifest(name: try ACIdentifier(validating: "example.com/built"))
        XCTAssertNoThrow(try manifest.validate())
        manifest.app = App(exec: ["/bin/sh"], user: "", group: "0")
        assertImageModelError(.invalid, "image manifest: app.user: required") { try manifest.validate() }
    }
}
