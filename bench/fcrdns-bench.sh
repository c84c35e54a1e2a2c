#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# fcrdns-bench.sh: batch FCrDNS (iprev) throughput of mxcheck against GNU
# adns's adnshost and a bare c-ares client, in the same run, on the same
# generated addresses, served by Knot DNS on the loopback interface.
#
# Usage: fcrdns-bench.sh [OPTIONS]
#   --count N         addresses (default 20000; half IPv4, half IPv6)
#   --reps R          repetitions of every measurement (default 3; medians)
#   --quick           --count 2000 --reps 1, fewer windows, short dnsperf
#   --parallel LIST   mxcheck --parallel values (default "100 256 1000 5000 N")
#   --windows LIST    adnshost windows (default "50 100 150 1000")
#   --mxcheck PATH    the mxcheck to measure (default: cli/mxcheck of this
#                     tree; a libtool wrapper is resolved to the real binary)
#   --mx-args "ARGS"  extra arguments for every mxcheck run (e.g. --no-edns)
#   --no-netns        do not use a private network namespace (see below)
#   --no-dnsperf      skip the server-ceiling measurement
#   --instr           also count instructions per check (valgrind's
#                     callgrind; 2,000 addresses) of the bare c-ares client,
#                     mxcheck -q and mxcheck --json: figures a busy machine
#                     does not move, unlike the wall-clock ones
#   --keep DIR        keep the data, outputs and raw results in DIR
#   -h, --help
#
# Where the server runs: adns has no way to ask a name server on a port
# other than 53, so knotd must listen on 127.0.0.1:53.  As root, the script
# re-runs itself in a private network namespace (unshare -n) whose loopback
# it brings up: port 53 there is free whatever runs on the host, and all
# traffic stays on that private loopback.  Without unshare (or with
# --no-netns) it uses the host's 127.0.0.1:53 if free, else a random port
# and no adnshost.
#
# Needs: bash, python3, knotd, kdig, /usr/bin/time (package "time"),
# adnshost (adns-tools), dnsperf, a C compiler with c-ares headers (for the
# bare c-ares client; skipped without), iproute2 (ip) for the namespace.
# Environment: KNOTD, KDIG, ADNSHOST, DNSPERF, PYTHON3, CC, CARES_CFLAGS,
# CARES_LIBS, TMPDIR.
#
# Nothing is sent anywhere but 127.0.0.1; every server started is stopped
# by its PID; every wait is bounded.

set -u

me=fcrdns-bench
here=$(cd "$(dirname "$0")" && pwd) || exit 2
top=$(cd "$here/.." && pwd) || exit 2

usage() {
  sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
}

die() {
  echo "$me: $*" >&2
  exit 2
}

orig_args=("$@")
count=20000
reps=3
quick=no
par_list=
win_list=
mx=${MXCHECK:-$top/cli/mxcheck}
mx_args=
netns=yes
do_dnsperf=yes
do_instr=no
keep=
while [ $# -gt 0 ]; do
  case $1 in
    --count) count=${2:?}; shift 2 ;;
    --count=*) count=${1#*=}; shift ;;
    --reps) reps=${2:?}; shift 2 ;;
    --reps=*) reps=${1#*=}; shift ;;
    --quick) quick=yes; shift ;;
    --parallel) par_list=${2:?}; shift 2 ;;
    --parallel=*) par_list=${1#*=}; shift ;;
    --windows) win_list=${2:?}; shift 2 ;;
    --windows=*) win_list=${1#*=}; shift ;;
    --mxcheck) mx=${2:?}; shift 2 ;;
    --mxcheck=*) mx=${1#*=}; shift ;;
    --mx-args) mx_args=${2?}; shift 2 ;;
    --mx-args=*) mx_args=${1#*=}; shift ;;
    --no-netns) netns=no; shift ;;
    --no-dnsperf) do_dnsperf=no; shift ;;
    --instr) do_instr=yes; shift ;;
    --keep) keep=${2:?}; shift 2 ;;
    --keep=*) keep=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "$me: unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [ "$quick" = yes ]; then
  count=2000
  reps=1
  : "${win_list:=100 1000}"
