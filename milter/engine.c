/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * engine.c -- the engine thread of mxcheck-milter.
 *
 * One thread owns the mxc_ctx_t (libmxcheck contexts belong to one thread
 * at a time): one answer cache, one in-flight de-duplication and one bound
 * on queries in flight for every message.  libmilter's callbacks, which
 * run on whichever worker thread is free, never touch the context: they
 * put operations (begin with the header, body chunk, end of message,
 * abort, cancel) on a queue and wake the engine through an eventfd; the
 * engine drives the context with its socket callback and epoll.
 *
 * A job (one message) is reference-counted: the milter side, each queued
 * operation and the engine while the job is live hold one, so that a
 * waiter that gave up at its deadline and the engine can both let go.
 * The queue is bounded in jobs and in bytes held; beyond, a message is
 * skipped (counted, logged, accepted).
 *
 * Per message, at end of message: a DKIM verification fed while the body
 * streamed, then one compliance report per (egress address, profile); the
 * verdict is the worst (verdict.c), and one key=value line is logged.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "mxm.h"

/* One mxc context and the DNS settings it was made with.  A reload that
 * changes them makes a new one for new jobs; the old one is freed when its
 * last job is done. */
struct ectx {
  mxc_ctx_t *ctx;
  char *servers; /* "" for the system resolver */
  int timeout_ms, tries;
  long jobs;
  struct ectx *next;
};

/* A socket the engine watches for a context. */
struct watch {
  int fd;
  struct ectx *ec;
};

enum op_type { OP_BEGIN, OP_BODY, OP_EOM, OP_ABORT, OP_SKIP, OP_CANCEL,
               OP_RECONF, OP_STOP };

struct op {
  struct op *next;
  enum op_type type;
  struct mxm_job *job;
  double t;        /* OP_EOM: when end of message arrived */
  char *qid;       /* OP_EOM: the queue ID known then */
  size_t nfields;  /* OP_BEGIN */
  size_t len;
  char data[];
};

/* One compliance report of a job. */
struct report {
  struct mxm_job *job;
  mxc_check_t *chk;
  mxc_status_t st;
  mxc_result_t *res;
  const char *egress, *profile;
};

struct mxm_job {
  int refs;
  /* under E.lock */
  pthread_cond_t cond;
  int done, abandoned;
  struct mxm_outcome out;
  long bytes_held; /* body bytes queued, for the limit */
  /* set before the job is shared, read-only afterwards */
  struct mxm_conf *conf;
  char *client, *helo, *mail_from, *qid, *auth, *tls, *authserv_id, *rcpts;
  char *profiles[MXM_MAX_PROFILES];
  size_t nprofiles;
  int smtputf8;
  /* engine thread only */
  struct mxm_job *prev, *next; /* live jobs */
  struct ectx *ec;
  mxc_check_t *dkim;   /* pending DKIM check (callback after finish) */
  int dkim_finished;   /* mxc_dkim_finish() called */
  int dkim_stop;       /* a limit: feed no more */
  mxc_msg_t *msg;
  char *msgid;
  struct report *rep;
  size_t nrep, pending;
  int eom, finished, timed_out;
  const char *status, *reason; /* static strings */
  double t_begin, t_eom;
};

static struct {
  pthread_mutex_t lock;
  struct op *head, **tail;
  long qbytes; /* octets in queued operations */
  long jobs;   /* live jobs (begun, not finished) */
  int closed;  /* no more operations accepted */
  int efd, epfd;
  pthread_t thr;
  int started;
  /* engine thread only */
  struct ectx *cur, *old;
  struct mxm_job *live;
  struct mxm_conf *conf;
  int stopping;
  double stop_at;
} E = {PTHREAD_MUTEX_INITIALIZER, NULL, &E.head, 0, 0, 0, -1, -1, 0, 0,
       NULL, NULL, NULL, NULL, 0, 0};

/* ---- jobs ---------------------------------------------------------------- */

static void job_ref(struct mxm_job *j)
{
  __atomic_add_fetch(&j->refs, 1, __ATOMIC_RELAXED);
}

static void job_unref(struct mxm_job *j)
{
  size_t i;
  if (j == NULL || __atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL) != 0)
    return;
  pthread_cond_destroy(&j->cond);
  mxm_outcome_free(&j->out);
  mxm_conf_unref(j->conf);
  free(j->client);
  free(j->helo);
  free(j->mail_from);
  free(j->qid);
  free(j->auth);
  free(j->tls);
  free(j->authserv_id);
  free(j->rcpts);
  for (i = 0; i < j->nprofiles; i++)
    free(j->profiles[i]);
  free(j->msgid);
  free(j);
}

