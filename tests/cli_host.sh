#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# CLI tests of HOST arguments: a host name is resolved (A and AAAA) and
# iprev checked for every address with the name as the expected PTR name,
# through the library's "host" check.  Runs under tests/dnsfixture.sh
# against tests/zones (mxcheck.test.zone and the reverse zones).
set -u

# shellcheck source=tests/clilib.sh
. "$(dirname "$0")/clilib.sh"
S=(--server "$MXC_TEST_DNS" --color never)

# --- one address, its PTR is the host: OK ------------------------------------
run 0 "${S[@]}" good4.mxcheck.test
contains "$tmp/out" "^good4.mxcheck.test (host name)"
contains "$tmp/out" "^  host      pass  good4.mxcheck.test has 1 address (1 IPv4, 0 IPv6): 1 with iprev pass"
contains "$tmp/out" "^            192.0.2.1            iprev pass  PTR name good4.mxcheck.test resolves back"

# --- both families; the IPv4 PTR names another host: WARNING ---------------
run 1 "${S[@]}" --json GOOD6.mxcheck.test.
expect "d['hostname'], d['host']['state']" "('good6.mxcheck.test', 'warn')"
expect "[(a['address'], a['iprev']['result'], a['ptr_is_host']) for a in d['host']['addresses']]" \
  "[('192.0.2.1', 'pass', False), ('2001:db8::1', 'pass', True)]"
expect "[w['code'] for w in d['host']['warnings']]" "['ptr-not-host']"

# --- an address without PTR: CRITICAL with the fix ---------------------------
run 2 "${S[@]}" mismatch7.mxcheck.test
contains "$tmp/out" "iprev permerror  no PTR record for 192.0.2.77"
contains "$tmp/out" "^  fix       give 192.0.2.77 a PTR record naming mismatch7.mxcheck.test"
# a name that does not exist, a name without address: CRITICAL
run 2 "${S[@]}" absent.mxcheck.test
contains "$tmp/out" "absent.mxcheck.test does not exist (NXDOMAIN)"
run 2 "${S[@]}" questions.test
contains "$tmp/out" "questions.test has no A or AAAA record"

# --- beside addresses, in argument order; the worst exit code --------------
run 2 "${S[@]}" --json good4.mxcheck.test 192.0.2.77
expect "[x.get('hostname', x.get('address')) for x in docs]" \
  "['good4.mxcheck.test', '192.0.2.77']"

# --- the resolver does not answer: UNKNOWN -----------------------------------
if [ -n "${MXC_TEST_FAULT:-}" ]; then
  # SERVFAIL for A and AAAA: temperror, never pass nor fail
  run 3 --server "$MXC_TEST_FAULT" --timeout 1 --json servfail.spf.fault.test
  expect "d['host']['result'], d['host']['state']" "('temperror', 'unknown')"
fi

# --- bad input ------------------------------------------------------------------
run 3 "${S[@]}" -f bounce@mxcheck.test good4.mxcheck.test
contains "$tmp/err" "is a host name: --mail-from and --helo need an ADDRESS"
run 3 "${S[@]}" --ip good4.mxcheck.test --profile gmail
contains "$tmp/err" "is a host name: the compliance report needs the client's address"
run 3 "${S[@]}" 'bad_host!.test'
contains "$tmp/out" "not an IPv4 address"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
