# SPDX-License-Identifier: BSD-2-Clause
# mxcheck-milter: built unless ./configure --disable-milter (or libmilter
# is missing).  See milter/mxm.h for the files.
if BUILD_MILTER
sbin_PROGRAMS += %reldir%/mxcheck-milter
endif
%canon_reldir%_mxcheck_milter_SOURCES = %reldir%/milter.c %reldir%/engine.c \
	%reldir%/conf.c %reldir%/verdict.c %reldir%/metrics.c %reldir%/log.c \
	%reldir%/mxm.h
%canon_reldir%_mxcheck_milter_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common \
	-DMXM_CONFIG_FILE='"$(sysconfdir)/mxcheck/mxcheck-milter.conf"'
%canon_reldir%_mxcheck_milter_CFLAGS = $(AM_CFLAGS) -pthread
%canon_reldir%_mxcheck_milter_LDADD = common/libmxconf.la lib/libmxcheck.la \
	$(MILTER_LIBS)

# The systemd unit (its paths from configure) and an example configuration.
if BUILD_MILTER
systemdsystemunit_DATA = %reldir%/mxcheck-milter.service
milterexampledir = $(docdir)
dist_milterexample_DATA = %reldir%/mxcheck-milter.conf.example
endif
CLEANFILES += %reldir%/mxcheck-milter.service
EXTRA_DIST += %reldir%/mxcheck-milter.service.in \
	%reldir%/mxcheck-milter.conf.example
%reldir%/mxcheck-milter.service: %reldir%/mxcheck-milter.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) %reldir% && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' \
	    -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	    $(srcdir)/%reldir%/mxcheck-milter.service.in > $@
