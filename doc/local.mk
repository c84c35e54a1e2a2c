# SPDX-License-Identifier: BSD-2-Clause
dist_man_MANS += %reldir%/mxcheck.1 %reldir%/libmxcheck.3
EXTRA_DIST += %reldir%/HACKING.md

# mxcheck-milter(8) and mxcheck-milter.conf(5): installed with the milter.
EXTRA_DIST += %reldir%/mxcheck-milter.8 %reldir%/mxcheck-milter.conf.5
if BUILD_MILTER
man_MANS = %reldir%/mxcheck-milter.8 %reldir%/mxcheck-milter.conf.5
endif
