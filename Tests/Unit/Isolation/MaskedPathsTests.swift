// Masked and read-only paths: the plan against a fake root (unprivileged), and the real mounts
// in a forked child's private mount namespace (root), which vanish with it.
#if canImport(Glibc)
import Glibc
#endif
import CIsolationProbe
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class MaskedPathsTests: XCTestCase {
    func testListsAreRkts() {
        XCTAssertEqual(MaskedPaths.readOnly.count, 11)
        XCTAssertEqual(MaskedPaths.hidden.count, 11)
        XCTAssertTrue(MaskedPaths.readOnly.contains("/proc/sysrq-trigger"))
        XCTAssertTrue(MaskedPaths.hidden.contains("/proc/kcore"))
    }

    func testPlanAgainstAFakeRoot() throws {
        let root = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-masks-")
        defer { try? FileSystem.removeTree(root) }
        for dir in ["proc/bus", "proc/sys/kernel", "sys/fs/cgroup", "sys/fs/fuse", "sys/kernel", "sys/firmware"] {
            try FileSystem.createDirectory(root + "/" + dir)
        }
        for file in ["proc/sys/kernel/core_pattern", "proc/kcore", "sys/fs/ext4-features"] {
            try FileSystem.writeAtomically(root + "/" + file, [])
        }
        let plan = try MaskedPaths.plan(appRoot: root + "/", except: ["/sys/fs/cgroup"])
        let byPath = Dictionary(uniqueKeysWithValues: plan.entries.map { ($0.path.dropFirst(root.count), $0.kind) })
        XCTAssertEqual(byPath["/proc/bus"], .readOnly)
        XCTAssertEqual(byPath["/proc/sys/kernel/core_pattern"], .readOnly)
        XCTAssertEqual(byPath["/sys/kernel"], .readOnly)
        XCTAssertEqual(byPath["/proc/kcore"], .hideFile)
        XCTAssertEqual(byPath["/sys/firmware"], .hideDirectory)
        XCTAssertEqual(byPath["/sys/fs/fuse"], .hideDirectory, "the rest of /sys/fs is hidden entry by entry")
        XCTAssertEqual(byPath["/sys/fs/ext4-features"], .hideFile)
        XCTAssertNil(byPath["/sys/fs"])
        XCTAssertNil(byPath["/sys/fs/cgroup"])
        XCTAssertNil(byPath["/proc/kallsyms"], "missing paths are skipped")
        XCTAssertEqual(byPath["/proc/sys"], .readOnly, "Skiff's addition: the whole of /proc/sys")
        XCTAssertEqual(plan.entries.count, 8)

        let whole = try MaskedPaths.plan(appRoot: root)
        XCTAssertTrue(whole.entries.contains { $0.path == root + "/sys/fs" && $0.kind == .hideDirectory })
    }

    func testSymlinkInAPathIsRefused() throws {
        let root = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-masks-")
        defer { try? FileSystem.removeTree(root) }
        try FileSystem.createDirectory(root + "/elsewhere")
        XCTAssertEqual(symlink(root + "/elsewhere", root + "/proc"), 0)
        XCTAssertThrowsError(try MaskedPaths.plan(appRoot: root)) { XCTAssertTrue("\($0)".contains("symbolic link")) }
    }

    func testMasksInAPrivateMountNamespace() throws {
        try requireRoot()
        let before = try FileSystem.read("/proc/self/mountinfo")
        let plan = try MaskedPaths.plan(appRoot: "/")
        let iso = try PreparedIsolation(capabilities: nil, seccomp: nil, noNewPrivileges: false, oomScoreAdjust: nil, uid: 0, masks: plan)
        let hiddenFiles = plan.entries.filter { $0.kind == .hideFile }.map(\.path)
        XCTAssertFalse(hiddenFiles.isEmpty, "this kernel has none of the hidden files")
        let script = """
            for f in \(hiddenFiles.joined(separator: " ")); do echo "hidden $(wc -c < $f)"; done
            echo firmware $(ls -A /sys/firmware | wc -l)
            if echo x > /proc/sys/kernel/core_pattern 2>/dev/null; then echo core writable; else echo core protected; fi
            if echo x > /proc/sysrq-trigger 2>/dev/null; then echo sysrq writable; else echo sysrq protected; fi
            if touch /sys/firmware/x 2>/dev/null; then echo firmware writable; else echo firmware protected; fi
            awk '$5 ~ /^\\/(proc|sys)(\\/|$)/' /proc/self/mountinfo | grep -c . | sed 's/^/mounts /'
            """
        let outcome = try runProbe(
            isolation: iso, namespaces: Int32(SKT_NEWNS.rawValue), makePrivate: true, action: .exec(["/bin/sh", "-c", script]))
        XCTAssertEqual(outcome.exitCode, 0, outcome.output)
        // Every hidden file reads as empty (kallsyms and config.gz hold data on the host).
        XCTAssertEqual(outcome.output.components(separatedBy: "hidden 0\n").count - 1, hiddenFiles.count, outcome.output)
        XCTAssertEqual(outcome.number(after: "firmware"), 0, outcome.output)
        XCTAssertTrue(outcome.output.contains("core protected"), outcome.output)
        XCTAssertTrue(outcome.output.contains("sysrq protected"), outcome.output)
        XCTAssertTrue(outcome.output.contains("firmware protected"), outcome.output)
        // Only /proc and /sys: other mounts of the host may come and go meanwhile (other test runs).
        func kernelMounts(_ text: [UInt8]) -> Int {
            String(decoding: text, as: UTF8.self).split(separator: "\n").filter { line in
                let point = MountInfoLine(String(line))?.point ?? ""
                return point == "/proc" || point == "/sys" || point.hasPrefix("/proc/") || point.hasPrefix("/sys/")
            }.count
        }
        let hostMounts = kernelMounts(before)
        XCTAssertEqual(outcome.number(after: "mounts"), hostMounts + plan.entries.count + countSubmountsOfReadOnly(plan))
        // The child's mounts went with its namespace.
        XCTAssertEqual(kernelMounts(try FileSystem.read("/proc/self/mountinfo")), hostMounts)
    }

    /// Read-only binds are recursive: a bind of /sys/kernel also copies the mounts below it
    /// (debugfs, tracefs, security...).
    private func countSubmountsOfReadOnly(_ plan: MaskPlan) -> Int {
        let lines = (try? FileSystem.read("/proc/self/mountinfo")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let points = lines.split(separator: "\n").compactMap { MountInfoLine(String($0))?.point }
        return plan.entries.filter { $0.kind == .readOnly }.reduce(0) { total, entry in
            total + points.filter { $0.hasPrefix(entry.path + "/") }.count
        }
    }
}
