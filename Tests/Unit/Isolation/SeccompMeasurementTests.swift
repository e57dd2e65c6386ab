// The cost of a syscall under the filters, linear vs tree, reported (never asserted as a time):
// a tight loop of raw syscalls in a forked child with the filter installed, against the same
// loop without one. Run with `swift test --filter SeccompMeasurementTests` to see the figures.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class SeccompMeasurementTests: XCTestCase {
    private let iterations = 200_000

    /// Nanoseconds per call of syscall `name` under `filter` (best of three runs).
    private func cost(_ filter: SeccompFilter?, _ name: String, args: [Int] = []) throws -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            let iso = try PreparedIsolation(capabilities: nil, seccomp: filter, noNewPrivileges: true, oomScoreAdjust: nil, uid: geteuid())
            let outcome = try runProbe(isolation: iso, action: .loop(syscallNumber(name), args, count: iterations))
            let ns = try XCTUnwrap(outcome.number(after: "ns"), outcome.output)
            best = min(best, Double(ns) / Double(iterations))
        }
        return best
    }

    func testReportFilterCostPerSyscall() throws {
        let policy = SeccompPolicy.defaultPolicy
        let linear = SeccompFilter(policy: policy, layout: .linear)
        let tree = SeccompFilter(policy: policy, layout: .tree)
        // Denied with an errno (so the loop survives): the whole program runs every time, and the
        // kernel's cache of allowed numbers cannot help.
        var denying = policy
        denying.errnoName = "EPERM"
        let denyLinear = SeccompFilter(policy: denying, layout: .linear)
        let denyTree = SeccompFilter(policy: denying, layout: .tree)
        // A deny-list: the allowed call walks the whole list in the linear layout.
        let blacklist = SeccompPolicy(mode: .denyList, syscalls: Set(SeccompGroups.dockerBlacklist), errnoName: "EPERM")

        let bare = try cost(nil, "getpid")
        let rows: [(String, Double)] = [
            ("getpid, no filter", bare),
            ("getpid, default allow-list, linear (\(linear.program.count) insns)", try cost(linear, "getpid")),
            ("getpid, default allow-list, tree (\(tree.program.count) insns)", try cost(tree, "getpid")),
            ("getpid, docker blacklist, linear", try cost(SeccompFilter(policy: blacklist, layout: .linear), "getpid")),
            ("getpid, docker blacklist, tree", try cost(SeccompFilter(policy: blacklist, layout: .tree), "getpid")),
            ("denied acct → EPERM, linear", try cost(denyLinear, "acct", args: [0])),
            ("denied acct → EPERM, tree", try cost(denyTree, "acct", args: [0])),
            ("denied perf_event_open → EPERM, linear", try cost(denyLinear, "perf_event_open")),
            ("denied perf_event_open → EPERM, tree", try cost(denyTree, "perf_event_open")),
        ]
        for (name, ns) in rows {
            print("SECCOMP-COST \(name): \(String(format: "%.1f", ns)) ns/call (+\(String(format: "%.1f", ns - bare)) ns)")
        }
        // Sanity, not timing: each loop ran and reported something.
        XCTAssertTrue(rows.allSatisfy { $0.1 > 0 })
    }

    func testReportBuildTimes() throws {
        let remove = try isolator("os/linux/seccomp-remove-set", #"{"set": ["@appc.io/empty", "mkdir"], "errno": "EPERM"}"#)
        let caps = try isolator("os/linux/capabilities-remove-set", #"{"set": ["CAP_MKNOD"]}"#)
        let rounds = 200
        func time(_ body: () throws -> Void) rethrows -> Double {
            let start = monotonicNanoseconds()
            for _ in 0..<rounds { try body() }
            return Double(monotonicNanoseconds() - start) / Double(rounds) / 1000
        }
        _ = try SeccompFilter.build(isolators: [], disabled: false)  // the one-time table set-up
        let plan = try time { _ = try CapabilityPlan.resolve(isolators: [caps], uid: 0, disabled: false) }
        let custom = try time { _ = try SeccompFilter.build(isolators: [remove], disabled: false) }
        let standard = try time { _ = try SeccompFilter.build(isolators: [], disabled: false) }
        print("ISOLATION-PLAN capability plan: \(String(format: "%.1f", plan)) µs")
        print("ISOLATION-PLAN seccomp policy + tree program, custom set: \(String(format: "%.1f", custom)) µs; default (cached): \(String(format: "%.2f", standard)) µs")
        XCTAssertGreaterThan(plan + custom, 0)
    }
}

/// CLOCK_MONOTONIC in nanoseconds.
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
