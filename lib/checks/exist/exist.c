/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exist.c -- do domains exist and take mail?  Rule R13 of the sender
 * requirements: Yahoo refuses mail whose MAIL FROM or From domain does not
 * exist ("determined ... by using an SOA query") or publishes a null MX
 * (RFC 7505).
 *
 * For each distinct domain, SOA, MX, A and AAAA are asked concurrently
 * through the engine (CNAMEs as the answers give them).  Then, per domain:
 *  - an MX record whose exchange is the root (".") -> null MX;
 *  - else any record of the type asked -> exists;
 *  - else NXDOMAIN from any lookup -> does not exist (authoritative);
 *  - else NOERROR without data from any lookup -> exists (no mail host:
 *    a warning);
 *  - else (timeouts, SERVFAIL, REFUSED) -> temperror.
 * The result: fail when a domain does not exist, is a null MX or is no
 * domain name; else temperror when one could not be decided; else pass.
 */
#include "mxc_private.h"
#include "exist_private.h"

#include <ctype.h>

enum { Q_SOA, Q_MX, Q_A, Q_AAAA, Q_N };
static const uint16_t qtype[Q_N] = {MXCI_T_SOA, MXCI_T_MX, MXCI_T_A,
                                    MXCI_T_AAAA};

struct exist_check;

struct lookup {
  struct mxci_waiter w;
  struct exist_check *e;
  size_t idx; /* domain */
  int q;      /* Q_* */
  int active;
};

/* What the lookups of one domain said. */
struct seen {
  int data[Q_N];    /* a record of the type asked */
  int nxdomain, nodata, errors;
  int nullmx;
  char *err;        /* the first error, for the detail */
  char *mx;         /* the preferred MX exchange */
  unsigned mxpref;
};

struct exist_check {
  mxc_check_t *chk;
  mxc_result_t *res;
  int pending;
  struct lookup *lk; /* ndom * Q_N */
  struct seen *seen; /* ndom */
  size_t n;          /* domains (ndom, kept past the result's delivery) */
};

static void exist_done(struct exist_check *e);

static void release(struct exist_check *e)
{
  if (--e->pending == 0)
    exist_done(e);
}

static void lookup_done(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct exist_check *e = l->e;
  struct seen *s = &e->seen[l->idx];
  const char *name = MXCI_EXIST(e->res)->dom[l->idx].name;
  const char *final;
  int hops;
  size_t i;

  l->active = 0;
  if (ans->err != ARES_SUCCESS) {
    s->errors++;
    if (s->err == NULL)
      s->err = mxci_asprintf("%s %s: %s", mxci_type_str(qtype[l->q]), name,
                             ans->cause ? ans->cause
                                        : mxci_dns_errstr(ans->err));
    release(e);
    return;
  }
  if (ans->rcode == MXCI_RCODE_NXDOMAIN)
    s->nxdomain++;
  final = mxci_answer_follow(ans, name, &hops);
  if (hops < 0)
    final = name;
  for (i = 0; i < ans->nan; i++) {
    const struct mxci_rr *rr = &ans->an[i];
    if (rr->type != qtype[l->q] || !mxci_name_eq(rr->owner, final))
      continue;
    s->data[l->q]++;
    if (rr->type == MXCI_T_MX) {
      if (strcmp(rr->name, ".") == 0) {
        s->nullmx = 1;
      } else if (s->mx == NULL || rr->pref < s->mxpref) {
        char *m = mxci_strdup(rr->name);
        if (m) {
          mxci_free(s->mx);
          s->mx = m;
          s->mxpref = rr->pref;
        }
      }
    }
  }
  if (s->data[l->q] == 0 && ans->rcode == MXCI_RCODE_NOERROR)
    s->nodata++;
  release(e);
}