fi
case $count in '' | *[!0-9]*) die "--count: a number, please" ;; esac
case $reps in '' | *[!0-9]*) die "--reps: a number, please" ;; esac
if [ "$count" -lt 200 ] || [ "$count" -gt 1000000 ]; then
  die "--count must be 200..1000000"
fi
if [ "$reps" -lt 1 ] || [ "$reps" -gt 20 ]; then
  die "--reps must be 1..20"
fi
: "${par_list:=100 256 1000 5000 $count}"
: "${win_list:=50 100 150 1000}"
# Keep the values that make sense for this N, in order, once.
norm_list() {
  local v out=" "
  for v in $1; do
    case $v in N) v=$count ;; '' | *[!0-9]*) die "not a number: $v" ;; esac
    [ "$v" -ge 1 ] || continue
    [ "$v" -gt "$count" ] && v=$count
    case $out in *" $v "*) ;; *) out="$out$v " ;; esac
  done
  # shellcheck disable=SC2086
  echo $out
}
par_list=$(norm_list "$par_list")
win_list=$(norm_list "$win_list")

# ---------------------------------------------------------------------------
# A private network namespace, so that knotd can have 127.0.0.1:53.

if [ "$netns" = yes ] && [ "${MXC_BENCH_NETNS:-}" != 1 ]; then
  if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
    command -v ip >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
    MXC_BENCH_NETNS=1 exec unshare -n -- bash "$0" "${orig_args[@]}"
  fi
  echo "$me: no private network namespace (needs root, unshare, ip);" \
    "using the host's loopback" >&2
  netns=no
fi
if [ "${MXC_BENCH_NETNS:-}" = 1 ]; then
  ip link set lo up || die "cannot bring up lo in the namespace"
  where="a private network namespace (unshare -n), 127.0.0.1:53"
fi

# ---------------------------------------------------------------------------
# Tools

py=${PYTHON3:-python3}
command -v "$py" >/dev/null 2>&1 || die "python3 not found"
tool() { "$py" "$here/fcrdns-tool.py" "$@"; }
# knotd is started as for the tests, by tests/knotlib.sh.
# shellcheck source=tests/knotlib.sh
. "$top/tests/knotlib.sh" || die "cannot read $top/tests/knotlib.sh"
knot_find
case $? in
  1) die "knotd not found (package knot)" ;;
  2) die "neither kdig (knot-dnsutils) nor python3 found" ;;
esac
[ -x /usr/bin/time ] || die "/usr/bin/time not found (package time)"
adnshost=${ADNSHOST:-$(command -v adnshost)} || adnshost=
dnsperf=${DNSPERF:-$(command -v dnsperf)} || dnsperf=

