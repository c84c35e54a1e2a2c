#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Every public function has a man page: each mxc_ name declared MXC_EXTERN
# in lib/mxcheck.h, and each adapter's mxc_attach_*, has doc/man3/NAME.3
# (a page or a .so link to an existing page) that make install installs
# (doc/man3/local.mk).  Fix with: python3 tools/man3.py
src=${MXC_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
man=$src/doc/man3
names=$(
  { tr '\n' ' ' <"$src/lib/mxcheck.h" | grep -oE 'MXC_EXTERN [^;]*;' |
      sed -e 's/(.*//' -e 's/.*[ *]//'
    cat "$src"/lib/adapters/*.h | grep -oE 'mxc_attach_[a-z]+\(' | tr -d '('
  } | grep '^mxc_' | sort -u
)
n=0
bad=0
for f in $names; do
  n=$((n + 1))
  page=$man/$f.3
  if [ ! -f "$page" ]; then
    echo "man3: no page for $f" >&2
    bad=1
    continue
  fi
  target=$(sed -n '1s/^\.so //p' "$page")
  if [ -n "$target" ] && [ ! -f "$src/doc/$target" ]; then
    echo "man3: $f.3 links to $target, which does not exist" >&2
    bad=1
  fi
  grep -q "doc/man3/$f\.3" "$man/local.mk" || {
    echo "man3: $f.3 is not installed (doc/man3/local.mk)" >&2
    bad=1
  }
done
[ "$n" -gt 150 ] || { echo "man3: only $n names found in mxcheck.h" >&2; bad=1; }
[ $bad -eq 0 ] || echo "man3: regenerate with python3 tools/man3.py" >&2
echo "man3: $n public functions checked"
exit $bad
