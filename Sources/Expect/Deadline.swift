// Monotonic deadlines for the single-threaded poll loops: no timer threads, no sleeps.
#if canImport(Glibc)
import Glibc
#endif

/// A point on the monotonic clock, or never.
struct Deadline {
    /// Nanoseconds on CLOCK_MONOTONIC; nil means wait forever.
    let nanoseconds: UInt64?

    static let never = Deadline(nanoseconds: nil)

    /// The deadline `timeout` from now; nil waits forever.
    static func after(_ timeout: Duration?) -> Deadline {
        guard let timeout else { return .never }
        let (seconds, attoseconds) = timeout.components
        let total = max(0, seconds) &* 1_000_000_000 &+ max(0, attoseconds / 1_000_000_000)
        return Deadline(nanoseconds: monotonicNow() &+ UInt64(total))
    }

    var hasPassed: Bool {
        guard let nanoseconds else { return false }
        return monotonicNow() >= nanoseconds
    }

    /// Milliseconds left for poll(2), rounded up so a poll never returns just before the deadline;
    /// -1 for never.
    var pollTimeout: Int32 {
        guard let nanoseconds else { return -1 }
        let now = monotonicNow()
        if now >= nanoseconds { return 0 }
        let millis = (nanoseconds - now + 999_999) / 1_000_000
        return Int32(clamping: millis)
    }
}

/// CLOCK_MONOTONIC in nanoseconds.
func monotonicNow() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
