#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# CLI tests of --zone: draft zone files (tests/zones/drafts/) answer
# instead of the published zones of the Knot fixture -- an SPF change that
# breaks a sending address, a DKIM key rotation done too early, a DMARC
# policy added, a reverse zone for iprev, a zone published nowhere (CNAME,
# wildcard, NODATA, NXDOMAIN) -- and hostile zone files.  Runs under
# tests/dnsfixture.sh.
set -u

MXCHECK=${MXCHECK:-cli/mxcheck}
SRC=${MXC_SRCDIR:-.}
D=$SRC/tests/zones/drafts
if [ -z "${MXC_TEST_DNS:-}" ]; then
  echo "SKIP: MXC_TEST_DNS not set (run under tests/dnsfixture.sh)"
  exit 77
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL: $*"
}

# run EXPECTED_EXIT ARGS... : output in $tmp/out, $tmp/err
run() {
  local want=$1 got
  shift
  NO_COLOR='' "$MXCHECK" --server "$MXC_TEST_DNS" --color never "$@" \
    >"$tmp/out" 2>"$tmp/err" </dev/null
  got=$?
  if [ "$got" -ne "$want" ]; then
    bad "mxcheck $* exited $got, want $want"
    sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -40
    return 1
  fi
  ok
}

# has TEXT / lacks TEXT: the output (stdout and stderr) has / lacks TEXT
has() {
  if grep -qF -- "$1" "$tmp/out" "$tmp/err"; then ok; else
    bad "output lacks: $1"
    sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -40
  fi
}
lacks() {
  if grep -qF -- "$1" "$tmp/out" "$tmp/err"; then
    bad "output has: $1"
    sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -40
  else ok; fi
}

# An SPF change that breaks a sending address, and a reverse zone draft
# for iprev: published, both pass; with the drafts, both fail.
run 0 -f x@pass.spf.test 192.0.2.1 &&
  has '  spf       pass' && has '  iprev     pass' &&
  lacks 'answers from zone files'
run 2 --zone "$D/spf.test.zone" --zone "$D/2.0.192.in-addr.arpa.zone" \
  -f x@pass.spf.test 192.0.2.1 &&
  has '  spf       fail  the SPF record of pass.spf.test does not designate 192.0.2.1' &&
  has 'iprev     fail  no PTR name resolves back to the address: renamed.preflight.test does not exist (NXDOMAIN)' &&
  has 'answers from zone files: spf.test (' &&
  has '2.0.192.in-addr.arpa ('
# names of the drafted zone that the draft does not have: NXDOMAIN there
# (not the published record)
run 1 --zone "$D/spf.test.zone" -f x@softfail.spf.test 192.0.2.1 &&
  has 'does not exist'
# the JSON report lists the zones used
run 2 --json --zone "$D/spf.test.zone" -f x@pass.spf.test 192.0.2.1 &&
  if python3 - "$tmp/out" <<'PY'; then ok; else bad "JSON zones line"; fi
import json, sys
lines = open(sys.argv[1]).read().splitlines()
z = json.loads(lines[-1])["zones"]
assert len(z) == 1 and z[0]["origin"] == "spf.test", z
assert z[0]["file"].endswith("drafts/spf.test.zone") and z[0]["answers"] >= 1, z
assert json.loads(lines[0])["spf"]["result"] == "fail"
PY

# A DKIM key rotation done too early: the message is still signed with
# the selector the draft removed.
run 1 --message "$SRC/tests/dkim/rfc8463-a3.eml" &&
  has '  dkim      pass'
run 2 --zone "$D/football.example.com.zone" \
  --message "$SRC/tests/dkim/rfc8463-a3.eml" &&
  has 's=brisbane: no key at brisbane._domainkey.football.example.com: NXDOMAIN' &&
  has 'answers from zone files: football.example.com ('

# A DMARC policy added.
run 1 --domain nodmarc.test && has 'no DMARC policy record for nodmarc.test'
# the whole domain audit warns: nodmarc.test has no MX (implicit MX)
run 1 --zone "$D/nodmarc.test.zone" --domain nodmarc.test &&
  has 'policy reject (p=) of nodmarc.test'

