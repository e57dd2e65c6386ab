// GPG.verify with gpgv against signatures made by the real gpg: success and every refusal.
import Glibc
import SkiffSystem
import XCTest

@testable import SkiffTrust

final class GPGVerifyTests: XCTestCase {
    nonisolated(unsafe) private static var fixture: KeyFixture?
    nonisolated(unsafe) private static var setUpError: (any Error)?
    private var scratch = ""
    private var data = ""

    override class func setUp() {
        do { fixture = try KeyFixture(KeyFixture.Kind.allCases) } catch { setUpError = error }
    }

    override class func tearDown() {
        fixture?.shutdown()
        fixture = nil
    }

    private func keys() throws -> KeyFixture {
        guard let fixture = Self.fixture else { throw Self.setUpError ?? SkiffError(.system, "no key fixture") }
        return fixture
    }

    override func setUpWithError() throws {
        let fixture = try keys()
        scratch = try FileSystem.makeTemporaryDirectory(in: fixture.root, prefix: "tmp.")
        data = try FileSystem.makeTemporaryDirectory(in: fixture.root, prefix: "data.") + "/image.aci"
        try TrustTestSupport.write(data, Array("an image, honestly\n".utf8))
    }

    override func tearDownWithError() throws {
        XCTAssertEqual(try FileSystem.list(scratch), [], "temporary homes left behind")
        XCTAssertEqual(TrustTestSupport.processes(mentioning: scratch), [], "processes left running")
        try FileSystem.removeTree(scratch)
        try FileSystem.removeTree(FileSystem.parentPath(data))
    }

    /// `key` stored as a trust-store file (armored or binary), named by its fingerprint.
    private func trusted(_ key: KeyFixture.Key, armored: Bool = true, name: String? = nil) throws -> TrustedKey {
        let path = FileSystem.parentPath(data) + "/" + (name ?? key.fingerprint) + (armored ? "" : ".bin")
        try TrustTestSupport.write(path, armored ? key.armored : key.binary)
        return TrustedKey(fingerprint: name ?? key.fingerprint, path: path, prefix: nil, vendor: false)
    }

    private func verify(_ signature: [UInt8], _ keys: [TrustedKey]) throws -> Signer {
        try GPG.verify(file: data, signature: signature, keys: keys, subject: "example.com/app", temporaryDirectory: scratch)
    }

    /// Asserts that verify fails with exactly `message`.
    private func assertRefused(
        _ signature: [UInt8], _ keys: [TrustedKey], _ message: String, line: UInt = #line
    ) {
        XCTAssertThrowsError(try verify(signature, keys), line: line) { error in
            XCTAssertEqual((error as? SkiffError)?.message, message, line: line)
            XCTAssertEqual((error as? SkiffError)?.code, .invalid, line: line)
        }
    }

    func testArmoredAndBinarySignaturesVerifyWithArmoredOrBinaryKeys() throws {
        let fixture = try keys()
        let jane = try fixture.key(.jane)
        let expected = Signer(fingerprint: jane.fingerprint, userID: jane.userID)
        for armoredKey in [true, false] {
            let key = try trusted(jane, armored: armoredKey)
            XCTAssertEqual(try verify(try fixture.sign(data, by: jane, armor: true), [key]), expected)
            XCTAssertEqual(try verify(try fixture.sign(data, by: jane, armor: false), [key]), expected)
        }
    }

    func testSubkeySignatureReportsThePrimaryFingerprint() throws {
        let fixture = try keys()
        let jane = try fixture.key(.jane)
        let signature = try fixture.sign(data, by: jane, armor: false, subkey: true)
        XCTAssertEqual(try verify(signature, [try trusted(jane)]).fingerprint, jane.fingerprint)
    }

    func testUntrustedSignerIsNamed() throws {
        let fixture = try keys()
        let mallory = try fixture.key(.mallory)
        let signature = try fixture.sign(data, by: mallory, armor: true)
        let message = "\"example.com/app\" is not signed by a trusted key: signed by key \(mallory.fingerprint)"
        assertRefused(signature, [try trusted(try fixture.key(.jane))], message)
        assertRefused(signature, [], message)
    }

