# SPDX-License-Identifier: BSD-2-Clause
bin_PROGRAMS += %reldir%/mxcheck
%canon_reldir%_mxcheck_SOURCES = %reldir%/mxcheck.c %reldir%/msgsplit.c \
	%reldir%/batchline.c %reldir%/batchline.h \
	%reldir%/msgsplit.h %reldir%/diff.c %reldir%/diff.h
# json-c: --diff reads the JSON reports of its two runs (diff.c).
%canon_reldir%_mxcheck_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
%canon_reldir%_mxcheck_LDADD = lib/libmxcheck.la $(JSONC_LIBS)
