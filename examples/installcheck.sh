#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# make installcheck: build the examples against the installed library
# through pkg-config (examples/Makefile) in the current directory, then run
# them against Knot on loopback (tests/dnsfixture.sh) when knotd is there.
# Environment: SRCDIR (the source tree), LIBDIR (where libmxcheck and its
# .pc were installed), CC, MAKE.
set -eu
: "${SRCDIR:?}" "${LIBDIR:?}"
CC=${CC:-cc}
MAKE=${MAKE:-make}
PKG_CONFIG_PATH=$LIBDIR/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_PATH
mk() {
  $MAKE -f "$SRCDIR/examples/Makefile" srcdir="$SRCDIR/examples" CC="$CC" \
    CFLAGS="-O2 -Wall -Wextra -Werror" "$@"
}
echo "examples: libmxcheck $(pkg-config --modversion libmxcheck) from" \
  "$(pkg-config --variable=libdir libmxcheck)"
mk report
progs=./report
if pkg-config --exists libevent; then
  mk monitor
  progs="$progs ./monitor"
else
  echo "examples: libevent not found: monitor not built"
fi
# libmxcheck.pc's private part is complete: libmxcheck.a links with its
# Libs.private and the libraries of its Requires.private (shared ones:
# pkg-config --static would also ask for every dependency's own private
# libraries, such as opendkim's -ldb, that Debian does not install).
if [ -f "$LIBDIR/libmxcheck.a" ]; then
  pc=$LIBDIR/pkgconfig/libmxcheck.pc
  reqs=$(pkg-config --print-requires-private libmxcheck | awk '{print $1}')
  privs=$(sed -n 's/^Libs.private: *//p' "$pc")
  # shellcheck disable=SC2046,SC2086
  $CC -O2 -o report-static "$SRCDIR/examples/report.c" \
    $(pkg-config --cflags libmxcheck) "$LIBDIR/libmxcheck.a" $privs \
    $(pkg-config --libs $reqs) || {
    echo "examples: libmxcheck.a does not link with libmxcheck.pc's" \
      "Requires.private and Libs.private" >&2
    exit 1
  }
  ./report-static -h >/dev/null 2>&1
  echo "examples: libmxcheck.a links with its .pc's private part"
fi
LD_LIBRARY_PATH=$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
for p in $progs; do
  "$p" -h >/dev/null 2>&1 || { echo "examples: $p -h failed" >&2; exit 1; }
done

# Run them: a compliant message (tests/compliance/good.eml, as in
# tests/cli_compliance.sh), and two rounds of the monitor.
run=$(mktemp)
trap 'rm -f "$run"' EXIT
cat >"$run" <<EOS
set -e
./report -s "\$MXC_TEST_DNS" -p gmail-bulk -i 192.0.2.1 -f news@bulk.test \
  -H good4.mxcheck.test "$SRCDIR/tests/compliance/good.eml" >report.out
grep -q gmail-bulk report.out
if [ -x ./monitor ]; then
  ./monitor -s "\$MXC_TEST_DNS" -i 1 -n 2 192.0.2.1 2001:db8::1 >monitor.out
  test "\$(grep -c ' pass ' monitor.out)" -eq 4
  if ./monitor -s "\$MXC_TEST_DNS" -i 1 -n 1 192.0.2.6 >/dev/null; then
    echo "examples: monitor passed a failing address" >&2
    exit 1
  fi
fi
echo "examples: ran $progs"
EOS
set +e
bash "$SRCDIR/tests/dnsfixture.sh" -- sh "$run"
rc=$?
set -e
if [ "$rc" -eq 77 ]; then
  echo "examples: knotd not installed: built, not run"
  rc=0
fi
exit "$rc"
