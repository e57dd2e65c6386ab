// rm: one pod now; refuses running pods; the removal itself (read-only trees, symlinks).
#if canImport(Glibc)
import Glibc
#endif
import SkiffStage1
import SkiffSystem
import XCTest

@testable import SkiffPod

final class PodRemoveTests: PodTestCase {
    private var gc: PodGC { PodGC(store: store) }

    /// A running pod is refused with "pod <uuid> is running", untouched, its cleanup not run.
    func testRemoveRefusesRunningPod() throws {
        let running = try makePod(.run)
        try holdLock(running.path)
        var cleaned = false
        XCTAssertThrowsError(try gc.remove(running) { _ in cleaned = true }) { error in
            XCTAssertTrue("\(error)".contains("pod \(running.uuid) is running"), "\(error)")
        }
        XCTAssertFalse(cleaned)
        XCTAssertEqual(store.locate(running.uuid)?.state, .run)
        let preparing = try makePod(.prepare)
        try holdLock(preparing.path)
        XCTAssertThrowsError(try gc.remove(preparing) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("pod \(preparing.uuid) is busy (preparing)"), "\(error)")
        }
    }

    /// An exited pod goes at once (no grace period); cleanup sees it marked exited-garbage and
    /// locked. A prepared pod goes too, its cleanup seeing garbage.
    func testRemoveExitedAndPreparedPods() throws {
        let exited = try makePod(.run)
        try write(exited.paths.appStatus("app"), "0\n")
        var seen: [(PodState, Bool)] = []
        try gc.remove(exited) { seen.append(($0.state, (try? $0.isLocked()) ?? false)) }
        XCTAssertNil(store.locate(exited.uuid))
        let prepared = try makePod(.prepared)
        try gc.remove(try store.find(prepared.uuid.value)) { seen.append(($0.state, (try? $0.isLocked()) ?? false)) }
        XCTAssertNil(store.locate(prepared.uuid))
        XCTAssertEqual(seen.map(\.0), [.exitedGarbage, .garbage])
        XCTAssertEqual(seen.map(\.1), [true, true])
    }

    /// A failed cleanup leaves the pod marked (in exited-garbage/, for the next gc) and the error
    /// names the pod.
    func testRemoveCleanupFailureLeavesPodMarked() throws {
        let exited = try makePod(.run)
        struct Failure: Error, CustomStringConvertible { var description: String { "no network namespace" } }
        XCTAssertThrowsError(try gc.remove(exited) { _ in throw Failure() }) { error in
            XCTAssertEqual("\(error)", "clean up pod \(exited.uuid): no network namespace")
        }
        XCTAssertEqual(store.locate(exited.uuid)?.state, .exitedGarbage)
    }

    /// Removal empties read-only directories (as images have) and removes symlinks without
    /// following them: the target outside survives.
    func testRemovalHandlesReadOnlyTreesAndSymlinks() throws {
        let outside = scratch + "/outside"
        try write(outside + "/keep", "keep")
        let pod = try makePod(.run)
        let rootfs = pod.paths.appRootfs("app")
        try write(rootfs + "/usr/bin/tool", "#!/bin/sh\n")
        try write(rootfs + "/locked/inner/file", "x")
        try check("symlink") { symlink(outside, rootfs + "/escape") }
        try check("symlink") { symlink(outside + "/keep", rootfs + "/usr/keep-link") }
        try check("chmod") { chmod(rootfs + "/usr/bin", 0o555) }
        try check("chmod") { chmod(rootfs + "/locked/inner", 0o000) }
        try check("chmod") { chmod(rootfs + "/locked", 0o500) }
        try gc.remove(pod) { _ in }
        XCTAssertNil(store.locate(pod.uuid))
        XCTAssertEqual(try FileSystem.read(outside + "/keep"), Array("keep".utf8))
    }
}
