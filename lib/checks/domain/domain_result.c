/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * domain_result.c -- the domain part of a result: its life, accessors and
 * renderings (JSON member "domain", the text block, Authentication-Results
 * of the iprev and DMARC sub-results), and the method table.
 */
#include "mxc_private.h"
#include "domain_private.h"

#include <json-c/json.h>

static const struct mxci_domain *P(const mxc_result_t *r)
{
  return mxci_result_data(r, &mxci_domain_method);
}

static void dom_clear(void *data)
{
  struct mxci_domain *p = data;
  size_t i, j;
  for (i = 0; i < p->nhosts; i++) {
    mxci_free(p->hosts[i].name);
    for (j = 0; j < p->hosts[i].naddr; j++)
      mxc_result_free(p->hosts[i].iprev[j]);
    mxci_free(p->hosts[i].iprev);
  }
  mxci_free(p->hosts);
  mxci_free(p->domain);
  mxc_result_free(p->dmarc);
}

static int dom_copy(void *dst, const void *src)
{
  struct mxci_domain *d = dst;
  const struct mxci_domain *s = src;
  size_t i, j;
  int bad = 0;
  d->mx = s->mx;
  bad |= mxci_strdup_opt(&d->domain, s->domain);
  if (s->dmarc && (d->dmarc = mxc_result_dup(s->dmarc)) == NULL)
    bad = -1; /* LCOV_EXCL_LINE: OutOfMemory */
  if (s->nhosts) {
    d->hosts = mxci_calloc(s->nhosts, sizeof(*d->hosts));
    if (d->hosts == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
    for (i = 0; i < s->nhosts; i++) {
      struct mxci_domain_host *h = &d->hosts[i];
      d->nhosts++;
      h->pref = s->hosts[i].pref;
      h->state = s->hosts[i].state;
      bad |= mxci_strdup_opt(&h->name, s->hosts[i].name);
      if (s->hosts[i].naddr) {
        h->iprev = mxci_calloc(s->hosts[i].naddr, sizeof(*h->iprev));
        if (h->iprev == NULL)
          return -1; /* LCOV_EXCL_LINE: OutOfMemory */
        h->naddr = s->hosts[i].naddr;
        for (j = 0; j < h->naddr; j++)
          if (s->hosts[i].iprev[j] &&
              (h->iprev[j] = mxc_result_dup(s->hosts[i].iprev[j])) == NULL)
            bad = -1; /* LCOV_EXCL_LINE: OutOfMemory */
      }
    }
  }
  return bad;
}

/* ---- accessors ------------------------------------------------------------ */

const char *mxc_mx_state_str(mxc_mx_state_t s)
{
  switch (s) {
  case MXC_MX_OK:
    return "ok";
  case MXC_MX_NULL:
    return "null-mx";
  case MXC_MX_NONE:
    return "no-mx";
  case MXC_MX_NXDOMAIN:
    return "nxdomain";
  case MXC_MX_NODATA:
    return "no-address";
  default:
    return "temperror";
  }
}

const char *mxc_domain_name(const mxc_result_t *r)
{
  return P(r) && P(r)->domain ? P(r)->domain : "";
}
mxc_mx_state_t mxc_domain_mx_state(const mxc_result_t *r)
{
  return P(r) ? P(r)->mx : MXC_MX_TEMPERROR;
}
size_t mxc_domain_mx_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->nhosts : 0;
}
static const struct mxci_domain_host *H(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nhosts ? &P(r)->hosts[i] : NULL;
}
const char *mxc_domain_mx_host(const mxc_result_t *r, size_t i)
{
  return H(r, i) ? H(r, i)->name : NULL;
}
unsigned mxc_domain_mx_pref(const mxc_result_t *r, size_t i)
{
  return H(r, i) ? H(r, i)->pref : 0;
}
mxc_mx_state_t mxc_domain_mx_host_state(const mxc_result_t *r, size_t i)
{
  return H(r, i) ? H(r, i)->state : MXC_MX_TEMPERROR;
}
size_t mxc_domain_mx_addr_count(const mxc_result_t *r, size_t i)
{
  return H(r, i) ? H(r, i)->naddr : 0;
}
const mxc_result_t *mxc_domain_mx_iprev(const mxc_result_t *r, size_t i,
                                        size_t j)
{
  return H(r, i) && j < H(r, i)->naddr ? H(r, i)->iprev[j] : NULL;
}
const mxc_result_t *mxc_domain_dmarc(const mxc_result_t *r)
{
  return P(r) ? P(r)->dmarc : NULL;
}

/* pass, warn (warnings, DMARC none or p=none), fail (null MX, NXDOMAIN,
 * an MX address without iprev pass, DMARC permerror), unknown (a
 * temperror anywhere, never pass nor fail). */
