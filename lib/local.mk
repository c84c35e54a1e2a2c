# libmxcheck: all sources go into a convenience library that the tests link
# (so internals stay testable); the installed library wraps it and exports
# only mxc_ symbols.
include_HEADERS = %reldir%/mxcheck.h
nodist_include_HEADERS = %reldir%/mxcheck_version.h

noinst_LTLIBRARIES += %reldir%/libmxcheck-core.la
%canon_reldir%_libmxcheck_core_la_SOURCES = \
	%reldir%/mxc_private.h \
	%reldir%/util.c \
	%reldir%/addr.c \
	%reldir%/dnsmsg.c \
	%reldir%/dns.c \
	%reldir%/ctx.c \
	%reldir%/loop.c \
	%reldir%/run.c \
	%reldir%/fcrdns.c \
	%reldir%/spf.c \
	%reldir%/spf_parse.c \
	%reldir%/spf_macro.c \
	%reldir%/spf_libspf2.c \
	%reldir%/dkim.c \
	%reldir%/dkim_result.c \
	%reldir%/result.c \
	%reldir%/report.c
%canon_reldir%_libmxcheck_core_la_CPPFLAGS = $(AM_CPPFLAGS) -DMXC_BUILDING_LIBRARY
%canon_reldir%_libmxcheck_core_la_CFLAGS = $(AM_CFLAGS) $(VISIBILITY_CFLAGS) \
	$(CARES_CFLAGS) $(JSONC_CFLAGS) $(OPENDKIM_CFLAGS)
%canon_reldir%_libmxcheck_core_la_LIBADD = $(CARES_LIBS) $(JSONC_LIBS) \
	$(SPF2_LIBS) $(OPENDKIM_LIBS)
# DMARC (RFC 9989; RFC 7489's Public Suffix List through libpsl).
%canon_reldir%_libmxcheck_core_la_SOURCES += %reldir%/dmarc.c \
	%reldir%/dmarc_parse.c %reldir%/dmarc_report.c
# Sender requirements (doc: RULES R1-R20): header checks, the rule table.
%canon_reldir%_libmxcheck_core_la_SOURCES += %reldir%/message.c \
	%reldir%/compliance.c
%canon_reldir%_libmxcheck_core_la_CFLAGS += $(PSL_CFLAGS)
%canon_reldir%_libmxcheck_core_la_LIBADD += $(PSL_LIBS)

lib_LTLIBRARIES += %reldir%/libmxcheck.la
%canon_reldir%_libmxcheck_la_SOURCES =
%canon_reldir%_libmxcheck_la_LIBADD = %reldir%/libmxcheck-core.la
%canon_reldir%_libmxcheck_la_LDFLAGS = -version-info $(MXC_LT_VERSION) \
	-no-undefined -export-symbols-regex '^mxc_'
