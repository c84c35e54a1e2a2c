#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# spf-bench.sh: SPF evaluations per second of mxcheck (and of libmxcheck's
# SPF evaluator alone) against libspf2's spfquery and pyspf, in the same
# run, on the same generated (address, sender) pairs, served by Knot DNS on
# a private loopback; and DNS round trips per evaluation against the depth
# of the include chain, with and without mxcheck's prefetch.
#
# Usage: spf-bench.sh [OPTIONS]
#   --count N          pairs (default 3000)
#   --reps R           repetitions of every throughput run (default 3;
#                      the table shows medians)
#   --quick            --count 2000 --reps 1 --latency-pairs 10
#   --parallel LIST    --parallel values for mxcheck and libmxcheck
#                      (default "1 16 64 256")
#   --latency-pairs K  pairs per include depth for the round trips
#                      (default 30; 0 skips that part)
#   --delay-ms D       delay per query for the round trips (default 10)
#   --mxcheck PATH     the mxcheck to measure (default: cli/mxcheck of this
#                      tree; a libtool wrapper is resolved to the binary)
#   --builddir DIR     the build tree, for lib/.libs/libmxcheck-core.a and
#                      config.h (default: the tree of this script)
#   --mx-args "ARGS"   extra arguments for every mxcheck run
#   --seed S           seed of the generated data (default 7208)
#   --keep DIR         keep the data, outputs and raw results in DIR
#   -h, --help
#
# Where the server runs: spfquery (libspf2) and pyspf ask the name servers
# of /etc/resolv.conf, on port 53.  The script therefore re-runs itself as
# root in private network and mount namespaces (unshare -n -m), brings up
# that loopback, starts knotd on 127.0.0.1:53 (and 127.0.0.2:53), and
# bind-mounts its own resolv.conf ("nameserver 127.0.0.1") over
# /etc/resolv.conf, for the processes of the namespace only.  Nothing is
# sent anywhere else; every server started is stopped by its PID; every
# wait is bounded.  Without root and unshare it stops.
#
# Round trips: tc netem is not available everywhere (it was not on the
# machine this was written on), so a small proxy (spf-tool.py proxy) on
# 127.0.0.3:53 holds every query D ms.  Each sample pair is evaluated alone
# (a process each, so no cache helps), once through the proxy without
# delay and once with it.
#
# libmxcheck has no switch to turn its prefetch off.  The "no prefetch"
# rows link a copy of lib/checks/spf/spf.c in which the one call
# "prefetch_record(s, &f->rec, f->domain, s->dns_terms, 1);" is removed
# (the records fetched ahead are followed from there, so nothing is sent
# ahead); when that line cannot be found the rows are skipped.
#
# Needs: bash, python3, knotd and kdig (knot, knot-dnsutils), spfquery
# (Debian package spfquery: libspf2's CLI), python3-spf (pyspf),
# /usr/bin/time (time), unshare, mount and ip (util-linux, iproute2), a C
# compiler with the c-ares and json-c headers (for the libmxcheck rows).
# Environment: KNOTD, KDIG, SPFQUERY, PYTHON3, PYSPF_PYTHON (a python3
# with the spf module), CC, CARES_CFLAGS, CARES_LIBS, JSONC_CFLAGS,
# JSONC_LIBS, TMPDIR.

set -u

me=spf-bench
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
count=3000
reps=3
quick=no
par_list=
lat_pairs=30
delay_ms=10
mx=${MXCHECK:-$top/cli/mxcheck}
builddir=$top
mx_args=
seed=7208
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
    --latency-pairs) lat_pairs=${2:?}; shift 2 ;;
    --latency-pairs=*) lat_pairs=${1#*=}; shift ;;
    --delay-ms) delay_ms=${2:?}; shift 2 ;;
    --delay-ms=*) delay_ms=${1#*=}; shift ;;
    --mxcheck) mx=${2:?}; shift 2 ;;
    --mxcheck=*) mx=${1#*=}; shift ;;
    --builddir) builddir=${2:?}; shift 2 ;;
    --builddir=*) builddir=${1#*=}; shift ;;
    --mx-args) mx_args=${2?}; shift 2 ;;
    --mx-args=*) mx_args=${1#*=}; shift ;;
    --seed) seed=${2:?}; shift 2 ;;
    --seed=*) seed=${1#*=}; shift ;;
    --keep) keep=${2:?}; shift 2 ;;
    --keep=*) keep=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "$me: unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [ "$quick" = yes ]; then
  count=2000
  reps=1
  lat_pairs=10