void mxm_outcome_free(struct mxm_outcome *o)
{
  free(o->header);
  free(o->reply);
  o->header = o->reply = NULL;
}

/* Put an operation on the queue (E.lock held).  -1 when closed. */
static int enqueue_locked(struct op *op)
{
  if (E.closed)
    return -1;
  if (op->job)
    job_ref(op->job);
  op->next = NULL;
  *E.tail = op;
  E.tail = &op->next;
  E.qbytes += (long)op->len;
  if (E.head == op) {
    uint64_t one = 1;
    if (write(E.efd, &one, sizeof(one)) < 0) {
      /* the counter is full: the engine is awake anyway */
    }
  }
  return 0;
}

static struct op *op_new(enum op_type t, struct mxm_job *j, size_t len)
{
  struct op *op = mxm_xcalloc(1, sizeof(*op) + len);
  op->type = t;
  op->job = j;
  op->len = len;
  return op;
}

static int enqueue(struct op *op)
{
  int rc;
  pthread_mutex_lock(&E.lock);
  rc = enqueue_locked(op);
  pthread_mutex_unlock(&E.lock);
  if (rc < 0) {
    free(op->qid);
    free(op);
  }
  return rc;
}

/* The line of a message that was not checked. */
static void log_skip(const struct mxm_envelope *env, const char *reason)
{
  char qid[64], from[256];
  mxm_logval(qid, sizeof(qid), env->qid, 63);
  mxm_logval(from, sizeof(from), env->mail_from, 255);
  mxm_log(MXM_INFO,
          "qid=%s msgid= from= profile= verdict=unknown iprev= spf= dkim= "
          "dmarc= failed= warned= unknown= ms=0 status=skipped reason=%s "
          "mailfrom=%s",
          qid, reason, from);
  mxm_metrics_count_skip();
}

struct mxm_job *mxm_job_begin(struct mxm_conf *conf,
                              const struct mxm_envelope *env,
                              const char *fields, size_t len, size_t nfields)
{
  struct mxm_job *j;
  struct op *op;
  pthread_condattr_t ca;
  size_t i;
  const char *why = NULL;

  pthread_mutex_lock(&E.lock);
  if (E.closed)
    why = "shutting-down";
  else if (E.jobs >= conf->max_jobs)
    why = "queue-full";
  else if (E.qbytes + (long)len > conf->max_bytes)
    why = "queue-bytes";
  else
    E.jobs++;
  pthread_mutex_unlock(&E.lock);
  if (why) {
    log_skip(env, why);
    return NULL;
  }

  j = mxm_xcalloc(1, sizeof(*j));
  j->refs = 1;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&j->cond, &ca);
  pthread_condattr_destroy(&ca);
  j->conf = mxm_conf_ref(conf);
  j->client = mxm_xstrdup(env->client);
  j->helo = env->helo && *env->helo ? mxm_xstrdup(env->helo) : NULL;
  j->mail_from = mxm_xstrdup(env->mail_from);
  j->qid = mxm_xstrdup(env->qid);
  j->auth = mxm_xstrdup(env->auth);
  j->tls = mxm_xstrdup(env->tls);
  j->authserv_id = mxm_xstrdup(env->authserv_id);
  j->rcpts = mxm_xstrdup(env->rcpt_domains);
  for (i = 0; i < env->nprofiles && i < MXM_MAX_PROFILES; i++)
    j->profiles[i] = mxm_xstrdup(env->profiles[i]);
  j->nprofiles = i;
  j->smtputf8 = env->smtputf8;
  j->t_begin = mxm_now_ms();

  op = op_new(OP_BEGIN, j, len);
  memcpy(op->data, fields, len);
  op->nfields = nfields;
  if (enqueue(op) < 0) {
    pthread_mutex_lock(&E.lock);
    E.jobs--;
    pthread_mutex_unlock(&E.lock);
    job_unref(j);
    log_skip(env, "shutting-down");
    return NULL;
  }
  return j;
}

int mxm_job_body(struct mxm_job *j, const unsigned char *p, size_t len)
{
  struct op *op;
  int over;

  pthread_mutex_lock(&E.lock);
  over = E.qbytes + (long)len > j->conf->max_bytes;
  pthread_mutex_unlock(&E.lock);
  if (over) {
    mxm_metrics_count_skip();
    op = op_new(OP_SKIP, j, 0);
    enqueue(op);
    job_unref(j);
    return -1;
  }
  op = op_new(OP_BODY, j, len);
  memcpy(op->data, p, len);
  if (enqueue(op) < 0) {
    job_unref(j);
    return -1;
  }
  return 0;
}

