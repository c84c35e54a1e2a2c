#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run.sh: DKIM end to end, with dkimpy as the oracle.
#
# 1. cases.py makes the corpus: keys generated now with openssl (RSA
#    512/1024/2048/4096 and Ed25519; RSA-8192 from rsa8192.TEST-ONLY.key),
#    messages signed by dkimpy (simple and relaxed, several signatures per
#    message, tampered, hostile), the key records, our expected verdicts
#    and dkimpy's own.
# 2. keyserver.py serves the key records on 127.0.0.1 (UDP and TCP; one
#    name never answers, one gets SERVFAIL).
# 3. mxcheck --json checks every message in one run (worker processes and
#    all), and again with --jobs 1; cases.py compares with the expectations
#    and with dkimpy (known differences are listed, not failures); the two
#    runs must agree.
# 4. The RFC 8463 Appendix A.3 message against the static zone served by
#    Knot (tests/zones/football.example.com.zone), by the fixture.
# 5. Peak memory of the corpus run stays bounded.
#
# Run under tests/dnsfixture.sh by make check (MXC_TEST_DNS).  Exit status:
# 0 pass, 1 fail, 77 skip (no python3 with dkimpy, or no openssl), 99 error.
set -u

me=dkim-run
here=$(cd "$(dirname "$0")" && pwd) || exit 99
if [ -n "${MXC_SRCDIR:-}" ] && [ -f "$MXC_SRCDIR/tests/dkim/cases.py" ]; then
  here=$MXC_SRCDIR/tests/dkim
fi
MXCHECK=${MXCHECK:-cli/mxcheck}
# Peak resident memory allowed for the corpus run, KiB.  The corpus holds
# messages with a 1 MB field and with 10,000 fields; every message's header
# is held only until its keys are in.
MAX_RSS_KB=${MAX_RSS_KB:-400000}

die() {
  echo "$me: $*" >&2
  exit 99
}

python=
for p in ${PYTHON3:-} python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 &&
    "$p" -c 'import dkim, nacl' 2>/dev/null; then
    python=$p
    break
  fi
done
if [ -z "$python" ]; then
  echo "SKIP: no python3 with dkimpy and pynacl (Debian: python3-dkim)"
  exit 77
fi
command -v openssl >/dev/null 2>&1 || { echo "SKIP: openssl not found"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxc-dkim.XXXXXX") || die "mktemp failed"
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

"$python" "$here/keyserver.py" --table "$tmp/keys.table" \
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
# The corpus, every message in one run, and its peak memory.
"$python" - "$MXCHECK" "$tmp/out.jsonl" "$tmp/err" "$tmp/rss" \
  --server "127.0.0.1:$port" --timeout 2 --tries 2 --json "${args[@]}" <<'PY'
import resource, subprocess, sys
cmd = sys.argv[1:2] + sys.argv[5:]
with open(sys.argv[2], "wb") as out, open(sys.argv[3], "wb") as err:
    rc = subprocess.run(cmd, stdout=out, stderr=err).returncode
open(sys.argv[4], "w").write("%d %d\n" % (
    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc))
PY
read -r rss rc <"$tmp/rss"
case $rc in
  0 | 1 | 2 | 3) ;;
  *) echo "FAIL: mxcheck exited $rc"; sed 's/^/  | /' "$tmp/err" | head; fail=1 ;;
esac
"$python" "$here/cases.py" check "$tmp" "$tmp/out.jsonl" || fail=1
if [ "$rss" -gt "$MAX_RSS_KB" ]; then
  echo "FAIL: peak memory ${rss} KiB over ${MAX_RSS_KB} KiB"
  fail=1
else
  echo "peak memory of the corpus run: ${rss} KiB (limit ${MAX_RSS_KB})"
fi
if grep -q 'line [0-9]* is not a header field' "$tmp/err"; then
  echo "ok: the missing header/body separator is reported on stderr"
else
  echo "FAIL: no warning for the missing header/body separator"
  fail=1
fi

# One process (--jobs 1) must say the same as the workers.
"$MXCHECK" --server "127.0.0.1:$port" --timeout 2 --tries 2 --json --jobs 1 \
  "${args[@]}" >"$tmp/out1.jsonl" 2>/dev/null
if cmp -s <(sort "$tmp/out.jsonl") <(sort "$tmp/out1.jsonl"); then
  echo "ok: --jobs 1 and the worker processes agree"
