# SPDX-License-Identifier: BSD-2-Clause
# Tests.  Every test program runs under tests/dnsfixture.sh, which starts
# Knot DNS (tests/zones) and the fault-injecting responder on loopback and
# stops them by PID afterwards.
TEST_EXTENSIONS = .sh
LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/dnsfixture.sh --fault
SH_LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/dnsfixture.sh --fault
AM_TESTS_ENVIRONMENT = \
	MXCHECK='$(abs_top_builddir)/cli/mxcheck'; export MXCHECK; \
	MXC_LIBDIR='$(abs_top_builddir)/lib/.libs'; export MXC_LIBDIR; \
	MXC_SRCDIR='$(abs_top_srcdir)'; export MXC_SRCDIR; \
	MXCHECK_SYSCONF='$(abs_top_builddir)/tests/no-such-file.conf'; \
	export MXCHECK_SYSCONF; \
	XDG_CONFIG_HOME='$(abs_top_builddir)/tests/no-such-dir'; \
	export XDG_CONFIG_HOME;

tests_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CARES_CFLAGS)
tests_ldadd = lib/libmxcheck-core.la $(CHECK_LIBS) $(CARES_LIBS) $(JSONC_LIBS)

# The Check programs (each a test of its own).
check_tests = tests/check_unit tests/check_fcrdns tests/check_engine \
	tests/check_fault tests/check_spf
if HAVE_CHECK
check_PROGRAMS += $(check_tests)
TESTS += $(check_tests)
endif
tests_check_unit_SOURCES = tests/check_unit.c
tests_check_unit_CFLAGS = $(tests_cflags)
tests_check_unit_LDADD = $(tests_ldadd)
tests_check_fcrdns_SOURCES = tests/check_fcrdns.c tests/testutil.h
tests_check_fcrdns_CFLAGS = $(tests_cflags)
tests_check_fcrdns_LDADD = $(tests_ldadd)
tests_check_engine_SOURCES = tests/check_engine.c tests/testutil.h
tests_check_engine_CFLAGS = $(tests_cflags)
tests_check_engine_LDADD = $(tests_ldadd)
tests_check_fault_SOURCES = tests/check_fault.c tests/testutil.h
tests_check_fault_CFLAGS = $(tests_cflags)
tests_check_fault_LDADD = $(tests_ldadd)
tests_check_spf_SOURCES = tests/check_spf.c tests/testutil.h
tests_check_spf_CFLAGS = $(tests_cflags)
tests_check_spf_LDADD = $(tests_ldadd)

TESTS += tests/cli.sh tests/exports.sh tests/cli_spf.sh tests/man3.sh
EXTRA_DIST += tests/man3.sh

# DMARC (RFC 9989): tests/zones/dmarc.test.zone, test.zone, uk.zone, io.zone.
check_tests += tests/check_dmarc
tests_check_dmarc_SOURCES = tests/check_dmarc.c tests/testutil.h
tests_check_dmarc_CFLAGS = $(tests_cflags)
tests_check_dmarc_LDADD = $(tests_ldadd)
TESTS += tests/cli_dmarc.sh
EXTRA_DIST += tests/cli_dmarc.sh
# The renderings' JSON writer against json-c (lib/jsonw.c).
check_tests += tests/check_jsonw
tests_check_jsonw_SOURCES = tests/check_jsonw.c
tests_check_jsonw_CFLAGS = $(tests_cflags) $(JSONC_CFLAGS)
tests_check_jsonw_LDADD = $(tests_ldadd)
# The front ends' configuration-file reader (common/conffile.c).
check_tests += tests/check_conffile
tests_check_conffile_SOURCES = tests/check_conffile.c
tests_check_conffile_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common
tests_check_conffile_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_conffile_LDADD = common/libmxconf.la $(CHECK_LIBS)
# The configuration files (mxcheck.conf(5)).  Every test runs with
# MXCHECK_SYSCONF and XDG_CONFIG_HOME (above) naming files that do not
# exist, so that no real configuration changes the results.
TESTS += tests/cli_config.sh
EXTRA_DIST += tests/cli_config.sh
# The bash completion (completion/mxcheck.bash) against mxcheck --help.
TESTS += tests/completion.sh
EXTRA_DIST += tests/completion.sh
# HOST arguments: the host check (A/AAAA, iprev of each address).
TESTS += tests/cli_host.sh
EXTRA_DIST += tests/cli_host.sh
# The demo of ./run-demo tells its story (demo/demo.sh, demo/zones).
TESTS += tests/cli_demo.sh
EXTRA_DIST += tests/cli_demo.sh

