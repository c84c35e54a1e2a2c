/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_compliance.c -- the sender requirements (rules R1-R20): the header
 * checks of message.c called directly (no network), then the compliance
 * check against Knot DNS serving tests/zones/bulk.test.zone and the
 * reverse zones, its renderings (JSON, text, Authentication-Results), and
 * the callback contract under cancellation, destruction and allocation
 * failures.  The DKIM side is covered by tests/cli_compliance.sh.
 */
#include "testutil.h"

#include "mxc_private.h"
#include "checks/compliance/compliance_private.h"

#include <json-c/json.h>

static const char *server;
static mxc_ctx_t *ctx;

static void setup(void)
{
  ctx = tu_ctx(server);
}
static void teardown(void)
{
  mxc_ctx_free(ctx);
}

/* A header from fields separated by '\n' ('|' starts a fold line). */
static mxc_msg_t *hdr(const char *const *fields, size_t n)
{
  mxc_msg_t *m = NULL;
  size_t i;
  ck_assert_int_eq(mxc_msg_new(&m), MXC_OK);
  for (i = 0; i < n; i++)
    ck_assert_int_eq(mxc_msg_field(m, fields[i], strlen(fields[i])), MXC_OK);
  return m;
}

static int has_finding(const struct mxci_msg_facts *f, const char *what,
                       int fail)
{
  size_t i;
  for (i = 0; i < f->nfind; i++)
    if (strstr(f->find[i].text, what) && f->find[i].fail == fail)
      return 1;
  return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(dates_and_ids)
{
  ck_assert(mxci_msg_date_ok("Tue, 24 Nov 2026 10:00:00 +0000"));
  ck_assert(mxci_msg_date_ok("24 Nov 2026 10:00 -0800"));
  ck_assert(mxci_msg_date_ok("Tue, 1 Jan 02 10:00:00 GMT (comment)"));
  ck_assert(mxci_msg_date_ok("Thu, 13 Feb 1969 23:32:54 -0330"));
  ck_assert(!mxci_msg_date_ok("yesterday"));
  ck_assert(!mxci_msg_date_ok("Tue, 24 Nov 2026 10:00:00"));
  ck_assert(!mxci_msg_date_ok("Tue, 32 Nov 2026 10:00:00 +0000"));
  ck_assert(!mxci_msg_date_ok("Tue, 24 Foo 2026 10:00:00 +0000"));
  ck_assert(!mxci_msg_date_ok("Tue, 24 Nov 2026 25:00:00 +0000"));
  ck_assert(!mxci_msg_date_ok("Tue, 24 Nov 2026 10:00:00 +0000 extra"));
  ck_assert(!mxci_msg_date_ok(""));
  ck_assert(mxci_msg_id_ok("<a.b@example.com>"));
  ck_assert(mxci_msg_id_ok(" <a@[192.0.2.1]> (c)"));
  ck_assert(!mxci_msg_id_ok("a@example.com"));
  ck_assert(!mxci_msg_id_ok("<a>"));
  ck_assert(!mxci_msg_id_ok("<@example.com>"));
  ck_assert(!mxci_msg_id_ok("<a@>"));
  ck_assert(!mxci_msg_id_ok("<a b@example.com>"));
  ck_assert(!mxci_msg_id_ok("<a@exa mple.com>"));
  ck_assert(!mxci_msg_id_ok("<a..b@example.com>"));
  ck_assert(!mxci_msg_id_ok(""));
}
END_TEST

START_TEST(header_facts)
{
  static const char *const good[] = {
      "From: \"News, Inc.\" <News@Bulk.Test>",
      "To: a@example.net,\r\n b@example.net",
      "Subject: =?utf-8?q?Offers?=",
      "Date: Tue, 24 Nov 2026\r\n\t10:00:00 +0000",
      "Message-ID:\r\n <x@bulk.test>",
      "List-Unsubscribe: <mailto:u@bulk.test>,\r\n <https://bulk.test/u>",
      "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
      "List-Id: <news.bulk.test>",
      "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=x"};
  static const char *const broken[] = {
      "From: a@x.example, b@y.example",
      "From: c@z.example",
      "Subject: one",
      "subject: two",
      "Message-ID: <no-at>",
      "Date: Tue, 24 Nov 2026 10:00:00",
      "To: =?utf-8?q?x?=@example.net",
      "Reply-To: Joe <j@example.net>",
      "X-Broken : spaces before the colon",
      "no colon at all",
      "X-Cr: bare\rcr",
      "X-Fold: broken\nfold",
      "Subject: Re: no thread"};
  static const char *const display[] = {
      "From: \"security@bank.example\" <x@evil.example>",
      "Date: Tue, 24 Nov 2026 10:00:00 +0000", "Message-ID: <a@b.example>"};
  static const char *const group[] = {"From: undisclosed:;",
                                      "Date: Tue, 24 Nov 2026 10:00:00 +0000",
                                      "Message-ID: <a@b.example>"};
  struct mxci_msg_facts f;
  mxc_msg_t *m = hdr(good, N(good));

  mxci_msg_facts(m, &f);
  ck_assert_int_eq(f.nfind, 0);
  ck_assert_str_eq(f.from_domain, "bulk.test");
  ck_assert(f.from_ok && f.msgid_ok && f.date_ok);
  ck_assert(f.lu_https && f.lu_mailto && f.lup_ok && f.list_id && f.arc);
  ck_assert(!f.display_has_addr);
  mxci_msg_facts_clear(&f);
  mxc_msg_free(m);

  m = hdr(broken, N(broken));
  mxci_msg_facts(m, &f);
  ck_assert(has_finding(&f, "2 From: fields", 1));
  ck_assert(has_finding(&f, "From: holds 2 mailboxes", 1));
  ck_assert(has_finding(&f, "subject: appears 3 times", 1));
  ck_assert(has_finding(&f, "Message-ID: is not", 1));
  ck_assert(has_finding(&f, "Date: does not parse", 1));
  ck_assert(has_finding(&f, "4 malformed header field(s)", 1));
  ck_assert(has_finding(&f, "encoded word", 1));
  ck_assert(has_finding(&f, "thread mimicry", 0)); /* the last Subject */
  mxci_msg_facts_clear(&f);
  mxc_msg_free(m);

  m = hdr(display, N(display));
  mxci_msg_facts(m, &f);
  ck_assert_int_eq(f.nfind, 0);
  ck_assert(f.display_other_domain);
  ck_assert_str_eq(f.display_domain, "bank.example");
  mxci_msg_facts_clear(&f);
  mxc_msg_free(m);

  m = hdr(group, N(group));
  mxci_msg_facts(m, &f);
  ck_assert(has_finding(&f, "From: holds 0 mailboxes", 1));
  ck_assert_str_eq(f.from_domain, "");
  mxci_msg_facts_clear(&f);
  mxc_msg_free(m);

  /* no message: nothing is claimed */
  mxci_msg_facts(NULL, &f);
  ck_assert(!f.present);
  ck_assert_int_eq(f.nfind, 0);
}
END_TEST

/* "From: m0@d0.authors.test, m1@d1.authors.test, ..." (n mailboxes). */
static char *many_from(size_t n)
{
  size_t i, cap = 16 + n * 40, o;
  char *s = malloc(cap);
  ck_assert_ptr_nonnull(s);
  o = (size_t)snprintf(s, cap, "From: ");
  for (i = 0; i < n; i++)
    o += (size_t)snprintf(s + o, cap - o, "%sm%zu@d%zu.authors.test",
                          i ? ", " : "", i, i);
  return s;
}

/* Every From mailbox's domain is kept, distinct, in order, bounded. */
START_TEST(author_domains)
{
  static const char *const one_field[] = {
      "From: a@None.Authors.Test, \"B, Inc.\" <b@reject.authors.test>",
      "Date: Tue, 24 Nov 2026 10:00:00 +0000", "Message-ID: <a@b.example>"};
  static const char *const two_fields[] = {
      "From: a@none.authors.test", "From: b@reject.authors.test",
      "Date: Tue, 24 Nov 2026 10:00:00 +0000", "Message-ID: <a@b.example>"};
  static const char *const same[] = {
      "From: a@reject.authors.test, b@REJECT.authors.test.",
      "From: c@reject.authors.test",
      "Date: Tue, 24 Nov 2026 10:00:00 +0000", "Message-ID: <a@b.example>"};
  static const char *const unparsed[] = {
      "From: nobody, b@reject.authors.test",
      "Date: Tue, 24 Nov 2026 10:00:00 +0000", "Message-ID: <a@b.example>"};
  struct mxci_msg_facts f;
  mxc_msg_t *m = hdr(one_field, N(one_field));
  char *big;
  size_t i;

  mxci_msg_facts(m, &f);
  ck_assert_int_eq(f.nauthors, 2);
  ck_assert_str_eq(f.author[0], "none.authors.test");
  ck_assert_str_eq(f.author[1], "reject.authors.test");
  ck_assert_str_eq(f.from_domain, "none.authors.test");
  ck_assert_uint_eq(f.author_mailboxes, 2);
  ck_assert(has_finding(&f, "From: holds 2 mailboxes", 1)); /* R12 */
  mxci_msg_facts_clear(&f);
  mxc_msg_free(m);

  m = hdr(two_fields, N(two_fields));
  mxci_msg_facts(m, &f);
  ck_assert_int_eq(f.nauthors, 2);
  ck_assert_str_eq(f.author[1], "reject.authors.test");
  ck_assert(has_finding(&f, "2 From: fields", 1));
  mxci_msg_facts_clear(&f);
  mxc_msg_free(m);

  m = hdr(same, N(same));
  mxci_msg_facts(m, &f);
  ck_assert_int_eq(f.nauthors, 1); /* case and final dot do not count */
  ck_assert_uint_eq(f.author_mailboxes, 3);
  mxci_msg_facts_clear(&f);
  mxc_msg_free(m);

  /* the first mailbox is no address: no From domain, the other author
   * still counts */
  m = hdr(unparsed, N(unparsed));
  mxci_msg_facts(m, &f);
  ck_assert_str_eq(f.from_domain, "");
  ck_assert_int_eq(f.nauthors, 1);
  ck_assert_str_eq(f.author[0], "reject.authors.test");
  mxci_msg_facts_clear(&f);
  mxc_msg_free(m);

  /* 100 mailboxes of 100 domains: MXCI_MSG_MAX_AUTHORS kept */
  big = many_from(100);
  ck_assert_int_eq(mxc_msg_new(&m), MXC_OK);
  ck_assert_int_eq(mxc_msg_field(m, big, strlen(big)), MXC_OK);
  free(big);
  mxci_msg_facts(m, &f);
  ck_assert_int_eq(f.nauthors, MXCI_MSG_MAX_AUTHORS);
  ck_assert_int_eq(MXCI_MSG_MAX_AUTHORS, 32);
  ck_assert_uint_eq(f.authors_over, 100 - MXCI_MSG_MAX_AUTHORS);
  ck_assert_uint_eq(f.author_mailboxes, 100);
  for (i = 0; i < f.nauthors; i++) {
    char want[64];
    snprintf(want, sizeof(want), "d%zu.authors.test", i);
    ck_assert_str_eq(f.author[i], want);
  }
  ck_assert(has_finding(&f, "From: holds 100 mailboxes", 1));
  mxci_msg_facts_clear(&f);
  mxc_msg_free(m);
}
END_TEST

START_TEST(hostile_input)
{
  static const char nul[] = "From: a@b.example\0\xff\r\n x";
  char *big;
  size_t i, n = 4 * MXC_MSG_MAX_FIELD;
  struct mxci_msg_facts f;
  mxc_msg_t *m = NULL;

  ck_assert_int_eq(mxc_msg_new(NULL), MXC_EINVAL);
  ck_assert_int_eq(mxc_msg_field(NULL, "a: b", 4), MXC_EINVAL);
  ck_assert_int_eq(mxc_msg_new(&m), MXC_OK);
  ck_assert_int_eq(mxc_msg_field(m, NULL, 1), MXC_EINVAL);
  ck_assert_int_eq(mxc_msg_field(m, nul, sizeof(nul) - 1), MXC_OK);
  ck_assert_int_eq(mxc_msg_field(m, "", 0), MXC_OK);
  ck_assert_int_eq(mxc_msg_field(m, ":", 1), MXC_OK);
  big = malloc(n);
  ck_assert_ptr_nonnull(big);
  memcpy(big, "To: ", 4);
  for (i = 4; i < n; i++)
    big[i] = i % 80 == 0 ? '\n' : i % 80 == 1 ? ' ' : i % 7 ? 'x' : ',';
  ck_assert_int_eq(mxc_msg_field(m, big, n), MXC_OK);
  memcpy(big, "From: ", 6); /* a huge From */
  ck_assert_int_eq(mxc_msg_field(m, big, n), MXC_OK);
  free(big);
  for (i = mxci_msg_count(m); i < MXC_MSG_MAX_FIELDS; i++)
    ck_assert_int_eq(mxc_msg_field(m, "X-A: b", 6), MXC_OK);
  ck_assert_int_eq(mxc_msg_field(m, "X-A: b", 6), MXC_ELIMIT);
  mxci_msg_facts(m, &f);
  ck_assert(has_finding(&f, "malformed", 1));
  ck_assert(has_finding(&f, "8-bit", 1));
  ck_assert(has_finding(&f, "beyond the", 0));
  ck_assert(has_finding(&f, "2 From: fields", 1));
  mxci_msg_facts_clear(&f);
  mxc_msg_set_smtputf8(m, 1);
  mxci_msg_facts(m, &f);
  ck_assert(!has_finding(&f, "8-bit", 1));
  mxci_msg_facts_clear(&f);
  mxc_msg_free(m);
  mxc_msg_free(NULL);
}
END_TEST

/* ---- the check ------------------------------------------------------------- */

struct rec {
  int calls;
  mxc_status_t st;
  mxc_result_t *res;
};

static void rec_cb(mxc_check_t *chk, mxc_status_t st, const mxc_result_t *res,
                   void *arg)
{
  struct rec *r = arg;
  (void)chk;
  r->calls++;
  r->st = st;
  if (res)
    r->res = mxc_result_dup(res);
}

static const char *state_of(const mxc_result_t *r, const char *id)
{
  size_t i;
  for (i = 0; i < mxc_compliance_rule_count(r); i++)
    if (strcmp(mxc_compliance_rule_id(r, i), id) == 0)
      return mxc_rule_state_str(mxc_compliance_rule_state(r, i));
  return "absent";
}

static const char *const news[] = {
    "From: News <news@bulk.test>", "To: a@example.net", "Subject: hi",
    "Date: Tue, 24 Nov 2026 10:00:00 +0000", "Message-ID: <1@bulk.test>"};

START_TEST(rule_states)
{
  struct rec a = {0};
  mxc_msg_t *m = hdr(news, N(news));
  char *s;
  json_object *o, *rules;

  ck_assert_int_eq(mxc_compliance_start(ctx, "192.0.2.1", "news@bulk.test",
                                        "good4.mxcheck.test", m, NULL,
                                        "gmail-bulk", rec_cb, &a, NULL),
                   MXC_OK);
  mxc_msg_free(m); /* copied */
  ck_assert_int_eq(a.calls, 0);
  ck_assert_int_eq(mxc_run(ctx, 10000), MXC_OK);
  ck_assert_int_eq(a.calls, 1);
  ck_assert_int_eq(a.st, MXC_OK);
  ck_assert_str_eq(mxc_result_method(a.res), "compliance");
  ck_assert_str_eq(mxc_compliance_profile(a.res), "gmail-bulk");
  ck_assert_str_eq(mxc_result_address(a.res), "192.0.2.1");
  ck_assert_str_eq(state_of(a.res, "R1"), "pass");
  ck_assert_str_eq(state_of(a.res, "R5"), "pass");
  ck_assert_str_eq(state_of(a.res, "R6"), "unknown"); /* no DKIM result */
  ck_assert_str_eq(state_of(a.res, "R8"), "unknown");
  ck_assert_str_eq(state_of(a.res, "R9"), "pass");
  ck_assert_str_eq(state_of(a.res, "R10"), "warn"); /* SPF only */
  ck_assert_str_eq(state_of(a.res, "R12"), "pass");
  ck_assert_str_eq(state_of(a.res, "R15"), "warn"); /* type unknown */
  ck_assert_str_eq(state_of(a.res, "R14"), "unknown");
  ck_assert_int_eq(mxc_compliance_worst(a.res), MXC_RULE_WARN);
  /* R6 and R8 are required and indeterminate (no DKIM result given): the
   * report is unknown, its method verdict none, never a pass */
  ck_assert_int_eq(mxc_result_state(a.res), MXC_RULE_UNKNOWN);
  ck_assert_int_eq(mxc_result_verdict(a.res), MXC_VERDICT_NONE);
  {
    size_t i;
    for (i = 0; i < mxc_compliance_rule_count(a.res); i++) {
      const char *id = mxc_compliance_rule_id(a.res, i);
      mxc_unknown_t u = mxc_compliance_rule_unknown(a.res, i);
      if (strcmp(id, "R6") == 0)
        ck_assert_int_eq(u, MXC_UNKNOWN_INDETERMINATE);
      if (strcmp(id, "R14") == 0)
        ck_assert_int_eq(u, MXC_UNKNOWN_NOT_OBSERVABLE);
      if (strcmp(id, "R1") == 0) {
        ck_assert_int_eq(u, MXC_UNKNOWN_NONE);
        ck_assert_int_eq(mxc_compliance_rule_required(a.res, i), 1);
      }
    }
    ck_assert_str_eq(mxc_unknown_str(MXC_UNKNOWN_NOT_APPLICABLE),
                     "not-applicable");
    ck_assert_str_eq(mxc_unknown_str(MXC_UNKNOWN_NONE), "");
    ck_assert_int_eq(mxc_compliance_rule_unknown(a.res, 999),
                     MXC_UNKNOWN_NONE);
    ck_assert_int_eq(mxc_result_state(NULL), MXC_RULE_UNKNOWN);
  }
  ck_assert_ptr_nonnull(mxc_compliance_sub(a.res, "iprev"));
  ck_assert_ptr_nonnull(mxc_compliance_sub(a.res, "spf"));
  ck_assert_ptr_nonnull(mxc_compliance_sub(a.res, "dmarc"));
  ck_assert_ptr_null(mxc_compliance_sub(a.res, "dkim"));
  ck_assert_ptr_null(mxc_compliance_rule_id(a.res, 99));
  ck_assert_int_eq(mxc_compliance_rule_state(a.res, 99), MXC_RULE_UNKNOWN);
  /* JSON */
  s = mxc_result_json(a.res);
  ck_assert_ptr_nonnull(s);
  o = json_tokener_parse(s);
  ck_assert_ptr_nonnull(o);
  ck_assert(json_object_object_get_ex(o, "compliance", &rules));
  ck_assert(json_object_object_get_ex(rules, "rules", &rules));
  ck_assert_int_eq(json_object_array_length(rules), 20);
  ck_assert(json_object_object_get_ex(o, "dmarc", NULL));
  json_object_put(o);
  mxc_free(s);
  s = mxc_result_text(a.res, MXC_RENDER_COLOR);
  ck_assert_ptr_nonnull(strstr(s, "compliance  profile gmail-bulk: \033[33munknown\033[0m"));
  mxc_free(s);
  s = mxc_result_authres(a.res, NULL);
  ck_assert_str_eq(s, "Authentication-Results: mxcheck; iprev=pass "
                      "policy.iprev=192.0.2.1; spf=pass "
                      "smtp.mailfrom=news@bulk.test; dmarc=pass "
                      "header.from=bulk.test");
  mxc_free(s);
  /* of a single result; an authserv-id that needs quoting */
  s = mxc_result_authres(mxc_compliance_sub(a.res, "iprev"), "a b");
  ck_assert_str_eq(s, "Authentication-Results: \"a b\"; iprev=pass "
                      "policy.iprev=192.0.2.1");
  mxc_free(s);
  ck_assert_ptr_null(mxc_result_authres(NULL, NULL));
  mxc_result_free(a.res);

  /* IPv6 without PTR, no SPF identity, no message: R20 fails on the PTR,
   * the message rules are unknown */
  memset(&a, 0, sizeof(a));
  ck_assert_int_eq(mxc_compliance_start(ctx, "2001:db8::5", NULL, NULL, NULL,
                                        NULL, NULL, rec_cb, &a, NULL),
                   MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 10000), MXC_OK);
  ck_assert_int_eq(a.st, MXC_OK);
  ck_assert_str_eq(mxc_compliance_profile(a.res), "gmail");
  ck_assert_str_eq(state_of(a.res, "R1"), "fail");
  ck_assert_str_eq(state_of(a.res, "R20"), "fail");
  ck_assert_str_eq(state_of(a.res, "R5"), "unknown");
  ck_assert_str_eq(state_of(a.res, "R7"), "unknown");
  ck_assert_str_eq(state_of(a.res, "R9"), "unknown");
  ck_assert_str_eq(state_of(a.res, "R12"), "unknown");
  ck_assert_str_eq(state_of(a.res, "R8"), "absent");
  ck_assert_int_eq(mxc_result_verdict(a.res), MXC_VERDICT_FAIL);
  s = mxc_result_authres(a.res, "mx");
  /* ':' is a tspecial (RFC 2045): an IPv6 address is quoted */
  ck_assert_str_eq(s, "Authentication-Results: mx; iprev=permerror "
                      "policy.iprev=\"2001:db8::5\"");
  mxc_free(s);
  mxc_result_free(a.res);
}
END_TEST

