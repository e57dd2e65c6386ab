// Isolator flags: quantities, ranges, capability names, rkt's seccomp syntax, and the appc
// isolators they become.
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffRunOptions

final class RunOptionsIsolatorFlagTests: XCTestCase {
    private func isolators(_ flags: String...) throws -> AppIsolatorOptions {
        try XCTUnwrap(try parseRun(["img"] + flags).apps.first).isolators
    }

    func testMemory() throws {
        XCTAssertEqual(try isolators("--memory=128M").memory?.value, 128_000_000)
        XCTAssertEqual(try isolators("--memory", "1Gi").memory?.value, 1_073_741_824)
        XCTAssertEqual(try isolators("--memory=4096").memory?.value, 4096)
        assertRunError(
            ["img", "--memory=12XB"],
            "run: --memory \"12XB\": not a quantity: unknown suffix \"XB\" (known: m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei)")
        assertRunError(["img", "--memory=16m"], "run: --memory \"16m\": below the 4096-byte minimum (M is megabytes, m thousandths)")
        assertRunError(["img", "--memory=-1G"], "run: --memory \"-1G\": not a quantity: must not be negative")
    }

    func testCPU() throws {
        XCTAssertEqual(try isolators("--cpu=500m").cpu?.milliValue, 500)
        XCTAssertEqual(try isolators("--cpu=2").cpu?.milliValue, 2000)
        assertRunError(["img", "--cpu=0"], "run: --cpu \"0\": must be more than 0")
        assertRunError(["img", "--cpu=fast"], "run: --cpu \"fast\": not a quantity: not a number")
    }

    func testCPUShares() throws {
        XCTAssertEqual(try isolators("--cpu-shares=2048").cpuShares, 2048)
        assertRunError(["img", "--cpu-shares=1"], "run: --cpu-shares \"1\": not in 2...262144")
        assertRunError(["img", "--cpu-shares=lots"], "run: --cpu-shares \"lots\": not an integer")
    }

    func testOOMScoreAdj() throws {
        XCTAssertEqual(try isolators("--oom-score-adj=-1000").oomScoreAdj, -1000)
        XCTAssertEqual(try isolators("--oom-score-adj", "500").oomScoreAdj, 500)
        assertRunError(["img", "--oom-score-adj=1001"], "run: --oom-score-adj \"1001\": not in -1000...1000")
    }

    func testCapabilities() throws {
        XCTAssertEqual(try isolators("--caps-retain=CAP_NET_ADMIN,CAP_KILL").capabilitiesRetain, ["CAP_NET_ADMIN", "CAP_KILL"])
        XCTAssertEqual(try isolators("--caps-remove=CAP_MKNOD").capabilitiesRemove, ["CAP_MKNOD"])
        XCTAssertEqual(try isolators("--cap-retain=CAP_KILL").capabilitiesRetain, ["CAP_KILL"], "deprecated alias")
        assertRunError(["img", "--caps-retain=CAP_FLY"], "run: --caps-retain \"CAP_FLY\": unknown capability \"CAP_FLY\"")
        assertRunError(["img", "--caps-remove=net_admin"], "run: --caps-remove \"net_admin\": unknown capability \"net_admin\"")
        assertRunError(["img", "--caps-retain=CAP_KILL,"], "run: --caps-retain \"CAP_KILL,\": empty capability name")
        assertRunError(
            ["img", "--caps-retain=CAP_KILL", "--caps-remove=CAP_MKNOD"],
            "run: --caps-retain and --caps-remove both given for image \"img\" (one or the other)")
    }

    func testSeccomp() throws {
        let retain = try XCTUnwrap(try isolators("--seccomp", "mode=retain,errno=EPERM,chmod,@rkt/default-whitelist").seccomp)
        XCTAssertEqual(retain, SeccompOption(mode: .retain, errno: "EPERM", set: ["chmod", "@rkt/default-whitelist"]))
        // Keys may come anywhere (rkt's own example puts errno first).
        XCTAssertEqual(try isolators("--seccomp=errno=ENOSYS,reboot,mode=remove").seccomp, SeccompOption(mode: .remove, errno: "ENOSYS", set: ["reboot"]))
        XCTAssertEqual(try isolators("--seccomp=mode=remove,@appc.io/all").seccomp?.errno, nil)
    }

    func testSeccompErrors() {
        func error(_ value: String, _ problem: String, line: UInt = #line) {
            assertRunError(["img", "--seccomp=\(value)"], "run: --seccomp \(quote(value)): \(problem)", line: line)
        }
        error("chmod", "needs mode=retain or mode=remove")
        error("mode=keep,chmod", "mode \"keep\" is not retain or remove")
        error("mode=retain", "names no syscalls")
        error("mode=retain,errno=EWHAT,chmod", "unknown errno \"EWHAT\"")
        error("mode=retain,action=kill,chmod", "unknown parameter \"action\" (known: mode, errno)")
        error("mode=retain,mode=remove,chmod", "mode given twice")
        error("mode=retain,chmod,,chown", "\"\" is not a syscall name or @group")
        error("mode=retain,@", "\"@\" is not a syscall name or @group")
    }

    func testIsolatorsTheFlagsBecome() throws {
        let options = try isolators(
            "--memory=128M", "--cpu=500m", "--cpu-shares=512", "--oom-score-adj=-5", "--caps-remove=CAP_MKNOD",
            "--seccomp=mode=remove,errno=EPERM,reboot")
        let list = try options.isolators()
        XCTAssertEqual(list.map(\.name.value), [
            "resource/memory", "resource/cpu", "os/linux/cpu-shares", "os/linux/oom-score-adj",
            "os/linux/capabilities-remove-set", "os/linux/seccomp-remove-set",
        ])
        // Each is a valid isolator with the meaning given on the command line.
        guard case .memory(let memory) = try list[0].interpreted(), case .cpu(let cpu) = try list[1].interpreted() else {
            return XCTFail("memory and cpu isolators expected first")
        }
        XCTAssertEqual([memory.request, memory.limit], [try Quantity(parsing: "128M"), try Quantity(parsing: "128M")])
        XCTAssertEqual([cpu.request, cpu.limit], [Quantity(milliValue: 500), Quantity(milliValue: 500)])
        XCTAssertEqual(try list[2].interpreted(), .cpuShares(512))
        XCTAssertEqual(try list[3].interpreted(), .oomScoreAdj(-5))
        XCTAssertEqual(try list[4].interpreted(), .capabilitiesRemove(["CAP_MKNOD"]))
        XCTAssertEqual(try list[5].interpreted(), .seccompRemove(set: ["reboot"], errno: "EPERM"))
        XCTAssertTrue(AppIsolatorOptions().isEmpty)
        XCTAssertFalse(options.isEmpty)
    }
}
