/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * run.c -- the loop driver: mxc_process_fds() feeds the application's
 * events to c-ares and delivers finished checks; mxc_run() is a poll()
 * loop over it; the checks' _sync() wrappers start a check and run until
 * its callback fired (as libcurl's easy interface sits on multi) through
 * mxci_sync_*.
 */
#include "mxc_private.h"

#include <errno.h>
#include <poll.h>

mxc_status_t mxc_process_fds(mxc_ctx_t *ctx, const mxc_fd_event_t *ev,
                             size_t n)
{
  size_t i;
  if (!mxci_ctx_valid(ctx) || (ev == NULL && n > 0))
    return MXC_EINVAL;
  if (ctx->in_callback || ctx->processing)
    return MXC_ERECURSIVE;
  ctx->processing = 1;
  if (n == 0) {
    /* The timer fired (or the application polls): its state is unknown,
     * so the next deadline, even "none", is reported. */
    ctx->timer_deadline = -2;
    ares_process_fd(ctx->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  } else {
    /* Each call also handles c-ares's expired timeouts. */
    for (i = 0; i < n; i++) {
      ares_socket_t r = (ev[i].events & MXC_POLL_IN) ? ev[i].fd
                                                     : ARES_SOCKET_BAD;
      ares_socket_t w = (ev[i].events & MXC_POLL_OUT) ? ev[i].fd
                                                      : ARES_SOCKET_BAD;
      ares_process_fd(ctx->channel, r, w);
    }
  }
  mxci_dns_pump(ctx);
  ctx->processing = 0;
  /* User callbacks run with processing off but in_callback on. */
  mxci_deliver(ctx);
  mxci_ctx_leave(ctx);
  return MXC_OK;
}

/* Wait at most this long when nothing else bounds the wait. */
#define IDLE_TICK_MS 1000

mxc_status_t mxc_run(mxc_ctx_t *ctx, long timeout_ms)
{
  struct pollfd *pfd = NULL;
  mxc_fd_event_t *ev = NULL;
  size_t cap = 0;
  int64_t end = timeout_ms >= 0 ? mxci_now_ms() + timeout_ms : -1;
  mxc_status_t st = MXC_OK;

  if (!mxci_ctx_valid(ctx))
    return MXC_EINVAL;
  if (ctx->in_callback || ctx->processing || ctx->running)
    return MXC_ERECURSIVE;
  ctx->running = 1;
  for (;;) {
    long t;
    size_t i, n, nev = 0;
    int rc;

    /* Queued completions first: they need no waiting. */
    if (ctx->dq_head) {
      st = mxc_process_fds(ctx, NULL, 0);
      if (st != MXC_OK || ctx->free_requested == 1)
        break;
    }
    if (ctx->npending == 0)
      break;
    t = mxc_timeout_ms(ctx);
    if (t < 0 || t > IDLE_TICK_MS)
      t = IDLE_TICK_MS;
    if (end >= 0) {
      int64_t left = end - mxci_now_ms();
      if (left <= 0) {
        st = MXC_ETIMEOUT;
        break;
      }
      if (t > left)
        t = (long)left;
    }
    n = ctx->nsocks;
    if (n > cap) {
      struct pollfd *np = mxci_realloc(pfd, n * sizeof(*np));
      mxc_fd_event_t *ne;
      if (np == NULL) {
        st = MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
        break;           /* LCOV_EXCL_LINE: OutOfMemory */
      }
      pfd = np;
      ne = mxci_realloc(ev, n * sizeof(*ne));
      if (ne == NULL) {
        st = MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
        break;           /* LCOV_EXCL_LINE: OutOfMemory */
      }
      ev = ne;
      cap = n;
    }
    for (i = 0; i < n; i++) {
      pfd[i].fd = ctx->socks[i].fd;
      pfd[i].events = (short)(((ctx->socks[i].what & MXC_POLL_IN) ? POLLIN : 0) |
                              ((ctx->socks[i].what & MXC_POLL_OUT) ? POLLOUT : 0));
      pfd[i].revents = 0;
    }
    rc = poll(pfd, (nfds_t)n, (int)t);
    if (rc < 0 && errno != EINTR) {
      st = MXC_EDEPENDENCY;
      break;
    }
    for (i = 0; rc > 0 && i < n; i++) {
      int e = 0;
      if (pfd[i].revents & (POLLIN | POLLERR | POLLHUP))
        e |= MXC_POLL_IN;
      if (pfd[i].revents & POLLOUT)
        e |= MXC_POLL_OUT;
      if (e) {
        ev[nev].fd = pfd[i].fd;
        ev[nev].events = e;
        nev++;
      }
    }
    st = mxc_process_fds(ctx, nev ? ev : NULL, nev);
    if (st != MXC_OK || ctx->free_requested == 1)
      break;
  }
  mxci_free(pfd);
  mxci_free(ev);
  ctx->running = 0;
  if (ctx->free_requested == 1) {
    /* mxc_ctx_free() was called from a callback: do it now. */
    mxci_ctx_destroy(ctx);
    return MXC_OK;
  }
  mxci_update_timer(ctx);
  return st;
}

/* ---- the blocking layer of the checks' _sync() wrappers ---------------- */

void mxci_sync_done(mxc_check_t *chk, mxc_status_t st,
                    const mxc_result_t *res, void *arg)
{
  struct mxci_sync *s = arg;
  (void)chk;
  s->done = 1;
  s->st = st;
  if (res) {
    s->res = mxc_result_dup(res);
    if (s->res == NULL)
      s->st = MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  }
}

mxc_status_t mxci_sync_begin(mxc_ctx_t *ctx, mxc_result_t **out)
{
  if (out == NULL)
    return MXC_EINVAL;
  *out = NULL;
  if (mxci_ctx_valid(ctx) &&
      (ctx->in_callback || ctx->processing || ctx->running))
    return MXC_ERECURSIVE;
  return MXC_OK;
}

mxc_status_t mxci_sync_wait(mxc_ctx_t *ctx, struct mxci_sync *s,
                            mxc_status_t started, mxc_check_t *chk,
                            mxc_result_t **out)
{
  mxc_status_t st;
  if (started != MXC_OK)
    return started;
  while (!s->done) {
    /* Runs every check of the context; returns once none is pending, or
     * after freeing the context if a callback asked for it (then our check
     * got MXC_EDESTRUCTION and s->done is set). */
    st = mxc_run(ctx, -1);
    if (st != MXC_OK && !s->done) {
      mxc_check_cancel(chk);
      return st;
    }
  }
  *out = s->res;
  return s->st;
}
