/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.c -- renderings of results: JSON (schema in mxcheck(1)), the human
 * report and the RFC 8601 Authentication-Results field.  Done here so that
 * every front end says the same thing.  Results are walked through their
 * method tables: each check renders its own part (json, text, authres);
 * this file lays out what is common and names no check.
 */
#include "mxc_private.h"

#include <json-c/json.h>

void mxci_json_add(json_object *o, const char *key, json_object *v)
{
  /* 13% of the rendering of an iprev result (tools: callgrind) */
  (void)json_object_object_add_ex(o, key, v, JSON_C_OBJECT_KEY_IS_CONSTANT);
}

json_object *mxci_json_str(const char *s)
{
  return s ? json_object_new_string(s) : NULL;
}

json_object *mxci_json_warnings(const struct mxci_warning *w, size_t n)
{
  json_object *a = json_object_new_array();
  size_t i;
  for (i = 0; i < n; i++) {
    json_object *x = json_object_new_object();
    mxci_json_add(x, "code", mxci_json_str(w[i].code));
    mxci_json_add(x, "text", mxci_json_str(w[i].text));
    json_object_array_add(a, x);
  }
  return a;
}

/* The members naming what r is about: the address checked (or the reason
 * it is not one), or what the check's json_subject() says. */
static json_object *subject_object(const mxc_result_t *r)
{
  json_object *o = json_object_new_object();
  if (o == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  if (r->m->json_subject) {
    r->m->json_subject(o, r);
    return o;
  }
  mxci_json_add(o, "input", mxci_json_str(r->input ? r->input : ""));
  if (r->error) {
    mxci_json_add(o, "error", mxci_json_str(r->error));
    return o;
  }
  mxci_json_add(o, "address", mxci_json_str(r->address));
  mxci_json_add(o, "family", json_object_new_int(r->family));
  mxci_json_add(o, "ipv4_mapped", json_object_new_boolean(r->mapped));
  return o;
}

void mxci_json_members(json_object *o, const mxc_result_t *r)
{
  if (r->error)
    return;
  r->m->json(o, r);
}

static char *render(json_object *o)
{
  char *out = NULL;
  const char *s =
      json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                            JSON_C_TO_STRING_NOSLASHESCAPE);
  if (s)
    out = mxci_strdup(s);
  json_object_put(o);
  return out;
}

char *mxc_result_json(const mxc_result_t *r)
{
  json_object *o;
  if (r == NULL)
    return NULL;
  o = subject_object(r);
  if (o == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  mxci_json_members(o, r);
  return render(o);
}

char *mxc_results_json(const mxc_result_t *const *res, size_t n)
{
  json_object *o = NULL;
  size_t i;
  if (res == NULL)
    return NULL;
  for (i = 0; i < n; i++) {
    if (res[i] == NULL)
      continue;
    if (o == NULL) {
      o = subject_object(res[i]);
      if (o == NULL)
        return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
      if (res[i]->error) {
        /* The address did not parse: nothing was checked of it; a result
         * about a domain still was. */
        for (i++; i < n; i++)
          if (res[i] && res[i]->m->subject == MXCI_SUBJECT_DOMAIN)
            mxci_json_members(o, res[i]);
        break;
      }
    }
    mxci_json_members(o, res[i]);
  }
  return o ? render(o) : NULL;
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
