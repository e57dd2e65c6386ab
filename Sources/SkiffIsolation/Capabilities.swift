// Applying a CapabilityPlan in the calling process and reading the current sets back.
// In a forked child of a multithreaded stage1, use PreparedIsolation (sk_isolation) instead:
// it runs the same steps in C, in the order sk_isolation.h explains.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// The calling thread's capability sets.
public enum Capabilities {
    /// Applies `plan` to the calling thread (a single-threaded process; capability sets are
    /// per thread): the bounding set first (needs CAP_SETPCAP), then capset, then the ambient set
    /// cleared. To change uid as well, use PreparedIsolation, which orders the steps around
    /// setresuid; this function does not change the uid.
    public static func apply(_ plan: CapabilityPlan) throws {
        try check("drop capabilities from the bounding set") { sk_caps_drop_bounding(plan.bounding.mask) }
        try check("set capabilities \(describe(plan.effective))") {
            sk_caps_set(plan.effective.mask, plan.permitted.mask, plan.inheritable.mask)
        }
        try check("clear the ambient capabilities") { sk_caps_clear_ambient() }
    }

    /// The calling thread's bounding, effective and permitted sets as masks (bit N = capability
    /// N, like CapBnd/CapEff/CapPrm in /proc/self/status).
    public static func current() -> (bounding: UInt64, effective: UInt64, permitted: UInt64) {
        var state = sk_caps_state()
        if sk_caps_read(&state) < 0 { return (0, 0, 0) }
        return (state.bounding, state.effective, state.permitted)
    }

    /// The highest capability number the running kernel knows.
    public static var lastCapability: Int { Int(sk_caps_last_cap()) }

    /// "CAP_CHOWN,CAP_KILL" (sorted), or "none".
    static func describe(_ set: Set<LinuxCapabilityName>) -> String {
        set.isEmpty ? "none" : set.sorted().map(\.description).joined(separator: ",")
    }
}
