/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arc_result.c -- the "arc" part of a result: the ARC sets and the chain's
 * verdict, their copy and free, the accessors of mxcheck.h, the renderings
 * and the method table.  Apart from arc.c so that results need nothing of
 * OpenSSL.
 */
#include "mxc_private.h"
#include "arc_private.h"

#include <stdio.h>


static void set_clear(struct mxci_arc_set *g)
{
  mxci_free(g->authserv_id);
  mxci_free(g->ams_domain);
  mxci_free(g->ams_selector);
  mxci_free(g->ams_error);
  mxci_free(g->ams_reason);
  mxci_free(g->as_domain);
  mxci_free(g->as_selector);
  mxci_free(g->as_error);
  mxci_free(g->as_reason);
  mxci_free(g->cv);
}

static void arc_clear(void *data)
{
  struct mxci_arc *p = data;
  size_t i;
  for (i = 0; i < p->nsets; i++)
    set_clear(&p->sets[i]);
  mxci_free(p->sets);
  mxci_free(p->error);
}

static int arc_copy(void *dst, const void *src)
{
  struct mxci_arc *d = dst;
  const struct mxci_arc *s = src;
  size_t i;
  int bad = 0;
  d->oldest_pass = s->oldest_pass;
  bad |= mxci_strdup_opt(&d->error, s->error);
  if (s->nsets == 0)
    return bad ? -1 : 0;
  d->sets = mxci_calloc(s->nsets, sizeof(*d->sets));
  if (d->sets == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < s->nsets; i++) {
    const struct mxci_arc_set *a = &s->sets[i];
    struct mxci_arc_set *b = &d->sets[i];
    d->nsets++;
    b->instance = a->instance;
    b->ams = a->ams;
    b->as = a->as;
    bad |= mxci_strdup_opt(&b->authserv_id, a->authserv_id);
    bad |= mxci_strdup_opt(&b->ams_domain, a->ams_domain);
    bad |= mxci_strdup_opt(&b->ams_selector, a->ams_selector);
    bad |= mxci_strdup_opt(&b->ams_error, a->ams_error);
    bad |= mxci_strdup_opt(&b->ams_reason, a->ams_reason);
    bad |= mxci_strdup_opt(&b->as_domain, a->as_domain);
    bad |= mxci_strdup_opt(&b->as_selector, a->as_selector);
    bad |= mxci_strdup_opt(&b->as_error, a->as_error);
    bad |= mxci_strdup_opt(&b->as_reason, a->as_reason);
    bad |= mxci_strdup_opt(&b->cv, a->cv);
  }
  return bad ? -1 : 0;
}

/* ---- accessors ------------------------------------------------------------ */

#define S(x) ((x) ? (x) : "")

static const struct mxci_arc *P(const mxc_result_t *r)
{
  return mxci_result_data(r, &mxci_arc_method);
}

static const struct mxci_arc_set *set_at(const mxc_result_t *r, size_t i)
{
  const struct mxci_arc *p = P(r);
  return p && i < p->nsets ? &p->sets[i] : NULL;
}

size_t mxc_arc_set_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->nsets : 0;
}
int mxc_arc_oldest_pass(const mxc_result_t *r)
{
  return P(r) ? P(r)->oldest_pass : -1;
}
const char *mxc_arc_error(const mxc_result_t *r)
{
  return P(r) ? S(P(r)->error) : NULL;
}
mxc_verdict_t mxc_arc_ams_verdict(const mxc_result_t *r, size_t i)
{
  const struct mxci_arc_set *g = set_at(r, i);
  return g ? g->ams : MXC_VERDICT_NONE;
}
mxc_verdict_t mxc_arc_as_verdict(const mxc_result_t *r, size_t i)
{
  const struct mxci_arc_set *g = set_at(r, i);
  return g ? g->as : MXC_VERDICT_NONE;
}

#define STR_ACCESSOR(fn, member)                                             \
  const char *fn(const mxc_result_t *r, size_t i)                           \
  {                                                                          \
    const struct mxci_arc_set *g = set_at(r, i);                             \
    return g ? S(g->member) : NULL;                                          \
  }

STR_ACCESSOR(mxc_arc_authserv_id, authserv_id)
STR_ACCESSOR(mxc_arc_ams_domain, ams_domain)
STR_ACCESSOR(mxc_arc_ams_selector, ams_selector)
STR_ACCESSOR(mxc_arc_ams_error, ams_error)
STR_ACCESSOR(mxc_arc_ams_reason, ams_reason)
STR_ACCESSOR(mxc_arc_as_domain, as_domain)
STR_ACCESSOR(mxc_arc_as_selector, as_selector)
STR_ACCESSOR(mxc_arc_as_error, as_error)
STR_ACCESSOR(mxc_arc_as_reason, as_reason)
STR_ACCESSOR(mxc_arc_cv, cv)

/* ---- renderings: JSON "arc" (one object per set, instance 1 first) and
 * "arc_result"; the text block; Authentication-Results ------------------ */

static void sig_json(struct mxci_jw *w, const char *key, mxc_verdict_t v,
                     const char *d, const char *s, const char *err,
                     const char *why)
{
  mxci_jw_object(w, key);
  mxci_jw_str(w, "result", mxc_verdict_str(v));
  mxci_jw_str(w, "error", err && *err ? err : NULL);
  mxci_jw_str(w, "reason", S(why));
  mxci_jw_str(w, "header.d", S(d));
  mxci_jw_str(w, "header.s", S(s));
  mxci_jw_end(w);
}

