# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=bash
# knotlib.sh: start and stop Knot DNS (knotd) on loopback, serving a
# directory of zone files.  The one way mxcheck's tools start knotd: the
# test fixture (tests/dnsfixture.sh, which the demo uses too) and the
# benchmarks (bench/fcrdns-bench.sh, bench/spf-bench.sh) source it.
#
#   . "$dir/knotlib.sh"            # bash only; defines functions, no effect
#   knot_find || ...               # knotd, kdig, python3 (see below)
#   knot_dir=DIR                   # empty private directory: config, db,
#                                  # rundir, logs
#   knot_zones=ZONEDIR             # serve ZONEDIR/*.zone (zone name = file
#   knot_load_zones || ...         # name without ".zone")
#   knot_listen=(127.0.0.1 ::1)    # addresses (default: 127.0.0.1)
#   knot_port=53                   # or empty: a free port is picked
#   knot_workers="2 2 1"           # UDP TCP background workers, or empty:
#                                  # knotd's defaults (UDP workers = CPUs)
#   knot_timeout=20                # seconds to wait for every zone
#   knot_serve || ...              # start; knot_pid, knot_port are set
#   ...
#   knot_stop                      # also safe from an EXIT trap
#
# knot_serve returns once knotd answers SOA authoritatively for every zone
# on the first listen address: 0 then, 1 when no port could be bound, 2
# on any other failure (knotd exited, logged an error such as a zone that
# did not load, or did not answer in time; broken zone data must not pass
# unnoticed).  Messages go to stderr, prefixed with "$me: " (set me
# before sourcing); knot_show_log prints the config and logs after a
# failure.
#
# Environment: KNOTD (path of knotd), KDIG, PYTHON3.  Probing needs kdig or
# python3.  Every process is stopped by its PID; every wait is bounded.

: "${me:=knotlib}"
knotd=
kdig=
python3=
have_python=no
knot_dir=
knot_zones=
knot_listen=(127.0.0.1)
knot_port=
knot_workers=
knot_timeout=20
knot_pid=
knot_zone_names=()
knot_zone_files=()

# knot_find: set knotd, kdig and python3 (have_python=yes|no).  1 when
# knotd is missing, 2 when neither kdig nor python3 (to probe it) exists.
knot_find() {
  local d
  knotd=${KNOTD:-}
  if [ -z "$knotd" ]; then
    knotd=$(command -v knotd 2>/dev/null) ||
      for d in /usr/sbin /sbin /usr/local/sbin; do
        if [ -x "$d/knotd" ]; then knotd=$d/knotd; break; fi
      done
  fi
  python3=${PYTHON3:-python3}
  have_python=no
  command -v "$python3" >/dev/null 2>&1 && have_python=yes
  kdig=${KDIG:-}
  [ -n "$kdig" ] || kdig=$(command -v kdig 2>/dev/null) || kdig=
  if [ -z "$knotd" ] || [ ! -x "$knotd" ]; then
    return 1
  fi
  if [ -z "$kdig" ] && [ "$have_python" = no ]; then
    return 2
  fi
  return 0
}

# knot_load_zones: the zones of $knot_zones (made absolute); 1 (with a
# message) when it is not a directory or holds no *.zone file.
knot_load_zones() {
  local f z
  [ -d "$knot_zones" ] || {
    echo "$me: zones directory not found: $knot_zones" >&2
    return 1
  }
  knot_zones=$(cd "$knot_zones" && pwd) || return 1
  knot_zone_names=()
  knot_zone_files=()
  for f in "$knot_zones"/*.zone; do
    [ -f "$f" ] || continue
    f=${f##*/}
    z=${f%.zone}
    knot_zone_names+=("${z%.}.")
    knot_zone_files+=("$f")
  done
  [ ${#knot_zone_names[@]} -gt 0 ] || {
    echo "$me: no *.zone files in $knot_zones" >&2
    return 1
  }
}

