// The status-fd reading and the verdict rules, on status lines in gpg 2.2's exact format.
import XCTest

@testable import SkiffTrust

final class VerifyStatusTests: XCTestCase {
    private let primary = "6F2651A8A35606301A6874AF0100932A0F8EE56C"
    private let subkey = "C5F6E5C2E8BAF9E70F11663A8CD1335F68611D92"
    private var trusted: Set<String> { [primary.lowercased()] }

    private func good(signer: String? = nil, primaryField: String? = nil) -> String {
        """
        [GNUPG:] NEWSIG
        [GNUPG:] KEY_CONSIDERED \(primary) 0
        [GNUPG:] GOODSIG 8CD1335F68611D92 Jane %25 Doe <jane@example.com>
        [GNUPG:] VALIDSIG \(signer ?? subkey) 2026-11-29 1795943096 0 4 0 22 8 00 \(primaryField ?? primary)

        """
    }

    private let unknown = """
        [GNUPG:] NEWSIG
        [GNUPG:] ERRSIG 65F4363BA24FED3F 22 8 00 1795943004 9 F7FBD1E386081F5515B506FF65F4363BA24FED3F
        [GNUPG:] NO_PUBKEY 65F4363BA24FED3F

        """

    func testGoodSignatureByASubkeyNamesThePrimaryAndDecodesTheUserID() {
        let verdict = VerifyVerdict(VerifyStatus(good()), trusted: trusted, exitStatus: 0)
        XCTAssertEqual(verdict, .trusted(Signer(fingerprint: primary.lowercased(), userID: "Jane % Doe <jane@example.com>")))
    }

    func testExitStatusAloneNeverSucceeds() {
        // Exit 0 without GOODSIG+VALIDSIG (e.g. an old or odd gpgv) is not a verified signature.
        let onlyGood = "[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG 8CD1335F68611D92 Jane\n"
        XCTAssertEqual(VerifyVerdict(VerifyStatus(onlyGood), trusted: trusted, exitStatus: 0), .failed)
        XCTAssertEqual(VerifyVerdict(VerifyStatus(""), trusted: trusted, exitStatus: 0), .malformed)
        // VALIDSIG without the primary-key field cannot be matched against the trusted set.
        let noPrimary = "[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG 8CD1335F68611D92 Jane\n"
            + "[GNUPG:] VALIDSIG \(primary) 2026-11-29 1795943096 0 4 0 22 8 00\n"
        XCTAssertEqual(VerifyVerdict(VerifyStatus(noPrimary), trusted: trusted, exitStatus: 0), .failed)
    }

    func testGoodStatusWithAFailingExitIsNotTrusted() {
        XCTAssertEqual(VerifyVerdict(VerifyStatus(good()), trusted: trusted, exitStatus: 1), .failed)
    }

    func testPrimaryOutsideTheTrustedSetIsUntrustedEvenIfGood() {
        let verdict = VerifyVerdict(VerifyStatus(good()), trusted: ["0123456789abcdef0123456789abcdef01234567"], exitStatus: 0)
        XCTAssertEqual(verdict, .untrusted(signer: primary.lowercased(), misnamed: true))
    }

    func testUnknownSignerIsNamedByTheErrsigFingerprint() {
        let verdict = VerifyVerdict(VerifyStatus(unknown), trusted: trusted, exitStatus: 2)
        XCTAssertEqual(verdict, .untrusted(signer: "f7fbd1e386081f5515b506ff65f4363ba24fed3f", misnamed: false))
        // Without the fingerprint field (signatures lacking an issuer fingerprint) the key id is used.
        let old = "[GNUPG:] NEWSIG\n[GNUPG:] ERRSIG 65F4363BA24FED3F 1 8 00 1795943004 9\n[GNUPG:] NO_PUBKEY 65F4363BA24FED3F\n"
        XCTAssertEqual(
            VerifyVerdict(VerifyStatus(old), trusted: trusted, exitStatus: 2),
            .untrusted(signer: "65f4363ba24fed3f", misnamed: false))
    }

    func testUnknownAlgorithmIsUnchecked() {
        let status = "[GNUPG:] NEWSIG\n[GNUPG:] ERRSIG 65F4363BA24FED3F 99 8 00 1795943004 4\n"
        XCTAssertEqual(
            VerifyVerdict(VerifyStatus(status), trusted: trusted, exitStatus: 2),
            .unchecked(keyID: "65f4363ba24fed3f", code: "4"))
    }

    func testTrustedSignatureWinsOverAnUnknownSecondSigner() {
        let verdict = VerifyVerdict(VerifyStatus(unknown + good()), trusted: trusted, exitStatus: 2)
        XCTAssertEqual(verdict, .trusted(Signer(fingerprint: primary.lowercased(), userID: "Jane % Doe <jane@example.com>")))
    }

    func testAnyBadSignatureFailsTheFile() {
        let bad = "[GNUPG:] NEWSIG\n[GNUPG:] BADSIG 65F4363BA24FED3F Mallory\n"
        XCTAssertEqual(
            VerifyVerdict(VerifyStatus(good() + bad), trusted: trusted, exitStatus: 1),
            .bad(KeyMention(keyID: "65F4363BA24FED3F", userID: "Mallory")))
    }

    func testExpiredAndRevokedKeysAreNamedByPrimaryFingerprint() {
        let validsig = "[GNUPG:] VALIDSIG \(primary) 2020-01-01 1577840400 0 4 0 22 8 00 \(primary)\n"
        let expired = "[GNUPG:] NEWSIG\n[GNUPG:] EXPKEYSIG 0100932A0F8EE56C Old\n" + validsig
        XCTAssertEqual(
            VerifyVerdict(VerifyStatus(expired), trusted: trusted, exitStatus: 0),
            .expiredKey(KeyMention(keyID: primary.lowercased(), userID: "Old")))
        let revoked = "[GNUPG:] NEWSIG\n[GNUPG:] REVKEYSIG 0100932A0F8EE56C Rev\n" + validsig
        XCTAssertEqual(
            VerifyVerdict(VerifyStatus(revoked), trusted: trusted, exitStatus: 0),
            .revokedKey(KeyMention(keyID: primary.lowercased(), userID: "Rev")))
    }

    func testNoDataIsMalformed() {
        let status = "[GNUPG:] NODATA 1\n[GNUPG:] NODATA 2\n"
        XCTAssertEqual(VerifyVerdict(VerifyStatus(status), trusted: trusted, exitStatus: 2), .malformed)
    }

    func testPercentDecoding() {
        XCTAssertEqual(VerifyStatus.percentDecoded("a%25b%0Ac%2"), "a%b\nc%2")
    }
}
