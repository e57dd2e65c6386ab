// skiff trust: fingerprint review on a terminal, prefixes, root keys, refusals.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class TrustTests: XCTestCase {
    var world: SkiffHarness!
    nonisolated(unsafe) static var keyring: TestKeyring!

    override class func setUp() { keyring = try? TestKeyring(name: "Trusty", email: "trusty@example.com") }
    override class func tearDown() { keyring = nil }

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        XCTAssertNotNil(Self.keyring)
        world = try SkiffHarness()
    }

    override func tearDown() { world = nil }

    private func keyFile() throws -> String {
        let path = world.scratch + "/key.asc"
        try Self.keyring.writePublicKey(to: path)
        return path
    }

    private func grouped(_ fingerprint: String) -> String {
        // "3CEE 5A9B ..." as gpg shows fingerprints: groups of four, upper case.
        stride(from: 0, to: fingerprint.count, by: 4).map { i -> String in
            let start = fingerprint.index(fingerprint.startIndex, offsetBy: i)
            return String(fingerprint[start..<fingerprint.index(start, offsetBy: 4)]).uppercased()
        }.joined(separator: " ")
    }

    func testReviewOnATerminalAndAcceptance() throws {
        let key = try keyFile()
        let child = try world.spawn(["trust", "--prefix=example.com/app", key])
        try expectOrFail(child, "Prefix: \"example.com/app\"\r\n")
        let review = try expectOrFail(child, "Are you sure you want to trust this key (yes/no)? ")
        let compact = review.beforeText.replacingOccurrences(of: " ", with: "")
        XCTAssertTrue(compact.contains(grouped(Self.keyring.fingerprint).replacingOccurrences(of: " ", with: "")), review.beforeText)
        XCTAssertTrue(review.beforeText.contains("Trusty <trusty@example.com>"), review.beforeText)
        try child.sendLine("yes")
        let added = try expectOrFail(child, try .regex(#"Added key for prefix "example.com/app" at "([^"]+)"\r\n"#))
        try waitOrFail(child, status: .exited(0))
        let stored = try XCTUnwrap(added.group(1))
        XCTAssertEqual(stored, world.localConfig + "/trustedkeys/prefix.d/example.com/app/" + Self.keyring.fingerprint)
        XCTAssertTrue(FileManager.default.fileExists(atPath: stored))
    }

    func testReviewDeclinedStoresNothing() throws {
        let child = try world.spawn(["trust", "--prefix=example.com/app", try keyFile()])
        try expectOrFail(child, "(yes/no)? ")
        try child.sendLine("no")
        try expectOrFail(child, "Not trusting")
        try waitOrFail(child, status: .exited(254))
        XCTAssertFalse(FileManager.default.fileExists(atPath: world.localConfig + "/trustedkeys/prefix.d/example.com/app"))
    }

    func testWithoutATerminalReviewIsRequiredToBeSkippedExplicitly() throws {
        let key = try keyFile()
        world.assertFailure(try world.run("trust", "--prefix=example.com/app", key), contains: "--skip-fingerprint-review")
        let ok = try world.run("trust", "--prefix=example.com/app", "--skip-fingerprint-review", key)
        XCTAssertEqual(ok.status, 0, ok.stderrText)
    }

    func testRootKeyAndArgumentErrors() throws {
        let key = try keyFile()
        let root = try world.run("trust", "--root", "--skip-fingerprint-review", key)
        XCTAssertEqual(root.status, 0, root.stderrText)
        XCTAssertTrue(FileManager.default.fileExists(atPath: world.localConfig + "/trustedkeys/root.d/" + Self.keyring.fingerprint))
        world.assertFailure(try world.run("trust", key), contains: "--prefix=PREFIX or --root")
        world.assertFailure(try world.run("trust", "--root", "--prefix=a.com", key), contains: "exclude each other")
        world.assertFailure(try world.run("trust", "--root", "https://example.com/key"), contains: "local files only")
        world.assertFailure(try world.run("trust", "--prefix=a.com", "--skip-fingerprint-review", world.scratch + "/none"), contains: "no such file")
        let junk = world.scratch + "/junk.asc"
        try "not a key".write(toFile: junk, atomically: true, encoding: .utf8)
        let bad = try world.run("trust", "--prefix=a.com", "--skip-fingerprint-review", junk)
        XCTAssertEqual(bad.status, 254)
    }
}
