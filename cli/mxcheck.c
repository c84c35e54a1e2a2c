/*
 * mxcheck -- will the big mailbox providers accept mail from this server?
 *
 * This front end uses only the public API of libmxcheck.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mxcheck.h>

#include "msgsplit.h"

/* Monitoring-plugin exit codes (Nagios / Icinga / Monitoring Plugins). */
enum { EX_OK_ = 0, EX_WARNING = 1, EX_CRITICAL = 2, EX_UNKNOWN = 3 };

#define DEFAULT_PARALLEL 256
#define MAX_PARALLEL 100000
#define MAX_LINE 1024
#define MAX_SERVERS_ARG 4096
#define FLUSH_MS 50
#define BATCH_CACHE_SIZE 1000
/* --message: messages checked at once per process (each holds its header
 * until its keys are in: at most MXC_DKIM_MAX_HEADER octets), the read
 * size, and worker processes (--jobs; by default one per CPU from
 * JOBS_AUTO_MIN messages on, at most MAX_JOBS). */
#define MESSAGE_PARALLEL 16
#define READ_CHUNK 65536
#define JOBS_AUTO_MIN 32
#define MAX_JOBS 64

struct opts {
  int json;
  int color;
  int quiet;
  int parallel;
  const char *batch;
  int spf;               /* --mail-from or --helo given: iprev and spf */
  const char *mail_from; /* NULL: the null sender (HELO identity) */
  const char *helo;
  const char *domain;    /* --domain: audit its DMARC record */
  const char **messages; /* --message FILE... */
  size_t nmessages;
  int jobs;              /* --jobs; 0: automatic */
  /* the compliance report (--profile, --ip, --authres) */
  int compliance;
  const char *profile;   /* NULL: gmail */
  const char *ip;        /* --ip, or the one ADDRESS */
  int authres;           /* print the Authentication-Results field only */
  const char *authserv_id;
  /* a received message: envelope from its trace fields */
  int null_sender;       /* --mail-from "<>" (not: taken from the trace) */
  int auto_report;       /* one message alone: the report if received */
};

struct run {
  struct opts o;
  mxc_ctx_t *ctx;
  FILE *in;
  unsigned long lineno;
  int eof;
  int worst; /* worst exit code so far, by severity */
  unsigned long n_ok, n_warn, n_crit, n_unknown;
  long long last_flush; /* ms, CLOCK_MONOTONIC */
  size_t next_msg;      /* next --message to start */
  int job, njobs;       /* this worker's number, and how many (1: none) */
  int framed;           /* a worker: results go to the parent as frames */
  mxc_msg_t *hdr;       /* compliance: the header fields of --message */
};

static const char *progname = "mxcheck";

static void die(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "%s: ", progname);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(code);
}

static void usage(FILE *f)
{
  fprintf(f,
          "Usage: %s [OPTIONS] ADDRESS...\n"
          "       %s [OPTIONS] --batch FILE|-\n"
          "       %s [OPTIONS] [ADDRESS] --message FILE...\n"
          "\n"
          "Check what receivers such as Gmail check of a sending server's "
          "address:\n"
          "forward-confirmed reverse DNS (RFC 8601 iprev) over IPv4 and "
          "IPv6, and with\n"
          "--mail-from or --helo also SPF (RFC 7208) of the sender for that "
          "address.\n"
          "\n"
          "Options:\n"
          "  -f, --mail-from ADDR      also check SPF of this MAIL FROM "
          "address for each\n"
          "                            ADDRESS (\"<>\" or \"\": the null "
          "sender, needs --helo)\n"
          "  -H, --helo NAME           the HELO/EHLO name (alone: SPF of the "
          "HELO identity,\n"
          "                            postmaster@NAME)\n"
          "  -m, --message FILE        verify the DKIM signatures of this "
          "message (.eml or\n"
          "                            one-message mbox, '-': stdin; "
          "repeatable); with one\n"
          "                            ADDRESS: iprev (and SPF) of the "
          "client too; one\n"
          "                            FILE alone, a received copy: the "
          "--profile report,\n"
          "                            client IP, HELO, MAIL FROM read from "
          "its Received and\n"
          "                            Return-Path fields (--ip, --helo, "
          "--mail-from override)\n"
          "      --jobs N              worker processes for many messages "
          "(default: one per\n"
          "                            CPU from 32 messages on)\n"
          "  -s, --server HOST[:PORT]  ask this name server (repeatable; "
          "IPv6 as [::1]:53);\n"
          "                            default: the system resolver "
          "(/etc/resolv.conf)\n"
          "  -t, --timeout SECONDS     give up on a DNS query after about "
          "this long, per name\n"
          "                            server (default 7.5)\n"
          "      --tries N             tries per query (default 4)\n"
          "  -j, --json                JSON output (JSON Lines: one object "
          "per address)\n"
          "  -b, --batch FILE          read lines \"ADDRESS [MAIL-FROM [HELO]]\" "
          "from FILE\n"
          "                            ('-': stdin; the sender and HELO of a "
          "line replace\n"
          "                            --mail-from/--helo for it, <> is the "
          "null sender);\n"
          "                            checked concurrently, results in "
          "completion order\n"
          "  -p, --parallel N          checks in flight in batch mode "
          "(default %d;\n"
          "                            messages: 16 per process)\n"
          "      --max-queries N       DNS queries in flight (default 128)\n"
          "      --cache-size N        answers kept in the cache (default "
          "10000; 1000 with --batch)\n"
          "      --no-edns             plain DNS queries (no EDNS0/DO bit)\n"
          "  -D, --domain DOMAIN       also audit the DMARC record of this "
          "From domain\n"
          "                            (RFC 9989 policy discovery and "
          "validation)\n"
          "      --dmarc-discovery M   treewalk (RFC 9989, default), psl "
          "(RFC 7489 with the\n"
          "                            Public Suffix List) or both (tree "
          "walk, PSL compared)\n"
          "      --no-libspf2          do not compute libspf2's view of SPF (what\n"
          "                            receivers built on libspf2 conclude)\n"
          "      --color WHEN          auto (default), always or never; "
          "NO_COLOR is honoured\n"
          "                            (also spelt --colour)\n"
          "      --profile P           the sender requirements report (rules "
          "R1-R20) for\n"
          "                            gmail (default), gmail-bulk, "
          "yahoo-bulk, microsoft-bulk\n"
          "      --ip ADDRESS          the client address of the report "
          "(implies --profile)\n"
          "      --authres             print an RFC 8601 Authentication-Results "
          "field instead\n"
          "      --authserv-id ID      its authserv-id (default mxcheck)\n"
          "  -q, --quiet               print nothing; only the exit status "
          "(skips\n"
          "                            libspf2's view and the SPF trace, "
          "which are not\n"
          "                            printed)\n"
          "  -h, --help                this help\n"
          "  -V, --version             version\n"
          "\n"
          "ADDRESS: IPv4 (192.0.2.25), IPv6 (2001:db8::25), IPv4-mapped "
          "(::ffff:192.0.2.25),\n"
          "  with or without Sendmail's \"IPv6:\" prefix or [brackets].\n"
          "\n"
          "Exit status: 0 OK (pass), 1 WARNING (pass with warnings; SPF "
          "neutral or none),\n"
          "  2 CRITICAL (fail, permerror; SPF softfail), 3 UNKNOWN "
          "(temperror, bad address\n"
          "  or usage).  Over several checks and addresses: the worst, "
          "CRITICAL > UNKNOWN >\n"
          "  WARNING > OK.  --domain: a DMARC policy record OK (WARNING "
          "with warnings), none\n"
          "  WARNING, permerror CRITICAL, temperror UNKNOWN.  --message: "
          "DKIM pass OK\n"
          "  (WARNING with warnings), no signature WARNING, temperror "
          "UNKNOWN, else CRITICAL.\n"
          "  --profile: a required rule fails CRITICAL; a required rule "
          "indeterminate\n"
          "  (DNS temperror, missing input) UNKNOWN; a warning WARNING; "
          "else OK.\n"
          "See mxcheck(1).\n",
          progname, progname, progname, DEFAULT_PARALLEL);
}

