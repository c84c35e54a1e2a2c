# SPDX-License-Identifier: BSD-2-Clause
# RFC 7208 conformance suite through the real pipeline (see
# tests/spfsuite/README.md): run.sh serves each scenario's zone data with
# zoneserver.py on loopback and feeds its tests to the spf_suite driver.
# The driver needs no Check; it is built by make check and run by run.sh
# (MXC_TEST_WRAPPER, e.g. valgrind, applies to it).
check_PROGRAMS += tests/spfsuite/spf_suite
tests_spfsuite_spf_suite_SOURCES = tests/spfsuite/spf_suite.c
tests_spfsuite_spf_suite_CFLAGS = $(AM_CFLAGS) $(CARES_CFLAGS)
tests_spfsuite_spf_suite_LDADD = lib/libmxcheck-core.la $(CARES_LIBS) $(SPF2_LIBS) \
	$(JSONC_LIBS)

TESTS += tests/spfsuite/run.sh

EXTRA_DIST += tests/spfsuite/run.sh tests/spfsuite/zoneserver.py \
	tests/spfsuite/rfc7208-tests.yml tests/spfsuite/README.md
