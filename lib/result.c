/*
 * result.c -- the result object: construction, deep copy, accessors.
 */
#include "mxc_private.h"

#include <stdio.h>

mxc_result_t *mxci_result_new(const char *method)
{
  mxc_result_t *r = mxci_calloc(1, sizeof(*r));
  if (r == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  r->method = method;
  r->verdict = MXC_VERDICT_NONE;
  return r;
}

int mxci_strv_add(char ***v, size_t *n, const char *s)
{
  char **nv = mxci_realloc(*v, (*n + 1) * sizeof(**v));
  char *d;
  if (nv == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  *v = nv;
  d = mxci_strdup(s);
  if (d == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  nv[(*n)++] = d;
  return 0;
}

void mxci_strv_free(char **v, size_t n)
{
  size_t i;
  for (i = 0; i < n; i++)
    mxci_free(v[i]);
  mxci_free(v);
}

int mxci_result_warn(mxc_result_t *r, const char *code, const char *fmt, ...)
{
  struct mxci_warning *w;
  va_list ap;
  char *text;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return -1;
  text = mxci_malloc((size_t)n + 1);
  if (text == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  va_start(ap, fmt);
  vsnprintf(text, (size_t)n + 1, fmt, ap);
  va_end(ap);
  w = mxci_realloc(r->warn, (r->nwarn + 1) * sizeof(*w));
  if (w == NULL) {
    mxci_free(text); /* LCOV_EXCL_LINE: OutOfMemory */
    return -1;       /* LCOV_EXCL_LINE: OutOfMemory */
  }
  r->warn = w;
  w[r->nwarn].code = mxci_strdup(code);
  w[r->nwarn].text = text;
  if (w[r->nwarn].code == NULL) {
    mxci_free(text); /* LCOV_EXCL_LINE: OutOfMemory */
    return -1;       /* LCOV_EXCL_LINE: OutOfMemory */
  }
  r->nwarn++;
  return 0;
}

void mxc_result_free(mxc_result_t *r)
{
  size_t i;
  if (r == NULL)
    return;
  mxci_free(r->reason);
  mxci_free(r->input);
  mxci_free(r->error);
  for (i = 0; i < r->nnames; i++) {
    mxci_free(r->names[i].name);
    mxci_free(r->names[i].detail);
    mxci_strv_free(r->names[i].addrs, r->names[i].naddr);
  }
  mxci_free(r->names);
  mxci_free(r->matched);
  mxci_free(r->zone);
  mxci_strv_free(r->zone_ns, r->nzone_ns);
  for (i = 0; i < r->nwarn; i++) {
    mxci_free(r->warn[i].code);
    mxci_free(r->warn[i].text);
  }
  mxci_free(r->warn);
  mxci_free(r->fix);
  mxci_free(r->spf_domain);
  mxci_free(r->spf_sender);
  mxci_free(r->spf_helo);
  mxci_free(r->spf_exp);
  mxci_free(r->spf_record);
  mxci_strv_free(r->spf_trace, r->nspf_trace);
  mxci_free(r->spf2_detail);
  mxci_dkim_result_free(r);
  mxci_dmarc_result_free(r);
  mxci_comp_free(r->comp);
  mxci_free(r);
}

static int dup_str(char **d, const char *s)
{
  if (s == NULL) {
    *d = NULL;
    return 0;
  }
  *d = mxci_strdup(s);
  return *d ? 0 : -1;
}

static int dup_strv(char ***d, size_t *dn, char *const *s, size_t n)
{
  size_t i;
  *d = NULL;
  *dn = 0;
  for (i = 0; i < n; i++)
    if (mxci_strv_add(d, dn, s[i]) < 0)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  return 0;
}

mxc_result_t *mxc_result_dup(const mxc_result_t *s)
{
  mxc_result_t *d;
  size_t i;
  int bad = 0;

  if (s == NULL)
    return NULL;
  d = mxci_calloc(1, sizeof(*d));
  if (d == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  d->method = s->method;
  d->verdict = s->verdict;
  memcpy(d->address, s->address, sizeof(d->address));
  d->family = s->family;
  d->mapped = s->mapped;
  d->dnssec = s->dnssec;
  memcpy(d->reverse, s->reverse, sizeof(d->reverse));
  bad |= dup_str(&d->reason, s->reason);
  bad |= dup_str(&d->input, s->input);
  bad |= dup_str(&d->error, s->error);
  bad |= dup_str(&d->matched, s->matched);
  bad |= dup_str(&d->zone, s->zone);
  bad |= dup_str(&d->fix, s->fix);
  bad |= dup_strv(&d->zone_ns, &d->nzone_ns, s->zone_ns, s->nzone_ns);
  d->spf_scope = s->spf_scope;
  d->spf_lookups = s->spf_lookups;
  d->spf_voids = s->spf_voids;
  bad |= dup_str(&d->spf_domain, s->spf_domain);
  bad |= dup_str(&d->spf_sender, s->spf_sender);
  bad |= dup_str(&d->spf_helo, s->spf_helo);
  bad |= dup_str(&d->spf_exp, s->spf_exp);
  bad |= dup_str(&d->spf_record, s->spf_record);
  bad |= dup_strv(&d->spf_trace, &d->nspf_trace, s->spf_trace, s->nspf_trace);
  d->spf2_state = s->spf2_state;
  d->spf2_verdict = s->spf2_verdict;
  bad |= dup_str(&d->spf2_detail, s->spf2_detail);
  bad |= mxci_dkim_result_dup(d, s);
  bad |= mxci_dmarc_result_dup(d, s);
  bad |= mxci_comp_result_dup(d, s);
  if (s->nnames) {
    d->names = mxci_calloc(s->nnames, sizeof(*d->names));
    if (d->names == NULL)
      bad = -1; /* LCOV_EXCL_LINE: OutOfMemory */
    for (i = 0; d->names && i < s->nnames; i++) {
      d->nnames++;
      d->names[i].state = s->names[i].state;
      bad |= dup_str(&d->names[i].name, s->names[i].name);
      bad |= dup_str(&d->names[i].detail, s->names[i].detail);
      bad |= dup_strv(&d->names[i].addrs, &d->names[i].naddr,
                      s->names[i].addrs, s->names[i].naddr);
    }
  }
  for (i = 0; i < s->nwarn && !bad; i++)
    bad |= mxci_result_warn(d, s->warn[i].code, "%s", s->warn[i].text);
  if (bad) {
    mxc_result_free(d); /* LCOV_EXCL_LINE: OutOfMemory */
    return NULL;        /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return d;
}

#define S(x) ((x) ? (x) : "")

const char *mxc_result_method(const mxc_result_t *r)
{
  return r ? r->method : "";
}
mxc_verdict_t mxc_result_verdict(const mxc_result_t *r)
{
  return r ? r->verdict : MXC_VERDICT_NONE;
}
const char *mxc_result_reason(const mxc_result_t *r)
{
  if (r == NULL)
    return "";
  return r->error ? r->error : S(r->reason);
}
const char *mxc_result_input(const mxc_result_t *r)
{
  return r ? S(r->input) : "";
}
const char *mxc_result_address(const mxc_result_t *r)
{
  return r ? r->address : "";
}
int mxc_result_family(const mxc_result_t *r) { return r ? r->family : 0; }
int mxc_result_mapped(const mxc_result_t *r) { return r ? r->mapped : 0; }
int mxc_result_dnssec(const mxc_result_t *r) { return r ? r->dnssec : 0; }
const char *mxc_result_reverse_name(const mxc_result_t *r)
{
  return r ? r->reverse : "";
}
size_t mxc_iprev_ptr_count(const mxc_result_t *r) { return r ? r->nnames : 0; }
const char *mxc_iprev_ptr_name(const mxc_result_t *r, size_t i)
{
  return r && i < r->nnames ? r->names[i].name : NULL;
}
mxc_name_state_t mxc_iprev_ptr_state(const mxc_result_t *r, size_t i)
{
  return r && i < r->nnames ? r->names[i].state : MXC_NAME_NOT_TRIED;
}
const char *mxc_iprev_ptr_detail(const mxc_result_t *r, size_t i)
{
  return r && i < r->nnames ? S(r->names[i].detail) : NULL;
}
size_t mxc_iprev_addr_count(const mxc_result_t *r, size_t i)
{
  return r && i < r->nnames ? r->names[i].naddr : 0;
}
const char *mxc_iprev_addr(const mxc_result_t *r, size_t i, size_t j)
{
  return r && i < r->nnames && j < r->names[i].naddr ? r->names[i].addrs[j]
                                                      : NULL;
}
const char *mxc_iprev_matched_name(const mxc_result_t *r)
{
  return r ? r->matched : NULL;
}
const char *mxc_iprev_reverse_zone(const mxc_result_t *r)
{
  return r ? r->zone : NULL;
}
size_t mxc_iprev_reverse_ns_count(const mxc_result_t *r)
{
  return r ? r->nzone_ns : 0;
}
const char *mxc_iprev_reverse_ns(const mxc_result_t *r, size_t i)
{
  return r && i < r->nzone_ns ? r->zone_ns[i] : NULL;
}
size_t mxc_result_warning_count(const mxc_result_t *r)
{
  return r ? r->nwarn : 0;
}
const char *mxc_result_warning_code(const mxc_result_t *r, size_t i)
{
  return r && i < r->nwarn ? r->warn[i].code : NULL;
}
const char *mxc_result_warning_text(const mxc_result_t *r, size_t i)
{
  return r && i < r->nwarn ? r->warn[i].text : NULL;
}
const char *mxc_result_fix(const mxc_result_t *r)
{
  return r ? S(r->fix) : "";
}

const char *mxc_spf_domain(const mxc_result_t *r)
{
  return r ? S(r->spf_domain) : "";
}
mxc_spf_scope_t mxc_spf_scope(const mxc_result_t *r)
{
  return r ? r->spf_scope : MXC_SPF_SCOPE_MFROM;
}
const char *mxc_spf_explanation(const mxc_result_t *r)
{
  return r && r->verdict == MXC_VERDICT_FAIL ? S(r->spf_exp) : "";
}
const char *mxc_spf_record(const mxc_result_t *r)
{
  return r ? S(r->spf_record) : "";
}
const char *mxc_spf_sender(const mxc_result_t *r)
{
  return r ? S(r->spf_sender) : "";
}
int mxc_spf_dns_lookups(const mxc_result_t *r) { return r ? r->spf_lookups : 0; }
int mxc_spf_void_lookups(const mxc_result_t *r) { return r ? r->spf_voids : 0; }
size_t mxc_spf_trace_count(const mxc_result_t *r)
{
  return r ? r->nspf_trace : 0;
}
const char *mxc_spf_trace(const mxc_result_t *r, size_t i)
{
  return r && i < r->nspf_trace ? r->spf_trace[i] : NULL;
}

int mxc_spf_libspf2_verdict(const mxc_result_t *r, mxc_verdict_t *v)
{
  if (r == NULL || r->spf2_state != MXCI_SPF2_DONE)
    return 0;
  if (v)
    *v = r->spf2_verdict;
  return 1;
}
const char *mxc_spf_libspf2_result(const mxc_result_t *r)
{
  if (r == NULL || strcmp(r->method, "spf") != 0 ||
      r->spf2_state == MXCI_SPF2_SKIPPED)
    return "skipped";
  if (r->spf2_state == MXCI_SPF2_UNKNOWN)
    return "unknown";
  return mxc_verdict_str(r->spf2_verdict);
}
const char *mxc_spf_libspf2_detail(const mxc_result_t *r)
{
  return r ? S(r->spf2_detail) : "";
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
