/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mxcheck -- will the big mailbox providers accept mail from this server?
 *
 * This front end uses only the public API of libmxcheck.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mxcheck.h>

#include "batchline.h"
#include "cliconf.h"
#include "msgsplit.h"
#include "diff.h"

/* Monitoring-plugin exit codes (Nagios / Icinga / Monitoring Plugins). */
enum { EX_OK_ = 0, EX_WARNING = 1, EX_CRITICAL = 2, EX_UNKNOWN = 3 };

#define DEFAULT_PARALLEL 256
#define MAX_PARALLEL 100000
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
/* --nagios: the report lines kept for the long output (not OK only). */
#define NAGIOS_MAX_LINES 100
/* Progress on stderr: at most one update per PROGRESS_MS. */
#define PROGRESS_MS 250
#define OPT_SELECTOR 1001 /* --selector: long option only */
#define OPT_CONFIG 1002   /* --config FILE */
#define OPT_NO_CONFIG 1003
#define OPT_LIST_PROFILES 1004
#define OPT_DNSSEC_HORIZON 1005 /* --dnssec-horizon: long option only */
/* The index of a report printed as soon as it is in (not in argument
 * order). */
#define NOW ((size_t)-1)

struct opts {
  int json;              /* --json, --format json */
  int nagios;            /* --nagios, --format nagios */
  int color;
  int quiet;
  int verbose;           /* -v: the text report in full (records, traces) */
  int parallel;
  const char *batch;
  int spf;               /* --mail-from or --helo given: iprev and spf */
  const char *mail_from; /* NULL: the null sender (HELO identity) */
  const char *helo;
  const char *domain;    /* --domain: audit the sending domain */
  const char *selectors[MXC_DOMAIN_MAX_SELECTORS]; /* --selector */
  size_t nselectors;
  const char **messages; /* --message FILE..., and FILE arguments */
  size_t nmessages;
  const char **addrs;    /* ADDRESS arguments (and --ip) */
  size_t naddrs;
  int jobs;              /* --jobs; 0: automatic */
  /* the compliance report (--profile, --ip, --authres, or --message with
   * an ADDRESS) */
  int compliance;
  const char *profile;   /* NULL: gmail */
  const char *ip;        /* the one ADDRESS of the report */
  int authres;           /* print the Authentication-Results field only */
  const char *authserv_id;
  /* a received message: the envelope from its trace fields */
  int null_sender;       /* --mail-from "<>" (not: taken from the trace) */
  int no_trace;          /* --no-trace: messages without ADDRESS get
                          * their DKIM (and ARC) report only */
  int auto_report;       /* messages without ADDRESS: the report of those
                          * whose trace fields give the client */
  int progress;          /* progress lines on stderr */
  double deadline_s;     /* --deadline; 0: none */
};

/* A report line of --nagios's long output. */
struct nagline {
  size_t idx;
  char *text;
};

struct run {
  struct opts o;
  mxc_ctx_t *ctx;
  unsigned long blocks_out; /* text reports written (blank line between) */
  FILE *in;
  unsigned long lineno;
  int eof;
  int worst; /* worst exit code so far, by severity */
  unsigned long n_ok, n_warn, n_crit, n_unknown, n_skipped;
  long long last_flush; /* ms, CLOCK_MONOTONIC */
  size_t next_msg;      /* next --message to start */
  size_t next_addr;     /* next ADDRESS argument to start */
  int job, njobs;       /* this worker's number, and how many (1: none) */
  int framed;           /* a worker: results go to the parent as frames */
  const mxc_result_t *arc; /* the ARC result of the message whose DKIM
                            * callback runs (NULL: none, or no ARC fields) */
  /* reports in argument order: slot i holds report i until those before
   * it are out */
  char **slot;
  size_t nslots, next_out;
  /* --nagios */
  char *nag_first;        /* the first report's line */
  struct nagline *nag;    /* reports not OK, up to NAGIOS_MAX_LINES */
  size_t nnag;
  unsigned long nag_more; /* not OK reports beyond those */
  int perf_spf, spf_lookups, spf_voids, perf_dkim;
  unsigned key_bits;      /* the smallest DKIM key seen */
  unsigned long long dns_queries;
  /* --deadline */
  long long t0;           /* ms, CLOCK_MONOTONIC, at the start */
  int deadline_hit;
  unsigned long cancelled;
  /* progress */
  unsigned long ndone;    /* reports in (progress only) */
  unsigned long total;    /* reports expected (0: unknown) */
  long long last_progress;
  int progress_shown;
  long long in_size;      /* --batch: the file's size (0: unknown) */
};

static const char *progname = "mxcheck";
/* An empty report: its place in the order is taken, nothing printed. */
static char empty_report[1];

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

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A string of the library (taken) as one of ours (malloc). */
static char *own(char *s)
{
  char *c;
  if (s == NULL || (c = strdup(s)) == NULL)
    die(EX_UNKNOWN, "out of memory");
  mxc_free(s);
  return c;
}

static char *xasprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
  va_list ap;
  char *s;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
    die(EX_UNKNOWN, "out of memory");
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

/* s as a JSON string (quoted); octets outside printable ASCII as \u00XX. */
static char *json_str(const char *s)
{
  size_t n = strlen(s), k = 0;
  char *o = malloc(n * 6 + 3);
  if (o == NULL)
    die(EX_UNKNOWN, "out of memory");
  o[k++] = '"';
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      o[k++] = '\\';
      o[k++] = (char)c;
    } else if (c < 0x20 || c >= 0x7f) {
      k += (size_t)sprintf(o + k, "\\u%04x", c);
    } else {
      o[k++] = (char)c;
    }
  }
  o[k++] = '"';
  o[k] = '\0';
  return o;
}

