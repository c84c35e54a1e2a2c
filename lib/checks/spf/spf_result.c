/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_result.c -- the SPF part of a result: its life, accessors and
 * renderings, the context's SPF options, and the method table.
 */
#include "mxc_private.h"
#include "spf_private.h"


#define S(x) ((x) ? (x) : "")

/* The SPF part of r, or NULL when r is not an SPF result. */
static const struct mxci_spf_res *P(const mxc_result_t *r)
{
  return mxci_result_data(r, &mxci_spf_method);
}

static void spf_clear(void *data)
{
  struct mxci_spf_res *p = data;
  mxci_free(p->spf_domain);
  mxci_free(p->spf_sender);
  mxci_free(p->spf_helo);
  mxci_free(p->spf_exp);
  mxci_free(p->spf_record);
  mxci_strv_free(p->spf_trace, p->nspf_trace);
  mxci_strv_free(p->spf_nets, p->nspf_nets);
  mxci_free(p->spf2_detail);
}

static int spf_copy(void *dst, const void *src)
{
  struct mxci_spf_res *d = dst;
  const struct mxci_spf_res *s = src;
  int bad = 0;
  d->spf_scope = s->spf_scope;
  d->spf_lookups = s->spf_lookups;
  d->spf_voids = s->spf_voids;
  d->spf2_state = s->spf2_state;
  d->spf2_verdict = s->spf2_verdict;
  bad |= mxci_strdup_opt(&d->spf_domain, s->spf_domain);
  bad |= mxci_strdup_opt(&d->spf_sender, s->spf_sender);
  bad |= mxci_strdup_opt(&d->spf_helo, s->spf_helo);
  bad |= mxci_strdup_opt(&d->spf_exp, s->spf_exp);
  bad |= mxci_strdup_opt(&d->spf_record, s->spf_record);
  bad |= mxci_strv_dup(&d->spf_trace, &d->nspf_trace, s->spf_trace,
                       s->nspf_trace);
  bad |= mxci_strv_dup(&d->spf_nets, &d->nspf_nets, s->spf_nets,
                       s->nspf_nets);
  bad |= mxci_strdup_opt(&d->spf2_detail, s->spf2_detail);
  return bad;
}

/* ---- accessors ---------------------------------------------------------- */

const char *mxc_spf_domain(const mxc_result_t *r)
{
  return P(r) ? S(P(r)->spf_domain) : "";
}
mxc_spf_scope_t mxc_spf_scope(const mxc_result_t *r)
{
  return P(r) ? P(r)->spf_scope : MXC_SPF_SCOPE_MFROM;
}
const char *mxc_spf_explanation(const mxc_result_t *r)
{
  return P(r) && r->verdict == MXC_VERDICT_FAIL ? S(P(r)->spf_exp) : "";
}
const char *mxc_spf_record(const mxc_result_t *r)
{
  return P(r) ? S(P(r)->spf_record) : "";
}
const char *mxc_spf_sender(const mxc_result_t *r)
{
  return P(r) ? S(P(r)->spf_sender) : "";
}
int mxc_spf_dns_lookups(const mxc_result_t *r)
{
  return P(r) ? P(r)->spf_lookups : 0;
}
int mxc_spf_void_lookups(const mxc_result_t *r)
{
  return P(r) ? P(r)->spf_voids : 0;
}
size_t mxc_spf_network_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->nspf_nets : 0;
}
const char *mxc_spf_network(const mxc_result_t *r, size_t i)
{
  const struct mxci_spf_res *p = P(r);
  return p && i < p->nspf_nets ? p->spf_nets[i] : NULL;
}
size_t mxc_spf_trace_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->nspf_trace : 0;
}
const char *mxc_spf_trace(const mxc_result_t *r, size_t i)
{
  const struct mxci_spf_res *p = P(r);
  return p && i < p->nspf_trace ? p->spf_trace[i] : NULL;
}

int mxc_spf_libspf2_verdict(const mxc_result_t *r, mxc_verdict_t *v)
{
  const struct mxci_spf_res *p = P(r);
  if (p == NULL || p->spf2_state != MXCI_SPF2_DONE)
    return 0;
  if (v)
    *v = p->spf2_verdict;
  return 1;
}
const char *mxc_spf_libspf2_result(const mxc_result_t *r)
{
  const struct mxci_spf_res *p = P(r);
  if (p == NULL || p->spf2_state == MXCI_SPF2_SKIPPED)
    return "skipped";
  if (p->spf2_state == MXCI_SPF2_UNKNOWN)
    return "unknown";
  return mxc_verdict_str(p->spf2_verdict);
}
const char *mxc_spf_libspf2_detail(const mxc_result_t *r)
{
  return P(r) ? S(P(r)->spf2_detail) : "";
}

/* ---- renderings --------------------------------------------------------- */

