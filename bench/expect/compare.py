#!/usr/bin/env python3
"""compare.py EXPECT.json TCL.json PEXPECT.json - the side-by-side table and name=value lines."""
import json
import sys

swift, tcl, pexp = (json.load(open(p)) for p in sys.argv[1:4])

rows = [
    ("(a) spawn -> EOF -> reaped, median ms", swift["spawn_ms"]["median"], tcl["spawn_ms"]["median"],
     pexp["spawn_ms"]["median"], "lower"),
    ("(b) round trip, median us", swift["roundtrip_us"]["median"], tcl["roundtrip_us"]["median"],
     pexp["roundtrip_us"]["median"], "lower"),
    ("(c) throughput MB/s (pexpect defaults)", swift["throughput"]["MB_per_s"], None,
     pexp["throughput"]["MB_per_s"], "higher"),
    ("(c) throughput MB/s (pexpect tuned)", swift["throughput"]["MB_per_s"], None,
     pexp["throughput_tuned"]["MB_per_s"], "higher"),
    ("(d) 20 regexes, matches/s", swift["patterns"]["matches_per_s"], None,
     pexp["patterns"]["matches_per_s"], "higher"),
]
fmt = lambda v: "-" if v is None else (f"{v:.3f}" if v < 100 else f"{v:.0f}")
print(f"\n{'case':<42} {'Expect':>10} {'Tcl':>10} {'pexpect':>10}   better")
for name, s, t, p, better in rows:
    print(f"{name:<42} {fmt(s):>10} {fmt(t):>10} {fmt(p):>10}   {better}")
print(f"(d) missed matches: Expect {swift['patterns']['missed']:.0f}, pexpect {pexp['patterns']['missed']}")

figures = {
    "spawn_ms": swift["spawn_ms"]["median"],
    "spawn_ms_tcl": tcl["spawn_ms"]["median"],
    "spawn_ms_pexpect": pexp["spawn_ms"]["median"],
    "spawn_ratio_vs_tcl": swift["spawn_ms"]["median"] / tcl["spawn_ms"]["median"],
    "spawn_ratio_vs_pexpect": swift["spawn_ms"]["median"] / pexp["spawn_ms"]["median"],
    "roundtrip_us": swift["roundtrip_us"]["median"],
    "roundtrip_us_tcl": tcl["roundtrip_us"]["median"],
    "roundtrip_us_pexpect": pexp["roundtrip_us"]["median"],
    "roundtrip_ratio_vs_tcl": swift["roundtrip_us"]["median"] / tcl["roundtrip_us"]["median"],
    "roundtrip_ratio_vs_pexpect": swift["roundtrip_us"]["median"] / pexp["roundtrip_us"]["median"],
    "throughput_mb_s": swift["throughput"]["MB_per_s"],
    "throughput_mb_s_pexpect": pexp["throughput"]["MB_per_s"],
    "throughput_mb_s_pexpect_tuned": pexp["throughput_tuned"]["MB_per_s"],
    "patterns_matches_per_s": swift["patterns"]["matches_per_s"],
    "patterns_matches_per_s_pexpect": pexp["patterns"]["matches_per_s"],
    "patterns_ratio_vs_pexpect": swift["patterns"]["matches_per_s"] / pexp["patterns"]["matches_per_s"],
    "missed_matches": swift["patterns"]["missed"],
}
print("\nRatios are Expect/peer: below 1 is faster for times, above 1 is faster for rates.")
for name, value in figures.items():
    print(f"{name}={value:.0f}" if name == "missed_matches" else f"{name}={value:.3f}")
