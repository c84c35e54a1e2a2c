#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# CLI tests: run the mxcheck binary against Knot (tests/zones) and the
# fault-injecting responder; check JSON, human output and exit codes.
# Runs under tests/dnsfixture.sh (MXC_TEST_DNS, MXC_TEST_FAULT).
set -u

# shellcheck source=tests/clilib.sh
. "$(dirname "$0")/clilib.sh"
S=(--server "$MXC_TEST_DNS")

# --- every zone case, through --json -------------------------------------
while read -r addr result code; do
  case $result in
  pass) want=0 ;;
  fail | permerror) want=2 ;;
  temperror) want=3 ;;
  esac
  [ "$code" = "-" ] || { [ "$want" = 0 ] && want=1; }
  run "$want" "${S[@]}" --json "$addr" || continue
  expect "d['iprev']['result']" "$result"
  expect "d['iprev']['policy.iprev'] == d['address']" "True"
  if [ "$code" != "-" ]; then
    expect "'$code' in [w['code'] for w in d['iprev']['warnings']]" "True"
  fi
done <<'EOF'
192.0.2.1 pass -
2001:db8::1 pass -
192.0.2.2 pass several-ptr-names
2001:db8::2 pass several-ptr-names
192.0.2.3 pass -
2001:db8::3 pass -
2001:db8::4 fail ipv6-ptr-name-has-only-a
192.0.2.5 permerror -
2001:db8:1::5 permerror -
192.0.2.6 fail -
2001:db8::6 fail -
192.0.2.7 fail -
2001:db8::7 fail -
192.0.2.8 fail ptr-names-capped
192.0.2.9 pass generic-name
2001:db8::9 pass generic-name
192.0.2.10 fail -
2001:db8::11 pass -
EOF

# --- JSON details ---------------------------------------------------------
run 2 "${S[@]}" --json 2001:db8:1::5
expect "d['iprev']['reverse_zone']['zone']" "1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
expect "sorted(d['iprev']['reverse_zone']['ns'])" "['ns1.isp.test', 'ns2.isp.test']"
expect "d['family']" "6"
expect "d['iprev']['ptr']" "[]"
run 0 "${S[@]}" --json ::ffff:192.0.2.1
expect "(d['address'], d['family'], d['ipv4_mapped'])" "('192.0.2.1', 4, True)"
run 2 "${S[@]}" --json 192.0.2.7
expect "d['iprev']['ptr'][0]['addresses']" "['192.0.2.77']"
expect "d['iprev']['ptr'][0]['result']" "mismatch"
expect "d['iprev']['matched_name']" "None"
# several addresses: one JSON line each, worst exit code (CRITICAL)
run 2 "${S[@]}" --json 192.0.2.1 192.0.2.7 2001:db8::1
expect "len(docs)" "3"
expect "sorted(x['iprev']['result'] for x in docs)" "['fail', 'pass', 'pass']"

# --- human output ---------------------------------------------------------
run 0 "${S[@]}" 2001:db8::1
contains "$tmp/out" "2001:db8::1 (IPv6)"
contains "$tmp/out" "iprev .* pass"
contains "$tmp/out" "good6.mxcheck.test"
if grep -q $'\033' "$tmp/out"; then bad "colour on a pipe"; else ok; fi
run 2 "${S[@]}" 2001:db8:1::5
contains "$tmp/out" "permerror"
contains "$tmp/out" "ns1.isp.test"
contains "$tmp/out" "fix"
run 2 "${S[@]}" --color=always 192.0.2.7
if grep -q $'\033\[' "$tmp/out"; then ok; else bad "--color=always without colour"; fi
# NO_COLOR wins over a terminal; with --color=never there is none either
NO_COLOR=1 "$MXCHECK" "${S[@]}" --color=never 192.0.2.1 >"$tmp/out" 2>&1
if grep -q $'\033' "$tmp/out"; then bad "colour with --color=never"; else ok; fi

