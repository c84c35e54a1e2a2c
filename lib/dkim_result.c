/*
 * dkim_result.c -- the "dkim" part of a result: per-signature records,
 * their copy and free, and the accessors of mxcheck.h.  Apart from dkim.c
 * so that results need nothing of libopendkim.
 */
#include "mxc_private.h"

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

void mxci_dkim_result_free(mxc_result_t *r)
{
  size_t i;
  for (i = 0; i < r->ndkim; i++)
    sig_clear(&r->dkim[i]);
  mxci_free(r->dkim);
  r->dkim = NULL;
  r->ndkim = 0;
}

static int dup_s(char **d, const char *s)
{
  *d = NULL;
  if (s == NULL)
    return 0;
  *d = mxci_strdup(s);
  return *d ? 0 : -1;
}

static int sig_dup(struct mxci_dkim_sig *d, const struct mxci_dkim_sig *s)
{
  int bad = 0;
  size_t j;

  memset(d, 0, sizeof(*d));
  d->verdict = s->verdict;
  d->key_bits = s->key_bits;
  d->dnssec = s->dnssec;
  d->testing = s->testing;
  d->l = s->l;
  d->t = s->t;
  d->x = s->x;
  bad |= dup_s(&d->error, s->error);
  bad |= dup_s(&d->reason, s->reason);
  bad |= dup_s(&d->domain, s->domain);
  bad |= dup_s(&d->selector, s->selector);
  bad |= dup_s(&d->identity, s->identity);
  bad |= dup_s(&d->algorithm, s->algorithm);
  bad |= dup_s(&d->b, s->b);
  bad |= dup_s(&d->canon, s->canon);
  bad |= dup_s(&d->key_name, s->key_name);
  bad |= dup_s(&d->key_record, s->key_record);
  bad |= dup_s(&d->key_type, s->key_type);
  for (j = 0; j < s->nheaders && !bad; j++)
    bad |= mxci_strv_add(&d->headers, &d->nheaders, s->headers[j]);
  if (s->nwarn && !bad) {
    d->warn = mxci_calloc(s->nwarn, sizeof(*d->warn));
    if (d->warn == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
    for (j = 0; j < s->nwarn; j++) {
      d->nwarn++;
      bad |= dup_s(&d->warn[j].code, s->warn[j].code);
      bad |= dup_s(&d->warn[j].text, s->warn[j].text);
    }
  }
  return bad ? -1 : 0;
}

int mxci_dkim_result_dup(mxc_result_t *d, const mxc_result_t *s)
{
  size_t i;
  d->dkim_ignored = s->dkim_ignored;
  d->ndkim = 0;
  d->dkim = NULL;
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

static const struct mxci_dkim_sig *sig_at(const mxc_result_t *r, size_t i)
{
  return r && i < r->ndkim ? &r->dkim[i] : NULL;
}

size_t mxc_dkim_sig_count(const mxc_result_t *r) { return r ? r->ndkim : 0; }
size_t mxc_dkim_ignored(const mxc_result_t *r) { return r ? r->dkim_ignored : 0; }

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
