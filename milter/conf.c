/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf.c -- mxcheck-milter's options: the configuration file (key = value,
 * the long option names as keys) read first, then the command line, which
 * overrides it (a list option given on the command line replaces the
 * file's list).  A reload (SIGHUP) reads the file again and applies the
 * same command line over it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conffile.h"
#include "mxm.h"

#ifndef MXM_CONFIG_FILE
#define MXM_CONFIG_FILE "/etc/mxcheck/mxcheck-milter.conf"
#endif

static const char *const profiles[] = {"gmail", "gmail-bulk", "yahoo-bulk",
                                       "microsoft-bulk"};

/* The argv kept for reloads. */
static int saved_argc;
static char **saved_argv;

static pthread_mutex_t cur_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mxm_conf *cur;

struct mxm_conf *mxm_conf_ref(struct mxm_conf *c)
{
  if (c)
    __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
  return c;
}

static void free_list(char **v, size_t *n)
{
  size_t i;
  for (i = 0; i < *n; i++) {
    free(v[i]);
    v[i] = NULL;
  }
  *n = 0;
}

static void free_map(struct mxm_conf *c)
{
  size_t i;
  for (i = 0; i < c->nmap; i++) {
    free(c->map[i].domain);
    free(c->map[i].profile);
  }
  c->nmap = 0;
}

void mxm_conf_unref(struct mxm_conf *c)
{
  if (c == NULL || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  free(c->socket);
  free(c->pidfile);
  free(c->user);
  free(c->log);
  free(c->servers);
  free_list(c->egress, &c->negress);
  free(c->helo);
  free(c->profile);
  free_map(c);
  free(c->authserv_id);
  free(c->metrics_file);
  free(c->config);
  free(c);
}

struct mxm_conf *mxm_conf_current(void)
{
  struct mxm_conf *c;
  pthread_mutex_lock(&cur_lock);
  c = mxm_conf_ref(cur);
  pthread_mutex_unlock(&cur_lock);
  return c;
}

void mxm_conf_publish(struct mxm_conf *c)
{
  struct mxm_conf *old;
  pthread_mutex_lock(&cur_lock);
  old = cur;
  cur = c;
  pthread_mutex_unlock(&cur_lock);
  mxm_conf_unref(old);
}

const char *mxm_mode_str(enum mxm_mode m)
{
  static const char *const s[] = {"log", "header", "tempfail", "reject"};
  return s[m];
}

static struct mxm_conf *conf_new(void)
{
  struct mxm_conf *c = mxm_xcalloc(1, sizeof(*c));
  c->refs = 1;
  c->socket = mxm_xstrdup("unix:/run/mxcheck/milter.sock");
  c->log = mxm_xstrdup("syslog:mail");
  c->profile = mxm_xstrdup("gmail");
  c->map[0].domain = mxm_xstrdup("gmail.com");
  c->map[0].profile = mxm_xstrdup("gmail");
  c->map[1].domain = mxm_xstrdup("googlemail.com");
  c->map[1].profile = mxm_xstrdup("gmail");
  c->nmap = 2;
  c->mode = MXM_MODE_LOG;
  c->header = MXM_HDR_XMXCHECK;
  c->deadline_ms = 5000;
  c->max_jobs = 1000;
  c->max_bytes = 64L * 1024 * 1024;
  c->max_header = 1024L * 1024;
  c->dns_timeout_ms = 500;
  c->dns_tries = 3;
  c->summary_s = 300;
  return c;
}

static int known_profile(const char *p)
{
  size_t i;
  for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
    if (strcmp(p, profiles[i]) == 0)
      return 1;
  return 0;
}

static int num(const char *where, const char *key, const char *v, long lo,
               long hi, long *out)
{
  char *end;
  long n;
  errno = 0;
  n = strtol(v, &end, 10);
  if (errno || end == v || *end || n < lo || n > hi) {
    mxm_log(MXM_ERR, "%s%s: expected a number from %ld to %ld, got '%s'",
            where, key, lo, hi, v);
    return -1;
  }
  *out = n;
  return 0;
}

static int boolean(const char *v)
{
  if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
      !strcasecmp(v, "on"))
    return 1;
  if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
      !strcasecmp(v, "off"))
    return 0;
  return -1;
}

static void set_str(char **dst, const char *v)
{
  free(*dst);
  *dst = mxm_xstrdup(v);
}

/* List options: the first value from the command line replaces the list
 * read from the file. */
struct lists_seen {
  int server, egress, map;
};

