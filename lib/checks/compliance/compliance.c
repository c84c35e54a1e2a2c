/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * compliance.c -- the sender requirements of Gmail, Yahoo and Microsoft as
 * a table of rules (doc: RULES, R1-R20) evaluated over the facts gathered
 * by iprev, SPF, DKIM, DMARC and the header checks (message.c); the
 * "compliance" check that runs them; its renderings; and the RFC 8601
 * Authentication-Results header field.
 */
#include "mxc_private.h"
#include "compliance_private.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>


/* ---- profiles ------------------------------------------------------------ */

#define P_GMAIL 1u
#define P_GMAIL_BULK 2u
#define P_YAHOO_BULK 4u
#define P_MS_BULK 8u
#define P_BULK (P_GMAIL_BULK | P_YAHOO_BULK | P_MS_BULK)
#define P_ALL (P_GMAIL | P_BULK)

static const struct {
  const char *name;
  unsigned bit;
} profiles[] = {{"gmail", P_GMAIL},
                {"gmail-bulk", P_GMAIL_BULK},
                {"yahoo-bulk", P_YAHOO_BULK},
                {"microsoft-bulk", P_MS_BULK}};

static unsigned profile_bit(const char *name)
{
  size_t i;
  for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
    if (strcmp(profiles[i].name, name) == 0)
      return profiles[i].bit;
  return 0;
}

/* ---- facts --------------------------------------------------------------- */

struct facts {
  unsigned profile;
  const mxc_result_t *iprev, *spf, *dkim, *dmarc; /* dmarc: the decisive */
  const mxc_result_t *const *dmarcs; /* each author domain's (From order) */
  size_t ndmarc;
  const mxc_result_t *arc; /* NULL: not verified (no ARC field) */
  const mxc_result_t *exist, *dnsbl; /* NULL: not run */
  const char *mail_from, *helo;
  const struct mxci_msg_facts *msg;
};

/* What one evaluator says. */
struct verdict {
  mxc_rule_state_t state;
  mxc_unknown_t why; /* set by ev(): indeterminate for unknown */
  struct mxci_buf ev;
  const char *fix; /* static */
};

