// Shared builders for the image model tests: small manifests as JSON text, and an assertion that
// parsing fails with exactly a given message.
import SkiffDigest
import SkiffSystem
import XCTest

@testable import SkiffImage

enum ManifestFixture {
    /// A minimal valid manifest with `extra` members spliced in (JSON text, no leading comma).
    static func manifest(_ extra: String = "", name: String = "example.com/app") -> String {
        let tail = extra.isEmpty ? "" : ", " + extra
        return #"{"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "\#(name)"\#(tail)}"#
    }

    /// A manifest whose app has user and group 0 plus `extra` app members.
    static func appManifest(_ extra: String = "") -> String {
        let tail = extra.isEmpty ? "" : ", " + extra
        return manifest(#""app": {"exec": ["/bin/true"], "user": "0", "group": "0"\#(tail)}"#)
    }

    /// A manifest whose app has exactly one isolator.
    static func isolatorManifest(_ name: String, _ value: String) -> String {
        appManifest(#""isolators": [{"name": "\#(name)", "value": \#(value)}]"#)
    }

    static func parse(_ text: String) throws -> ImageManifest { try ImageManifest.parse(Array(text.utf8)) }

    /// A deterministic image ID derived from `seed`.
    static func id(_ seed: String) -> ImageID { ImageID(sha512: Digest.hash(.sha512, Array(seed.utf8))) }
}

/// Asserts that parsing `json` fails with `SkiffError(.invalid, "image manifest: " + message)`.
func assertImageManifestError(_ json: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try ManifestFixture.parse(json), file: file, line: line) { error in
        guard let error = error as? SkiffError else { return XCTFail("not a SkiffError: \(error)", file: file, line: line) }
        XCTAssertEqual(error.code, .invalid, file: file, line: line)
        XCTAssertEqual(error.message, "image manifest: " + message, file: file, line: line)
    }
}

/// Asserts that `body` throws a SkiffError with `code` and exactly `message`.
func assertImageModelError(
    _ code: SkiffError.Code, _ message: String, file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> Void
) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        guard let error = error as? SkiffError else { return XCTFail("not a SkiffError: \(error)", file: file, line: line) }
        XCTAssertEqual(error.code, code, file: file, line: line)
        XCTAssertEqual(error.message, message, file: file, line: line)
    }
}