fi
for v in "$count" "$reps" "$lat_pairs" "$delay_ms" "$seed"; do
  case $v in '' | *[!0-9]*) die "not a number: '$v'" ;; esac
done
in_range() { # VALUE LO HI
  [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}
in_range "$count" 100 200000 || die "--count must be 100..200000"
in_range "$reps" 1 20 || die "--reps must be 1..20"
in_range "$lat_pairs" 0 500 || die "--latency-pairs must be 0..500"
in_range "$delay_ms" 1 200 || die "--delay-ms must be 1..200"
: "${par_list:=1 16 64 256}"
for v in $par_list; do
  case $v in '' | *[!0-9]*) die "--parallel: not a number: $v" ;; esac
  in_range "$v" 1 100000 || die "--parallel: 1..100000"
done
builddir=$(cd "$builddir" && pwd) || die "no build directory $builddir"

# ---------------------------------------------------------------------------
# Private network and mount namespaces

if [ "${MXC_SPF_BENCH_NS:-}" != 1 ]; then
  if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
    command -v ip >/dev/null 2>&1 && unshare -n -m true 2>/dev/null; then
    MXC_SPF_BENCH_NS=1 exec unshare -n -m -- bash "$0" "${orig_args[@]}"
  fi
  die "needs root, unshare and ip: spfquery and pyspf read /etc/resolv.conf" \
    "and port 53, which only private namespaces can give them safely"
fi
ip link set lo up || die "cannot bring up lo in the namespace"

# ---------------------------------------------------------------------------
# Tools

py=${PYTHON3:-python3}
command -v "$py" >/dev/null 2>&1 || die "python3 not found"
tool() { "$py" "$here/spf-tool.py" "$@"; }
pyspf_py=
for p in ${PYSPF_PYTHON:-} "$py" python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import spf' 2>/dev/null; then
    pyspf_py=$p
    break
  fi
done
[ -n "$pyspf_py" ] || echo "$me: no python3 with the spf module" \
  "(python3-spf): the pyspf rows are skipped" >&2
# knotd is started as for the tests, by tests/knotlib.sh.
# shellcheck source=tests/knotlib.sh
. "$top/tests/knotlib.sh" || die "cannot read $top/tests/knotlib.sh"
knot_find
case $? in
  1) die "knotd not found (package knot)" ;;
  2) die "neither kdig (knot-dnsutils) nor python3 found" ;;
esac
[ -x /usr/bin/time ] || die "/usr/bin/time not found (package time)"
spfquery=${SPFQUERY:-$(command -v spfquery)} || spfquery=
if [ -n "$spfquery" ] && ! "$spfquery" -version 2>&1 | grep -qi spf; then
  spfquery=
fi
[ -n "$spfquery" ] || echo "$me: spfquery not found (package spfquery):" \
  "its row and the ratios are skipped" >&2

# mxcheck: the real binary, not libtool's wrapper script.
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
"${mx_env[@]}" "$mx" --help 2>&1 | grep -q -- '--mail-from' ||
  die "$mx has no SPF (--mail-from)"
# shellcheck disable=SC2206
mx_extra=($mx_args)
# Rows with libspf2's view off too, when the CLI can turn it off.
mx_l2=no
"${mx_env[@]}" "$mx" --help 2>&1 | grep -q -- '--no-libspf2' && mx_l2=yes

# ---------------------------------------------------------------------------
# Clean-up

tmp=
proxy_pid=
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  knot_stop_pid "$proxy_pid"
  proxy_pid=
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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spf-bench.XXXXXX") || die "mktemp failed"

# Our resolv.conf over /etc/resolv.conf, in this mount namespace only.
echo "nameserver 127.0.0.1" >"$tmp/resolv.conf"
[ -e /etc/resolv.conf ] || die "/etc/resolv.conf does not exist"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf ||
  die "cannot bind-mount a resolv.conf over /etc/resolv.conf"
