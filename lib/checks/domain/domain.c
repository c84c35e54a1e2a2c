/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * domain.c -- the "domain" check: MX of the domain (RFC 5321 section 5.1;
 * a null MX, RFC 7505, says the domain takes no mail, which receivers such
 * as Yahoo hold against a sending domain), the A and AAAA of each MX host,
 * iprev (mxc_iprev_start) of each of their addresses, and the domain's
 * DMARC policy (mxc_dmarc_start, audited without identifiers), all at once
 * through the context.
 */
#include "mxc_private.h"
#include "domain_private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

struct dom_check;

/* One DNS lookup: the MX, or the A/AAAA of host h. */
struct lookup {
  struct mxci_waiter w;
  struct dom_check *d;
  size_t h;
  uint16_t type;
  int active;
  char *name;                /* key and rua lookups: the name asked */
};

struct host_run {
  struct lookup look[2];     /* A, AAAA */
  size_t nsub;               /* iprev checks started */
  mxc_check_t *sub[MXC_DOMAIN_MAX_ADDRS];
  size_t naddrs;
  char addrs[MXC_DOMAIN_MAX_ADDRS][64];
  int temp, nx, answered;
};

struct dom_check {
  mxc_check_t *chk;
  mxc_result_t *res;
  struct lookup mx;
  struct host_run hr[MXC_DOMAIN_MAX_MX];
  mxc_check_t *dmarc;
  mxc_check_t *spf, *spf6;
  struct lookup key[MXC_DOMAIN_MAX_SELECTORS];
  struct lookup rua[MXCI_DOMAIN_MAX_RUA];
  int waiting;
  int aborting;
};

static void dom_abort(mxc_check_t *chk)
{
  struct dom_check *d = chk->priv;
  size_t i, j;
  d->aborting = 1;
  if (d->mx.active)
    mxci_dns_cancel(&d->mx.w);
  for (i = 0; i < MXC_DOMAIN_MAX_MX; i++) {
    for (j = 0; j < 2; j++)
      if (d->hr[i].look[j].active)
        mxci_dns_cancel(&d->hr[i].look[j].w);
    for (j = 0; j < MXC_DOMAIN_MAX_ADDRS; j++)
      if (d->hr[i].sub[j])
        mxc_check_cancel(d->hr[i].sub[j]);
  }
  if (d->dmarc)
    mxc_check_cancel(d->dmarc);
  if (d->spf)
    mxc_check_cancel(d->spf);
  if (d->spf6)
    mxc_check_cancel(d->spf6);
  for (i = 0; i < MXC_DOMAIN_MAX_SELECTORS; i++)
    if (d->key[i].active)
      mxci_dns_cancel(&d->key[i].w);
  for (i = 0; i < MXCI_DOMAIN_MAX_RUA; i++)
    if (d->rua[i].active)
      mxci_dns_cancel(&d->rua[i].w);
}

static void dom_free(mxc_check_t *chk)
{
  struct dom_check *d = chk->priv;
  size_t i;
  if (d == NULL)
    return;
  for (i = 0; i < MXC_DOMAIN_MAX_SELECTORS; i++)
    mxci_free(d->key[i].name);
  for (i = 0; i < MXCI_DOMAIN_MAX_RUA; i++)
    mxci_free(d->rua[i].name);
  mxc_result_free(d->res);
  mxci_free(d);
  chk->priv = NULL;
}

static const struct mxci_check_ops dom_ops = {dom_abort, dom_free};

#define D(r) ((struct mxci_domain *)(r)->data)

/* Append a sentence to the fix. */
static void add_fix(mxc_result_t *r, const char *fix)
{
  char *f;
  if (r->fix && strstr(r->fix, fix))
    return;
  f = r->fix ? mxci_asprintf("%s; %s", r->fix, fix) : mxci_strdup(fix);
  if (f) {
    mxci_free(r->fix);
    r->fix = f;
  }
}

