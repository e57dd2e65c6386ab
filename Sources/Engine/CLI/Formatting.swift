// How the CLI shows sizes, times and durations, and parses durations (Go's syntax, as rkt).
#if canImport(Glibc)
import Glibc
#endif

enum Formatting {
    /// 12582912 → "12MiB" (binary units, as rkt's image list).
    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes)B" : (value < 10 ? String(format1(value)) : String(Int(value.rounded()))) + units[unit]
    }

    private static func format1(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Unix seconds → RFC 3339 in UTC ("2026-11-29T08:19:52Z").
    static func rfc3339(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// "3 minutes ago", "2 days ago", "just now".
    static func ago(_ seconds: Int64, now: Int64 = Int64(time(nil))) -> String {
        let delta = max(0, now - seconds)
        let steps: [(Int64, String)] = [(86400 * 365, "year"), (86400 * 30, "month"), (86400, "day"), (3600, "hour"), (60, "minute")]
        for (size, name) in steps where delta >= size {
            let count = delta / size
            return "\(count) \(name)\(count == 1 ? "" : "s") ago"
        }
        return delta < 5 ? "just now" : "\(delta) seconds ago"
    }

    /// Go durations as rkt accepted them: "24h", "30m", "1h30m", "90s", "0", "1.5h".
    static func duration(_ text: String, flag: String) throws -> Int64 {
        if text == "0" { return 0 }
        let units: [Character: Double] = ["h": 3600, "m": 60, "s": 1]
        var total = 0.0
        var number = ""
        var sawUnit = false
        for c in text {
            if c.isNumber || c == "." {
                number.append(c)
            } else if let unit = units[c], let value = Double(number) {
                total += value * unit
                number = ""
                sawUnit = true
            } else {
                throw SkiffError(.usage, "--\(flag): invalid duration \"\(text)\" (like 24h, 30m, 1h30m, 90s)")
            }
        }
        guard number.isEmpty, sawUnit else {
            throw SkiffError(.usage, "--\(flag): invalid duration \"\(text)\" (like 24h, 30m, 1h30m, 90s)")
        }
        return Int64(total.rounded())
    }

    /// Rows as columns separated by at least two spaces.
    static func table(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(widths[i] + 2) }.joined()
        }.joined(separator: "\n") + "\n"
    }
}
