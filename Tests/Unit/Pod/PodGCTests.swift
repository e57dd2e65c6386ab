// gc: pass 1 marks, pass 2 sweeps; grace periods, expiry, mark-only, cleanup failures, debris.
#if canImport(Glibc)
import Glibc
#endif
import SkiffStage1
import SkiffSystem
import XCTest

@testable import SkiffPod

final class PodGCTests: PodTestCase {
    private struct CleanupFailed: Error, CustomStringConvertible {
        var description: String { "stage1 gc exited with 254" }
    }

    private var gc: PodGC { PodGC(store: store) }

    /// The state of the pod with `uuid` now, or nil if it is gone.
    private func state(_ uuid: PodUUID) -> PodState? { store.locate(uuid)?.state }

    /// Pass 1 alone: exited run/ → exited-garbage/, aborted prepare/ → garbage/, unlocked embryo
    /// debris → garbage/; running, preparing, locked embryos and fresh prepared pods stay.
    func testMarkOnlyMarksWhatIsFinished() throws {
        let exited = try makePod(.run)
        let running = try makePod(.run)
        try holdLock(running.path)
        let aborted = try makePod(.prepare)
        let preparing = try makePod(.prepare)
        try holdLock(preparing.path)
        let prepared = try makePod(.prepared)
        let debris = try makePod(.embryo)
        let creating = try store.create()
        var cleaned: [PodUUID] = []
        let report = try gc.collect(gracePeriod: 0, expirePrepared: 3600, markOnly: true, now: now) {
            cleaned.append($0.uuid)
        }
        XCTAssertEqual(Set(report.marked), Set([exited, aborted, debris].map(\.uuid.value)))
        XCTAssertEqual(report.removed, [])
        XCTAssertEqual(report.failed, [])
        XCTAssertEqual(cleaned, [])
        XCTAssertEqual(state(exited.uuid), .exitedGarbage)
        XCTAssertEqual(state(aborted.uuid), .garbage)
        XCTAssertEqual(state(debris.uuid), .garbage)
        XCTAssertEqual(state(running.uuid), .run)
        XCTAssertEqual(state(preparing.uuid), .prepare)
        XCTAssertEqual(state(prepared.uuid), .prepared)
        XCTAssertEqual(state(creating.uuid), .embryo)
        XCTAssertEqual(try store.find(exited.uuid.value).status, .exitedGarbage)
    }

    /// Exited pods stay readable for the grace period after marking, then are cleaned up once
    /// and deleted; garbage/ pods go at once.
    func testGracePeriod() throws {
        let exited = try makePod(.run)
        let aborted = try makePod(.prepare)
        var cleaned: [(PodUUID, PodState)] = []
        let first = try gc.collect(gracePeriod: 1800, expirePrepared: 3600, markOnly: false, now: now) {
            cleaned.append(($0.uuid, $0.state))
        }
        XCTAssertEqual(Set(first.marked), Set([exited.uuid.value, aborted.uuid.value]))
        XCTAssertEqual(first.removed, [aborted.uuid.value])
        XCTAssertEqual(state(exited.uuid), .exitedGarbage)
        XCTAssertNil(state(aborted.uuid))
        let second = try gc.collect(gracePeriod: 1800, expirePrepared: 3600, markOnly: false, now: now + 1700) {
            cleaned.append(($0.uuid, $0.state))
        }
        XCTAssertEqual(second.removed, [])
        XCTAssertEqual(state(exited.uuid), .exitedGarbage)
        let third = try gc.collect(gracePeriod: 1800, expirePrepared: 3600, markOnly: false, now: now + 1900) {
            cleaned.append(($0.uuid, $0.state))
        }
        XCTAssertEqual(third.removed, [exited.uuid.value])
        XCTAssertNil(state(exited.uuid))
        XCTAssertEqual(cleaned.map(\.0), [aborted.uuid, exited.uuid])
        XCTAssertEqual(cleaned.map(\.1), [.garbage, .exitedGarbage])
    }

    /// With no grace period, pods marked by the same collection are swept even when the clock
    /// ticked past the caller's `now` while marking (mark times are capped at `now`).
    func testZeroGraceSweepsPodsMarkedAfterNow() throws {
        let exited = try makePod(.run)
        let report = try gc.collect(gracePeriod: 0, expirePrepared: 3600, markOnly: false, now: now - 5) { _ in }
        XCTAssertEqual(report.marked, [exited.uuid.value])
        XCTAssertEqual(report.removed, [exited.uuid.value])
    }

    /// Prepared pods expire `expirePrepared` seconds after entering prepared/; a locked one (being
    /// started by run-prepared) is never taken.
    func testExpirePrepared() throws {
        let prepared = try makePod(.prepared)
        let starting = try makePod(.prepared)
        try holdLock(starting.path)
        let early = try gc.collect(gracePeriod: 0, expirePrepared: 3600, markOnly: false, now: now + 3000) { _ in }
        XCTAssertEqual(early.marked, [])
        XCTAssertEqual(state(prepared.uuid), .prepared)
        let late = try gc.collect(gracePeriod: 1800, expirePrepared: 3600, markOnly: false, now: now + 3700) { _ in }
        XCTAssertEqual(late.marked, [prepared.uuid.value])
        XCTAssertEqual(late.removed, [prepared.uuid.value])
        XCTAssertNil(state(prepared.uuid))
        XCTAssertEqual(state(starting.uuid), .prepared)
    }

