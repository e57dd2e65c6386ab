// skiff fetch of local ACI files: IDs, compressions, signatures, trust, and bad input.
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class FetchFileTests: XCTestCase {
    var world: SkiffHarness!
    nonisolated(unsafe) static var keyring: TestKeyring!
    nonisolated(unsafe) static var stranger: TestKeyring!

    override class func setUp() {
        keyring = try? TestKeyring(name: "Skiff Tests", email: "tests@example.com")
        stranger = try? TestKeyring(name: "Stranger", email: "stranger@example.org")
    }

    override class func tearDown() {
        keyring = nil
        stranger = nil
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        XCTAssertNotNil(Self.keyring, "gpg could not make a test key")
        world = try SkiffHarness()
    }

    override func tearDown() { world = nil }

    private func image(name: String = "example.com/hello", compression: String = "gzip", file: String = "hello.aci") throws -> String {
        try ACIBuilder.write(
            world.scratch + "/" + file, manifest: ACIBuilder.manifest(name: name),
            entries: [.directory("bin"), .file("bin/hello", "#!/bin/sh\necho hello\n", mode: 0o755)],
            compression: compression)
    }

    func testSignedImageFetchesAndPrintsItsID() throws {
        let path = try image()
        try Self.keyring.sign(path)
        try world.trust(Self.keyring, prefix: "example.com/hello")
        let result = try world.run("fetch", "--full", path)
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, try ACIBuilder.imageID(of: path) + "\n", "the ID is sha512 of the uncompressed tar")
        XCTAssertTrue(result.stderrText.contains("signature verified:\n  Skiff Tests <tests@example.com>"), result.stderrText)
        let short = try world.run("fetch", path)
        XCTAssertEqual(short.stdoutText.count, "sha512-".count + 32 + 1, "short IDs carry 32 hex digits")
    }

    func testEveryCompressionGivesTheSameID() throws {
        try world.trust(Self.keyring, prefix: "example.com")
        var ids = Set<String>()
        for compression in ["none", "gzip", "bzip2", "xz", "zstd"] {
            let path = try image(compression: compression, file: "hello-\(compression).aci")
            try Self.keyring.sign(path)
            let result = try world.run("fetch", "--full", path)
            XCTAssertEqual(result.status, 0, "\(compression): \(result.stderrText)")
            ids.insert(result.stdoutText)
        }
        XCTAssertEqual(ids.count, 1, "the ID hashes the uncompressed tar: \(ids)")
        XCTAssertEqual(try world.run("image", "list", "--no-legend").stdoutText.split(separator: "\n").count, 1)
    }

    func testUnsignedImageIsRefusedUnlessInsecure() throws {
        let path = try image()
        try world.trust(Self.keyring, prefix: "example.com/hello")
        let before = try world.storeSnapshot()
        world.assertFailure(try world.run("fetch", path), contains: "no signature")
        XCTAssertEqual(try world.storeSnapshot(), before, "store unchanged")
        let insecure = try world.run("--insecure-options=image", "fetch", path)
        XCTAssertEqual(insecure.status, 0, insecure.stderrText)
        XCTAssertTrue(insecure.stderrText.contains("signature not verified"), insecure.stderrText)
    }

    func testSignatureByAnUntrustedKeyIsRefused() throws {
        let path = try image()
        try Self.stranger.sign(path)
        try world.trust(Self.keyring, prefix: "example.com/hello")
        let before = try world.storeSnapshot()
        world.assertFailure(try world.run("fetch", path), contains: "not signed by a trusted key")
        XCTAssertEqual(try world.storeSnapshot(), before)
    }

    func testKeyTrustedForAnotherPrefixDoesNotCount() throws {
        let path = try image(name: "example.com/hello")
        try Self.keyring.sign(path)
        try world.trust(Self.keyring, prefix: "example.com/other")
        world.assertFailure(try world.run("fetch", path), contains: "no key is trusted for \"example.com/hello\"")
    }

    func testRootKeyTrustsEveryName() throws {
        let path = try image(name: "anything.org/x")
        try Self.keyring.sign(path)
        try world.trust(Self.keyring, prefix: nil)
        XCTAssertEqual(try world.run("fetch", path).status, 0)
    }

    func testTamperedSignatureAndTamperedImageAreRefused() throws {
        let path = try image(compression: "none")
        try Self.keyring.sign(path)
        try world.trust(Self.keyring, prefix: "example.com/hello")
        // Change one byte of a file's contents after signing: the archive still parses.
        var bytes = try FileSystem.read(path)
        let contents = try XCTUnwrap(bytes.firstRange(of: Array("echo hello".utf8)))
        bytes[contents.lowerBound] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        world.assertFailure(try world.run("fetch", path), contains: "bad signature")
        // A garbled signature.
        let path2 = try image(file: "second.aci")
        try "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n".write(toFile: path2 + ".asc", atomically: true, encoding: .utf8)
        let result = try world.run("fetch", path2)
        XCTAssertEqual(result.status, 254)
        XCTAssertEqual(result.stderrText.split(separator: "\n").count, 1, result.stderrText)
        XCTAssertEqual(try world.run("image", "list", "--no-legend").stdoutText, "")
    }

    func testSignatureFlagNamesTheSignatureFile() throws {
        let path = try image()
        try Self.keyring.sign(path, to: world.scratch + "/elsewhere.sig")
        try world.trust(Self.keyring, prefix: "example.com/hello")
        XCTAssertEqual(try world.run("fetch", "--signature=\(world.scratch)/elsewhere.sig", path).status, 0)
    }

    func testMissingFileAndBadFlags() throws {
        world.assertFailure(try world.run("fetch", world.scratch + "/nope.aci"), contains: "no such file")
        world.assertFailure(try world.run("fetch", "--pull-policy=sometimes", "x.aci"), contains: "--pull-policy")
        world.assertFailure(try world.run("--insecure-options=imagez", "fetch", "x.aci"), contains: "unknown value \"imagez\"")
        world.assertFailure(try world.run("fetch"), contains: "missing IMAGE")
    }
}
