// Checklist A.8 (image ID = sha512- + hex SHA-512 of the uncompressed tar) and the ID forms
// rkt prints and accepts.
#if canImport(Glibc)
import Glibc
#endif
import SkiffDigest
import SkiffSystem
import XCTest

@testable import SkiffImage

final class ImageModelIDTests: XCTestCase {
    private let full = "sha512-" + String(repeating: "0123456789abcdef", count: 8)

    /// A.8: the ID of a real tar stream equals "sha512-" + what sha512sum prints for it.
    func testA8_ImageIDOfTarMatchesSha512sum() throws {
        var template = Array("/tmp/skiff-imageid-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SkiffError.system("mkdtemp") }
        let dir = String(cString: made)
        defer { try? FileSystem.removeTree(dir) }
        try FileSystem.createDirectory(dir + "/rootfs")
        try FileSystem.writeAtomically(dir + "/manifest", Array(ManifestFixture.manifest().utf8))
        try FileSystem.writeAtomically(dir + "/rootfs/hello", Array("hello\n".utf8))
        let tar = try Subprocess.run(["tar", "-cf", "-", "-C", dir, "manifest", "rootfs"])
        XCTAssertEqual(tar.status, 0, tar.stderrText)
        XCTAssertGreaterThan(tar.stdout.count, 1024)
        let sum = try Subprocess.run(["sha512sum"], input: tar.stdout)
        XCTAssertEqual(sum.status, 0, sum.stderrText)
        let expected = "sha512-" + (sum.stdoutText.split(separator: " ").first.map(String.init) ?? "")
        let id = ImageID(sha512: Digest.hash(.sha512, tar.stdout))
        XCTAssertEqual(id.value, expected)
        XCTAssertEqual(try ImageID(validating: expected), id)
    }

    func testValidatingAcceptsTheFullForm() throws {
        let id = try ImageID(validating: full)
        XCTAssertEqual(id.value, full)
        XCTAssertEqual(id.hex.count, 128)
        XCTAssertEqual(id.description, full)
    }

    /// A.8: another algorithm, an empty value, a short value or uppercase hex are refused.
    func testA8_ValidatingRejectsOtherForms() {
        let digits = String(repeating: "a", count: 128)
        assertImageModelError(.invalid, "image ID \"sha256-\(digits)\": unsupported hash algorithm \"sha256\"") {
            _ = try ImageID(validating: "sha256-" + digits)
        }
        assertImageModelError(.invalid, "image ID \"sha512-\": want 128 hex digits after sha512-, got 0") {
            _ = try ImageID(validating: "sha512-")
        }
        assertImageModelError(.invalid, "image ID \"\": not of the form sha512-<hex>") { _ = try ImageID(validating: "") }
        assertImageModelError(.invalid, "image ID \"-\(digits)\": missing hash algorithm") {
            _ = try ImageID(validating: "-" + digits)
        }
        assertImageModelError(.invalid, "image ID \"sha512-abc\": want 128 hex digits after sha512-, got 3") {
            _ = try ImageID(validating: "sha512-abc")
        }
        let upper = "sha512-" + String(repeating: "A", count: 128)
        assertImageModelError(.invalid, "image ID \"\(upper)\": not lowercase hex after sha512-") {
            _ = try ImageID(validating: upper)
        }
    }

    /// rkt prints 32 hex digits after fetch and 12 in `image list`.
    func testShortForms() throws {
        let id = try ImageID(validating: full)
        XCTAssertEqual(id.short, "sha512-0123456789abcdef0123456789abcdef")
        XCTAssertEqual(id.shorter, "sha512-0123456789ab")
    }

    func testRawDigestInitializer() {
        let id = ImageID(sha512: [UInt8](repeating: 0xab, count: 64))
        XCTAssertEqual(id.value, "sha512-" + String(repeating: "ab", count: 64))
    }

    func testOrderingAndCodable() throws {
        let a = ManifestFixture.id("a")
        let b = ManifestFixture.id("b")
        XCTAssertEqual(a < b, a.value < b.value)
        let data = try JSONEncoder().encode([a])
        XCTAssertEqual(try JSONDecoder().decode([ImageID].self, from: data), [a])
        XCTAssertThrowsError(try JSONDecoder().decode([ImageID].self, from: Data(#"["sha512-12"]"#.utf8)))
    }

    /// Any prefix of at least sha512-xx matches; shorter or other algorithms are not prefixes.
    func testPrefixMatching() throws {
        let id = try ImageID(validating: full)
        XCTAssertTrue(try XCTUnwrap(ImageIDPrefix("sha512-01")).matches(id))
        XCTAssertTrue(try XCTUnwrap(ImageIDPrefix("sha512-0123456789ABCDEF")).matches(id))
        XCTAssertTrue(try XCTUnwrap(ImageIDPrefix(full)).matches(id))
        XCTAssertTrue(try XCTUnwrap(ImageIDPrefix(full)).isComplete)
        XCTAssertFalse(try XCTUnwrap(ImageIDPrefix("sha512-0124")).matches(id))
        XCTAssertNil(ImageIDPrefix("sha512-0"))
        XCTAssertNil(ImageIDPrefix("sha512-"))
        XCTAssertNil(ImageIDPrefix("sha256-0123"))
        XCTAssertNil(ImageIDPrefix("0123456789"))
        XCTAssertNil(ImageIDPrefix("sha512-01g"))
        XCTAssertNil(ImageIDPrefix(full + "0"))
    }
}

final class ImageModelIdentifierTests: XCTestCase {
    func testACIdentifier() throws {
        for good in ["a", "database", "example.com/database", "example.com/user/app_v1", "a~b", "sub-domain.example.com/org/product/release", "0"] {
            XCTAssertEqual(try ACIdentifier(validating: good).value, good)
        }
        // types.md lists "example.com/~user/app_v1" as an example, but its own regex (and appc's Go
        // code) rejects it: "/~" is two separators in a row.
        for bad in ["", "Example.com/Foo", "-a", "a-", "a//b", "a..b", "a b", "a/", "/a", "é", "example.com/~user/app_v1"] {
            assertImageModelError(.invalid, "\(quote(bad)): not an AC identifier") { _ = try ACIdentifier(validating: bad) }
        }
    }

    func testACName() throws {
        for good in ["database", "product-database", "a1-b2-c3"] {
            XCTAssertEqual(try ACName(validating: good).value, good)
        }
        for bad in ["", "Data", "a.b", "a_b", "-a", "a-", "a--b", "a/b"] {
            assertImageModelError(.invalid, "\(quote(bad)): not an AC name") { _ = try ACName(validating: bad) }
        }
    }

    func testSemVerParsing() throws {
        for good in ["0.8.11", "1.0.0-rc.1", "1.0.0-alpha-1+build.5", "0.0.0", "10.20.30+001"] {
            XCTAssertEqual(try SemVer(validating: good).description, good)
        }
        for bad in ["", "0.8", "v0.8.11", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.3-a..b", "1.2.3.4", "1.2.x"] {
            assertImageModelError(.invalid, "\(quote(bad)): not a semantic version") { _ = try SemVer(validating: bad) }
        }
    }

    func testSemVerPrecedence() throws {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"]
        let versions = try ordered.map { try SemVer(validating: $0) }
        for index in versions.indices.dropLast() {
            XCTAssertLessThan(versions[index], versions[index + 1], "\(ordered[index]) < \(ordered[index + 1])")
        }
        XCTAssertEqual(try SemVer(validating: "0.8.11"), SemVer.appc)
    }
}
