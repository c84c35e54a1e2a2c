#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# CLI tests of rule R13 (the MAIL FROM and From domains exist; RFC 7505 null
# MX) and rule R19 (the address on DNS blocklists, --dnsbl ZONE) against
# tests/zones/exist.test.zone and bl.test.zone.  Runs under
# tests/dnsfixture.sh.
set -u

MXCHECK=${MXCHECK:-cli/mxcheck}
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

# rule ID STATE [TEXT]: rule ID of the JSON report in $tmp/out has STATE and
# its evidence contains TEXT
rule() {
  if python3 - "$tmp/out" "$@" <<'PY'; then ok; else bad "rule $*"; fi
import json, sys
o = json.load(open(sys.argv[1]))
rid, state = sys.argv[2], sys.argv[3]
text = sys.argv[4] if len(sys.argv) > 4 else ""
r = [r for r in o["compliance"]["rules"] if r["id"] == rid][0]
if r["state"] != state or text not in r["evidence"]:
    print("  %s: %s %r" % (rid, r["state"], r["evidence"]))
    sys.exit(1)
PY
}

# has TEXT: the output contains TEXT
has() {
  if grep -qF -- "$1" "$tmp/out"; then ok; else
    bad "output lacks: $1"
    sed 's/^/  | /' "$tmp/out" | head -40
  fi
}

# R13
run 2 --json --ip 192.0.2.1 --mail-from a@nullmx.exist.test &&
  rule R13 fail "nullmx.exist.test null-mx: null MX (RFC 7505"
run 2 --json --ip 192.0.2.1 --mail-from a@ghost.exist.test &&
  rule R13 fail "ghost.exist.test nxdomain"
run 3 --json --ip 192.0.2.1 --mail-from a@example.org &&
  rule R13 unknown "example.org temperror"
run 2 --json --ip 192.0.2.1 --mail-from a@exist.test &&
  rule R13 pass "exist.test: MX 10 good4.mxcheck.test"
run 2 --ip 192.0.2.1 --mail-from a@mixed.exist.test && has "other MX records"

# R19: a recommendation; a refusal code is never a listing (the reports
# below fail on R7: exist.test publishes no SPF record)
run 2 --json --ip 192.0.2.1 --mail-from a@exist.test &&
  rule R19 unknown "no DNS blocklist configured"
run 2 --json --ip 192.0.2.7 --mail-from a@exist.test --dnsbl bl.test &&
  rule R19 warn "bl.test listed (127.0.0.2, 127.0.0.4): 192.0.2.7 listed"
run 2 --json --ip 192.0.2.1 --mail-from a@exist.test --dnsbl bl.test &&
  rule R19 pass "not listed on bl.test"
run 2 --json --ip 192.0.2.1 --mail-from a@exist.test \
  --dnsbl refused.bl.test --dnsbl bl.test &&
  rule R19 unknown "refused.bl.test refused: query refused: it came through a public or open resolver (127.255.255.254)"
if grep -q '"state":"listed"' "$tmp/out"; then bad "a refusal read as a listing"; else ok; fi
run 2 --json --ip 2001:db8::7 --mail-from a@exist.test --dnsbl bl.test &&
  rule R19 warn "bl.test listed (127.0.0.3)"
# --dnsbl alone implies the report
run 2 --dnsbl bl.test 192.0.2.7 && has "list      bl.test  listed  127.0.0.2, 127.0.0.4"
run 3 --dnsbl 'bad..zone' 192.0.2.7 && grep -q "not a DNS blocklist zone" "$tmp/err" && ok
args=()
for i in $(seq 17); do args+=(--dnsbl "z$i.bl.test"); done
run 3 "${args[@]}" 192.0.2.7 && grep -q "at most 16" "$tmp/err" && ok

echo "cli_r13_r19: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
