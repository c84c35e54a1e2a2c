/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * domain_result.c -- the domain part of a result: its life, accessors and
 * renderings (JSON member "domain", the text block, Authentication-Results
 * of the iprev and DMARC sub-results), and the method table.
 */
#include "mxc_private.h"
#include "domain_private.h"


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
  mxc_result_free(p->spf);
  mxc_result_free(p->spf6);
  for (i = 0; i < p->nkeys; i++) {
    mxci_free(p->keys[i].selector);
    mxci_free(p->keys[i].record);
    mxci_free(p->keys[i].type);
    mxci_free(p->keys[i].problem);
  }
  mxci_free(p->keys);
  for (i = 0; i < p->nrua; i++)
    mxci_free(p->rua[i].domain);
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
  if (s->spf && (d->spf = mxc_result_dup(s->spf)) == NULL)
    bad = -1; /* LCOV_EXCL_LINE: OutOfMemory */
  if (s->spf6 && (d->spf6 = mxc_result_dup(s->spf6)) == NULL)
    bad = -1; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < s->nrua; i++) {
    d->rua[i].state = s->rua[i].state;
    bad |= mxci_strdup_opt(&d->rua[i].domain, s->rua[i].domain);
    d->nrua++;
  }
  if (s->nkeys) {
    d->keys = mxci_calloc(s->nkeys, sizeof(*d->keys));
    if (d->keys == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
    for (i = 0; i < s->nkeys; i++) {
      struct mxci_domain_key *k = &d->keys[i];
      const struct mxci_domain_key *o = &s->keys[i];
      d->nkeys++;
      k->state = o->state;
      k->bits = o->bits;
      k->testing = o->testing;
      bad |= mxci_strdup_opt(&k->selector, o->selector);
      bad |= mxci_strdup_opt(&k->record, o->record);
      bad |= mxci_strdup_opt(&k->type, o->type);
      bad |= mxci_strdup_opt(&k->problem, o->problem);
    }
  }
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

const mxc_result_t *mxc_domain_spf(const mxc_result_t *r)
{
  return P(r) ? P(r)->spf : NULL;
}
const mxc_result_t *mxc_domain_spf6(const mxc_result_t *r)
{
  return P(r) ? P(r)->spf6 : NULL;
}
/* The networks of both evaluations, those of the IPv6 one not already
 * among those of the IPv4 one; i counts over both. */
static const char *net_at(const mxc_result_t *r, size_t i, size_t *count)
{
  const mxc_result_t *a = P(r) ? P(r)->spf : NULL,
                     *b = P(r) ? P(r)->spf6 : NULL;
  size_t na = mxc_spf_network_count(a), nb = mxc_spf_network_count(b), j, k,
         n = na;
  for (j = 0; j < nb; j++) {
    const char *x = mxc_spf_network(b, j);
    for (k = 0; k < na && strcmp(x, mxc_spf_network(a, k)) != 0; k++)
      ;
    if (k < na)
      continue;
    if (n == i && count == NULL)
      return x;
    n++;
  }
  if (count)
    *count = n;
  return i < na && count == NULL ? mxc_spf_network(a, i) : NULL;
}
size_t mxc_domain_spf_network_count(const mxc_result_t *r)
{
  size_t n = 0;
  (void)net_at(r, 0, &n);
  return n;
}
const char *mxc_domain_spf_network(const mxc_result_t *r, size_t i)
{
  return net_at(r, i, NULL);
}

const char *mxc_dkim_key_state_str(mxc_dkim_key_state_t s)
{
  switch (s) {
  case MXC_DKEY_OK:
    return "ok";
  case MXC_DKEY_NONE:
    return "none";
  case MXC_DKEY_REVOKED:
    return "revoked";
  case MXC_DKEY_INVALID:
    return "invalid";
  default:
    return "temperror";
  }
}
static const struct mxci_domain_key *K(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nkeys ? &P(r)->keys[i] : NULL;
}
size_t mxc_domain_key_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->nkeys : 0;
}
const char *mxc_domain_key_selector(const mxc_result_t *r, size_t i)
{
  return K(r, i) ? K(r, i)->selector : NULL;
}
mxc_dkim_key_state_t mxc_domain_key_state(const mxc_result_t *r, size_t i)
{
  return K(r, i) ? K(r, i)->state : MXC_DKEY_TEMPERROR;
}
const char *mxc_domain_key_type(const mxc_result_t *r, size_t i)
{
  return K(r, i) && K(r, i)->type ? K(r, i)->type : "";
}
unsigned mxc_domain_key_bits(const mxc_result_t *r, size_t i)
{
  return K(r, i) ? K(r, i)->bits : 0;
}
int mxc_domain_key_testing(const mxc_result_t *r, size_t i)
{
  return K(r, i) ? K(r, i)->testing : 0;
}
const char *mxc_domain_key_record(const mxc_result_t *r, size_t i)
{
  return K(r, i) ? K(r, i)->record : NULL;
}
const char *mxc_domain_key_problem(const mxc_result_t *r, size_t i)
{
  return K(r, i) ? K(r, i)->problem : NULL;
}