static int severity(int code)
{
  switch (code) {
  case EX_CRITICAL:
    return 3;
  case EX_UNKNOWN:
    return 2;
  case EX_WARNING:
    return 1;
  default:
    return 0;
  }
}

static void account(struct run *r, int code)
{
  if (severity(code) > severity(r->worst))
    r->worst = code;
  switch (code) {
  case EX_OK_:
    r->n_ok++;
    break;
  case EX_WARNING:
    r->n_warn++;
    break;
  case EX_CRITICAL:
    r->n_crit++;
    break;
  default:
    r->n_unknown++;
  }
}

/* The exit status of a report: its state (mxc_result_state(), the
 * library's one verdict model) in the monitoring-plugin convention. */
static int exit_code_for(mxc_status_t st, const mxc_result_t *res)
{
  if (st != MXC_OK || res == NULL)
    return EX_UNKNOWN;
  switch (mxc_result_state(res)) {
  case MXC_RULE_PASS:
    return EX_OK_;
  case MXC_RULE_WARN:
    return EX_WARNING;
  case MXC_RULE_FAIL:
    return EX_CRITICAL;
  default:
    return EX_UNKNOWN;
  }
}

static void start_next(struct run *r);

/* A worker (--jobs) hands each report to the parent as one frame: a type
 * octet, the text, a NUL (reports never hold one: the library makes every
 * string printable).  'R': a report; 'C': the worker's counts, last. */
static void frame(char type, const char *s)
{
  putchar(type);
  fputs(s, stdout);
  putchar('\0');
}

/* Print a rendered report (taken) and flush now and then in batch mode. */
static void emit(struct run *r, char *s)
{
  if (s == NULL)
    die(EX_UNKNOWN, "out of memory");
  if (r->framed) {
    if (r->o.json) {
      char *line = malloc(strlen(s) + 2);
      if (line == NULL)
        die(EX_UNKNOWN, "out of memory");
      strcpy(line, s);
      strcat(line, "\n");
      frame('R', line);
      free(line);
    } else {
      frame('R', s);
    }
    mxc_free(s);
    return;
  }
  if (r->o.json)
    printf("%s\n", s);
  else
    fputs(s, stdout);
  mxc_free(s);
  if (r->o.batch) {
    /* Stream results as they complete, without a write() per result: a
     * reader sees them within FLUSH_MS. */
    struct timespec ts;
    long long now;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (now - r->last_flush >= FLUSH_MS) {
      fflush(stdout);
      r->last_flush = now;
    }
  }
}

static void print_result(struct run *r, mxc_status_t st,
                         const mxc_result_t *res, const char *input)
{
  if (r->o.quiet)
    return;
  if (res == NULL) {
    fprintf(stderr, "%s: %s: %s\n", progname, input ? input : "?",
            mxc_strerror(st));
    return;
  }
  emit(r, r->o.json ? mxc_result_json(res)
                    : mxc_result_text(res, r->o.color ? MXC_RENDER_COLOR : 0));
}

/*
 * With --mail-from/--helo each address gets two checks on the same
 * context, run concurrently: iprev and spf; with --message also dkim of
 * the message.  Their results are kept until all are in, then printed
 * together: one JSON object (mxc_results_json()) or the address line once
 * with every block (mxc_results_text()).
 */
enum { P_IPREV, P_SPF, P_DKIM, P_N };
struct pair {
  struct run *r;
  char *input;
  int want[P_N];      /* the checks of this address */
  mxc_status_t st[P_N];
  mxc_result_t *res[P_N];
  int ndone, nwant;
};

static void pair_finish(struct pair *p)
{
  static const char *const names[P_N] = {"iprev", "spf", "dkim"};
  struct run *r = p->r;
  const mxc_result_t *all[P_N];
  int worst = EX_OK_, e;
  size_t k, n = 0;

  for (k = 0; k < P_N; k++) {
    if (!p->want[k])
      continue;
    e = k == P_IPREV ? exit_code_for(p->st[k], p->res[k])
        : k == P_SPF ? exit_code_for(p->st[k], p->res[k])
                     : exit_code_for(p->st[k], p->res[k]);
    if (severity(e) > severity(worst))
      worst = e;
  }
  account(r, worst);
  if (!r->o.quiet) {
    for (k = 0; k < P_N; k++) {
      if (!p->want[k])
        continue;
      if (p->res[k] == NULL)
        fprintf(stderr, "%s: %s: %s: %s\n", progname, p->input, names[k],
                mxc_strerror(p->st[k]));
      else
        all[n++] = p->res[k];
    }
    if (n)
      emit(r, r->o.json
                  ? mxc_results_json(all, n)
                  : mxc_results_text(all, n,
                                     r->o.color ? MXC_RENDER_COLOR : 0));
  }
  for (k = 0; k < P_N; k++)
    mxc_result_free(p->res[k]);
  free(p->input);
  free(p);
}