    /// An unlocked embryo without pod-created, while a creator is between mkdir and flock (it
    /// holds embryo/ shared), may be that creator's pod: it is debris only after a minute.
    func testYoungEmbryoWithoutPodCreatedIsLeftAloneWhileACreatorIsMidway() throws {
        let uuid = PodUUID.random()
        try FileSystem.createDirectory(store.path(of: uuid, in: .embryo))
        let creator = try FileDescriptor.open(store.directory(of: .embryo), O_RDONLY | O_DIRECTORY)
        try check("flock embryo/ shared") { flock(creator.raw, LOCK_SH | LOCK_NB) }
        XCTAssertEqual(try gc.collect(gracePeriod: 0, expirePrepared: 0, markOnly: false, now: now) { _ in }.marked, [])
        XCTAssertEqual(state(uuid), .embryo)
        let report = try gc.collect(gracePeriod: 0, expirePrepared: 0, markOnly: false, now: now + 120) { _ in }
        XCTAssertEqual(report.removed, [uuid.value])
        XCTAssertNil(state(uuid))
    }

    /// With no creator mid-way, an unlocked embryo without pod-created is the debris of a creator
    /// killed between mkdir and pod-created: removed at once.
    func testEmbryoWithoutPodCreatedAndNoCreatorIsDebris() throws {
        let uuid = PodUUID.random()
        try FileSystem.createDirectory(store.path(of: uuid, in: .embryo))
        let report = try gc.collect(gracePeriod: 0, expirePrepared: 0, markOnly: false, now: now) { _ in }
        XCTAssertEqual(report.removed, [uuid.value])
        XCTAssertNil(state(uuid))
    }

    /// A failing cleanup keeps the pod where it is and says why; the next gc finishes it.
    func testCleanupFailureKeepsThePod() throws {
        let exited = try makePod(.run)
        let report = try gc.collect(gracePeriod: 0, expirePrepared: 3600, markOnly: false, now: now) { _ in
            throw CleanupFailed()
        }
        XCTAssertEqual(report.removed, [])
        let expected = "\(exited.uuid): clean up pod \(exited.uuid): stage1 gc exited with 254"
        XCTAssertEqual(report.failed, [expected])
        XCTAssertEqual(state(exited.uuid), .exitedGarbage)
        XCTAssertTrue(FileSystem.exists(PodPaths(root: store.path(of: exited.uuid, in: .exitedGarbage)).created))
        let retry = try gc.collect(gracePeriod: 0, expirePrepared: 3600, markOnly: false, now: now) { _ in }
        XCTAssertEqual(retry.removed, [exited.uuid.value])
        XCTAssertNil(state(exited.uuid))
    }

    /// Crash debris: an embryo whose creator died, a prepare that died, a run pod whose stage1
    /// died (the holder killed: nobody unlocked anything). One gc with no grace removes them all.
    func testCrashDebrisIsCollected() throws {
        let embryo = try store.create()
        embryo.unlock()
        let embryoHolder = try holdLock(embryo.path)  // the creating process, from here on
        let prepare = try makePod(.prepare)
        let prepareHolder = try holdLock(prepare.path)
        let run = try makePod(.run)
        let stage1 = try holdLock(run.path)
        try write(run.paths.appStatus("app"), "0\n")
        let busy = try gc.collect(gracePeriod: 0, expirePrepared: 3600, markOnly: false, now: now) { _ in }
        XCTAssertEqual(busy.marked + busy.removed + busy.failed, [], "everything is alive")
        [embryoHolder, prepareHolder, stage1].forEach { $0.kill() }
        let report = try gc.collect(gracePeriod: 0, expirePrepared: 3600, markOnly: false, now: now) { _ in }
        XCTAssertEqual(Set(report.removed), Set([embryo.uuid, prepare.uuid, run.uuid].map(\.value)))
        XCTAssertEqual(report.failed, [])
        XCTAssertEqual(try store.all().count, 0)
    }

    /// A marked pod someone else is deleting (locked) is skipped, not reported as failed.
    func testBusyMarkedPodIsSkipped() throws {
        let marked = try store.move(try makePod(.run), to: .exitedGarbage)
        try holdLock(marked.path)
        let report = try gc.collect(gracePeriod: 0, expirePrepared: 3600, markOnly: false, now: now) { _ in }
        XCTAssertEqual(report.removed + report.failed, [])
        XCTAssertEqual(state(marked.uuid), .exitedGarbage)
        XCTAssertEqual(marked.status, .deleting)
    }
}