/* The blocking wrapper gives what the callback gives; the accessors of
 * one method answer "none" for a result of another. */
START_TEST(sync_and_methods)
{
  mxc_result_t *r = NULL, *ip = NULL;
  const mxc_result_t *sub;
  ck_assert_int_eq(mxc_compliance_sync(ctx, "192.0.2.1", "news@bulk.test",
                                       NULL, NULL, NULL, "gmail-bulk", &r),
                   MXC_OK);
  ck_assert_str_eq(mxc_result_method(r), "compliance");
  ck_assert_str_eq(mxc_compliance_profile(r), "gmail-bulk");
  ck_assert_uint_gt(mxc_compliance_rule_count(r), 10);
  sub = mxc_compliance_sub(r, "iprev");
  ck_assert_ptr_nonnull(sub);
  ck_assert_str_eq(mxc_result_method(sub), "iprev");
  ck_assert_ptr_nonnull(mxc_compliance_sub(r, "spf"));
  ck_assert_ptr_null(mxc_compliance_sub(r, "nosuch"));
  /* wrong-method accessors: no crash, "none" answers */
  ck_assert_uint_eq(mxc_iprev_ptr_count(r), 0);
  ck_assert_uint_eq(mxc_dkim_sig_count(r), 0);
  ck_assert_str_eq(mxc_spf_domain(r), "");
  ck_assert_str_eq(mxc_spf_libspf2_result(r), "skipped");
  ck_assert_str_eq(mxc_dmarc_from_domain(r), "");
  ck_assert_uint_eq(mxc_compliance_rule_count(sub), 0);
  ck_assert_str_eq(mxc_compliance_profile(sub), "");
  /* iprev under its old name gives the same */
  ck_assert_int_eq(mxc_fcrdns_sync(ctx, "192.0.2.1", &ip), MXC_OK);
  ck_assert_str_eq(mxc_result_method(ip), "iprev");
  ck_assert_int_eq(mxc_result_verdict(ip), mxc_result_verdict(sub));
  ck_assert_uint_eq(mxc_iprev_ptr_count(ip), mxc_iprev_ptr_count(sub));
  mxc_result_free(ip);
  ck_assert_int_eq(mxc_iprev_sync(ctx, "not-an-ip", &ip), MXC_EADDRESS);
  ck_assert_str_eq(mxc_result_method(ip), "iprev");
  mxc_result_free(ip);
  mxc_result_free(r);
  r = NULL;
  ck_assert_int_eq(mxc_compliance_sync(ctx, "192.0.2.1", NULL, NULL, NULL,
                                       NULL, "nosuch", &r),
                   MXC_EINVAL);
  ck_assert_ptr_null(r);
  ck_assert_int_eq(mxc_compliance_sync(ctx, "192.0.2.1", NULL, NULL, NULL,
                                       NULL, NULL, NULL),
                   MXC_EINVAL);
}
END_TEST