void mxm_job_abort(struct mxm_job *j)
{
  if (j == NULL)
    return;
  enqueue(op_new(OP_ABORT, j, 0));
  job_unref(j);
}

void mxm_job_eom(struct mxm_job *j, const char *qid, long wait_ms,
                 struct mxm_outcome *out)
{
  struct op *op = op_new(OP_EOM, j, 0);
  struct timespec until;
  int rc = 0;

  memset(out, 0, sizeof(*out));
  op->t = mxm_now_ms();
  op->qid = qid && *qid ? mxm_xstrdup(qid) : NULL;
  clock_gettime(CLOCK_MONOTONIC, &until);
  if (wait_ms > 0) {
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
  }
  pthread_mutex_lock(&E.lock);
  if (enqueue_locked(op) < 0) {
    pthread_mutex_unlock(&E.lock);
    free(op->qid);
    free(op);
    job_unref(j);
    return;
  }
  if (wait_ms >= 0) {
    while (!j->done && rc != ETIMEDOUT)
      rc = pthread_cond_timedwait(&j->cond, &E.lock, &until);
    if (j->done) {
      out->done = 1;
      out->verdict = j->out.verdict;
      out->header = j->out.header ? mxm_xstrdup(j->out.header) : NULL;
      out->reply = j->out.reply ? mxm_xstrdup(j->out.reply) : NULL;
    } else {
      j->abandoned = 1;
      enqueue_locked(op_new(OP_CANCEL, j, 0));
    }
  }
  pthread_mutex_unlock(&E.lock);
  job_unref(j);
}

/* ---- the engine: results -------------------------------------------------- */

static int rule_num(const char *id)
{
  return id && id[0] == 'R' ? atoi(id + 1) : 0;
}

/* "R1,R5" from a mask of rule numbers. */
static void mask_str(char *dst, size_t size, uint64_t m)
{
  size_t off = 0;
  int i;
  dst[0] = '\0';
  for (i = 1; i < 64 && off < size; i++)
    if (m & ((uint64_t)1 << i))
      off += (size_t)snprintf(dst + off, size - off, "%sR%d", off ? "," : "",
                              i);
}

/* The word of a method for each egress address (of the first profile):
 * one word when they agree, else "a,b" in egress order. */
static void method_words(const struct mxm_job *j, const char *method,
                         char *dst, size_t size, int *temperror)
{
  size_t e, off = 0, neg = j->nrep / (j->nprofiles ? j->nprofiles : 1);
  char words[MXM_MAX_EGRESS][16];
  int same = 1;
  for (e = 0; e < neg && e < MXM_MAX_EGRESS; e++) {
    const struct report *r = &j->rep[e * j->nprofiles];
    const mxc_result_t *sub = r->res ? mxc_compliance_sub(r->res, method)
                                     : NULL;
    snprintf(words[e], sizeof(words[e]), "%s",
             sub ? mxc_verdict_str(mxc_result_verdict(sub)) : "");
    if (sub && mxc_result_verdict(sub) == MXC_VERDICT_TEMPERROR)
      *temperror = 1;
    if (e && strcmp(words[e], words[0]) != 0)
      same = 0;
  }
  dst[0] = '\0';
  for (e = 0; e < neg && e < MXM_MAX_EGRESS && off < size; e++) {
    off += (size_t)snprintf(dst + off, size - off, "%s%s", e ? "," : "",
                            words[e]);
    if (same)
      break;
  }
}

