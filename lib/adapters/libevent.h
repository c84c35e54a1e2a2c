/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * <mxcheck/adapters/libevent.h> -- drive a libmxcheck context from a
 * libevent 2 event_base.  Header-only: link with -levent (or
 * `pkg-config --libs libevent`) and libmxcheck.
 *
 *   struct event_base *base = event_base_new();
 *   mxc_ctx_new(&ctx);
 *   mxc_attach_libevent(ctx, base);      // checks now run in base
 *   mxc_iprev_start(ctx, "192.0.2.1", done, arg, NULL);
 *   event_base_dispatch(base);
 *   mxc_ctx_free(ctx);                   // frees the adapter's events too
 *
 * The context keeps its DNS sockets open between queries, so the loop does
 * not run dry by itself: when the checks are done, call
 * event_base_loopbreak(base) or free the context.
 *
 * One loop per context: a second attach, of this or any other adapter or
 * of the application's own socket/timer callbacks, fails with MXC_EBUSY.
 * mxc_ctx_free() removes every event of the context from the base (it
 * may be called from a check's callback).  Free the context before the
 * base.
 */
#ifndef MXCHECK_ADAPTERS_LIBEVENT_H
#define MXCHECK_ADAPTERS_LIBEVENT_H

#include <stdlib.h>

#include <event2/event.h>
#include <mxcheck.h>

struct mxc_libevent {
  mxc_ctx_t *ctx;
  struct event_base *base;
  struct event *timer;
  int entered; /* our callbacks on the stack (mxc_process_fds running) */
  int deleted; /* the context was freed meanwhile: free when leaving */
};

struct mxc_libevent_sock {
  struct mxc_libevent *a;
  struct event *ev;
};

static inline void mxc_libevent_leave(struct mxc_libevent *a)
{
  if (--a->entered == 0 && a->deleted)
    free(a);
}

static inline void mxc_libevent_on_sock(evutil_socket_t fd, short events,
                                        void *arg)
{
  /* The watcher may be freed inside mxc_process_fds(): copy first. */
  struct mxc_libevent *a = ((struct mxc_libevent_sock *)arg)->a;
  mxc_fd_event_t ev;
  ev.fd = (int)fd;
  ev.events = ((events & EV_READ) ? MXC_POLL_IN : 0) |
              ((events & EV_WRITE) ? MXC_POLL_OUT : 0);
  a->entered++;
  mxc_process_fds(a->ctx, &ev, 1);
  mxc_libevent_leave(a);
}

static inline void mxc_libevent_on_timer(evutil_socket_t fd, short events,
                                         void *arg)
{
  struct mxc_libevent *a = (struct mxc_libevent *)arg;
  (void)fd;
  (void)events;
  a->entered++;
  mxc_process_fds(a->ctx, NULL, 0);
  mxc_libevent_leave(a);
}

static inline void mxc_libevent_sock_cb(mxc_ctx_t *ctx, int fd, int what,
                                        void *userp, void *socketp)
{
  struct mxc_libevent *a = (struct mxc_libevent *)userp;
  struct mxc_libevent_sock *s = (struct mxc_libevent_sock *)socketp;
  short flags = EV_PERSIST;

  if (what == MXC_POLL_REMOVE) {
    if (s != NULL) {
      event_free(s->ev);
      free(s);
    }
    return;
  }
  if (what & MXC_POLL_IN)
    flags |= EV_READ;
  if (what & MXC_POLL_OUT)
    flags |= EV_WRITE;
  if (s == NULL) {
    s = (struct mxc_libevent_sock *)calloc(1, sizeof(*s));
    if (s == NULL)
      return; /* out of memory: the socket's queries time out */
    s->a = a;
    s->ev = event_new(a->base, fd, flags, mxc_libevent_on_sock, s);
    if (s->ev == NULL || mxc_assign(ctx, fd, s) != MXC_OK) {
      if (s->ev)
        event_free(s->ev);
      free(s);
      return;
    }
  } else {
    event_del(s->ev);
    event_assign(s->ev, a->base, fd, flags, mxc_libevent_on_sock, s);
  }
  event_add(s->ev, NULL);
}

static inline void mxc_libevent_timer_cb(mxc_ctx_t *ctx, long timeout_ms,
                                         void *userp)
{
  struct mxc_libevent *a = (struct mxc_libevent *)userp;
  struct timeval tv;
  (void)ctx;
  if (timeout_ms < 0) {
    evtimer_del(a->timer);
    return;
  }
  tv.tv_sec = timeout_ms / 1000;
  tv.tv_usec = (timeout_ms % 1000) * 1000;
  evtimer_add(a->timer, &tv); /* re-adding moves the deadline */
}

static inline void mxc_libevent_detach_cb(mxc_ctx_t *ctx, void *userp)
{
  struct mxc_libevent *a = (struct mxc_libevent *)userp;
  (void)ctx;
  event_free(a->timer);
  if (a->entered)
    a->deleted = 1; /* freed when our callback returns */
  else
    free(a);
}

/*!
 * Run ctx's sockets and timer in base.
 * \return MXC_OK, MXC_EINVAL (NULL argument), MXC_ENOMEM, MXC_EBUSY
 *         (another loop is attached)
 */
static inline mxc_status_t mxc_attach_libevent(mxc_ctx_t *ctx,
                                               struct event_base *base)
{
  struct mxc_libevent *a;
  mxc_status_t st;

  if (ctx == NULL || base == NULL)
    return MXC_EINVAL;
  a = (struct mxc_libevent *)calloc(1, sizeof(*a));
  if (a == NULL)
    return MXC_ENOMEM;
  a->ctx = ctx;
  a->base = base;
  a->timer = evtimer_new(base, mxc_libevent_on_timer, a);
  if (a->timer == NULL) {
    free(a);
    return MXC_ENOMEM;
  }
  st = mxc_set_detach_cb(ctx, mxc_libevent_detach_cb, a);
  if (st != MXC_OK)
    goto fail;
  st = mxc_set_socket_cb(ctx, mxc_libevent_sock_cb, a);
  if (st != MXC_OK)
    goto fail_detach;
  st = mxc_set_timer_cb(ctx, mxc_libevent_timer_cb, a);
  if (st != MXC_OK)
    goto fail_sock;
  return MXC_OK;
fail_sock:
  mxc_set_socket_cb(ctx, NULL, NULL); /* frees the watchers made */
fail_detach:
  mxc_set_detach_cb(ctx, NULL, NULL);
fail:
  event_free(a->timer);
  free(a);
  return st;
}

#endif