# A zone published nowhere: CNAME, wildcard, NODATA, NXDOMAIN (the exit
# codes are those of iprev: these addresses have no reverse names here).
run 1 --zone "$D/preflight.test.zone" -f x@alias.preflight.test 192.0.2.9 &&
  has 'spf       pass  the SPF record of alias.preflight.test designates 192.0.2.9'
run 3 --zone "$D/preflight.test.zone" -f x@a.b.wild.preflight.test \
  198.51.100.1 &&
  has '"ip4:198.51.100.0/24" matched'
run 1 --zone "$D/preflight.test.zone" -f x@nospf.preflight.test 192.0.2.1 &&
  has 'nospf.preflight.test has no SPF record (no TXT records)'
run 1 --zone "$D/preflight.test.zone" -f x@gone.preflight.test 192.0.2.1 &&
  has 'gone.preflight.test has no SPF record (the domain does not exist)'
run 2 --zone "$D/preflight.test.zone" -f x@broken.preflight.test 192.0.2.1 &&
  has 'spf       permerror  include:gone.preflight.test'

# An SPF change that would exceed the lookup limit: the evaluation and the
# lint (which reads the records through the cache's peek) both see it.
run 2 --zone "$D/preflight.test.zone" -f x@toomany.preflight.test 192.0.2.1 &&
  has 'spf       permerror  more than 10 DNS-querying terms' &&
  has 'can take at least 11 DNS-querying terms'

# --diff: the same checks against the published DNS and the drafts.
run 1 --diff --zone "$D/spf.test.zone" --zone "$D/2.0.192.in-addr.arpa.zone" \
  -f x@pass.spf.test 192.0.2.1 &&
  has '~ spf.result: pass -> fail' && has '~ iprev.result: pass -> fail' &&
  has '~ spf.record: v=spf1 ip4:192.0.2.0/25 ip6:2001:db8::/64 -all -> v=spf1 ip4:192.0.2.128/25' &&
  has 'exit status: 0 -> 2'
run 1 --diff --format text --zone "$D/football.example.com.zone" \
  --message "$SRC/tests/dkim/rfc8463-a3.eml" &&
  has '~ dkim[0].result: pass -> permerror' &&
  has '~ dkim_result.result: pass -> permerror'
run 1 --diff --zone "$D/nodmarc.test.zone" --domain nodmarc.test &&
  has '~ dmarc.policy: null -> reject'
run 0 --diff --zone "$D/nodmarc.test.zone" -f x@pass.spf.test 192.0.2.1 &&
  has 'no change'
run 3 --diff 192.0.2.1 && has 'give at least one --zone'
run 3 --diff --zone "$D/spf.test.zone" --batch - && has 'not stdin'
run 3 --diff --zone "$D/bad/syntax.zone" 192.0.2.1 &&
  has 'bad/syntax.zone:4: invalid IPv4 address'

# Hostile zone files: refused with the file and line.
run 3 --zone "$D/bad/syntax.zone" 192.0.2.1 &&
  has 'bad/syntax.zone:4: invalid IPv4 address'
run 3 --zone "$D/bad/include.zone" 192.0.2.1 &&
  has 'bad/include.zone:4: $INCLUDE is not allowed'
run 3 --zone "$D/bad/outside.zone" 192.0.2.1 &&
  has 'bad/outside.zone:4: record outside the zone bad.test'
run 3 --zone "$tmp/none.zone" 192.0.2.1 && has 'none.zone: No such file'
run 3 --zone "$D" 192.0.2.1 && has 'not a regular file'
run 3 --zone "$D/spf.test.zone" --zone "$D/spf.test.zone" 192.0.2.1 &&
  has 'the zone spf.test is already loaded'
# a 10 MB zone file: over the cap, refused before it is parsed
{
  cat "$D/spf.test.zone"
  head -c 10485760 /dev/zero | tr '\0' ';'
} >"$tmp/big.zone"
run 3 --zone "$tmp/big.zone" 192.0.2.1 && has 'zone file over 8388608 bytes'

echo "cli_zone.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
