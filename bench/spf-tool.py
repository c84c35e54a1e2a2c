#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""spf-tool.py: helpers of spf-bench.sh (python3 standard library; the
pyspf subcommands need python3-spf).

  run     [--stdin F] [--stdout F] [--stderr F] [--timeout S] -- CMD...
      Run CMD, print "wall=SECONDS rc=STATUS" (monotonic clock, from the
      start of CMD to its exit).  CMD is killed after S seconds: rc=124.
  snmp    print the Udp counters of /proc/net/snmp (this network namespace)
  pyspf   --in PAIRS --out TSV|-
      Evaluate every "ADDRESS SENDER HELO" line with pyspf's spf.check2()
      in this one process, as a program using pyspf would; writes
      "address<TAB>sender<TAB>verdict".  DNS: pyspf's own (dnspython,
      /etc/resolv.conf).
  score   --expected TSV --format mxjson|spfquery|tsv --file F [--dump F]
      Compare verdicts with expected.tsv; print key=value pairs; --dump
      writes "address<TAB>sender<TAB>verdict" for pairwise comparisons.
  pairwise DUMP1 DUMP2      print "same=N of=N"
  proxy   --listen HOST:PORT --upstream HOST:PORT --delay-ms D
          --ready-file F [--log F]
      A DNS proxy (UDP and TCP) that holds every query D ms before passing
      it on: a round trip then costs D ms more, so sequential round trips
      can be counted from wall times.  Runs until SIGTERM.
  latency --sample TSV --tool NAME --out TSV [--timeout S] -- CMD...
      Evaluate the sample pairs one at a time, one process each (tool
      "pyspf": in this process, a fresh spf.query each, which is what
      pyspf does anyway), and record the wall time and the UDP datagrams
      of each evaluation.  {ip}, {sender} and {helo} in CMD are replaced;
      {stdin} makes the pair line the process's standard input.
  table   --results TSV --count N [--latency TSV --delay-ms D]
      Medians over repetitions, side by side, ratios; the round-trip table.
