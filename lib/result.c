/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * result.c -- the result object: the part every check has (verdict,
 * reason, input, the client address, warnings, fix), its life (new, copy,
 * free) and its accessors.  A check's own part is reached through the
 * result's method table (mxc_private.h); this file names no check.
 */
#include "mxc_private.h"

#include <stdio.h>

/* The check's own part follows the common part in the same allocation
 * (one malloc per result, not two), at a 16-octet boundary. */
#define DATA_OFFSET ((sizeof(mxc_result_t) + 15) & ~(size_t)15)

mxc_result_t *mxci_result_new(const struct mxci_method *m)
{
  mxc_result_t *r = mxci_calloc(1, DATA_OFFSET + m->size);
  if (r == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  r->m = m;
  r->method = m->name;
  r->verdict = MXC_VERDICT_NONE;
  if (m->size)
    r->data = (char *)r + DATA_OFFSET;
  return r;
}

void mxci_result_copy_address(mxc_result_t *d, const mxc_result_t *s)
{
  memcpy(d->address, s->address, sizeof(d->address));
  d->family = s->family;
  d->mapped = s->mapped;
  memcpy(d->reverse, s->reverse, sizeof(d->reverse));
}

/* Adds a warning: its code and text in one allocation (code is the block
 * that mxc_result_free() frees; text follows it). */
static int warn_add(mxc_result_t *r, const char *code, const char *text)
{
  struct mxci_warning *w = r->warn;
  size_t cl = strlen(code) + 1, tl = strlen(text) + 1;
  char *blk;
  /* the array grows by doubling: 1, 2, 4, ... */
  if ((r->nwarn & (r->nwarn - 1)) == 0) {
    w = mxci_realloc(r->warn, (r->nwarn ? 2 * r->nwarn : 1) * sizeof(*w));
    if (w == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
    r->warn = w;
  }
  blk = mxci_malloc(cl + tl);
  if (blk == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  memcpy(blk, code, cl);
  memcpy(blk + cl, text, tl);
  w[r->nwarn].code = blk;
  w[r->nwarn].text = blk + cl;
  r->nwarn++;
  return 0;
}

int mxci_result_warn(mxc_result_t *r, const char *code, const char *fmt, ...)
{
  va_list ap;
  char buf[512], *text = buf;
  int n, rc;
  va_start(ap, fmt);
  n = vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0)
    return -1; /* LCOV_EXCL_LINE: a bad format */
  if ((size_t)n >= sizeof(buf)) {
    va_start(ap, fmt);
    text = mxci_vasprintf(fmt, ap);
    va_end(ap);
    if (text == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  rc = warn_add(r, code, text);
  if (text != buf)
    mxci_free(text);
  return rc;
}

void mxc_result_free(mxc_result_t *r)
{
  size_t i;
  if (r == NULL)
    return;
  if (r->data)
    r->m->clear(r->data); /* its memory is r's */
  mxci_free(r->reason);
  mxci_free(r->input);
  mxci_free(r->error);
  for (i = 0; i < r->nwarn; i++)
    mxci_free(r->warn[i].code); /* text is in the same block */
  mxci_free(r->warn);
  mxci_free(r->fix);
  mxci_free(r);
}

mxc_result_t *mxc_result_dup(const mxc_result_t *s)
{
  mxc_result_t *d;
  size_t i;
  int bad = 0;

  if (s == NULL)
    return NULL;
  d = mxci_result_new(s->m);
  if (d == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  d->verdict = s->verdict;
  mxci_result_copy_address(d, s);
  d->dnssec = s->dnssec;
  bad |= mxci_strdup_opt(&d->reason, s->reason);
  bad |= mxci_strdup_opt(&d->input, s->input);
  bad |= mxci_strdup_opt(&d->error, s->error);
  bad |= mxci_strdup_opt(&d->fix, s->fix);
  if (d->data && !bad)
    bad |= s->m->copy(d->data, s->data);
  for (i = 0; i < s->nwarn && !bad; i++)
    bad |= warn_add(d, s->warn[i].code, s->warn[i].text);
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

/* The words of the verdict model, for every report. */
const char *mxc_rule_state_str(mxc_rule_state_t s)
{
  switch (s) {
  case MXC_RULE_PASS:
    return "pass";
  case MXC_RULE_WARN:
    return "warn";
  case MXC_RULE_FAIL:
    return "fail";
  default:
    return "unknown";
  }
}

mxc_rule_state_t mxc_result_state(const mxc_result_t *r)
{
  if (r == NULL || r->error)
    return MXC_RULE_UNKNOWN;
  if (r->m->state)
    return r->m->state(r);
  switch (r->verdict) {
  case MXC_VERDICT_PASS:
    return r->nwarn ? MXC_RULE_WARN : MXC_RULE_PASS;
  case MXC_VERDICT_TEMPERROR:
    return MXC_RULE_UNKNOWN;
  default:
    return MXC_RULE_FAIL;
  }
}
