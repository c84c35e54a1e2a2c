# SPDX-License-Identifier: BSD-2-Clause
# The bash completion of mxcheck, installed as "mxcheck" (the name
# bash-completion loads on demand) into bashcompletiondir (configure
# --with-bash-completion-dir).  tests/completion.sh tests it.
EXTRA_DIST += %reldir%/mxcheck.bash
if INSTALL_BASH_COMPLETION
install-data-local: install-bash-completion
uninstall-local: uninstall-bash-completion
endif
install-bash-completion:
	$(MKDIR_P) '$(DESTDIR)$(bashcompletiondir)'
	$(INSTALL_DATA) '$(srcdir)/%reldir%/mxcheck.bash' \
		'$(DESTDIR)$(bashcompletiondir)/mxcheck'
uninstall-bash-completion:
	rm -f '$(DESTDIR)$(bashcompletiondir)/mxcheck'
.PHONY: install-bash-completion uninstall-bash-completion
