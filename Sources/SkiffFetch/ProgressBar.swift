// A one-line progress display for downloads, drawn only for a person watching a terminal.
#if canImport(Glibc)
import Glibc
#endif

/// Reports download progress. `forStandardError(label:)` draws a one-line bar (bytes, rate,
/// ETA) on stderr only when stderr is a terminal; otherwise every call does nothing, so logs
/// and pipes never fill with carriage returns.
public final class ProgressBar {
    private let label: String
    private let output: Int32?
    private let started: Double
    private var lastDraw: Double = 0
    private var drawn = false
    private var received: Int64 = 0
    private var total: Int64?

    /// A bar that draws to `output` (nil: draws nothing).
    init(label: String, output: Int32?) {
        self.label = label
        self.output = output
        self.started = ProgressBar.now()
    }

    /// A bar on stderr if stderr is a terminal, a silent one otherwise.
    public static func forStandardError(label: String) -> ProgressBar {
        ProgressBar(label: label, output: isatty(2) == 1 ? 2 : nil)
    }

    /// Records progress; redraws at most ten times a second.
    public func update(received: Int64, total: Int64?) {
        self.received = received
        self.total = total
        guard output != nil else { return }
        let now = ProgressBar.now()
        if now - lastDraw >= 0.1 {
            lastDraw = now
            draw(now: now)
        }
    }

    /// Draws the final state and ends the line.
    public func finish() {
        guard let output else { return }
        draw(now: ProgressBar.now())
        if drawn { _ = "\n".withCString { write(output, $0, 1) } }
        drawn = false
    }

    /// The line for the given state, without the leading carriage return (testable).
    static func line(label: String, received: Int64, total: Int64?, seconds: Double) -> String {
        let rate = seconds > 0 ? Double(received) / seconds : 0
        var text = label + "  " + formatBytes(received)
        if let total, total > 0 {
            let percent = min(100, Int(Double(received) * 100 / Double(total)))
            text += " / " + formatBytes(total) + " (\(percent)%)"
        }
        text += "  " + formatBytes(Int64(rate)) + "/s"
        if let total, rate > 0, total > received {
            let eta = Int(Double(total - received) / rate)
            text += "  ETA " + String(eta / 60) + ":" + (eta % 60 < 10 ? "0" : "") + String(eta % 60)
        }
        return text
    }

    /// "12.3 MB" style sizes (decimal units, one decimal).
    static func formatBytes(_ count: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(count) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    private func draw(now: Double) {
        guard let output else { return }
        // \r returns to the line start and ESC[K clears what a longer previous line left.
        let text = "\r" + ProgressBar.line(label: label, received: received, total: total, seconds: now - started) + "\u{1b}[K"
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
        drawn = true
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
