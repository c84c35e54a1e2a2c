/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnsbl.c -- is the client address on DNS blocklists?  Rule R19 of the
 * sender requirements (Yahoo and Gmail name Spamhaus listings as a cause of
 * 5xx refusals).
 *
 * For each list of the context (mxc_ctx_set_dnsbl_zones(); none by
 * default: public lists refuse queries that come through public
 * resolvers), the A record of the address's reversed octets (IPv4) or
 * nibbles (IPv6) under the list's zone is asked, all lists concurrently
 * (RFC 5782 section 2).  An answer in 127.0.0.0/8 means listed, and the TXT
 * record of the same name gives the reason; NXDOMAIN (or no A) means not
 * listed.  The codes 127.255.255.252-255 are not listings: lists use them
 * to refuse a query (a typo in the zone, a public or open resolver, rate
 * limiting), and they give "refused", which decides nothing.  An answer
 * outside 127.0.0.0/8 is a broken or defunct list (RFC 5782 section 5
 * warns of wildcards): decides nothing either.
 */
#include "mxc_private.h"
#include "dnsbl_private.h"

#include <stdio.h>

struct dnsbl_check;

struct lookup {
  struct mxci_waiter w;
  struct dnsbl_check *d;
  size_t idx;
  char *qname;
  int active;
};

struct dnsbl_check {
  mxc_check_t *chk;
  mxc_result_t *res;
  int pending;
  struct lookup *a, *txt; /* one each per zone */
  size_t n;
};

static void dnsbl_done(struct dnsbl_check *d);

static void release(struct dnsbl_check *d)
{
  if (--d->pending == 0)
    dnsbl_done(d);
}

/* What a refusal code means (Spamhaus's use, followed by others). */
static const char *refusal(const unsigned char *a)
{
  if (a[0] != 127 || a[1] != 255 || a[2] != 255 || a[3] < 252)
    return NULL;
  switch (a[3]) {
  case 252:
    return "query refused: a typing error in the list's zone name "
           "(127.255.255.252)";
  case 253:
    return "query refused by the list (127.255.255.253)";
  case 254:
    return "query refused: it came through a public or open resolver "
           "(127.255.255.254); ask through a resolver of your own";
  default:
    return "query refused: rate limited, too many queries "
           "(127.255.255.255)";
  }
}

static void txt_done(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct dnsbl_check *d = l->d;
  struct mxci_dnsbl_zone *z = &MXCI_DNSBL(d->res)->zones[l->idx];
  struct mxci_buf b = {0};
  size_t i;

  l->active = 0;
  if (ans->err == ARES_SUCCESS) {
    const char *final;
    int hops;
    final = mxci_answer_follow(ans, l->qname, &hops);
    if (hops < 0)
      final = l->qname;
    for (i = 0; i < ans->nan; i++) {
      char *p;
      if (ans->an[i].type != MXCI_T_TXT ||
          !mxci_name_eq(ans->an[i].owner, final))
        continue;
      p = mxci_printable(ans->an[i].data, ans->an[i].datalen);
      if (p)
        mxci_buf_printf(&b, "%s%s", b.len ? " | " : "", p);
      mxci_free(p);
      if (b.len > 512)
        break;
    }
  }
  if (b.len) {
    mxci_free(z->text);
    z->text = mxci_buf_take(&b);
  }
  mxci_free(b.s);
  release(d);
}

static int start(struct dnsbl_check *d, struct lookup *l, uint16_t type,
                 mxci_dns_cb cb)
{
  l->d = d;
  l->active = 1;
  d->pending++;
  if (mxci_dns_lookup(d->chk->ctx, l->qname, type, cb, l, &l->w) != MXC_OK) {
    l->active = 0; /* LCOV_EXCL_START: OutOfMemory */
    d->pending--;
    return -1;     /* LCOV_EXCL_STOP */
  }
  return 0;
}