    func testTamperedFileIsABadSignature() throws {
        let fixture = try keys()
        let jane = try fixture.key(.jane)
        let signature = try fixture.sign(data, by: jane, armor: true)
        try TrustTestSupport.write(data, Array("an image, tampered\n".utf8))
        XCTAssertThrowsError(try verify(signature, [try trusted(jane)])) {
            let message = ($0 as? SkiffError)?.message ?? ""
            XCTAssertTrue(message.hasPrefix("verify \"example.com/app\": bad signature by key "), message)
            XCTAssertTrue(message.contains("(BADSIG)"), message)
            XCTAssertTrue(message.contains(jane.userID), message)
        }
    }

    func testGarbageSignatureIsMalformed() throws {
        let jane = try trusted(try keys().key(.jane))
        assertRefused(
            Array("definitely not a signature\n".utf8), [jane],
            "verify \"example.com/app\": malformed signature: no OpenPGP signature found (NODATA)")
    }

    func testTamperedSignatureValueIsABadSignature() throws {
        let fixture = try keys()
        let jane = try fixture.key(.jane)
        var signature = try fixture.sign(data, by: jane, armor: false)
        // Flip a bit in the last byte: inside the EdDSA signature value (the MPIs end the packet).
        signature[signature.count - 1] ^= 0x01
        XCTAssertThrowsError(try verify(signature, [try trusted(jane)])) {
            let message = ($0 as? SkiffError)?.message ?? ""
            XCTAssertTrue(message.hasPrefix("verify \"example.com/app\": bad signature by key "), message)
            XCTAssertTrue(message.contains("(BADSIG)"), message)
        }
    }

    func testTruncatedOrCorruptArmorIsMalformed() throws {
        let fixture = try keys()
        let jane = try fixture.key(.jane)
        let truncated = Array(try fixture.sign(data, by: jane, armor: false).prefix(20))
        let message = "verify \"example.com/app\": malformed signature: no OpenPGP signature found (NODATA)"
        assertRefused(truncated, [try trusted(jane)], message)
        var armored = try fixture.sign(data, by: jane, armor: true)
        armored[armored.count / 2] ^= 0x01  // breaks the base64 text (and its CRC)
        XCTAssertThrowsError(try verify(armored, [try trusted(jane)])) {
            let text = ($0 as? SkiffError)?.message ?? ""
            XCTAssertTrue(text.hasPrefix("verify \"example.com/app\": "), text)
            XCTAssertTrue(text.contains("malformed") || text.contains("BADSIG"), text)
        }
    }

    func testExpiredKeyIsRefusedThoughGpgvExitsZero() throws {
        let fixture = try keys()
        let old = try fixture.key(.expired)
        // Made while the key was valid; gpgv exits 0 with EXPKEYSIG, which must not pass.
        let signature = try fixture.sign(data, by: old, armor: true, fakedTime: "20200101T120000")
        XCTAssertThrowsError(try verify(signature, [try trusted(old)])) {
            let message = ($0 as? SkiffError)?.message ?? ""
            XCTAssertTrue(
                message.hasPrefix("verify \"example.com/app\": signed by expired key \(old.fingerprint) "), message)
            XCTAssertTrue(message.hasSuffix("(EXPKEYSIG)"), message)
        }
    }

    func testRevokedKeyIsRefusedThoughGpgvExitsZero() throws {
        let fixture = try keys()
        let revoked = try fixture.key(.revoked)
        let sample = try XCTUnwrap(fixture.signedBeforeRevocation)
        try TrustTestSupport.write(data, sample.payload)
        let signature = sample.signature
        XCTAssertThrowsError(try verify(signature, [try trusted(revoked)])) {
            let message = ($0 as? SkiffError)?.message ?? ""
            XCTAssertTrue(
                message.hasPrefix("verify \"example.com/app\": signed by revoked key \(revoked.fingerprint) "), message)
            XCTAssertTrue(message.hasSuffix("(REVKEYSIG)"), message)
        }
    }

