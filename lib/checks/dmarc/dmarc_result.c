/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_result.c -- the DMARC part of a result: its life, accessors, the
 * JSON member "dmarc" (schema in mxcheck(1)), the text block, the
 * Authentication-Results piece, the context's options and the method
 * table.
 */
#include "mxc_private.h"
#include "dmarc_private.h"

#include <stdio.h>


static void jtri(struct mxci_jw *w, const char *key, int v)
{
  if (v < 0)
    mxci_jw_null(w, key);
  else
    mxci_jw_bool(w, key, v);
}

static void id_json(struct mxci_jw *w, const struct mxci_dmarc_id *id,
                    const char *type)
{
  mxci_jw_object(w, NULL);
  mxci_jw_str(w, "type", type);
  mxci_jw_str(w, "domain", id->domain ? id->domain : "");
  mxci_jw_str(w, "result", mxc_verdict_str(id->verdict));
  mxci_jw_str(w, "organizational_domain", id->org);
  jtri(w, "aligned", id->aligned);
  mxci_jw_bool(w, "identical", id->identical);
  mxci_jw_end(w);
}

static void strv(struct mxci_jw *w, const char *key, char *const *v,
                 size_t n)
{
  size_t i;
  mxci_jw_array(w, key);
  for (i = 0; i < n; i++)
    mxci_jw_str(w, NULL, v[i]);
  mxci_jw_end(w);
}

static void dmarc_json(struct mxci_jw *w, const mxc_result_t *r)
{
  const struct mxci_dmarc *m = r->data;
  char mode[2] = {0, 0};
  size_t i;

  mxci_jw_object(w, r->method);
  mxci_jw_str(w, "result", mxc_verdict_str(r->verdict));
  mxci_jw_str(w, "reason", r->reason ? r->reason : "");
  /* RFC 8601 section 2.7.1 / RFC 9989 section 9.1: header.from. */
  mxci_jw_str(w, "header.from", m->from ? m->from : "");
  mxci_jw_str(w, "discovery", m->method == MXC_DMARC_PSL ? "psl" : "treewalk");
  mxci_jw_bool(w, "audit", m->audit);
  mxci_jw_str(w, "record", m->record ? m->record : "");
  mxci_jw_str(w, "record_domain", m->record_domain);
  /* each tag once: the parser keeps the first of a repeated tag */
  mxci_jw_object(w, "tags");
  for (i = 0; i < m->ntags; i++)
    mxci_jw_str(w, m->tname[i], m->tval[i]);
  mxci_jw_end(w);
  mxci_jw_str(w, "organizational_domain", m->org);
  mxci_jw_str(w, "organizational_domain_reason", m->org_how);
  mxci_jw_str(w, "policy",
              m->policy ? mxci_dmarc_policy_word(m->policy) : NULL);
  mxci_jw_str(w, "policy_tag", m->policy ? m->policy_tag : NULL);
  mxci_jw_str(w, "policy_reason", m->policy ? m->policy_why : NULL);
  mxci_jw_bool(w, "testing", m->testing);
  mode[0] = m->aspf;
  mxci_jw_str(w, "aspf", mode);
  mode[0] = m->adkim;
  mxci_jw_str(w, "adkim", mode);
  mxci_jw_array(w, "identifiers");
  if (m->has_spf)
    id_json(w, &m->spf, "spf");
  for (i = 0; i < m->ndkim; i++)
    id_json(w, &m->dkim[i], "dkim");
  mxci_jw_end(w);
  strv(w, "notes", m->notes, m->nnotes);
  strv(w, "trace", m->trace, m->ntrace);
  mxci_jw_bool(w, "dnssec", r->dnssec);
  mxci_json_tail(w, r);
  mxci_jw_end(w);
}

static void text_id(struct mxci_buf *b, const struct mxci_dmarc_id *id,
                    const char *what, char mode, int c)
{
  char al[400];
  if (id->aligned == 1 && id->identical)
    snprintf(al, sizeof(al), "aligned (identical)");
  else if (id->aligned == 1)
    snprintf(al, sizeof(al), "aligned (relaxed: organizational domain %s)",
             id->org ? id->org : "?");
  else if (id->aligned < 0)
    snprintf(al, sizeof(al), "alignment unknown (a DNS query failed)");
  else if (mode == 's' && id->org)
    snprintf(al, sizeof(al), "not aligned (strict: not identical)");
  else
    snprintf(al, sizeof(al), "not aligned (organizational domain %s)",
             id->org ? id->org : "unknown");
  mxci_buf_printf(b, "  %-9s %s %s%s%s, %s\n", what,
                  id->domain ? id->domain : "", c ? mxci_verdict_colour(id->verdict) : "",
                  mxc_verdict_str(id->verdict), c ? MXCI_C_RESET : "", al);
}

