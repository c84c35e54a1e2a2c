/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter.c -- mxcheck-milter: libmilter callbacks, start-up, signals.
 *
 * Every callback is short and never blocks on DNS: it gathers the envelope
 * and the header fields of a message, and hands the message to the engine
 * thread (engine.c) at the end of the header; body chunks follow as they
 * come.  At end of message, log mode returns at once; the other modes wait
 * for the verdict until the deadline, then accept.  Whatever fails, the
 * message goes through unchanged (fail open) and the log says why.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "mxm.h"

/* One SMTP connection (smfi_setpriv): its callbacks may run on different
 * libmilter threads, one at a time. */
struct conn {
  int leadspc;          /* header values come with their leading space */
  unsigned long nr;     /* SMFIP_NR_* granted: those steps get no reply */
  int hdr_over;         /* the header passed max-header */
  char client[64];
  char j[256];          /* the MTA's name (macro j) */
  char tls[64], auth[128];
  /* the message */
  struct mxm_conf *conf; /* in force when it began */
  int in_msg;
  char *mail_from;
  int smtputf8;
  const char *profiles[MXM_MAX_PROFILES];
  size_t nprofiles;
  char rcpts[512];
  char *hdr;            /* [uint32 len][octets] per field */
  size_t hlen, hcap, nfields;
  struct mxm_job *job;
  char qid[64];
};

static void copy_macro(SMFICTX *ctx, const char *name, char *dst, size_t n)
{
  const char *v = smfi_getsymval(ctx, (char *)name);
  if (v && *v)
    snprintf(dst, n, "%s", v);
}

static void msg_reset(struct conn *c)
{
  if (c->job) {
    mxm_job_abort(c->job);
    c->job = NULL;
  }
  mxm_conf_unref(c->conf);
  c->conf = NULL;
  free(c->mail_from);
  c->mail_from = NULL;
  free(c->hdr);
  c->hdr = NULL;
  c->hlen = c->hcap = c->nfields = 0;
  c->nprofiles = 0;
  c->rcpts[0] = '\0';
  c->qid[0] = '\0';
  c->smtputf8 = 0;
  c->hdr_over = 0;
  c->in_msg = 0;
}

static struct conn *get_conn(SMFICTX *ctx)
{
  struct conn *c = smfi_getpriv(ctx);
  if (c == NULL) {
    c = mxm_xcalloc(1, sizeof(*c));
    smfi_setpriv(ctx, c);
  }
  return c;
}

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0,
                             unsigned long f1, unsigned long f2,
                             unsigned long f3, unsigned long *pf0,
                             unsigned long *pf1, unsigned long *pf2,
                             unsigned long *pf3)
{
  struct conn *c = get_conn(ctx);
  (void)f2;
  (void)f3;
  *pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_SETSYMLIST);
  /* No HELO step (its macros come at MAIL), and no reply to the steps
   * that always continue: fewer round trips per message. */
  *pf1 = f1 & (SMFIP_HDR_LEADSPC | SMFIP_NOUNKNOWN | SMFIP_NODATA |
               SMFIP_NOHELO | SMFIP_NR_CONN | SMFIP_NR_MAIL |
               SMFIP_NR_RCPT | SMFIP_NR_HDR);
  *pf2 = *pf3 = 0;
  c->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
  c->nr = *pf1 & (SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_RCPT |
                  SMFIP_NR_HDR);
  if (f0 & SMFIF_SETSYMLIST) {
    /* Postfix sends no {client_*} macros by default; this list replaces
     * the MTA's for each stage. */
    smfi_setsymlist(ctx, SMFIM_CONNECT,
                    "j {daemon_name} {client_addr} {client_name}");
    smfi_setsymlist(ctx, SMFIM_HELO, "{tls_version} {cipher} {cipher_bits}");
    smfi_setsymlist(ctx, SMFIM_ENVFROM,
                    "i {auth_type} {auth_authen} {tls_version} {cipher}");
    smfi_setsymlist(ctx, SMFIM_EOH, "i");
    smfi_setsymlist(ctx, SMFIM_EOM, "i");
  }
  return SMFIS_CONTINUE;
}

