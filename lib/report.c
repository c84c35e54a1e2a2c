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
  if (strcmp(r->method, "dkim") == 0)
    return o; /* a message, no address: see dkim_members() */
  if (strcmp(r->method, "dmarc") == 0) {
    /* a domain, no address */
    json_object_object_add(o, "input", jstr(r->input ? r->input : ""));
    json_object_object_add(o, "domain", jstr(mxc_dmarc_from_domain(r)));
    return o;
  }
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
  json_object *m = json_object_new_object(), *t, *l2;
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
  /* Always there, so that tools can compare. */
  l2 = json_object_new_object();
  json_object_object_add(l2, "result", jstr(mxc_spf_libspf2_result(r)));
  json_object_object_add(l2, "detail", jstr(mxc_spf_libspf2_detail(r)));
  json_object_object_add(m, "libspf2", l2);
  return m;
}

/* ---- dkim: "message", "dkim" (one object per signature, RFC 8601 property
 * names where there is one) and "dkim_result" (the verdict of the
 * message) ---- */

static json_object *jnum(long long v)
{
  return v >= 0 ? json_object_new_int64(v) : NULL;
}

static json_object *dkim_sig_object(const struct mxci_dkim_sig *g)
{
  json_object *o = json_object_new_object(), *h = json_object_new_array(),
              *w = json_object_new_array();
  size_t j;

  json_object_object_add(o, "result", jstr(mxc_verdict_str(g->verdict)));
  json_object_object_add(o, "error",
                         g->error && *g->error ? jstr(g->error) : NULL);
  json_object_object_add(o, "reason", jstr(g->reason ? g->reason : ""));
  /* RFC 8601 section 2.7.1 and RFC 6008: header.d, header.i, header.b;
   * header.a and header.s from the IANA registry. */
  json_object_object_add(o, "header.d", jstr(g->domain ? g->domain : ""));
  json_object_object_add(o, "header.s", jstr(g->selector ? g->selector : ""));
  json_object_object_add(o, "header.i", jstr(g->identity ? g->identity : ""));
  json_object_object_add(o, "header.a",
                         jstr(g->algorithm ? g->algorithm : ""));
  json_object_object_add(o, "header.b", jstr(g->b ? g->b : ""));
  json_object_object_add(o, "canonicalization", jstr(g->canon));
  json_object_object_add(o, "key_name", jstr(g->key_name));
  json_object_object_add(o, "key_type", jstr(g->key_type ? g->key_type : ""));
  json_object_object_add(o, "key_bits",
                         g->key_bits ? json_object_new_int((int)g->key_bits)
                                     : NULL);
  json_object_object_add(o, "key_record", jstr(g->key_record));
  json_object_object_add(o, "dnssec", json_object_new_boolean(g->dnssec));
  json_object_object_add(o, "testing", json_object_new_boolean(g->testing));
  for (j = 0; j < g->nheaders; j++)
    json_object_array_add(h, jstr(g->headers[j]));
  json_object_object_add(o, "signed_headers", h);
  json_object_object_add(o, "body_length", jnum(g->l));
  json_object_object_add(o, "timestamp", jnum(g->t));
  json_object_object_add(o, "expiration", jnum(g->x));
  for (j = 0; j < g->nwarn; j++) {
    json_object *x = json_object_new_object();
    json_object_object_add(x, "code", jstr(g->warn[j].code));
    json_object_object_add(x, "text", jstr(g->warn[j].text));
    json_object_array_add(w, x);
  }
  json_object_object_add(o, "warnings", w);
  return o;
}

static void dkim_members(json_object *o, const mxc_result_t *r)
{
  json_object *a = json_object_new_array(), *m = json_object_new_object();
  size_t i;

  json_object_object_add(o, "message", jstr(r->input ? r->input : ""));
  for (i = 0; i < r->ndkim; i++)
    json_object_array_add(a, dkim_sig_object(&r->dkim[i]));
  json_object_object_add(o, "dkim", a);
  json_object_object_add(m, "result", jstr(mxc_verdict_str(r->verdict)));
  json_object_object_add(m, "reason", jstr(r->reason ? r->reason : ""));
  json_object_object_add(m, "signatures", json_object_new_int((int)r->ndkim));
  json_object_object_add(m, "ignored",
                         json_object_new_int((int)r->dkim_ignored));
  json_object_object_add(m, "warnings", warnings_array(r));
  json_object_object_add(m, "fix", jstr(r->fix ? r->fix : ""));
  json_object_object_add(o, "dkim_result", m);
}