# --- bad input ------------------------------------------------------------
# (a host name such as mail.example.org is a HOST: tests/cli_host.sh)
run 3 "${S[@]}" mailhost
contains "$tmp/out" "not an IPv4 address"
run 3 "${S[@]}" --json 192.0.2.300
expect "'error' in d and d['input'] == '192.0.2.300'" "True"
# a bad address does not hide the verdict of a good one; CRITICAL wins
run 2 "${S[@]}" --json 192.0.2.1 nonsense 192.0.2.7
expect "len(docs)" "3"
run 3 "${S[@]}" 'fe80::1%eth0'
contains "$tmp/out" "link-local"
run 3 --bogus-option 192.0.2.1
run 3 --server nonsense 192.0.2.1
contains "$tmp/err" "not an IPv4 or IPv6 address"
run 3 --server 127.0.0.1:99999 192.0.2.1
contains "$tmp/err" "port"
run 3 --timeout 0 192.0.2.1
run 3 --timeout abc 192.0.2.1
run 3 --parallel 0 --batch /dev/null
run 3 --batch /nonexistent/file
contains "$tmp/err" "cannot open"
run 3 --batch /dev/null 192.0.2.1
run 3 --color=purple 192.0.2.1

# every usage or input error: exit 3 and one line on stderr, nothing on
# stdout
oneline() {
  if [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]; then ok; else
    bad "not one line on stderr: $*"
    sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -5
  fi
}
while IFS='|' read -r args want; do
  eval "set -- $args"
  run 3 "${S[@]}" "$@" && oneline "$args" && contains "$tmp/err" "$want"
done <<'EOF'
--domain 'not a domain'|--domain "not a domain": not a domain name
--domain 'a..b'|not a domain name
-f 'user@' 192.0.2.1|no domain after the @
-f @ 192.0.2.1|no domain after the @
-f '<user@>' 192.0.2.1|no domain after the @
-f 'a<b@pass.spf.test' 192.0.2.1|white space, a control character or <>
-f 'us er@pass.spf.test' 192.0.2.1|white space
-f 'user@not a domain' 192.0.2.1|white space
-f 'user@a..b' 192.0.2.1|not a domain name
--json --authres 192.0.2.1|--authres prints a header field: it does not go with --json
--nagios --authres 192.0.2.1|does not go with --nagios
--json --nagios 192.0.2.1|give one format
--json --format text 192.0.2.1|give one format
--format xml 192.0.2.1|expected text, json or nagios
--quiet --json 192.0.2.1|--quiet prints nothing
--authserv-id mx.example 192.0.2.1|give --authres too
--jobs 2 192.0.2.1|--jobs shares out messages
--deadline 0 192.0.2.1|--deadline: expected seconds
--progress sometimes --batch /dev/null|--progress: expected auto
--bogus-option 192.0.2.1|unknown option --bogus-option
-x 192.0.2.1|unknown option -x
--timeout|--timeout needs an argument
|no address given
--ip 192.0.2.1 192.0.2.2|either with --ip or as ADDRESS
--profile gmail 192.0.2.1 192.0.2.2|one client ADDRESS
EOF
run 2 "${S[@]}" -f 'user@fail.spf.test' 192.0.2.1
run 0 "${S[@]}" -f 'pass.spf.test' 192.0.2.1
run 0 "${S[@]}" -f '@pass.spf.test' 192.0.2.1
run 0 "${S[@]}" -f '<user@pass.spf.test>' 192.0.2.1

# --- reports in argument order (198.51.100.15 answers after 300 ms) --------
if [ -n "${MXC_TEST_FAULT:-}" ]; then
  run 0 --server "$MXC_TEST_FAULT" --json 198.51.100.15 198.51.100.3 \
    198.51.100.15
  expect "[x['input'] for x in docs]" \
    "['198.51.100.15', '198.51.100.3', '198.51.100.15']"
fi
run 2 "${S[@]}" --json 2001:db8::9 192.0.2.7 192.0.2.1 bogus 2001:db8::1
expect "[x['input'] for x in docs]" \
  "['2001:db8::9', '192.0.2.7', '192.0.2.1', 'bogus', '2001:db8::1']"

