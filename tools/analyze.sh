#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# analyze.sh: static analysis as a gate (make analyze; .ci/run runs it).
#
#   analyze.sh SRCDIR OUTDIR
#
# Runs clang's static analyzer (scan-build, Debian clang-tools) and cppcheck
# over every .c file of lib/, common/, cli/ and milter/ and exits 1 on any report.
# The compiler flags come from the environment (make analyze passes them):
#   ANALYZE_CPPFLAGS  for every file (include directories, -DHAVE_CONFIG_H)
#   ANALYZE_LIB       more for lib/ (the libraries' -I flags)
#   ANALYZE_MILTER    more for milter/
# ANALYZE_JOBS (default 2) files are analyzed at a time.
#
# A false positive is suppressed in place, next to the code, with its reason:
#   clang:    #ifndef __clang_analyzer__ ... or an assert the analyzer reads
#   cppcheck: /* cppcheck-suppress ID ; reason */ on the line before
# Reports go to OUTDIR (scan-build's HTML under OUTDIR/scan-build).
set -u
src=${1:?usage: analyze.sh SRCDIR OUTDIR}
out=${2:?usage: analyze.sh SRCDIR OUTDIR}
jobs=${ANALYZE_JOBS:-2}
for tool in scan-build cppcheck; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "analyze: $tool not found (Debian: apt-get install clang-tools cppcheck)" >&2
    exit 2
  }
done
rm -rf "$out"
mkdir -p "$out" || exit 2
files=$(cd "$src" && find lib common cli milter -name '*.c' | LC_ALL=C sort)
[ -n "$files" ] || { echo "analyze: no sources under $src" >&2; exit 2; }
status=0

# ---- clang's analyzer: scan-build puts its compiler wrapper in $CC; each
# file is compiled to /dev/null with the flags of its directory.  Every
# analyzer warning counts, less those listed in tools/scan-build.supp; a
# compiler error counts too.
echo "analyze: scan-build over $(echo "$files" | wc -l) files"
# shellcheck disable=SC2016
(cd "$src" && echo "$files" | scan-build -o "$out/scan-build" \
      xargs -P "$jobs" -n 1 sh -c '
        case $1 in
          lib/*) extra=$ANALYZE_LIB ;;
          milter/*) extra=$ANALYZE_MILTER ;;
          *) extra= ;;
        esac
        # shellcheck disable=SC2086
        exec "$CC" $ANALYZE_CPPFLAGS $extra -c "$1" -o /dev/null' sh) \
    >"$out/scan-build.log" 2>&1
rc=$?
grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error): ' "$out/scan-build.log" |
  LC_ALL=C sort -u >"$out/scan-build.reports"
: >"$out/scan-build.open"
while IFS= read -r line; do
  file=${line%%:*}
  checker=$(echo "$line" | sed -n 's/.* \[\([A-Za-z0-9_.]*\)\]$/\1/p')
  if [ -n "$checker" ] &&
     grep -qx "$file $checker" "$src/tools/scan-build.supp"; then
    continue
  fi
  echo "$line" >>"$out/scan-build.open"
done <"$out/scan-build.reports"
if [ "$rc" != 0 ] || [ -s "$out/scan-build.open" ]; then
  cat "$out/scan-build.open"
  echo "analyze: scan-build reported (exit $rc; log: $out/scan-build.log)" >&2
  status=1
fi
echo "analyze: scan-build: $(wc -l <"$out/scan-build.reports") reports, $(wc -l <"$out/scan-build.open") not suppressed"

# ---- cppcheck: warnings and portability (style is not a gate)
echo "analyze: cppcheck"
# shellcheck disable=SC2086
if ! (cd "$src" && cppcheck -q -j "$jobs" --enable=warning,portability \
      --inline-suppr --error-exitcode=1 --std=c11 \
      --suppress=missingIncludeSystem \
      --suppressions-list=tools/cppcheck.supp \
      -I lib -I cli -I milter -DMXC_BUILDING_LIBRARY $files) \
    >"$out/cppcheck.log" 2>&1; then
  cat "$out/cppcheck.log"
  echo "analyze: cppcheck reported" >&2
  status=1
fi
[ "$status" = 0 ] && echo "analyze: no reports"
exit "$status"
