/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_engine.c -- the engine's contract (mxcheck.h): exactly one callback,
 * never inside start, cancel, free with checks pending and from inside a
 * callback, re-entry, de-duplication and cache, the external-loop API,
 * the bound on queries in flight, options, and allocation failures.
 * Against Knot on loopback (tests/zones).
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mxc_private.h"

static const char *server;
static mxc_ctx_t *ctx;
static int in_start;

static void setup(void) { ctx = tu_ctx(server); }
static void teardown(void) { mxc_ctx_free(ctx); }

struct rec {
  int calls;
  int inside_start;
  mxc_status_t st;
  mxc_verdict_t v;
  int had_res;
};

static void rec_cb(mxc_check_t *chk, mxc_status_t st, const mxc_result_t *res,
                   void *arg)
{
  struct rec *r = arg;
  ck_assert_ptr_eq(mxc_check_arg(chk), arg);
  r->calls++;
  r->inside_start |= in_start;
  r->st = st;
  r->had_res = res != NULL;
  r->v = mxc_result_verdict(res);
}

static mxc_status_t start(const char *addr, struct rec *r, mxc_check_t **chk)
{
  mxc_status_t st;
  in_start = 1;
  st = mxc_fcrdns_start(ctx, addr, rec_cb, r, chk);
  in_start = 0;
  return st;
}

/* Addresses of tests/zones and their verdicts. */
static const struct {
  const char *addr;
  mxc_verdict_t v;
} zone_cases[] = {
    {"192.0.2.1", MXC_VERDICT_PASS},      {"2001:db8::1", MXC_VERDICT_PASS},
    {"192.0.2.2", MXC_VERDICT_PASS},      {"2001:db8::2", MXC_VERDICT_PASS},
    {"192.0.2.3", MXC_VERDICT_PASS},      {"2001:db8::3", MXC_VERDICT_PASS},
    {"2001:db8::4", MXC_VERDICT_FAIL},    {"192.0.2.5", MXC_VERDICT_PERMERROR},
    {"2001:db8:1::5", MXC_VERDICT_PERMERROR},
    {"192.0.2.6", MXC_VERDICT_FAIL},      {"192.0.2.7", MXC_VERDICT_FAIL},
    {"2001:db8::7", MXC_VERDICT_FAIL},    {"192.0.2.8", MXC_VERDICT_FAIL},
    {"192.0.2.9", MXC_VERDICT_PASS},      {"192.0.2.10", MXC_VERDICT_FAIL},
    {"2001:db8::11", MXC_VERDICT_PASS},
};
#define NZONE (sizeof(zone_cases) / sizeof(zone_cases[0]))

START_TEST(many_concurrent_exactly_once)
{
  enum { N = 800 };
  static struct rec recs[N];
  size_t i;
  memset(recs, 0, sizeof(recs));
  for (i = 0; i < N; i++)
    ck_assert_int_eq(start(zone_cases[i % NZONE].addr, &recs[i], NULL),
                     MXC_OK);
  ck_assert_uint_eq(mxc_pending(ctx), N);
  for (i = 0; i < N; i++)
    ck_assert_int_eq(recs[i].calls, 0);
  ck_assert_int_eq(mxc_run(ctx, 20000), MXC_OK);
  ck_assert_uint_eq(mxc_pending(ctx), 0);
  for (i = 0; i < N; i++) {
    ck_assert_int_eq(recs[i].calls, 1);
    ck_assert_int_eq(recs[i].inside_start, 0);
    ck_assert_int_eq(recs[i].st, MXC_OK);
    ck_assert_msg(recs[i].v == zone_cases[i % NZONE].v, "%s: %s",
                  zone_cases[i % NZONE].addr, mxc_verdict_str(recs[i].v));
  }
}
END_TEST

