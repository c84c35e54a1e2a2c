/*
 * mxcheck -- will the big mailbox providers accept mail from this server?
 *
 * This front end uses only the public API of libmxcheck.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mxcheck.h>

/* Monitoring-plugin exit codes (Nagios / Icinga / Monitoring Plugins). */
enum { EX_OK_ = 0, EX_WARNING = 1, EX_CRITICAL = 2, EX_UNKNOWN = 3 };

#define DEFAULT_PARALLEL 256
#define MAX_PARALLEL 100000
#define MAX_LINE 1024
#define MAX_SERVERS_ARG 4096
#define FLUSH_MS 50
#define BATCH_CACHE_SIZE 1000

struct opts {
  int json;
  int color;
  int quiet;
  int parallel;
  const char *batch;
  int spf;               /* --mail-from or --helo given: iprev and spf */
  const char *mail_from; /* NULL: the null sender (HELO identity) */
  const char *helo;
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
          "  -b, --batch FILE          read addresses from FILE ('-': "
          "stdin), one per line;\n"
          "                            checked concurrently, results in "
          "completion order\n"
          "  -p, --parallel N          checks in flight in batch mode "
          "(default %d)\n"
          "      --max-queries N       DNS queries in flight (default 128)\n"
          "      --cache-size N        answers kept in the cache (default "
          "10000; 1000 with --batch)\n"
          "      --no-edns             plain DNS queries (no EDNS0/DO bit)\n"
          "      --color WHEN          auto (default), always or never; "
          "NO_COLOR is honoured\n"
          "                            (also spelt --colour)\n"
          "  -q, --quiet               print nothing; only the exit status\n"
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
          "  WARNING > OK.\n"
          "See mxcheck(1).\n",
          progname, progname, DEFAULT_PARALLEL);
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

static int exit_code_for(mxc_status_t st, const mxc_result_t *res)
{
  if (st != MXC_OK || res == NULL)
    return EX_UNKNOWN;
  switch (mxc_result_verdict(res)) {
  case MXC_VERDICT_PASS:
    return mxc_result_warning_count(res) ? EX_WARNING : EX_OK_;
  case MXC_VERDICT_TEMPERROR:
    return EX_UNKNOWN;
  default:
    return EX_CRITICAL;
  }
}

/* SPF (RFC 7208): pass is OK (WARNING with lint warnings), neutral and
 * none are WARNING (receivers treat them as no policy), fail, softfail and
 * permerror are CRITICAL, temperror is UNKNOWN. */
static int exit_code_spf(mxc_status_t st, const mxc_result_t *res)
{
  if (st != MXC_OK || res == NULL)
    return EX_UNKNOWN;
  switch (mxc_result_verdict(res)) {
  case MXC_VERDICT_PASS:
    return mxc_result_warning_count(res) ? EX_WARNING : EX_OK_;
  case MXC_VERDICT_NEUTRAL:
  case MXC_VERDICT_NONE:
    return EX_WARNING;
  case MXC_VERDICT_TEMPERROR:
    return EX_UNKNOWN;
  default:
    return EX_CRITICAL;
  }
}

static void start_next(struct run *r);

