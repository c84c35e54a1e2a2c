# Benchmarks are run by hand: make bench (not part of make check).
# See bench/README.md.  Options for the script: make bench BENCH_FLAGS=--quick
EXTRA_DIST += bench/README.md bench/fcrdns-bench.sh bench/fcrdns-gen.py \
	bench/fcrdns-tool.py bench/cares-fcrdns.c

BENCH_FLAGS =

bench: all
	CC="$(CC)" CARES_CFLAGS="$(CARES_CFLAGS)" CARES_LIBS="$(CARES_LIBS)" \
	  bash $(srcdir)/bench/fcrdns-bench.sh \
	  --mxcheck $(abs_top_builddir)/cli/mxcheck $(BENCH_FLAGS)

.PHONY: bench
