# SPDX-License-Identifier: BSD-2-Clause
# Example programs, built against the installed library through pkg-config
# by make installcheck (examples/installcheck.sh); not built by make all.
EXTRA_DIST += examples/Makefile examples/installcheck.sh examples/monitor.c \
	examples/report.c

installcheck-local: installcheck-examples
installcheck-examples:
	rm -rf examples-installcheck && mkdir examples-installcheck
	cd examples-installcheck && SRCDIR='$(abs_top_srcdir)' \
	  LIBDIR='$(libdir)' CC='$(CC)' MAKE='$(MAKE)' \
	  $(SHELL) '$(abs_top_srcdir)/examples/installcheck.sh'
	rm -rf examples-installcheck
clean-local: clean-local-examples
clean-local-examples:
	rm -rf examples-installcheck
.PHONY: installcheck-examples clean-local-examples
