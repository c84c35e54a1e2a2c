# SPDX-License-Identifier: BSD-2-Clause
# libmxcheck: all sources go into a convenience library that the tests link
# (so internals stay testable); the installed library wraps it and exports
# only mxc_ symbols.
include_HEADERS = %reldir%/mxcheck.h
nodist_include_HEADERS = %reldir%/mxcheck_version.h
# The event-loop adapters, as <mxcheck/adapters/libevent.h> and so on.
mxcadaptersdir = $(includedir)/mxcheck/adapters
mxcadapters_HEADERS = %reldir%/adapters/libevent.h \
	%reldir%/adapters/libev.h %reldir%/adapters/libuv.h

noinst_LTLIBRARIES += %reldir%/libmxcheck-core.la
# The engine: context, DNS (wire format, cache, queries), loop and driver,
# the result object and its renderings.  It names no check.
%canon_reldir%_libmxcheck_core_la_SOURCES = \
	%reldir%/mxc_private.h \
	%reldir%/util.c \
	%reldir%/addr.c \
	%reldir%/dnsmsg.c \
	%reldir%/dns.c \
	%reldir%/zone.c \
	%reldir%/ctx.c \
	%reldir%/loop.c \
	%reldir%/run.c \
	%reldir%/result.c \
	%reldir%/report.c \
	%reldir%/jsonw.c
# The checks, each in its folder with its own header and method table
# (doc/HACKING.md: how to add one).
%canon_reldir%_libmxcheck_core_la_SOURCES += \
	%reldir%/checks/iprev/iprev_private.h \
	%reldir%/checks/iprev/iprev.c \
	%reldir%/checks/iprev/iprev_result.c
# SPF (RFC 7208; libspf2's view beside it).
%canon_reldir%_libmxcheck_core_la_SOURCES += \
	%reldir%/checks/spf/spf_private.h \
	%reldir%/checks/spf/spf.c \
	%reldir%/checks/spf/spf_parse.c \
	%reldir%/checks/spf/spf_macro.c \
	%reldir%/checks/spf/spf_libspf2.c \
	%reldir%/checks/spf/spf_result.c
# DKIM (RFC 6376, RFC 8463; libopendkim verifies).
%canon_reldir%_libmxcheck_core_la_SOURCES += \
	%reldir%/checks/dkim/dkim_private.h \
	%reldir%/checks/dkim/dkim.c \
	%reldir%/checks/dkim/dkim_canon.c \
	%reldir%/checks/dkim/dkim_result.c
# DMARC (RFC 9989; RFC 7489's Public Suffix List through libpsl).
%canon_reldir%_libmxcheck_core_la_SOURCES += \
	%reldir%/checks/dmarc/dmarc_private.h \
	%reldir%/checks/dmarc/dmarc.c \
	%reldir%/checks/dmarc/dmarc_parse.c \
	%reldir%/checks/dmarc/dmarc_result.c
# ARC (RFC 8617), verified on OpenSSL.
%canon_reldir%_libmxcheck_core_la_SOURCES += \
	%reldir%/checks/arc/arc_private.h \
	%reldir%/checks/arc/arc.c \
	%reldir%/checks/arc/arc_parse.c \
	%reldir%/checks/arc/arc_result.c
# Domain existence (rule R13; RFC 7505 null MX).
%canon_reldir%_libmxcheck_core_la_SOURCES += \
	%reldir%/checks/exist/exist_private.h \
	%reldir%/checks/exist/exist.c \
	%reldir%/checks/exist/exist_result.c
# DNS blocklists (rule R19; RFC 5782).
%canon_reldir%_libmxcheck_core_la_SOURCES += \
	%reldir%/checks/dnsbl/dnsbl_private.h \
	%reldir%/checks/dnsbl/dnsbl.c \
	%reldir%/checks/dnsbl/dnsbl_result.c
# Sender requirements (doc: RULES R1-R20): header checks, the rule table.
%canon_reldir%_libmxcheck_core_la_SOURCES += \
	%reldir%/checks/compliance/compliance_private.h \
	%reldir%/checks/compliance/message.c \
	%reldir%/checks/compliance/compliance.c \
	%reldir%/checks/compliance/compliance_result.c
# The envelope of a received copy from its trace fields (Received,
# Return-Path).
%canon_reldir%_libmxcheck_core_la_SOURCES += \
	%reldir%/checks/compliance/trace.c
# A sending domain's audit: MX (null MX), iprev of the MX hosts, DMARC.
%canon_reldir%_libmxcheck_core_la_SOURCES += \
	%reldir%/checks/domain/domain_private.h \
	%reldir%/checks/domain/domain.c \
	%reldir%/checks/domain/domain_result.c \
	%reldir%/checks/domain/domain_keys.c
# A host name: its A and AAAA, iprev of each address against the name.
%canon_reldir%_libmxcheck_core_la_SOURCES += \
	%reldir%/checks/host/host_private.h \
	%reldir%/checks/host/host.c \
	%reldir%/checks/host/host_result.c
# DNSSEC of a signed zone file (--zone): RRSIG times, keys, signatures
# verified on OpenSSL (RFC 4034, RFC 4035).
%canon_reldir%_libmxcheck_core_la_SOURCES += \
	%reldir%/checks/dnssec/dnssec_private.h \
	%reldir%/checks/dnssec/dnssec.c \
	%reldir%/checks/dnssec/dnssec_crypto.c \
	%reldir%/checks/dnssec/dnssec_result.c
%canon_reldir%_libmxcheck_core_la_CPPFLAGS = $(AM_CPPFLAGS) -DMXC_BUILDING_LIBRARY
%canon_reldir%_libmxcheck_core_la_CFLAGS = $(AM_CFLAGS) $(VISIBILITY_CFLAGS) \
	$(CARES_CFLAGS) $(OPENDKIM_CFLAGS) $(PSL_CFLAGS) \
	$(CRYPTO_CFLAGS) $(ZSCANNER_CFLAGS)
%canon_reldir%_libmxcheck_core_la_LIBADD = $(CARES_LIBS) \
	$(SPF2_LIBS) $(OPENDKIM_LIBS) $(PSL_LIBS) $(CRYPTO_LIBS) \
	$(ZSCANNER_LIBS)

lib_LTLIBRARIES += %reldir%/libmxcheck.la
%canon_reldir%_libmxcheck_la_SOURCES =
%canon_reldir%_libmxcheck_la_LIBADD = %reldir%/libmxcheck-core.la
%canon_reldir%_libmxcheck_la_LDFLAGS = -version-info $(MXC_LT_VERSION) \
	-no-undefined -export-symbols-regex '^mxc_'