# mxcheck: run the real binary, not libtool's wrapper script (its shell
# would count in the wall time, and in the peak RSS through exec).
mx_env=()
if [ -f "$mx" ] && head -c 200 "$mx" | grep -q '^#!' &&
  grep -q 'temporary wrapper script for' "$mx"; then
  real="$(dirname "$mx")/.libs/$(basename "$mx")"
  libdir=$(sed -n 's/^ *LD_LIBRARY_PATH="\([^:"]*\).*/\1/p' "$mx" | head -1)
  if [ -x "$real" ] && [ -n "$libdir" ] && [ -d "$libdir" ]; then
    mx=$real
    mx_env=(env "LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  fi
fi
[ -x "$mx" ] || die "mxcheck not found at $mx (build first: make)"
# shellcheck disable=SC2206
mx_extra=($mx_args)

# ---------------------------------------------------------------------------
# Clean-up

tmp=
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  knot_stop
  if [ -n "$tmp" ]; then
    if [ -n "$keep" ]; then
      mkdir -p "$keep" && cp -r "$tmp"/. "$keep"/ &&
        echo "$me: kept the data and raw results in $keep" >&2
    fi
    rm -rf "$tmp"
    tmp=
  fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fcrdns-bench.XXXXXX") || die "mktemp failed"

# ---------------------------------------------------------------------------
# Data

echo "$me: generating $count addresses (half IPv6) and their zones" >&2
tool_gen() { "$py" "$here/fcrdns-gen.py" "$@"; }
tool_gen --count "$count" --out "$tmp/data" || die "generator failed"
addrs=$tmp/data/addresses.txt
expected=$tmp/data/expected.tsv

# ---------------------------------------------------------------------------
# knotd on 127.0.0.1:53 (namespace or free host port), defaults otherwise

knot_dir=$tmp/knot
knot_zones=$tmp/data/zones
knot_load_zones || die "the generator wrote no zones"
knot_listen=(127.0.0.1)
knot_ipv6_usable && knot_listen+=(::1)
knot_workers=           # knotd's defaults
knot_timeout=60         # large zones take a while to load
if [ "${MXC_BENCH_NETNS:-}" = 1 ]; then
  knot_port=53
elif knot_port_free 53; then
  knot_port=53
  where="the host's loopback, 127.0.0.1:53"
else
  knot_port=            # knot_serve picks a free one
fi
knot_serve || {
  knot_show_log
  die "knotd did not start or does not serve the zones"
}
port=$knot_port
if [ "$port" != 53 ]; then
  where="the host's loopback, 127.0.0.1:$port"
  echo "$me: port 53 is taken and there is no namespace: adnshost" \
    "(which can only use port 53) is skipped" >&2
  adnshost=
fi
knotver=$("$knotd" --version 2>/dev/null | head -1)

# knot_cpu (knotlib.sh) counts clock ticks.
clk=$(getconf CLK_TCK 2>/dev/null || echo 100)

# ---------------------------------------------------------------------------
# The bare c-ares client (reference)

bare=
cc=${CC:-cc}
if command -v "$cc" >/dev/null 2>&1; then
  # shellcheck disable=SC2086
  if $cc -O2 ${CARES_CFLAGS:-} -o "$tmp/cares-fcrdns" "$here/cares-fcrdns.c" \
    ${CARES_LIBS:--lcares} 2>"$tmp/cc.log"; then
    bare=$tmp/cares-fcrdns
  else
    echo "$me: cannot build the bare c-ares client (skipped):" >&2
    cat "$tmp/cc.log" >&2
  fi
fi

# ---------------------------------------------------------------------------
# Measurements

results=$tmp/results.tsv
printf 'tool\twindow\trep\tn\twall\trss_kb\tcpu\tsrv_cpu\tagree\ttemperror\tlost\tqueries\tdrops\trc\taux_cpu\n' \
  >"$results"
problems=$tmp/problems.txt
: >"$problems"

snmp() { tool snmp; }
field() { # field KEY "k=v k=v ..."
  local kv
  for kv in $2; do
    [ "${kv%%=*}" = "$1" ] && { echo "${kv#*=}"; return; }
  done
  echo 0
}

# record TOOL WINDOW REP RUNLINE TIMEFILE SNMP0 SNMP1 KCPU0 KCPU1 SCORE
record() {
  local tl=$1 w=$2 rep=$3 runline=$4 tf=$5 s0=$6 s1=$7 k0=$8 k1=$9
  local sc=${10} wall rc tl_line rss u sy cpu q d agree temp lost aux
  wall=$(field wall "$runline")
  rc=$(field rc "$runline")
  # /usr/bin/time may prefix "Command exited with non-zero status N".
  tl_line=$(tail -1 "$tf" 2>/dev/null)
  read -r _ rss u sy <<<"$tl_line"
  cpu=$(awk -v u="${u:-0}" -v s="${sy:-0}" 'BEGIN { printf "%.2f", u + s }')
  q=$(( ($(field OutDatagrams "$s1") - $(field OutDatagrams "$s0")) / 2 ))
  d=$(( $(field RcvbufErrors "$s1") - $(field RcvbufErrors "$s0") ))
  if [ -n "$sc" ]; then
    agree=$(field agree "$sc")
    temp=$(field temperror "$sc")
    lost=$(field lost "$sc")
  else
    agree=- temp=- lost=-
  fi
  aux=-
  case $runline in *feeder_cpu=*) aux=$(field feeder_cpu "$runline") ;; esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$tl" "$w" "$rep" "$count" "$wall" "${rss:-0}" "$cpu" \
    "$(awk -v a="$k0" -v b="$k1" -v c="$clk" 'BEGIN { printf "%.2f", (b - a) / c }')" \
    "$agree" "$temp" "$lost" "$q" "$d" "$rc" "$aux" >>"$results"
  printf '  %-15s %6s rep %s: %7.3f s  rc=%s  drops=%s  temperror=%s lost=%s\n' \
    "$tl" "$w" "$rep" "$wall" "$rc" "$d" "$temp" "$lost" >&2
}

