/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * <mxcheck/adapters/libuv.h> -- drive a libmxcheck context from a libuv
 * loop.  Header-only: link with `pkg-config --libs libuv` and libmxcheck.
 *
 *   uv_loop_t *loop = uv_default_loop();
 *   mxc_ctx_new(&ctx);
 *   mxc_attach_libuv(ctx, loop);         // checks now run in loop
 *   mxc_iprev_start(ctx, "192.0.2.1", done, arg, NULL);
 *   uv_run(loop, UV_RUN_DEFAULT);
 *   mxc_ctx_free(ctx);                   // closes the context's handles
 *   uv_run(loop, UV_RUN_DEFAULT);        // lets the closes complete
 *   uv_loop_close(loop);
 *
 * The context keeps its DNS sockets open between queries, so the loop does
 * not run dry by itself: when the checks are done, call uv_stop(loop) or
 * free the context.
 *
 * One loop per context: a second attach, of this or any other adapter or
 * of the application's own socket/timer callbacks, fails with MXC_EBUSY.
 * mxc_ctx_free() closes every handle of the context (it may be called
 * from a check's callback); as with any libuv handle, their memory is
 * freed by the loop's next iteration, so run the loop once more before
 * uv_loop_close().
 */
#ifndef MXCHECK_ADAPTERS_LIBUV_H
#define MXCHECK_ADAPTERS_LIBUV_H

#include <stdlib.h>

#include <mxcheck.h>
#include <uv.h>

struct mxc_libuv {
  uv_timer_t timer; /* data: this struct */
  mxc_ctx_t *ctx;
  uv_loop_t *loop;
};

struct mxc_libuv_sock {
  uv_poll_t poll; /* data: this struct */
  struct mxc_libuv *a;
  int fd;
};

static inline void mxc_libuv_on_poll(uv_poll_t *h, int status, int events)
{
  /* The handle may be closed inside mxc_process_fds(); its memory stays
   * until its close callback, but copy anyway. */
  struct mxc_libuv_sock *s = (struct mxc_libuv_sock *)h->data;
  mxc_ctx_t *ctx = s->a->ctx;
  mxc_fd_event_t ev;
  ev.fd = s->fd;
  ev.events = ((events & UV_READABLE) ? MXC_POLL_IN : 0) |
              ((events & UV_WRITABLE) ? MXC_POLL_OUT : 0);
  if (status < 0)
    ev.events = MXC_POLL_IN; /* c-ares reads the socket's error */
  mxc_process_fds(ctx, &ev, 1);
}

static inline void mxc_libuv_on_timer(uv_timer_t *h)
{
  struct mxc_libuv *a = (struct mxc_libuv *)h->data;
  mxc_process_fds(a->ctx, NULL, 0);
}

static inline void mxc_libuv_free_handle(uv_handle_t *h) { free(h->data); }

static inline void mxc_libuv_sock_cb(mxc_ctx_t *ctx, int fd, int what,
                                     void *userp, void *socketp)
{
  struct mxc_libuv *a = (struct mxc_libuv *)userp;
  struct mxc_libuv_sock *s = (struct mxc_libuv_sock *)socketp;
  int events = ((what & MXC_POLL_IN) ? UV_READABLE : 0) |
               ((what & MXC_POLL_OUT) ? UV_WRITABLE : 0);

  if (what == MXC_POLL_REMOVE) {
    if (s != NULL) {
      uv_poll_stop(&s->poll);
      uv_close((uv_handle_t *)&s->poll, mxc_libuv_free_handle);
    }
    return;
  }
  if (s == NULL) {
    s = (struct mxc_libuv_sock *)calloc(1, sizeof(*s));
    if (s == NULL)
      return; /* out of memory: the socket's queries time out */
    s->a = a;
    s->fd = fd;
    if (uv_poll_init(a->loop, &s->poll, fd) != 0) {
      free(s);
      return;
    }
    s->poll.data = s;
    if (mxc_assign(ctx, fd, s) != MXC_OK) {
      uv_close((uv_handle_t *)&s->poll, mxc_libuv_free_handle);
      return;
    }
  }
  uv_poll_start(&s->poll, events, mxc_libuv_on_poll);
}

static inline void mxc_libuv_timer_cb(mxc_ctx_t *ctx, long timeout_ms,
                                      void *userp)
{
  struct mxc_libuv *a = (struct mxc_libuv *)userp;
  (void)ctx;
  if (timeout_ms < 0) {
    uv_timer_stop(&a->timer);
    return;
  }
  /* The loop's cached "now" may be old: the deadline counts from now. */
  uv_update_time(a->loop);
  uv_timer_start(&a->timer, mxc_libuv_on_timer, (uint64_t)timeout_ms, 0);
}

static inline void mxc_libuv_detach_cb(mxc_ctx_t *ctx, void *userp)
{
  struct mxc_libuv *a = (struct mxc_libuv *)userp;
  (void)ctx;
  uv_timer_stop(&a->timer);
  /* Freed by the close callback, never inside one of ours. */
  uv_close((uv_handle_t *)&a->timer, mxc_libuv_free_handle);
}

/*!
 * Run ctx's sockets and timer in loop.
 * \return MXC_OK, MXC_EINVAL (NULL argument), MXC_ENOMEM, MXC_EBUSY
 *         (another loop is attached)
 */
static inline mxc_status_t mxc_attach_libuv(mxc_ctx_t *ctx, uv_loop_t *loop)
{
  struct mxc_libuv *a;
  mxc_status_t st;

  if (ctx == NULL || loop == NULL)
    return MXC_EINVAL;
  a = (struct mxc_libuv *)calloc(1, sizeof(*a));
  if (a == NULL)
    return MXC_ENOMEM;
  a->ctx = ctx;
  a->loop = loop;
  if (uv_timer_init(loop, &a->timer) != 0) {
    free(a);
    return MXC_EINVAL;
  }
  a->timer.data = a;
  st = mxc_set_detach_cb(ctx, mxc_libuv_detach_cb, a);
  if (st != MXC_OK)
    goto fail;
  st = mxc_set_socket_cb(ctx, mxc_libuv_sock_cb, a);
  if (st != MXC_OK)
    goto fail_detach;
  st = mxc_set_timer_cb(ctx, mxc_libuv_timer_cb, a);
  if (st != MXC_OK)
    goto fail_sock;
  return MXC_OK;
fail_sock:
  mxc_set_socket_cb(ctx, NULL, NULL); /* closes the handles made */
fail_detach:
  mxc_set_detach_cb(ctx, NULL, NULL);
fail:
  uv_close((uv_handle_t *)&a->timer, mxc_libuv_free_handle);
  return st;
}

#endif
