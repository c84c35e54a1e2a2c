/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * monitor.c -- check a list of addresses every N seconds from a libevent
 * loop (<mxcheck/adapters/libevent.h>), one line per address and round:
 *
 *   monitor [-s SERVERS] [-i SECONDS] [-n ROUNDS] ADDRESS...
 *
 * SERVERS as mxcheck --server ("127.0.0.1:5353,[::1]"); default: the
 * system resolver.  -n 0 (the default) runs until interrupted.  Each round
 * starts an iprev check of every address; a round still running when the
 * next is due is skipped, not doubled.  Exit status: 0 when every check of
 * the last round passed, 1 otherwise, 2 on a usage or setup error.
 *
 * Build: cc monitor.c $(pkg-config --cflags --libs libmxcheck libevent)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <mxcheck.h>
#include <mxcheck/adapters/libevent.h>

struct monitor;

struct target {
  struct monitor *m;
  const char *addr;
};

struct monitor {
  mxc_ctx_t *ctx;
  struct event_base *base;
  struct target *targets;
  int ntargets;
  int rounds_left; /* -1: no limit */
  int running;     /* checks of this round not yet done */
  int failed;      /* checks of this round that did not pass */
};

static void done(mxc_check_t *chk, mxc_status_t st, const mxc_result_t *res,
                 void *arg)
{
  struct target *t = arg;
  struct monitor *m = t->m;
  const char *addr = t->addr;
  char when[32];
  time_t now = time(NULL);
  mxc_verdict_t v = mxc_result_verdict(res);
  (void)chk;

  strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  if (st != MXC_OK && st != MXC_EADDRESS) {
    printf("%s %s error %s\n", when, addr, mxc_strerror(st));
    m->failed++;
  } else {
    printf("%s %s %s %s\n", when, addr, mxc_verdict_str(v),
           mxc_result_reason(res));
    if (v != MXC_VERDICT_PASS)
      m->failed++;
  }
  fflush(stdout);
  if (--m->running == 0 && m->rounds_left == 0)
    event_base_loopbreak(m->base); /* the last round is done */
}

static void round_start(evutil_socket_t fd, short what, void *arg)
{
  struct monitor *m = arg;
  int i;
  (void)fd;
  (void)what;
  if (m->running > 0)
    return; /* the previous round is still running: skip this one */
  if (m->rounds_left == 0)
    return;
  if (m->rounds_left > 0)
    m->rounds_left--;
  m->failed = 0;
  for (i = 0; i < m->ntargets; i++) {
    struct target *t = &m->targets[i];
    /* MXC_OK: done() is called once, from the loop, never in here. */
    mxc_status_t st = mxc_iprev_start(m->ctx, t->addr, done, t, NULL);
    if (st == MXC_OK) {
      m->running++;
    } else {
      m->failed++;
      fprintf(stderr, "monitor: %s: %s\n", t->addr, mxc_strerror(st));
    }
  }
  if (m->running == 0 && m->rounds_left == 0)
    event_base_loopbreak(m->base); /* nothing started in the last round */
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
  (void)sig;
  (void)what;
  event_base_loopbreak(arg);
}

int main(int argc, char **argv)
{
  struct monitor m;
  const char *servers = NULL;
  long interval = 60;
  struct event *tick = NULL, *sigint = NULL;
  struct timeval tv;
  int c, rc = 2;

  memset(&m, 0, sizeof(m));
  m.rounds_left = -1;
  while ((c = getopt(argc, argv, "s:i:n:h")) != -1) {
    switch (c) {
    case 's':
      servers = optarg;
      break;
    case 'i':
      interval = strtol(optarg, NULL, 10);
      break;
    case 'n':
      m.rounds_left = atoi(optarg) > 0 ? atoi(optarg) : -1;
      break;
    default:
      fprintf(stderr, "usage: %s [-s SERVERS] [-i SECONDS] [-n ROUNDS] "
                      "ADDRESS...\n", argv[0]);
      return c == 'h' ? 0 : 2;
    }
  }
  if (optind == argc || interval < 1) {
    fprintf(stderr, "usage: %s [-s SERVERS] [-i SECONDS] [-n ROUNDS] "
                    "ADDRESS...\n", argv[0]);
    return 2;
  }
  m.ntargets = argc - optind;
  m.targets = calloc((size_t)m.ntargets, sizeof(*m.targets));
  if (m.targets == NULL)
    return 2;
  for (c = 0; c < m.ntargets; c++) {
    m.targets[c].m = &m;
    m.targets[c].addr = argv[optind + c];
  }

  m.base = event_base_new();
  if (m.base == NULL || mxc_ctx_new(&m.ctx) != MXC_OK)
    goto done;
  if (servers && mxc_ctx_set_servers(m.ctx, servers) != MXC_OK) {
    fprintf(stderr, "monitor: %s\n", mxc_ctx_error(m.ctx));
    goto done;
  }
  if (mxc_attach_libevent(m.ctx, m.base) != MXC_OK)
    goto done;
  tick = event_new(m.base, -1, EV_PERSIST, round_start, &m);
  sigint = evsignal_new(m.base, SIGINT, on_signal, m.base);
  if (tick == NULL || sigint == NULL)
    goto done;
  tv.tv_sec = interval;
  tv.tv_usec = 0;
  event_add(tick, &tv);
  event_add(sigint, NULL);
  round_start(-1, 0, &m); /* the first round at once */
  event_base_dispatch(m.base);
  rc = m.failed ? 1 : 0;
done:
  if (rc == 2)
    fprintf(stderr, "monitor: setup failed\n");
  mxc_ctx_free(m.ctx); /* before the base: it removes its events */
  if (tick)
    event_free(tick);
  if (sigint)
    event_free(sigint);
  if (m.base)
    event_base_free(m.base);
  free(m.targets);
  return rc;
}