else
  echo "FAIL: --jobs 1 and the worker processes disagree"
  diff <(sort "$tmp/out.jsonl") <(sort "$tmp/out1.jsonl") | head -5
  fail=1
fi

# The two paths agree: verification on the keys cached in the context
# (libopendkim computes the hashes, the key is decoded once) and
# libopendkim's own (MXC_DKIM_LIBOPENDKIM_ONLY=1) give the same output.
MXC_DKIM_LIBOPENDKIM_ONLY=1 "$MXCHECK" --server "127.0.0.1:$port" --timeout 2 \
  --tries 2 --json --jobs 1 "${args[@]}" >"$tmp/out0.jsonl" 2>/dev/null
if cmp -s "$tmp/out0.jsonl" "$tmp/out1.jsonl"; then
  echo "ok: cached keys and libopendkim alone agree ($(wc -l <"$tmp/out1.jsonl") messages)"
else
  echo "FAIL: cached keys and libopendkim alone disagree"
  diff "$tmp/out0.jsonl" "$tmp/out1.jsonl" | head -5
  fail=1
fi
# The relaxed body canonicalised here (on learned keys) against
# libopendkim's: with MXC_DKIM_CANON_CHECK=1 each such body goes to both
# and mxcheck aborts when the two body hashes differ; the output must be
# the same as without the check.
MXC_DKIM_CANON_CHECK=1 "$MXCHECK" --server "127.0.0.1:$port" --timeout 2 \
  --tries 2 --json --jobs 1 "${args[@]}" >"$tmp/out2.jsonl" 2>"$tmp/err2"
st=$?
if [ "$st" -le 3 ] && cmp -s "$tmp/out2.jsonl" "$tmp/out1.jsonl"; then
  echo "ok: the body hashes of both canonicalisers agree ($(wc -l <"$tmp/out2.jsonl") messages)"
else
  echo "FAIL: MXC_DKIM_CANON_CHECK=1 run: exit $st or other output"
  head -5 "$tmp/err2"
  diff "$tmp/out2.jsonl" "$tmp/out1.jsonl" | head -5
  fail=1
fi
# The same in one process, each message through both paths (and twice
# through the cached keys), with counts showing the cached keys were used
# (tests/check_dkim.c, paths_agree_corpus).
ckd=${MXC_CHECK_DKIM:-$(dirname "$MXCHECK")/../tests/check_dkim}
if [ -x "$ckd" ]; then
  if CK_RUN_CASE=paths MXC_DKIM_CORPUS=$tmp/msg \
    MXC_DKIM_KEYSERVER=127.0.0.1:$port "$ckd" >"$tmp/paths.log" 2>&1; then
    grep '^paths: ' "$tmp/paths.log" | sed 's/^/ok: both paths agree, /'
  else
    echo "FAIL: the paths disagree"
    sed 's/^/  | /' "$tmp/paths.log" | head -40
    fail=1
  fi
else
  echo "note: $ckd not built (no Check): the paths compared by the CLI only"
fi

# RFC 8463 A.3 against Knot (static zone), CRLF and LF.
if [ -n "${MXC_TEST_DNS:-}" ]; then
  rfc=$here/rfc8463-a3.eml
  tr -d '\r' <"$rfc" >"$tmp/rfc-lf.eml"
  for m in "$rfc" "$tmp/rfc-lf.eml"; do
    out=$("$MXCHECK" --server "$MXC_TEST_DNS" --json --message "$m")
    code=$?
    got=$(printf '%s\n' "$out" | "$python" -c '
import json, sys
o = json.loads(sys.stdin.read())
print(" ".join("%s/%s/%s" % (s["result"], s["header.a"], s["key_bits"])
               for s in o["dkim"]))')
    want="pass/ed25519-sha256/256 pass/rsa-sha256/1024"
    # 1024-bit RSA: pass with the weak-key warning, so WARNING (1).
    if [ "$got" = "$want" ] && [ "$code" -eq 1 ]; then
      echo "ok: RFC 8463 A.3 ($(basename "$m")): $got"
    else
      echo "FAIL: RFC 8463 A.3 ($(basename "$m")): '$got' exit $code, want '$want' exit 1"
      fail=1
    fi
  done
fi

exit $fail