static void a_done(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct dnsbl_check *d = l->d;
  struct mxci_dnsbl_zone *z = &MXCI_DNSBL(d->res)->zones[l->idx];
  struct mxci_buf codes = {0};
  const char *final, *refused = NULL, *outside = NULL;
  char outside_txt[64] = "";
  int hops, listed = 0;
  size_t i, ncodes = 0;

  l->active = 0;
  if (ans->err != ARES_SUCCESS) {
    z->state = MXC_DNSBL_ERROR;
    z->text = mxci_asprintf("%s: %s", l->qname,
                            ans->cause ? ans->cause
                                       : mxci_dns_errstr(ans->err));
    release(d);
    return;
  }
  final = mxci_answer_follow(ans, l->qname, &hops);
  if (hops < 0)
    final = l->qname;
  for (i = 0; i < ans->nan; i++) {
    const struct mxci_rr *rr = &ans->an[i];
    char t[64];
    const char *why;
    if (rr->type != MXCI_T_A || !mxci_name_eq(rr->owner, final))
      continue;
    mxci_addr_format(4, rr->addr, t, sizeof(t));
    if (ncodes++ < MXCI_DNSBL_MAX_CODES)
      mxci_buf_printf(&codes, "%s%s", codes.len ? ", " : "", t);
    if (rr->addr[0] != 127) {
      outside = outside_txt;
      snprintf(outside_txt, sizeof(outside_txt), "%s", t);
    } else if ((why = refusal(rr->addr)) != NULL) {
      refused = why;
    } else {
      listed = 1;
    }
  }
  if (ncodes)
    z->codes = mxci_buf_take(&codes);
  mxci_free(codes.s);
  if (outside) {
    /* whatever else it says: the list does not answer as a list */
    z->state = MXC_DNSBL_ERROR;
    z->text = mxci_asprintf("the list answered %s, outside 127.0.0.0/8 "
                            "(RFC 5782): a defunct list or a wrong zone "
                            "name; its answers are not used",
                            outside);
  } else if (listed) {
    z->state = MXC_DNSBL_LISTED;
    if (start(d, &d->txt[l->idx], MXCI_T_TXT, txt_done) < 0)
      z->text = NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  } else if (refused) {
    z->state = MXC_DNSBL_REFUSED;
    z->text = mxci_strdup(refused);
  } else {
    z->state = MXC_DNSBL_NOT_LISTED;
  }
  release(d);
}

static void dnsbl_done(struct dnsbl_check *d)
{
  mxc_result_t *r = d->res;
  struct mxci_dnsbl *x = MXCI_DNSBL(r);
  struct mxci_buf b = {0}, fix = {0};
  size_t i, nlisted = 0, nundecided = 0;

  for (i = 0; i < x->nzones; i++) {
    nlisted += x->zones[i].state == MXC_DNSBL_LISTED;
    nundecided += x->zones[i].state == MXC_DNSBL_REFUSED ||
                  x->zones[i].state == MXC_DNSBL_ERROR;
  }
  r->verdict = nlisted                   ? MXC_VERDICT_FAIL
               : nundecided || !x->nzones ? MXC_VERDICT_NONE
                                          : MXC_VERDICT_PASS;
  if (x->nzones == 0)
    mxci_buf_puts(&b, "no DNS blocklist configured");
  for (i = 0; i < x->nzones; i++) {
    const struct mxci_dnsbl_zone *z = &x->zones[i];
    if (r->verdict == MXC_VERDICT_PASS ||
        (r->verdict == MXC_VERDICT_FAIL && z->state != MXC_DNSBL_LISTED))
      continue;
    if (r->verdict == MXC_VERDICT_NONE && z->state == MXC_DNSBL_NOT_LISTED)
      continue;
    mxci_buf_printf(&b, "%s%s %s", b.len ? "; " : "", z->zone,
                    mxc_dnsbl_state_str(z->state));
    if (z->state == MXC_DNSBL_LISTED)
      mxci_buf_printf(&b, " (%s)", z->codes ? z->codes : "");
    if (z->state != MXC_DNSBL_NOT_LISTED && z->text)
      mxci_buf_printf(&b, ": %s", z->text);
    if (z->state == MXC_DNSBL_LISTED)
      mxci_buf_printf(&fix, "%sGet %s off %s: stop what caused the listing, "
                            "then follow the list's removal procedure%s%s.",
                      fix.len ? " " : "", r->address, z->zone,
                      z->text ? " (see: " : "", z->text ? "its TXT reason)"
                                                        : "");
  }
  if (r->verdict == MXC_VERDICT_PASS)
    mxci_buf_printf(&b, "%s not listed on %zu list(s)", r->address,
                    x->nzones);
  mxci_free(r->reason);
  r->reason = mxci_buf_take(&b);
  r->fix = mxci_buf_take(&fix);
  mxci_check_finish(d->chk, MXC_OK, r);
  d->res = NULL;
}

