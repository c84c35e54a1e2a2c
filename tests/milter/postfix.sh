#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# make check-postfix: mxcheck-milter behind a real Postfix (a private
# instance on loopback, no change to /etc/postfix) relaying to smtp-sink,
# under tests/dnsfixture.sh for the Knot test zones.  Mail is injected
# with swaks, sendmail(1) and smtp-source; OpenDKIM signs in front of the
# milter for one message.  Checks: the log lines (Postfix's queue IDs, the
# verdicts), every message reaches the sink, the tempfail reply text, and
# a milter killed in the middle of a run loses nothing
# (default_action=accept).  Root only (Postfix must be started as root):
# skips (77) otherwise, or without Postfix/swaks/the milter.
#
# Usage (under dnsfixture.sh): postfix.sh [--bench N] -- the benchmark of
# make bench-milter runs N messages with no milter, a do-nothing milter
# and mxcheck-milter instead of the checks.
set -u
src=${MXC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MILTER=${MXCHECK_MILTER:-milter/mxcheck-milter}
bench=0
[ "${1:-}" = --bench ] && bench=${2:-2000}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (Postfix is started as root)"
for t in postfix postconf smtp-sink smtp-source swaks sendmail; do
  command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
    skip "$t not found (Debian: postfix, swaks)"
done
export PATH=$PATH:/usr/sbin:/sbin
[ -x "$MILTER" ] || skip "$MILTER not built"
[ -n "${MXC_TEST_DNS:-}" ] || skip "MXC_TEST_DNS not set (run under dnsfixture.sh)"
id postfix >/dev/null 2>&1 || skip "no postfix user"
# libtool's wrapper script: run the real binary (the milter drops to the
# postfix user, which cannot read the build tree's wrapper state)
if [ -x "$(dirname "$MILTER")/.libs/$(basename "$MILTER")" ] &&
  head -c 2 "$MILTER" | grep -q '#!'; then
  MILTER_LIBDIR=$(cd "$(dirname "$MILTER")/../lib/.libs" 2>/dev/null && pwd)
  export LD_LIBRARY_PATH=${MILTER_LIBDIR}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  MILTER=$(dirname "$MILTER")/.libs/$(basename "$MILTER")
fi

msg=$src/tests/compliance
dir=$(mktemp -d "${TMPDIR:-/tmp}/mxm-pf.XXXXXX") || exit 99
chmod 755 "$dir"
pf_started=no
milter_pid=
sink_pid=
dkim_pid=
cleanup() {
  [ "$pf_started" = yes ] && postfix -c "$dir" stop >/dev/null 2>&1
  for p in $milter_pid $sink_pid $dkim_pid; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  # Postfix's master may take a moment to go
  for ((i = 0; i < 50; i++)); do
    [ -s "$dir/queue/pid/master.pid" ] || break
    kill -0 "$(tr -d ' ' <"$dir/queue/pid/master.pid")" 2>/dev/null || break
    sleep 0.1
  done
  rm -rf "$dir"
}
trap cleanup EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL: $*"
}

