#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# golden.sh -- byte-for-byte regression test of mxcheck's output: every
# check (iprev, SPF, DMARC, DKIM, the compliance report) in every rendering
# (text without colour, --json, --authres where it exists), against the
# files in tests/golden/ (NAME.txt: the case's command, its stdout, then its
# exit status).  Runs under tests/dnsfixture.sh (Knot on loopback serving
# tests/zones), as `make check` does.
#
#   tests/golden.sh            compare; a difference is shown as diff -u
#   tests/golden.sh --update   regenerate tests/golden/*.txt from the
#                              current code (then review: git diff)
#
# Run by hand (from the top of a built tree), the script starts the DNS
# fixture itself.  MXCHECK: the binary (default cli/mxcheck).
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
src=${MXC_SRCDIR:-$(cd "$here/.." && pwd)}
MXCHECK=${MXCHECK:-cli/mxcheck}
case $MXCHECK in
  /*) ;;
  *) MXCHECK=$(pwd)/$MXCHECK ;;
esac
update=no
case ${1:-} in
  --update) update=yes ;;
  '') ;;
  *) echo "usage: $0 [--update]" >&2; exit 99 ;;
esac

if [ -z "${MXC_TEST_DNS:-}" ]; then
  if [ -z "${MXC_GOLDEN_FIXTURE:-}" ] && [ -f "$here/dnsfixture.sh" ]; then
    export MXC_GOLDEN_FIXTURE=1 MXCHECK MXC_SRCDIR="$src"
    exec bash "$here/dnsfixture.sh" --fault "$here/golden.sh" "$@"
  fi
  echo "SKIP: MXC_TEST_DNS not set (run under tests/dnsfixture.sh)"
  exit 77
fi
[ -x "$MXCHECK" ] || { echo "golden: $MXCHECK not built" >&2; exit 99; }

golden=$src/tests/golden
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# Normalisation.  The outputs of these cases are deterministic as they are:
# no timestamps of the run, durations, query IDs or DNS statistics appear
# in them (the DKIM "timestamp" is the t= tag of the signed message, which
# is fixed).  The one thing that changes from run to run is the port of the
# Knot server, which appears in any text that names the server asked (e.g.
# a temperror reason): it becomes PORT.  Message files are given relative
# to the source tree (the script runs from there), so no absolute path is
# printed.  Nothing else is filtered: verdicts, reasons, records, traces
# and rule lines are compared as printed.
normalise() {
  sed -e "s/127\.0\.0\.1:$MXC_TEST_DNS_PORT\b/127.0.0.1:PORT/g" \
    -e "s/\[::1\]:$MXC_TEST_DNS_PORT\b/[::1]:PORT/g"
}

# The cases: NAME ARGS... (split on blanks; messages relative to the source
# tree).  Every case also gets --server (Knot) and --color never, and runs
# with NO_COLOR=1.
cases() {
  cat <<'EOF'
iprev-v4-pass-text        192.0.2.1
iprev-v4-pass-json        --json 192.0.2.1
iprev-v4-pass-authres     --authres 192.0.2.1
iprev-v6-pass-text        2001:db8::1
iprev-v6-pass-json        --json 2001:db8::1
iprev-v6-pass-authres     --authres 2001:db8::1
iprev-v6-noptr-text       2001:db8:1::5
iprev-v6-noptr-json       --json 2001:db8:1::5
iprev-v6-noptr-authres    --authres 2001:db8:1::5
iprev-v4-mismatch-text    192.0.2.7
iprev-v4-mismatch-json    --json 192.0.2.7
iprev-v4-mismatch-authres --authres 192.0.2.7
iprev-v6-only-a-json      --json 2001:db8::4
iprev-v4-capped-text      192.0.2.8
iprev-v4-generic-json     --json 192.0.2.9
spf-pass-text             --mail-from user@pass.spf.test 192.0.2.1
spf-pass-json             --json --mail-from user@pass.spf.test 192.0.2.1
spf-pass-authres          --authres --mail-from user@pass.spf.test 192.0.2.1
spf-fail-text             --mail-from user@fail.spf.test 192.0.2.1
spf-fail-json             --json --mail-from user@fail.spf.test 192.0.2.1
spf-fail-authres          --authres --mail-from user@fail.spf.test 192.0.2.1
spf-softfail-text         --mail-from user@soft.spf.test 192.0.2.1
spf-softfail-json         --json --mail-from user@soft.spf.test 192.0.2.1
spf-softfail-authres      --authres --mail-from user@soft.spf.test 192.0.2.1
spf-permerror-text        --mail-from user@syntax.spf.test 192.0.2.1
spf-permerror-json        --json --mail-from user@syntax.spf.test 192.0.2.1
spf-permerror-authres     --authres --mail-from user@syntax.spf.test 192.0.2.1
spf-helo-text             --helo helo.spf.test 192.0.2.30
spf-helo-json             --json --helo helo.spf.test 192.0.2.30
spf-helo-authres          --authres --helo helo.spf.test 192.0.2.30
spf-include-v6-text       --mail-from user@chain.spf.test --helo helo.spf.test 2001:db8::1
spf-libspf2-differs-json  --json --mail-from user@syntax2.spf.test 192.0.2.5
spf-lint-text             --mail-from user@deep.spf.test 192.0.2.5
dmarc-org-text            --domain org.dmarc.test
dmarc-org-json            --json --domain org.dmarc.test
dmarc-warnings-text       --domain syntax.dmarc.test
dmarc-warnings-json       --json --domain syntax.dmarc.test
dmarc-none-text           --domain nothere.dmarc.test
dmarc-permerror-text      --domain badp.dmarc.test
dmarc-permerror-json      --json --domain badp.dmarc.test
dmarc-both-text           --dmarc-discovery both --domain a.github.io
dmarc-psl-json            --json --dmarc-discovery psl --domain a.github.io
dmarc-with-ip-text        --domain org.dmarc.test 192.0.2.7
domain-audit-text         --domain audit.questions.test --selector s2048 --selector s1024 --selector old
domain-audit-verbose-text -v --domain audit.questions.test --selector s2048
spf-fail-verbose-text     -v --mail-from user@fail.spf.test 192.0.2.1
dkim-good-verbose-text    --verbose --message tests/compliance/good.eml
domain-audit-json         --json --domain audit.questions.test --selector ed
host-v46-text             good6.mxcheck.test
host-v46-json             --json good6.mxcheck.test
host-fail-text            mismatch7.mxcheck.test
dkim-good-text            --message tests/compliance/good.eml
dkim-good-json            --json --message tests/compliance/good.eml
dkim-pkcs1-text           --message tests/compliance/pkcs1.eml
dkim-pkcs1-json           --json --message tests/compliance/pkcs1.eml
dkim-unsigned-text        --message tests/compliance/bad.eml
dkim-unsigned-json        --json --message tests/compliance/bad.eml
dkim-rfc8463-text         --message tests/dkim/rfc8463-a3.eml
dkim-rfc8463-json         --json --message tests/dkim/rfc8463-a3.eml
dkim-with-ip-text         --message tests/compliance/good.eml --mail-from news@bulk.test 192.0.2.1
report-bulk-good-text     --profile gmail-bulk --ip 192.0.2.1 --mail-from news@bulk.test --helo good4.mxcheck.test --message tests/compliance/good.eml
report-bulk-good-json     --json --profile gmail-bulk --ip 192.0.2.1 --mail-from news@bulk.test --helo good4.mxcheck.test --message tests/compliance/good.eml
report-bulk-good-authres  --authres --authserv-id mx.example.net --ip 192.0.2.1 --mail-from news@bulk.test --helo good4.mxcheck.test --message tests/compliance/good.eml
report-yahoo-v6-noptr-text --profile yahoo-bulk --ip 2001:db8::5 --mail-from news@bulk.test --message tests/compliance/no-oneclick.eml
report-bulk-v6-noptr-json --json --profile gmail-bulk --ip 2001:db8::5 --mail-from news@bulk.test --message tests/compliance/no-oneclick.eml
report-ms-misaligned-text --profile microsoft-bulk --ip 192.0.2.1 --mail-from news@nodmarc.test --message tests/compliance/misaligned.eml
report-misaligned-authres --authres --ip 192.0.2.1 --mail-from news@nodmarc.test --message tests/compliance/misaligned.eml
report-two-authors-text   --ip 192.0.2.1 --mail-from news@bulk.test --helo good4.mxcheck.test --message tests/compliance/two-authors-rev.eml
report-two-authors-authres --authres --ip 192.0.2.1 --mail-from news@bulk.test --helo good4.mxcheck.test --message tests/compliance/two-authors-fwd.eml
report-unsigned-oneclick-json --json --profile gmail-bulk --ip 192.0.2.1 --mail-from news@bulk.test --helo good4.mxcheck.test --message tests/compliance/unsigned-oneclick.eml
report-bad-json           --json --ip 192.0.2.1 --message tests/compliance/bad.eml
report-nomessage-noptr-text --ip 192.0.2.5 --mail-from news@bulk.test
report-nullmx-dnsbl-text  --ip 192.0.2.7 --mail-from a@nullmx.exist.test --dnsbl bl.test --dnsbl refused.bl.test
report-dnsbl-refused-json --json --ip 192.0.2.1 --mail-from news@bulk.test --dnsbl refused.bl.test --dnsbl bl.test
EOF
}

fail=0
n=0
# check NAME : compare (or, with --update, store) $tmp/NAME.txt
check() {
  local name=$1
  n=$((n + 1))
  if [ "$update" = yes ]; then
    cp "$tmp/$name.txt" "$golden/$name.txt" || exit 99
  elif [ ! -f "$golden/$name.txt" ]; then
    echo "FAIL: $name: no tests/golden/$name.txt (tests/golden.sh --update)"
    fail=$((fail + 1))
  elif ! cmp -s "$golden/$name.txt" "$tmp/$name.txt"; then
    echo "FAIL: $name"
    diff -u "$golden/$name.txt" "$tmp/$name.txt" |
      sed -e "1s|.*|--- tests/golden/$name.txt|" -e "2s|.*|+++ output|"
    fail=$((fail + 1))
  fi
}

# header NAME ARGS... : the first line of NAME's file
header() {
  shift
  echo "\$ mxcheck $*"
}

cd "$src" || exit 99
if [ "$update" = yes ]; then
  mkdir -p "$golden" && rm -f "$golden"/*.txt || exit 99
fi
while read -r name args; do
  [ -n "$name" ] || continue
  # shellcheck disable=SC2086 # the arguments are split on blanks
  {
    header "$name" $args
    NO_COLOR=1 "$MXCHECK" --server "$MXC_TEST_DNS" --color never $args \
      2>/dev/null </dev/null | normalise
    echo "[exit ${PIPESTATUS[0]}]"
  } >"$tmp/$name.txt"
  check "$name"
done < <(cases)

# Batch mode prints results in completion order: the JSON lines are sorted
# (LC_ALL=C) before the comparison.
name=batch-json-sorted
printf '192.0.2.1\n2001:db8::1 user@pass.spf.test\nnonsense\n192.0.2.7 user@soft.spf.test helo.spf.test\n2001:db8:1::5\n' \
  >"$tmp/batch.in"
{
  echo "\$ mxcheck --json --batch FILE | LC_ALL=C sort"
  sed 's/^/< /' "$tmp/batch.in"
  NO_COLOR=1 "$MXCHECK" --server "$MXC_TEST_DNS" --color never --json \
    --batch "$tmp/batch.in" 2>/dev/null </dev/null | normalise | LC_ALL=C sort
  echo "[exit ${PIPESTATUS[0]}]"
} >"$tmp/$name.txt"
check "$name"

if [ "$update" = yes ]; then
  echo "golden: wrote $n files to tests/golden/"
  exit 0
fi
echo "golden: $((n - fail)) of $n cases identical"
[ "$fail" -eq 0 ]