/* Apply one key.  where: "" (command line) or "FILE:LINE: ". */
static int apply(struct mxm_conf *c, const char *key, const char *v,
                 const char *where, struct lists_seen *seen)
{
  long n;
  int b;

  if (strcmp(key, "socket") == 0) {
    set_str(&c->socket, v);
  } else if (strcmp(key, "pidfile") == 0) {
    set_str(&c->pidfile, v);
  } else if (strcmp(key, "user") == 0) {
    set_str(&c->user, v);
  } else if (strcmp(key, "log") == 0) {
    if (strcmp(v, "stderr") && strcmp(v, "syslog") &&
        strncmp(v, "syslog:", 7)) {
      mxm_log(MXM_ERR, "%slog: expected stderr or syslog[:facility]", where);
      return -1;
    }
    set_str(&c->log, v);
  } else if (strcmp(key, "foreground") == 0) {
    if ((b = boolean(v)) < 0)
      goto bad_bool;
    c->foreground = b;
  } else if (strcmp(key, "server") == 0) {
    size_t len;
    char *s;
    if (seen && !seen->server) {
      free(c->servers);
      c->servers = NULL;
      seen->server = 1;
    }
    if (*v == '\0' || strchr(v, ',') || strchr(v, ' ')) {
      mxm_log(MXM_ERR, "%sserver: one HOST[:PORT] per option", where);
      return -1;
    }
    len = (c->servers ? strlen(c->servers) + 1 : 0) + strlen(v) + 1;
    s = mxm_xmalloc(len);
    snprintf(s, len, "%s%s%s", c->servers ? c->servers : "",
             c->servers ? "," : "", v);
    free(c->servers);
    c->servers = s;
  } else if (strcmp(key, "egress") == 0) {
    unsigned char buf[16];
    if (seen && !seen->egress) {
      free_list(c->egress, &c->negress);
      seen->egress = 1;
    }
    if (inet_pton(AF_INET, v, buf) != 1 && inet_pton(AF_INET6, v, buf) != 1) {
      mxm_log(MXM_ERR, "%segress: not an IPv4 or IPv6 address: '%s'", where,
              v);
      return -1;
    }
    if (c->negress == MXM_MAX_EGRESS) {
      mxm_log(MXM_ERR, "%segress: at most %d addresses", where,
              MXM_MAX_EGRESS);
      return -1;
    }
    c->egress[c->negress++] = mxm_xstrdup(v);
  } else if (strcmp(key, "helo") == 0) {
    set_str(&c->helo, v);
  } else if (strcmp(key, "profile") == 0) {
    if (!known_profile(v) && strcmp(v, "none") != 0) {
      mxm_log(MXM_ERR, "%sprofile: expected gmail, gmail-bulk, yahoo-bulk, "
                       "microsoft-bulk or none, got '%s'", where, v);
      return -1;
    }
    set_str(&c->profile, v);
  } else if (strcmp(key, "profile-map") == 0) {
    char dom[256];
    const char *sep = v + strcspn(v, "=: \t");
    const char *p = sep + strspn(sep, "=: \t");
    size_t dl = (size_t)(sep - v), i;
    if (seen && !seen->map) {
      free_map(c);
      seen->map = 1;
    }
    if (dl == 0 || dl >= sizeof(dom) || *sep == '\0' || !known_profile(p)) {
      mxm_log(MXM_ERR, "%sprofile-map: expected DOMAIN=PROFILE (profiles: "
                       "gmail, gmail-bulk, yahoo-bulk, microsoft-bulk), got "
                       "'%s'", where, v);
      return -1;
    }
    if (c->nmap == MXM_MAX_MAP) {
      mxm_log(MXM_ERR, "%sprofile-map: at most %d entries", where,
              MXM_MAX_MAP);
      return -1;
    }
    for (i = 0; i < dl; i++)
      dom[i] = (char)tolower((unsigned char)v[i]);
    dom[dl] = '\0';
    c->map[c->nmap].domain = mxm_xstrdup(dom);
    c->map[c->nmap].profile = mxm_xstrdup(p);
    c->nmap++;
  } else if (strcmp(key, "mode") == 0) {
    if (strcmp(v, "log") == 0)
      c->mode = MXM_MODE_LOG;
    else if (strcmp(v, "header") == 0)
      c->mode = MXM_MODE_HEADER;
    else if (strcmp(v, "tempfail") == 0)
      c->mode = MXM_MODE_TEMPFAIL;
    else if (strcmp(v, "reject") == 0)
      c->mode = MXM_MODE_REJECT;
    else {
      mxm_log(MXM_ERR, "%smode: expected log, header, tempfail or reject",
              where);
      return -1;
    }
  } else if (strcmp(key, "header") == 0) {
    if (strcasecmp(v, "x-mxcheck") == 0)
      c->header = MXM_HDR_XMXCHECK;
    else if (strcasecmp(v, "authentication-results") == 0 ||
             strcasecmp(v, "authres") == 0)
      c->header = MXM_HDR_AUTHRES;
    else {
      mxm_log(MXM_ERR, "%sheader: expected X-MXCheck or "
                       "Authentication-Results", where);
      return -1;
    }
  } else if (strcmp(key, "authserv-id") == 0) {
    set_str(&c->authserv_id, v);
  } else if (strcmp(key, "deadline") == 0) {
    if (num(where, key, v, 1, 600000, &n))
      return -1;
    c->deadline_ms = n;
  } else if (strcmp(key, "max-jobs") == 0) {
    if (num(where, key, v, 1, 1000000, &n))
      return -1;
    c->max_jobs = n;
  } else if (strcmp(key, "max-bytes") == 0) {
    if (num(where, key, v, 65536, LONG_MAX, &n))
      return -1;
    c->max_bytes = n;
  } else if (strcmp(key, "max-header") == 0) {
    if (num(where, key, v, 1024, MXC_DKIM_MAX_HEADER, &n))
      return -1;
    c->max_header = n;
  } else if (strcmp(key, "dns-timeout") == 0) {
    if (num(where, key, v, 1, 60000, &n))
      return -1;
    c->dns_timeout_ms = (int)n;
  } else if (strcmp(key, "dns-tries") == 0) {
    if (num(where, key, v, 1, 10, &n))
      return -1;
    c->dns_tries = (int)n;
  } else if (strcmp(key, "metrics-file") == 0) {
    set_str(&c->metrics_file, v);
  } else if (strcmp(key, "summary-interval") == 0) {
    if (num(where, key, v, 1, 86400, &n))
      return -1;
    c->summary_s = n;
  } else {
    mxm_log(MXM_ERR, "%sunknown option '%s'", where, key);
    return -1;
  }
  return 0;
bad_bool:
  mxm_log(MXM_ERR, "%s%s: expected yes or no", where, key);
  return -1;
}