# knot_stop_pid PID: SIGTERM, up to 5 s, then SIGKILL; reaps it.
knot_stop_pid() {
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

knot_stop() {
  knot_stop_pid "$knot_pid"
  knot_pid=
}

# knot_show_log: the config and logs of knotd, to stderr.
knot_show_log() {
  local f
  for f in "$knot_dir/knot.conf" "$knot_dir/knot.log" \
    "$knot_dir/knotd.out"; do
    [ -s "$f" ] || continue
    echo "---- $(basename "$f") ----" >&2
    cat "$f" >&2
  done
}

# knot_ipv6_usable: can a socket bind ::1 here?  (No without python3.)
knot_ipv6_usable() {
  [ "$have_python" = yes ] || return 1
  "$python3" -c 'import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::1", 0))' 2>/dev/null
}

# knot_port_free PORT: can every address of knot_listen bind PORT over UDP
# and TCP?  Without python3, assume yes: knot_serve finds out anyway.
knot_port_free() {
  [ "$have_python" = yes ] || return 0
  "$python3" - "$1" "${knot_listen[@]}" <<'EOF' 2>/dev/null
import socket, sys
port = int(sys.argv[1])
for host in sys.argv[2:]:
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    for typ in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(fam, typ)
        try:
            s.bind((host, port))
        finally:
            s.close()
EOF
}

# knot_pick_port: print a random port in 20000..60000 that looks free.
knot_pick_port() {
  local i p
  for ((i = 0; i < 50; i++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
    if knot_port_free "$p"; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# knot_soa_ok PORT ZONE: does the server answer SOA ZONE with NOERROR, AA
# and an answer?
knot_soa_ok() {
  local addr=${knot_listen[0]} out
  if [ -n "$kdig" ]; then
    out=$("$kdig" @"$addr" -p "$1" +norecurse +timeout=1 +retry=0 \
      +noall +header +answer SOA "$2" 2>/dev/null) || return 1
    printf '%s\n' "$out" | grep -q 'status: NOERROR' || return 1
    printf '%s\n' "$out" | grep -q '^;; Flags:.* aa' || return 1
    printf '%s\n' "$out" | grep -q '[[:space:]]SOA[[:space:]]' || return 1
    return 0
  fi
  "$python3" - "$addr" "$1" "$2" <<'EOF' 2>/dev/null
import socket, struct, sys
addr, port, zone = sys.argv[1], int(sys.argv[2]), sys.argv[3].rstrip(".")
qid = 0x4d58
q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
for label in zone.split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack(">HH", 6, 1)
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(q, (addr, port))
r = s.recv(4096)
rid, flags, _, an = struct.unpack(">HHHH", r[:8])
ok = rid == qid and flags & 0x8000 and flags & 0x0400 and flags & 0xf == 0 and an > 0
sys.exit(0 if ok else 1)
EOF
}

knot_all_zones_ok() {
  local z
  for z in "${knot_zone_names[@]}"; do
    knot_soa_ok "$1" "$z" || return 1
  done
  return 0
}

# knot_write_conf PORT
knot_write_conf() {
  local i a
  {
    echo "server:"
    echo "    rundir: \"$knot_dir\""
    echo "    pidfile: \"$knot_dir/knot.pid\""
    if [ -n "$knot_workers" ]; then
      # shellcheck disable=SC2086
      set -- "$1" $knot_workers
      echo "    udp-workers: $2"
      echo "    tcp-workers: $3"
      echo "    background-workers: $4"
    fi
    for a in "${knot_listen[@]}"; do
      echo "    listen: $a@$1"
    done
    echo
    echo "control:"
    echo "    listen: \"$knot_dir/knot.sock\""
    echo
    echo "database:"
    echo "    storage: \"$knot_dir/db\""
    echo
    echo "log:"
    echo "  - target: \"$knot_dir/knot.log\""
    echo "    any: info"
    echo
    echo "template:"
    echo "  - id: default"
    echo "    storage: \"$knot_zones\""
    echo "    zonefile-load: whole"
    echo "    zonefile-sync: -1"
    echo "    journal-content: none"
    echo "    semantic-checks: off"
    echo
    echo "zone:"
    for i in "${!knot_zone_names[@]}"; do
      echo "  - domain: \"${knot_zone_names[i]}\""
      echo "    file: \"${knot_zone_files[i]}\""
    done
  } >"$knot_dir/knot.conf"
}

# knot_start PORT: start knotd on PORT; 0 when every zone answers, 1 when
# knotd could not bind (try another port), 2 on a fatal error.
knot_start() {
  local port=$1
  mkdir -p "$knot_dir/db" || return 2
  knot_write_conf "$port"
  : >"$knot_dir/knot.log"
  : >"$knot_dir/knotd.out"
  "$knotd" -c "$knot_dir/knot.conf" >"$knot_dir/knotd.out" 2>&1 &
  knot_pid=$!
  SECONDS=0
  while [ "$SECONDS" -lt "$knot_timeout" ]; do
    if ! kill -0 "$knot_pid" 2>/dev/null; then
      wait "$knot_pid" 2>/dev/null
      knot_pid=
      if grep -qsiE 'cannot bind|address already in use' \
        "$knot_dir/knot.log" "$knot_dir/knotd.out"; then
        return 1
      fi
      echo "$me: knotd exited" >&2
      return 2
    fi
    if grep -qsiE 'cannot bind|address already in use' \
      "$knot_dir/knot.log" "$knot_dir/knotd.out"; then
      knot_stop
      return 1
    fi
    # Any error (e.g. a zone that did not load and so never answers) is
    # fatal at once: broken test data must not pass unnoticed.
    if grep -qE ' (error|critical): ' "$knot_dir/knot.log"; then
      echo "$me: knotd logged an error" >&2
      return 2
    fi
    # Probe only once knotd says it serves: a query sent to its socket
    # before that waits for the whole kdig timeout.
    if grep -q 'server started' "$knot_dir/knot.log" &&
      knot_all_zones_ok "$port"; then
      return 0
    fi
    sleep 0.1
  done
  echo "$me: knotd did not answer for every zone in time" >&2
  return 2
}

# knot_serve: start knotd on $knot_port, or, when that is empty, on a free
# port (5 attempts); sets knot_port.  0, 1 (could not bind) or 2 (fatal).
knot_serve() {
  local attempt tries=5 fixed=$knot_port rc
  [ -n "$fixed" ] && tries=1
  for ((attempt = 1; attempt <= tries; attempt++)); do
    if [ -z "$fixed" ]; then
      knot_port=$(knot_pick_port) || {
        echo "$me: no free port found" >&2
        return 1
      }
    fi
    knot_start "$knot_port"
    rc=$?
    case $rc in
      0)
        # An error logged while the zones loaded is fatal too.
        if grep -qE ' (error|critical): ' "$knot_dir/knot.log"; then
          echo "$me: knotd logged errors" >&2
          return 2
        fi
        return 0
        ;;
      1) : "port $knot_port taken, attempt $attempt" ;;
      *) return 2 ;;
    esac
  done
  [ -n "$fixed" ] || knot_port=
  echo "$me: knotd could not bind a port after $tries attempt(s)" >&2
  return 1
}

# knot_cpu: knotd's CPU time so far (user + system), in clock ticks
# (getconf CLK_TCK per second).
knot_cpu() {
  local s
  s=$(cat "/proc/$knot_pid/stat" 2>/dev/null) || { echo 0; return; }
  s=${s##*) }
  # fields after "(comm) ": state=1 ... utime=12 stime=13
  # shellcheck disable=SC2086
  set -- $s
  echo $((${12} + ${13}))
}
