/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cliconf.h -- mxcheck's configuration files (mxcheck.conf(5)): defaults
 * for options the command line did not give.
 */
#ifndef MXCHECK_CLICONF_H
#define MXCHECK_CLICONF_H

#include <stddef.h>

#include <mxcheck.h>

/* The system file (configure's sysconfdir; $MXCHECK_SYSCONF overrides). */
#ifndef MXCHECK_CONFIG_FILE
#define MXCHECK_CONFIG_FILE "/etc/mxcheck/mxcheck.conf"
#endif

#define CLI_MAX_SERVERS 4096 /* the comma-separated server list, octets */

/* The values read; unset ones are 0 / NULL / -2 (color). */
struct cli_conf {
  char servers[CLI_MAX_SERVERS]; /* "" or "HOST[:PORT],..." */
  double timeout_s;
  long tries;
  const char *profile; /* one of cli_profiles[] */
  char *authserv_id;
  char *dnsbl[MXC_DNSBL_MAX_ZONES];
  size_t ndnsbl;
  int color; /* -2 unset, -1 auto, 0 never, 1 always */
};

/* The compliance profiles the CLI knows (--profile, --list-profiles). */
extern const char *const cli_profiles[];
extern const size_t cli_nprofiles;

/* Read the files into c: only `config` when not NULL (it must exist);
 * none with no_config; else the system file ($MXCHECK_SYSCONF, by default
 * SYSCONFDIR/mxcheck/mxcheck.conf) and then the user's
 * ($XDG_CONFIG_HOME/mxcheck/mxcheck.conf, by default under ~/.config),
 * the user's values over the system's.  A missing default file is no
 * error.  On an error: one line "PROG: FILE:LINE: ..." on stderr, exit 3. */
void cli_conf_load(struct cli_conf *c, const char *progname,
                   const char *config, int no_config);
void cli_conf_free(struct cli_conf *c);

#endif