# DKIM (RFC 6376, RFC 8463): check_dkim (units of the CLI's message
# splitter, the streaming contract, RFC 8463 A.3 against the static zone
# football.example.com.zone); tests/dkim/run.sh (a corpus signed by dkimpy
# at test time, keys served by tests/dkim/keyserver.py, dkimpy as oracle).
check_tests += tests/check_dkim
tests_check_dkim_SOURCES = tests/check_dkim.c tests/testutil.h \
	cli/msgsplit.c cli/msgsplit.h
tests_check_dkim_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cli
tests_check_dkim_CFLAGS = $(tests_cflags)
tests_check_dkim_LDADD = $(tests_ldadd)
TESTS += tests/dkim/run.sh
EXTRA_DIST += tests/dkim/run.sh tests/dkim/cases.py tests/dkim/keyserver.py \
	tests/dkim/rsa8192.TEST-ONLY.key tests/dkim/rfc8463-a3.eml \
	tests/dkim/README.md

# ARC (RFC 8617): tests/arc/run.sh (chains sealed by dkimpy's ARC signer
# at test time, keys served by tests/dkim/keyserver.py, dkimpy's
# arc_verify as oracle; hostile structures).
TESTS += tests/arc/run.sh
EXTRA_DIST += tests/arc/run.sh tests/arc/cases.py

# Sender requirements (rules R1-R20): tests/zones/bulk.test.zone,
# nodmarc.test.zone; messages in tests/compliance/ signed by
# tests/compliance/sign.py with the TEST-ONLY key.
check_tests += tests/check_compliance
tests_check_compliance_SOURCES = tests/check_compliance.c tests/testutil.h
tests_check_compliance_CFLAGS = $(tests_cflags) $(JSONC_CFLAGS)
tests_check_compliance_LDADD = $(tests_ldadd)
TESTS += tests/cli_compliance.sh
EXTRA_DIST += tests/cli_compliance.sh tests/compliance

# Domain existence (rule R13) and DNS blocklists (rule R19):
# tests/zones/exist.test.zone, bl.test.zone.
check_tests += tests/check_exist tests/check_dnsbl
tests_check_exist_SOURCES = tests/check_exist.c tests/testutil.h
tests_check_exist_CFLAGS = $(tests_cflags)
tests_check_exist_LDADD = $(tests_ldadd)
tests_check_dnsbl_SOURCES = tests/check_dnsbl.c tests/testutil.h
tests_check_dnsbl_CFLAGS = $(tests_cflags)
tests_check_dnsbl_LDADD = $(tests_ldadd)
TESTS += tests/cli_r13_r19.sh
EXTRA_DIST += tests/cli_r13_r19.sh

# The event-loop adapters (lib/adapters/): one program per loop library
# from tests/check_adapter.c; SKIP (77) when configure did not find it.
check_tests += tests/check_adapter_libevent tests/check_adapter_libev \
	tests/check_adapter_libuv
tests_check_adapter_libevent_SOURCES = tests/check_adapter.c tests/testutil.h
tests_check_adapter_libev_SOURCES = tests/check_adapter.c tests/testutil.h
tests_check_adapter_libuv_SOURCES = tests/check_adapter.c tests/testutil.h
tests_check_adapter_libevent_CFLAGS = $(tests_cflags)
tests_check_adapter_libev_CFLAGS = $(tests_cflags)
tests_check_adapter_libuv_CFLAGS = $(tests_cflags)
if HAVE_LIBEVENT
tests_check_adapter_libevent_CPPFLAGS = $(AM_CPPFLAGS) -DMXC_TEST_LIBEVENT \
	$(LIBEVENT_CFLAGS)
tests_check_adapter_libevent_LDADD = $(tests_ldadd) $(LIBEVENT_LIBS)
else
tests_check_adapter_libevent_CPPFLAGS = $(AM_CPPFLAGS)
tests_check_adapter_libevent_LDADD = $(tests_ldadd)
endif
if HAVE_LIBEV
tests_check_adapter_libev_CPPFLAGS = $(AM_CPPFLAGS) -DMXC_TEST_LIBEV
tests_check_adapter_libev_LDADD = $(tests_ldadd) $(LIBEV_LIBS)
else
tests_check_adapter_libev_CPPFLAGS = $(AM_CPPFLAGS)
tests_check_adapter_libev_LDADD = $(tests_ldadd)
endif
if HAVE_LIBUV
tests_check_adapter_libuv_CPPFLAGS = $(AM_CPPFLAGS) -DMXC_TEST_LIBUV \
	$(LIBUV_CFLAGS)
tests_check_adapter_libuv_LDADD = $(tests_ldadd) $(LIBUV_LIBS)
else
tests_check_adapter_libuv_CPPFLAGS = $(AM_CPPFLAGS)
tests_check_adapter_libuv_LDADD = $(tests_ldadd)
endif