static void usage(FILE *f)
{
  fprintf(
      f,
      "Usage: %s [OPTIONS] ADDRESS|HOST...\n"
      "       %s [OPTIONS] --batch FILE|-\n"
      "       %s [OPTIONS] --message FILE [FILE...] [ADDRESS]\n"
      "       %s [OPTIONS] --domain DOMAIN [--selector S]...\n"
      "\n"
      "Check what receivers such as Gmail check of a sending server: "
      "forward-confirmed\n"
      "reverse DNS (RFC 8601 iprev) of each ADDRESS, SPF (RFC 7208) with "
      "--mail-from or\n"
      "--helo, DKIM (RFC 6376) of messages, DMARC (RFC 9989) of a domain, "
      "and the\n"
      "sender requirements of Gmail, Yahoo and Microsoft (rules R1-R20).\n"
      "A HOST (a name such as mail.example.org) is resolved (A and AAAA) "
      "and iprev\n"
      "checked for each of its addresses, with HOST as the expected PTR "
      "name.\n"
      "\n"
      "The full check of a message: %s --message FILE -f SENDER -H HELO "
      "ADDRESS\n"
      "  (ADDRESS: the client that sends it) gives the compliance report: "
      "the rules\n"
      "  R1-R20 over iprev, SPF, DKIM, DMARC and the header.  --ip ADDRESS "
      "is an alias\n"
      "  of that ADDRESS.\n"
      "\n"
      "What to check:\n"
      "  -f, --mail-from ADDR      the MAIL FROM (user@domain; \"<>\": the "
      "null sender,\n"
      "                            which needs --helo): SPF of it for each "
      "ADDRESS\n"
      "  -H, --helo NAME           the HELO/EHLO name (alone: SPF of "
      "postmaster@NAME)\n"
      "  -m, --message FILE...     messages (.eml or one-message mbox; "
      "'-': stdin): DKIM\n"
      "                            of each; with an ADDRESS the compliance "
      "report of\n"
      "                            each.  Repeatable; after it, arguments "
      "that are IP\n"
      "                            addresses are the ADDRESS, all others "
      "are files\n"
      "                            (write ./192.0.2.1 for a file of that "
      "name)\n"
      "                            Without ADDRESS, a received copy (its "
      "Received and\n"
      "                            Return-Path fields name the client, "
      "HELO, MAIL FROM;\n"
      "                            --ip, --helo, --mail-from override) gets "
      "the report\n"
      "      --no-trace            messages without ADDRESS: DKIM (and "
      "ARC) only, even\n"
      "                            of a received copy\n"
      "  -D, --domain DOMAIN       audit this sending domain: MX and iprev "
      "of the MX\n"
      "                            hosts, SPF record, DMARC and rua=, DKIM "
      "keys\n"
      "      --selector S          with --domain: the DKIM key at "
      "S._domainkey.DOMAIN\n"
      "                            (repeatable)\n"
      "      --profile P           the rules of gmail (default), "
      "gmail-bulk, yahoo-bulk\n"
      "                            or microsoft-bulk (implies the "
      "compliance report)\n"
      "      --ip ADDRESS          the same as ADDRESS, with the compliance "
      "report\n"
      "      --authres             print an RFC 8601 Authentication-Results "
      "field instead\n"
      "      --authserv-id ID      its authserv-id (default mxcheck; needs "
      "--authres)\n"
      "      --dnsbl ZONE          rule R19: also look the address up on "
      "this DNS\n"
      "                            blocklist (repeatable; implies "
      "--profile; ask through\n"
      "                            your own resolver: public lists "
      "refuse public ones)\n"
      "      --diff                with --zone: run the checks against the "
      "published DNS\n"
      "                            and against the drafts, print what "
      "changes\n"
      "      --zone FILE           answer the names of this zone file (a "
      "draft, not yet\n"
      "                            published) from it instead of DNS "
      "(repeatable;\n"
      "                            its origin is the owner of its SOA "
      "record)\n"
      "      --dnssec-horizon DAYS with --zone: warn of signatures that "
      "expire within\n"
      "                            DAYS (default 7)\n"
      "  -b, --batch FILE          lines \"ADDRESS [MAIL-FROM [HELO]]\" from "
      "FILE ('-':\n"
      "                            stdin; <> is the null sender); checked "
      "concurrently,\n"
      "                            results in completion order\n"
      "\n"
      "Output:\n"
      "  -j, --json                JSON Lines: one object per report (with "
      "--batch,\n"
      "                            \"line\": the input line; skipped lines "
      "too)\n"
      "      --nagios              a monitoring-plugin line: MXCHECK STATE - "
      "summary |\n"
      "                            perfdata (time, dns_queries, "
      "spf_lookups,\n"
      "                            spf_void_lookups, dkim_key_bits)\n"
      "      --format F            text (default), json (--json) or nagios "
      "(--nagios)\n"
      "      --color WHEN          auto (default), always or never; NO_COLOR "
      "is honoured\n"
      "      --progress WHEN       progress of a batch or of many messages "
      "on stderr\n"
      "                            (count, rate, ETA): auto (default: when "
      "stderr is a\n"
      "                            terminal), always or never\n"
      "  -q, --quiet               print nothing; only the exit status\n"
      "  -v, --verbose             the text report in full: records, SPF "
      "and DMARC\n"
      "                            traces, DKIM signed fields and "
      "per-signature warnings\n"
      "\n"
      "DNS and limits:\n"
      "  -s, --server HOST[:PORT]  ask this name server (repeatable; IPv6 "
      "as [::1]:53);\n"
      "                            default: the system resolver "
      "(/etc/resolv.conf)\n"
      "  -t, --timeout SECONDS     give up on a DNS query after about this "
      "long, per\n"
      "                            name server (default 7.5)\n"
      "      --tries N             tries per query (default 4)\n"
      "      --deadline SECONDS    stop the whole run after this long: "
      "what is pending\n"
      "                            is cancelled and reported UNKNOWN\n"
      "  -p, --parallel N          checks in flight in batch mode (default "
      "%d;\n"
      "                            messages: 16 per process)\n"
      "      --jobs N              worker processes for many messages "
      "(default: one per\n"
      "                            CPU from 32 messages on)\n"
      "      --max-queries N       DNS queries in flight (default 128)\n"
      "      --cache-size N        answers kept in the cache (default "
      "10000; 1000 with\n"
      "                            --batch)\n"
      "      --no-edns             plain DNS queries (no EDNS0/DO bit)\n"
      "      --dmarc-discovery M   treewalk (RFC 9989, default), psl (RFC "
      "7489 with the\n"
      "                            Public Suffix List) or both\n"
      "      --no-libspf2          do not compute libspf2's view of SPF\n"
      "\n"
      "Configuration (mxcheck.conf(5): server, timeout, tries, profile, "
      "authserv-id,\n"
      "dnsbl, color; the command line overrides it):\n"
      "      --config FILE         read only this file (instead of "
      "%s\n"
      "                            and ~/.config/mxcheck/mxcheck.conf)\n"
      "      --no-config           read no configuration file\n"
      "      --list-profiles       the names --profile takes, one a line\n"
      "  -h, --help                this help\n"
      "  -V, --version             version\n"
      "\n"
      "ADDRESS: IPv4 (192.0.2.25), IPv6 (2001:db8::25), IPv4-mapped "
      "(::ffff:192.0.2.25),\n"
      "  with or without Sendmail's \"IPv6:\" prefix or [brackets].  "
      "Reports come in the\n"
      "  order of the arguments.\n"
      "\n"
      "Compliance report: each rule is pass, warn, fail or unknown; an "
      "unknown rule\n"
      "  says why: not-applicable, not-observable-here, not-implemented or "
      "indeterminate\n"
      "  (a DNS temperror or timeout, an input not given).  Its source tags "
      "name the\n"
      "  provider pages it comes from (the year of the copy read): G-GL26, "
      "G-GL24b Gmail\n"
      "  sender guidelines, G-FAQ26 their FAQ, G-ERR26 Gmail SMTP errors, "
      "Y-BP25 Yahoo\n"
      "  best practices, Y-ERR26 Yahoo SMTP errors, MS-25 Microsoft's "
      "high-volume\n"
      "  sender requirements.\n"
      "\n"
      "Exit status (monitoring-plugin convention): 0 OK (pass), 1 WARNING "
      "(warnings;\n"
      "  SPF neutral or none, DKIM unsigned, no DMARC record), 2 CRITICAL "
      "(fail,\n"
      "  permerror; a required rule fails), 3 UNKNOWN (temperror, a "
      "required rule\n"
      "  indeterminate, the deadline reached, a usage or input error).  "
      "Over several\n"
      "  reports: the worst, CRITICAL > UNKNOWN > WARNING > OK.\n"
      "See mxcheck(1).\n",
      progname, progname, progname, progname, progname, DEFAULT_PARALLEL,
      MXCHECK_CONFIG_FILE);
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

static void worsen(struct run *r, int code)
{
  if (severity(code) > severity(r->worst))
    r->worst = code;
}

static const char *state_word(int code)
{
  switch (code) {
  case EX_OK_:
    return "OK";
  case EX_WARNING:
    return "WARNING";
  case EX_CRITICAL:
    return "CRITICAL";
  default:
    return "UNKNOWN";
  }
}

/* ---- progress on stderr (--progress) ---------------------------------- */

static void progress(struct run *r, int last)
{
  long long now = now_ms(), el;
  double rate;
  unsigned long total = r->total;
  char eta[96] = "";

  if (!r->o.progress)
    return;
  if (last) {
    if (r->progress_shown)
      fprintf(stderr, "\r%*s\r", 72, "");
    return;
  }
  if (now - r->last_progress < PROGRESS_MS)
    return;
  r->last_progress = now;
  el = now - r->t0;
  rate = el > 0 ? (double)r->ndone * 1000.0 / (double)el : 0;
  if (total == 0 && r->in && r->in_size > 0) {
    /* a batch file: its lines estimated from the share read */
    long pos = ftell(r->in);
    if (pos > 0 && r->lineno > 0)
      total = (unsigned long)((double)r->lineno * (double)r->in_size /
                              (double)pos);
  }
  if (total > r->ndone && rate > 0) {
    unsigned long s = (unsigned long)((double)(total - r->ndone) / rate);
    snprintf(eta, sizeof(eta), " of ~%lu, ETA %lu:%02lu", total, s / 60,
             s % 60);
  }
  fprintf(stderr, "\r%s: %lu checked%s, %.1f/s   ", progname, r->ndone, eta,
          rate);
  r->progress_shown = 1;
}

static void account(struct run *r, int code)
{
  worsen(r, code);
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
  r->ndone++;
  progress(r, 0);
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

/* Why a check has no result. */
static const char *no_result(const struct run *r, mxc_status_t st)
{
  if (r->deadline_hit &&
      (st == MXC_EDESTRUCTION || st == MXC_ECANCELLED || st == MXC_OK))
    return "cancelled: the --deadline was reached";
  return mxc_strerror(st);
}

/* ---- output ------------------------------------------------------------ */

static void start_next(struct run *r);

/* A worker (--jobs) hands each report to the parent as one frame: a type
 * octet, the text, a NUL (reports never hold one: the library makes every
 * string printable).  'R': "INDEX REPORT"; 'C': the worker's counts,
 * last. */
static void frame(char type, const char *s)
{
  putchar(type);
  fputs(s, stdout);
  putchar('\0');
}

/* Write a report out (JSON: one line). */
/* The render flags of the text report: colour, -v. */
static int render_flags(const struct run *r)
{
  return (r->o.color ? MXC_RENDER_COLOR : 0) |
         (r->o.verbose ? MXC_RENDER_VERBOSE : 0);
}

/* s, a JSON object, with "line":N first: written in two pieces, not
 * copied (the copy and its snprintf() were a tenth of a --json batch's
 * rendering) */
/* "{"line":N," at the end of head[32]; returns where it begins */
static char *json_line_head(char head[32], unsigned long line)
{
  char *p = head + 32;
  *--p = ',';
  do {
    *--p = (char)('0' + line % 10);
    line /= 10;
  } while (line > 0);
  p -= 8;
  memcpy(p, "{\"line\":", 8);
  return p;
}

static void put_json_line(unsigned long line, const char *s)
{
  char head[32], *p = json_line_head(head, line);
  fwrite(p, 1, (size_t)(head + sizeof(head) - p), stdout);
  fputs(s + 1, stdout);
  putchar('\n');
}

static void write_out(struct run *r, const char *s, unsigned long line)
{
  if (s == NULL || s == empty_report)
    return;
  if (r->o.json && line) {
    put_json_line(line, s);
  } else if (r->o.json) {
    printf("%s\n", s);
  } else {
    /* a blank line between the blocks of the text report */
    if (r->blocks_out++)
      fputs("\n", stdout);
    fputs(s, stdout);
  }
  if (r->o.batch) {
    /* Stream results as they complete, without a write() per result: a
     * reader sees them within FLUSH_MS. */
    long long now = now_ms();
    if (now - r->last_flush >= FLUSH_MS) {
      fflush(stdout);
      r->last_flush = now;
    }
  }
}

/*
 * Report idx is rendered: s (ours, taken; NULL: nothing to print).  The
 * reports of the arguments come out in their order (slot), those of a
 * batch as they complete (idx NOW).  With --json and a batch line number,
 * the object gets "line" first.
 */
static void put(struct run *r, size_t idx, unsigned long line, char *s)
{
  int ordered = !(idx == NOW || r->slot == NULL || idx >= r->nslots);
  if (s && r->o.json && line && s[0] == '{' && !r->framed && !ordered) {
    write_out(r, s, line);
    free(s);
    return;
  }
  if (s && r->o.json && line && s[0] == '{') {
    /* kept for later (in order, or framed): "line" copied in */
    char head[32], *hp = json_line_head(head, line);
    size_t h = (size_t)(head + sizeof(head) - hp), n = strlen(s + 1);
    char *t = malloc(h + n + 1);
    if (t == NULL)
      die(EX_UNKNOWN, "out of memory");
    memcpy(t, hp, h);
    memcpy(t + h, s + 1, n + 1);
    free(s);
    s = t;
  }
  if (r->framed) {
    char *t = xasprintf("%zu %s", idx, s ? s : "");
    frame('R', t);
    free(t);
    free(s);
    return;
  }
  if (!ordered) {
    write_out(r, s, 0);
    free(s);
    return;
  }
  r->slot[idx] = s ? s : empty_report;
  while (r->next_out < r->nslots && r->slot[r->next_out]) {
    char *t = r->slot[r->next_out];
    write_out(r, t, 0);
    if (t != empty_report)
      free(t);
    r->slot[r->next_out++] = empty_report;
  }
}

/* At the end: the reports still held (those after a report that never
 * came: the --deadline stopped it) go out in order. */
static void flush_rest(struct run *r)
{
  for (; r->next_out < r->nslots; r->next_out++)
    if (r->slot[r->next_out])
      write_out(r, r->slot[r->next_out], 0);
}

static void free_slots(struct run *r)
{
  size_t i;
  for (i = 0; i < r->nslots; i++)
    if (r->slot[i] && r->slot[i] != empty_report)
      free(r->slot[i]);
  free(r->slot);
  r->slot = NULL;
  r->nslots = 0;
}

/* ---- --nagios ---------------------------------------------------------- */

/* Keep what the perfdata shows of a result: the most SPF lookups and void
 * lookups, the smallest DKIM key. */
static void perf_note(struct run *r, const mxc_result_t *res)
{
  const char *m = res ? mxc_result_method(res) : "";
  if (strcmp(m, "compliance") == 0) {
    perf_note(r, mxc_compliance_sub(res, "spf"));
    perf_note(r, mxc_compliance_sub(res, "dkim"));
  } else if (strcmp(m, "spf") == 0) {
    int n = mxc_spf_dns_lookups(res), v = mxc_spf_void_lookups(res);
    r->perf_spf = 1;
    if (n > r->spf_lookups)
      r->spf_lookups = n;
    if (v > r->spf_voids)
      r->spf_voids = v;
  } else if (strcmp(m, "dkim") == 0) {
    size_t i, n = mxc_dkim_sig_count(res);
    for (i = 0; i < n; i++) {
      unsigned b = mxc_dkim_sig_key_bits(res, i);
      if (b > 0 && (!r->perf_dkim || b < r->key_bits))
        r->key_bits = b;
      if (b > 0)
        r->perf_dkim = 1;
    }
  }
}

/* What a result says in one line: the compliance verdict with the rules
 * that decide it, or a check's verdict and reason. */
static char *summary_of(const mxc_result_t *res)
{
  const char *m = mxc_result_method(res);
  if (strcmp(m, "compliance") == 0) {
    mxc_rule_state_t s = mxc_result_state(res), want = s;
    size_t i, n = mxc_compliance_rule_count(res);
    char *out = xasprintf("profile %s: %s", mxc_compliance_profile(res),
                          mxc_rule_state_str(s));
    int first = 1;
    if (s == MXC_RULE_PASS)
      return out;
    for (i = 0; i < n; i++) {
      mxc_rule_state_t rs = mxc_compliance_rule_state(res, i);
      if (rs != want ||
          (want == MXC_RULE_UNKNOWN &&
           mxc_compliance_rule_unknown(res, i) != MXC_UNKNOWN_INDETERMINATE) ||
          (want != MXC_RULE_WARN && !mxc_compliance_rule_required(res, i)))
        continue;
      {
        char *t = xasprintf("%s%s%s %s", out, first ? " (" : ", ",
                            mxc_compliance_rule_id(res, i),
                            mxc_compliance_rule_title(res, i));
        free(out);
        out = t;
      }
      first = 0;
    }
    if (!first) {
      char *t = xasprintf("%s)", out);
      free(out);
      out = t;
    }
    return out;
  }
  if (mxc_result_family(res) == 0 && strcmp(m, "iprev") == 0)
    return xasprintf("%s", mxc_result_reason(res));
  return xasprintf("%s %s: %s", m, mxc_verdict_str(mxc_result_verdict(res)),
                   mxc_result_reason(res));
}

/* A report for --nagios's output: the first one (the summary when it is
 * alone) and every one not OK, in report order. */
static void nag_note(struct run *r, size_t idx, int code, const char *label,
                     char *why /* taken */)
{
  char *line, *p;
  line = xasprintf("%s %s: %s", state_word(code), label ? label : "?",
                   why ? why : "");
  free(why);
  for (p = line; *p; p++)
    if (*p == '|' || *p == '\n' || *p == '\r')
      *p = *p == '|' ? '/' : ' '; /* '|' starts the perfdata */
  if (r->nag_first == NULL && (r->nag_first = strdup(line)) == NULL)
    die(EX_UNKNOWN, "out of memory");
  if (code == EX_OK_) {
    free(line);
    return;
  }
  if (r->nnag >= NAGIOS_MAX_LINES) {
    r->nag_more++;
    free(line);
    return;
  }
  if (r->nag == NULL &&
      (r->nag = calloc(NAGIOS_MAX_LINES, sizeof(*r->nag))) == NULL)
    die(EX_UNKNOWN, "out of memory");
  r->nag[r->nnag].idx = idx;
  r->nag[r->nnag++].text = line;
}

static int nag_cmp(const void *a, const void *b)
{
  const struct nagline *x = a, *y = b;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * The plugin output (Monitoring Plugins development guidelines): one
 * line "MXCHECK STATE - summary | perfdata", then one line per report
 * that is not OK.  Perfdata: 'label'=value[UOM];[warn];[crit];[min];[max].
 */
static void nagios_output(struct run *r)
{
  unsigned long n = r->n_ok + r->n_warn + r->n_crit + r->n_unknown;
  double secs = (double)(now_ms() - r->t0) / 1000.0;
  size_t i;

  printf("MXCHECK %s - ", state_word(r->worst));
  if (r->deadline_hit)
    printf("deadline of %g s reached: %lu check%s cancelled, %lu done",
           r->o.deadline_s, r->cancelled, r->cancelled == 1 ? "" : "s",
           n - r->cancelled);
  else if (n == 1 && r->n_skipped == 0 && r->nag_first)
    fputs(strchr(r->nag_first, ' ') + 1, stdout);
  else
    printf("%lu checked: %lu OK, %lu WARNING, %lu CRITICAL, %lu UNKNOWN", n,
           r->n_ok, r->n_warn, r->n_crit, r->n_unknown);
  if (r->n_skipped)
    printf("; %lu input%s skipped", r->n_skipped,
           r->n_skipped == 1 ? "" : "s");
  printf(" | time=%.3fs;;;0 dns_queries=%llu;;;0", secs, r->dns_queries);
  if (r->perf_spf)
    printf(" spf_lookups=%d;;%d;0;%d spf_void_lookups=%d;;2;0", r->spf_lookups,
           MXC_SPF_MAX_DNS_TERMS, MXC_SPF_MAX_DNS_TERMS, r->spf_voids);
  if (r->perf_dkim)
    printf(" dkim_key_bits=%u;;1024:;0", r->key_bits);
  putchar('\n');
  if (r->nnag) /* qsort(NULL, 0, ...) is undefined */
    qsort(r->nag, r->nnag, sizeof(*r->nag), nag_cmp);
  for (i = 0; i < r->nnag; i++) {
    if (n > 1 || r->deadline_hit)
      printf("%s\n", r->nag[i].text);
    free(r->nag[i].text);
  }
  if (r->nag_more && (n > 1 || r->deadline_hit))
    printf("... and %lu more not OK\n", r->nag_more);
  free(r->nag);
  free(r->nag_first);
}

/*
 * Each address gets iprev, with --mail-from/--helo also spf, on the same
 * context, concurrently.  Their results are kept until all are in, then
 * printed together: one JSON object (mxc_results_json()) or the address
 * line once with every block (mxc_results_text()).
 */
enum { P_IPREV, P_SPF, P_N };
struct pair {
  struct run *r;
  size_t idx;          /* argument order, or NOW (batch) */
  unsigned long line;  /* the batch line (0: an argument) */
  int want[P_N];       /* the checks of this address */
  mxc_status_t st[P_N];
  mxc_result_t *res[P_N];
  int borrowed[P_N];   /* res[k] is the library's, for the callback only */
  int ndone, nwant;
  char input[];        /* in the same allocation */
};

static void pair_finish(struct pair *p)
{
  static const char *const names[P_N] = {"iprev", "spf"};
  struct run *r = p->r;
  const mxc_result_t *all[P_N];
  int worst = EX_OK_, e, wk = -1;
  size_t k, n = 0;
  char *out = NULL;

  for (k = 0; k < P_N; k++) {
    if (!p->want[k])
      continue;
    e = exit_code_for(p->st[k], p->res[k]);
    if (wk < 0 || severity(e) > severity(worst)) {
      worst = e;
      wk = (int)k;
    }
  }
  if (wk < 0)
    wk = P_IPREV; /* not reached: every pair wants a check (the analyzer
                   * cannot tell; names[-1] otherwise) */
  account(r, worst);
  for (k = 0; k < P_N; k++) {
    if (!p->want[k])
      continue;
    if (p->res[k] == NULL) {
      if (!r->o.quiet && !r->o.nagios)
        fprintf(stderr, "%s: %s: %s: %s\n", progname, p->input, names[k],
                no_result(r, p->st[k]));
    } else {
      all[n++] = p->res[k];
      if (r->o.nagios)
        perf_note(r, p->res[k]);
    }
  }
  if (r->o.nagios) {
    nag_note(r, p->idx, worst, p->input,
             p->res[wk] ? summary_of(p->res[wk])
                        : xasprintf("%s: %s", names[wk],
                                    no_result(r, p->st[wk])));
  } else if (!r->o.quiet) {
    int fl = render_flags(r);
    if (n == 0 && r->o.json) {
      /* no result (cancelled): an object saying so, in its place */
      char *in = json_str(p->input), *w = json_str(no_result(r, p->st[wk]));
      out = xasprintf("{\"input\":%s,\"error\":%s}", in, w);
      free(in);
      free(w);
    } else if (n == 1)
      out = own(r->o.json ? mxc_result_json(all[0])
                          : mxc_result_text(all[0], fl));
    else if (n > 1)
      out = own(r->o.json ? mxc_results_json(all, n)
                          : mxc_results_text(all, n, fl));
    put(r, p->idx, p->line, out);
  }
  for (k = 0; k < P_N; k++)
    if (!p->borrowed[k])
      mxc_result_free(p->res[k]);
  free(p);
}

static void start_addrs(struct run *r);

static void pair_one(struct pair *p, int k, mxc_status_t st,
                     const mxc_result_t *res)
{
  p->st[k] = st;
  if (p->ndone + 1 == p->nwant) {
    /* the last result: the pair is reported before the callback returns,
     * so the library's result serves without a copy */
    p->res[k] = (mxc_result_t *)res;
    p->borrowed[k] = 1;
  } else if (res && (p->res[k] = mxc_result_dup(res)) == NULL) {
    die(EX_UNKNOWN, "out of memory");
  }
  if (++p->ndone == p->nwant) {
    struct run *r = p->r;
    pair_finish(p);
    if (r->o.batch)
      start_next(r);
    else
      start_addrs(r);
  }
}

static void done_iprev(mxc_check_t *chk, mxc_status_t st,
                       const mxc_result_t *res, void *arg)
{
  (void)chk;
  pair_one(arg, P_IPREV, st, res);
}

static void done_spf(mxc_check_t *chk, mxc_status_t st,
                     const mxc_result_t *res, void *arg)
{
  (void)chk;
  pair_one(arg, P_SPF, st, res);
}

static int is_host_name(const char *s);

static void start_one(struct run *r, const char *addr, size_t idx,
                      unsigned long line)
{
  size_t len = strlen(addr);
  struct pair *p = calloc(1, sizeof(*p) + len + 1);
  mxc_status_t st;
  int host = is_host_name(addr);
  if (p == NULL)
    die(EX_UNKNOWN, "out of memory");
  memcpy(p->input, addr, len + 1);
  p->r = r;
  p->idx = idx;
  p->line = line;
  p->want[P_IPREV] = 1;
  p->want[P_SPF] = r->o.spf && !host;
  p->nwant = p->want[P_IPREV] + p->want[P_SPF];
  /* a HOST: the library's host check (its addresses' iprev) in the place
   * of the iprev result */
  st = host ? mxc_host_start(r->ctx, addr, done_iprev, p, NULL)
                          : mxc_iprev_start(r->ctx, addr, done_iprev, p, NULL);
  if (st != MXC_OK) {
    p->st[P_IPREV] = st;
    p->ndone++;
  }
  if (p->want[P_SPF]) {
    st = mxc_spf_start(r->ctx, addr, r->o.mail_from, r->o.helo, done_spf, p,
                       NULL);
    if (st != MXC_OK) {
      p->st[P_SPF] = st;
      p->ndone++;
    }
  }
  if (p->ndone == p->nwant)
    pair_finish(p); /* none started: nothing will call back */
}

/* The ADDRESS arguments, --parallel at a time. */
static void start_addrs(struct run *r)
{
  while (!r->deadline_hit && r->next_addr < r->o.naddrs &&
         mxc_pending(r->ctx) < (size_t)r->o.parallel) {
    size_t i = r->next_addr++;
    start_one(r, r->o.addrs[i], i, 0);
  }
}

/* --domain: the sending-domain audit of the library (MX and iprev of the
 * MX hosts, SPF record, DKIM keys at the --selector names, DMARC and its
 * rua= destinations).  Its state gives the exit code: a failure (null
 * MX, an MX address without iprev, a broken SPF record, a missing DKIM
 * key, a DMARC record without a usable policy) is CRITICAL, warnings (no
 * DMARC or SPF record, p=none, a key in testing) WARNING, a temperror
 * UNKNOWN. */
static void done_domain(mxc_check_t *chk, mxc_status_t st,
                        const mxc_result_t *res, void *arg)
{
  struct run *r = arg;
  int code = exit_code_for(st, res);
  (void)chk;
  account(r, code);
  if (r->o.nagios) {
    nag_note(r, NOW, code, r->o.domain,
             res ? summary_of(res) : xasprintf("%s", no_result(r, st)));
  } else if (r->o.quiet) {
  } else if (res == NULL) {
    fprintf(stderr, "%s: %s: %s\n", progname, r->o.domain, no_result(r, st));
  } else {
    put(r, NOW, 0,
        own(r->o.json ? mxc_result_json(res)
                      : mxc_result_text(res,
                                        render_flags(r))));
  }
}

/* --domain: one audit, reported on its own (a JSON line of its own with
 * --json), beside the reports of the addresses. */
static void start_domain(struct run *r)
{
  mxc_status_t st = mxc_domain_audit_start(
      r->ctx, r->o.domain, r->o.selectors, r->o.nselectors, done_domain, r,
      NULL);
  if (st != MXC_OK) {
    account(r, EX_UNKNOWN);
    fprintf(stderr, "%s: %s: %s\n", progname, r->o.domain, mxc_strerror(st));
  }
}

/* --selector S: a DKIM selector, one or more DNS labels. */
static void add_selector(struct run *r, const char *s)
{
  size_t n = strlen(s);
  if (n == 0 || n > 63 ||
      strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "0123456789-_.") != n ||
      s[0] == '.' || s[n - 1] == '.' || strstr(s, "..") != NULL)
    die(EX_UNKNOWN, "--selector \"%s\": not a DKIM selector (DNS labels)",
        s);
  if (r->o.nselectors >= MXC_DOMAIN_MAX_SELECTORS)
    die(EX_UNKNOWN, "--selector: at most %d selectors",
        MXC_DOMAIN_MAX_SELECTORS);
  r->o.selectors[r->o.nselectors++] = s;
}

/* ---- input syntax ------------------------------------------------------ */

/* A HOST argument rather than an ADDRESS: a domain name of two labels or
 * more whose last label begins with a letter (no textual IPv4 form does: "192.0.2.1", "0x7f.1",
 * "3221225985"; an IPv6 form has a colon). */
static int is_host_name(const char *s)
{
  size_t n = strlen(s);
  const char *last;
  if (strchr(s, ':') || !strchr(s, '.') || !bl_is_domain(s))
    return 0;
  if (n && s[n - 1] == '.')
    n--;
  for (last = s + n; last > s && last[-1] != '.'; last--)
    ;
  return (*last >= 'a' && *last <= 'z') || (*last >= 'A' && *last <= 'Z');
}

/* HOST arguments: not with --mail-from/--helo (SPF needs the address),
 * not as the client of a compliance report. */
static void check_hosts(const struct run *r)
{
  size_t i;
  if (r->o.ip && is_host_name(r->o.ip))
    die(EX_UNKNOWN, "\"%s\" is a host name: the compliance report needs "
                    "the client's address", r->o.ip);
  for (i = 0; r->o.spf && i < r->o.naddrs; i++)
    if (is_host_name(r->o.addrs[i]))
      die(EX_UNKNOWN, "\"%s\" is a host name: --mail-from and --helo "
                      "need an ADDRESS (SPF is evaluated for an address)",
          r->o.addrs[i]);
}

/* 1 when s is an IP address in a form the library takes (dotted quad,
 * IPv6, "IPv6:" prefix, [brackets], a %zone): an ADDRESS argument
 * rather than a message file. */
static int is_ip_literal(const char *s)
{
  char buf[INET6_ADDRSTRLEN + 32], *pct;
  struct in6_addr a6;
  struct in_addr a4;
  size_t n;
  if (strncasecmp(s, "IPv6:", 5) == 0)
    s += 5;
  n = strlen(s);
  if (n < 2 || n >= sizeof(buf))
    return 0;
  if (s[0] == '[' && s[n - 1] == ']') {
    memcpy(buf, s + 1, n - 2);
    buf[n - 2] = '\0';
  } else {
    memcpy(buf, s, n + 1);
  }
  if ((pct = strchr(buf, '%')) != NULL)
    *pct = '\0';
  return inet_pton(AF_INET, buf, &a4) == 1 ||
         inet_pton(AF_INET6, buf, &a6) == 1;
}

/* ---- --batch ------------------------------------------------------------ */

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

/* A batch line that is not checked: said on stderr, a JSON object of its
 * own with --json; it is not counted as checked, but makes the exit
 * status at least UNKNOWN (an input error). */
static void skip_line(struct run *r, const char *input, const char *why)
{
  worsen(r, EX_UNKNOWN);
  r->n_skipped++;
  if (r->o.quiet)
    return;
  fprintf(stderr, "%s: %s:%lu: %s, skipped\n", progname, r->o.batch,
          r->lineno, why);
  if (r->o.nagios) {
    char *label = xasprintf("%s:%lu", r->o.batch, r->lineno);
    nag_note(r, NOW, EX_UNKNOWN, label, xasprintf("skipped: %s", why));
    free(label);
  } else if (r->o.json) {
    char *in = input ? json_str(input) : NULL, *w = json_str(why);
    put(r, NOW, 0,
        xasprintf("{\"line\":%lu,\"input\":%s,\"error\":%s,\"skipped\":true}",
                  r->lineno, in ? in : "null", w));
    free(in);
    free(w);
  }
}

/* Read the next usable lines of the batch and start their checks. */
static void start_next(struct run *r)
{
  char line[BL_MAX_LINE + 1];
  while (!r->eof && !r->deadline_hit &&
         mxc_pending(r->ctx) < (size_t)r->o.parallel) {
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
      skip_line(r, NULL,
                overlong ? "line longer than 1024 bytes" : "NUL byte in line");
      continue;
    }
    {
      /* "ADDRESS [MAIL-FROM [HELO]]": a line's MAIL FROM ("<>": the null
       * sender) and HELO replace --mail-from / --helo for that line only
       * (SPF is then checked even without them).  The strings are copied
       * by the start call, and no callback runs inside it. */
      struct opts saved = r->o;
      struct bl_line b;
      const char *why;
      char *input = strdup(bl_trim(line));
      int k;
      if (input == NULL)
        die(EX_UNKNOWN, "out of memory");
      k = bl_parse(line, &b, &why);
      if (k == 1) {
        free(input);
        continue;
      }
      if (b.nfields >= 2) {
        r->o.spf = 1;
        r->o.mail_from = b.mail_from;
        if (b.helo)
          r->o.helo = b.helo;
      }
      if (k == 0 && b.nfields >= 2 && r->o.mail_from == NULL &&
          r->o.helo == NULL)
        why = "the null sender needs a HELO name";
      if (why)
        skip_line(r, input, why);
      else
        start_one(r, b.addr, NOW, r->lineno);
      free(input);
      r->o = saved;
    }
  }
}

/* ---- --message: DKIM of messages, the compliance report ----------------- */

/* A report to come: a message (DKIM, or the compliance report of it), or
 * the compliance report without a message. */
struct job {
  struct run *r;
  size_t idx;        /* argument order */
  const char *name;  /* the file; NULL: no message */
  mxc_msg_t *hdr;    /* compliance: the header fields of the message */
};

/* One message being read into its check. */
struct msg {
  mxc_check_t *chk;
  mxc_check_t *arc;    /* ARC (RFC 8617) of the same stream */
  mxc_status_t err;    /* the library said stop (a limit, out of memory) */
  mxc_msg_t *hdr;      /* compliance: also gather the header fields */
  unsigned long nfields;
  const char *notmsg;  /* why the input is not a message */
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
  if (m->nfields == 0 && len > 0 && (f[0] == ' ' || f[0] == '\t')) {
    /* white space first: the fold of no field (random bytes start so
     * one time in 128) */
    m->notmsg = "its first line is not a header field (no header)";
    return 1;
  }
  m->nfields++;
  if (m->hdr && mxc_msg_field(m->hdr, f, len) == MXC_ENOMEM)
    die(EX_UNKNOWN, "out of memory");
  (void)mxc_arc_header(m->arc, f, len); /* a limit: its result says so */
  return ms_stop(m, mxc_dkim_header(m->chk, f, len));
}
static int ms_eoh(void *arg)
{
  struct msg *m = arg;
  if (m->nfields == 0) {
    /* an empty file, a binary, random bytes, a text without a header:
     * its first line is not a header field (RFC 5322 section 2.2) */
    m->notmsg = "its first line is not a header field (no header)";
    return 1;
  }
  (void)mxc_arc_eoh(m->arc);
  return ms_stop(m, mxc_dkim_eoh(m->chk));
}
static int ms_body(void *arg, const char *p, size_t len)
{
  struct msg *m = arg;
  (void)mxc_arc_body(m->arc, p, len);
  return ms_stop(m, mxc_dkim_body(m->chk, p, len));
}

/* The DKIM and ARC checks of one message: the caller's callback gets the
 * DKIM result once both are in, with r->arc the ARC result meanwhile
 * (NULL when the message has no ARC header field). */
struct msgjob {
  struct run *r;
  mxc_done_cb cb;
  void *arg;
  mxc_status_t st;
  mxc_result_t *dkim, *arc;
  int n;
};

static void msgjob_one(struct msgjob *j)
{
  if (++j->n < 2)
    return;
  j->r->arc = j->arc && mxc_result_verdict(j->arc) != MXC_VERDICT_NONE
                  ? j->arc
                  : NULL;
  j->cb(NULL, j->st, j->dkim, j->arg);
  j->r->arc = NULL;
  mxc_result_free(j->dkim);
  mxc_result_free(j->arc);
  free(j);
}
static void done_msg_dkim(mxc_check_t *chk, mxc_status_t st,
                          const mxc_result_t *res, void *arg)
{
  struct msgjob *j = arg;
  (void)chk;
  j->st = st;
  if (res && (j->dkim = mxc_result_dup(res)) == NULL)
    die(EX_UNKNOWN, "out of memory");
  msgjob_one(j);
}
static void done_msg_arc(mxc_check_t *chk, mxc_status_t st,
                         const mxc_result_t *res, void *arg)
{
  struct msgjob *j = arg;
  (void)chk;
  if (st == MXC_OK && res && (j->arc = mxc_result_dup(res)) == NULL)
    die(EX_UNKNOWN, "out of memory");
  msgjob_one(j);
}

/*
 * Read a message (a file, '-': stdin; .eml or a one-message mbox, LF or
 * CRLF) in READ_CHUNK reads into a DKIM check, then finish it: cb gets
 * the result.  The body streams through; a header over the library's
 * limits stops the reading (the result says which limit).  An input that
 * is not a message (empty, or its first line not a header field: a
 * binary, random bytes, plain text) is refused.  Returns -1 when no check was started (the
 * reason is on stderr, one line).
 */
static int start_message(struct run *r, const char *name, mxc_msg_t *hdr,
                         mxc_done_cb cb, void *arg)
{
  static char buf[READ_CHUNK];
  struct msgsplit sp;
  struct msg m;
  const char *label = strcmp(name, "-") == 0 ? "stdin" : name;
  int fd, rc = 0;
  unsigned long long total = 0;
  mxc_status_t st;
  struct stat sb;

  fd = strcmp(name, "-") == 0 ? STDIN_FILENO : open(name, O_RDONLY);
  if (fd < 0) {
    fprintf(stderr, "%s: %s: %s\n", progname, name, strerror(errno));
    return -1;
  }
  if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    fprintf(stderr, "%s: %s: a directory, not a message\n", progname, name);
    close(fd);
    return -1;
  }
  memset(&m, 0, sizeof(m));
  m.hdr = hdr;
  st = mxc_dkim_new(r->ctx, &m.chk);
  if (st == MXC_OK)
    st = mxc_dkim_set_input(m.chk, label);
  if (st == MXC_OK && (st = mxc_arc_new(r->ctx, &m.arc)) == MXC_OK)
    st = mxc_arc_set_input(m.arc, label);
  if (st != MXC_OK) {
    fprintf(stderr, "%s: %s: %s\n", progname, label, mxc_strerror(st));
    if (m.arc)
      mxc_check_cancel(m.arc);
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
      if (total == 0) {
        m.notmsg = "empty";
        break;
      }
      if (msgsplit_end(&sp) < 0)
        die(EX_UNKNOWN, "out of memory");
      break;
    }
    total += (unsigned long long)n;
    rc = msgsplit_feed(&sp, buf, (size_t)n);
    if (rc < 0)
      die(EX_UNKNOWN, "out of memory");
    if (rc > 0) {
      rc = 0; /* stopped: the result will say why */
      break;
    }
  }
  if (m.notmsg) {
    fprintf(stderr, "%s: %s: not a message: %s\n", progname, label,
            m.notmsg);
    rc = -1;
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
    mxc_check_cancel(m.arc);
    mxc_check_cancel(m.chk); /* no callback: none attached yet */
    return -1;
  }
  {
    struct msgjob *j = calloc(1, sizeof(*j));
    if (j == NULL)
      die(EX_UNKNOWN, "out of memory");
    j->r = r;
    j->cb = cb;
    j->arg = arg;
    st = mxc_dkim_finish(m.chk, done_msg_dkim, j);
    if (st == MXC_OK)
      st = mxc_arc_finish(m.arc, done_msg_arc, j);
  }
  if (st != MXC_OK)
    die(EX_UNKNOWN, "%s: %s", label, mxc_strerror(st)); /* cannot happen */
  return 0;
}

