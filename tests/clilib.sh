# SPDX-License-Identifier: BSD-2-Clause
# clilib.sh -- helpers shared by the CLI test scripts (sourced, not run).
# Sets MXCHECK, $tmp (removed at exit), the pass/fail counters and
# run/json_get/expect/contains; skips (77) outside tests/dnsfixture.sh.
# shellcheck shell=bash
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

# run EXPECTED_EXIT ARGS... : runs mxcheck, output in $tmp/out, $tmp/err
run() {
  local want=$1 got
  shift
  NO_COLOR='' "$MXCHECK" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  got=$?
  if [ "$got" -ne "$want" ]; then
    bad "mxcheck $* exited $got, want $want"
    sed 's/^/  | /' "$tmp/out" "$tmp/err" | head -20
    return 1
  fi
  ok
}

# json_get EXPR : evaluate a Python expression over the JSON lines in
# $tmp/out (list `docs`, first document `d`).
json_get() {
  python3 - "$1" "$tmp/out" <<'PY'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
d = docs[0] if docs else None
print(eval(sys.argv[1]))
PY
}

expect() {
  local what=$1 want=$2 got
  got=$(json_get "$what" 2>&1)
  if [ "$got" = "$want" ]; then ok; else bad "$what = '$got', want '$want'"; fi
}

contains() {
  if grep -q -- "$2" "$1"; then ok; else
    bad "$1 lacks '$2'"
    sed 's/^/  | /' "$1" | head -20
  fi
}

