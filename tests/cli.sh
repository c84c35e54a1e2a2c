#!/bin/bash
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
run 3 "${S[@]}" mail.example.org
contains "$tmp/out" "not an IPv4 address"
run 3 "${S[@]}" --json 192.0.2.300
expect "'error' in d and d['input'] == '192.0.2.300'" "True"
# a bad address does not hide the verdict of a good one; CRITICAL wins
run 2 "${S[@]}" --json 192.0.2.1 nonsense 192.0.2.7
expect "len(docs)" "3"
run 3 "${S[@]}" 'fe80::1%eth0'
contains "$tmp/out" "link-local"
run 3
contains "$tmp/err" "no address given"
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
expect "len(docs)" "204"
expect "sum(1 for x in docs if 'error' in x)" "1"
expect "sum(1 for x in docs if x.get('input') == '2001:db8::1')" "1"
contains "$tmp/err" "longer than 1024 bytes"
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
