// What a pod's files say: manifest, pid, app statuses (incl. the overlay-upper fallback), times.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffStage1
import SkiffSystem
import XCTest

@testable import SkiffPod

final class PodFilesTests: PodTestCase {
    /// A pod in `state` whose manifest has apps `names`.
    private func makePod(_ state: PodState, apps names: [String]) throws -> PodRecord {
        let record = try makePod(state)
        let image = RuntimeImage(id: try ImageID(validating: "sha512-" + String(repeating: "ab", count: 64)))
        let apps = try names.map { RuntimeApp(name: try ACName(validating: $0), image: image, app: nil) }
        try FileSystem.writeAtomically(record.paths.manifest, PodManifest(apps: apps).encoded(pretty: false))
        return record
    }

    /// The manifest reads back; a malformed one is an error naming the pod.
    func testManifest() throws {
        let record = try makePod(.prepared, apps: ["web", "db"])
        XCTAssertEqual(try record.manifest().apps.map(\.name.value), ["web", "db"])
        try write(record.paths.manifest, "{\"acKind\": \"ImageManifest\"}")
        XCTAssertThrowsError(try record.manifest()) { error in
            XCTAssertTrue("\(error)".hasPrefix("read the manifest of pod \(record.uuid): pod manifest"), "\(error)")
        }
    }

    /// pid: nil while absent or empty (stage0's file, not written yet), the number when written
    /// (newline and all), an error naming the pod when malformed; started is the pid file's
    /// mtime once written.
    func testPid() throws {
        let record = try makePod(.run)
        XCTAssertNil(try record.pid())
        XCTAssertNil(record.started)
        try write(record.paths.pid, "")
        XCTAssertNil(try record.pid(), "empty: not written yet")
        XCTAssertNil(record.started, "empty: not started yet")
        try write(record.paths.pid, "4242\n")
        try setModificationTime(record.paths.pid, 1_700_000_123)
        XCTAssertEqual(try record.pid(), 4242)
        XCTAssertEqual(record.started, 1_700_000_123)
        for bad in ["\n", "abc\n", "-5\n", "0\n", "12 34\n", "99999999999\n"] {
            try write(record.paths.pid, bad)
            XCTAssertThrowsError(try record.pid(), bad) { error in
                XCTAssertEqual((error as? SkiffError)?.code, .invalid)
                XCTAssertTrue("\(error)".hasPrefix("read the pid of pod \(record.uuid)"), "\(error)")
                XCTAssertTrue("\(error)".contains("not a process id"), "\(error)")
            }
        }
    }

    /// App statuses come from the stage1 root, else from the overlay's upper directory; apps
    /// without a status file are absent; the stage1 root wins when both exist.
    func testAppStatusesWithUpperFallback() throws {
        let record = try makePod(.run, apps: ["web", "db", "cache", "worker"])
        try write(record.paths.appStatus("web"), "0\n")
        try write(record.paths.appStatusInUpper("db"), "137\n")
        try write(record.paths.appStatus("worker"), "3\n")
        try write(record.paths.appStatusInUpper("worker"), "99\n")
        try write(record.paths.appStatus("stranger"), "5\n")  // not in the manifest
        try write(record.paths.appStatus("cache"), "")  // stage0's empty file: not ended yet
        XCTAssertEqual(try record.appStatuses(), ["web": 0, "db": 137, "worker": 3])
        try write(record.paths.appStatus("web"), "zero\n")
        XCTAssertThrowsError(try record.appStatuses()) { error in
            XCTAssertTrue("\(error)".hasPrefix("read the app statuses of pod \(record.uuid)"), "\(error)")
        }
    }

    /// exitedAt: the newest status mtime (either place), else the directory's mtime; nil while
    /// the pod runs or is not in run/ or exited-garbage/.
    func testExitedAt() throws {
        let record = try makePod(.run, apps: ["web", "db"])
        try write(record.paths.appStatus("db"), "")  // stage0's empty file: no exit time yet
        try setModificationTime(record.paths.appStatus("db"), 1_800_000_000)
        try setModificationTime(record.path, 1_600_000_000)
        XCTAssertEqual(record.exitedAt, 1_600_000_000)
        try write(record.paths.appStatus("web"), "0\n")
        try setModificationTime(record.paths.appStatus("web"), 1_700_000_000)
        try write(record.paths.appStatusInUpper("db"), "1\n")
        try setModificationTime(record.paths.appStatusInUpper("db"), 1_700_000_500)
        XCTAssertEqual(record.exitedAt, 1_700_000_500)
        let holder = try holdLock(record.path)
        XCTAssertNil(record.exitedAt, "running")
        holder.kill()
        let marked = try store.move(record, to: .exitedGarbage)
        XCTAssertEqual(marked.exitedAt, 1_700_000_500)
        XCTAssertNil(try store.move(marked, to: .prepared).exitedAt)
    }
}
