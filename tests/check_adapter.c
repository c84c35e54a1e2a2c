/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_adapter.c -- the event-loop adapters (lib/adapters/) against Knot
 * on loopback (tests/zones): hundreds of concurrent checks, cancel, free
 * with checks pending and from inside a callback, a second attach refused,
 * and the callback contract (exactly once, never inside start), all run by
 * the loop library.  Built once per adapter (check_adapter_libevent,
 * _libev, _libuv); without its library the program exits 77 (SKIP).
 */
#if defined(MXC_TEST_LIBEVENT) || defined(MXC_TEST_LIBEV) ||                  \
    defined(MXC_TEST_LIBUV)

#include "testutil.h"

#include <time.h>

#if defined(MXC_TEST_LIBEVENT)
#include "adapters/libevent.h"
#define LOOP_NAME "libevent"
typedef struct event_base loop_t;
static loop_t *loop_new(void) { return event_base_new(); }
static void loop_once(loop_t *l) { event_base_loop(l, EVLOOP_ONCE); }
static void loop_stop(loop_t *l) { event_base_loopbreak(l); }
static mxc_status_t loop_attach(mxc_ctx_t *c, loop_t *l)
{
  return mxc_attach_libevent(c, l);
}
/* After mxc_ctx_free(): nothing of ours is left in the loop. */
static void loop_free_clean(loop_t *l)
{
  ck_assert_int_eq(event_base_get_num_events(l, EVENT_BASE_COUNT_ADDED), 0);
  event_base_free(l);
}
#elif defined(MXC_TEST_LIBEV)
#include "adapters/libev.h"
#define LOOP_NAME "libev"
typedef struct ev_loop loop_t;
static loop_t *loop_new(void) { return ev_loop_new(EVFLAG_AUTO); }
static void loop_once(loop_t *l) { ev_run(l, EVRUN_ONCE); }
static void loop_stop(loop_t *l) { ev_break(l, EVBREAK_ONE); }
static mxc_status_t loop_attach(mxc_ctx_t *c, loop_t *l)
{
  return mxc_attach_libev(c, l);
}
static void loop_free_clean(loop_t *l)
{
  /* ev_run() is false when no watcher is active. */
  ck_assert_int_eq(ev_run(l, EVRUN_NOWAIT), 0);
  ev_loop_destroy(l);
}
#else
#include "adapters/libuv.h"
#define LOOP_NAME "libuv"
typedef uv_loop_t loop_t;
static loop_t *loop_new(void)
{
  uv_loop_t *l = malloc(sizeof(*l));
  ck_assert_ptr_nonnull(l);
  ck_assert_int_eq(uv_loop_init(l), 0);
  return l;
}
static void loop_once(loop_t *l) { uv_run(l, UV_RUN_ONCE); }
/* UV_RUN_ONCE runs due timers and then still waits for I/O: a turn whose
 * timer delivered the last check would wait on c-ares's idle socket. */
static void loop_stop(loop_t *l) { uv_stop(l); }
static mxc_status_t loop_attach(mxc_ctx_t *c, loop_t *l)
{
  return mxc_attach_libuv(c, l);
}
static void loop_free_clean(loop_t *l)
{
  /* The closes complete (a turn or two); then no handle is left, else
   * uv_loop_close() says UV_EBUSY. */
  int turns = 0;
  while (uv_run(l, UV_RUN_NOWAIT) != 0 && turns < 10)
    turns++;
  ck_assert_int_lt(turns, 10);
  ck_assert_int_eq(uv_loop_close(l), 0);
  free(l);
}
#endif

static const char *server;
static mxc_ctx_t *ctx;
static loop_t *loop;
static int in_start;

struct rec {
  int calls;
  int inside_start;
  mxc_status_t st;
  mxc_verdict_t v;
  int free_ctx; /* free the context from this callback */
};

/* Addresses of tests/zones and their verdicts (as check_engine.c). */
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

/* Checks started from inside a callback (free_in_callback). */
enum { NLATE = 20 };
static struct rec late[NLATE];

