// Fingerprint review text, image-name prefixes and gpg's colon listing, without running gpg.
import XCTest

@testable import SkiffTrust

final class KeyReviewTests: XCTestCase {
    func testReviewTextLooksLikeRkts() {
        let info = KeyInfo(
            fingerprint: "8b86de38890ddb7291867b025210bd8888182190", userIDs: ["CoreOS ACI Builder <release@coreos.com>"],
            subkeys: ["5ef10a275e1c7da972348358d263e4a56194e2b2"])
        XCTAssertEqual(
            describeForReview(info, prefix: "coreos.com/etcd", location: "https://coreos.com/dist/pubkeys/aci-pubkeys.gpg"),
            """
            Prefix: "coreos.com/etcd"
            Key: "https://coreos.com/dist/pubkeys/aci-pubkeys.gpg"
            GPG key fingerprint is: 8B86 DE38 890D DB72 9186  7B02 5210 BD88 8818 2190
                Subkey fingerprint: 5EF1 0A27 5E1C 7DA9 7234  8358 D263 E4A5 6194 E2B2
            \tCoreOS ACI Builder <release@coreos.com>

            """)
    }

    func testRootKeyAndHostileUserIDs() {
        let info = KeyInfo(
            fingerprint: "8b86de38890ddb7291867b025210bd8888182190", userIDs: ["Eve\u{1b}[2J\nGPG key fingerprint is: 0000"],
            revoked: true)
        let text = describeForReview(info, prefix: nil)
        XCTAssertTrue(text.hasPrefix("Prefix: ROOT KEY (matches all names)\nGPG key fingerprint is: 8B86"), text)
        XCTAssertTrue(text.contains("\tEve\\x1b[2J\\nGPG key fingerprint is: 0000\n"), text)
        XCTAssertTrue(text.hasSuffix("WARNING: this key is revoked\n"), text)
        XCTAssertEqual(text.split(separator: "\n").count, 4)
    }

    func testImageNamePrefixes() {
        XCTAssertEqual(
            ImagePrefix.pathPrefixes(of: "example.com/app/foo"), ["example.com/app/foo", "example.com/app", "example.com"])
        XCTAssertEqual(ImagePrefix.pathPrefixes(of: "example.com"), ["example.com"])
        for valid in ["example.com", "example.com/app", "a", "a-b_c~d.e/f9", "coreos.com/etcd"] {
            XCTAssertTrue(ImagePrefix.isValid(valid), valid)
        }
        for invalid in ["", "/a", "a/", "a//b", "a/../b", "..", "a/.b", "A", "a b", "a:b", "-a", "a\u{0}b", "é"] {
            XCTAssertFalse(ImagePrefix.isValid(invalid), invalid)
        }
    }

    func testColonListingUnescapesUserIDsAndSeparatesSubkeys() {
        let listing = ColonListing(
            """
            pub:-:255:22:0100932A0F8EE56C:1795942999:1800000000::-:::scSC:::::ed25519:::0:
            fpr:::::::::6F2651A8A35606301A6874AF0100932A0F8EE56C:
            uid:-::::1795942999::55EA::Jane\\x3a Doe \\\\ Co <jane@example.com>::::::::::0:
            sub:-:255:22:8CD1335F68611D92:1795943096::::::s:::::ed25519::
            fpr:::::::::C5F6E5C2E8BAF9E70F11663A8CD1335F68611D92:
            pub:r:255:22:1DCED0873D179A8F:1577836800:::-:::sc:::::ed25519:::0:
            fpr:::::::::32E7CF763B09DE946DE303011DCED0873D179A8F:
            """)
        XCTAssertEqual(
            listing.keys,
            [
                KeyInfo(
                    fingerprint: "6f2651a8a35606301a6874af0100932a0f8ee56c", userIDs: ["Jane: Doe \\ Co <jane@example.com>"],
                    created: 1_795_942_999, expires: 1_800_000_000, subkeys: ["c5f6e5c2e8baf9e70f11663a8cd1335f68611d92"]),
                KeyInfo(fingerprint: "32e7cf763b09de946de303011dced0873d179a8f", created: 1_577_836_800, revoked: true),
            ])
        XCTAssertFalse(listing.hasSecretKeys)
        XCTAssertTrue(ColonListing("sec:-:255:22:0100932A0F8EE56C:1795942999:::-:::scSC:::#::ed25519:::0:\n").hasSecretKeys)
    }

    func testFingerprintForms() {
        XCTAssertEqual(Fingerprint.normalized("6F2651A8A35606301A6874AF0100932A0F8EE56C"), "6f2651a8a35606301a6874af0100932a0f8ee56c")
        XCTAssertNil(Fingerprint.normalized("6F2651A8"))
        XCTAssertNil(Fingerprint.normalized("../../../../../../../../../../etc/passwd"))
        XCTAssertTrue(Fingerprint.isStoredForm("6f2651a8a35606301a6874af0100932a0f8ee56c"))
        XCTAssertFalse(Fingerprint.isStoredForm("6F2651A8A35606301A6874AF0100932A0F8EE56C"))
    }
}