static void finish(struct mxm_job *j)
{
  enum mxm_verdict v = MXM_PASS;
  uint64_t failed = 0, warned = 0, unknown = 0;
  char fs[160], ws[160], us[160], iprev[64], spf[64], dkim[64], dmarc[64];
  char qid[64], msgid[256], from[256], mfrom[256], helo[256], rc[256];
  char auth[128], tls[64], prof[128], egress[256], reply[512];
  const char *fail_fix = NULL, *fail_title = NULL, *fail_profile = NULL;
  int fail_rule = 0, temperror = 0, ok = 0;
  size_t i, k, off;
  double ms;
  char *header = NULL;

  if (j->finished)
    return;
  j->finished = 1;
  reply[0] = '\0'; /* read below even when the job was aborted */
  pthread_mutex_lock(&E.lock);
  if (j->abandoned)
    j->timed_out = 1; /* the waiter has accepted the message already */
  pthread_mutex_unlock(&E.lock);
  if (j->eom || j->status) {
    for (i = 0; i < j->nrep; i++) {
      const struct report *r = &j->rep[i];
      enum mxm_verdict rv;
      if (r->res == NULL)
        continue;
      ok++;
      rv = mxm_verdict(r->res);
      if (rv > v)
        v = rv;
      for (k = 0; k < mxc_compliance_rule_count(r->res); k++) {
        int n = rule_num(mxc_compliance_rule_id(r->res, k));
        mxc_rule_state_t s = mxc_compliance_rule_state(r->res, k);
        if (n <= 0 || n >= 64)
          continue;
        if (s == MXC_RULE_FAIL) {
          failed |= (uint64_t)1 << n;
          if (fail_rule == 0 || n < fail_rule) {
            fail_rule = n;
            fail_fix = mxc_compliance_rule_fix(r->res, k);
            fail_title = mxc_compliance_rule_title(r->res, k);
            fail_profile = r->profile;
          }
        } else if (s == MXC_RULE_WARN)
          warned |= (uint64_t)1 << n;
        else if (s == MXC_RULE_UNKNOWN)
          unknown |= (uint64_t)1 << n;
      }
    }
    if (j->timed_out && j->status == NULL)
      j->status = "timeout";
    if (ok < (int)j->nrep || j->nrep == 0) {
      /* A report that did not run: what ran cannot make it pass. */
      if (v != MXM_FAIL)
        v = MXM_UNKNOWN;
      if (j->status == NULL) {
        j->status = "error";
        if (j->reason == NULL)
          j->reason = "report-not-run";
      }
    }
    if (j->timed_out && j->status == NULL)
      j->status = "timeout";
    if (j->status == NULL)
      j->status = "ok";
    mask_str(fs, sizeof(fs), failed);
    mask_str(ws, sizeof(ws), warned);
    mask_str(us, sizeof(us), unknown);
    method_words(j, "iprev", iprev, sizeof(iprev), &temperror);
    method_words(j, "spf", spf, sizeof(spf), &temperror);
    method_words(j, "dkim", dkim, sizeof(dkim), &temperror);
    method_words(j, "dmarc", dmarc, sizeof(dmarc), &temperror);
    from[0] = '\0';
    for (i = 0; i < j->nrep && !from[0]; i++) {
      const mxc_result_t *d = j->rep[i].res
                                  ? mxc_compliance_sub(j->rep[i].res, "dmarc")
                                  : NULL;
      if (d)
        mxm_logval(from, sizeof(from), mxc_dmarc_from_domain(d), 255);
    }
    prof[0] = egress[0] = '\0';
    for (i = 0, off = 0; i < j->nprofiles && off < sizeof(prof); i++)
      off += (size_t)snprintf(prof + off, sizeof(prof) - off, "%s%s",
                              i ? "," : "", j->profiles[i]);
    for (i = 0, off = 0; i < j->nrep && off < sizeof(egress);
         i += j->nprofiles ? j->nprofiles : 1)
      off += (size_t)snprintf(egress + off, sizeof(egress) - off, "%s%s",
                              i ? "," : "", j->rep[i].egress);
    mxm_logval(qid, sizeof(qid), j->qid, 63);
    mxm_logval(msgid, sizeof(msgid), j->msgid, 255);
    mxm_logval(mfrom, sizeof(mfrom), j->mail_from, 255);
    mxm_logval(helo, sizeof(helo), j->helo, 255);
    mxm_logval(rc, sizeof(rc), j->rcpts, 255);
    mxm_logval(auth, sizeof(auth), j->auth, 127);
    mxm_logval(tls, sizeof(tls), j->tls, 63);
    ms = mxm_now_ms() - (j->eom ? j->t_eom : j->t_begin);
    mxm_log(MXM_INFO,
            "qid=%s msgid=%s from=%s profile=%s verdict=%s iprev=%s spf=%s "
            "dkim=%s dmarc=%s failed=%s warned=%s unknown=%s ms=%.1f "
            "status=%s%s%s egress=%s helo=%s mailfrom=%s rcpt=%s auth=%s "
            "tls=%s",
            qid, msgid, from, prof, mxm_verdict_str(v), iprev, spf, dkim,
            dmarc, fs, ws, us, ms, j->status, j->reason ? " reason=" : "",
            j->reason ? j->reason : "", egress, helo, mfrom, rc, auth, tls);
    mxm_metrics_message(v, j->status, ms, temperror, from, fs, ws, us);

    /* What a waiter adds: the header field, or the reply of a fail. */
    if (j->conf->mode == MXM_MODE_HEADER && j->nrep && j->rep[0].res &&
        j->conf->header == MXM_HDR_AUTHRES) {
      char *ar = mxc_result_authres(j->rep[0].res, j->authserv_id);
      const char *p = ar ? strchr(ar, ':') : NULL;
      if (p)
        header = mxm_xstrdup(p + 1 + (p[1] == ' '));
      mxc_free(ar);
    } else if (j->conf->mode == MXM_MODE_HEADER) {
      size_t hl = strlen(prof) + strlen(fs) + strlen(ws) + 128;
      header = mxm_xmalloc(hl);
      snprintf(header, hl, "verdict=%s; profile=%s; failed=%s; warned=%s",
               mxm_verdict_str(v), prof, fs[0] ? fs : "none",
               ws[0] ? ws : "none");
    }
    reply[0] = '\0';
    if (v == MXM_FAIL && fail_rule) {
      char *p;
      snprintf(reply, sizeof(reply),
               "mxcheck: message does not meet %s sender requirements: "
               "R%d (%s) fails: %s",
               fail_profile ? fail_profile : "", fail_rule,
               fail_title ? fail_title : "",
               fail_fix && *fail_fix ? fail_fix : "see the mail log");
      /* libmilter: no line ends; '%' is special in replies. */
      for (p = reply; *p; p++)
        if (*p == '\r' || *p == '\n' || *p == '%' || (unsigned char)*p < 32)
          *p = ' ';
    }
  } else {
    mxm_metrics_count_abort();
  }

  pthread_mutex_lock(&E.lock);
  j->done = 1;
  j->out.verdict = v;
  j->out.header = header;
  j->out.reply = reply[0] && v == MXM_FAIL ? mxm_xstrdup(reply) : NULL;
  pthread_cond_signal(&j->cond);
  E.jobs--;
  pthread_mutex_unlock(&E.lock);

  /* engine-side resources */
  if (j->dkim) {
    mxc_check_cancel(j->dkim); /* only before finish: no callback */
    j->dkim = NULL;
  }
  mxc_msg_free(j->msg);
  j->msg = NULL;
  for (i = 0; i < j->nrep; i++)
    mxc_result_free(j->rep[i].res);
  free(j->rep);
  j->rep = NULL;
  if (j->prev)
    j->prev->next = j->next;
  else
    E.live = j->next;
  if (j->next)
    j->next->prev = j->prev;
  j->ec->jobs--;
  job_unref(j); /* the engine's */
}

