/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns.c -- the context's resolver: c-ares underneath, a TTL-respecting
 * answer cache on top, with in-flight de-duplication (two lookups of the same
 * name and type share one query) and a bound on the queries in flight.
 *
 * A cache entry is created when a name/type is first asked for.  While its
 * query is queued or in flight, lookups join its waiter list.  When the
 * answer arrives every waiter is called and the entry keeps the answer until
 * its TTL runs out.  Waiters can be unhooked (a cancelled check); the query
 * still completes and fills the cache: c-ares has no per-query cancel.
 */
#include "mxc_private.h"

#include <ctype.h>
#include <stdio.h>

#define CACHE_MIN_BUCKETS 1024
/* Negative and error answers are kept briefly; positive ones at most a day. */
#define CACHE_MAX_TTL_S 86400
#define CACHE_ERR_TTL_S 5
/* Expire pass at most every this many lookups. */
#define EXPIRE_EVERY 4096
/* After this many queries in a row ended in a timeout, the resolver is
 * taken as not answering: for DEAD_FOR_MS new queries fail at once with
 * that reason, then one query probes it again. */
#define DEAD_AFTER 20
#define DEAD_FOR_MS 10000

struct mxci_dnsent {
  struct mxci_dnsent *hnext; /* hash chain */
  struct mxci_dnsent *qnext; /* ctx send queue */
  struct mxci_dnsent *lnext, *lprev; /* done entries, oldest first */
  uint16_t type;
  uint32_t hash;
  int done;
  int sending; /* in the send queue or in flight */
  int retrying; /* in flight, its first try timed out */
  int64_t sent_ms;
  struct mxci_dnsent *fnext, *fprev; /* ctx's in-flight list */
  int64_t expires;
  struct mxci_answer ans;
  struct mxci_waiter *waiters;
  mxc_ctx_t *ctx;
  char name[];               /* lowercase, no final dot */
};

struct mxci_cache {
  struct mxci_dnsent **b;
  size_t nb;
  size_t n;
  unsigned lookups_since_expire;
  struct mxci_dnsent *lru_head, *lru_tail; /* done entries, oldest first */
  int busy; /* answers being read by callbacks: no eviction now */
};

static uint32_t hash_key(const char *name, uint16_t type)
{
  /* FNV-1a over the lowercase name and the type. */
  uint32_t h = 2166136261u;
  const unsigned char *p;
  for (p = (const unsigned char *)name; *p; p++) {
    h ^= (uint32_t)tolower(*p);
    h *= 16777619u;
  }
  h ^= type;
  h *= 16777619u;
  return h;
}

