// A fake cgroupfs: a temp directory with fake proc/self/{mountinfo,cgroup} and plain
// directories for the mounts, for Cgroups.detect(root:proc:).
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class FakeCgroupTree {
    let base: String
    var root: String { base + "/sys/fs/cgroup" }
    var proc: String { base + "/proc" }

    /// `mounts`: (mount point below root, fstype, super options); `cgroup`: /proc/self/cgroup text.
    init(mounts: [(String, String, String)], cgroup: String, v2Controllers: String = "cpu memory pids") throws {
        base = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-fakecg-")
        try FileSystem.createDirectory(proc + "/self")
        var lines = ["22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw", "31 22 0:28 / \(root) rw - tmpfs tmpfs rw,mode=755"]
        for (index, (point, type, options)) in mounts.enumerated() {
            let mountPoint = point.isEmpty ? root : root + "/" + point
            try FileSystem.createDirectory(mountPoint)
            lines.append("\(40 + index) 31 0:\(30 + index) / \(mountPoint) rw,nosuid,nodev,noexec,relatime shared:\(index) - \(type) \(type == "cgroup2" ? "cgroup2" : "cgroup") \(options)")
        }
        lines.append("90 1 0:50 / /elsewhere/cgroup rw - cgroup cgroup rw,memory")  // not below root: ignored
        try FileSystem.writeAtomically(proc + "/self/mountinfo", Array((lines.joined(separator: "\n") + "\n").utf8))
        try FileSystem.writeAtomically(proc + "/self/cgroup", Array(cgroup.utf8))
        if let v2 = mounts.first(where: { $0.1 == "cgroup2" }) {
            let caller = cgroup.split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) } ?? "/"
            let directory = (v2.0.isEmpty ? root : root + "/" + v2.0) + (caller == "/" ? "" : caller)
            try FileSystem.createDirectory(directory)
            try FileSystem.writeAtomically(directory + "/cgroup.controllers", Array((v2Controllers + "\n").utf8))
        }
    }

    func text(_ path: String) throws -> String { String(decoding: try FileSystem.read(path), as: UTF8.self) }

    deinit { try? FileSystem.removeTree(base) }
}
