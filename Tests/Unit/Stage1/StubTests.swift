// The recording stub stage1 that stage0's contract tests use: what it records and how it behaves.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SkiffImage
@testable import SkiffStage1
import SkiffSystem
import XCTest

final class StubTests: XCTestCase {
    private var pods: [Stage1TestPod] = []

    override func tearDownWithError() throws {
        for pod in pods { try pod.remove() }
    }

    private func makePod(annotations: [String: String] = [:]) throws -> Stage1TestPod {
        let pod = try Stage1TestPod(flavor: "stub", binary: try stage1Binary("stage1-stub"))
        pods.append(pod)
        let notes = try annotations.map { Annotation(name: try ACIdentifier(validating: $0.key), value: $0.value) }
        try pod.write(PodManifest(apps: [try stage1App("web", exec: ["/web"]), try stage1App("db", exec: ["/db"])], annotations: notes))
        return pod
    }

    private func record(_ pod: Stage1TestPod, _ name: String = "stub-record.json") throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(try FileSystem.read(pod.directory.path + "/" + name)))
    }

    func testRunRecordsArgumentsEnvironmentLockAndDescriptors() throws {
        let pod = try makePod()
        let result = try stage1RunEntrypoint(
            "stub-run", ["--debug", "--local-config=/etc/skiff", stage1TestUUID], in: pod,
            environment: ["SKIFF_DATA_DIR": "/var/lib/skiff", "SKIFF_STUB_BEHAVIOUR": "exit:3", "UNRELATED": "x"], lock: true)
        XCTAssertEqual(result.status, 3, result.stderr)
        let record = try record(pod)
        XCTAssertEqual(record["entrypoint"], .string("run"))
        XCTAssertEqual(record["argv"], .array([pod.paths.stage1Rootfs + "/stub-run", "--debug", "--local-config=/etc/skiff", stage1TestUUID].map { .string($0) }))
        XCTAssertEqual(record["cwd"], .string(pod.directory.path))
        XCTAssertEqual(record["environment"]?["SKIFF_DATA_DIR"], .string("/var/lib/skiff"))
        XCTAssertNil(record["environment"]?["UNRELATED"], "only selected variables")
        let lockFD = try XCTUnwrap(record["environment"]?["SKIFF_LOCK_FD"]?.stringValue.flatMap { Int($0) })
        XCTAssertEqual(record["lock"]?["valid"], .bool(true))
        XCTAssertEqual(record["lock"]?["holdsLock"], .bool(true))
        XCTAssertEqual(record["lock"]?["closeOnExec"], .bool(false), "stage0 hands it over inheritable")
        let fds = record["fds"]?.arrayValue?.compactMap { $0.numberValue.map { Int($0) } } ?? []
        XCTAssertTrue(Set([0, 1, 2, lockFD]).isSubset(of: Set(fds)), "\(fds)")
        // pid is the stub's own; every app got the status it exited with.
        XCTAssertEqual(try PodFiles.readPID(paths: pod.paths).map { Double($0) }, record["pid"]?.numberValue)
        XCTAssertEqual(try PodFiles.readStatus(app: "web", paths: pod.paths), 3)
        XCTAssertEqual(try PodFiles.readStatus(app: "db", paths: pod.paths), 3)
    }

    func testRunWithoutALockRecordsThenFails() throws {
        let pod = try makePod()
        let result = try stage1RunEntrypoint("stub-run", [stage1TestUUID], in: pod)
        XCTAssertEqual(result.status, 254)
        XCTAssertEqual(result.stderr, "skiff stage1 (stub): lock SKIFF_LOCK_FD: not set (stage1 entrypoints are started by skiff)\n")
        XCTAssertEqual(try record(pod)["lock"], .null)
        XCTAssertNil(try PodFiles.readPID(paths: pod.paths))
    }

    func testSleepEndsOnStopWithTERMStatuses() throws {
        let pod = try makePod(annotations: ["skiff.dev/stub/behaviour": "sleep:30"])
        let running = try Stage1RunningEntrypoint([pod.paths.stage1Rootfs + "/stub-run", stage1TestUUID], in: pod, lock: true)
        defer { kill(running.process.pid, SIGKILL) }
        let pid = try stage1WaitForPID(pod)
        XCTAssertEqual(pid, running.process.pid)
        XCTAssertNil(try PodFiles.readStatus(app: "web", paths: pod.paths), "no status while running")
        XCTAssertEqual(try stage1RunEntrypoint("stub-stop", [stage1TestUUID], in: pod).status, 0)
        XCTAssertEqual(try running.finish().status, 128 + SIGTERM)
        XCTAssertEqual(try PodFiles.readStatus(app: "db", paths: pod.paths), 128 + SIGTERM)
        XCTAssertEqual(try record(pod, "stub-record-stop.json")["argv"]?.arrayValue?.last, .string(stage1TestUUID))
    }

    func testNoPIDAndCrash() throws {
        let pod = try makePod()
        let noPID = try stage1RunEntrypoint("stub-run", [stage1TestUUID], in: pod, environment: ["SKIFF_STUB_BEHAVIOUR": "no-pid"], lock: true)
        XCTAssertEqual(noPID.status, 254)
        XCTAssertNil(try PodFiles.readPID(paths: pod.paths))
        let crash = try stage1RunEntrypoint("stub-run", [stage1TestUUID], in: pod, environment: ["SKIFF_STUB_BEHAVIOUR": "crash"], lock: true)
        XCTAssertEqual(crash.status, 128 + SIGKILL)
        XCTAssertNotNil(try PodFiles.readPID(paths: pod.paths))
        XCTAssertNil(try PodFiles.readStatus(app: "web", paths: pod.paths))
        let bad = try stage1RunEntrypoint("stub-run", [stage1TestUUID], in: pod, environment: ["SKIFF_STUB_BEHAVIOUR": "dance"], lock: true)
        XCTAssertEqual(bad.status, 254)
        XCTAssertTrue(bad.stderr.contains("behaviour \"dance\""), bad.stderr)
    }

    func testEnterAndGCRecordTheirArguments() throws {
        let pod = try makePod(annotations: ["skiff.dev/stub/gc-behaviour": "exit:254"])
        let enter = EnterArguments(pid: 77, appName: "web", command: ["ls", "-l"])
        XCTAssertEqual(try stage1RunEntrypoint("stub-enter", enter.arguments, in: pod).status, 0)
        XCTAssertEqual(
            try record(pod, "stub-record-enter.json")["argv"],
            .array(([pod.paths.stage1Rootfs + "/stub-enter"] + enter.arguments).map { .string($0) }))
        XCTAssertEqual(try stage1RunEntrypoint("stub-gc", ["--debug", stage1TestUUID], in: pod).status, 254)
        XCTAssertEqual(try stage1RunEntrypoint("stub-gc", [stage1TestUUID], in: pod, environment: ["SKIFF_STUB_GC_BEHAVIOUR": "exit:0"]).status, 0)
        XCTAssertEqual(try record(pod, "stub-record-gc.json")["argv"]?.arrayValue?.count, 2)
    }
}