static void judge(struct exist_check *e, size_t i)
{
  struct mxci_exist_dom *d = &MXCI_EXIST(e->res)->dom[i];
  struct seen *s = &e->seen[i];
  int any = s->data[Q_SOA] || s->data[Q_MX] || s->data[Q_A] ||
            s->data[Q_AAAA];

  d->nmx = (size_t)s->data[Q_MX];
  d->has_soa = s->data[Q_SOA] > 0;
  d->has_addr = s->data[Q_A] || s->data[Q_AAAA];
  if (s->nullmx) {
    d->state = MXC_EXIST_NULL_MX;
    d->detail = mxci_asprintf(
        "null MX (RFC 7505: MX 0 \".\"): the domain says it accepts no "
        "mail%s",
        d->nmx > 1 ? ", yet it has other MX records too (RFC 7505 "
                     "section 3 forbids them)"
                   : "");
  } else if (any) {
    d->state = MXC_EXIST_YES;
    if (s->mx)
      d->detail = mxci_asprintf("MX %u %s", s->mxpref, s->mx);
    else if (d->has_addr)
      d->detail = mxci_strdup("no MX; an address record serves as the "
                              "implicit MX (RFC 5321 section 5.1)");
    else
      d->detail = mxci_strdup("exists (SOA), but has no MX, A or AAAA "
                              "record");
  } else if (s->nxdomain) {
    d->state = MXC_EXIST_NXDOMAIN;
    d->detail = mxci_strdup("NXDOMAIN: the domain does not exist");
  } else if (s->nodata) {
    d->state = MXC_EXIST_YES;
    d->detail = mxci_strdup("exists (NOERROR), but has no SOA, MX, A or "
                            "AAAA record");
  } else {
    d->state = MXC_EXIST_TEMPERROR;
    d->detail = mxci_strdup(s->err ? s->err : "no answer");
  }
  if (d->state == MXC_EXIST_YES && d->nmx == 0 && !d->has_addr)
    mxci_result_warn(e->res, "no-mail-host",
                     "%s has no MX, A or AAAA record: replies and bounces "
                     "to it cannot be delivered.",
                     d->name);
}

static void exist_done(struct exist_check *e)
{
  mxc_result_t *r = e->res;
  struct mxci_exist *x = MXCI_EXIST(r);
  struct mxci_buf b = {0}, fix = {0};
  size_t i, nbad = 0, ntemp = 0;

  for (i = 0; i < x->ndom; i++) {
    if (x->dom[i].state != MXC_EXIST_INVALID)
      judge(e, i);
    if (x->dom[i].state == MXC_EXIST_TEMPERROR)
      ntemp++;
    else if (x->dom[i].state != MXC_EXIST_YES)
      nbad++;
  }
  r->verdict = nbad    ? MXC_VERDICT_FAIL
               : ntemp ? MXC_VERDICT_TEMPERROR
                       : MXC_VERDICT_PASS;
  for (i = 0; i < x->ndom; i++) {
    const struct mxci_exist_dom *d = &x->dom[i];
    int show = r->verdict == MXC_VERDICT_PASS ||
               (r->verdict == MXC_VERDICT_FAIL
                    ? d->state != MXC_EXIST_YES &&
                          d->state != MXC_EXIST_TEMPERROR
                    : d->state == MXC_EXIST_TEMPERROR);
    if (!show)
      continue;
    mxci_buf_printf(&b, "%s%s: %s", b.len ? "; " : "", d->name,
                    d->state == MXC_EXIST_YES ? "exists"
                                              : mxc_exist_state_str(d->state));
    if (d->state == MXC_EXIST_NULL_MX)
      mxci_buf_printf(&fix, "%s%s publishes a null MX (RFC 7505): mail "
                            "from it is refused (Yahoo); send from a domain "
                            "that takes mail, or replace the null MX with "
                            "a real MX.",
                      fix.len ? " " : "", d->name);
    else if (d->state == MXC_EXIST_NXDOMAIN)
      mxci_buf_printf(&fix, "%s%s does not exist: send from a registered "
                            "domain with an MX record, or create it.",
                      fix.len ? " " : "", d->name);
    else if (d->state == MXC_EXIST_INVALID)
      mxci_buf_printf(&fix, "%s\"%s\" is not a domain name.",
                      fix.len ? " " : "", d->name);
    else if (d->state == MXC_EXIST_TEMPERROR)
      mxci_buf_printf(&fix, "%sCheck that the name servers of %s answer, "
                            "then run the check again.",
                      fix.len ? " " : "", d->name);
  }
  if (x->ndom == 0)
    mxci_buf_puts(&b, "no domain given");
  mxci_free(r->reason);
  r->reason = mxci_buf_take(&b);
  r->fix = mxci_buf_take(&fix);
  mxci_check_finish(e->chk, MXC_OK, r);
  e->res = NULL;
}

/* ---- check ops ------------------------------------------------------------- */

static void exist_abort(mxc_check_t *chk)
{
  struct exist_check *e = chk->priv;
  size_t i;
  for (i = 0; e->lk && i < e->n * Q_N; i++)
    if (e->lk[i].active) {
      mxci_dns_cancel(&e->lk[i].w);
      e->lk[i].active = 0;
    }
}

static void exist_free(mxc_check_t *chk)
{
  struct exist_check *e = chk->priv;
  size_t i;
  if (e == NULL)
    return;
  for (i = 0; e->seen && i < e->n; i++) {
      mxci_free(e->seen[i].err);
      mxci_free(e->seen[i].mx);
  }
  mxci_free(e->seen);
  mxci_free(e->lk);
  mxc_result_free(e->res);
  mxci_free(e);
  chk->priv = NULL;
}

static const struct mxci_check_ops exist_ops = {exist_abort, exist_free};