/* Run the compliance check of a header (MAIL FROM news@bulk.test from
 * 192.0.2.1: SPF passes, aligned with none of the author domains). */
static mxc_result_t *report_of(mxc_msg_t *m)
{
  struct rec a = {0};
  ck_assert_int_eq(mxc_compliance_start(ctx, "192.0.2.1", "news@bulk.test",
                                        "good4.mxcheck.test", m, NULL,
                                        "gmail", rec_cb, &a, NULL),
                   MXC_OK);
  mxc_msg_free(m);
  ck_assert_int_eq(mxc_run(ctx, 20000), MXC_OK);
  ck_assert_int_eq(a.calls, 1);
  ck_assert_int_eq(a.st, MXC_OK);
  ck_assert_ptr_nonnull(a.res);
  return a.res;
}

/* The JSON member "dmarc" (the decisive result): its header.from; and the
 * length of "dmarc_domains" (-1: absent). */
static void json_dmarc(const mxc_result_t *r, char *from, size_t cap,
                       int *ndomains)
{
  char *s = mxc_result_json(r);
  json_object *o, *d, *h;
  ck_assert_ptr_nonnull(s);
  o = json_tokener_parse(s);
  ck_assert_ptr_nonnull(o);
  ck_assert(json_object_object_get_ex(o, "dmarc", &d));
  ck_assert(json_object_object_get_ex(d, "header.from", &h));
  snprintf(from, cap, "%s", json_object_get_string(h));
  *ndomains = json_object_object_get_ex(o, "dmarc_domains", &d)
                  ? (int)json_object_array_length(d)
                  : -1;
  json_object_put(o);
  mxc_free(s);
}

