#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# hol-bench.sh: head-of-line blocking (issue "Robustness", point 4).  A
# batch of LINES lines where every other line's SPF domain is answered
# only after 1 s (the fault responder's late.fault.test, beyond the
# timeout) and the others get NXDOMAIN at once; --parallel LINES,
# --timeout 0.5, --tries 2.  Prints when the first result, the 100th, the
# 400th and the last came out.  Run: make bench-hol (under the test
# fixture, which starts the fault responder on loopback).
set -u
lines=${HOL_LINES:-1000}
mx=${MXCHECK:-./cli/mxcheck}
[ -n "${MXC_TEST_FAULT:-}" ] || { echo "hol-bench: needs MXC_TEST_FAULT (run it under tests/dnsfixture.sh --fault)" >&2; exit 77; }
in=$(mktemp)
trap 'rm -f "$in"' EXIT
for i in $(seq 1 "$lines"); do
  if [ $((i % 2)) -eq 0 ]; then
    echo "192.0.2.1 u$i@h$i.late.fault.test"
  else
    echo "192.0.2.1 u$i@nx$i.nosuch.fault.test"
  fi
done >"$in"
"$mx" --server "$MXC_TEST_FAULT" --timeout 0.5 --tries 2 --parallel "$lines" \
  --json --no-libspf2 --batch "$in" 2>/dev/null | python3 -c '
import sys, time
t0 = time.monotonic(); n = 0; marks = {}
for _ in sys.stdin:
    n += 1
    if n in (1, 100, 400):
        marks[n] = time.monotonic() - t0
total = time.monotonic() - t0
print("hol-bench: %d results; first %.2f s, 100th %.2f s, 400th %.2f s, last %.2f s" % (
    n, marks.get(1, -1), marks.get(100, -1), marks.get(400, -1), total))'
