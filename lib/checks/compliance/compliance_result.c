/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * compliance_result.c -- the compliance part of a result: its life, the
 * accessors of mxcheck.h, the renderings (the rules, then each sub-result
 * through its own method) and the method table.
 */
#include "mxc_private.h"
#include "compliance_private.h"


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
  for (i = 0; i < c->ndmarc; i++)
    mxc_result_free(c->dmarc[i]);
  mxci_free(c->dmarc);
  mxci_free(c->profile);
  mxci_free(c->from_domain);
  mxci_free(c->mail_from);
  mxci_free(c->helo);
  for (i = 0; i < MXCI_ENV_N; i++)
    mxci_free(c->src[i]);
  mxci_free(c->trace_note);
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
  for (i = 0; i < MXCI_ENV_N; i++)
    bad |= mxci_strdup_opt(&b->src[i], a->src[i]);
  bad |= mxci_strdup_opt(&b->trace_note, a->trace_note);
  b->traced = a->traced;
  b->authors_over = a->authors_over;
  b->decisive = a->decisive;
  for (i = 0; i < MXCI_SUB_N; i++)
    if (a->sub[i] && (b->sub[i] = mxc_result_dup(a->sub[i])) == NULL)
      bad = -1; /* LCOV_EXCL_LINE: OutOfMemory */
  if (a->ndmarc) {
    b->dmarc = mxci_calloc(a->ndmarc, sizeof(*b->dmarc));
    if (b->dmarc == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
    for (i = 0; i < a->ndmarc; i++) {
      b->ndmarc++;
      if (a->dmarc[i] && (b->dmarc[i] = mxc_result_dup(a->dmarc[i])) == NULL)
        bad = -1; /* LCOV_EXCL_LINE: OutOfMemory */
    }
  }
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

size_t mxc_compliance_dmarc_count(const mxc_result_t *r)
{
  return comp_of(r) ? comp_of(r)->ndmarc : 0;
}
const mxc_result_t *mxc_compliance_dmarc(const mxc_result_t *r, size_t i)
{
  const struct mxci_comp *c = comp_of(r);
  return c && i < c->ndmarc ? c->dmarc[i] : NULL;
}
size_t mxc_compliance_dmarc_decisive(const mxc_result_t *r)
{
  return comp_of(r) ? comp_of(r)->decisive : 0;
}
size_t mxc_compliance_authors_over(const mxc_result_t *r)
{
  return comp_of(r) ? comp_of(r)->authors_over : 0;
}

/* Several author domains (or mailboxes past the limit): each domain's
 * DMARC result is shown, not only the decisive one. */
static int several_authors(const struct mxci_comp *c)
{
  return c->ndmarc > 1 || c->authors_over > 0;
}

/* The envelope: index of what, or -1. */
static int env_index(mxc_trace_t what)
{
  switch (what) {
  case MXC_TRACE_IP:
    return MXCI_ENV_IP;
  case MXC_TRACE_HELO:
    return MXCI_ENV_HELO;
  case MXC_TRACE_MAIL_FROM:
    return MXCI_ENV_MAIL_FROM;
  default:
    return -1;
  }
}

const char *mxc_compliance_envelope(const mxc_result_t *r, mxc_trace_t what)
{
  const struct mxci_comp *c = comp_of(r);
  int k = env_index(what);
  if (c == NULL || k < 0 || c->src[k] == NULL)
    return NULL;
  if (k == MXCI_ENV_IP)
    return r->address;
  if (k == MXCI_ENV_HELO)
    return c->helo ? c->helo : "";
  return c->mail_from ? c->mail_from : "";
}

const char *mxc_compliance_envelope_source(const mxc_result_t *r,
                                           mxc_trace_t what)
{
  const struct mxci_comp *c = comp_of(r);
  int k = env_index(what);
  return c == NULL || k < 0 ? NULL : c->src[k];
}

const char *mxc_compliance_envelope_note(const mxc_result_t *r)
{
  const struct mxci_comp *c = comp_of(r);
  return c && c->trace_note ? c->trace_note : "";
}

/* Shown when the envelope is not simply what was given: read from the
 * message, or missing. */
static int env_shown(const struct mxci_comp *c)
{
  size_t k;
  if (c->src[MXCI_ENV_IP] == NULL)
    return 1;
  for (k = 0; k < MXCI_ENV_N; k++)
    if (c->src[k] && strcmp(c->src[k], "given") != 0)
      return 1;
  return 0;
}

static const char *const env_names[MXCI_ENV_N] = {"ip", "helo", "mail_from"};
static const char *const env_words[MXCI_ENV_N] = {"client IP", "HELO",
                                                  "MAIL FROM"};

static void env_json(struct mxci_jw *w, const mxc_result_t *r)
{
  const struct mxci_comp *c = comp_of(r);
  static const mxc_trace_t what[MXCI_ENV_N] = {
      MXC_TRACE_IP, MXC_TRACE_HELO, MXC_TRACE_MAIL_FROM};
  size_t k;
  mxci_jw_object(w, "envelope");
  for (k = 0; k < MXCI_ENV_N; k++) {
    mxci_jw_object(w, env_names[k]);
    mxci_jw_str(w, "value", mxc_compliance_envelope(r, what[k]));
    mxci_jw_str(w, "source", c->src[k]);
    mxci_jw_end(w);
  }
  mxci_jw_array(w, "missing");
  for (k = 0; k < MXCI_ENV_N; k++)
    if (c->src[k] == NULL)
      mxci_jw_str(w, NULL, env_names[k]);
  mxci_jw_end(w);
  mxci_jw_str(w, "note", c->trace_note ? c->trace_note : "");
  mxci_jw_end(w);
}

static void env_text(struct mxci_buf *b, const mxc_result_t *r)
{
  const struct mxci_comp *c = comp_of(r);
  static const mxc_trace_t what[MXCI_ENV_N] = {
      MXC_TRACE_IP, MXC_TRACE_HELO, MXC_TRACE_MAIL_FROM};
  size_t k, nmiss = 0;
  for (k = 0; k < MXCI_ENV_N; k++) {
    const char *v = mxc_compliance_envelope(r, what[k]);
    if (c->src[k] == NULL) {
      nmiss++;
      continue;
    }
    mxci_buf_printf(b, "  %-10s  %s  (%s)\n", env_words[k],
                    k == MXCI_ENV_MAIL_FROM && *v == '\0' ? "<>" : v,
                    c->src[k]);
  }
  if (nmiss) {
    const char *sep = "";
    mxci_buf_puts(b, "  missing     ");
    for (k = 0; k < MXCI_ENV_N; k++)
      if (c->src[k] == NULL) {
        mxci_buf_printf(b, "%s%s", sep, env_words[k]);
        sep = ", ";
      }
    mxci_buf_puts(b, ": the rules that need it are unknown (give --ip, "
                     "--helo, --mail-from)\n");
  }
  if (c->trace_note && *c->trace_note)
    mxci_buf_printf(b, "  trace       %s\n", c->trace_note);
}

/* ---- renderings ------------------------------------------------------------ */

/* The subject: the client address as for any address result; without one
 * (a message checked alone), the message. */
static void comp_json_subject(struct mxci_jw *w, const mxc_result_t *r)
{
  const struct mxci_comp *c = comp_of(r);
  const mxc_result_t *d = c ? c->sub[MXCI_SUB_DKIM] : NULL;
  mxci_jw_str(w, "input", r->input ? r->input : "");
  if (r->error) {
    mxci_jw_str(w, "error", r->error);
    return;
  }
  if (r->family == 0) {
    mxci_jw_null(w, "address");
    if (d)
      mxci_jw_str(w, "message", d->input);
    return;
  }
  mxci_jw_str(w, "address", r->address);
  mxci_jw_int(w, "family", r->family);
  mxci_jw_bool(w, "ipv4_mapped", r->mapped);
}

static void comp_text_subject(struct mxci_buf *b, const mxc_result_t *r,
                              int col)
{
  const struct mxci_comp *c = comp_of(r);
  const mxc_result_t *d = c ? c->sub[MXCI_SUB_DKIM] : NULL;
  if (r->error) {
    mxci_buf_printf(b, "%s%s%s\n  error     %s\n", col ? MXCI_C_BOLD : "",
                    r->input ? r->input : "", col ? MXCI_C_RESET : "",
                    r->error);
    return;
  }
  if (r->family == 0) {
    mxci_buf_printf(b, "%smessage %s%s (client address not known)\n",
                    col ? MXCI_C_BOLD : "",
                    d && d->input ? d->input : "", col ? MXCI_C_RESET : "");
    return;
  }
  mxci_buf_printf(b, "%s%s%s (IPv%d%s)\n", col ? MXCI_C_BOLD : "",
                  r->address, col ? MXCI_C_RESET : "", r->family,
                  r->mapped ? ", given as IPv4-mapped IPv6" : "");
}

static void comp_object(struct mxci_jw *w, const mxc_result_t *r)
{
  const struct mxci_comp *c = comp_of(r);
  size_t i;
  mxci_jw_object(w, r->method);
  if (c == NULL) {
    mxci_jw_end(w);
    return;
  }
  mxci_jw_str(w, "profile", c->profile);
  mxci_jw_str(w, "verdict", mxc_rule_state_str(comp_state(r)));
  mxci_jw_str(w, "worst", mxc_rule_state_str(mxc_compliance_worst(r)));
  mxci_jw_str(w, "from_domain", c->from_domain);
  if (several_authors(c)) {
    /* every author domain evaluated (From order), which one decided,
     * and the mailboxes past the limit */
    mxci_jw_array(w, "author_domains");
    for (i = 0; i < c->ndmarc; i++)
      mxci_jw_str(w, NULL, mxc_dmarc_from_domain(c->dmarc[i]));
    mxci_jw_end(w);
    mxci_jw_str(w, "dmarc_decisive",
                c->ndmarc && c->dmarc[c->decisive]
                    ? mxc_dmarc_from_domain(c->dmarc[c->decisive])
                    : NULL);
    mxci_jw_int(w, "authors_not_evaluated", (int64_t)c->authors_over);
  }
  if (env_shown(c))
    env_json(w, r);
  mxci_jw_array(w, "rules");
  for (i = 0; i < c->nrules; i++) {
    const struct mxci_rule_res *x = &c->rules[i];
    mxci_jw_object(w, NULL);
    mxci_jw_str(w, "id", x->id);
    mxci_jw_str(w, "title", x->title);
    mxci_jw_str(w, "state", mxc_rule_state_str(x->state));
    mxci_jw_bool(w, "required", x->required);
    mxci_jw_str(w, "unknown",
                x->state == MXC_RULE_UNKNOWN ? mxc_unknown_str(x->why) : NULL);
    mxci_jw_str(w, "evidence", x->evidence);
    mxci_jw_str(w, "fix", x->fix);
    mxci_jw_str(w, "source", x->source);
    mxci_jw_end(w);
  }
  mxci_jw_end(w);
  mxci_jw_end(w);
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
  if (env_shown(c))
    env_text(b, r);
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

static void comp_json(struct mxci_jw *w, const mxc_result_t *r)
{
  const struct mxci_comp *c = MXCI_COMPR(r);
  size_t k;
  comp_object(w, r);
  for (k = 0; k < MXCI_SUB_N; k++)
    if (c->sub[k])
      mxci_json_members(w, c->sub[k]);
  if (several_authors(c)) {
    /* "dmarc" above is the decisive result; "dmarc_domains" has every
     * author domain's, in From order: a DMARC result's one member, its
     * "dmarc" object, is an element in an array (whose keys go unsaid) */
    mxci_jw_array(w, "dmarc_domains");
    for (k = 0; k < c->ndmarc; k++)
      if (c->dmarc[k])
        mxci_json_members(w, c->dmarc[k]);
    mxci_jw_end(w);
  }
}

static void comp_text(struct mxci_buf *b, const mxc_result_t *r, int color,
                      int under)
{
  const struct mxci_comp *c = MXCI_COMPR(r);
  size_t k;
  (void)under;
  comp_rules_text(b, r, color);
  for (k = 0; k < MXCI_SUB_N; k++) {
    size_t i;
    if (k != MXCI_SUB_DMARC || !several_authors(c)) {
      if (c->sub[k])
        mxci_text_block(b, c->sub[k], color, 1);
      continue;
    }
    /* every author domain's DMARC block, in From order */
    mxci_buf_printf(b, "  authors   %zu author domains", c->ndmarc);
    if (c->authors_over)
      mxci_buf_printf(b, " (%zu more From mailboxes not evaluated: at most "
                         "%d domains)",
                      c->authors_over, MXCI_MSG_MAX_AUTHORS);
    if (c->ndmarc && c->dmarc[c->decisive])
      mxci_buf_printf(b, "; DMARC of %s decides (the strictest failing "
                         "policy, RFC 7489 section 6.6.1)",
                      mxc_dmarc_from_domain(c->dmarc[c->decisive]));
    mxci_buf_puts(b, "\n");
    for (i = 0; i < c->ndmarc; i++)
      if (c->dmarc[i])
        mxci_text_block(b, c->dmarc[i], color, 1);
  }
}

/* Every method that was run, in the order iprev, spf, dkim, dmarc (one
 * per author domain), arc, ... */
static void comp_authres(struct mxci_buf *b, const mxc_result_t *r, int *n)
{
  const struct mxci_comp *c = MXCI_COMPR(r);
  size_t k;
  for (k = 0; k < MXCI_SUB_N; k++) {
    size_t i;
    if (k != MXCI_SUB_DMARC || c->ndmarc <= 1) {
      if (c->sub[k])
        mxci_authres_of(b, c->sub[k], n);
      continue;
    }
    /* one dmarc= per author domain, each with its header.from (RFC 8601
     * allows a method more than once, as dkim= for each signature) */
    for (i = 0; i < c->ndmarc; i++)
      if (c->dmarc[i])
        mxci_authres_of(b, c->dmarc[i], n);
  }
}

const struct mxci_method mxci_compliance_method = {
    .name = "compliance",
    .subject = MXCI_SUBJECT_ADDRESS,
    .size = sizeof(struct mxci_comp),
    .clear = comp_clear,
    .copy = comp_copy,
    .json_subject = comp_json_subject,
    .text_subject = comp_text_subject,
    .json = comp_json,
    .text = comp_text,
    .state = comp_state,
    .authres = comp_authres,
};