static void comp_done(mxc_check_t *chk, mxc_status_t st,
                      const mxc_result_t *res, void *arg)
{
  struct report *r = arg;
  struct mxm_job *j = r->job;
  (void)chk;
  r->chk = NULL;
  r->st = st;
  if (st == MXC_OK && res) {
    r->res = mxc_result_dup(res);
    if (r->res == NULL && j->reason == NULL)
      j->reason = "out-of-memory";
  } else if (j->reason == NULL) {
    j->reason = st == MXC_ECANCELLED     ? "deadline"
                : st == MXC_EDESTRUCTION ? "shutdown"
                : st == MXC_EADDRESS     ? "bad-egress-address"
                                         : "report-failed";
  }
  if (--j->pending == 0)
    finish(j);
}

static void start_reports(struct mxm_job *j, const mxc_result_t *dkim)
{
  const char *eg[MXM_MAX_EGRESS];
  size_t ne = 0, e, p, i;

  for (e = 0; e < j->conf->negress; e++)
    eg[ne++] = j->conf->egress[e];
  if (ne == 0 && j->client[0])
    eg[ne++] = j->client; /* no --egress: the client (see the manual) */
  if (ne == 0 || j->nprofiles == 0) {
    j->status = "error";
    j->reason = ne == 0 ? "no-egress-address" : "no-profile";
    finish(j);
    return;
  }
  j->nrep = ne * j->nprofiles;
  j->rep = mxm_xcalloc(j->nrep, sizeof(*j->rep));
  for (e = 0; e < ne; e++)
    for (p = 0; p < j->nprofiles; p++) {
      struct report *r = &j->rep[e * j->nprofiles + p];
      r->job = j;
      r->egress = eg[e];
      r->profile = j->profiles[p];
    }
  j->pending = 1; /* held while starting */
  for (i = 0; i < j->nrep; i++) {
    struct report *r = &j->rep[i];
    r->st = mxc_compliance_start(j->ec->ctx, r->egress, j->mail_from,
                                 j->helo, j->msg, dkim, r->profile,
                                 comp_done, r, &r->chk);
    if (r->st == MXC_OK)
      j->pending++;
    else if (j->reason == NULL)
      j->reason = "report-not-started";
  }
  mxc_msg_free(j->msg);
  j->msg = NULL;
  if (--j->pending == 0)
    finish(j);
}