# An exit status other than mxcheck's 0..3 (crash, timeout) is a problem.
check_rc() { # TOOL WINDOW REP RC ERRFILE OK_MAX
  if [ "$4" -gt "$6" ]; then
    echo "$1 window $2 rep $3: exit status $4$( [ "$4" = 124 ] &&
      echo ' (killed after the time limit)')" >>"$problems"
    [ -s "$5" ] && head -5 "$5" | sed 's/^/    /' >>"$problems"
  fi
}

run_mx() { # MODE(q|json) P REP
  local mode=$1 p=$2 rep=$3 s0 s1 k0 k1 line sc="" out=/dev/null tl
  local args=(--batch "$addrs" --server "127.0.0.1:$port" --parallel "$p")
  if [ "$mode" = q ]; then
    args+=(-q)
    tl="mxcheck -q"
  else
    args+=(--json)
    out=$tmp/mx.json
    tl="mxcheck --json"
  fi
  s0=$(snmp)
  k0=$(knot_cpu)
  line=$(tool run --stdout "$out" --stderr "$tmp/mx.err" --timeout 120 -- \
    /usr/bin/time -f '%e %M %U %S' -o "$tmp/mx.time" \
    "${mx_env[@]}" "$mx" "${args[@]}" "${mx_extra[@]}")
  k1=$(knot_cpu)
  s1=$(snmp)
  [ "$mode" = json ] && sc=$(tool score --expected "$expected" --json "$out")
  if [ -s "$tmp/mx.err" ]; then
    {
      echo "$tl --parallel $p rep $rep: $(wc -l <"$tmp/mx.err") line(s) on stderr:"
      head -3 "$tmp/mx.err" | sed 's/^/    /'
    } >>"$problems"
  fi
  record "$tl" "$p" "$rep" "$line" "$tmp/mx.time" "$s0" "$s1" "$k0" "$k1" "$sc"
  check_rc "$tl" "$p" "$rep" "$(field rc "$line")" "$tmp/mx.err" 3
}

run_adns() { # W REP
  local w=$1 rep=$2 s0 s1 k0 k1 line sc
  s0=$(snmp)
  k0=$(knot_cpu)
  line=$(tool adns-feed --in "$addrs" --window "$w" --out "$tmp/adns.tsv" \
    --time-file "$tmp/adns.time" --adnshost "$adnshost" --timeout 120 \
    2>"$tmp/adns.err")
  k1=$(knot_cpu)
  s1=$(snmp)
  sc=$(tool score --expected "$expected" --tsv "$tmp/adns.tsv")
  record adnshost "$w" "$rep" "$line" "$tmp/adns.time" "$s0" "$s1" "$k0" \
    "$k1" "$sc"
  # adnshost: 0 all ok, 1-6 some query failed (expected here).
  check_rc adnshost "$w" "$rep" "$(field rc "$line")" "$tmp/adns.err" 6
}

