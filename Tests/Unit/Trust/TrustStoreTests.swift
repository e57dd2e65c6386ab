// The trust store: where keys are written, which keys apply to an image, admin over vendor.
import Glibc
import SkiffSystem
import XCTest

@testable import SkiffTrust

final class TrustStoreTests: XCTestCase {
    nonisolated(unsafe) private static var fixture: KeyFixture?
    nonisolated(unsafe) private static var setUpError: (any Error)?
    private var base = ""
    private var store = TrustStore(adminDirectory: "/nonexistent", vendorDirectory: "/nonexistent")

    override class func setUp() {
        do { fixture = try KeyFixture([.jane, .mallory, .expired]) } catch { setUpError = error }
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
        base = try FileSystem.makeTemporaryDirectory(in: try keys().root, prefix: "store.")
        try FileSystem.createDirectory(base + "/tmp", mode: 0o700)
        store = TrustStore(adminDirectory: base + "/etc", vendorDirectory: base + "/usr", temporaryDirectory: base + "/tmp")
    }

    override func tearDownWithError() throws {
        XCTAssertEqual(try FileSystem.list(base + "/tmp"), [], "temporary homes left behind")
        try FileSystem.removeTree(base)
    }

    /// A made-up fingerprint: `keys(for:)` goes by file names only, so layout tests need no real key.
    private func fake(_ digit: Character) -> String { String(repeating: digit, count: 40) }

    /// Puts a key file (or an empty disabling file) at `<dir>/trustedkeys/<relative>/<name>`.
    private func place(_ dir: String, _ relative: String, _ name: String, empty: Bool = false) throws {
        try TrustTestSupport.write(base + "/\(dir)/trustedkeys/\(relative)/\(name)", empty ? [] : Array("key".utf8))
    }

    func testAddWritesARootKeyNamedByFingerprint() throws {
        let jane = try keys().key(.jane)
        let added = try store.add(jane.armored, source: "jane.asc", prefix: nil)
        let path = base + "/etc/trustedkeys/root.d/" + jane.fingerprint
        XCTAssertEqual(added, TrustedKey(fingerprint: jane.fingerprint, path: path, prefix: nil, vendor: false))
        XCTAssertEqual(try FileSystem.read(path), jane.armored)
        XCTAssertEqual(try FileSystem.status(path).st_mode & 0o777, 0o644)
        XCTAssertEqual(try FileSystem.list(base + "/etc/trustedkeys/root.d"), [jane.fingerprint], "no temporary files left")
    }

    func testAddWritesAPrefixKeyUnderPrefixD() throws {
        let jane = try keys().key(.jane)
        let added = try store.add(jane.binary, source: "jane.gpg", prefix: "example.com/app")
        let path = base + "/etc/trustedkeys/prefix.d/example.com/app/" + jane.fingerprint
        XCTAssertEqual(added, TrustedKey(fingerprint: jane.fingerprint, path: path, prefix: "example.com/app", vendor: false))
        XCTAssertEqual(try FileSystem.read(path), jane.binary)
    }

    func testAddRefusesBadPrefixesBeforeWritingAnything() throws {
        let jane = try keys().key(.jane)
        for prefix in ["", "/example.com", "example.com/../etc", "..", "Example.com", "example.com/", "a//b", "a/./b", "a b"] {
            XCTAssertThrowsError(try store.add(jane.armored, source: "k", prefix: prefix), prefix) {
                XCTAssertEqual(($0 as? SkiffError)?.code, .usage, prefix)
                XCTAssertTrue(
                    ($0 as? SkiffError)?.message.hasPrefix("trust key \"k\": invalid prefix \(quote(prefix)): ") ?? false,
                    "\($0)")
            }
        }
        XCTAssertFalse(FileSystem.exists(base + "/etc"))
    }

    func testAddRefusesTwoKeysAndExpiredKeys() throws {
        let fixture = try keys()
        let both = try fixture.key(.jane).binary + fixture.key(.mallory).binary
        XCTAssertThrowsError(try store.add(both, source: "both.gpg", prefix: nil)) {
            XCTAssertEqual(($0 as? SkiffError)?.message, "trust key \"both.gpg\": contains 2 keys; give exactly one")
        }
        let old = try fixture.key(.expired)
        XCTAssertThrowsError(try store.add(old.armored, source: "old.asc", prefix: nil)) {
            XCTAssertEqual(($0 as? SkiffError)?.message, "trust key \"old.asc\": key \(old.fingerprint) has expired")
        }
        XCTAssertFalse(FileSystem.exists(base + "/etc/trustedkeys/root.d"))
    }

