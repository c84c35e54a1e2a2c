/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * host_result.c -- the host part of a result: its life, accessors and
 * renderings (JSON member "host", the text block, Authentication-Results
 * of the iprev sub-results), and the method table.
 */
#include "mxc_private.h"
#include "host_private.h"


static const struct mxci_host *P(const mxc_result_t *r)
{
  return mxci_result_data(r, &mxci_host_method);
}

static void host_clear(void *data)
{
  struct mxci_host *p = data;
  size_t j;
  for (j = 0; j < p->naddr; j++)
    mxc_result_free(p->iprev[j]);
  mxci_free(p->iprev);
  mxci_free(p->addr);
  mxci_free(p->host);
}

static int host_copy(void *dst, const void *src)
{
  struct mxci_host *d = dst;
  const struct mxci_host *s = src;
  size_t j;
  int bad = 0;
  d->state = s->state;
  bad |= mxci_strdup_opt(&d->host, s->host);
  if (s->naddr) {
    d->iprev = mxci_calloc(s->naddr, sizeof(*d->iprev));
    d->addr = mxci_calloc(s->naddr, sizeof(*d->addr));
    if (d->iprev == NULL || d->addr == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
    d->naddr = s->naddr;
    memcpy(d->addr, s->addr, s->naddr * sizeof(*d->addr));
    for (j = 0; j < s->naddr; j++)
      if (s->iprev[j] && (d->iprev[j] = mxc_result_dup(s->iprev[j])) == NULL)
        bad = -1; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return bad;
}

/* ---- accessors ------------------------------------------------------------ */

const char *mxc_host_name(const mxc_result_t *r)
{
  return P(r) && P(r)->host ? P(r)->host : "";
}
mxc_mx_state_t mxc_host_state(const mxc_result_t *r)
{
  return P(r) ? P(r)->state : MXC_MX_TEMPERROR;
}
size_t mxc_host_addr_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->naddr : 0;
}
const char *mxc_host_addr(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->naddr ? P(r)->addr[i] : NULL;
}
const mxc_result_t *mxc_host_iprev(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->naddr ? P(r)->iprev[i] : NULL;
}
int mxc_host_ptr_is_host(const mxc_result_t *r, size_t i)
{
  const mxc_result_t *ir = mxc_host_iprev(r, i);
  return ir && mxc_result_verdict(ir) == MXC_VERDICT_PASS &&
         mxci_name_eq(mxc_iprev_matched_name(ir), P(r)->host);
}

/* ---- renderings ----------------------------------------------------------- */

static void host_json_subject(struct mxci_jw *w, const mxc_result_t *r)
{
  mxci_jw_str(w, "input", r->input ? r->input : "");
  mxci_jw_str(w, "hostname", mxc_host_name(r));
}

static void host_json(struct mxci_jw *w, const mxc_result_t *r)
{
  const struct mxci_host *p = P(r);
  size_t j;
  mxci_jw_object(w, "host");
  mxci_jw_str(w, "result", mxc_verdict_str(r->verdict));
  mxci_jw_str(w, "state", mxc_rule_state_str(mxc_result_state(r)));
  mxci_jw_str(w, "reason", r->reason);
  mxci_jw_str(w, "lookup_state", mxc_mx_state_str(p->state));
  mxci_jw_array(w, "addresses");
  for (j = 0; j < p->naddr; j++) {
    mxci_jw_object(w, NULL);
    mxci_jw_str(w, "address", p->addr[j]);
    mxci_jw_bool(w, "ptr_is_host", mxc_host_ptr_is_host(r, j));
    if (p->iprev[j])
      mxci_json_members(w, p->iprev[j]);
    mxci_jw_end(w);
  }
  mxci_jw_end(w);
  mxci_json_tail(w, r);
  mxci_jw_end(w);
}

static void host_text_subject(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  mxci_buf_printf(b, "%s%s%s (host name)\n", c ? MXCI_C_BOLD : "",
                  *mxc_host_name(r) ? mxc_host_name(r)
                                    : (r->input ? r->input : ""),
                  c ? MXCI_C_RESET : "");
}

static void host_text(struct mxci_buf *b, const mxc_result_t *r, int c,
                      int under)
{
  const struct mxci_host *p = P(r);
  size_t j;
  (void)under;
  mxci_buf_printf(b, "  host      %s%s%s  %s\n",
                  c ? mxci_verdict_colour(r->verdict) : "",
                  mxc_rule_state_str(mxc_result_state(r)),
                  c ? MXCI_C_RESET : "", r->reason ? r->reason : "");
  for (j = 0; j < p->naddr; j++) {
    const mxc_result_t *ir = p->iprev[j];
    mxci_buf_printf(b, "            %-20s iprev %s%s%s  %s\n", p->addr[j],
                    c && ir ? mxci_verdict_colour(ir->verdict) : "",
                    ir ? mxc_verdict_str(ir->verdict) : "temperror",
                    c && ir ? MXCI_C_RESET : "",
                    ir ? mxc_result_reason(ir) : "not checked");
  }
  mxci_text_tail(b, r, c);
}

/* Authentication-Results: each address's iprev. */
static void host_authres(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  const struct mxci_host *p = P(r);
  size_t j;
  for (j = 0; j < p->naddr; j++)
    if (p->iprev[j])
      mxci_authres_of(b, p->iprev[j], n);
}

const struct mxci_method mxci_host_method = {
    .name = "host",
    .subject = MXCI_SUBJECT_DOMAIN,
    .size = sizeof(struct mxci_host),
    .clear = host_clear,
    .copy = host_copy,
    .json_subject = host_json_subject,
    .json = host_json,
    .text_subject = host_text_subject,
    .text = host_text,
    .authres = host_authres,
};
