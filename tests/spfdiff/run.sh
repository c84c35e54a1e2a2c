#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run.sh: differential test of libmxcheck's SPF evaluator against pyspf.
#
# gen.py generates random SPF scenarios (seeded, deterministic), evaluates
# every test with pyspf in-process over a fake DNS, and writes them in the
# format of the RFC 7208 test suite with pyspf's verdicts as the expected
# results.  Each chunk of cases is then served by tests/spfsuite/
# zoneserver.py on 127.0.0.1 (UDP and TCP) and run through libmxcheck by
# the tests/spfsuite/spf_suite driver (c-ares does the lookups).
#
# Usage: run.sh [--seed S] [--count N] [--keep DIR] [--differences FILE]
#   --seed S     seed of the generator (default 1)
#   --count N    cases (default 300; each has 1 to 3 tests)
#   --keep DIR   keep the generated cases and the driver's output in DIR
#   --differences FILE   the expected differences (default:
#                expected-differences.txt next to this script)
#
# Output: a line per test that differs (with pyspf's verdict and
# mxcheck's, the record and the trace), a line per chunk, and at the end
#   spf-diff: seed S, N cases, N tests
#   spf-diff: N agree, N expected differences (ID N, ...), N failed
#   spf-diff: N passed, N failed
# "passed" counts the tests whose verdict (and explanation of a fail) is
# pyspf's, or pyspf's under a reading listed in expected-differences.txt.
#
# Exit status: 0 when no test failed, 1 when one did, 77 (automake SKIP)
# when no python3 has both the spf (python3-spf) and yaml (python3-yaml)
# modules, 99 (automake ERROR) when the generator, a server or the driver
# could not run.
#
# Environment:
#   MXC_SRCDIR   the source tree (set by make check); else found from $0
#   SPF_SUITE    the driver (default: tests/spfsuite/spf_suite under the
#                current directory, the build tree under make check)
#   PYTHON3      a python3 with spf and yaml (default: python3, then
#                /usr/bin/python3)
#   MXC_TEST_WRAPPER  a command put before the driver (e.g. valgrind)
# Run under tests/dnsfixture.sh by make check; its servers are not used.

set -u

me=spf-diff
here=$(cd "$(dirname "$0")" && pwd) || exit 99
if [ -n "${MXC_SRCDIR:-}" ] && [ -f "$MXC_SRCDIR/tests/spfdiff/gen.py" ]; then
  src=$MXC_SRCDIR/tests
else
  src=$(cd "$here/.." && pwd) || exit 99
