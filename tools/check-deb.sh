#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check-deb.sh: the Debian packages of a distribution tarball, built, linted,
# installed and removed again (make check-deb; .ci/run runs it).
#
#   check-deb.sh TARBALL
#
# 1. unpack TARBALL in a temporary directory (the source tree stays clean)
#    and build the binary packages there (dpkg-buildpackage -us -uc -b; the
#    package build runs no test suite, see debian/rules);
# 2. lintian on the .changes: any error fails (the warnings left are listed,
#    with their reasons, in debian/README.source);
# 3. as root only (CI, a throwaway machine): dpkg -i the four packages, run
#    mxcheck --version and mxcheck-milter -h, check that the milter service
#    is neither enabled nor running and that its user exists, then
#    dpkg --purge them and check that their files are gone.  Refused when
#    one of them is installed already (this is not for a machine in use).
# CHECK_DEB_KEEP=1 keeps the temporary directory.
set -eu
tarball=${1:?usage: check-deb.sh TARBALL}
pkgs="mxcheck-milter mxcheck libmxcheck-dev libmxcheck0"
dbgsym="mxcheck-milter-dbgsym mxcheck-dbgsym libmxcheck0-dbgsym"
case $tarball in /*) ;; *) tarball=$PWD/$tarball ;; esac
for tool in dpkg-buildpackage dh lintian fakeroot; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "check-deb: $tool not found (Debian: apt-get install dpkg-dev" \
      "debhelper lintian fakeroot)" >&2
    exit 2
  }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/check-deb.XXXXXX")
cleanup() {
  if [ "${CHECK_DEB_KEEP:-0}" = 1 ]; then
    echo "check-deb: kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
t0=$(date +%s)

echo "check-deb: building the packages in $work"
tar -xzf "$tarball" -C "$work"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d)
[ -f "$src/debian/control" ] || {
  echo "check-deb: $tarball has no debian/ directory" >&2
  exit 1
}
(cd "$src" &&
  DEB_BUILD_OPTIONS="nocheck parallel=${CHECK_DEB_JOBS:-2}" \
    dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
  tail -n 60 "$work/build.log"
  echo "check-deb: dpkg-buildpackage failed (log above)" >&2
  exit 1
}
t1=$(date +%s)
echo "check-deb: built in $((t1 - t0)) s:"
(cd "$work" && ls -1 ./*.deb | sed 's|^\./|  |')

# lintian: errors fail; warnings and the rest are printed.
changes=$(ls "$work"/*.changes)
rc=0
lintian --fail-on error --info --display-level '>=warning' "$changes" \
  >"$work/lintian.log" 2>&1 || rc=$?
sed 's/^/  lintian: /' "$work/lintian.log"
if [ "$rc" -ne 0 ]; then
  echo "check-deb: lintian reports errors" >&2
  exit 1
fi
echo "check-deb: lintian: $(grep -c '^E:' "$work/lintian.log") errors," \
  "$(grep -c '^W:' "$work/lintian.log") warnings"

if [ "$(id -u)" -ne 0 ]; then
  echo "check-deb: not root: the packages are not installed (done)"
  exit 0
fi
for p in $pkgs; do
  if dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q installed; then
    echo "check-deb: $p is installed on this machine: not replacing it" >&2
    exit 1
  fi
done

fail=0
bad() {
  echo "check-deb: FAIL: $*" >&2
  fail=1
}
# The packages go whatever happens below.
# shellcheck disable=SC2086
purge() { dpkg --purge $dbgsym $pkgs >"$work/purge.log" 2>&1; }
trap 'purge || true; cleanup' EXIT

echo "check-deb: dpkg -i"
debs=
for p in $pkgs; do
  debs="$debs $(ls "$work/${p}_"*.deb)"
done
# shellcheck disable=SC2086
dpkg -i $debs >"$work/install.log" 2>&1 || {
  cat "$work/install.log"
  bad "dpkg -i failed"
  exit 1
}
/usr/bin/mxcheck --version || bad "mxcheck --version"
/usr/sbin/mxcheck-milter -h >/dev/null || bad "mxcheck-milter -h"
/usr/bin/mxcheck --no-config --list-profiles >/dev/null ||
  bad "mxcheck --list-profiles"
getent passwd mxcheck >/dev/null || bad "no system user mxcheck"
[ -f /etc/mxcheck/mxcheck-milter.conf ] || bad "no /etc/mxcheck/mxcheck-milter.conf"
[ -f /usr/share/bash-completion/completions/mxcheck ] ||
  bad "no bash completion"
pkg-config --exists libmxcheck || bad "pkg-config: no libmxcheck"
# Not enabled: no link in a .wants directory, and systemctl agrees when it
# can tell; not running.
if find /etc/systemd/system -name 'mxcheck-milter.service' 2>/dev/null |
  grep -q .; then
  bad "mxcheck-milter.service is enabled"
fi
if command -v systemctl >/dev/null 2>&1; then
  state=$(systemctl is-enabled mxcheck-milter.service 2>/dev/null || true)
  case $state in
    disabled | "") ;;
    *) bad "systemctl is-enabled mxcheck-milter: $state" ;;
  esac
  if [ -d /run/systemd/system ] &&
    systemctl is-active --quiet mxcheck-milter.service; then
    bad "mxcheck-milter.service is running"
  fi
fi
if pidof mxcheck-milter >/dev/null 2>&1; then
  bad "an mxcheck-milter process runs"
fi

echo "check-deb: dpkg --purge"
purge || {
  cat "$work/purge.log"
  bad "dpkg --purge failed"
}
trap cleanup EXIT
for f in /usr/bin/mxcheck /usr/sbin/mxcheck-milter /etc/mxcheck/mxcheck-milter.conf \
  /lib/systemd/system/mxcheck-milter.service; do
  [ ! -e "$f" ] || bad "$f is still there after the purge"
done
# (the system user mxcheck stays, as Debian leaves system users)
echo "check-deb: $(($(date +%s) - t0)) s in all"
[ "$fail" -eq 0 ]