/* Worsen the verdict: fail over temperror over pass. */
static void worsen(mxc_result_t *r, mxc_verdict_t v)
{
  if (r->verdict == MXC_VERDICT_PASS ||
      (r->verdict == MXC_VERDICT_TEMPERROR && v == MXC_VERDICT_FAIL))
    r->verdict = v;
}

/* The SPF record, the DKIM keys and the rua= destinations: failures,
 * warnings and fixes beside those of the MX hosts. */
static void audit_records(mxc_result_t *r)
{
  struct mxci_domain *p = D(r);
  size_t i;
  if (r->verdict == MXC_VERDICT_PERMERROR)
    return;
  if (p->spf) {
    switch (mxc_result_verdict(p->spf)) {
    case MXC_VERDICT_NONE:
      if (p->mx == MXC_MX_NXDOMAIN)
        break; /* said already */
      (void)mxci_result_warn(r, "spf-none", "%s publishes no SPF record",
                             p->domain);
      add_fix(r, "publish an SPF record naming the servers that send the "
                 "domain's mail, ending in ~all or -all");
      break;
    case MXC_VERDICT_PERMERROR:
      worsen(r, MXC_VERDICT_FAIL);
      (void)mxci_result_warn(r, "spf-permerror", "the SPF record of %s is "
                             "broken (permerror): %s", p->domain,
                             mxc_result_reason(p->spf));
      add_fix(r, mxc_result_fix(p->spf) && *mxc_result_fix(p->spf)
                     ? mxc_result_fix(p->spf)
                     : "repair the SPF record");
      break;
    case MXC_VERDICT_TEMPERROR:
      worsen(r, MXC_VERDICT_TEMPERROR);
      break;
    case MXC_VERDICT_PASS:
      worsen(r, MXC_VERDICT_FAIL);
      (void)mxci_result_warn(r, "spf-all", "the SPF record of %s passes "
                             "any address (%s)", p->domain,
                             mxc_spf_record(p->spf));
      add_fix(r, "end the SPF record in ~all or -all, not +all or ?all "
                 "after listing the senders");
      break;
    default:
      break;
    }
    for (i = 0; i < mxc_result_warning_count(p->spf); i++)
      (void)mxci_result_warn(r, "spf-lint", "SPF: %s",
                             mxc_result_warning_text(p->spf, i));
  }
  for (i = 0; i < p->nkeys; i++) {
    struct mxci_domain_key *k = &p->keys[i];
    switch (k->state) {
    case MXC_DKEY_OK:
      if (k->testing)
        (void)mxci_result_warn(r, "dkim-testing", "DKIM key %s is in "
                               "testing mode (t=y): receivers may treat "
                               "its signatures as unsigned", k->selector);
      if (k->problem && k->bits < 1024) {
        worsen(r, MXC_VERDICT_FAIL);
        (void)mxci_result_warn(r, "dkim-key", "DKIM key %s: %s",
                               k->selector, k->problem);
        add_fix(r, "publish an RSA key of 2048 bits (or Ed25519 beside "
                   "RSA) and sign with it");
      } else if (k->problem) {
        (void)mxci_result_warn(r, "dkim-key", "DKIM key %s: %s",
                               k->selector, k->problem);
      }
      break;
    case MXC_DKEY_TEMPERROR:
      worsen(r, MXC_VERDICT_TEMPERROR);
      break;
    default:
      worsen(r, MXC_VERDICT_FAIL);
      (void)mxci_result_warn(r, "dkim-key", "DKIM selector %s: %s",
                             k->selector,
                             k->state == MXC_DKEY_NONE
                                 ? "no key record"
                                 : (k->problem ? k->problem : "invalid"));
      add_fix(r, "publish the public key of each selector in use as TXT "
                 "\"v=DKIM1; k=rsa; p=...\" at SELECTOR._domainkey.DOMAIN");
      break;
    }
  }
  {
    /* the reason says what beside the MX hosts was looked at */
    size_t kok = 0, rok = 0;
    char *nr;
    for (i = 0; i < p->nkeys; i++)
      kok += p->keys[i].state == MXC_DKEY_OK && p->keys[i].bits >= 1024;
    for (i = 0; i < p->nrua; i++)
      rok += p->rua[i].state == MXC_RUA_INTERNAL ||
             p->rua[i].state == MXC_RUA_AUTHORISED;
    char dk[64] = "", ru[64] = "";
    if (p->nkeys)
      snprintf(dk, sizeof(dk), "; DKIM keys: %zu of %zu usable", kok,
               p->nkeys);
    if (p->nrua)
      snprintf(ru, sizeof(ru), "; rua=: %zu of %zu destinations accept "
               "reports", rok, p->nrua);
    if (p->mx == MXC_MX_NXDOMAIN)
      return;
    nr = mxci_asprintf(
        "%s; SPF %s%s%s%s", r->reason ? r->reason : "",
        p->spf == NULL ? "not checked"
        : mxc_result_verdict(p->spf) == MXC_VERDICT_PASS
            ? "passes any address"
            : mxc_verdict_str(mxc_result_verdict(p->spf)),
        p->spf && (mxc_result_verdict(p->spf) == MXC_VERDICT_FAIL ||
                   mxc_result_verdict(p->spf) == MXC_VERDICT_SOFTFAIL ||
                   mxc_result_verdict(p->spf) == MXC_VERDICT_NEUTRAL)
            ? " for other addresses"
            : "",
        dk, ru);
    if (nr && r->reason) {
      mxci_free(r->reason);
      r->reason = nr;
    } else {
      mxci_free(nr); /* LCOV_EXCL_LINE: OutOfMemory */
    }
  }
  for (i = 0; i < p->nrua; i++) {
    if (p->rua[i].state == MXC_RUA_UNAUTHORISED) {
      (void)mxci_result_warn(r, "rua-unauthorised", "rua= sends reports to "
                             "%s, which does not accept them for %s (no "
                             "v=DMARC1 TXT at %s._report._dmarc.%s, RFC "
                             "7489 section 7.1): no aggregate reports "
                             "arrive", p->rua[i].domain, p->domain,
                             p->domain, p->rua[i].domain);
      add_fix(r, "have the report destination publish the authorisation "
                 "record, or send rua= to an address of the domain");
    } else if (p->rua[i].state == MXC_RUA_TEMPERROR) {
      worsen(r, MXC_VERDICT_TEMPERROR);
    }
  }
}

