// waitForExit: returns when the lock holder dies, times out while it lives.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
import XCTest

@testable import SkiffPod

final class PodWaitTests: PodTestCase {
    /// A running pod whose stage1 (the holder) ends by itself: the wait returns true, and the
    /// pod then reads as exited.
    func testReturnsWhenTheHolderExits() throws {
        let record = try makePod(.run)
        let holder = try holdLock(record.path, seconds: 0.3)
        XCTAssertEqual(record.status, .running)
        XCTAssertTrue(try waitForExit(record, timeout: 20))
        XCTAssertEqual(record.status, .exited)
        XCTAssertEqual(try holder.wait(), 0, "the holder ended by itself, not by a kill")
    }

    /// A holder that outlives the timeout: false, after about the timeout.
    func testTimesOut() throws {
        let record = try makePod(.run)
        try holdLock(record.path)
        let start = PodClock.monotonic()
        XCTAssertFalse(try waitForExit(record, timeout: 0.4))
        let elapsed = PodClock.monotonic() - start
        XCTAssertGreaterThanOrEqual(elapsed, 0.4)
        XCTAssertLessThan(elapsed, 5)
        XCTAssertEqual(record.status, .running)
    }

    /// The wait wakes on the holder's exit through its pidfd, not at the next one-second slice:
    /// the holder ends 0.2 s in and the wait returns well before a slice would.
    func testWakesOnTheHolderExit() throws {
        let record = try makePod(.run)
        try holdLock(record.path, seconds: 0.2)
        let start = PodClock.monotonic()
        XCTAssertTrue(try waitForExit(record, timeout: 20))
        XCTAssertLessThan(PodClock.monotonic() - start, 0.9)
    }

    /// Exited, marked and removed pods: true at once. A prepared pod that nobody runs: the wait
    /// times out (it has not run yet, let alone exited).
    func testFinishedAndNotYetRunPods() throws {
        let exited = try makePod(.run)
        XCTAssertTrue(try waitForExit(exited, timeout: 0))
        try store.move(exited, to: .exitedGarbage)
        XCTAssertTrue(try waitForExit(exited, timeout: 0), "followed to exited-garbage")
        try FileSystem.removeTree(store.path(of: exited.uuid, in: .exitedGarbage))
        XCTAssertTrue(try waitForExit(exited, timeout: 0), "removed")
        XCTAssertFalse(try waitForExit(try makePod(.prepared), timeout: 0.2))
    }

    /// A pod being prepared is waited for through its run: the holder (playing stage0 then
    /// stage1) moves it to run/ and keeps the lock a little longer; the wait ends after that.
    func testWaitsThroughPrepareAndRun() throws {
        let record = try makePod(.prepare)
        let target = store.path(of: record.uuid, in: .run)
        let holder = try holdLock(record.path, then: "mv \"$1\" \"$2\" && exec sleep 0.3", [record.path, target])
        XCTAssertTrue(try waitForExit(record, timeout: 20))
        XCTAssertEqual(try holder.wait(), 0)
        XCTAssertEqual(try store.find(record.uuid.value).status, .exited)
    }

    /// The lock holder's PID is found in /proc/locks (it names the flock --no-fork process).
    func testExclusiveHolderIsFound() throws {
        let record = try makePod(.run)
        let holder = try holdLock(record.path)
        let directory = try PodLock.openDirectory(record.path)
        XCTAssertEqual(PodLock.exclusiveHolder(of: directory), holder.pid)
        holder.kill()
        XCTAssertNil(PodLock.exclusiveHolder(of: directory))
    }
}