port() {
  python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
smtp_port=$(port)
sink_port=$(port)
while [ "$sink_port" = "$smtp_port" ]; do sink_port=$(port); done

# ---- the instance -----------------------------------------------------------
mkdir -p "$dir/data" "$dir/sink" "$dir/queue/mxcheck"
chown postfix "$dir/data" "$dir/sink"
chown postfix:postfix "$dir/queue/mxcheck"
chmod 750 "$dir/queue/mxcheck"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mta.example \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
milters=${MILTERS:-}
cat >"$dir/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.example
mydestination =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$sink_port
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_tls_cert_file = $dir/cert.pem
smtpd_tls_key_file = $dir/key.pem
smtpd_tls_security_level = may
milter_protocol = 6
milter_default_action = tempfail
smtpd_milters =
non_smtpd_milters = \$smtpd_milters
EOF
awk -v port="$smtp_port" '
  /^smtp +inet/ { print "127.0.0.1:" port " inet n - n - - smtpd"; next }
  /^[a-z]/ && NF >= 8 { $5 = "n" }
  { print }' /etc/postfix/master.cf >"$dir/master.cf"
postfix -c "$dir" check >"$dir/check.out" 2>&1 ||
  { cat "$dir/check.out"; echo "postfix check failed"; exit 99; }

# set_milters VALUE: the smtpd_milters of the instance, reloaded
set_milters() {
  postconf -c "$dir" -e "smtpd_milters = $1" >/dev/null
  [ "$pf_started" = yes ] && postfix -c "$dir" reload >/dev/null 2>&1
  sleep 0.5
}

start_sink() {
  smtp-sink -u postfix -d "$dir/sink/%Y%m%d%H%M%S." "127.0.0.1:$sink_port" \
    256 >"$dir/sink.log" 2>&1 &
  sink_pid=$!
}

# start_milter ARGS...: mxcheck-milter on the socket under the queue dir
start_milter() {
  rm -f "$dir/queue/mxcheck/milter.sock"
  "$MILTER" -f -l stderr -u postfix:postfix \
    -p "unix:$dir/queue/mxcheck/milter.sock" --server "$MXC_TEST_DNS" \
    --egress 192.0.2.1 --helo good4.mxcheck.test --profile gmail-bulk \
    --profile-map gmail.com=gmail-bulk \
    --summary-interval 3600 "$@" 2>>"$dir/milter.log" &
  milter_pid=$!
  for ((i = 0; i < 100; i++)); do
    [ -S "$dir/queue/mxcheck/milter.sock" ] && return 0
    sleep 0.05
  done
  cat "$dir/milter.log"
  echo "the milter did not start"
  exit 99
}

stop_milter() {
  [ -n "$milter_pid" ] || return 0
  kill -TERM "$milter_pid" 2>/dev/null
  for ((i = 0; i < 200; i++)); do
    kill -0 "$milter_pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$milter_pid" 2>/dev/null
  wait "$milter_pid" 2>/dev/null
  milter_pid=
}

sink_count() { find "$dir/sink" -type f | wc -l; }

# wait_sink N: until N messages reached the sink (60 s at most)
wait_sink() {
  for ((i = 0; i < 600; i++)); do
    [ "$(sink_count)" -ge "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

# swaks_send FILE FROM [ARGS]: inject through SMTP; output in $dir/swaks.out
swaks_send() {
  local f=$1 from=$2
  shift 2
  swaks --server 127.0.0.1 --port "$smtp_port" --from "$from" \
    --to reader@gmail.com --helo client.example --data "$f" "$@" \
    >"$dir/swaks.out" 2>&1
}

# qid_of: the queue ID Postfix gave the last swaks message
qid_of() { sed -n 's/.* 250 2.0.0 Ok: queued as \([0-9A-Za-z]*\).*/\1/p' "$dir/swaks.out" | tail -1; }

# line QID: the milter's line for a queue ID (log mode is asynchronous)
line() {
  for ((i = 0; i < 100; i++)); do
    grep -q "qid=$1 " "$dir/milter.log" && { grep "qid=$1 " "$dir/milter.log"; return 0; }
    sleep 0.05
  done
  return 1
}

expect() {
  local q=$1 l kv
  shift
  [ -n "$q" ] || { bad "no queue ID (swaks: $(tail -3 "$dir/swaks.out"))"; return; }
  l=$(line "$q") || { bad "$q: no milter line"; return; }
  for kv in "$@"; do
    case " $l " in *" $kv "*) ok ;; *) bad "$q: want $kv in: $l" ;; esac
  done
}

start_sink
postfix -c "$dir" start >"$dir/start.out" 2>&1 ||
  { cat "$dir/start.out" "$dir/maillog" 2>/dev/null; echo "postfix did not start"; exit 99; }
pf_started=yes

if [ "$bench" -gt 0 ]; then
  . "$src/tests/milter/bench.sh"
  exit $?
fi

# ---- 1. log mode, per-milter default_action=accept, relative socket path ----
start_milter
set_milters "{ unix:mxcheck/milter.sock, default_action=accept }"
swaks_send "$msg/good.eml" news@bulk.test
q1=$(qid_of)
expect "$q1" verdict=pass dkim=pass spf=pass dmarc=pass iprev=pass \
  "msgid=<offer-1@bulk.test>" rcpt=gmail.com helo=good4.mxcheck.test
swaks_send "$msg/misaligned.eml" news@nodmarc.test
q2=$(qid_of)
expect "$q2" verdict=fail failed=R10 dmarc=fail
# TLS and the {tls_version} macro at MAIL (setsymlist)
swaks_send "$msg/good.eml" news@bulk.test --tls
q3=$(qid_of)
[ -n "$q3" ] && l=$(line "$q3") && case $l in *" tls=TLSv1."*) ok ;; *) bad "no tls= in $l" ;; esac || bad "TLS message: $(tail -3 "$dir/swaks.out")"
# sendmail(1): non_smtpd_milters
sendmail -C "$dir" -f news@bulk.test reader@gmail.com <"$msg/good.eml"
for ((i = 0; i < 100; i++)); do
  [ "$(grep -c 'mailfrom=<\?news@bulk.test' "$dir/milter.log")" -ge 3 ] && break
  sleep 0.1
done
[ "$(grep -c 'verdict=pass' "$dir/milter.log")" -ge 3 ] && ok ||
  bad "sendmail(1) message not checked: $(tail -2 "$dir/milter.log")"
wait_sink 4 && ok || { bad "sink has $(sink_count) of 4 messages"; grep -v "connect\|removed" "$dir/maillog" | tail -20; }