static void finish(struct dom_check *d)
{
  mxc_result_t *r = d->res;
  struct mxci_domain *p;
  size_t i, j, fail = 0, temp = 0, naddr = 0;
  if (d->waiting > 0 || d->aborting || r == NULL)
    return;
  p = D(r);
  for (i = 0; i < p->nhosts; i++)
    for (j = 0; j < p->hosts[i].naddr; j++) {
      mxc_verdict_t v = p->hosts[i].iprev[j]
                            ? mxc_result_verdict(p->hosts[i].iprev[j])
                            : MXC_VERDICT_TEMPERROR;
      naddr++;
      temp += v == MXC_VERDICT_TEMPERROR;
      fail += v != MXC_VERDICT_PASS && v != MXC_VERDICT_TEMPERROR;
    }
  switch (p->mx) {
  case MXC_MX_NULL:
    r->verdict = MXC_VERDICT_FAIL;
    r->reason = mxci_asprintf("%s publishes a null MX (RFC 7505): it "
                              "accepts no mail, so receivers refuse mail "
                              "from it", p->domain);
    r->fix = mxci_strdup("remove the null MX (\"MX 0 .\") of a domain that "
                         "sends mail, and name its mail servers");
    break;
  case MXC_MX_NXDOMAIN:
    r->verdict = MXC_VERDICT_FAIL;
    r->reason = mxci_asprintf("%s does not exist (NXDOMAIN)", p->domain);
    break;
  case MXC_MX_TEMPERROR:
    r->verdict = MXC_VERDICT_TEMPERROR;
    r->reason = mxci_asprintf("the MX lookup of %s failed", p->domain);
    break;
  default:
    r->verdict = temp ? MXC_VERDICT_TEMPERROR
                 : fail ? MXC_VERDICT_FAIL
                        : MXC_VERDICT_PASS;
    r->reason = mxci_asprintf(
        "%zu MX host%s%s, %zu address%s: %zu with iprev pass, %zu failing, "
        "%zu temperror",
        p->nhosts, p->nhosts == 1 ? "" : "s",
        p->mx == MXC_MX_NONE ? " (no MX: the domain itself, RFC 5321 "
                               "section 5.1)"
                             : "",
        naddr, naddr == 1 ? "" : "es", naddr - fail - temp, fail, temp);
    if (fail)
      r->fix = mxci_strdup("give every address of every MX host a PTR "
                           "record that maps back to it");
    if (p->mx == MXC_MX_NONE)
      (void)mxci_result_warn(r, "no-mx", "%s has no MX record: mail to it "
                             "goes to its own address (implicit MX)",
                             p->domain);
    break;
  }
  audit_records(r);
  d->res = NULL;
  if (r->reason == NULL) {
    mxc_result_free(r);                          /* LCOV_EXCL_LINE */
    mxci_check_finish(d->chk, MXC_ENOMEM, NULL); /* LCOV_EXCL_LINE */
    return;                                      /* LCOV_EXCL_LINE */
  }
  mxci_check_finish(d->chk, MXC_OK, r);
}

