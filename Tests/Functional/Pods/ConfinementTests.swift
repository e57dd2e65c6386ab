// What an app must not be able to do (issue 7 "Security tests"), each tried from inside the app by
// the probe under the secure defaults, and, where a default alone stops it, shown to succeed once
// that default is lifted (so the test can fail).
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class ConfinementTests: SecurityTestCase {
    /// The syscalls the defaults forbid, and what `try` says for each.
    static let forbidden = [
        "mount", "umount", "umount-sys", "swapon", "reboot", "kexec_load", "init_module", "keyctl", "bpf", "open_by_handle_at",
        "ptrace", "unshare-user",
    ]

    func testDangerousSyscallsFail() throws {
        var probe: [String] = []
        for name in Self.forbidden { probe += ["try", name, "---"] }
        probe += ["mknod-block", "/tmp/loop0"]
        let image = try TestImages.busybox(probe: probe)
        try forEachIsolatingStage1 { stage1 in
            let (output, status) = try runSecured(stage1: stage1, image: image)
            XCTAssertEqual(status, .exited(0), output)
            for name in Self.forbidden {
                let outcome = probeValue("try.\(name)", in: output)
                XCTAssertNotNil(outcome, "\(name): \(output)")
                XCTAssertNotEqual(outcome, "ok", "\(name) must fail inside the app: \(output)")
            }
            XCTAssertEqual(probeValue("result", in: output), "EPERM", "mknod of a block device: \(output)")
            // Capabilities alone stop the privileged ones once seccomp is lifted (defence in depth).
            let seccompLifted = try runSecured(stage1: stage1, insecure: "seccomp", image: image)
            // (kexec_load and init_module may be missing from the kernel: ENOSYS whatever the privileges.)
            for name in ["mount", "umount-sys", "swapon", "reboot", "open_by_handle_at", "ptrace"] {
                XCTAssertEqual(probeValue("try.\(name)", in: seccompLifted.output), "EPERM", "\(name) without seccomp: \(seccompLifted.output)")
            }
        }
    }

    func testProcAndSysPathsAreHiddenOrReadOnly() throws {
        let image = try TestImages.busybox(probe: [
            "open-write", "/proc/sysrq-trigger", "---", "open-write", "/proc/sys/kernel/core_pattern", "---", "open-write",
            "/proc/sys/vm/overcommit_memory", "---", "read-file", "/proc/kallsyms", "---", "sh", "-c",
            "echo sys.fs=$(find /sys/fs -mindepth 2 -not -path '/sys/fs/cgroup*' | wc -l); echo sys.firmware=$(ls /sys/firmware | wc -l); echo proc.sys.kernel=$(ls /proc/sys/kernel | wc -l)",
        ])
        try forEachIsolatingStage1 { stage1 in
            let (output, status) = try runSecured(stage1: stage1, image: image)
            XCTAssertEqual(status, .exited(0), output)
            let opens = output.split(separator: "\n").filter { $0.hasPrefix("open-write=") }
            XCTAssertEqual(opens.count, 3, output)
            XCTAssertTrue(opens.allSatisfy { $0 != "open-write=ok" }, "sysrq-trigger and /proc/sys are read-only: \(output)")
            XCTAssertEqual(probeValue("content", in: output), "", "kallsyms is hidden: \(output)")
            XCTAssertEqual(probeValue("sys.fs", in: output), "0", "nothing is left of /sys/fs but the app's cgroup view: \(output)")
            XCTAssertEqual(probeValue("sys.firmware", in: output), "0", output)
            XCTAssertNotEqual(probeValue("proc.sys.kernel", in: output), "0", "read-only, still readable: \(output)")

            let lifted = try runSecured(stage1: stage1, insecure: "paths", image: image)
            XCTAssertTrue(lifted.output.contains("open-write=ok"), "--insecure-options=paths lifts them: \(lifted.output)")
            XCTAssertNotEqual(probeValue("content", in: lifted.output), "", lifted.output)
        }
    }

    func testDevicesAreLimitedToTheStandardNodes() throws {
        let script = "echo dev=$(ls -A /dev | tr '\\n' ' '); echo zero=$(head -c 3 /dev/zero | wc -c); "
            + "echo urandom=$(head -c 5 /dev/urandom | wc -c); if echo x > /dev/full; then echo full=written; else echo full=refused; fi; "
            + "echo null=$(echo gone > /dev/null && echo ok)"
        let image = try TestImages.busybox(probe: ["open-disk", "---", "sh", "-c", script])
        try forEachIsolatingStage1 { stage1 in
            let (output, status) = try runSecured(stage1: stage1, image: image)
            XCTAssertEqual(status, .exited(0), output)
            XCTAssertEqual(
                probeValue("dev", in: output)?.trimmingCharacters(in: .whitespaces),
                "console fd full null ptmx pts random shm stderr stdin stdout tty urandom zero", output)
            XCTAssertEqual(probeValue("disk.mknod", in: output), "EPERM", "no node of a host disk can be made: \(output)")
            // The standard nodes work under the device program (appc H.84).
            XCTAssertEqual(probeValue("zero", in: output), "3", output)
            XCTAssertEqual(probeValue("urandom", in: output), "5", output)
            XCTAssertEqual(probeValue("full", in: output), "refused", "ENOSPC: \(output)")
            XCTAssertEqual(probeValue("null", in: output), "ok", output)
            let lifted = try runSecured(stage1: stage1, insecure: "paths", image: image)
            XCTAssertEqual(probeValue("disk.mknod", in: lifted.output), "ok", "the device cgroup is what stopped it: \(lifted.output)")
        }
    }

    func testHostProcessesAreInvisibleAndUnreachable() throws {
        let image = try TestImages.busybox(probe: ["pids", "---", "exes"])
        try forEachIsolatingStage1 { stage1 in
            let (output, status) = try runSecured(stage1: stage1, image: image)
            XCTAssertEqual(status, .exited(0), output)
            let pids = (probeValue("pids", in: output) ?? "").split(separator: ",")
            XCTAssertEqual(pids.first, "1", output)
            XCTAssertLessThan(pids.count, 5, "only the pod's processes: \(output)")
            let exes = probeValues("exe.", in: output)
            XCTAssertFalse(exes.isEmpty, "the init at least: \(output)")
            for (key, value) in exes {
                XCTAssertFalse(value.hasPrefix("ok"), "\(key) opened for writing: \(output)")
            }
            let initExe = exes["exe.1"] ?? ""
            XCTAssertTrue(initExe.hasPrefix("EACCES") || initExe.hasPrefix("EPERM"), "the stage1's binary, through /proc/1/exe: \(output)")
        }
    }
}