struct file_state {
  struct mxm_conf *c;
  struct lists_seen seen; /* the file's lists replace the built-in
                           * profile map */
};

static int file_key(void *arg, const char *key, const char *value,
                    const char *where)
{
  struct file_state *fs = arg;
  return apply(fs->c, key, value, where, &fs->seen);
}

/* Read the file (common/conffile.c): -1 on error; a missing default file
 * is no error. */
static int read_file(struct mxm_conf *c, const char *path, int must)
{
  struct file_state fs = {c, {0, 0, 0}};
  char err[512];
  int rc = mxconf_read(path, must, file_key, &fs, err, sizeof(err));

  if (rc == MXCONF_MISSING)
    return 0;
  if (rc == MXCONF_ERROR) {
    if (err[0])
      mxm_log(MXM_ERR, "%s", err);
    return -1;
  }
  set_str(&c->config, path);
  return 0;
}

static void usage(FILE *to)
{
  fprintf(to,
          "usage: mxcheck-milter [-f] [-c FILE] [-p SOCKET] [-P PIDFILE] "
          "[-u USER[:GROUP]]\n"
          "                      [-l stderr|syslog[:FACILITY]] [OPTIONS]\n"
          "       mxcheck-milter --stats METRICS-FILE\n"
          "  -p, --socket SOCKET     unix:/path, inet:port@host, "
          "inet6:port@host\n"
          "  -c, --config FILE       default " MXM_CONFIG_FILE "\n"
          "  -f, --foreground        do not detach\n"
          "  -P, --pidfile FILE      -u, --user USER[:GROUP]\n"
          "  -l, --log stderr|syslog[:FACILITY]\n"
          "      --server HOST[:PORT]   name server (repeatable)\n"
          "      --egress ADDRESS       address receivers see (repeatable)\n"
          "      --helo NAME            HELO of the egress (default: j)\n"
          "      --profile NAME         gmail, gmail-bulk, yahoo-bulk, "
          "microsoft-bulk, none\n"
          "      --profile-map DOMAIN=PROFILE   (repeatable)\n"
          "      --mode log|header|tempfail|reject   --deadline MS\n"
          "      --header X-MXCheck|Authentication-Results  --authserv-id ID\n"
          "      --max-jobs N  --max-bytes N  --max-header N\n"
          "      --dns-timeout MS  --dns-tries N\n"
          "      --metrics-file FILE  --summary-interval SECONDS\n"
          "  -h, --help  -V, --version\n"
          "See mxcheck-milter(8) and mxcheck-milter.conf(5).\n");
}