static void iprev_done(mxc_check_t *chk, mxc_status_t st,
                       const mxc_result_t *res, void *arg)
{
  struct lookup *l = arg; /* look[0] of the host: h says which */
  struct dom_check *d = l->d;
  struct mxci_domain_host *host;
  size_t j;
  d->waiting--;
  if (d->aborting || st == MXC_EDESTRUCTION)
    return;
  host = &D(d->res)->hosts[l->h];
  for (j = 0; j < MXC_DOMAIN_MAX_ADDRS; j++)
    if (d->hr[l->h].sub[j] == chk) {
      d->hr[l->h].sub[j] = NULL;
      if (res && j < host->naddr)
        host->iprev[j] = mxc_result_dup(res);
    }
  finish(d);
}

/* Addresses in a stable order whatever answer came first: IPv4, then
 * IPv6, each in text order. */
static int addr_cmp(const void *a, const void *b)
{
  const char *x = a, *y = b;
  int vx = strchr(x, ':') != NULL, vy = strchr(y, ':') != NULL;
  return vx != vy ? vx - vy : strcmp(x, y);
}

/* Both address lookups of host h are in: start iprev of each address. */
static void host_ready(struct dom_check *d, size_t h)
{
  struct host_run *hr = &d->hr[h];
  struct mxci_domain_host *host = &D(d->res)->hosts[h];
  size_t j;
  host->state = hr->naddrs ? MXC_MX_OK
                : hr->temp ? MXC_MX_TEMPERROR
                : hr->nx   ? MXC_MX_NXDOMAIN
                           : MXC_MX_NODATA;
  if (hr->naddrs == 0)
    return;
  qsort(hr->addrs, hr->naddrs, sizeof(hr->addrs[0]), addr_cmp);
  host->iprev = mxci_calloc(hr->naddrs, sizeof(*host->iprev));
  if (host->iprev == NULL)
    return; /* LCOV_EXCL_LINE: OutOfMemory (reported as temperror) */
  host->naddr = hr->naddrs;
  for (j = 0; j < hr->naddrs; j++) {
    mxc_check_t *c = NULL;
    if (mxc_iprev_start(d->chk->ctx, hr->addrs[j], iprev_done,
                        &hr->look[0], &c) == MXC_OK) {
      hr->sub[j] = c;
      d->waiting++;
    }
  }
}

