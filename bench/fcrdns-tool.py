#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""fcrdns-tool.py: helpers of fcrdns-bench.sh (python3 standard library only).

  adns-feed  --in ADDRS --window W --out VERDICTS --time-file F [--adnshost P]
             [--timeout S]
      Run GNU adns's adnshost in pipe mode ("adnshost -a -f"), doing checked
      reverse lookups ("-i ADDRESS": query type ptr, which looks up the PTR
      name's A or AAAA and fails with "inconsistent" unless it holds the
      address).  Keep at most W queries in flight: W lines first, then one
      more line for every answer.  adnshost runs under /usr/bin/time, so the
      peak RSS is adnshost's own.  Writes "address<TAB>verdict" lines.
  score      --expected TSV (--json FILE | --tsv FILE)
      Compare verdicts with the expected ones; print one line of
      key=value pairs.
  run        [--stdin F] [--stdout F] [--stderr F] [--timeout S] -- CMD...
      Run CMD, print "wall=SECONDS rc=STATUS" (monotonic clock, from the
      start of CMD to its exit, so this script's own start-up is not
      counted).  CMD is killed after S seconds (default 120): rc=124.
  snmp       print the Udp counters of /proc/net/snmp (this netns)
  table      --results TSV --count N
      Medians over repetitions, side by side, plus ratios and memory per
      in-flight check.
