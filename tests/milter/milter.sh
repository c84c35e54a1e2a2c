#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mxcheck-milter against the real milter client miltertest (Debian
# `miltertest`, Lua scripts: tests/milter/send.lua) and the Knot test zones
# (run under tests/dnsfixture.sh).  One daemon, reconfigured between the
# phases by SIGHUP (which tests reload too): log mode (compliant,
# non-compliant, malformed, aborted, disconnected, oversized messages),
# several egress addresses, header, tempfail and reject modes, a resolver
# that never answers (deadline), a dead resolver, SIGTERM.
# Skips (77) without miltertest, without the milter (--disable-milter) or
# outside dnsfixture.sh.
set -u
src=${MXC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MILTER=${MXCHECK_MILTER:-milter/mxcheck-milter}
MILTERTEST=${MILTERTEST:-$(command -v miltertest 2>/dev/null)}
if [ -z "$MILTERTEST" ] || ! [ -x "$MILTERTEST" ]; then
  echo "SKIP: miltertest not found (Debian package miltertest)"
  exit 77
fi
if ! [ -x "$MILTER" ]; then
  echo "SKIP: $MILTER not built (configure --disable-milter or no libmilter)"
  exit 77
fi
if [ -z "${MXC_TEST_DNS:-}" ]; then
  echo "SKIP: MXC_TEST_DNS not set (run under tests/dnsfixture.sh)"
  exit 77
fi
# MXC_MILTER_WRAPPER (e.g. "valgrind -q --error-exitcode=1
# --leak-check=full --errors-for-leak-kinds=definite"): run the daemon
# under it; its exit status after SIGTERM is checked.  A libtool wrapper
# script is bypassed for the real binary.
wrap=${MXC_MILTER_WRAPPER:-}
if [ -n "$wrap" ] && head -c 2 "$MILTER" | grep -q '#!'; then
  libs=$(cd "$(dirname "$MILTER")/../lib/.libs" && pwd) || exit 99
  export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  MILTER=$(dirname "$MILTER")/.libs/$(basename "$MILTER")
fi
msg=$src/tests/compliance
lua=$src/tests/milter/send.lua
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxm-test.XXXXXX") || exit 99
pid=
hole_pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  [ -n "$hole_pid" ] && kill -KILL "$hole_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL: $*"
}

sock=unix:$tmp/milter.sock
log=$tmp/milter.log
conf=$tmp/milter.conf

# base: the configuration of every phase (more keys appended per phase)
base() {
  cat <<EOC
server = $MXC_TEST_DNS
egress = 192.0.2.1
helo = good4.mxcheck.test
profile = gmail-bulk
profile-map = yahoo.example=yahoo-bulk
metrics-file = $tmp/metrics.prom
summary-interval = 1
dns-timeout = 200
dns-tries = 2
max-header = 65536
EOC
}

# reload KEY=VALUE...: write the configuration, SIGHUP, wait for it
reloads=0
reload() {
  { base; for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done; } >"$conf"
  kill -HUP "$pid"
  reloads=$((reloads + 1))
  for ((i = 0; i < 100; i++)); do
    [ "$(grep -c 'reloaded' "$log")" -ge "$reloads" ] && return 0
    sleep 0.05
  done
  bad "no reload after SIGHUP"
  return 1
}

# send NAME ARGS...: run send.lua (-D NAME=VALUE pairs); the daemon must
# still run afterwards
send() {
  local name=$1 args=() kv
  shift
  for kv in "$@"; do args+=(-D "$kv"); done
  if "$MILTERTEST" -D sock="$sock" "${args[@]}" -s "$lua" \
    >"$tmp/mt.out" 2>&1; then
    ok
  else
    bad "$name: miltertest failed"; cat "$tmp/mt.out"
    sed 's/^/  | /' "$tmp/mt.out" | head -20
  fi
  kill -0 "$pid" 2>/dev/null || { bad "$name: the milter died"; exit 1; }
}

# line QID: wait for the log line of a message (log mode returns first)
line() {
  local i
  for ((i = 0; i < 400; i++)); do
    grep -q "qid=$1 " "$log" && { grep "qid=$1 " "$log" | tail -1; return 0; }
    sleep 0.05
  done
  return 1
}

# expect QID key=value...: the message's line has these fields
expect() {
  local q=$1 l kv
  shift
  l=$(line "$q") || { bad "$q: no log line"; return; }
  for kv in "$@"; do
    case " $l " in
      *" $kv "*) ok ;;
      *) bad "$q: want $kv in: $l" ;;
    esac
  done
}

# has QID SUBSTRING: the line contains it
has() {
  local l
  l=$(line "$1") || { bad "$1: no log line"; return; }
  case $l in *"$2"*) ok ;; *) bad "$1: want '$2' in: $l" ;; esac
}

