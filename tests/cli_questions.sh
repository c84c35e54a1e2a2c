#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# CLI tests of issue 9's questions: "mxcheck --message FILE" with a received
# copy (the client IP, HELO and MAIL FROM from its Received and Return-Path
# fields; options override; what is missing is unknown, never failed),
# against tests/zones/bulk.test.zone and the reverse zones, with
# tests/compliance/good.eml (signed with the TEST-ONLY key) below trace
# fields written here.  Runs under tests/dnsfixture.sh.
set -u
src=${MXC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=tests/clilib.sh
. "$src/tests/clilib.sh"
S=(--server "$MXC_TEST_DNS" --color never)
good=$src/tests/compliance/good.eml

# received FILE FIELDS... : FILE is good.eml below these header fields
received() {
  local f=$1
  shift
  printf '%s\n' "$@" >"$f"
  cat "$good" >>"$f"
}

# 1. Gmail's "Show original": an internal hop on top, then Return-Path and
#    the hop from the sender.  Everything passes.
received "$tmp/gmail.eml" 'Delivered-To: reader@example.net' \
  'Received: by 2002:a05:6a10:b0c8::1 with SMTP id x8csp1;' \
  '        Tue, 24 Nov 2026 02:00:01 -0800 (PST)' \
  'Return-Path: <bounce@bulk.test>' \
  'Received: from good4.mxcheck.test (good4.mxcheck.test. [192.0.2.1])' \
  '        by mx.google.com with ESMTPS id abc.123;' \
  '        Tue, 24 Nov 2026 02:00:01 -0800 (PST)'
run 0 "${S[@]}" --message "$tmp/gmail.eml"
contains "$tmp/out" 'client IP   192.0.2.1  (Received field 4, line 5)'
contains "$tmp/out" 'HELO        good4.mxcheck.test  (Received field 4, line 5)'
contains "$tmp/out" 'MAIL FROM   bounce@bulk.test  (Return-Path field 3, line 4)'
run 0 "${S[@]}" --json --message "$tmp/gmail.eml"
expect 'd["address"]' 192.0.2.1
expect 'd["compliance"]["envelope"]["mail_from"]["source"]' \
  'Return-Path field 3, line 4'
expect 'd["compliance"]["envelope"]["missing"]' '[]'
expect 'd["spf"]["result"]' pass
expect 'd["dmarc"]["result"]' pass

# 2. Options override each fact on its own: --ip (a mismatching PTR), the
#    HELO and MAIL FROM still from the trace.
run 2 "${S[@]}" --json --ip 192.0.2.7 --message "$tmp/gmail.eml"
expect 'd["compliance"]["envelope"]["ip"]["source"]' given
expect 'd["compliance"]["envelope"]["helo"]["source"]' \
  'Received field 4, line 5'
expect '[r["state"] for r in d["compliance"]["rules"] if r["id"]=="R2"][0]' \
  fail
run 0 "${S[@]}" --json -f other@bulk.test --message "$tmp/gmail.eml"
expect 'd["compliance"]["envelope"]["mail_from"]["value"]' other@bulk.test
expect 'd["compliance"]["envelope"]["ip"]["value"]' 192.0.2.1
# good4.mxcheck.test publishes no SPF: spf=none for the HELO identity, WARNING
run 1 "${S[@]}" --json --helo good4.mxcheck.test -f '<>' \
  --message "$tmp/gmail.eml"
expect 'd["compliance"]["envelope"]["mail_from"]["value"]' ''
expect 'd["spf"]["scope"]' helo

# 3. Postfix with a content filter on loopback above, IPv6 literal.
received "$tmp/postfix6.eml" \
  'Received: from localhost (localhost [127.0.0.1]) by mx.example.net (Postfix) with ESMTP id 2' \
  'Received: from good6.mxcheck.test (good6.mxcheck.test [IPv6:2001:db8::1])' \
  '	by mx.example.net (Postfix) with ESMTPS id 1'
run 3 "${S[@]}" --json --message "$tmp/postfix6.eml"
expect 'd["address"]' 2001:db8::1
expect 'd["iprev"]["result"]' pass
expect 'd["compliance"]["envelope"]["missing"]' "['mail_from']"
expect '[r["unknown"] for r in d["compliance"]["rules"] if r["id"]=="R5"]' \
  "['indeterminate']"
expect 'd["compliance"]["envelope"]["note"]' \
  '1 Received hop above passed over (no or non-global client address)'

# 4. Exim, with helo= and the null sender.
received "$tmp/exim.eml" 'Return-Path: <>' \
  'Received: from good4.mxcheck.test ([192.0.2.1] helo=good4.mxcheck.test)' \
  '	by mx.example.net with esmtps (TLS1.3) (Exim 4.96) id 1'
run 1 "${S[@]}" --json --message "$tmp/exim.eml"
expect 'd["compliance"]["envelope"]["mail_from"]["value"]' ''
expect 'd["spf"]["scope"]' helo

# 5. A message without trace fields: its DKIM report as before; with
#    --profile, the report says what is missing and nothing fails for it.
run 0 "${S[@]}" --message "$good"
contains "$tmp/out" 'dkim      pass'
run 3 "${S[@]}" --json --profile gmail --message "$good"
expect 'd["address"]' None
expect 'd["compliance"]["envelope"]["missing"]' "['ip', 'helo', 'mail_from']"
expect '[r["id"] for r in d["compliance"]["rules"] if r["state"]=="fail"]' '[]'
expect '[r["unknown"] for r in d["compliance"]["rules"] if r["id"] in ("R1","R2","R5")]' \
  "['indeterminate', 'indeterminate', 'indeterminate']"
run 3 "${S[@]}" --profile gmail --message "$good"
contains "$tmp/out" 'message .*good.eml (client address not known)'
contains "$tmp/out" 'missing     client IP, HELO, MAIL FROM'

# 6. A copy as sent (authenticated submission on top): not a received copy.
received "$tmp/sent.eml" \
  'Received: from [192.168.1.10] (dsl.example [198.51.100.7]) by smtp.bulk.test (Postfix) with ESMTPSA id 5'
run 0 "${S[@]}" --message "$tmp/sent.eml"
contains "$tmp/out" 'dkim      pass'
run 3 "${S[@]}" --json --profile gmail --message "$tmp/sent.eml"
expect '"ESMTPSA" in d["compliance"]["envelope"]["note"]' True

# 7. Hostile: 1000 Received fields, a 64 KiB one, garbage; no crash, bounded.
python3 - "$tmp/many.eml" "$tmp/big.eml" "$tmp/junk.eml" "$good" <<'PY'
import sys
good = open(sys.argv[4], "rb").read()
with open(sys.argv[1], "wb") as f:
    f.write(b"Received: by mx.example.net with LMTP id 1\n" * 1000)
    f.write(b"Received: from a (a [192.0.2.1]) by mx.example.net\n" + good)
with open(sys.argv[2], "wb") as f:
    f.write(b"Received: from " + b"([" * 32768 + b" [192.0.2.1]\n" + good)
with open(sys.argv[3], "wb") as f:
    f.write(b"Received: from \xff\xfe\x01 ([IPv6:::::::::::1]) by\n"
            b"Received: from x ([300.1.1.1]) by y\n"
            b"Return-Path: <a b>\n" + good)
PY
run 0 "${S[@]}" --message "$tmp/many.eml"
contains "$tmp/out" 'dkim      pass'
run 0 "${S[@]}" --message "$tmp/big.eml"
# (8-bit octets in the header fail R12; nothing of the envelope is taken)
run 2 "${S[@]}" --json --profile gmail --message "$tmp/junk.eml"
expect 'd["compliance"]["envelope"]["missing"]' "['ip', 'helo', 'mail_from']"
expect '[r["id"] for r in d["compliance"]["rules"] if r["state"]=="fail"]' \
  "['R12']"

echo "cli_questions: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