static mxc_rule_state_t dom_state(const mxc_result_t *r)
{
  const struct mxci_domain *p = P(r);
  mxc_rule_state_t s, dm;
  if (p == NULL)
    return MXC_RULE_UNKNOWN;
  switch (r->verdict) {
  case MXC_VERDICT_PASS:
    s = r->nwarn ? MXC_RULE_WARN : MXC_RULE_PASS;
    break;
  case MXC_VERDICT_TEMPERROR:
    s = MXC_RULE_UNKNOWN;
    break;
  default:
    return MXC_RULE_FAIL;
  }
  dm = p->dmarc ? mxc_result_state(p->dmarc) : MXC_RULE_UNKNOWN;
  if (dm == MXC_RULE_FAIL && mxc_result_verdict(p->dmarc) == MXC_VERDICT_FAIL)
    dm = MXC_RULE_PASS; /* an audit without identifiers "fails" by design */
  if (dm == MXC_RULE_FAIL)
    return MXC_RULE_FAIL;
  if (s == MXC_RULE_UNKNOWN || dm == MXC_RULE_UNKNOWN)
    return MXC_RULE_UNKNOWN;
  return s == MXC_RULE_WARN || dm == MXC_RULE_WARN ? MXC_RULE_WARN : s;
}

/* ---- renderings ----------------------------------------------------------- */

static void dom_json_subject(json_object *o, const mxc_result_t *r)
{
  json_object_object_add(o, "input", mxci_json_str(r->input ? r->input : ""));
  json_object_object_add(o, "domain", mxci_json_str(mxc_domain_name(r)));
}

static void dom_json(json_object *o, const mxc_result_t *r)
{
  const struct mxci_domain *p = P(r);
  json_object *x = json_object_new_object(), *a = json_object_new_array();
  size_t i, j;
  json_object_object_add(x, "result",
                         json_object_new_string(mxc_verdict_str(r->verdict)));
  json_object_object_add(
      x, "state", json_object_new_string(mxc_rule_state_str(dom_state(r))));
  json_object_object_add(x, "reason", mxci_json_str(r->reason));
  json_object_object_add(x, "mx_state",
                         json_object_new_string(mxc_mx_state_str(p->mx)));
  for (i = 0; i < p->nhosts; i++) {
    const struct mxci_domain_host *h = &p->hosts[i];
    json_object *e = json_object_new_object(), *ad = json_object_new_array();
    json_object_object_add(e, "host", mxci_json_str(h->name));
    json_object_object_add(e, "preference", json_object_new_int((int)h->pref));
    json_object_object_add(e, "state",
                           json_object_new_string(mxc_mx_state_str(h->state)));
    for (j = 0; j < h->naddr; j++) {
      json_object *ip = json_object_new_object();
      const mxc_result_t *ir = h->iprev[j];
      json_object_object_add(ip, "address",
                             mxci_json_str(ir ? mxc_result_address(ir) : NULL));
      if (ir)
        mxci_json_members(ip, ir);
      json_object_array_add(ad, ip);
    }
    json_object_object_add(e, "addresses", ad);
    json_object_array_add(a, e);
  }
  json_object_object_add(x, "mx", a);
  json_object_object_add(x, "warnings", mxci_json_warnings(r->warn, r->nwarn));
  json_object_object_add(x, "fix", mxci_json_str(r->fix ? r->fix : ""));
  json_object_object_add(o, "domain_audit", x);
  if (p->dmarc)
    mxci_json_members(o, p->dmarc);
}

static void dom_text_subject(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  mxci_buf_printf(b, "%s%s%s (sending domain)\n", c ? MXCI_C_BOLD : "",
                  *mxc_domain_name(r) ? mxc_domain_name(r)
                                      : (r->input ? r->input : ""),
                  c ? MXCI_C_RESET : "");
}

static void dom_text(struct mxci_buf *b, const mxc_result_t *r, int c,
                     int under)
{
  const struct mxci_domain *p = P(r);
  size_t i, j;
  (void)under;
  mxci_buf_printf(b, "  domain    %s  %s\n",
                  mxc_rule_state_str(dom_state(r)), r->reason ? r->reason : "");
  for (i = 0; i < p->nhosts; i++) {
    const struct mxci_domain_host *h = &p->hosts[i];
    mxci_buf_printf(b, "  MX %-5u  %s%s%s\n", h->pref, h->name,
                    h->naddr ? "" : ": ",
                    h->naddr ? "" : mxc_mx_state_str(h->state));
    for (j = 0; j < h->naddr; j++) {
      const mxc_result_t *ir = h->iprev[j];
      if (ir == NULL)
        continue;
      mxci_buf_printf(b, "            %-20s iprev %s%s%s  %s\n",
                      mxc_result_address(ir),
                      c ? mxci_verdict_colour(ir->verdict) : "",
                      mxc_verdict_str(ir->verdict), c ? MXCI_C_RESET : "",
                      mxc_result_reason(ir));
    }
  }
  mxci_text_tail(b, r, c);
  if (p->dmarc)
    mxci_text_block(b, p->dmarc, c, 1);
}

/* Authentication-Results: each address's iprev, then DMARC. */
static void dom_authres(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  const struct mxci_domain *p = P(r);
  size_t i, j;
  for (i = 0; i < p->nhosts; i++)
    for (j = 0; j < p->hosts[i].naddr; j++)
      if (p->hosts[i].iprev[j])
        mxci_authres_of(b, p->hosts[i].iprev[j], n);
  if (p->dmarc)
    mxci_authres_of(b, p->dmarc, n);
}

const struct mxci_method mxci_domain_method = {
    .name = "domain",
    .subject = MXCI_SUBJECT_DOMAIN,
    .size = sizeof(struct mxci_domain),
    .clear = dom_clear,
    .copy = dom_copy,
    .json_subject = dom_json_subject,
    .json = dom_json,
    .text_subject = dom_text_subject,
    .text = dom_text,
    .state = dom_state,
    .authres = dom_authres,
};
