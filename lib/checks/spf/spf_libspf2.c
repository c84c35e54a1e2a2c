/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_libspf2.c -- libspf2's view of an SPF check.
 *
 * Real receivers (Exim's SPF support, spfmilter, policy daemons) evaluate
 * SPF with libspf2, which gets many RFC 7208 cases wrong
 * (notes/libspf2.md).  mxcheck runs libspf2 on the same data as its own
 * evaluator, so the report can say where libspf2-based receivers will
 * conclude differently.
 *
 * libspf2 is synchronous: its DNS goes through a chain of layers whose
 * lookup function must return an answer at once.  Ours answers only from
 * answers the check pinned: copies of every answer the check's own lookups
 * received (mxci_spf2_pin, called by spf.c), so that the context's cache
 * may evict entries without changing what libspf2 sees; failing that, from
 * the context's cache (mxci_dns_peek).  Anything else is a miss: the layer
 * answers TRY_AGAIN and records the name.  A run that had a miss is thrown
 * away whatever it concluded (a miss in exp= or %{p} does not even stop
 * it); the misses are fetched through the context, and libspf2 runs again
 * from scratch, with a fresh SPF_request_t (it caches %{p} in the
 * request).  There is no SPF_dns_cache layer above ours: it would cache
 * the TRY_AGAIN answers.  Measured on the RFC 7208 suite: the final run
 * equals a synchronous libspf2 run in 203 of 203 tests.
 *
 * The layer hands libspf2 what its own resolver layer would: only records
 * of the type asked (a CNAME chain is followed, also out of the answer),
 * TXT character-strings joined, empty TXT records skipped, MX preferences
 * dropped, names without the final dot; NXDOMAIN and names that cannot be
 * queried are HOST_NOT_FOUND, an answer without records NO_DATA, any DNS
 * error TRY_AGAIN.  One SPF_server_t per check: the layer's state is its
 * hook.
 */
#include "mxc_private.h"
#include "spf_private.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>

#include <spf2/spf.h>
#include <spf2/spf_dns.h>
#include <spf2/spf_dns_rr.h>

/* Misses recorded in one run (further ones abort the run all the same and
 * are recorded by a later run). */
#define MAX_MISSES 32
/* Answers pinned by one check: the evaluator's lookups (at most 256) and
 * the fetches made for libspf2. */
#define MAX_PINS (256 + MXCI_SPF2_MAX_FETCHES)
/* The detail: libspf2's messages kept, and its length. */
#define MAX_DETAIL_MSGS 4
#define MAX_DETAIL 1000
/* The receiving domain, %{r}: as for the evaluator, a checker has none. */
#define REC_DOM "unknown"

struct pin {
  unsigned char *key; /* the name in wire form, lower case */
  size_t klen;
  uint32_t hash;
  uint16_t type;
  struct mxci_answer *ans;
};

struct mxci_spf2;

struct miss {
  struct mxci_waiter w;
  struct mxci_spf2 *v;
  char *name; /* presentation form, as libspf2 asked */
  uint16_t type;
  int active;
};

struct mxci_spf2 {
  mxc_ctx_t *ctx;
  struct pin *pins;
  size_t npins;
  struct miss miss[MAX_MISSES];
  size_t nmiss;
  int missed;   /* this run lacked an answer */
  int oom;      /* this run ran out of memory in the layer */
  int waiting;  /* fetches in flight */
  int runs, fetches;
  int started, finished, in_loop;
  SPF_dns_server_t *layer;
  SPF_server_t *server;
  struct mxci_addr a;
  char *mail_from, *helo, *exp;
  void (*done)(void *arg);
  void *arg;
  int state;
  mxc_verdict_t verdict;
  char *detail;
};

/* ---- libspf2's messages ------------------------------------------------- */

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

/* libspf2's default handlers print warnings and debug lines to stderr and
 * its "info" lines to stdout (e.g. "Warning: 1 errors in response, but no
 * error code"), which would end up in the CLI's JSON.  The defaults are
 * replaced by silence; handlers an application set are left alone. */
static void quiet(void)
{
  if (SPF_warning_handler == SPF_warning_stdio)
    SPF_warning_handler = NULL;
  if (SPF_info_handler == SPF_info_stdio)
    SPF_info_handler = NULL;
  if (SPF_debug_handler == SPF_debug_stdio)
    SPF_debug_handler = NULL;
}

/* ---- the server ----------------------------------------------------------- */

SPF_server_t *mxci_spf2_server_new(void *dns_layer, const char *exp)
{
  SPF_server_t *sv;
  SPF_response_t *resp = NULL;

  (void)pthread_once(&quiet_once, quiet);
  sv = SPF_server_new_dns(dns_layer, 0);
  if (sv == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  if (SPF_server_set_rec_dom(sv, REC_DOM) != SPF_E_SUCCESS)
    goto fail; /* LCOV_EXCL_LINE: OutOfMemory */
  if (exp != NULL) {
    SPF_errcode_t e = SPF_server_set_explanation(sv, exp, &resp);
    SPF_response_free(resp);
    /* A text libspf2 cannot compile keeps libspf2's own default. */
    if (e == SPF_E_NO_MEMORY)
      goto fail; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return sv;
fail:
  SPF_server_free(sv); /* LCOV_EXCL_LINE: OutOfMemory */
  return NULL;         /* LCOV_EXCL_LINE: OutOfMemory */
}

void mxci_spf2_server_free(SPF_server_t *server)
{
  if (server)
    SPF_server_free(server);
}

/* ---- one evaluation ----------------------------------------------------- */

static mxc_verdict_t map_result(SPF_result_t r, SPF_errcode_t e)
{
  switch (r) {
  case SPF_RESULT_NEUTRAL:
    return MXC_VERDICT_NEUTRAL;
  case SPF_RESULT_PASS:
    return MXC_VERDICT_PASS;
  case SPF_RESULT_FAIL:
    return MXC_VERDICT_FAIL;
  case SPF_RESULT_SOFTFAIL:
    return MXC_VERDICT_SOFTFAIL;
  case SPF_RESULT_NONE:
    return MXC_VERDICT_NONE;
  case SPF_RESULT_TEMPERROR:
    return MXC_VERDICT_TEMPERROR;
  case SPF_RESULT_PERMERROR:
    return MXC_VERDICT_PERMERROR;
  default:
    /* SPF_RESULT_INVALID: libspf2 1.2.10 sets no result when the top-level
     * record does not compile or its lookup fails. */
    return e == SPF_E_DNS_ERROR ? MXC_VERDICT_TEMPERROR
                                : MXC_VERDICT_PERMERROR;
  }
}

/* libspf2's error messages, or its explanation of a fail; printable. */
static char *make_detail(SPF_response_t *resp, mxc_verdict_t v,
                         SPF_errcode_t e)
{
  struct mxci_buf b = {0};
  int i, n = SPF_response_messages(resp), shown = 0;
  char *raw, *out;

  for (i = 0; i < n && shown < MAX_DETAIL_MSGS; i++) {
    SPF_error_t *m = SPF_response_message(resp, i);
    const char *text = SPF_error_message(m);
    if (!SPF_error_errorp(m) || text == NULL || *text == '\0')
      continue;
    mxci_buf_printf(&b, "%s%s", shown ? "; " : "", text);
    shown++;
  }
  if (shown == 0) {
    const char *x = SPF_response_get_explanation(resp);
    if ((v == MXC_VERDICT_FAIL || v == MXC_VERDICT_SOFTFAIL) && x && *x)
      mxci_buf_puts(&b, x);
    else if ((v == MXC_VERDICT_PERMERROR || v == MXC_VERDICT_TEMPERROR) &&
             e != SPF_E_SUCCESS)
      mxci_buf_puts(&b, SPF_strerror(e));
    else
      mxci_buf_puts(&b, "");
  }
  raw = mxci_buf_take(&b);
  if (raw == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  out = mxci_printable((const unsigned char *)raw,
                           strlen(raw) > MAX_DETAIL ? MAX_DETAIL
                                                    : strlen(raw));
  mxci_free(raw);
  return out;
}

int mxci_spf2_eval(SPF_server_t *server, const struct mxci_spf2_query *q,
                   mxc_verdict_t *v, char **detail)
{
  SPF_request_t *req;
  SPF_response_t *resp = NULL;
  SPF_errcode_t e, set = SPF_E_SUCCESS;
  int rc = -1;

  *detail = NULL;
  req = SPF_request_new(server);
  if (req == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  if (q->a->family == 6 || q->a->mapped) {
    /* An IPv4-mapped address is given to libspf2 as it came: IPv6. */
    struct in6_addr a6;
    memset(&a6, 0, sizeof(a6));
    if (q->a->mapped) {
      a6.s6_addr[10] = a6.s6_addr[11] = 0xff;
      memcpy(a6.s6_addr + 12, q->a->b, 4);
    } else {
      memcpy(a6.s6_addr, q->a->b, 16);
    }
    SPF_request_set_ipv6(req, a6);
  } else {
    struct in_addr a4;
    memcpy(&a4.s_addr, q->a->b, 4);
    SPF_request_set_ipv4(req, a4);
  }
  /* A receiver always has a HELO name; without one, %{h} is "unknown" as
   * in mxcheck's evaluator. */
  set = SPF_request_set_helo_dom(req, q->helo && *q->helo ? q->helo
                                                           : "unknown");
  if (set == SPF_E_SUCCESS && q->mail_from && *q->mail_from)
    set = (SPF_errcode_t)SPF_request_set_env_from(req, q->mail_from);
  if (set != SPF_E_SUCCESS)
    goto done; /* LCOV_EXCL_LINE: OutOfMemory */
  e = SPF_request_query_mailfrom(req, &resp);
  if (resp == NULL)
    goto done; /* LCOV_EXCL_LINE: OutOfMemory */
  if (e == SPF_E_SUCCESS)
    e = SPF_response_errcode(resp);
  *v = map_result(SPF_response_result(resp), e);
  *detail = make_detail(resp, *v, e);
  rc = *detail ? 0 : -1;
done:
  if (resp)
    SPF_response_free(resp);
  SPF_request_free(req);
  return rc;
}

/* ---- pinned answers ----------------------------------------------------- */

/* The name in wire form, ASCII letters lowered (length octets are below
 * 64, so lowering them is harmless); -1 when it cannot be queried. */
static int wire_key(const char *name, unsigned char *out, size_t outlen)
{
  int n, i;
  if (name == NULL || *name == '\0' || strcmp(name, ".") == 0)
    return -1;
  n = mxci_dns_encode_name(name, out, outlen);
  for (i = 0; i < n; i++)
    if (out[i] >= 'A' && out[i] <= 'Z')
      out[i] = (unsigned char)(out[i] + ('a' - 'A'));
  return n;
}

/* A wire name back in the presentation form of our answers (dnsmsg.c):
 * '.' and '\\' escaped with a backslash, other octets outside 0x21..0x7e
 * as \DDD.  libspf2 may ask for a name with raw spaces in it: compared
 * with the owners of our answers, it must be in this form. */
static void wire_to_pres(const unsigned char *k, char *out, size_t outlen)
{
  size_t o = 0;
  while (*k && o + 5 < outlen) {
    unsigned len = *k++, i;
    if (o > 0)
      out[o++] = '.';
    for (i = 0; i < len && o + 5 < outlen; i++) {
      unsigned char c = k[i];
      if (c == '.' || c == '\\') {
        out[o++] = '\\';
        out[o++] = (char)c;
      } else if (c <= 0x20 || c >= 0x7f) {
        o += (size_t)snprintf(out + o, outlen - o, "\\%03u", c);
      } else {
        out[o++] = (char)c;
      }
    }
    k += len;
  }
  out[o] = '\0';
}

static uint32_t key_hash(const unsigned char *k, size_t n, uint16_t type)
{
  uint32_t h = 2166136261u;
  size_t i;
  for (i = 0; i < n; i++) {
    h ^= k[i];
    h *= 16777619u;
  }
  h ^= type;
  h *= 16777619u;
  return h;
}

static const struct mxci_answer *pin_find(const struct mxci_spf2 *v,
                                          const unsigned char *k, size_t n,
                                          uint16_t type)
{
  uint32_t h = key_hash(k, n, type);
  size_t i;
  for (i = 0; i < v->npins; i++) {
    const struct pin *p = &v->pins[i];
    if (p->hash == h && p->type == type && p->klen == n &&
        memcmp(p->key, k, n) == 0)
      return p->ans;
  }
  return NULL;
}

/* Pin a copy; returns the copy, or NULL (out of memory, or full). */
static const struct mxci_answer *pin_add(struct mxci_spf2 *v,
                                         const unsigned char *k, size_t n,
                                         uint16_t type,
                                         const struct mxci_answer *ans)
{
  const struct mxci_answer *old = pin_find(v, k, n, type);
  struct pin *p;
  if (old)
    return old;
  if (v->npins >= MAX_PINS)
    return NULL;
  if (v->pins == NULL) {
    v->pins = mxci_calloc(MAX_PINS, sizeof(*v->pins));
    if (v->pins == NULL)
      return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  p = &v->pins[v->npins];
  p->key = mxci_malloc(n);
  p->ans = mxci_answer_dup(ans);
  if (p->key == NULL || p->ans == NULL) {
    mxci_free(p->key); /* LCOV_EXCL_LINE: OutOfMemory */
    if (p->ans) {      /* LCOV_EXCL_LINE: OutOfMemory */
      mxci_answer_clear(p->ans); /* LCOV_EXCL_LINE: OutOfMemory */
      mxci_free(p->ans);         /* LCOV_EXCL_LINE: OutOfMemory */
    }
    memset(p, 0, sizeof(*p)); /* LCOV_EXCL_LINE: OutOfMemory */
    return NULL;              /* LCOV_EXCL_LINE: OutOfMemory */
  }
  memcpy(p->key, k, n);
  p->klen = n;
  p->type = type;
  p->hash = key_hash(k, n, type);
  v->npins++;
  return p->ans;
}

void mxci_spf2_pin(struct mxci_spf2 *v, const char *name, uint16_t type,
                   const struct mxci_answer *ans)
{
  unsigned char k[256];
  int n;
  if (v == NULL || ans == NULL)
    return;
  n = wire_key(name, k, sizeof(k));
  if (n > 0)
    (void)pin_add(v, k, (size_t)n, type, ans);
}

const struct mxci_answer *mxci_spf2_pinned(const struct mxci_spf2 *v,
                                           const char *name, uint16_t type)
{
  unsigned char k[256];
  int n;
  if (v == NULL)
    return NULL;
  n = wire_key(name, k, sizeof(k));
  return n > 0 ? pin_find(v, k, (size_t)n, type) : NULL;
}

/* ---- the DNS layer ------------------------------------------------------ */

static SPF_dns_rr_t *rr_status(struct mxci_spf2 *v, SPF_dns_server_t *d,
                               const char *domain, ns_type type, int herrno)
{
  SPF_dns_rr_t *rr = SPF_dns_rr_new_init(d, domain, type, 0, herrno);
  if (rr == NULL) {
    /* libspf2 aborts the process on a NULL answer: try once more with no
     * name to copy, and throw the run away. */
    v->oom = 1;                                             /* LCOV_EXCL_LINE */
    rr = SPF_dns_rr_new_init(d, NULL, type, 0, TRY_AGAIN); /* LCOV_EXCL_LINE */
  }
  return rr;
}

static void note_miss(struct mxci_spf2 *v, const char *name, uint16_t type)
{
  size_t i;
  struct miss *m;
  v->missed = 1;
  for (i = 0; i < v->nmiss; i++)
    if (v->miss[i].type == type && mxci_name_eq(v->miss[i].name, name))
      return;
  if (v->nmiss >= MAX_MISSES)
    return;
  m = &v->miss[v->nmiss];
  m->name = mxci_strdup(name);
  if (m->name == NULL) {
    v->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return;     /* LCOV_EXCL_LINE: OutOfMemory */
  }
  m->type = type;
  m->v = v;
  v->nmiss++;
}

/* Does this record answer the question (type, owner at the end of the
 * chain)?  Empty TXT records are skipped, as libspf2's resolver does. */
static int rr_usable(const struct mxci_rr *rr, uint16_t type,
                     const char *owner)
{
  if (rr->type != type || !mxci_name_eq(rr->owner, owner))
    return 0;
  if ((type == MXCI_T_TXT || type == MXCI_T_SPF) && rr->rdlen == 0)
    return 0;
  return type == MXCI_T_A || type == MXCI_T_AAAA || type == MXCI_T_MX ||
         type == MXCI_T_PTR || type == MXCI_T_TXT || type == MXCI_T_SPF;
}

/* The records of ans as libspf2 wants them. */
static SPF_dns_rr_t *convert(struct mxci_spf2 *v, SPF_dns_server_t *d,
                             const char *domain, ns_type type,
                             const struct mxci_answer *ans, const char *owner)
{
  SPF_dns_rr_t *rr = rr_status(v, d, domain, type, NETDB_SUCCESS);
  size_t i;
  int cnt = 0;

  if (rr == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < ans->nan; i++) {
    const struct mxci_rr *r = &ans->an[i];
    size_t len;
    if (!rr_usable(r, (uint16_t)type, owner))
      continue;
    switch (r->type) {
    case MXCI_T_A:
      len = sizeof(struct in_addr);
      break;
    case MXCI_T_AAAA:
      len = sizeof(struct in6_addr);
      break;
    case MXCI_T_MX:
    case MXCI_T_PTR:
      len = strlen(r->name) + 1;
      break;
    default: /* TXT, SPF: a C string, as libspf2 reads it */
      len = r->datalen + 1;
      break;
    }
    if (SPF_dns_rr_buf_realloc(rr, cnt, len) != SPF_E_SUCCESS) {
      SPF_dns_rr_free(rr);                                 /* LCOV_EXCL_LINE */
      return rr_status(v, d, domain, type, TRY_AGAIN);     /* LCOV_EXCL_LINE */
    }
    switch (r->type) {
    case MXCI_T_A:
      memcpy(&rr->rr[cnt]->a, r->addr, 4);
      break;
    case MXCI_T_AAAA:
      memcpy(&rr->rr[cnt]->aaaa, r->addr, 16);
      break;
    case MXCI_T_MX:
    case MXCI_T_PTR:
      memcpy(rr->rr[cnt]->ptr, r->name, len);
      break;
    default:
      memcpy(rr->rr[cnt]->txt, r->data, r->datalen);
      rr->rr[cnt]->txt[r->datalen] = '\0';
      break;
    }
    cnt++;
  }
  rr->num_rr = cnt;
  if (cnt == 0)
    rr->herrno = NO_DATA;
  return rr;
}

static SPF_dns_rr_t *layer_lookup(SPF_dns_server_t *d, const char *domain,
                                  ns_type type, int should_cache)
{
  struct mxci_spf2 *v = d->hook;
  char name[MXCI_MAX_NAME];
  unsigned char k[256];
  size_t len;
  int hops = 0;

  (void)should_cache;
  if (domain == NULL)
    return rr_status(v, d, domain, type, HOST_NOT_FOUND);
  len = strlen(domain);
  while (len > 1 && domain[len - 1] == '.')
    len--;
  if (len >= sizeof(name))
    return rr_status(v, d, domain, type, HOST_NOT_FOUND);
  memcpy(name, domain, len);
  name[len] = '\0';
  for (;;) {
    const struct mxci_answer *ans;
    const char *final;
    int n = wire_key(name, k, sizeof(k)), h;
    size_t i, found = 0;

    /* A name no query can carry does not exist (notes/libspf2.md 4.5.7). */
    if (n < 0)
      return rr_status(v, d, domain, type, HOST_NOT_FOUND);
    wire_to_pres(k, name, sizeof(name));
    ans = pin_find(v, k, (size_t)n, (uint16_t)type);
    if (ans == NULL && mxci_dns_peek(v->ctx, name, (uint16_t)type, &ans))
      ans = pin_add(v, k, (size_t)n, (uint16_t)type, ans);
    if (ans == NULL) {
      note_miss(v, name, (uint16_t)type);
      return rr_status(v, d, domain, type, TRY_AGAIN);
    }
    if (ans->err != ARES_SUCCESS)
      return rr_status(v, d, domain, type,
                       ans->err == ARES_EBADNAME ? HOST_NOT_FOUND
                                                 : TRY_AGAIN);
    if (ans->rcode == MXCI_RCODE_NXDOMAIN)
      return rr_status(v, d, domain, type, HOST_NOT_FOUND);
    final = mxci_answer_follow(ans, name, &h);
    if (h < 0)
      return rr_status(v, d, domain, type, NO_DATA); /* a CNAME loop */
    for (i = 0; i < ans->nan; i++)
      found += rr_usable(&ans->an[i], (uint16_t)type, final);
    if (found > 0)
      return convert(v, d, domain, type, ans, final);
    if (h == 0 || hops + h > MXCI_MAX_CNAME_HOPS)
      return rr_status(v, d, domain, type, NO_DATA);
    /* The chain leaves the answer: a recursive resolver would follow it. */
    hops += h;
    len = strlen(final);
    if (len >= sizeof(name))
      return rr_status(v, d, domain, type, HOST_NOT_FOUND);
    memmove(name, final, len + 1);
  }
}

/* ---- the view ------------------------------------------------------------- */

struct mxci_spf2 *mxci_spf2_new(mxc_ctx_t *ctx)
{
  struct mxci_spf2 *v = mxci_calloc(1, sizeof(*v));
  if (v == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  v->ctx = ctx;
  return v;
}

static void misses_clear(struct mxci_spf2 *v)
{
  size_t i;
  for (i = 0; i < v->nmiss; i++) {
    if (v->miss[i].active)
      mxci_dns_cancel(&v->miss[i].w);
    mxci_free(v->miss[i].name);
    memset(&v->miss[i], 0, sizeof(v->miss[i]));
  }
  v->nmiss = 0;
}

void mxci_spf2_cancel(struct mxci_spf2 *v)
{
  if (v == NULL)
    return;
  misses_clear(v);
  v->waiting = 0;
  v->finished = 1;
}

void mxci_spf2_free(struct mxci_spf2 *v)
{
  size_t i;
  if (v == NULL)
    return;
  mxci_spf2_cancel(v);
  for (i = 0; i < v->npins; i++) {
    mxci_free(v->pins[i].key);
    mxci_answer_clear(v->pins[i].ans);
    mxci_free(v->pins[i].ans);
  }
  mxci_free(v->pins);
  mxci_spf2_server_free(v->server);
  mxci_free(v->layer);
  mxci_free(v->mail_from);
  mxci_free(v->helo);
  mxci_free(v->exp);
  mxci_free(v->detail);
  mxci_free(v);
}

static void give_up(struct mxci_spf2 *v, const char *why)
{
  mxci_free(v->detail);
  v->detail = mxci_strdup(why);
  v->state = MXCI_SPF2_UNKNOWN;
  v->finished = 1;
  misses_clear(v);
  v->done(v->arg);
}

static void loop(struct mxci_spf2 *v);

static void miss_cb(void *arg, const struct mxci_answer *ans)
{
  struct miss *m = arg;
  struct mxci_spf2 *v = m->v;
  m->active = 0;
  mxci_spf2_pin(v, m->name, m->type, ans);
  v->waiting--;
  loop(v);
}

/* Fetch the misses of the run; returns -1 when a limit was reached (the
 * view was given up). */
static int fetch_misses(struct mxci_spf2 *v)
{
  size_t i;
  for (i = 0; i < v->nmiss; i++) {
    struct miss *m = &v->miss[i];
    mxc_status_t st;
    if (v->fetches >= MXCI_SPF2_MAX_FETCHES) {
      give_up(v, "libspf2 needed more DNS lookups than mxcheck allows it");
      return -1;
    }
    v->fetches++;
    m->active = 1;
    v->waiting++;
    st = mxci_dns_lookup(v->ctx, m->name, m->type, miss_cb, m, &m->w);
    if (st != MXC_OK) {
      struct mxci_answer bad;
      m->active = 0;
      v->waiting--;
      if (st == MXC_ENOMEM) {
        give_up(v, "out of memory"); /* LCOV_EXCL_LINE: OutOfMemory */
        return -1;                   /* LCOV_EXCL_LINE: OutOfMemory */
      }
      /* A name the engine refuses: as if the server said it is bad. */
      memset(&bad, 0, sizeof(bad));
      bad.err = ARES_EBADNAME;
      mxci_spf2_pin(v, m->name, m->type, &bad);
    }
  }
  return 0;
}

/* Run libspf2 until a run has no miss, or wait for the fetches. */
static void loop(struct mxci_spf2 *v)
{
  if (v->in_loop)
    return;
  v->in_loop = 1;
  while (!v->finished && v->waiting == 0) {
    struct mxci_spf2_query q;
    mxc_verdict_t verdict = MXC_VERDICT_NONE;
    char *detail = NULL;
    int rc;

    misses_clear(v);
    if (v->runs >= MXCI_SPF2_MAX_RUNS) {
      give_up(v, "libspf2 needed more runs than mxcheck allows it");
      break;
    }
    v->runs++;
    v->missed = v->oom = 0;
    q.a = &v->a;
    q.mail_from = v->mail_from;
    q.helo = v->helo;
    q.exp = v->exp;
    rc = mxci_spf2_eval(v->server, &q, &verdict, &detail);
    if (rc < 0 || v->oom) {
      mxci_free(detail);
      give_up(v, "out of memory");
      break;
    }
    if (!v->missed) {
      v->state = MXCI_SPF2_DONE;
      v->verdict = verdict;
      mxci_free(v->detail);
      v->detail = detail;
      v->finished = 1;
      v->done(v->arg);
      break;
    }
    mxci_free(detail);
    if (fetch_misses(v) < 0)
      break;
  }
  v->in_loop = 0;
}

void mxci_spf2_start(struct mxci_spf2 *v, const struct mxci_spf2_query *q,
                     void (*done)(void *arg), void *arg)
{
  v->done = done;
  v->arg = arg;
  v->started = 1;
  v->a = *q->a;
  if ((q->mail_from && (v->mail_from = mxci_strdup(q->mail_from)) == NULL) ||
      (q->helo && (v->helo = mxci_strdup(q->helo)) == NULL) ||
      (q->exp && (v->exp = mxci_strdup(q->exp)) == NULL)) {
    give_up(v, "out of memory"); /* LCOV_EXCL_LINE: OutOfMemory */
    return;                      /* LCOV_EXCL_LINE: OutOfMemory */
  }
  v->layer = mxci_calloc(1, sizeof(*v->layer));
  if (v->layer == NULL) {
    give_up(v, "out of memory"); /* LCOV_EXCL_LINE: OutOfMemory */
    return;                      /* LCOV_EXCL_LINE: OutOfMemory */
  }
  /* No destroy function: libspf2 leaves the layer to us. */
  v->layer->lookup = layer_lookup;
  v->layer->name = "mxcheck";
  v->layer->hook = v;
  v->server = mxci_spf2_server_new(v->layer, v->exp);
  if (v->server == NULL) {
    give_up(v, "libspf2 could not be set up"); /* LCOV_EXCL_LINE */
    return;                                    /* LCOV_EXCL_LINE */
  }
  loop(v);
}

int mxci_spf2_outcome(struct mxci_spf2 *v, mxc_verdict_t *verdict,
                      char **detail)
{
  *verdict = v ? v->verdict : MXC_VERDICT_NONE;
  *detail = NULL;
  if (v == NULL || !v->started)
    return MXCI_SPF2_SKIPPED;
  *detail = v->detail;
  v->detail = NULL;
  return v->state;
}

/* ---- the option ------------------------------------------------------------ */

mxc_status_t mxc_ctx_set_libspf2(mxc_ctx_t *ctx, int on)
{
  struct mxci_spf_ctx *opt;
  if (!mxci_ctx_valid(ctx))
    return MXC_EINVAL;
  if ((opt = mxci_ctx_state(ctx, &mxci_spf_method)) == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  opt->libspf2 = on ? 1 : 0;
  return MXC_OK;
}
