/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loop.c -- the bridge between c-ares's sockets and the application's event
 * loop: socket callback (fed by ARES_OPT_SOCK_STATE_CB), timer callback
 * (c-ares has none: we compute the deadline after each public call and tell
 * the application only when it changed, as libcurl does).  The driver that
 * feeds events back (mxc_process_fds, mxc_run) is run.c.
 */
#include "mxc_private.h"

static struct mxci_sock *sock_find(mxc_ctx_t *ctx, int fd)
{
  size_t i;
  for (i = 0; i < ctx->nsocks; i++)
    if (ctx->socks[i].fd == fd)
      return &ctx->socks[i];
  return NULL;
}

void mxci_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
  mxc_ctx_t *ctx = data;
  struct mxci_sock *s = sock_find(ctx, fd);
  int what = (readable ? MXC_POLL_IN : 0) | (writable ? MXC_POLL_OUT : 0);
  void *socketp = NULL;

  if (what == 0) {
    /* (0,0): c-ares is done with this socket. */
    if (s == NULL)
      return;
    socketp = s->socketp;
    *s = ctx->socks[--ctx->nsocks];
    if (ctx->sock_cb)
      ctx->sock_cb(ctx, fd, MXC_POLL_REMOVE, ctx->sock_userp, socketp);
    return;
  }
  if (s == NULL) {
    if (ctx->nsocks == ctx->socks_cap) {
      size_t cap = ctx->socks_cap ? ctx->socks_cap * 2 : 8;
      struct mxci_sock *n = mxci_realloc(ctx->socks, cap * sizeof(*n));
      if (n == NULL)
        return; /* LCOV_EXCL_LINE: OutOfMemory -- its queries time out */
      ctx->socks = n;
      ctx->socks_cap = cap;
    }
    s = &ctx->socks[ctx->nsocks++];
    s->fd = fd;
    s->socketp = NULL;
  }
  s->what = what;
  if (ctx->sock_cb)
    ctx->sock_cb(ctx, fd, what, ctx->sock_userp, s->socketp);
}

mxc_status_t mxc_set_socket_cb(mxc_ctx_t *ctx, mxc_socket_cb cb, void *userp)
{
  size_t i;
  if (!mxci_ctx_valid(ctx))
    return MXC_EINVAL;
  /* One loop at a time: attaching another needs a detach (NULL) first, so
   * that an adapter can never silently lose its sockets. */
  if (cb != NULL && ctx->sock_cb != NULL)
    return MXC_EBUSY;
  /* A detach tells the old callback to stop watching, so that an adapter
   * can free its watchers (their mxc_assign() slots are cleared). */
  for (i = 0; cb == NULL && ctx->sock_cb && i < ctx->nsocks; i++) {
    void *socketp = ctx->socks[i].socketp;
    ctx->socks[i].socketp = NULL;
    ctx->sock_cb(ctx, ctx->socks[i].fd, MXC_POLL_REMOVE, ctx->sock_userp,
                 socketp);
  }
  ctx->sock_cb = cb;
  ctx->sock_userp = userp;
  for (i = 0; cb && i < ctx->nsocks; i++)
    cb(ctx, ctx->socks[i].fd, ctx->socks[i].what, userp,
       ctx->socks[i].socketp);
  return MXC_OK;
}

mxc_status_t mxc_set_timer_cb(mxc_ctx_t *ctx, mxc_timer_cb cb, void *userp)
{
  if (!mxci_ctx_valid(ctx))
    return MXC_EINVAL;
  if (cb != NULL && ctx->timer_cb != NULL)
    return MXC_EBUSY;
  if (cb == NULL && ctx->timer_cb && ctx->timer_deadline != -1)
    ctx->timer_cb(ctx, -1, ctx->timer_userp);
  ctx->timer_cb = cb;
  ctx->timer_userp = userp;
  ctx->timer_deadline = -1;
  mxci_update_timer(ctx);
  return MXC_OK;
}

mxc_status_t mxc_set_detach_cb(mxc_ctx_t *ctx, mxc_detach_cb cb, void *userp)
{
  if (!mxci_ctx_valid(ctx))
    return MXC_EINVAL;
  if (cb != NULL && ctx->detach_cb != NULL)
    return MXC_EBUSY;
  ctx->detach_cb = cb;
  ctx->detach_userp = userp;
  return MXC_OK;
}

mxc_status_t mxc_assign(mxc_ctx_t *ctx, int fd, void *socketp)
{
  struct mxci_sock *s;
  if (!mxci_ctx_valid(ctx))
    return MXC_EINVAL;
  s = sock_find(ctx, fd);
  if (s == NULL)
    return MXC_EINVAL;
  s->socketp = socketp;
  return MXC_OK;
}

long mxc_timeout_ms(mxc_ctx_t *ctx)
{
  struct timeval tv, *tvp;
  if (!mxci_ctx_valid(ctx))
    return -1;
  if (ctx->dq_head || ctx->free_requested == 1)
    return 0;
  if (ctx->inflight == 0)
    return ctx->queued ? 0 : -1;
  /* O(queries in flight) in c-ares 1.18; bounded by max_inflight. */
  tvp = ares_timeout(ctx->channel, NULL, &tv);
  if (tvp == NULL)
    return -1;
  return (long)tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000;
}

void mxci_update_timer(mxc_ctx_t *ctx)
{
  long t;
  int64_t deadline;
  if (ctx->timer_cb == NULL)
    return;
  t = mxc_timeout_ms(ctx);
  deadline = t < 0 ? -1 : mxci_now_ms() + t;
  if (deadline == ctx->timer_deadline)
    return;
  /* A deadline that moved by a millisecond through rounding is the same. */
  if (deadline != -1 && ctx->timer_deadline >= 0 && t > 0 &&
      deadline - ctx->timer_deadline <= 1 && ctx->timer_deadline - deadline <= 1)
    return;
  ctx->timer_deadline = deadline;
  ctx->timer_cb(ctx, t, ctx->timer_userp);
}

void mxci_loop_detach(mxc_ctx_t *ctx)
{
  size_t i;
  for (i = 0; ctx->sock_cb && i < ctx->nsocks; i++)
    ctx->sock_cb(ctx, ctx->socks[i].fd, MXC_POLL_REMOVE, ctx->sock_userp,
                 ctx->socks[i].socketp);
  ctx->sock_cb = NULL;
  if (ctx->timer_cb && ctx->timer_deadline != -1)
    ctx->timer_cb(ctx, -1, ctx->timer_userp);
  ctx->timer_cb = NULL;
  if (ctx->detach_cb) {
    mxc_detach_cb cb = ctx->detach_cb;
    ctx->detach_cb = NULL;
    cb(ctx, ctx->detach_userp);
  }
}
