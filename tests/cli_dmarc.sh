#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# CLI tests of --domain, --selector and --dmarc-discovery: the audit of a
# sending domain (MX hosts and their iprev, SPF record and the networks it
# authorises, DKIM keys at selectors, DMARC policy discovery and
# validation, rua= authorisation), alone or beside the addresses' reports,
# and its exit status.  The dmarc.test names have no MX and their implicit
# MX address no PTR, so their audits fail (CRITICAL) whatever their DMARC
# record; the DMARC part keeps its own state in the JSON.  Runs under tests/dnsfixture.sh
# (MXC_TEST_DNS, MXC_TEST_FAULT) against tests/zones (dmarc.test.zone, the
# fake io. zone, the reverse zones).
set -u

# shellcheck source=tests/clilib.sh
. "$(dirname "$0")/clilib.sh"
S=(--server "$MXC_TEST_DNS" --color never)

# --- a record that applies: OK; the report says where and what -------------
run 2 "${S[@]}" --domain org.dmarc.test
contains "$tmp/out" "^org.dmarc.test (sending domain)"
contains "$tmp/out" "^  dmarc     found  policy quarantine (p=) of org.dmarc.test"
contains "$tmp/out" "^  found at  _dmarc.org.dmarc.test (RFC 9989 DNS tree walk)"
contains "$tmp/out" "^  org       org.dmarc.test: "
run 2 "${S[@]}" -D news.org.dmarc.test
contains "$tmp/out" "^  policy    none (sp=): news.org.dmarc.test is a subdomain of org.dmarc.test"
run 2 "${S[@]}" --json --domain ghost.org.dmarc.test
expect "(d['domain'], d['dmarc']['policy'], d['dmarc']['policy_tag'])" \
  "('ghost.org.dmarc.test', 'reject', 'np')"
expect "d['dmarc']['record_domain'], d['dmarc']['audit']" "('org.dmarc.test', True)"

# --- warnings: WARNING; no record: WARNING with the fix ---------------------
run 1 "${S[@]}" --domain syntax.dmarc.test
contains "$tmp/out" 'tag 3 "adkim=x" at offset 20'
run 2 "${S[@]}" --json --domain nothere.dmarc.test
expect "d['dmarc']['result']" "none"
run 2 "${S[@]}" --domain nothere.dmarc.test
contains "$tmp/out" "^  dmarc     none  no DMARC policy record for nothere.dmarc.test"
contains "$tmp/out" 'at _dmarc.dmarc.test such as "v=DMARC1; p=none; rua=mailto:dmarc-reports@dmarc.test"'
run 2 "${S[@]}" --domain nothing.co.uk
contains "$tmp/out" 'at _dmarc.nothing.co.uk such as "v=DMARC1; p=none; rua=mailto:dmarc-reports@nothing.co.uk"'
# --- no usable policy: CRITICAL ----------------------------------------------
run 2 "${S[@]}" --json --domain badp.dmarc.test
expect "d['dmarc']['result']" "permerror"

# --- with an address: both reports, the worst exit code ---------------------
run 2 "${S[@]}" --json --domain nothere.dmarc.test 192.0.2.1
expect "len(docs)" "2"
expect "sorted(k for x in docs for k in x if k in ('iprev', 'dmarc'))" \
  "['dmarc', 'iprev']"
run 2 "${S[@]}" -D org.dmarc.test 192.0.2.7
contains "$tmp/out" "^  dmarc     found"
contains "$tmp/out" "^  iprev     fail"

# --- discovery methods ---------------------------------------------------------
run 2 "${S[@]}" --json --domain a.github.io
expect "(d['dmarc']['discovery'], d['dmarc']['organizational_domain'])" \
  "('treewalk', 'github.io')"
run 2 "${S[@]}" --json --dmarc-discovery psl --domain a.github.io
expect "(d['dmarc']['discovery'], d['dmarc']['organizational_domain'])" \
  "('psl', 'a.github.io')"