fi
gen=$src/spfdiff/gen.py
server=$src/spfsuite/zoneserver.py
driver=${SPF_SUITE:-tests/spfsuite/spf_suite}
case $driver in
  */*) ;;
  *) driver=./$driver ;;
esac

die() {
  echo "$me: $*" >&2
  exit 99
}

seed=1
count=300
keep=
diffs=$src/spfdiff/expected-differences.txt
while [ $# -gt 0 ]; do
  case $1 in
    --seed) seed=${2:?}; shift 2 ;;
    --count) count=${2:?}; shift 2 ;;
    --keep) keep=${2:?}; shift 2 ;;
    --differences) diffs=${2:?}; shift 2 ;;
    -h | --help)
      sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
case $seed$count in *[!0-9]*) die "--seed and --count take numbers" ;; esac
if [ "$count" -lt 1 ] || [ "$count" -gt 100000 ]; then
  die "--count: 1..100000"
fi

# ---------------------------------------------------------------------------
# A python3 with pyspf and yaml

python=
for p in ${PYTHON3:-} python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 &&
    "$p" -c 'import spf, yaml' 2>/dev/null; then
    python=$p
    break
  fi
done
if [ -z "$python" ]; then
  echo "SKIP: no python3 with the spf and yaml modules" \
    "(Debian: python3-spf python3-yaml)"
  exit 77
fi
[ -f "$gen" ] || die "not found: $gen"
[ -f "$server" ] || die "not found: $server"
[ -x "$driver" ] || die "driver not built: $driver (make check builds it)"

# ---------------------------------------------------------------------------
# Cleanup

tmp=
srv_pid=

stop_server() {
  local i
  [ -n "$srv_pid" ] || return 0
  kill -TERM "$srv_pid" 2>/dev/null
  for ((i = 0; i < 50; i++)); do
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$srv_pid" 2>/dev/null
  wait "$srv_pid" 2>/dev/null
  srv_pid=
  return 0
}

# Called from the EXIT trap only.
# shellcheck disable=SC2317
cleanup() {
  stop_server
  if [ -n "$tmp" ]; then
    if [ -n "$keep" ]; then
      mkdir -p "$keep" && cp -r "$tmp"/. "$keep"/
    fi
    rm -rf "$tmp"
    tmp=
  fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxc-spfdiff.XXXXXX") ||
  die "cannot create a temporary directory"

# ---------------------------------------------------------------------------
# Generate, and let pyspf decide

"$python" "$gen" --seed "$seed" --count "$count" --out "$tmp" \
  --differences "$diffs" 2>"$tmp/gen.log"
rc=$?
if [ "$rc" -ne 0 ]; then
  cat "$tmp/gen.log" >&2
  [ "$rc" = 77 ] && exit 77
  die "gen.py failed (status $rc)"
fi
cat "$tmp/gen.log"

"$python" "$server" --suite "$tmp/cases.yml" --list >"$tmp/list" ||
  die "zoneserver.py --list failed"
chunks=()
while IFS=$'\t' read -r idx _; do
  chunks+=("$idx")
done <"$tmp/list"
[ ${#chunks[@]} -gt 0 ] || die "no cases generated"

watchdog=()
if command -v timeout >/dev/null 2>&1; then
  watchdog=(timeout 600)
fi
# shellcheck disable=SC2206
wrapper=(${MXC_TEST_WRAPPER:-})

# ---------------------------------------------------------------------------
# Each chunk: serve it, run its tests through libmxcheck

: >"$tmp/driver.out"
for ch in "${chunks[@]}"; do
  rm -f "$tmp/port" "$tmp/tests"
  "$python" "$server" --suite "$tmp/cases.yml" --scenario "$ch" \
    --port-file "$tmp/port" --tests-file "$tmp/tests" 2>"$tmp/server.log" &
  srv_pid=$!
  port=
  for ((i = 0; i < 400; i++)); do
    if [ -s "$tmp/port" ]; then
      port=$(tr -d ' \t\r\n' <"$tmp/port")
      case $port in
        '' | *[!0-9]*) port= ;;
        *) break ;;
      esac
    fi
    if ! kill -0 "$srv_pid" 2>/dev/null; then
      wait "$srv_pid" 2>/dev/null
      srv_pid=
      cat "$tmp/server.log" >&2
      die "zoneserver.py exited (chunk $ch)"
    fi
    sleep 0.05
  done
  [ -n "$port" ] || die "zoneserver.py did not write its port (chunk $ch)"

  # Names that never answer cost the first try and one retry.
  "${watchdog[@]}" "${wrapper[@]}" "$driver" --server "127.0.0.1:$port" \
    --timeout-ms 150 --tries 2 -v "$tmp/tests" >"$tmp/out" 2>&1
  rc=$?
  if ! kill -0 "$srv_pid" 2>/dev/null; then
    wait "$srv_pid" 2>/dev/null
    srv_pid=
    cat "$tmp/server.log" >&2
    die "zoneserver.py died during chunk $ch"
  fi
  stop_server
  case $rc in
    0 | 1) ;;
    *)
      tail -5 "$tmp/out" >&2
      die "the driver failed (status $rc, chunk $ch)"
      ;;
  esac
  grep -q '^spf-suite: [0-9]* passed, [0-9]* failed$' "$tmp/out" ||
    die "no summary from the driver (chunk $ch)"
  cat "$tmp/out" >>"$tmp/driver.out"
done

# ---------------------------------------------------------------------------
# Tally: pyspf's verdicts (index.jsonl) against the driver's lines

"$python" "$src/spfdiff/tally.py" "$tmp/index.jsonl" "$tmp/driver.out" \
  "$seed" "$count"