static void addr_done(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct dom_check *d = l->d;
  struct host_run *hr = &d->hr[l->h];
  const char *name = D(d->res)->hosts[l->h].name, *final;
  int hops;
  size_t i;
  l->active = 0;
  d->waiting--;
  if (ans->err != ARES_SUCCESS || (ans->rcode != MXCI_RCODE_NOERROR &&
                                   ans->rcode != MXCI_RCODE_NXDOMAIN))
    hr->temp = 1;
  else if (ans->rcode == MXCI_RCODE_NXDOMAIN)
    hr->nx = 1;
  final = mxci_answer_follow(ans, name, &hops);
  for (i = 0; hops >= 0 && i < ans->nan; i++) {
    const struct mxci_rr *rr = &ans->an[i];
    if (rr->type != l->type || !mxci_name_eq(rr->owner, final) ||
        hr->naddrs >= MXC_DOMAIN_MAX_ADDRS)
      continue;
    mxci_addr_format(l->type == MXCI_T_A ? 4 : 6, rr->addr,
                     hr->addrs[hr->naddrs], sizeof(hr->addrs[0]));
    hr->naddrs++;
  }
  if (++hr->answered == 2)
    host_ready(d, l->h);
  finish(d);
}

static void lookup(struct dom_check *d, struct lookup *l, const char *name,
                   uint16_t type, mxci_dns_cb cb)
{
  l->d = d;
  l->type = type;
  l->active = 1;
  d->waiting++;
  if (mxci_dns_lookup(d->chk->ctx, name, type, cb, l, &l->w) != MXC_OK) {
    struct mxci_answer a; /* OOM: counted as a failed lookup */
    memset(&a, 0, sizeof(a));
    a.err = ARES_ENOMEM;
    cb(l, &a);
  }
}

static int mx_cmp(const void *a, const void *b)
{
  const struct mxci_domain_host *x = a, *y = b;
  return x->pref != y->pref ? (x->pref < y->pref ? -1 : 1)
                            : strcmp(x->name, y->name);
}

static void mx_done(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct dom_check *d = l->d;
  struct mxci_domain *p = D(d->res);
  const char *final;
  int hops;
  size_t i, n = 0;
  l->active = 0;
  d->waiting--;
  if (ans->err != ARES_SUCCESS || (ans->rcode != MXCI_RCODE_NOERROR &&
                                   ans->rcode != MXCI_RCODE_NXDOMAIN)) {
    p->mx = MXC_MX_TEMPERROR;
  } else if (ans->rcode == MXCI_RCODE_NXDOMAIN) {
    p->mx = MXC_MX_NXDOMAIN;
  } else {
    final = mxci_answer_follow(ans, p->domain, &hops);
    for (i = 0; hops >= 0 && i < ans->nan; i++)
      n += ans->an[i].type == MXCI_T_MX &&
           mxci_name_eq(ans->an[i].owner, final);
    p->hosts = mxci_calloc(n ? n : 1, sizeof(*p->hosts));
    if (p->hosts == NULL) {
      p->mx = MXC_MX_TEMPERROR; /* LCOV_EXCL_LINE: OutOfMemory */
      finish(d);                /* LCOV_EXCL_LINE */
      return;                   /* LCOV_EXCL_LINE */
    }
    for (i = 0; hops >= 0 && i < ans->nan; i++) {
      const struct mxci_rr *rr = &ans->an[i];
      if (rr->type != MXCI_T_MX || !mxci_name_eq(rr->owner, final))
        continue;
      /* RFC 7505 section 3: "MX 0 ." alone */
      if (rr->name == NULL || *rr->name == '\0' ||
          strcmp(rr->name, ".") == 0) {
        p->mx = MXC_MX_NULL;
        continue;
      }
      if (p->nhosts >= MXC_DOMAIN_MAX_MX)
        continue;
      p->hosts[p->nhosts].pref = rr->pref;
      if ((p->hosts[p->nhosts].name = mxci_strdup(rr->name)) != NULL)
        p->nhosts++;
    }
    if (p->mx != MXC_MX_NULL) {
      p->mx = p->nhosts ? MXC_MX_OK : MXC_MX_NONE;
      if (p->nhosts == 0 && (p->hosts[0].name = mxci_strdup(p->domain)))
        p->nhosts = 1; /* RFC 5321 section 5.1: the implicit MX */
      qsort(p->hosts, p->nhosts, sizeof(*p->hosts), mx_cmp);
      for (i = 0; i < p->nhosts; i++) {
        d->hr[i].look[0].h = i;
        d->hr[i].look[1].h = i;
        lookup(d, &d->hr[i].look[0], p->hosts[i].name, MXCI_T_A, addr_done);
        lookup(d, &d->hr[i].look[1], p->hosts[i].name, MXCI_T_AAAA,
               addr_done);
      }
    } else {
      for (i = 0; i < p->nhosts; i++)
        mxci_free(p->hosts[i].name);
      p->nhosts = 0;
    }
  }
  finish(d);
}