static void pair_one(struct pair *p, int k, mxc_status_t st,
                     const mxc_result_t *res)
{
  p->st[k] = st;
  if (res && (p->res[k] = mxc_result_dup(res)) == NULL)
    die(EX_UNKNOWN, "out of memory");
  if (++p->ndone == p->nwant) {
    struct run *r = p->r;
    pair_finish(p);
    if (r->o.batch)
      start_next(r);
  }
}

static void done_iprev(mxc_check_t *chk, mxc_status_t st,
                       const mxc_result_t *res, void *arg)
{
  (void)chk;
  pair_one(arg, 0, st, res);
}

static void done_spf(mxc_check_t *chk, mxc_status_t st,
                     const mxc_result_t *res, void *arg)
{
  (void)chk;
  pair_one(arg, 1, st, res);
}

static void done_dkim_pair(mxc_check_t *chk, mxc_status_t st,
                           const mxc_result_t *res, void *arg)
{
  (void)chk;
  pair_one(arg, P_DKIM, st, res);
}

static int start_message(struct run *r, const char *name, mxc_done_cb cb,
                         void *arg);

static void start_pair(struct run *r, const char *addr)
{
  struct pair *p = calloc(1, sizeof(*p));
  mxc_status_t st;
  if (p == NULL || (p->input = strdup(addr)) == NULL)
    die(EX_UNKNOWN, "out of memory");
  p->r = r;
  p->want[P_IPREV] = 1;
  p->want[P_SPF] = r->o.spf;
  p->want[P_DKIM] = r->o.nmessages > 0;
  p->nwant = p->want[P_IPREV] + p->want[P_SPF] + p->want[P_DKIM];
  st = mxc_iprev_start(r->ctx, addr, done_iprev, p, NULL);
  if (st != MXC_OK) {
    p->st[0] = st;
    p->ndone++;
  }
  if (p->want[P_SPF]) {
    st = mxc_spf_start(r->ctx, addr, r->o.mail_from, r->o.helo, done_spf, p,
                       NULL);
    if (st != MXC_OK) {
      p->st[1] = st;
      p->ndone++;
    }
  }
  if (p->want[P_DKIM] &&
      start_message(r, r->o.messages[0], done_dkim_pair, p) < 0) {
    p->st[P_DKIM] = MXC_EINVAL; /* said why on stderr */
    p->ndone++;
  }
  if (p->ndone == p->nwant)
    pair_finish(p); /* none started: nothing will call back */
}

static void done(mxc_check_t *chk, mxc_status_t st, const mxc_result_t *res,
                 void *arg)
{
  struct run *r = mxc_check_arg(chk);
  (void)arg;
  account(r, exit_code_for(st, res));
  print_result(r, st, res, NULL);
  if (r->o.batch)
    start_next(r);
}

/* DMARC (RFC 9989) of --domain, audited without a message: a policy
 * record that applies is OK (WARNING with warnings, such as no rua=); no
 * record is WARNING (Gmail and Yahoo require one of bulk senders only,
 * and p=none is enough); permerror (a record without a usable policy) is
 * CRITICAL; temperror is UNKNOWN.  Its verdict "fail" only means that no
 * SPF or DKIM result was given. */
static void done_dmarc(mxc_check_t *chk, mxc_status_t st,
                       const mxc_result_t *res, void *arg)
{
  struct run *r = arg;
  (void)chk;
  account(r, exit_code_for(st, res));
  print_result(r, st, res, r->o.domain);
}

/* --domain: one DMARC audit, reported on its own (a JSON line of its own
 * with --json), beside the reports of the addresses. */
static void start_dmarc(struct run *r)
{
  mxc_status_t st = mxc_dmarc_start(r->ctx, r->o.domain, NULL, NULL, 0,
                                    done_dmarc, r, NULL);
  if (st != MXC_OK) {
    account(r, EX_UNKNOWN);
    print_result(r, st, NULL, r->o.domain);
  }
}

static char *trim(char *s)
{
  char *e;
  while (*s == ' ' || *s == '\t')
    s++;
  e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
                   e[-1] == '\r'))
    *--e = '\0';
  return s;
}

static void start_one(struct run *r, const char *addr)
{
  mxc_status_t st;
  if (r->o.spf || r->o.nmessages) {
    start_pair(r, addr);
    return;
  }
  st = mxc_iprev_start(r->ctx, addr, done, r, NULL);
  if (st != MXC_OK) {
    account(r, EX_UNKNOWN);
    print_result(r, st, NULL, addr);
  }
}

/*
 * Read one line into buf (at most cap - 1 bytes kept).  Returns -1 at end
 * of input, else the number of bytes kept; *overlong and *nul tell what was
 * wrong with the line.  Memory stays bounded whatever the input.
 */
static long read_line(FILE *in, char *buf, size_t cap, int *overlong, int *nul)
{
  size_t n = 0;
  int c, any = 0;
  *overlong = *nul = 0;
  while ((c = getc(in)) != EOF) {
    any = 1;
    if (c == '\n')
      break;
    if (c == '\0')
      *nul = 1;
    if (n + 1 < cap)
      buf[n++] = (char)c;
    else
      *overlong = 1;
  }
  buf[n] = '\0';
  return any ? (long)n : -1;
}

