// The pods/ tree: state directories, creating pods, moving them, listing them.
#if canImport(Glibc)
import Glibc
#endif
import SkiffStage1
import SkiffSystem
import XCTest

@testable import SkiffPod

final class PodStoreTests: PodTestCase {
    /// init creates the six state directories, mode 0750.
    func testInitCreatesStateDirectories() throws {
        for state in PodState.allCases {
            let st = try FileSystem.status(store.directory(of: state))
            XCTAssertEqual(st.st_mode & S_IFMT, S_IFDIR, state.rawValue)
            XCTAssertEqual(st.st_mode & 0o777, 0o750 & ~currentUmask(), state.rawValue)
        }
        XCTAssertEqual(store.directory(of: .exitedGarbage), scratch + "/data/pods/exited-garbage")
    }

    /// A data directory that cannot hold pods (a file is in the way) is an error naming it.
    func testInitOnAFileFails() throws {
        let file = scratch + "/file"
        try write(file, "not a directory")
        XCTAssertThrowsError(try PodStore(dataDirectory: file)) { error in
            XCTAssertTrue("\(error)".hasPrefix("open the pods of \(quote(file)): mkdir"), "\(error)")
        }
    }

    /// create makes pods/embryo/<uuid> with pod-created, locked: another process cannot lock it
    /// until the handle unlocks.
    func testCreateMakesLockedEmbryo() throws {
        let handle = try store.create()
        XCTAssertEqual(handle.state, .embryo)
        XCTAssertEqual(handle.path, store.directory(of: .embryo) + "/" + handle.uuid.value)
        XCTAssertTrue(FileSystem.exists(handle.paths.created))
        XCTAssertEqual(try lockableByAnotherProcess(handle.path), false)
        XCTAssertTrue(try handle.record.isLocked())
        XCTAssertEqual(handle.record.status, .embryo)
        let created = try XCTUnwrap(handle.record.created)
        XCTAssertLessThanOrEqual(abs(created - now), 5)
        handle.unlock()
        XCTAssertFalse(handle.isLocked)
        XCTAssertEqual(try lockableByAnotherProcess(handle.path), true)
        XCTAssertFalse(try handle.record.isLocked())
    }

    /// Every state can be moved to every other, by handle (the lock travels with the directory)
    /// and by record.
    func testMovesBetweenEveryState() throws {
        for from in PodState.allCases {
            for to in PodState.allCases where to != from {
                let handle = try store.create()
                try store.move(handle, to: from)
                let old = handle.path
                try store.move(handle, to: to)
                XCTAssertEqual(handle.state, to)
                XCTAssertFalse(FileSystem.exists(old), "\(from) → \(to)")
                XCTAssertTrue(FileSystem.isDirectory(store.path(of: handle.uuid, in: to)), "\(from) → \(to)")
                XCTAssertTrue(try handle.record.isLocked(), "lock lost moving \(from) → \(to)")
                handle.unlock()

                let record = try store.move(try store.find(handle.uuid.value), to: from)
                XCTAssertEqual(record.state, from)
                XCTAssertEqual(try store.find(handle.uuid.value).state, from)
                try FileSystem.removeTree(record.path)
            }
        }
    }

    /// Moving a pod another process moved or removed first is a clear not-found error naming it.
    func testMoveOfVanishedPodIsClearError() throws {
        let record = try makePod(.run)
        try FileSystem.rename(record.path, to: store.path(of: record.uuid, in: .exitedGarbage))
        XCTAssertThrowsError(try store.move(record, to: .exitedGarbage)) { error in
            let error = error as? SkiffError
            XCTAssertEqual(error?.code, .notFound)
            XCTAssertTrue(error?.message.hasPrefix("move pod \(record.uuid)") ?? false, error?.message ?? "")
            XCTAssertTrue(error?.message.contains("moved or removed by another process") ?? false, error?.message ?? "")
        }
        let handle = try XCTUnwrap(try store.create())
        handle.unlock()
        XCTAssertThrowsError(try store.move(handle, to: .prepare)) { error in
            XCTAssertTrue((error as? SkiffError)?.message.contains("not locked") ?? false, "\(error)")
        }
    }

    /// all() lists every pod in every state, sorted by creation time, ties by UUID.
    func testAllIsSortedByCreationTime() throws {
        let base = now - 1000
        let expected = [
            try makePod(.garbage, created: base), try makePod(.run, created: base + 10),
            try makePod(.embryo, created: base + 20), try makePod(.exitedGarbage, created: base + 30),
            try makePod(.prepared, created: base + 40), try makePod(.prepare, created: base + 50),
        ]
        let listed = try store.all()
        XCTAssertEqual(listed.map(\.uuid), expected.map(\.uuid))
        XCTAssertEqual(listed.map(\.state), [.garbage, .run, .embryo, .exitedGarbage, .prepared, .prepare])
        XCTAssertEqual(listed.map(\.created), (0..<6).map { base + Int64($0) * 10 })
    }

    /// lockExclusive: nil when another process holds the lock and not waiting; a handle in the
    /// right state otherwise; inheritableLockFD clears close-on-exec.
    func testLockExclusiveAndInheritableDescriptor() throws {
        let record = try makePod(.prepared)
        let holder = try holdLock(record.path)
        XCTAssertNil(try record.lockExclusive(wait: false))
        holder.kill()
        let handle = try XCTUnwrap(try record.lockExclusive(wait: false))
        XCTAssertEqual(handle.state, .prepared)
        XCTAssertEqual(try lockableByAnotherProcess(record.path), false)
        XCTAssertNotEqual(fcntl(handle.directory.raw, F_GETFD) & FD_CLOEXEC, 0)
        let fd = try handle.inheritableLockFD()
        XCTAssertEqual(fd, handle.directory.raw)
        XCTAssertEqual(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0)
        handle.unlock()
        XCTAssertEqual(try lockableByAnotherProcess(record.path), true)
    }

    /// A pod renamed while its lock was awaited is reported where it went: the holder (playing
    /// gc) waits until a lock waiter shows in /proc/locks, renames the pod and exits.
    func testLockExclusiveFollowsMoveMadeWhileWaiting() throws {
        let record = try makePod(.run)
        let target = store.path(of: record.uuid, in: .exitedGarbage)
        let waitForWaiter = "n=0; until grep -q -- '-> FLOCK' /proc/locks || [ $n -ge 1000 ]; do sleep 0.01; n=$((n+1)); done"
        let holder = try holdLock(record.path, then: waitForWaiter + "; exec mv \"$1\" \"$2\"", [record.path, target])
        let handle = try XCTUnwrap(try record.lockExclusive(wait: true))
        XCTAssertEqual(handle.state, .exitedGarbage)
        XCTAssertEqual(handle.path, target)
        XCTAssertEqual(try holder.wait(), 0)
    }

    /// Whether util-linux flock in another process can take the exclusive lock at once.
    private func lockableByAnotherProcess(_ path: String) throws -> Bool {
        let result = try Subprocess.run(["flock", "--nonblock", "--exclusive", path, "true"])
        return result.status == 0
    }

    private func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }
}