static sfsistat cb_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
  struct conn *c = get_conn(ctx);
  (void)host;
  c->client[0] = '\0';
  if (sa && sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr,
              c->client, sizeof(c->client));
  else if (sa && sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->sin6_addr,
              c->client, sizeof(c->client));
  else
    copy_macro(ctx, "{client_addr}", c->client, sizeof(c->client));
  copy_macro(ctx, "j", c->j, sizeof(c->j));
  return (c->nr & SMFIP_NR_CONN) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
  struct conn *c = get_conn(ctx);
  size_t i;
  msg_reset(c);
  c->in_msg = 1;
  c->conf = mxm_conf_current();
  c->mail_from = mxm_xstrdup(argv && argv[0] ? argv[0] : "");
  for (i = 1; argv && argv[0] && argv[i]; i++)
    if (strcasecmp(argv[i], "SMTPUTF8") == 0)
      c->smtputf8 = 1;
  if (!c->j[0])
    copy_macro(ctx, "j", c->j, sizeof(c->j));
  copy_macro(ctx, "{auth_authen}", c->auth, sizeof(c->auth));
  copy_macro(ctx, "{tls_version}", c->tls, sizeof(c->tls));
  copy_macro(ctx, "i", c->qid, sizeof(c->qid));
  return (c->nr & SMFIP_NR_MAIL) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
  struct conn *c = get_conn(ctx);
  const char *p, *at, *rcpt = argv && argv[0] ? argv[0] : "";
  size_t i, off;
  sfsistat rc = (c->nr & SMFIP_NR_RCPT) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
  if (c->conf == NULL)
    return rc;
  p = mxm_conf_profile_for(c->conf, rcpt);
  for (i = 0; p && i < c->nprofiles; i++)
    if (strcmp(c->profiles[i], p) == 0)
      break;
  if (p && i == c->nprofiles && c->nprofiles < MXM_MAX_PROFILES)
    c->profiles[c->nprofiles++] = p;
  /* the recipient domains, for the log (bounded) */
  at = strrchr(rcpt, '@');
  off = strlen(c->rcpts);
  if (at && off + 2 < sizeof(c->rcpts)) {
    char d[256];
    size_t n = strcspn(at + 1, ">");
    if (n >= sizeof(d))
      n = sizeof(d) - 1;
    memcpy(d, at + 1, n);
    d[n] = '\0';
    if (strstr(c->rcpts, d) == NULL)
      snprintf(c->rcpts + off, sizeof(c->rcpts) - off, "%s%s",
               off ? "," : "", d);
  }
  return rc;
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
  struct conn *c = get_conn(ctx);
  size_t nl = strlen(name ? name : ""), vl = strlen(value ? value : "");
  size_t need = nl + vl + 2;
  uint32_t len;
  sfsistat rc = (c->nr & SMFIP_NR_HDR) ? SMFIS_NOREPLY : SMFIS_CONTINUE;

  if (!c->in_msg || c->conf == NULL || c->hdr_over)
    return rc;
  if (c->hlen + need + 4 > (size_t)c->conf->max_header) {
    /* given up at the end of the header (no reply here) */
    c->hdr_over = 1;
    free(c->hdr);
    c->hdr = NULL;
    c->hlen = c->hcap = c->nfields = 0;
    return rc;
  }
  if (c->hlen + need + 4 > c->hcap) {
    size_t cap = c->hcap ? c->hcap * 2 : 4096;
    while (cap < c->hlen + need + 4)
      cap *= 2;
    c->hdr = realloc(c->hdr, cap);
    if (c->hdr == NULL) {
      mxm_log(MXM_ERR, "out of memory: message accepted unchecked");
      c->hcap = c->hlen = c->nfields = 0;
      c->hdr_over = 1;
      return rc;
    }
    c->hcap = cap;
  }
  /* "Name:" + value as received (with SMFIP_HDR_LEADSPC the value keeps
   * its leading white space; without it, the MTA took one space off). */
  len = (uint32_t)(nl + 1 + (c->leadspc ? 0 : 1) + vl);
  memcpy(c->hdr + c->hlen, &len, 4);
  c->hlen += 4;
  if (nl > 0) /* no memcpy from a NULL pointer, even of 0 octets */
    memcpy(c->hdr + c->hlen, name, nl);
  c->hlen += nl;
  c->hdr[c->hlen++] = ':';
  if (!c->leadspc)
    c->hdr[c->hlen++] = ' ';
  if (vl > 0)
    memcpy(c->hdr + c->hlen, value, vl);
  c->hlen += vl;
  c->nfields++;
  return rc;
}