run_bare() { # W REP
  local w=$1 rep=$2 s0 s1 k0 k1 line sc
  s0=$(snmp)
  k0=$(knot_cpu)
  line=$(tool run --stdin "$addrs" --stdout "$tmp/bare.tsv" \
    --stderr "$tmp/bare.err" --timeout 120 -- \
    /usr/bin/time -f '%e %M %U %S' -o "$tmp/bare.time" \
    "$bare" -s "127.0.0.1:$port" -w "$w")
  k1=$(knot_cpu)
  s1=$(snmp)
  sc=$(tool score --expected "$expected" --tsv "$tmp/bare.tsv")
  record c-ares "$w" "$rep" "$line" "$tmp/bare.time" "$s0" "$s1" "$k0" \
    "$k1" "$sc"
  check_rc c-ares "$w" "$rep" "$(field rc "$line")" "$tmp/bare.err" 0
}

# Pre-flight: mxcheck must check the batch at all.
line=$(tool run --stdout "$tmp/mx.json" --stderr "$tmp/mx.err" --timeout 120 \
  -- "${mx_env[@]}" "$mx" --batch "$addrs" --json \
  --server "127.0.0.1:$port" "${mx_extra[@]}")
sc=$(tool score --expected "$expected" --json "$tmp/mx.json")
if [ "$(field answered "$sc")" = 0 ]; then
  echo "$me: $mx answered nothing for the batch ($line); its stderr:" >&2
  head -5 "$tmp/mx.err" >&2
  die "mxcheck cannot run a batch: nothing to measure"
fi
# Warm-up of the other tools (page cache, knotd), not recorded.
[ -n "$adnshost" ] && tool adns-feed --in "$addrs" --window 100 \
  --out "$tmp/adns.tsv" --time-file "$tmp/adns.time" \
  --adnshost "$adnshost" --timeout 120 >/dev/null 2>&1
[ -n "$bare" ] && "$bare" -s "127.0.0.1:$port" -w 100 <"$addrs" >/dev/null

echo "$me: $count checks per run, $reps repetition(s); server: knotd on" \
  "$where" >&2
for ((rep = 1; rep <= reps; rep++)); do
  [ -n "$bare" ] && run_bare 100 "$rep"
  if [ -n "$adnshost" ]; then
    for w in $win_list; do run_adns "$w" "$rep"; done
  fi
  for p in $par_list; do
    run_mx q "$p" "$rep"
    run_mx json "$p" "$rep"
  done
done

# ---------------------------------------------------------------------------
# The server's own ceiling

perf_out=
if [ "$do_dnsperf" = yes ] && [ -n "$dnsperf" ]; then
  plen=4
  [ "$quick" = yes ] && plen=1
  for cfg in "1 1" "2 2"; do
    # shellcheck disable=SC2086
    set -- $cfg
    o=$(timeout 60 "$dnsperf" -s 127.0.0.1 -p "$port" -d "$tmp/data/dnsperf.txt" \
      -l "$plen" -q 100 -T "$1" -c "$2" 2>&1)
    qps=$(sed -n 's/^ *Queries per second: *\([0-9.]*\).*/\1/p' <<<"$o")
    lost=$(sed -n 's/^ *Queries lost: *\([0-9]*\).*/\1/p' <<<"$o")
    lat=$(sed -n 's/^ *Average Latency (s): *\([0-9.]*\).*/\1/p' <<<"$o")
    perf_out+=$(printf 'dnsperf -T %s -c %s -q 100, %s s: %.0f queries/s, %s lost, avg latency %s s\n' \
      "$1" "$2" "$plen" "${qps:-0}" "${lost:-?}" "${lat:-?}")$'\n'
  done
