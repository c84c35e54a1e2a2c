#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# demo.sh: show what mxcheck says about mail servers, a sending domain and
# a signed message, using a local Knot DNS server that serves the zones in
# demo/zones (see demo/README.md), and a draft zone checked before it is
# published (demo/drafts).
#
# Usage: demo/demo.sh [PATH-TO-MXCHECK]
#   default: cli/mxcheck in the source tree (after "make")
#
# Needs knotd (Debian: apt install knot) and python3 or kdig.

set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 2
top=$(dirname "$here")

mxcheck=
bad=0

# one_case TITLE ADDRESS...: run mxcheck against the local server.
one_case() {
  local title=$1 rc
  shift
  echo "== $title =="
  echo "\$ mxcheck --server $MXC_TEST_DNS $*"
  "$mxcheck" --server "$MXC_TEST_DNS" "$@"
  rc=$?
  # 1 (pass with warnings) and 2 (fail, permerror) are verdicts, not demo
  # failures.
  case $rc in
    0 | 1 | 2) ;;
    *)
      echo "demo: mxcheck exited with status $rc" >&2
      bad=1
      ;;
  esac
  echo
}

# The cases, run inside the fixture (MXC_TEST_DNS = the local server):
# the three questions mxcheck answers (a server, a sending domain, a
# message), on the zones of demo/zones.
run_cases() {
  one_case "a compliant dual-stack server, checked by its host name" \
    mail.example.com
  one_case "IPv6 without reverse DNS (the ISP did not delegate it)" \
    smtp.example.com
  one_case "a PTR that points to a name with another address" 203.0.113.26
  one_case "the sending domain: MX, SPF, DKIM key, DMARC" \
    --domain example.com --selector demo
  one_case "a signed newsletter against Gmail's bulk-sender rules: one rule fails, with its fix" \
    --profile gmail-bulk --message "$here/messages/newsletter.eml" \
    --ip 203.0.113.25 --mail-from news@example.com --helo mail.example.com
  one_case "preflight: a draft of example.com (new SPF includes) against what is published" \
    --diff --zone "$here/drafts/example.com.zone" --domain example.com
  return "$bad"
}

if [ "${1:-}" = --run-cases ]; then
  mxcheck=$2
  run_cases
  exit
fi

mxcheck=${1:-$top/cli/mxcheck}
case $mxcheck in
  */*) ;;
  *) mxcheck=$(command -v "$mxcheck") || mxcheck=./$1 ;;
esac
if [ ! -x "$mxcheck" ] || [ -d "$mxcheck" ]; then
  echo "demo: $mxcheck not found; build it first (make) or give its path:" >&2
  echo "      $0 PATH-TO-MXCHECK" >&2
  exit 2
fi

"$top/tests/dnsfixture.sh" --zones "$here/zones" -- \
  bash "$here/demo.sh" --run-cases "$mxcheck"
rc=$?
if [ "$rc" -eq 77 ]; then
  echo "demo: needs Knot DNS's knotd (Debian: apt install knot)" >&2
fi
exit "$rc"