static sfsistat cb_eoh(SMFICTX *ctx)
{
  struct conn *c = get_conn(ctx);
  struct mxm_envelope env;
  const char *helo;
  size_t i;

  if (!c->in_msg || c->conf == NULL)
    return SMFIS_CONTINUE;
  copy_macro(ctx, "i", c->qid, sizeof(c->qid));
  if (c->hdr_over) {
    char qid[64];
    mxm_logval(qid, sizeof(qid), c->qid, 63);
    mxm_log(MXM_INFO,
            "qid=%s msgid= from= profile= verdict=unknown iprev= spf= "
            "dkim= dmarc= failed= warned= unknown= ms=0 status=skipped "
            "reason=header-too-large max-header=%ld",
            qid, c->conf->max_header);
    mxm_metrics_count_skip();
    msg_reset(c);
    return SMFIS_ACCEPT; /* no more of this message */
  }
  if (c->nprofiles == 0) {
    /* profile none, and no recipient in the map: not checked */
    msg_reset(c);
    return SMFIS_ACCEPT;
  }
  memset(&env, 0, sizeof(env));
  helo = c->conf->helo ? c->conf->helo : c->j;
  env.client = c->client;
  env.helo = helo;
  env.mail_from = c->mail_from;
  for (i = 0; i < c->nprofiles; i++)
    env.profiles[i] = c->profiles[i];
  env.nprofiles = c->nprofiles;
  env.qid = c->qid;
  env.auth = c->auth;
  env.tls = c->tls;
  env.authserv_id = c->conf->authserv_id ? c->conf->authserv_id
                    : c->j[0]             ? c->j
                                          : "mxcheck";
  env.rcpt_domains = c->rcpts;
  env.smtputf8 = c->smtputf8;
  c->job = mxm_job_begin(c->conf, &env, c->hdr ? c->hdr : "", c->hlen,
                         c->nfields);
  free(c->hdr);
  c->hdr = NULL;
  c->hlen = c->hcap = c->nfields = 0;
  if (c->job == NULL) {
    msg_reset(c);
    return SMFIS_ACCEPT; /* skipped: logged and counted */
  }
  return SMFIS_CONTINUE;
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *p, size_t len)
{
  struct conn *c = get_conn(ctx);
  if (c->job == NULL)
    return SMFIS_CONTINUE;
  if (mxm_job_body(c->job, p, len) < 0) {
    c->job = NULL; /* released, logged as skipped by the engine */
    msg_reset(c);
    return SMFIS_ACCEPT;
  }
  return SMFIS_CONTINUE;
}