fi

# ---------------------------------------------------------------------------
# Instructions per check (--instr)

instr_out=
ir_of() { # CALLGRIND-LOG: the instructions it collected
  sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$1" | tail -1
}
if [ "$do_instr" = yes ]; then
  if ! command -v valgrind >/dev/null 2>&1; then
    instr_out="valgrind not found (package valgrind): skipped"$'\n'
  else
    ni=$((count < 2000 ? count : 2000))
    head -n "$ni" "$addrs" >"$tmp/instr-addrs.txt"
    vg=(valgrind --tool=callgrind --callgrind-out-file=/dev/null)
    echo "$me: counting instructions (callgrind, $ni checks)" >&2
    if [ -n "$bare" ]; then
      timeout 600 "${vg[@]}" "$bare" -s "127.0.0.1:$port" -w 100 \
        <"$tmp/instr-addrs.txt" >/dev/null 2>"$tmp/instr-bare.log"
      ir_bare=$(ir_of "$tmp/instr-bare.log")
    fi
    for mode in q json; do
      timeout 600 "${mx_env[@]}" "${vg[@]}" "$mx" --batch "$tmp/instr-addrs.txt" \
        --server "127.0.0.1:$port" --parallel 100 "-${mode/json/-json}" \
        "${mx_extra[@]}" >/dev/null 2>"$tmp/instr-$mode.log"
    done
    ir_q=$(ir_of "$tmp/instr-q.log")
    ir_json=$(ir_of "$tmp/instr-json.log")
    instr_out=$(awk -v n="$ni" -v b="${ir_bare:-}" -v q="${ir_q:-}" \
      -v j="${ir_json:-}" 'BEGIN {
        if (b != "") printf "  bare c-ares client (W=100)   %8.0f per check\n", b / n
        if (q != "") printf "  mxcheck -q (--parallel 100)  %8.0f per check%s\n", q / n,
          (b != "" ? sprintf("  (%.2fx the bare client)", q / b) : "")
        if (j != "") printf "  mxcheck --json               %8.0f per check%s\n", j / n,
          (b != "" ? sprintf("  (%.2fx the bare client)", j / b) : "")
      }')$'\n'
  fi
fi

# ---------------------------------------------------------------------------
# Report

echo
echo "FCrDNS batch benchmark: N=$count (half IPv6; 80% pass, 10% fail, 10% no PTR)," \
  "$reps repetition(s)"
echo "server: $knotver, defaults (udp-workers = CPUs = $(nproc)), on $where"
echo "mxcheck: $("${mx_env[@]}" "$mx" --version 2>/dev/null | head -1)${mx_args:+, extra arguments: $mx_args}"
[ -n "$adnshost" ] && echo "adnshost: $("$adnshost" --version 2>&1 | head -1), checked PTR (-i: type ptr), pipe mode (-a -f), window kept by a feeder"
[ -n "$bare" ] && echo "c-ares: bench/cares-fcrdns.c on libc-ares $(pkg-config --modversion libcares 2>/dev/null || echo '?'), W=100, rcvbuf 4 MiB, STAYOPEN, 500 ms x 4 tries"
echo "machine: $(nproc) CPUs, $(uname -r)"
echo
tool table --results "$results" --count "$count"
if [ -n "$perf_out" ]; then
  echo
  echo "server ceiling (dnsperf, the PTR/A/AAAA mix of a check):"
  printf '%s' "$perf_out" | sed 's/^/  /'
fi
if [ -n "$instr_out" ]; then
  echo
  echo "instructions (callgrind, user space, start-up included; not timed):"
  printf '%s' "$instr_out"
fi
if [ -s "$problems" ]; then
  echo
  echo "PROBLEMS:"
  sed 's/^/  /' "$problems"
fi
exit 0
