/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * host.c -- the "host" check: the A and AAAA records of a host name, then
 * iprev (mxc_iprev_start) of each of its addresses, all at once through
 * the context; the verdict says whether every address has a PTR name that
 * resolves back to it, and a warning names each address whose PTR name
 * is not the host itself (the name it gives in HELO).
 */
#include "mxc_private.h"
#include "host_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

struct host_check;

struct lookup {
  struct mxci_waiter w;
  struct host_check *h;
  uint16_t type;
  int active;
};

struct host_check {
  mxc_check_t *chk;
  mxc_result_t *res;
  struct lookup look[2];      /* A, AAAA */
  mxc_check_t *sub[MXC_HOST_MAX_ADDRS];
  size_t naddrs;
  char addrs[MXC_HOST_MAX_ADDRS][64];
  int temp, nx, answered;
  int waiting;
  int aborting;
};

#define H(r) ((struct mxci_host *)(r)->data)

static void host_abort(mxc_check_t *chk)
{
  struct host_check *h = chk->priv;
  size_t i;
  h->aborting = 1;
  for (i = 0; i < 2; i++)
    if (h->look[i].active)
      mxci_dns_cancel(&h->look[i].w);
  for (i = 0; i < MXC_HOST_MAX_ADDRS; i++)
    if (h->sub[i])
      mxc_check_cancel(h->sub[i]);
}

static void host_free(mxc_check_t *chk)
{
  struct host_check *h = chk->priv;
  if (h == NULL)
    return;
  mxc_result_free(h->res);
  mxci_free(h);
  chk->priv = NULL;
}

static const struct mxci_check_ops host_ops = {host_abort, host_free};

static void finish(struct host_check *h)
{
  mxc_result_t *r = h->res;
  struct mxci_host *p;
  size_t j, fail = 0, temp = 0, v6 = 0;
  char *failing = NULL;
  if (h->waiting > 0 || h->aborting || r == NULL)
    return;
  p = H(r);
  for (j = 0; j < p->naddr; j++) {
    const mxc_result_t *ir = p->iprev[j];
    mxc_verdict_t v = ir ? mxc_result_verdict(ir) : MXC_VERDICT_TEMPERROR;
    v6 += strchr(p->addr[j], ':') != NULL;
    if (v == MXC_VERDICT_TEMPERROR) {
      temp++;
    } else if (v != MXC_VERDICT_PASS) {
      char *f = failing ? mxci_asprintf("%s, %s", failing, p->addr[j])
                        : mxci_strdup(p->addr[j]);
      mxci_free(failing);
      failing = f;
      fail++;
    } else if (!mxci_name_eq(mxc_iprev_matched_name(ir), p->host)) {
      (void)mxci_result_warn(r, "ptr-not-host",
                             "the PTR name of %s is %s, not %s: a receiver "
                             "comparing the HELO name %s with it finds "
                             "them different",
                             p->addr[j], mxc_iprev_matched_name(ir),
                             p->host, p->host);
    }
  }
  switch (p->state) {
  case MXC_MX_NXDOMAIN:
    r->verdict = MXC_VERDICT_FAIL;
    r->reason = mxci_asprintf("%s does not exist (NXDOMAIN)", p->host);
    r->fix = mxci_asprintf("publish an A (and AAAA) record for %s, or give "
                           "the server a name that exists", p->host);
    break;
  case MXC_MX_NODATA:
    r->verdict = MXC_VERDICT_FAIL;
    r->reason = mxci_asprintf("%s has no A or AAAA record", p->host);
    r->fix = mxci_asprintf("publish the server's addresses as A and AAAA "
                           "records of %s", p->host);
    break;
  case MXC_MX_TEMPERROR:
    if (p->naddr == 0) {
      r->verdict = MXC_VERDICT_TEMPERROR;
      r->reason = mxci_asprintf("the A/AAAA lookups of %s failed", p->host);
      break;
    }
    goto addresses; /* some addresses, one lookup failed */
  default:
  addresses:
    /* an address that fails is a fail whatever the others; else a
     * temperror anywhere leaves it undecided */
    r->verdict = fail ? MXC_VERDICT_FAIL
                 : temp || p->state == MXC_MX_TEMPERROR ? MXC_VERDICT_TEMPERROR
                                                        : MXC_VERDICT_PASS;
    r->reason = mxci_asprintf(
        "%s has %zu address%s (%zu IPv4, %zu IPv6): %zu with iprev pass, "
        "%zu failing, %zu temperror%s",
        p->host, p->naddr, p->naddr == 1 ? "" : "es", p->naddr - v6, v6,
        p->naddr - fail - temp, fail, temp,
        p->state == MXC_MX_TEMPERROR ? "; an address lookup failed" : "");
    if (fail)
      r->fix = mxci_asprintf("give %s a PTR record naming %s, and keep %s "
                             "resolving to %s",
                             failing, p->host, p->host,
                             fail == 1 ? "it" : "them");
    break;
  }
  mxci_free(failing);
  h->res = NULL;
  if (r->reason == NULL) {
    mxc_result_free(r);                          /* LCOV_EXCL_LINE */
    mxci_check_finish(h->chk, MXC_ENOMEM, NULL); /* LCOV_EXCL_LINE */
    return;                                      /* LCOV_EXCL_LINE */
  }
  mxci_check_finish(h->chk, MXC_OK, r);
}

