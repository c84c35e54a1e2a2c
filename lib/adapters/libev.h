/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * <mxcheck/adapters/libev.h> -- drive a libmxcheck context from a libev
 * loop.  Header-only: link with -lev and libmxcheck.
 *
 *   struct ev_loop *loop = EV_DEFAULT;
 *   mxc_ctx_new(&ctx);
 *   mxc_attach_libev(ctx, loop);         // checks now run in loop
 *   mxc_iprev_start(ctx, "192.0.2.1", done, arg, NULL);
 *   ev_run(loop, 0);
 *   mxc_ctx_free(ctx);                   // stops and frees the watchers
 *
 * The context keeps its DNS sockets open between queries, so the loop does
 * not run dry by itself: when the checks are done, call ev_break(loop,
 * EVBREAK_ALL) or free the context.
 *
 * One loop per context: a second attach, of this or any other adapter or
 * of the application's own socket/timer callbacks, fails with MXC_EBUSY.
 * mxc_ctx_free() stops every watcher of the context (it may be called
 * from a check's callback).  Free the context before destroying the loop.
 */
#ifndef MXCHECK_ADAPTERS_LIBEV_H
#define MXCHECK_ADAPTERS_LIBEV_H

#include <stdlib.h>

#include <ev.h>
#include <mxcheck.h>

struct mxc_libev {
  ev_timer timer; /* first: the timer callback gets it */
  mxc_ctx_t *ctx;
  struct ev_loop *loop;
  int entered; /* our callbacks on the stack (mxc_process_fds running) */
  int deleted; /* the context was freed meanwhile: free when leaving */
};

struct mxc_libev_sock {
  ev_io io; /* first: the io callback gets it */
  struct mxc_libev *a;
};

static inline void mxc_libev_leave(struct mxc_libev *a)
{
  if (--a->entered == 0 && a->deleted)
    free(a);
}

static inline void mxc_libev_on_sock(struct ev_loop *loop, ev_io *w,
                                     int revents)
{
  /* The watcher may be freed inside mxc_process_fds(): copy first. */
  struct mxc_libev *a = ((struct mxc_libev_sock *)w)->a;
  mxc_fd_event_t ev;
  (void)loop;
  ev.fd = w->fd;
  ev.events = ((revents & EV_READ) ? MXC_POLL_IN : 0) |
              ((revents & EV_WRITE) ? MXC_POLL_OUT : 0);
  a->entered++;
  mxc_process_fds(a->ctx, &ev, 1);
  mxc_libev_leave(a);
}

static inline void mxc_libev_on_timer(struct ev_loop *loop, ev_timer *w,
                                      int revents)
{
  struct mxc_libev *a = (struct mxc_libev *)w;
  (void)loop;
  (void)revents;
  a->entered++;
  mxc_process_fds(a->ctx, NULL, 0);
  mxc_libev_leave(a);
}

static inline void mxc_libev_sock_cb(mxc_ctx_t *ctx, int fd, int what,
                                     void *userp, void *socketp)
{
  struct mxc_libev *a = (struct mxc_libev *)userp;
  struct mxc_libev_sock *s = (struct mxc_libev_sock *)socketp;
  int events = ((what & MXC_POLL_IN) ? EV_READ : 0) |
               ((what & MXC_POLL_OUT) ? EV_WRITE : 0);

  if (what == MXC_POLL_REMOVE) {
    if (s != NULL) {
      ev_io_stop(a->loop, &s->io);
      free(s);
    }
    return;
  }
  if (s == NULL) {
    s = (struct mxc_libev_sock *)calloc(1, sizeof(*s));
    if (s == NULL)
      return; /* out of memory: the socket's queries time out */
    s->a = a;
    if (mxc_assign(ctx, fd, s) != MXC_OK) {
      free(s);
      return;
    }
    ev_io_init(&s->io, mxc_libev_on_sock, fd, events);
  } else {
    ev_io_stop(a->loop, &s->io);
    ev_io_set(&s->io, fd, events);
  }
  ev_io_start(a->loop, &s->io);
}

static inline void mxc_libev_timer_cb(mxc_ctx_t *ctx, long timeout_ms,
                                      void *userp)
{
  struct mxc_libev *a = (struct mxc_libev *)userp;
  (void)ctx;
  ev_timer_stop(a->loop, &a->timer);
  if (timeout_ms < 0)
    return;
  /* The loop's cached "now" may be old: the deadline counts from now. */
  ev_now_update(a->loop);
  ev_timer_set(&a->timer, (ev_tstamp)timeout_ms / 1000.0, 0.0);
  ev_timer_start(a->loop, &a->timer);
}

static inline void mxc_libev_detach_cb(mxc_ctx_t *ctx, void *userp)
{
  struct mxc_libev *a = (struct mxc_libev *)userp;
  (void)ctx;
  ev_timer_stop(a->loop, &a->timer);
  if (a->entered)
    a->deleted = 1; /* freed when our callback returns */
  else
    free(a);
}

/*!
 * Run ctx's sockets and timer in loop.
 * \return MXC_OK, MXC_EINVAL (NULL argument), MXC_ENOMEM, MXC_EBUSY
 *         (another loop is attached)
 */
static inline mxc_status_t mxc_attach_libev(mxc_ctx_t *ctx,
                                            struct ev_loop *loop)
{
  struct mxc_libev *a;
  mxc_status_t st;

  if (ctx == NULL || loop == NULL)
    return MXC_EINVAL;
  a = (struct mxc_libev *)calloc(1, sizeof(*a));
  if (a == NULL)
    return MXC_ENOMEM;
  a->ctx = ctx;
  a->loop = loop;
  ev_timer_init(&a->timer, mxc_libev_on_timer, 0.0, 0.0);
  st = mxc_set_detach_cb(ctx, mxc_libev_detach_cb, a);
  if (st != MXC_OK)
    goto fail;
  st = mxc_set_socket_cb(ctx, mxc_libev_sock_cb, a);
  if (st != MXC_OK)
    goto fail_detach;
  st = mxc_set_timer_cb(ctx, mxc_libev_timer_cb, a);
  if (st != MXC_OK)
    goto fail_sock;
  return MXC_OK;
fail_sock:
  mxc_set_socket_cb(ctx, NULL, NULL); /* stops the watchers made */
fail_detach:
  mxc_set_detach_cb(ctx, NULL, NULL);
fail:
  free(a);
  return st;
}

#endif
