#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# CLI tests of the sender requirements report (--profile, --ip, --authres):
# rules R1-R20 over iprev, SPF, DKIM, DMARC and the header checks, against
# tests/zones/bulk.test.zone and nodmarc.test.zone and the messages in
# tests/compliance/ (signed by tests/compliance/sign.py with the TEST-ONLY
# key whose public half is in those zones).  Runs under tests/dnsfixture.sh.
set -u

MXCHECK=${MXCHECK:-cli/mxcheck}
if [ -z "${MXC_TEST_DNS:-}" ]; then
  echo "SKIP: MXC_TEST_DNS not set (run under tests/dnsfixture.sh)"
  exit 77
fi
src=${MXC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
msg=$src/tests/compliance
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

# states "R1=pass R5=unknown ..." : the JSON in $tmp/out has these states
states() {
  if python3 - "$tmp/out" "$@" <<'PY'; then ok; else bad "states $*"; fi
import json, sys
o = json.load(open(sys.argv[1]))
got = {r["id"]: r["state"] for r in o["compliance"]["rules"]}
err = 0
for kv in sys.argv[2:]:
    k, v = kv.split("=")
    if v == "absent":
        if k in got:
            print("  %s present, want absent" % k); err = 1
    elif got.get(k) != v:
        print("  %s is %s, want %s (%s)" % (k, got.get(k), v,
              [r["evidence"] for r in o["compliance"]["rules"] if r["id"] == k]))
        err = 1
for r in o["compliance"]["rules"]:
    if list(r) != ["id", "title", "state", "required", "unknown", "evidence",
                   "fix", "source"]:
        print("  rule keys", list(r)); err = 1
    if r["state"] not in ("pass", "warn", "fail", "unknown"):
        print("  bad state", r); err = 1
    if (r["state"] == "unknown") != (r["unknown"] is not None) or \
            r["unknown"] not in (None, "not-applicable", "not-observable-here",
                                 "not-implemented", "indeterminate"):
        print("  bad unknown", r); err = 1
    if r["state"] in ("warn", "fail") and not r["fix"]:
        print("  no fix for", r["id"]); err = 1
    if r["state"] == "pass" and r["fix"]:
        print("  fix on a pass", r["id"]); err = 1
    if not r["evidence"]:
        print("  no evidence", r["id"]); err = 1
sys.exit(err)
PY
}

good="--mail-from news@bulk.test --helo good4.mxcheck.test"

# 1. A compliant bulk message: every decidable rule passes; rules not
#    asked for (R19 without --dnsbl, a recommendation), not observable here
#    (R14) or not applicable (R20 for IPv4) do not change the verdict.
run 0 --json --profile gmail-bulk --ip 192.0.2.1 $good \
  --message "$msg/good.eml" &&
  states R1=pass R2=pass R3=pass R4=pass R5=pass R6=pass R7=pass R8=pass \
    R9=pass R10=pass R11=pass R12=pass R13=pass R14=unknown R15=pass \
    R16=pass R17=pass R18=pass R19=unknown R20=unknown
python3 -c 'import json,sys; o=json.load(open(sys.argv[1]))
c = o["compliance"]; why = {r["id"]: r["unknown"] for r in c["rules"]}
assert c["verdict"] == "pass", c["verdict"]
assert why["R20"] == "not-applicable" and why["R14"] == "not-observable-here"
assert why["R13"] is None and why["R19"] == "indeterminate"' \
  "$tmp/out" && ok || bad "verdict and why unknown"
# the same as ADDRESS instead of --ip, text report
run 0 --profile gmail-bulk 192.0.2.1 $good --message "$msg/good.eml" &&
  grep -q '^  compliance  profile gmail-bulk: pass' "$tmp/out" && ok ||
  bad "text report header"
grep -q 'R20  .*\[not-applicable\]$' "$tmp/out" && ok ||
  bad "text report: why unknown"
# JSON: the sub-results are there too
run 0 --json --profile yahoo-bulk --ip 192.0.2.1 $good \
  --message "$msg/good.eml" &&
  python3 -c 'import json,sys; o=json.load(open(sys.argv[1]))
assert o["compliance"]["profile"] == "yahoo-bulk"
for k in ("iprev", "spf", "dmarc", "dkim_result"): assert k in o, k
assert [r["id"] for r in o["compliance"]["rules"]] == ["R%d" % i for i in range(1, 21)]' \
    "$tmp/out" && ok || bad "JSON members"
# the profile "gmail" (all senders) has no R8 and no R15
run 0 --json --ip 192.0.2.1 $good --message "$msg/good.eml" &&
  states R8=absent R15=absent R9=pass

# 2. IPv6 without PTR, no one-click unsubscribe (mailto only): R1 R2 R20
#    fail even though SPF and DKIM pass.
run 2 --json --profile gmail-bulk --ip 2001:db8::5 --mail-from news@bulk.test \
  --message "$msg/no-oneclick.eml" &&
  states R1=fail R2=fail R20=fail R15=fail R5=pass R6=pass R7=pass R3=unknown \
    R4=unknown
# Yahoo accepts mailto: a warning there
run 2 --json --profile yahoo-bulk --ip 2001:db8::5 --mail-from news@bulk.test \
  --message "$msg/no-oneclick.eml" && states R15=warn R20=fail
# IPv6 with PTR: R20 passes
run 2 --json --profile gmail-bulk --ip 2001:db8::1 --mail-from news@bulk.test \
  --message "$msg/good.eml" && states R1=pass R2=pass R20=pass R5=fail

# 3. No DMARC record: fail for bulk senders, a warning for all senders.
run 2 --json --profile gmail-bulk --ip 192.0.2.1 \
  --mail-from news@nodmarc.test --message "$msg/no-dmarc.eml" &&
  states R9=fail R10=pass R5=pass R6=pass R8=pass
run 1 --json --profile gmail --ip 192.0.2.1 --helo good4.mxcheck.test \
  --mail-from news@nodmarc.test --message "$msg/no-dmarc.eml" &&
  states R9=warn R10=pass

# 4. From misaligned: SPF and DKIM pass for nodmarc.test, From bulk.test.
run 2 --json --profile microsoft-bulk --ip 192.0.2.1 \
  --mail-from news@nodmarc.test --message "$msg/misaligned.eml" &&
  states R10=fail R9=pass R7=pass R8=pass
# one-click fields that no signature covers
run 2 --json --profile gmail-bulk --ip 192.0.2.1 $good \
  --message "$msg/unsigned-oneclick.eml" && states R15=fail R6=pass

# 5. A broken header impersonating gmail.com, no DKIM: R12 R11 fail, R18
#    warns, no SPF given: R5 unknown, R7 unknown (DKIM does not pass; SPF,
#    not given, could).
run 2 --json --ip 192.0.2.1 --message "$msg/bad.eml" &&
  states R12=fail R11=fail R18=warn R5=unknown R7=unknown R6=warn
python3 - "$tmp/out" <<'PY' && ok || bad "R12 evidence"
import json, sys
o = json.load(open(sys.argv[1]))
ev = [r["evidence"] for r in o["compliance"]["rules"] if r["id"] == "R12"][0]
for want in ("2 From: fields", "to: appears 2 times", "Message-ID: is not",
             "Date: does not parse", "malformed header", "8-bit"):
    assert want in ev, (want, ev)
PY
# no message: the message rules are unknown (indeterminate: the input is
# missing), never a silent pass; so is the verdict (UNKNOWN)
run 3 --json --ip 192.0.2.1 $good &&
  states R6=unknown R9=unknown R12=unknown R11=unknown R7=pass
# no PTR at all (IPv4): R1 fails
run 2 --json --ip 192.0.2.5 --mail-from news@bulk.test &&
  states R1=fail R2=fail R20=unknown

# A dead resolver (a loopback port nobody listens on): every lookup fails,
# so the report and its Authentication-Results are UNKNOWN (exit 3), never
# a pass and never a fail.
dead=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
deadrun() {
  local want=$1 got
  shift
  "$MXCHECK" --server "127.0.0.1:$dead" -t 1 --color never "$@" \
    >"$tmp/out" 2>"$tmp/err" </dev/null
  got=$?
  if [ "$got" -ne "$want" ]; then
    bad "dead resolver: mxcheck $* exited $got, want $want"
    sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -40
    return 1
  fi
  ok
}
deadrun 3 --json --profile gmail-bulk --ip 192.0.2.1 $good \
  --message "$msg/good.eml" &&
  python3 -c 'import json,sys; o=json.load(open(sys.argv[1]))
c = o["compliance"]
assert c["verdict"] == "unknown", c["verdict"]
st = {r["id"]: (r["state"], r["unknown"]) for r in c["rules"]}
for k in ("R1", "R2", "R5", "R6", "R9", "R10"):
    assert st[k] == ("unknown", "indeterminate"), (k, st[k])
assert not [k for k, v in st.items() if v[0] == "fail"], st' \
    "$tmp/out" && ok || bad "dead resolver: indeterminate rules"
deadrun 3 --authres --ip 192.0.2.1 $good --message "$msg/good.eml" &&
  grep -q 'iprev=temperror' "$tmp/out" && ok || bad "dead resolver: A-R"
deadrun 3 --profile gmail-bulk --ip 192.0.2.1 $good --message "$msg/good.eml" &&
  grep -q '^  compliance  profile gmail-bulk: unknown' "$tmp/out" && ok ||
  bad "dead resolver: text verdict"

# 6. Authentication-Results (RFC 8601), parsed back.
run 0 --authres --authserv-id mx.example.net --ip 192.0.2.1 $good \
  --message "$msg/good.eml" &&
  python3 - "$tmp/out" <<'PY' && ok || bad "A-R syntax"
import re, sys
line = open(sys.argv[1]).read()
assert line.endswith("\n") and line.count("\n") == 1, repr(line)
name, _, value = line.rstrip("\n").partition(": ")
assert name == "Authentication-Results", name
token = r'[^\s()<>@,;:\\"/\[\]?=]+'
pvalue = r'(?:"(?:[^"\\]|\\.)*"|[^\s;"]+)'
parts = [p.strip() for p in value.split(";")]
assert re.fullmatch(token + r'(?:\.' + token + r')*', parts[0]), parts[0]
got = {}
for p in parts[1:]:
    m = re.fullmatch(r'(%s)=(%s)((?:\s+%s\.%s=%s)*)' %
                     (token, token, token, token, pvalue), p)
    assert m, p
    props = dict(re.findall(r'(%s\.%s)=(%s)' % (token, token, pvalue), m.group(3)))
    got.setdefault(m.group(1), []).append((m.group(2), props))
assert parts[0] == "mx.example.net"
assert got["iprev"] == [("pass", {"policy.iprev": "192.0.2.1"})], got
assert got["spf"] == [("pass", {"smtp.mailfrom": "news@bulk.test"})], got
assert got["dkim"] == [("pass", {"header.d": "bulk.test", "header.s": "s2048"})], got
assert got["dmarc"] == [("pass", {"header.from": "bulk.test"})], got
PY
run 2 --authres --ip 192.0.2.1 --mail-from news@nodmarc.test \
  --message "$msg/misaligned.eml" &&
  grep -q '^Authentication-Results: mxcheck; iprev=pass policy.iprev=192.0.2.1; spf=pass smtp.mailfrom=news@nodmarc.test; dkim=pass header.d=nodmarc.test header.s=s2048; dmarc=fail header.from=bulk.test$' \
    "$tmp/out" && ok || bad "A-R misaligned: $(cat "$tmp/out")"

# 6b. Several author domains (RFC 7489 section 6.6.1): From holds
#     news@bulk.test (DMARC passes: DKIM d=bulk.test) and
#     b@reject.authors.test (p=reject, nothing aligned), in both orders
#     (tests/compliance/two-authors-*.eml, signed by sign.py): the failing
#     p=reject decides either way; every domain is in the JSON and has its
#     dmarc= in Authentication-Results, in From order.
for order in fwd rev; do
  if [ $order = fwd ]; then doms="bulk.test reject.authors.test"
  else doms="reject.authors.test bulk.test"; fi
  run 2 --json --ip 192.0.2.1 $good --message "$msg/two-authors-$order.eml" &&
    states R9=pass R10=fail R11=pass R12=fail R6=pass
  python3 - "$tmp/out" $doms <<'PY' && ok || bad "two authors ($order): JSON"
import json, sys
o = json.load(open(sys.argv[1]))
doms = sys.argv[2:]
c = o["compliance"]
assert o["dmarc"]["header.from"] == "reject.authors.test", o["dmarc"]
assert o["dmarc"]["result"] == "fail" and o["dmarc"]["policy"] == "reject"
assert c["author_domains"] == doms, c["author_domains"]
assert c["dmarc_decisive"] == "reject.authors.test"
assert c["authors_not_evaluated"] == 0
got = [(d["header.from"], d["result"]) for d in o["dmarc_domains"]]
want = [(d, "pass" if d == "bulk.test" else "fail") for d in doms]
assert got == want, got
PY
  run 2 --authres --ip 192.0.2.1 $good \
    --message "$msg/two-authors-$order.eml" || continue
  set -- $doms
  want="dmarc=$( [ "$1" = bulk.test ] && echo pass || echo fail) header.from=$1; dmarc=$( [ "$2" = bulk.test ] && echo pass || echo fail) header.from=$2"
  grep -q "; dkim=pass header.d=bulk.test header.s=s2048; $want\$" "$tmp/out" &&
    ok || bad "two authors ($order): A-R $(cat "$tmp/out")"
done

# 7. Usage and bad input.
run 3 --profile hotmail --ip 192.0.2.1
run 3 --profile gmail --ip 192.0.2.1 192.0.2.2
run 3 --profile gmail
run 3 --ip not-an-address --mail-from news@bulk.test
run 3 --ip 192.0.2.1 --message "$tmp/does-not-exist.eml"
# hostile input: NULs, bare CR, a huge folded field, no header end
python3 - "$tmp/hostile.eml" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    f.write(b"From: a@bulk.test\x00x\r\nSubject: \r x\rEvil\r\n")
    f.write(b"To: " + b"x@y.example, " * 100000 + b"\r\n")
    f.write(b"X-Fold: a\r\n" + b" b\r\n" * 20000)
    f.write(b"Message-ID: <\xff@x>\r\nno colon here\r\nbody")
PY
run 2 --json --ip 192.0.2.1 --message "$tmp/hostile.eml" && states R12=fail

# --- several messages after one --message, in argument order -------------
run 1 --json --message "$msg/good.eml" "$msg/bad.eml" "$msg/good.eml"
python3 - "$tmp/out" <<'PY' && ok || bad "three messages after one --message"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
names = [d["message"] if isinstance(d.get("message"), str) else d.get("input")
         for d in docs]
assert len(docs) == 3, len(docs)
assert [n.rsplit("/", 1)[-1] for n in names] == ["good.eml", "bad.eml",
                                                 "good.eml"], names
PY
run 1 --message "$msg/good.eml" --message "$msg/bad.eml"
grep -c '^  dkim ' "$tmp/out" | grep -qx 2 && ok || bad "--message twice"
mkdir "$tmp/spool"
cp "$msg/good.eml" "$tmp/spool/a.eml"
cp "$msg/misaligned.eml" "$tmp/spool/b.eml"
(cd "$tmp" && NO_COLOR='' "$MXCHECK" --server "$MXC_TEST_DNS" --json \
  --message spool/*.eml >out.glob 2>/dev/null)
[ "$(wc -l <"$tmp/out.glob")" -eq 2 ] && ok || bad "--message *.eml"
# with the client ADDRESS among the arguments: a compliance report each
run 2 --json --message "$msg/good.eml" "$msg/misaligned.eml" \
  --mail-from news@nodmarc.test 192.0.2.1
python3 - "$tmp/out" <<'PY' && ok || bad "a report per message"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
v = [d["compliance"]["verdict"] for d in docs]
assert v == ["warn", "fail"], v
assert all(d["address"] == "192.0.2.1" for d in docs)
PY
run 3 --message "$msg/good.eml" 192.0.2.1 192.0.2.2
contains() { grep -q -- "$2" "$1" && ok || bad "$1 lacks '$2'"; }
contains "$tmp/err" "one client ADDRESS (got 2)"
run 3 --message "$msg/good.eml" nonsense.eml
contains "$tmp/err" "nonsense.eml: No such file or directory"

# --- the full check: ADDRESS and --ip ADDRESS are one command -------------
# (the man page's "everything receivers check" form once skipped DMARC)
run 2 --message "$msg/misaligned.eml" --mail-from news@nodmarc.test \
  --profile microsoft-bulk 192.0.2.1
cp "$tmp/out" "$tmp/out.pos"
contains "$tmp/out" "compliance  profile microsoft-bulk: fail"
run 2 --message "$msg/misaligned.eml" --mail-from news@nodmarc.test \
  --profile microsoft-bulk --ip 192.0.2.1
cmp -s "$tmp/out" "$tmp/out.pos" && ok || bad "ADDRESS and --ip differ"
run 0 --json --message "$msg/good.eml" $good 192.0.2.1 && states R10=pass

# --- a file that is not a message is refused, one line, exit 3 -----------
: >"$tmp/empty.eml"
head -c 4096 /dev/urandom | LC_ALL=C tr -d '\n' >"$tmp/random.bin"
printf 'just some text\nno header\n' >"$tmp/text.txt"
# white space first: a fold of no field (random bytes begin so 1 time in 128)
printf '\t\001\377 x: y\r\nFrom: a@example.org\r\n\r\nbody\r\n' >"$tmp/fold.bin"
for f in "$tmp/empty.eml" /bin/ls "$tmp/random.bin" "$tmp/text.txt" \
  "$tmp/fold.bin" "$tmp"; do
  run 3 --message "$f" || continue
  if [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ] &&
    grep -q "not a message" "$tmp/err"; then ok; else
    bad "$f: not refused as a non-message"
    sed 's/^/  | /' "$tmp/err"
  fi
  run 3 --message "$f" --mail-from news@bulk.test 192.0.2.1
  contains "$tmp/err" "not a message"
done
# one bad file does not hide the others; it is not counted as checked
run 3 --message "$tmp/random.bin" "$msg/good.eml"
contains "$tmp/err" "1 messages checked: 1 ok, 0 warning, 0 critical, 0 unknown; 1 file not read"
contains "$tmp/out" "dkim"

echo "cli_compliance: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