#define TAIL "Date: Tue, 24 Nov 2026 10:00:00 +0000", "Message-ID: <a@b.example>"

/* RFC 7489 section 6.6.1: DMARC of each author domain, the strictest
 * failing policy decides, whatever the order of the mailboxes. */
START_TEST(several_authors)
{
  static const char *const fwd[] = {
      "From: a@none.authors.test, b@reject.authors.test", TAIL};
  static const char *const rev[] = {
      "From: b@reject.authors.test, a@none.authors.test", TAIL};
  static const char *const fields[] = {"From: a@none.authors.test",
                                       "From: b@reject.authors.test", TAIL};
  static const char *const three[] = {
      "From: a@quarantine.authors.test, b@none.authors.test",
      "From: c@quarantine.authors.test", TAIL};
  const char *const *cases[] = {fwd, rev, fields};
  size_t ncases[] = {N(fwd), N(rev), N(fields)};
  size_t k;
  char from[256], *s;
  int nd;
  mxc_result_t *r;

  for (k = 0; k < N(cases); k++) {
    const mxc_result_t *d;
    r = report_of(hdr(cases[k], ncases[k]));
    ck_assert_uint_eq(mxc_compliance_dmarc_count(r), 2);
    d = mxc_compliance_sub(r, "dmarc");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(mxc_dmarc_from_domain(d), "reject.authors.test");
    ck_assert_int_eq(mxc_result_verdict(d), MXC_VERDICT_FAIL);
    ck_assert_str_eq(mxc_dmarc_policy(d), "reject");
    ck_assert_str_eq(mxc_dmarc_from_domain(mxc_compliance_dmarc(
                         r, mxc_compliance_dmarc_decisive(r))),
                     "reject.authors.test");
    /* each domain's own result, in From order */
    ck_assert_str_eq(mxc_dmarc_policy(mxc_compliance_dmarc(r, 0)),
                     k == 1 ? "reject" : "none");
    ck_assert_str_eq(mxc_dmarc_policy(mxc_compliance_dmarc(r, 1)),
                     k == 1 ? "none" : "reject");
    ck_assert_ptr_null(mxc_compliance_dmarc(r, 2));
    ck_assert_uint_eq(mxc_compliance_authors_over(r), 0);
    json_dmarc(r, from, sizeof(from), &nd);
    ck_assert_str_eq(from, "reject.authors.test");
    ck_assert_int_eq(nd, 2);
    ck_assert_str_eq(state_of(r, "R10"), "fail"); /* p=reject not aligned */
    ck_assert_str_eq(state_of(r, "R12"), "fail"); /* several mailboxes */
    {
      /* R13: every author domain exists */
      size_t i;
      for (i = 0; i < mxc_compliance_rule_count(r); i++)
        if (strcmp(mxc_compliance_rule_id(r, i), "R13") == 0) {
          ck_assert_ptr_nonnull(strstr(mxc_compliance_rule_evidence(r, i),
                                       "none.authors.test: MX 10"));
          ck_assert_ptr_nonnull(strstr(mxc_compliance_rule_evidence(r, i),
                                       "reject.authors.test: MX 10"));
        }
      ck_assert_str_eq(state_of(r, "R13"), "pass");
    }
    s = mxc_result_authres(r, NULL);
    ck_assert_ptr_nonnull(strstr(s, k == 1
                                        ? "dmarc=fail header.from=reject."
                                          "authors.test; dmarc=fail "
                                          "header.from=none.authors.test"
                                        : "dmarc=fail header.from=none."
                                          "authors.test; dmarc=fail "
                                          "header.from=reject.authors.test"));
    mxc_free(s);
    s = mxc_result_text(r, 0);
    ck_assert_ptr_nonnull(strstr(s, "2 author domains; DMARC of "
                                    "reject.authors.test decides"));
    mxc_free(s);
    /* a copy keeps them */
    {
      mxc_result_t *c = mxc_result_dup(r);
      ck_assert_uint_eq(mxc_compliance_dmarc_count(c), 2);
      ck_assert_str_eq(mxc_dmarc_from_domain(mxc_compliance_dmarc(c, 1)),
                       mxc_dmarc_from_domain(mxc_compliance_dmarc(r, 1)));
      mxc_result_free(c);
    }
    mxc_result_free(r);
  }

  /* quarantine beats none, the first quarantine decides; the second
   * quarantine mailbox adds no domain */
  r = report_of(hdr(three, N(three)));
  ck_assert_uint_eq(mxc_compliance_dmarc_count(r), 2);
  ck_assert_uint_eq(mxc_compliance_dmarc_decisive(r), 0);
  ck_assert_str_eq(mxc_dmarc_policy(mxc_compliance_sub(r, "dmarc")),
                   "quarantine");
  mxc_result_free(r);
}
END_TEST