static void ev(struct verdict *v, mxc_rule_state_t st, const char *fix,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void ev(struct verdict *v, mxc_rule_state_t st, const char *fix,
               const char *fmt, ...)
{
  va_list ap;
  char tmp[1024];
  v->state = st;
  v->why = st == MXC_RULE_UNKNOWN ? MXC_UNKNOWN_INDETERMINATE
                                  : MXC_UNKNOWN_NONE;
  v->fix = fix;
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  v->ev.len = 0;
  mxci_buf_puts(&v->ev, tmp);
}

static int bulk(const struct facts *f)
{
  return (f->profile & P_BULK) != 0;
}

static int has_warning(const mxc_result_t *r, const char *code)
{
  size_t i;
  for (i = 0; r && i < mxc_result_warning_count(r); i++)
    if (strcmp(mxc_result_warning_code(r, i), code) == 0)
      return 1;
  return 0;
}

/* A DKIM signature that passed, and the index of the first (or -1). */
static long dkim_first_pass(const mxc_result_t *d)
{
  size_t i;
  for (i = 0; d && i < mxc_dkim_sig_count(d); i++)
    if (mxc_dkim_sig_verdict(d, i) == MXC_VERDICT_PASS)
      return (long)i;
  return -1;
}

static int dkim_any_temperror(const mxc_result_t *d)
{
  size_t i;
  for (i = 0; d && i < mxc_dkim_sig_count(d); i++)
    if (mxc_dkim_sig_verdict(d, i) == MXC_VERDICT_TEMPERROR)
      return 1;
  return 0;
}

static int sig_covers(const mxc_result_t *d, size_t i, const char *h)
{
  size_t j;
  for (j = 0; j < mxc_dkim_sig_header_count(d, i); j++)
    if (strcasecmp(mxc_dkim_sig_header(d, i, j), h) == 0)
      return 1;
  return 0;
}

static mxc_verdict_t spf_verdict(const struct facts *f)
{
  return f->spf ? mxc_result_verdict(f->spf) : MXC_VERDICT_NONE;
}

/* ---- the evaluators (one per rule) --------------------------------------- */

#define FIX_PTR "publish a PTR record for the sending IP naming a host whose " \
                "A/AAAA record is that IP (ask the owner of the IP block)"

static void r1(const struct facts *f, struct verdict *v)
{
  size_t n;
  mxc_verdict_t vd;
  if (f->iprev == NULL) {
    ev(v, MXC_RULE_UNKNOWN, "", "the iprev check did not run");
    return;
  }
  n = mxc_iprev_ptr_count(f->iprev);
  vd = mxc_result_verdict(f->iprev);
  if (n == 0 && vd == MXC_VERDICT_TEMPERROR)
    ev(v, MXC_RULE_UNKNOWN, "retry: the reverse lookup failed temporarily",
       "PTR lookup of %s: %s", mxc_result_reverse_name(f->iprev),
       mxc_result_reason(f->iprev));
  else if (n == 0)
    ev(v, MXC_RULE_FAIL, FIX_PTR, "no PTR record at %s",
       mxc_result_reverse_name(f->iprev));
  else if (n > 1)
    ev(v, MXC_RULE_WARN, "keep one PTR record per address",
       "%zu PTR records (first %s)", n, mxc_iprev_ptr_name(f->iprev, 0));
  else
    ev(v, MXC_RULE_PASS, "", "PTR %s", mxc_iprev_ptr_name(f->iprev, 0));
}

static void r2(const struct facts *f, struct verdict *v)
{
  mxc_verdict_t vd;
  if (f->iprev == NULL) {
    ev(v, MXC_RULE_UNKNOWN, "", "the iprev check did not run");
    return;
  }
  vd = mxc_result_verdict(f->iprev);
  if (vd == MXC_VERDICT_PASS) {
    if (has_warning(f->iprev, "ipv6-ptr-name-has-only-a"))
      ev(v, MXC_RULE_WARN, "give the PTR name an AAAA record of the IPv6 "
                           "address",
         "iprev=pass, but a PTR name has only A records");
    else
      ev(v, MXC_RULE_PASS, "", "iprev=pass: %s maps back to %s",
         mxc_iprev_matched_name(f->iprev), mxc_result_address(f->iprev));
  } else if (vd == MXC_VERDICT_TEMPERROR) {
    ev(v, MXC_RULE_UNKNOWN, "retry later", "iprev=temperror: %s",
       mxc_result_reason(f->iprev));
  } else {
    ev(v, MXC_RULE_FAIL,
       "make the PTR name's A/AAAA record the sending IP (forward-confirmed "
       "reverse DNS)",
       "iprev=%s: %s", mxc_verdict_str(vd), mxc_result_reason(f->iprev));
  }
}

static void r3(const struct facts *f, struct verdict *v)
{
  if (f->iprev == NULL || mxc_iprev_ptr_count(f->iprev) == 0)
    ev(v, MXC_RULE_UNKNOWN, "", "no PTR name to judge");
  else if (has_warning(f->iprev, "generic-name"))
    ev(v, MXC_RULE_WARN, "use a meaningful PTR name (e.g. mail.example.com)",
       "PTR name %s looks generic or dynamic",
       mxc_iprev_ptr_name(f->iprev, 0));
  else
    ev(v, MXC_RULE_PASS, "", "PTR name %s does not look generic",
       mxc_iprev_ptr_name(f->iprev, 0));
}

static int helo_syntax_ok(const char *h)
{
  size_t i, dots = 0;
  if (*h == '[')
    return h[strlen(h) - 1] == ']';
  for (i = 0; h[i]; i++) {
    unsigned char c = (unsigned char)h[i];
    if (c == '.')
      dots++;
    else if (!isalnum(c) && c != '-' && c != '_')
      return 0;
  }
  return i > 0 && i <= 253;
}

static void r4(const struct facts *f, struct verdict *v)
{
  const char *m;
  if (f->helo == NULL) {
    ev(v, MXC_RULE_UNKNOWN, "", "no HELO name given (--helo)");
    return;
  }
  if (!helo_syntax_ok(f->helo)) {
    ev(v, MXC_RULE_FAIL, "send EHLO with the server's fully qualified name",
       "HELO \"%s\" is not a host name or address literal", f->helo);
    return;
  }
  if (f->helo[0] == '[' || strchr(f->helo, '.') == NULL) {
    ev(v, MXC_RULE_WARN, "send EHLO with the server's fully qualified name",
       "HELO \"%s\" is an address literal or not fully qualified", f->helo);
    return;
  }
  m = f->iprev ? mxc_iprev_matched_name(f->iprev) : NULL;
  if (m == NULL &&
      (f->iprev == NULL || mxc_result_verdict(f->iprev) == MXC_VERDICT_TEMPERROR))
    ev(v, MXC_RULE_UNKNOWN, "retry later",
       "HELO %s: the PTR name is not known (iprev did not finish)", f->helo);
  else if (m && mxci_name_eq(m, f->helo))
    ev(v, MXC_RULE_PASS, "", "HELO %s is the PTR name", f->helo);
  else
    ev(v, MXC_RULE_WARN, "send EHLO with the name the PTR record gives",
       "HELO %s is not the confirmed PTR name (%s); whether it resolves is "
       "not checked",
       f->helo, m ? m : "none");
}

static void r5(const struct facts *f, struct verdict *v)
{
  mxc_verdict_t vd;
  const char *rec;
  if (f->spf == NULL) {
    ev(v, MXC_RULE_UNKNOWN, "", "SPF not checked: give --mail-from/--helo");
    return;
  }
  vd = mxc_result_verdict(f->spf);
  rec = mxc_spf_record(f->spf);
  if (vd == MXC_VERDICT_PASS) {
    if (strstr(rec, "+all") || strstr(rec, "?all"))
      ev(v, MXC_RULE_WARN, "end the SPF record with ~all or -all",
         "spf=pass for %s, but the record allows everyone (%s)",
         mxc_spf_domain(f->spf), rec);
    else
      ev(v, MXC_RULE_PASS, "", "spf=pass for %s", mxc_spf_domain(f->spf));
  } else if (vd == MXC_VERDICT_TEMPERROR) {
    ev(v, MXC_RULE_UNKNOWN, "retry later", "spf=temperror: %s",
       mxc_result_reason(f->spf));
  } else if (vd == MXC_VERDICT_PERMERROR) {
    ev(v, MXC_RULE_FAIL, "fix the SPF record (syntax, lookup limits)",
       "spf=permerror: %s", mxc_result_reason(f->spf));
  } else {
    ev(v, bulk(f) ? MXC_RULE_FAIL : MXC_RULE_WARN,
       "authorise the sending IP in the SPF record of the MAIL FROM domain",
       "spf=%s for %s: %s", mxc_verdict_str(vd),
       *mxc_spf_domain(f->spf) ? mxc_spf_domain(f->spf) : "(none)",
       mxc_result_reason(f->spf));
  }
}

static void r6(const struct facts *f, struct verdict *v)
{
  long p;
  size_t i;
  unsigned bits;
  if (f->dkim == NULL) {
    ev(v, MXC_RULE_UNKNOWN, "", "no message given (--message): DKIM not "
                                "checked");
    return;
  }
  p = dkim_first_pass(f->dkim);
  if (p < 0) {
    if (dkim_any_temperror(f->dkim))
      ev(v, MXC_RULE_UNKNOWN, "retry later", "dkim=temperror");
    else
      ev(v, bulk(f) ? MXC_RULE_FAIL : MXC_RULE_WARN,
         "sign with DKIM (a 2048-bit RSA key) at the sending server",
         "no valid DKIM signature (%zu signature(s))",
         mxc_dkim_sig_count(f->dkim));
    return;
  }
  i = (size_t)p;
  bits = mxc_dkim_sig_key_bits(f->dkim, i);
  if (strcmp(mxc_dkim_sig_key_type(f->dkim, i), "rsa") == 0 && bits &&
      bits < 1024)
    ev(v, MXC_RULE_FAIL, "use an RSA key of 2048 bits",
       "d=%s key is %u bits (< 1024)", mxc_dkim_sig_domain(f->dkim, i), bits);
  else if (strcmp(mxc_dkim_sig_algorithm(f->dkim, i), "rsa-sha1") == 0)
    ev(v, MXC_RULE_FAIL, "sign with rsa-sha256 (RFC 8301)",
       "d=%s signs with rsa-sha1", mxc_dkim_sig_domain(f->dkim, i));
  else if (!sig_covers(f->dkim, i, "from"))
    ev(v, MXC_RULE_FAIL, "include From in h=",
       "d=%s does not sign From", mxc_dkim_sig_domain(f->dkim, i));
  else if (strcmp(mxc_dkim_sig_key_type(f->dkim, i), "rsa") == 0 && bits &&
           bits < 2048)
    ev(v, MXC_RULE_WARN, "use a 2048-bit RSA key",
       "dkim=pass d=%s s=%s, %u-bit key", mxc_dkim_sig_domain(f->dkim, i),
       mxc_dkim_sig_selector(f->dkim, i), bits);
  else if (mxc_dkim_sig_body_length(f->dkim, i) >= 0 ||
           mxc_dkim_sig_testing(f->dkim, i))
    ev(v, MXC_RULE_WARN, "drop l= and t=y",
       "dkim=pass d=%s with l= or t=y", mxc_dkim_sig_domain(f->dkim, i));
  else
    ev(v, MXC_RULE_PASS, "", "dkim=pass d=%s s=%s (%s)",
       mxc_dkim_sig_domain(f->dkim, i), mxc_dkim_sig_selector(f->dkim, i),
       mxc_dkim_sig_algorithm(f->dkim, i));
}

static void r7(const struct facts *f, struct verdict *v)
{
  int spf = spf_verdict(f) == MXC_VERDICT_PASS;
  int dkim = dkim_first_pass(f->dkim) >= 0;
  if (spf || dkim)
    ev(v, MXC_RULE_PASS, "", "%s pass%s",
       spf && dkim ? "SPF and DKIM" : spf ? "SPF" : "DKIM",
       spf && dkim ? "" : "es");
  else if (f->spf == NULL && f->dkim == NULL)
    ev(v, MXC_RULE_UNKNOWN, "", "neither SPF nor DKIM was checked");
  else if (f->spf == NULL && !dkim_any_temperror(f->dkim))
    /* SPF could pass: not knowing the envelope is no failure */
    ev(v, MXC_RULE_UNKNOWN, "", "DKIM does not pass; SPF not checked (no "
                                "client IP or MAIL FROM)");
  else if (spf_verdict(f) == MXC_VERDICT_TEMPERROR ||
           dkim_any_temperror(f->dkim))
    ev(v, MXC_RULE_UNKNOWN, "retry later", "a temporary DNS error");
  else
    ev(v, MXC_RULE_FAIL, "make SPF or DKIM pass (Gmail 5.7.26)",
       "neither SPF nor DKIM passes%s",
       f->spf == NULL ? " (SPF not checked)"
                      : f->dkim == NULL ? " (no message: DKIM not checked)"
                                        : "");
}

static void r8(const struct facts *f, struct verdict *v)
{
  int spf = spf_verdict(f) == MXC_VERDICT_PASS;
  int dkim = dkim_first_pass(f->dkim) >= 0;
  if (spf && dkim)
    ev(v, MXC_RULE_PASS, "", "SPF and DKIM pass");
  else if ((!spf && f->spf == NULL) || (!dkim && f->dkim == NULL))
    ev(v, MXC_RULE_UNKNOWN, "", "%s not checked",
       f->spf == NULL ? "SPF" : "DKIM");
  else if ((!spf && spf_verdict(f) == MXC_VERDICT_TEMPERROR) ||
           (!dkim && dkim_any_temperror(f->dkim)))
    ev(v, MXC_RULE_UNKNOWN, "retry later", "a temporary DNS error");
  else
    ev(v, MXC_RULE_FAIL, "bulk senders need both SPF and DKIM to pass",
       "%s does not pass", spf ? "DKIM" : dkim ? "SPF" : "SPF nor DKIM");
}

static void r9_one(const struct facts *f, const mxc_result_t *d,
                   struct verdict *v)
{
  mxc_verdict_t vd;
  const char *pol;
  if (d == NULL) {
    ev(v, MXC_RULE_UNKNOWN, "",
       f->msg->present ? "no From domain: DMARC not checked"
                       : "no message (--message): DMARC not checked");
    return;
  }
  vd = mxc_result_verdict(d);
  pol = mxc_dmarc_policy(d);
  if (vd == MXC_VERDICT_TEMPERROR && !*pol)
    ev(v, MXC_RULE_UNKNOWN, "retry later", "dmarc=temperror: %s",
       mxc_result_reason(d));
  else if (vd == MXC_VERDICT_PERMERROR)
    ev(v, MXC_RULE_FAIL, "publish a valid record: v=DMARC1; p=none; rua=...",
       "dmarc=permerror: %s", mxc_result_reason(d));
  else if (!*pol)
    ev(v, bulk(f) ? MXC_RULE_FAIL : MXC_RULE_WARN,
       "publish _dmarc.<domain> TXT \"v=DMARC1; p=none; rua=mailto:...\"",
       "no DMARC record for %s", mxc_dmarc_from_domain(d));
  else if (mxc_dmarc_tag(d, "rua") == NULL)
    ev(v, MXC_RULE_WARN, "add rua=mailto:... to receive aggregate reports",
       "p=%s at _dmarc.%s, no rua=", pol, mxc_dmarc_record_domain(d));
  else if (strcmp(pol, "none") == 0)
    ev(v, MXC_RULE_WARN, "move to p=quarantine once reports are clean",
       "p=none at _dmarc.%s (allowed)", mxc_dmarc_record_domain(d));
  else
    ev(v, MXC_RULE_PASS, "", "p=%s at _dmarc.%s", pol,
       mxc_dmarc_record_domain(d));
}

static void r10_one(const struct facts *f, const mxc_result_t *d,
                    struct verdict *v)
{
  int spf = 0, dkim = 0, indirect;
  size_t i;
  if (d == NULL) {
    ev(v, MXC_RULE_UNKNOWN, "", "DMARC not checked");
    return;
  }
  if (spf_verdict(f) == MXC_VERDICT_PASS)
    spf = mxc_dmarc_spf_aligned(d) == 1;
  for (i = 0; f->dkim && i < mxc_dmarc_dkim_count(d); i++)
    if (mxc_dmarc_dkim_aligned(d, i) == 1 &&
        i < mxc_dkim_sig_count(f->dkim) &&
        mxc_dkim_sig_verdict(f->dkim, i) == MXC_VERDICT_PASS)
      dkim = 1;
  indirect = f->msg->list_id || f->msg->arc;
  if (spf && dkim)
    ev(v, MXC_RULE_PASS, "", "SPF and DKIM both aligned with %s",
       mxc_dmarc_from_domain(d));
  else if (dkim && f->spf == NULL)
    ev(v, MXC_RULE_UNKNOWN, "", "DKIM aligned with %s; SPF not checked (no "
                                "client IP or MAIL FROM)",
       mxc_dmarc_from_domain(d));
  else if (spf || dkim)
    ev(v, MXC_RULE_WARN, "align the other one too (Gmail: likely required "
                         "later)",
       "only %s aligned with %s", spf ? "SPF" : "DKIM",
       mxc_dmarc_from_domain(d));
  else if (mxc_result_verdict(d) == MXC_VERDICT_TEMPERROR)
    ev(v, MXC_RULE_UNKNOWN, "retry later", "dmarc=temperror");
  else if (f->spf == NULL)
    ev(v, MXC_RULE_UNKNOWN, "", "no DKIM signature aligned with %s; SPF "
                                "not checked (no client IP or MAIL FROM)",
       mxc_dmarc_from_domain(d));
  else {
    const char *pol = mxc_dmarc_policy(d);
    /* The From domain's own policy rejects or quarantines such mail, and
     * Yahoo wants DMARC to pass: a fail whatever the volume. */
    int enforced = mxc_result_verdict(d) == MXC_VERDICT_FAIL &&
                   (strcmp(pol, "reject") == 0 ||
                    strcmp(pol, "quarantine") == 0);
    int yahoo = (f->profile & P_YAHOO_BULK) &&
                mxc_result_verdict(d) != MXC_VERDICT_PASS;
    ev(v, enforced || yahoo || (bulk(f) && !indirect) ? MXC_RULE_FAIL
                                                      : MXC_RULE_WARN,
       "sign with d= of the From domain (or use a MAIL FROM in it)",
       "no passing identifier aligned with From domain %s (dmarc=%s%s%s)%s",
       mxc_dmarc_from_domain(d),
       mxc_verdict_str(mxc_result_verdict(d)), *pol ? ", p=" : "",
       pol, indirect ? "; list/forwarded mail" : "");
  }
}

/* A rule over every author domain (RFC 7489 section 6.6.1: DMARC is
 * evaluated for each).  One domain: its verdict as is.  Several: the worst
 * state decides (fail, then unknown, then warn, then pass) with its fix and
 * why; the evidence is every domain's, prefixed by the domain.  Mailboxes
 * past MXCI_MSG_MAX_AUTHORS were not evaluated: the rule cannot pass. */
static int state_rank(mxc_rule_state_t s)
{
  switch (s) {
  case MXC_RULE_FAIL:
    return 3;
  case MXC_RULE_UNKNOWN:
    return 2;
  case MXC_RULE_WARN:
    return 1;
  default:
    return 0;
  }
}

static void per_author(const struct facts *f, struct verdict *v,
                       void (*one)(const struct facts *,
                                   const mxc_result_t *, struct verdict *))
{
  size_t i;
  int worst = -1;
  if (f->ndmarc <= 1 && f->msg->authors_over == 0) {
    one(f, f->dmarc, v);
    return;
  }
  v->ev.len = 0;
  for (i = 0; i < f->ndmarc; i++) {
    struct verdict t;
    memset(&t, 0, sizeof(t));
    if (f->dmarcs[i] == NULL)
      ev(&t, MXC_RULE_UNKNOWN, "retry later", "DMARC not evaluated (the "
                                              "check could not start)");
    else
      one(f, f->dmarcs[i], &t);
    mxci_buf_printf(&v->ev, "%s%s: %s", i ? "; " : "",
                    f->msg->author[i], t.ev.s ? t.ev.s : "");
    if (state_rank(t.state) > worst) {
      worst = state_rank(t.state);
      v->state = t.state;
      v->why = t.why;
      v->fix = t.fix;
    }
    mxci_free(t.ev.s);
  }
  if (f->msg->authors_over) {
    mxci_buf_printf(&v->ev, "%s%zu more From mailbox(es) not evaluated (at "
                            "most %d author domains)",
                    v->ev.len ? "; " : "", f->msg->authors_over,
                    MXCI_MSG_MAX_AUTHORS);
    if (v->state == MXC_RULE_PASS || v->state == MXC_RULE_WARN) {
      v->state = MXC_RULE_UNKNOWN;
      v->why = MXC_UNKNOWN_INDETERMINATE;
      v->fix = "send with one author (one From mailbox)";
    }
  }
}

static void r9(const struct facts *f, struct verdict *v)
{
  per_author(f, v, r9_one);
}

static void r10(const struct facts *f, struct verdict *v)
{
  per_author(f, v, r10_one);
}

static int gmail_domain(const char *d)
{
  return strcmp(d, "gmail.com") == 0 || strcmp(d, "googlemail.com") == 0;
}

/* Every author domain: one of Gmail's whose DMARC does not pass fails. */
static void r11(const struct facts *f, struct verdict *v)
{
  const char *d = f->msg->from_domain;
  size_t i;
  if (!f->msg->present || !*d) {
    ev(v, MXC_RULE_UNKNOWN, "", "no From domain");
    return;
  }
  for (i = 0; i < f->msg->nauthors; i++) {
    const mxc_result_t *r = i < f->ndmarc ? f->dmarcs[i] : NULL;
    d = f->msg->author[i];
    if (gmail_domain(d) &&
        (r == NULL || mxc_result_verdict(r) != MXC_VERDICT_PASS)) {
      ev(v, MXC_RULE_FAIL, "do not send as @gmail.com from your own servers",
         "From domain %s, but DMARC does not pass (not sent by Google)", d);
      return;
    }
  }
  for (i = 0; i < f->msg->nauthors; i++)
    if (gmail_domain(f->msg->author[i])) {
      ev(v, MXC_RULE_PASS, "", "From %s and DMARC passes",
         f->msg->author[i]);
      return;
    }
  ev(v, MXC_RULE_PASS, "", "From domain %s is not Gmail's",
     f->msg->from_domain);
  if (f->msg->nauthors > 1) {
    v->ev.len = 0;
    mxci_buf_puts(&v->ev, "From domains");
    for (i = 0; i < f->msg->nauthors; i++)
      mxci_buf_printf(&v->ev, "%s %s", i ? "," : "", f->msg->author[i]);
    mxci_buf_puts(&v->ev, " are not Gmail's");
  }
}

static void r12(const struct facts *f, struct verdict *v)
{
  size_t i, nfail = 0;
  const struct mxci_msg_facts *m = f->msg;
  if (!m->present) {
    ev(v, MXC_RULE_UNKNOWN, "", "no message given (--message)");
    return;
  }
  for (i = 0; i < m->nfind; i++)
    nfail += m->find[i].fail != 0;
  v->ev.len = 0;
  if (m->nfind == 0) {
    ev(v, MXC_RULE_PASS, "", "one From mailbox, Message-ID and Date valid, "
                             "no duplicate or malformed fields");
    return;
  }
  v->state = nfail ? MXC_RULE_FAIL : MXC_RULE_WARN;
  v->fix = "fix the header as the evidence says (RFC 5322)";
  for (i = 0; i < m->nfind; i++) {
    if (i)
      mxci_buf_puts(&v->ev, "; ");
    mxci_buf_puts(&v->ev, m->find[i].text);
  }
}

static void r13(const struct facts *f, struct verdict *v)
{
  const mxc_result_t *x = f->exist;
  mxc_verdict_t vd;
  size_t i;
  if (x == NULL) {
    ev(v, MXC_RULE_UNKNOWN, "", "no MAIL FROM or From domain given "
                                "(--mail-from, --message)");
    return;
  }
  vd = mxc_result_verdict(x);
  ev(v, vd == MXC_VERDICT_PASS        ? MXC_RULE_PASS
        : vd == MXC_VERDICT_TEMPERROR ? MXC_RULE_UNKNOWN
                                      : MXC_RULE_FAIL,
     vd == MXC_VERDICT_TEMPERROR
         ? "retry later"
         : "send from domains that exist and take mail (an MX record, no "
           "null MX)",
     "%s", "");
  v->ev.len = 0;
  for (i = 0; i < mxc_exist_count(x); i++) {
    mxc_exist_state_t s = mxc_exist_state(x, i);
    /* pass: every domain; fail: the failing ones; else the undecided */
    if (vd != MXC_VERDICT_PASS &&
        (vd == MXC_VERDICT_TEMPERROR) != (s == MXC_EXIST_TEMPERROR))
      continue;
    if (vd == MXC_VERDICT_FAIL && s == MXC_EXIST_YES)
      continue;
    mxci_buf_printf(&v->ev, "%s%s%s%s: %s", v->ev.len ? "; " : "",
                    mxc_exist_domain(x, i), s == MXC_EXIST_YES ? "" : " ",
                    s == MXC_EXIST_YES ? "" : mxc_exist_state_str(s),
                    mxc_exist_detail(x, i));
  }
}

static void r14(const struct facts *f, struct verdict *v)
{
  (void)f;
  ev(v, MXC_RULE_UNKNOWN, "", "TLS of the hop was not observed (only a "
                              "milter sees it)");
  v->why = MXC_UNKNOWN_NOT_OBSERVABLE;
}

static void r15(const struct facts *f, struct verdict *v)
{
  const struct mxci_msg_facts *m = f->msg;
  int covered = 0, promo;
  long p;
  size_t i;
  if (!m->present) {
    ev(v, MXC_RULE_UNKNOWN, "", "no message given (--message)");
    return;
  }
  for (i = 0; f->dkim && i < mxc_dkim_sig_count(f->dkim); i++)
    if (mxc_dkim_sig_verdict(f->dkim, i) == MXC_VERDICT_PASS &&
        sig_covers(f->dkim, i, "list-unsubscribe") &&
        sig_covers(f->dkim, i, "list-unsubscribe-post"))
      covered = 1;
  p = dkim_first_pass(f->dkim);
  (void)p;
  promo = m->lu_present || m->list_id || m->precedence_bulk;
  if (m->lu_https && m->lup_ok && covered) {
    ev(v, MXC_RULE_PASS, "", "RFC 8058 one-click: https List-Unsubscribe, "
                             "List-Unsubscribe-Post, both DKIM-signed");
    return;
  }
  if (m->lu_https && m->lup_ok && !covered && dkim_any_temperror(f->dkim))
    ev(v, MXC_RULE_UNKNOWN, "retry later",
       "one-click fields present; whether a signature covers them is not "
       "known (a temporary DNS error)");
  else if (m->lu_https && m->lup_ok)
    ev(v, MXC_RULE_FAIL, "sign List-Unsubscribe and List-Unsubscribe-Post "
                         "with DKIM (h=)",
       "one-click fields present, but no passing DKIM signature covers both");
  else if (m->lu_mailto && !m->lu_https && (f->profile & P_YAHOO_BULK))
    ev(v, MXC_RULE_WARN, "add an https URI and List-Unsubscribe-Post",
       "List-Unsubscribe has only mailto: (acceptable to Yahoo)");
  else if (promo)
    ev(v, MXC_RULE_FAIL,
       "add List-Unsubscribe: <https://...> and List-Unsubscribe-Post: "
       "List-Unsubscribe=One-Click, both signed",
       "no RFC 8058 one-click unsubscribe (%s%s%s)",
       !m->lu_present ? "no List-Unsubscribe"
       : !m->lu_https ? "no https URI in List-Unsubscribe"
                      : "https URI",
       m->lup_present && !m->lup_ok ? ", List-Unsubscribe-Post wrong" : "",
       !m->lup_present ? ", no List-Unsubscribe-Post" : "");
  else
    ev(v, MXC_RULE_WARN, "marketing mail needs one-click unsubscribe",
       "no List-Unsubscribe: fine for transactional mail only (whether the "
       "message is marketing cannot be told)");
}

static void r16(const struct facts *f, struct verdict *v)
{
  const struct mxci_msg_facts *m = f->msg;
  if (!m->present)
    ev(v, MXC_RULE_UNKNOWN, "", "no message given (--message)");
  else if (f->arc && mxc_result_verdict(f->arc) == MXC_VERDICT_PASS)
    ev(v, MXC_RULE_PASS, "", "arc=pass: %s", mxc_result_reason(f->arc));
  else if (f->arc && mxc_result_verdict(f->arc) == MXC_VERDICT_TEMPERROR)
    ev(v, MXC_RULE_UNKNOWN, "retry later", "arc=temperror: %s",
       mxc_result_reason(f->arc));
  else if (f->arc && mxc_result_verdict(f->arc) != MXC_VERDICT_NONE)
    ev(v, MXC_RULE_FAIL,
       "the forwarder or list whose ARC set fails must fix its ARC signer "
       "(receivers ignore a broken chain)",
       "arc=%s: %s", mxc_verdict_str(mxc_result_verdict(f->arc)),
       mxc_result_reason(f->arc));
  else if (m->arc && m->arc_cv_fail)
    ev(v, MXC_RULE_WARN, "fix the ARC chain", "ARC-Seal with cv=fail");
  else if (m->arc)
    ev(v, MXC_RULE_PASS, "", "ARC-Seal present (chain not verified)%s",
       m->list_id ? ", List-Id present" : "");
  else if (m->list_id)
    ev(v, MXC_RULE_WARN, "forwarders and lists should add ARC headers",
       "List-Id present, no ARC-Seal");
  else
    ev(v, MXC_RULE_PASS, "", "direct mail (no List-Id, no ARC)");
}

static int ascii(const char *s)
{
  for (; s && *s; s++)
    if ((unsigned char)*s >= 0x80)
      return 0;
  return 1;
}

static void r17(const struct facts *f, struct verdict *v)
{
  if (ascii(f->msg->from_domain) && ascii(f->mail_from) && ascii(f->helo))
    ev(v, MXC_RULE_PASS, "", "ASCII domains");
  else
  {
    ev(v, MXC_RULE_UNKNOWN, "", "non-ASCII domain: UTS #39 confusables not "
                                "checked");
    v->why = MXC_UNKNOWN_NOT_IMPLEMENTED;
  }
}

static void r18(const struct facts *f, struct verdict *v)
{
  const struct mxci_msg_facts *m = f->msg;
  if (!m->present || m->from_count == 0)
    ev(v, MXC_RULE_UNKNOWN, "", "no From field");
  else if (m->display_other_domain)
    ev(v, MXC_RULE_WARN, "do not put an address in the display name",
       "display name holds an address at %s, From is at %s",
       m->display_domain, m->from_domain);
  else if (m->display_has_addr)
    ev(v, MXC_RULE_WARN, "do not put an address in the display name",
       "display name holds an address");
  else
    ev(v, MXC_RULE_PASS, "", "display name without an address");
}

static void r19(const struct facts *f, struct verdict *v)
{
  const mxc_result_t *x = f->dnsbl;
  mxc_verdict_t vd;
  size_t i;
  if (x == NULL) {
    ev(v, MXC_RULE_UNKNOWN, "", "no DNS blocklist configured (--dnsbl "
                                "ZONE; public lists refuse public "
                                "resolvers)");
    return;
  }
  vd = mxc_result_verdict(x);
  if (vd == MXC_VERDICT_PASS) {
    ev(v, MXC_RULE_PASS, "", "%s", "");
    v->ev.len = 0;
    mxci_buf_printf(&v->ev, "not listed on");
    for (i = 0; i < mxc_dnsbl_count(x); i++)
      mxci_buf_printf(&v->ev, "%s %s", i ? "," : "", mxc_dnsbl_zone(x, i));
    return;
  }
  /* listed: fail (a recommendation: shown as warn); a refusal or an error
   * is never a listing: unknown with its reason */
  ev(v, vd == MXC_VERDICT_FAIL ? MXC_RULE_FAIL : MXC_RULE_UNKNOWN,
     vd == MXC_VERDICT_FAIL
         ? "find out why the list lists the IP, stop it, then request "
           "removal"
         : "ask the lists through a resolver of your own (not a public "
           "one), within their usage limits",
     "%s", "");
  v->ev.len = 0;
  for (i = 0; i < mxc_dnsbl_count(x); i++) {
    mxc_dnsbl_state_t s = mxc_dnsbl_state(x, i);
    if (s == MXC_DNSBL_NOT_LISTED)
      continue;
    mxci_buf_printf(&v->ev, "%s%s %s", v->ev.len ? "; " : "",
                    mxc_dnsbl_zone(x, i), mxc_dnsbl_state_str(s));
    if (s == MXC_DNSBL_LISTED)
      mxci_buf_printf(&v->ev, " (%s)", mxc_dnsbl_codes(x, i));
    if (*mxc_dnsbl_text(x, i))
      mxci_buf_printf(&v->ev, ": %s", mxc_dnsbl_text(x, i));
  }
}

static void r20(const struct facts *f, struct verdict *v)
{
  struct verdict a = {0}, b = {0}, c = {0};
  if (f->iprev == NULL) {
    ev(v, MXC_RULE_UNKNOWN, "", "the iprev check did not run");
    return;
  }
  if (mxc_result_family(f->iprev) != 6) {
    ev(v, MXC_RULE_UNKNOWN, "", "IPv4 client: the IPv6 rule does not apply");
    v->why = MXC_UNKNOWN_NOT_APPLICABLE;
    return;
  }
  r1(f, &a);
  r2(f, &b);
  r7(f, &c);
  if (a.state == MXC_RULE_FAIL || b.state == MXC_RULE_FAIL ||
      c.state == MXC_RULE_FAIL)
    ev(v, MXC_RULE_FAIL,
       "IPv6 senders need PTR/FCrDNS AND SPF or DKIM (Gmail 550 5.7.1)",
       "IPv6 client:%s%s%s", a.state == MXC_RULE_FAIL ? " no PTR;" : "",
       b.state == MXC_RULE_FAIL ? " PTR not forward-confirmed;" : "",
       c.state == MXC_RULE_FAIL ? " not authenticated (neither SPF nor DKIM "
                                  "passes)"
                                : " authenticated");
  else if (a.state == MXC_RULE_UNKNOWN || b.state == MXC_RULE_UNKNOWN ||
           c.state == MXC_RULE_UNKNOWN)
    ev(v, MXC_RULE_UNKNOWN, "", "IPv6 client: PTR or authentication "
                                "undecided");
  else
    ev(v, MXC_RULE_PASS, "", "IPv6 client with FCrDNS and authentication");
  mxci_free(a.ev.s);
  mxci_free(b.ev.s);
  mxci_free(c.ev.s);
}

/* ---- the table ------------------------------------------------------------ */

struct rule {
  const char *id;
  unsigned profiles; /* where it applies */
  unsigned required; /* profiles where it is required (else recommended:
                      * a fail is reported as warn) */
  const char *title;
  const char *source;
  void (*eval)(const struct facts *f, struct verdict *v);
};

static const struct rule rule_table[] = {
    {"R1", P_ALL, P_ALL, "PTR record for the sending IP", "G-GL26 Y-BP25", r1},
    {"R2", P_ALL, P_ALL, "forward-confirmed reverse DNS", "G-GL26 G-ERR26", r2},
    {"R3", P_ALL, 0, "meaningful, non-generic PTR name", "Y-BP25", r3},
    {"R4", P_ALL, 0, "HELO name sanity", "G-ERR26", r4},
    {"R5", P_ALL, P_ALL, "SPF", "G-GL26 G-ERR26 MS-25", r5},
    {"R6", P_ALL, P_ALL, "DKIM signature", "G-GL26 Y-BP25", r6},
    {"R7", P_ALL, P_ALL, "SPF or DKIM passes", "G-GL26 G-ERR26", r7},
    {"R8", P_BULK, P_BULK, "SPF and DKIM both pass", "G-FAQ26 MS-25 Y-BP25",
     r8},
    {"R9", P_ALL, P_BULK, "DMARC record", "G-FAQ26 G-ERR26 Y-BP25 MS-25", r9},
    {"R10", P_ALL, P_ALL, "DMARC alignment", "G-FAQ26 Y-BP25 MS-25", r10},
    {"R11", P_ALL, P_ALL, "no gmail.com impersonation", "G-GL26 G-FAQ26", r11},
    {"R12", P_ALL, P_ALL, "RFC 5322 message format", "G-GL26 G-ERR26 Y-ERR26",
     r12},
    {"R13", P_ALL, P_ALL, "MAIL FROM and From domains exist", "Y-ERR26", r13},
    {"R14", P_ALL, P_ALL, "TLS on the hop", "G-GL26 G-ERR26", r14},
    {"R15", P_GMAIL_BULK | P_YAHOO_BULK | P_MS_BULK,
     P_GMAIL_BULK | P_YAHOO_BULK, "one-click unsubscribe (RFC 8058)",
     "G-GL26 G-FAQ26 Y-BP25", r15},
    {"R16", P_ALL, 0, "ARC / List-Id for forwarders and lists",
     "G-GL24b Y-BP25 MS-25", r16},
    {"R17", P_ALL, 0, "IDN hygiene (UTS #39)", "G-GL26", r17},
    {"R18", P_ALL, 0, "display name", "G-GL26", r18},
    {"R19", P_ALL, 0, "IP on DNS blocklists", "G-GL26 Y-ERR26", r19},
    {"R20", P_ALL, P_ALL, "IPv6: PTR and authentication", "G-ERR26", r20},
};

static int evaluate(struct mxci_comp *c, const struct facts *f)
{
  size_t i, n = 0;
  c->rules = mxci_calloc(sizeof(rule_table) / sizeof(rule_table[0]), sizeof(*c->rules));
  if (c->rules == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < sizeof(rule_table) / sizeof(rule_table[0]); i++) {
    struct verdict v;
    struct mxci_rule_res *o;
    if (!(rule_table[i].profiles & f->profile))
      continue;
    memset(&v, 0, sizeof(v));
    rule_table[i].eval(f, &v);
    o = &c->rules[n++];
    c->nrules = n;
    o->id = rule_table[i].id;
    o->title = rule_table[i].title;
    o->source = rule_table[i].source;
    o->required = (rule_table[i].required & f->profile) != 0;
    o->state = v.state;
    o->why = v.why;
    if (!o->required && o->state == MXC_RULE_FAIL)
      o->state = MXC_RULE_WARN; /* a recommendation */
    o->evidence = mxci_buf_take(&v.ev);
    o->fix = mxci_strdup(o->state == MXC_RULE_PASS || v.fix == NULL
                             ? ""
                             : v.fix);
    if (o->evidence == NULL || o->fix == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return 0;
}

/* ---- the check -------------------------------------------------------------- */

struct comp_check;

/* The DMARC check of one author domain (msg.author[i]). */
struct dm_slot {
  struct comp_check *c;
  mxc_check_t *chk; /* pending */
  mxc_result_t *res;
};

struct comp_check {
  mxc_check_t *chk;
  unsigned profile;
  char *profile_name, *ip, *mail_from, *helo;
  struct mxci_msg_facts msg;
  char *src[MXCI_ENV_N];        /* where ip, helo, mail_from came from */
  char *trace_note;
  int traced;                   /* the message's trace fields were read */
  mxc_check_t *sub[MXCI_SUB_N]; /* pending sub-checks */
  mxc_result_t *res[MXCI_SUB_N];
  mxc_status_t st[MXCI_SUB_N];
  int waiting;                  /* sub-checks not yet back */
  int aborting;
  struct dm_slot dm[MXCI_MSG_MAX_AUTHORS]; /* one per msg.author[] */
  size_t ndm;
};

static void comp_abort(mxc_check_t *chk)
{
  struct comp_check *c = chk->priv;
  size_t i;
  c->aborting = 1;
  for (i = 0; i < MXCI_SUB_N; i++)
    if (c->sub[i])
      mxc_check_cancel(c->sub[i]);
  for (i = 0; i < c->ndm; i++)
    if (c->dm[i].chk)
      mxc_check_cancel(c->dm[i].chk);
}

static void comp_free(mxc_check_t *chk)
{
  struct comp_check *c = chk->priv;
  size_t i;
  if (c == NULL)
    return;
  for (i = 0; i < MXCI_SUB_N; i++)
    mxc_result_free(c->res[i]);
  for (i = 0; i < c->ndm; i++)
    mxc_result_free(c->dm[i].res);
  mxci_msg_facts_clear(&c->msg);
  for (i = 0; i < MXCI_ENV_N; i++)
    mxci_free(c->src[i]);
  mxci_free(c->trace_note);
  mxci_free(c->profile_name);
  mxci_free(c->ip);
  mxci_free(c->mail_from);
  mxci_free(c->helo);
  mxci_free(c);
  chk->priv = NULL;
}

static const struct mxci_check_ops comp_ops = {comp_abort, comp_free};

/*
 * The decisive DMARC result of several author domains.  RFC 7489 section
 * 6.6.1: with several author domains "the Mail Receiver MUST evaluate each
 * author domain and apply the most strict policy selected among the checks
 * that fail" (RFC 9989 says the same in its security considerations).
 * The reading taken: among the domains whose result is fail, the one whose
 * policy is the strictest (reject, then quarantine, then none) decides, the
 * first in From order on a tie -- so "a@none, b@reject" and "b@reject,
 * a@none" give the same.  When no domain fails, no policy is applied; the
 * result shown is then the least favourable of the rest -- temperror (a
 * domain undecided: it might fail), permerror, none, pass -- so that pass is
 * reported only when every author domain passes.
 */
static int dmarc_rank(const mxc_result_t *r)
{
  const char *p;
  if (r == NULL)
    return -1;
  switch (mxc_result_verdict(r)) {
  case MXC_VERDICT_FAIL:
    p = mxc_dmarc_policy(r);
    return strcmp(p, "reject") == 0       ? 7
           : strcmp(p, "quarantine") == 0 ? 6
                                          : 5;
  case MXC_VERDICT_TEMPERROR:
    return 4;
  case MXC_VERDICT_PERMERROR:
    return 3;
  case MXC_VERDICT_NONE:
    return 2;
  default:
    return 1;
  }
}

static size_t decisive(mxc_result_t *const *r, size_t n)
{
  size_t i, best = 0;
  if (r == NULL)
    return 0;
  for (i = 1; i < n; i++)
    if (dmarc_rank(r[i]) > dmarc_rank(r[best]))
      best = i;
  return best;
}

static void comp_finish(struct comp_check *c)
{
  mxc_result_t *r = mxci_result_new(&mxci_compliance_method);
  struct mxci_comp *cp;
  struct facts f;
  const mxc_result_t *ip = c->res[MXCI_SUB_IPREV];
  size_t i;
  int bad = 0;

  if (r == NULL) {
    mxci_check_finish(c->chk, MXC_ENOMEM, NULL); /* LCOV_EXCL_LINE */
    return;                                   /* LCOV_EXCL_LINE */
  }
  cp = MXCI_COMPR(r);
  r->input = mxci_strdup(c->ip ? c->ip : "");
  if (ip) {
    memcpy(r->address, ip->address, sizeof(r->address));
    r->family = ip->family;
    r->mapped = ip->mapped;
  }
  bad |= mxci_strdup_opt(&cp->profile, c->profile_name);
  bad |= mxci_strdup_opt(&cp->from_domain, c->msg.from_domain);
  bad |= mxci_strdup_opt(&cp->mail_from, c->mail_from);
  bad |= mxci_strdup_opt(&cp->helo, c->helo);
  for (i = 0; i < MXCI_ENV_N; i++)
    bad |= mxci_strdup_opt(&cp->src[i], c->src[i]);
  bad |= mxci_strdup_opt(&cp->trace_note, c->trace_note);
  cp->traced = c->traced;
  cp->authors_over = c->msg.authors_over;
  if (c->ndm) {
    cp->dmarc = mxci_calloc(c->ndm, sizeof(*cp->dmarc));
    if (cp->dmarc == NULL)
      bad = -1; /* LCOV_EXCL_LINE: OutOfMemory */
    else
      for (i = 0; i < c->ndm; i++) {
        cp->dmarc[cp->ndmarc++] = c->dm[i].res;
        c->dm[i].res = NULL;
      }
    cp->decisive = decisive(cp->dmarc, cp->ndmarc);
    if (cp->dmarc && cp->ndmarc && cp->dmarc[cp->decisive] &&
        (c->res[MXCI_SUB_DMARC] = mxc_result_dup(cp->dmarc[cp->decisive])) ==
            NULL)
      bad = -1; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  memset(&f, 0, sizeof(f));
  f.profile = c->profile;
  f.iprev = c->res[MXCI_SUB_IPREV];
  f.spf = c->res[MXCI_SUB_SPF];
  f.dkim = c->res[MXCI_SUB_DKIM];
  f.dmarc = c->res[MXCI_SUB_DMARC];
  f.dmarcs = (const mxc_result_t *const *)cp->dmarc;
  f.ndmarc = cp->ndmarc;
  f.arc = c->res[MXCI_SUB_ARC];
  f.exist = c->res[MXCI_SUB_EXIST];
  f.dnsbl = c->res[MXCI_SUB_DNSBL];
  f.mail_from = c->mail_from;
  f.helo = c->helo;
  f.msg = &c->msg;
  if (r->input == NULL || bad || evaluate(cp, &f) < 0) {
    mxc_result_free(r);                       /* LCOV_EXCL_LINE */
    mxci_check_finish(c->chk, MXC_ENOMEM, NULL); /* LCOV_EXCL_LINE */
    return;                                   /* LCOV_EXCL_LINE */
  }
  for (i = 0; i < MXCI_SUB_N; i++) {
    cp->sub[i] = c->res[i];
    c->res[i] = NULL;
  }
  {
    size_t nf = 0, nw = 0, nu = 0;
    for (i = 0; i < cp->nrules; i++) {
      nf += cp->rules[i].state == MXC_RULE_FAIL;
      nw += cp->rules[i].state == MXC_RULE_WARN;
      nu += cp->rules[i].state == MXC_RULE_UNKNOWN;
    }
    /* The method verdict: fail, pass, or none when the report is unknown
     * (mxc_result_state() is the report's state). */
    r->verdict = nf ? MXC_VERDICT_FAIL : MXC_VERDICT_PASS;
    if (mxc_result_state(r) == MXC_RULE_UNKNOWN)
      r->verdict = MXC_VERDICT_NONE;
    r->reason = mxci_asprintf("%zu rules of profile %s: %zu fail, %zu warn, "
                              "%zu unknown",
                              cp->nrules, cp->profile, nf, nw, nu);
  }
  mxci_check_finish(c->chk, MXC_OK, r);
}

static void sub_done(struct comp_check *c, int k, mxc_status_t st,
                     const mxc_result_t *res);

static void done_iprev(mxc_check_t *chk, mxc_status_t st,
                       const mxc_result_t *res, void *arg)
{
  (void)chk;
  sub_done(arg, MXCI_SUB_IPREV, st, res);
}
static void done_spf(mxc_check_t *chk, mxc_status_t st,
                     const mxc_result_t *res, void *arg)
{
  (void)chk;
  sub_done(arg, MXCI_SUB_SPF, st, res);
}
/* The DMARC check of one author domain is back; the last one finishes. */
static void done_dmarc(mxc_check_t *chk, mxc_status_t st,
                       const mxc_result_t *res, void *arg)
{
  struct dm_slot *d = arg;
  struct comp_check *c = d->c;
  (void)chk;
  d->chk = NULL;
  c->waiting--;
  if (c->aborting)
    return;
  if (res && (d->res = mxc_result_dup(res)) == NULL)
    st = MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  if (st == MXC_EDESTRUCTION || c->waiting > 0)
    return;
  comp_finish(c);
}

static void done_exist(mxc_check_t *chk, mxc_status_t st,
                       const mxc_result_t *res, void *arg)
{
  (void)chk;
  sub_done(arg, MXCI_SUB_EXIST, st, res);
}
static void done_dnsbl(mxc_check_t *chk, mxc_status_t st,
                       const mxc_result_t *res, void *arg)
{
  (void)chk;
  sub_done(arg, MXCI_SUB_DNSBL, st, res);
}

/* Rule R13: the MAIL FROM domain and the From domains exist (every author
 * domain, as many as the check takes: MXC_EXIST_MAX_DOMAINS in all). */
static mxc_status_t start_exist(struct comp_check *c)
{
  const char *d[MXC_EXIST_MAX_DOMAINS];
  char mdom[256];
  size_t n = 0, i;
  mxc_status_t st;
  const char *at = c->mail_from ? strrchr(c->mail_from, '@') : NULL;
  if (at && at[1]) {
    /* as milters get it: <local@domain> */
    snprintf(mdom, sizeof(mdom), "%.*s", (int)strcspn(at + 1, ">"), at + 1);
    d[n++] = mdom;
  }
  for (i = 0; i < c->msg.nauthors && n < MXC_EXIST_MAX_DOMAINS; i++)
    d[n++] = c->msg.author[i];
  if (n == 0)
    return MXC_OK;
  st = mxc_exist_start(c->chk->ctx, d, n, done_exist, c,
                       &c->sub[MXCI_SUB_EXIST]);
  if (st == MXC_OK)
    c->waiting++;
  return st;
}

/* Rule R19: the lists of the context, when there are any. */
static mxc_status_t start_dnsbl(struct comp_check *c)
{
  mxc_status_t st;
  if (mxc_ctx_dnsbl_zone_count(c->chk->ctx) == 0)
    return MXC_OK;
  st = mxc_dnsbl_start(c->chk->ctx, c->ip, done_dnsbl, c,
                       &c->sub[MXCI_SUB_DNSBL]);
  if (st == MXC_OK)
    c->waiting++;
  return st;
}

/* DMARC of every distinct author domain, concurrently through the one
 * context (their lookups share its cache), each with the SPF identifier
 * and every DKIM d=.  A check that cannot start leaves its slot empty: the
 * rules say that domain was not evaluated. */
static void start_dmarc(struct comp_check *c)
{
  mxc_auth_id_t spf, dkim[MXC_DMARC_MAX_DKIM];
  const mxc_result_t *s = c->res[MXCI_SUB_SPF], *d = c->res[MXCI_SUB_DKIM];
  size_t n = 0, i;
  mxc_status_t st;
  if (c->msg.nauthors == 0)
    return;
  if (s) {
    spf.domain = mxc_spf_domain(s);
    spf.verdict = mxc_result_verdict(s);
  }
  for (i = 0; d && i < mxc_dkim_sig_count(d) && n < MXC_DMARC_MAX_DKIM; i++) {
    dkim[n].domain = mxc_dkim_sig_domain(d, i);
    dkim[n].verdict = mxc_dkim_sig_verdict(d, i);
    n++;
  }
  c->ndm = c->msg.nauthors;
  for (i = 0; i < c->ndm; i++) {
    c->dm[i].c = c;
    st = mxc_dmarc_start(c->chk->ctx, c->msg.author[i],
                         s && *spf.domain ? &spf : NULL, n ? dkim : NULL, n,
                         done_dmarc, &c->dm[i], &c->dm[i].chk);
    if (st == MXC_OK)
      c->waiting++;
  }
}

static void sub_done(struct comp_check *c, int k, mxc_status_t st,
                     const mxc_result_t *res)
{
  c->sub[k] = NULL;
  c->waiting--;
  c->st[k] = st;
  if (c->aborting)
    return;
  if (res && (c->res[k] = mxc_result_dup(res)) == NULL)
    st = MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  if (st == MXC_EDESTRUCTION)
    return; /* the context goes: so do we */
  if (k == MXCI_SUB_IPREV && st == MXC_EADDRESS) {
    /* nothing can be checked of an address that does not parse */
    mxc_result_t *r = mxci_result_new(&mxci_compliance_method);
    size_t i;
    c->aborting = 1;
    for (i = 0; i < MXCI_SUB_N; i++)
      if (c->sub[i])
        mxc_check_cancel(c->sub[i]);
    if (r) {
      r->input = mxci_strdup(c->ip);
      r->error = mxci_strdup(res && res->error ? res->error : "bad address");
      r->reason = mxci_strdup(r->error ? r->error : "");
    }
    mxci_check_finish(c->chk, r ? MXC_EADDRESS : MXC_ENOMEM, r);
    return;
  }
  if (c->waiting > 0)
    return;
  /* the others are back: DMARC of each author domain, with their
   * identifiers */
  start_dmarc(c);
  if (c->waiting > 0)
    return;
  comp_finish(c);
}

/*
 * The envelope: each of ip, helo, mail_from given (source "given"), else,
 * when the message is a copy as delivered (mxc_msg_set_use_trace()), from
 * its trace fields (source "Received field N, line L", "Return-Path field
 * N, line L"), else missing (source NULL: the rules that need it are
 * unknown).  The pointers may be set to the message's strings, valid
 * during mxc_compliance_start().  -1 on OOM.
 */
static int envelope(struct comp_check *c, const mxc_msg_t *msg,
                    const char **ip, const char **helo,
                    const char **mail_from)
{
  static const mxc_trace_t what[MXCI_ENV_N] = {
      MXC_TRACE_IP, MXC_TRACE_HELO, MXC_TRACE_MAIL_FROM};
  const char **val[MXCI_ENV_N];
  size_t i;
  int use = msg && mxci_msg_use_trace(msg);
  val[MXCI_ENV_IP] = ip;
  val[MXCI_ENV_HELO] = helo;
  val[MXCI_ENV_MAIL_FROM] = mail_from;
  c->traced = use;
  for (i = 0; i < MXCI_ENV_N; i++) {
    const char *t;
    if (*val[i]) {
      if ((c->src[i] = mxci_strdup("given")) == NULL)
        return -1; /* LCOV_EXCL_LINE: OutOfMemory */
      continue;
    }
    if (!use || (t = mxc_msg_trace(msg, what[i])) == NULL)
      continue;
    *val[i] = t;
    c->src[i] = mxci_asprintf("%s field %zu, line %zu",
                              i == MXCI_ENV_MAIL_FROM ? "Return-Path"
                                                      : "Received",
                              mxc_msg_trace_field(msg, what[i]),
                              mxc_msg_trace_line(msg, what[i]));
    if (c->src[i] == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  if (use && *mxc_msg_trace_note(msg) &&
      (c->trace_note = mxci_strdup(mxc_msg_trace_note(msg))) == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  return 0;
}

mxc_status_t mxc_compliance_start(mxc_ctx_t *ctx, const char *ip,
                                  const char *mail_from, const char *helo,
                                  const mxc_msg_t *msg,
                                  const mxc_result_t *dkim,
                                  const char *profile, mxc_done_cb cb,
                                  void *arg, mxc_check_t **out)
{
  struct comp_check *c;
  mxc_check_t *chk;
  mxc_status_t st;
  unsigned bit;

  if (out)
    *out = NULL;
  if (!mxci_ctx_valid(ctx) || cb == NULL)
    return MXC_EINVAL;
  if (ctx->free_requested)
    return MXC_EDESTRUCTION;
  if (profile == NULL)
    profile = "gmail";
  bit = profile_bit(profile);
  if (bit == 0 || (dkim && strcmp(mxc_result_method(dkim), "dkim") != 0))
    return MXC_EINVAL;
  c = mxci_calloc(1, sizeof(*c));
  if (c == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  c->profile = bit;
  if (envelope(c, msg, &ip, &helo, &mail_from) < 0) {
    struct mxc_check tmp;         /* LCOV_EXCL_START: OutOfMemory */
    memset(&tmp, 0, sizeof(tmp));
    tmp.priv = c;
    comp_free(&tmp);
    return MXC_ENOMEM;            /* LCOV_EXCL_STOP */
  }
  if (mail_from && (*mail_from == '\0' || strcmp(mail_from, "<>") == 0))
    mail_from = NULL;
  if (helo && *helo == '\0')
    helo = NULL;
  if (mxci_strdup_opt(&c->profile_name, profile) < 0 || mxci_strdup_opt(&c->ip, ip) < 0 ||
      mxci_strdup_opt(&c->mail_from, mail_from) < 0 || mxci_strdup_opt(&c->helo, helo) < 0 ||
      (dkim && (c->res[MXCI_SUB_DKIM] = mxc_result_dup(dkim)) == NULL)) {
    struct mxc_check tmp;         /* LCOV_EXCL_START: OutOfMemory */
    memset(&tmp, 0, sizeof(tmp));
    tmp.priv = c;
    comp_free(&tmp);
    return MXC_ENOMEM;            /* LCOV_EXCL_STOP */
  }
  mxci_msg_facts(msg, &c->msg);
  if (mxci_msg_arc(msg) &&
      (c->res[MXCI_SUB_ARC] = mxc_result_dup(mxci_msg_arc(msg))) == NULL)
    st = MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  else
    st = MXC_OK;
  chk = st == MXC_OK ? mxci_check_new(ctx, &comp_ops, cb, arg) : NULL;
  if (chk == NULL) {
    struct mxc_check tmp;         /* LCOV_EXCL_START: OutOfMemory */
    memset(&tmp, 0, sizeof(tmp));
    tmp.priv = c;
    comp_free(&tmp);
    return MXC_ENOMEM;            /* LCOV_EXCL_STOP */
  }
  chk->priv = c;
  c->chk = chk;
  st = MXC_OK;
  if (ip) {
    st = mxc_iprev_start(ctx, ip, done_iprev, c, &c->sub[MXCI_SUB_IPREV]);
    if (st == MXC_OK)
      c->waiting++;
  }
  /* SPF needs the MAIL FROM (or the null sender with a HELO name): not
   * known from the trace, it is not guessed */
  if (st == MXC_OK && ip && (mail_from || helo) &&
      !(c->traced && c->src[MXCI_ENV_MAIL_FROM] == NULL)) {
    st = mxc_spf_start(ctx, ip, mail_from, helo, done_spf, c,
                       &c->sub[MXCI_SUB_SPF]);
    if (st == MXC_OK)
      c->waiting++;
  }
  if (st == MXC_OK)
    st = start_exist(c);
  if (st == MXC_OK)
    st = start_dnsbl(c);
  if (st != MXC_OK) {
    comp_abort(chk);
    mxci_check_discard(chk);
    return st;
  }
  if (c->waiting == 0) {
    /* no client address: the message alone (its DMARC, then the rules);
     * the result is queued, the callback runs later */
    start_dmarc(c);
    if (c->waiting == 0)
      comp_finish(c);
  }
  if (out)
    *out = chk;
  return MXC_OK;
}

mxc_status_t mxc_compliance_sync(mxc_ctx_t *ctx, const char *ip,
                                 const char *mail_from, const char *helo,
                                 const mxc_msg_t *msg,
                                 const mxc_result_t *dkim,
                                 const char *profile, mxc_result_t **out)
{
  struct mxci_sync s = {0, MXC_OK, NULL};
  mxc_check_t *chk = NULL;
  mxc_status_t st = mxci_sync_begin(ctx, out);
  if (st == MXC_OK)
    st = mxc_compliance_start(ctx, ip, mail_from, helo, msg, dkim, profile,
                              mxci_sync_done, &s, &chk);
  return mxci_sync_wait(ctx, &s, st, chk, out);
}
