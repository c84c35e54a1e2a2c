#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# dnsfixture.sh: run a command next to a real authoritative DNS server
# (Knot DNS) that serves the test zones on the loopback interface.
#
# Usage:
#   dnsfixture.sh [--zones DIR] [--fault] [--] COMMAND [ARGS...]
#
#   --zones DIR  serve every DIR/*.zone file (zone name = file name without
#                ".zone"); default: the zones/ directory next to this script
#   --fault      also start faultdns.py (next to this script), if present
#
# Without "--", the first argument that is not an option is the command, so
# the script works as automake's LOG_COMPILER.  A command ending in ".sh"
# is run with bash, one ending in ".py" with python3.
#
# The command sees:
#   MXC_TEST_DNS       127.0.0.1:PORT   the Knot server
#   MXC_TEST_DNS6      [::1]:PORT       the same server over IPv6, or empty
#                                       when ::1 is not usable here
#   MXC_TEST_DNS_PORT  PORT
#   MXC_TEST_FAULT     127.0.0.1:PORT2  faultdns.py (only with --fault and
#                                       when faultdns.py exists; else unset)
#   MXC_TEST_FAULT_CLOSED 127.0.0.1:PORT3  faultdns.py's closed port: TC=1
#                                       over UDP, TCP refused (as above)
#
# Exit status: the command's; 77 (automake SKIP) when knotd is not
# installed; 99 (automake hard ERROR) when the servers cannot be started.
# Quiet unless something goes wrong.
#
# knotd is started by tests/knotlib.sh (the benchmarks use it too), with
# 2 UDP and 2 TCP workers, on a free port.
#
# Environment: KNOTD (path of knotd), KDIG, PYTHON3, TMPDIR, and
# MXC_TEST_WRAPPER: a command put before test programs (not scripts), such
# as "valgrind -q --error-exitcode=1".

set -u

me=dnsfixture
here=$(cd "$(dirname "$0")" && pwd) || exit 99

usage() {
  echo "usage: $0 [--zones DIR] [--fault] [--] COMMAND [ARGS...]"
}

die() {
  echo "$me: $*" >&2
  exit 99
}

zones=$here/zones
fault=no
while [ $# -gt 0 ]; do
  case $1 in
    --zones)
      [ $# -ge 2 ] || { usage >&2; exit 99; }
      zones=$2
      shift 2
      ;;
    --zones=*)
      zones=${1#--zones=}
      shift
      ;;
    --fault)
      fault=yes
      shift
      ;;
    --help | -h)
      usage
      exit 0
      ;;
    --)
      shift
      break
      ;;
    -*)
      echo "$me: unknown option: $1" >&2
      usage >&2
      exit 99
      ;;
    *)
      break
      ;;
  esac
done
[ $# -gt 0 ] || { usage >&2; exit 99; }

# ---------------------------------------------------------------------------
# Tools

# knotd is started by the functions of knotlib.sh (next to this script).
# shellcheck source=tests/knotlib.sh
. "$here/knotlib.sh" || exit 99
knot_find
case $? in
  1) echo "SKIP: knotd not found"; exit 77 ;;
  2) echo "SKIP: neither kdig nor python3 found (needed to probe knotd)"
     exit 77 ;;
esac

knot_zones=$zones
knot_load_zones || exit 99

# ---------------------------------------------------------------------------
# Cleanup

tmp=
fault_pid=
cmd_pid=

# Called from the EXIT trap only.
# shellcheck disable=SC2317
cleanup() {
  knot_stop_pid "$cmd_pid"
  cmd_pid=
  knot_stop_pid "$fault_pid"
  fault_pid=
  knot_stop
  if [ -n "$tmp" ]; then
    rm -rf "$tmp"
    tmp=
  fi
}

trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxc-dns.XXXXXX") ||
  die "cannot create a temporary directory"

show_log() {
  local f
  for f in "$@"; do
    [ -s "$f" ] || continue
    echo "---- $(basename "$f") ----" >&2
    cat "$f" >&2
  done
}

# ---------------------------------------------------------------------------
# knotd: 127.0.0.1 (and ::1 when usable) on a free port, 2 UDP and 2 TCP
# workers (the machines running the tests are small and shared)

