#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# dkim-bench.sh: DKIM verifications per second of mxcheck --message, in the
# same run as libopendkim alone in memory (bench/dkim-raw.c), dkimpy (one
# python process verifying the batch) and openssl speed.
#
# Usage: dkim-bench.sh [OPTIONS]
#   --count N       ~11 KB messages per algorithm (default 5000)
#   --big N         ~1 MB messages per algorithm (default 40)
#   --reps R        repetitions (default 3; the table shows medians)
#   --quick         --count 1000 --big 10 --reps 1
#   --mxcheck PATH  the mxcheck to measure (default: cli/mxcheck of this
#                   tree; a libtool wrapper is resolved to the real binary)
#   --keep DIR      keep the messages and raw results in DIR
#   -h, --help
#
# Messages (bench/dkim-gen.py): distinct, each signed once by dkimpy,
# relaxed/relaxed, RSA-2048 or Ed25519, 7 signed header fields.  Keys come
# from tests/dkim/keyserver.py on 127.0.0.1 (mxcheck asks it; its cache
# then serves the other messages); libopendkim alone and dkimpy read the
# keys from memory.  Every tool must verify every message (pass), or the
# row says how many did not.
#
# Needs: bash, python3 with dkimpy (python3-dkim), openssl, a C compiler
# with libopendkim's headers (pkg-config opendkim).  Environment: CC,
# PYTHON3, TMPDIR.

set -u

me=dkim-bench
here=$(cd "$(dirname "$0")" && pwd) || exit 2
top=$(cd "$here/.." && pwd) || exit 2

usage() {
  sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
}
die() {
  echo "$me: $*" >&2
  exit 2
}

count=5000
big=40
reps=3
mx=${MXCHECK:-$top/cli/mxcheck}
keep=
while [ $# -gt 0 ]; do
  case $1 in
    --count) count=$2; shift 2 ;;
    --big) big=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --quick) count=1000; big=10; reps=1; shift ;;
    --mxcheck) mx=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

python=
for p in ${PYTHON3:-} python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import dkim, nacl' 2>/dev/null; then
    python=$p
    break
  fi
done
[ -n "$python" ] || die "no python3 with dkimpy and pynacl (Debian: python3-dkim)"
command -v openssl >/dev/null || die "openssl not found"
# A libtool wrapper: measure the real binary.
if [ -f "$mx" ] && head -c 200 "$mx" | grep -q 'libtool'; then
  d=$(dirname "$mx")
  [ -x "$d/.libs/$(basename "$mx")" ] || die "no $d/.libs/mxcheck"
  export LD_LIBRARY_PATH="$top/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  mx=$d/.libs/$(basename "$mx")
fi
[ -x "$mx" ] || die "mxcheck not found: $mx (make first)"

if [ -n "$keep" ]; then
  tmp=$keep
  mkdir -p "$tmp" || die "cannot create $tmp"
else
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxc-dkim-bench.XXXXXX") || die "mktemp"
fi
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  [ -n "$keep" ] || rm -rf "$tmp"
}
trap cleanup EXIT

ncpu=$(nproc 2>/dev/null || echo 1)
echo "$me: $count x ~11 KB and $big x ~1 MB messages per algorithm, $reps" \
  "repetition(s), $ncpu CPU(s)" >&2
"$python" "$here/dkim-gen.py" "$tmp" "$count" "$big" || die "dkim-gen.py failed"

${CC:-cc} -O2 $(pkg-config --cflags opendkim) "$here/dkim-raw.c" \
  $(pkg-config --libs opendkim) -o "$tmp/dkim-raw" || die "cannot build dkim-raw"

"$python" "$top/tests/dkim/keyserver.py" --table "$tmp/keys.table" \
  --port-file "$tmp/port" 2>"$tmp/server.log" &
server_pid=$!
for ((i = 0; i < 100; i++)); do
  [ -s "$tmp/port" ] && break
  sleep 0.05
done
[ -s "$tmp/port" ] || die "keyserver.py did not start"
server=127.0.0.1:$(cat "$tmp/port")

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN {printf "%.0f", n / s}'; }

