/*
 * compliance_result.c -- the compliance part of a result: its life, the
 * accessors of mxcheck.h, the renderings (the rules, then each sub-result
 * through its own method) and the method table.
 */
#include "mxc_private.h"
#include "compliance_private.h"

#include <json-c/json.h>

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

/* ---- the result ----------------------------------------------------------- */

static void comp_clear(void *data)
{
  struct mxci_comp *c = data;
  size_t i;
  for (i = 0; i < c->nrules; i++) {
    mxci_free(c->rules[i].evidence);
    mxci_free(c->rules[i].fix);
  }
  mxci_free(c->rules);
  for (i = 0; i < MXCI_SUB_N; i++)
    mxc_result_free(c->sub[i]);
  mxci_free(c->profile);
  mxci_free(c->from_domain);
  mxci_free(c->mail_from);
  mxci_free(c->helo);
}

static int comp_copy(void *dst, const void *src)
{
  const struct mxci_comp *a = src;
  struct mxci_comp *b = dst;
  size_t i;
  int bad = 0;
  bad |= mxci_strdup_opt(&b->profile, a->profile);
  bad |= mxci_strdup_opt(&b->from_domain, a->from_domain);
  bad |= mxci_strdup_opt(&b->mail_from, a->mail_from);
  bad |= mxci_strdup_opt(&b->helo, a->helo);
  for (i = 0; i < MXCI_SUB_N; i++)
    if (a->sub[i] && (b->sub[i] = mxc_result_dup(a->sub[i])) == NULL)
      bad = -1; /* LCOV_EXCL_LINE: OutOfMemory */
  if (a->nrules) {
    b->rules = mxci_calloc(a->nrules, sizeof(*b->rules));
    if (b->rules == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
    for (i = 0; i < a->nrules; i++) {
      b->rules[i] = a->rules[i];
      b->rules[i].evidence = NULL;
      b->rules[i].fix = NULL;
      b->nrules++;
      bad |= mxci_strdup_opt(&b->rules[i].evidence, a->rules[i].evidence);
      bad |= mxci_strdup_opt(&b->rules[i].fix, a->rules[i].fix);
    }
  }
  return bad;
}

/* The compliance part of r, or NULL when r is not a compliance result or
 * nothing was checked (the address did not parse). */
static const struct mxci_comp *comp_of(const mxc_result_t *r)
{
  const struct mxci_comp *c = mxci_result_data(r, &mxci_compliance_method);
  return c && c->profile ? c : NULL;
}
static const struct mxci_rule_res *rule_of(const mxc_result_t *r, size_t i)
{
  const struct mxci_comp *c = comp_of(r);
  return c && i < c->nrules ? &c->rules[i] : NULL;
}

const char *mxc_compliance_profile(const mxc_result_t *r)
{
  return comp_of(r) ? comp_of(r)->profile : "";
}
size_t mxc_compliance_rule_count(const mxc_result_t *r)
{
  return comp_of(r) ? comp_of(r)->nrules : 0;
}
const char *mxc_compliance_rule_id(const mxc_result_t *r, size_t i)
{
  return rule_of(r, i) ? rule_of(r, i)->id : NULL;
}
const char *mxc_compliance_rule_title(const mxc_result_t *r, size_t i)
{
  return rule_of(r, i) ? rule_of(r, i)->title : NULL;
}
const char *mxc_compliance_rule_source(const mxc_result_t *r, size_t i)
{
  return rule_of(r, i) ? rule_of(r, i)->source : NULL;
}
mxc_rule_state_t mxc_compliance_rule_state(const mxc_result_t *r, size_t i)
{
  return rule_of(r, i) ? rule_of(r, i)->state : MXC_RULE_UNKNOWN;
}
const char *mxc_compliance_rule_evidence(const mxc_result_t *r, size_t i)
{
  return rule_of(r, i) ? rule_of(r, i)->evidence : NULL;
}
const char *mxc_compliance_rule_fix(const mxc_result_t *r, size_t i)
{
  return rule_of(r, i) ? rule_of(r, i)->fix : NULL;
}
mxc_unknown_t mxc_compliance_rule_unknown(const mxc_result_t *r, size_t i)
{
  return rule_of(r, i) ? rule_of(r, i)->why : MXC_UNKNOWN_NONE;
}
int mxc_compliance_rule_required(const mxc_result_t *r, size_t i)
{
  return rule_of(r, i) ? rule_of(r, i)->required : 0;
}

const char *mxc_unknown_str(mxc_unknown_t u)
{
  switch (u) {
  case MXC_UNKNOWN_NONE:
    return "";
  case MXC_UNKNOWN_NOT_APPLICABLE:
    return "not-applicable";
  case MXC_UNKNOWN_NOT_OBSERVABLE:
    return "not-observable-here";
  case MXC_UNKNOWN_NOT_IMPLEMENTED:
    return "not-implemented";
  case MXC_UNKNOWN_INDETERMINATE:
    return "indeterminate";
  }
  return "indeterminate";
}

/* The report's verdict: a required rule failed -> fail; else a required
 * rule indeterminate -> unknown (a temperror is never a pass nor a fail);
 * else a warning -> warn; else pass.  Unknown rules of the other kinds
 * (not applicable, not observable here, not implemented) do not count. */
static mxc_rule_state_t comp_state(const mxc_result_t *r)
{
  const struct mxci_comp *c = comp_of(r);
  int fail = 0, indet = 0, warn = 0;
  size_t i;
  if (c == NULL)
    return MXC_RULE_UNKNOWN;
  for (i = 0; i < c->nrules; i++) {
    const struct mxci_rule_res *x = &c->rules[i];
    if (x->state == MXC_RULE_FAIL && x->required)
      fail = 1;
    else if (x->state == MXC_RULE_UNKNOWN && x->required &&
             x->why == MXC_UNKNOWN_INDETERMINATE)
      indet = 1;
    else if (x->state == MXC_RULE_WARN || x->state == MXC_RULE_FAIL)
      warn = 1;
  }
  return fail ? MXC_RULE_FAIL
         : indet ? MXC_RULE_UNKNOWN
         : warn ? MXC_RULE_WARN
                : MXC_RULE_PASS;
}

mxc_rule_state_t mxc_compliance_worst(const mxc_result_t *r)
{
  size_t i;
  mxc_rule_state_t w = MXC_RULE_PASS;
  for (i = 0; i < mxc_compliance_rule_count(r); i++) {
    mxc_rule_state_t s = mxc_compliance_rule_state(r, i);
    if (s == MXC_RULE_FAIL)
      return s;
    if (s == MXC_RULE_WARN)
      w = s;
  }
  return w;
}
const mxc_result_t *mxc_compliance_sub(const mxc_result_t *r,
                                       const char *method)
{
  size_t i;
  const struct mxci_comp *c = comp_of(r);
  if (c == NULL || method == NULL)
    return NULL;
  for (i = 0; i < MXCI_SUB_N; i++)
    if (c->sub[i] && strcmp(c->sub[i]->method, method) == 0)
      return c->sub[i];
  return NULL;
}

/* ---- renderings ------------------------------------------------------------ */

static json_object *comp_object(const mxc_result_t *r)
{
  const struct mxci_comp *c = comp_of(r);
  json_object *o = json_object_new_object(), *a;
  size_t i;
  if (o == NULL || c == NULL)
    return o;
  json_object_object_add(o, "profile", json_object_new_string(c->profile));
  json_object_object_add(
      o, "verdict", json_object_new_string(mxc_rule_state_str(comp_state(r))));
  json_object_object_add(
      o, "worst",
      json_object_new_string(mxc_rule_state_str(mxc_compliance_worst(r))));
  json_object_object_add(o, "from_domain",
                         json_object_new_string(c->from_domain));
  a = json_object_new_array();
  for (i = 0; a && i < c->nrules; i++) {
    const struct mxci_rule_res *x = &c->rules[i];
    json_object *e = json_object_new_object();
    if (e == NULL)
      break; /* LCOV_EXCL_LINE: OutOfMemory */
    json_object_object_add(e, "id", json_object_new_string(x->id));
    json_object_object_add(e, "title", json_object_new_string(x->title));
    json_object_object_add(e, "state",
                           json_object_new_string(mxc_rule_state_str(x->state)));
    json_object_object_add(e, "required", json_object_new_boolean(x->required));
    json_object_object_add(e, "unknown",
                           x->state == MXC_RULE_UNKNOWN
                               ? json_object_new_string(mxc_unknown_str(x->why))
                               : NULL);
    json_object_object_add(e, "evidence", json_object_new_string(x->evidence));
    json_object_object_add(e, "fix", json_object_new_string(x->fix));
    json_object_object_add(e, "source", json_object_new_string(x->source));
    json_object_array_add(a, e);
  }
  json_object_object_add(o, "rules", a);
  return o;
}

static void comp_rules_text(struct mxci_buf *b, const mxc_result_t *r,
                            int color)
{
  static const mxc_rule_state_t order[] = {MXC_RULE_FAIL, MXC_RULE_WARN,
                                           MXC_RULE_UNKNOWN, MXC_RULE_PASS};
  static const char *const mark[] = {"ok  ", "WARN", "FAIL", " ?  "};
  static const char *const col[] = {MXCI_C_GREEN, MXCI_C_YELLOW, MXCI_C_RED,
                                    MXCI_C_YELLOW};
  const struct mxci_comp *c = comp_of(r);
  size_t i, k;
  if (c == NULL)
    return;
  mxci_buf_printf(b, "  compliance  profile %s: %s%s%s\n", c->profile,
                  color ? col[comp_state(r)] : "",
                  mxc_rule_state_str(comp_state(r)),
                  color ? MXCI_C_RESET : "");
  for (k = 0; k < 4; k++)
    for (i = 0; i < c->nrules; i++) {
      const struct mxci_rule_res *x = &c->rules[i];
      if (x->state != order[k])
        continue;
      mxci_buf_printf(b, "  %s[%s]%s %-4s %s%s: %s", color ? col[x->state] : "",
                      mark[x->state], color ? MXCI_C_RESET : "", x->id,
                      x->title, x->required ? "" : " (recommended)",
                      x->evidence);
      if (x->state == MXC_RULE_UNKNOWN)
        mxci_buf_printf(b, " [%s]", mxc_unknown_str(x->why));
      mxci_buf_puts(b, "\n");
      if (*x->fix)
        mxci_buf_printf(b, "              fix: %s\n", x->fix);
    }
  mxci_buf_puts(b, "  (a required rule [indeterminate] makes the verdict "
                  "unknown; other unknown rules do not count)\n");
}

static void comp_json(json_object *o, const mxc_result_t *r)
{
  const struct mxci_comp *c = MXCI_COMPR(r);
  size_t k;
  json_object_object_add(o, r->method, comp_object(r));
  for (k = 0; k < MXCI_SUB_N; k++)
    if (c->sub[k])
      mxci_json_members(o, c->sub[k]);
}

static void comp_text(struct mxci_buf *b, const mxc_result_t *r, int color,
                      int under)
{
  const struct mxci_comp *c = MXCI_COMPR(r);
  size_t k;
  (void)under;
  comp_rules_text(b, r, color);
  for (k = 0; k < MXCI_SUB_N; k++)
    if (c->sub[k])
      mxci_text_block(b, c->sub[k], color, 1);
}

/* Every method that was run, in the order iprev, spf, dkim, dmarc. */
static void comp_authres(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  const struct mxci_comp *c = MXCI_COMPR(r);
  size_t k;
  for (k = 0; k < MXCI_SUB_N; k++)
    if (c->sub[k])
      mxci_authres_of(b, c->sub[k], n);
}

const struct mxci_method mxci_compliance_method = {
    .name = "compliance",
    .subject = MXCI_SUBJECT_ADDRESS,
    .size = sizeof(struct mxci_comp),
    .clear = comp_clear,
    .copy = comp_copy,
    .json = comp_json,
    .text = comp_text,
    .state = comp_state,
    .authres = comp_authres,
};
