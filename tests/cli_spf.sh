#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# CLI tests of --mail-from / --helo: each address gets the iprev and the SPF
# check, printed together (one JSON object, or one report), with the worst
# exit code.  Runs under tests/dnsfixture.sh (MXC_TEST_DNS, MXC_TEST_FAULT)
# against tests/zones (spf.test.zone and the reverse zones).
set -u

# shellcheck source=tests/clilib.sh
. "$(dirname "$0")/clilib.sh"
S=(--server "$MXC_TEST_DNS")

# --- one JSON object per address, with "iprev" and "spf" -------------------
run 0 "${S[@]}" --json --mail-from user@pass.spf.test 192.0.2.1
expect "len(docs)" "1"
expect "sorted(d.keys())" "['address', 'family', 'input', 'iprev', 'ipv4_mapped', 'spf']"
expect "(d['iprev']['result'], d['spf']['result'])" "('pass', 'pass')"
expect "(d['spf']['scope'], d['spf']['domain'], d['spf']['smtp.mailfrom'])" \
  "('mfrom', 'pass.spf.test', 'user@pass.spf.test')"
expect "d['spf']['record']" "v=spf1 ip4:192.0.2.0/25 ip6:2001:db8::/64 -all"
expect "(d['spf']['dns_lookups'], d['spf']['void_lookups'])" "(0, 0)"
expect "any('-> match' in t for t in d['spf']['trace'])" "True"

# --- exit status: the worst of the two -----------------------------------
# fail (with exp=): CRITICAL
run 2 "${S[@]}" --json -f user@fail.spf.test 192.0.2.1
expect "d['spf']['result']" "fail"
expect "d['spf']['explanation']" \
  "192.0.2.1 may not send mail as fail.spf.test: see https://spf.test/why?l=user"
# softfail and permerror: CRITICAL
run 2 "${S[@]}" --json -f user@soft.spf.test 192.0.2.1
expect "d['spf']['result']" "softfail"
run 2 "${S[@]}" --json -f user@syntax.spf.test 192.0.2.1
expect "d['spf']['result']" "permerror"
expect "'offset 24' in d['spf']['reason']" "True"
# neutral and none: WARNING
run 1 "${S[@]}" --json -f user@all-neutral.spf.test 192.0.2.1
expect "d['spf']['result']" "neutral"
expect "[w['code'] for w in d['spf']['warnings']]" "['spf-all-neutral']"
run 1 "${S[@]}" --json -f user@nospf.spf.test 192.0.2.1
expect "d['spf']['result']" "none"
expect "d['spf']['fix'].startswith('Publish an SPF record')" "True"
# pass with a lint warning: WARNING
run 1 "${S[@]}" --json -f user@ptr.spf.test 192.0.2.1
expect "[w['code'] for w in d['spf']['warnings']]" "['spf-ptr']"
# a failing iprev with a passing SPF is still CRITICAL
run 2 "${S[@]}" --json -f user@pass.spf.test 192.0.2.7
expect "(d['iprev']['result'], d['spf']['result'])" "('fail', 'pass')"

# --- the HELO identity ------------------------------------------------------
run 2 "${S[@]}" --json --helo helo.spf.test 192.0.2.30
expect "(d['spf']['result'], d['spf']['scope'], d['spf']['smtp.helo'])" \
  "('pass', 'helo', 'helo.spf.test')"
expect "d['spf']['smtp.mailfrom']" "None"
run 2 "${S[@]}" --json --mail-from '<>' --helo helo.spf.test 192.0.2.30
expect "d['spf']['scope']" "helo"
run 3 "${S[@]}" --mail-from '<>' 192.0.2.30
contains "$tmp/err" "needs --helo"

# --- human report (-v: with the trace): the address once, then both blocks
run 2 "${S[@]}" -v --mail-from user@chain.spf.test 2001:db8::1
contains "$tmp/out" "2001:db8::1 (IPv6)"
contains "$tmp/out" "iprev .* pass"
contains "$tmp/out" "spf .* fail"
contains "$tmp/out" "include:c1.spf.test"
if [ "$(grep -c '(IPv6)' "$tmp/out")" = 1 ]; then ok; else
  bad "the address line is printed more than once"
fi

