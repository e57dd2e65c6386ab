// Figures for list/status and gc over 1,000 pods. Measured and printed, never asserted: the
// timed benchmark lives outside the unit tests.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffStage1
import SkiffSystem
import XCTest

@testable import SkiffPod

final class PodBenchmarkTests: PodTestCase {
    /// 1,000 pods over the states (every tenth run/ pod locked by a handle of this process, which
    /// probes see as held): `all()` plus `status` of each, as `list` does; then, separately, the
    /// manifest and app statuses of each, which `list` also shows.
    func testListAndStatusOf1000Pods() throws {
        let image = RuntimeImage(id: try ImageID(validating: "sha512-" + String(repeating: "ab", count: 64)))
        let manifest = PodManifest(apps: [RuntimeApp(name: try ACName(validating: "app"), image: image, app: nil)])
        var handles: [PodHandle] = []
        for index in 0..<1000 {
            let state: PodState = index % 4 == 0 ? .exitedGarbage : (index % 4 == 1 ? .prepared : .run)
            let record = try makePod(state)
            let file = try FileDescriptor.open(record.paths.manifest, O_WRONLY | O_CREAT | O_EXCL)
            try file.write(manifest.encoded(pretty: false))
            if state == .run && index % 10 == 2, let handle = try record.lockExclusive(wait: false) {
                handles.append(handle)
            }
        }
        let start = PodClock.monotonic()
        let records = try store.all()
        let listed = PodClock.monotonic()
        var counts: [PodStatus: Int] = [:]
        for record in records { counts[record.status, default: 0] += 1 }
        let probed = PodClock.monotonic()
        var apps = 0
        var statuses = 0
        for record in records {
            let manifest = try record.manifest()
            apps += manifest.apps.count
            statuses += try record.appStatuses(of: manifest).count
        }
        let end = PodClock.monotonic()
        XCTAssertEqual(records.count, 1000)
        XCTAssertEqual(counts[.running], handles.count)
        XCTAssertEqual(counts[.exitedGarbage], 250)
        XCTAssertEqual(counts[.prepared], 250)
        XCTAssertEqual(apps, 1000)
        XCTAssertEqual(statuses, 0)
        print(
            "pod benchmark: all() of 1000 pods \(milliseconds(listed - start)) ms, "
                + "status of each \(milliseconds(probed - listed)) ms, "
                + "manifest and app statuses of each \(milliseconds(end - probed)) ms")
    }

    /// gc of 1,000 exited pods (each with a manifest, a pid and a stage1 manifest, besides
    /// pod-created): mark and sweep in one collection with no grace period. The pods are kept
    /// small because creating files is what costs here, not collecting them.
    func testCollect1000ExitedPods() throws {
        for _ in 0..<1000 {
            let paths = try makePod(.run).paths
            try check("mkdir") { mkdir(paths.stage1, 0o755) }
            for (path, text) in [(paths.manifest, "{}"), (paths.pid, "42\n"), (paths.stage1Manifest, "{}")] {
                // No O_TRUNC: ext4 flushes a truncated file on close, which is not what is measured.
                try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_EXCL).write(Array(text.utf8))
            }
        }
        var cleaned = 0
        let start = PodClock.monotonic()
        let report = try PodGC(store: store).collect(gracePeriod: 0, expirePrepared: 3600, markOnly: false, now: now) { _ in
            cleaned += 1
        }
        let end = PodClock.monotonic()
        XCTAssertEqual(report.marked.count, 1000)
        XCTAssertEqual(report.removed.count, 1000)
        XCTAssertEqual(report.failed, [])
        XCTAssertEqual(cleaned, 1000)
        XCTAssertEqual(try store.all().count, 0)
        print("pod benchmark: gc of 1000 exited pods \(milliseconds(end - start)) ms")
    }

    /// Seconds as milliseconds with one decimal.
    private func milliseconds(_ seconds: Double) -> Double { (seconds * 10_000).rounded() / 10 }
}
