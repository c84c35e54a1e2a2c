#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run.sh: the RFC 7208 SPF test suite through libmxcheck, end to end.
#
# For each scenario of rfc7208-tests.yml: start zoneserver.py serving the
# scenario's zone data on 127.0.0.1 (UDP and TCP), feed the scenario's
# tests to the spf_suite driver (c-ares does the lookups), stop the server.
# The driver also checks libspf2's view of every test, against the suite
# and against a synchronous libspf2 run, and evaluates every test again
# with the SPF detail (trace, lint) off, which must give the same result.
# The last four lines are
#   spf-suite libspf2 view: N passed, N failed
#   spf-suite libspf2 async==sync: N passed, N failed
#   spf-suite detail off == on: N passed, N failed
#   spf-suite: N passed, N failed          (the evaluator; always last)
#
# Usage: run.sh [SCENARIO...]    (index from 0, or a piece of a description;
#                                 default: every scenario)
#
# Exit status: 0 when the evaluator passed every test (with the detail on
# and off) and libspf2's view equalled the synchronous run in every test,
# 1 when not, 77 (automake SKIP) when no python3 with the yaml module is
# found, 99 (automake ERROR) when a server or the driver could not run.
#
# Environment:
#   MXC_SRCDIR   the source tree (set by make check); else found from $0
#   SPF_SUITE    the driver (default: tests/spfsuite/spf_suite under the
#                current directory, which is the build tree under make check)
#   PYTHON3      a python3 with yaml (default: python3, then /usr/bin/python3)
#   SPF_SUITE_ARGS  extra driver options, e.g. "-v" or "--timeout-ms 500"
#   MXC_TEST_WRAPPER  a command put before the driver (e.g. valgrind)
# Run under tests/dnsfixture.sh by make check; its servers are not used.

set -u

me=spf-suite
here=$(cd "$(dirname "$0")" && pwd) || exit 99
if [ -n "${MXC_SRCDIR:-}" ] &&
  [ -f "$MXC_SRCDIR/tests/spfsuite/zoneserver.py" ]; then
  dir=$MXC_SRCDIR/tests/spfsuite
else
  dir=$here
fi
server=$dir/zoneserver.py
suite=$dir/rfc7208-tests.yml
driver=${SPF_SUITE:-tests/spfsuite/spf_suite}
case $driver in
  */*) ;;
  *) driver=./$driver ;;
esac

die() {
  echo "$me: $*" >&2
  exit 99
}

# ---------------------------------------------------------------------------
# A python3 with yaml

python=
for p in ${PYTHON3:-} python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then
    python=$p
    break
  fi
done
if [ -z "$python" ]; then
  echo "SKIP: no python3 with the yaml module (Debian: python3-yaml)"
  exit 77
fi
[ -f "$server" ] || die "not found: $server"
[ -f "$suite" ] || die "not found: $suite"
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
    rm -rf "$tmp"
    tmp=
  fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxc-spfsuite.XXXXXX") ||
  die "cannot create a temporary directory"

# ---------------------------------------------------------------------------
# The scenarios

"$python" "$server" --suite "$suite" --self-test >"$tmp/selftest" 2>&1 || {
  cat "$tmp/selftest" >&2
  die "zoneserver.py failed its self-test"
}

if [ $# -gt 0 ]; then
  scenarios=("$@")
else
  "$python" "$server" --suite "$suite" --list >"$tmp/list" ||
    die "zoneserver.py --list failed"
  scenarios=()
  while IFS=$'\t' read -r idx _; do
    scenarios+=("$idx")
  done <"$tmp/list"
  [ ${#scenarios[@]} -gt 0 ] || die "no scenario in $suite"
fi

# Watchdog for one driver run, when timeout(1) is there.
watchdog=()
if command -v timeout >/dev/null 2>&1; then
  watchdog=(timeout 300)
fi
# shellcheck disable=SC2206
extra=(${SPF_SUITE_ARGS:-})
# shellcheck disable=SC2206
wrapper=(${MXC_TEST_WRAPPER:-})

passed=0
failed=0
l2_passed=0
l2_failed=0
sync_passed=0
sync_failed=0
lean_passed=0
lean_failed=0
status=0
for sc in "${scenarios[@]}"; do
  rm -f "$tmp/port" "$tmp/tests"
  "$python" "$server" --suite "$suite" --scenario "$sc" \
    --port-file "$tmp/port" --tests-file "$tmp/tests" 2>"$tmp/server.log" &
  srv_pid=$!
  port=
  for ((i = 0; i < 200; i++)); do
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
      die "zoneserver.py exited (scenario $sc)"
    fi
    sleep 0.05
  done
  [ -n "$port" ] || die "zoneserver.py did not write its port (scenario $sc)"

  "${watchdog[@]}" "${wrapper[@]}" "$driver" --server "127.0.0.1:$port" \
    "${extra[@]}" "$tmp/tests" >"$tmp/out" 2>&1
  rc=$?
  # The driver's own totals are summed below, not shown.
  grep -v '^spf-suite' "$tmp/out"
  if ! kill -0 "$srv_pid" 2>/dev/null; then
    wait "$srv_pid" 2>/dev/null
    srv_pid=
    cat "$tmp/server.log" >&2
    die "zoneserver.py died during scenario $sc"
  fi
  stop_server
  line=$(grep '^spf-suite: [0-9]* passed, [0-9]* failed$' "$tmp/out" |
    tail -n 1)
  case $rc in
    0 | 1) ;;
    *) die "the driver failed (status $rc, scenario $sc)" ;;
  esac
  [ -n "$line" ] || die "no summary from the driver (scenario $sc)"
  read -r _ np _ nf _ <<<"$line"
  passed=$((passed + np))
  failed=$((failed + nf))
  for what in view 'async==sync'; do
    l=$(grep "^spf-suite libspf2 $what: [0-9]* passed, [0-9]* failed\$" \
      "$tmp/out" | tail -n 1)
    [ -n "$l" ] || die "no libspf2 $what summary from the driver (scenario $sc)"
    read -r _ _ _ np _ nf _ <<<"$l"
    if [ "$what" = view ]; then
      l2_passed=$((l2_passed + np))
      l2_failed=$((l2_failed + nf))
    else
      sync_passed=$((sync_passed + np))
      sync_failed=$((sync_failed + nf))
    fi
  done
  l=$(grep '^spf-suite detail off == on: [0-9]* passed, [0-9]* failed$' \
    "$tmp/out" | tail -n 1)
  [ -n "$l" ] || die "no detail off summary from the driver (scenario $sc)"
  read -r _ _ _ _ _ np _ nf _ <<<"$l"
  lean_passed=$((lean_passed + np))
  lean_failed=$((lean_failed + nf))
  if [ "$rc" -ne 0 ]; then
    status=1
    [ "$nf" -gt 0 ] || echo "$me: the driver exited with status $rc" \
      "though no test failed (scenario $sc; a checker such as valgrind?)"
  fi
done

[ "$failed" -eq 0 ] || status=1
[ "$sync_failed" -eq 0 ] || status=1
[ "$lean_failed" -eq 0 ] || status=1
echo "spf-suite libspf2 view: $l2_passed passed, $l2_failed failed"
echo "spf-suite libspf2 async==sync: $sync_passed passed, $sync_failed failed"
echo "spf-suite detail off == on: $lean_passed passed, $lean_failed failed"
echo "spf-suite: $passed passed, $failed failed"
exit "$status"