"""
import argparse
import asyncio
import ipaddress
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time


# ---------------------------------------------------------------------------
# Running a command

def wait_bounded(p, timeout):
    """Wait for p (a process group leader); kill the group after timeout
    seconds.  waitpid() rather than Popen.wait(timeout), whose polling
    would round wall times up.  Returns (status, killed)."""
    killed = []

    def kill():
        killed.append(1)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
    t = threading.Timer(max(0.0, timeout), kill)
    t.daemon = True
    t.start()
    rc = p.wait()
    t.cancel()
    return rc, bool(killed)


def run_cmd(cmd, stdin=None, stdout=None, stderr=None, timeout=120.0,
            input_bytes=None):
    fin = open(stdin, "rb") if stdin else (
        subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL)
    fout = open(stdout, "wb") if stdout else subprocess.DEVNULL
    ferr = open(stderr, "wb") if stderr else subprocess.DEVNULL
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=ferr,
                         start_new_session=True)
    if input_bytes is not None:
        try:
            p.stdin.write(input_bytes)
            p.stdin.close()
        except OSError:
            pass
    rc, killed = wait_bounded(p, timeout)
    wall = time.monotonic() - t0
    for f in (fin, fout, ferr):
        if hasattr(f, "close"):
            f.close()
    return wall, 124 if killed else rc


def run(a):
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        sys.exit("spf-tool run: no command")
    wall, rc = run_cmd(cmd, a.stdin, a.stdout, a.stderr, a.timeout)
    print("wall=%.6f rc=%d" % (wall, rc))
    return 0


def udp_counters():
    with open("/proc/net/snmp") as f:
        rows = [l.split() for l in f if l.startswith("Udp:")]
    return dict(zip(rows[0][1:], (int(x) for x in rows[1][1:])))


def snmp(_a):
    d = udp_counters()
    print(" ".join("%s=%s" % (k, d.get(k, 0)) for k in
                   ("InDatagrams", "OutDatagrams", "RcvbufErrors",
                    "InErrors")))
    return 0


# ---------------------------------------------------------------------------
# pyspf

def import_spf():
    try:
        import spf
    except ImportError:
        sys.exit("spf-tool: no python module spf (Debian: python3-spf)")
    return spf


def read_pairs(path):
    out = []
    with open(path) as f:
        for line in f:
            fl = line.split()
            if len(fl) >= 2:
                out.append((fl[0], fl[1], fl[2] if len(fl) > 2 else ""))
    return out


def pyspf(a):
    spf = import_spf()
    pairs = read_pairs(a.inp)
    out = sys.stdout if a.out == "-" else open(a.out, "w")
    for ip, sender, helo in pairs:
        try:
            res, _exp = spf.check2(i=ip, s=sender, h=helo)
        except Exception as e:   # pyspf raises on odd input
            res = "error:" + type(e).__name__
        out.write("%s\t%s\t%s\n" % (ip, sender, res))
    out.flush()
    return 0


# ---------------------------------------------------------------------------
# Scoring

def norm_ip(s):
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s


def load_expected(path):
    exp = {}
    with open(path) as f:
        for line in f:
            fl = line.rstrip("\n").split("\t")
            exp[(norm_ip(fl[0]), fl[1])] = fl[2]
    return exp


RECEIVED = re.compile(r"^Received-SPF: (\S+) .*client-ip=([^;]+); "
                      r"envelope-from=([^;]*);")


def read_verdicts(fmt, path):
    got, bad = {}, 0
    with open(path, errors="replace") as f:
        for line in f:
            if fmt == "mxjson":
                try:
                    o = json.loads(line)
                    s = o["spf"]
                    key = (norm_ip(o["address"]), s["smtp.mailfrom"])
                    v = s["result"]
                except (ValueError, KeyError, TypeError):
                    bad += 1
                    continue
            elif fmt == "spfquery":
                # spfquery -file prints a result line, comments, then one
                # Received-SPF header per pair: the header names the pair.
                m = RECEIVED.match(line)
                if not m:
                    continue
                key = (norm_ip(m.group(2)), m.group(3))
                v = m.group(1)
            else:
                fl = line.rstrip("\n").split("\t")
                if len(fl) < 3:
                    bad += 1
                    continue
                key = (norm_ip(fl[0]), fl[1])
                v = fl[2]
            got[key] = v
    return got, bad


def score(a):
    exp = load_expected(a.expected)
    got, bad = read_verdicts(a.format, a.file)
    agree = temp = lost = 0
    dis = {}
    for k, v in exp.items():
        g = got.get(k)
        if g is None:
            lost += 1
        elif g == v:
            agree += 1
        else:
            if g == "temperror":
                temp += 1
            dis[(v, g)] = dis.get((v, g), 0) + 1
    if a.dump:
        with open(a.dump, "w") as f:
            for k in sorted(got):
                f.write("%s\t%s\t%s\n" % (k[0], k[1], got[k]))
    d = ",".join("%s>%s:%d" % (e, g, n) for (e, g), n in
                 sorted(dis.items(), key=lambda x: -x[1])) or "-"
    print("n=%d answered=%d agree=%d temperror=%d lost=%d bad=%d dis=%s"
          % (len(exp), len(exp) - lost, agree, temp, lost, bad, d))
    return 0


def pairwise(a):
    x, _ = read_verdicts("tsv", a.a)
    y, _ = read_verdicts("tsv", a.b)
    both = [k for k in x if k in y]
    print("same=%d of=%d" % (sum(1 for k in both if x[k] == y[k]),
                             len(both)))
    return 0


# ---------------------------------------------------------------------------
# The delaying proxy

def hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


QTYPES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX",
          16: "TXT", 28: "AAAA", 99: "SPF"}
LOG = None


def log_query(data, proto):
    """One line per query: protocol, name, type (for --log)."""
    if LOG is None:
        return
    try:
        off, labels = 12, []
        while data[off]:
            n = data[off]
            labels.append(data[off + 1:off + 1 + n].decode("ascii",
                                                            "replace"))
            off += 1 + n
        qtype = int.from_bytes(data[off + 1:off + 3], "big")
        LOG.write("%s %s %s\n" % (proto, ".".join(labels) or ".",
                                  QTYPES.get(qtype, str(qtype))))
        LOG.flush()
    except (IndexError, ValueError):
        LOG.write("%s ?\n" % proto)


class UdpFront(asyncio.DatagramProtocol):
    def __init__(self, upstream, delay):
        self.upstream = upstream
        self.delay = delay
        self.clients = {}     # client address -> upstream transport

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        log_query(data, "udp")
        loop = asyncio.get_running_loop()
        if self.delay > 0:
            loop.call_later(self.delay, self.forward, data, addr)
        else:
            self.forward(data, addr)

    def forward(self, data, addr):
        up = self.clients.get(addr)
        if up is not None:
            up.sendto(data)
            return
        loop = asyncio.get_running_loop()

        front = self

        class Back(asyncio.DatagramProtocol):
            def datagram_received(self, reply, _a):
                front.transport.sendto(reply, addr)

        async def open_back():
            tr, _ = await loop.create_datagram_endpoint(
                Back, remote_addr=self.upstream)
            self.clients[addr] = tr
            tr.sendto(data)
        loop.create_task(open_back())


async def tcp_client(reader, writer, upstream, delay):
    try:
        while True:
            hdr = await reader.readexactly(2)
            msg = await reader.readexactly(int.from_bytes(hdr, "big"))
            log_query(msg, "tcp")
            if delay > 0:
                await asyncio.sleep(delay)
            ur, uw = await asyncio.open_connection(*upstream)
            uw.write(hdr + msg)
            await uw.drain()
            rh = await ur.readexactly(2)
            reply = await ur.readexactly(int.from_bytes(rh, "big"))
            uw.close()
            writer.write(rh + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def proxy_main(a):
    loop = asyncio.get_running_loop()
    lh, lp = hostport(a.listen)
    upstream = hostport(a.upstream)
    delay = a.delay_ms / 1000.0
    await loop.create_datagram_endpoint(
        lambda: UdpFront(upstream, delay), local_addr=(lh, lp))
    await asyncio.start_server(
        lambda r, w: tcp_client(r, w, upstream, delay), lh, lp)
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    tmp = a.ready_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("ready\n")
    os.rename(tmp, a.ready_file)
    await stop.wait()


def proxy(a):
    global LOG
    if a.log:
        LOG = open(a.log, "a")
    asyncio.run(proxy_main(a))
    return 0


# ---------------------------------------------------------------------------
# One evaluation at a time

def latency(a):
    rows = []
    with open(a.sample) as f:
        for line in f:
            fl = line.rstrip("\n").split("\t")
            rows.append(fl)
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    spf = import_spf() if a.tool == "pyspf" else None
    with open(a.out, "a") as out:
        for fl in rows:
            ip, sender, depth = fl[0], fl[1], fl[3]
            helo = "mail." + sender.split("@", 1)[1]
            c0 = udp_counters()["OutDatagrams"]
            rc = 0
            if spf is not None:
                t0 = time.monotonic()
                try:
                    spf.check2(i=ip, s=sender, h=helo)
                except Exception:   # timed all the same
                    rc = 1
                wall = time.monotonic() - t0
            else:
                argv = [x.replace("{ip}", ip).replace("{sender}", sender)
                        .replace("{helo}", helo) for x in cmd if
                        x != "{stdin}"]
                inp = None
                if "{stdin}" in cmd:
                    inp = ("%s %s %s\n" % (ip, sender, helo)).encode()
                wall, rc = run_cmd(argv, timeout=a.timeout,
                                   input_bytes=inp)
            c1 = udp_counters()["OutDatagrams"]
            out.write("%s\t%s\t%s\t%s\t%.6f\t%d\t%d\t%s\n" %
                      (a.tool, a.delay_ms, depth, ip + " " + sender, wall,
                       c1 - c0, rc, fl[2]))
    return 0


# ---------------------------------------------------------------------------
# Tables

def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def table(a):
    runs = []
    with open(a.results) as f:
        hdr = f.readline().rstrip("\n").split("\t")
        for line in f:
            runs.append(dict(zip(hdr, line.rstrip("\n").split("\t"))))
    groups, order = {}, []
    for r in runs:
        key = (r["tool"], r["par"])
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(r)

    def num(r, k):
        v = r.get(k, "-")
        return None if v in ("-", "") else float(v)

    rows = []
    for key in order:
        rs = groups[key]
        n = int(rs[0]["n"])
        wall = med(num(r, "wall") for r in rs)
        ag = med(num(r, "agree") for r in rs)
        rows.append({
            "tool": key[0], "par": key[1], "n": n, "reps": len(rs),
            "wall": wall, "eps": n / wall if wall else 0.0,
            "rss": med(num(r, "rss_kb") for r in rs) / 1024.0,
            "cpu": med(num(r, "cpu") for r in rs),
            "srv": med(num(r, "srv_cpu") for r in rs),
            "q": med(num(r, "queries") for r in rs) / n,
            "agree": None if ag is None else 100.0 * ag / n,
            "temp": "/".join(r["temperror"] for r in rs),
            "rc": "/".join(r["rc"] for r in rs),
            "dis": rs[-1].get("dis", "-"),
        })
    ref = [r for r in rows if r["tool"] == "spfquery"]
    ref = ref[0] if ref else None
    fmt = "%-27s %4s %5s %4s %7s %7s %6s %6s %5s %6s %7s %-9s %6s"
    print(fmt % ("tool", "par", "N", "reps", "wall s", "evals/s", "RSS MB",
                 "CPU s", "srv s", "q/eval", "agree%", "temperror",
                 "ratio"))
    for r in rows:
        print(fmt % (r["tool"], r["par"], r["n"], r["reps"],
                     "%.3f" % r["wall"], "%.0f" % r["eps"],
                     "%.1f" % r["rss"], "%.3f" % r["cpu"],
                     "-" if r["srv"] is None else "%.2f" % r["srv"],
                     "%.2f" % r["q"],
                     "-" if r["agree"] is None else "%.2f" % r["agree"],
                     r["temp"], "%.2f" % (r["eps"] / ref["eps"]) if ref
                     else "-"))
    print("""
