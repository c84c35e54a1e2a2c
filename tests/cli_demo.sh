#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The demo of ./run-demo (demo/demo.sh on demo/zones, its own Knot server):
# every case runs, and each tells its part of the story.
set -u

# shellcheck source=tests/clilib.sh
. "$(dirname "$0")/clilib.sh"
src=${MXC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
case $MXCHECK in /*) ;; *) MXCHECK=$(pwd)/$MXCHECK ;; esac

bash "$src/demo/demo.sh" "$MXCHECK" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ]; then ok; else
  bad "demo/demo.sh exited $rc"
  sed 's/^/  | /' "$tmp/err" | head -20
fi
contains "$tmp/out" "^  host      pass  mail.example.com has 2 addresses (1 IPv4, 1 IPv6): 2 with iprev pass"
contains "$tmp/out" "^            2001:db8:bad::25     iprev permerror  no PTR record"
contains "$tmp/out" "^  iprev     fail  no PTR name resolves back to the address: old-mail.example.com"
contains "$tmp/out" "^  DKIM      demo: rsa 2048 bits"
contains "$tmp/out" "^  domain    pass  1 MX host, 2 addresses"
contains "$tmp/out" "^  compliance  profile gmail-bulk: fail"
contains "$tmp/out" "^  \[FAIL\] R15 "
contains "$tmp/out" "fix: add List-Unsubscribe: <https://...> and List-Unsubscribe-Post"
# the preflight: the draft's SPF record breaks the lookup limit
contains "$tmp/out" "^  ~ domain_audit.spf.result: fail -> permerror"
contains "$tmp/out" "^  ~ domain_audit.spf.dns_lookups: 2 -> 11"
contains "$tmp/out" "^exit status: 0 -> 2"
# one failing rule only
if [ "$(grep -c '^  \[FAIL\]' "$tmp/out")" = 1 ]; then ok; else
  bad "want exactly one failing rule in the demo's compliance report"
fi

echo "cli_demo: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