/* Read the next usable lines of the batch and start their checks. */
static void start_next(struct run *r)
{
  char line[MAX_LINE + 1];
  while (!r->eof && mxc_pending(r->ctx) < (size_t)r->o.parallel) {
    char *s;
    int overlong, nul;
    if (read_line(r->in, line, sizeof(line), &overlong, &nul) < 0) {
      if (ferror(r->in))
        fprintf(stderr, "%s: reading %s: %s\n", progname, r->o.batch,
                strerror(errno));
      r->eof = 1;
      break;
    }
    r->lineno++;
    if (overlong || nul) {
      fprintf(stderr, "%s: %s:%lu: %s, skipped\n", progname, r->o.batch,
              r->lineno,
              overlong ? "line longer than 1024 bytes" : "NUL byte in line");
      account(r, EX_UNKNOWN);
      continue;
    }
    s = trim(line);
    if (*s == '\0' || *s == '#')
      continue;
    {
      /* "ADDRESS [MAIL-FROM [HELO]]": a line's MAIL FROM ("<>": the null
       * sender) and HELO replace --mail-from / --helo for that line only
       * (SPF is then checked even without them).  The strings are copied
       * by the start call, and no callback runs inside it. */
      struct opts saved = r->o;
      char *fld[4];
      int nf = 0;
      while (*s && nf < 4) {
        fld[nf++] = s;
        s += strcspn(s, " \t");
        if (*s) {
          *s++ = '\0';
          s += strspn(s, " \t");
        }
      }
      if (nf >= 2) {
        r->o.spf = 1;
        r->o.mail_from = strcmp(fld[1], "<>") == 0 ? NULL : fld[1];
        if (nf == 3)
          r->o.helo = fld[2];
      }
      if (nf > 3 || (nf >= 2 && r->o.mail_from == NULL && r->o.helo == NULL)) {
        fprintf(stderr, "%s: %s:%lu: %s, skipped\n", progname, r->o.batch,
                r->lineno,
                nf > 3 ? "more than ADDRESS MAIL-FROM HELO"
                       : "the null sender needs a HELO name");
        account(r, EX_UNKNOWN);
      } else {
        start_one(r, fld[0]);
      }
      r->o = saved;
    }
  }
}

/* ---- --message: DKIM of messages ------------------------------------- */

/* One message being read into its check. */
struct msg {
  mxc_check_t *chk;
  mxc_status_t err; /* the library said stop (a limit, out of memory) */
  mxc_msg_t *hdr;   /* compliance: also gather the header fields */
};

static int ms_stop(struct msg *m, mxc_status_t st)
{
  if (st == MXC_ELIMIT || st == MXC_ENOMEM) {
    m->err = st;
    return 1; /* the rest of the message is not read */
  }
  return 0; /* MXC_EINVAL: an empty field, nothing to verify in it */
}
static int ms_field(void *arg, const char *f, size_t len)
{
  struct msg *m = arg;
  if (m->hdr && mxc_msg_field(m->hdr, f, len) == MXC_ENOMEM)
    die(EX_UNKNOWN, "out of memory");
  return ms_stop(m, mxc_dkim_header(m->chk, f, len));
}
static int ms_eoh(void *arg)
{
  struct msg *m = arg;
  return ms_stop(m, mxc_dkim_eoh(m->chk));
}
static int ms_body(void *arg, const char *p, size_t len)
{
  struct msg *m = arg;
  return ms_stop(m, mxc_dkim_body(m->chk, p, len));
}

/*
 * Read a message (a file, '-': stdin; .eml or a one-message mbox, LF or
 * CRLF) in READ_CHUNK reads into a DKIM check, then finish it: cb gets
 * the result.  The body streams through; a header over the library's
 * limits stops the reading (the result says which limit).  Returns -1
 * when no check was started (the reason is on stderr).
 */
static int start_message(struct run *r, const char *name, mxc_done_cb cb,
                         void *arg)
{
  static char buf[READ_CHUNK];
  struct msgsplit sp;
  struct msg m;
  const char *label = strcmp(name, "-") == 0 ? "stdin" : name;
  int fd, rc = 0;
  mxc_status_t st;

  fd = strcmp(name, "-") == 0 ? STDIN_FILENO : open(name, O_RDONLY);
  if (fd < 0) {
    fprintf(stderr, "%s: %s: %s\n", progname, name, strerror(errno));
    return -1;
  }
  memset(&m, 0, sizeof(m));
  m.hdr = r->hdr;
  st = mxc_dkim_new(r->ctx, &m.chk);
  if (st == MXC_OK)
    st = mxc_dkim_set_input(m.chk, label);
  if (st != MXC_OK) {
    fprintf(stderr, "%s: %s: %s\n", progname, label, mxc_strerror(st));
    if (m.chk)
      mxc_check_cancel(m.chk);
    if (fd != STDIN_FILENO)
      close(fd);
    return -1;
  }
  memset(&sp, 0, sizeof(sp));
  sp.field = ms_field;
  sp.eoh = ms_eoh;
  sp.body = ms_body;
  sp.arg = &m;
  sp.max_field = MXC_DKIM_MAX_FIELD;
  msgsplit_init(&sp);
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      fprintf(stderr, "%s: reading %s: %s\n", progname, label,
              strerror(errno));
      rc = -1;
      break;
    }
    if (n == 0) {
      if (msgsplit_end(&sp) < 0)
        die(EX_UNKNOWN, "out of memory");
      break;
    }
    rc = msgsplit_feed(&sp, buf, (size_t)n);
    if (rc < 0)
      die(EX_UNKNOWN, "out of memory");
    if (rc > 0) {
      rc = 0; /* stopped: the result will say why */
      break;
    }
  }
  if (rc == 0 && sp.no_separator && m.hdr) {
    /* the compliance rules see the line that is not a field (R12) */
    char line[96];
    int n = snprintf(line, sizeof(line), "line %lu is not a header field",
                     sp.no_separator);
    if (mxc_msg_field(m.hdr, line, (size_t)n) == MXC_ENOMEM)
      die(EX_UNKNOWN, "out of memory");
  }
  if (rc == 0 && sp.no_separator && !r->o.quiet)
    fprintf(stderr,
            "%s: %s: line %lu is not a header field: taken as the first "
            "line of the body (no empty line after the header)\n",
            progname, label, sp.no_separator);
  msgsplit_free(&sp);
  if (fd != STDIN_FILENO)
    close(fd);
  if (rc < 0) {
    mxc_check_cancel(m.chk); /* no callback: none attached yet */
    return -1;
  }
  st = mxc_dkim_finish(m.chk, cb, arg);
  if (st != MXC_OK)
    die(EX_UNKNOWN, "%s: %s", label, mxc_strerror(st)); /* cannot happen */
  return 0;
}

static void start_messages(struct run *r);

