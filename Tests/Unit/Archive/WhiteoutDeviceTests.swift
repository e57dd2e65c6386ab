// OCI whiteouts across two layers extracted into one root, and the device policy.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem
import XCTest

@testable import SkiffArchive

final class WhiteoutTests: ArchiveTestCase {
    private var layerOptions: ExtractionOptions {
        var options = ExtractionOptions()
        options.whiteouts = true
        return options
    }

    func testWhiteoutsAndOpaqueDirectoriesAcrossLayers() throws {
        for resolution in Resolution.allCases {
            let dir = try TempDir(self)
            let root = try dir.dir("root")
            var options = layerOptions
            options.userspaceResolution = resolution == .userspace
            let lower = try makeTar(dir, [
                file("keep", "k"), file("gone", "g"), directory("tree/"), file("tree/a/b", "deep"), symlink("link", to: "/etc"),
                directory("opq/"), file("opq/old1", "1"), directory("opq/sub/"), file("opq/sub/old2", "2"),
                directory("opq2/"), file("opq2/old", "o"),
            ], name: "lower.tar")
            try extract(lower, into: root, options: options)
            let upper = try makeTar(dir, [
                file(".wh.gone", ""), file(".wh.tree", ""), file(".wh.link", ""), file(".wh.never-existed", ""),
                // opaque: this layer's entries written before the marker stay, lower ones go, also
                // inside directories this layer re-declares.
                directory("opq/"), file("opq/new", "n"), directory("opq/sub/"), file("opq/sub/new2", "n2"), file("opq/.wh..wh..opq", ""),
                file("opq2/.wh..wh..opq", ""), file("opq2/after", "a"),
                // a whiteout never removes this layer's own entry
                file("mine", "m"), file(".wh.mine", ""),
                file(".wh..wh.plnk", ""),
            ], name: "upper.tar")
            let report = try extract(upper, into: root, options: options)
            XCTAssertEqual(report.entries, 14)
            XCTAssertEqual(try FileSystem.list(root), ["keep", "mine", "opq", "opq2"], "\(resolution)")
            XCTAssertEqual(try FileSystem.list(root + "/opq"), ["new", "sub"], "\(resolution)")
            XCTAssertEqual(try FileSystem.list(root + "/opq/sub"), ["new2"], "\(resolution)")
            XCTAssertEqual(try FileSystem.list(root + "/opq2"), ["after"], "\(resolution)")
            XCTAssertEqual(fileText(root + "/mine"), "m")
        }
    }

    func testWhiteoutNamesAreOrdinaryFilesWithoutTheOption() throws {
        let dir = try TempDir(self)
        let root = try dir.dir("root")
        try extract(try makeTar(dir, [file("a", "a"), file(".wh.a", "")]), into: root)
        XCTAssertEqual(try FileSystem.list(root), [".wh.a", "a"])
    }

    func testRemovingATreeDoesNotFollowSymlinks() throws {
        let dir = try TempDir(self)
        let root = try dir.dir("root")
        let outside = try dir.dir("outside")
        try FileSystem.writeAtomically(outside + "/precious", [1])
        try extract(try makeTar(dir, [directory("d/"), symlink("d/out", to: outside), symlink("d/abs", to: outside + "/precious")]), into: root, options: layerOptions)
        try extract(try makeTar(dir, [file(".wh.d", "")], name: "2.tar"), into: root, options: layerOptions)
        XCTAssertEqual(try FileSystem.list(root), [])
        XCTAssertEqual(try FileSystem.list(outside), ["precious"])
    }

    func testRemovingATreeStopsAtAMountPoint() throws {
        guard geteuid() == 0 else { throw XCTSkip("mounting a tmpfs needs root") }
        for resolution in Resolution.allCases {
            let dir = try TempDir(self)
            let root = try dir.dir("root")
            var options = layerOptions
            options.userspaceResolution = resolution == .userspace
            try extract(try makeTar(dir, [directory("d/"), directory("d/mnt/")]), into: root, options: options)
            guard (try? Subprocess.run(["mount", "-t", "tmpfs", "tmpfs", root + "/d/mnt"]))?.status == 0 else {
                throw XCTSkip("cannot mount tmpfs here")
            }
            defer { _ = try? Subprocess.run(["umount", root + "/d/mnt"]) }
            try FileSystem.writeAtomically(root + "/d/mnt/data", [1])
            let message = errorMessage { try extract(try makeTar(dir, [file(".wh.d", "")], name: "2.tar"), into: root, options: options, name: "2.tar") }
            XCTAssertEqual(message, "extract \".wh.d\" of \"2.tar\": remove \"d\": \"d/mnt\" is a mount point, not removing across it", "\(resolution)")
            XCTAssertEqual(fileText(root + "/d/mnt/data"), "\u{1}")
        }
    }
}

final class DevicePolicyTests: ArchiveTestCase {
    private let devices: [(TarEntry, [UInt8])] = [
        (TarEntry(path: "dev/null", kind: .characterDevice, mode: 0o666, deviceMajor: 1, deviceMinor: 3), []),
        (TarEntry(path: "dev/sda", kind: .blockDevice, mode: 0o660, deviceMajor: 8, deviceMinor: 0), []),
        (TarEntry(path: "dev/mem", kind: .characterDevice, mode: 0o640, deviceMajor: 1, deviceMinor: 1), []),
        (TarEntry(path: "dev/fifo", kind: .fifo, mode: 0o600), []),
    ]

    func testStandardOnlyPolicy() throws {
        let dir = try TempDir(self)
        let root = try dir.dir("root")
        let report = try extract(try makeTar(dir, devices), into: root)
        XCTAssertEqual(modeOf(root + "/dev/fifo"), S_IFIFO | 0o600)
        XCTAssertFalse(FileSystem.exists(root + "/dev/sda"))
        XCTAssertFalse(FileSystem.exists(root + "/dev/mem"))
        XCTAssertTrue(report.skipped.contains("dev/sda: block device 8:0 not created (device policy: standard devices only)"), "\(report.skipped)")
        XCTAssertTrue(report.skipped.contains("dev/mem: character device 1:1 not created (device policy: standard devices only)"), "\(report.skipped)")
        if geteuid() == 0 {
            let null = try XCTUnwrap(lstatOf(root + "/dev/null"))
            XCTAssertEqual(null.st_mode, S_IFCHR | 0o666)
            XCTAssertEqual([sk_dev_major(null.st_rdev), sk_dev_minor(null.st_rdev)], [1, 3])
            XCTAssertEqual(report.skipped.count, 2)
        } else {
            XCTAssertTrue(report.skipped.contains("dev/null: character device 1:3 not created (not running as root)"), "\(report.skipped)")
        }
    }

    func testNoneAndAllPolicies() throws {
        let dir = try TempDir(self)
        var options = ExtractionOptions()
        options.devices = DevicePolicy.none
        let none = try dir.dir("none")
        let report = try extract(try makeTar(dir, devices), into: none, options: options)
        XCTAssertEqual(try FileSystem.list(none + "/dev"), ["fifo"])
        XCTAssertEqual(report.skipped.count, 3)
        guard geteuid() == 0 else { throw XCTSkip("creating device nodes needs root") }
        options.devices = .all
        let all = try dir.dir("all")
        let everything = try extract(try makeTar(dir, devices), into: all, options: options)
        XCTAssertEqual(try FileSystem.list(all + "/dev"), ["fifo", "mem", "null", "sda"])
        XCTAssertEqual(modeOf(all + "/dev/sda"), S_IFBLK | 0o660)
        XCTAssertEqual(everything.skipped, [])
    }
}