static sfsistat cb_eom(SMFICTX *ctx)
{
  struct conn *c = get_conn(ctx);
  struct mxm_outcome out;
  struct mxm_job *job = c->job;
  enum mxm_mode mode;
  sfsistat rc = SMFIS_CONTINUE;

  if (job == NULL || c->conf == NULL) {
    msg_reset(c);
    return SMFIS_CONTINUE;
  }
  c->job = NULL;
  mode = c->conf->mode;
  copy_macro(ctx, "i", c->qid, sizeof(c->qid));
  mxm_job_eom(job, c->qid, mode == MXM_MODE_LOG ? -1 : c->conf->deadline_ms,
              &out);
  if (out.done && mode == MXM_MODE_HEADER && out.header) {
    const char *name = c->conf->header == MXM_HDR_AUTHRES
                           ? "Authentication-Results"
                           : "X-MXCheck";
    if (smfi_insheader(ctx, 0, (char *)name, out.header) != MI_SUCCESS)
      mxm_log(MXM_WARNING, "qid=%s: the MTA refused the %s field", c->qid,
              name);
  } else if (out.done && out.verdict == MXM_FAIL &&
             (mode == MXM_MODE_TEMPFAIL || mode == MXM_MODE_REJECT)) {
    int tf = mode == MXM_MODE_TEMPFAIL;
    smfi_setreply(ctx, tf ? "451" : "550", tf ? "4.7.1" : "5.7.1",
                  out.reply ? out.reply
                            : "mxcheck: message does not meet the sender "
                              "requirements");
    rc = tf ? SMFIS_TEMPFAIL : SMFIS_REJECT;
  }
  mxm_outcome_free(&out);
  msg_reset(c);
  return rc;
}

static sfsistat cb_abort(SMFICTX *ctx)
{
  struct conn *c = smfi_getpriv(ctx);
  if (c)
    msg_reset(c);
  return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
  struct conn *c = smfi_getpriv(ctx);
  if (c) {
    msg_reset(c);
    free(c);
    smfi_setpriv(ctx, NULL);
  }
  return SMFIS_CONTINUE;
}

/* ---- signals ---------------------------------------------------------------- */

static volatile int reload_ready;

static void reload(void)
{
  struct mxm_conf *c = mxm_conf_reload();
  if (c == NULL) {
    mxm_log(MXM_ERR, "reload failed: the running configuration stays");
    return;
  }
  mxm_log(MXM_INFO, "reloaded %s: mode=%s profile=%s deadline=%ld",
          c->config && *c->config ? c->config : "(no file)",
          mxm_mode_str(c->mode), c->profile, c->deadline_ms);
  mxm_conf_publish(c);
  mxm_engine_reconfigure();
}

/*
 * libmilter's signal thread waits with sigwait() for SIGHUP, SIGTERM and
 * SIGINT, and stops the filter on SIGHUP as on SIGTERM: there is no hook.
 * This definition takes the C library's place for libmilter (the
 * executable's symbol is found first): SIGHUP reloads the configuration
 * and the wait goes on; every other signal is returned as before.  Only
 * libmilter's signal thread calls sigwait() in this program.
 */
int sigwait(const sigset_t *restrict set, int *restrict sig)
{
  for (;;) {
    int s = sigwaitinfo(set, NULL);
    if (s < 0) {
      if (errno == EINTR)
        continue;
      return errno;
    }
    if (s == SIGHUP && reload_ready) {
      reload();
      continue;
    }
    *sig = s;
    return 0;
  }
}

/* ---- start-up ---------------------------------------------------------------- */

static const char *unix_path(const char *sock)
{
  if (strncmp(sock, "unix:", 5) == 0)
    return sock + 5;
  if (strncmp(sock, "local:", 6) == 0)
    return sock + 6;
  return sock[0] == '/' ? sock : NULL;
}