static void iprev_done(mxc_check_t *chk, mxc_status_t st,
                       const mxc_result_t *res, void *arg)
{
  struct host_check *h = arg;
  size_t j;
  h->waiting--;
  if (h->aborting || st == MXC_EDESTRUCTION)
    return;
  for (j = 0; j < MXC_HOST_MAX_ADDRS; j++)
    if (h->sub[j] == chk) {
      h->sub[j] = NULL;
      if (res && j < H(h->res)->naddr)
        H(h->res)->iprev[j] = mxc_result_dup(res);
    }
  finish(h);
}

/* Addresses in a stable order whatever answer came first: IPv4, then
 * IPv6, each in text order. */
static int addr_cmp(const void *a, const void *b)
{
  const char *x = a, *y = b;
  int vx = strchr(x, ':') != NULL, vy = strchr(y, ':') != NULL;
  return vx != vy ? vx - vy : strcmp(x, y);
}

/* Both lookups are in: start iprev of each address. */
static void ready(struct host_check *h)
{
  struct mxci_host *p = H(h->res);
  size_t j;
  p->state = h->temp ? MXC_MX_TEMPERROR
             : h->naddrs ? MXC_MX_OK
             : h->nx     ? MXC_MX_NXDOMAIN
                         : MXC_MX_NODATA;
  if (h->naddrs == 0)
    return;
  qsort(h->addrs, h->naddrs, sizeof(h->addrs[0]), addr_cmp);
  p->iprev = mxci_calloc(h->naddrs, sizeof(*p->iprev));
  p->addr = mxci_calloc(h->naddrs, sizeof(*p->addr));
  if (p->iprev == NULL || p->addr == NULL) {
    p->state = MXC_MX_TEMPERROR; /* LCOV_EXCL_LINE: OutOfMemory */
    return;                      /* LCOV_EXCL_LINE */
  }
  p->naddr = h->naddrs;
  for (j = 0; j < h->naddrs; j++) {
    mxc_check_t *c = NULL;
    memcpy(p->addr[j], h->addrs[j], sizeof(p->addr[j]));
    if (mxc_iprev_start(h->chk->ctx, h->addrs[j], iprev_done, h, &c) ==
        MXC_OK) {
      h->sub[j] = c;
      h->waiting++;
    }
  }
}

