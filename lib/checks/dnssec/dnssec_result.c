/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnssec_result.c -- the DNSSEC part of a result: its life, accessors and
 * renderings (JSON member "dnssec", the text block; not an RFC 8601
 * method, so no Authentication-Results piece), options, and the method
 * table.
 */
#include "mxc_private.h"
#include "dnssec_private.h"


static const struct mxci_dnssec *P(const mxc_result_t *r)
{
  return mxci_result_data(r, &mxci_dnssec_method);
}

static void finding_clear(struct mxci_dnssec_finding *f)
{
  mxci_free(f->code);
  mxci_free(f->owner);
  mxci_free(f->type);
  mxci_free(f->text);
}

static void dnssec_clear(void *data)
{
  struct mxci_dnssec *x = data;
  size_t i;
  for (i = 0; i < x->nfind; i++)
    finding_clear(&x->find[i]);
  mxci_free(x->find);
  mxci_free(x->zone);
  mxci_free(x->source);
}

static int dnssec_copy(void *dst, const void *src)
{
  struct mxci_dnssec *d = dst;
  const struct mxci_dnssec *s = src;
  size_t i;
  int bad = 0;
  *d = *s;
  d->zone = d->source = NULL;
  d->find = NULL;
  d->nfind = 0;
  bad |= mxci_strdup_opt(&d->zone, s->zone);
  bad |= mxci_strdup_opt(&d->source, s->source);
  if (s->nfind == 0)
    return bad;
  d->find = mxci_calloc(s->nfind, sizeof(*d->find));
  if (d->find == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < s->nfind; i++) {
    struct mxci_dnssec_finding *f = &d->find[i];
    f->state = s->find[i].state;
    d->nfind++;
    bad |= mxci_strdup_opt(&f->code, s->find[i].code);
    bad |= mxci_strdup_opt(&f->owner, s->find[i].owner);
    bad |= mxci_strdup_opt(&f->type, s->find[i].type);
    bad |= mxci_strdup_opt(&f->text, s->find[i].text);
  }
  return bad;
}

/* ---- accessors ---------------------------------------------------------- */

int mxc_dnssec_signed(const mxc_result_t *r)
{
  return P(r) ? P(r)->is_signed : 0;
}
size_t mxc_dnssec_rrset_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->nsets : 0;
}
size_t mxc_dnssec_finding_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->nfind : 0;
}
mxc_rule_state_t mxc_dnssec_finding_state(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nfind ? P(r)->find[i].state : MXC_RULE_UNKNOWN;
}
const char *mxc_dnssec_finding_code(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nfind ? P(r)->find[i].code : NULL;
}
const char *mxc_dnssec_finding_owner(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nfind ? P(r)->find[i].owner : NULL;
}
const char *mxc_dnssec_finding_type(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nfind ? P(r)->find[i].type : NULL;
}
const char *mxc_dnssec_finding_text(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nfind ? P(r)->find[i].text : NULL;
}

/* ---- renderings --------------------------------------------------------- */

static void dnssec_json_subject(struct mxci_jw *w, const mxc_result_t *r)
{
  mxci_jw_str(w, "zone", P(r)->zone);
  mxci_jw_str(w, "file", P(r)->source);
}

static void dnssec_json(struct mxci_jw *w, const mxc_result_t *r)
{
  const struct mxci_dnssec *x = P(r);
  size_t i;
  mxci_jw_object(w, r->method);
  mxci_jw_str(w, "result", mxc_verdict_str(r->verdict));
  mxci_jw_str(w, "reason", r->reason ? r->reason : "");
  mxci_jw_bool(w, "signed", x->is_signed);
  mxci_jw_int(w, "dnskeys", (int64_t)x->nkeys);
  mxci_jw_int(w, "rrsets", (int64_t)x->nsets);
  mxci_jw_int(w, "verified", (int64_t)x->nsigs);
  /* the DNSKEYs DNS publishes now (a key rollover); null: not asked */
  if (x->live >= 0)
    mxci_jw_int(w, "published_dnskeys", x->live);
  else
    mxci_jw_null(w, "published_dnskeys");
  mxci_jw_array(w, "findings");
  for (i = 0; i < x->nfind; i++) {
    const struct mxci_dnssec_finding *f = &x->find[i];
    mxci_jw_object(w, NULL);
    mxci_jw_str(w, "state", mxc_rule_state_str(f->state));
    mxci_jw_str(w, "code", f->code);
    mxci_jw_str(w, "owner", f->owner);
    mxci_jw_str(w, "type", f->type);
    mxci_jw_str(w, "text", f->text);
    mxci_jw_end(w);
  }
  mxci_jw_end(w);
  mxci_jw_str(w, "fix", r->fix ? r->fix : "");
  mxci_jw_end(w);
}

static void dnssec_text_subject(struct mxci_buf *b, const mxc_result_t *r,
                                int c)
{
  mxci_buf_printf(b, "%s%s%s (zone file %s)\n", c ? MXCI_C_BOLD : "",
                  P(r)->zone, c ? MXCI_C_RESET : "", P(r)->source);
}

static void dnssec_text(struct mxci_buf *b, const mxc_result_t *r, int c,
                        int under)
{
  const struct mxci_dnssec *x = P(r);
  size_t i;
  (void)under;
  mxci_text_verdict(b, r, c);
  for (i = 0; i < x->nfind; i++) {
    const struct mxci_dnssec_finding *f = &x->find[i];
    const char *col = f->state == MXC_RULE_FAIL   ? MXCI_C_RED
                      : f->state == MXC_RULE_WARN ? MXCI_C_YELLOW
                                                  : "";
    const char *word = f->state == MXC_RULE_UNKNOWN
                           ? "not checked"
                           : mxc_rule_state_str(f->state);
    mxci_buf_printf(b, "  %s%-4s%s  %s\n", c ? col : "", word,
                    c ? MXCI_C_RESET : "", f->text);
  }
  mxci_text_tail(b, r, c);
}

/* fail with a failing finding; warn with a warning; else pass (an
 * unsigned zone too: nothing to resolve wrongly). */
static mxc_rule_state_t dnssec_state(const mxc_result_t *r)
{
  const struct mxci_dnssec *x = P(r);
  size_t i;
  int warn = 0;
  for (i = 0; x && i < x->nfind; i++) {
    if (x->find[i].state == MXC_RULE_FAIL)
      return MXC_RULE_FAIL;
    warn |= x->find[i].state == MXC_RULE_WARN;
  }
  return warn || r->nwarn ? MXC_RULE_WARN : MXC_RULE_PASS;
}

/* Not an RFC 8601 method: nothing in Authentication-Results. */
static void dnssec_authres(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  (void)b;
  (void)r;
  (void)n;
}

static void *dnssec_ctx_new(void)
{
  struct mxci_dnssec_ctx *o = mxci_calloc(1, sizeof(*o));
  if (o)
    o->horizon = MXC_DNSSEC_HORIZON_DEFAULT;
  return o;
}

static void dnssec_ctx_free(void *state)
{
  mxci_free(state);
}

const struct mxci_method mxci_dnssec_method = {
    .name = "dnssec",
    .subject = MXCI_SUBJECT_DOMAIN,
    .size = sizeof(struct mxci_dnssec),
    .clear = dnssec_clear,
    .copy = dnssec_copy,
    .json_subject = dnssec_json_subject,
    .json = dnssec_json,
    .text_subject = dnssec_text_subject,
    .text = dnssec_text,
    .state = dnssec_state,
    .authres = dnssec_authres,
    .ctx_new = dnssec_ctx_new,
    .ctx_free = dnssec_ctx_free,
};
