/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_suite.c -- run RFC 7208 test-suite cases through libmxcheck's SPF
 * evaluator against a live DNS server (tests/spfsuite/zoneserver.py serving
 * the scenario's zone data on loopback), and compare the verdicts and
 * explanations with the suite's.
 *
 * Every test also checks libspf2's view of the check (mxc_spf_libspf2_*,
 * computed asynchronously from the check's answers): against the suite's
 * results, which libspf2 is known to miss often (notes/libspf2.md), and
 * against a synchronous libspf2 run on the same scenario, through
 * libspf2's own zone layer (SPF_dns_zone) loaded with the scenario's zone
 * data: the two must be equal (verdict and detail).
 *
 * Usage: spf_suite --server HOST:PORT [options] FILE|-
 *
 * FILE holds test cases in zoneserver.py's line format (zoneserver.py
 * --tests writes them):
 *   S <TAB> index <TAB> description                  a scenario starts
 *   Z <TAB> name <TAB> type <TAB> status <TAB> data  its zone data as
 *     libspf2's resolver layer sees it (status OK, HOST_NOT_FOUND,
 *     NO_DATA or TRY_AGAIN; one line per record)
 *   T <TAB> name <TAB> host <TAB> mailfrom <TAB> helo <TAB> results
 *     <TAB> explanation                               one test
 * with \\, \t, \n and \xHH escapes in the fields; results is a comma list of
 * acceptable results; explanation is "-" (none given) or "=" and the text.
 * Each scenario gets a context of its own (a fresh cache).
 *
 * Output: one line per failing test (of the evaluator, or async != sync),
 * one summary line per scenario, and at the end exactly
 *   spf-suite libspf2 view: N passed, N failed
 *   spf-suite libspf2 async==sync: N passed, N failed
 *   spf-suite: N passed, N failed
 * (libspf2's view is counted on the result only.)  Exit status: 0 when
 * the evaluator passed every test and libspf2's asynchronous view equalled
 * the synchronous run in every test, 1 when not, 2 on a usage or input
 * error, 77 (automake's SKIP) when run without arguments, e.g. by "make
 * check" as a test program.
 */
#include "config.h" /* _GNU_SOURCE, before any system header */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mxc_private.h"
#include "checks/spf/spf_private.h"

#include <netdb.h>

#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#define MAX_FIELDS 8
#define MAX_TESTS_PER_RUN 100000 /* a bound on the input loop */

struct options {
  const char *server;
  int timeout_ms;          /* first try of a DNS query */
  int tries;               /* tries per DNS query */
  long test_timeout_ms;    /* wall-clock bound of one evaluation */
  const char *default_exp; /* the context's default explanation */
  const char *only;        /* run only the test of this name */
  int verbose;
};

struct outcome {
  int done;
  mxc_status_t st;
  mxc_result_t *res;
};

struct totals {
  long passed, failed;
  long l2_passed, l2_failed;     /* libspf2's view vs the suite */
  long sync_passed, sync_failed; /* libspf2's view vs a synchronous run */
  long lean_passed, lean_failed; /* the same result without the detail */
};

static void usage(FILE *f)
{
  fputs("usage: spf_suite --server HOST:PORT [options] FILE|-\n"
        "  -s, --server HOST:PORT   the DNS server serving the zone data\n"
        "                           (default: $MXC_SPF_SUITE_SERVER)\n"
        "  --timeout-ms N           first DNS try, in ms (default 300)\n"
        "  --tries N                tries per DNS query (default 2)\n"
        "  --test-timeout-ms N      bound of one evaluation (default 20000)\n"
        "  --default-exp TEXT       the default explanation (default: the\n"
        "                           suite's \"DEFAULT\"; macros allowed)\n"
        "  --only NAME              run only the test NAME\n"
        "  -v, --verbose            a line per test, the trace of failures\n"
        "FILE: test lines from zoneserver.py --tests (\"-\": stdin)\n",
        f);
}

/* ---- input ------------------------------------------------------------- */

static int hexval(int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Undo the escapes of one field, in place.  -1 on a bad escape, -2 when
 * the field holds a NUL octet (no C string can carry it to the library;
 * with allow_nul, the field is cut there, as libspf2's zone layer cuts
 * it). */
static int unescape(char *s, int allow_nul)
{
  char *o = s;
  const char *p = s;
  while (*p) {
    if (*p != '\\') {
      *o++ = *p++;
      continue;
    }
    p++;
    switch (*p) {
    case '\\':
      *o++ = '\\';
      p++;
      break;
    case 't':
      *o++ = '\t';
      p++;
      break;
    case 'n':
      *o++ = '\n';
      p++;
      break;
    case 'x': {
      int hi = hexval((unsigned char)p[1]);
      int lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);
      if (lo < 0)
        return -1;
      if (hi == 0 && lo == 0 && !allow_nul)
        return -2;
      *o++ = (char)(hi * 16 + lo);
      p += 3;
      break;
    }
    default:
      return -1;
    }
  }
  *o = '\0';
  return 0;
}

/* Split a line at TABs (in place).  Returns the number of fields. */
static int split(char *line, char **f, int max)
{
  int n = 0;
  char *p = line;
  for (;;) {
    char *tab = strchr(p, '\t');
    if (n == max)
      return max + 1; /* too many */
    f[n++] = p;
    if (tab == NULL)
      break;
    *tab = '\0';
    p = tab + 1;
  }
  return n;
}

/* ---- one test ---------------------------------------------------------- */

static void on_done(mxc_check_t *chk, mxc_status_t st, const mxc_result_t *res,
                    void *arg)
{
  struct outcome *o = arg;
  (void)chk;
  o->done = 1;
  o->st = st;
  o->res = res ? mxc_result_dup(res) : NULL;
}

/* Is `got` one of the comma-separated `want` words? */
static int result_ok(const char *got, const char *want)
{
  size_t n = strlen(got);
  const char *p = want;
  for (;;) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    if (len == n && strncasecmp(p, got, n) == 0)
      return 1;
    if (c == NULL)
      return 0;
    p = c + 1;
  }
}

/* The explanation check: the default explanation is set to the word the
 * suite uses for it (see new_ctx()), so every comparison is literal. */
static int exp_ok(const mxc_result_t *res, const char *want)
{
  const char *got = mxc_spf_explanation(res);
  return strcmp(got ? got : "", want) == 0;
}

static void print_trace(const mxc_result_t *res)
{
  size_t i, n = mxc_spf_trace_count(res);
  for (i = 0; i < n && i < 200; i++)
    printf("      | %s\n", mxc_spf_trace(res, i));
  if (n > 200)
    printf("      | ... (%zu lines in all)\n", n);
}

/* libspf2's view of the check against the suite and against a
 * synchronous libspf2 run through the scenario's zone (zone: NULL when
 * the scenario has none). */
static void check_libspf2(const mxc_result_t *res, const char *scen,
                          char **f, SPF_dns_server_t *zone,
                          const struct options *opt, struct totals *t)
{
  const char *name = f[1], *host = f[2], *mfrom = f[3], *helo = f[4];
  const char *want = f[5], *got = mxc_spf_libspf2_result(res);
  const char *adetail = mxc_spf_libspf2_detail(res);
  struct mxci_spf2_query q;
  struct mxci_addr a;
  SPF_server_t *sv;
  mxc_verdict_t v = MXC_VERDICT_NONE;
  char *detail = NULL, err[160];
  int null_sender = *mfrom == '\0' || strcmp(mfrom, "<>") == 0;
  const char *sgot;

  if (result_ok(got, want)) {
    t->l2_passed++;
    if (opt->verbose)
      printf("ok   libspf2 %s/%s: %s\n", scen, name, got);
  } else {
    t->l2_failed++;
    if (opt->verbose)
      printf("diff libspf2 %s/%s: got %s (%s), want %s\n", scen, name, got,
             adetail, want);
  }
  if (mxci_addr_parse(host, &a, err, sizeof(err)) < 0 || zone == NULL) {
    t->sync_failed++;
    printf("FAIL libspf2 %s/%s: no synchronous run (%s)\n", scen, name,
           zone ? err : "no zone data");
    return;
  }
  q.a = &a;
  q.mail_from = null_sender ? NULL : mfrom;
  q.helo = helo;
  q.exp = opt->default_exp;
  sv = mxci_spf2_server_new(zone, opt->default_exp);
  if (sv == NULL || mxci_spf2_eval(sv, &q, &v, &detail) < 0) {
    t->sync_failed++;
    printf("FAIL libspf2 %s/%s: the synchronous run failed\n", scen, name);
    mxci_spf2_server_free(sv);
    mxci_free(detail);
    return;
  }
  mxci_spf2_server_free(sv);
  sgot = mxc_verdict_str(v);
  if (strcmp(sgot, got) == 0 && strcmp(detail, adetail) == 0) {
    t->sync_passed++;
  } else {
    t->sync_failed++;
    printf("FAIL libspf2 %s/%s: asynchronous view %s (%s), synchronous run "
           "%s (%s)\n",
           scen, name, got, adetail, sgot, detail);
  }
  mxci_free(detail);
}

static const char *str0(const char *s) { return s ? s : ""; }

/* The test again on lean, a context with the SPF detail (trace and lint)
 * and libspf2's view off: the status, verdict, reason, explanation and
 * fix must be those of res, with no trace line and no warning. */
static void check_lean(mxc_ctx_t *lean, const mxc_result_t *res,
                       mxc_status_t st, const char *scen, char **f,
                       const struct options *opt, struct totals *t)
{
  struct outcome o = {0, MXC_OK, NULL};
  mxc_check_t *chk = NULL;
  const char *name = f[1];

  if (mxc_spf_start(lean, f[2], f[3], f[4], on_done, &o, &chk) != MXC_OK) {
    t->lean_failed++;
    printf("FAIL detail off %s/%s: mxc_spf_start failed\n", scen, name);
    return;
  }
  (void)mxc_run(lean, opt->test_timeout_ms);
  if (!o.done) {
    mxc_check_cancel(chk);
    t->lean_failed++;
    printf("FAIL detail off %s/%s: no verdict\n", scen, name);
  } else if (o.res == NULL || o.st != st ||
             mxc_result_verdict(o.res) != mxc_result_verdict(res) ||
             strcmp(str0(mxc_result_reason(o.res)),
                    str0(mxc_result_reason(res))) != 0 ||
             strcmp(mxc_spf_explanation(o.res), mxc_spf_explanation(res)) !=
                 0 ||
             strcmp(str0(mxc_result_fix(o.res)), str0(mxc_result_fix(res))) !=
                 0 ||
             mxc_spf_trace_count(o.res) != 0 ||
             mxc_result_warning_count(o.res) != 0) {
    t->lean_failed++;
    printf("FAIL detail off %s/%s: got %s (%s), with the detail %s (%s)\n",
           scen, name,
           o.res ? mxc_verdict_str(mxc_result_verdict(o.res)) : "-",
           o.res ? str0(mxc_result_reason(o.res)) : mxc_strerror(o.st),
           mxc_verdict_str(mxc_result_verdict(res)),
           str0(mxc_result_reason(res)));
  } else {
    t->lean_passed++;
  }
  mxc_result_free(o.res);
}

/* Run one test; 1 when it passed. */
static int run_test(mxc_ctx_t *ctx, mxc_ctx_t *lean, const char *scen,
                    char **f, SPF_dns_server_t *zone, const struct options *opt,
                    struct totals *t)
{
  const char *name = f[1], *host = f[2], *mfrom = f[3], *helo = f[4];
  const char *want = f[5], *exp = f[6];
  struct outcome o = {0, MXC_OK, NULL};
  mxc_check_t *chk = NULL;
  mxc_status_t st;
  const char *got;
  int ok;

  st = mxc_spf_start(ctx, host, mfrom, helo, on_done, &o, &chk);
  if (st != MXC_OK) {
    printf("FAIL %s/%s: mxc_spf_start: %s, want %s\n", scen, name,
           mxc_strerror(st), want);
    return 0;
  }
  /* mxc_run() rather than mxc_spf_sync(), to bound the wall-clock time. */
  st = mxc_run(ctx, opt->test_timeout_ms);
  if (!o.done) {
    mxc_check_cancel(chk);
    printf("FAIL %s/%s: no verdict after %ld ms (mxc_run: %s), want %s\n", scen,
           name, opt->test_timeout_ms, mxc_strerror(st), want);
    mxc_result_free(o.res);
    return 0;
  }
  if (o.res == NULL) {
    printf("FAIL %s/%s: status %s and no result, want %s\n", scen, name,
           mxc_strerror(o.st), want);
    return 0;
  }
  got = mxc_verdict_str(mxc_result_verdict(o.res));
  ok = o.st == MXC_OK && result_ok(got, want);
  if (!ok) {
    printf("FAIL %s/%s: got %s (%s)%s%s, want %s\n", scen, name, got,
           mxc_result_reason(o.res), o.st == MXC_OK ? "" : ", status ",
           o.st == MXC_OK ? "" : mxc_strerror(o.st), want);
  } else if (exp[0] == '=' && !exp_ok(o.res, exp + 1)) {
    ok = 0;
    printf("FAIL %s/%s: got %s with explanation \"%s\", want \"%s\"\n", scen,
           name, got, mxc_spf_explanation(o.res), exp + 1);
  }
  check_libspf2(o.res, scen, f, zone, opt, t);
  check_lean(lean, o.res, o.st, scen, f, opt, t);
  if (!ok || opt->verbose) {
    if (ok)
      printf("ok   %s/%s: %s%s%s%s\n", scen, name, got,
             *mxc_spf_explanation(o.res) ? " (explanation \"" : "",
             mxc_spf_explanation(o.res),
             *mxc_spf_explanation(o.res) ? "\")" : "");
    printf("      host=%s mailfrom=%s helo=%s record=\"%s\"\n", host, mfrom,
           helo, mxc_spf_record(o.res));
    if (!ok || opt->verbose > 1)
      print_trace(o.res);
  }
  mxc_result_free(o.res);
  return ok;
}

/* ---- scenarios --------------------------------------------------------- */

static int parse_int(const char *s, long lo, long hi, long *out);

static mxc_ctx_t *new_ctx(const struct options *opt, int lean)
{
  mxc_ctx_t *ctx = NULL;
  mxc_status_t st = mxc_ctx_new(&ctx);
  if (st != MXC_OK) {
    fprintf(stderr, "spf_suite: mxc_ctx_new: %s\n", mxc_strerror(st));
    return NULL;
  }
  if ((st = mxc_ctx_set_servers(ctx, opt->server)) != MXC_OK) {
    fprintf(stderr, "spf_suite: server %s: %s\n", opt->server,
            mxc_ctx_error(ctx));
    goto fail;
  }
  /* The suite's reference driver (pyspf's testspf.py) sets the default
   * explanation to "DEFAULT": tests whose exp= must be ignored expect it. */
  if ((st = mxc_ctx_set_spf_explanation(ctx, opt->default_exp)) != MXC_OK) {
    fprintf(stderr, "spf_suite: default explanation: %s\n", mxc_ctx_error(ctx));
    goto fail;
  }
  if ((st = mxc_ctx_set_timeout_ms(ctx, opt->timeout_ms)) != MXC_OK ||
      (st = mxc_ctx_set_tries(ctx, opt->tries)) != MXC_OK) {
    fprintf(stderr, "spf_suite: timeout/tries: %s\n", mxc_strerror(st));
    goto fail;
  }
  if (lean && ((st = mxc_ctx_set_spf_detail(ctx, 0)) != MXC_OK ||
               (st = mxc_ctx_set_libspf2(ctx, 0)) != MXC_OK)) {
    fprintf(stderr, "spf_suite: detail off: %s\n", mxc_strerror(st));
    goto fail;
  }
  return ctx;
fail:
  mxc_ctx_free(ctx);
  return NULL;
}

static void scenario_summary(const char *scen, const struct totals *t)
{
  if (scen[0])
    printf("scenario %s: %ld passed, %ld failed (libspf2: %ld as the "
           "suite, %ld not; async==sync in %ld, not in %ld)\n",
           scen, t->passed, t->failed, t->l2_passed, t->l2_failed,
           t->sync_passed, t->sync_failed);
}

static void add_totals(struct totals *all, struct totals *sc)
{
  all->passed += sc->passed;
  all->failed += sc->failed;
  all->l2_passed += sc->l2_passed;
  all->l2_failed += sc->l2_failed;
  all->sync_passed += sc->sync_passed;
  all->sync_failed += sc->sync_failed;
  all->lean_passed += sc->lean_passed;
  all->lean_failed += sc->lean_failed;
  memset(sc, 0, sizeof(*sc));
}

/* One "Z" line into the scenario's libspf2 zone; -1 when malformed. */
static int zone_add(SPF_dns_server_t **zone, char **f)
{
  static const struct {
    const char *word;
    SPF_dns_stat_t herrno;
  } st[] = {{"OK", NETDB_SUCCESS},
            {"HOST_NOT_FOUND", HOST_NOT_FOUND},
            {"NO_DATA", NO_DATA},
            {"TRY_AGAIN", TRY_AGAIN}};
  long type;
  size_t i;

  if (parse_int(f[2], 1, 65535, &type) < 0)
    return -1;
  for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
    if (strcmp(f[3], st[i].word) == 0)
      break;
  if (i == sizeof(st) / sizeof(st[0]) ||
      (type == ns_t_any && st[i].herrno == NETDB_SUCCESS))
    return -1;
  if (*zone == NULL && (*zone = SPF_dns_zone_new(NULL, "suite", 0)) == NULL)
    return -1;
  return SPF_dns_zone_add_str(*zone, f[1], (ns_type)type, st[i].herrno,
                              st[i].herrno == NETDB_SUCCESS ? f[4] : NULL) ==
                 SPF_E_SUCCESS
             ? 0
             : -1;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
  char *end;
  long v;
  errno = 0;
  v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

int main(int argc, char **argv)
{
  struct options opt = {NULL, 300, 2, 20000, "DEFAULT", NULL, 0};
  struct totals all, sc;
  SPF_dns_server_t *zone = NULL;
  char scen[256] = "";
  const char *path = NULL;
  FILE *in;
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  long lineno = 0, ran = 0, v;
  mxc_ctx_t *ctx = NULL, *lean = NULL;
  int i, rc = 0;

  memset(&all, 0, sizeof(all));
  memset(&sc, 0, sizeof(sc));
  if (argc == 1) {
    printf("SKIP: spf_suite is driven by tests/spfsuite/run.sh\n");
    return 77;
  }
  opt.server = getenv("MXC_SPF_SUITE_SERVER");
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    int more = i + 1 < argc;
    if ((!strcmp(a, "-s") || !strcmp(a, "--server")) && more) {
      opt.server = argv[++i];
    } else if (!strcmp(a, "--timeout-ms") && more &&
               parse_int(argv[i + 1], 1, 60000, &v) == 0) {
      opt.timeout_ms = (int)v;
      i++;
    } else if (!strcmp(a, "--tries") && more &&
               parse_int(argv[i + 1], 1, 10, &v) == 0) {
      opt.tries = (int)v;
      i++;
    } else if (!strcmp(a, "--test-timeout-ms") && more &&
               parse_int(argv[i + 1], 1, 3600000, &v) == 0) {
      opt.test_timeout_ms = v;
      i++;
    } else if (!strcmp(a, "--default-exp") && more) {
      opt.default_exp = argv[++i];
    } else if (!strcmp(a, "--only") && more) {
      opt.only = argv[++i];
    } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
      opt.verbose++;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    } else if ((a[0] != '-' || !strcmp(a, "-")) && path == NULL) {
      path = a;
    } else {
      fprintf(stderr, "spf_suite: bad argument: %s\n", a);
      usage(stderr);
      return 2;
    }
  }
  if (path == NULL || opt.server == NULL || *opt.server == '\0') {
    usage(stderr);
    return 2;
  }
  if (strcmp(path, "-") == 0) {
    in = stdin;
  } else if ((in = fopen(path, "r")) == NULL) {
    fprintf(stderr, "spf_suite: %s: %s\n", path, strerror(errno));
    return 2;
  }

  while (ran < MAX_TESTS_PER_RUN && (len = getline(&line, &cap, in)) >= 0) {
    char *f[MAX_FIELDS + 1];
    int n, k;
    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    if (len == 0 || line[0] == '#')
      continue;
    if ((size_t)len != strlen(line)) {
      fprintf(stderr, "spf_suite: line %ld: NUL in input\n", lineno);
      rc = 2;
      break;
    }
    n = split(line, f, MAX_FIELDS);
    for (k = 0; k < n && k < MAX_FIELDS; k++) {
      int u = unescape(f[k], f[0][0] == 'Z');
      if (u == -2 && f[0][0] == 'T' && n == 7) {
        /* A NUL in an identity cannot be passed to the library. */
        printf("FAIL %s/%s: the test holds a NUL octet\n", scen, f[1]);
        sc.failed++;
        n = 0;
        break;
      }
      if (u < 0) {
        fprintf(stderr, "spf_suite: line %ld: bad escape\n", lineno);
        rc = 2;
        break;
      }
    }
    if (rc)
      break;
    if (n == 0)
      continue;
    if (strcmp(f[0], "S") == 0 && n == 3) {
      scenario_summary(scen, &sc);
      add_totals(&all, &sc);
      snprintf(scen, sizeof(scen), "%s (%s)", f[1], f[2]);
      if (zone)
        SPF_dns_free(zone);
      zone = NULL;
      mxc_ctx_free(ctx);
      mxc_ctx_free(lean);
      lean = NULL;
      if ((ctx = new_ctx(&opt, 0)) == NULL ||
          (lean = new_ctx(&opt, 1)) == NULL) {
        rc = 2;
        break;
      }
    } else if (strcmp(f[0], "Z") == 0 && n == 5) {
      if (zone_add(&zone, f) < 0) {
        fprintf(stderr, "spf_suite: line %ld: bad zone line\n", lineno);
        rc = 2;
        break;
      }
    } else if (strcmp(f[0], "T") == 0 && n == 7 &&
               (f[6][0] == '-' || f[6][0] == '=')) {
      if (opt.only && strcmp(opt.only, f[1]) != 0)
        continue;
      if (ctx == NULL && (ctx = new_ctx(&opt, 0)) == NULL) {
        rc = 2;
        break;
      }
      if (lean == NULL && (lean = new_ctx(&opt, 1)) == NULL) {
        rc = 2;
        break;
      }
      ran++;
      if (run_test(ctx, lean, scen[0] ? scen : "-", f, zone, &opt, &sc))
        sc.passed++;
      else
        sc.failed++;
    } else {
      fprintf(stderr, "spf_suite: line %ld: not a test line\n", lineno);
      rc = 2;
      break;
    }
    fflush(stdout);
  }
  if (rc == 0 && ferror(in)) {
    fprintf(stderr, "spf_suite: %s: read error\n", path);
    rc = 2;
  }
  free(line);
  if (in != stdin)
    fclose(in);
  mxc_ctx_free(ctx);
  mxc_ctx_free(lean);
  if (zone)
    SPF_dns_free(zone);
  scenario_summary(scen, &sc);
  add_totals(&all, &sc);
  printf("spf-suite libspf2 view: %ld passed, %ld failed\n", all.l2_passed,
         all.l2_failed);
  printf("spf-suite libspf2 async==sync: %ld passed, %ld failed\n",
         all.sync_passed, all.sync_failed);
  printf("spf-suite detail off == on: %ld passed, %ld failed\n",
         all.lean_passed, all.lean_failed);
  printf("spf-suite: %ld passed, %ld failed\n", all.passed, all.failed);
  if (rc)
    return rc;
  return all.failed || all.sync_failed || all.lean_failed ? 1 : 0;
}