static struct mxm_conf *build(const char *config, int must)
{
  struct mxm_conf *c = conf_new();
  struct lists_seen seen = {0, 0, 0};
  int ch, i;
  static const struct option lo[] = {
      {"socket", required_argument, NULL, 'p'},
      {"config", required_argument, NULL, 'c'},
      {"foreground", no_argument, NULL, 'f'},
      {"pidfile", required_argument, NULL, 'P'},
      {"user", required_argument, NULL, 'u'},
      {"log", required_argument, NULL, 'l'},
      {"server", required_argument, NULL, 0},
      {"egress", required_argument, NULL, 0},
      {"helo", required_argument, NULL, 0},
      {"profile", required_argument, NULL, 0},
      {"profile-map", required_argument, NULL, 0},
      {"mode", required_argument, NULL, 0},
      {"header", required_argument, NULL, 0},
      {"authserv-id", required_argument, NULL, 0},
      {"deadline", required_argument, NULL, 0},
      {"max-jobs", required_argument, NULL, 0},
      {"max-bytes", required_argument, NULL, 0},
      {"max-header", required_argument, NULL, 0},
      {"dns-timeout", required_argument, NULL, 0},
      {"dns-tries", required_argument, NULL, 0},
      {"metrics-file", required_argument, NULL, 0},
      {"summary-interval", required_argument, NULL, 0},
      {"stats", required_argument, NULL, 'S'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0}};

  if (config && read_file(c, config, must) < 0)
    goto fail;
  optind = 0; /* glibc: full re-initialisation (reloads parse again) */
  opterr = 0;
  for (i = 0; (ch = getopt_long(saved_argc, saved_argv, ":p:c:fP:u:l:hV", lo,
                                &i)) != -1;) {
    const char *key;
    switch (ch) {
    case 'p': key = "socket"; break;
    case 'P': key = "pidfile"; break;
    case 'u': key = "user"; break;
    case 'l': key = "log"; break;
    case 'f': c->foreground = 1; continue;
    case 'c': case 'S': case 'h': case 'V': continue;
    case 0: key = lo[i].name; break;
    case ':':
      mxm_log(MXM_ERR, "option needs a value: %s", saved_argv[optind - 1]);
      goto fail;
    default:
      mxm_log(MXM_ERR, "unknown option: %s (see --help)",
              saved_argv[optind - 1]);
      goto fail;
    }
    if (apply(c, key, optarg, "", &seen) < 0)
      goto fail;
  }
  if (optind < saved_argc) {
    mxm_log(MXM_ERR, "unexpected argument: %s", saved_argv[optind]);
    goto fail;
  }
  if (c->servers) {
    /* Let the library judge the list now rather than at the first
     * message. */
    mxc_ctx_t *ctx = NULL;
    mxc_status_t st = mxc_ctx_new(&ctx);
    if (st == MXC_OK)
      st = mxc_ctx_set_servers(ctx, c->servers);
    if (st != MXC_OK) {
      mxm_log(MXM_ERR, "server: %s: %s", c->servers,
              ctx ? mxc_ctx_error(ctx) : mxc_strerror(st));
      mxc_ctx_free(ctx);
      goto fail;
    }
    mxc_ctx_free(ctx);
  }
  return c;
fail:
  mxm_conf_unref(c);
  return NULL;
}

static char *config_path;
static int config_must;

int mxm_conf_load(int argc, char **argv, struct mxm_conf **out,
                  const char **stats)
{
  int ch, i;
  static const struct option lo[] = {
      {"config", required_argument, NULL, 'c'},
      {"stats", required_argument, NULL, 'S'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0}};

  *out = NULL;
  *stats = NULL;
  saved_argc = argc;
  saved_argv = argv;
  /* First pass: only what decides how to read the rest. */
  opterr = 0;
  optind = 0;
  config_path = NULL;
  config_must = 0;
  while ((ch = getopt_long(argc, argv, "-:c:hV", lo, &i)) != -1) {
    switch (ch) {
    case 'c':
      config_path = optarg;
      config_must = 1;
      break;
    case 'S':
      *stats = optarg;
      return 0;
    case 'h':
      usage(stdout);
      return 1;
    case 'V':
      printf("mxcheck-milter %s (libmxcheck %s)\n", PACKAGE_VERSION,
             mxc_version());
      return 1;
    default:
      break;
    }
  }
  if (config_path == NULL)
    config_path = (char *)MXM_CONFIG_FILE;
  *out = build(config_path, config_must);
  return *out ? 0 : -1;
}

struct mxm_conf *mxm_conf_reload(void)
{
  return build(config_path, config_must);
}

const char *mxm_conf_profile_for(const struct mxm_conf *c, const char *rcpt)
{
  const char *at = strrchr(rcpt, '@');
  char dom[256];
  size_t n = 0, i;
  if (at) {
    for (at++; at[n] && at[n] != '>' && n < sizeof(dom) - 1; n++)
      dom[n] = (char)tolower((unsigned char)at[n]);
    /* cppcheck-suppress uninitvar ; dom[0..n-1] were written above */
    while (n > 0 && dom[n - 1] == '.')
      n--;
    dom[n] = '\0';
    for (i = 0; i < c->nmap; i++)
      if (strcmp(c->map[i].domain, dom) == 0)
        return c->map[i].profile;
  }
  return strcmp(c->profile, "none") == 0 ? NULL : c->profile;
}