static void dmarc_text(struct mxci_buf *b, const mxc_result_t *r, int c,
                       int under)
{
  const struct mxci_dmarc *m = r->data;
  size_t i;

  (void)under;
  if (m->audit && r->verdict == MXC_VERDICT_FAIL) {
    /* No identifier given: the record is what is audited. */
    mxci_buf_printf(b, "  %-9s %sfound%s  policy %s (%s=) of %s\n", "dmarc",
                    c ? MXCI_C_GREEN : "", c ? MXCI_C_RESET : "",
                    mxci_dmarc_policy_word(m->policy),
                    m->policy_tag ? m->policy_tag : "p",
                    m->record_domain ? m->record_domain : "");
  } else {
    mxci_buf_printf(b, "  %-9s %s%s%s  %s\n", "dmarc",
                    c ? mxci_verdict_colour(r->verdict) : "", mxc_verdict_str(r->verdict),
                    c ? MXCI_C_RESET : "", r->reason ? r->reason : "");
  }
  if (m->record && b->verbose)
    mxci_buf_printf(b, "  %-9s %s\n", "record", m->record);
  if (m->record) {
    mxci_buf_printf(b, "  %-9s _dmarc.%s (%s)\n", "found at",
                    m->record_domain ? m->record_domain : "",
                    m->method == MXC_DMARC_PSL
                        ? "RFC 7489: the From domain, then the Public Suffix "
                          "List"
                        : "RFC 9989 DNS tree walk");
  }
  if (m->org)
    mxci_buf_printf(b, "  %-9s %s: %s\n", "org", m->org,
                    m->org_how ? m->org_how : "");
  if (m->policy)
    mxci_buf_printf(b, "  %-9s %s (%s=): %s\n", "policy",
                    mxci_dmarc_policy_word(m->policy),
                    m->policy_tag ? m->policy_tag : "p",
                    m->policy_why ? m->policy_why : "");
  if (m->record)
    mxci_buf_printf(b, "  %-9s aspf=%c adkim=%c%s%s\n", "alignment", m->aspf,
                    m->adkim, m->testing ? ", t=y (testing)" : "",
                    mxc_dmarc_tag(r, "rua") ? "" : ", no rua=");
  if (m->has_spf)
    text_id(b, &m->spf, "SPF", m->aspf, c);
  for (i = 0; i < m->ndkim; i++)
    text_id(b, &m->dkim[i], "DKIM", m->adkim, c);
  for (i = 0; i < m->nnotes; i++)
    mxci_buf_printf(b, "  %-9s %s\n", "note", m->notes[i]);
  for (i = 0; b->verbose && i < m->ntrace; i++)
    mxci_buf_printf(b, "  %-9s %s\n", i ? "" : "trace", m->trace[i]);
  if (r->dnssec)
    mxci_buf_printf(b, "  %-9s answers validated by the resolver (AD)\n",
                    "dnssec");
  mxci_text_tail(b, r, c);
}

/* A domain, no address. */
static void dmarc_json_subject(struct mxci_jw *w, const mxc_result_t *r)
{
  mxci_jw_str(w, "input", r->input ? r->input : "");
  mxci_jw_str(w, "domain", mxc_dmarc_from_domain(r));
}

static void dmarc_text_subject(struct mxci_buf *b, const mxc_result_t *r,
                               int c)
{
  mxci_buf_printf(b, "%s%s%s (From domain)\n", c ? MXCI_C_BOLD : "",
                  *mxc_dmarc_from_domain(r) ? mxc_dmarc_from_domain(r)
                                            : (r->input ? r->input : ""),
                  c ? MXCI_C_RESET : "");
}

/* RFC 8601 section 2.7.1 / RFC 9989 section 9.1: header.from. */
static void dmarc_authres(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  mxci_authres_piece(b, n, r->method, r->verdict);
  if (*mxc_dmarc_from_domain(r))
    mxci_authres_prop(b, "header.from", mxc_dmarc_from_domain(r));
}

/* ---- the DMARC part of a result: free, copy ------------------------------------------------------ */

static void id_free(struct mxci_dmarc_id *id)
{
  mxci_free(id->domain);
  mxci_free(id->org);
}