# ---- 2. tempfail: the reply text names the rule and its fix ------------------
stop_milter
start_milter --mode tempfail
swaks_send "$msg/misaligned.eml" news@nodmarc.test
grep -q '<\*\* *451 4.7.1 mxcheck: message does not meet gmail-bulk sender requirements: R10 (DMARC alignment) fails' \
  "$dir/swaks.out" && ok || bad "tempfail reply: $(grep '451' "$dir/swaks.out")"
swaks_send "$msg/good.eml" news@bulk.test
grep -q "250 2.0.0 Ok: queued" "$dir/swaks.out" && ok || bad "good refused in tempfail mode"
stop_milter

# ---- 3. OpenDKIM in front: the milter sees its signature ----------------------
if command -v opendkim >/dev/null 2>&1 || [ -x /usr/sbin/opendkim ]; then
  cp "$msg/bulk2048.TEST-ONLY.key" "$dir/dkim.key"
  chown postfix "$dir/dkim.key"
  chmod 600 "$dir/dkim.key"
  cat >"$dir/opendkim.conf" <<EOF
Mode s
Domain bulk.test
Selector s2048
KeyFile $dir/dkim.key
Socket local:$dir/queue/mxcheck/opendkim.sock
UserID postfix:postfix
Canonicalization relaxed/relaxed
SignHeaders From,To,Subject,Date,Message-ID,List-Unsubscribe,List-Unsubscribe-Post
InternalHosts 127.0.0.1
Background no
Syslog no
RequireSafeKeys no
PidFile $dir/opendkim.pid
EOF
  opendkim -x "$dir/opendkim.conf" -f >"$dir/opendkim.log" 2>&1 &
  dkim_pid=$!
  for ((i = 0; i < 100; i++)); do
    [ -S "$dir/queue/mxcheck/opendkim.sock" ] && break
    sleep 0.05
  done
  start_milter
  set_milters "{ unix:mxcheck/opendkim.sock, default_action=accept }, { unix:mxcheck/milter.sock, default_action=accept }"
  # good.eml without its signature: OpenDKIM signs it
  grep -v '^DKIM-Signature:' "$msg/good.eml" >"$dir/unsigned.eml"
  swaks_send "$dir/unsigned.eml" news@bulk.test
  q4=$(qid_of)
  expect "$q4" verdict=pass dkim=pass dmarc=pass
  kill -KILL "$dkim_pid" 2>/dev/null
  wait "$dkim_pid" 2>/dev/null
  dkim_pid=
  set_milters "{ unix:mxcheck/milter.sock, default_action=accept }"
  # the same without a signer: DKIM none, bulk rules fail
  swaks_send "$dir/unsigned.eml" news@bulk.test
  q5=$(qid_of)
  expect "$q5" verdict=fail dkim=none
  stop_milter
else
  echo "note: opendkim not installed, signer-in-front case not run"
fi

# ---- 4. smtp-source: every message logged and delivered ----------------------
start_milter
before=$(sink_count)
n=300
smtp-source -A -s 10 -m $n -l 2000 -f sender@bulk.test -t reader@gmail.com \
  "127.0.0.1:$smtp_port" >"$dir/source.out" 2>&1 || bad "smtp-source failed"
wait_sink $((before + n)) && ok || bad "sink: $(($(sink_count) - before)) of $n"
for ((i = 0; i < 100; i++)); do
  [ "$(grep -c 'mailfrom=<sender@bulk.test>' "$dir/milter.log")" -ge $n ] && break
  sleep 0.1
done
got=$(grep -c 'mailfrom=<sender@bulk.test>' "$dir/milter.log")
[ "$got" -eq $n ] && ok || bad "milter logged $got of $n smtp-source messages"

# ---- 5. the milter killed in the middle of a run loses nothing ---------------
before=$(sink_count)
n=600
smtp-source -A -s 10 -m $n -l 2000 -f killed@bulk.test -t reader@gmail.com \
  "127.0.0.1:$smtp_port" >"$dir/source2.out" 2>&1 &
src_pid=$!
sleep 0.5
kill -KILL "$milter_pid"
wait "$milter_pid" 2>/dev/null
milter_pid=
sleep 1
start_milter
wait "$src_pid" || bad "smtp-source failed while the milter was down"
wait_sink $((before + n)) && ok ||
  bad "milter killed: sink has $(($(sink_count) - before)) of $n"
grep -q 'reject\|451 ' "$dir/source2.out" && bad "clients saw errors" || ok
stop_milter
grep -q "mxcheck-milter: stopped" "$dir/milter.log" && ok || bad "no clean stop"
if grep -qE "mxcheck-milter: error|Sanitizer|runtime error" "$dir/milter.log"; then
  bad "errors in the milter log"
else ok; fi

if [ "$fail" -ne 0 ]; then
  echo "---- milter log (last 30) ----"; tail -30 "$dir/milter.log"
  echo "---- maillog (last 30) ----"; tail -30 "$dir/maillog"
fi
echo "postfix: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
