#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# CLI tests of the DNSSEC check of --zone files: a zone signed at test
# time by ldns-signzone (ldnsutils) with explicit inception and expiration,
# then broken on purpose -- expired, not yet valid, expiring within the
# horizon, a key tag whose DNSKEY is gone, a tampered record, an RRset
# without signature -- and an unsigned zone.  RSASHA256, ECDSAP256SHA256
# and ED25519.  The names asked are all answered from the file; the rest
# (reverse names) goes to the fixture of tests/dnsfixture.sh.
set -u

for t in ldns-keygen ldns-signzone python3; do
  if ! command -v "$t" >/dev/null 2>&1; then
    echo "SKIP: $t not installed (Debian: ldnsutils)"
    exit 77
  fi
done
# shellcheck source=tests/clilib.sh
. "$(dirname "$0")/clilib.sh"
SERVER=$MXC_TEST_DNS

cat >"$tmp/signed.test.zone" <<'ZONE'
$ORIGIN signed.test.
$TTL 300
@       SOA  ns1.signed.test. hostmaster.signed.test. 1 3600 600 86400 60
        NS   ns1.signed.test.
        MX   10 Mail.Signed.test.
        TXT  "v=spf1 ip4:192.0.2.1 -all"
ns1     A    192.0.2.53
mail    A    192.0.2.1
_dmarc  TXT  "v=DMARC1; p=reject"
*.wild  TXT  "v=spf1 ip4:192.0.2.1 -all"
ZONE

now=$(date +%s)
day=86400
# keys ALG: a KSK and a ZSK; their base names in $ksk, $zsk
keys() {
  (cd "$tmp" && ldns-keygen -a "$1" -b 2048 -k signed.test >ksk &&
    ldns-keygen -a "$1" -b 1024 signed.test >zsk) || exit 99
  ksk=$tmp/$(cat "$tmp/ksk")
  zsk=$tmp/$(cat "$tmp/zsk")
}
# sign OUT INCEPTION EXPIRATION (seconds from now)
sign() {
  ldns-signzone -i $((now + $2)) -e $((now + $3)) -f "$tmp/$1" \
    "$tmp/signed.test.zone" "$ksk" "$zsk" || exit 99
}

# check ZONEFILE [OPTIONS...]: the JSON report of the DNSSEC check into
# $tmp/d ("RESULT" then "STATE CODE OWNER TYPE" per finding), the text
# report into $tmp/text, the exit code into $rc
check() {
  local z=$1
  shift
  NO_COLOR=1 "$MXCHECK" --server "$SERVER" --timeout 2 --json --zone "$z" \
    --domain signed.test -f x@a.wild.signed.test "$@" 192.0.2.1 \
    >"$tmp/json" 2>"$tmp/err" </dev/null
  rc=$?
  NO_COLOR=1 "$MXCHECK" --server "$SERVER" --timeout 2 --color never \
    --zone "$z" --domain signed.test -f x@a.wild.signed.test "$@" 192.0.2.1 \
    >"$tmp/text" 2>&1 </dev/null
  python3 - "$tmp/json" >"$tmp/d" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if "dnssec" in o:
        d = o["dnssec"]
        print(d["result"], d["rrsets"], d["verified"])
        for f in d["findings"]:
            print(f["state"], f["code"], f["owner"], f["type"])
    if "zones" in o:
        print("zones", " ".join(str(z.get("signed")) for z in o["zones"]))
PY
}
# want LINE: $tmp/d has this line; wantnot PATTERN: no line matches
want() {
  if grep -qxF -- "$1" "$tmp/d"; then ok; else
    bad "$CASE: no line \"$1\""
    sed 's/^/  | /' "$tmp/d" | head -20
  fi
}
wantnot() {
  if grep -q -- "$1" "$tmp/d"; then
    bad "$CASE: a line matches \"$1\""
    sed 's/^/  | /' "$tmp/d" | head -20
  else ok; fi
}
text() {
  if grep -qF -- "$1" "$tmp/text"; then ok; else
    bad "$CASE: the text report lacks \"$1\""
    sed 's/^/  | /' "$tmp/text" | tail -20
  fi
}

# Good zones of three algorithms: every RRset the checks read, and the
# apex SOA and DNSKEY: 7 RRsets, 7 signatures verified.
for alg in RSASHA256 ECDSAP256SHA256 ED25519; do
  CASE="good $alg"
  keys $alg
  sign good-$alg.zone -$day $((30 * day))
  check "$tmp/good-$alg.zone"
  want "pass 7 7"
  want "zones True"
  wantnot '^fail\|^warn'
  text "dnssec    pass  7 RRsets checked, 7 signatures verified"
done

# The rest on ECDSAP256SHA256.
keys ECDSAP256SHA256
zsktag=$(sed 's/.*+//; s/^0*//' "$tmp/zsk")

CASE=expired
sign expired.zone $((-30 * day)) $((-2 * day - 3600))
check "$tmp/expired.zone"
want "fail 7 0"
want "fail expired _dmarc.signed.test TXT"
want "fail expired *.wild.signed.test TXT"
text "the signature of _dmarc.signed.test TXT (key tag $zsktag) expired 2 days ago"
[ "$rc" -eq 2 ] && ok || bad "$CASE: exit $rc, want 2"
"$MXCHECK" --server "$SERVER" --timeout 2 --nagios --zone "$tmp/expired.zone" \
  --domain signed.test >"$tmp/text" 2>&1 </dev/null
text "CRITICAL signed.test: dnssec fail: "