static void start_messages(struct run *r);

/* A report without a result (not started, cancelled): counted UNKNOWN,
 * its place in the order given up. */
static void job_failed(struct job *j, mxc_status_t st, int said)
{
  struct run *r = j->r;
  const char *label = j->name ? j->name : r->o.ip;
  if (said) {
    /* not read (missing, not a message): an input error, not a report */
    worsen(r, EX_UNKNOWN);
    r->n_skipped++;
    r->ndone++;
  } else {
    account(r, EX_UNKNOWN);
  }
  if (r->o.nagios)
    nag_note(r, j->idx, EX_UNKNOWN, label,
             xasprintf("%s", said ? "not checked (see stderr)"
                                  : no_result(r, st)));
  else
    put(r, j->idx, 0, NULL);
  if (!said && !r->o.quiet)
    fprintf(stderr, "%s: %s: %s\n", progname, label, no_result(r, st));
  mxc_msg_free(j->hdr);
  free(j);
}

static void done_message(mxc_check_t *chk, mxc_status_t st,
                         const mxc_result_t *res, void *arg)
{
  struct job *j = arg;
  struct run *r = j->r;
  int code = exit_code_for(st, res);
  (void)chk;
  if (res == NULL) {
    job_failed(j, st, 0);
  } else {
    /* A message with ARC sets: DKIM and ARC, one report, the worse code. */
    const mxc_result_t *both[2];
    both[0] = res;
    both[1] = r->arc;
    if (r->arc) {
      int ea = exit_code_for(MXC_OK, r->arc);
      if (severity(ea) > severity(code))
        code = ea;
    }
    account(r, code);
    if (r->o.nagios) {
      perf_note(r, res);
      nag_note(r, j->idx, code, mxc_result_input(res), summary_of(res));
    } else if (!r->o.quiet) {
      int c = render_flags(r);
      put(r, j->idx, 0,
          own(r->arc ? (r->o.json ? mxc_results_json(both, 2)
                                  : mxc_results_text(both, 2, c))
                     : (r->o.json ? mxc_result_json(res)
                                  : mxc_result_text(res, c))));
    }
    free(j);
  }
  start_messages(r);
}

