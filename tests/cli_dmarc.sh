#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# CLI tests of --domain and --dmarc-discovery: the DMARC audit of a From
# domain (RFC 9989 policy discovery and validation), alone or beside the
# addresses' reports, and its exit status.  Runs under tests/dnsfixture.sh
# (MXC_TEST_DNS, MXC_TEST_FAULT) against tests/zones (dmarc.test.zone, the
# fake io. zone, the reverse zones).
set -u

# shellcheck source=tests/clilib.sh
. "$(dirname "$0")/clilib.sh"
S=(--server "$MXC_TEST_DNS" --color never)

# --- a record that applies: OK; the report says where and what -------------
run 0 "${S[@]}" --domain org.dmarc.test
contains "$tmp/out" "^org.dmarc.test (From domain)"
contains "$tmp/out" "^  dmarc     found  policy quarantine (p=) of org.dmarc.test"
contains "$tmp/out" "^  found at  _dmarc.org.dmarc.test (RFC 9989 DNS tree walk)"
contains "$tmp/out" "^  org       org.dmarc.test: "
run 0 "${S[@]}" -D news.org.dmarc.test
contains "$tmp/out" "^  policy    none (sp=): news.org.dmarc.test is a subdomain of org.dmarc.test"
run 0 "${S[@]}" --json --domain ghost.org.dmarc.test
expect "(d['domain'], d['dmarc']['policy'], d['dmarc']['policy_tag'])" \
  "('ghost.org.dmarc.test', 'reject', 'np')"
expect "d['dmarc']['record_domain'], d['dmarc']['audit']" "('org.dmarc.test', True)"

# --- warnings: WARNING; no record: WARNING with the fix ---------------------
run 1 "${S[@]}" --domain syntax.dmarc.test
contains "$tmp/out" 'tag 3 "adkim=x" at offset 20'
run 1 "${S[@]}" --domain nothere.dmarc.test
contains "$tmp/out" "^  dmarc     none  no DMARC policy record for nothere.dmarc.test"
contains "$tmp/out" 'at _dmarc.dmarc.test such as "v=DMARC1; p=none; rua=mailto:dmarc-reports@dmarc.test"'
run 1 "${S[@]}" --domain nothing.co.uk
contains "$tmp/out" 'at _dmarc.nothing.co.uk such as "v=DMARC1; p=none; rua=mailto:dmarc-reports@nothing.co.uk"'
# --- no usable policy: CRITICAL ----------------------------------------------
run 2 "${S[@]}" --json --domain badp.dmarc.test
expect "d['dmarc']['result']" "permerror"

# --- with an address: both reports, the worst exit code ---------------------
run 1 "${S[@]}" --json --domain nothere.dmarc.test 192.0.2.1
expect "len(docs)" "2"
expect "sorted(k for x in docs for k in x if k in ('iprev', 'dmarc'))" \
  "['dmarc', 'iprev']"
run 2 "${S[@]}" -D org.dmarc.test 192.0.2.7
contains "$tmp/out" "^  dmarc     found"
contains "$tmp/out" "^  iprev     fail"

# --- discovery methods ---------------------------------------------------------
run 0 "${S[@]}" --json --domain a.github.io
expect "(d['dmarc']['discovery'], d['dmarc']['organizational_domain'])" \
  "('treewalk', 'github.io')"
run 0 "${S[@]}" --json --dmarc-discovery psl --domain a.github.io
expect "(d['dmarc']['discovery'], d['dmarc']['organizational_domain'])" \
  "('psl', 'a.github.io')"
run 1 "${S[@]}" --dmarc-discovery both --domain a.github.io
contains "$tmp/out" "organizational domain a.github.io instead of github.io"
run 3 "${S[@]}" --dmarc-discovery dns --domain a.github.io
contains "$tmp/err" "expected treewalk, psl or both"

# --- temperror is UNKNOWN ------------------------------------------------------
if [ -n "${MXC_TEST_FAULT:-}" ]; then
  run 3 --server "$MXC_TEST_FAULT" --timeout 1 --json \
    --domain drop.dmarc.fault.test
  expect "d['dmarc']['result']" "temperror"
fi

# --- usage ----------------------------------------------------------------------
run 3 "${S[@]}" --domain org.dmarc.test --message /dev/null
contains "$tmp/err" "do not go together"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