CASE="not yet valid"
sign future.zone $((2 * day)) $((30 * day))
check "$tmp/future.zone"
want "fail not-yet-valid signed.test MX"
text "is not valid before"

CASE=expiring
sign soon.zone -$day $((2 * day + 3600))
check "$tmp/soon.zone"
want "pass 7 7"
want "warn expiring _dmarc.signed.test TXT"
text "signatures of _dmarc.signed.test TXT expire in 2 days"
CASE="expiring, horizon 1 day"
check "$tmp/soon.zone" --dnssec-horizon 1
want "pass 7 7"
wantnot '^warn'

CASE=orphaned
sign good.zone -$day $((30 * day))
# the ZSK's DNSKEY removed: the RRSIGs made with it name a key tag that
# no DNSKEY has (the KSK's signature of the DNSKEY RRset then fails too)
grep -v 'DNSKEY.256 ' "$tmp/good.zone" >"$tmp/orphan.zone"
check "$tmp/orphan.zone"
want "fail no-key signed.test MX"
want "fail bogus signed.test DNSKEY"
text "the signature of signed.test MX names key tag $zsktag (ECDSAP256SHA256), which no DNSKEY of signed.test has"

CASE="orphaned, --diff"
"$MXCHECK" --server "$SERVER" --timeout 2 --diff --zone "$tmp/orphan.zone" \
  --domain signed.test >"$tmp/text" 2>&1 </dev/null
text "signed.test (DNSSEC of the draft zone file)"
text "  ! fail: the signature of signed.test MX names key tag $zsktag"

CASE=tampered
sed 's/v=DMARC1; p=reject/v=DMARC1; p=none/' "$tmp/good.zone" \
  >"$tmp/tampered.zone"
check "$tmp/tampered.zone"
want "fail 7 7"
want "fail bogus _dmarc.signed.test TXT"
wantnot "signed.test MX"
text "does not verify: the records differ from what was signed"

CASE="RRset without signature"
grep -v '^mail\.signed\.test\..*RRSIG' "$tmp/good.zone" >"$tmp/nosig.zone"
check "$tmp/nosig.zone"
want "fail unsigned mail.signed.test A"
text "mail.signed.test A has no signature (RRSIG) in a signed zone"

CASE="unsigned zone"
check "$tmp/signed.test.zone"
want "zones False"
wantnot '^pass\|^fail\|^none'
text "signed.test ($tmp/signed.test.zone: "
text ", not signed)"

CASE="hostile RRSIG and DNSKEY"
{
  cat "$tmp/good.zone"
  echo 'signed.test. 300 IN DNSKEY 256 3 13 AQIDBA=='
  echo 'signed.test. 300 IN RRSIG TXT 13 2 300 20300101000000 20200101000000 1 signed.test. AQIDBA=='
  echo 'signed.test. 300 IN RRSIG TXT 253 2 300 20300101000000 20200101000000 1 signed.test. AQIDBA=='
  echo 'signed.test. 300 IN RRSIG TXT 13 9 300 20300101000000 20200101000000 1 signed.test. AQIDBA=='
} >"$tmp/hostile.zone"
check "$tmp/hostile.zone"
# an unsigned key added to the DNSKEY RRset: its signature breaks
want "fail bogus signed.test DNSKEY"
# the good signature of the TXT stands; the others are warnings
want "warn no-key signed.test TXT"
want "warn malformed signed.test TXT"

# A key rollover: the published zone (served by a Knot server of its own)
# is signed with the KSK and ZSK above; the draft with a new ZSK.
CASE=rollover
zsk1=$zsk
cp "$zsk1.key" "$tmp/zsk1.key"
(cd "$tmp" && ldns-keygen -a ECDSAP256SHA256 signed.test >zsk2) || exit 99
zsk2=$tmp/$(cat "$tmp/zsk2")
zsk2tag=$(sed 's/.*+//; s/^0*//' "$tmp/zsk2")
mkdir -p "$tmp/live"
cp "$tmp/good.zone" "$tmp/live/signed.test.zone"
zsk=$zsk2
sign rolled.zone -$day $((30 * day))
# live NAME...: run check inside a fixture serving $tmp/live
live() {
  MXC_TEST_DNS= bash "$(dirname "$0")/dnsfixture.sh" --zones "$tmp/live" -- \
    bash -c 'SERVER=$MXC_TEST_DNS; . "$1"; shift; check "$@"; echo "$rc" >"$tmp/rc"' \
    sh "$tmp/fns" "$@" || bad "$CASE: the fixture failed"
}
declare -f check >"$tmp/fns"
echo "MXCHECK=$MXCHECK; tmp=$tmp" >>"$tmp/fns"
live "$tmp/rolled.zone"
want "warn rollover signed.test DNSKEY"
text "key tag $zsk2tag (ECDSAP256SHA256) signs the zone file but is not in the DNSKEY RRset published now for signed.test (TTL 300 s)"
text "fix       publish the new DNSKEY first"
# the new ZSK pre-published in the live zone: no warning
CASE="rollover, key pre-published"
cat "$tmp/signed.test.zone" "$zsk2.key" >"$tmp/pre.zone"
ldns-signzone -i $((now - day)) -e $((now + 30 * day)) \
  -f "$tmp/live/signed.test.zone" "$tmp/pre.zone" "$ksk" "$zsk1" || exit 99
live "$tmp/rolled.zone"
want "pass 7 7"
wantnot "rollover"
# the draft as published (same keys): nothing
CASE="no rollover"
cp "$tmp/good.zone" "$tmp/live/signed.test.zone"
live "$tmp/good.zone"
want "pass 7 7"
wantnot "rollover"

echo "cli_dnssec.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
