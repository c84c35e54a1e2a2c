bin_PROGRAMS += %reldir%/mxcheck
%canon_reldir%_mxcheck_SOURCES = %reldir%/mxcheck.c
%canon_reldir%_mxcheck_LDADD = lib/libmxcheck.la
