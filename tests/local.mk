# Tests.  Every test program runs under tests/dnsfixture.sh, which starts
# Knot DNS (tests/zones) and the fault-injecting responder on loopback and
# stops them by PID afterwards.
TEST_EXTENSIONS = .sh
LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/dnsfixture.sh --fault
SH_LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/dnsfixture.sh --fault
AM_TESTS_ENVIRONMENT = \
	MXCHECK='$(abs_top_builddir)/cli/mxcheck'; export MXCHECK; \
	MXC_LIBDIR='$(abs_top_builddir)/lib/.libs'; export MXC_LIBDIR; \
	MXC_SRCDIR='$(abs_top_srcdir)'; export MXC_SRCDIR;

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

TESTS += tests/cli.sh tests/exports.sh tests/cli_spf.sh

# DMARC (RFC 9989): tests/zones/dmarc.test.zone, test.zone, uk.zone, io.zone.
check_tests += tests/check_dmarc
tests_check_dmarc_SOURCES = tests/check_dmarc.c tests/testutil.h
tests_check_dmarc_CFLAGS = $(tests_cflags)
tests_check_dmarc_LDADD = $(tests_ldadd)
TESTS += tests/cli_dmarc.sh
EXTRA_DIST += tests/cli_dmarc.sh

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

# Sender requirements (rules R1-R20): tests/zones/bulk.test.zone,
# nodmarc.test.zone; messages in tests/compliance/ signed by
# tests/compliance/sign.py with the TEST-ONLY key.
check_tests += tests/check_compliance
tests_check_compliance_SOURCES = tests/check_compliance.c tests/testutil.h
tests_check_compliance_CFLAGS = $(tests_cflags) $(JSONC_CFLAGS)
tests_check_compliance_LDADD = $(tests_ldadd)
TESTS += tests/cli_compliance.sh
EXTRA_DIST += tests/cli_compliance.sh tests/compliance

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

# Fuzzing (clang's libFuzzer), run by hand: make fuzz FUZZ_SECONDS=60
FUZZ_SECONDS = 30
FUZZ_CC = clang
EXTRA_DIST += tests/fuzz/fuzz_dnsmsg.c tests/fuzz/corpus
fuzz: lib/mxcheck_version.h
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-I$(top_srcdir)/lib -I$(top_builddir)/lib -I$(top_builddir) \
		$(CARES_CFLAGS) \
		$(top_srcdir)/lib/util.c $(top_srcdir)/lib/addr.c \
		$(top_srcdir)/lib/dnsmsg.c $(top_srcdir)/tests/fuzz/fuzz_dnsmsg.c \
		$(CARES_LIBS) -o tests/fuzz/fuzz_dnsmsg
	mkdir -p tests/fuzz/run-corpus
	tests/fuzz/fuzz_dnsmsg -max_total_time=$(FUZZ_SECONDS) \
		-max_len=4096 tests/fuzz/run-corpus $(top_srcdir)/tests/fuzz/corpus
.PHONY: fuzz

# The trace field parser (a received copy's envelope): make fuzz-trace.
EXTRA_DIST += tests/fuzz/fuzz_trace.c tests/fuzz/corpus-trace
fuzz-trace: lib/mxcheck_version.h
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-I$(top_srcdir)/lib -I$(top_builddir)/lib -I$(top_builddir) \
		$(CARES_CFLAGS) \
		$(top_srcdir)/lib/util.c $(top_srcdir)/lib/addr.c \
		$(top_srcdir)/lib/checks/compliance/trace.c \
		$(top_srcdir)/tests/fuzz/fuzz_trace.c \
		$(CARES_LIBS) -o tests/fuzz/fuzz_trace
	mkdir -p tests/fuzz/run-corpus-trace
	tests/fuzz/fuzz_trace -max_total_time=$(FUZZ_SECONDS) \
		-max_len=70000 tests/fuzz/run-corpus-trace \
		$(top_srcdir)/tests/fuzz/corpus-trace
fuzz: fuzz-trace
.PHONY: fuzz-trace

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