static void done_message(mxc_check_t *chk, mxc_status_t st,
                         const mxc_result_t *res, void *arg)
{
  struct run *r = arg;
  (void)chk;
  account(r, exit_code_for(st, res));
  print_result(r, st, res, res ? NULL : "message");
  start_messages(r);
}

/* Start the next messages (this worker's share) while fewer than
 * --parallel are in flight. */
static void start_messages(struct run *r)
{
  while (r->next_msg < r->o.nmessages &&
         mxc_pending(r->ctx) < (size_t)r->o.parallel) {
    size_t i = r->next_msg++;
    if (r->njobs > 1 && (int)(i % (size_t)r->njobs) != r->job)
      continue;
    if (start_message(r, r->o.messages[i], done_message, r) < 0)
      account(r, EX_UNKNOWN);
  }
}

/*
 * --jobs N: N worker processes share the messages (worker w takes message
 * i when i % N == w), each with a context of its own, so that the CPU work
 * of verification (RSA, hashing) runs on N cores; notes/libopendkim.md
 * shows that threads would not help RSA, OpenSSL 3.0's key decoder
 * serialising them.  The parent writes the reports out as they come, whole
 * (frames, see frame()), and exits with the worst of the workers' codes.
 * Returns -1 in a worker (which goes on as the program), else the exit
 * code for the parent.
 */