/* The same domain twice: one DMARC check, rendered as for one author. */
START_TEST(same_author_twice)
{
  static const char *const same[] = {
      "From: a@reject.authors.test, b@Reject.Authors.Test", TAIL};
  static const char *const single[] = {"From: a@reject.authors.test", TAIL};
  char from[256], *s, *s1;
  int nd;
  mxc_result_t *r = report_of(hdr(same, N(same))), *r1;
  ck_assert_uint_eq(mxc_compliance_dmarc_count(r), 1);
  ck_assert_uint_eq(mxc_dmarc_trace_count(mxc_compliance_sub(r, "dmarc")),
                    mxc_dmarc_trace_count(mxc_compliance_dmarc(r, 0)));
  json_dmarc(r, from, sizeof(from), &nd);
  ck_assert_str_eq(from, "reject.authors.test");
  ck_assert_int_eq(nd, -1); /* no dmarc_domains for one domain */
  s = mxc_result_authres(r, NULL);
  ck_assert_ptr_nonnull(strstr(s, "; dmarc=fail header.from=reject.authors.test"));
  ck_assert_ptr_null(strstr(strstr(s, "dmarc=") + 1, "dmarc="));
  /* the same Authentication-Results as with one mailbox */
  r1 = report_of(hdr(single, N(single)));
  s1 = mxc_result_authres(r1, NULL);
  ck_assert_str_eq(s, s1);
  ck_assert_str_eq(state_of(r, "R9"), state_of(r1, "R9"));
  ck_assert_str_eq(state_of(r, "R10"), state_of(r1, "R10"));
  mxc_free(s);
  mxc_free(s1);
  mxc_result_free(r1);
  mxc_result_free(r);
}
END_TEST