# Golden output: the text, --json and --authres renderings of every check
# compared byte for byte with tests/golden/ (tests/golden.sh --update
# regenerates them).
TESTS += tests/golden.sh
EXTRA_DIST += tests/golden.sh tests/golden

EXTRA_DIST += tests/dnsfixture.sh tests/knotlib.sh tests/faultdns.py \
	tests/faultdns.md tests/dnswire.py \
	tests/cli.sh tests/clilib.sh tests/exports.sh tests/zones tests/cli_spf.sh

# The suite under AddressSanitizer + UndefinedBehaviorSanitizer, built from
# the distribution tarball in a directory of its own.
SANITIZE_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
check-sanitize: dist-gzip
	rm -rf _sanitize && mkdir _sanitize
	tar -xzf $(distdir).tar.gz -C _sanitize
	cd _sanitize/$(distdir) && ./configure --enable-werror --disable-milter \
		CFLAGS="$(SANITIZE_CFLAGS)" LDFLAGS="-fsanitize=address,undefined" \
		>/dev/null && \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(MAKE) $(AM_MAKEFLAGS) check

# The test programs under valgrind (memcheck): errors and definite leaks
# fail the test.
VALGRIND = valgrind -q --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite
check-valgrind: $(check_PROGRAMS)
	CK_FORK=no CK_TIMEOUT_MULTIPLIER=10 MXC_TEST_WRAPPER="$(VALGRIND)" \
		$(MAKE) $(AM_MAKEFLAGS) check \
		TESTS="$(check_tests) tests/spfsuite/run.sh"

clean-local: clean-local-sanitize
clean-local-sanitize:
	rm -rf _sanitize
.PHONY: check-sanitize check-valgrind clean-local-sanitize

# Fuzzing (clang's libFuzzer, ASan, UBSan): one target per parser and per
# entry point that takes outside bytes (tests/fuzz/fuzz_*.c), seed corpora
# in tests/fuzz/corpus/NAME.  tests/fuzz/build.sh compiles the library's
# sources with clang into tests/fuzz/bin/.
#   make fuzz-smoke     each target over its corpus, then FUZZ_SMOKE_SECONDS
#                       of new inputs; fails on any finding (.ci/run runs it)
#   make fuzz FUZZ_SECONDS=3600 FUZZ_TARGET=fuzz_spf   a long run by hand
FUZZ_CC = clang
FUZZ_SECONDS = 60
FUZZ_SMOKE_SECONDS = 10
FUZZ_TARGET = fuzz_dnsmsg
FUZZ_ENV = CC="$(FUZZ_CC)" \
	CPPFLAGS="-I$(top_srcdir)/lib -I$(top_builddir)/lib -I$(top_builddir) \
	$(CARES_CFLAGS) $(JSONC_CFLAGS) $(OPENDKIM_CFLAGS) $(PSL_CFLAGS) \
	$(CRYPTO_CFLAGS) $(ZSCANNER_CFLAGS)" \
	LIBS="$(CARES_LIBS) $(JSONC_LIBS) $(SPF2_LIBS) $(OPENDKIM_LIBS) \
	$(PSL_LIBS) $(CRYPTO_LIBS) $(ZSCANNER_LIBS) -lm"
EXTRA_DIST += tests/fuzz/build.sh tests/fuzz/smoke.sh tests/fuzz/corpus \
	tests/fuzz/fuzz_dnsmsg.c tests/fuzz/fuzz_spf.c tests/fuzz/fuzz_dmarc.c \
	tests/fuzz/fuzz_msg.c tests/fuzz/fuzz_dkim.c tests/fuzz/fuzz_msgsplit.c \
	tests/fuzz/fuzz_arc.c tests/fuzz/fuzz_trace.c tests/fuzz/fuzz_zone.c \
	tests/fuzz/fuzz_batchline.c tests/fuzz/fuzz_conffile.c \
	tests/fuzz/fuzz_dnssec.c tests/fuzz/fuzz_jsonw.c tests/fuzz/fuzz_dkimcanon.c
fuzz-build: lib/mxcheck_version.h
	$(FUZZ_ENV) $(SHELL) $(top_srcdir)/tests/fuzz/build.sh \
		$(top_srcdir) tests/fuzz/bin
fuzz-smoke: fuzz-build
	$(SHELL) $(top_srcdir)/tests/fuzz/smoke.sh $(top_srcdir) tests/fuzz/bin \
		$(FUZZ_SMOKE_SECONDS)