# --- --nagios: MXCHECK STATE - summary | perfdata ---------------------------
# nagios_check WANT_STATE LABEL... : the first line parses as a plugin
# line, its perfdata per the Monitoring Plugins guidelines, with LABELs
nagios_check() {
  if python3 - "$tmp/out" "$@" <<'PY'; then ok; else
import re, sys
lines = open(sys.argv[1]).read().split("\n")
m = re.match(r"^MXCHECK (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+?) \| (.*)$",
             lines[0])
if not m or m.group(1) != sys.argv[2]:
    sys.exit("first line: %r" % lines[0])
perf = {}
for item in m.group(3).split(" "):
    p = re.match(r"^([a-z_]+)=(-?[0-9.]+)(s|)((;[0-9:.]*){0,4})$", item)
    if not p:
        sys.exit("perfdata item %r" % item)
    perf[p.group(1)] = float(p.group(2))
for label in sys.argv[3:]:
    if label not in perf:
        sys.exit("no %s in %r" % (label, perf))
if "spf_lookups" in perf and not 0 <= perf["spf_lookups"] <= 10:
    sys.exit("spf_lookups")
PY
    bad "nagios output: $*"
    sed 's/^/  | /' "$tmp/out"
  fi
}
run 0 "${S[@]}" --nagios 192.0.2.1
nagios_check OK time dns_queries
contains "$tmp/out" "^MXCHECK OK - 192.0.2.1: iprev pass: PTR name good4.mxcheck.test"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && ok || bad "--nagios: one report, one line"
run 2 "${S[@]}" --format nagios -f user@pass.spf.test 192.0.2.1 192.0.2.7
nagios_check CRITICAL time dns_queries spf_lookups spf_void_lookups
contains "$tmp/out" "2 checked: 1 OK, 0 WARNING, 1 CRITICAL, 0 UNKNOWN"
contains "$tmp/out" "^CRITICAL 192.0.2.7: iprev fail"
run 1 "${S[@]}" --nagios 192.0.2.2
nagios_check WARNING time
run 2 "${S[@]}" --nagios 2001:db8:1::5
nagios_check CRITICAL time

# --- --deadline: the whole run (198.51.100.2 never answers) ----------------
if [ -n "${MXC_TEST_FAULT:-}" ]; then
  start=$(date +%s%N)
  run 3 --server "$MXC_TEST_FAULT" --timeout 30 --deadline 1 \
    198.51.100.2 198.51.100.3
  took=$((($(date +%s%N) - start) / 1000000))
  [ "$took" -lt 4000 ] && ok || bad "--deadline 1 took $took ms"
  contains "$tmp/err" "deadline of 1 s reached: 1 check cancelled"
  contains "$tmp/err" "198.51.100.2: iprev: cancelled: the --deadline was reached"
  contains "$tmp/out" "tc.fault.test"
  run 3 --server "$MXC_TEST_FAULT" --timeout 30 --deadline 0.5 --nagios \
    198.51.100.2 198.51.100.3
  nagios_check UNKNOWN time dns_queries
  contains "$tmp/out" "deadline of 0.5 s reached: 1 check cancelled, 1 done"
  contains "$tmp/out" "^UNKNOWN 198.51.100.2: iprev: cancelled"
  run 3 --server "$MXC_TEST_FAULT" --timeout 30 --deadline 0.5 --json \
    198.51.100.3 198.51.100.2
  expect "[(x['input'], 'error' in x) for x in docs]" \
    "[('198.51.100.3', False), ('198.51.100.2', True)]"
  printf '198.51.100.2\n198.51.100.2\n198.51.100.3\n' >"$tmp/slow"
  run 3 --server "$MXC_TEST_FAULT" --timeout 30 --deadline 0.5 \
    --batch "$tmp/slow" --parallel 1
  contains "$tmp/err" "1 check cancelled, 2 not started"
fi

