#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# build.sh SRCDIR OUTDIR: compile libmxcheck's sources, the CLI's message
# splitter and batch-line parser and the front ends' configuration-file
# reader with $CC and the libFuzzer, ASan and UBSan instrumentation into
# OUTDIR/libfuzzcore.a, then link every SRCDIR/tests/fuzz/fuzz_*.c against
# it into OUTDIR/fuzz_*.  Environment: CC (clang), CPPFLAGS (include
# directories and the dependencies' flags), LIBS (the dependencies).
set -eu
src=$1
out=$2
cc=${CC:-clang}
san="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined"
mkdir -p "$out/obj"
objs=
for f in "$src"/lib/*.c "$src"/lib/checks/*/*.c "$src"/cli/msgsplit.c \
         "$src"/cli/batchline.c "$src"/common/conffile.c; do
  o="$out/obj/$(echo "${f#"$src"/}" | tr / _ | sed 's/\.c$/.o/')"
  # Rebuilt when the source or any header of the tree is newer (a changed
  # struct must never leave objects of two layouts in one archive).
  if [ ! -f "$o" ] || [ "$f" -nt "$o" ] ||
     [ -n "$(find "$src/lib" "$src/cli" "$src/common" "$out/../../../lib" -name '*.h' \
               -newer "$o" 2>/dev/null | head -n 1)" ]; then
    # shellcheck disable=SC2086
    $cc $san -fsanitize=fuzzer-no-link -DMXC_BUILDING_LIBRARY \
      $CPPFLAGS -c "$f" -o "$o"
  fi
  objs="$objs $o"
done
rm -f "$out/libfuzzcore.a"
# shellcheck disable=SC2086
ar rcs "$out/libfuzzcore.a" $objs
for t in "$src"/tests/fuzz/fuzz_*.c; do
  name=$(basename "$t" .c)
  # shellcheck disable=SC2086
  $cc $san -fsanitize=fuzzer $CPPFLAGS -I"$src/cli" -I"$src/common" "$t" \
    "$out/libfuzzcore.a" $LIBS -o "$out/$name"
done