# ---- configuration errors (the reader shared with mxcheck, common/):
# FILE:LINE in the message, exit status 2, no start ---------------------------
conferr() { # WANT-MESSAGE: the file $conf is refused with it
  local st=0
  "$MILTER" -f -l stderr -c "$conf" -p "$sock" >/dev/null 2>"$tmp/conferr" ||
    st=$?
  if [ "$st" -eq 2 ] && grep -qF -- "$1" "$tmp/conferr"; then ok; else
    bad "config error: exit $st, want 2 and '$1' in: $(cat "$tmp/conferr")"
  fi
}
{ echo "# comment"; base; echo 'helo = "good4.mxcheck.test"'; echo "bogus = 1"; } >"$conf"
conferr "$conf:13: unknown option 'bogus'"
printf 'helo = "open\n' >"$conf"
conferr "$conf:1: helo: the quoted value does not end with '\"'"
printf '\n\nmode = loud\n' >"$conf"
conferr "$conf:3: mode: expected log, header, tempfail or reject"

# ---- start ------------------------------------------------------------------
base >"$conf"
# shellcheck disable=SC2086
$wrap "$MILTER" -f -l stderr -c "$conf" -p "$sock" 2>"$log" &
pid=$!
for ((i = 0; i < 400; i++)); do
  [ -S "$tmp/milter.sock" ] && break
  sleep 0.05
done
[ -S "$tmp/milter.sock" ] || { cat "$log"; echo "milter did not start"; exit 99; }

good="mailfrom=<news@bulk.test>"

# ---- 1. log mode ------------------------------------------------------------
# a compliant bulk message
send good file="$msg/good.eml" "$good" qid=GOOD1 rcpt=a@gmail.com
expect GOOD1 verdict=pass iprev=pass spf=pass dkim=pass dmarc=pass \
  failed= warned= status=ok from=bulk.test profile=gmail-bulk \
  "msgid=<offer-1@bulk.test>" egress=192.0.2.1 auth=alice
has GOOD1 "unknown=R14,R19"
# no DMARC record: R9
send nodmarc file="$msg/no-dmarc.eml" mailfrom="<news@nodmarc.test>" \
  qid=NODMARC
expect NODMARC verdict=fail failed=R9 dmarc=none status=ok
# From not aligned: R10
send misaligned file="$msg/misaligned.eml" mailfrom="<news@nodmarc.test>" \
  qid=MISAL
expect MISAL verdict=fail failed=R10 dmarc=fail spf=pass dkim=pass
# one-click fields not signed: R15
send oneclick file="$msg/unsigned-oneclick.eml" "$good" qid=ONECLICK
expect ONECLICK verdict=fail failed=R15
# broken header, gmail.com impersonation, no DKIM, null sender
send bad file="$msg/bad.eml" qid=BAD
has BAD "verdict=fail"
has BAD "R11"
has BAD "R12"
# the recipient map: yahoo.example -> yahoo-bulk, with the default
send map file="$msg/good.eml" "$good" qid=MAP \
  rcpt=a@yahoo.example,b@other.example
expect MAP profile=yahoo-bulk,gmail-bulk verdict=pass rcpt=yahoo.example,other.example
# malformed: raw 8-bit, bare CR, an empty value, a field without a name is
# not sent by an MTA; a long single-line body (over the DKIM line bound)
printf 'From: a@bulk.test\nSubject: \xff\xfe\rEvil\nX-Empty:\nTo: \nMessage-ID: x\nDate: never\n\n%s\n' \
  "$(head -c 1200000 /dev/zero | tr '\0' 'z')" >"$tmp/malformed.eml"
send malformed file="$tmp/malformed.eml" "$good" qid=MALFORMED
expect MALFORMED verdict=fail status=ok
has MALFORMED "R12"
# an empty message
: >"$tmp/empty.eml"
send empty file="$tmp/empty.eml" qid=EMPTY
has EMPTY "verdict="
# aborted transaction, then a disconnect in the middle of the body: no line,
# and the next message is checked
send abort file="$msg/good.eml" "$good" qid=ABORTED action=abort
send disconnect file="$msg/good.eml" "$good" qid=DISCO action=disconnect
send after file="$msg/good.eml" "$good" qid=AFTER
expect AFTER verdict=pass
if grep -q "qid=ABORTED \|qid=DISCO " "$log"; then
  bad "an aborted message was logged"
else ok; fi
# oversized: a header over max-header is given up (accepted, logged); a
# 4 MB body streams through
send bigheader "$good" qid=BIGHDR action=bigheader
expect BIGHDR status=skipped reason=header-too-large verdict=unknown
send bigbody file="$msg/good.eml" "$good" qid=BIGBODY action=bigbody
expect BIGBODY status=ok verdict=fail dkim=fail

