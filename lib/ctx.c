/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctx.c -- the context: options, the c-ares channel, check lifecycle and
 * delivery of results (the callback contract of mxcheck.h).
 */
#include "mxc_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#define DEFAULT_TIMEOUT_MS 500
#define DEFAULT_TRIES 4
#define DEFAULT_MAX_INFLIGHT 128
/* Finished answers kept (each some hundreds of bytes). */
#define DEFAULT_CACHE_MAX 10000
/* c-ares: a large receive buffer stops our own drops on bursts
 * (notes/c-ares.md); the kernel caps it at net.core.rmem_max. */
#define SOCK_RCVBUF (4 * 1024 * 1024)
#define EDNS_UDP_SIZE 1232
#define MAX_SERVERS 16

static void set_error(mxc_ctx_t *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_error(mxc_ctx_t *ctx, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->errbuf, sizeof(ctx->errbuf), fmt, ap);
  va_end(ap);
}

const char *mxc_ctx_error(const mxc_ctx_t *ctx)
{
  return ctx ? ctx->errbuf : "no context";
}

/* ---- servers -------------------------------------------------------------- */

/* Parse "host[:port]" items; fills nodes[] (caller-provided). */
static int parse_servers(mxc_ctx_t *ctx, const char *list,
                         struct ares_addr_port_node *nodes, size_t *n)
{
  const char *p = list;
  *n = 0;
  while (*p) {
    char item[128], host[128];
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    long port = 53;
    struct ares_addr_port_node *nd;
    char *colon;

    while (len > 0 && (*p == ' ' || *p == '\t')) {
      p++;
      len--;
    }
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
      len--;
    if (len == 0 || len >= sizeof(item)) {
      set_error(ctx, "empty or over-long name server in \"%s\"", list);
      return -1;
    }
    memcpy(item, p, len);
    item[len] = '\0';
    if (*n >= MAX_SERVERS) {
      set_error(ctx, "more than %d name servers", MAX_SERVERS);
      return -1;
    }
    nd = &nodes[*n];
    memset(nd, 0, sizeof(*nd));

    if (item[0] == '[') {
      char *close = strchr(item, ']');
      if (close == NULL) {
        set_error(ctx, "name server \"%s\": missing ']'", item);
        return -1;
      }
      *close = '\0';
      snprintf(host, sizeof(host), "%s", item + 1);
      if (close[1] == ':')
        colon = close + 1;
      else if (close[1] == '\0')
        colon = NULL;
      else {
        set_error(ctx, "name server \"%s\": junk after ']'", item);
        return -1;
      }
    } else {
      colon = strchr(item, ':');
      if (colon && strchr(colon + 1, ':')) {
        colon = NULL; /* bare IPv6 literal, no port */
        snprintf(host, sizeof(host), "%s", item);
      } else {
        if (colon)
          *colon = '\0';
        snprintf(host, sizeof(host), "%s", item);
      }
    }
    if (colon) {
      char *e;
      errno = 0;
      port = strtol(colon + 1, &e, 10);
      if (colon[1] == '\0' || *e != '\0' || errno || port < 1 ||
          port > 65535) {
        set_error(ctx, "name server \"%s\": port must be 1-65535", list);
        return -1;
      }
    }
    if (inet_pton(AF_INET, host, &nd->addr.addr4) == 1) {
      nd->family = AF_INET;
    } else if (inet_pton(AF_INET6, host, &nd->addr.addr6) == 1) {
      nd->family = AF_INET6;
    } else {
      set_error(ctx,
                "name server \"%s\" is not an IPv4 or IPv6 address "
                "(names are not accepted: they would need a resolver)",
                host);
      return -1;
    }
    nd->udp_port = (int)port;
    nd->tcp_port = (int)port;
    if (*n > 0)
      nodes[*n - 1].next = nd;
    (*n)++;
    if (!end)
      break;
    p = end + 1;
    if (*p == '\0') {
      set_error(ctx, "trailing ',' in name server list");
      return -1;
    }
  }
  if (*n == 0) {
    set_error(ctx, "empty name server list");
    return -1;
  }
  return 0;
}