START_TEST(never_inside_start)
{
  struct rec a = {0}, b = {0}, c = {0};
  ck_assert_int_eq(start("192.0.2.1", &a, NULL), MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  /* Now every answer is cached, and the second check could complete at
   * once: it must still wait for the loop. */
  ck_assert_int_eq(start("192.0.2.1", &b, NULL), MXC_OK);
  ck_assert_int_eq(start("not-an-address", &c, NULL), MXC_OK);
  ck_assert_int_eq(b.calls + c.calls, 0);
  ck_assert_int_eq(mxc_timeout_ms(ctx), 0);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  ck_assert_int_eq(b.calls, 1);
  ck_assert_int_eq(b.v, MXC_VERDICT_PASS);
  ck_assert_int_eq(c.calls, 1);
  ck_assert_int_eq(c.st, MXC_EADDRESS);
  ck_assert_int_eq(c.had_res, 1);
  ck_assert_int_eq(b.inside_start | c.inside_start, 0);
}
END_TEST

START_TEST(start_rejects_bad_arguments)
{
  struct rec a = {0};
  mxc_check_t *chk = (mxc_check_t *)&a;
  ck_assert_int_eq(mxc_fcrdns_start(NULL, "192.0.2.1", rec_cb, &a, &chk),
                   MXC_EINVAL);
  ck_assert_ptr_null(chk);
  ck_assert_int_eq(mxc_fcrdns_start(ctx, NULL, rec_cb, &a, NULL), MXC_EINVAL);
  ck_assert_int_eq(mxc_fcrdns_start(ctx, "192.0.2.1", NULL, &a, NULL),
                   MXC_EINVAL);
  ck_assert_int_eq(mxc_run(ctx, 1000), MXC_OK);
  ck_assert_int_eq(a.calls, 0);
}
END_TEST

START_TEST(cancel_delivers_once)
{
  struct rec a = {0}, b = {0};
  mxc_check_t *chk;
  mxc_stats_t st;
  ck_assert_int_eq(start("2001:db8::1", &a, &chk), MXC_OK);
  ck_assert_int_eq(start("192.0.2.7", &b, NULL), MXC_OK);
  mxc_check_cancel(chk);
  ck_assert_int_eq(a.calls, 1);
  ck_assert_int_eq(a.st, MXC_ECANCELLED);
  ck_assert_int_eq(a.had_res, 0);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  ck_assert_int_eq(a.calls, 1);
  ck_assert_int_eq(b.calls, 1);
  ck_assert_int_eq(b.v, MXC_VERDICT_FAIL);
  /* The cancelled check's query still filled the cache. */
  mxc_ctx_stats(ctx, &st);
  ck_assert_uint_ge(st.cache_entries, 3);
  ck_assert_uint_eq(st.inflight, 0);
}
END_TEST

START_TEST(cancel_finished_but_undelivered)
{
  struct rec a = {0}, w = {0};
  mxc_check_t *chk;
  ck_assert_int_eq(start("192.0.2.1", &w, NULL), MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  /* Cached: the check is finished at start and queued for delivery. */
  ck_assert_int_eq(start("192.0.2.1", &a, &chk), MXC_OK);
  mxc_check_cancel(chk);
  ck_assert_int_eq(a.calls, 1);
  ck_assert_int_eq(a.st, MXC_ECANCELLED);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  ck_assert_int_eq(a.calls, 1);
}
END_TEST

static mxc_check_t *victim;
static struct rec victim_rec;

static void cancel_other_cb(mxc_check_t *chk, mxc_status_t st,
                            const mxc_result_t *res, void *arg)
{
  rec_cb(chk, st, res, arg);
  if (victim_rec.calls == 0)
    mxc_check_cancel(victim);
  /* Cancelling oneself from one's own callback is a no-op. */
  mxc_check_cancel(chk);
}

START_TEST(cancel_from_callback)
{
  struct rec a = {0};
  memset(&victim_rec, 0, sizeof(victim_rec));
  ck_assert_int_eq(mxc_fcrdns_start(ctx, "bad", cancel_other_cb, &a, NULL),
                   MXC_OK);
  ck_assert_int_eq(start("2001:db8::2", &victim_rec, &victim), MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  ck_assert_int_eq(a.calls, 1);
  ck_assert_int_eq(victim_rec.calls, 1);
  ck_assert_int_eq(victim_rec.st, MXC_ECANCELLED);
}
END_TEST

static int chain_left, chain_calls;

static void chain_cb(mxc_check_t *chk, mxc_status_t st,
                     const mxc_result_t *res, void *arg)
{
  (void)chk;
  (void)arg;
  ck_assert_int_eq(st, MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(res), MXC_VERDICT_PASS);
  chain_calls++;
  if (--chain_left > 0)
    ck_assert_int_eq(mxc_fcrdns_start(chk->ctx, chain_left % 2 ? "192.0.2.3"
                                                               : "2001:db8::3",
                                      chain_cb, NULL, NULL),
                     MXC_OK);
}

START_TEST(start_from_callback)
{
  chain_left = 50;
  chain_calls = 0;
  ck_assert_int_eq(mxc_fcrdns_start(ctx, "192.0.2.1", chain_cb, NULL, NULL),
                   MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 10000), MXC_OK);
  ck_assert_int_eq(chain_calls, 50);
}
END_TEST

START_TEST(free_with_pending)
{
  enum { N = 100 };
  static struct rec recs[N];
  mxc_ctx_t *c = tu_ctx(server);
  size_t i;
  memset(recs, 0, sizeof(recs));
  for (i = 0; i < N; i++)
    ck_assert_int_eq(mxc_fcrdns_start(c, zone_cases[i % NZONE].addr, rec_cb,
                                      &recs[i], NULL),
                     MXC_OK);
  /* Half of them get their answers on the way. */
  mxc_process_fds(c, NULL, 0);
  mxc_ctx_free(c);
  for (i = 0; i < N; i++) {
    ck_assert_int_eq(recs[i].calls, 1);
    ck_assert_int_eq(recs[i].st, MXC_EDESTRUCTION);
    ck_assert_int_eq(recs[i].had_res, 0);
  }
}
END_TEST

static int freed_calls, destroyed_calls;

static void free_in_cb(mxc_check_t *chk, mxc_status_t st,
                       const mxc_result_t *res, void *arg)
{
  (void)res;
  (void)arg;
  if (st == MXC_EDESTRUCTION) {
    destroyed_calls++;
    /* Starting on a context being freed is refused. */
    ck_assert_int_eq(mxc_fcrdns_start(chk->ctx, "192.0.2.1", free_in_cb, NULL,
                                      NULL),
                     MXC_EDESTRUCTION);
    return;
  }
  freed_calls++;
  mxc_ctx_free(chk->ctx);
  mxc_ctx_free(chk->ctx); /* a second call is harmless */
}

START_TEST(free_inside_callback)
{
  mxc_ctx_t *c = tu_ctx(server);
  int i;
  freed_calls = destroyed_calls = 0;
  ck_assert_int_eq(mxc_fcrdns_start(c, "bad address", free_in_cb, NULL, NULL),
                   MXC_OK);
  for (i = 0; i < 20; i++)
    ck_assert_int_eq(mxc_fcrdns_start(c, zone_cases[i % NZONE].addr,
                                      free_in_cb, NULL, NULL),
                     MXC_OK);
  /* The first delivery frees the context; mxc_run returns without touching
   * it again (ASan and valgrind watch this). */
  ck_assert_int_eq(mxc_run(c, 5000), MXC_OK);
  ck_assert_int_eq(freed_calls, 1);
  ck_assert_int_eq(destroyed_calls, 20);
}
END_TEST

static void free_in_cb_external(mxc_check_t *chk, mxc_status_t st,
                                const mxc_result_t *res, void *arg)
{
  (void)res;
  (void)st;
  *(int *)arg += 1;
  mxc_ctx_free(chk->ctx);
}

START_TEST(free_inside_callback_external_loop)
{
  mxc_ctx_t *c = tu_ctx(server);
  int calls = 0;
  ck_assert_int_eq(mxc_fcrdns_start(c, "bad", free_in_cb_external, &calls,
                                    NULL),
                   MXC_OK);
  /* Delivered from mxc_process_fds, which then frees the context. */
  ck_assert_int_eq(mxc_process_fds(c, NULL, 0), MXC_OK);
  ck_assert_int_eq(calls, 1);
}
END_TEST

static mxc_status_t rec_run, rec_proc, rec_sync;

static void recursive_cb(mxc_check_t *chk, mxc_status_t st,
                         const mxc_result_t *res, void *arg)
{
  mxc_result_t *r = NULL;
  (void)st;
  (void)res;
  (void)arg;
  rec_run = mxc_run(chk->ctx, 10);
  rec_proc = mxc_process_fds(chk->ctx, NULL, 0);
  rec_sync = mxc_fcrdns_sync(chk->ctx, "192.0.2.1", &r);
  ck_assert_ptr_null(r);
}

START_TEST(recursive_calls_refused)
{
  rec_run = rec_proc = rec_sync = MXC_OK;
  ck_assert_int_eq(mxc_fcrdns_start(ctx, "192.0.2.1", recursive_cb, NULL,
                                    NULL),
                   MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  ck_assert_int_eq(rec_run, MXC_ERECURSIVE);
  ck_assert_int_eq(rec_proc, MXC_ERECURSIVE);
  ck_assert_int_eq(rec_sync, MXC_ERECURSIVE);
}
END_TEST

START_TEST(dedup_and_cache)
{
  struct rec a = {0}, b = {0}, c = {0};
  mxc_stats_t s1, s2, s3;
  ck_assert_int_eq(start("2001:db8::2", &a, NULL), MXC_OK);
  ck_assert_int_eq(start("2001:db8::2", &b, NULL), MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  mxc_ctx_stats(ctx, &s1);
  /* One PTR and three AAAA queries, shared by both checks. */
  ck_assert_uint_eq(s1.queries_sent, 4);
  ck_assert_uint_ge(s1.dedup_joins, 1);
  ck_assert_int_eq(a.v, MXC_VERDICT_PASS);
  ck_assert_int_eq(b.v, MXC_VERDICT_PASS);
  /* Later: from the cache, no new query. */
  ck_assert_int_eq(start("2001:db8::2", &c, NULL), MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  mxc_ctx_stats(ctx, &s2);
  ck_assert_uint_eq(s2.queries_sent, 4);
  ck_assert_uint_ge(s2.cache_hits, s1.cache_hits + 4);
  ck_assert_int_eq(c.v, MXC_VERDICT_PASS);
  /* Changing the servers flushes the cache. */
  ck_assert_int_eq(mxc_ctx_set_servers(ctx, server), MXC_OK);
  mxc_ctx_stats(ctx, &s3);
  ck_assert_uint_eq(s3.cache_entries, 0);
}
END_TEST

START_TEST(bounded_inflight)
{
  enum { N = 40 };
  static struct rec recs[N];
  mxc_stats_t st;
  size_t i, max_seen = 0;
  memset(recs, 0, sizeof(recs));
  ck_assert_int_eq(mxc_ctx_set_max_inflight(ctx, 3), MXC_OK);
  for (i = 0; i < N; i++)
    ck_assert_int_eq(start(zone_cases[i % NZONE].addr, &recs[i], NULL),
                     MXC_OK);
  mxc_ctx_stats(ctx, &st);
  ck_assert_uint_le(st.inflight, 3);
  ck_assert_uint_gt(st.queued, 0);
  while (mxc_pending(ctx) > 0) {
    mxc_status_t rs = mxc_run(ctx, 50);
    ck_assert(rs == MXC_OK || rs == MXC_ETIMEOUT);
    mxc_ctx_stats(ctx, &st);
    if (st.inflight > max_seen)
      max_seen = st.inflight;
  }
  ck_assert_uint_le(max_seen, 3);
  for (i = 0; i < N; i++) {
    ck_assert_int_eq(recs[i].calls, 1);
    ck_assert_int_eq(recs[i].v, zone_cases[i % NZONE].v);
  }
}
END_TEST

/* ---- the external-loop API ------------------------------------------------ */

struct loop {
  int fds[16];
  int what[16];
  void *sp[16];
  int nfds;
  long timer; /* -2: never set */
  int timer_calls;
  int sock_calls;
};

static void sock_cb(mxc_ctx_t *c, int fd, int what, void *userp,
                    void *socketp)
{
  struct loop *l = userp;
  int i;
  l->sock_calls++;
  for (i = 0; i < l->nfds; i++)
    if (l->fds[i] == fd)
      break;
  if (what == MXC_POLL_REMOVE) {
    ck_assert_int_lt(i, l->nfds);
    ck_assert_ptr_eq(socketp, l->sp[i]);
    l->fds[i] = l->fds[l->nfds - 1];
    l->what[i] = l->what[l->nfds - 1];
    l->sp[i] = l->sp[l->nfds - 1];
    l->nfds--;
    return;
  }
  if (i == l->nfds) {
    ck_assert_int_lt(l->nfds, 16);
    l->fds[l->nfds++] = fd;
    /* Store our own pointer with the socket, as an adapter would. */
    l->sp[i] = &l->fds[i];
    ck_assert_int_eq(mxc_assign(c, fd, l->sp[i]), MXC_OK);
  } else {
    ck_assert_ptr_eq(socketp, l->sp[i]);
  }
  l->what[i] = what;
}

static int detach_calls, detach_nfds;
static void detach_cb(mxc_ctx_t *c, void *userp)
{
  struct loop *l = userp;
  (void)c;
  detach_calls++;
  detach_nfds = l->nfds; /* after every socket's MXC_POLL_REMOVE */
}

static void timer_cb(mxc_ctx_t *c, long ms, void *userp)
{
  struct loop *l = userp;
  (void)c;
  l->timer_calls++;
  l->timer = ms;
}

START_TEST(external_loop)
{
  struct loop l;
  enum { N = 30 };
  static struct rec recs[N];
  size_t i;
  int rounds = 0;
  memset(&l, 0, sizeof(l));
  memset(recs, 0, sizeof(recs));
  l.timer = -2;
  ck_assert_int_eq(mxc_set_socket_cb(ctx, sock_cb, &l), MXC_OK);
  ck_assert_int_eq(mxc_set_timer_cb(ctx, timer_cb, &l), MXC_OK);
  /* One loop at a time: a second attach is refused until a detach. */
  ck_assert_int_eq(mxc_set_socket_cb(ctx, sock_cb, &l), MXC_EBUSY);
  ck_assert_int_eq(mxc_set_timer_cb(ctx, timer_cb, &l), MXC_EBUSY);
  ck_assert_int_eq(mxc_set_socket_cb(ctx, NULL, NULL), MXC_OK);
  ck_assert_int_eq(mxc_set_timer_cb(ctx, NULL, NULL), MXC_OK);
  ck_assert_int_eq(mxc_set_socket_cb(ctx, sock_cb, &l), MXC_OK);
  ck_assert_int_eq(mxc_set_timer_cb(ctx, timer_cb, &l), MXC_OK);
  ck_assert_int_eq(mxc_assign(ctx, 12345, NULL), MXC_EINVAL);
  detach_calls = 0;
  detach_nfds = -1;
  ck_assert_int_eq(mxc_set_detach_cb(ctx, detach_cb, &l), MXC_OK);
  ck_assert_int_eq(mxc_set_detach_cb(ctx, detach_cb, &l), MXC_EBUSY);
  for (i = 0; i < N; i++)
    ck_assert_int_eq(start(zone_cases[i % NZONE].addr, &recs[i], NULL),
                     MXC_OK);
  ck_assert_int_ge(l.nfds, 1);
  ck_assert_int_ge(l.timer, 0);
  while (mxc_pending(ctx) > 0 && rounds++ < 2000) {
    struct pollfd p[16];
    mxc_fd_event_t ev[16];
    int n = 0, k;
    for (k = 0; k < l.nfds; k++) {
      p[k].fd = l.fds[k];
      p[k].events = (short)(((l.what[k] & MXC_POLL_IN) ? POLLIN : 0) |
                            ((l.what[k] & MXC_POLL_OUT) ? POLLOUT : 0));
      p[k].revents = 0;
    }
    k = poll(p, (nfds_t)l.nfds, l.timer < 0 ? 1000 : (int)l.timer);
    ck_assert_int_ge(k, 0);
    for (k = 0; k < l.nfds; k++)
      if (p[k].revents) {
        ev[n].fd = p[k].fd;
        ev[n].events = ((p[k].revents & (POLLIN | POLLERR | POLLHUP))
                            ? MXC_POLL_IN
                            : 0) |
                       ((p[k].revents & POLLOUT) ? MXC_POLL_OUT : 0);
        n++;
      }
    ck_assert_int_eq(mxc_process_fds(ctx, n ? ev : NULL, (size_t)n), MXC_OK);
  }
  for (i = 0; i < N; i++) {
    ck_assert_int_eq(recs[i].calls, 1);
    ck_assert_int_eq(recs[i].v, zone_cases[i % NZONE].v);
  }
  /* Nothing pending: the timer is deleted. */
  ck_assert_int_eq(l.timer, -1);
  ck_assert_int_eq(mxc_timeout_ms(ctx), -1);
  ck_assert_int_gt(l.timer_calls, 1);
  mxc_ctx_free(ctx);
  ctx = NULL;
  /* Freeing removes every socket, then calls the detach callback once. */
  ck_assert_int_eq(l.nfds, 0);
  ck_assert_int_eq(detach_calls, 1);
  ck_assert_int_eq(detach_nfds, 0);
}
END_TEST

/* ---- options ----------------------------------------------------------------- */

START_TEST(options)
{
  struct rec a = {0};
  static const char *const bad[] = {"",
                                    "mail.example.org",
                                    "127.0.0.1:0",
                                    "127.0.0.1:65536",
                                    "127.0.0.1:x",
                                    "127.0.0.1,",
                                    "[::1",
                                    "[::1]x",
                                    "1.2.3.4:53:53",
                                    " , "};
  size_t i;
  for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
    ck_assert_msg(mxc_ctx_set_servers(ctx, bad[i]) == MXC_EINVAL, "\"%s\"",
                  bad[i]);
    ck_assert_str_ne(mxc_ctx_error(ctx), "");
  }
  ck_assert_int_eq(mxc_ctx_set_servers(ctx, "127.0.0.1:53, [::1]:5353, ::1"),
                   MXC_OK);
  ck_assert_int_eq(mxc_ctx_set_servers(ctx, server), MXC_OK);
  ck_assert_int_eq(mxc_ctx_set_timeout_ms(ctx, 0), MXC_EINVAL);
  ck_assert_int_eq(mxc_ctx_set_timeout_ms(ctx, 60001), MXC_EINVAL);
  ck_assert_int_eq(mxc_ctx_set_tries(ctx, 0), MXC_EINVAL);
  ck_assert_int_eq(mxc_ctx_set_tries(ctx, 11), MXC_EINVAL);
  ck_assert_int_eq(mxc_ctx_set_max_inflight(ctx, 0), MXC_EINVAL);
  ck_assert_int_eq(mxc_ctx_set_edns(ctx, 0), MXC_OK);
  /* Not while checks are pending. */
  ck_assert_int_eq(start("192.0.2.1", &a, NULL), MXC_OK);
  ck_assert_int_eq(mxc_ctx_set_timeout_ms(ctx, 1000), MXC_EBUSY);
  ck_assert_int_eq(mxc_ctx_set_servers(ctx, server), MXC_EBUSY);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  /* Without EDNS the check works the same. */
  ck_assert_int_eq(a.v, MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_ctx_set_timeout_ms(ctx, 1000), MXC_OK);
  ck_assert_int_eq(mxc_ctx_set_edns(ctx, 1), MXC_OK);
  /* NULL is accepted by the free functions. */
  mxc_ctx_free(NULL);
  mxc_result_free(NULL);
  mxc_free(NULL);
  mxc_check_cancel(NULL);
  ck_assert_int_eq(mxc_ctx_new(NULL), MXC_EINVAL);
}
END_TEST

START_TEST(run_timeout)
{
  /* A server that never answers (faultdns case 2): mxc_run gives up. */
  const char *fault = getenv("MXC_TEST_FAULT");
  mxc_ctx_t *c;
  struct rec a = {0};
  if (fault == NULL)
    return;
  c = tu_ctx(fault);
  ck_assert_int_eq(mxc_fcrdns_start(c, "198.51.100.2", rec_cb, &a, NULL),
                   MXC_OK);
  ck_assert_int_eq(mxc_run(c, 50), MXC_ETIMEOUT);
  ck_assert_int_eq(a.calls, 0);
  mxc_ctx_free(c);
  ck_assert_int_eq(a.calls, 1);
  ck_assert_int_eq(a.st, MXC_EDESTRUCTION);
}
END_TEST

START_TEST(cache_bounded)
{
  enum { N = 64 };
  static struct rec recs[N];
  mxc_stats_t st;
  size_t i;
  memset(recs, 0, sizeof(recs));
  ck_assert_int_eq(mxc_ctx_set_cache_max(ctx, 5), MXC_OK);
  for (i = 0; i < N; i++)
    ck_assert_int_eq(start(zone_cases[i % NZONE].addr, &recs[i], NULL),
                     MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 10000), MXC_OK);
  mxc_ctx_stats(ctx, &st);
  ck_assert_uint_le(st.cache_entries, 5);
  for (i = 0; i < N; i++)
    ck_assert_int_eq(recs[i].v, zone_cases[i % NZONE].v);
  /* No cache at all: queries in flight are still shared. */
  ck_assert_int_eq(mxc_ctx_set_cache_max(ctx, 0), MXC_OK);
  memset(recs, 0, sizeof(recs));
  for (i = 0; i < N; i++)
    ck_assert_int_eq(start(zone_cases[i % NZONE].addr, &recs[i], NULL),
                     MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 10000), MXC_OK);
  mxc_ctx_stats(ctx, &st);
  ck_assert_uint_eq(st.cache_entries, 0);
  ck_assert_uint_gt(st.dedup_joins, 0);
  for (i = 0; i < N; i++)
    ck_assert_int_eq(recs[i].v, zone_cases[i % NZONE].v);
}
END_TEST

START_TEST(random_query_ids)
{
  /* A server of our own that only reads the queries: their IDs must not
   * be predictable (RFC 5452), nor all the same. */
  int fd = socket(AF_INET, SOCK_DGRAM, 0), i, distinct = 0;
  struct sockaddr_in sa;
  socklen_t sl = sizeof(sa);
  char srv[64];
  unsigned ids[16];
  mxc_ctx_t *c;
  ck_assert_int_ge(fd, 0);
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
  snprintf(srv, sizeof(srv), "127.0.0.1:%u", ntohs(sa.sin_port));
  c = tu_ctx(srv);
  for (i = 0; i < 16; i++) {
    char addr[32];
    snprintf(addr, sizeof(addr), "192.0.2.%d", 100 + i);
    ck_assert_int_eq(mxc_fcrdns_start(c, addr, rec_cb, &victim_rec, NULL),
                     MXC_OK);
  }
  for (i = 0; i < 16; i++) {
    unsigned char buf[512];
    struct pollfd p = {fd, POLLIN, 0};
    ck_assert_int_eq(poll(&p, 1, 2000), 1);
    ck_assert_int_ge(recv(fd, buf, sizeof(buf), 0), 12);
    ids[i] = (unsigned)(buf[0] << 8 | buf[1]);
  }
  for (i = 0; i < 16; i++) {
    int j, seen = 0;
    for (j = 0; j < i; j++)
      seen |= ids[j] == ids[i];
    distinct += !seen;
  }
  /* 16 random 16-bit values: a collision or two at most. */
  ck_assert_int_ge(distinct, 14);
  mxc_ctx_free(c);
  close(fd);
}
END_TEST

/* ---- allocation failures ------------------------------------------------------ */

START_TEST(allocation_failures)
{
  /* Fail each allocation in turn, from creating the context to the end
   * of a check with CNAMEs and several names: never a crash, never two
   * callbacks (ASan/valgrind check leaks). */
  int n, completed = 0;
  for (n = 1; n < 400; n++) {
    mxc_ctx_t *c = NULL;
    struct rec a = {0}, b = {0};
    mxc_status_t st;
    mxci_alloc_fail_after(n);
    st = mxc_ctx_new(&c);
    if (st == MXC_OK) {
      if (mxc_ctx_set_servers(c, server) == MXC_OK) {
        int sa = mxc_fcrdns_start(c, "192.0.2.2", rec_cb, &a, NULL);
        int sb = mxc_fcrdns_start(c, "2001:db8::3", rec_cb, &b, NULL);
        mxc_run(c, 5000);
        ck_assert_int_le(a.calls, 1);
        ck_assert_int_le(b.calls, 1);
        if (sa == MXC_OK && sb == MXC_OK)
          completed++;
      }
      mxc_ctx_free(c);
      ck_assert_int_eq(a.calls <= 1 && b.calls <= 1, 1);
    } else {
      ck_assert_int_eq(st, MXC_ENOMEM);
    }
  }
  mxci_alloc_fail_after(0);
  ck_assert_int_gt(completed, 0);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("engine");
  TCase *t = tcase_create("contract");
  server = tu_server("MXC_TEST_DNS");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, many_concurrent_exactly_once);
  tcase_add_test(t, never_inside_start);
  tcase_add_test(t, start_rejects_bad_arguments);
  tcase_add_test(t, cancel_delivers_once);
  tcase_add_test(t, cancel_finished_but_undelivered);
  tcase_add_test(t, cancel_from_callback);
  tcase_add_test(t, start_from_callback);
  tcase_add_test(t, free_with_pending);
  tcase_add_test(t, free_inside_callback);
  tcase_add_test(t, free_inside_callback_external_loop);
  tcase_add_test(t, recursive_calls_refused);
  tcase_add_test(t, dedup_and_cache);
  tcase_add_test(t, bounded_inflight);
  tcase_add_test(t, cache_bounded);
  tcase_add_test(t, random_query_ids);
  tcase_add_test(t, external_loop);
  tcase_add_test(t, options);
  tcase_add_test(t, run_timeout);
  tcase_add_test(t, allocation_failures);
  suite_add_tcase(s, t);
  return tu_run_suite(s);
}