"""
import argparse
import json
import os
import resource
import select
import statistics
import subprocess
import sys
import threading
import time


# ---------------------------------------------------------------------------
# Waiting for a child: Popen.wait(timeout=...) polls with sleeps of up to
# 50 ms, which would round every wall time up to the next poll.  Block in
# waitpid() instead, with a timer that kills the child if it overstays.

def wait_bounded(p, timeout, group=False):
    """Wait for p; kill it (its process group if group) after timeout
    seconds.  Returns (exit status, killed)."""
    killed = []

    def kill():
        killed.append(1)
        try:
            if group:
                os.killpg(p.pid, 9)
            else:
                p.kill()
        except OSError:
            pass
    t = threading.Timer(max(0.0, timeout), kill)
    t.daemon = True
    t.start()
    rc = p.wait()
    t.cancel()
    return rc, bool(killed)


# ---------------------------------------------------------------------------
# adnshost feeder

def adns_verdict(stype, abbrev):
    """adns status of a checked PTR query -> RFC 8601 iprev verdict."""
    if stype == "ok":
        return "pass"
    if abbrev in ("nxdomain", "nodata"):
        return "permerror"   # no PTR data (RFC 8601 section 3)
    if stype == "misconfig":
        return "fail"        # "inconsistent": the forward does not match
    if stype in ("localfail", "remotefail", "tempfail"):
        return "temperror"
    return "error:" + abbrev


def adns_feed(a):
    with open(a.inp) as f:
        addrs = [l.strip() for l in f if l.strip()]
    n = len(addrs)
    window = max(1, min(a.window, n))
    cmd = ["/usr/bin/time", "-f", "%e %M %U %S", "-o", a.time_file,
           a.adnshost, "+e", "-a", "-f", "--config", "nameserver 127.0.0.1"]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    fin, fout = p.stdin.fileno(), p.stdout.fileno()
    os.set_blocking(fin, False)
    sent = 0
    wbuf = b""
    rbuf = b""
    skip = 0          # RR lines still to skip after a header
    verdicts = {}
    deadline = t0 + a.timeout

    def queue(k):
        nonlocal sent, wbuf
        k = min(k, n - sent)
        if k > 0:
            wbuf += "".join("-i %s\n" % x
                            for x in addrs[sent:sent + k]).encode()
            sent += k

    queue(window)
    stdin_open = True
    while len(verdicts) < n:
        if time.monotonic() > deadline:
            sys.stderr.write("adns-feed: gave up after %gs with %d of %d "
                             "answers\n" % (a.timeout, len(verdicts), n))
            break
        if stdin_open and not wbuf and sent == n:
            p.stdin.close()
            stdin_open = False
        wl = [fin] if stdin_open and wbuf else []
        r, w, _ = select.select([fout], wl, [], 1.0)
        if w:
            try:
                k = os.write(fin, wbuf)
                wbuf = wbuf[k:]
            except BlockingIOError:
                pass
        if r:
            chunk = os.read(fout, 1 << 16)
            if not chunk:
                break
            rbuf += chunk
            lines = rbuf.split(b"\n")
            rbuf = lines.pop()
            got = 0
            for line in lines:
                if skip:
                    skip -= 1
                    continue
                # <id> <nrrs> <statustype> <statusnum> <statusabbrev> ...
                f = line.split(b" ", 5)
                if len(f) < 5:
                    continue
                qid, nrrs = int(f[0]), int(f[1])
                skip = nrrs
                verdicts[qid] = adns_verdict(f[2].decode(), f[4].decode())
                got += 1
            queue(got)
    if stdin_open:
        try:
            p.stdin.close()
        except OSError:
            pass
    wait_bounded(p, max(1.0, deadline - time.monotonic()))
    wall = time.monotonic() - t0
    with open(a.out, "w") as f:
        for i, x in enumerate(addrs):
            f.write("%s\t%s\n" % (x, verdicts.get(i, "lost")))
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print("wall=%.6f rc=%d answers=%d feeder_cpu=%.3f"
          % (wall, p.returncode, len(verdicts), ru.ru_utime + ru.ru_stime))
    return 0


# ---------------------------------------------------------------------------
# Scoring

def load_expected(path):
    exp = {}
    with open(path) as f:
        for line in f:
            addr, verdict, _kind = line.rstrip("\n").split("\t")
            exp[addr] = verdict
    return exp


def score(a):
    exp = load_expected(a.expected)
    got = {}
    dup = bad = 0
    if a.json:
        with open(a.json) as f:
            for line in f:
                try:
                    o = json.loads(line)
                    addr = o["input"]
                    v = o["iprev"]["result"] if "iprev" in o else "error"
                except (ValueError, KeyError, TypeError):
                    bad += 1
                    continue
                if addr in got:
                    dup += 1
                got[addr] = v
    else:
        with open(a.tsv) as f:
            for line in f:
                addr, v = line.rstrip("\n").split("\t")
                if v != "lost":
                    got[addr] = v
    agree = sum(1 for k, v in exp.items() if got.get(k) == v)
    temp = sum(1 for v in got.values() if v == "temperror")
    lost = sum(1 for k in exp if k not in got)
    other = len(exp) - agree - lost - temp
    print("n=%d answered=%d agree=%d temperror=%d lost=%d wrong=%d dup=%d "
          "bad=%d" % (len(exp), len(exp) - lost, agree, temp, lost,
                      other, dup, bad))
    return 0


def run(a):
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        sys.exit("fcrdns-tool run: no command")
    fin = open(a.stdin, "rb") if a.stdin else subprocess.DEVNULL
    fout = open(a.stdout, "wb") if a.stdout else subprocess.DEVNULL
    ferr = open(a.stderr, "wb") if a.stderr else None
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=ferr,
                         start_new_session=True)
    rc, killed = wait_bounded(p, a.timeout, group=True)
    wall = time.monotonic() - t0
    if killed:
        rc = 124
    print("wall=%.6f rc=%d" % (wall, rc))
    return 0


def snmp(_a):
    with open("/proc/net/snmp") as f:
        rows = [l.split() for l in f if l.startswith("Udp:")]
    d = dict(zip(rows[0][1:], rows[1][1:]))
    print(" ".join("%s=%s" % (k, d.get(k, 0)) for k in
                   ("InDatagrams", "OutDatagrams", "RcvbufErrors",
                    "InErrors")))
    return 0


# ---------------------------------------------------------------------------
# Table

def table(a):
    runs = []
    with open(a.results) as f:
        hdr = f.readline().rstrip("\n").split("\t")
        for line in f:
            runs.append(dict(zip(hdr, line.rstrip("\n").split("\t"))))
    groups = {}
    order = []
    for r in runs:
        key = (r["tool"], r["window"])
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(r)

    def med(rs, k):
        v = [float(r[k]) for r in rs if r.get(k, "-") not in ("-", "")]
        return statistics.median(v) if v else None

    def each(rs, k):
        v = [r.get(k, "-") for r in rs]
        return "-" if all(x == "-" for x in v) else "/".join(v)

    rows = []
    for key in order:
        rs = groups[key]
        wall = med(rs, "wall")
        n = int(rs[0]["n"])
        ag = med(rs, "agree")
        rows.append({
            "tool": key[0], "window": key[1], "n": n, "reps": len(rs),
            "wall": wall, "cps": n / wall if wall else 0.0,
            "rss": med(rs, "rss_kb") / 1024.0,
            "cpu": med(rs, "cpu"), "srv": med(rs, "srv_cpu"),
            "agree": None if ag is None else 100.0 * ag / n,
            "temp": each(rs, "temperror"), "lost": each(rs, "lost"),
            "qpc": med(rs, "queries") / n, "drops": each(rs, "drops"),
            "rc": each(rs, "rc"), "aux": med(rs, "aux_cpu"),
        })
    adns = [r for r in rows if r["tool"] == "adnshost"]
    best_adns = max(adns, key=lambda r: r["cps"]) if adns else None
    bare = [r for r in rows if r["tool"] == "c-ares"]
    best_bare = max(bare, key=lambda r: r["cps"]) if bare else None

    fmt = "%-14s %6s %6s %4s %7s %8s %6s %6s %6s %7s %-9s %-7s %5s %-11s %5s"
    print(fmt % ("tool", "window", "N", "reps", "wall s", "checks/s",
                 "RSS MB", "CPU s", "srv s", "agree%", "temperror", "lost",
                 "q/chk", "drops", "ratio"))
    for r in rows:
        ratio = ("%5.2f" % (r["cps"] / best_adns["cps"])) if best_adns \
            else "-"
        print(fmt % (r["tool"], r["window"], r["n"], r["reps"],
                     "%.3f" % r["wall"], "%.0f" % r["cps"],
                     "%.1f" % r["rss"], "%.3f" % r["cpu"],
                     "-" if r["srv"] is None else "%.2f" % r["srv"],
                     "-" if r["agree"] is None else "%.2f" % r["agree"],
                     r["temp"], r["lost"], "%.2f" % r["qpc"], r["drops"],
                     ratio))
    print("""
