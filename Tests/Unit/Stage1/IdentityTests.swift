// appc user/group resolution, confined to the app's root.
#if canImport(Glibc)
import Glibc
#endif
@testable import SkiffStage1
import SkiffSystem
import XCTest

final class IdentityTests: XCTestCase {
    var directory: Stage1Scratch!
    var root: String { directory.path + "/root" }

    override func setUpWithError() throws {
        directory = try Stage1Scratch()
        try stage1WriteFile(root + "/etc/passwd", "# comment\nroot:x:0:0:root:/root:/bin/sh\nweb:x:1001:1001::/srv/web:/bin/sh\n1234:x:77:77::/:/bin/sh\n")
        try stage1WriteFile(root + "/etc/group", "root:x:0:\nwww:x:2002:web\n")
    }

    override func tearDownWithError() throws { try directory.remove() }

    func testNamesAreLookedUpInTheImage() throws {
        let ids = try Identity.resolve(user: "web", group: "www", root: root)
        XCTAssertEqual(ids.uid, 1001)
        XCTAssertEqual(ids.gid, 2002)
        // A name wins over digits (appc's order): "1234" is a user of this image.
        XCTAssertEqual(try Identity.resolve(user: "1234", group: "0", root: root).uid, 77)
    }

    func testDigitsAreIDs() throws {
        let ids = try Identity.resolve(user: "4000", group: "5000", root: root)
        XCTAssertEqual(ids.uid, 4000)
        XCTAssertEqual(ids.gid, 5000)
    }

    func testAPathMeansTheOwnerOfThatFileInTheRoot() throws {
        try stage1WriteFile(root + "/srv/data/owned", "x")
        let expectedUID: uid_t = geteuid() == 0 ? 3003 : getuid()
        let expectedGID: gid_t = geteuid() == 0 ? 4004 : getgid()
        if geteuid() == 0 { try check("chown") { chown(root + "/srv/data/owned", 3003, 4004) } }
        let ids = try Identity.resolve(user: "/srv/data/owned", group: "/srv/data/owned", root: root)
        XCTAssertEqual(ids.uid, expectedUID)
        XCTAssertEqual(ids.gid, expectedGID)
    }

    func testUnknownUserIsAnErrorNamingUserAndApp() {
        XCTAssertThrowsError(try Identity.resolve(user: "nobody", group: "0", root: root, app: "web")) { error in
            XCTAssertTrue("\(error)".contains("app \"web\": user \"nobody\""), "\(error)")
        }
        XCTAssertThrowsError(try Identity.resolve(user: "0", group: "staff", root: root, app: "web")) { error in
            XCTAssertTrue("\(error)".contains("group \"staff\""), "\(error)")
        }
        XCTAssertThrowsError(try Identity.resolve(user: "/no/such/file", group: "0", root: root, app: "a")) { error in
            XCTAssertTrue("\(error)".contains("user \"/no/such/file\""), "\(error)")
            XCTAssertEqual((error as? SkiffError)?.errno, ENOENT)
        }
    }

    func testASymlinkedPasswdNeverReadsAHostFile() throws {
        // A host file with a user the image does not have, and the image's passwd pointing at
        // it by its absolute host path: inside the root that path does not exist.
        let host = directory.path + "/host-passwd"
        try stage1WriteFile(host, "hostonly:x:4242:4242::/:/bin/sh\n")
        unlink(root + "/etc/passwd")
        try check("symlink") { symlink(host, root + "/etc/passwd") }
        XCTAssertThrowsError(try Identity.resolve(user: "hostonly", group: "0", root: root, app: "a")) { error in
            XCTAssertTrue("\(error)".contains("user \"hostonly\""), "\(error)")
        }
        // The same with a relative link climbing out: ".." stops at the root.
        unlink(root + "/etc/passwd")
        try check("symlink") { symlink("../../../../../../../../.." + host, root + "/etc/passwd") }
        XCTAssertThrowsError(try Identity.resolve(user: "hostonly", group: "0", root: root))
        // A path user given through a symlink that escapes resolves inside the root too.
        try check("symlink") { symlink(host, root + "/escape") }
        XCTAssertThrowsError(try Identity.resolve(user: "/escape", group: "0", root: root))
    }

    func testHomeComesFromThePasswdOfTheRoot() {
        XCTAssertEqual(Identity.home(uid: 1001, root: root), "/srv/web")
        XCTAssertEqual(Identity.home(uid: 0, root: root), "/root")
        XCTAssertNil(Identity.home(uid: 5, root: root))
    }
}
