# SPDX-License-Identifier: BSD-2-Clause
bin_PROGRAMS += %reldir%/mxcheck
%canon_reldir%_mxcheck_SOURCES = %reldir%/mxcheck.c %reldir%/msgsplit.c \
	%reldir%/msgsplit.h
%canon_reldir%_mxcheck_LDADD = lib/libmxcheck.la
