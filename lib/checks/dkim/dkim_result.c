/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_result.c -- the "dkim" part of a result: per-signature records,
 * their copy and free, the accessors of mxcheck.h, the renderings and the
 * method table.  Apart from dkim.c so that results need nothing of
 * libopendkim.
 */
#include "mxc_private.h"
#include "dkim_private.h"


static void sig_clear(struct mxci_dkim_sig *g)
{
  size_t j;
  mxci_free(g->error);
  mxci_free(g->reason);
  mxci_free(g->domain);
  mxci_free(g->selector);
  mxci_free(g->identity);
  mxci_free(g->algorithm);
  mxci_free(g->b);
  mxci_free(g->canon);
  mxci_free(g->key_name);
  mxci_free(g->key_record);
  mxci_free(g->key_type);
  mxci_strv_free(g->headers, g->nheaders);
  for (j = 0; j < g->nwarn; j++) {
    mxci_free(g->warn[j].code);
    mxci_free(g->warn[j].text);
  }
  mxci_free(g->warn);
}

static void dkim_clear(void *data)
{
  struct mxci_dkim *p = data;
  size_t i;
  for (i = 0; i < p->ndkim; i++)
    sig_clear(&p->dkim[i]);
  mxci_free(p->dkim);
}

static int sig_dup(struct mxci_dkim_sig *d, const struct mxci_dkim_sig *s)
{
  int bad = 0;
  size_t j;

  memset(d, 0, sizeof(*d));
  d->verdict = s->verdict;
  d->key_bits = s->key_bits;
  d->key_form = s->key_form;
  d->dnssec = s->dnssec;
  d->testing = s->testing;
  d->l = s->l;
  d->t = s->t;
  d->x = s->x;
  bad |= mxci_strdup_opt(&d->error, s->error);
  bad |= mxci_strdup_opt(&d->reason, s->reason);
  bad |= mxci_strdup_opt(&d->domain, s->domain);
  bad |= mxci_strdup_opt(&d->selector, s->selector);
  bad |= mxci_strdup_opt(&d->identity, s->identity);
  bad |= mxci_strdup_opt(&d->algorithm, s->algorithm);
  bad |= mxci_strdup_opt(&d->b, s->b);
  bad |= mxci_strdup_opt(&d->canon, s->canon);
  bad |= mxci_strdup_opt(&d->key_name, s->key_name);
  bad |= mxci_strdup_opt(&d->key_record, s->key_record);
  bad |= mxci_strdup_opt(&d->key_type, s->key_type);
  for (j = 0; j < s->nheaders && !bad; j++)
    bad |= mxci_strv_add(&d->headers, &d->nheaders, s->headers[j]);
  if (s->nwarn && !bad) {
    d->warn = mxci_calloc(s->nwarn, sizeof(*d->warn));
    if (d->warn == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
    for (j = 0; j < s->nwarn; j++) {
      d->nwarn++;
      bad |= mxci_strdup_opt(&d->warn[j].code, s->warn[j].code);
      bad |= mxci_strdup_opt(&d->warn[j].text, s->warn[j].text);
    }
  }
  return bad ? -1 : 0;
}

static int dkim_copy(void *dst, const void *src)
{
  struct mxci_dkim *d = dst;
  const struct mxci_dkim *s = src;
  size_t i;
  d->dkim_ignored = s->dkim_ignored;
  if (s->ndkim == 0)
    return 0;
  d->dkim = mxci_calloc(s->ndkim, sizeof(*d->dkim));
  if (d->dkim == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < s->ndkim; i++) {
    d->ndkim++;
    if (sig_dup(&d->dkim[i], &s->dkim[i]) < 0)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return 0;
}

/* ---- accessors ---------------------------------------------------------- */

#define S(x) ((x) ? (x) : "")

/* The DKIM part of r, or NULL when r is not a DKIM result. */
static const struct mxci_dkim *P(const mxc_result_t *r)
{
  return mxci_result_data(r, &mxci_dkim_method);
}

static const struct mxci_dkim_sig *sig_at(const mxc_result_t *r, size_t i)
{
  const struct mxci_dkim *p = P(r);
  return p && i < p->ndkim ? &p->dkim[i] : NULL;
}

size_t mxc_dkim_sig_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->ndkim : 0;
}
size_t mxc_dkim_ignored(const mxc_result_t *r)
{
  return P(r) ? P(r)->dkim_ignored : 0;
}

mxc_verdict_t mxc_dkim_sig_verdict(const mxc_result_t *r, size_t i)
{
  const struct mxci_dkim_sig *g = sig_at(r, i);
  return g ? g->verdict : MXC_VERDICT_NONE;
}

#define STR_ACCESSOR(fn, member)                                             \
  const char *fn(const mxc_result_t *r, size_t i)                           \
  {                                                                          \
    const struct mxci_dkim_sig *g = sig_at(r, i);                            \
    return g ? S(g->member) : NULL;                                          \
  }

STR_ACCESSOR(mxc_dkim_sig_error, error)
STR_ACCESSOR(mxc_dkim_sig_reason, reason)
STR_ACCESSOR(mxc_dkim_sig_domain, domain)
STR_ACCESSOR(mxc_dkim_sig_selector, selector)
STR_ACCESSOR(mxc_dkim_sig_identity, identity)
STR_ACCESSOR(mxc_dkim_sig_algorithm, algorithm)
STR_ACCESSOR(mxc_dkim_sig_b, b)
STR_ACCESSOR(mxc_dkim_sig_canon, canon)
STR_ACCESSOR(mxc_dkim_sig_key_name, key_name)
STR_ACCESSOR(mxc_dkim_sig_key_record, key_record)
STR_ACCESSOR(mxc_dkim_sig_key_type, key_type)
STR_ACCESSOR(mxc_dkim_sig_key_form, key_form)

unsigned mxc_dkim_sig_key_bits(const mxc_result_t *r, size_t i)
{
  const struct mxci_dkim_sig *g = sig_at(r, i);
  return g ? g->key_bits : 0;
}
int mxc_dkim_sig_dnssec(const mxc_result_t *r, size_t i)
{
  const struct mxci_dkim_sig *g = sig_at(r, i);
  return g ? g->dnssec : 0;
}
int mxc_dkim_sig_testing(const mxc_result_t *r, size_t i)
{
  const struct mxci_dkim_sig *g = sig_at(r, i);
  return g ? g->testing : 0;
}
size_t mxc_dkim_sig_header_count(const mxc_result_t *r, size_t i)
{
  const struct mxci_dkim_sig *g = sig_at(r, i);
  return g ? g->nheaders : 0;
}
const char *mxc_dkim_sig_header(const mxc_result_t *r, size_t i, size_t j)
{
  const struct mxci_dkim_sig *g = sig_at(r, i);
  return g && j < g->nheaders ? g->headers[j] : NULL;
}
long long mxc_dkim_sig_body_length(const mxc_result_t *r, size_t i)
{
  const struct mxci_dkim_sig *g = sig_at(r, i);
  return g ? g->l : -1;
}
long long mxc_dkim_sig_timestamp(const mxc_result_t *r, size_t i)
{
  const struct mxci_dkim_sig *g = sig_at(r, i);
  return g ? g->t : -1;
}
long long mxc_dkim_sig_expiration(const mxc_result_t *r, size_t i)
{
  const struct mxci_dkim_sig *g = sig_at(r, i);
  return g ? g->x : -1;
}
size_t mxc_dkim_sig_warning_count(const mxc_result_t *r, size_t i)
{
  const struct mxci_dkim_sig *g = sig_at(r, i);
  return g ? g->nwarn : 0;
}
const char *mxc_dkim_sig_warning_code(const mxc_result_t *r, size_t i,
                                      size_t j)
{
  const struct mxci_dkim_sig *g = sig_at(r, i);
  return g && j < g->nwarn ? g->warn[j].code : NULL;
}
const char *mxc_dkim_sig_warning_text(const mxc_result_t *r, size_t i,
                                      size_t j)
{
  const struct mxci_dkim_sig *g = sig_at(r, i);
  return g && j < g->nwarn ? g->warn[j].text : NULL;
}

/* ---- renderings: JSON "message", "dkim" (one object per signature, RFC
 * 8601 property names where there is one) and "dkim_result" (the verdict
 * of the message); the text block; Authentication-Results ------------- */

static void jnum(struct mxci_jw *w, const char *key, long long v)
{
  if (v >= 0)
    mxci_jw_int(w, key, v);
  else
    mxci_jw_null(w, key);
}

static void dkim_sig_json(struct mxci_jw *w, const struct mxci_dkim_sig *g)
{
  size_t j;

  mxci_jw_object(w, NULL);
  mxci_jw_str(w, "result", mxc_verdict_str(g->verdict));
  mxci_jw_str(w, "error", g->error && *g->error ? g->error : NULL);
  mxci_jw_str(w, "reason", g->reason ? g->reason : "");
  /* RFC 8601 section 2.7.1 and RFC 6008: header.d, header.i, header.b;
   * header.a and header.s from the IANA registry. */
  mxci_jw_str(w, "header.d", g->domain ? g->domain : "");
  mxci_jw_str(w, "header.s", g->selector ? g->selector : "");
  mxci_jw_str(w, "header.i", g->identity ? g->identity : "");
  mxci_jw_str(w, "header.a", g->algorithm ? g->algorithm : "");
  mxci_jw_str(w, "header.b", g->b ? g->b : "");
  mxci_jw_str(w, "canonicalization", g->canon);
  mxci_jw_str(w, "key_name", g->key_name);
  mxci_jw_str(w, "key_type", g->key_type ? g->key_type : "");
  if (g->key_bits)
    mxci_jw_int(w, "key_bits", (int)g->key_bits);
  else
    mxci_jw_null(w, "key_bits");
  mxci_jw_str(w, "key_record", g->key_record);
  if (g->key_form && *g->key_form)
    mxci_jw_str(w, "key_form", g->key_form);
  mxci_jw_bool(w, "dnssec", g->dnssec);
  mxci_jw_bool(w, "testing", g->testing);
  mxci_jw_array(w, "signed_headers");
  for (j = 0; j < g->nheaders; j++)
    mxci_jw_str(w, NULL, g->headers[j]);
  mxci_jw_end(w);
  jnum(w, "body_length", g->l);
  jnum(w, "timestamp", g->t);
  jnum(w, "expiration", g->x);
  mxci_jw_warnings(w, "warnings", g->warn, g->nwarn);
  mxci_jw_end(w);
}

static void dkim_json(struct mxci_jw *w, const mxc_result_t *r)
{
  const struct mxci_dkim *p = r->data;
  size_t i;

  mxci_jw_str(w, "message", r->input ? r->input : "");
  mxci_jw_array(w, "dkim");
  for (i = 0; i < p->ndkim; i++)
    dkim_sig_json(w, &p->dkim[i]);
  mxci_jw_end(w);
  mxci_jw_object(w, "dkim_result");
  mxci_jw_str(w, "result", mxc_verdict_str(r->verdict));
  mxci_jw_str(w, "reason", r->reason ? r->reason : "");
  mxci_jw_int(w, "signatures", (int)p->ndkim);
  mxci_jw_int(w, "ignored", (int)p->dkim_ignored);
  mxci_json_tail(w, r);
  mxci_jw_end(w);
}


static void dkim_text(struct mxci_buf *b, const mxc_result_t *r, int c,
                      int under)
{
  const struct mxci_dkim *p = r->data;
  size_t i, j;
  if (under) /* below an address: name the message */
    mxci_buf_printf(b, "  %-9s %s\n", "message", r->input ? r->input : "");
  mxci_text_verdict(b, r, c);
  for (i = 0; i < p->ndkim; i++) {
    const struct mxci_dkim_sig *g = &p->dkim[i];
    mxci_buf_printf(b, "  sig %-5zu %s%s%s  d=%s s=%s %s", i + 1,
                    c ? mxci_verdict_colour(g->verdict) : "",
                    mxc_verdict_str(g->verdict), c ? MXCI_C_RESET : "",
                    g->domain ? g->domain : "", g->selector ? g->selector : "",
                    g->algorithm ? g->algorithm : "");
    if (g->canon)
      mxci_buf_printf(b, " c=%s", g->canon);
    if (g->key_bits)
      mxci_buf_printf(b, ", %u-bit %s key%s", g->key_bits,
                      g->key_type ? g->key_type : "",
                      g->key_form && strcmp(g->key_form, "pkcs1") == 0
                          ? " (PKCS#1 RSAPublicKey)"
                          : "");
    mxci_buf_printf(b, "\n            %s%s%s\n",
                    g->error && *g->error ? g->error : "",
                    g->error && *g->error ? ": " : "",
                    g->reason ? g->reason : "");
    if (g->nheaders && b->verbose) {
      mxci_buf_puts(b, "            h=");
      for (j = 0; j < g->nheaders; j++)
        mxci_buf_printf(b, "%s%s", j ? ":" : "", g->headers[j]);
      mxci_buf_puts(b, "\n");
    }
    for (j = 0; b->verbose && j < g->nwarn; j++)
      mxci_buf_printf(b, "            %swarning%s %s\n", c ? MXCI_C_YELLOW : "",
                      c ? MXCI_C_RESET : "", g->warn[j].text);
  }
  mxci_text_tail(b, r, c);
}


/* A message, no address: the JSON object starts with dkim_json()'s
 * "message". */
static void dkim_json_subject(struct mxci_jw *w, const mxc_result_t *r)
{
  (void)w;
  (void)r;
}

static void dkim_text_subject(struct mxci_buf *b, const mxc_result_t *r,
                              int c)
{
  mxci_buf_printf(b, "%smessage %s%s\n", c ? MXCI_C_BOLD : "",
                  r->input ? r->input : "", c ? MXCI_C_RESET : "");
}

/* One resinfo per signature (RFC 8601 section 2.7.1: header.d, header.s),
 * "dkim=none" for a message without any. */
static void dkim_authres(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  size_t i;
  if (mxc_dkim_sig_count(r) == 0) {
    mxci_authres_piece(b, n, r->method, MXC_VERDICT_NONE);
    return;
  }
  for (i = 0; i < mxc_dkim_sig_count(r); i++) {
    mxci_authres_piece(b, n, r->method, mxc_dkim_sig_verdict(r, i));
    if (*mxc_dkim_sig_domain(r, i))
      mxci_authres_prop(b, "header.d", mxc_dkim_sig_domain(r, i));
    if (*mxc_dkim_sig_selector(r, i))
      mxci_authres_prop(b, "header.s", mxc_dkim_sig_selector(r, i));
  }
}

/* No signature is warn (Gmail requires DKIM of bulk senders). */
static mxc_rule_state_t dkim_state(const mxc_result_t *r)
{
  switch (r->verdict) {
  case MXC_VERDICT_PASS:
    return r->nwarn ? MXC_RULE_WARN : MXC_RULE_PASS;
  case MXC_VERDICT_NONE:
    return MXC_RULE_WARN;
  case MXC_VERDICT_TEMPERROR:
    return MXC_RULE_UNKNOWN;
  default:
    return MXC_RULE_FAIL;
  }
}

const struct mxci_method mxci_dkim_method = {
    .name = "dkim",
    .subject = MXCI_SUBJECT_MESSAGE,
    .size = sizeof(struct mxci_dkim),
    .clear = dkim_clear,
    .copy = dkim_copy,
    .json_subject = dkim_json_subject,
    .json = dkim_json,
    .text_subject = dkim_text_subject,
    .text = dkim_text,
    .state = dkim_state,
    .authres = dkim_authres,
    .ctx_new = mxci_dkim_ctx_new,
    .ctx_free = mxci_dkim_ctx_free,
};