int mxci_dns_init(mxc_ctx_t *ctx)
{
  ctx->cache = mxci_calloc(1, sizeof(*ctx->cache));
  if (ctx->cache == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  ctx->cache->nb = CACHE_MIN_BUCKETS;
  ctx->cache->b = mxci_calloc(ctx->cache->nb, sizeof(*ctx->cache->b));
  if (ctx->cache->b == NULL) {
    mxci_free(ctx->cache); /* LCOV_EXCL_LINE: OutOfMemory */
    ctx->cache = NULL;     /* LCOV_EXCL_LINE: OutOfMemory */
    return -1;             /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return 0;
}

static void ent_free(struct mxci_dnsent *e)
{
  mxci_answer_clear(&e->ans);
  mxci_free(e);
}

static void lru_remove(struct mxci_cache *c, struct mxci_dnsent *e)
{
  if (e->lprev)
    e->lprev->lnext = e->lnext;
  else if (c->lru_head == e)
    c->lru_head = e->lnext;
  else
    return; /* not on the list */
  if (e->lnext)
    e->lnext->lprev = e->lprev;
  else
    c->lru_tail = e->lprev;
  e->lnext = e->lprev = NULL;
}

static void lru_append(struct mxci_cache *c, struct mxci_dnsent *e)
{
  e->lnext = NULL;
  e->lprev = c->lru_tail;
  if (c->lru_tail)
    c->lru_tail->lnext = e;
  else
    c->lru_head = e;
  c->lru_tail = e;
}

static void hash_unlink(struct mxci_cache *c, struct mxci_dnsent *e)
{
  struct mxci_dnsent **pp = &c->b[e->hash % c->nb];
  while (*pp && *pp != e)
    pp = &(*pp)->hnext;
  if (*pp) {
    *pp = e->hnext;
    c->n--;
  }
}

/* Over the limit: drop the oldest finished entries (in-flight entries are
 * never dropped: their waiters need them). */
static void cache_trim(mxc_ctx_t *ctx)
{
  struct mxci_cache *c = ctx->cache;
  if (c->busy)
    return;
  while (c->n > ctx->cache_max && c->lru_head) {
    struct mxci_dnsent *e = c->lru_head;
    lru_remove(c, e);
    hash_unlink(c, e);
    ent_free(e);
  }
}

static void cache_grow(struct mxci_cache *c)
{
  size_t nb = c->nb * 2, i;
  struct mxci_dnsent **b = mxci_calloc(nb, sizeof(*b));
  if (b == NULL)
    return; /* LCOV_EXCL_LINE: OutOfMemory -- keep the old table */
  for (i = 0; i < c->nb; i++) {
    struct mxci_dnsent *e = c->b[i], *next;
    for (; e; e = next) {
      next = e->hnext;
      e->hnext = b[e->hash % nb];
      b[e->hash % nb] = e;
    }
  }
  mxci_free(c->b);
  c->b = b;
  c->nb = nb;
}

/* Entries that are done and whose waiters are gone can be dropped. */
static int ent_removable(const struct mxci_dnsent *e, int64_t now)
{
  return e->done && !e->sending && e->waiters == NULL && e->expires <= now;
}

void mxci_dns_expire(mxc_ctx_t *ctx)
{
  struct mxci_cache *c = ctx->cache;
  int64_t now = mxci_now_ms();
  size_t i;
  for (i = 0; i < c->nb; i++) {
    struct mxci_dnsent **pp = &c->b[i];
    while (*pp) {
      struct mxci_dnsent *e = *pp;
      if (ent_removable(e, now)) {
        *pp = e->hnext;
        c->n--;
        lru_remove(c, e);
        ent_free(e);
      } else {
        pp = &e->hnext;
      }
    }
  }
  c->lookups_since_expire = 0;
}

void mxci_dns_flush(mxc_ctx_t *ctx)
{
  struct mxci_cache *c = ctx->cache;
  size_t i;
  for (i = 0; c && i < c->nb; i++) {
    struct mxci_dnsent **pp = &c->b[i];
    while (*pp) {
      struct mxci_dnsent *e = *pp;
      if (e->done && !e->sending && e->waiters == NULL) {
        *pp = e->hnext;
        c->n--;
        lru_remove(c, e);
        ent_free(e);
      } else {
        pp = &e->hnext;
      }
    }
  }
}

void mxci_dns_destroy(mxc_ctx_t *ctx)
{
  struct mxci_cache *c = ctx->cache;
  size_t i;
  if (c == NULL)
    return;
  for (i = 0; i < c->nb; i++) {
    struct mxci_dnsent *e = c->b[i], *next;
    for (; e; e = next) {
      next = e->hnext;
      ent_free(e);
    }
  }
  mxci_free(c->b);
  mxci_free(c);
  ctx->cache = NULL;
}

static void notify(struct mxci_dnsent *e)
{
  /* Waiters may start new lookups and cancel others (including waiters of
   * this entry) from their callbacks: take them off one at a time. */
  while (e->waiters) {
    struct mxci_waiter *w = e->waiters;
    e->waiters = w->next;
    if (e->waiters)
      e->waiters->prev = NULL;
    w->next = w->prev = NULL;
    w->ent = NULL;
    w->cb(w->arg, &e->ans);
  }
}

/* ---- queries in flight ----------------------------------------------- */

static void flight_add(mxc_ctx_t *ctx, struct mxci_dnsent *e, int64_t now)
{
  e->sent_ms = now;
  e->retrying = 0;
  e->fnext = NULL;
  e->fprev = ctx->ftail;
  if (ctx->ftail)
    ctx->ftail->fnext = e;
  else
    ctx->fhead = e;
  ctx->ftail = e;
  if (ctx->ffresh == NULL)
    ctx->ffresh = e;
}

static void flight_remove(mxc_ctx_t *ctx, struct mxci_dnsent *e)
{
  if (e->fprev == NULL && ctx->fhead != e)
    return; /* not in flight (failed before it was sent) */
  if (ctx->ffresh == e)
    ctx->ffresh = e->fnext;
  if (e->fprev)
    e->fprev->fnext = e->fnext;
  else
    ctx->fhead = e->fnext;
  if (e->fnext)
    e->fnext->fprev = e->fprev;
  else
    ctx->ftail = e->fprev;
  e->fnext = e->fprev = NULL;
  if (e->retrying)
    ctx->nretry--;
  e->retrying = 0;
}

/* Queries sent at least one timeout ago are only waiting for a
 * retransmission: they give their slot to a new query (no head-of-line
 * blocking behind a server that does not answer some names). */
static void flight_age(mxc_ctx_t *ctx, int64_t now)
{
  while (ctx->ffresh && now - ctx->ffresh->sent_ms >= ctx->timeout_ms) {
    ctx->ffresh->retrying = 1;
    ctx->nretry++;
    ctx->ffresh = ctx->ffresh->fnext;
  }
}

static const char *resolver_name(const mxc_ctx_t *ctx)
{
  return ctx->servers ? ctx->servers : "the system resolver";
}

/* The answer (or error) for e is in: fill the entry and call its waiters.
 * cause, when not NULL, replaces the text of an error status. */
static void complete(struct mxci_dnsent *e, int status, const char *cause,
                     const unsigned char *abuf, int alen)
{
  mxc_ctx_t *ctx = e->ctx;
  uint32_t ttl;

  ctx->inflight--;
  flight_remove(ctx, e);
  e->sending = 0;
  mxci_answer_clear(&e->ans);
  if (status == ARES_EDESTRUCTION || ctx->cache == NULL) {
    /* The context is going away: the entry is freed with the cache. */
    e->done = 1;
    e->ans.err = status;
    return;
  }
  if (status == ARES_ETIMEOUT && cause == NULL) {
    if (++ctx->consec_timeouts >= DEAD_AFTER)
      ctx->dead_until = mxci_now_ms() + DEAD_FOR_MS;
  } else if (status == ARES_SUCCESS) {
    ctx->consec_timeouts = 0;
    ctx->dead_until = 0;
  }
  if (status != ARES_SUCCESS) {
    e->ans.err = status;
    e->ans.cause = mxci_strdup(cause ? cause : mxci_dns_errstr(status));
  } else if (mxci_dns_parse(abuf, (size_t)alen, &e->ans) < 0) {
    ctx->stats.answers_bad++;
  } else if (e->ans.rcode != MXCI_RCODE_NOERROR &&
             e->ans.rcode != MXCI_RCODE_NXDOMAIN) {
    /* c-ares normally turns these into errors; keep the same shape when it
     * does not (ARES_FLAG_NOCHECKRESP). */
    e->ans.err = e->ans.rcode == MXCI_RCODE_REFUSED ? ARES_EREFUSED
                 : e->ans.rcode == MXCI_RCODE_FORMERR ? ARES_EFORMERR
                                                      : ARES_ESERVFAIL;
    e->ans.cause = mxci_strdup(mxci_dns_errstr(e->ans.err));
  }
  if (e->ans.err != ARES_SUCCESS)
    ttl = CACHE_ERR_TTL_S;
  else
    ttl = e->ans.min_ttl > CACHE_MAX_TTL_S ? CACHE_MAX_TTL_S : e->ans.min_ttl;
  /* Errors are not kept past the lookups that were waiting for them. */
  e->expires = mxci_now_ms() + (e->ans.err == ARES_SUCCESS ? ttl * 1000 : 0);
  e->done = 1;
  ctx->cache->busy++;
  notify(e);
  ctx->cache->busy--;
  lru_append(ctx->cache, e);
  cache_trim(ctx);
}

static void ares_done(void *arg, int status, int timeouts, unsigned char *abuf,
                      int alen)
{
  struct mxci_dnsent *e = arg;
  mxc_ctx_t *ctx = e->ctx;
  (void)timeouts;
  complete(e, status, NULL, abuf, alen);
  if (status != ARES_EDESTRUCTION && ctx->cache)
    mxci_dns_pump(ctx);
}

/* Send e, or fail it at once when the resolver has stopped answering
 * (without calling mxci_dns_pump: the caller's loop goes on). */
static void send_one(mxc_ctx_t *ctx, struct mxci_dnsent *e, int64_t now)
{
  unsigned char q[512];
  int qlen = mxci_dns_build_query(e->name, e->type, ctx->edns, q, sizeof(q));
  ctx->inflight++; /* before sending: c-ares may answer inside ares_send */
  if (qlen < 0) {
    /* Cannot happen for names accepted in mxci_dns_lookup. */
    complete(e, ARES_EBADNAME, NULL, NULL, 0);
    return;
  }
  if (ctx->consec_timeouts >= DEAD_AFTER) {
    if (now < ctx->dead_until) {
      char why[300];
      snprintf(why, sizeof(why),
               "timeout (%s has not answered %u queries in a row; "
               "not asked again for a while)",
               resolver_name(ctx), ctx->consec_timeouts);
      complete(e, ARES_ETIMEOUT, why, NULL, 0);
      return;
    }
    /* Time to probe: this query goes; the others wait for its answer
     * (failing at once) for as long as it may take. */
    ctx->dead_until = now + (int64_t)ctx->timeout_ms * (ctx->tries + 1);
  }
  /* A random ID: c-ares 1.18's ares_send() sends the caller's ID as it
   * is, and the ID (with the port) is what stops off-path forgeries
   * (RFC 5452 section 4). */
  if (ctx->idleft < 2) {
    mxci_random(ctx->idpool, sizeof(ctx->idpool));
    ctx->idleft = sizeof(ctx->idpool);
  }
  ctx->idleft -= 2;
  memcpy(q, ctx->idpool + ctx->idleft, 2);
  ctx->stats.queries_sent++;
  flight_add(ctx, e, now);
  ares_send(ctx->channel, q, qlen, ares_done, e);
}

static struct mxci_dnsent *queue_pop(mxc_ctx_t *ctx)
{
  struct mxci_dnsent *e;
  /* Follow-up lookups of checks already under way go first, so that a
   * large batch finishes checks instead of starting them all. */
  if (ctx->pqhead) {
    e = ctx->pqhead;
    ctx->pqhead = e->qnext;
    if (ctx->pqhead == NULL)
      ctx->pqtail = NULL;
  } else {
    e = ctx->qhead;
    ctx->qhead = e->qnext;
    if (ctx->qhead == NULL)
      ctx->qtail = NULL;
  }
  e->qnext = NULL;
  ctx->queued--;
  return e;
}

void mxci_dns_pump(mxc_ctx_t *ctx)
{
  int64_t now;
  if (ctx->cache == NULL || (ctx->pqhead == NULL && ctx->qhead == NULL))
    return;
  now = mxci_now_ms();
  flight_age(ctx, now);
  /* max_inflight fresh queries, and as many more waiting to be retried. */
  while ((ctx->pqhead || ctx->qhead) && ctx->cache &&
         ctx->inflight - ctx->nretry < (size_t)ctx->max_inflight &&
         ctx->inflight < 2 * (size_t)ctx->max_inflight)
    send_one(ctx, queue_pop(ctx), now);
}

static void waiter_link(struct mxci_dnsent *e, struct mxci_waiter *w,
                        mxci_dns_cb cb, void *arg)
{
  w->cb = cb;
  w->arg = arg;
  w->ent = e;
  w->prev = NULL;
  w->next = e->waiters;
  if (e->waiters)
    e->waiters->prev = w;
  e->waiters = w;
}

void mxci_dns_cancel(struct mxci_waiter *w)
{
  struct mxci_dnsent *e = w->ent;
  if (e == NULL)
    return;
  if (w->prev)
    w->prev->next = w->next;
  else
    e->waiters = w->next;
  if (w->next)
    w->next->prev = w->prev;
  w->next = w->prev = NULL;
  w->ent = NULL;
}

static mxc_status_t lookup(mxc_ctx_t *ctx, const char *name, uint16_t type,
                           mxci_dns_cb cb, void *arg, struct mxci_waiter *w,
                           int zones);

mxc_status_t mxci_dns_lookup(mxc_ctx_t *ctx, const char *name, uint16_t type,
                             mxci_dns_cb cb, void *arg, struct mxci_waiter *w)
{
  return lookup(ctx, name, type, cb, arg, w, 1);
}

mxc_status_t mxci_dns_lookup_live(mxc_ctx_t *ctx, const char *name,
                                  uint16_t type, mxci_dns_cb cb, void *arg,
                                  struct mxci_waiter *w)
{
  return lookup(ctx, name, type, cb, arg, w, 0);
}

static mxc_status_t lookup(mxc_ctx_t *ctx, const char *name, uint16_t type,
                           mxci_dns_cb cb, void *arg, struct mxci_waiter *w,
                           int zones)
{
  struct mxci_cache *c = ctx->cache;
  struct mxci_dnsent *e;
  uint32_t h;
  int64_t now;
  size_t nlen;

  memset(w, 0, sizeof(*w));
  nlen = strlen(name);
  if (nlen > 1 && name[nlen - 1] == '.')
    nlen--;
  if (nlen == 0 || nlen >= MXCI_MAX_NAME)
    return MXC_EINVAL;
  if (zones && ctx->zones) {
    mxc_status_t zst;
    if (mxci_zone_lookup(ctx, name, type, cb, arg, w, &zst, mxci_dns_lookup))
      return zst;
  }

  if (++c->lookups_since_expire >= EXPIRE_EVERY && !c->busy)
    mxci_dns_expire(ctx);
  {
    char key[MXCI_MAX_NAME];
    size_t i;
    for (i = 0; i < nlen; i++)
      key[i] = (char)tolower((unsigned char)name[i]);
    key[nlen] = '\0';
    h = hash_key(key, type);
    now = mxci_now_ms();
    for (e = c->b[h % c->nb]; e; e = e->hnext) {
      if (e->hash != h || e->type != type || strcmp(e->name, key) != 0)
        continue;
      if (!e->done) {
        ctx->stats.dedup_joins++;
        waiter_link(e, w, cb, arg);
        return MXC_OK;
      }
      if (e->expires > now || e->waiters) {
        ctx->stats.cache_hits++;
        c->busy++;
        cb(arg, &e->ans);
        c->busy--;
        cache_trim(ctx);
        return MXC_OK;
      }
      /* Expired: ask again, reusing the entry. */
      lru_remove(c, e);
      break;
    }
    if (e == NULL) {
      /* the name in the same allocation: one malloc per entry */
      size_t len = strlen(key);
      e = mxci_calloc(1, sizeof(*e) + len + 1);
      if (e == NULL)
        return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
      memcpy(e->name, key, len + 1);
      e->type = type;
      e->hash = h;
      e->ctx = ctx;
      e->hnext = c->b[h % c->nb];
      c->b[h % c->nb] = e;
      if (++c->n > c->nb)
        cache_grow(c);
    }
  }
  e->done = 0;
  e->sending = 1;
  mxci_answer_clear(&e->ans);
  waiter_link(e, w, cb, arg);
  /* Queue, then send while slots are free: the bound on queries in flight
   * protects resolvers (and our socket) from bursts. */
  e->qnext = NULL;
  if (ctx->processing) {
    /* Asked from an answer's callback: a follow-up. */
    if (ctx->pqtail)
      ctx->pqtail->qnext = e;
    else
      ctx->pqhead = e;
    ctx->pqtail = e;
  } else {
    if (ctx->qtail)
      ctx->qtail->qnext = e;
    else
      ctx->qhead = e;
    ctx->qtail = e;
  }
  ctx->queued++;
  mxci_dns_pump(ctx);
  return MXC_OK;
}

int mxci_dns_peek(mxc_ctx_t *ctx, const char *name, uint16_t type,
                  const struct mxci_answer **out)
{
  struct mxci_cache *c = ctx->cache;
  const struct mxci_dnsent *e;
  char key[MXCI_MAX_NAME];
  size_t i, nlen;
  uint32_t h;

  *out = NULL;
  if (ctx->zones && mxci_zone_peek(ctx, name, type, out))
    return 1;
  nlen = strlen(name);
  if (nlen > 1 && name[nlen - 1] == '.')
    nlen--;
  if (c == NULL || nlen == 0 || nlen >= MXCI_MAX_NAME)
    return 0;
  for (i = 0; i < nlen; i++)
    key[i] = (char)tolower((unsigned char)name[i]);
  key[nlen] = '\0';
  h = hash_key(key, type);
  for (e = c->b[h % c->nb]; e; e = e->hnext) {
    if (e->hash != h || e->type != type || strcmp(e->name, key) != 0)
      continue;
    /* Errors expire at once: they are never served from here. */
    if (!e->done || e->expires <= mxci_now_ms())
      return 0;
    *out = &e->ans;
    return 1;
  }
  return 0;
}

size_t mxci_dns_cache_count(const mxc_ctx_t *ctx)
{
  return ctx->cache ? ctx->cache->n : 0;
}