/* Print a rendered report (taken) and flush now and then in batch mode. */
static void emit(struct run *r, char *s)
{
  if (s == NULL)
    die(EX_UNKNOWN, "out of memory");
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
 * context, run concurrently: iprev and spf.  Their results are kept until
 * both are in, then printed together: one JSON object (mxc_results_json())
 * or the address line once with both blocks (mxc_results_text()).
 */
struct pair {
  struct run *r;
  char *input;
  mxc_status_t st[2]; /* 0: iprev, 1: spf */
  mxc_result_t *res[2];
  int ndone;
};

static void pair_finish(struct pair *p)
{
  struct run *r = p->r;
  int a = exit_code_for(p->st[0], p->res[0]);
  int b = exit_code_spf(p->st[1], p->res[1]);
  const mxc_result_t *both[2];
  size_t k;

  account(r, severity(b) > severity(a) ? b : a);
  if (!r->o.quiet) {
    for (k = 0; k < 2; k++)
      if (p->res[k] == NULL)
        fprintf(stderr, "%s: %s: %s: %s\n", progname, p->input,
                k ? "spf" : "iprev", mxc_strerror(p->st[k]));
    both[0] = p->res[0];
    both[1] = p->res[1];
    if (p->res[0] || p->res[1])
      emit(r, r->o.json
                  ? mxc_results_json(both, 2)
                  : mxc_results_text(both, 2,
                                     r->o.color ? MXC_RENDER_COLOR : 0));
  }
  mxc_result_free(p->res[0]);
  mxc_result_free(p->res[1]);
  free(p->input);
  free(p);
}

static void pair_one(struct pair *p, int k, mxc_status_t st,
                     const mxc_result_t *res)
{
  p->st[k] = st;
  if (res && (p->res[k] = mxc_result_dup(res)) == NULL)
    die(EX_UNKNOWN, "out of memory");
  if (++p->ndone == 2) {
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

static void start_pair(struct run *r, const char *addr)
{
  struct pair *p = calloc(1, sizeof(*p));
  mxc_status_t st;
  if (p == NULL || (p->input = strdup(addr)) == NULL)
    die(EX_UNKNOWN, "out of memory");
  p->r = r;
  st = mxc_fcrdns_start(r->ctx, addr, done_iprev, p, NULL);
  if (st != MXC_OK) {
    p->st[0] = st;
    p->ndone++;
  }
  st = mxc_spf_start(r->ctx, addr, r->o.mail_from, r->o.helo, done_spf, p,
                     NULL);
  if (st != MXC_OK) {
    p->st[1] = st;
    p->ndone++;
  }
  if (p->ndone == 2)
    pair_finish(p); /* neither started: nothing will call back */
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
  if (r->o.spf) {
    start_pair(r, addr);
    return;
  }
  st = mxc_fcrdns_start(r->ctx, addr, done, r, NULL);
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
    start_one(r, s);
  }
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
      {"color", required_argument, NULL, 'C'},
      {"colour", required_argument, NULL, 'C'},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0}};
  struct run r;
  char servers[MAX_SERVERS_ARG] = "";
  double timeout_s = 0;
  long tries = 4, maxq = 0, cache_size = -1;
  int edns = 1, color_mode = -1, c, i;
  mxc_status_t st;

  memset(&r, 0, sizeof(r));
  r.o.parallel = DEFAULT_PARALLEL;
  if (argv[0] && strrchr(argv[0], '/'))
    progname = strrchr(argv[0], '/') + 1;
  else if (argv[0] && *argv[0])
    progname = argv[0];

  while ((c = getopt_long(argc, argv, "s:t:jb:p:qhVf:H:", longopts, NULL)) != -1) {
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
      break;
    case 'M':
      maxq = parse_long("--max-queries", optarg, 1, 65536);
      break;
    case 'E':
      edns = 0;
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
  if (optind == argc && r.o.batch == NULL) {
    fprintf(stderr, "%s: no address given\n", progname);
    usage(stderr);
    return EX_UNKNOWN;
  }
  if (optind < argc && r.o.batch != NULL)
    die(EX_UNKNOWN, "give addresses either as arguments or with --batch, "
                    "not both");
  if (r.o.mail_from &&
      (*r.o.mail_from == '\0' || strcmp(r.o.mail_from, "<>") == 0))
    r.o.mail_from = NULL; /* the null sender */
  if (r.o.spf && r.o.mail_from == NULL && (r.o.helo == NULL || !*r.o.helo))
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

  if (r.o.batch) {
    if (strcmp(r.o.batch, "-") == 0) {
      r.in = stdin;
      r.o.batch = "stdin";
    } else if ((r.in = fopen(r.o.batch, "r")) == NULL) {
      die(EX_UNKNOWN, "cannot open %s: %s", r.o.batch, strerror(errno));
    }
    start_next(&r);
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