static void addr_done(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct host_check *h = l->h;
  const char *final;
  int hops;
  size_t i;
  l->active = 0;
  h->waiting--;
  if (ans->err != ARES_SUCCESS || (ans->rcode != MXCI_RCODE_NOERROR &&
                                   ans->rcode != MXCI_RCODE_NXDOMAIN))
    h->temp = 1;
  else if (ans->rcode == MXCI_RCODE_NXDOMAIN)
    h->nx = 1;
  final = mxci_answer_follow(ans, H(h->res)->host, &hops);
  for (i = 0; hops >= 0 && i < ans->nan; i++) {
    const struct mxci_rr *rr = &ans->an[i];
    if (rr->type != l->type || !mxci_name_eq(rr->owner, final) ||
        h->naddrs >= MXC_HOST_MAX_ADDRS)
      continue;
    mxci_addr_format(l->type == MXCI_T_A ? 4 : 6, rr->addr,
                     h->addrs[h->naddrs], sizeof(h->addrs[0]));
    h->naddrs++;
  }
  if (++h->answered == 2)
    ready(h);
  finish(h);
}

static void lookup(struct host_check *h, struct lookup *l, uint16_t type)
{
  l->h = h;
  l->type = type;
  l->active = 1;
  h->waiting++;
  if (mxci_dns_lookup(h->chk->ctx, H(h->res)->host, type, addr_done, l,
                      &l->w) != MXC_OK) {
    struct mxci_answer a; /* OOM: counted as a failed lookup */
    memset(&a, 0, sizeof(a));
    a.err = ARES_ENOMEM;
    addr_done(l, &a);
  }
}

mxc_status_t mxc_host_start(mxc_ctx_t *ctx, const char *host, mxc_done_cb cb,
                            void *arg, mxc_check_t **out)
{
  struct host_check *h;
  mxc_check_t *chk;
  mxc_result_t *r;
  size_t i, n;

  if (out)
    *out = NULL;
  if (!mxci_ctx_valid(ctx) || host == NULL || cb == NULL)
    return MXC_EINVAL;
  if (ctx->free_requested)
    return MXC_EDESTRUCTION;
  h = mxci_calloc(1, sizeof(*h));
  r = mxci_result_new(&mxci_host_method);
  chk = h && r ? mxci_check_new(ctx, &host_ops, cb, arg) : NULL;
  if (chk == NULL) {
    mxci_free(h);        /* LCOV_EXCL_START: OutOfMemory */
    mxc_result_free(r);
    return MXC_ENOMEM;   /* LCOV_EXCL_STOP */
  }
  chk->priv = h;
  h->chk = chk;
  h->res = r;
  n = strlen(host);
  if (n > 0 && host[n - 1] == '.')
    n--;
  r->input = mxci_strdup(host);
  H(r)->host = mxci_strndup(host, n);
  if (r->input == NULL || H(r)->host == NULL) {
    mxci_check_discard(chk); /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM;       /* LCOV_EXCL_LINE */
  }
  for (i = 0; i < n; i++)
    H(r)->host[i] = (char)tolower((unsigned char)H(r)->host[i]);
  if (!mxci_name_ok(H(r)->host, 1)) {
    r->verdict = MXC_VERDICT_PERMERROR;
    r->reason = mxci_asprintf("\"%s\" is not a host name", host);
    H(r)->state = MXC_MX_TEMPERROR;
    h->res = NULL;
    mxci_check_finish(chk, MXC_OK, r);
    if (out)
      *out = chk;
    return MXC_OK;
  }
  h->waiting++; /* held while the lookups start (cache hits answer now) */
  lookup(h, &h->look[0], MXCI_T_A);
  lookup(h, &h->look[1], MXCI_T_AAAA);
  h->waiting--;
  finish(h);
  if (out)
    *out = chk;
  return MXC_OK;
}

mxc_status_t mxc_host_sync(mxc_ctx_t *ctx, const char *host,
                           mxc_result_t **out)
{
  struct mxci_sync s = {0, MXC_OK, NULL};
  mxc_check_t *chk = NULL;
  mxc_status_t st = mxci_sync_begin(ctx, out);
  if (st == MXC_OK)
    st = mxc_host_start(ctx, host, mxci_sync_done, &s, &chk);
  return mxci_sync_wait(ctx, &s, st, chk, out);
}
