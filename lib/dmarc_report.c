/*
 * dmarc_report.c -- the JSON member "dmarc" and the human report of a DMARC
 * result (schema in mxcheck(1)); report.c calls these for method "dmarc".
 */
#include "mxc_private.h"

#include <json-c/json.h>
#include <stdio.h>

#define C_RESET "\033[0m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_RED "\033[31m"

static json_object *jstr(const char *s)
{
  return s ? json_object_new_string(s) : NULL;
}

static json_object *jtri(int v)
{
  return v < 0 ? NULL : json_object_new_boolean(v);
}

static json_object *id_object(const struct mxci_dmarc_id *id, const char *type)
{
  json_object *o = json_object_new_object();
  json_object_object_add(o, "type", jstr(type));
  json_object_object_add(o, "domain", jstr(id->domain ? id->domain : ""));
  json_object_object_add(o, "result", jstr(mxc_verdict_str(id->verdict)));
  json_object_object_add(o, "organizational_domain", jstr(id->org));
  json_object_object_add(o, "aligned", jtri(id->aligned));
  json_object_object_add(o, "identical",
                         json_object_new_boolean(id->identical));
  return o;
}

static json_object *strv(char *const *v, size_t n)
{
  json_object *a = json_object_new_array();
  size_t i;
  for (i = 0; i < n; i++)
    json_object_array_add(a, jstr(v[i]));
  return a;
}

json_object *mxci_dmarc_json(const mxc_result_t *r)
{
  const struct mxci_dmarc *m = r->dmarc;
  json_object *o = json_object_new_object(), *w, *ids, *tags;
  char mode[2] = {0, 0};
  size_t i;

  json_object_object_add(o, "result", jstr(mxc_verdict_str(r->verdict)));
  json_object_object_add(o, "reason", jstr(r->reason ? r->reason : ""));
  if (m == NULL)
    return o; /* LCOV_EXCL_LINE: not made by dmarc.c */
  /* RFC 8601 section 2.7.1 / RFC 9989 section 9.1: header.from. */
  json_object_object_add(o, "header.from", jstr(m->from ? m->from : ""));
  json_object_object_add(o, "discovery",
                         jstr(m->method == MXC_DMARC_PSL ? "psl" : "treewalk"));
  json_object_object_add(o, "audit", json_object_new_boolean(m->audit));
  json_object_object_add(o, "record", jstr(m->record ? m->record : ""));
  json_object_object_add(o, "record_domain", jstr(m->record_domain));
  tags = json_object_new_object();
  for (i = 0; i < m->ntags; i++)
    json_object_object_add(tags, m->tname[i], jstr(m->tval[i]));
  json_object_object_add(o, "tags", tags);
  json_object_object_add(o, "organizational_domain", jstr(m->org));
  json_object_object_add(o, "organizational_domain_reason", jstr(m->org_how));
  json_object_object_add(
      o, "policy", m->policy ? jstr(mxci_dmarc_policy_word(m->policy)) : NULL);
  json_object_object_add(o, "policy_tag",
                         m->policy ? jstr(m->policy_tag) : NULL);
  json_object_object_add(o, "policy_reason",
                         m->policy ? jstr(m->policy_why) : NULL);
  json_object_object_add(o, "testing", json_object_new_boolean(m->testing));
  mode[0] = m->aspf;
  json_object_object_add(o, "aspf", jstr(mode));
  mode[0] = m->adkim;
  json_object_object_add(o, "adkim", jstr(mode));
  ids = json_object_new_array();
  if (m->has_spf)
    json_object_array_add(ids, id_object(&m->spf, "spf"));
  for (i = 0; i < m->ndkim; i++)
    json_object_array_add(ids, id_object(&m->dkim[i], "dkim"));
  json_object_object_add(o, "identifiers", ids);
  json_object_object_add(o, "notes", strv(m->notes, m->nnotes));
  json_object_object_add(o, "trace", strv(m->trace, m->ntrace));
  json_object_object_add(o, "dnssec", json_object_new_boolean(r->dnssec));
  w = json_object_new_array();
  for (i = 0; i < r->nwarn; i++) {
    json_object *x = json_object_new_object();
    json_object_object_add(x, "code", jstr(r->warn[i].code));
    json_object_object_add(x, "text", jstr(r->warn[i].text));
    json_object_array_add(w, x);
  }
  json_object_object_add(o, "warnings", w);
  json_object_object_add(o, "fix", jstr(r->fix ? r->fix : ""));
  return o;
}