const char *mxc_rua_state_str(mxc_rua_state_t s)
{
  switch (s) {
  case MXC_RUA_INTERNAL:
    return "internal";
  case MXC_RUA_AUTHORISED:
    return "authorised";
  case MXC_RUA_UNAUTHORISED:
    return "unauthorised";
  default:
    return "temperror";
  }
}
size_t mxc_domain_rua_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->nrua : 0;
}
const char *mxc_domain_rua_domain(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nrua ? P(r)->rua[i].domain : NULL;
}
mxc_rua_state_t mxc_domain_rua_state(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nrua ? P(r)->rua[i].state : MXC_RUA_TEMPERROR;
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

static void dom_json_subject(struct mxci_jw *w, const mxc_result_t *r)
{
  mxci_jw_str(w, "input", r->input ? r->input : "");
  mxci_jw_str(w, "domain", mxc_domain_name(r));
}

static void dom_json(struct mxci_jw *w, const mxc_result_t *r)
{
  const struct mxci_domain *p = P(r);
  size_t i, j;
  mxci_jw_object(w, "domain_audit");
  mxci_jw_str(w, "result", mxc_verdict_str(r->verdict));
  mxci_jw_str(w, "state", mxc_rule_state_str(dom_state(r)));
  mxci_jw_str(w, "reason", r->reason);
  mxci_jw_str(w, "mx_state", mxc_mx_state_str(p->mx));
  mxci_jw_array(w, "mx");
  for (i = 0; i < p->nhosts; i++) {
    const struct mxci_domain_host *h = &p->hosts[i];
    mxci_jw_object(w, NULL);
    mxci_jw_str(w, "host", h->name);
    mxci_jw_int(w, "preference", (int)h->pref);
    mxci_jw_str(w, "state", mxc_mx_state_str(h->state));
    mxci_jw_array(w, "addresses");
    for (j = 0; j < h->naddr; j++) {
      const mxc_result_t *ir = h->iprev[j];
      mxci_jw_object(w, NULL);
      mxci_jw_str(w, "address", ir ? mxc_result_address(ir) : NULL);
      if (ir)
        mxci_json_members(w, ir);
      mxci_jw_end(w);
    }
    mxci_jw_end(w);
    mxci_jw_end(w);
  }
  mxci_jw_end(w);
  if (p->spf) {
    mxci_jw_object(w, "spf");
    mxci_jw_str(w, "record", mxc_spf_record(p->spf));
    mxci_jw_str(w, "result", mxc_verdict_str(mxc_result_verdict(p->spf)));
    mxci_jw_str(w, "reason", mxc_result_reason(p->spf));
    mxci_jw_int(w, "dns_lookups", mxc_spf_dns_lookups(p->spf));
    mxci_jw_int(w, "void_lookups", mxc_spf_void_lookups(p->spf));
    mxci_jw_array(w, "networks");
    for (i = 0; i < mxc_domain_spf_network_count(r); i++)
      mxci_jw_str(w, NULL, mxc_domain_spf_network(r, i));
    mxci_jw_end(w);
    mxci_jw_warnings(w, "warnings", p->spf->warn, p->spf->nwarn);
    mxci_jw_end(w);
  }
  mxci_jw_array(w, "dkim_keys");
  for (i = 0; i < p->nkeys; i++) {
    const struct mxci_domain_key *k = &p->keys[i];
    mxci_jw_object(w, NULL);
    mxci_jw_str(w, "selector", k->selector);
    mxci_jw_str(w, "state", mxc_dkim_key_state_str(k->state));
    mxci_jw_str(w, "type", k->type ? k->type : "");
    mxci_jw_int(w, "bits", (int)k->bits);
    mxci_jw_bool(w, "testing", k->testing);
    mxci_jw_str(w, "record", k->record);
    mxci_jw_str(w, "problem", k->problem);
    mxci_jw_end(w);
  }
  mxci_jw_end(w);
  mxci_jw_array(w, "rua");
  for (i = 0; i < p->nrua; i++) {
    mxci_jw_object(w, NULL);
    mxci_jw_str(w, "domain", p->rua[i].domain);
    mxci_jw_str(w, "state", mxc_rua_state_str(p->rua[i].state));
    mxci_jw_end(w);
  }
  mxci_jw_end(w);
  mxci_json_tail(w, r);
  mxci_jw_end(w);
  if (p->dmarc)
    mxci_json_members(w, p->dmarc);
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
  if (p->spf) {
    size_t nn = mxc_domain_spf_network_count(r);
    mxci_buf_printf(b, "  SPF       %s\n",
                    *mxc_spf_record(p->spf) ? mxc_spf_record(p->spf)
                                            : "(no record)");
    if (*mxc_spf_record(p->spf))
      mxci_buf_printf(b, "            %d of %d DNS lookups, %d void; %s\n",
                      mxc_spf_dns_lookups(p->spf), MXC_SPF_MAX_DNS_TERMS,
                      mxc_spf_void_lookups(p->spf),
                      mxc_result_verdict(p->spf) == MXC_VERDICT_PASS
                          ? "passes any address"
                      : mxc_result_verdict(p->spf) == MXC_VERDICT_PERMERROR ||
                              mxc_result_verdict(p->spf) ==
                                  MXC_VERDICT_TEMPERROR
                          ? mxc_verdict_str(mxc_result_verdict(p->spf))
                          : "other addresses get its all");
    for (i = 0; b->verbose && i < nn; i++)
      mxci_buf_printf(b, "            %s%s\n", i ? "          " : "passes    ",
                      mxc_domain_spf_network(r, i));
    if (!b->verbose && nn)
      mxci_buf_printf(b, "            passes %zu network%s (listed in the verbose report)\n",
                      nn, nn == 1 ? "" : "s");
  }
  for (i = 0; i < p->nkeys; i++) {
    const struct mxci_domain_key *k = &p->keys[i];
    if (k->state == MXC_DKEY_OK)
      mxci_buf_printf(b, "  DKIM      %s: %s %u bits%s\n", k->selector,
                      k->type ? k->type : "", k->bits,
                      k->testing ? ", testing (t=y)" : "");
    else
      mxci_buf_printf(b, "  DKIM      %s: %s%s%s\n", k->selector,
                      mxc_dkim_key_state_str(k->state),
                      k->problem ? ": " : "", k->problem ? k->problem : "");
  }
  for (i = 0; i < p->nrua; i++)
    mxci_buf_printf(b, "  rua       %s: %s\n", p->rua[i].domain,
                    mxc_rua_state_str(p->rua[i].state));
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