static void dkim_done(mxc_check_t *chk, mxc_status_t st,
                      const mxc_result_t *res, void *arg)
{
  struct mxm_job *j = arg;
  (void)chk;
  j->dkim = NULL;
  if (st == MXC_ECANCELLED || st == MXC_EDESTRUCTION || j->timed_out) {
    if (st == MXC_EDESTRUCTION && j->status == NULL)
      j->status = "shutdown";
    if (j->reason == NULL)
      j->reason = st == MXC_EDESTRUCTION ? "shutdown" : "deadline";
    finish(j);
    return;
  }
  start_reports(j, st == MXC_OK ? res : NULL);
}

/* ---- the engine: operations ------------------------------------------------ */

static void op_begin(struct mxm_job *j, const struct op *op)
{
  size_t off = 0, i;
  mxc_status_t st;

  job_ref(j); /* the engine's, until finish() */
  j->ec = E.cur;
  j->ec->jobs++;
  j->next = E.live;
  if (E.live)
    E.live->prev = j;
  E.live = j;

  if (mxc_msg_new(&j->msg) != MXC_OK)
    j->msg = NULL;
  if (j->msg)
    mxc_msg_set_smtputf8(j->msg, j->smtputf8);
  st = mxc_dkim_new(j->ec->ctx, &j->dkim);
  if (st != MXC_OK) {
    j->dkim = NULL;
    j->reason = "dkim-not-started";
  }
  for (i = 0; i < op->nfields && off + 4 <= op->len; i++) {
    uint32_t n;
    const char *f;
    memcpy(&n, op->data + off, 4);
    off += 4;
    if (n > op->len - off)
      break;
    f = op->data + off;
    off += n;
    if (j->msg)
      mxc_msg_field(j->msg, f, n); /* ELIMIT: counted by the library */
    if (j->dkim && !j->dkim_stop) {
      st = mxc_dkim_header(j->dkim, f, n);
      if (st == MXC_ELIMIT || st == MXC_ENOMEM)
        j->dkim_stop = 1; /* the result names the limit */
    }
    if (j->msgid == NULL && n > 11 && strncasecmp(f, "Message-ID:", 11) == 0) {
      const char *v = f + 11, *e = f + n;
      while (v < e && (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n'))
        v++;
      while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
                       e[-1] == '\n'))
        e--;
      j->msgid = mxm_xmalloc((size_t)(e - v) + 1);
      memcpy(j->msgid, v, (size_t)(e - v));
      j->msgid[e - v] = '\0';
    }
  }
  if (j->dkim && !j->dkim_stop) {
    st = mxc_dkim_eoh(j->dkim);
    if (st == MXC_ELIMIT || st == MXC_ENOMEM)
      j->dkim_stop = 1;
  }
}

static void op_body(struct mxm_job *j, const struct op *op)
{
  mxc_status_t st;
  if (j->finished || j->dkim == NULL || j->dkim_stop)
    return;
  st = mxc_dkim_body(j->dkim, op->data, op->len);
  if (st == MXC_ELIMIT || st == MXC_ENOMEM)
    j->dkim_stop = 1;
}

static void op_eom(struct mxm_job *j, struct op *op)
{
  if (j->finished)
    return;
  j->eom = 1;
  j->t_eom = op->t;
  if (op->qid) {
    free(j->qid);
    j->qid = op->qid;
    op->qid = NULL;
  }
  if (j->dkim) {
    if (j->qid && *j->qid)
      mxc_dkim_set_input(j->dkim, j->qid);
    if (mxc_dkim_finish(j->dkim, dkim_done, j) == MXC_OK) {
      j->dkim_finished = 1;
      return;
    }
    mxc_check_cancel(j->dkim);
    j->dkim = NULL;
  }
  start_reports(j, NULL);
}

/* The waiter gave up: cancel what runs; the callbacks finish the job. */
static void op_cancel(struct mxm_job *j)
{
  size_t i;
  if (j->finished)
    return;
  j->timed_out = 1;
  if (j->dkim && j->dkim_finished) {
    mxc_check_cancel(j->dkim); /* dkim_done() finishes */
    return;
  }
  for (i = 0; i < j->nrep && !j->finished; i++)
    if (j->rep[i].chk)
      mxc_check_cancel(j->rep[i].chk);
}