set_resolver() { # ADDRESS (written in place: the bind mount follows)
  echo "nameserver $1" >"$tmp/resolv.conf"
}

# ---------------------------------------------------------------------------
# Data

echo "$me: generating $count pairs and their zones" >&2
"$py" "$here/spf-gen.py" --count "$count" --seed "$seed" \
  --latency-per-depth "$lat_pairs" --out "$tmp/data" 2>"$tmp/gen.log" || {
  cat "$tmp/gen.log" >&2
  die "generator failed"
}
cat "$tmp/gen.log" >&2
gen_summary=$(sed -n 's/^spf-gen: //p' "$tmp/gen.log")
pairs=$tmp/data/pairs.txt
expected=$tmp/data/expected.tsv

# ---------------------------------------------------------------------------
# knotd on 127.0.0.1:53 and 127.0.0.2:53 (the proxy's upstream)

knot_dir=$tmp/knot
knot_zones=$tmp/data/zones
knot_load_zones || die "the generator wrote no zones"
knot_listen=(127.0.0.1 127.0.0.2)
knot_port=53
knot_workers=           # knotd's defaults
knot_timeout=60         # large zones take a while to load
knot_serve || {
  knot_show_log
  die "knotd did not start or does not serve the zones"
}
knotver=$("$knotd" --version 2>/dev/null | head -1)

# knot_cpu (knotlib.sh) counts clock ticks.
clk=$(getconf CLK_TCK 2>/dev/null || echo 100)

# ---------------------------------------------------------------------------
# libmxcheck's SPF alone (spf-batch.c), with and without prefetch

cc=${CC:-cc}
core=$builddir/lib/.libs/libmxcheck-core.a
# What the core library needs at link time, as libtool recorded it.
deps=$(sed -n "s/^dependency_libs='\(.*\)'\$/\1/p" \
  "$builddir/lib/libmxcheck-core.la" 2>/dev/null)
: "${deps:=${CARES_LIBS:--lcares} ${JSONC_LIBS:--ljson-c}}"
# shellcheck disable=SC2086  # the *_CFLAGS and *_LIBS are word lists
build_noprefetch() {
  local call='  prefetch_record(s, \&f->rec, f->domain, s->dns_terms, 1);'
  sed "s|^$call\$|  (void)0; /* prefetch off: spf-bench.sh */|" \
    "$top/lib/checks/spf/spf.c" >"$tmp/spf-noprefetch.c" 2>/dev/null
  if [ "$(grep -c 'prefetch off: spf-bench.sh' "$tmp/spf-noprefetch.c")" != 1 ]
  then
    echo "$me: lib/checks/spf/spf.c has no single line" \
      "'${call#  }' any more: the rows without prefetch are skipped" >&2
    return 1
  fi
  if $cc -O2 -DHAVE_CONFIG_H -DMXC_BUILDING_LIBRARY -I"$builddir" \
    -I"$top/lib" -I"$builddir/lib" -I"$top/lib/checks/spf" \
    ${CARES_CFLAGS:-} \
    ${JSONC_CFLAGS:-$(pkg-config --cflags json-c 2>/dev/null)} -c \
    -o "$tmp/spf-noprefetch.o" \
    "$tmp/spf-noprefetch.c" 2>"$tmp/cc-np.log" &&
    $cc -O2 -I"$top/lib" -I"$builddir/lib" -o "$tmp/spf-batch-np" \
      "$here/spf-batch.c" "$tmp/spf-noprefetch.o" "$core" $deps \
      2>>"$tmp/cc-np.log"; then
    batch_np=$tmp/spf-batch-np
    return 0
  fi
  echo "$me: cannot build libmxcheck without prefetch (rows skipped):" >&2
  cat "$tmp/cc-np.log" >&2
  return 1
}

batch=
batch_np=
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "$me: no C compiler: the libmxcheck rows are skipped" >&2
elif [ ! -f "$core" ]; then
  echo "$me: $core not found (build first): the libmxcheck rows are" \
    "skipped" >&2