/* 100 mailboxes of 100 domains: 32 evaluated, the rest counted and
 * reported; R9 and R10 cannot pass. */
START_TEST(hundred_authors)
{
  char *big = many_from(100), from[256], *s;
  const char *const tail[] = {TAIL};
  mxc_msg_t *m = NULL;
  mxc_result_t *r;
  json_object *o, *c, *v;
  int nd;
  size_t i;
  ck_assert_int_eq(mxc_msg_new(&m), MXC_OK);
  ck_assert_int_eq(mxc_msg_field(m, big, strlen(big)), MXC_OK);
  free(big);
  for (i = 0; i < N(tail); i++)
    ck_assert_int_eq(mxc_msg_field(m, tail[i], strlen(tail[i])), MXC_OK);
  r = report_of(m);
  ck_assert_uint_eq(mxc_compliance_dmarc_count(r), MXC_MAX_AUTHORS);
  ck_assert_uint_eq(mxc_compliance_authors_over(r), 100 - MXC_MAX_AUTHORS);
  for (i = 0; i < MXC_MAX_AUTHORS; i++)
    ck_assert_ptr_nonnull(mxc_compliance_dmarc(r, i));
  ck_assert_str_ne(state_of(r, "R9"), "pass");
  ck_assert_str_ne(state_of(r, "R10"), "pass");
  ck_assert_str_eq(state_of(r, "R12"), "fail");
  json_dmarc(r, from, sizeof(from), &nd);
  ck_assert_int_eq(nd, MXC_MAX_AUTHORS);
  s = mxc_result_json(r);
  o = json_tokener_parse(s);
  ck_assert(json_object_object_get_ex(o, "compliance", &c));
  ck_assert(json_object_object_get_ex(c, "authors_not_evaluated", &v));
  ck_assert_int_eq(json_object_get_int(v), 100 - MXC_MAX_AUTHORS);
  ck_assert(json_object_object_get_ex(c, "author_domains", &v));
  ck_assert_int_eq((int)json_object_array_length(v), MXC_MAX_AUTHORS);
  json_object_put(o);
  mxc_free(s);
  s = mxc_result_text(r, 0);
  ck_assert_ptr_nonnull(strstr(s, "68 more From mailbox(es) not evaluated "
                                  "(at most 32 author domains)"));
  mxc_free(s);
  s = mxc_result_authres(r, NULL);
  ck_assert_ptr_nonnull(strstr(s, "header.from=d31.authors.test"));
  ck_assert_ptr_null(strstr(s, "header.from=d32.authors.test"));
  mxc_free(s);
  mxc_result_free(r);
}
END_TEST