# --- progress on stderr: on a terminal, or with --progress always ---------
for i in $(seq 1 50); do echo "192.0.2.$((i % 12 + 1))"; done >"$tmp/fifty"
run 2 "${S[@]}" --batch "$tmp/fifty"
if grep -q $'\r' "$tmp/err"; then bad "progress on a file"; else ok; fi
run 2 "${S[@]}" --batch "$tmp/fifty" --progress always --parallel 1
contains "$tmp/err" "mxcheck: [0-9]* checked.*/s"
if python3 - "$MXCHECK" "${S[@]}" --batch "$tmp/fifty" --parallel 1 <<'PY'; then
import os, pty, subprocess, sys
m, s = pty.openpty()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=s)
os.close(s)
out = b""
while True:
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
sys.exit(0 if b"\rmxcheck: " in out and b" checked" in out else 1)
PY
  ok
else
  bad "no progress on a terminal"
fi

# --- help and version ----------------------------------------------------
run 0 --help
contains "$tmp/out" "Usage: mxcheck"
contains "$tmp/out" "Exit status"
run 0 --version
contains "$tmp/out" "mxcheck [0-9]"

# --- batch ----------------------------------------------------------------
{
  echo "# a comment, then a blank line"
  echo ""
  echo "192.0.2.1"
  echo "  2001:db8::1  "
  printf '192.0.2.7\r\n'
  echo "not-an-address"
  head -c 3000 /dev/zero | tr '\0' 'x'
  echo
  for i in $(seq 1 200); do echo "192.0.2.$((i % 12 + 1))"; done
} >"$tmp/batch"
run 2 "${S[@]}" --json --batch "$tmp/batch" --parallel 7
# one object per line checked and per line skipped (the 3000-byte one)
expect "len(docs)" "205"
expect "sum(1 for x in docs if 'error' in x)" "2"
expect "[x['line'] for x in docs if x.get('skipped')]" "[7]"
expect "sum(1 for x in docs if x.get('input') == '2001:db8::1')" "1"
# every object carries its input line number
expect "sorted(x['line'] for x in docs) == [3, 4, 5, 6, 7] + list(range(8, 208))" "True"
expect "[x['line'] for x in docs if x.get('input') == '2001:db8::1']" "[4]"
contains "$tmp/err" "longer than 1024 bytes"
# text: the summary does not count skipped lines as checked
run 2 "${S[@]}" --batch "$tmp/batch" --parallel 7
contains "$tmp/err" "204 checked: .*; 1 line skipped"
printf '192.0.2.1 user@\n192.0.2.1 a b c d\n' >"$tmp/badlines"
run 3 "${S[@]}" --json --batch "$tmp/badlines"
expect "[(x['line'], x['input'], x['skipped']) for x in docs]" \
  "[(1, '192.0.2.1 user@', True), (2, '192.0.2.1 a b c d', True)]"
run 3 "${S[@]}" --batch "$tmp/badlines"
contains "$tmp/err" "0 checked: 0 ok, 0 warning, 0 critical, 0 unknown; 2 lines skipped"
# from stdin, text output with a summary on stderr
if printf '192.0.2.1\n192.0.2.3\n' |
  NO_COLOR='' "$MXCHECK" "${S[@]}" --batch - >"$tmp/out" 2>"$tmp/err"; then
  ok
else
  bad "batch from stdin"
fi
contains "$tmp/err" "2 checked: 2 ok"
# quiet: nothing printed, exit code only
run 2 "${S[@]}" -q 192.0.2.1 192.0.2.7
if [ -s "$tmp/out" ]; then bad "--quiet printed something"; else ok; fi

# --- faults: temperror is UNKNOWN ------------------------------------------
if [ -n "${MXC_TEST_FAULT:-}" ]; then
  run 3 --server "$MXC_TEST_FAULT" --timeout 1 --json 198.51.100.1 198.51.100.2
  expect "sorted(x['iprev']['result'] for x in docs)" "['temperror', 'temperror']"
  run 0 --server "$MXC_TEST_FAULT" --json 198.51.100.3
  expect "d['iprev']['matched_name']" "tc.fault.test"
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