static int drop_privileges(const char *spec, const char *sockpath)
{
  char user[256], *grp;
  struct passwd *pw;
  gid_t gid;

  snprintf(user, sizeof(user), "%s", spec);
  grp = strchr(user, ':');
  if (grp)
    *grp++ = '\0';
  pw = getpwnam(user);
  if (pw == NULL) {
    mxm_log(MXM_ERR, "user %s: no such user", user);
    return -1;
  }
  gid = pw->pw_gid;
  if (grp && *grp) {
    struct group *gr = getgrnam(grp);
    if (gr == NULL) {
      mxm_log(MXM_ERR, "group %s: no such group", grp);
      return -1;
    }
    gid = gr->gr_gid;
  }
  if (sockpath && chown(sockpath, pw->pw_uid, gid) < 0)
    mxm_log(MXM_WARNING, "chown %s: %s", sockpath, strerror(errno));
  if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(pw->pw_uid) < 0) {
    mxm_log(MXM_ERR, "cannot become %s: %s", spec, strerror(errno));
    return -1;
  }
  return 0;
}

int main(int argc, char **argv)
{
  struct mxm_conf *conf;
  const char *stats, *sockpath;
  int rc;
  static struct smfiDesc desc = {
      "mxcheck", SMFI_VERSION, SMFIF_ADDHDRS | SMFIF_SETSYMLIST,
      cb_connect, NULL, cb_envfrom, cb_envrcpt, cb_header, cb_eoh,
      cb_body, cb_eom, cb_abort, cb_close, NULL, NULL, cb_negotiate};

  signal(SIGPIPE, SIG_IGN);
  mxm_log_open("stderr");
  rc = mxm_conf_load(argc, argv, &conf, &stats);
  if (stats)
    return mxm_stats_print(stats);
  if (rc != 0)
    return rc > 0 ? 0 : 2;
  if (mxm_log_open(conf->log) < 0) {
    mxm_log(MXM_ERR, "log: unknown syslog facility in '%s'", conf->log);
    return 2;
  }
  sockpath = unix_path(conf->socket);
  if (smfi_register(desc) != MI_SUCCESS ||
      smfi_setconn(conf->socket) != MI_SUCCESS ||
      smfi_opensocket(1) != MI_SUCCESS) {
    mxm_log(MXM_ERR, "cannot listen on %s", conf->socket);
    return 1;
  }
  if (sockpath && conf->user == NULL)
    chmod(sockpath, 0660);
  if (!conf->foreground && daemon(0, 0) < 0) {
    mxm_log(MXM_ERR, "daemon: %s", strerror(errno));
    return 1;
  }
  if (conf->pidfile) {
    FILE *f = fopen(conf->pidfile, "w");
    if (f == NULL) {
      mxm_log(MXM_ERR, "%s: %s", conf->pidfile, strerror(errno));
      return 1;
    }
    fprintf(f, "%ld\n", (long)getpid());
    fclose(f);
  }
  if (conf->user && drop_privileges(conf->user, sockpath) < 0)
    return 1;
  mxm_conf_publish(mxm_conf_ref(conf));
  /* Threads inherit this mask: only libmilter's signal thread (through
   * sigwait() above) takes SIGHUP, SIGTERM and SIGINT. */
  {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
  }
  if (mxm_engine_start(conf) < 0)
    return 1;
  if (conf->negress == 0)
    mxm_log(MXM_WARNING, "no egress address configured: each message is "
                      "checked for its SMTP client's address, which is what "
                      "receivers see only when that client sends directly");
  mxm_log(MXM_INFO,
          "starting (libmxcheck %s): socket=%s mode=%s profile=%s "
          "deadline=%ld servers=%s config=%s",
          mxc_version(), conf->socket, mxm_mode_str(conf->mode),
          conf->profile, conf->deadline_ms,
          conf->servers ? conf->servers : "system",
          conf->config && *conf->config ? conf->config : "none");
  reload_ready = 1;
  rc = smfi_main();
  reload_ready = 0;
  mxm_log(MXM_INFO, "stopping");
  mxm_engine_stop();
  if (conf->pidfile)
    unlink(conf->pidfile);
  mxm_conf_publish(NULL);
  mxm_conf_unref(conf);
  mxm_log(MXM_INFO, "stopped");
  return rc == MI_SUCCESS ? 0 : 1;
}
