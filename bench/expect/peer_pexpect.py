#!/usr/bin/env python3
"""peer_pexpect.py - the Expect benchmark cases run with pexpect, for side-by-side ratios.

Same case definitions as shared/bench/expect_pexpect.py (the project's baseline):
  (a) spawn /bin/true, expect(EOF), wait()                        -> median ms
  (b) cat with echo off: sendline + expect_exact, no send delay   -> median us
  (c) ~TP_MB MB of base64 through cat, expect_exact a marker      -> MB/s (pexpect defaults, and tuned)
  (d) 20 regexes + EOF in one expect over MP_LINES lines          -> matches/s (defaults)
Usage: peer_pexpect.py --json FILE      Env: SPAWN_N RT_N TP_MB MP_LINES
"""
import json
import os
import statistics
import sys
import tempfile
import time

import pexpect

NS = time.perf_counter_ns
SPAWN_N = int(os.environ.get("SPAWN_N", 200))
RT_N = int(os.environ.get("RT_N", 2000))
TP_MB = int(os.environ.get("TP_MB", 50))
MP_LINES = int(os.environ.get("MP_LINES", 60000))


def summary(xs):
    s = sorted(xs)
    pick = lambda p: s[max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))]
    return {"median": statistics.median(s), "p10": pick(10), "p90": pick(90), "n": len(s)}


def spawn_case():
    t = []
    for _ in range(SPAWN_N):
        t0 = NS()
        p = pexpect.spawn("/bin/true", timeout=10)
        p.expect(pexpect.EOF)
        p.wait()
        t.append((NS() - t0) / 1e6)
        assert p.exitstatus == 0
        p.ptyproc.close(force=False)  # close() would sleep delayafterclose; not part of the case
    return summary(t)


def roundtrip_case():
    p = pexpect.spawn("cat", echo=False, timeout=10)
    p.delaybeforesend = None
    t = []
    for i in range(RT_N):
        line = "ping-%d" % i
        t0 = NS()
        p.sendline(line)
        p.expect_exact(line + "\r\n")
        t.append((NS() - t0) / 1e3)
    p.sendeof()
    p.expect(pexpect.EOF)
    p.close()
    return summary(t)


def throughput_case(maxread, nodelay):
    nbytes = TP_MB * 1000000 * 3 // 4
    t0 = NS()
    p = pexpect.spawn("/bin/sh", ["-c", f"head -c {nbytes} /dev/zero | base64 | cat; echo __END__"],
                      timeout=600, maxread=maxread)
    if nodelay:
        p.delayafterread = None
    p.expect_exact("__END__")
    n = len(p.before) + len(p.after)
    p.expect(pexpect.EOF)
    n += len(p.before)
    dt = (NS() - t0) / 1e9
    p.close()
    return {"MB_per_s": n / 1e6 / dt, "bytes": n, "s": dt}


def patterns_case():
    tmp = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
    expected = 0
    for i in range(MP_LINES):
        if i % 3 == 0:
            tmp.write(f"[{i:07d}] ev{(i * 7) % 20:02d}: state=running value={i * 13 % 9973} id=c{i:x}\n")
            expected += 1
        else:
            tmp.write(f"[{i:07d}] noise: lorem ipsum dolor sit amet consectetur {i * 31 % 100003}\n")
    tmp.close()
    pats = [r"ev%02d: state=(\w+) value=(\d+) id=(c[0-9a-f]+)\r\n" % k for k in range(20)] + [pexpect.EOF]
    p = pexpect.spawn("cat", [tmp.name], timeout=120)
    hits = 0
    t0 = NS()
    while p.expect(pats) != 20:
        hits += 1
    dt = (NS() - t0) / 1e9
    p.close()
    os.unlink(tmp.name)
    return {"matches_per_s": hits / dt, "matches": hits, "expected": expected, "missed": expected - hits, "s": dt}


def main():
    out = {}
    print(f"pexpect {pexpect.__version__}: (a) spawn N={SPAWN_N}", flush=True)
    out["spawn_ms"] = spawn_case()
    print(f"pexpect: (b) round trip N={RT_N}", flush=True)
    out["roundtrip_us"] = roundtrip_case()
    print(f"pexpect: (c) throughput {TP_MB} MB (defaults, then maxread 65536 without the read sleep)", flush=True)
    out["throughput"] = throughput_case(2000, False)
    out["throughput_tuned"] = throughput_case(65536, True)
    print(f"pexpect: (d) 20 regexes over {MP_LINES} lines", flush=True)
    out["patterns"] = patterns_case()
    if "--json" in sys.argv:
        with open(sys.argv[sys.argv.index("--json") + 1], "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