static mxc_status_t apply_servers(mxc_ctx_t *ctx, ares_channel ch)
{
  struct ares_addr_port_node nodes[MAX_SERVERS];
  size_t n;
  int rc;
  if (ctx->servers == NULL)
    return MXC_OK;
  if (parse_servers(ctx, ctx->servers, nodes, &n) < 0)
    return MXC_EINVAL;
  rc = ares_set_servers_ports(ch, nodes);
  if (rc != ARES_SUCCESS) {
    set_error(ctx, "c-ares refused the name servers: %s", ares_strerror(rc));
    return rc == ARES_ENOMEM ? MXC_ENOMEM : MXC_EDNS;
  }
  return MXC_OK;
}

/* (Re)create the channel from the options; no query may be in flight. */
static mxc_status_t channel_build(mxc_ctx_t *ctx)
{
  struct ares_options o;
  int mask, rc;
  ares_channel ch;
  mxc_status_t st;

  memset(&o, 0, sizeof(o));
  /* NOCHECKRESP: we want to see SERVFAIL and REFUSED as such (c-ares 1.18
   * reports them as ECONNREFUSED otherwise) and report them to the admin. */
  o.flags = ARES_FLAG_STAYOPEN | ARES_FLAG_NOCHECKRESP |
            (ctx->edns ? ARES_FLAG_EDNS : 0);
  o.timeout = ctx->timeout_ms;
  o.tries = ctx->tries;
  o.sock_state_cb = mxci_sock_state;
  o.sock_state_cb_data = ctx;
  o.socket_receive_buffer_size = SOCK_RCVBUF;
  o.ednspsz = EDNS_UDP_SIZE;
  mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
         ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF | ARES_OPT_EDNSPSZ;
  rc = ares_init_options(&ch, &o, mask);
  if (rc != ARES_SUCCESS) {
    set_error(ctx, "c-ares initialisation failed: %s", ares_strerror(rc));
    return rc == ARES_ENOMEM ? MXC_ENOMEM : MXC_EDNS;
  }
  st = apply_servers(ctx, ch);
  if (st != MXC_OK) {
    ares_destroy(ch);
    return st;
  }
  if (ctx->channel)
    ares_destroy(ctx->channel);
  ctx->channel = ch;
  return MXC_OK;
}

/* ares_library_init() is not thread-safe in c-ares 1.18: run it once per
 * process, and never clean up (it holds nothing on POSIX systems). */
static pthread_once_t ares_once = PTHREAD_ONCE_INIT;
static int ares_init_status;
static void ares_init_once(void)
{
  ares_init_status = ares_library_init(ARES_LIB_INIT_ALL);
}

