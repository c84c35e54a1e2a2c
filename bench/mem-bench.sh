#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mem-bench.sh: what a check in flight holds (issue 12, item 5), and the
# soak (make check-soak).  Not part of make check: run by hand (make
# bench-mem) or as the soak.
#
#   bench/mem-bench.sh --mxcheck PATH [--parallel N] [--lines N]
#   bench/mem-bench.sh --mxcheck PATH --soak [--lines N]
#
# Memory: for each workload a batch of LINES distinct checks runs at
# --parallel N (default 5000) and at --parallel 1; the peak RSS of the
# first minus that of the second, over N, is printed as KiB per check in
# flight.  Workloads: iprev and iprev+SPF (lines "ADDRESS user@DOMAIN";
# SPF alone is the difference) against Knot (a wildcard reverse zone and
# an SPF record with one include), and against tests/faultdns.py, whose
# answers for 198.18.0.0/15 and late.fault.test come 1 s late (--timeout
# 0.5 --tries 2: every check ends in a timeout, all of them in flight at
# once); "max": the SPF domains are under max.fault.test, whose every
# answer is TC=1 over UDP, then 65,535 octets over TCP (the TCP buffers).
#
# Soak: a batch of LINES (default 1,000,000) iprev+SPF lines against Knot
# at --parallel 1000: fails if the RSS grows more than 10% after the first
# 10% of the lines; then a --parallel 5000 run against the fault responder:
# fails if the process ever has more than 16 descriptors open.
#
# Knot and faultdns.py are started by tests/dnsfixture.sh (stopped by PID).
set -u
here=$(cd "$(dirname "$0")" && pwd) || exit 2
mxcheck=
parallel=5000
lines=
soak=no
while [ $# -gt 0 ]; do
  case $1 in
    --mxcheck) mxcheck=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --lines) lines=$2; shift 2 ;;
    --soak) soak=yes; shift ;;
    *) echo "usage: $0 --mxcheck PATH [--parallel N] [--lines N] [--soak]" >&2
       exit 2 ;;
  esac
done
[ -x "$mxcheck" ] || { echo "mem-bench: --mxcheck PATH needed" >&2; exit 2; }

if [ -z "${MEMBENCH_INSIDE:-}" ]; then
  # Start Knot (zones written here) and faultdns.py, then run again inside.
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxc-mem.XXXXXX") || exit 2
  trap 'rm -rf "$tmp"' EXIT
  mkdir "$tmp/zones"
  cat >"$tmp/zones/bench.test.zone" <<'Z'
$ORIGIN bench.test.
$TTL 300
@    SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 60
@    NS  ns.bench.test.
ns   A   127.0.0.1
h    A   10.0.0.1
*.s  TXT "v=spf1 ip4:192.0.2.0/24 include:inc.bench.test -all"
inc  TXT "v=spf1 ip4:198.51.100.0/24 ip4:203.0.113.0/24 -all"
Z
  cat >"$tmp/zones/10.in-addr.arpa.zone" <<'Z'
$ORIGIN 10.in-addr.arpa.
$TTL 300
@    SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 60
@    NS  ns.bench.test.
*    PTR h.bench.test.
Z
  args=(--mxcheck "$mxcheck" --parallel "$parallel")
  [ -n "$lines" ] && args+=(--lines "$lines")
  [ "$soak" = yes ] && args+=(--soak)
  MEMBENCH_INSIDE=1 TMPDIR=$tmp bash "$here/../tests/dnsfixture.sh" \
    --zones "$tmp/zones" --fault -- bash "$0" "${args[@]}"
  exit $?
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxc-mem-run.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# lines FILE N KIND: N distinct batch lines
gen() {
  python3 - "$1" "$2" "$3" <<'P'
import sys
path, n, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "w") as f:
    for i in range(n):
        a, b, c = (i >> 16) & 255, (i >> 8) & 255, i & 255
        if kind == "knot-iprev":
            f.write("10.%d.%d.%d\n" % (a, b, c))
        elif kind == "knot-spf":
            f.write("10.%d.%d.%d u@d%d.s.bench.test\n" % (a, b, c, i))
        elif kind == "fault-iprev":
            f.write("198.%d.%d.%d\n" % (18 + (a & 1), b, c))
        elif kind == "fault-spf":
            f.write("198.%d.%d.%d u@d%d.late.fault.test\n"
                    % (18 + (a & 1), b, c, i))
        elif kind == "max-spf":     # iprev: NXDOMAIN at once
            f.write("198.51.100.%d u@d%d.max.fault.test\n"
                    % (100 + i % 100, i))