    func testKeysForAnImageFollowPathPrefixesOnly() throws {
        try place("etc", "root.d", fake("a"))
        try place("etc", "prefix.d/example.com", fake("b"))
        try place("etc", "prefix.d/example.com/app", fake("c"))
        try place("etc", "prefix.d/example.com/ap", fake("d"))
        try place("etc", "prefix.d/example.com/app/foo", fake("e"))
        try place("etc", "prefix.d/example.com/application", fake("f"))
        try place("etc", "prefix.d/other.org", fake("1"))
        XCTAssertEqual(try store.keys(for: "example.com/app/foo").map(\.fingerprint), ["a", "b", "c", "e"].map(fake))
        XCTAssertEqual(try store.keys(for: "example.com/app").map(\.fingerprint), ["a", "b", "c"].map(fake))
        XCTAssertEqual(try store.keys(for: "example.com/apple").map(\.fingerprint), ["a", "b"].map(fake))
        XCTAssertEqual(try store.keys(for: "unrelated.net/x").map(\.fingerprint), [fake("a")])
        let appKey = try XCTUnwrap(try store.keys(for: "example.com/app").last)
        XCTAssertEqual(appKey.prefix, "example.com/app")
        XCTAssertEqual(appKey.path, base + "/etc/trustedkeys/prefix.d/example.com/app/" + fake("c"))
    }

    func testVendorKeysAreMergedAndAnEmptyAdminFileDisablesOne() throws {
        try place("usr", "root.d", fake("a"))
        try place("usr", "prefix.d/example.com", fake("b"))
        try place("usr", "prefix.d/example.com", fake("c"))
        try place("usr", "prefix.d/example.com", fake("d"))
        try place("etc", "prefix.d/example.com", fake("c"), empty: true)  // disables the vendor key c
        try place("etc", "prefix.d/example.com", fake("d"))  // the admin copy wins
        let found = try store.keys(for: "example.com/app")
        XCTAssertEqual(found.map(\.fingerprint), ["a", "b", "d"].map(fake))
        XCTAssertEqual(found.map(\.vendor), [true, true, false])
        XCTAssertEqual(found.last?.path, base + "/etc/trustedkeys/prefix.d/example.com/" + fake("d"))
    }

    func testOnlyFilesNamedByAFingerprintAreKeys() throws {
        try place("etc", "root.d", fake("a"))
        try place("etc", "root.d", ".\(fake("b")).tmp-1234")
        try place("etc", "root.d", "README")
        try place("etc", "root.d", fake("C"))  // uppercase: not the stored form
        try FileSystem.createDirectory(base + "/etc/trustedkeys/root.d/" + fake("d"))
        XCTAssertEqual(try store.keys(for: "example.com").map(\.fingerprint), [fake("a")])
    }

    func testAllKeysListsRootThenEveryPrefix() throws {
        try place("usr", "prefix.d/example.com/app", fake("c"))
        try place("etc", "prefix.d/example.com", fake("b"))
        try place("etc", "root.d", fake("a"))
        try place("usr", "prefix.d/zzz.org", fake("e"))
        try place("etc", "prefix.d/zzz.org", fake("e"), empty: true)
        let all = try store.allKeys()
        XCTAssertEqual(all.map(\.fingerprint), ["a", "b", "c"].map(fake))
        XCTAssertEqual(all.map(\.prefix), [nil, "example.com", "example.com/app"])
    }

    func testInvalidImageNameIsRefused() {
        XCTAssertThrowsError(try store.keys(for: "../../etc")) { XCTAssertEqual(($0 as? SkiffError)?.code, .usage) }
    }

    func testRemoveDeletesTheKeyAndItsEmptyPrefixDirectories() throws {
        let jane = try keys().key(.jane)
        _ = try store.add(jane.armored, source: "jane.asc", prefix: "example.com/app")
        try place("etc", "prefix.d/example.com", fake("b"))
        try store.remove(fingerprint: jane.fingerprint.uppercased(), prefix: "example.com/app")
        XCTAssertEqual(try store.keys(for: "example.com/app").map(\.fingerprint), [fake("b")])
        XCTAssertFalse(FileSystem.exists(base + "/etc/trustedkeys/prefix.d/example.com/app"))
        XCTAssertTrue(FileSystem.exists(base + "/etc/trustedkeys/prefix.d/example.com"), "still holds key b")
        XCTAssertThrowsError(try store.remove(fingerprint: jane.fingerprint, prefix: "example.com/app")) {
            XCTAssertEqual(($0 as? SkiffError)?.code, .notFound)
        }
        XCTAssertThrowsError(try store.remove(fingerprint: "../../x", prefix: nil)) {
            XCTAssertEqual(($0 as? SkiffError)?.code, .usage)
        }
    }

    func testAddedKeyVerifiesImagesUnderItsPrefixOnly() throws {
        let fixture = try keys()
        let jane = try fixture.key(.jane)
        _ = try store.add(jane.armored, source: "jane.asc", prefix: "example.com/app")
        let file = base + "/image.aci"
        try TrustTestSupport.write(file, Array("image".utf8))
        let signature = try fixture.sign(file, by: jane, armor: true)
        let signer = try GPG.verify(
            file: file, signature: signature, keys: try store.keys(for: "example.com/app/foo"), subject: "example.com/app/foo",
            temporaryDirectory: base + "/tmp")
        XCTAssertEqual(signer, Signer(fingerprint: jane.fingerprint, userID: jane.userID))
        XCTAssertThrowsError(
            try GPG.verify(
                file: file, signature: signature, keys: try store.keys(for: "example.com/ap"), subject: "example.com/ap",
                temporaryDirectory: base + "/tmp")
        ) {
            XCTAssertEqual(
                ($0 as? SkiffError)?.message,
                "\"example.com/ap\" is not signed by a trusted key: signed by key \(jane.fingerprint)")
        }
    }
}
