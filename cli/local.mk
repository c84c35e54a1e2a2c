# SPDX-License-Identifier: BSD-2-Clause
bin_PROGRAMS += %reldir%/mxcheck
%canon_reldir%_mxcheck_SOURCES = %reldir%/mxcheck.c %reldir%/msgsplit.c \
	%reldir%/batchline.c %reldir%/batchline.h \
	%reldir%/msgsplit.h %reldir%/diff.c %reldir%/diff.h \
	%reldir%/cliconf.c %reldir%/cliconf.h
# json-c: --diff reads the JSON reports of its two runs (diff.c).
%canon_reldir%_mxcheck_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
%canon_reldir%_mxcheck_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common \
	-DMXCHECK_CONFIG_FILE='"$(sysconfdir)/mxcheck/mxcheck.conf"'
%canon_reldir%_mxcheck_LDADD = common/libmxconf.la lib/libmxcheck.la $(JSONC_LIBS)