P
}

# run FILE SERVER PARALLEL [mxcheck options...]: sets peak_kb, peak_fd,
# secs, run_status; the RSS samples ("time kb") in $tmp/samples
run() {
  local file=$1 server=$2 par=$3
  shift 3
  local t0 pid kb fd
  t0=$(date +%s.%N)
  "$mxcheck" --server "$server" --parallel "$par" --batch "$file" --quiet \
    --progress never --color never "$@" >/dev/null 2>"$tmp/err" &
  pid=$!
  peak_kb=0
  peak_fd=0
  : >"$tmp/samples"
  while kill -0 "$pid" 2>/dev/null; do
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    fd=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    if [ -n "$kb" ]; then
      [ "$kb" -gt "$peak_kb" ] && peak_kb=$kb
      [ "$fd" -gt "$peak_fd" ] && peak_fd=$fd
      echo "$(date +%s.%N) $kb" >>"$tmp/samples"
    fi
    sleep 0.05
  done
  wait "$pid"
  run_status=$?
  secs=$(echo "$(date +%s.%N) - $t0" | bc)
}

fault_opts=(--timeout 0.5 --tries 2)

if [ "$soak" = no ]; then
  n=${lines:-50000}
  printf '%-14s %-6s %9s %9s %9s %12s %7s\n' workload server "peak@$parallel" \
    "peak@1" "KiB/check" "fds@$parallel" secs
  for kind in knot-iprev knot-spf fault-iprev fault-spf max-spf; do
    case $kind in
      knot-*) server=$MXC_TEST_DNS; opts=() ;;
      max-*) server=$MXC_TEST_FAULT; opts=(--timeout 5 --tries 1) ;;
      *) server=$MXC_TEST_FAULT; opts=("${fault_opts[@]}") ;;
    esac
    m=$n
    case $kind in
      fault-*) m=$((parallel * 2)) ;;
      max-*) m=$parallel ;; # 64 KiB each through a Python server: slow
    esac
    gen "$tmp/in" "$m" "$kind"
    run "$tmp/in" "$server" "$parallel" "${opts[@]}"
    big=$peak_kb fds=$peak_fd s=$secs
    # the baseline: the same kind of lines, one at a time (few: at
    # --parallel 1 a faulted line takes its timeouts)
    gen "$tmp/in1" 20 "$kind"
    run "$tmp/in1" "$server" 1 "${opts[@]}"
    per=$(echo "scale=2; ($big - $peak_kb) / $parallel" | bc)
    printf '%-14s %-6s %8sK %8sK %9s %12s %7.1f\n' "${kind#*-}" "${kind%%-*}" \
      "$big" "$peak_kb" "$per" "$fds" "$s"
  done
  exit 0
fi

# ---- soak
status=0
n=${lines:-1000000}
gen "$tmp/in" "$n" knot-spf
run "$tmp/in" "$MXC_TEST_DNS" 1000
# RSS after the first 10% of the run's time against the peak afterwards
python3 - "$tmp/samples" "$n" <<'P' || status=1
import sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
if len(rows) < 10:
    print("soak: too few RSS samples (%d)" % len(rows)); sys.exit(1)
t0, t1 = rows[0][0], rows[-1][0]
first = [kb for t, kb in rows if t <= t0 + (t1 - t0) * 0.1]
ref = max(first)
peak = max(kb for t, kb in rows)
grow = (peak - ref) / ref * 100
print("soak: %d lines in %.1f s; RSS %d KiB after the first 10%%, peak %d "
      "KiB (%+.1f%%)" % (int(sys.argv[2]), t1 - t0, ref, peak, grow))
sys.exit(1 if grow > 10 else 0)
P
[ "$run_status" -le 3 ] || { echo "soak: mxcheck exited $run_status"; status=1; }
gen "$tmp/in" $((parallel * 2)) fault-spf
run "$tmp/in" "$MXC_TEST_FAULT" "$parallel" "${fault_opts[@]}"
echo "soak: --parallel $parallel against the fault responder: at most $peak_fd descriptors open, peak RSS $peak_kb KiB, $secs s"
[ "$peak_fd" -le 16 ] || { echo "soak: more than 16 descriptors"; status=1; }
[ "$run_status" -le 3 ] || { echo "soak: mxcheck exited $run_status"; status=1; }
[ "$status" = 0 ] && echo "soak: passed"
exit "$status"