ipv6=no
knot_ipv6_usable && ipv6=yes
knot_dir=$tmp/knot
knot_listen=(127.0.0.1)
[ "$ipv6" = yes ] && knot_listen+=(::1)
knot_workers="2 2 1"
knot_port=
knot_serve || { knot_show_log; exit 99; }
port=$knot_port

# ---------------------------------------------------------------------------
# faultdns.py

unset MXC_TEST_FAULT MXC_TEST_FAULT_CLOSED
if [ "$fault" = yes ] && [ -f "$here/faultdns.py" ]; then
  [ "$have_python" = yes ] || { echo "SKIP: python3 not found"; exit 77; }
  "$python3" "$here/faultdns.py" --port-file "$tmp/fault.port" \
    --closed-port-file "$tmp/fault.closed" >"$tmp/fault.log" 2>&1 &
  fault_pid=$!
  fault_port=
  for ((i = 0; i < 100; i++)); do
    if [ -s "$tmp/fault.port" ]; then
      fault_port=$(tr -d ' \t\r\n' <"$tmp/fault.port")
      case $fault_port in
        '' | *[!0-9]*) fault_port= ;;
        *) break ;;
      esac
    fi
    if ! kill -0 "$fault_pid" 2>/dev/null; then
      wait "$fault_pid" 2>/dev/null
      fault_pid=
      show_log "$tmp/fault.log"
      die "faultdns.py exited"
    fi
    sleep 0.1
  done
  if [ -z "$fault_port" ]; then
    show_log "$tmp/fault.log"
    die "faultdns.py did not write its port in time"
  fi
  export MXC_TEST_FAULT="127.0.0.1:$fault_port"
  # written before fault.port: there once fault.port is
  closed_port=$(tr -d ' \t\r\n' <"$tmp/fault.closed" 2>/dev/null)
  case $closed_port in
    '' | *[!0-9]*) die "faultdns.py did not write its closed port" ;;
  esac
  export MXC_TEST_FAULT_CLOSED="127.0.0.1:$closed_port"
fi

# ---------------------------------------------------------------------------
# The command

export MXC_TEST_DNS="127.0.0.1:$port"
export MXC_TEST_DNS_PORT="$port"
if [ "$ipv6" = yes ]; then
  export MXC_TEST_DNS6="[::1]:$port"
else
  export MXC_TEST_DNS6=
fi

# A bare file name that is not a command in PATH means ./NAME.
case $1 in
  */*) ;;
  *)
    if ! command -v "$1" >/dev/null 2>&1 && [ -f "$1" ]; then
      set -- "./$1" "${@:2}"
    fi
    ;;
esac

# Run the command in the background and wait for it, so that a signal to
# this script (e.g. from timeout(1)) is handled at once: the trap stops the
# command, then the servers.  "<&0" keeps our stdin, which bash would
# otherwise replace with /dev/null for a background command, and the
# "trap -" undoes the SIGINT/SIGQUIT ignoring bash gives background
# commands (a test may well send SIGINT to a daemon it started).
(
  trap - INT QUIT
  case $1 in
    *.sh) exec bash "$@" ;;
    *.py) exec "$python3" "$@" ;;
    # MXC_TEST_WRAPPER (e.g. "valgrind -q --error-exitcode=1") runs test
    # programs under a checker; scripts are not wrapped.
    *)
      # shellcheck disable=SC2086
      exec ${MXC_TEST_WRAPPER:-} "$@"
      ;;
  esac
) <&0 &
cmd_pid=$!
wait "$cmd_pid"
status=$?
cmd_pid=

# A server that died during the command makes its result meaningless.
if ! kill -0 "$knot_pid" 2>/dev/null; then
  echo "$me: knotd died while the command ran" >&2
  show_log "$knot_dir/knot.log" "$knot_dir/knotd.out"
  status=99
fi
if [ -n "$fault_pid" ] && ! kill -0 "$fault_pid" 2>/dev/null; then
  echo "$me: faultdns.py died while the command ran" >&2
  show_log "$tmp/fault.log"
  status=99
fi

exit "$status"
