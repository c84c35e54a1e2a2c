#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""all-summary.py DIR: the targets of the performance issue, read from the
logs bench/all.sh wrote in DIR (fcrdns.log, spf.log, dkim.log), as one
table: workload, the figure, the peer's figure in the same run, the ratio,
the target and whether it is met.  A figure that is missing from a log is
printed as such (never as met)."""
import re
import sys


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def num(s):
    return float(s.replace(",", ""))


def main():
    d = sys.argv[1]
    rows = []  # (workload, figure, peer, ratio, target, met)

    def row(work, fig, peer, ratio, target, met):
        rows.append((work, fig, peer, ratio, target,
                     "-" if met is None else ("yes" if met else "NO")))

    f = read(d + "/fcrdns.log")
    adns = re.search(r"best adnshost:\s+window \S+, (\d+) checks/s", f)
    bare = re.search(r"bare c-ares:\s+window \S+, (\d+) checks/s", f)
    for tool in ("--json", "-q"):
        m = re.search(r"best mxcheck %s:\s+--parallel \S+, (\d+) checks/s"
                      % re.escape(tool), f)
        if not (m and adns and bare):
            row("FCrDNS mxcheck " + tool, "missing", "", "", "", None)
            continue
        v, a, b = num(m.group(1)), num(adns.group(1)), num(bare.group(1))
        row("FCrDNS mxcheck %s vs adnshost" % tool, "%.0f/s" % v,
            "%.0f/s" % a, "%.2fx" % (v / a), ">= 1.30x", v / a >= 1.30)
        row("FCrDNS mxcheck %s vs bare c-ares" % tool, "%.0f/s" % v,
            "%.0f/s" % b, "%.0f%%" % (100 * v / b), ">= 90%",
            v / b >= 0.90)
    m = re.search(r"memory per in-flight check \(mxcheck --json\):.* = "
                  r"(\d+) bytes", f)
    if m:
        row("FCrDNS bytes per check in flight (--json)", m.group(1), "", "",
            "<= 1024", num(m.group(1)) <= 1024)

    s = read(d + "/spf.log")
    sq = re.search(r"^spfquery: (\d+) evaluations/s", s, re.M)
    for tool in ("mxcheck --json", "mxcheck -q"):
        m = re.search(r"^best %s:\s+par\s+\d+:\s+(\d+) evaluations/s, "
                      r"[\d.]+x spfquery(?:, agreement ([\d.]+)%%)?"
                      % re.escape(tool), s, re.M)
        if not (m and sq):
            row("SPF " + tool, "missing", "", "", "", None)
            continue
        v, p = num(m.group(1)), num(sq.group(1))
        target = 2.0 if tool == "mxcheck --json" else None
        row("SPF %s vs spfquery" % tool, "%.0f/s" % v, "%.0f/s" % p,
            "%.2fx" % (v / p), ">= 2x" if target else "-",
            (v / p >= target) if target else None)
        if m.group(2):
            row("SPF %s agreement" % tool, m.group(2) + "%", "", "",
                "100%", num(m.group(2)) >= 100.0)
    for line in s.splitlines():
        m = re.match(r"^([23])\s+\d+\s+(-?[\d.]+)\s+[\d.]+\s+\d+\s+"
                     r"(?:(?:-?[\d.]+|-)\s+(?:[\d.]+|-)\s+(?:\d+|-)\s+){2}"
                     r"(-?[\d.]+)", line)
        if m:
            depth, rt, srt = int(m.group(1)), num(m.group(2)), num(m.group(3))
            row("SPF round trips, include depth %d" % depth, "%.1f" % rt,
                "%.1f" % srt, "", "<= %.1f" % (depth + 1.5),
                rt <= depth + 1.5)

    k = read(d + "/dkim.log")
    for work, target in (("rsa-10k", 1.8), ("ed-10k", 1.5)):
        lo = re.search(r"\| %s \| libopendkim alone[^|]*\|[^|]*\|[^|]*\|"
                       r"[^|]*\|[^|]*\| (\d+) \|" % work, k)
        mx = re.search(r"\| %s \| mxcheck --jobs 1 \|[^|]*\|[^|]*\|[^|]*\|"
                       r"[^|]*\| (\d+)" % work, k)
        if not (lo and mx):
            row("DKIM " + work, "missing", "", "", "", None)
            continue
        v, p = num(mx.group(1)), num(lo.group(1))
        row("DKIM %s per CPU-second vs libopendkim" % work, "%.0f" % v,
            "%.0f" % p, "%.2fx" % (v / p), ">= %.1fx" % target,
            v / p >= target)
    rsa = re.search(r"RSA-2048: [\d.]+ sign/s, ([\d.]+) verify/s", k)
    sha = re.search(r"SHA-256, 16 KiB blocks: ([\d.]+)k", k)
    mx = re.search(r"\| rsa-10k \| mxcheck --jobs 1 \|[^|]*\|[^|]*\|[^|]*\|"
                   r"[^|]*\| (\d+)", k)
    if rsa and sha and mx:
        # the OpenSSL bound of an ~11 KB RSA-2048 message: one verify and
        # hashing ~11 KB
        per = 1 / num(rsa.group(1)) + 11000 / (num(sha.group(1)) * 1000)
        bound = 1 / per
        v = num(mx.group(1))
        row("DKIM rsa-10k vs the OpenSSL bound (stretch)", "%.0f" % v,
            "%.0f" % bound, "%.0f%%" % (100 * v / bound), "50%",
            v / bound >= 0.5)

    w = [max(len(str(r[i])) for r in rows + [("workload", "mxcheck",
         "peer", "ratio", "target", "met")]) for i in range(6)]
    fmt = "  ".join("%%-%ds" % x for x in w)
    print("targets (performance issue), this run:")
    print(fmt % ("workload", "mxcheck", "peer", "ratio", "target", "met"))
    for r in rows:
        print(fmt % r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