static void arc_json(struct mxci_jw *w, const mxc_result_t *r)
{
  const struct mxci_arc *p = r->data;
  size_t i;

  mxci_jw_str(w, "message", S(r->input));
  mxci_jw_array(w, "arc");
  for (i = 0; i < p->nsets; i++) {
    const struct mxci_arc_set *g = &p->sets[i];
    mxci_jw_object(w, NULL);
    mxci_jw_int(w, "instance", g->instance);
    mxci_jw_str(w, "authserv_id", S(g->authserv_id));
    mxci_jw_str(w, "cv", g->cv);
    sig_json(w, "ams", g->ams, g->ams_domain, g->ams_selector, g->ams_error,
             g->ams_reason);
    sig_json(w, "as", g->as, g->as_domain, g->as_selector, g->as_error,
             g->as_reason);
    mxci_jw_end(w);
  }
  mxci_jw_end(w);
  mxci_jw_object(w, "arc_result");
  mxci_jw_str(w, "result", mxc_verdict_str(r->verdict));
  mxci_jw_str(w, "error", p->error && *p->error ? p->error : NULL);
  mxci_jw_str(w, "reason", S(r->reason));
  mxci_jw_int(w, "sets", (int)p->nsets);
  if (p->oldest_pass >= 0)
    mxci_jw_int(w, "oldest_pass", p->oldest_pass);
  else
    mxci_jw_null(w, "oldest_pass");
  mxci_jw_array(w, "sealers");
  for (i = 0; i < p->nsets; i++)
    mxci_jw_str(w, NULL, S(p->sets[i].as_domain));
  mxci_jw_end(w);
  mxci_json_tail(w, r);
  mxci_jw_end(w);
}

static void sig_line(struct mxci_buf *b, const char *what, mxc_verdict_t v,
                     const char *d, const char *s, const char *err,
                     const char *why, int c)
{
  mxci_buf_printf(b, "            %-4s %s%s%s  d=%s s=%s\n", what,
                  c ? mxci_verdict_colour(v) : "", mxc_verdict_str(v),
                  c ? MXCI_C_RESET : "", S(d), S(s));
  if ((err && *err) || (why && *why))
    mxci_buf_printf(b, "                 %s%s%s\n", S(err),
                    err && *err ? ": " : "", S(why));
}

static void arc_text(struct mxci_buf *b, const mxc_result_t *r, int c,
                     int under)
{
  const struct mxci_arc *p = r->data;
  size_t i;
  (void)under; /* a message result: dkim names the message before it */
  mxci_text_verdict(b, r, c);
  if (p->oldest_pass >= 0)
    mxci_buf_printf(b, "            oldest-pass=%d%s\n", p->oldest_pass,
                    p->oldest_pass == 0 ? " (every AMS verifies)" : "");
  for (i = 0; i < p->nsets; i++) {
    const struct mxci_arc_set *g = &p->sets[i];
    mxci_buf_printf(b, "  set %-5d authserv-id %s, cv=%s\n", g->instance,
                    S(g->authserv_id), g->cv ? g->cv : "(none)");
    sig_line(b, "AMS", g->ams, g->ams_domain, g->ams_selector, g->ams_error,
             g->ams_reason, c);
    sig_line(b, "AS", g->as, g->as_domain, g->as_selector, g->as_error,
             g->as_reason, c);
  }
  mxci_text_tail(b, r, c);
}

static void arc_json_subject(struct mxci_jw *w, const mxc_result_t *r)
{
  (void)w;
  (void)r;
}

static void arc_text_subject(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  mxci_buf_printf(b, "%smessage %s%s\n", c ? MXCI_C_BOLD : "", S(r->input),
                  c ? MXCI_C_RESET : "");
}

/* RFC 8617 section 4.1 and the IANA registry it fills (RFC 8601): arc=
 * pass, fail or none, with header.oldest-pass. */
static void arc_authres(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  const struct mxci_arc *p = r->data;
  mxci_authres_piece(b, n, r->method, r->verdict);
  if (r->verdict == MXC_VERDICT_PASS && p->oldest_pass >= 0) {
    char num[16];
    snprintf(num, sizeof(num), "%d", p->oldest_pass);
    mxci_authres_prop(b, "header.oldest-pass", num);
  }
}

/* No ARC is pass: direct mail has none, and it is no fault. */
static mxc_rule_state_t arc_state(const mxc_result_t *r)
{
  switch (r->verdict) {
  case MXC_VERDICT_PASS:
  case MXC_VERDICT_NONE:
    return r->nwarn ? MXC_RULE_WARN : MXC_RULE_PASS;
  case MXC_VERDICT_TEMPERROR:
    return MXC_RULE_UNKNOWN;
  default:
    return MXC_RULE_FAIL;
  }
}

const struct mxci_method mxci_arc_method = {
    .name = "arc",
    .subject = MXCI_SUBJECT_MESSAGE,
    .size = sizeof(struct mxci_arc),
    .clear = arc_clear,
    .copy = arc_copy,
    .json_subject = arc_json_subject,
    .json = arc_json,
    .text_subject = arc_text_subject,
    .text = arc_text,
    .state = arc_state,
    .authres = arc_authres,
};