static void done_compliance(mxc_check_t *chk, mxc_status_t st,
                            const mxc_result_t *res, void *arg)
{
  struct job *j = arg;
  struct run *r = j->r;
  mxc_rule_state_t w;
  int code;
  char *label;
  (void)chk;
  if (res == NULL || st != MXC_OK) {
    if (res && !r->o.quiet && !r->o.nagios) {
      account(r, EX_UNKNOWN);
      put(r, j->idx, 0,
          own(r->o.json ? mxc_result_json(res)
                        : mxc_result_text(
                              res, render_flags(r))));
      free(j);
    } else {
      job_failed(j, st, 0);
    }
    start_messages(r);
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
  code = w == MXC_RULE_FAIL      ? EX_CRITICAL
         : w == MXC_RULE_UNKNOWN ? EX_UNKNOWN
         : w == MXC_RULE_WARN    ? EX_WARNING
                                 : EX_OK_;
  account(r, code);
  if (r->o.nagios) {
    perf_note(r, res);
    label = j->name ? xasprintf("%s from %s", j->name, r->o.ip)
                    : xasprintf("%s", r->o.ip);
    nag_note(r, j->idx, code, label, summary_of(res));
    free(label);
  } else if (r->o.quiet) {
  } else if (r->o.authres) {
    char *s = own(mxc_result_authres(res, r->o.authserv_id));
    char *t = xasprintf("%s\n", s);
    free(s);
    put(r, j->idx, 0, t);
  } else {
    put(r, j->idx, 0,
        own(r->o.json ? mxc_result_json(res)
                      : mxc_result_text(res,
                                        render_flags(r))));
  }
  free(j);
  start_messages(r);
}

static void start_compliance(struct job *j, const mxc_result_t *dkim)
{
  struct run *r = j->r;
  mxc_status_t st = mxc_compliance_start(
      r->ctx, r->o.ip, r->o.null_sender ? "<>" : r->o.mail_from, r->o.helo,
      j->hdr, dkim, r->o.profile, done_compliance, j, NULL);
  mxc_msg_free(j->hdr);
  j->hdr = NULL;
  if (st != MXC_OK)
    job_failed(j, st, 0);
}

static void done_compliance_dkim(mxc_check_t *chk, mxc_status_t st,
                                 const mxc_result_t *res, void *arg)
{
  struct job *j = arg;
  (void)chk;
  if (st == MXC_EDESTRUCTION || st == MXC_ECANCELLED) {
    job_failed(j, st, 0);
    return;
  }
  if (j->r->arc && j->hdr && mxc_msg_set_arc(j->hdr, j->r->arc) != MXC_OK)
    die(EX_UNKNOWN, "out of memory");
  start_compliance(j, st == MXC_OK ? res : NULL);
}

/* A message given without ADDRESS: its DKIM result is in and its header
 * read.  A received copy whose trace fields give the client (or one given
 * --mail-from/--helo) gets the compliance report; any other message its
 * DKIM report. */
static void done_received(mxc_check_t *chk, mxc_status_t st,
                          const mxc_result_t *res, void *arg)
{
  struct job *j = arg;
  struct run *r = j->r;
  if (st == MXC_OK && res && j->hdr &&
      (mxc_msg_trace(j->hdr, MXC_TRACE_IP) != NULL || r->o.spf)) {
    done_compliance_dkim(chk, st, res, arg);
    return;
  }
  mxc_msg_free(j->hdr);
  j->hdr = NULL;
  done_message(chk, st, res, arg);
}

/* Start the next messages (this worker's share) while fewer than
 * --parallel checks are in flight: DKIM of each, or with an ADDRESS the
 * compliance report of each. */
static void start_messages(struct run *r)
{
  while (!r->deadline_hit && r->next_msg < r->o.nmessages &&
         mxc_pending(r->ctx) < (size_t)r->o.parallel) {
    size_t i = r->next_msg++;
    struct job *j;
    if (r->njobs > 1 && (int)(i % (size_t)r->njobs) != r->job)
      continue;
    if ((j = calloc(1, sizeof(*j))) == NULL)
      die(EX_UNKNOWN, "out of memory");
    j->r = r;
    j->idx = i;
    j->name = r->o.messages[i];
    if ((r->o.compliance || r->o.auto_report) &&
        mxc_msg_new(&j->hdr) != MXC_OK)
      die(EX_UNKNOWN, "out of memory");
    /* a copy as received: what is not given comes from its trace */
    if (j->hdr)
      mxc_msg_set_use_trace(j->hdr, 1);
    if (start_message(r, j->name, j->hdr,
                      r->o.compliance    ? done_compliance_dkim
                      : r->o.auto_report ? done_received
                                         : done_message,
                      j) < 0)
      job_failed(j, MXC_EINVAL, 1); /* said why on stderr */
  }
}

/*
 * --jobs N: N worker processes share the messages (worker w takes message
 * i when i % N == w), each with a context of its own, so that the CPU work
 * of verification (RSA, hashing) runs on N cores; notes/libopendkim.md
 * shows that threads would not help RSA, OpenSSL 3.0's key decoder
 * serialising them.  The parent writes the reports out whole, in the
 * order of the arguments (frames, see frame()), and exits with the worst
 * of the workers' codes.  Returns -1 in a worker (which goes on as the
 * program), else the exit code for the parent.
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
  unsigned long cnt[5] = {0, 0, 0, 0, 0};

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
      r->o.progress = 0; /* the parent shows it */
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
      /* Every whole frame: a report into its place, or the counts. */
      while ((z = memchr(w[i].buf + off, '\0', w[i].len - off)) != NULL) {
        char *f = w[i].buf + off, *sp;
        if (f[0] == 'R') {
          size_t idx = (size_t)strtoull(f + 1, &sp, 10);
          char *text = NULL;
          if (*sp == ' ')
            sp++;
          if (*sp && !r->o.quiet && (text = strdup(sp)) == NULL)
            die(EX_UNKNOWN, "out of memory");
          put(r, idx, 0, text);
          r->ndone++;
          progress(r, 0);
        } else if (f[0] == 'C') {
          unsigned long a, b, c, d, e = 0;
          if (sscanf(f + 1, "%lu %lu %lu %lu %lu", &a, &b, &c, &d, &e) >= 4) {
            cnt[0] += a;
            cnt[1] += b;
            cnt[2] += c;
            cnt[3] += d;
            cnt[4] += e;
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
  progress(r, 1);
  flush_rest(r);
  free_slots(r);
  if (!r->o.quiet && !r->o.json)
    fprintf(stderr,
            "%s: %lu messages checked by %d workers: %lu ok, %lu warning, "
            "%lu critical, %lu unknown%s\n",
            progname, cnt[0] + cnt[1] + cnt[2] + cnt[3], n, cnt[0], cnt[1],
            cnt[2], cnt[3], cnt[4] ? "; some files not read (see above)" : "");
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

static double parse_seconds(const char *opt, const char *s, double hi)
{
  char *e;
  double v;
  errno = 0;
  v = strtod(s, &e);
  if (*s == '\0' || *e != '\0' || errno || !(v >= 0.01) || v > hi)
    die(EX_UNKNOWN, "%s: expected seconds from 0.01 to %g, got \"%s\"", opt,
        hi, s);
  return v;
}

static const char *const format_names[] = {"text", "json", "nagios"};

/* --json, --nagios, --format: one output format; two different ones are
 * refused. */
static void set_format(int *format, int f, const char *opt)
{
  static const char *first_opt;
  if (*format >= 0 && *format != f)
    die(EX_UNKNOWN, "%s: the output is already %s (%s): give one format",
        opt, format_names[*format], first_opt);
  *format = f;
  first_opt = opt;
}

static void add_arg(const char ***v, size_t *n, const char *s)
{
  const char **nv = realloc(*v, (*n + 1) * sizeof(**v));
  if (nv == NULL)
    die(EX_UNKNOWN, "out of memory");
  *v = nv;
  nv[(*n)++] = s;
}

/* --zone: load each zone file into the context (the first error ends the
 * run, with its file and line). */
static void load_zones(mxc_ctx_t *ctx, const char *const *zones, size_t n)
{
  size_t i;
  for (i = 0; i < n; i++)
    if (mxc_ctx_add_zone_file(ctx, zones[i], NULL) != MXC_OK)
      die(EX_UNKNOWN, "--zone: %s", mxc_ctx_error(ctx));
}

/* The DNSSEC check of each zone file: the signed ones get a report of
 * their own; of the others the zones line says "not signed". */
static struct dnssec_arg {
  struct run *r;
  int is_signed; /* -1: no result */
} dnssec_args[MXC_ZONE_MAX_ZONES];

static void done_dnssec(mxc_check_t *chk, mxc_status_t st,
                        const mxc_result_t *res, void *arg)
{
  struct dnssec_arg *a = arg;
  struct run *r = a->r;
  int code = exit_code_for(st, res);
  (void)chk;
  a->is_signed = res ? mxc_dnssec_signed(res) : -1;
  if (a->is_signed == 0)
    return;
  account(r, code);
  if (r->o.nagios)
    nag_note(r, NOW, code, res ? mxc_result_input(res) : "DNSSEC",
             res ? summary_of(res) : xasprintf("%s", no_result(r, st)));
  else if (r->o.quiet)
    ;
  else if (res == NULL)
    fprintf(stderr, "%s: DNSSEC: %s\n", progname, no_result(r, st));
  else
    put(r, NOW, 0,
        own(r->o.json ? mxc_result_json(res)
                      : mxc_result_text(res, render_flags(r))));
}

/* --zone: the DNSSEC check of every zone file, once the other checks are
 * done (it reads what they looked up); 0 when there is none. */
static int start_dnssec(struct run *r)
{
  size_t i, n = mxc_ctx_zone_count(r->ctx);
  for (i = 0; i < n && i < MXC_ZONE_MAX_ZONES; i++) {
    mxc_status_t st;
    dnssec_args[i].r = r;
    dnssec_args[i].is_signed = -1;
    st = mxc_dnssec_start(r->ctx, i, done_dnssec, &dnssec_args[i], NULL);
    if (st != MXC_OK) {
      account(r, EX_UNKNOWN);
      fprintf(stderr, "%s: DNSSEC of %s: %s\n", progname,
              mxc_ctx_zone_origin(r->ctx, i), mxc_strerror(st));
    }
  }
  return n > 0;
}

/* The line naming the zone files that answered instead of DNS (NULL when
 * none was loaded); read before the context is freed. */
static char *zones_line(const struct run *r)
{
  size_t i, n = mxc_ctx_zone_count(r->ctx);
  char *line = NULL;
  if (n == 0 || r->o.quiet || r->o.nagios || r->framed)
    return NULL;
  for (i = 0; i < n; i++) {
    const char *origin = mxc_ctx_zone_origin(r->ctx, i);
    const char *src = mxc_ctx_zone_source(r->ctx, i);
    unsigned long k = mxc_ctx_zone_answers(r->ctx, i);
    char *t;
    if (r->o.json) {
      char *o = json_str(origin), *f = json_str(src);
      t = xasprintf("%s%s{\"origin\":%s,\"file\":%s,\"answers\":%lu%s}",
                    line ? line : "", line ? "," : "", o, f, k,
                    !dnssec_args[i].r               ? ""
                    : dnssec_args[i].is_signed == 1 ? ",\"signed\":true"
                    : dnssec_args[i].is_signed == 0 ? ",\"signed\":false"
                                                    : "");
      free(o);
      free(f);
    } else {
      t = xasprintf("%s%s%s (%s: %lu answer%s%s)", line ? line : "",
                    line ? "; " : "", origin, src, k, k == 1 ? "" : "s",
                    dnssec_args[i].r && dnssec_args[i].is_signed == 0
                        ? ", not signed"
                        : "");
    }
    free(line);
    line = t;
  }
  if (r->o.json) {
    char *t = xasprintf("{\"zones\":[%s]}\n", line);
    free(line);
    return t;
  } else {
    char *t = xasprintf("answers from zone files: %s\n", line);
    free(line);
    return t;
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
      {"deadline", required_argument, NULL, 'X'},
      {"json", no_argument, NULL, 'j'},
      {"nagios", no_argument, NULL, 'N'},
      {"format", required_argument, NULL, 'F'},
      {"progress", required_argument, NULL, 'G'},
      {"batch", required_argument, NULL, 'b'},
      {"parallel", required_argument, NULL, 'p'},
      {"max-queries", required_argument, NULL, 'M'},
      {"cache-size", required_argument, NULL, 'Z'},
      {"no-edns", no_argument, NULL, 'E'},
      {"domain", required_argument, NULL, 'D'},
      {"selector", required_argument, NULL, OPT_SELECTOR},
      {"dmarc-discovery", required_argument, NULL, 'Y'},
      {"no-libspf2", no_argument, NULL, 'L'},
      {"no-trace", no_argument, NULL, 'K'},
      {"message", required_argument, NULL, 'm'},
      {"jobs", required_argument, NULL, 'J'},
      {"color", required_argument, NULL, 'C'},
      {"colour", required_argument, NULL, 'C'},
      {"quiet", no_argument, NULL, 'q'},
      {"verbose", no_argument, NULL, 'v'},
      {"profile", required_argument, NULL, 'P'},
      {"ip", required_argument, NULL, 'I'},
      {"authres", no_argument, NULL, 'A'},
      {"authserv-id", required_argument, NULL, 'a'},
      {"dnsbl", required_argument, NULL, 'B'},
      {"zone", required_argument, NULL, 'z'},
      {"diff", no_argument, NULL, 'W'},
      {"config", required_argument, NULL, OPT_CONFIG},
      {"no-config", no_argument, NULL, OPT_NO_CONFIG},
      {"list-profiles", no_argument, NULL, OPT_LIST_PROFILES},
      {"dnssec-horizon", required_argument, NULL, OPT_DNSSEC_HORIZON},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0}};
  struct run r;
  char servers[MAX_SERVERS_ARG] = "";
  double timeout_s = 0;
  long tries = 4, maxq = 0, cache_size = -1;
  int edns = 1, libspf2 = 1, color_mode = -1, progress_mode = -1, c, i;
  int parallel_set = 0, format = -1, tries_set = 0, color_set = 0;
  const char *config_file = NULL; /* --config */
  int no_config = 0;              /* --no-config */
  struct cli_conf conf;           /* the configuration files' values */
  unsigned dmarc_method = 0;
  const char *dnsbl[MXC_DNSBL_MAX_ZONES]; /* --dnsbl */
  size_t ndnsbl = 0;
  const char **zones = NULL; /* --zone */
  size_t nzones = 0;
  char *zline = NULL;
  int diff = 0; /* --diff */
  long dnssec_days = -1; /* --dnssec-horizon */
  mxc_status_t st;
  const char *why;

  memset(&r, 0, sizeof(r));
  r.t0 = now_ms();
  r.o.parallel = DEFAULT_PARALLEL;
  if (argv[0] && strrchr(argv[0], '/'))
    progname = strrchr(argv[0], '/') + 1;
  else if (argv[0] && *argv[0])
    progname = argv[0];

  /* Usage errors are one line each, exit 3 (getopt's own messages are
   * off). */
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":s:t:jb:p:qvhVf:H:m:D:", longopts,
                          NULL)) != -1) {
    switch (c) {
    case 's':
      if (strlen(servers) + strlen(optarg) + 2 > sizeof(servers))
        die(EX_UNKNOWN, "too many --server options");
      if (servers[0])
        strcat(servers, ",");
      strcat(servers, optarg);
      break;
    case 't':
      timeout_s = parse_seconds("--timeout", optarg, 600);
      break;
    case 'T':
      tries = parse_long("--tries", optarg, 1, 10);
      tries_set = 1;
      break;
    case 'X':
      r.o.deadline_s = parse_seconds("--deadline", optarg, 86400);
      break;
    case 'f':
      if ((why = bl_bad_mail_from(optarg)) != NULL)
        die(EX_UNKNOWN, "--mail-from \"%s\": %s", optarg, why);
      r.o.spf = 1;
      r.o.mail_from = optarg;
      break;
    case 'H':
      r.o.spf = 1;
      r.o.helo = optarg;
      break;
    case 'j':
      set_format(&format, 1, "--json");
      break;
    case 'N':
      set_format(&format, 2, "--nagios");
      break;
    case 'F':
      for (i = 0; i < 3 && strcmp(optarg, format_names[i]) != 0; i++)
        ;
      if (i == 3)
        die(EX_UNKNOWN, "--format: expected text, json or nagios");
      set_format(&format, i, "--format");
      break;
    case 'G':
      if (strcmp(optarg, "auto") == 0)
        progress_mode = -1;
      else if (strcmp(optarg, "always") == 0)
        progress_mode = 1;
      else if (strcmp(optarg, "never") == 0)
        progress_mode = 0;
      else
        die(EX_UNKNOWN, "--progress: expected auto, always or never");
      break;
    case 'b':
      r.o.batch = optarg;
      break;
    case 'p':
      r.o.parallel = (int)parse_long("--parallel", optarg, 1, MAX_PARALLEL);
      parallel_set = 1;
      break;
    case 'm':
      add_arg(&r.o.messages, &r.o.nmessages, optarg);
      break;
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
      if (!bl_is_domain(optarg))
        die(EX_UNKNOWN, "--domain \"%s\": not a domain name", optarg);
      r.o.domain = optarg;
      break;
    case OPT_SELECTOR:
      add_selector(&r, optarg);
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
    case 'B':
      if (ndnsbl == MXC_DNSBL_MAX_ZONES)
        die(EX_UNKNOWN, "--dnsbl: at most %d lists", MXC_DNSBL_MAX_ZONES);
      dnsbl[ndnsbl++] = optarg;
      r.o.compliance = 1;
      break;
    case 'z':
      add_arg(&zones, &nzones, optarg);
      break;
    case 'W':
      diff = 1;
      break;
    case OPT_DNSSEC_HORIZON:
      dnssec_days = parse_long("--dnssec-horizon", optarg, 0, 366);
      break;
    case 'L':
      libspf2 = 0;
      break;
    case 'K':
      r.o.no_trace = 1;
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
      color_set = 1;
      break;
    case 'q':
      r.o.quiet = 1;
      break;
    case 'v':
      r.o.verbose = 1;
      break;
    case 'P':
      for (i = 0; (size_t)i < cli_nprofiles &&
                  strcmp(optarg, cli_profiles[i]) != 0;
           i++)
        ;
      if ((size_t)i == cli_nprofiles)
        die(EX_UNKNOWN, "--profile: expected gmail, gmail-bulk, yahoo-bulk "
                        "or microsoft-bulk");
      r.o.profile = optarg;
      r.o.compliance = 1;
      break;
    case 'I':
      if (r.o.ip)
        die(EX_UNKNOWN, "--ip: the report has one client address");
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
    case OPT_CONFIG:
      config_file = optarg;
      break;
    case OPT_NO_CONFIG:
      no_config = 1;
      break;
    case OPT_LIST_PROFILES:
      for (i = 0; (size_t)i < cli_nprofiles; i++)
        puts(cli_profiles[i]);
      return EX_OK_;
    case 'h':
      usage(stdout);
      return EX_OK_;
    case 'V':
      printf("mxcheck %s (libmxcheck %s)\n", MXC_VERSION_STR, mxc_version());
      return EX_OK_;
    case ':':
      die(EX_UNKNOWN, "%s needs an argument (see --help)", argv[optind - 1]);
    default:
      if (optopt)
        die(EX_UNKNOWN, "unknown option -%c (see --help)", optopt);
      die(EX_UNKNOWN, "unknown option %s (see --help)", argv[optind - 1]);
    }
  }
  if (diff) {
    if (nzones == 0)
      die(EX_UNKNOWN, "--diff compares the --zone drafts with the published "
                      "DNS: give at least one --zone");
    free(zones);
    free(r.o.messages); /* --diff runs the command again: nothing kept */
    free(r.o.addrs);
    return mxcheck_diff(argc, argv);
  }
  if (config_file && no_config)
    die(EX_UNKNOWN, "--config and --no-config do not go together");
  /* The configuration files give what the command line did not; a list
   * on the command line replaces the files' list.  A profile, dnsbl or
   * authserv-id from a file is used when the report is made: it does not
   * ask for it as the options do. */
  cli_conf_load(&conf, progname, config_file, no_config);
  if (servers[0] == '\0')
    snprintf(servers, sizeof(servers), "%s", conf.servers);
  if (timeout_s == 0)
    timeout_s = conf.timeout_s;
  if (!tries_set && conf.tries)
    tries = conf.tries;
  if (r.o.profile == NULL)
    r.o.profile = conf.profile;
  if (r.o.authserv_id == NULL && r.o.authres)
    r.o.authserv_id = conf.authserv_id;
  if (ndnsbl == 0)
    for (; ndnsbl < conf.ndnsbl; ndnsbl++)
      dnsbl[ndnsbl] = conf.dnsbl[ndnsbl];
  if (!color_set && conf.color != -2)
    color_mode = conf.color;
  r.o.json = format == 1;
  r.o.nagios = format == 2;

  /* The arguments: ADDRESSes; with --message, the IP addresses among them
   * are the client, the others more message files. */
  for (i = optind; i < argc; i++) {
    if (r.o.nmessages && !is_ip_literal(argv[i]))
      add_arg(&r.o.messages, &r.o.nmessages, argv[i]);
    else
      add_arg(&r.o.addrs, &r.o.naddrs, argv[i]);
  }

  /* Conflicts: refused rather than one option silently dropped. */
  if (r.o.authres && (r.o.json || r.o.nagios))
    die(EX_UNKNOWN, "--authres prints a header field: it does not go with "
                    "--%s",
        r.o.json ? "json" : "nagios");
  if (r.o.quiet && (r.o.json || r.o.nagios || r.o.authres))
    die(EX_UNKNOWN, "--quiet prints nothing: it does not go with --%s",
        r.o.json ? "json" : r.o.nagios ? "nagios" : "authres");
  if (r.o.authserv_id && !r.o.authres)
    die(EX_UNKNOWN, "--authserv-id names the field of --authres: give "
                    "--authres too");
  if (r.o.jobs && r.o.nmessages == 0)
    die(EX_UNKNOWN, "--jobs shares out messages: give --message");
  if (r.o.nmessages && r.o.batch)
    die(EX_UNKNOWN, "--message and --batch do not go together");
  if (r.o.nselectors && r.o.domain == NULL)
    die(EX_UNKNOWN, "--selector needs --domain");
  if (r.o.domain && r.o.nmessages)
    die(EX_UNKNOWN, "--domain and --message do not go together");
  if (r.o.naddrs && r.o.batch != NULL)
    die(EX_UNKNOWN, "give addresses either as arguments or with --batch, "
                    "not both");
  /* --message with an ADDRESS is the compliance report; --ip ADDRESS is
   * the same ADDRESS. */
  if (r.o.nmessages && r.o.naddrs)
    r.o.compliance = 1;
  if (r.o.compliance) {
    if (r.o.batch || r.o.domain)
      die(EX_UNKNOWN, "the compliance report (--profile, --ip, --authres, "
                      "--message with an ADDRESS) does not go with --%s",
          r.o.batch ? "batch" : "domain");
    if (r.o.ip && r.o.naddrs)
      die(EX_UNKNOWN, "give the client address either with --ip or as "
                      "ADDRESS, not both");
    if (r.o.ip == NULL && r.o.naddrs != 1 &&
        !(r.o.nmessages && r.o.naddrs == 0)) /* the trace names it */
      die(EX_UNKNOWN, "the compliance report takes one client ADDRESS "
                      "(got %zu)",
          r.o.naddrs);
    if (r.o.ip == NULL && r.o.naddrs)
      r.o.ip = r.o.addrs[0];
    r.o.naddrs = 0;
  }
  /* Messages without ADDRESS: received copies get the compliance report
   * (the client from their trace fields), others their DKIM report. */
  if (r.o.nmessages && !r.o.compliance && !r.o.no_trace)
    r.o.auto_report = 1;
  if (r.o.no_trace && r.o.spf)
    die(EX_UNKNOWN, "--no-trace: --mail-from and --helo need the ADDRESS of "
                    "the client");
  if (r.o.nmessages && !parallel_set)
    r.o.parallel = MESSAGE_PARALLEL;
  check_hosts(&r);
  if (r.o.naddrs == 0 && r.o.batch == NULL && r.o.nmessages == 0 &&
      r.o.domain == NULL && !r.o.compliance)
    die(EX_UNKNOWN, "no address given (see --help)");
  if (r.o.mail_from &&
      (*r.o.mail_from == '\0' || strcmp(r.o.mail_from, "<>") == 0))
    r.o.mail_from = NULL, r.o.null_sender = 1; /* the null sender */
  if (r.o.spf && r.o.mail_from == NULL && (r.o.helo == NULL || !*r.o.helo) &&
      r.o.nmessages == 0) /* with a message: the HELO of its trace */
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
  if (r.o.json || r.o.nagios)
    r.o.color = 0;
  /* Progress: for a batch or several messages, on a terminal. */
  r.o.progress = (r.o.batch || r.o.nmessages > 1) && !r.o.quiet &&
                 (progress_mode == 1 ||
                  (progress_mode == -1 && isatty(STDERR_FILENO)));
  r.total = r.o.nmessages;

  /* Reports of the arguments come out in their order. */
  r.nslots = r.o.nmessages ? r.o.nmessages
             : r.o.compliance ? 1
                              : r.o.naddrs;
  if (r.nslots && (r.slot = calloc(r.nslots, sizeof(*r.slot))) == NULL)
    die(EX_UNKNOWN, "out of memory");

  /* Messages: several worker processes for a big batch. */
  r.njobs = 1;
  if (r.o.nmessages > 1 && !r.o.nagios) {
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
        free(r.o.addrs);
        cli_conf_free(&conf);
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
  if (ndnsbl && mxc_ctx_set_dnsbl_zones(r.ctx, dnsbl, ndnsbl) != MXC_OK)
    die(EX_UNKNOWN, "--dnsbl: %s", mxc_ctx_error(r.ctx));
  load_zones(r.ctx, zones, nzones);
  if (dnssec_days >= 0 &&
      mxc_ctx_set_dnssec_horizon(r.ctx, dnssec_days * 86400L) != MXC_OK)
    die(EX_UNKNOWN, "--dnssec-horizon: %s", mxc_strerror(MXC_EINVAL));
  if (r.o.domain)
    start_domain(&r);
  /* -q and --nagios print no detail: neither libspf2's view nor the SPF
   * trace is read.  The lint stays: its warnings make a pass a WARNING. */
  if (!libspf2 || r.o.quiet || r.o.nagios)
    mxc_ctx_set_libspf2(r.ctx, 0);
  if (r.o.quiet || r.o.nagios)
    mxc_ctx_set_spf_detail(r.ctx, MXC_SPF_DETAIL_LINT);

  if (r.o.nmessages) {
    start_messages(&r);
  } else if (r.o.compliance) {
    struct job *j = calloc(1, sizeof(*j));
    if (j == NULL)
      die(EX_UNKNOWN, "out of memory");
    j->r = &r;
    start_compliance(j, NULL);
  } else if (r.o.batch) {
    struct stat sb;
    if (strcmp(r.o.batch, "-") == 0) {
      r.in = stdin;
      r.o.batch = "stdin";
    } else if ((r.in = fopen(r.o.batch, "r")) == NULL) {
      die(EX_UNKNOWN, "cannot open %s: %s", r.o.batch, strerror(errno));
    }
    if (fstat(fileno(r.in), &sb) == 0 && S_ISREG(sb.st_mode))
      r.in_size = (long long)sb.st_size;
    start_next(&r);
  } else {
    start_addrs(&r);
  }
  {
    long wait = -1;
    if (r.o.deadline_s > 0) {
      wait = (long)(r.o.deadline_s * 1000.0) - (long)(now_ms() - r.t0);
      if (wait < 0)
        wait = 0;
    }
    st = mxc_run(r.ctx, wait);
    /* --zone: then the DNSSEC of each zone, over what the checks read */
    if (st == MXC_OK && !r.framed && start_dnssec(&r))
      st = mxc_run(r.ctx, -1);
    if (st == MXC_ETIMEOUT) {
      /* --deadline: what is pending is cancelled (mxc_ctx_free() below
       * delivers it, each reported UNKNOWN) */
      r.deadline_hit = 1;
      r.cancelled = (unsigned long)mxc_pending(r.ctx);
      worsen(&r, EX_UNKNOWN);
    } else if (st != MXC_OK) {
      fprintf(stderr, "%s: %s\n", progname, mxc_strerror(st));
      worsen(&r, EX_UNKNOWN);
    }
  }
  {
    mxc_stats_t stats;
    mxc_ctx_stats(r.ctx, &stats);
    r.dns_queries = stats.queries_sent;
  }
  zline = zones_line(&r);
  mxc_ctx_free(r.ctx);
  progress(&r, 1);
  flush_rest(&r);
  if (zline) {
    fputs(zline, stdout);
    free(zline);
  }
  free(zones);
  if (r.deadline_hit && !r.o.quiet && !r.o.nagios && !r.framed) {
    unsigned long left = 0;
    if (r.o.batch)
      while (!r.eof) {
        char line[BL_MAX_LINE + 1];
        int ol, nul;
        if (read_line(r.in, line, sizeof(line), &ol, &nul) < 0)
          break;
        left++;
      }
    else
      left = (unsigned long)((r.o.nmessages ? r.o.nmessages : r.o.naddrs) -
                             (r.o.nmessages ? r.next_msg : r.next_addr));
    fprintf(stderr,
            "%s: deadline of %g s reached: %lu check%s cancelled, %lu not "
            "started\n",
            progname, r.o.deadline_s, r.cancelled,
            r.cancelled == 1 ? "" : "s", left);
  }
  if (r.in && r.in != stdin)
    fclose(r.in);
  free(r.o.messages);
  free(r.o.addrs);
  if (r.framed) {
    char counts[96];
    snprintf(counts, sizeof(counts), "%lu %lu %lu %lu %lu", r.n_ok, r.n_warn,
             r.n_crit, r.n_unknown, r.n_skipped);
    frame('C', counts);
  } else if (r.o.nagios) {
    nagios_output(&r);
  } else if (r.o.nmessages > 1 && !r.o.quiet && !r.o.json) {
    fprintf(stderr,
            "%s: %lu messages checked: %lu ok, %lu warning, %lu critical, "
            "%lu unknown",
            progname, r.n_ok + r.n_warn + r.n_crit + r.n_unknown, r.n_ok,
            r.n_warn, r.n_crit, r.n_unknown);
    if (r.n_skipped)
      fprintf(stderr, "; %lu file%s not read", r.n_skipped,
              r.n_skipped == 1 ? "" : "s");
    fputc('\n', stderr);
  }
  if (r.o.batch && !r.o.quiet && !r.o.json && !r.o.nagios) {
    fprintf(stderr,
            "%s: %lu checked: %lu ok, %lu warning, %lu critical, %lu "
            "unknown",
            progname, r.n_ok + r.n_warn + r.n_crit + r.n_unknown, r.n_ok,
            r.n_warn, r.n_crit, r.n_unknown);
    if (r.n_skipped)
      fprintf(stderr, "; %lu line%s skipped", r.n_skipped,
              r.n_skipped == 1 ? "" : "s");
    fputc('\n', stderr);
  }
  free_slots(&r);
  cli_conf_free(&conf);
  if (fflush(stdout) != 0 || ferror(stdout))
    return EX_UNKNOWN;
  return r.worst;
}
