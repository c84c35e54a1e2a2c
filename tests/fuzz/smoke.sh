#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# smoke.sh SRCDIR BINDIR SECONDS: run every fuzz target over its seed
# corpus (SRCDIR/tests/fuzz/corpus/NAME, kept in the tree) and then SECONDS
# of new inputs; any finding (a crash, a sanitizer report, a leak, a
# timeout) fails with the target's name.  New inputs go to a scratch copy
# of the corpus under BINDIR, never into the tree.
set -u
src=$1
bin=$2
secs=${3:-20}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=
for t in "$bin"/fuzz_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  seeds=$src/tests/fuzz/corpus/${name#fuzz_}
  work=$bin/run-${name#fuzz_}
  rm -rf "$work"
  mkdir -p "$work"
  [ -d "$seeds" ] && cp "$seeds"/* "$work"/ 2>/dev/null
  if "$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
       -max_len=65536 -print_final_stats=1 "$work" \
       >"$bin/$name.log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$bin/$name.log")
    echo "fuzz-smoke: $name: ok (${execs:-?} inputs)"
  else
    echo "fuzz-smoke: $name: FINDING"
    tail -n 40 "$bin/$name.log"
    failed="$failed $name"
  fi
done
if [ -n "$failed" ]; then
  echo "fuzz-smoke: findings in:$failed"
  exit 1
fi
