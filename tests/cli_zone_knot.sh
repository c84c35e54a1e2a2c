#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# cli_zone_knot.sh -- the zone store against Knot: every case of
# tests/golden.sh run again with all the test zones (tests/zones/*.zone)
# given as --zone files, so that every answer inside them comes from
# lib/zone.c instead of the Knot fixture.  The output must be the golden
# one byte for byte, but for the line naming the zones used.  Runs under
# tests/dnsfixture.sh (names outside the zones still go to Knot).
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
src=${MXC_SRCDIR:-$(cd "$here/.." && pwd)}
MXCHECK=${MXCHECK:-cli/mxcheck}
case $MXCHECK in
  /*) ;;
  *) MXCHECK=$(pwd)/$MXCHECK ;;
esac
if [ -z "${MXC_TEST_DNS:-}" ]; then
  echo "SKIP: MXC_TEST_DNS not set (run under tests/dnsfixture.sh)"
  exit 77
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 99

zones=()
for z in tests/zones/*.zone; do
  zones+=(--zone "$z")
done

# The cases of golden.sh: the lines of its here-document.
sed -n "/^  cat <<'EOF'$/,/^EOF$/p" tests/golden.sh | sed '1d;$d' >"$tmp/cases"
[ -s "$tmp/cases" ] || { echo "no cases found in tests/golden.sh"; exit 99; }

fail=0
n=0
while read -r name args; do
  [ -n "$name" ] || continue
  n=$((n + 1))
  # shellcheck disable=SC2086 # the arguments are split on blanks
  {
    echo "\$ mxcheck $args"
    NO_COLOR=1 "$MXCHECK" --server "$MXC_TEST_DNS" --color never \
      "${zones[@]}" $args 2>/dev/null </dev/null |
      sed -e "s/127\.0\.0\.1:$MXC_TEST_DNS_PORT\b/127.0.0.1:PORT/g" \
        -e "s/\[::1\]:$MXC_TEST_DNS_PORT\b/[::1]:PORT/g" |
      grep -v -e '^answers from zone files: ' -e '^{"zones":\['
    echo "[exit ${PIPESTATUS[0]}]"
  } >"$tmp/$name.txt"
  if ! cmp -s "tests/golden/$name.txt" "$tmp/$name.txt"; then
    echo "FAIL: $name (from the zone files)"
    diff -u "tests/golden/$name.txt" "$tmp/$name.txt" | sed 1,2d | head -30
    fail=$((fail + 1))
  fi
done <"$tmp/cases"
echo "cli_zone_knot.sh: $((n - fail)) of $n golden cases identical from the zone files"
[ "$fail" -eq 0 ]