static const char *colour(mxc_verdict_t v)
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

static void text_id(struct mxci_buf *b, const struct mxci_dmarc_id *id,
                    const char *what, char mode, int c)
{
  char al[400];
  if (id->aligned == 1 && id->identical)
    snprintf(al, sizeof(al), "aligned (identical)");
  else if (id->aligned == 1)
    snprintf(al, sizeof(al), "aligned (relaxed: organizational domain %s)",
             id->org ? id->org : "?");
  else if (id->aligned < 0)
    snprintf(al, sizeof(al), "alignment unknown (a DNS query failed)");
  else if (mode == 's' && id->org)
    snprintf(al, sizeof(al), "not aligned (strict: not identical)");
  else
    snprintf(al, sizeof(al), "not aligned (organizational domain %s)",
             id->org ? id->org : "unknown");
  mxci_buf_printf(b, "  %-9s %s %s%s%s, %s\n", what,
                  id->domain ? id->domain : "", c ? colour(id->verdict) : "",
                  mxc_verdict_str(id->verdict), c ? C_RESET : "", al);
}

void mxci_dmarc_text(struct mxci_buf *b, const mxc_result_t *r, int c)
{
  const struct mxci_dmarc *m = r->dmarc;
  size_t i;

  if (m == NULL)
    return; /* LCOV_EXCL_LINE: not made by dmarc.c */
  if (m->audit && r->verdict == MXC_VERDICT_FAIL) {
    /* No identifier given: the record is what is audited. */
    mxci_buf_printf(b, "  %-9s %sfound%s  policy %s (%s=) of %s\n", "dmarc",
                    c ? C_GREEN : "", c ? C_RESET : "",
                    mxci_dmarc_policy_word(m->policy),
                    m->policy_tag ? m->policy_tag : "p",
                    m->record_domain ? m->record_domain : "");
  } else {
    mxci_buf_printf(b, "  %-9s %s%s%s  %s\n", "dmarc",
                    c ? colour(r->verdict) : "", mxc_verdict_str(r->verdict),
                    c ? C_RESET : "", r->reason ? r->reason : "");
  }
  if (m->record) {
    mxci_buf_printf(b, "  %-9s %s\n", "record", m->record);
    mxci_buf_printf(b, "  %-9s _dmarc.%s (%s)\n", "found at",
                    m->record_domain ? m->record_domain : "",
                    m->method == MXC_DMARC_PSL
                        ? "RFC 7489: the From domain, then the Public Suffix "
                          "List"
                        : "RFC 9989 DNS tree walk");
  }
  if (m->org)
    mxci_buf_printf(b, "  %-9s %s: %s\n", "org", m->org,
                    m->org_how ? m->org_how : "");
  if (m->policy)
    mxci_buf_printf(b, "  %-9s %s (%s=): %s\n", "policy",
                    mxci_dmarc_policy_word(m->policy),
                    m->policy_tag ? m->policy_tag : "p",
                    m->policy_why ? m->policy_why : "");
  if (m->record)
    mxci_buf_printf(b, "  %-9s aspf=%c adkim=%c%s%s\n", "alignment", m->aspf,
                    m->adkim, m->testing ? ", t=y (testing)" : "",
                    mxc_dmarc_tag(r, "rua") ? "" : ", no rua=");
  if (m->has_spf)
    text_id(b, &m->spf, "SPF", m->aspf, c);
  for (i = 0; i < m->ndkim; i++)
    text_id(b, &m->dkim[i], "DKIM", m->adkim, c);
  for (i = 0; i < m->nnotes; i++)
    mxci_buf_printf(b, "  %-9s %s\n", "note", m->notes[i]);
  for (i = 0; i < m->ntrace; i++)
    mxci_buf_printf(b, "  %-9s %s\n", i ? "" : "trace", m->trace[i]);
  if (r->dnssec)
    mxci_buf_printf(b, "  %-9s answers validated by the resolver (AD)\n",
                    "dnssec");
  for (i = 0; i < r->nwarn; i++)
    mxci_buf_printf(b, "  %s%-9s%s %s\n", c ? C_YELLOW : "", "warning",
                    c ? C_RESET : "", r->warn[i].text);
  if (r->fix && *r->fix)
    mxci_buf_printf(b, "  %-9s %s\n", "fix", r->fix);
}
