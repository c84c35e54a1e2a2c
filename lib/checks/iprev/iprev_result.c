/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iprev_result.c -- the iprev part of a result: its life, accessors and
 * renderings (JSON member "iprev", the text block, the Authentication-
 * Results piece), and the method table that hands them to the engine.
 */
#include "mxc_private.h"
#include "iprev_private.h"


#define S(x) ((x) ? (x) : "")

/* The iprev part of r, or NULL when r is not an iprev result. */
static const struct mxci_iprev *P(const mxc_result_t *r)
{
  return mxci_result_data(r, &mxci_iprev_method);
}

static void iprev_clear(void *data)
{
  struct mxci_iprev *p = data;
  size_t i;
  for (i = 0; i < p->nnames; i++) {
    mxci_free(p->names[i].name);
    mxci_free(p->names[i].detail);
    mxci_strv_free(p->names[i].addrs, p->names[i].naddr);
  }
  mxci_free(p->names);
  mxci_free(p->matched);
  mxci_free(p->zone);
  mxci_strv_free(p->zone_ns, p->nzone_ns);
}

static int iprev_copy(void *dst, const void *src)
{
  struct mxci_iprev *d = dst;
  const struct mxci_iprev *s = src;
  size_t i;
  int bad = 0;
  bad |= mxci_strdup_opt(&d->matched, s->matched);
  bad |= mxci_strdup_opt(&d->zone, s->zone);
  bad |= mxci_strv_dup(&d->zone_ns, &d->nzone_ns, s->zone_ns, s->nzone_ns);
  if (s->nnames) {
    d->names = mxci_calloc(s->nnames, sizeof(*d->names));
    if (d->names == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
    for (i = 0; i < s->nnames; i++) {
      d->nnames++;
      d->names[i].state = s->names[i].state;
      bad |= mxci_strdup_opt(&d->names[i].name, s->names[i].name);
      bad |= mxci_strdup_opt(&d->names[i].detail, s->names[i].detail);
      bad |= mxci_strv_dup(&d->names[i].addrs, &d->names[i].naddr,
                           s->names[i].addrs, s->names[i].naddr);
    }
  }
  return bad;
}

/* ---- accessors ---------------------------------------------------------- */

size_t mxc_iprev_ptr_count(const mxc_result_t *r) { return P(r) ? P(r)->nnames : 0; }
const char *mxc_iprev_ptr_name(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nnames ? P(r)->names[i].name : NULL;
}
mxc_name_state_t mxc_iprev_ptr_state(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nnames ? P(r)->names[i].state : MXC_NAME_NOT_TRIED;
}
const char *mxc_iprev_ptr_detail(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nnames ? S(P(r)->names[i].detail) : NULL;
}
size_t mxc_iprev_addr_count(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nnames ? P(r)->names[i].naddr : 0;
}
const char *mxc_iprev_addr(const mxc_result_t *r, size_t i, size_t j)
{
  return P(r) && i < P(r)->nnames && j < P(r)->names[i].naddr ? P(r)->names[i].addrs[j]
                                                      : NULL;
}
const char *mxc_iprev_matched_name(const mxc_result_t *r)
{
  return P(r) ? P(r)->matched : NULL;
}
const char *mxc_iprev_reverse_zone(const mxc_result_t *r)
{
  return P(r) ? P(r)->zone : NULL;
}
size_t mxc_iprev_reverse_ns_count(const mxc_result_t *r)
{
  return P(r) ? P(r)->nzone_ns : 0;
}
const char *mxc_iprev_reverse_ns(const mxc_result_t *r, size_t i)
{
  return P(r) && i < P(r)->nzone_ns ? P(r)->zone_ns[i] : NULL;
}
const char *mxc_name_state_str(mxc_name_state_t s)
{
  switch (s) {
  case MXC_NAME_MATCH:
    return "match";
  case MXC_NAME_MISMATCH:
    return "mismatch";
  case MXC_NAME_NXDOMAIN:
    return "nxdomain";
  case MXC_NAME_NODATA:
    return "nodata";
  case MXC_NAME_TEMPERROR:
    return "temperror";
  case MXC_NAME_NOT_TRIED:
    return "not-tried";
  }
  return "unknown";
}

/* ---- renderings --------------------------------------------------------- */

static void iprev_json(struct mxci_jw *w, const mxc_result_t *r)
{
  size_t i, j;

  mxci_jw_object(w, r->method);
  mxci_jw_str(w, "result", mxc_verdict_str(r->verdict));
  mxci_jw_str(w, "reason", r->reason ? r->reason : "");
  /* RFC 8601 section 2.7.3: the property of iprev is policy.iprev. */
  mxci_jw_str(w, "policy.iprev", r->address);
  mxci_jw_str(w, "reverse_name", r->reverse);
  mxci_jw_array(w, "ptr");
  for (i = 0; i < P(r)->nnames; i++) {
    mxci_jw_object(w, NULL);
    mxci_jw_str(w, "name", P(r)->names[i].name);
    mxci_jw_str(w, "result", mxc_name_state_str(P(r)->names[i].state));
    mxci_jw_array(w, "addresses");
    for (j = 0; j < P(r)->names[i].naddr; j++)
      mxci_jw_str(w, NULL, P(r)->names[i].addrs[j]);
    mxci_jw_end(w);
    if (P(r)->names[i].detail)
      mxci_jw_str(w, "detail", P(r)->names[i].detail);
    mxci_jw_end(w);
  }
  mxci_jw_end(w);
  mxci_jw_str(w, "matched_name", P(r)->matched);
  if (P(r)->zone) {
    mxci_jw_object(w, "reverse_zone");
    mxci_jw_str(w, "zone", P(r)->zone);
    mxci_jw_array(w, "ns");
    for (i = 0; i < P(r)->nzone_ns; i++)
      mxci_jw_str(w, NULL, P(r)->zone_ns[i]);
    mxci_jw_end(w);
    mxci_jw_end(w);
  } else {
    mxci_jw_null(w, "reverse_zone");
  }
  mxci_jw_bool(w, "dnssec", r->dnssec);
  mxci_json_tail(w, r);
  mxci_jw_end(w);
}


static void iprev_text(struct mxci_buf *b, const mxc_result_t *r, int c,
                       int under)
{
  size_t i, j;
  (void)under;
  mxci_text_verdict(b, r, c);
  if (P(r)->nnames) {
    mxci_buf_printf(b, "  %-9s %s ->\n", "PTR", r->reverse);
    for (i = 0; i < P(r)->nnames; i++) {
      const struct mxci_name *n = &P(r)->names[i];
      const char *col = n->state == MXC_NAME_MATCH ? MXCI_C_GREEN
                        : n->state == MXC_NAME_NOT_TRIED ? ""
                                                         : MXCI_C_RED;
      mxci_buf_printf(b, "            %s  %s%s%s", n->name, c ? col : "",
                      mxc_name_state_str(n->state), c ? MXCI_C_RESET : "");
      for (j = 0; j < n->naddr; j++)
        mxci_buf_printf(b, "%s%s", j ? ", " : "  ", n->addrs[j]);
      if (n->detail)
        mxci_buf_printf(b, "  %s", n->detail);
      mxci_buf_puts(b, "\n");
    }
  } else {
    mxci_buf_printf(b, "  %-9s %s\n", "PTR", r->reverse);
  }
  if (P(r)->zone) {
    mxci_buf_printf(b, "  %-9s %s", "zone", P(r)->zone);
    for (i = 0; i < P(r)->nzone_ns; i++)
      mxci_buf_printf(b, "%s%s", i ? ", " : "  NS ", P(r)->zone_ns[i]);
    mxci_buf_puts(b, "\n");
  }
  if (r->dnssec)
    mxci_buf_printf(b, "  %-9s answers validated by the resolver (AD)\n",
                    "dnssec");
  mxci_text_tail(b, r, c);
}


static void iprev_authres(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  mxci_authres_piece(b, n, r->method, r->verdict);
  mxci_authres_prop(b, "policy.iprev", r->address);
}

const struct mxci_method mxci_iprev_method = {
    .name = "iprev",
    .subject = MXCI_SUBJECT_ADDRESS,
    .size = sizeof(struct mxci_iprev),
    .clear = iprev_clear,
    .copy = iprev_copy,
    .json = iprev_json,
    .text = iprev_text,
    .authres = iprev_authres,
};