static void spf_json(struct mxci_jw *w, const mxc_result_t *r)
{
  const struct mxci_spf_res *p = r->data;
  size_t i;

  mxci_jw_object(w, r->method);
  mxci_jw_str(w, "result", mxc_verdict_str(r->verdict));
  mxci_jw_str(w, "reason", r->reason ? r->reason : "");
  mxci_jw_str(w, "domain", p->spf_domain ? p->spf_domain : "");
  mxci_jw_str(w, "scope",
              p->spf_scope == MXC_SPF_SCOPE_HELO ? "helo" : "mfrom");
  /* RFC 8601 section 2.7.2: the properties of spf are smtp.mailfrom and
   * smtp.helo. */
  if (p->spf_scope == MXC_SPF_SCOPE_MFROM)
    mxci_jw_str(w, "smtp.mailfrom", p->spf_sender ? p->spf_sender : "");
  else
    mxci_jw_null(w, "smtp.mailfrom");
  mxci_jw_str(w, "smtp.helo", p->spf_helo);
  mxci_jw_str(w, "explanation",
              r->verdict == MXC_VERDICT_FAIL && p->spf_exp ? p->spf_exp : "");
  mxci_jw_str(w, "record", p->spf_record ? p->spf_record : "");
  mxci_jw_int(w, "dns_lookups", p->spf_lookups);
  mxci_jw_int(w, "void_lookups", p->spf_voids);
  mxci_jw_array(w, "trace");
  for (i = 0; i < p->nspf_trace; i++)
    mxci_jw_str(w, NULL, p->spf_trace[i]);
  mxci_jw_end(w);
  mxci_json_tail(w, r);
  /* Always there, so that tools can compare. */
  mxci_jw_object(w, "libspf2");
  mxci_jw_str(w, "result", mxc_spf_libspf2_result(r));
  mxci_jw_str(w, "detail", mxc_spf_libspf2_detail(r));
  mxci_jw_end(w);
  mxci_jw_end(w);
}


static void spf_text(struct mxci_buf *b, const mxc_result_t *r, int c,
                     int under)
{
  const struct mxci_spf_res *p = r->data;
  size_t i;
  (void)under;
  mxci_text_verdict(b, r, c);
  mxci_buf_printf(b, "  %-9s %s (%s %s)\n", "identity",
                  p->spf_domain ? p->spf_domain : "",
                  p->spf_scope == MXC_SPF_SCOPE_HELO ? "HELO" : "MAIL FROM",
                  p->spf_scope == MXC_SPF_SCOPE_HELO && p->spf_helo
                      ? p->spf_helo
                      : (p->spf_sender ? p->spf_sender : ""));
  if (b->verbose && p->spf_record && *p->spf_record)
    mxci_buf_printf(b, "  %-9s %s\n", "record", p->spf_record);
  if (r->verdict == MXC_VERDICT_FAIL && p->spf_exp && *p->spf_exp)
    mxci_buf_printf(b, "  %-9s %s\n", "explain", p->spf_exp);
  mxci_buf_printf(b, "  %-9s %d DNS-querying term%s of %d, %d void lookup%s "
                     "of %d\n",
                  "lookups", p->spf_lookups, p->spf_lookups == 1 ? "" : "s",
                  MXC_SPF_MAX_DNS_TERMS, p->spf_voids,
                  p->spf_voids == 1 ? "" : "s", MXC_SPF_MAX_VOID_LOOKUPS);
  for (i = 0; b->verbose && i < p->nspf_trace; i++)
    mxci_buf_printf(b, "  %-9s %s\n", i ? "" : "trace", p->spf_trace[i]);
  /* libspf2's view only where receivers built on it conclude otherwise. */
  if (p->spf2_state == MXCI_SPF2_DONE && p->spf2_verdict != r->verdict)
    mxci_buf_printf(b, "  %s%-9s%s receivers using libspf2 (Exim, spfmilter, "
                       "...) will compute %s%s%s\n",
                    c ? MXCI_C_YELLOW : "", "libspf2", c ? MXCI_C_RESET : "",
                    mxc_verdict_str(p->spf2_verdict),
                    p->spf2_detail && *p->spf2_detail ? ": " : "",
                    p->spf2_detail ? p->spf2_detail : "");
  mxci_text_tail(b, r, c);
}


/* RFC 8601 section 2.7.2: the properties of spf are smtp.mailfrom and
 * smtp.helo. */
static void spf_authres(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  mxci_authres_piece(b, n, r->method, r->verdict);
  if (mxc_spf_scope(r) == MXC_SPF_SCOPE_HELO)
    mxci_authres_prop(b, "smtp.helo", mxc_spf_domain(r));
  else if (*mxc_spf_sender(r))
    mxci_authres_prop(b, "smtp.mailfrom", mxc_spf_sender(r));
}

/* RFC 7208: neutral and none are no policy at all for receivers (warn);
 * softfail is a failure. */
static mxc_rule_state_t spf_state(const mxc_result_t *r)
{
  switch (r->verdict) {
  case MXC_VERDICT_PASS:
    return r->nwarn ? MXC_RULE_WARN : MXC_RULE_PASS;
  case MXC_VERDICT_NEUTRAL:
  case MXC_VERDICT_NONE:
    return MXC_RULE_WARN;
  case MXC_VERDICT_TEMPERROR:
    return MXC_RULE_UNKNOWN;
  default:
    return MXC_RULE_FAIL;
  }
}

/* ---- the context's options ---------------------------------------------- */

static void *spf_ctx_new(void)
{
  struct mxci_spf_ctx *o = mxci_calloc(1, sizeof(*o));
  if (o == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  o->libspf2 = 1;
  o->detail = 1;
  return o;
}

static void spf_ctx_free(void *state)
{
  struct mxci_spf_ctx *o = state;
  mxci_free(o->exp);
  mxci_free(o);
}

const struct mxci_method mxci_spf_method = {
    .name = "spf",
    .subject = MXCI_SUBJECT_ADDRESS,
    .size = sizeof(struct mxci_spf_res),
    .clear = spf_clear,
    .copy = spf_copy,
    .json = spf_json,
    .text = spf_text,
    .state = spf_state,
    .authres = spf_authres,
    .ctx_new = spf_ctx_new,
    .ctx_free = spf_ctx_free,
};
