// User-typed image names (rkt syntax) and name/label matching (aci.md "Dependency Matching",
// checklist D.44: requested labels must be present and equal, others are free).
import SkiffSystem
import XCTest

@testable import SkiffImage

final class ImageModelNameTests: XCTestCase {
    func testParsing() throws {
        let plain = try ImageName(parsing: "example.com/app")
        XCTAssertEqual(plain.name, "example.com/app")
        XCTAssertEqual(plain.labels, [:])
        XCTAssertNil(plain.version)
        let versioned = try ImageName(parsing: "example.com/app:v1.0")
        XCTAssertEqual(versioned.labels, ["version": "v1.0"])
        let full = try ImageName(parsing: "example.com/app:v1.0,os=linux,channel=alpha")
        XCTAssertEqual(full.labels, ["version": "v1.0", "os": "linux", "channel": "alpha"])
        XCTAssertEqual(try ImageName(parsing: "example.com/app,version=2,arch=amd64").labels, ["version": "2", "arch": "amd64"])
        XCTAssertEqual(try ImageName(parsing: "a,x=b=c").labels, ["x": "b=c"])
    }

    func testDescriptionParsesBack() throws {
        let name = try ImageName(parsing: "example.com/app,zeta=1,arch=amd64,os=linux,alpha=2")
        XCTAssertEqual(name.description, "example.com/app,os=linux,arch=amd64,alpha=2,zeta=1")
        let versioned = try ImageName(parsing: "example.com/app,channel=beta,version=1.2")
        XCTAssertEqual(versioned.description, "example.com/app:1.2,channel=beta")
        XCTAssertEqual(try ImageName(parsing: versioned.description), versioned)
        XCTAssertEqual(ImageName(name: "a", labels: ["version": "1"]).description, "a:1")
    }

    func testErrors() {
        func expect(_ text: String, _ reason: String, line: UInt = #line) {
            assertImageModelError(.usage, "image name \(quote(text)): \(reason)", line: line) { _ = try ImageName(parsing: text) }
        }
        expect("", "no name")
        expect(":1.0", "no name")
        expect("Example.com/App", #""Example.com/App" is not an AC identifier"#)
        expect("a:1:2", #"":" may appear only once"#)
        expect("a:", #"empty version after ":""#)
        expect("a,os=linux:1", #"":" may appear only right after the name"#)
        expect("a,os", #"label "os" has no value (want name=value)"#)
        expect("a,os=", #"label "os" has an empty value"#)
        expect("a,OS=linux", #"label name "OS" is not an AC identifier"#)
        expect("a:1,version=2", #"label "version" given twice"#)
        expect("a,name=b", #""name" cannot be a label"#)
        expect("a,", #"label "" has no value (want name=value)"#)
    }

    /// D.44: the name must be equal; each requested label present with the same value.
    func testD44_Satisfies() throws {
        let manifest = try ManifestFixture.parse(ManifestFixture.manifest(
            #""labels": [{"name": "version", "value": "1.0"}, {"name": "os", "value": "linux"}]"#))
        XCTAssertTrue(SkiffImage.manifest(manifest, satisfies: "example.com/app", labels: [:]))
        XCTAssertTrue(SkiffImage.manifest(manifest, satisfies: "example.com/app", labels: ["version": "1.0"]))
        XCTAssertTrue(SkiffImage.manifest(manifest, satisfies: "example.com/app", labels: ["version": "1.0", "os": "linux"]))
        XCTAssertFalse(SkiffImage.manifest(manifest, satisfies: "example.com/app", labels: ["version": "2.0"]))
        XCTAssertFalse(SkiffImage.manifest(manifest, satisfies: "example.com/app", labels: ["arch": "amd64"]), "requested label absent")
        XCTAssertFalse(SkiffImage.manifest(manifest, satisfies: "example.com/other", labels: [:]))
    }
}