static void rec_cb(mxc_check_t *chk, mxc_status_t st, const mxc_result_t *res,
                   void *arg)
{
  struct rec *r = arg;
  ck_assert_ptr_eq(mxc_check_arg(chk), arg);
  r->calls++;
  r->inside_start |= in_start;
  r->st = st;
  r->v = mxc_result_verdict(res);
  loop_stop(loop); /* back to run_loop(), which looks at what is pending */
  if (r->free_ctx && ctx != NULL) {
    /* Checks started here are surely pending when the context goes. */
    char addr[64];
    size_t i;
    for (i = 0; i < NLATE; i++) {
      snprintf(addr, sizeof(addr), "2001:db8:7::%x", (unsigned)(i + 1));
      ck_assert_int_eq(mxc_iprev_start(ctx, addr, rec_cb, &late[i], NULL),
                       MXC_OK);
    }
    mxc_ctx_free(ctx); /* deferred until the library regains control */
    ctx = NULL;
  }
}

static mxc_check_t *start(const char *addr, struct rec *r)
{
  mxc_check_t *chk = NULL;
  in_start = 1;
  ck_assert_int_eq(mxc_iprev_start(ctx, addr, rec_cb, r, &chk), MXC_OK);
  in_start = 0;
  ck_assert_int_eq(r->calls, 0); /* never inside start */
  return chk;
}

/* Run the loop until no check is pending (or the context is gone). */
static void run_loop(void)
{
  time_t until = time(NULL) + 30;
  while (ctx != NULL && mxc_pending(ctx) > 0) {
    ck_assert_msg(time(NULL) < until, LOOP_NAME ": checks still pending");
    loop_once(loop);
  }
}

static void setup(void)
{
  loop = loop_new();
  ck_assert_ptr_nonnull(loop);
  ctx = tu_ctx(server);
  ck_assert_int_eq(loop_attach(ctx, loop), MXC_OK);
}

static void teardown(void)
{
  mxc_ctx_free(ctx);
  ctx = NULL;
  loop_free_clean(loop);
  loop = NULL;
}

static void no_callback(mxc_ctx_t *c, int fd, int what, void *u, void *s) {}

START_TEST(second_attach_refused)
{
  ck_assert_int_eq(loop_attach(ctx, loop), MXC_EBUSY);
  ck_assert_int_eq(mxc_set_socket_cb(ctx, no_callback, NULL), MXC_EBUSY);
  ck_assert_int_eq(loop_attach(NULL, loop), MXC_EINVAL);
  ck_assert_int_eq(loop_attach(ctx, NULL), MXC_EINVAL);
  {
    /* A context with the application's own callback refuses the adapter,
     * and the failed attach leaves nothing behind. */
    mxc_ctx_t *c2 = tu_ctx(server);
    ck_assert_int_eq(mxc_set_socket_cb(c2, no_callback, NULL), MXC_OK);
    ck_assert_int_eq(loop_attach(c2, loop), MXC_EBUSY);
    mxc_ctx_free(c2);
  }
  {
    /* The attach still works after the refusals. */
    struct rec r;
    memset(&r, 0, sizeof(r));
    start("192.0.2.1", &r);
    run_loop();
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(r.v, MXC_VERDICT_PASS);
  }
}
END_TEST

START_TEST(many_concurrent)
{
  enum { NZ = 480, NX = 160, N = NZ + NX };
  static struct rec recs[N];
  char addr[64];
  size_t i;
  memset(recs, 0, sizeof(recs));
  for (i = 0; i < NZ; i++)
    start(zone_cases[i % NZONE].addr, &recs[i]);
  /* Distinct names, so that many queries are in flight at once. */
  for (i = 0; i < NX; i++) {
    snprintf(addr, sizeof(addr), "2001:db8:%x::%x", (unsigned)(i % 7 + 2),
             (unsigned)(i + 1));
    start(addr, &recs[NZ + i]);
  }
  ck_assert_uint_eq(mxc_pending(ctx), N);
  run_loop();
  for (i = 0; i < N; i++) {
    ck_assert_int_eq(recs[i].calls, 1);
    ck_assert_int_eq(recs[i].inside_start, 0);
    ck_assert_int_eq(recs[i].st, MXC_OK);
    if (i < NZ)
      ck_assert_msg(recs[i].v == zone_cases[i % NZONE].v, "%s: %s",
                    zone_cases[i % NZONE].addr, mxc_verdict_str(recs[i].v));
  }
  /* Nothing pending: nothing due. */
  ck_assert_int_eq(mxc_timeout_ms(ctx), -1);
  /* A second round on the same context and loop (cache and new sockets). */
  memset(recs, 0, sizeof(recs));
  for (i = 0; i < 64; i++)
    start(zone_cases[i % NZONE].addr, &recs[i]);
  run_loop();
  for (i = 0; i < 64; i++)
    ck_assert_int_eq(recs[i].calls, 1);
}
END_TEST

