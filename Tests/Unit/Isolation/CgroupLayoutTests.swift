// Detecting v1, v2 and hybrid layouts from fake /proc files (unprivileged).
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class CgroupLayoutTests: XCTestCase {
    /// This project's machine: v1 controllers, name=systemd, and cgroup2 at unified with hugetlb.
    static func hybrid() throws -> FakeCgroupTree {
        try FakeCgroupTree(
            mounts: [
                ("cpu", "cgroup", "rw,cpu"), ("cpuacct", "cgroup", "rw,cpuacct"), ("memory", "cgroup", "rw,memory"),
                ("devices", "cgroup", "rw,devices"), ("pids", "cgroup", "rw,pids"), ("systemd", "cgroup", "rw,xattr,name=systemd"),
                ("unified", "cgroup2", "rw"),
            ],
            cgroup: "9:name=systemd:/\n8:pids:/\n5:devices:/\n4:memory:/process_api/abc\n2:cpuacct:/\n1:cpu:/\n0::/\n",
            v2Controllers: "hugetlb")
    }

    func testHybridHost() throws {
        let fake = try Self.hybrid()
        let layout = try Cgroups.detect(root: fake.root, proc: fake.proc)
        XCTAssertEqual(layout.mode, .hybrid)
        XCTAssertEqual(layout.hierarchies.count, 7)
        let memory = try XCTUnwrap(layout.hierarchy(for: .memory))
        XCTAssertEqual(memory.version, 1)
        XCTAssertEqual(memory.callerPath, "/process_api/abc")
        XCTAssertEqual(memory.callerDirectory, fake.root + "/memory/process_api/abc")
        XCTAssertEqual(layout.hierarchy(for: .devices)?.mountPoint, fake.root + "/devices")
        XCTAssertEqual(layout.unified?.controllers, ["hugetlb"])
        XCTAssertEqual(layout.unified?.callerDirectory, fake.root + "/unified")
        XCTAssertFalse(layout.hierarchies.contains { $0.mountPoint.hasPrefix("/elsewhere") })
    }

    func testUnifiedHost() throws {
        let fake = try FakeCgroupTree(mounts: [("", "cgroup2", "rw,nsdelegate")], cgroup: "0::/user.slice/session-1.scope\n")
        let layout = try Cgroups.detect(root: fake.root, proc: fake.proc)
        XCTAssertEqual(layout.mode, .unified)
        let unified = try XCTUnwrap(layout.unified)
        XCTAssertEqual(unified.mountPoint, fake.root)
        XCTAssertEqual(unified.callerDirectory, fake.root + "/user.slice/session-1.scope")
        XCTAssertEqual(unified.controllers, ["cpu", "memory", "pids"])
        XCTAssertEqual(layout.hierarchy(for: .memory), unified)
        XCTAssertEqual(layout.hierarchy(for: .devices), unified, "v2 devices: a BPF program")
    }

    func testLegacyHostWithCoMountedControllers() throws {
        let fake = try FakeCgroupTree(
            mounts: [("cpu,cpuacct", "cgroup", "rw,cpuacct,cpu"), ("memory", "cgroup", "rw,memory")],
            cgroup: "3:cpu,cpuacct:/a\n2:memory:/a\n")
        let layout = try Cgroups.detect(root: fake.root, proc: fake.proc)
        XCTAssertEqual(layout.mode, .legacy)
        XCTAssertEqual(layout.hierarchy(for: .cpu)?.controllers, ["cpu", "cpuacct"])
        XCTAssertEqual(layout.hierarchy(for: .cpu)?.callerDirectory, fake.root + "/cpu,cpuacct/a")
        XCTAssertNil(layout.hierarchy(for: .devices))
    }

    func testMountRootAndEscapes() throws {
        let text = "50 31 0:40 /outer /sys/fs/cgroup/my\\040memory rw - cgroup cgroup rw,memory\n"
        let layout = try Cgroups.layout(mountinfo: text, cgroup: "4:memory:/outer/inner\n", root: "/sys/fs/cgroup")
        XCTAssertEqual(layout.hierarchy(for: .memory)?.mountPoint, "/sys/fs/cgroup/my memory")
        XCTAssertEqual(layout.hierarchy(for: .memory)?.callerDirectory, "/sys/fs/cgroup/my memory/inner")
    }

    func testNoCgroupsIsAnError() throws {
        XCTAssertThrowsError(try Cgroups.layout(mountinfo: "1 0 0:1 / / rw - ext4 /dev/vda rw\n", cgroup: "", root: "/sys/fs/cgroup"))
    }

    func testThisMachineIsDetectedConsistently() throws {
        let layout = try Cgroups.detect()
        let mountinfo = String(decoding: try FileSystem.read("/proc/self/mountinfo"), as: UTF8.self)
        let hasV2 = mountinfo.contains(" - cgroup2 ")
        let hasV1 = mountinfo.split(separator: "\n").contains { $0.contains(" - cgroup ") && !$0.contains("name=") }
        XCTAssertEqual(layout.mode, hasV1 && hasV2 ? .hybrid : (hasV2 ? .unified : .legacy))
        print("CGROUP-LAYOUT this machine: \(layout.mode.rawValue); memory in v\(layout.hierarchy(for: .memory)?.version ?? 0)")
    }
}
