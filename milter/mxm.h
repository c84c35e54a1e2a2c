/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mxm.h -- mxcheck-milter internals shared by its files.
 *
 *  conf.c     options, configuration file, the recipient-domain map
 *  engine.c   the engine thread: one mxc_ctx_t, jobs, the per-message log
 *  verdict.c  pass/warn/fail/unknown of one compliance report
 *  metrics.c  counters, the Prometheus text file, --stats
 *  log.c      stderr or syslog, one line at a time, from any thread
 *  milter.c   libmilter callbacks, main(), signals
 *
 * The milter uses the public API of libmxcheck only (<mxcheck.h>).
 */
#ifndef MXM_H
#define MXM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "mxcheck.h"

/* ---- configuration (conf.c) ---------------------------------------------- */

#define MXM_MAX_EGRESS 4     /* --egress addresses */
#define MXM_MAX_PROFILES 4   /* distinct profiles of one message */
#define MXM_MAX_MAP 64       /* profile-map entries */
#define MXM_MAX_SERVERS 8    /* --server entries */

enum mxm_mode { MXM_MODE_LOG, MXM_MODE_HEADER, MXM_MODE_TEMPFAIL,
                MXM_MODE_REJECT };
enum mxm_hdr { MXM_HDR_XMXCHECK, MXM_HDR_AUTHRES };

struct mxm_map {
  char *domain; /* lower case */
  char *profile;
};

/* One configuration: built from the file and the command line, never
 * changed once published; reference-counted so that a SIGHUP reload
 * swaps it for new messages while running ones keep theirs. */
struct mxm_conf {
  int refs;
  /* start-up only (a reload keeps the running values) */
  char *socket;
  char *pidfile;
  char *user;
  char *log;        /* "stderr", "syslog", "syslog:local0" */
  int foreground;
  /* per message */
  char *servers;    /* comma-separated for mxc_ctx_set_servers(), or NULL */
  char *egress[MXM_MAX_EGRESS];
  size_t negress;
  char *helo;       /* NULL: the MTA's j macro */
  char *profile;    /* for recipients not in the map; "none": skip them */
  struct mxm_map map[MXM_MAX_MAP];
  size_t nmap;
  enum mxm_mode mode;
  enum mxm_hdr header;
  char *authserv_id; /* NULL: the j macro, else "mxcheck" */
  long deadline_ms;
  long max_jobs;
  long max_bytes;
  long max_header;
  int dns_timeout_ms;
  int dns_tries;
  char *metrics_file;
  long summary_s;   /* summary log line and metrics file period */
  char *config;     /* the file read ("" when none) */
};

/* Parse argv over the file: 0 ok, -1 error (printed with mxm_log), 1 a
 * request that is done (--help, --version).  *stats is set for --stats. */
int mxm_conf_load(int argc, char **argv, struct mxm_conf **out,
                  const char **stats);
struct mxm_conf *mxm_conf_ref(struct mxm_conf *c);
/* SIGHUP: the file again, the same command line over it; NULL on error
 * (the running configuration stays). */
struct mxm_conf *mxm_conf_reload(void);
void mxm_conf_unref(struct mxm_conf *c);
/* The profile of a recipient address ("<user@Gmail.COM>"); NULL: none. */
const char *mxm_conf_profile_for(const struct mxm_conf *c, const char *rcpt);
const char *mxm_mode_str(enum mxm_mode m);

/* The configuration in force for new messages (reload swaps it). */
struct mxm_conf *mxm_conf_current(void);   /* a new reference */
void mxm_conf_publish(struct mxm_conf *c); /* takes the reference */

/* ---- log (log.c) -------------------------------------------------------- */