run 2 "${S[@]}" --dmarc-discovery both --domain a.github.io
contains "$tmp/out" "organizational domain a.github.io instead of github.io"
run 3 "${S[@]}" --dmarc-discovery dns --domain a.github.io
contains "$tmp/err" "expected treewalk, psl or both"

# --- temperror is UNKNOWN ------------------------------------------------------
if [ -n "${MXC_TEST_FAULT:-}" ]; then
  # the domain does not exist there (MX NXDOMAIN: CRITICAL); its DMARC
  # lookup times out: the DMARC part is unknown, never pass
  run 2 --server "$MXC_TEST_FAULT" --timeout 1 --json \
    --domain drop.dmarc.fault.test
  expect "d['dmarc']['result']" "temperror"
fi

# --- the whole audit: SPF and its networks, DKIM keys, rua= ----------------
A=(--domain audit.questions.test)
# its keys are good; one rua= destination does not accept reports: WARNING
run 1 "${S[@]}" --json "${A[@]}" --selector s2048 --selector ed
expect "d['domain_audit']['state'], [w['code'] for w in d['domain_audit']['warnings']]" \
  "('warn', ['rua-unauthorised'])"
expect "d['domain_audit']['spf']['dns_lookups'], d['domain_audit']['spf']['networks']" \
  "(3, ['192.0.2.0/28', '2001:db8:25::/48', '192.0.2.1/32', '198.51.100.7/32', '2001:db8:77::7/128'])"
expect "[(k['selector'], k['state'], k['type'], k['bits']) for k in d['domain_audit']['dkim_keys']]" \
  "[('s2048', 'ok', 'rsa', 2048), ('ed', 'ok', 'ed25519', 256)]"
expect "[(u['domain'], u['state']) for u in d['domain_audit']['rua']]" \
  "[('audit.questions.test', 'internal'), ('mxcheck.test', 'authorised'), ('isp.test', 'unauthorised')]"
expect "d['dmarc']['policy']" "quarantine"
run 2 "${S[@]}" "${A[@]}" --selector s1024 --selector old --selector bad --selector nokey
contains "$tmp/out" "^  SPF       v=spf1 ip4:192.0.2.0/28 ip6:2001:db8:25::/48 mx include:_spf.audit.questions.test ~all"
contains "$tmp/out" "^            3 of 10 DNS lookups, 0 void; other addresses get its all"
contains "$tmp/out" "^            passes 5 networks (listed in the verbose report)"
contains "$tmp/out" "^  DKIM      s1024: rsa 1024 bits, testing (t=y)"
contains "$tmp/out" "^  DKIM      old: revoked"
contains "$tmp/out" "^  DKIM      bad: invalid: p= is not base64"
contains "$tmp/out" "^  DKIM      nokey: none"
contains "$tmp/out" "^  warning   DKIM key s1024 is in testing mode (t=y)"
contains "$tmp/out" "^  warning   rua= sends reports to isp.test, which does not accept them"
contains "$tmp/out" "^  dmarc     found  policy quarantine"
run 2 "${S[@]}" -v "${A[@]}" --selector s2048 --selector nokey
contains "$tmp/out" "^            passes    192.0.2.0/28"
contains "$tmp/out" "^                      2001:db8:77::7/128"
# an SPF record that passes any address, a broken one: CRITICAL
run 2 "${S[@]}" --domain open.questions.test
contains "$tmp/out" "^  warning   the SPF record of open.questions.test passes any address"
run 2 "${S[@]}" --json --domain broken.questions.test
expect "d['domain_audit']['spf']['result']" "permerror"
# --selector: bad input and without --domain
run 3 "${S[@]}" --domain audit.questions.test --selector 'a b'
contains "$tmp/err" "not a DKIM selector"
run 3 "${S[@]}" --selector s2048 192.0.2.1
contains "$tmp/err" "--selector needs --domain"

# --- usage ----------------------------------------------------------------------
run 3 "${S[@]}" --domain org.dmarc.test --message /dev/null
contains "$tmp/err" "do not go together"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
