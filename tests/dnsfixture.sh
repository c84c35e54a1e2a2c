#!/bin/bash
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
#
# Exit status: the command's; 77 (automake SKIP) when knotd is not
# installed; 99 (automake hard ERROR) when the servers cannot be started.
# Quiet unless something goes wrong.
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

knotd=${KNOTD:-}
if [ -z "$knotd" ]; then
  knotd=$(command -v knotd 2>/dev/null) ||
    for d in /usr/sbin /sbin /usr/local/sbin; do
      if [ -x "$d/knotd" ]; then knotd=$d/knotd; break; fi
    done
fi
if [ -z "$knotd" ] || [ ! -x "$knotd" ]; then
  echo "SKIP: knotd not found"
  exit 77
fi

python3=${PYTHON3:-python3}
have_python=no
command -v "$python3" >/dev/null 2>&1 && have_python=yes

kdig=${KDIG:-}
[ -n "$kdig" ] || kdig=$(command -v kdig 2>/dev/null) || kdig=
if [ -z "$kdig" ] && [ "$have_python" = no ]; then
  echo "SKIP: neither kdig nor python3 found (needed to probe knotd)"
  exit 77
fi

[ -d "$zones" ] || die "zones directory not found: $zones"
zones=$(cd "$zones" && pwd) || die "cannot enter $zones"

# Zone name = file name without ".zone" (and with a final dot).
zone_names=()
zone_files=()
for f in "$zones"/*.zone; do
  [ -f "$f" ] || continue
  f=${f##*/}
  z=${f%.zone}
  zone_names+=("${z%.}.")
  zone_files+=("$f")