static void rua_done(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct dom_check *d = l->d;
  struct mxci_domain_rua *u = &D(d->res)->rua[l->h];
  const char *final;
  int hops;
  size_t i;
  l->active = 0;
  d->waiting--;
  if (ans->err != ARES_SUCCESS || (ans->rcode != MXCI_RCODE_NOERROR &&
                                   ans->rcode != MXCI_RCODE_NXDOMAIN)) {
    u->state = MXC_RUA_TEMPERROR;
  } else {
    u->state = MXC_RUA_UNAUTHORISED;
    final = mxci_answer_follow(ans, l->name, &hops);
    for (i = 0; hops >= 0 && i < ans->nan; i++)
      if (ans->an[i].type == MXCI_T_TXT &&
          mxci_name_eq(ans->an[i].owner, final) && ans->an[i].datalen >= 8 &&
          strncasecmp((const char *)ans->an[i].data, "v=DMARC1", 8) == 0)
        u->state = MXC_RUA_AUTHORISED;
  }
  mxci_free(l->name);
  l->name = NULL;
  finish(d);
}

static void lookup(struct dom_check *d, struct lookup *l, const char *name,
                   uint16_t type, mxci_dns_cb cb);

static void dmarc_done(mxc_check_t *chk, mxc_status_t st,
                       const mxc_result_t *res, void *arg)
{
  struct dom_check *d = arg;
  struct mxci_domain *p;
  const char *pd;
  size_t i;
  (void)chk;
  d->dmarc = NULL;
  d->waiting--;
  if (d->aborting || st == MXC_EDESTRUCTION)
    return;
  p = D(d->res);
  if (res) {
    p->dmarc = mxc_result_dup(res);
    pd = *mxc_dmarc_record_domain(res) ? mxc_dmarc_record_domain(res)
                                       : p->domain;
    if (mxc_dmarc_tag(res, "rua"))
      p->nrua = mxci_domain_rua_parse(
          mxc_dmarc_tag(res, "rua"),
          *mxc_dmarc_org_domain(res) ? mxc_dmarc_org_domain(res) : pd, p->rua,
          MXCI_DOMAIN_MAX_RUA);
    for (i = 0; i < p->nrua; i++) {
      if (p->rua[i].state == MXC_RUA_INTERNAL)
        continue;
      d->rua[i].h = i;
      d->rua[i].name =
          mxci_asprintf("%s._report._dmarc.%s", pd, p->rua[i].domain);
      if (d->rua[i].name == NULL)
        continue; /* LCOV_EXCL_LINE: OutOfMemory (left temperror) */
      lookup(d, &d->rua[i], d->rua[i].name, MXCI_T_TXT, rua_done);
    }
  }
  finish(d);
}

