/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf-batch.c -- SPF only, through libmxcheck's public API: the "engine"
 * row of spf-bench.sh.  The CLI (mxcheck --batch with per-line senders)
 * runs an iprev check next to every SPF check; this driver runs SPF alone,
 * so that the library can be compared with spfquery and pyspf, which do
 * nothing else.
 *
 * Input (stdin): lines "ADDRESS SENDER [HELO]" (pairs.txt of spf-gen.py).
 * Output: "address<TAB>sender<TAB>verdict" per evaluation, in completion
 * order (none with -q).  At most P evaluations in flight, one context
 * (one cache) for the whole batch, as mxcheck --batch.
 *
 * -L turns libspf2's view off (mxc_ctx_set_libspf2(), when the library
 * has it): the library then runs its own evaluator only.  -D turns the
 * SPF detail off (mxc_ctx_set_spf_detail(): no trace, no lint), when the
 * library has that option.
 *
 * Build (spf-bench.sh does it): cc -O2 -I lib spf-batch.c
 *   lib/.libs/libmxcheck-core.a and the dependency_libs of
 *   lib/libmxcheck-core.la
 * Usage: spf-batch -s HOST:PORT [-p P] [-c CACHE] [-L] [-D] [-q] < pairs
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mxcheck.h"

#define MAX_LINE 1024

static mxc_ctx_t *ctx;
static long parallel = 64;
static int quiet, eof, no_libspf2, no_detail;
static unsigned long lineno, bad;

static void start_next(void);

static void done(mxc_check_t *chk, mxc_status_t st, const mxc_result_t *res,
                 void *arg)
{
  (void)chk;
  (void)arg;
  if (res == NULL || st != MXC_OK) {
    bad++;
    if (!quiet)
      printf("?\t?\t%s\n", mxc_strerror(st));
  } else if (!quiet) {
    printf("%s\t%s\t%s\n", mxc_result_address(res), mxc_spf_sender(res),
           mxc_verdict_str(mxc_result_verdict(res)));
  }
  start_next();
}

static void start_next(void)
{
  char line[MAX_LINE + 2];
  while (!eof && mxc_pending(ctx) < (size_t)parallel) {
    char *addr, *sender, *helo, *save = NULL;
    mxc_status_t st;
    if (fgets(line, sizeof(line), stdin) == NULL) {
      eof = 1;
      break;
    }
    lineno++;
    addr = strtok_r(line, " \t\r\n", &save);
    if (addr == NULL || *addr == '#')
      continue;
    sender = strtok_r(NULL, " \t\r\n", &save);
    helo = strtok_r(NULL, " \t\r\n", &save);
    if (sender == NULL) {
      fprintf(stderr, "spf-batch: line %lu: no sender\n", lineno);
      bad++;
      continue;
    }
    st = mxc_spf_start(ctx, addr, strcmp(sender, "<>") ? sender : NULL, helo,
                       done, NULL, NULL);
    if (st != MXC_OK) {
      fprintf(stderr, "spf-batch: line %lu: %s\n", lineno, mxc_strerror(st));
      bad++;
    }
  }
}

int main(int argc, char **argv)
{
  const char *server = NULL;
  long cache = -1;
  mxc_status_t st;
  int c;

  while ((c = getopt(argc, argv, "s:p:c:LDq")) != -1) {
    switch (c) {
    case 's':
      server = optarg;
      break;
    case 'p':
      parallel = strtol(optarg, NULL, 10);
      break;
    case 'c':
      cache = strtol(optarg, NULL, 10);
      break;
    case 'L':
      no_libspf2 = 1;
      break;
    case 'D':
      no_detail = 1;
      break;
    case 'q':
      quiet = 1;
      break;
    default:
      fprintf(stderr, "usage: spf-batch -s HOST:PORT [-p P] [-c CACHE] [-L] "
                      "[-D] [-q] < pairs\n");
      return 2;
    }
  }
  if (parallel < 1 || parallel > 100000) {
    fprintf(stderr, "spf-batch: -p must be 1..100000\n");
    return 2;
  }
  if ((st = mxc_ctx_new(&ctx)) != MXC_OK) {
    fprintf(stderr, "spf-batch: mxc_ctx_new: %s\n", mxc_strerror(st));
    return 2;
  }
  if (server && mxc_ctx_set_servers(ctx, server) != MXC_OK) {
    fprintf(stderr, "spf-batch: %s: %s\n", server, mxc_ctx_error(ctx));
    return 2;
  }
  if (no_libspf2) {
#ifdef MXC_SPF_LIBSPF2_MAX_RUNS
    mxc_ctx_set_libspf2(ctx, 0);
#else
    fprintf(stderr, "spf-batch: -L: this libmxcheck has no libspf2 view\n");
    return 2;
#endif
  }
  if (no_detail) {
#ifdef MXC_SPF_DETAIL_LINT
    mxc_ctx_set_spf_detail(ctx, 0);
#else
    fprintf(stderr, "spf-batch: -D: this libmxcheck has no SPF detail "
                    "option\n");
    return 2;
#endif
  }
  /* As mxcheck --batch: a bounded cache (1000 answers) unless told. */
  mxc_ctx_set_cache_max(ctx, cache >= 0 ? (size_t)cache : 1000);
  start_next();
  st = mxc_run(ctx, -1);
  if (st != MXC_OK)
    fprintf(stderr, "spf-batch: mxc_run: %s\n", mxc_strerror(st));
  mxc_ctx_free(ctx);
  if (fflush(stdout) != 0)
    return 2;
  return bad ? 1 : 0;
}