mxc_status_t mxc_ctx_new(mxc_ctx_t **out)
{
  mxc_ctx_t *ctx;
  mxc_status_t st;

  if (out == NULL)
    return MXC_EINVAL;
  *out = NULL;
  pthread_once(&ares_once, ares_init_once);
  if (ares_init_status != ARES_SUCCESS)
    return MXC_EDNS; /* LCOV_EXCL_LINE: cannot fail on Linux */
  ctx = mxci_calloc(1, sizeof(*ctx));
  if (ctx == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  ctx->magic = MXCI_CTX_MAGIC;
  ctx->timeout_ms = DEFAULT_TIMEOUT_MS;
  ctx->tries = DEFAULT_TRIES;
  ctx->max_inflight = DEFAULT_MAX_INFLIGHT;
  ctx->cache_max = DEFAULT_CACHE_MAX;
  ctx->edns = 1;
  ctx->timer_deadline = -1;
  if (mxci_dns_init(ctx) < 0) {
    st = MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
    goto fail;       /* LCOV_EXCL_LINE: OutOfMemory */
  }
  st = channel_build(ctx);
  if (st != MXC_OK)
    goto fail;
  *out = ctx;
  return MXC_OK;
fail:
  mxci_dns_destroy(ctx);
  ctx->magic = 0;
  mxci_free(ctx);
  return st;
}

static mxc_status_t rebuild_if_idle(mxc_ctx_t *ctx)
{
  if (ctx->inflight || ctx->queued || ctx->npending) {
    set_error(ctx, "cannot change the resolver with checks pending");
    return MXC_EBUSY;
  }
  return channel_build(ctx);
}

mxc_status_t mxc_ctx_set_servers(mxc_ctx_t *ctx, const char *list)
{
  struct ares_addr_port_node nodes[MAX_SERVERS];
  size_t n;
  char *copy, *old;
  mxc_status_t st;

  if (!mxci_ctx_valid(ctx) || list == NULL)
    return MXC_EINVAL;
  if (parse_servers(ctx, list, nodes, &n) < 0)
    return MXC_EINVAL;
  copy = mxci_strdup(list);
  if (copy == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  old = ctx->servers;
  ctx->servers = copy;
  st = rebuild_if_idle(ctx);
  if (st != MXC_OK) {
    ctx->servers = old;
    mxci_free(copy);
    return st;
  }
  mxci_free(old);
  mxci_dns_flush(ctx);
  return MXC_OK;
}

mxc_status_t mxc_ctx_set_timeout_ms(mxc_ctx_t *ctx, int ms)
{
  int old;
  mxc_status_t st;
  if (!mxci_ctx_valid(ctx) || ms < 1 || ms > 60000)
    return MXC_EINVAL;
  old = ctx->timeout_ms;
  ctx->timeout_ms = ms;
  if ((st = rebuild_if_idle(ctx)) != MXC_OK)
    ctx->timeout_ms = old;
  return st;
}

mxc_status_t mxc_ctx_set_tries(mxc_ctx_t *ctx, int tries)
{
  int old;
  mxc_status_t st;
  if (!mxci_ctx_valid(ctx) || tries < 1 || tries > 10)
    return MXC_EINVAL;
  old = ctx->tries;
  ctx->tries = tries;
  if ((st = rebuild_if_idle(ctx)) != MXC_OK)
    ctx->tries = old;
  return st;
}

mxc_status_t mxc_ctx_set_edns(mxc_ctx_t *ctx, int on)
{
  int old;
  mxc_status_t st;
  if (!mxci_ctx_valid(ctx))
    return MXC_EINVAL;
  old = ctx->edns;
  ctx->edns = on ? 1 : 0;
  if ((st = rebuild_if_idle(ctx)) != MXC_OK)
    ctx->edns = old;
  return st;
}

mxc_status_t mxc_ctx_set_max_inflight(mxc_ctx_t *ctx, int n)
{
  if (!mxci_ctx_valid(ctx) || n < 1 || n > 65536)
    return MXC_EINVAL;
  ctx->max_inflight = n;
  mxci_dns_pump(ctx);
  return MXC_OK;
}

mxc_status_t mxc_ctx_set_cache_max(mxc_ctx_t *ctx, size_t n)
{
  if (!mxci_ctx_valid(ctx))
    return MXC_EINVAL;
  ctx->cache_max = n;
  return MXC_OK;
}

void mxc_ctx_stats(const mxc_ctx_t *ctx, mxc_stats_t *st)
{
  if (st == NULL)
    return;
  memset(st, 0, sizeof(*st));
  if (!mxci_ctx_valid(ctx))
    return;
  *st = ctx->stats;
  st->cache_entries = mxci_dns_cache_count(ctx);
  st->inflight = ctx->inflight;
  st->queued = ctx->queued;
  st->checks_pending = ctx->npending;
}

size_t mxc_pending(const mxc_ctx_t *ctx)
{
  return mxci_ctx_valid(ctx) ? ctx->npending : 0;
}

/* ---- checks --------------------------------------------------------------- */

mxc_check_t *mxci_check_new(mxc_ctx_t *ctx, const struct mxci_check_ops *ops,
                            mxc_done_cb cb, void *arg)
{
  mxc_check_t *chk = mxci_calloc(1, sizeof(*chk));
  if (chk == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  chk->magic = MXCI_CHECK_MAGIC;
  chk->ctx = ctx;
  chk->ops = ops;
  chk->cb = cb;
  chk->arg = arg;
  chk->state = MXCI_CHK_RUNNING;
  chk->next = ctx->checks;
  if (ctx->checks)
    ctx->checks->prev = chk;
  ctx->checks = chk;
  if (cb)
    ctx->npending++;
  return chk;
}

void mxci_check_arm(mxc_check_t *chk, mxc_done_cb cb, void *arg)
{
  chk->cb = cb;
  chk->arg = arg;
  chk->ctx->npending++;
}

static void check_unlink(mxc_check_t *chk)
{
  mxc_ctx_t *ctx = chk->ctx;
  if (chk->prev)
    chk->prev->next = chk->next;
  else
    ctx->checks = chk->next;
  if (chk->next)
    chk->next->prev = chk->prev;
  chk->next = chk->prev = NULL;
  if (chk->cb)
    ctx->npending--; /* an unarmed check was never pending */
}

static void check_release(mxc_check_t *chk)
{
  if (chk->ops && chk->ops->free)
    chk->ops->free(chk);
  mxc_result_free(chk->res);
  chk->magic = 0;
  mxci_free(chk);
}

void mxci_check_discard(mxc_check_t *chk)
{
  check_unlink(chk);
  check_release(chk);
}

void mxci_check_finish(mxc_check_t *chk, mxc_status_t st, mxc_result_t *res)
{
  mxc_ctx_t *ctx = chk->ctx;
  if (chk->state != MXCI_CHK_RUNNING) {
    mxc_result_free(res);
    return;
  }
  chk->state = MXCI_CHK_QUEUED;
  chk->status = st;
  chk->res = res;
  chk->qnext = NULL;
  if (ctx->dq_tail)
    ctx->dq_tail->qnext = chk;
  else
    ctx->dq_head = chk;
  ctx->dq_tail = chk;
}

/* Run the user's callback for a check already off every list, then free. */
static void deliver_one(mxc_check_t *chk, mxc_status_t st)
{
  mxc_ctx_t *ctx = chk->ctx;
  chk->state = MXCI_CHK_DELIVERING;
  check_unlink(chk);
  ctx->in_callback++;
  if (chk->cb)
    chk->cb(chk, st, st == MXC_OK || st == MXC_EADDRESS ? chk->res : NULL,
            chk->arg);
  ctx->in_callback--;
  check_release(chk);
}

void mxci_deliver(mxc_ctx_t *ctx)
{
  while (ctx->dq_head) {
    mxc_check_t *chk = ctx->dq_head;
    ctx->dq_head = chk->qnext;
    if (ctx->dq_head == NULL)
      ctx->dq_tail = NULL;
    chk->qnext = NULL;
    deliver_one(chk, chk->status);
  }
}

static void dq_remove(mxc_ctx_t *ctx, mxc_check_t *chk)
{
  mxc_check_t **pp = &ctx->dq_head, *prev = NULL;
  while (*pp && *pp != chk) {
    prev = *pp;
    pp = &(*pp)->qnext;
  }
  if (*pp == NULL)
    return;
  *pp = chk->qnext;
  if (ctx->dq_tail == chk)
    ctx->dq_tail = prev;
  chk->qnext = NULL;
}

/* Take a check off everything and deliver a final status. */
static void check_stop(mxc_check_t *chk, mxc_status_t st)
{
  if (chk->state == MXCI_CHK_RUNNING) {
    if (chk->ops && chk->ops->abort)
      chk->ops->abort(chk);
  } else if (chk->state == MXCI_CHK_QUEUED) {
    dq_remove(chk->ctx, chk);
  }
  deliver_one(chk, st);
}

void mxc_check_cancel(mxc_check_t *chk)
{
  mxc_ctx_t *ctx;
  if (chk == NULL || chk->magic != MXCI_CHECK_MAGIC ||
      chk->state == MXCI_CHK_DELIVERING)
    return;
  ctx = chk->ctx;
  check_stop(chk, MXC_ECANCELLED);
  mxci_ctx_leave(ctx);
}

void *mxc_check_arg(const mxc_check_t *chk)
{
  return chk && chk->magic == MXCI_CHECK_MAGIC ? chk->arg : NULL;
}

/* ---- per-check state ---------------------------------------------------------- */

struct mxci_ctx_state {
  struct mxci_ctx_state *next;
  const struct mxci_method *m;
  void *state;
};

void *mxci_ctx_state(mxc_ctx_t *ctx, const struct mxci_method *m)
{
  struct mxci_ctx_state *cs;
  for (cs = ctx->states; cs; cs = cs->next)
    if (cs->m == m)
      return cs->state;
  cs = mxci_calloc(1, sizeof(*cs));
  if (cs == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  cs->state = m->ctx_new();
  if (cs->state == NULL) {
    mxci_free(cs); /* LCOV_EXCL_LINE: OutOfMemory */
    return NULL;   /* LCOV_EXCL_LINE: OutOfMemory */
  }
  cs->m = m;
  cs->next = ctx->states;
  ctx->states = cs;
  return cs->state;
}

/* ---- teardown --------------------------------------------------------------- */

void mxci_ctx_destroy(mxc_ctx_t *ctx)
{
  ctx->free_requested = 2; /* destroying: no new checks, no re-entry */
  while (ctx->checks) {
    mxc_check_t *chk = ctx->checks;
    if (chk->state == MXCI_CHK_DELIVERING) {
      /* Cannot happen: destroy runs only outside callbacks. */
      check_unlink(chk);
      continue;
    }
    check_stop(chk, MXC_EDESTRUCTION);
  }
  mxci_loop_detach(ctx);
  if (ctx->channel)
    ares_destroy(ctx->channel); /* queries end with ARES_EDESTRUCTION */
  ctx->channel = NULL;
  mxci_dns_destroy(ctx);
  mxci_zones_free(ctx);
  while (ctx->states) {
    struct mxci_ctx_state *cs = ctx->states;
    ctx->states = cs->next;
    cs->m->ctx_free(cs->state);
    mxci_free(cs);
  }
  mxci_free(ctx->socks);
  mxci_free(ctx->servers);
  ctx->magic = 0;
  mxci_free(ctx);
}

void mxc_ctx_free(mxc_ctx_t *ctx)
{
  if (!mxci_ctx_valid(ctx) || ctx->free_requested == 2)
    return;
  if (ctx->in_callback || ctx->processing) {
    ctx->free_requested = 1; /* done when the library regains control */
    return;
  }
  mxci_ctx_destroy(ctx);
}

void mxci_ctx_leave(mxc_ctx_t *ctx)
{
  if (ctx->in_callback || ctx->processing)
    return;
  if (ctx->free_requested == 1) {
    if (!ctx->running)
      mxci_ctx_destroy(ctx);
    return;
  }
  mxci_update_timer(ctx);
}

/* ---- strings ------------------------------------------------------------------ */

const char *mxc_strerror(mxc_status_t st)
{
  switch (st) {
  case MXC_OK:
    return "success";
  case MXC_ENOMEM:
    return "out of memory";
  case MXC_EINVAL:
    return "invalid argument";
  case MXC_EADDRESS:
    return "not an IPv4 or IPv6 address";
  case MXC_ETIMEOUT:
    return "timed out";
  case MXC_EDNS:
    return "resolver set-up failed";
  case MXC_ECANCELLED:
    return "cancelled";
  case MXC_EDESTRUCTION:
    return "context freed with the check pending";
  case MXC_ERECURSIVE:
    return "called from inside a callback";
  case MXC_EBUSY:
    return "busy";
  case MXC_EDEPENDENCY:
    return "a dependency failed";
  case MXC_ELIMIT:
    return "limit reached";
  case MXC_STATUS_LAST:
    break;
  }
  return "unknown status";
}

const char *mxc_verdict_str(mxc_verdict_t v)
{
  switch (v) {
  case MXC_VERDICT_NONE:
    return "none";
  case MXC_VERDICT_PASS:
    return "pass";
  case MXC_VERDICT_FAIL:
    return "fail";
  case MXC_VERDICT_SOFTFAIL:
    return "softfail";
  case MXC_VERDICT_NEUTRAL:
    return "neutral";
  case MXC_VERDICT_TEMPERROR:
    return "temperror";
  case MXC_VERDICT_PERMERROR:
    return "permerror";
  case MXC_VERDICT_POLICY:
    return "policy";
  }
  return "unknown";
}

const char *mxc_version(void) { return MXC_VERSION_STR; }
