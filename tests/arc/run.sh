#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run.sh: ARC (RFC 8617) end to end, with dkimpy as the oracle.
#
# 1. cases.py makes the corpus: an RSA-2048 key generated now with openssl,
#    chains of 1, 2 and 3 ARC sets sealed by dkimpy's dkim.arc_sign(),
#    broken ones (a changed seal, a body changed after the last AMS, cv=fail,
#    no key, a DNS timeout) and hostile ones (instance 51, a duplicated
#    instance, a seal over a missing AMS, garbage tags, 64 KiB fields), the
#    key records, our expected verdicts and dkim.arc_verify()'s.
# 2. tests/dkim/keyserver.py serves the key records on 127.0.0.1 (one name
#    never answers).
# 3. mxcheck --json checks every message; cases.py compares with the
#    expectations and with dkimpy (known differences are listed).
# 4. The compliance report of a message whose chain fails: R16 says so, and
#    the Authentication-Results field carries arc=.
#
# Exit status: 0 pass, 1 fail, 77 skip (no python3 with dkimpy and authres,
# or no openssl), 99 error.
set -u

me=arc-run
here=$(cd "$(dirname "$0")" && pwd) || exit 99
if [ -n "${MXC_SRCDIR:-}" ] && [ -f "$MXC_SRCDIR/tests/arc/cases.py" ]; then
  here=$MXC_SRCDIR/tests/arc
fi
MXCHECK=${MXCHECK:-cli/mxcheck}

die() {
  echo "$me: $*" >&2
  exit 99
}

python=
for p in ${PYTHON3:-} python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 &&
    "$p" -c 'import dkim, authres; dkim.arc_sign' 2>/dev/null; then
    python=$p
    break
  fi
done
if [ -z "$python" ]; then
  echo "SKIP: no python3 with dkimpy and authres (Debian: python3-dkim)"
  exit 77
fi
command -v openssl >/dev/null 2>&1 || { echo "SKIP: openssl not found"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxc-arc.XXXXXX") || die "mktemp failed"
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$python" "$here/cases.py" make "$tmp" || die "cases.py make failed"

"$python" "$here/../dkim/keyserver.py" --table "$tmp/keys.table" \
  --port-file "$tmp/port" 2>"$tmp/server.log" &
server_pid=$!
for ((i = 0; i < 100; i++)); do
  [ -s "$tmp/port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "keyserver.py exited"; }
  sleep 0.05
done
[ -s "$tmp/port" ] || die "keyserver.py did not start"
port=$(cat "$tmp/port")

args=()
for f in "$tmp"/msg/*.eml; do
  args+=(--message "$f")
done

fail=0
"$MXCHECK" --server "127.0.0.1:$port" --timeout 1 --tries 1 --json --jobs 1 \
  "${args[@]}" >"$tmp/out.jsonl" 2>"$tmp/err"
rc=$?
case $rc in
  0 | 1 | 2 | 3) ;;
  *) echo "FAIL: mxcheck exited $rc"; sed 's/^/  | /' "$tmp/err" | head; fail=1 ;;
esac
"$python" "$here/cases.py" check "$tmp" "$tmp/out.jsonl" || fail=1

# One message whose chain passes: exit status of the DKIM-less message is
# WARNING (dkim=none), never CRITICAL because of ARC.
"$MXCHECK" --server "127.0.0.1:$port" --timeout 1 --tries 1 \
  --no-trace --message "$tmp/msg/chain2.eml" >"$tmp/t.txt" 2>&1
code=$?
if [ "$code" -eq 1 ] && grep -q '^  arc       pass  2 ARC sets verified, sealed by hop2.example, hop1.example$' "$tmp/t.txt"; then
  echo "ok: text report of a 2-set chain, exit 1"
else
  echo "FAIL: text report of a 2-set chain (exit $code)"
  sed 's/^/  | /' "$tmp/t.txt"
  fail=1
fi

# The compliance report: R16 takes the verdict; arc= in the field.
"$MXCHECK" --server "127.0.0.1:$port" --timeout 1 --tries 1 --json \
  --message "$tmp/msg/broken-seal.eml" 192.0.2.1 --profile gmail \
  >"$tmp/c.json" 2>/dev/null
got=$("$python" -c '
import json, sys
o = json.load(open(sys.argv[1]))
r16 = [r for r in o["compliance"]["rules"] if r["id"] == "R16"][0]
print(r16["state"], o["arc_result"]["result"], r16["evidence"][:9])' "$tmp/c.json")
if [ "$got" = "warn fail arc=fail:" ]; then
  echo "ok: R16 of a broken chain: $got"
else
  echo "FAIL: R16 of a broken chain: '$got', want 'warn fail arc=fail:'"
  fail=1
fi
ar=$("$MXCHECK" --server "127.0.0.1:$port" --timeout 1 --tries 1 --authres \
  --message "$tmp/msg/chain3.eml" 192.0.2.1 2>/dev/null)
case $ar in
  *"; arc=pass header.oldest-pass=0") echo "ok: $ar" ;;
  *) echo "FAIL: Authentication-Results without arc=pass: $ar"; fail=1 ;;
esac
if "$python" -c '
import sys, authres
authres.AuthenticationResultsHeader.parse(sys.argv[1])' "$ar"; then
  echo "ok: the field parses (python3-authres)"
else
  echo "FAIL: the field does not parse"
  fail=1
fi

exit $fail
