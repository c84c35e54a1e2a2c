#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# CLI tests of the configuration files (mxcheck.conf(5)): the system file
# ($MXCHECK_SYSCONF here, never the real one), the user's
# ($XDG_CONFIG_HOME or $HOME/.config, both temporary), --config and
# --no-config; precedence system < user < command line; errors with
# FILE:LINE and exit status 3; a server named in a file is the one asked.
# Runs under tests/dnsfixture.sh against tests/zones.
set -u

# shellcheck source=tests/clilib.sh
. "$(dirname "$0")/clilib.sh"
src=${MXC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
msg=$src/tests/compliance
good=(--mail-from news@bulk.test --helo good4.mxcheck.test)
# A server that does not answer: the closed port of the fault responder
# (refused over TCP), else a port nothing listens on.
dead=${MXC_TEST_FAULT_CLOSED:-127.0.0.1:9}

sys=$tmp/etc/mxcheck.conf
mkdir -p "$tmp/etc" "$tmp/home/.config/mxcheck" "$tmp/xdg/mxcheck"
usr=$tmp/home/.config/mxcheck/mxcheck.conf
export MXCHECK_SYSCONF=$sys HOME=$tmp/home
unset XDG_CONFIG_HOME
reset() { rm -f "$sys" "$usr" "$tmp/xdg/mxcheck/mxcheck.conf" "$tmp/c"; }
# errmsg TEXT: stderr is this one line
errmsg() {
  if [ "$(cat "$tmp/err")" = "$1" ]; then ok; else
    bad "stderr is '$(cat "$tmp/err")', want '$1'"
  fi
}

# --- no file at all: no error ---------------------------------------------
reset
run 0 --color never --server "$MXC_TEST_DNS" good4.mxcheck.test
contains "$tmp/out" "host      pass"

# --- the server of the system file is the one asked --------------------------
printf '# system file\nserver %s\ntimeout = 2\n' "$MXC_TEST_DNS" >"$sys"
run 0 --color never good4.mxcheck.test
contains "$tmp/out" "host      pass  good4.mxcheck.test has 1 address"
# ... it is not read with --no-config (the dead server of the command line)
run 3 --no-config --server "$dead" --timeout 1 --tries 1 good4.mxcheck.test

# --- the user's file over the system file ------------------------------------
printf 'server %s\ntimeout 1\ntries 1\n' "$dead" >"$sys"
printf 'server = %s\n' "$MXC_TEST_DNS" >"$usr"
run 0 --color never good4.mxcheck.test
# and the other way round: the user's dead server wins
printf 'server %s\n' "$MXC_TEST_DNS" >"$sys"
printf 'server %s\ntimeout 1\ntries 1\n' "$dead" >"$usr"
run 3 --json good4.mxcheck.test
expect "d['host']['state']" "unknown"
# $XDG_CONFIG_HOME instead of ~/.config
printf 'server %s\n' "$MXC_TEST_DNS" >"$tmp/xdg/mxcheck/mxcheck.conf"
XDG_CONFIG_HOME=$tmp/xdg run 0 good4.mxcheck.test
# --- the command line over both ---------------------------------------------
run 0 --server "$MXC_TEST_DNS" good4.mxcheck.test
printf 'server %s\n' "$dead" >"$sys"
printf 'timeout 1\ntries 1\n' >"$usr"
run 0 --server "$MXC_TEST_DNS" --color never good4.mxcheck.test
# a list in a later file replaces the earlier one (not added to it)
printf 'server %s\n' "$MXC_TEST_DNS" >"$sys"
printf 'server %s\ntimeout 1\ntries 1\n' "$dead" >"$usr"
run 3 good4.mxcheck.test

# --- the profile: system < user < command line; it does not ask for the
#     report by itself ----------------------------------------------------------
reset
printf 'server %s\nprofile gmail-bulk\n' "$MXC_TEST_DNS" >"$sys"
run 0 --json --ip 192.0.2.1 "${good[@]}" --message "$msg/good.eml"
expect "d['compliance']['profile']" "gmail-bulk"
printf 'profile   =   yahoo-bulk   \n' >"$usr"
run 0 --json --ip 192.0.2.1 "${good[@]}" --message "$msg/good.eml"
expect "d['compliance']['profile']" "yahoo-bulk"
run 0 --json --profile gmail --ip 192.0.2.1 "${good[@]}" --message "$msg/good.eml"
expect "d['compliance']['profile']" "gmail"
run 0 --json good4.mxcheck.test
expect "'compliance' in d, d['host']['state']" "(False, 'pass')"

# --- authserv-id (quoted) for --authres; without --authres no error --------
printf 'authserv-id "mx.example.net"\n' >"$usr"
run 0 --authres --ip 192.0.2.1 "${good[@]}" --message "$msg/good.eml"
contains "$tmp/out" "^Authentication-Results: mx.example.net;"
run 0 --authres --authserv-id cli.example --ip 192.0.2.1 "${good[@]}" \
  --message "$msg/good.eml"
contains "$tmp/out" "^Authentication-Results: cli.example;"
run 0 --json good4.mxcheck.test

# --- dnsbl: used by the report; --dnsbl replaces the list -------------------
printf 'dnsbl bl.test\n' >"$usr"
run 2 --json --ip 192.0.2.7 --mail-from a@exist.test
expect "[r['state'] for r in d['compliance']['rules'] if r['id'] == 'R19']" \
  "['warn']"
run 2 --json --ip 192.0.2.7 --mail-from a@exist.test --dnsbl other.bl.test
expect "[r['evidence'] for r in d['compliance']['rules'] if r['id'] == 'R19'][0].startswith('not listed on other.bl.test')" \
  "True"

# --- color ---------------------------------------------------------------------
printf 'color always\n' >"$usr"
run 0 good4.mxcheck.test
if grep -q $'\033\\[' "$tmp/out"; then ok; else bad "color always: no colour"; fi
run 0 --color never good4.mxcheck.test
if grep -q $'\033\\[' "$tmp/out"; then bad "--color never: colour"; else ok; fi

# --- --config FILE: only that file; it must exist ---------------------------
reset
printf 'bogus 1\n' >"$sys"
printf 'server %s\n' "$MXC_TEST_DNS" >"$tmp/c"
run 0 --config "$tmp/c" good4.mxcheck.test
run 0 --no-config --server "$MXC_TEST_DNS" good4.mxcheck.test
run 3 --server "$MXC_TEST_DNS" good4.mxcheck.test
errmsg "mxcheck: $sys:1: unknown key \"bogus\" (keys: server, timeout, tries, profile, authserv-id, dnsbl, color; see mxcheck.conf(5))"
run 3 --config "$tmp/none" good4.mxcheck.test
errmsg "mxcheck: $tmp/none: No such file or directory"
run 3 --config "$tmp/c" --no-config good4.mxcheck.test
errmsg "mxcheck: --config and --no-config do not go together"

# --- errors: FILE:LINE, exit status 3 ------------------------------------------
reset
c=$tmp/c
badconf() { # CONTENT MESSAGE
  printf '%b' "$1" >"$c"
  run 3 --config "$c" --server "$MXC_TEST_DNS" good4.mxcheck.test &&
    errmsg "mxcheck: $c:$2"
}
badconf '# comment\n\ntimeout = 0\n' '3: timeout: expected seconds from 0.01 to 600, got "0"'
badconf 'timeout 2s\n' '1: timeout: expected seconds from 0.01 to 600, got "2s"'
badconf 'tries 11\n' '1: tries: expected a whole number from 1 to 10, got "11"'
badconf 'profile hotmail\n' '1: profile: expected gmail, gmail-bulk, yahoo-bulk or microsoft-bulk, got "hotmail"'
badconf 'color sometimes\n' '1: color: expected auto, always or never, got "sometimes"'
badconf 'server 127.0.0.1,127.0.0.2\n' '1: server: one HOST[:PORT] per line, got "127.0.0.1,127.0.0.2"'
badconf 'server not-an-address\n' '1: server: name server "not-an-address" is not an IPv4 or IPv6 address (names are not accepted: they would need a resolver)'
badconf 'dnsbl bad..zone\n' '1: dnsbl: "bad..zone" is not a DNS blocklist zone name'
badconf 'server\n' '1: server: no value'
badconf '= 1\n' "1: no key before '='"
badconf 'authserv-id "open\n' "1: authserv-id: the quoted value does not end with '\"'"
badconf 'Server 127.0.0.1\n' '1: unknown key "Server" (keys: server, timeout, tries, profile, authserv-id, dnsbl, color; see mxcheck.conf(5))'
# a line over 4096 bytes
{ printf 'authserv-id '; head -c 5000 /dev/zero | tr '\0' a; echo; } >"$c"
run 3 --config "$c" good4.mxcheck.test
errmsg "mxcheck: $c:1: line longer than 4096 bytes, or with a NUL byte"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