static void dmarc_clear(void *data)
{
  struct mxci_dmarc *m = data;
  size_t i;
  mxci_free(m->from);
  mxci_free(m->record);
  mxci_free(m->record_domain);
  mxci_free(m->org);
  mxci_free(m->org_how);
  mxci_free(m->policy_tag);
  mxci_free(m->policy_why);
  mxci_strv_free(m->tname, m->ntags);
  mxci_strv_free(m->tval, m->ntags);
  id_free(&m->spf);
  for (i = 0; i < m->ndkim; i++)
    id_free(&m->dkim[i]);
  mxci_free(m->dkim);
  mxci_strv_free(m->notes, m->nnotes);
  mxci_strv_free(m->trace, m->ntrace);
}

static int id_dup(struct mxci_dmarc_id *d, const struct mxci_dmarc_id *s)
{
  *d = *s;
  d->domain = d->org = NULL;
  return mxci_strdup_opt(&d->domain, s->domain) | mxci_strdup_opt(&d->org, s->org);
}

static int dmarc_copy(void *dst, const void *src)
{
  const struct mxci_dmarc *sm = src;
  struct mxci_dmarc *m = dst;
  size_t i, n;
  int bad = 0;
  m->method = sm->method;
  m->policy = sm->policy;
  m->aspf = sm->aspf;
  m->adkim = sm->adkim;
  m->testing = sm->testing;
  m->audit = sm->audit;
  m->has_spf = sm->has_spf;
  bad |= mxci_strdup_opt(&m->from, sm->from);
  bad |= mxci_strdup_opt(&m->record, sm->record);
  bad |= mxci_strdup_opt(&m->record_domain, sm->record_domain);
  bad |= mxci_strdup_opt(&m->org, sm->org);
  bad |= mxci_strdup_opt(&m->org_how, sm->org_how);
  bad |= mxci_strdup_opt(&m->policy_tag, sm->policy_tag);
  bad |= mxci_strdup_opt(&m->policy_why, sm->policy_why);
  bad |= mxci_strv_dup(&m->tname, &m->ntags, sm->tname, sm->ntags);
  bad |= mxci_strv_dup(&m->tval, &n, sm->tval, sm->ntags);
  if (n != m->ntags) {
    /* keep the two arrays the same length for the free */
    mxci_strv_free(m->tname, m->ntags); /* LCOV_EXCL_LINE: OutOfMemory */
    mxci_strv_free(m->tval, n);         /* LCOV_EXCL_LINE: OutOfMemory */
    m->tname = m->tval = NULL;          /* LCOV_EXCL_LINE: OutOfMemory */
    m->ntags = 0;                       /* LCOV_EXCL_LINE: OutOfMemory */
  }
  bad |= mxci_strv_dup(&m->notes, &m->nnotes, sm->notes, sm->nnotes);
  bad |= mxci_strv_dup(&m->trace, &m->ntrace, sm->trace, sm->ntrace);
  bad |= id_dup(&m->spf, &sm->spf);
  if (sm->ndkim) {
    m->dkim = mxci_calloc(sm->ndkim, sizeof(*m->dkim));
    if (m->dkim == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
    for (i = 0; i < sm->ndkim; i++) {
      m->ndkim++;
      bad |= id_dup(&m->dkim[i], &sm->dkim[i]);
    }
  }
  return bad ? -1 : 0;
}

/* ---- accessors ----------------------------------------------------------- */

#define S(x) ((x) ? (x) : "")

/* The DMARC part of r, or NULL when r is not a DMARC result. */
static const struct mxci_dmarc *dm(const mxc_result_t *r)
{
  return mxci_result_data(r, &mxci_dmarc_method);
}

const char *mxc_dmarc_from_domain(const mxc_result_t *r)
{
  return dm(r) ? S(dm(r)->from) : "";
}
const char *mxc_dmarc_record(const mxc_result_t *r)
{
  return dm(r) ? S(dm(r)->record) : "";
}
const char *mxc_dmarc_record_domain(const mxc_result_t *r)
{
  return dm(r) ? S(dm(r)->record_domain) : "";
}
const char *mxc_dmarc_org_domain(const mxc_result_t *r)
{
  return dm(r) ? S(dm(r)->org) : "";
}
const char *mxc_dmarc_org_reason(const mxc_result_t *r)
{
  return dm(r) ? S(dm(r)->org_how) : "";
}
unsigned mxc_dmarc_discovery(const mxc_result_t *r)
{
  return dm(r) ? dm(r)->method : 0;
}
const char *mxc_dmarc_policy(const mxc_result_t *r)
{
  return dm(r) ? mxci_dmarc_policy_word(dm(r)->policy) : "";
}
const char *mxc_dmarc_policy_tag(const mxc_result_t *r)
{
  return dm(r) && dm(r)->policy ? S(dm(r)->policy_tag) : "";
}
const char *mxc_dmarc_policy_reason(const mxc_result_t *r)
{
  return dm(r) && dm(r)->policy ? S(dm(r)->policy_why) : "";
}
int mxc_dmarc_testing(const mxc_result_t *r)
{
  return dm(r) ? dm(r)->testing : 0;
}
int mxc_dmarc_aspf(const mxc_result_t *r)
{
  return dm(r) ? dm(r)->aspf : 'r';
}
int mxc_dmarc_adkim(const mxc_result_t *r)
{
  return dm(r) ? dm(r)->adkim : 'r';
}
const char *mxc_dmarc_tag(const mxc_result_t *r, const char *name)
{
  size_t i;
  if (dm(r) == NULL || name == NULL)
    return NULL;
  for (i = 0; i < dm(r)->ntags; i++)
    if (strcasecmp(dm(r)->tname[i], name) == 0)
      return dm(r)->tval[i];
  return NULL;
}
int mxc_dmarc_spf_aligned(const mxc_result_t *r)
{
  return dm(r) && dm(r)->has_spf ? dm(r)->spf.aligned : -1;
}
const char *mxc_dmarc_spf_org_domain(const mxc_result_t *r)
{
  return dm(r) && dm(r)->has_spf ? S(dm(r)->spf.org) : "";
}
size_t mxc_dmarc_dkim_count(const mxc_result_t *r)
{
  return dm(r) ? dm(r)->ndkim : 0;
}
const char *mxc_dmarc_dkim_domain(const mxc_result_t *r, size_t i)
{
  return dm(r) && i < dm(r)->ndkim ? dm(r)->dkim[i].domain : NULL;
}
int mxc_dmarc_dkim_aligned(const mxc_result_t *r, size_t i)
{
  return dm(r) && i < dm(r)->ndkim ? dm(r)->dkim[i].aligned : -1;
}
const char *mxc_dmarc_dkim_org_domain(const mxc_result_t *r, size_t i)
{
  return dm(r) && i < dm(r)->ndkim ? S(dm(r)->dkim[i].org) : NULL;
}
size_t mxc_dmarc_trace_count(const mxc_result_t *r)
{
  return dm(r) ? dm(r)->ntrace : 0;
}
const char *mxc_dmarc_trace(const mxc_result_t *r, size_t i)
{
  return dm(r) && i < dm(r)->ntrace ? dm(r)->trace[i] : NULL;
}
size_t mxc_dmarc_note_count(const mxc_result_t *r)
{
  return dm(r) ? dm(r)->nnotes : 0;
}
const char *mxc_dmarc_note(const mxc_result_t *r, size_t i)
{
  return dm(r) && i < dm(r)->nnotes ? dm(r)->notes[i] : NULL;
}

/* A domain's policy: none (no record) is warn, permerror fail; the
 * record found (pass or an audit's fail) is pass, warn with warnings. */
static mxc_rule_state_t dmarc_state(const mxc_result_t *r)
{
  switch (r->verdict) {
  case MXC_VERDICT_TEMPERROR:
    return MXC_RULE_UNKNOWN;
  case MXC_VERDICT_NONE:
    return MXC_RULE_WARN;
  case MXC_VERDICT_PERMERROR:
    return MXC_RULE_FAIL;
  case MXC_VERDICT_FAIL:
    if (!((const struct mxci_dmarc *)r->data)->audit)
      return MXC_RULE_FAIL; /* identifiers given: the message fails */
    return r->nwarn ? MXC_RULE_WARN : MXC_RULE_PASS; /* a policy found */
  default:
    return r->nwarn ? MXC_RULE_WARN : MXC_RULE_PASS;
  }
}

/* ---- the context's options and the method table ------------------------- */

static void *dmarc_ctx_new(void)
{
  return mxci_calloc(1, sizeof(struct mxci_dmarc_ctx));
}

static void dmarc_ctx_free(void *state) { mxci_free(state); }

const struct mxci_method mxci_dmarc_method = {
    .name = "dmarc",
    .subject = MXCI_SUBJECT_DOMAIN,
    .size = sizeof(struct mxci_dmarc),
    .clear = dmarc_clear,
    .copy = dmarc_copy,
    .json_subject = dmarc_json_subject,
    .json = dmarc_json,
    .text_subject = dmarc_text_subject,
    .text = dmarc_text,
    .state = dmarc_state,
    .authres = dmarc_authres,
    .ctx_new = dmarc_ctx_new,
    .ctx_free = dmarc_ctx_free,
};
