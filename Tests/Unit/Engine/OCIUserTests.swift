// An OCI config's User resolved in the image the way Docker does: names through the image's
// /etc/passwd and /etc/group, the primary group from /etc/passwd, member groups as extras.
import SkiffSystem
import SkiffTestSupport
import XCTest

@testable import Engine

final class OCIUserTests: XCTestCase {
    func testUserFormsResolveInTheImage() throws {
        let root = try ScratchDirectory("ociuser")
        try root.write("etc/passwd", "root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n# comment\n")
        try root.write("etc/group", "root:x:0:\nuser:x:1000:\nextra:x:1001:other,user\nwheel:x:10:user\n")
        func resolve(_ spec: String) throws -> OCIUser { try OCIUser.resolve(spec, rootfs: root.path) }
        XCTAssertEqual(try resolve(""), OCIUser(uid: 0, gid: 0, supplementaryGIDs: []))
        XCTAssertEqual(try resolve("user"), OCIUser(uid: 1000, gid: 1000, supplementaryGIDs: [10, 1001]))
        XCTAssertEqual(try resolve("1000"), OCIUser(uid: 1000, gid: 1000, supplementaryGIDs: [10, 1001]), "a listed uid: its entry")
        XCTAssertEqual(try resolve("4242"), OCIUser(uid: 4242, gid: 0, supplementaryGIDs: []), "an unlisted uid: group 0")
        XCTAssertEqual(try resolve("user:extra"), OCIUser(uid: 1000, gid: 1001, supplementaryGIDs: [10]))
        XCTAssertEqual(try resolve("4242:4343"), OCIUser(uid: 4242, gid: 4343, supplementaryGIDs: []))
        XCTAssertThrowsError(try resolve("nobody")) { error in
            XCTAssertEqual("\(error)", "user \"nobody\": not in the image's /etc/passwd")
        }
        XCTAssertThrowsError(try resolve("user:staff")) { error in
            XCTAssertEqual("\(error)", "group \"staff\": not in the image's /etc/group")
        }
    }

    func testAPasswdSymlinkDoesNotLeaveTheImage() throws {
        let root = try ScratchDirectory("ociuser")
        try FileSystem.createDirectory(root.path + "/etc")
        XCTAssertEqual(symlink("/etc/passwd", root.path + "/etc/passwd"), 0, "points at the host's file")
        XCTAssertThrowsError(try OCIUser.resolve("root", rootfs: root.path)) { error in
            XCTAssertTrue("\(error)".contains("not in the image's /etc/passwd"), "resolved inside the image: \(error)")
        }
    }
}