static int spawn_workers(struct run *r, int n)
{
  struct worker {
    pid_t pid;
    int fd;
    char *buf;
    size_t len, cap;
  } *w = calloc((size_t)n, sizeof(*w));
  struct pollfd *pfd = calloc((size_t)n, sizeof(*pfd));
  int i, open_fds = 0, worst = EX_OK_;
  unsigned long cnt[4] = {0, 0, 0, 0};

  if (w == NULL || pfd == NULL)
    die(EX_UNKNOWN, "out of memory");
  fflush(stdout);
  fflush(stderr);
  for (i = 0; i < n; i++) {
    int p[2], j;
    if (pipe(p) < 0)
      die(EX_UNKNOWN, "pipe: %s", strerror(errno));
    w[i].pid = fork();
    if (w[i].pid < 0)
      die(EX_UNKNOWN, "fork: %s", strerror(errno));
    if (w[i].pid == 0) {
      for (j = 0; j < i; j++)
        close(w[j].fd);
      close(p[0]);
      if (dup2(p[1], STDOUT_FILENO) < 0)
        _exit(EX_UNKNOWN);
      close(p[1]);
      free(w);
      free(pfd);
      r->job = i;
      r->njobs = n;
      r->framed = 1;
      return -1;
    }
    close(p[1]);
    w[i].fd = p[0];
    open_fds++;
  }
  while (open_fds > 0) {
    for (i = 0; i < n; i++) {
      pfd[i].fd = w[i].fd;
      pfd[i].events = POLLIN;
      pfd[i].revents = 0;
    }
    if (poll(pfd, (nfds_t)n, -1) < 0) {
      if (errno == EINTR)
        continue;
      die(EX_UNKNOWN, "poll: %s", strerror(errno));
    }
    for (i = 0; i < n; i++) {
      ssize_t got;
      char *z;
      size_t off = 0;
      if (w[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      if (w[i].cap - w[i].len < READ_CHUNK) {
        char *nb = realloc(w[i].buf, w[i].cap + READ_CHUNK);
        if (nb == NULL)
          die(EX_UNKNOWN, "out of memory");
        w[i].buf = nb;
        w[i].cap += READ_CHUNK;
      }
      got = read(w[i].fd, w[i].buf + w[i].len, w[i].cap - w[i].len);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0) {
        close(w[i].fd);
        w[i].fd = -1;
        open_fds--;
        continue;
      }
      w[i].len += (size_t)got;
      /* Write out every whole frame. */
      while ((z = memchr(w[i].buf + off, '\0', w[i].len - off)) != NULL) {
        char *f = w[i].buf + off;
        if (f[0] == 'R' && !r->o.quiet)
          fwrite(f + 1, 1, (size_t)(z - f - 1), stdout);
        else if (f[0] == 'C') {
          unsigned long a, b, c, d;
          if (sscanf(f + 1, "%lu %lu %lu %lu", &a, &b, &c, &d) == 4) {
            cnt[0] += a;
            cnt[1] += b;
            cnt[2] += c;
            cnt[3] += d;
          }
        }
        off = (size_t)(z - w[i].buf) + 1;
      }
      if (off) {
        memmove(w[i].buf, w[i].buf + off, w[i].len - off);
        w[i].len -= off;
        fflush(stdout);
      }
    }
  }
  for (i = 0; i < n; i++) {
    int status, code = EX_UNKNOWN;
    while (waitpid(w[i].pid, &status, 0) < 0 && errno == EINTR)
      ;
    if (WIFEXITED(status))
      code = WEXITSTATUS(status);
    if (code > EX_UNKNOWN)
      code = EX_UNKNOWN;
    if (severity(code) > severity(worst))
      worst = code;
    free(w[i].buf);
  }
  free(w);
  free(pfd);
  if (!r->o.quiet && !r->o.json)
    fprintf(stderr,
            "%s: %lu messages checked by %d workers: %lu ok, %lu warning, "
            "%lu critical, %lu unknown\n",
            progname, cnt[0] + cnt[1] + cnt[2] + cnt[3], n, cnt[0], cnt[1],
            cnt[2], cnt[3]);
  if (fflush(stdout) != 0 || ferror(stdout))
    return EX_UNKNOWN;
  return worst;
}

static long parse_long(const char *opt, const char *s, long lo, long hi)
{
  char *e;
  long v;
  errno = 0;
  v = strtol(s, &e, 10);
  if (*s == '\0' || *e != '\0' || errno || v < lo || v > hi)
    die(EX_UNKNOWN, "%s: expected a whole number from %ld to %ld, got \"%s\"",
        opt, lo, hi, s);
  return v;
}

/* ---- --profile: the sender requirements report ------------------------- */

static void done_compliance(mxc_check_t *chk, mxc_status_t st,
                            const mxc_result_t *res, void *arg)
{
  struct run *r = arg;
  mxc_rule_state_t w;
  (void)chk;
  if (res == NULL || st != MXC_OK) {
    account(r, EX_UNKNOWN);
    if (res && !r->o.quiet)
      emit(r, r->o.json ? mxc_result_json(res)
                        : mxc_result_text(res, r->o.color ? MXC_RENDER_COLOR
                                                          : 0));
    else if (!r->o.quiet)
      fprintf(stderr, "%s: %s: %s\n", progname,
              r->o.ip ? r->o.ip : "message", mxc_strerror(st));
    return;
  }
  w = mxc_result_state(res);
  if (r->o.authres) {
    /* The field shows the methods: its status is their worst state. */
    static const char *const methods[] = {"iprev", "spf", "dkim", "dmarc"};
    int worst = EX_OK_;
    size_t k;
    for (k = 0; k < sizeof(methods) / sizeof(methods[0]); k++) {
      const mxc_result_t *sub = mxc_compliance_sub(res, methods[k]);
      int e = sub ? exit_code_for(MXC_OK, sub) : EX_OK_;
      if (severity(e) > severity(worst))
        worst = e;
    }
    w = worst == EX_CRITICAL  ? MXC_RULE_FAIL
        : worst == EX_UNKNOWN ? MXC_RULE_UNKNOWN
        : worst == EX_WARNING ? MXC_RULE_WARN
                              : MXC_RULE_PASS;
  }
  account(r, w == MXC_RULE_FAIL      ? EX_CRITICAL
             : w == MXC_RULE_UNKNOWN ? EX_UNKNOWN
             : w == MXC_RULE_WARN    ? EX_WARNING
                                     : EX_OK_);
  if (r->o.quiet)
    return;
  if (r->o.authres) {
    char *s = mxc_result_authres(res, r->o.authserv_id);
    if (s == NULL)
      die(EX_UNKNOWN, "out of memory");
    printf("%s\n", s);
    mxc_free(s);
    return;
  }
  emit(r, r->o.json ? mxc_result_json(res)
                    : mxc_result_text(res, r->o.color ? MXC_RENDER_COLOR : 0));
}

static void start_compliance(struct run *r, const mxc_result_t *dkim)
{
  mxc_status_t st = mxc_compliance_start(
      r->ctx, r->o.ip, r->o.null_sender ? "<>" : r->o.mail_from, r->o.helo,
      r->hdr, dkim, r->o.profile, done_compliance, r, NULL);
  if (st != MXC_OK) {
    account(r, EX_UNKNOWN);
    fprintf(stderr, "%s: %s: %s\n", progname,
            r->o.ip ? r->o.ip : "message", mxc_strerror(st));
  }
  mxc_msg_free(r->hdr);
  r->hdr = NULL;
}

static void done_compliance_dkim(mxc_check_t *chk, mxc_status_t st,
                                 const mxc_result_t *res, void *arg)
{
  (void)chk;
  start_compliance(arg, st == MXC_OK ? res : NULL);
}

/* ---- one message alone: the report of a received copy ------------------ */

/* The DKIM result is in, the header read: a message whose trace fields
 * give the client gets the compliance report, any other its DKIM report. */
static void done_received(mxc_check_t *chk, mxc_status_t st,
                          const mxc_result_t *res, void *arg)
{
  struct run *r = arg;
  if (st == MXC_OK && res && mxc_msg_trace(r->hdr, MXC_TRACE_IP) != NULL) {
    start_compliance(r, res);
    return;
  }
  mxc_msg_free(r->hdr);
  r->hdr = NULL;
  done_message(chk, st, res, arg);
}

static void start_received(struct run *r)
{
  if (mxc_msg_new(&r->hdr) != MXC_OK)
    die(EX_UNKNOWN, "out of memory");
  mxc_msg_set_use_trace(r->hdr, 1);
  r->next_msg = r->o.nmessages; /* the one message is this one */
  if (start_message(r, r->o.messages[0], done_received, r) < 0) {
    account(r, EX_UNKNOWN); /* said why on stderr */
    mxc_msg_free(r->hdr);
    r->hdr = NULL;
  }
}

int main(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"server", required_argument, NULL, 's'},
      {"mail-from", required_argument, NULL, 'f'},
      {"helo", required_argument, NULL, 'H'},
      {"timeout", required_argument, NULL, 't'},
      {"tries", required_argument, NULL, 'T'},
      {"json", no_argument, NULL, 'j'},
      {"batch", required_argument, NULL, 'b'},
      {"parallel", required_argument, NULL, 'p'},
      {"max-queries", required_argument, NULL, 'M'},
      {"cache-size", required_argument, NULL, 'Z'},
      {"no-edns", no_argument, NULL, 'E'},
      {"domain", required_argument, NULL, 'D'},
      {"dmarc-discovery", required_argument, NULL, 'Y'},
      {"no-libspf2", no_argument, NULL, 'L'},
      {"message", required_argument, NULL, 'm'},
      {"jobs", required_argument, NULL, 'J'},
      {"color", required_argument, NULL, 'C'},
      {"colour", required_argument, NULL, 'C'},
      {"quiet", no_argument, NULL, 'q'},
      {"profile", required_argument, NULL, 'P'},
      {"ip", required_argument, NULL, 'I'},
      {"authres", no_argument, NULL, 'A'},
      {"authserv-id", required_argument, NULL, 'a'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0}};
  struct run r;
  char servers[MAX_SERVERS_ARG] = "";
  double timeout_s = 0;
  long tries = 4, maxq = 0, cache_size = -1;
  int edns = 1, libspf2 = 1, color_mode = -1, c, i, parallel_set = 0;
  unsigned dmarc_method = 0;
  mxc_status_t st;

  memset(&r, 0, sizeof(r));
  r.o.parallel = DEFAULT_PARALLEL;
  if (argv[0] && strrchr(argv[0], '/'))
    progname = strrchr(argv[0], '/') + 1;
  else if (argv[0] && *argv[0])
    progname = argv[0];

  while ((c = getopt_long(argc, argv, "s:t:jb:p:qhVf:H:m:D:", longopts,
                          NULL)) != -1) {
    switch (c) {
    case 's':
      if (strlen(servers) + strlen(optarg) + 2 > sizeof(servers))
        die(EX_UNKNOWN, "too many --server options");
      if (servers[0])
        strcat(servers, ",");
      strcat(servers, optarg);
      break;
    case 't': {
      char *e;
      errno = 0;
      timeout_s = strtod(optarg, &e);
      if (*optarg == '\0' || *e != '\0' || errno || !(timeout_s >= 0.01) ||
          timeout_s > 600)
        die(EX_UNKNOWN, "--timeout: expected seconds from 0.01 to 600, got "
                        "\"%s\"",
            optarg);
      break;
    }
    case 'T':
      tries = parse_long("--tries", optarg, 1, 10);
      break;
    case 'f':
      r.o.spf = 1;
      r.o.mail_from = optarg;
      break;
    case 'H':
      r.o.spf = 1;
      r.o.helo = optarg;
      break;
    case 'j':
      r.o.json = 1;
      break;
    case 'b':
      r.o.batch = optarg;
      break;
    case 'p':
      r.o.parallel = (int)parse_long("--parallel", optarg, 1, MAX_PARALLEL);
      parallel_set = 1;
      break;
    case 'm': {
      const char **nm = realloc(r.o.messages,
                                (r.o.nmessages + 1) * sizeof(*nm));
      if (nm == NULL)
        die(EX_UNKNOWN, "out of memory");
      r.o.messages = nm;
      r.o.messages[r.o.nmessages++] = optarg;
      break;
    }
    case 'J':
      r.o.jobs = (int)parse_long("--jobs", optarg, 1, MAX_JOBS);
      break;
    case 'M':
      maxq = parse_long("--max-queries", optarg, 1, 65536);
      break;
    case 'E':
      edns = 0;
      break;
    case 'D':
      r.o.domain = optarg;
      break;
    case 'Y':
      if (strcmp(optarg, "treewalk") == 0)
        dmarc_method = MXC_DMARC_TREEWALK;
      else if (strcmp(optarg, "psl") == 0)
        dmarc_method = MXC_DMARC_PSL;
      else if (strcmp(optarg, "both") == 0)
        dmarc_method = MXC_DMARC_TREEWALK | MXC_DMARC_PSL;
      else
        die(EX_UNKNOWN, "--dmarc-discovery: expected treewalk, psl or both");
      break;
    case 'L':
      libspf2 = 0;
      break;
    case 'Z':
      cache_size = parse_long("--cache-size", optarg, 0, 10000000);
      break;
    case 'C':
      if (strcmp(optarg, "auto") == 0)
        color_mode = -1;
      else if (strcmp(optarg, "always") == 0)
        color_mode = 1;
      else if (strcmp(optarg, "never") == 0)
        color_mode = 0;
      else
        die(EX_UNKNOWN, "--color: expected auto, always or never");
      break;
    case 'q':
      r.o.quiet = 1;
      break;
    case 'P':
      if (strcmp(optarg, "gmail") != 0 && strcmp(optarg, "gmail-bulk") != 0 &&
          strcmp(optarg, "yahoo-bulk") != 0 &&
          strcmp(optarg, "microsoft-bulk") != 0)
        die(EX_UNKNOWN, "--profile: expected gmail, gmail-bulk, yahoo-bulk "
                        "or microsoft-bulk");
      r.o.profile = optarg;
      r.o.compliance = 1;
      break;
    case 'I':
      r.o.ip = optarg;
      r.o.compliance = 1;
      break;
    case 'A':
      r.o.authres = 1;
      r.o.compliance = 1;
      break;
    case 'a':
      r.o.authserv_id = optarg;
      break;
    case 'h':
      usage(stdout);
      return EX_OK_;
    case 'V':
      printf("mxcheck %s (libmxcheck %s)\n", MXC_VERSION_STR, mxc_version());
      return EX_OK_;
    default:
      fprintf(stderr, "Try '%s --help'.\n", progname);
      return EX_UNKNOWN;
    }
  }
  /* One message alone: the compliance report when it is a received copy
   * (its trace fields give the client) or when --mail-from/--helo say
   * whom it came from; else its DKIM verification. */
  if (r.o.nmessages == 1 && optind == argc && !r.o.batch && !r.o.domain &&
      !r.o.compliance) {
    r.o.compliance = r.o.spf;
    r.o.auto_report = !r.o.spf;
  }
  if (r.o.compliance) {
    if (r.o.batch || r.o.domain || r.o.nmessages > 1)
      die(EX_UNKNOWN, "--profile/--ip/--authres take one address and at most "
                      "one --message (no --batch, --domain)");
    if (r.o.ip && optind < argc)
      die(EX_UNKNOWN, "give the address either with --ip or as ADDRESS");
    if (r.o.ip == NULL && argc - optind != 1 &&
        !(r.o.nmessages && optind == argc))
      die(EX_UNKNOWN, "--profile/--authres need one ADDRESS (or --ip)");
    if (r.o.ip == NULL && optind < argc)
      r.o.ip = argv[optind];
    optind = argc;
  }
  if (r.o.nmessages && r.o.batch)
    die(EX_UNKNOWN, "--message and --batch do not go together");
  if (r.o.nmessages && optind < argc &&
      (argc - optind > 1 || r.o.nmessages > 1))
    die(EX_UNKNOWN, "with --message, give one ADDRESS (the client that sent "
                    "it) and one --message, or messages only");
  if (r.o.nmessages && optind == argc && r.o.spf && !r.o.compliance)
    die(EX_UNKNOWN, "--mail-from and --helo need the ADDRESS of the client");
  if (r.o.nmessages && !parallel_set)
    r.o.parallel = MESSAGE_PARALLEL;
  if (r.o.domain && r.o.nmessages)
    die(EX_UNKNOWN, "--domain and --message do not go together");
  if (optind == argc && r.o.batch == NULL && r.o.nmessages == 0 &&
      r.o.domain == NULL && !r.o.compliance) {
    fprintf(stderr, "%s: no address given\n", progname);
    usage(stderr);
    return EX_UNKNOWN;
  }
  if (optind < argc && r.o.batch != NULL)
    die(EX_UNKNOWN, "give addresses either as arguments or with --batch, "
                    "not both");
  if (r.o.mail_from &&
      (*r.o.mail_from == '\0' || strcmp(r.o.mail_from, "<>") == 0))
    r.o.mail_from = NULL, r.o.null_sender = 1; /* the null sender */
  if (r.o.spf && r.o.mail_from == NULL && (r.o.helo == NULL || !*r.o.helo) &&
      !(r.o.compliance && r.o.nmessages)) /* the HELO of the trace */
    die(EX_UNKNOWN, "the null sender (--mail-from \"<>\") needs --helo: SPF "
                    "then checks postmaster@HELO");
  if (r.o.helo && *r.o.helo == '\0')
    r.o.helo = NULL;
  if (color_mode == -1) {
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    r.o.color = isatty(STDOUT_FILENO) && !(nc && *nc) &&
                !(term && strcmp(term, "dumb") == 0);
  } else {
    r.o.color = color_mode;
  }

  /* Messages only: several worker processes for a big batch. */
  r.njobs = 1;
  if (r.o.nmessages > 1 && optind == argc) {
    int jobs = r.o.jobs;
    if (jobs == 0) {
      long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
      jobs = r.o.nmessages >= JOBS_AUTO_MIN && ncpu > 1
                 ? (int)(ncpu < MAX_JOBS ? ncpu : MAX_JOBS)
                 : 1;
    }
    if ((size_t)jobs > r.o.nmessages)
      jobs = (int)r.o.nmessages;
    if (jobs > 1) {
      int code = spawn_workers(&r, jobs);
      if (code >= 0) {
        free(r.o.messages);
        return code;
      }
      /* a worker: goes on with its share */
    }
  }

  st = mxc_ctx_new(&r.ctx);
  if (st != MXC_OK)
    die(EX_UNKNOWN, "cannot set up the resolver: %s%s%s", mxc_strerror(st),
        st == MXC_EDNS ? " (is /etc/resolv.conf readable?" : "",
        st == MXC_EDNS ? " use --server)" : "");
  if (servers[0] && (st = mxc_ctx_set_servers(r.ctx, servers)) != MXC_OK)
    die(EX_UNKNOWN, "--server: %s", mxc_ctx_error(r.ctx));
  if (timeout_s > 0) {
    /* c-ares doubles the timeout on each try: the first try gets
     * total / (2^tries - 1). */
    double first = timeout_s * 1000.0 / (double)((1L << tries) - 1);
    if (first < 1)
      first = 1;
    if (first > 60000)
      first = 60000;
    mxc_ctx_set_timeout_ms(r.ctx, (int)first);
  }
  if ((st = mxc_ctx_set_tries(r.ctx, (int)tries)) != MXC_OK)
    die(EX_UNKNOWN, "--tries: %s", mxc_strerror(st));
  if (maxq > 0)
    mxc_ctx_set_max_inflight(r.ctx, (int)maxq);
  /* A batch is a stream of mostly distinct addresses: a small cache keeps
   * memory flat whatever its length. */
  if (cache_size < 0 && r.o.batch)
    cache_size = BATCH_CACHE_SIZE;
  if (cache_size >= 0)
    mxc_ctx_set_cache_max(r.ctx, (size_t)cache_size);
  if (!edns)
    mxc_ctx_set_edns(r.ctx, 0);
  if (dmarc_method &&
      (st = mxc_ctx_set_dmarc_discovery(r.ctx, dmarc_method)) != MXC_OK)
    die(EX_UNKNOWN, "--dmarc-discovery: %s", mxc_ctx_error(r.ctx));
  if (r.o.domain)
    start_dmarc(&r);
  /* -q prints nothing: neither libspf2's view nor the SPF trace is read.
   * The lint stays: its warnings make a pass a WARNING. */
  if (!libspf2 || r.o.quiet)
    mxc_ctx_set_libspf2(r.ctx, 0);
  if (r.o.quiet)
    mxc_ctx_set_spf_detail(r.ctx, MXC_SPF_DETAIL_LINT);

  if (r.o.compliance) {
    if (r.o.nmessages) {
      if (mxc_msg_new(&r.hdr) != MXC_OK)
        die(EX_UNKNOWN, "out of memory");
      /* a copy as received: what is not given comes from its trace */
      mxc_msg_set_use_trace(r.hdr, 1);
      if (start_message(&r, r.o.messages[0], done_compliance_dkim, &r) < 0) {
        account(&r, EX_UNKNOWN); /* said why on stderr */
        mxc_msg_free(r.hdr);
        r.hdr = NULL;
      }
    } else {
      start_compliance(&r, NULL);
    }
  } else if (r.o.batch) {
    if (strcmp(r.o.batch, "-") == 0) {
      r.in = stdin;
      r.o.batch = "stdin";
    } else if ((r.in = fopen(r.o.batch, "r")) == NULL) {
      die(EX_UNKNOWN, "cannot open %s: %s", r.o.batch, strerror(errno));
    }
    start_next(&r);
  } else if (r.o.auto_report) {
    start_received(&r);
  } else if (r.o.nmessages && optind == argc) {
    start_messages(&r);
  } else {
    for (i = optind; i < argc; i++)
      start_one(&r, argv[i]);
  }
  st = mxc_run(r.ctx, -1);
  if (st != MXC_OK)
    fprintf(stderr, "%s: %s\n", progname, mxc_strerror(st));
  if (r.in && r.in != stdin)
    fclose(r.in);
  mxc_ctx_free(r.ctx);
  free(r.o.messages);
  if (r.framed) {
    char counts[96];
    snprintf(counts, sizeof(counts), "%lu %lu %lu %lu", r.n_ok, r.n_warn,
             r.n_crit, r.n_unknown);
    frame('C', counts);
  } else if (r.o.nmessages > 1 && !r.o.quiet && !r.o.json) {
    fprintf(stderr,
            "%s: %lu messages checked: %lu ok, %lu warning, %lu critical, "
            "%lu unknown\n",
            progname, r.n_ok + r.n_warn + r.n_crit + r.n_unknown, r.n_ok,
            r.n_warn, r.n_crit, r.n_unknown);
  }
  if (r.o.batch && !r.o.quiet && !r.o.json)
    fprintf(stderr,
            "%s: %lu checked: %lu ok, %lu warning, %lu critical, %lu "
            "unknown\n",
            progname, r.n_ok + r.n_warn + r.n_crit + r.n_unknown, r.n_ok,
            r.n_warn, r.n_crit, r.n_unknown);
  if (fflush(stdout) != 0 || ferror(stdout))
    return EX_UNKNOWN;
  return r.worst;
}
