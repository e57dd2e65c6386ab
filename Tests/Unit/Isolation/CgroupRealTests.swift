// Real cgroups on this machine (root only): create a pod and an app, put a child in it, set
// limits, read them back, check device access from inside, kill and remove; nothing is left.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class CgroupRealTests: XCTestCase {
    private let podName = "skiff-test-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"

    /// Opens `path` in a child that joined `node` (through PreparedIsolation): the errno, 0 if it opened.
    private func openErrno(in node: CgroupNode, _ path: String, flags: Int32 = O_RDONLY) throws -> Int? {
        let iso = try PreparedIsolation(capabilities: nil, seccomp: nil, noNewPrivileges: false, oomScoreAdjust: nil, uid: 0, cgroupProcs: node.openProcs())
        let cPath = strdup(path)
        defer { free(cPath) }
        let address = Int(bitPattern: UnsafeRawPointer(cPath))
        let outcome = try runProbe(isolation: iso, action: .syscall(syscallNumber("openat"), [Int(AT_FDCWD), address, Int(flags | O_CLOEXEC)]))
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        return outcome.number(after: "errno")
    }

    func testPodAndAppWithLimitsOnThisHost() throws {
        try requireRoot()
        let layout = try Cgroups.detect()
        let limits = CgroupLimits(memoryBytes: 64 << 20, cpuMillicores: 250, cpuShares: 256, restrictDevices: true)
        let started = monotonicNanoseconds()
        let pod = try CgroupNode.create(layout: layout, name: podName, controllers: limits.controllers)
        defer { try? pod.remove(kill: true) }
        let app = try pod.child("app")
        try app.apply(limits)
        let setup = Double(monotonicNanoseconds() - started) / 1000
        print("CGROUP-SETUP \(layout.mode.rawValue): pod + app + limits (\(app.members.count) hierarchies): \(String(format: "%.0f", setup)) µs")

        let readback = try app.readLimits()
        XCTAssertEqual(readback.memoryBytes, 64 << 20)
        XCTAssertEqual(readback.cpuQuota, 25_000)
        XCTAssertEqual(readback.cpuPeriod, 100_000)
        if app.member(for: .cpu)?.hierarchy.version == 1 {
            XCTAssertEqual(readback.cpuShares, 256)
        } else {
            XCTAssertEqual(readback.cpuWeight, limits.cpuWeight)
        }
        if app.member(for: .devices)?.hierarchy.version == 1 {
            XCTAssertTrue(readback.devices.contains("c 1:3 rwm"), "\(readback.devices)")
            XCTAssertFalse(readback.devices.contains("a *:* rwm"), "\(readback.devices)")
        } else {
            XCTAssertEqual(readback.devices, ["bpf program"])
        }

        // A child that joins through the isolation's cgroup.procs descriptors sees itself there.
        let iso = try PreparedIsolation(capabilities: nil, seccomp: nil, noNewPrivileges: false, oomScoreAdjust: nil, uid: 0, cgroupProcs: app.openProcs())
        let outcome = try runProbe(isolation: iso, action: .exec(["/bin/cat", "/proc/self/cgroup"]))
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        for member in app.members {
            let path = member.hierarchy.callerPath == "/" ? "/\(podName)/app" : "\(member.hierarchy.callerPath)/\(podName)/app"
            XCTAssertTrue(outcome.output.contains(path), "\(path) in \(outcome.output)")
        }
        // Devices: the standard nodes open, others do not.
        XCTAssertEqual(try openErrno(in: app, "/dev/null"), 0)
        XCTAssertEqual(try openErrno(in: app, "/dev/kmsg"), Int(EPERM))

        try pod.remove(kill: true)
        for member in pod.members + app.members { XCTAssertFalse(FileSystem.exists(member.directory), member.directory) }
        XCTAssertNil(try CgroupNode.existing(layout: layout, name: name))
    }

    func testRemoveKillsWhatIsStillRunning() throws {
        try requireRoot()
        let layout = try Cgroups.detect()
        let pod = try CgroupNode.create(layout: layout, name: podName, controllers: [.pids, .memory])
        defer { try? pod.remove(kill: true) }
        let app = try pod.child("sleeper")
        let iso = try PreparedIsolation(capabilities: nil, seccomp: nil, noNewPrivileges: false, oomScoreAdjust: nil, uid: 0, cgroupProcs: app.openProcs())
        let (rc, result) = forkExecInRoot(["/bin/sleep", "30"]) { $0.isolation = iso.pointer }
        XCTAssertEqual(rc, 0, "stage \(result.stage) errno \(result.error)")
        XCTAssertEqual(try pod.processes(), [result.pid])
        try pod.remove(kill: true, timeout: 5)
        var status: Int32 = 0
        waitpid(result.pid, &status, 0)
        XCTAssertEqual(status & 0x7f, SIGKILL)
        for member in pod.members { XCTAssertFalse(FileSystem.exists(member.directory), member.directory) }
    }

    func testV2DeviceProgramOnTheUnifiedHierarchy() throws {
        try requireRoot()
        let layout = try Cgroups.detect()
        let unified = try XCTUnwrap(layout.unified, "no cgroup2 mount")
        let v2only = CgroupLayout(mode: .unified, hierarchies: [unified])
        let node = try CgroupNode.create(layout: v2only, name: podName, controllers: [.devices])
        defer { try? node.remove(kill: true) }
        try node.apply(CgroupLimits(restrictDevices: true))
        XCTAssertEqual(try node.readLimits().devices, ["bpf program"])
        XCTAssertEqual(try openErrno(in: node, "/dev/zero"), 0)
        XCTAssertEqual(try openErrno(in: node, "/dev/full", flags: O_WRONLY), 0)
        XCTAssertEqual(try openErrno(in: node, "/dev/kmsg"), Int(EPERM))

        // sk_exec's into_cgroup: the child is born in the cgroup (clone3 CLONE_INTO_CGROUP).
        let directory = try XCTUnwrap(try node.openUnifiedDirectory())
        XCTAssertTrue(try node.openProcs(skippingUnified: true).isEmpty)
        let scratch = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-iso-clone-")
        defer { try? FileSystem.removeTree(scratch) }
        let (rc, result) = forkExecInRoot(["/bin/sh", "-c", "cat /proc/self/cgroup > \"$0\"", scratch + "/cgroup"]) { attr in
            attr.into_cgroup = 1
            attr.cgroup_fd = directory.raw
        }
        XCTAssertEqual(rc, 0, "stage \(result.stage) errno \(result.error)")
        var status: Int32 = 0
        waitpid(result.pid, &status, 0)
        let seen = String(decoding: try FileSystem.read(scratch + "/cgroup"), as: UTF8.self)
        let expected = unified.callerPath == "/" ? "0::/\(podName)\n" : "0::\(unified.callerPath)/\(podName)\n"
        XCTAssertTrue(seen.hasSuffix(expected), seen)
        try node.remove(kill: true)
        XCTAssertFalse(FileSystem.exists(node.members[0].directory))
    }
}
