// Status derivation: the state directory read together with a lock probe.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
import XCTest

@testable import SkiffPod

final class PodStatusTests: PodTestCase {
    /// For every state: the status while another process holds the lock, and after it died
    /// (the kernel dropped the lock; nobody unlocked anything).
    func testStatusOfEveryStateLockedAndAfterTheHolderDies() throws {
        let expected: [PodState: (locked: PodStatus, unlocked: PodStatus)] = [
            .embryo: (.embryo, .embryo), .prepare: (.preparing, .abortedPrepare), .prepared: (.prepared, .prepared),
            .run: (.running, .exited), .exitedGarbage: (.deleting, .exitedGarbage), .garbage: (.deleting, .garbage),
        ]
        for state in PodState.allCases {
            let record = try makePod(state)
            let holder = try holdLock(record.path)
            XCTAssertTrue(try record.isLocked(), state.rawValue)
            XCTAssertEqual(record.status, expected[state]?.locked, state.rawValue)
            XCTAssertEqual(try store.find(record.uuid.value).status, expected[state]?.locked, state.rawValue)
            holder.kill()
            XCTAssertFalse(try record.isLocked(), state.rawValue)
            XCTAssertEqual(record.status, expected[state]?.unlocked, state.rawValue)
        }
    }

    /// The probe takes a shared lock and releases it at once: after status, another process can
    /// take the exclusive lock without waiting.
    func testProbeReleasesAtOnce() throws {
        let record = try makePod(.run)
        for _ in 0..<3 { XCTAssertEqual(record.status, .exited) }
        XCTAssertEqual(try Subprocess.run(["flock", "--nonblock", "--exclusive", record.path, "true"]).status, 0)
    }

    /// A lock held by this process through a handle counts as held for its own probes too (flock
    /// locks belong to open file descriptions).
    func testOwnHandleReadsAsLocked() throws {
        let handle = try store.create()
        try store.move(handle, to: .run)
        XCTAssertEqual(handle.record.status, .running)
        handle.unlock()
        XCTAssertEqual(handle.record.status, .exited)
    }

    /// A record whose pod moved since it was read follows it; one whose pod is gone reads as
    /// deleting, and currentStatus says why.
    func testStatusFollowsMovedPodAndReportsRemovedOne() throws {
        let record = try makePod(.run)
        try store.move(record, to: .exitedGarbage)
        XCTAssertEqual(record.status, .exitedGarbage)
        try FileSystem.removeTree(store.path(of: record.uuid, in: .exitedGarbage))
        XCTAssertEqual(record.status, .deleting)
        XCTAssertThrowsError(try record.currentStatus()) { error in
            XCTAssertEqual((error as? SkiffError)?.code, .notFound)
            XCTAssertTrue("\(error)".contains(record.uuid.value), "\(error)")
        }
        XCTAssertThrowsError(try record.isLocked()) { error in
            XCTAssertTrue("\(error)".hasPrefix("probe the lock of pod \(record.uuid)"), "\(error)")
        }
    }

    /// The raw values are what list and status print.
    func testStatusTexts() {
        XCTAssertEqual(PodStatus.abortedPrepare.rawValue, "aborted prepare")
        XCTAssertEqual(PodStatus.exitedGarbage.rawValue, "exited garbage")
        XCTAssertEqual(PodState.exitedGarbage.rawValue, "exited-garbage")
        XCTAssertEqual(
            PodState.allCases.map(\.rawValue), ["embryo", "prepare", "prepared", "run", "exited-garbage", "garbage"])
    }
}
