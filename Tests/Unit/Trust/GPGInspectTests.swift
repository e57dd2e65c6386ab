// GPG.inspect against keys made by the real gpg: what it reports and what it refuses.
import Glibc
import SkiffSystem
import XCTest

@testable import SkiffTrust

final class GPGInspectTests: XCTestCase {
    nonisolated(unsafe) private static var fixture: KeyFixture?
    nonisolated(unsafe) private static var setUpError: (any Error)?
    private var scratch = ""

    override class func setUp() {
        do { fixture = try KeyFixture([.jane, .expired, .revoked]) } catch { setUpError = error }
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
        scratch = try FileSystem.makeTemporaryDirectory(in: try keys().root, prefix: "tmp.")
    }

    override func tearDownWithError() throws {
        // Every temporary GNUPGHOME the library made under scratch is gone, and no process uses one.
        XCTAssertEqual(try FileSystem.list(scratch), [], "temporary homes left behind")
        XCTAssertEqual(TrustTestSupport.processes(mentioning: scratch), [], "processes left running")
        try FileSystem.removeTree(scratch)
    }

    func testArmoredKeyGivesFingerprintUserIDAndSubkey() throws {
        let jane = try keys().key(.jane)
        let infos = try GPG.inspect(jane.armored, source: "jane.asc", temporaryDirectory: scratch)
        XCTAssertEqual(infos.count, 1)
        XCTAssertEqual(infos.first?.fingerprint, jane.fingerprint)
        XCTAssertEqual(infos.first?.userIDs, [jane.userID])
        XCTAssertEqual(infos.first?.subkeys, jane.subkey.map { [$0] } ?? [])
        XCTAssertFalse(infos.first?.revoked ?? true)
        XCTAssertFalse(infos.first?.expired ?? true)
        let created = try XCTUnwrap(infos.first?.created)
        XCTAssertLessThanOrEqual(abs(created - Int64(time(nil))), 600, "creation time is about now")
        XCTAssertNil(infos.first?.expires)
    }

    func testBinaryKeyGivesTheSameAsArmored() throws {
        let jane = try keys().key(.jane)
        let armored = try GPG.inspect(jane.armored, source: "jane.asc", temporaryDirectory: scratch)
        let binary = try GPG.inspect(jane.binary, source: "jane.gpg", temporaryDirectory: scratch)
        XCTAssertEqual(binary, armored)
    }

    func testFileWithTwoKeysListsBoth() throws {
        let fixture = try keys()
        let both = try fixture.key(.jane).binary + fixture.key(.expired).binary
        let infos = try GPG.inspect(both, source: "both.gpg", temporaryDirectory: scratch)
        XCTAssertEqual(infos.map(\.fingerprint), [try fixture.key(.jane).fingerprint, try fixture.key(.expired).fingerprint])
    }

    func testExpiredAndRevokedKeysAreFlagged() throws {
        let fixture = try keys()
        let old = try XCTUnwrap(GPG.inspect(try fixture.key(.expired).armored, source: "old", temporaryDirectory: scratch).first)
        XCTAssertTrue(old.expired)
        XCTAssertEqual(old.created, 1_577_836_800)  // 2020-01-01, the faked generation time
        XCTAssertEqual(old.expires, 1_577_836_800 + 86_400)
        let revoked = try XCTUnwrap(
            GPG.inspect(try fixture.key(.revoked).binary, source: "rev", temporaryDirectory: scratch).first)
        XCTAssertTrue(revoked.revoked)
    }

    func testGarbageIsRefusedNamingTheSource() throws {
        XCTAssertThrowsError(try GPG.inspect(Array("not a key\n".utf8), source: "junk.asc", temporaryDirectory: scratch)) {
            let message = ($0 as? SkiffError)?.message ?? ""
            XCTAssertTrue(message.hasPrefix("inspect key \"junk.asc\": "), message)
            XCTAssertEqual(($0 as? SkiffError)?.code, .invalid)
        }
        XCTAssertThrowsError(try GPG.inspect([], source: "empty.gpg", temporaryDirectory: scratch)) {
            XCTAssertEqual(($0 as? SkiffError)?.message, "inspect key \"empty.gpg\": the file is empty")
        }
    }

    func testSignatureDataIsNotAKey() throws {
        // gpg exits 0 on a signature given to --import; the missing "pub" record must be caught.
        let fixture = try keys()
        let file = fixture.root + "/payload-inspect"
        try TrustTestSupport.write(file, Array("payload".utf8))
        defer { unlink(file) }
        let signature = try fixture.sign(file, by: try fixture.key(.jane), armor: false)
        XCTAssertThrowsError(try GPG.inspect(signature, source: "x.sig", temporaryDirectory: scratch)) {
            XCTAssertEqual(($0 as? SkiffError)?.message, "inspect key \"x.sig\": contains no OpenPGP public key")
        }
    }

    func testSecretKeyIsRefusedAndNoAgentIsStarted() throws {
        let fixture = try keys()
        let secret = try fixture.gpg(["--armor", "--export-secret-keys", try fixture.key(.jane).fingerprint]).stdout
        XCTAssertThrowsError(try GPG.inspect(secret, source: "jane-secret.asc", temporaryDirectory: scratch)) {
            XCTAssertEqual(
                ($0 as? SkiffError)?.message,
                "inspect key \"jane-secret.asc\": contains secret key material; give the public key only")
        }
        // tearDown checks that no gpg-agent for a home under scratch survives.
    }

    func testMissingGpgIsNamed() throws {
        let tools = GPGTools(gpg: "/nonexistent/gpg")
        XCTAssertThrowsError(
            try GPG.inspect(try keys().key(.jane).binary, source: "k", temporaryDirectory: scratch, tools: tools)
        ) {
            XCTAssertEqual(($0 as? SkiffError)?.code, .notFound)
            XCTAssertEqual(
                ($0 as? SkiffError)?.message, "inspect key \"k\": \"gpg\" is not installed (install the gnupg package)")
        }
    }

    func testMissingTemporaryDirectoryIsAnError() throws {
        XCTAssertThrowsError(try GPG.inspect([1], source: "k", temporaryDirectory: scratch + "/missing")) {
            XCTAssertEqual(($0 as? SkiffError)?.errno, ENOENT)
            XCTAssertTrue(($0 as? SkiffError)?.message.hasPrefix("inspect key \"k\": mkdtemp ") ?? false)
        }
    }
}