static void spf_done(mxc_check_t *chk, mxc_status_t st,
                     const mxc_result_t *res, void *arg)
{
  struct dom_check *d = arg;
  int six = chk == d->spf6;
  if (six)
    d->spf6 = NULL;
  else
    d->spf = NULL;
  d->waiting--;
  if (d->aborting || st == MXC_EDESTRUCTION)
    return;
  if (res) {
    if (six)
      D(d->res)->spf6 = mxc_result_dup(res);
    else
      D(d->res)->spf = mxc_result_dup(res);
  }
  finish(d);
}

static void key_done(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct dom_check *d = l->d;
  struct mxci_domain_key *k = &D(d->res)->keys[l->h];
  const char *final;
  char *rec = NULL;
  int hops;
  size_t i;
  l->active = 0;
  d->waiting--;
  if (ans->err != ARES_SUCCESS || (ans->rcode != MXCI_RCODE_NOERROR &&
                                   ans->rcode != MXCI_RCODE_NXDOMAIN)) {
    k->state = MXC_DKEY_TEMPERROR;
  } else {
    final = mxci_answer_follow(ans, l->name, &hops);
    for (i = 0; hops >= 0 && i < ans->nan && rec == NULL; i++)
      if (ans->an[i].type == MXCI_T_TXT &&
          mxci_name_eq(ans->an[i].owner, final))
        rec = mxci_printable(ans->an[i].data,
                             ans->an[i].datalen);
    if (rec)
      mxci_domain_key_parse(k, rec);
    else
      k->state = MXC_DKEY_NONE;
    mxci_free(rec);
  }
  mxci_free(l->name);
  l->name = NULL;
  finish(d);
}

mxc_status_t mxc_domain_start(mxc_ctx_t *ctx, const char *domain,
                              mxc_done_cb cb, void *arg, mxc_check_t **out)
{
  return mxc_domain_audit_start(ctx, domain, NULL, 0, cb, arg, out);
}

/* A selector as a DNS label sequence: letters, digits, '-', '_', dots. */
static int selector_ok(const char *s)
{
  size_t n = strlen(s);
  return n > 0 && n < 64 &&
         strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789-_.") == n &&
         s[0] != '.' && s[n - 1] != '.' && strstr(s, "..") == NULL;
}

