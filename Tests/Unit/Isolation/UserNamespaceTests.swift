// Range allocation (unprivileged), maps written for a child in a new user namespace (root),
// and shifting a tree's ownership (root).
#if canImport(Glibc)
import Glibc
#endif
import CIsolationProbe
import CShim
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class UserNamespaceTests: XCTestCase {
    private var scratch = ""

    override func setUpWithError() throws {
        scratch = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-userns-")
    }

    override func tearDownWithError() throws { try FileSystem.removeTree(scratch) }

    func testAllocationIsPersistentExclusiveAndReleasable() throws {
        let file = scratch + "/userns-ranges"
        let a = try UserNamespace.allocate(owner: "pod-a", file: file)
        XCTAssertEqual(a, IDRange(start: UserNamespace.firstStart, count: 65536))
        let b = try UserNamespace.allocate(owner: "pod-b", file: file)
        XCTAssertEqual(b.start, a.start + 65536)
        XCTAssertEqual(try UserNamespace.allocate(owner: "pod-a", file: file), a, "an owner keeps its range")
        try UserNamespace.release(owner: "pod-a", file: file)
        XCTAssertEqual(try UserNamespace.allocate(owner: "pod-c", file: file), a, "a released range is reused")
        let avoided = IDRange(start: UserNamespace.firstStart + 3 * 65536 + 10, count: 5)
        XCTAssertEqual(try UserNamespace.allocate(owner: "pod-d", file: file, avoiding: [avoided]).start, UserNamespace.firstStart + 2 * 65536)
        XCTAssertEqual(try UserNamespace.allocate(owner: "pod-e", file: file, avoiding: [avoided]).start, UserNamespace.firstStart + 4 * 65536)
        XCTAssertEqual(
            String(decoding: try FileSystem.read(file), as: UTF8.self).split(separator: "\n").count, 4)
        XCTAssertThrowsError(try UserNamespace.allocate(owner: "two words", file: file))
    }

    func testSubordinateRangesAndOverlap() throws {
        let file = scratch + "/subuid"
        try FileSystem.writeAtomically(file, Array("alice:100000:65536\nbad line\nbob:165536:65536\n".utf8))
        XCTAssertEqual(try UserNamespace.subordinateRanges(file), [IDRange(start: 100_000, count: 65536), IDRange(start: 165_536, count: 65536)])
        XCTAssertEqual(try UserNamespace.subordinateRanges(scratch + "/missing"), [])
        XCTAssertTrue(IDRange(start: 10, count: 10).overlaps(IDRange(start: 19, count: 1)))
        XCTAssertFalse(IDRange(start: 10, count: 10).overlaps(IDRange(start: 20, count: 1)))
        XCTAssertEqual(IDRange(start: 100, count: 10).host(9), 109)
        XCTAssertNil(IDRange(start: 100, count: 10).host(10))
    }

    func testMapsForAChildInANewUserNamespace() throws {
        try requireRoot()
        let range = try UserNamespace.allocate(owner: "maps-test", file: scratch + "/ranges")
        let outcome = try runProbe(
            // After the maps are written the child's host uid 0 is unmapped (it shows as 65534):
            // like a stage1, it switches to uid 0 inside, which is the range's start outside.
            namespaces: Int32(SKT_NEWUSER.rawValue), ids: (0, 0), action: .exec(["/bin/sh", "-c", "echo uid $(id -u) gid $(id -g); cat /proc/self/uid_map /proc/self/gid_map"]),
            whileWaiting: { pid in try UserNamespace.writeMaps(pid: pid, range: range) })
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        XCTAssertEqual(outcome.number(after: "uid"), 0, outcome.output)
        XCTAssertEqual(outcome.number(after: "gid"), 0, outcome.output)
        let maps = outcome.output.split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(maps, [["0", "\(range.start)", "65536"], ["0", "\(range.start)", "65536"]], outcome.output)
    }

    func testShiftingATree() throws {
        try requireRoot()
        let tree = scratch + "/rootfs"
        let outside = scratch + "/outside"
        try FileSystem.createDirectory(tree + "/etc")
        try FileSystem.writeAtomically(outside, [1])
        try FileSystem.writeAtomically(tree + "/etc/passwd", [1])
        try FileSystem.writeAtomically(tree + "/user-file", [1])
        XCTAssertEqual(chown(tree + "/user-file", 1000, 1001), 0)
        try FileSystem.writeAtomically(tree + "/setuid", [1], mode: 0o755)
        XCTAssertEqual(chmod(tree + "/setuid", 0o4755), 0)
        XCTAssertEqual(link(tree + "/user-file", tree + "/etc/hardlink"), 0)
        XCTAssertEqual(symlink(outside, tree + "/link-out"), 0)
        try FileSystem.writeAtomically(tree + "/unmappable", [1])
        XCTAssertEqual(chown(tree + "/unmappable", 70000, 0), 0)
        try FileSystem.writeAtomically(tree + "/ping", [1], mode: 0o755)
        // VFS_CAP_REVISION_2 | effective, permitted = CAP_NET_RAW.
        let v2: [UInt8] = [0x01, 0, 0, 0x02, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        XCTAssertEqual(v2.withUnsafeBytes { sk_lsetxattr(tree + "/ping", "security.capability", $0.baseAddress, $0.count) }, 0)

        let range = IDRange(start: 0x1000_0000, count: 65536)
        let report = try OwnershipShift.shift(tree: tree, by: range)
        func owner(_ path: String) throws -> (UInt32, UInt32, mode_t) {
            let st = try FileSystem.status(path)
            return (st.st_uid, st.st_gid, st.st_mode & 0o7777)
        }
        XCTAssertTrue(try owner(tree) == (range.start, range.start, 0o755))
        XCTAssertTrue(try owner(tree + "/etc/passwd").0 == range.start)
        XCTAssertTrue(try owner(tree + "/user-file") == (range.start + 1000, range.start + 1001, 0o644), "hard link shifted once")
        XCTAssertTrue(try owner(tree + "/setuid") == (range.start, range.start, 0o4755), "setuid bit kept")
        XCTAssertTrue(try owner(tree + "/link-out").0 == range.start, "the link itself is shifted")
        XCTAssertTrue(try owner(outside).0 == 0, "its target is not")
        XCTAssertTrue(try owner(tree + "/unmappable").0 == 70000)
        XCTAssertEqual(report.unmapped, 1)
        XCTAssertEqual(report.capabilities, 1)
        XCTAssertEqual(report.shifted, 7)  // tree, etc, etc/hardlink (= user-file, once), etc/passwd, link-out, ping, setuid
        var value = [UInt8](repeating: 0, count: 64)
        let n = value.withUnsafeMutableBytes { sk_lgetxattr(tree + "/ping", "security.capability", $0.baseAddress, $0.count) }
        XCTAssertEqual(n, 24)
        XCTAssertEqual(Array(value[0..<4]), [0x01, 0, 0, 0x03])
        XCTAssertEqual(Array(value[20..<24]), [0, 0, 0, 0x10], "rootid = the range's start")
    }

    func testCapabilityRewrite() {
        let v2: [UInt8] = [0x01, 0, 0, 0x02] + Array(repeating: 7, count: 16)
        let v3 = OwnershipShift.rewriteCapability(v2, rootID: 0x0102_0304)
        XCTAssertEqual(v3, [0x01, 0, 0, 0x03] + Array(repeating: 7, count: 16) + [4, 3, 2, 1])
        let again = OwnershipShift.rewriteCapability(v3 ?? [], rootID: 1)
        XCTAssertEqual(again.map { Array($0[20...]) }, [5, 3, 2, 1])
        XCTAssertNil(OwnershipShift.rewriteCapability([0, 0, 0, 0x01] + Array(repeating: 0, count: 8), rootID: 5), "revision 1 is dropped")
    }
}