fuzz: fuzz-build
	mkdir -p tests/fuzz/bin/long-$(FUZZ_TARGET)
	tests/fuzz/bin/$(FUZZ_TARGET) -max_total_time=$(FUZZ_SECONDS) \
		-max_len=65536 -print_final_stats=1 \
		tests/fuzz/bin/long-$(FUZZ_TARGET) \
		$(top_srcdir)/tests/fuzz/corpus/$$(echo $(FUZZ_TARGET) | sed 's/^fuzz_//')
clean-local: clean-local-fuzz
clean-local-fuzz:
	rm -rf tests/fuzz/bin
.PHONY: fuzz fuzz-build fuzz-smoke clean-local-fuzz

# The three questions of issue 9 through the library: the envelope of a
# received copy (check_trace; parser units need no network), and the CLI
# (tests/cli_questions.sh).
check_tests += tests/check_trace
tests_check_trace_SOURCES = tests/check_trace.c tests/testutil.h
tests_check_trace_CFLAGS = $(tests_cflags)
tests_check_trace_LDADD = $(tests_ldadd)
TESTS += tests/cli_questions.sh
EXTRA_DIST += tests/cli_questions.sh

# mxcheck-milter (milter/): the daemon driven by miltertest against the
# Knot zones; skips (77) without miltertest or when the milter is not
# built (make distcheck and check-sanitize configure --disable-milter).
TESTS += tests/milter/milter.sh
EXTRA_DIST += tests/milter/milter.sh tests/milter/send.lua

# make check-postfix: the milter behind a real private Postfix instance
# (root only; skipped otherwise).  make bench-milter: BENCH_MILTER_N
# messages through Postfix with no milter, a do-nothing milter and
# mxcheck-milter.  Neither is part of make check.
EXTRA_DIST += tests/milter/postfix.sh tests/milter/bench.sh \
	tests/milter/nullmilter.c
BENCH_MILTER_N = 2000
check-postfix: all
	@rc=0; MXC_SRCDIR='$(abs_top_srcdir)' \
	  MXCHECK_MILTER='$(abs_top_builddir)/milter/mxcheck-milter' \
	  $(SHELL) $(top_srcdir)/tests/dnsfixture.sh \
	  $(top_srcdir)/tests/milter/postfix.sh || rc=$$?; \
	  test $$rc -eq 0 || test $$rc -eq 77
bench-milter: all
	@rc=0; MXC_SRCDIR='$(abs_top_srcdir)' CC='$(CC)' \
	  MXCHECK_MILTER='$(abs_top_builddir)/milter/mxcheck-milter' \
	  $(SHELL) $(top_srcdir)/tests/dnsfixture.sh \
	  $(top_srcdir)/tests/milter/postfix.sh --bench $(BENCH_MILTER_N) \
	  || rc=$$?; test $$rc -eq 0 || test $$rc -eq 77
.PHONY: check-postfix bench-milter

# The milter test with the daemon under valgrind (memcheck; errors and
# definite leaks fail it through the daemon's exit status).  check-sanitize
# configures --disable-milter, so this is the milter's memory check.
check-valgrind-milter: all
	MXC_MILTER_WRAPPER="$(VALGRIND)" $(MAKE) $(AM_MAKEFLAGS) check \
		TESTS="tests/milter/milter.sh"
.PHONY: check-valgrind-milter

# Zone files (--zone, mxc_ctx_add_zone_*): check_zone (answers from zone
# text: records, NODATA/NXDOMAIN, CNAME, wildcards, zone cuts with a live
# delegation to the fixture, the checks on top, hostile text);
# cli_zone.sh (the drafts of tests/zones/drafts/ against the fixture).
check_tests += tests/check_zone
tests_check_zone_SOURCES = tests/check_zone.c
tests_check_zone_CFLAGS = $(tests_cflags)
tests_check_zone_LDADD = $(tests_ldadd)
# cli_zone_knot.sh: every golden case again with all of tests/zones/ as
# --zone files: the same output from the zone store as from Knot.
TESTS += tests/cli_zone.sh tests/cli_zone_knot.sh
EXTRA_DIST += tests/cli_zone.sh tests/cli_zone_knot.sh

# DNSSEC of signed zone files (lib/checks/dnssec/): check_dnssec (key
# tags and signatures of RFC vectors, canonical form, findings at fixed
# times); cli_dnssec.sh (zones signed at test time by ldns-signzone:
# good, expired, not yet valid, expiring, orphaned key tag, tampered,
# unsigned RRset, unsigned zone).
check_tests += tests/check_dnssec
tests_check_dnssec_SOURCES = tests/check_dnssec.c
tests_check_dnssec_CFLAGS = $(tests_cflags)
tests_check_dnssec_LDADD = $(tests_ldadd)
TESTS += tests/cli_dnssec.sh
EXTRA_DIST += tests/cli_dnssec.sh
