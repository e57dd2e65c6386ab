// The host-wide holds on the forwarding sysctls: the first hold remembers them, holds of stale
// namespaces are dropped, the last release forgets the remembered values. Runs on a private
// directory; the sysctls are only read (they do not change between hold and release here).
import SkiffSystem
import XCTest
@testable import SkiffNetwork

final class ForwardingHoldsTests: XCTestCase {
    func testTheLastReleaseEndsTheBookkeepingAndStaleHoldsAreDropped() throws {
        let root = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-holds-")
        defer { try? FileSystem.removeTree(root) }
        let holds = ForwardingHolds(directory: root + "/run")
        let (first, second, stale) = (root + "/ns-a", root + "/ns-b", root + "/ns-c")
        for path in [first, second, stale] { try FileSystem.writeAtomically(path, []) }

        try holds.hold(namespace: first)
        XCTAssertTrue(FileSystem.exists(holds.savedPath), "the first hold remembers the values")
        let saved = try FileSystem.read(holds.savedPath)
        XCTAssertTrue(String(decoding: saved, as: UTF8.self).contains("/proc/sys/net/ipv4/ip_forward="))
        try holds.hold(namespace: second)
        try holds.hold(namespace: stale)
        XCTAssertEqual(Set(holds.holders()), [first, second, stale])
        XCTAssertEqual(try FileSystem.read(holds.savedPath), saved, "later holds keep the first values")

        try FileSystem.removeTree(stale)
        XCTAssertEqual(Set(holds.holders()), [first, second], "a hold whose namespace is gone is dropped")
        XCTAssertEqual(try holds.release(namespace: first), [])
        XCTAssertTrue(FileSystem.exists(holds.savedPath), "a hold is left: nothing restored yet")
        _ = try holds.release(namespace: second)
        XCTAssertFalse(FileSystem.exists(holds.savedPath), "the last release ends the bookkeeping")
        XCTAssertEqual(holds.holders(), [])
        XCTAssertEqual(try holds.release(namespace: second), [], "a second release is harmless")
    }
}
