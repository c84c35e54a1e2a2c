# SPDX-License-Identifier: BSD-2-Clause
# Benchmarks are run by hand: make bench, make bench-spf (not part of make
# check).  See bench/README.md.  Options for the scripts: make bench
# BENCH_FLAGS=--quick, make bench-spf BENCH_SPF_FLAGS=--quick
EXTRA_DIST += bench/README.md bench/fcrdns-bench.sh bench/fcrdns-gen.py \
	bench/fcrdns-tool.py bench/cares-fcrdns.c bench/spf-bench.sh \
	bench/spf-gen.py bench/spf-tool.py bench/spf-batch.c

BENCH_FLAGS =

bench: all
	CC="$(CC)" CARES_CFLAGS="$(CARES_CFLAGS)" CARES_LIBS="$(CARES_LIBS)" \
	  bash $(srcdir)/bench/fcrdns-bench.sh \
	  --mxcheck $(abs_top_builddir)/cli/mxcheck $(BENCH_FLAGS)

BENCH_SPF_FLAGS =

bench-spf: all
	CC="$(CC)" CARES_CFLAGS="$(CARES_CFLAGS)" JSONC_CFLAGS="$(JSONC_CFLAGS)" \
	  bash $(srcdir)/bench/spf-bench.sh \
	  --mxcheck $(abs_top_builddir)/cli/mxcheck \
	  --builddir $(abs_top_builddir) $(BENCH_SPF_FLAGS)

# DKIM: make bench-dkim [BENCH_DKIM_FLAGS=--quick]
EXTRA_DIST += bench/dkim-bench.sh bench/dkim-gen.py bench/dkim-raw.c
BENCH_DKIM_FLAGS =

bench-dkim: all
	CC="$(CC)" bash $(srcdir)/bench/dkim-bench.sh \
	  --mxcheck $(abs_top_builddir)/cli/mxcheck $(BENCH_DKIM_FLAGS)

.PHONY: bench bench-spf bench-dkim

# Memory per check in flight (issue 12): make bench-mem [BENCH_MEM_FLAGS=
# "--parallel 5000 --lines 50000"]; the soak: make check-soak [SOAK_LINES=N]
# (a batch against Knot, RSS flat after the first 10%; a --parallel 5000
# run with at most 16 descriptors open).
EXTRA_DIST += bench/mem-bench.sh
BENCH_MEM_FLAGS =
SOAK_LINES = 1000000

# Head-of-line blocking: 1,000 lines, every other one answered late.
bench-hol: all
	MXCHECK=$(abs_top_builddir)/cli/mxcheck bash $(srcdir)/tests/dnsfixture.sh \
	  --fault -- bash $(srcdir)/bench/hol-bench.sh
EXTRA_DIST += bench/hol-bench.sh
.PHONY: bench-hol

bench-mem: all
	bash $(srcdir)/bench/mem-bench.sh \
	  --mxcheck $(abs_top_builddir)/cli/mxcheck $(BENCH_MEM_FLAGS)

check-soak: all
	bash $(srcdir)/bench/mem-bench.sh \
	  --mxcheck $(abs_top_builddir)/cli/mxcheck --soak --lines $(SOAK_LINES)

.PHONY: bench-mem check-soak

# Every benchmark of the performance issue in one run, then one table of
# its targets (figure, peer, ratio, met): make bench-all (about 10 minutes
# on 2 CPUs), make bench-all BENCH_ALL_FLAGS=--quick (about 3).
EXTRA_DIST += bench/all.sh bench/all-summary.py
BENCH_ALL_FLAGS =
bench-all: all
	CC="$(CC)" CARES_CFLAGS="$(CARES_CFLAGS)" CARES_LIBS="$(CARES_LIBS)" \
	  JSONC_CFLAGS="$(JSONC_CFLAGS)" \
	  bash $(srcdir)/bench/all.sh \
	  --mxcheck $(abs_top_builddir)/cli/mxcheck \
	  --builddir $(abs_top_builddir) $(BENCH_ALL_FLAGS)
.PHONY: bench-all
