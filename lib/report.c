/*
 * report.c -- renderings of a result: JSON (schema in mxcheck(1)) and the
 * human report.  Done here so that every front end says the same thing.
 */
#include "mxc_private.h"

#include <json-c/json.h>

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"

static json_object *jstr(const char *s)
{
  return s ? json_object_new_string(s) : NULL;
}

/* The members common to every method: the address checked. */
static json_object *top_object(const mxc_result_t *r)
{
  json_object *o = json_object_new_object();
  if (o == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  json_object_object_add(o, "input", jstr(r->input ? r->input : ""));
  if (r->error) {
    json_object_object_add(o, "error", jstr(r->error));
    return o;
  }
  json_object_object_add(o, "address", jstr(r->address));
  json_object_object_add(o, "family", json_object_new_int(r->family));
  json_object_object_add(o, "ipv4_mapped", json_object_new_boolean(r->mapped));
  return o;
}

static json_object *warnings_array(const mxc_result_t *r)
{
  json_object *w = json_object_new_array();
  size_t i;
  for (i = 0; i < r->nwarn; i++) {
    json_object *x = json_object_new_object();
    json_object_object_add(x, "code", jstr(r->warn[i].code));
    json_object_object_add(x, "text", jstr(r->warn[i].text));
    json_object_array_add(w, x);
  }
  return w;
}

static json_object *iprev_object(const mxc_result_t *r)
{
  json_object *m, *ptr;
  size_t i, j;

  m = json_object_new_object();
  json_object_object_add(m, "result", jstr(mxc_verdict_str(r->verdict)));
  json_object_object_add(m, "reason", jstr(r->reason ? r->reason : ""));
  /* RFC 8601 section 2.7.3: the property of iprev is policy.iprev. */
  json_object_object_add(m, "policy.iprev", jstr(r->address));
  json_object_object_add(m, "reverse_name", jstr(r->reverse));
  ptr = json_object_new_array();
  for (i = 0; i < r->nnames; i++) {
    json_object *n = json_object_new_object(), *a = json_object_new_array();
    json_object_object_add(n, "name", jstr(r->names[i].name));
    json_object_object_add(n, "result",
                           jstr(mxc_name_state_str(r->names[i].state)));
    for (j = 0; j < r->names[i].naddr; j++)
      json_object_array_add(a, jstr(r->names[i].addrs[j]));
    json_object_object_add(n, "addresses", a);
    if (r->names[i].detail)
      json_object_object_add(n, "detail", jstr(r->names[i].detail));
    json_object_array_add(ptr, n);
  }
  json_object_object_add(m, "ptr", ptr);
  json_object_object_add(m, "matched_name", jstr(r->matched));
  if (r->zone) {
    json_object *z = json_object_new_object(), *ns = json_object_new_array();
    json_object_object_add(z, "zone", jstr(r->zone));
    for (i = 0; i < r->nzone_ns; i++)
      json_object_array_add(ns, jstr(r->zone_ns[i]));
    json_object_object_add(z, "ns", ns);
    json_object_object_add(m, "reverse_zone", z);
  } else {
    json_object_object_add(m, "reverse_zone", NULL);
  }
  json_object_object_add(m, "dnssec", json_object_new_boolean(r->dnssec));
  json_object_object_add(m, "warnings", warnings_array(r));
  json_object_object_add(m, "fix", jstr(r->fix ? r->fix : ""));
  return m;
}

static json_object *spf_object(const mxc_result_t *r)
{
  json_object *m = json_object_new_object(), *t;
  size_t i;

  json_object_object_add(m, "result", jstr(mxc_verdict_str(r->verdict)));
  json_object_object_add(m, "reason", jstr(r->reason ? r->reason : ""));
  json_object_object_add(m, "domain", jstr(r->spf_domain ? r->spf_domain : ""));
  json_object_object_add(m, "scope", jstr(r->spf_scope == MXC_SPF_SCOPE_HELO
                                              ? "helo"
                                              : "mfrom"));
  /* RFC 8601 section 2.7.2: the properties of spf are smtp.mailfrom and
   * smtp.helo. */
  json_object_object_add(m, "smtp.mailfrom",
                         r->spf_scope == MXC_SPF_SCOPE_MFROM
                             ? jstr(r->spf_sender ? r->spf_sender : "")
                             : NULL);
  json_object_object_add(m, "smtp.helo", jstr(r->spf_helo));
  json_object_object_add(m, "explanation",
                         jstr(r->verdict == MXC_VERDICT_FAIL && r->spf_exp
                                  ? r->spf_exp
                                  : ""));
  json_object_object_add(m, "record", jstr(r->spf_record ? r->spf_record : ""));
  json_object_object_add(m, "dns_lookups", json_object_new_int(r->spf_lookups));
  json_object_object_add(m, "void_lookups", json_object_new_int(r->spf_voids));
  t = json_object_new_array();
  for (i = 0; i < r->nspf_trace; i++)
    json_object_array_add(t, jstr(r->spf_trace[i]));
  json_object_object_add(m, "trace", t);
  json_object_object_add(m, "warnings", warnings_array(r));
  json_object_object_add(m, "fix", jstr(r->fix ? r->fix : ""));
  return m;
}

static void add_method(json_object *o, const mxc_result_t *r)
{
  if (r->error)
    return;
  if (strcmp(r->method, "spf") == 0)
    json_object_object_add(o, r->method, spf_object(r));
  else
    json_object_object_add(o, r->method, iprev_object(r));
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
  o = top_object(r);
  if (o == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  add_method(o, r);
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
      o = top_object(res[i]);
      if (o == NULL)
        return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
      if (res[i]->error)
        break; /* the address did not parse: nothing was checked */
    }
    add_method(o, res[i]);
  }
  return o ? render(o) : NULL;
}

