// expect-bench: the four cases of the Expect baseline (shared/bench/expect_pexpect.py), run with
// Expect. bench/expect/run runs this beside pexpect and Tcl expect and prints the ratios.
//   (a) spawn /bin/true on a pty, expect EOF, wait (reaped)         -> median ms
//   (b) round trip through cat (echo off): sendLine, expect the line -> median µs
//   (c) ~50 MB of base64 through `cat`, expect a final marker       -> MB/s
//   (d) 20 regexes + EOF in one expect over 60,000 lines            -> matches/s, missed matches
// Usage: expect-bench [--json FILE]   Env: SPAWN_N=200 RT_N=2000 TP_MB=50 MP_LINES=60000
import Expect
import Foundation

let env = ProcessInfo.processInfo.environment
func setting(_ name: String, _ fallback: Int) -> Int { env[name].flatMap { Int($0) } ?? fallback }
let spawnN = setting("SPAWN_N", 200)
let roundTripN = setting("RT_N", 2000)
let throughputMB = setting("TP_MB", 50)
let patternLines = setting("MP_LINES", 60000)

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    return s[min(s.count - 1, max(0, Int((p / 100 * Double(s.count - 1)).rounded())))]
}
func report(_ name: String, _ xs: [Double], unit: String) -> [String: Double] {
    let m = median(xs)
    print(String(format: "  %-40@ median %9.3f %@  p10 %.3f  p90 %.3f  (n=%d)",
                 name as NSString, m, unit as NSString, percentile(xs, 10), percentile(xs, 90), xs.count))
    return ["median": m, "p10": percentile(xs, 10), "p90": percentile(xs, 90), "n": Double(xs.count)]
}

var results: [String: [String: Double]] = [:]

// (a) spawn -> EOF -> reaped
print("(a) spawn /bin/true on a pty, N=\(spawnN)")
var spawnTimes: [Double] = []
for _ in 0..<spawnN {
    let t0 = now()
    let session = try spawn(["/bin/true"])
    try session.expect(.eof)
    let status = try session.wait()
    spawnTimes.append(Double(now() - t0) / 1e6)
    precondition(status == .exited(0), "unexpected \(status)")
}
results["spawn_ms"] = report("Expect: spawn -> expect(.eof) -> wait", spawnTimes, unit: "ms")

// (b) round trip through cat
print("(b) round trip through cat on a pty (echo off), N=\(roundTripN)")
let cat = try spawn(["cat"])
var roundTrips: [Double] = []
for i in 0..<roundTripN {
    let line = "ping-\(i)"
    let t0 = now()
    try cat.sendLine(line)
    try cat.expect(.exact(line + "\r\n"))
    roundTrips.append(Double(now() - t0) / 1e3)
}
try cat.sendEOF()
try cat.expect(.eof)
_ = try cat.wait()
results["roundtrip_us"] = report("Expect: sendLine -> expect exact", roundTrips, unit: "us")

// (c) throughput
let printed = throughputMB * 1_000_000 * 3 / 4
print("(c) throughput, ~\(throughputMB) MB printed through cat, expect a final marker")
do {
    let t0 = now()
    let session = try spawn(["sh", "-c", "head -c \(printed) /dev/zero | base64 | cat; echo __END__"],
                            options: SpawnOptions(timeout: .seconds(600)))
    let marker = try session.expect("__END__")
    let rest = try session.expect(.eof)
    let bytes = marker.before.count + marker.matched.count + rest.before.count
    _ = try session.wait()
    let seconds = Double(now() - t0) / 1e9
    let rate = Double(bytes) / 1e6 / seconds
    print(String(format: "  Expect: expect(\"__END__\")                 %.1f MB/s  (%d bytes in %.2f s)", rate, bytes, seconds))
    results["throughput"] = ["MB_per_s": rate, "bytes": Double(bytes), "s": seconds]
}

// (d) 20 regexes + EOF over a tagged stream
print("(d) expect() over a list of 20 regexes + EOF, \(patternLines) lines (1/3 tagged)")
do {
    let path = NSTemporaryDirectory() + "/expect-bench-\(getpid()).txt"
    var text = ""
    var expected = 0
    for i in 0..<patternLines {
        if i % 3 == 0 {
            text += String(format: "[%07d] ev%02d: state=running value=%d id=c%x\n", i, (i * 7) % 20, i * 13 % 9973, i)
            expected += 1
        } else {
            text += String(format: "[%07d] noise: lorem ipsum dolor sit amet consectetur %d\n", i, i * 31 % 100003)
        }
    }
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    defer { unlink(path) }
    var patterns: [Pattern] = try (0..<20).map { try .regex(String(format: #"ev%02d: state=(\w+) value=(\d+) id=(c[0-9a-f]+)\r\n"#, $0)) }
    patterns.append(.eof)
    let session = try spawn(["cat", path], options: SpawnOptions(timeout: .seconds(120)))
    var hits = 0
    var captured = 0
    let t0 = now()
    while true {
        let match = try session.expect(patterns)
        if match.outcome == .endOfFile { break }
        hits += 1
        if match.group(3) != nil { captured += 1 }
    }
    let seconds = Double(now() - t0) / 1e9
    _ = try session.wait()
    let rate = Double(hits) / seconds
    print(String(format: "  Expect: 20 regexes                         %.0f matches/s  %.1f us/match  (%d of %d found, %d with groups)",
                 rate, seconds * 1e6 / Double(max(hits, 1)), hits, expected, captured))
    results["patterns"] = ["matches_per_s": rate, "matches": Double(hits), "expected": Double(expected),
                           "missed": Double(expected - hits), "s": seconds]
}

if let i = CommandLine.arguments.firstIndex(of: "--json"), i + 1 < CommandLine.arguments.count {
    let data = try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: CommandLine.arguments[i + 1]))
}