/* ---- check ops ------------------------------------------------------------- */

static void dnsbl_abort(mxc_check_t *chk)
{
  struct dnsbl_check *d = chk->priv;
  size_t i;
  for (i = 0; i < d->n; i++) {
    if (d->a[i].active)
      mxci_dns_cancel(&d->a[i].w);
    if (d->txt[i].active)
      mxci_dns_cancel(&d->txt[i].w);
    d->a[i].active = d->txt[i].active = 0;
  }
}

static void dnsbl_free(mxc_check_t *chk)
{
  struct dnsbl_check *d = chk->priv;
  size_t i;
  if (d == NULL)
    return;
  for (i = 0; i < d->n; i++)
    mxci_free(d->a[i].qname); /* txt[i].qname is the same string */
  mxci_free(d->a);
  mxci_free(d->txt);
  mxc_result_free(d->res);
  mxci_free(d);
  chk->priv = NULL;
}

static const struct mxci_check_ops dnsbl_ops = {dnsbl_abort, dnsbl_free};

mxc_status_t mxc_dnsbl_start(mxc_ctx_t *ctx, const char *address,
                             mxc_done_cb cb, void *arg, mxc_check_t **out)
{
  struct dnsbl_check *d;
  struct mxci_dnsbl_ctx *opt;
  struct mxci_dnsbl *x;
  struct mxci_addr a;
  mxc_check_t *chk;
  mxc_result_t *r;
  char err[160], rev[80];
  size_t i;

  if (out)
    *out = NULL;
  if (!mxci_ctx_valid(ctx) || address == NULL || cb == NULL)
    return MXC_EINVAL;
  if (ctx->free_requested)
    return MXC_EDESTRUCTION;
  if ((opt = mxci_ctx_state(ctx, &mxci_dnsbl_method)) == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  d = mxci_calloc(1, sizeof(*d));
  r = mxci_result_new(&mxci_dnsbl_method);
  chk = d && r ? mxci_check_new(ctx, &dnsbl_ops, cb, arg) : NULL;
  if (chk == NULL) {
    mxci_free(d);       /* LCOV_EXCL_LINE: OutOfMemory */
    mxc_result_free(r); /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM;  /* LCOV_EXCL_LINE: OutOfMemory */
  }
  chk->priv = d;
  d->chk = chk;
  d->res = r;
  x = MXCI_DNSBL(r);
  if ((r->input = mxci_strdup(address)) == NULL)
    goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  if (mxci_addr_parse(address, &a, err, sizeof(err)) < 0) {
    r->error = mxci_asprintf("\"%.80s\": %s", address, err);
    r->verdict = MXC_VERDICT_NONE;
    mxci_check_finish(chk, MXC_EADDRESS, r);
    d->res = NULL;
    goto started;
  }
  memcpy(r->address, a.text, sizeof(r->address));
  memcpy(r->reverse, a.rev, sizeof(r->reverse));
  r->family = a.family;
  r->mapped = a.mapped;
  /* the reversed octets or nibbles: the reverse name without its suffix */
  snprintf(rev, sizeof(rev), "%s", a.rev);
  rev[strlen(rev) - (a.family == 4 ? strlen(".in-addr.arpa")
                                   : strlen(".ip6.arpa"))] = '\0';
  if (opt->nzones) {
    x->zones = mxci_calloc(opt->nzones, sizeof(*x->zones));
    d->a = mxci_calloc(opt->nzones, sizeof(*d->a));
    d->txt = mxci_calloc(opt->nzones, sizeof(*d->txt));
    if (x->zones == NULL || d->a == NULL || d->txt == NULL)
      goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  for (i = 0; i < opt->nzones; i++) {
    x->zones[i].zone = mxci_strdup(opt->zones[i]);
    d->a[i].qname = mxci_asprintf("%s.%s", rev, opt->zones[i]);
    if (x->zones[i].zone == NULL || d->a[i].qname == NULL) {
      mxci_free(x->zones[i].zone); /* LCOV_EXCL_START: OutOfMemory */
      mxci_free(d->a[i].qname);
      x->zones[i].zone = NULL;
      d->a[i].qname = NULL;
      goto oom;                    /* LCOV_EXCL_STOP */
    }
    d->txt[i].qname = d->a[i].qname;
    d->a[i].idx = d->txt[i].idx = i;
    x->nzones = d->n = i + 1;
  }
  d->pending = 1; /* held until every lookup is issued */
  for (i = 0; i < d->n; i++)
    if (start(d, &d->a[i], MXCI_T_A, a_done) < 0) {
      x->zones[i].state = MXC_DNSBL_ERROR; /* LCOV_EXCL_LINE: OutOfMemory */
      x->zones[i].text = mxci_strdup("the lookup could not be started");
    }
  release(d);
started:
  if (out)
    *out = chk;
  mxci_ctx_leave(ctx);
  return MXC_OK;
oom:
  mxci_check_discard(chk); /* LCOV_EXCL_LINE: OutOfMemory */
  return MXC_ENOMEM;       /* LCOV_EXCL_LINE: OutOfMemory */
}

mxc_status_t mxc_dnsbl_sync(mxc_ctx_t *ctx, const char *address,
                            mxc_result_t **out)
{
  struct mxci_sync s = {0, MXC_OK, NULL};
  mxc_check_t *chk = NULL;
  mxc_status_t st = mxci_sync_begin(ctx, out);
  if (st == MXC_OK)
    st = mxc_dnsbl_start(ctx, address, mxci_sync_done, &s, &chk);
  return mxci_sync_wait(ctx, &s, st, chk, out);
}

/* ---- the context's lists ------------------------------------------------- */

mxc_status_t mxc_ctx_set_dnsbl_zones(mxc_ctx_t *ctx,
                                     const char *const *zones, size_t n)
{
  struct mxci_dnsbl_ctx *opt;
  char **v = NULL;
  size_t nv = 0, i, k;
  if (!mxci_ctx_valid(ctx) || (n > 0 && zones == NULL))
    return MXC_EINVAL;
  if (n > MXC_DNSBL_MAX_ZONES)
    return MXC_ELIMIT;
  for (i = 0; i < n; i++) {
    size_t len = zones[i] ? strlen(zones[i]) : 0;
    /* room for the 64 octets of nibbles in front: 253 in all */
    if (zones[i] == NULL || !mxci_name_ok(zones[i], 1) ||
        len + 64 > 253 + (zones[i][len - 1] == '.')) {
      snprintf(ctx->errbuf, sizeof(ctx->errbuf),
               "\"%.80s\" is not a DNS blocklist zone name",
               zones[i] ? zones[i] : "(null)");
      return MXC_EINVAL;
    }
  }
  if ((opt = mxci_ctx_state(ctx, &mxci_dnsbl_method)) == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < n; i++) {
    size_t len = strlen(zones[i]);
    char *z = mxci_strndup(zones[i], zones[i][len - 1] == '.' ? len - 1
                                                                : len);
    for (k = 0; z && k < nv; k++)
      if (mxci_name_eq(v[k], z))
        break;
    if (z && k == nv && mxci_strv_add(&v, &nv, z) == 0) {
      mxci_free(z);
      continue;
    }
    if (z && k < nv) {
      mxci_free(z);
      continue;
    }
    mxci_free(z);             /* LCOV_EXCL_START: OutOfMemory */
    mxci_strv_free(v, nv);
    return MXC_ENOMEM;        /* LCOV_EXCL_STOP */
  }
  mxci_strv_free(opt->zones, opt->nzones);
  opt->zones = v;
  opt->nzones = nv;
  return MXC_OK;
}

size_t mxc_ctx_dnsbl_zone_count(mxc_ctx_t *ctx)
{
  struct mxci_dnsbl_ctx *opt;
  if (!mxci_ctx_valid(ctx) ||
      (opt = mxci_ctx_state(ctx, &mxci_dnsbl_method)) == NULL)
    return 0;
  return opt->nzones;
}
