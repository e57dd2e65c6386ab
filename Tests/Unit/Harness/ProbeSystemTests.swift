// The probe's system views (cgroups, mounts, terminal, pid, network), files, and process control,
// run directly on the host.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class ProbeSystemTests: XCTestCase {
    func testCgroupPathsAndLimitsMatchTheHost() throws {
        let output = try runProbe(["cgroup"])
        var checkedLimit = false
        for line in String(decoding: try FileSystem.read("/proc/self/cgroup"), as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let (controllers, path) = (String(parts[1]), String(parts[2]))
            let key =
                controllers.isEmpty
                ? "cgroup.path" : "cgroup.path." + controllers.replacingOccurrences(of: "=", with: ":")
            XCTAssertEqual(output.value(key), path, "the child is in its parent's cgroups")
            // Where the host has the knob at the usual place, the probe reports the same value.
            let knobs: [(String, String)] =
                controllers == "memory"
                ? [("/sys/fs/cgroup/memory", "memory.limit_in_bytes")]
                : controllers.isEmpty ? [("/sys/fs/cgroup", "memory.max")] : []
            for (mount, file) in knobs {
                guard let value = try? FileSystem.read(mount + path + "/" + file) else { continue }
                let text = String(decoding: value, as: UTF8.self).trimmingCharacters(in: .newlines)
                XCTAssertEqual(output.value("cgroup." + file), text)
                checkedLimit = true
            }
        }
        if !checkedLimit { print("note: no memory limit knob readable on this host; only cgroup paths checked") }
    }

    func testMountsListProcAndRoot() throws {
        let output = try runProbe(["mounts"])
        output.assertLine(matching: #"mount\./proc=proc (rw|ro),.*"#)
        output.assertLine(matching: #"mount\./=\S+ (rw|ro).*"#)
    }

    func testTtyThroughPipesAndOnATerminal() throws {
        let piped = try runProbe(["tty"])
        XCTAssertEqual(piped.lines, ["tty.0=0", "tty.1=0", "tty.2=0"])

        var master: Int32 = -1
        var slave: Int32 = -1
        XCTAssertEqual(openpty(&master, &slave, nil, nil, nil), 0)
        let masterFD = FileDescriptor(owning: master, path: "pty master")
        let child = try Subprocess.spawn([try ProbeBinary.path(), "tty"], stdin: slave, stdout: slave, stderr: slave)
        close(slave)
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Read until the child closes its side (EIO on Linux once the last slave fd is gone).
        while true {
            let count = buffer.withUnsafeMutableBytes { read(masterFD.raw, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        XCTAssertEqual(try child.wait(), 0)
        let lines = text.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }).map(String.init)
        XCTAssertTrue(lines.contains("tty.0=1") && lines.contains("tty.1=1") && lines.contains("tty.2=1"), text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("tty.0.name=/dev/pts/") }, text)
    }

    func testPidReportsItselfItsParentAndNamespace() throws {
        let pipe = try SkiffSystem.Pipe()
        let child = try Subprocess.spawn([try ProbeBinary.path(), "pid"], stdout: pipe.write.raw)
        pipe.write.close()
        let output = String(decoding: try pipe.read.readAll(), as: UTF8.self)
        XCTAssertEqual(try child.wait(), 0)
        var st = stat()
        XCTAssertEqual(stat("/proc/self/ns/pid", &st), 0)  // follows the link to the namespace inode
        XCTAssertEqual(output, "pid=\(child.pid)\nppid=\(getpid())\npidns=\(st.st_ino)\n")
    }

    func testNetShowsLoopback() throws {
        let output = try runProbe(["net"])
        XCTAssertEqual(output.value("net.lo"), "up")
        XCTAssertTrue(output.values("net.lo.ipv4").contains("127.0.0.1/8"), output.lines.joined(separator: "\n"))
    }

    func testFilesReadWriteAndStat() throws {
        let directory = try TestDirectory("probe-files")
        let existing = try directory.write("two-lines", "a\nb\n", mode: 0o640)
        XCTAssertEqual(symlink("two-lines", directory.path + "/link"), 0)
        let target = directory.path + "/written"
        let output = try runProbe([
            "read-file", existing, "---", "write-file", target, "hello", "---", "read-file", target, "---",
            "stat", existing, "---", "stat", directory.path + "/link",
        ])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.values("content"), ["a\\nb", "hello"], "newlines inside content are escaped")
        XCTAssertEqual(output.value("wrote"), target)
        XCTAssertEqual(try FileSystem.read(target), Array("hello".utf8))
        XCTAssertEqual(output.values("stat.mode"), ["0640", "0777"])
        XCTAssertEqual(output.values("stat.type"), ["file", "symlink"])
        XCTAssertEqual(output.value("stat.uid"), String(getuid()))
        XCTAssertEqual(output.value("stat.size"), "4")

        let missing = try runProbe(["read-file", directory.path + "/missing"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.lines, ["error=read-file \(directory.path)/missing: ENOENT"])
    }

    func testReadStdinReadsOneLineAtATime() throws {
        let output = try runProbe(["read-stdin", "---", "read-stdin"], input: "hello probe\nsecond\nthird\n")
        XCTAssertEqual(output.values("stdin"), ["hello probe", "second"])
        XCTAssertEqual(output.values("read-stdin"), ["waiting", "waiting"], "a prompt before each read")
    }

    func testSleepTakesThatLong() throws {
        let start = Date()
        let output = try runProbe(["sleep", "1", "---", "print", "awake"])
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.95)
        XCTAssertEqual(output.lines, ["sleeping=1", "awake"])
    }

    func testKillSelfDiesOfTheSignal() throws {
        XCTAssertEqual(try runProbe(["kill-self", "TERM"]).status, 128 + SIGTERM)
        XCTAssertEqual(try runProbe(["kill-self", "SIGKILL"]).status, 128 + SIGKILL)
        XCTAssertEqual(try runProbe(["kill-self", "9"]).status, 128 + 9)
        XCTAssertEqual(try runProbe(["kill-self", "NOPE"]).status, 2)
    }

    func testMknodAndMountReportTheOutcome() throws {
        let directory = try TestDirectory("probe-security")
        let mountPoint = directory.path + "/mnt"
        try FileSystem.createDirectory(mountPoint)
        chmod(directory.path, 0o777)  // so uid 1000 is refused for want of privilege, not of write access
        let unprivileged =
            TestEnvironment.isRoot
            ? [
                "setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                "--",
            ]
            : []
        let denied = try runProbe(
            ["mknod-block", directory.path + "/blk", "---", "mount-tmpfs", mountPoint], prefix: unprivileged)
        XCTAssertEqual(denied.status, 0, denied.stderr)
        XCTAssertEqual(denied.values("result"), ["EPERM", "EPERM"])
        guard TestEnvironment.isRealRoot else { return }
        let allowed = try runProbe(["mknod-block", directory.path + "/blk", "---", "mount-tmpfs", mountPoint])
        XCTAssertEqual(allowed.values("result"), ["ok", "ok"])
        XCTAssertEqual(try FileSystem.status(directory.path + "/blk").st_mode & S_IFMT, S_IFBLK)
        let mounts = String(decoding: try FileSystem.read("/proc/self/mountinfo"), as: UTF8.self)
        XCTAssertFalse(mounts.contains(mountPoint), "the probe unmounts what it mounted")
    }

    func testShRunsBusybox() throws {
        let output = try runProbe(["print", "before", "---", "sh", "-c", "echo $((6 * 7)) --- \"$0\""])
        guard FileSystem.exists("/bin/busybox") else {
            XCTAssertEqual(output.status, 1)
            return XCTAssertEqual(output.lines.last, "error=sh /bin/busybox: ENOENT")
        }
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.lines, ["before", "42 --- sh"])
    }
}
