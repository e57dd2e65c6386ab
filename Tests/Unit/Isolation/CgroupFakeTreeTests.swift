// Creating pods and apps, writing limits and removing them, against fake v1, v2 and hybrid
// trees: the exact bytes written (unprivileged).
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class CgroupFakeTreeTests: XCTestCase {
    private func limits() throws -> CgroupLimits {
        try CgroupLimits.resolve(
            isolators: [
                try isolator("resource/memory", #"{"limit": "256Mi"}"#),
                try isolator("resource/cpu", #"{"request": "250m", "limit": "500m"}"#),
            ],
            restrictDevices: true)
    }

    func testLimitsFromIsolators() throws {
        let resolved = try limits()
        XCTAssertEqual(resolved.memoryBytes, 268_435_456)
        XCTAssertEqual(resolved.cpuMillicores, 500)
        XCTAssertEqual(resolved.cpuQuota, 50_000)
        XCTAssertEqual(resolved.cpuShares, 256)
        XCTAssertEqual(resolved.cpuWeight, 10)
        XCTAssertEqual(resolved.controllers, [.memory, .cpu, .devices])
        let shares = try CgroupLimits.resolve(
            isolators: [try isolator("resource/cpu", #"{"limit": "2"}"#), try isolator("os/linux/cpu-shares", "2048")], restrictDevices: false)
        XCTAssertEqual(shares.cpuShares, 2048)
        XCTAssertEqual(shares.controllers, [.cpu])
        XCTAssertEqual(CgroupLimits(restrictDevices: false).controllers, [.pids])
        XCTAssertEqual(CgroupLimits(cpuShares: 2).cpuWeight, 1)
        XCTAssertEqual(CgroupLimits(cpuShares: 1024).cpuWeight, 39)
        XCTAssertEqual(CgroupLimits(cpuShares: 262_144).cpuWeight, 10_000)
        XCTAssertEqual(CgroupLimits(cpuMillicores: 1).cpuQuota, 1000, "the kernel's minimum quota")
    }

    func testV1PodAndApp() throws {
        let fake = try FakeCgroupTree(
            mounts: [("cpu,cpuacct", "cgroup", "rw,cpu,cpuacct"), ("memory", "cgroup", "rw,memory"), ("devices", "cgroup", "rw,devices"), ("pids", "cgroup", "rw,pids")],
            cgroup: "4:pids:/\n3:devices:/\n2:memory:/caller\n1:cpu,cpuacct:/\n")
        let layout = try Cgroups.detect(root: fake.root, proc: fake.proc)
        let resolved = try limits()
        let pod = try CgroupNode.create(layout: layout, name: "skiff-1234", controllers: resolved.controllers)
        XCTAssertEqual(Set(pod.members.map(\.directory)), [
            fake.root + "/cpu,cpuacct/skiff-1234", fake.root + "/memory/caller/skiff-1234", fake.root + "/devices/skiff-1234",
        ])
        let app = try pod.child("web")
        try app.apply(resolved)
        try app.join(pid: 4242)
        XCTAssertEqual(try fake.text(fake.root + "/memory/caller/skiff-1234/web/memory.limit_in_bytes"), "268435456\n")
        XCTAssertEqual(try fake.text(fake.root + "/cpu,cpuacct/skiff-1234/web/cpu.cfs_period_us"), "100000\n")
        XCTAssertEqual(try fake.text(fake.root + "/cpu,cpuacct/skiff-1234/web/cpu.cfs_quota_us"), "50000\n")
        XCTAssertEqual(try fake.text(fake.root + "/cpu,cpuacct/skiff-1234/web/cpu.shares"), "256\n")
        XCTAssertEqual(try fake.text(fake.root + "/devices/skiff-1234/web/devices.deny"), "a\n")
        XCTAssertEqual(
            try fake.text(fake.root + "/devices/skiff-1234/web/devices.allow"),
            "c 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\nc 5:0 rwm\nc 5:1 rwm\nc 5:2 rwm\nc 136:* rwm\n")
        for member in app.members { XCTAssertEqual(try fake.text(member.directory + "/cgroup.procs"), "4242\n") }
        XCTAssertEqual(try app.processes(), [4242])
        XCTAssertFalse(FileSystem.exists(fake.root + "/memory/caller/cgroup.subtree_control"), "v1 has no subtree_control")

        let found = try XCTUnwrap(try CgroupNode.existing(layout: layout, name: "skiff-1234"))
        XCTAssertEqual(Set(found.members.map(\.directory)), Set(pod.members.map(\.directory)))
        try found.remove(kill: false)
        for member in pod.members { XCTAssertFalse(FileSystem.exists(member.directory), member.directory) }
        XCTAssertTrue(FileSystem.isDirectory(fake.root + "/memory/caller"), "the caller's cgroup stays")
        XCTAssertNil(try CgroupNode.existing(layout: layout, name: "skiff-1234"))
        try pod.remove(kill: true)  // again: nothing left, no error
    }

    func testV2PodAndApp() throws {
        let fake = try FakeCgroupTree(mounts: [("", "cgroup2", "rw")], cgroup: "0::/skiffd\n")
        let layout = try Cgroups.detect(root: fake.root, proc: fake.proc)
        var resolved = try limits()
        resolved.restrictDevices = false  // a BPF program needs a real cgroup (CgroupRealTests)
        let pod = try CgroupNode.create(layout: layout, name: "skiff-5678", controllers: resolved.controllers)
        XCTAssertEqual(pod.members.map(\.directory), [fake.root + "/skiffd/skiff-5678"])
        let app = try pod.child("db")
        try app.apply(resolved)
        XCTAssertEqual(try fake.text(fake.root + "/skiffd/cgroup.subtree_control"), "+cpu +memory\n")
        XCTAssertEqual(try fake.text(fake.root + "/skiffd/skiff-5678/cgroup.subtree_control"), "+cpu +memory\n")
        XCTAssertEqual(try fake.text(fake.root + "/skiffd/skiff-5678/db/memory.max"), "268435456\n")
        XCTAssertEqual(try fake.text(fake.root + "/skiffd/skiff-5678/db/cpu.max"), "50000 100000\n")
        XCTAssertEqual(try fake.text(fake.root + "/skiffd/skiff-5678/db/cpu.weight"), "10\n")
        let readback = try app.readLimits()
        XCTAssertEqual(readback.memoryBytes, 268_435_456)
        XCTAssertEqual(readback.cpuQuota, 50_000)
        XCTAssertEqual(readback.cpuPeriod, 100_000)
        XCTAssertEqual(readback.cpuWeight, 10)
        // A second app does not enable the controllers again.
        _ = try pod.child("cache")
        XCTAssertEqual(try fake.text(fake.root + "/skiffd/skiff-5678/cgroup.subtree_control"), "+cpu +memory\n")
        try pod.remove(kill: true)
        XCTAssertFalse(FileSystem.exists(fake.root + "/skiffd/skiff-5678"))
    }

    func testHybridUsesV1ForV1Controllers() throws {
        let fake = try CgroupLayoutTests.hybrid()
        let layout = try Cgroups.detect(root: fake.root, proc: fake.proc)
        let pod = try CgroupNode.create(layout: layout, name: "skiff-9", controllers: [.memory, .pids, .devices])
        XCTAssertTrue(pod.members.allSatisfy { $0.hierarchy.version == 1 })
        XCTAssertFalse(FileSystem.exists(fake.root + "/unified/skiff-9"), "hugetlb-only unified hierarchy is not used")
        try pod.remove(kill: false)
    }

    func testMissingControllerAndBadNames() throws {
        let fake = try FakeCgroupTree(mounts: [("memory", "cgroup", "rw,memory")], cgroup: "2:memory:/\n")
        let layout = try Cgroups.detect(root: fake.root, proc: fake.proc)
        XCTAssertThrowsError(try CgroupNode.create(layout: layout, name: "p", controllers: [.cpu]))
        XCTAssertThrowsError(try CgroupNode.create(layout: layout, name: "../x", controllers: [.memory]))
        XCTAssertThrowsError(try CgroupNode.create(layout: layout, name: "", controllers: [.memory]))
    }

    func testDeviceProgramShape() {
        let program = CgroupDevices.program(DeviceRule.standard)
        // 4 loads/shifts (no access register: every rule is rwm), then per rule: type, [major],
        // [minor] (the last a jump to allow), then deny and allow exits.
        let expected = 4 + DeviceRule.standard.reduce(0) { total, rule in
            total + 1 + (rule.major == nil ? 0 : 1) + (rule.minor == nil ? 0 : 1)
        } + 4
        XCTAssertEqual(program.count, expected)
        XCTAssertEqual(program[program.count - 2].imm, 1, "the shared allow exit")
        // Every jump lands inside the program.
        for (index, insn) in program.enumerated() where insn.code == 0x15 || insn.code == 0x55 {
            XCTAssertLessThan(index + 1 + Int(insn.off), program.count, "jump at \(index)")
        }
        XCTAssertEqual(program.last?.code, 0x95)
        XCTAssertEqual(CgroupDevices.accessBits("rwm"), 7)
    }
}