static const char *verdict_colour(mxc_verdict_t v)
{
  switch (v) {
  case MXC_VERDICT_PASS:
    return C_GREEN;
  case MXC_VERDICT_FAIL:
  case MXC_VERDICT_PERMERROR:
    return C_RED;
  default:
    return C_YELLOW;
  }
}

static void text_header(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  if (r->error) {
    mxci_buf_printf(b, "%s%s%s\n  error     %s\n", c ? C_BOLD : "",
                    r->input ? r->input : "", c ? C_RESET : "", r->error);
    return;
  }
  mxci_buf_printf(b, "%s%s%s (IPv%d%s)\n", c ? C_BOLD : "", r->address,
                  c ? C_RESET : "", r->family,
                  r->mapped ? ", given as IPv4-mapped IPv6" : "");
}

static void text_verdict(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  mxci_buf_printf(b, "  %-9s %s%s%s  %s\n", r->method,
                  c ? verdict_colour(r->verdict) : "",
                  mxc_verdict_str(r->verdict), c ? C_RESET : "",
                  r->reason ? r->reason : "");
}

static void text_tail(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  size_t i;
  for (i = 0; i < r->nwarn; i++)
    mxci_buf_printf(b, "  %s%-9s%s %s\n", c ? C_YELLOW : "", "warning",
                    c ? C_RESET : "", r->warn[i].text);
  if (r->fix && *r->fix)
    mxci_buf_printf(b, "  %-9s %s\n", "fix", r->fix);
}

static void text_iprev(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  size_t i, j;
  text_verdict(b, r, c);
  if (r->nnames) {
    mxci_buf_printf(b, "  %-9s %s ->\n", "PTR", r->reverse);
    for (i = 0; i < r->nnames; i++) {
      const struct mxci_name *n = &r->names[i];
      const char *col = n->state == MXC_NAME_MATCH ? C_GREEN
                        : n->state == MXC_NAME_NOT_TRIED ? ""
                                                         : C_RED;
      mxci_buf_printf(b, "            %s  %s%s%s", n->name, c ? col : "",
                      mxc_name_state_str(n->state), c ? C_RESET : "");
      for (j = 0; j < n->naddr; j++)
        mxci_buf_printf(b, "%s%s", j ? ", " : "  ", n->addrs[j]);
      if (n->detail)
        mxci_buf_printf(b, "  %s", n->detail);
      mxci_buf_puts(b, "\n");
    }
  } else {
    mxci_buf_printf(b, "  %-9s %s\n", "PTR", r->reverse);
  }
  if (r->zone) {
    mxci_buf_printf(b, "  %-9s %s", "zone", r->zone);
    for (i = 0; i < r->nzone_ns; i++)
      mxci_buf_printf(b, "%s%s", i ? ", " : "  NS ", r->zone_ns[i]);
    mxci_buf_puts(b, "\n");
  }
  if (r->dnssec)
    mxci_buf_printf(b, "  %-9s answers validated by the resolver (AD)\n",
                    "dnssec");
  text_tail(b, r, c);
}

static void text_spf(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  size_t i;
  text_verdict(b, r, c);
  mxci_buf_printf(b, "  %-9s %s (%s %s)\n", "identity",
                  r->spf_domain ? r->spf_domain : "",
                  r->spf_scope == MXC_SPF_SCOPE_HELO ? "HELO" : "MAIL FROM",
                  r->spf_scope == MXC_SPF_SCOPE_HELO && r->spf_helo
                      ? r->spf_helo
                      : (r->spf_sender ? r->spf_sender : ""));
  if (r->spf_record && *r->spf_record)
    mxci_buf_printf(b, "  %-9s %s\n", "record", r->spf_record);
  if (r->verdict == MXC_VERDICT_FAIL && r->spf_exp && *r->spf_exp)
    mxci_buf_printf(b, "  %-9s %s\n", "explain", r->spf_exp);
  mxci_buf_printf(b, "  %-9s %d DNS-querying term%s of %d, %d void lookup%s "
                     "of %d\n",
                  "lookups", r->spf_lookups, r->spf_lookups == 1 ? "" : "s",
                  MXC_SPF_MAX_DNS_TERMS, r->spf_voids,
                  r->spf_voids == 1 ? "" : "s", MXC_SPF_MAX_VOID_LOOKUPS);
  for (i = 0; i < r->nspf_trace; i++)
    mxci_buf_printf(b, "  %-9s %s\n", i ? "" : "trace", r->spf_trace[i]);
  text_tail(b, r, c);
}

static void text_method(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  if (r->error)
    return;
  if (strcmp(r->method, "spf") == 0)
    text_spf(b, r, c);
  else
    text_iprev(b, r, c);
}

char *mxc_result_text(const mxc_result_t *r, int flags)
{
  struct mxci_buf b = {0};
  int c = (flags & MXC_RENDER_COLOR) != 0;

  if (r == NULL)
    return NULL;
  text_header(&b, r, c);
  text_method(&b, r, c);
  return mxci_buf_take(&b);
}

char *mxc_results_text(const mxc_result_t *const *res, size_t n, int flags)
{
  struct mxci_buf b = {0};
  int c = (flags & MXC_RENDER_COLOR) != 0, header = 0;
  size_t i;

  if (res == NULL)
    return NULL;
  for (i = 0; i < n; i++) {
    if (res[i] == NULL)
      continue;
    if (!header) {
      text_header(&b, res[i], c);
      header = 1;
      if (res[i]->error)
        break;
    }
    text_method(&b, res[i], c);
  }
  return header ? mxci_buf_take(&b) : NULL;
}