static void sock_cb(mxc_ctx_t *ctx, int fd, int what, void *userp,
                    void *socketp)
{
  struct watch *w = socketp;
  struct epoll_event ev;

  if (what == MXC_POLL_REMOVE) {
    if (w) {
      epoll_ctl(E.epfd, EPOLL_CTL_DEL, fd, NULL);
      free(w);
    }
    return;
  }
  memset(&ev, 0, sizeof(ev));
  ev.events = ((what & MXC_POLL_IN) ? EPOLLIN : 0) |
              ((what & MXC_POLL_OUT) ? EPOLLOUT : 0);
  if (w == NULL) {
    w = mxm_xcalloc(1, sizeof(*w));
    w->fd = fd;
    w->ec = userp;
    ev.data.ptr = w;
    if (mxc_assign(ctx, fd, w) != MXC_OK ||
        epoll_ctl(E.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
      mxm_log(MXM_ERR, "engine: cannot watch socket %d: %s", fd,
              strerror(errno));
      mxc_assign(ctx, fd, NULL);
      free(w);
    }
    return;
  }
  ev.data.ptr = w;
  epoll_ctl(E.epfd, EPOLL_CTL_MOD, fd, &ev);
}

static struct ectx *ectx_new(const struct mxm_conf *c)
{
  struct ectx *ec = mxm_xcalloc(1, sizeof(*ec));
  mxc_status_t st = mxc_ctx_new(&ec->ctx);
  if (st == MXC_OK && c->servers)
    st = mxc_ctx_set_servers(ec->ctx, c->servers);
  if (st == MXC_OK)
    st = mxc_ctx_set_timeout_ms(ec->ctx, c->dns_timeout_ms);
  if (st == MXC_OK)
    st = mxc_ctx_set_tries(ec->ctx, c->dns_tries);
  if (st == MXC_OK)
    st = mxc_set_socket_cb(ec->ctx, sock_cb, ec);
  if (st != MXC_OK) {
    mxm_log(MXM_ERR, "engine: DNS context: %s",
            ec->ctx ? mxc_ctx_error(ec->ctx) : mxc_strerror(st));
    mxc_ctx_free(ec->ctx);
    free(ec);
    return NULL;
  }
  /* The SPF trace is for people; the lint's warnings stay. */
  mxc_ctx_set_spf_detail(ec->ctx, MXC_SPF_DETAIL_LINT);
  ec->servers = mxm_xstrdup(c->servers ? c->servers : "");
  ec->timeout_ms = c->dns_timeout_ms;
  ec->tries = c->dns_tries;
  return ec;
}

static void ectx_free(struct ectx *ec)
{
  mxc_ctx_free(ec->ctx); /* pending checks: MXC_EDESTRUCTION */
  free(ec->servers);
  free(ec);
}

static void op_reconf(void)
{
  struct mxm_conf *c = mxm_conf_current();
  struct ectx *ec;
  mxm_conf_unref(E.conf);
  E.conf = c;
  if (strcmp(E.cur->servers, c->servers ? c->servers : "") == 0 &&
      E.cur->timeout_ms == c->dns_timeout_ms && E.cur->tries == c->dns_tries)
    return;
  ec = ectx_new(c);
  if (ec == NULL) {
    mxm_log(MXM_ERR, "reload: keeping the running DNS settings");
    return;
  }
  E.cur->next = E.old;
  E.old = E.cur;
  E.cur = ec;
}

static void run_ops(void)
{
  struct op *list, *op;
  long bytes = 0;

  pthread_mutex_lock(&E.lock);
  list = E.head;
  E.head = NULL;
  E.tail = &E.head;
  pthread_mutex_unlock(&E.lock);
  while ((op = list) != NULL) {
    struct mxm_job *j = op->job;
    list = op->next;
    bytes += (long)op->len;
    switch (op->type) {
    case OP_BEGIN:
      op_begin(j, op);
      break;
    case OP_BODY:
      op_body(j, op);
      break;
    case OP_EOM:
      op_eom(j, op);
      break;
    case OP_ABORT:
      finish(j); /* no line: it was not sent */
      break;
    case OP_SKIP:
      if (!j->finished) {
        j->status = "skipped";
        j->reason = "queue-bytes";
        finish(j);
      }
      break;
    case OP_CANCEL:
      op_cancel(j);
      break;
    case OP_RECONF:
      op_reconf();
      break;
    case OP_STOP:
      E.stopping = 1;
      E.stop_at = mxm_now_ms() +
                  (E.conf->deadline_ms < 2000 ? E.conf->deadline_ms : 2000);
      break;
    }
    if (j)
      job_unref(j);
    free(op->qid);
    free(op);
  }
  if (bytes) {
    pthread_mutex_lock(&E.lock);
    E.qbytes -= bytes;
    pthread_mutex_unlock(&E.lock);
  }
}

static void *engine_main(void *arg)
{
  struct epoll_event evs[64];
  mxc_fd_event_t fdev[64];
  (void)arg;

  for (;;) {
    long t = 1000, tt;
    int n, i;
    struct ectx *ec, **pp;

    if (E.stopping && (E.live == NULL || mxm_now_ms() >= E.stop_at))
      break;
    for (ec = E.cur; ec; ec = ec == E.cur ? E.old : ec->next) {
      tt = mxc_timeout_ms(ec->ctx);
      if (tt >= 0 && tt < t)
        t = tt;
    }
    if (E.stopping && t > 50)
      t = 50;
    n = epoll_wait(E.epfd, evs, 64, (int)t);
    if (n < 0 && errno != EINTR) {
      mxm_log(MXM_ERR, "engine: epoll_wait: %s", strerror(errno));
      n = 0;
    }
    for (ec = E.cur; ec; ec = ec == E.cur ? E.old : ec->next) {
      size_t k = 0;
      for (i = 0; i < n; i++) {
        struct watch *w = evs[i].data.ptr;
        if (w == NULL || w->ec != ec)
          continue;
        fdev[k].fd = w->fd;
        fdev[k].events =
            ((evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) ? MXC_POLL_IN
                                                              : 0) |
            ((evs[i].events & EPOLLOUT) ? MXC_POLL_OUT : 0);
        k++;
      }
      mxc_process_fds(ec->ctx, k ? fdev : NULL, k);
    }
    for (i = 0; i < n; i++)
      if (evs[i].data.ptr == NULL) {
        uint64_t v;
        if (read(E.efd, &v, sizeof(v)) < 0) {
          /* EAGAIN: nothing */
        }
      }
    run_ops();
    /* Free the contexts of an old configuration once idle. */
    for (pp = &E.old; *pp;) {
      ec = *pp;
      if (ec->jobs == 0) {
        *pp = ec->next;
        ectx_free(ec);
      } else
        pp = &ec->next;
    }
    {
      long jobs, qbytes;
      pthread_mutex_lock(&E.lock);
      jobs = E.jobs;
      qbytes = E.qbytes;
      pthread_mutex_unlock(&E.lock);
      mxm_metrics_tick(E.conf, jobs, qbytes, 0);
    }
  }

  /* Shutdown: no more operations; what came in is run, then what is
   * still running is logged as such. */
  pthread_mutex_lock(&E.lock);
  E.closed = 1;
  pthread_mutex_unlock(&E.lock);
  run_ops();
  while (E.live) {
    struct mxm_job *j = E.live;
    if (j->eom && j->status == NULL) {
      j->status = "shutdown";
      j->reason = "shutdown";
    }
    if (j->dkim && j->dkim_finished) {
      mxc_check_cancel(j->dkim); /* -> dkim_done -> finish */
      if (!j->finished) finish(j);
      continue;
    }
    if (j->pending) {
      size_t i;
      for (i = 0; i < j->nrep && !j->finished; i++)
        if (j->rep[i].chk)
          mxc_check_cancel(j->rep[i].chk);
      if (!j->finished)
        finish(j);
      continue;
    }
    finish(j);
  }
  mxm_metrics_tick(E.conf, 0, 0, 1);
  return NULL;
}

int mxm_engine_start(struct mxm_conf *conf)
{
  struct epoll_event ev;
  E.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  E.epfd = epoll_create1(EPOLL_CLOEXEC);
  if (E.efd < 0 || E.epfd < 0) {
    mxm_log(MXM_ERR, "engine: %s", strerror(errno));
    return -1;
  }
  memset(&ev, 0, sizeof(ev));
  ev.events = EPOLLIN;
  ev.data.ptr = NULL;
  if (epoll_ctl(E.epfd, EPOLL_CTL_ADD, E.efd, &ev) < 0) {
    mxm_log(MXM_ERR, "engine: epoll_ctl: %s", strerror(errno));
    return -1;
  }
  E.conf = mxm_conf_ref(conf);
  E.cur = ectx_new(conf);
  if (E.cur == NULL)
    return -1;
  if (pthread_create(&E.thr, NULL, engine_main, NULL) != 0) {
    mxm_log(MXM_ERR, "engine: cannot start its thread");
    return -1;
  }
  E.started = 1;
  return 0;
}

void mxm_engine_reconfigure(void)
{
  enqueue(op_new(OP_RECONF, NULL, 0));
}

void mxm_engine_stop(void)
{
  struct ectx *ec;
  if (!E.started)
    return;
  enqueue(op_new(OP_STOP, NULL, 0));
  pthread_join(E.thr, NULL);
  while ((ec = E.old) != NULL) {
    E.old = ec->next;
    ectx_free(ec);
  }
  ectx_free(E.cur);
  E.cur = NULL;
  mxm_conf_unref(E.conf);
  E.conf = NULL;
  close(E.efd);
  close(E.epfd);
  E.started = 0;
}