done
[ ${#zone_names[@]} -gt 0 ] || die "no *.zone files in $zones"

# ---------------------------------------------------------------------------
# Cleanup

tmp=
knot_pid=
fault_pid=
cmd_pid=

stop_pid() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# Called from the EXIT trap only.
# shellcheck disable=SC2317
cleanup() {
  stop_pid "$cmd_pid"
  cmd_pid=
  stop_pid "$fault_pid"
  fault_pid=
  stop_pid "$knot_pid"
  knot_pid=
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
# Is ::1 usable?  Is a port free?

ipv6=no
if [ "$have_python" = yes ]; then
  if "$python3" -c 'import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::1", 0))' 2>/dev/null; then
    ipv6=yes
  fi
fi

# port_free PORT: can 127.0.0.1 (and ::1) bind PORT over UDP and TCP?
# Without python3, assume yes: knotd's start is retried anyway.
port_free() {
  [ "$have_python" = yes ] || return 0
  "$python3" - "$1" "$ipv6" <<'EOF' 2>/dev/null
import socket, sys
port, v6 = int(sys.argv[1]), sys.argv[2] == "yes"
addrs = [(socket.AF_INET, "127.0.0.1")]
if v6:
    addrs.append((socket.AF_INET6, "::1"))
for fam, host in addrs:
    for typ in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(fam, typ)
        try:
            s.bind((host, port))
        finally:
            s.close()
EOF
}

pick_port() {
  local i p
  for ((i = 0; i < 50; i++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
    if port_free "$p"; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# ---------------------------------------------------------------------------
# Probing knotd

# soa_ok ZONE: does the server answer SOA ZONE with NOERROR, AA and an
# answer?
soa_ok() {
  if [ -n "$kdig" ]; then
    local out
    out=$("$kdig" @127.0.0.1 -p "$port" +norecurse +timeout=1 +retry=0 \
      +noall +header +answer SOA "$1" 2>/dev/null) || return 1
    printf '%s\n' "$out" | grep -q 'status: NOERROR' || return 1
    printf '%s\n' "$out" | grep -q '^;; Flags:.* aa' || return 1
    printf '%s\n' "$out" | grep -q '[[:space:]]SOA[[:space:]]' || return 1
    return 0
  fi
  "$python3" - "$port" "$1" <<'EOF' 2>/dev/null
import socket, struct, sys
port, zone = int(sys.argv[1]), sys.argv[2].rstrip(".")
qid = 0x4d58
q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
for label in zone.split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack(">HH", 6, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(q, ("127.0.0.1", port))
r = s.recv(4096)
rid, flags, _, an = struct.unpack(">HHHH", r[:8])
ok = rid == qid and flags & 0x8000 and flags & 0x0400 and flags & 0xf == 0 and an > 0
sys.exit(0 if ok else 1)
EOF
}

# all_zones_ok: every zone answers SOA authoritatively.
all_zones_ok() {
  local z
  for z in "${zone_names[@]}"; do
    soa_ok "$z" || return 1
  done
  return 0
}

# ---------------------------------------------------------------------------
# knotd

write_conf() {
  local i
  {
    echo "server:"
    echo "    rundir: \"$tmp\""
    echo "    pidfile: \"$tmp/knot.pid\""
    echo "    udp-workers: 2"
    echo "    tcp-workers: 2"
    echo "    background-workers: 1"
    echo "    listen: 127.0.0.1@$port"
    if [ "$ipv6" = yes ]; then
      echo "    listen: ::1@$port"
    fi
    echo
    echo "control:"
    echo "    listen: \"$tmp/knot.sock\""
    echo
    echo "database:"
    echo "    storage: \"$tmp/db\""
    echo
    echo "log:"
    echo "  - target: \"$tmp/knot.log\""
    echo "    any: info"
    echo
    echo "template:"
    echo "  - id: default"
    echo "    storage: \"$zones\""
    echo "    zonefile-load: whole"
    echo "    zonefile-sync: -1"
    echo "    journal-content: none"
    echo "    semantic-checks: off"
    echo
    echo "zone:"
    for i in "${!zone_names[@]}"; do
      echo "  - domain: \"${zone_names[i]}\""
      echo "    file: \"${zone_files[i]}\""
    done
  } >"$tmp/knot.conf"
}

# start_knot: start knotd on $port; 0 when every zone answers, 1 when knotd
# died or could not bind (try another port), 2 on a fatal error.
start_knot() {
  local i
  write_conf
  : >"$tmp/knot.log"
  : >"$tmp/knotd.out"
  mkdir -p "$tmp/db" || return 2
  "$knotd" -c "$tmp/knot.conf" >"$tmp/knotd.out" 2>&1 &
  knot_pid=$!
  SECONDS=0
  for ((i = 0; i < 100 && SECONDS < 20; i++)); do
    if ! kill -0 "$knot_pid" 2>/dev/null; then
      wait "$knot_pid" 2>/dev/null
      knot_pid=
      if grep -qsiE 'cannot bind|address already in use' \
        "$tmp/knot.log" "$tmp/knotd.out"; then
        return 1
      fi
      echo "$me: knotd exited" >&2
      return 2
    fi
    if grep -qsiE 'cannot bind|address already in use' \
      "$tmp/knot.log" "$tmp/knotd.out"; then
      stop_pid "$knot_pid"
      knot_pid=
      return 1
    fi
    # Any error (e.g. a zone that did not load and so never answers) is
    # fatal at once: broken test data must not pass unnoticed.
    if grep -qE ' (error|critical): ' "$tmp/knot.log"; then
      echo "$me: knotd logged an error" >&2
      return 2
    fi
    # Probe only once knotd says it serves: a query sent to its socket
    # before that waits for the whole kdig timeout.
    if grep -q 'server started' "$tmp/knot.log" && all_zones_ok; then
      return 0
    fi
    sleep 0.1
  done
  echo "$me: knotd did not answer for every zone in time" >&2
  return 2
}

port=
started=no
for attempt in 1 2 3 4 5; do
  port=$(pick_port) || die "no free port found"
  start_knot
  case $? in
    0) started=yes; break ;;
    1) : "port $port taken, attempt $attempt" ;;
    *) show_log "$tmp/knot.conf" "$tmp/knot.log" "$tmp/knotd.out"; exit 99 ;;
  esac
done
if [ "$started" != yes ]; then
  show_log "$tmp/knot.log" "$tmp/knotd.out"
  die "knotd could not bind a port after 5 attempts"
fi

# Any error in the log (e.g. a zone loaded with a problem) is fatal, so
# broken test data is noticed at once.
if grep -qE ' (error|critical): ' "$tmp/knot.log"; then
  show_log "$tmp/knot.log"
  die "knotd logged errors"
fi

# ---------------------------------------------------------------------------
# faultdns.py

unset MXC_TEST_FAULT
if [ "$fault" = yes ] && [ -f "$here/faultdns.py" ]; then
  [ "$have_python" = yes ] || { echo "SKIP: python3 not found"; exit 77; }
  "$python3" "$here/faultdns.py" --port-file "$tmp/fault.port" \
    >"$tmp/fault.log" 2>&1 &
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
  show_log "$tmp/knot.log" "$tmp/knotd.out"
  status=99
fi
if [ -n "$fault_pid" ] && ! kill -0 "$fault_pid" 2>/dev/null; then
  echo "$me: faultdns.py died while the command ran" >&2
  show_log "$tmp/fault.log"
  status=99
fi

exit "$status"