START_TEST(contract)
{
  struct rec a = {0}, b = {0}, c = {0};
  mxc_check_t *chk = NULL;
  mxc_ctx_t *c2;
  mxc_msg_t *m = hdr(news, N(news));

  ck_assert_int_eq(mxc_compliance_start(NULL, "192.0.2.1", NULL, NULL, NULL,
                                        NULL, NULL, rec_cb, &a, NULL),
                   MXC_EINVAL);
  ck_assert_int_eq(mxc_compliance_start(ctx, "192.0.2.1", NULL, NULL, NULL,
                                        NULL, NULL, NULL, &a, NULL),
                   MXC_EINVAL);
  ck_assert_int_eq(mxc_compliance_start(ctx, "192.0.2.1", NULL, NULL, NULL,
                                        NULL, NULL, NULL, &a, NULL),
                   MXC_EINVAL);
  ck_assert_int_eq(mxc_compliance_start(ctx, "192.0.2.1", NULL, NULL, NULL,
                                        NULL, "hotmail", rec_cb, &a, &chk),
                   MXC_EINVAL);
  ck_assert_ptr_null(chk);
  /* a bad address: MXC_EADDRESS with the reason, never inside start */
  ck_assert_int_eq(mxc_compliance_start(ctx, "not-an-ip", "a@bulk.test",
                                        NULL, m, NULL, NULL, rec_cb, &a,
                                        NULL),
                   MXC_OK);
  ck_assert_int_eq(a.calls, 0);
  /* cancelled while its sub-checks run */
  ck_assert_int_eq(mxc_compliance_start(ctx, "192.0.2.1", "a@bulk.test",
                                        NULL, m, NULL, NULL, rec_cb, &b,
                                        &chk),
                   MXC_OK);
  mxc_check_cancel(chk);
  ck_assert_int_eq(b.calls, 1);
  ck_assert_int_eq(b.st, MXC_ECANCELLED);
  ck_assert_int_eq(mxc_run(ctx, 10000), MXC_OK);
  ck_assert_int_eq(a.calls, 1);
  ck_assert_int_eq(a.st, MXC_EADDRESS);
  ck_assert_ptr_nonnull(a.res);
  ck_assert_str_ne(a.res->error, "");
  mxc_result_free(a.res);
  ck_assert_int_eq(b.calls, 1);
  /* the context freed with the check pending, at each stage */
  c2 = tu_ctx(server);
  ck_assert_int_eq(mxc_compliance_start(c2, "192.0.2.1", "a@bulk.test", NULL,
                                        m, NULL, "yahoo-bulk", rec_cb, &c,
                                        NULL),
                   MXC_OK);
  mxc_ctx_free(c2);
  ck_assert_int_eq(c.calls, 1);
  ck_assert_int_eq(c.st, MXC_EDESTRUCTION);
  memset(&c, 0, sizeof(c));
  c2 = tu_ctx(server);
  ck_assert_int_eq(mxc_compliance_start(c2, "192.0.2.1", "a@bulk.test", NULL,
                                        m, NULL, "yahoo-bulk", rec_cb, &c,
                                        NULL),
                   MXC_OK);
  mxc_run(c2, 30); /* part of the way: the sub-checks may be done */
  mxc_ctx_free(c2);
  ck_assert_int_eq(c.calls, 1);
  mxc_result_free(c.res);
  mxc_msg_free(m);
}
END_TEST