par: --parallel (evaluations in flight; 1 for the sequential tools).  wall,
  evals/s, RSS (peak, of the tool alone), CPU (user+sys of the tool), srv
  (knotd CPU), q/eval (UDP datagrams sent in the namespace / 2 / N) and
  agree% (verdicts equal to the expected ones): medians over the
  repetitions; temperror: each repetition.  ratio: evals/s over spfquery's.
  mxcheck: the CLI, "mxcheck --batch FILE" with lines "ADDRESS SENDER HELO";
  it runs an iprev check next to every SPF check (one PTR query more per
  address); "-q" prints nothing (verdicts not seen; libspf2's view and
  the SPF trace are then off), "--json" is scored;
  "--no-libspf2": without libspf2's view of every SPF check.
  libmxcheck: SPF alone through the public API (bench/spf-batch.c), one
  context, a cache of 1000 answers as mxcheck --batch; "-L": libspf2's
  view off (the library's own evaluator only); "-D": the SPF detail
  (trace, lint) off too; "noprefetch": lib/checks/spf/spf.c
  without its prefetch (built by the script).""")
    print()
    print("Disagreements with the expected verdicts (expected>got:count, "
          "last repetition):")
    seen = set()
    for r in rows:
        if r["dis"] != "-" and r["tool"] not in seen:
            seen.add(r["tool"])
            print("  %-27s %s" % (r["tool"], r["dis"]))
    if not seen:
        print("  none")
    if ref:
        print()
        print("spfquery: %.0f evaluations/s" % ref["eps"])
        for name in sorted({r["tool"] for r in rows} - {"spfquery"}):
            best = max((r for r in rows if r["tool"] == name),
                       key=lambda r: r["eps"])
            print("best %-28s par %4s: %6.0f evaluations/s, %.2fx spfquery"
                  "%s" % (name + ":", best["par"], best["eps"],
                          best["eps"] / ref["eps"],
                          "" if best["agree"] is None else
                          ", agreement %.2f%% (spfquery %.2f%%)" %
                          (best["agree"], ref["agree"] or 0.0)))

    if a.latency and os.path.exists(a.latency):
        latency_table(a)
    return 0


def latency_table(a):
    recs = []
    with open(a.latency) as f:
        for line in f:
            fl = line.rstrip("\n").split("\t")
            recs.append({"tool": fl[0], "delay": float(fl[1]),
                         "depth": int(fl[2]), "pair": fl[3],
                         "wall": float(fl[4]), "dgram": int(fl[5])})
    tools = []
    for r in recs:
        if r["tool"] not in tools:
            tools.append(r["tool"])
    d = a.delay_ms
    base = {(r["tool"], r["pair"]): r for r in recs if r["delay"] == 0}
    slow = [r for r in recs if r["delay"] == d]
    print()
    print("Round trips, one evaluation at a time, cold cache (a process per "
          "evaluation;")
    print("pyspf: a fresh spf.query per evaluation), through a proxy that "
          "holds each query %g ms:" % d)
    print("  RT = (wall with the delay - wall without) / %g ms, median over "
          "the pairs;" % d)
    print("  q = DNS queries per evaluation (UDP datagrams / 4: client, "
          "proxy, server, proxy);")
    print("  ms = median wall time per evaluation with the delay, process "
          "start included.")
    hdr = "%-5s %5s" % ("depth", "pairs")
    for t in tools:
        hdr += "  %-24s" % t
    print()
    print(hdr)
    print("%-5s %5s" % ("", "") + "".join("  %-24s" % "RT    q      ms"
                                           for _ in tools))
    for depth in sorted({r["depth"] for r in slow}):
        line = ""
        npairs = 0
        for t in tools:
            rs = [r for r in slow if r["tool"] == t and r["depth"] == depth]
            npairs = max(npairs, len(rs))
            rts = [(r["wall"] - base[(t, r["pair"])]["wall"]) * 1000.0 / d
                   for r in rs if (t, r["pair"]) in base]
            q = med(r["dgram"] / 4.0 for r in rs)
            ms = med(r["wall"] * 1000.0 for r in rs)
            line += "  %-24s" % ("%-5s %-6s %-6s" % (
                "-" if not rts else "%.1f" % med(rts),
                "-" if q is None else "%.1f" % q,
                "-" if ms is None else "%.0f" % ms))
        print("%-5d %5d" % (depth, npairs) + line)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="sub", required=True)
    p = sub.add_parser("run")
    p.add_argument("--stdin")
    p.add_argument("--stdout")
    p.add_argument("--stderr")
    p.add_argument("--timeout", type=float, default=300.0)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    sub.add_parser("snmp")
    p = sub.add_parser("pyspf")
    p.add_argument("--in", dest="inp", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("score")
    p.add_argument("--expected", required=True)
    p.add_argument("--format", choices=("mxjson", "spfquery", "tsv"),
                   required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--dump")
    p = sub.add_parser("pairwise")
    p.add_argument("a")
    p.add_argument("b")
    p = sub.add_parser("proxy")
    p.add_argument("--listen", required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--delay-ms", type=float, default=10.0)
    p.add_argument("--ready-file", required=True)
    p.add_argument("--log", help="append every query (name, type) here")
    p = sub.add_parser("latency")
    p.add_argument("--sample", required=True)
    p.add_argument("--tool", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--delay-ms", type=float, required=True)
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    p = sub.add_parser("table")
    p.add_argument("--results", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--latency")
    p.add_argument("--delay-ms", type=float, default=10.0)
    a = ap.parse_args()
    return {"run": run, "snmp": snmp, "pyspf": pyspf, "score": score,
            "pairwise": pairwise, "proxy": proxy, "latency": latency,
            "table": table}[a.sub](a)


if __name__ == "__main__":
    sys.exit(main())
