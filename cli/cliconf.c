/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cliconf.c -- mxcheck's configuration files: the system file, then the
 * user's, read with the front ends' reader (common/conffile.c).  Keys are
 * the long option names; a list (server, dnsbl) given again in a later
 * file replaces the earlier file's list, and main() lets the command line
 * replace both.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliconf.h"
#include "conffile.h"

const char *const cli_profiles[] = {"gmail", "gmail-bulk", "yahoo-bulk",
                                    "microsoft-bulk"};
const size_t cli_nprofiles = sizeof(cli_profiles) / sizeof(cli_profiles[0]);

struct file {
  struct cli_conf *c;
  const char *progname;
  mxc_ctx_t *ctx; /* judges server and dnsbl values (NULL: not judged) */
  int ctx_tried;  /* made at the first such value, not for every run */
  int seen_server, seen_dnsbl;
};

static int bad(const struct file *f, const char *where, const char *key,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bad(const struct file *f, const char *where, const char *key,
               const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "%s: %s%s: ", f->progname, where, key);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return -1;
}

/* The library judges server and zone names (without a resolver, when
 * /etc/resolv.conf cannot be read, the values are taken as they are and
 * judged when used). */
static mxc_ctx_t *judge(struct file *f)
{
  if (!f->ctx_tried) {
    f->ctx_tried = 1;
    if (mxc_ctx_new(&f->ctx) != MXC_OK)
      f->ctx = NULL;
  }
  return f->ctx;
}

static int one_key(void *arg, const char *key, const char *v,
                   const char *where)
{
  struct file *f = arg;
  struct cli_conf *c = f->c;
  char *e;
  size_t i;

  if (strcmp(key, "server") == 0) {
    size_t have;
    if (!f->seen_server) { /* this file's list replaces the earlier one */
      c->servers[0] = '\0';
      f->seen_server = 1;
    }
    if (strchr(v, ',') || strchr(v, ' ') || strchr(v, '\t'))
      return bad(f, where, key, "one HOST[:PORT] per line, got \"%s\"", v);
    if (judge(f) && mxc_ctx_set_servers(f->ctx, v) != MXC_OK)
      return bad(f, where, key, "%s", mxc_ctx_error(f->ctx));
    have = strlen(c->servers);
    if (have + strlen(v) + 2 > sizeof(c->servers))
      return bad(f, where, key, "too many servers");
    snprintf(c->servers + have, sizeof(c->servers) - have, "%s%s",
             have ? "," : "", v);
  } else if (strcmp(key, "timeout") == 0) {
    double t;
    errno = 0;
    t = strtod(v, &e);
    if (*e != '\0' || errno || !(t >= 0.01) || t > 600)
      return bad(f, where, key,
                 "expected seconds from 0.01 to 600, got \"%s\"", v);
    c->timeout_s = t;
  } else if (strcmp(key, "tries") == 0) {
    long n;
    errno = 0;
    n = strtol(v, &e, 10);
    if (*e != '\0' || errno || n < 1 || n > 10)
      return bad(f, where, key,
                 "expected a whole number from 1 to 10, got \"%s\"", v);
    c->tries = n;
  } else if (strcmp(key, "profile") == 0) {
    for (i = 0; i < cli_nprofiles && strcmp(v, cli_profiles[i]) != 0; i++)
      ;
    if (i == cli_nprofiles)
      return bad(f, where, key,
                 "expected gmail, gmail-bulk, yahoo-bulk or microsoft-bulk, "
                 "got \"%s\"", v);
    c->profile = cli_profiles[i];
  } else if (strcmp(key, "authserv-id") == 0) {
    char *s = strdup(v);
    if (s == NULL)
      return bad(f, where, key, "out of memory");
    free(c->authserv_id);
    c->authserv_id = s;
  } else if (strcmp(key, "dnsbl") == 0) {
    char *s;
    if (!f->seen_dnsbl) {
      for (i = 0; i < c->ndnsbl; i++)
        free(c->dnsbl[i]);
      c->ndnsbl = 0;
      f->seen_dnsbl = 1;
    }
    if (c->ndnsbl == MXC_DNSBL_MAX_ZONES)
      return bad(f, where, key, "at most %d lists", MXC_DNSBL_MAX_ZONES);
    if (judge(f) && mxc_ctx_set_dnsbl_zones(f->ctx, &v, 1) != MXC_OK)
      return bad(f, where, key, "%s", mxc_ctx_error(f->ctx));
    if ((s = strdup(v)) == NULL)
      return bad(f, where, key, "out of memory");
    c->dnsbl[c->ndnsbl++] = s;
  } else if (strcmp(key, "color") == 0 || strcmp(key, "colour") == 0) {
    if (strcmp(v, "auto") == 0)
      c->color = -1;
    else if (strcmp(v, "always") == 0)
      c->color = 1;
    else if (strcmp(v, "never") == 0)
      c->color = 0;
    else
      return bad(f, where, key, "expected auto, always or never, got \"%s\"",
                 v);
  } else {
    fprintf(stderr,
            "%s: %sunknown key \"%s\" (keys: server, timeout, tries, "
            "profile, authserv-id, dnsbl, color; see mxcheck.conf(5))\n",
            f->progname, where, key);
    return -1;
  }
  return 0;
}

static void read_one(struct file *f, const char *path, int must)
{
  char err[512];
  f->seen_server = f->seen_dnsbl = 0;
  if (mxconf_read(path, must, one_key, f, err, sizeof(err)) ==
      MXCONF_ERROR) {
    if (err[0])
      fprintf(stderr, "%s: %s\n", f->progname, err);
    mxc_ctx_free(f->ctx);
    cli_conf_free(f->c);
    exit(3);
  }
}

void cli_conf_load(struct cli_conf *c, const char *progname,
                   const char *config, int no_config)
{
  struct file f;
  const char *sys = getenv("MXCHECK_SYSCONF");
  const char *xdg = getenv("XDG_CONFIG_HOME");
  const char *home = getenv("HOME");
  char user[4096];

  memset(c, 0, sizeof(*c));
  c->color = -2;
  if (no_config && config == NULL)
    return;
  memset(&f, 0, sizeof(f));
  f.c = c;
  f.progname = progname;
  if (config) {
    read_one(&f, config, 1);
  } else {
    read_one(&f, sys && *sys ? sys : MXCHECK_CONFIG_FILE, 0);
    /* XDG Base Directory: a relative $XDG_CONFIG_HOME is ignored. */
    user[0] = '\0';
    if (xdg && *xdg == '/')
      snprintf(user, sizeof(user), "%s/mxcheck/mxcheck.conf", xdg);
    else if (home && *home)
      snprintf(user, sizeof(user), "%s/.config/mxcheck/mxcheck.conf", home);
    if (user[0])
      read_one(&f, user, 0);
  }
  mxc_ctx_free(f.ctx);
}

void cli_conf_free(struct cli_conf *c)
{
  size_t i;
  free(c->authserv_id);
  c->authserv_id = NULL;
  for (i = 0; i < c->ndnsbl; i++)
    free(c->dnsbl[i]);
  c->ndnsbl = 0;
}