START_TEST(allocation_failures)
{
  static const char *const two[] = {
      "From: a@none.authors.test, b@reject.authors.test", TAIL};
  long n;
  int completed = 0;
  /* one author domain, then two (their DMARC checks and the copies) */
  mxc_msg_t *m = _i ? hdr(two, N(two)) : hdr(news, N(news));
  for (n = 1; n < (_i ? 700 : 400); n++) {
    mxc_ctx_t *c = NULL;
    struct rec r = {0};
    mxci_alloc_fail_after(n);
    if (mxc_ctx_new(&c) != MXC_OK)
      continue;
    if (mxc_ctx_set_servers(c, server) == MXC_OK &&
        mxc_compliance_start(c, "192.0.2.1", "news@bulk.test", "h.example",
                             m, NULL, "gmail-bulk", rec_cb, &r,
                             NULL) == MXC_OK) {
      mxc_run(c, 5000);
      ck_assert_int_le(r.calls, 1);
      completed += r.calls == 1 && r.st == MXC_OK;
    }
    mxci_alloc_fail_after(0);
    mxc_result_free(r.res);
    mxc_ctx_free(c);
  }
  mxci_alloc_fail_after(0);
  mxc_msg_free(m);
  ck_assert_int_gt(completed, 0);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("compliance");
  TCase *u = tcase_create("header checks");
  TCase *t = tcase_create("compliance check");
  server = tu_server("MXC_TEST_DNS");
  tcase_add_test(u, dates_and_ids);
  tcase_add_test(u, header_facts);
  tcase_add_test(u, author_domains);
  tcase_add_test(u, hostile_input);
  suite_add_tcase(s, u);
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_set_timeout(t, 120);
  tcase_add_test(t, rule_states);
  tcase_add_test(t, sync_and_methods);
  tcase_add_test(t, several_authors);
  tcase_add_test(t, same_author_twice);
  tcase_add_test(t, hundred_authors);
  tcase_add_test(t, contract);
  tcase_add_loop_test(t, allocation_failures, 0, 2);
  suite_add_tcase(s, t);
  return tu_run_suite(s);
}