# ---- 2. several egress addresses: the worst, words per address ---------------
reload egress=2001:db8::1
send egress2 file="$msg/good.eml" "$good" qid=EGRESS2
expect EGRESS2 verdict=fail egress=192.0.2.1,2001:db8::1 spf=pass,fail \
  iprev=pass failed=R5,R8
reload "egress=2001:db8::5" "profile=gmail-bulk"
send v6noptr file="$msg/no-oneclick.eml" "$good" qid=V6NOPTR
has V6NOPTR "failed=R1,R2,R15,R20"

# ---- 3. header mode ---------------------------------------------------------
reload mode=header
send header file="$msg/good.eml" "$good" qid=HDR header=X-MXCheck
grep -q "X-MXCheck: verdict=pass; profile=gmail-bulk; failed=none" \
  "$tmp/mt.out" && ok || bad "X-MXCheck value: $(cat "$tmp/mt.out")"
reload mode=header header=Authentication-Results authserv-id=mx.test
send authres file="$msg/good.eml" "$good" qid=AUTHRES \
  header=Authentication-Results
grep -q "Authentication-Results: mx.test; iprev=pass" "$tmp/mt.out" && ok ||
  bad "Authentication-Results value: $(cat "$tmp/mt.out")"

# ---- 4. tempfail and reject modes: only a fail is refused -------------------
reload mode=tempfail
send tempfail file="$msg/misaligned.eml" mailfrom="<news@nodmarc.test>" \
  qid=TEMPFAIL expect=tempfail
expect TEMPFAIL verdict=fail failed=R10
send tempfail-good file="$msg/good.eml" "$good" qid=TFGOOD expect=continue
reload mode=reject
send reject file="$msg/no-dmarc.eml" mailfrom="<news@nodmarc.test>" \
  qid=REJECT expect=reject
send reject-good file="$msg/good.eml" "$good" qid=RJGOOD expect=continue

# ---- 5. a resolver that never answers: the deadline accepts ------------------
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(600)' >"$tmp/hole.port" &
hole_pid=$!
for ((i = 0; i < 100; i++)); do [ -s "$tmp/hole.port" ] && break; sleep 0.05; done
hole=127.0.0.1:$(cat "$tmp/hole.port")
{ base | grep -v '^server'; echo "server = $hole"; echo "mode = reject";
  echo "deadline = 300"; } >"$conf"
kill -HUP "$pid"
reloads=$((reloads + 1))
sleep 0.3
send deadline file="$msg/no-dmarc.eml" mailfrom="<news@nodmarc.test>" \
  qid=DEADLINE expect=continue header=none
expect DEADLINE status=timeout verdict=unknown
kill -KILL "$hole_pid" 2>/dev/null
wait "$hole_pid" 2>/dev/null
hole_pid=

# ---- 6. a dead resolver: unknown, accepted -----------------------------------
{ base | grep -v '^server'; echo "server = 127.0.0.1:1"; echo "mode = reject"; } >"$conf"
kill -HUP "$pid"
sleep 0.3
send deadresolver file="$msg/good.eml" "$good" qid=DEAD expect=continue
expect DEAD verdict=unknown iprev=temperror spf=temperror status=ok

# ---- 7. SIGTERM: clean stop -------------------------------------------------
kill -TERM "$pid"
for ((i = 0; i < 400; i++)); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if kill -0 "$pid" 2>/dev/null; then
  bad "still running 10 s after SIGTERM"
else
  wait "$pid"
  st=$?
  [ "$st" -eq 0 ] && ok || bad "exit status $st after SIGTERM"
  pid=
fi
grep -q "mxcheck-milter: stopped" "$log" && ok || bad "no 'stopped' line"
grep -q "mxcheck-milter: summary: " "$log" && ok || bad "no summary line"
if grep -qE "mxcheck-milter: error|Sanitizer|runtime error" "$log"; then
  bad "errors in the log:"; grep -E "error:|Sanitizer|runtime error" "$log" | head
else ok; fi

# ---- 8. the metrics file, and --stats over it ---------------------------------
grep -q '^mxcheck_milter_messages_total{verdict="pass"} [1-9]' \
  "$tmp/metrics.prom" && ok || bad "metrics: pass count"
grep -q '^mxcheck_milter_rule_total{rule="R10",state="fail"} [1-9]' \
  "$tmp/metrics.prom" && ok || bad "metrics: R10 fail count"
grep -q '^mxcheck_milter_events_total{event="timeout"} 1$' \
  "$tmp/metrics.prom" && ok || bad "metrics: one timeout"
"$MILTER" --stats "$tmp/metrics.prom" >"$tmp/stats" 2>&1 &&
  grep -q '^bulk.test ' "$tmp/stats" && grep -q '^R10 ' "$tmp/stats" && ok ||
  bad "--stats: $(cat "$tmp/stats")"

if [ "$fail" -ne 0 ]; then
  echo "---- milter log ----"
  cat "$log"
fi
echo "milter: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