# --- a bad address: one object with the error -------------------------------
run 3 "${S[@]}" --json -f user@pass.spf.test 192.0.2.300
expect "len(docs)" "1"
expect "'error' in d and 'spf' not in d" "True"

# --- batch: one object per line --------------------------------------------
printf '192.0.2.1\n2001:db8::1\nnonsense\n192.0.2.7\n' >"$tmp/batch"
# CRITICAL (192.0.2.7 iprev) wins over UNKNOWN (nonsense)
run 2 "${S[@]}" --json -f user@pass.spf.test --batch "$tmp/batch" -p 3
expect "len(docs)" "4"
expect "sorted(x['spf']['result'] for x in docs if 'spf' in x)" \
  "['pass', 'pass', 'pass']"
expect "sum(1 for x in docs if 'iprev' in x and 'spf' in x)" "3"

# --- temperror is UNKNOWN --------------------------------------------------
if [ -n "${MXC_TEST_FAULT:-}" ]; then
  run 3 --server "$MXC_TEST_FAULT" --timeout 1 --json \
    -f user@drop.spf.fault.test 198.51.100.3
  expect "(d['iprev']['result'], d['spf']['result'])" "('pass', 'temperror')"
fi

# --- libspf2's view ---------------------------------------------------------
# The RFC allows a/0, libspf2 rejects it: a line in the report, the verdict
# in JSON (always there).
run 0 "${S[@]}" --color never -f user@cidr0.spf.test 192.0.2.1
contains "$tmp/out" "receivers using libspf2 (Exim, spfmilter, ...) will compute permerror: "
run 0 "${S[@]}" --json -f user@cidr0.spf.test 192.0.2.1
expect "(d['spf']['result'], d['spf']['libspf2']['result'])" "('pass', 'permerror')"
expect "'CIDR' in d['spf']['libspf2']['detail']" "True"
# The same verdict: no line.
run 0 "${S[@]}" --color never -f user@pass.spf.test 192.0.2.1
if grep -q libspf2 "$tmp/out"; then bad "a libspf2 line for the same verdict"; else ok; fi
run 0 "${S[@]}" --json -f user@pass.spf.test 192.0.2.1
expect "d['spf']['libspf2']" "{'result': 'pass', 'detail': ''}"
# --no-libspf2: skipped, no line.
run 0 "${S[@]}" --no-libspf2 --color never -f user@cidr0.spf.test 192.0.2.1
if grep -q libspf2 "$tmp/out"; then bad "a libspf2 line with --no-libspf2"; else ok; fi
run 0 "${S[@]}" --no-libspf2 --json -f user@cidr0.spf.test 192.0.2.1
expect "d['spf']['libspf2']['result']" "skipped"

# --- help -------------------------------------------------------------------
run 0 --help
contains "$tmp/out" "--mail-from"
contains "$tmp/out" "--helo"
contains "$tmp/out" "--no-libspf2"

# --- short by default; -v: the record and the trace; JSON has both --------
lacks() {
  if grep -q -- "$2" "$1"; then
    bad "$1 has '$2'"
    sed 's/^/  | /' "$1" | head -20
  else ok; fi
}
run 2 "${S[@]}" --color never -f user@fail.spf.test 192.0.2.1
lacks "$tmp/out" "^  trace "
lacks "$tmp/out" "^  record "
contains "$tmp/out" "^  fix       If 192.0.2.1 sends mail as fail.spf.test"
run 2 "${S[@]}" --color never -v -f user@fail.spf.test 192.0.2.1
contains "$tmp/out" "^  record    v=spf1 ip4:198.51.100.0/24 -all exp=why.spf.test"
contains "$tmp/out" "^  trace     check_host(192.0.2.1, fail.spf.test, user@fail.spf.test)"
run 2 "${S[@]}" --color never --verbose -f user@fail.spf.test 192.0.2.1
contains "$tmp/out" "^  trace "
# a blank line between the blocks of several addresses, none after the last
run 2 "${S[@]}" --color never -f user@pass.spf.test 192.0.2.1 192.0.2.7
if [ "$(grep -c '^$' "$tmp/out")" = 1 ] && [ -n "$(tail -n 1 "$tmp/out")" ]; then
  ok
else
  bad "want one blank line between the two blocks"
  sed 's/^/  | /' "$tmp/out" | head -30
fi

echo "cli_spf: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