START_TEST(cancel)
{
  enum { N = 200 };
  static struct rec recs[N];
  static mxc_check_t *chk[N];
  size_t i;
  memset(recs, 0, sizeof(recs));
  for (i = 0; i < N; i++)
    chk[i] = start(zone_cases[i % NZONE].addr, &recs[i]);
  /* Cancel every other check before the loop ran, a few more after one
   * turn of the loop. */
  for (i = 0; i < N; i += 2)
    mxc_check_cancel(chk[i]);
  for (i = 0; i < N; i += 2)
    ck_assert_int_eq(recs[i].calls, 1);
  loop_once(loop);
  for (i = 1; i < N; i += 6)
    if (recs[i].calls == 0)
      mxc_check_cancel(chk[i]);
  run_loop();
  for (i = 0; i < N; i++) {
    ck_assert_int_eq(recs[i].calls, 1);
    if (i % 2 == 0)
      ck_assert_int_eq(recs[i].st, MXC_ECANCELLED);
    else
      ck_assert(recs[i].st == MXC_OK || recs[i].st == MXC_ECANCELLED);
  }
}
END_TEST

START_TEST(free_pending)
{
  enum { N = 300 };
  static struct rec recs[N];
  char addr[64];
  size_t i;
  memset(recs, 0, sizeof(recs));
  for (i = 0; i < N; i++) {
    snprintf(addr, sizeof(addr), "2001:db8:9::%x", (unsigned)(i + 1));
    start(addr, &recs[i]);
  }
  loop_once(loop); /* queries are out, sockets watched */
  mxc_ctx_free(ctx);
  ctx = NULL;
  for (i = 0; i < N; i++) {
    ck_assert_int_eq(recs[i].calls, 1);
    ck_assert(recs[i].st == MXC_OK || recs[i].st == MXC_EDESTRUCTION);
  }
  /* teardown: the loop holds nothing of the context any more. */
}
END_TEST

START_TEST(free_in_callback)
{
  enum { N = 250 };
  static struct rec recs[N];
  size_t i;
  int destroyed = 0;
  char addr[64];
  memset(recs, 0, sizeof(recs));
  memset(late, 0, sizeof(late));
  /* Few queries at a time, so that most checks are still pending when the
   * first callback frees the context. */
  ck_assert_int_eq(mxc_ctx_set_max_inflight(ctx, 4), MXC_OK);
  for (i = 0; i < N; i++) {
    recs[i].free_ctx = 1; /* whichever is first frees the context */
    snprintf(addr, sizeof(addr), "192.0.2.%u", (unsigned)(i + 1));
    start(i < NZONE ? zone_cases[i].addr : addr, &recs[i]);
  }
  run_loop(); /* ends when the context is gone */
  ck_assert_ptr_null(ctx);
  for (i = 0; i < N; i++) {
    ck_assert_int_eq(recs[i].calls, 1);
    destroyed += recs[i].st == MXC_EDESTRUCTION;
  }
  for (i = 0; i < NLATE; i++) {
    ck_assert_int_eq(late[i].calls, 1);
    ck_assert_int_eq(late[i].st, MXC_EDESTRUCTION);
  }
  /* Usually most of recs[] too, unless the answers all came in one turn. */
  ck_assert_int_le(destroyed, N - 1);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("adapter_" LOOP_NAME);
  TCase *tc = tcase_create("loop");
  server = tu_server("MXC_TEST_DNS");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, second_attach_refused);
  tcase_add_test(tc, many_concurrent);
  tcase_add_test(tc, cancel);
  tcase_add_test(tc, free_pending);
  tcase_add_test(tc, free_in_callback);
  suite_add_tcase(s, tc);
  return tu_run_suite(s);
}

#else /* no loop library found by configure */

#include <stdio.h>

int main(void)
{
  fprintf(stderr, "SKIP: the adapter's event library was not found by "
                  "configure\n");
  return 77;
}

#endif
