/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.c -- renderings of results: JSON (schema in mxcheck(1)), the human
 * report and the RFC 8601 Authentication-Results field.  Done here so that
 * every front end says the same thing.  Results are walked through their
 * method tables: each check renders its own part (json, text, authres);
 * this file lays out what is common and names no check.
 */
#include "mxc_private.h"

/* The members naming what r is about: the address checked (or the reason
 * it is not one), or what the check's json_subject() says. */
static void subject_members(struct mxci_jw *w, const mxc_result_t *r)
{
  if (r->m->json_subject) {
    r->m->json_subject(w, r);
    return;
  }
  mxci_jw_str(w, "input", r->input ? r->input : "");
  if (r->error) {
    mxci_jw_str(w, "error", r->error);
    return;
  }
  mxci_jw_str(w, "address", r->address);
  mxci_jw_int(w, "family", r->family);
  mxci_jw_bool(w, "ipv4_mapped", r->mapped);
}

void mxci_json_tail(struct mxci_jw *w, const mxc_result_t *r)
{
  mxci_jw_warnings(w, "warnings", r->warn, r->nwarn);
  mxci_jw_str(w, "fix", r->fix ? r->fix : "");
}

void mxci_json_members(struct mxci_jw *w, const mxc_result_t *r)
{
  if (r->error)
    return;
  r->m->json(w, r);
}

char *mxc_result_json(const mxc_result_t *r)
{
  struct mxci_jw w = {0};
  if (r == NULL)
    return NULL;
  mxci_jw_object(&w, NULL);
  subject_members(&w, r);
  mxci_json_members(&w, r);
  mxci_jw_end(&w);
  return mxci_jw_finish(&w);
}

char *mxc_results_json(const mxc_result_t *const *res, size_t n)
{
  struct mxci_jw w = {0};
  size_t i;
  int open = 0;
  if (res == NULL)
    return NULL;
  for (i = 0; i < n; i++) {
    if (res[i] == NULL)
      continue;
    if (!open) {
      open = 1;
      mxci_jw_object(&w, NULL);
      subject_members(&w, res[i]);
      if (res[i]->error) {
        /* The address did not parse: nothing was checked of it; a result
         * about a domain still was. */
        for (i++; i < n; i++)
          if (res[i] && res[i]->m->subject == MXCI_SUBJECT_DOMAIN)
            mxci_json_members(&w, res[i]);
        break;
      }
    }
    mxci_json_members(&w, res[i]);
  }
  if (!open)
    return NULL;
  mxci_jw_end(&w);
  return mxci_jw_finish(&w);
}

/* ---- text ------------------------------------------------------------------- */

const char *mxci_verdict_colour(mxc_verdict_t v)
{
  switch (v) {
  case MXC_VERDICT_PASS:
    return MXCI_C_GREEN;
  case MXC_VERDICT_FAIL:
  case MXC_VERDICT_PERMERROR:
    return MXCI_C_RED;
  default:
    return MXCI_C_YELLOW;
  }
}

static void text_subject(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  if (r->m->text_subject) {
    r->m->text_subject(b, r, c);
    return;
  }
  if (r->error) {
    mxci_buf_printf(b, "%s%s%s\n  error     %s\n", c ? MXCI_C_BOLD : "",
                    r->input ? r->input : "", c ? MXCI_C_RESET : "",
                    r->error);
    return;
  }
  mxci_buf_printf(b, "%s%s%s (IPv%d%s)\n", c ? MXCI_C_BOLD : "", r->address,
                  c ? MXCI_C_RESET : "", r->family,
                  r->mapped ? ", given as IPv4-mapped IPv6" : "");
}

void mxci_text_verdict(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  mxci_buf_printf(b, "  %-9s %s%s%s  %s\n", r->method,
                  c ? mxci_verdict_colour(r->verdict) : "",
                  mxc_verdict_str(r->verdict), c ? MXCI_C_RESET : "",
                  r->reason ? r->reason : "");
}