enum mxm_level { MXM_ERR, MXM_WARNING, MXM_INFO };
int mxm_log_open(const char *spec);  /* 0, or -1 (unknown facility) */
void mxm_log(enum mxm_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- verdict (verdict.c) ------------------------------------------------ */

enum mxm_verdict { MXM_PASS = 0, MXM_WARN = 1, MXM_UNKNOWN = 2,
                   MXM_FAIL = 3 };
enum mxm_verdict mxm_verdict(const mxc_result_t *res);
const char *mxm_verdict_str(enum mxm_verdict v);

/* ---- jobs and the engine (engine.c) ------------------------------------- */

struct mxm_job;

/* What a waiter at end of message gets. */
struct mxm_outcome {
  int done;                 /* 0: timed out */
  enum mxm_verdict verdict;
  char *header;             /* the field value to add, or NULL */
  char *reply;              /* the reply text for tempfail/reject */
};

struct mxm_envelope {
  const char *client;      /* {client_addr} or the connect address */
  const char *helo;        /* effective HELO of the egress (conf or j) */
  const char *mail_from;
  const char *profiles[MXM_MAX_PROFILES];
  size_t nprofiles;
  const char *qid, *auth, *tls, *authserv_id;
  const char *rcpt_domains; /* comma-separated, for the log */
  int smtputf8;             /* MAIL FROM had SMTPUTF8 */
};

int mxm_engine_start(struct mxm_conf *conf);
void mxm_engine_stop(void);
/* A new job for one message, begun with its header fields (a buffer of
 * [uint32 length][octets] records).  NULL: skipped (queue full, or the
 * engine stopped); the reason was counted and logged. */
struct mxm_job *mxm_job_begin(struct mxm_conf *conf,
                              const struct mxm_envelope *env,
                              const char *fields, size_t len, size_t nfields);
/* A body chunk: 0, or -1 (held bytes over the limit: the job was skipped
 * and released; the message is to be accepted). */
int mxm_job_body(struct mxm_job *job, const unsigned char *p, size_t len);
/* End of message.  wait_ms < 0: return at once (log mode).  Otherwise
 * wait for the verdict until then, and fill *out.  Releases the caller's
 * reference to the job. */
void mxm_job_eom(struct mxm_job *job, const char *qid, long wait_ms,
                 struct mxm_outcome *out);
/* The message was aborted (RSET, disconnect): drop the job without a log
 * line.  Releases the caller's reference. */
void mxm_job_abort(struct mxm_job *job);
void mxm_outcome_free(struct mxm_outcome *o);
/* A new configuration is in force: the engine takes its DNS settings for
 * new jobs (old jobs finish on their own context). */
void mxm_engine_reconfigure(void);

/* ---- metrics (metrics.c) ------------------------------------------------ */

struct mxm_metrics {
  uint64_t messages;             /* messages logged */
  uint64_t verdicts[4];          /* by enum mxm_verdict */
  uint64_t timeouts, skipped, errors, aborted, dns_temperrors;
  uint64_t hist[12];             /* check time buckets, see metrics.c */
  double ms_sum;
};
/* Count a logged message (engine thread only). */
void mxm_metrics_message(enum mxm_verdict v, const char *status, double ms,
                         int dns_temperror, const char *from_domain,
                         const char *failed, const char *warned,
                         const char *unknown);
void mxm_metrics_count_skip(void);   /* any thread */
void mxm_metrics_count_abort(void);  /* any thread */
/* Write the Prometheus file and the summary line when due (engine). */
void mxm_metrics_tick(const struct mxm_conf *conf, long queue_jobs,
                      long queue_bytes, int force);
int mxm_stats_print(const char *file); /* --stats: exit status */

/* ---- helpers ------------------------------------------------------------ */

void *mxm_xmalloc(size_t n);
void *mxm_xcalloc(size_t n, size_t m);
char *mxm_xstrdup(const char *s);
/* Copy s for a key=value log line: spaces, controls, 8-bit and quotes as
 * '?', at most max octets ("" for NULL). */
void mxm_logval(char *dst, size_t dstsize, const char *s, size_t max);
double mxm_now_ms(void); /* CLOCK_MONOTONIC */

#endif
