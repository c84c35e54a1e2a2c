/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exist_result.c -- the domain existence part of a result: its life,
 * accessors and renderings (JSON member "exist", the text block; not an
 * RFC 8601 method, so no Authentication-Results piece), and the method
 * table.
 */
#include "mxc_private.h"
#include "exist_private.h"


static const struct mxci_exist *P(const mxc_result_t *r)
{
  return mxci_result_data(r, &mxci_exist_method);
}

static void exist_clear(void *data)
{
  struct mxci_exist *x = data;
  size_t i;
  for (i = 0; i < x->ndom; i++) {
    mxci_free(x->dom[i].name);
    mxci_free(x->dom[i].detail);
  }
  mxci_free(x->dom);
}

static int exist_copy(void *dst, const void *src)
{
  struct mxci_exist *d = dst;
  const struct mxci_exist *s = src;
  size_t i;
  int bad = 0;
  if (s->ndom == 0)
    return 0;
  d->dom = mxci_calloc(s->ndom, sizeof(*d->dom));
  if (d->dom == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < s->ndom; i++) {
    d->dom[i] = s->dom[i];
    d->dom[i].name = d->dom[i].detail = NULL;
    d->ndom++;
    bad |= mxci_strdup_opt(&d->dom[i].name, s->dom[i].name);
    bad |= mxci_strdup_opt(&d->dom[i].detail, s->dom[i].detail);
  }
  return bad;
}

/* ---- accessors ---------------------------------------------------------- */

const char *mxc_exist_state_str(mxc_exist_state_t s)
{
  switch (s) {
  case MXC_EXIST_YES:
    return "exists";
  case MXC_EXIST_NXDOMAIN:
    return "nxdomain";
  case MXC_EXIST_NULL_MX:
    return "null-mx";
  case MXC_EXIST_TEMPERROR:
    return "temperror";
  case MXC_EXIST_INVALID:
    return "invalid";
  }
  return "temperror";
}

size_t mxc_exist_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->ndom : 0;
}
const char *mxc_exist_domain(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->ndom ? P(r)->dom[i].name : NULL;
}
mxc_exist_state_t mxc_exist_state(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->ndom ? P(r)->dom[i].state : MXC_EXIST_TEMPERROR;
}
const char *mxc_exist_detail(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->ndom && P(r)->dom[i].detail ? P(r)->dom[i].detail
         : P(r) && i < P(r)->ndom                     ? ""
                                                      : NULL;
}
size_t mxc_exist_mx_count(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->ndom ? P(r)->dom[i].nmx : 0;
}

/* ---- renderings --------------------------------------------------------- */

static void exist_json_subject(struct mxci_jw *w, const mxc_result_t *r)
{
  size_t i;
  mxci_jw_str(w, "input", r->input ? r->input : "");
  mxci_jw_array(w, "domains");
  for (i = 0; i < P(r)->ndom; i++)
    mxci_jw_str(w, NULL, P(r)->dom[i].name);
  mxci_jw_end(w);
}

static void exist_json(struct mxci_jw *w, const mxc_result_t *r)
{
  size_t i;
  mxci_jw_object(w, r->method);
  mxci_jw_str(w, "result", mxc_verdict_str(r->verdict));
  mxci_jw_str(w, "reason", r->reason ? r->reason : "");
  mxci_jw_array(w, "domains");
  for (i = 0; i < P(r)->ndom; i++) {
    const struct mxci_exist_dom *d = &P(r)->dom[i];
    mxci_jw_object(w, NULL);
    mxci_jw_str(w, "domain", d->name);
    mxci_jw_str(w, "state", mxc_exist_state_str(d->state));
    mxci_jw_str(w, "detail", d->detail ? d->detail : "");
    mxci_jw_int(w, "mx", (int)d->nmx);
    mxci_jw_bool(w, "soa", d->has_soa);
    mxci_jw_bool(w, "address", d->has_addr);
    mxci_jw_end(w);
  }
  mxci_jw_end(w);
  mxci_json_tail(w, r);
  mxci_jw_end(w);
}

static void exist_text_subject(struct mxci_buf *b, const mxc_result_t *r,
                               int c)
{
  mxci_buf_printf(b, "%s%s%s (domains)\n", c ? MXCI_C_BOLD : "",
                  r->input ? r->input : "", c ? MXCI_C_RESET : "");
}

static void exist_text(struct mxci_buf *b, const mxc_result_t *r, int c,
                       int under)
{
  size_t i;
  (void)under;
  mxci_text_verdict(b, r, c);
  for (i = 0; i < P(r)->ndom; i++) {
    const struct mxci_exist_dom *d = &P(r)->dom[i];
    const char *col = d->state == MXC_EXIST_YES         ? MXCI_C_GREEN
                      : d->state == MXC_EXIST_TEMPERROR ? MXCI_C_YELLOW
                                                        : MXCI_C_RED;
    mxci_buf_printf(b, "  %-9s %s  %s%s%s  %s\n", "domain", d->name,
                    c ? col : "", mxc_exist_state_str(d->state),
                    c ? MXCI_C_RESET : "", d->detail ? d->detail : "");
  }
  mxci_text_tail(b, r, c);
}

/* Not an RFC 8601 method: nothing in Authentication-Results. */
static void exist_authres(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  (void)b;
  (void)r;
  (void)n;
}

const struct mxci_method mxci_exist_method = {
    .name = "exist",
    .subject = MXCI_SUBJECT_DOMAIN,
    .size = sizeof(struct mxci_exist),
    .clear = exist_clear,
    .copy = exist_copy,
    .json_subject = exist_json_subject,
    .json = exist_json,
    .text_subject = exist_text_subject,
    .text = exist_text,
    .authres = exist_authres,
};
