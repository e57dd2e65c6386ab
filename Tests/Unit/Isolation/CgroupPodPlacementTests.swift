// The cheap-join placement of a pod's cgroups (CgroupNode+Pod.swift) against fake v1, v2 and
// hybrid trees: which hierarchies a pod and its apps use, what is written on the way down, the
// record gc reads back, and removal (unprivileged).
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class CgroupPodPlacementTests: XCTestCase {
    private func hybrid() throws -> FakeCgroupTree {
        try FakeCgroupTree(
            mounts: [
                ("cpu,cpuacct", "cgroup", "rw,cpu,cpuacct"), ("memory", "cgroup", "rw,memory"), ("devices", "cgroup", "rw,devices"),
                ("unified", "cgroup2", "rw"),
            ],
            cgroup: "3:devices:/\n2:memory:/caller\n1:cpu,cpuacct:/\n0::/\n", v2Controllers: "")
    }

    func testHybridPutsTrackingAndDevicesOnTheUnifiedHierarchy() throws {
        let fake = try hybrid()
        let layout = try Cgroups.detect(root: fake.root, proc: fake.proc)
        XCTAssertEqual(layout.mode, .hybrid)
        XCTAssertEqual(layout.cheapHierarchy(for: .devices)?.version, 2, "a BPF program: no v1 migration")
        XCTAssertEqual(layout.hierarchy(for: .devices)?.version, 1, "the plain lookup still names the v1 controller")

        let plain = try CgroupNode.plannedPod(layout: layout, name: "skiff-1", controllers: [.devices])
        XCTAssertEqual(plain.members.map(\.directory), [fake.root + "/unified/skiff-1"], "no v1 directory without a limit")
        XCTAssertEqual(plain.member(for: .devices)?.hierarchy.version, 2)

        let limited = try CgroupNode.plannedPod(layout: layout, name: "skiff-2", controllers: [.devices, .memory, .cpu])
        XCTAssertEqual(Set(limited.members.map(\.directory)), [
            fake.root + "/unified/skiff-2", fake.root + "/memory/caller/skiff-2", fake.root + "/cpu,cpuacct/skiff-2",
        ])
        XCTAssertFalse(FileSystem.exists(fake.root + "/unified/skiff-2"), "planned only: a stage1 records before it creates")
        try limited.create()
        let app = try limited.child("web", using: [.memory, .devices])
        XCTAssertEqual(Set(app.members.map(\.directory)), [fake.root + "/unified/skiff-2/web", fake.root + "/memory/caller/skiff-2/web"])
        let quiet = try limited.child("quiet", using: [])
        XCTAssertEqual(quiet.members.map(\.directory), [fake.root + "/unified/skiff-2/quiet"], "tracked on v2 only")

        let record = limited.record
        XCTAssertEqual(record.split(separator: "\n").count, 3)
        try CgroupNode.recorded(record.split(separator: "\n").map(String.init)).remove(kill: false)
        for member in limited.members { XCTAssertFalse(FileSystem.exists(member.directory), member.directory) }
        try CgroupNode.recorded([fake.root + "/unified/skiff-2"]).remove(kill: false)  // again: nothing left, no error
    }

    func testUnifiedEnablesControllersOnTheWayDown() throws {
        let fake = try FakeCgroupTree(mounts: [("", "cgroup2", "rw")], cgroup: "0::/delegated\n", v2Controllers: "cpu memory pids")
        let layout = try Cgroups.detect(root: fake.root, proc: fake.proc)
        XCTAssertEqual(layout.mode, .unified)
        let pod = try CgroupNode.plannedPod(layout: layout, name: "skiff-3", controllers: [.memory, .devices])
        XCTAssertEqual(pod.members.count, 1)
        XCTAssertEqual(pod.members[0].directory, fake.root + "/delegated/skiff-3")
        try pod.create()
        XCTAssertEqual(try fake.text(fake.root + "/delegated/cgroup.subtree_control"), "+memory\n")
        let app = try pod.child("web", using: [.memory, .devices])
        XCTAssertEqual(try fake.text(fake.root + "/delegated/skiff-3/cgroup.subtree_control"), "+memory\n")
        try app.apply(CgroupLimits(memoryBytes: 1 << 20, restrictDevices: false))
        XCTAssertEqual(try fake.text(app.members[0].directory + "/memory.max"), "1048576\n")
        let leaf = try pod.child("_init", using: [])
        XCTAssertTrue(FileSystem.isDirectory(leaf.members[0].directory))
        try pod.remove(kill: false)
        XCTAssertFalse(FileSystem.exists(fake.root + "/delegated/skiff-3"))
    }

    func testLegacyHostWithoutLimitsNeedsNoCgroup() throws {
        let fake = try FakeCgroupTree(
            mounts: [("memory", "cgroup", "rw,memory"), ("devices", "cgroup", "rw,devices")], cgroup: "2:devices:/\n1:memory:/\n")
        let layout = try Cgroups.detect(root: fake.root, proc: fake.proc)
        XCTAssertNil(layout.unified)
        XCTAssertTrue(try CgroupNode.plannedPod(layout: layout, name: "skiff-4", controllers: []).members.isEmpty)
        let devices = try CgroupNode.plannedPod(layout: layout, name: "skiff-4", controllers: [.devices])
        XCTAssertEqual(devices.members.map(\.directory), [fake.root + "/devices/skiff-4"], "v1 devices: a move per app")
        XCTAssertThrowsError(try CgroupNode.plannedPod(layout: layout, name: "skiff-4", controllers: [.cpu]))
        XCTAssertThrowsError(try CgroupNode.plannedPod(layout: layout, name: "../x", controllers: []))
    }
}