window: mxcheck --parallel (checks in flight; --max-queries at its default),
  adnshost and c-ares: checks in flight.  wall, checks/s, RSS (peak, of the
  checker alone), CPU (user+sys of the checker), srv (knotd CPU), agree%,
  q/chk: medians over the repetitions.  temperror, lost (addresses without
  an answer), drops (UDP datagrams dropped for lack of receive buffer, any
  socket in the namespace): each repetition.  q/chk: UDP datagrams / 2 / N.
  ratio: checks/s over the best adnshost row.  "mxcheck -q" prints nothing
  (verdicts not seen); "mxcheck --json" prints and is scored.""")
    print()
    mx = {}
    for r in rows:
        if r["tool"].startswith("mxcheck"):
            mx.setdefault(r["tool"], {})[r["window"]] = r
    if best_adns:
        print("best adnshost:  window %s, %.0f checks/s, %.1f MB"
              % (best_adns["window"], best_adns["cps"], best_adns["rss"]))
    aux = [r["aux"] for r in adns if r["aux"] is not None]
    if aux:
        print("adnshost's feeder (python3, same machine) used %.3f-%.3f s "
              "of CPU per run (median per window)" % (min(aux), max(aux)))
    if best_bare:
        print("bare c-ares:    window %s, %.0f checks/s, %.1f MB"
              % (best_bare["window"], best_bare["cps"], best_bare["rss"]))
    for tool in sorted(mx):
        best = max(mx[tool].values(), key=lambda r: r["cps"])
        line = "best %-14s --parallel %s, %.0f checks/s" % (
            tool + ":", best["window"], best["cps"])
        if best_adns:
            line += ", %.2fx adnshost (target >= 1.30)" % (
                best["cps"] / best_adns["cps"])
        if best_bare:
            line += ", %.0f%% of bare c-ares (target >= 90)" % (
                100.0 * best["cps"] / best_bare["cps"])
        print(line)
    for tool in sorted(mx):
        rss = [(r["rss"], w) for w, r in mx[tool].items()]
        lo, hi = min(rss), max(rss)
        line = "peak RSS %-14s %.1f MB (--parallel %s) to %.1f MB " \
               "(--parallel %s)" % (tool + ":", lo[0], lo[1], hi[0], hi[1])
        if best_adns:
            line += "; %.1fx to %.1fx adnshost's %.1f MB (target < 2x)" % (
                lo[0] / best_adns["rss"], hi[0] / best_adns["rss"],
                best_adns["rss"])
        print(line)
        r100, rn = mx[tool].get("100"), mx[tool].get(str(a.count))
        if r100 and rn and a.count > 100:
            per = (rn["rss"] - r100["rss"]) * 1048576.0 / (a.count - 100)
            print("memory per in-flight check (%s): (RSS at --parallel %d - "
                  "RSS at --parallel 100) / %d = %.0f bytes (target <= 1024)"
                  % (tool, a.count, a.count - 100, per))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="sub", required=True)
    p = sub.add_parser("adns-feed")
    p.add_argument("--in", dest="inp", required=True)
    p.add_argument("--window", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--time-file", required=True)
    p.add_argument("--adnshost", default="adnshost")
    p.add_argument("--timeout", type=float, default=120.0)
    p = sub.add_parser("score")
    p.add_argument("--expected", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--json")
    g.add_argument("--tsv")
    p = sub.add_parser("run")
    p.add_argument("--stdin")
    p.add_argument("--stdout")
    p.add_argument("--stderr")
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    sub.add_parser("snmp")
    p = sub.add_parser("table")
    p.add_argument("--results", required=True)
    p.add_argument("--count", type=int, required=True)
    a = ap.parse_args()
    return {"adns-feed": adns_feed, "score": score, "run": run,
            "snmp": snmp, "table": table}[a.sub](a)


if __name__ == "__main__":
    sys.exit(main())