else
  # shellcheck disable=SC2086
  if $cc -O2 -I"$top/lib" -I"$builddir/lib" -o "$tmp/spf-batch" \
    "$here/spf-batch.c" "$core" $deps 2>"$tmp/cc.log"; then
    batch=$tmp/spf-batch
  else
    echo "$me: cannot build spf-batch (the libmxcheck rows are skipped):" >&2
    cat "$tmp/cc.log" >&2
  fi
  # The same, with spf.c's one call of prefetch_record() removed.
  [ -n "$batch" ] && build_noprefetch
fi
# -L: libspf2's view off (libmxcheck checks every SPF result with libspf2
# too, when it has that view and it is on, which is its default).
lflag=()
if [ -n "$batch" ] && "$batch" -L -s 127.0.0.1:53 </dev/null 2>/dev/null; then
  lflag=(-L)
fi
# -D: the SPF detail (trace, lint) off too, when the library has the option.
dflag=no
if [ ${#lflag[@]} -gt 0 ] &&
  "$batch" -L -D -s 127.0.0.1:53 </dev/null 2>/dev/null; then
  dflag=yes
fi

# ---------------------------------------------------------------------------
# Throughput

np_name="libmxcheck noprefetch"
[ ${#lflag[@]} -gt 0 ] && np_name="libmxcheck -L noprefetch"

results=$tmp/results.tsv
printf 'tool\tpar\trep\tn\twall\trss_kb\tcpu\tsrv_cpu\tqueries\tagree\ttemperror\trc\tdis\n' \
  >"$results"
problems=$tmp/problems.txt
: >"$problems"

out_dgrams() { tool snmp | sed 's/.*OutDatagrams=\([0-9]*\).*/\1/'; }
field() { # KEY "k=v k=v ..."
  local kv
  for kv in $2; do
    [ "${kv%%=*}" = "$1" ] && { echo "${kv#*=}"; return; }
  done
  echo -
}

# measure TOOL PAR REP FORMAT OUT -- CMD... : run, time, score, record
measure() {
  local tl=$1 par=$2 rep=$3 fmt=$4 out=$5 d0 d1 k0 k1 line wall rc
  local tline rss u sy sc agree temp dis ok_max
  shift 6
  d0=$(out_dgrams)
  k0=$(knot_cpu)
  line=$(tool run --stdin "${stdin_file:-/dev/null}" --stdout "$out" \
    --stderr "$tmp/err" --timeout 300 -- \
    /usr/bin/time -f '%e %M %U %S' -o "$tmp/time" "$@")
  k1=$(knot_cpu)
  d1=$(out_dgrams)
  wall=$(field wall "$line")
  rc=$(field rc "$line")
  tline=$(tail -1 "$tmp/time" 2>/dev/null)
  read -r _ rss u sy <<<"$tline"
  agree=- temp=- dis=-
  if [ "$fmt" != none ]; then
    sc=$(tool score --expected "$expected" --format "$fmt" --file "$out" \
      --dump "$tmp/dump.$(echo "$tl" | tr -c 'a-zA-Z0-9\n' '_').$par")
    agree=$(field agree "$sc")
    temp=$(field temperror "$sc")
    dis=$(field dis "$sc")
    [ "$(field answered "$sc")" = "$count" ] ||
      echo "$tl par $par rep $rep: $(field answered "$sc") of $count" \
        "answered" >>"$problems"
  fi
  # mxcheck exits 0..3 (its worst verdict), spfquery 0..7 (the last
  # pair's result), spf-batch 0..1, pyspf's driver 0; more is a crash or
  # the time limit (124).
  ok_max=3
  [ "$tl" = spfquery ] && ok_max=7
  case $rc in
    *[!0-9]* | '') ok_max=-1 ;;
  esac
  if [ "$ok_max" -lt 0 ] || [ "$rc" -gt "$ok_max" ]; then
    {
      echo "$tl par $par rep $rep: exit status $rc"
      head -3 "$tmp/err" | sed 's/^/    /'
    } >>"$problems"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$tl" "$par" "$rep" "$count" "$wall" "${rss:-0}" \
    "$(awk -v u="${u:-0}" -v s="${sy:-0}" 'BEGIN { printf "%.3f", u + s }')" \
    "$(awk -v a="$k0" -v b="$k1" -v c="$clk" 'BEGIN { printf "%.2f", (b - a) / c }')" \
    "$(((d1 - d0) / 2))" "$agree" "$temp" "$rc" "$dis" >>"$results"
  printf '  %-24s %5s rep %s: %7.3f s  rc=%s  agree=%s\n' "$tl" "$par" \
    "$rep" "$wall" "$rc" "$agree" >&2
}

# Pre-flight: mxcheck must take per-line senders ("ADDRESS SENDER HELO").
stdin_file=
"${mx_env[@]}" "$mx" --batch "$pairs" --server 127.0.0.1:53 --json \
  "${mx_extra[@]}" >"$tmp/mx.json" 2>"$tmp/mx.err"
if ! grep -q '"spf"' "$tmp/mx.json"; then
  head -5 "$tmp/mx.err" >&2
  die "$mx does not check SPF for 'ADDRESS SENDER HELO' batch lines"
fi
# Warm-up (page cache, knotd), not recorded.
[ -n "$spfquery" ] && "$spfquery" -file "$pairs" >/dev/null 2>&1

echo "$me: $count pairs per run, $reps repetition(s); knotd on a private" \
  "loopback, 127.0.0.1:53" >&2
for ((rep = 1; rep <= reps; rep++)); do
  stdin_file=
  if [ -n "$spfquery" ]; then
    measure spfquery 1 "$rep" spfquery "$tmp/spfquery.out" -- \
      "$spfquery" -file "$pairs"
  fi
  if [ -n "$pyspf_py" ]; then
    measure pyspf 1 "$rep" tsv "$tmp/pyspf.tsv" -- \
      "$pyspf_py" "$here/spf-tool.py" pyspf --in "$pairs" --out -
  fi
  for p in $par_list; do
    measure "mxcheck -q" "$p" "$rep" none /dev/null -- "${mx_env[@]}" "$mx" \
      --batch "$pairs" --server 127.0.0.1:53 --parallel "$p" -q \
      "${mx_extra[@]}"
    measure "mxcheck --json" "$p" "$rep" mxjson "$tmp/mx.json" -- \
      "${mx_env[@]}" "$mx" --batch "$pairs" --server 127.0.0.1:53 \
      --parallel "$p" --json "${mx_extra[@]}"
    [ "$mx_l2" = yes ] || continue
    measure "mxcheck -q --no-libspf2" "$p" "$rep" none /dev/null -- \
      "${mx_env[@]}" "$mx" --batch "$pairs" --server 127.0.0.1:53 \
      --parallel "$p" -q --no-libspf2 "${mx_extra[@]}"
    measure "mxcheck --json --no-libspf2" "$p" "$rep" mxjson \
      "$tmp/mx.json" -- "${mx_env[@]}" "$mx" --batch "$pairs" \
      --server 127.0.0.1:53 --parallel "$p" --json --no-libspf2 \
      "${mx_extra[@]}"
  done
  stdin_file=$pairs
  for p in $par_list; do
    [ -n "$batch" ] && measure libmxcheck "$p" "$rep" tsv \
      "$tmp/batch.out" -- "$batch" -s 127.0.0.1:53 -p "$p"
    [ ${#lflag[@]} -gt 0 ] && measure "libmxcheck -L" "$p" "$rep" tsv \
      "$tmp/batch.out" -- "$batch" -s 127.0.0.1:53 -p "$p" -L
    [ "$dflag" = yes ] && measure "libmxcheck -L -D" "$p" "$rep" tsv \
      "$tmp/batch.out" -- "$batch" -s 127.0.0.1:53 -p "$p" -L -D
    [ -n "$batch_np" ] && measure "$np_name" "$p" "$rep" tsv \
      "$tmp/batch-np.out" -- "$batch_np" -s 127.0.0.1:53 -p "$p" "${lflag[@]}"
  done
  stdin_file=
done

# ---------------------------------------------------------------------------
# Round trips: one evaluation at a time through the delaying proxy

lat=$tmp/latency.tsv
: >"$lat"
lt() { # TOOL CMD... (the delay is $d)
  local t=$1
  shift
  tool latency --sample "$tmp/data/latency.tsv" --tool "$t" \
    --delay-ms "$d" --out "$lat" -- "$@"
}
if [ "$lat_pairs" -gt 0 ] && [ -s "$tmp/data/latency.tsv" ]; then
  set_resolver 127.0.0.3
  for d in 0 "$delay_ms"; do
    rm -f "$tmp/proxy.ready"
    "$py" "$here/spf-tool.py" proxy --listen 127.0.0.3:53 \
      --upstream 127.0.0.2:53 --delay-ms "$d" \
      --ready-file "$tmp/proxy.ready" 2>"$tmp/proxy.log" &
    proxy_pid=$!
    for ((i = 0; i < 100; i++)); do
      [ -f "$tmp/proxy.ready" ] && break
      kill -0 "$proxy_pid" 2>/dev/null || break
      sleep 0.1
    done
    [ -f "$tmp/proxy.ready" ] || {
      cat "$tmp/proxy.log" >&2
      die "the delaying proxy did not start"
    }
    echo "$me: round trips, delay $d ms" >&2
    lt "mxcheck" "${mx_env[@]}" "$mx" --server 127.0.0.3:53 \
      --mail-from '{sender}' --helo '{helo}' -q '{ip}' "${mx_extra[@]}"
    [ -n "$batch" ] && lt libmxcheck "$batch" -s 127.0.0.3:53 -p 1 -q \
      '{stdin}'
    [ ${#lflag[@]} -gt 0 ] && lt "libmxcheck -L" "$batch" -s 127.0.0.3:53 \
      -p 1 -q -L '{stdin}'
    [ -n "$batch_np" ] && lt "$np_name" "$batch_np" -s 127.0.0.3:53 -p 1 \
      -q "${lflag[@]}" '{stdin}'
    [ -n "$spfquery" ] && lt "spfquery" "$spfquery" -ip '{ip}' \
      -sender '{sender}' -helo '{helo}'
    [ -n "$pyspf_py" ] && "$pyspf_py" "$here/spf-tool.py" latency \
      --sample "$tmp/data/latency.tsv" --tool pyspf --delay-ms "$d" \
      --out "$lat"
    knot_stop_pid "$proxy_pid"
    proxy_pid=
  done
  set_resolver 127.0.0.1
fi

# ---------------------------------------------------------------------------
# Report

echo
echo "SPF batch benchmark: $gen_summary"
echo "server: $knotver, defaults, on a private loopback (127.0.0.1:53)"
echo "mxcheck: $("${mx_env[@]}" "$mx" --version 2>/dev/null | head -1)${mx_args:+, extra arguments: $mx_args}"
[ -n "$spfquery" ] && echo "spfquery: $("$spfquery" -version 2>&1 | head -1) (libspf2), -file: sequential, one process, libspf2's cache spans the batch"
[ -n "$pyspf_py" ] && echo "pyspf: $("$pyspf_py" -c 'import spf; print(spf.__version__)' 2>/dev/null) on $("$pyspf_py" --version 2>&1), spf.check2() in one process, a fresh cache per evaluation"
echo "machine: $(nproc) CPUs, $(uname -r)"
echo
tool table --results "$results" --count "$count" --latency "$lat" \
  --delay-ms "$delay_ms"
if [ -f "$tmp/dump.pyspf.1" ]; then
  echo
  for f in "$tmp"/dump.mxcheck___json.* "$tmp"/dump.libmxcheck_SPF.*; do
    [ -f "$f" ] || continue
    s=$(tool pairwise "$f" "$tmp/dump.pyspf.1")
    echo "same verdict as pyspf: ${f##*/dump.} $(field same "$s") of $(field of "$s")"
    break
  done
  if [ -f "$tmp/dump.spfquery.1" ]; then
    s=$(tool pairwise "$tmp/dump.spfquery.1" "$tmp/dump.pyspf.1")
    echo "same verdict as pyspf: spfquery $(field same "$s") of $(field of "$s")"
  fi
fi
if [ -s "$problems" ]; then
  echo
  echo "PROBLEMS:"
  sed 's/^/  /' "$problems"
fi
exit 0