    func testExpiredSignatureIsRefused() throws {
        let fixture = try keys()
        let mallory = try fixture.key(.mallory)
        let signature = try fixture.sign(data, by: mallory, armor: true, fakedTime: "20210101T000000", expiresAfter: "1d")
        XCTAssertThrowsError(try verify(signature, [try trusted(mallory)])) {
            let message = ($0 as? SkiffError)?.message ?? ""
            XCTAssertTrue(message.hasSuffix("has expired (EXPSIG)"), message)
        }
    }

    func testSecondSignatureByUnknownKeyDoesNotSpoilATrustedOne() throws {
        let fixture = try keys()
        let jane = try fixture.key(.jane)
        let both = try fixture.sign(data, by: try fixture.key(.mallory), armor: false)
            + fixture.sign(data, by: jane, armor: false)
        XCTAssertEqual(try verify(both, [try trusted(jane)]).fingerprint, jane.fingerprint)
    }

    func testKeyFileNamedForAnotherFingerprintIsNotTrusted() throws {
        let fixture = try keys()
        let jane = try fixture.key(.jane)
        let impostor = try trusted(jane, name: try fixture.key(.mallory).fingerprint)
        assertRefused(
            try fixture.sign(data, by: jane, armor: true), [impostor],
            "\"example.com/app\" is not signed by a trusted key: signed by key \(jane.fingerprint), "
                + "whose key is in a trusted key file named for another fingerprint")
    }

    func testMissingDataFileAndEmptySignatureAreNamed() throws {
        let jane = try trusted(try keys().key(.jane))
        XCTAssertThrowsError(
            try GPG.verify(file: data + ".missing", signature: [1], keys: [jane], subject: "s", temporaryDirectory: scratch)
        ) {
            XCTAssertEqual(($0 as? SkiffError)?.message, "verify \"s\": open \"\(data).missing\"")
            XCTAssertEqual(($0 as? SkiffError)?.errno, ENOENT)
        }
        assertRefused([], [jane], "verify \"example.com/app\": the signature is empty")
    }

    func testUnreadableKeyFileIsNamed() throws {
        let fixture = try keys()
        let jane = try fixture.key(.jane)
        let junk = FileSystem.parentPath(data) + "/junk-key"
        try TrustTestSupport.write(junk, Array("this is not a key\n".utf8))
        let broken = TrustedKey(fingerprint: jane.fingerprint, path: junk, prefix: nil, vendor: true)
        assertRefused(
            try fixture.sign(data, by: jane, armor: false), [broken],
            "verify \"example.com/app\": read trusted key \(quote(junk)): no valid OpenPGP data found.")
    }

    func testMissingGpgvIsNamed() throws {
        let fixture = try keys()
        let jane = try fixture.key(.jane)
        let signature = try fixture.sign(data, by: jane, armor: false)
        XCTAssertThrowsError(
            try GPG.verify(
                file: data, signature: signature, keys: [try trusted(jane)], subject: "s", temporaryDirectory: scratch,
                tools: GPGTools(gpgv: "/nonexistent/gpgv"))
        ) {
            XCTAssertEqual(($0 as? SkiffError)?.code, .notFound)
            XCTAssertEqual(($0 as? SkiffError)?.message, "verify \"s\": \"gpgv\" is not installed (install the gpgv package)")
        }
    }

    func testRelativeDataPathStartingWithDashIsAFile() throws {
        let fixture = try keys()
        let jane = try fixture.key(.jane)
        let directory = FileSystem.parentPath(data)
        try TrustTestSupport.write(directory + "/-", Array("dash\n".utf8))
        let signature = try fixture.sign(directory + "/-", by: jane, armor: false)
        let key = try trusted(jane)
        let previous = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        XCTAssertEqual(chdir(directory), 0)
        defer {
            fchdir(previous)
            close(previous)
        }
        let signer = try GPG.verify(file: "-", signature: signature, keys: [key], subject: "s", temporaryDirectory: scratch)
        XCTAssertEqual(signer.fingerprint, jane.fingerprint)
    }
}
