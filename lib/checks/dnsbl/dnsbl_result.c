/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnsbl_result.c -- the DNS blocklist part of a result: its life,
 * accessors, renderings (JSON member "dnsbl", the text block; not an RFC
 * 8601 method, so no Authentication-Results piece), the context's state
 * and the method table.
 */
#include "mxc_private.h"
#include "dnsbl_private.h"


static const struct mxci_dnsbl *P(const mxc_result_t *r)
{
  return mxci_result_data(r, &mxci_dnsbl_method);
}

static void dnsbl_clear(void *data)
{
  struct mxci_dnsbl *x = data;
  size_t i;
  for (i = 0; i < x->nzones; i++) {
    mxci_free(x->zones[i].zone);
    mxci_free(x->zones[i].codes);
    mxci_free(x->zones[i].text);
  }
  mxci_free(x->zones);
}

static int dnsbl_copy(void *dst, const void *src)
{
  struct mxci_dnsbl *d = dst;
  const struct mxci_dnsbl *s = src;
  size_t i;
  int bad = 0;
  if (s->nzones == 0)
    return 0;
  d->zones = mxci_calloc(s->nzones, sizeof(*d->zones));
  if (d->zones == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < s->nzones; i++) {
    d->zones[i].state = s->zones[i].state;
    d->nzones++;
    bad |= mxci_strdup_opt(&d->zones[i].zone, s->zones[i].zone);
    bad |= mxci_strdup_opt(&d->zones[i].codes, s->zones[i].codes);
    bad |= mxci_strdup_opt(&d->zones[i].text, s->zones[i].text);
  }
  return bad;
}

/* ---- accessors ---------------------------------------------------------- */

const char *mxc_dnsbl_state_str(mxc_dnsbl_state_t s)
{
  switch (s) {
  case MXC_DNSBL_NOT_LISTED:
    return "not-listed";
  case MXC_DNSBL_LISTED:
    return "listed";
  case MXC_DNSBL_REFUSED:
    return "refused";
  case MXC_DNSBL_ERROR:
    return "error";
  }
  return "error";
}

size_t mxc_dnsbl_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->nzones : 0;
}
const char *mxc_dnsbl_zone(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nzones ? P(r)->zones[i].zone : NULL;
}
mxc_dnsbl_state_t mxc_dnsbl_state(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nzones ? P(r)->zones[i].state : MXC_DNSBL_ERROR;
}
const char *mxc_dnsbl_codes(const mxc_result_t *r, size_t i)
{
  if (P(r) == NULL || i >= P(r)->nzones)
    return NULL;
  return P(r)->zones[i].codes ? P(r)->zones[i].codes : "";
}
const char *mxc_dnsbl_text(const mxc_result_t *r, size_t i)
{
  if (P(r) == NULL || i >= P(r)->nzones)
    return NULL;
  return P(r)->zones[i].text ? P(r)->zones[i].text : "";
}

/* ---- renderings --------------------------------------------------------- */

static void dnsbl_json(struct mxci_jw *w, const mxc_result_t *r)
{
  size_t i;
  mxci_jw_object(w, r->method);
  mxci_jw_str(w, "result", mxc_verdict_str(r->verdict));
  mxci_jw_str(w, "state", mxc_rule_state_str(mxc_result_state(r)));
  mxci_jw_str(w, "reason", r->reason ? r->reason : "");
  mxci_jw_array(w, "lists");
  for (i = 0; i < P(r)->nzones; i++) {
    const struct mxci_dnsbl_zone *z = &P(r)->zones[i];
    mxci_jw_object(w, NULL);
    mxci_jw_str(w, "zone", z->zone);
    mxci_jw_str(w, "state", mxc_dnsbl_state_str(z->state));
    mxci_jw_str(w, "codes", z->codes ? z->codes : "");
    mxci_jw_str(w, "text", z->text ? z->text : "");
    mxci_jw_end(w);
  }
  mxci_jw_end(w);
  mxci_json_tail(w, r);
  mxci_jw_end(w);
}

static void dnsbl_text(struct mxci_buf *b, const mxc_result_t *r, int c,
                       int under)
{
  size_t i;
  (void)under;
  mxci_text_verdict(b, r, c);
  for (i = 0; i < P(r)->nzones; i++) {
    const struct mxci_dnsbl_zone *z = &P(r)->zones[i];
    const char *col = z->state == MXC_DNSBL_NOT_LISTED ? MXCI_C_GREEN
                      : z->state == MXC_DNSBL_LISTED   ? MXCI_C_RED
                                                       : MXCI_C_YELLOW;
    mxci_buf_printf(b, "  %-9s %s  %s%s%s", "list", z->zone, c ? col : "",
                    mxc_dnsbl_state_str(z->state), c ? MXCI_C_RESET : "");
    if (z->codes)
      mxci_buf_printf(b, "  %s", z->codes);
    if (z->text)
      mxci_buf_printf(b, "  %s", z->text);
    mxci_buf_puts(b, "\n");
  }
  mxci_text_tail(b, r, c);
}

/* Not an RFC 8601 method: nothing in Authentication-Results. */
static void dnsbl_authres(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  (void)b;
  (void)r;
  (void)n;
}

/* Listed: fail; on no list: pass; else (a list refused the query or
 * failed, or no list was asked) unknown -- never a pass. */
static mxc_rule_state_t dnsbl_state(const mxc_result_t *r)
{
  switch (r->verdict) {
  case MXC_VERDICT_FAIL:
    return MXC_RULE_FAIL;
  case MXC_VERDICT_PASS:
    return r->nwarn ? MXC_RULE_WARN : MXC_RULE_PASS;
  default:
    return MXC_RULE_UNKNOWN;
  }
}

static void *dnsbl_ctx_new(void)
{
  return mxci_calloc(1, sizeof(struct mxci_dnsbl_ctx));
}

static void dnsbl_ctx_free(void *state)
{
  struct mxci_dnsbl_ctx *o = state;
  mxci_strv_free(o->zones, o->nzones);
  mxci_free(o);
}

const struct mxci_method mxci_dnsbl_method = {
    .name = "dnsbl",
    .subject = MXCI_SUBJECT_ADDRESS,
    .size = sizeof(struct mxci_dnsbl),
    .clear = dnsbl_clear,
    .copy = dnsbl_copy,
    .json = dnsbl_json,
    .text = dnsbl_text,
    .state = dnsbl_state,
    .authres = dnsbl_authres,
    .ctx_new = dnsbl_ctx_new,
    .ctx_free = dnsbl_ctx_free,
};
