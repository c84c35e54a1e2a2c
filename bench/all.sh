#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# all.sh: every benchmark of the performance issue in one run (make
# bench-all), then one table of its targets: the figure, the peer's in the
# same run, the ratio and whether the target is met.
#
#   bench/all.sh --mxcheck PATH [--builddir DIR] [--out DIR] [--quick]
#
# Runs bench/fcrdns-bench.sh (20,000 addresses, 3 repetitions),
# bench/spf-bench.sh (3,000 pairs, 3 repetitions) and bench/dkim-bench.sh
# (2,000 messages of ~11 KB and 20 of ~1 MB per algorithm, 3
# repetitions): about 10 minutes on 2 CPUs; --quick: each in its quick
# form (about 3 minutes).  The logs stay in DIR (default: a temporary
# directory, removed).  Needs what each script needs (see bench/README.md).
set -u
here=$(cd "$(dirname "$0")" && pwd) || exit 2
mx=
builddir=
out=
quick=no
while [ $# -gt 0 ]; do
  case $1 in
    --mxcheck) mx=${2:?}; shift 2 ;;
    --builddir) builddir=${2:?}; shift 2 ;;
    --out) out=${2:?}; shift 2 ;;
    --quick) quick=yes; shift ;;
    -h|--help) sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "all.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$mx" ] || { echo "all.sh: --mxcheck PATH is needed" >&2; exit 2; }
keep=yes
if [ -z "$out" ]; then
  out=$(mktemp -d) || exit 2
  keep=no
fi
mkdir -p "$out" || exit 2
start=$(date +%s)
if [ "$quick" = yes ]; then
  f_args=(--quick --instr); s_args=(--quick); d_args=(--quick)
else
  f_args=(--instr); s_args=(); d_args=(--count 2000 --big 20)
fi
step() { # NAME SCRIPT ARGS...: run one benchmark, its output into the log
  local name=$1 t0
  shift
  t0=$(date +%s)
  echo "bench-all: $name ..." >&2
  bash "$@" >"$out/$name.log" 2>"$out/$name.err"
  echo "bench-all: $name: exit $?, $(($(date +%s) - t0)) s" >&2
}
step fcrdns "$here/fcrdns-bench.sh" --mxcheck "$mx" "${f_args[@]}"
[ -n "$builddir" ] && s_args+=(--builddir "$builddir")
step spf "$here/spf-bench.sh" --mxcheck "$mx" "${s_args[@]}"
step dkim "$here/dkim-bench.sh" --mxcheck "$mx" "${d_args[@]}"
for n in fcrdns spf dkim; do
  echo
  echo "==== $n ===="
  cat "$out/$n.log"
done
echo
python3 "$here/all-summary.py" "$out"
rc=$?
echo "bench-all: $(($(date +%s) - start)) s in all"
[ "$keep" = yes ] || rm -rf "$out"
exit $rc
