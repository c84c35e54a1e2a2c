# SPDX-License-Identifier: BSD-2-Clause
# Code shared by the front ends (mxcheck, mxcheck-milter), not by the
# library: the configuration-file reader.  A convenience library, never
# installed; its names are not in <mxcheck.h>.
noinst_LTLIBRARIES += %reldir%/libmxconf.la
%canon_reldir%_libmxconf_la_SOURCES = %reldir%/conffile.c %reldir%/conffile.h