static void add_method(json_object *o, const mxc_result_t *r)
{
  if (strcmp(r->method, "compliance") == 0) {
    size_t k;
    json_object_object_add(o, r->method, mxci_comp_json(r));
    for (k = 0; r->comp && k < MXCI_SUB_N; k++)
      if (r->comp->sub[k] && !r->comp->sub[k]->error)
        add_method(o, r->comp->sub[k]);
    return;
  }
  if (r->error)
    return;
  if (strcmp(r->method, "dkim") == 0)
    dkim_members(o, r);
  else if (strcmp(r->method, "dmarc") == 0)
    json_object_object_add(o, r->method, mxci_dmarc_json(r));
  else if (strcmp(r->method, "spf") == 0)
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
      if (res[i]->error) {
        /* The address did not parse: nothing was checked of it; a DMARC
         * result (of a domain) still was. */
        for (i++; i < n; i++)
          if (res[i] && strcmp(res[i]->method, "dmarc") == 0)
            add_method(o, res[i]);
        break;
      }
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
  if (strcmp(r->method, "dkim") == 0) {
    mxci_buf_printf(b, "%smessage %s%s\n", c ? C_BOLD : "",
                    r->input ? r->input : "", c ? C_RESET : "");
    return;
  }
  if (strcmp(r->method, "dmarc") == 0) {
    mxci_buf_printf(b, "%s%s%s (From domain)\n", c ? C_BOLD : "",
                    *mxc_dmarc_from_domain(r) ? mxc_dmarc_from_domain(r)
                                              : (r->input ? r->input : ""),
                    c ? C_RESET : "");
    return;
  }
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
  /* libspf2's view only where receivers built on it conclude otherwise. */
  if (r->spf2_state == MXCI_SPF2_DONE && r->spf2_verdict != r->verdict)
    mxci_buf_printf(b, "  %s%-9s%s receivers using libspf2 (Exim, spfmilter, "
                       "...) will compute %s%s%s\n",
                    c ? C_YELLOW : "", "libspf2", c ? C_RESET : "",
                    mxc_verdict_str(r->spf2_verdict),
                    r->spf2_detail && *r->spf2_detail ? ": " : "",
                    r->spf2_detail ? r->spf2_detail : "");
  text_tail(b, r, c);
}

static void text_dkim(struct mxci_buf *b, const mxc_result_t *r, int c,
                      int with_name)
{
  size_t i, j;
  if (with_name)
    mxci_buf_printf(b, "  %-9s %s\n", "message", r->input ? r->input : "");
  text_verdict(b, r, c);
  for (i = 0; i < r->ndkim; i++) {
    const struct mxci_dkim_sig *g = &r->dkim[i];
    mxci_buf_printf(b, "  sig %-5zu %s%s%s  d=%s s=%s %s", i + 1,
                    c ? verdict_colour(g->verdict) : "",
                    mxc_verdict_str(g->verdict), c ? C_RESET : "",
                    g->domain ? g->domain : "", g->selector ? g->selector : "",
                    g->algorithm ? g->algorithm : "");
    if (g->canon)
      mxci_buf_printf(b, " c=%s", g->canon);
    if (g->key_bits)
      mxci_buf_printf(b, ", %u-bit %s key", g->key_bits,
                      g->key_type ? g->key_type : "");
    mxci_buf_printf(b, "\n            %s%s%s\n",
                    g->error && *g->error ? g->error : "",
                    g->error && *g->error ? ": " : "",
                    g->reason ? g->reason : "");
    if (g->nheaders) {
      mxci_buf_puts(b, "            h=");
      for (j = 0; j < g->nheaders; j++)
        mxci_buf_printf(b, "%s%s", j ? ":" : "", g->headers[j]);
      mxci_buf_puts(b, "\n");
    }
    for (j = 0; j < g->nwarn; j++)
      mxci_buf_printf(b, "            %swarning%s %s\n", c ? C_YELLOW : "",
                      c ? C_RESET : "", g->warn[j].text);
  }
  text_tail(b, r, c);
}

static void text_method(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  if (r->error)
    return;
  if (strcmp(r->method, "compliance") == 0) {
    size_t k;
    mxci_comp_text(b, r, c);
    for (k = 0; r->comp && k < MXCI_SUB_N; k++)
      if (r->comp->sub[k] && strcmp(r->comp->sub[k]->method, "dkim") == 0)
        text_dkim(b, r->comp->sub[k], c, 1);
      else if (r->comp->sub[k])
        text_method(b, r->comp->sub[k], c);
    return;
  }
  if (strcmp(r->method, "dkim") == 0)
    text_dkim(b, r, c, 0);
  else if (strcmp(r->method, "dmarc") == 0)
    mxci_dmarc_text(b, r, c);
  else if (strcmp(r->method, "spf") == 0)
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
      if (res[i]->error) {
        for (i++; i < n; i++) /* a domain's DMARC result still was */
          if (res[i] && strcmp(res[i]->method, "dmarc") == 0)
            text_method(&b, res[i], c);
        break;
      }
    } else if (strcmp(res[i]->method, "dkim") == 0) {
      text_dkim(&b, res[i], c, 1); /* under an address: name the message */
      continue;
    }
    text_method(&b, res[i], c);
  }
  return header ? mxci_buf_take(&b) : NULL;
}
