# SPDX-License-Identifier: BSD-2-Clause
# make analyze: clang's static analyzer (scan-build) and cppcheck over
# lib/, cli/ and milter/; fails on any report (tools/analyze.sh; .ci/run
# runs it).  Reports under analyze-out/.
EXTRA_DIST += %reldir%/analyze.sh %reldir%/cppcheck.supp \
	%reldir%/scan-build.supp
analyze:
	ANALYZE_CPPFLAGS="$(DEFS) -I$(abs_top_srcdir)/lib -I$(abs_top_builddir)/lib \
	-I$(abs_top_srcdir)/common \
	-I$(abs_top_builddir)" \
	ANALYZE_LIB="-DMXC_BUILDING_LIBRARY $(CARES_CFLAGS) $(JSONC_CFLAGS) \
	$(OPENDKIM_CFLAGS) $(PSL_CFLAGS) $(CRYPTO_CFLAGS)" \
	ANALYZE_MILTER='-pthread -DMXM_CONFIG_FILE="/etc/mxcheck-milter.conf"' \
	$(SHELL) $(top_srcdir)/tools/analyze.sh $(top_srcdir) \
		$(abs_top_builddir)/analyze-out
clean-local: clean-local-analyze
clean-local-analyze:
	rm -rf analyze-out
.PHONY: analyze clean-local-analyze

# make check-deb: the Debian packages (debian/) of the distribution tarball
# built in a temporary directory, linted, installed, checked and purged
# (tools/check-deb.sh; as root only for the install; .ci/run runs it).
EXTRA_DIST += %reldir%/check-deb.sh
check-deb: dist-gzip
	$(SHELL) $(top_srcdir)/tools/check-deb.sh $(distdir).tar.gz
.PHONY: check-deb