/* A lower-case copy without a final dot. */
static char *norm(const char *s)
{
  size_t n = strlen(s), i;
  char *d;
  if (n > 0 && s[n - 1] == '.')
    n--;
  d = mxci_strndup(s, n);
  for (i = 0; d && d[i]; i++)
    d[i] = (char)tolower((unsigned char)d[i]);
  return d;
}

mxc_status_t mxc_exist_start(mxc_ctx_t *ctx, const char *const *domains,
                             size_t n, mxc_done_cb cb, void *arg,
                             mxc_check_t **out)
{
  struct exist_check *e;
  struct mxci_exist *x;
  mxc_check_t *chk;
  mxc_result_t *r;
  size_t i, k;

  if (out)
    *out = NULL;
  if (!mxci_ctx_valid(ctx) || cb == NULL || (n > 0 && domains == NULL))
    return MXC_EINVAL;
  for (i = 0; i < n; i++)
    if (domains[i] == NULL)
      return MXC_EINVAL;
  if (n > MXC_EXIST_MAX_DOMAINS)
    return MXC_ELIMIT;
  if (ctx->free_requested)
    return MXC_EDESTRUCTION;
  e = mxci_calloc(1, sizeof(*e));
  r = mxci_result_new(&mxci_exist_method);
  chk = e && r ? mxci_check_new(ctx, &exist_ops, cb, arg) : NULL;
  if (chk == NULL) {
    mxci_free(e);       /* LCOV_EXCL_LINE: OutOfMemory */
    mxc_result_free(r); /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM;  /* LCOV_EXCL_LINE: OutOfMemory */
  }
  chk->priv = e;
  e->chk = chk;
  e->res = r;
  x = MXCI_EXIST(r);
  {
    struct mxci_buf in = {0};
    for (i = 0; i < n; i++)
      mxci_buf_printf(&in, "%s%s", i ? " " : "", domains[i]);
    r->input = mxci_buf_take(&in);
  }
  if (n) {
    x->dom = mxci_calloc(n, sizeof(*x->dom));
    e->seen = mxci_calloc(n, sizeof(*e->seen));
    e->lk = mxci_calloc(n * Q_N, sizeof(*e->lk));
  }
  if (r->input == NULL || (n && (x->dom == NULL || e->seen == NULL ||
                                 e->lk == NULL)))
    goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  /* the distinct domains, in the order given */
  for (i = 0; i < n; i++) {
    char *d = norm(domains[i]);
    if (d == NULL)
      goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
    for (k = 0; k < x->ndom; k++)
      if (strcmp(x->dom[k].name, d) == 0)
        break;
    if (k < x->ndom) {
      mxci_free(d);
      continue;
    }
    x->dom[x->ndom].name = d;
    if (!mxci_name_ok(d, 1) || d[strspn(d, "abcdefghijklmnopqrstuvwxyz"
                                           "0123456789-_.")] != '\0') {
      x->dom[x->ndom].state = MXC_EXIST_INVALID;
      x->dom[x->ndom].detail =
          mxci_strdup("not a domain name that can be looked up");
    }
    x->ndom++;
    e->n = x->ndom;
  }
  e->pending = 1; /* held until every lookup is issued */
  for (i = 0; i < x->ndom; i++) {
    int q;
    if (x->dom[i].state == MXC_EXIST_INVALID)
      continue;
    for (q = 0; q < Q_N; q++) {
      struct lookup *l = &e->lk[i * Q_N + (size_t)q];
      l->e = e;
      l->idx = i;
      l->q = q;
      l->active = 1;
      e->pending++;
      if (mxci_dns_lookup(ctx, x->dom[i].name, qtype[q], lookup_done, l,
                          &l->w) != MXC_OK) {
        l->active = 0; /* LCOV_EXCL_START: OutOfMemory */
        e->pending--;
        e->seen[i].errors++;
        if (e->seen[i].err == NULL)
          e->seen[i].err = mxci_strdup("the lookup could not be started");
      } /* LCOV_EXCL_STOP */
    }
  }
  release(e);
  if (out)
    *out = chk;
  mxci_ctx_leave(ctx);
  return MXC_OK;
oom:
  mxci_check_discard(chk); /* LCOV_EXCL_LINE: OutOfMemory */
  return MXC_ENOMEM;       /* LCOV_EXCL_LINE: OutOfMemory */
}

mxc_status_t mxc_exist_sync(mxc_ctx_t *ctx, const char *const *domains,
                            size_t n, mxc_result_t **out)
{
  struct mxci_sync s = {0, MXC_OK, NULL};
  mxc_check_t *chk = NULL;
  mxc_status_t st = mxci_sync_begin(ctx, out);
  if (st == MXC_OK)
    st = mxc_exist_start(ctx, domains, n, mxci_sync_done, &s, &chk);
  return mxci_sync_wait(ctx, &s, st, chk, out);
}