void mxci_text_tail(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  size_t i;
  for (i = 0; i < r->nwarn; i++)
    mxci_buf_printf(b, "  %s%-9s%s %s\n", c ? MXCI_C_YELLOW : "", "warning",
                    c ? MXCI_C_RESET : "", r->warn[i].text);
  if (r->fix && *r->fix)
    mxci_buf_printf(b, "  %-9s %s\n", "fix", r->fix);
}

void mxci_text_block(struct mxci_buf *b, const mxc_result_t *r, int c,
                     int under)
{
  if (r->error)
    return;
  r->m->text(b, r, c, under);
}

char *mxc_result_text(const mxc_result_t *r, int flags)
{
  struct mxci_buf b = {0};
  int c = (flags & MXC_RENDER_COLOR) != 0;

  if (r == NULL)
    return NULL;
  b.verbose = (flags & MXC_RENDER_VERBOSE) != 0;
  text_subject(&b, r, c);
  mxci_text_block(&b, r, c, 0);
  return mxci_buf_take(&b);
}

char *mxc_results_text(const mxc_result_t *const *res, size_t n, int flags)
{
  struct mxci_buf b = {0};
  int c = (flags & MXC_RENDER_COLOR) != 0, header = 0;
  size_t i;

  if (res == NULL)
    return NULL;
  b.verbose = (flags & MXC_RENDER_VERBOSE) != 0;
  for (i = 0; i < n; i++) {
    if (res[i] == NULL)
      continue;
    if (!header) {
      text_subject(&b, res[i], c);
      header = 1;
      if (res[i]->error) {
        for (i++; i < n; i++) /* a domain's result still was */
          if (res[i] && res[i]->m->subject == MXCI_SUBJECT_DOMAIN)
            mxci_text_block(&b, res[i], c, 1);
        break;
      }
      mxci_text_block(&b, res[i], c, 0);
      continue;
    }
    mxci_text_block(&b, res[i], c, 1);
  }
  return header ? mxci_buf_take(&b) : NULL;
}

/* ---- Authentication-Results (RFC 8601) ---------------------------------- */

/* A pvalue (section 2.2): as is when it is a token or local@domain, else
 * a quoted-string. */
static void ar_value(struct mxci_buf *b, const char *v)
{
  const char *p;
  int plain = *v != '\0';
  for (p = v; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c <= 32 || c >= 127 || strchr("()<>,;:\\\"/[]?=", c))
      plain = 0;
  }
  if (plain) {
    mxci_buf_puts(b, v);
    return;
  }
  mxci_buf_puts(b, "\"");
  for (p = v; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '"' || c == '\\')
      mxci_buf_add(b, "\\", 1);
    if (c >= 32 && c < 127)
      mxci_buf_add(b, p, 1);
  }
  mxci_buf_puts(b, "\"");
}

void mxci_authres_piece(struct mxci_buf *b, int *n, const char *method,
                        mxc_verdict_t v)
{
  mxci_buf_printf(b, "%s%s=%s", (*n)++ ? "; " : "", method,
                  mxc_verdict_str(v));
}

void mxci_authres_prop(struct mxci_buf *b, const char *name,
                       const char *value)
{
  mxci_buf_printf(b, " %s=", name);
  ar_value(b, value);
}

void mxci_authres_of(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  if (r->error)
    return;
  r->m->authres(b, r, n);
}

char *mxc_result_authres(const mxc_result_t *r, const char *authserv_id)
{
  struct mxci_buf b = {0};
  int n = 0;
  if (r == NULL)
    return NULL;
  mxci_buf_puts(&b, "Authentication-Results: ");
  ar_value(&b, authserv_id && *authserv_id ? authserv_id : "mxcheck");
  mxci_buf_puts(&b, "; ");
  mxci_authres_of(&b, r, &n);
  if (n == 0)
    mxci_buf_puts(&b, "none");
  return mxci_buf_take(&b);
}