# One timed run of each tool; each prints "<seconds> <not passed>".
# mxcheck: the whole process (start, reading the files, DNS for the first
# message); libopendkim alone and dkimpy: the verification loop over
# messages already in memory.
mx_args() {
  local f
  MXA=()
  for f in "$tmp/$1"/*.eml; do MXA+=(--message "$f"); done
}
# "<wall seconds> <CPU seconds>" (user + system, workers included)
time_mx() {
  local TIMEFORMAT='%R %U %S'
  { time "$mx" --server "$server" -q --jobs "$2" "${MXA[@]}" ; } 2>&1 |
    awk '{print $1, $2 + $3}'
}
check_mx() {
  # every message must pass (checked once per set, not timed)
  "$mx" --server "$server" --json --jobs "$2" "${MXA[@]}" |
    grep -vc '"dkim_result":{"result":"pass"'
}
time_raw() {
  local out
  out=$("$tmp/dkim-raw" "$tmp/keys.table" 1 "$tmp/$1"/*.eml) || return
  set -- $out # <n> <passed> <seconds> <CPU seconds>
  echo "$3 $(($1 - $2)) $4"
}
time_py() {
  "$python" - "$tmp/keys.table" "$tmp/$1" <<'PY'
import os, sys, time, dkim
table = {}
for line in open(sys.argv[1], "rb"):
    name, *strings = line.rstrip(b"\n").split(b"\t")
    table[name.lower()] = b"".join(strings)
def dnsfunc(name, timeout=5):
    return table.get(name.rstrip(b".").lower())
d = sys.argv[2]
msgs = [open(os.path.join(d, f), "rb").read() for f in sorted(os.listdir(d))]
t0, c0 = time.monotonic(), time.process_time()
bad = sum(0 if dkim.DKIM(m).verify(dnsfunc=dnsfunc) else 1 for m in msgs)
print("%.4f %d %.4f" % (time.monotonic() - t0, bad, time.process_time() - c0))
PY
}

printf '| workload | tool | msgs | wall s | msgs/s | CPU s | msgs per CPU-second | not passed |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for set in rsa-10k ed-10k rsa-1m ed-1m; do
  n=$(ls "$tmp/$set" | wc -l)
  [ "$n" -gt 0 ] || continue
  mx_args "$set"
  : >"$tmp/raw.t"; : >"$tmp/mx1.t"; : >"$tmp/mxn.t"; : >"$tmp/py.t"
  # The tools take turns in every repetition, so that load from elsewhere
  # falls on all of them alike.
  for ((r = 0; r < reps; r++)); do
    time_raw "$set" >>"$tmp/raw.t"
    time_mx "$set" 1 >>"$tmp/mx1.t"
    time_mx "$set" "$ncpu" >>"$tmp/mxn.t"
    time_py "$set" >>"$tmp/py.t"
  done
  # raw.t, py.t: "<wall> <not passed> <cpu>"; mx*.t: "<wall> <cpu>"
  w_raw=$(cut -d' ' -f1 "$tmp/raw.t" | median)
  c_raw=$(cut -d' ' -f3 "$tmp/raw.t" | median)
  bad_raw=$(cut -d' ' -f2 "$tmp/raw.t" | sort -n | tail -1)
  w_1=$(cut -d' ' -f1 "$tmp/mx1.t" | median)
  c_1=$(cut -d' ' -f2 "$tmp/mx1.t" | median)
  w_n=$(cut -d' ' -f1 "$tmp/mxn.t" | median)
  c_n=$(cut -d' ' -f2 "$tmp/mxn.t" | median)
  w_py=$(cut -d' ' -f1 "$tmp/py.t" | median)
  c_py=$(cut -d' ' -f3 "$tmp/py.t" | median)
  bad_py=$(cut -d' ' -f2 "$tmp/py.t" | sort -n | tail -1)
  bad_1=$(check_mx "$set" 1)
  bad_n=$(check_mx "$set" "$ncpu")
  row() { # TOOL WALL CPU NOTPASSED NOTE
    printf '| %s | %s | %d | %.3f | %s | %.3f | %s%s | %s |\n' "$set" "$1" \
      "$n" "$2" "$(rate "$n" "$2")" "$3" "$(rate "$n" "$3")" "$5" "$4"
  }
  pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", 100 * b / a}'; }
  times() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b / a}'; }
  row "libopendkim alone, in memory (1 thread)" "$w_raw" "$c_raw" "$bad_raw" ""
  row "mxcheck --jobs 1" "$w_1" "$c_1" "$bad_1" \
    " ($(pct "$c_1" "$c_raw")% of libopendkim; wall $(pct "$w_1" "$w_raw")%)"
  row "mxcheck --jobs $ncpu" "$w_n" "$c_n" "$bad_n" \
    " (wall: $(times "$w_n" "$w_1")x --jobs 1; $(times "$w_n" "$c_n") CPUs busy)"
  row "dkimpy (1 process)" "$w_py" "$c_py" "$bad_py" \
    " (mxcheck --jobs 1: $(times "$c_1" "$c_py")x)"
done

echo
echo "openssl speed -seconds 3 rsa2048 ed25519 sha256 (same machine, same run):"
openssl speed -seconds 3 rsa2048 ed25519 sha256 2>/dev/null |
  awk '/^rsa 2048 bits/ {printf "  RSA-2048: %s sign/s, %s verify/s\n", $6, $7}
       /^ +253 bits EdDSA \(Ed25519\)/ {printf "  Ed25519: %s sign/s, %s verify/s\n", $7, $8}
       /^sha256 / {printf "  SHA-256, 16 KiB blocks: %s (in 1000s of bytes per second)\n", $6}'