mxc_status_t mxc_domain_audit_start(mxc_ctx_t *ctx, const char *domain,
                                    const char *const *selectors,
                                    size_t nselectors, mxc_done_cb cb,
                                    void *arg, mxc_check_t **out)
{
  struct dom_check *d;
  mxc_check_t *chk;
  mxc_result_t *r;
  size_t i, n;
  char *mf;

  if (out)
    *out = NULL;
  if (!mxci_ctx_valid(ctx) || domain == NULL || cb == NULL ||
      nselectors > MXC_DOMAIN_MAX_SELECTORS ||
      (nselectors && selectors == NULL))
    return MXC_EINVAL;
  for (i = 0; i < nselectors; i++)
    if (selectors[i] == NULL || !selector_ok(selectors[i]))
      return MXC_EINVAL;
  if (ctx->free_requested)
    return MXC_EDESTRUCTION;
  d = mxci_calloc(1, sizeof(*d));
  r = mxci_result_new(&mxci_domain_method);
  chk = d && r ? mxci_check_new(ctx, &dom_ops, cb, arg) : NULL;
  if (chk == NULL) {
    mxci_free(d);        /* LCOV_EXCL_START: OutOfMemory */
    mxc_result_free(r);
    return MXC_ENOMEM;   /* LCOV_EXCL_STOP */
  }
  chk->priv = d;
  d->chk = chk;
  d->res = r;
  n = strlen(domain);
  if (n > 0 && domain[n - 1] == '.')
    n--;
  r->input = mxci_strdup(domain);
  D(r)->domain = mxci_strndup(domain, n);
  if (r->input == NULL || D(r)->domain == NULL) {
    mxci_check_discard(chk); /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM;       /* LCOV_EXCL_LINE */
  }
  for (i = 0; i < n; i++)
    D(r)->domain[i] = (char)tolower((unsigned char)D(r)->domain[i]);
  if (!mxci_name_ok(D(r)->domain, 1)) {
    r->verdict = MXC_VERDICT_PERMERROR;
    r->reason = mxci_asprintf("\"%s\" is not a domain name", domain);
    D(r)->mx = MXC_MX_TEMPERROR;
    d->res = NULL;
    mxci_check_finish(chk, MXC_OK, r);
    if (out)
      *out = chk;
    return MXC_OK;
  }
  if (nselectors) {
    D(r)->keys = mxci_calloc(nselectors, sizeof(*D(r)->keys));
    if (D(r)->keys == NULL) {
      mxci_check_discard(chk); /* LCOV_EXCL_LINE: OutOfMemory */
      return MXC_ENOMEM;       /* LCOV_EXCL_LINE */
    }
    for (i = 0; i < nselectors; i++) {
      D(r)->keys[i].state = MXC_DKEY_TEMPERROR;
      if ((D(r)->keys[i].selector = mxci_strdup(selectors[i])) == NULL) {
        mxci_check_discard(chk); /* LCOV_EXCL_LINE: OutOfMemory */
        return MXC_ENOMEM;       /* LCOV_EXCL_LINE */
      }
      D(r)->nkeys++;
    }
  }
  d->waiting++; /* held while the lookups start (cache hits answer now) */
  if (mxc_dmarc_start(ctx, D(r)->domain, NULL, NULL, 0, dmarc_done, d,
                      &d->dmarc) == MXC_OK)
    d->waiting++;
  mf = mxci_asprintf("postmaster@%s", D(r)->domain);
  if (mf && mxc_spf_start(ctx, "233.252.0.1", mf, NULL, spf_done, d,
                          &d->spf) == MXC_OK)
    d->waiting++;
  if (mf && mxc_spf_start(ctx, "100::1", mf, NULL, spf_done, d,
                          &d->spf6) == MXC_OK)
    d->waiting++;
  mxci_free(mf);
  for (i = 0; i < nselectors; i++) {
    d->key[i].h = i;
    d->key[i].name = mxci_asprintf("%s._domainkey.%s", selectors[i],
                                   D(r)->domain);
    if (d->key[i].name)
      lookup(d, &d->key[i], d->key[i].name, MXCI_T_TXT, key_done);
  }
  lookup(d, &d->mx, D(r)->domain, MXCI_T_MX, mx_done);
  d->waiting--;
  finish(d);
  if (out)
    *out = chk;
  return MXC_OK;
}

mxc_status_t mxc_domain_audit_sync(mxc_ctx_t *ctx, const char *domain,
                                   const char *const *selectors,
                                   size_t nselectors, mxc_result_t **out)
{
  struct mxci_sync s = {0, MXC_OK, NULL};
  mxc_check_t *chk = NULL;
  mxc_status_t st = mxci_sync_begin(ctx, out);
  if (st == MXC_OK)
    st = mxc_domain_audit_start(ctx, domain, selectors, nselectors,
                                mxci_sync_done, &s, &chk);
  return mxci_sync_wait(ctx, &s, st, chk, out);
}

mxc_status_t mxc_domain_sync(mxc_ctx_t *ctx, const char *domain,
                             mxc_result_t **out)
{
  struct mxci_sync s = {0, MXC_OK, NULL};
  mxc_check_t *chk = NULL;
  mxc_status_t st = mxci_sync_begin(ctx, out);
  if (st == MXC_OK)
    st = mxc_domain_start(ctx, domain, mxci_sync_done, &s, &chk);
  return mxci_sync_wait(ctx, &s, st, chk, out);
}
