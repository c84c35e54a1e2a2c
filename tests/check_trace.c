/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_trace.c -- the envelope of a received copy from its trace fields
 * (lib/checks/compliance/trace.c): the Received forms of Postfix, Sendmail,
 * Exim, qmail, Exchange and Gmail, Return-Path, hostile fields (64 KiB,
 * 1000 fields, garbage) without the network; then the compliance check
 * that takes its envelope from them, against Knot DNS serving
 * tests/zones/bulk.test.zone and the reverse zones.
 */
#include "testutil.h"

#include "mxc_private.h"
#include "checks/compliance/compliance_private.h"

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

static mxc_msg_t *msg_of(const char *const *fields, size_t n)
{
  mxc_msg_t *m = NULL;
  size_t i;
  ck_assert_int_eq(mxc_msg_new(&m), MXC_OK);
  for (i = 0; i < n; i++)
    ck_assert_int_eq(mxc_msg_field(m, fields[i], strlen(fields[i])), MXC_OK);
  return m;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* One Received value: from clause?, ip, helo, rdns, by. */
static void hop_is(const char *v, int from, const char *ip, const char *helo,
                   const char *rdns, const char *by)
{
  struct mxci_hop h;
  ck_assert_msg(mxci_trace_parse_received(v, &h) == from, "from: %s", v);
  ck_assert_msg(strcmp(h.ip, ip) == 0, "ip '%s' want '%s': %s", h.ip, ip, v);
  ck_assert_msg(strcmp(h.helo, helo) == 0, "helo '%s' want '%s': %s", h.helo,
                helo, v);
  ck_assert_msg(strcmp(h.rdns, rdns) == 0, "rdns '%s' want '%s': %s", h.rdns,
                rdns, v);
  ck_assert_msg(strcmp(h.by, by) == 0, "by '%s' want '%s': %s", h.by, by, v);
}

START_TEST(received_forms)
{
  /* Postfix */
  hop_is("from mail.example.org (mail.example.org [192.0.2.25]) by "
         "mx.example.net (Postfix) with ESMTPS id 4Xy; Tue, 1 Jan 2026",
         1, "192.0.2.25", "mail.example.org", "mail.example.org",
         "mx.example.net");
  hop_is("from helo.example (unknown [192.0.2.26]) by mx.example.net "
         "(Postfix) with ESMTP id 1",
         1, "192.0.2.26", "helo.example", "", "mx.example.net");
  hop_is("from mail6.example.org (mail6.example.org "
         "[IPv6:2001:DB8:0:0::25]:41234)\tby mx.example.net with ESMTPS",
         1, "2001:db8::25", "mail6.example.org", "mail6.example.org",
         "mx.example.net");
  /* Sendmail */
  hop_is("from h.example (r.example [192.0.2.27] (may be forged)) by "
         "mx.example.net (8.17.1/8.17.1) with ESMTP id abc",
         1, "192.0.2.27", "h.example", "r.example", "mx.example.net");
  /* Gmail */
  hop_is("from good4.mxcheck.test (good4.mxcheck.test. [192.0.2.1]) "
         "by mx.google.com with ESMTPS id x.1 for <a@b> (version=TLS1_3 "
         "cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Tue, 24 Nov 2026",
         1, "192.0.2.1", "good4.mxcheck.test", "good4.mxcheck.test",
         "mx.google.com");
  /* Exim */
  hop_is("from rdns.example ([192.0.2.28] helo=helo.example) by "
         "mx.example.net with esmtps (TLS1.3) (Exim 4.96) "
         "(envelope-from <a@b>) id 1",
         1, "192.0.2.28", "helo.example", "rdns.example", "mx.example.net");
  hop_is("from [192.0.2.29] (helo=laptop) by mx.example.net with esmtp",
         1, "192.0.2.29", "laptop", "", "mx.example.net");
  hop_is("from same.example ([192.0.2.30]) by mx.example.net with esmtp",
         1, "192.0.2.30", "same.example", "", "mx.example.net");
  /* qmail, Exchange */
  hop_is("from unknown (HELO q.example) (192.0.2.31) by mx.example.net "
         "with SMTP",
         1, "192.0.2.31", "q.example", "", "mx.example.net");
  hop_is("from ex.example.org (2001:db8::32) by mx.example.net "
         "(10.0.0.1) with Microsoft SMTP Server",
         1, "2001:db8::32", "ex.example.org", "", "mx.example.net");
  /* no from clause: a hop inside the receiver */
  hop_is("by 2002:a05:6a10:b0c8::1 with SMTP id x8csp1; Tue, 24 Nov 2026",
         0, "", "", "", "2002:a05:6a10:b0c8::1");
  /* garbage */
  hop_is("", 0, "", "", "", "");
  hop_is("from", 0, "", "", "", "");
  hop_is("from ((((((((", 1, "", "", "", "");
  hop_is("from x ([999.1.1.1]) by y", 1, "", "x", "", "y");
  hop_is("from x ([IPv6:zz::1]", 1, "", "x", "", "");
  hop_is("from x (\\", 1, "", "x", "", "");
}
END_TEST

START_TEST(return_path)
{
  char out[300];
  ck_assert_int_eq(mxci_trace_parse_return_path("<bounce@bulk.test>", out,
                                                sizeof(out)),
                   1);
  ck_assert_str_eq(out, "bounce@bulk.test");
  ck_assert_int_eq(mxci_trace_parse_return_path(" <> ", out, sizeof(out)), 1);
  ck_assert_str_eq(out, "");
  ck_assert_int_eq(mxci_trace_parse_return_path("a@b.example", out,
                                                sizeof(out)),
                   1);
  ck_assert_str_eq(out, "a@b.example");
  ck_assert_int_eq(mxci_trace_parse_return_path("<@r1,@r2:u@d.example>", out,
                                                sizeof(out)),
                   1);
  ck_assert_str_eq(out, "u@d.example");
  ck_assert_int_eq(mxci_trace_parse_return_path("<a b@c>", out, sizeof(out)),
                   0);
  ck_assert_int_eq(mxci_trace_parse_return_path("<unclosed", out,
                                                sizeof(out)),
                   0);
}
END_TEST

/* The receiver's hop and Return-Path of whole headers. */
START_TEST(message_trace)
{
  static const char *const gmail[] = {
      "Delivered-To: reader@example.net",
      "Received: by 2002:a05:6a10:b0c8::1 with SMTP id x8csp1;\r\n"
      "        Tue, 24 Nov 2026 02:00:01 -0800 (PST)",
      "Return-Path: <bounce@bulk.test>",
      "Received: from good4.mxcheck.test (good4.mxcheck.test. [192.0.2.1])\r\n"
      "        by mx.google.com with ESMTPS id abc.123;\r\n"
      "        Tue, 24 Nov 2026 02:00:01 -0800 (PST)",
      "Received: from laptop ([10.0.0.5]) by good4.mxcheck.test with "
      "ESMTPSA",
      "From: News <news@bulk.test>"};
  static const char *const filtered[] = {
      "Received: from localhost (localhost [127.0.0.1]) by mx.example.net "
      "(Postfix) with ESMTP id 2",
      "Received: from mx.example.net ([127.0.0.1]) by localhost (amavisd)",
      "Received: from h.example (h.example [2001:db8::1]) by mx.example.net "
      "with ESMTPS id 1"};
  static const char *const sent[] = {
      "Received: from [192.168.1.10] (dsl.example [198.51.100.7]) by "
      "smtp.example.org (Postfix) with ESMTPSA id 5",
      "From: a@example.org"};
  static const char *const privonly[] = {
      "Received: from lan (lan [192.168.1.2]) by mx.lan with SMTP"};
  static const char *const none[] = {"From: a@example.org",
                                     "Return-Path: not a path"};
  mxc_msg_t *m = msg_of(gmail, N(gmail));

  ck_assert_str_eq(mxc_msg_trace(m, MXC_TRACE_IP), "192.0.2.1");
  ck_assert_str_eq(mxc_msg_trace(m, MXC_TRACE_HELO), "good4.mxcheck.test");
  ck_assert_str_eq(mxc_msg_trace(m, MXC_TRACE_RDNS), "good4.mxcheck.test");
  ck_assert_str_eq(mxc_msg_trace(m, MXC_TRACE_BY), "mx.google.com");
  ck_assert_str_eq(mxc_msg_trace(m, MXC_TRACE_MAIL_FROM), "bounce@bulk.test");
  ck_assert_uint_eq(mxc_msg_trace_field(m, MXC_TRACE_IP), 4);
  ck_assert_uint_eq(mxc_msg_trace_line(m, MXC_TRACE_IP), 5);
  ck_assert_uint_eq(mxc_msg_trace_field(m, MXC_TRACE_MAIL_FROM), 3);
  ck_assert_uint_eq(mxc_msg_trace_line(m, MXC_TRACE_MAIL_FROM), 4);
  ck_assert_str_eq(mxc_msg_trace_note(m), "");
  mxc_msg_free(m);

  m = msg_of(filtered, N(filtered));
  ck_assert_str_eq(mxc_msg_trace(m, MXC_TRACE_IP), "2001:db8::1");
  ck_assert_uint_eq(mxc_msg_trace_field(m, MXC_TRACE_IP), 3);
  ck_assert_ptr_null(mxc_msg_trace(m, MXC_TRACE_MAIL_FROM));
  ck_assert_ptr_nonnull(strstr(mxc_msg_trace_note(m), "2 Received hops"));
  mxc_msg_free(m);

  m = msg_of(sent, N(sent));
  ck_assert_ptr_null(mxc_msg_trace(m, MXC_TRACE_IP));
  ck_assert_ptr_nonnull(strstr(mxc_msg_trace_note(m), "ESMTPSA"));
  mxc_msg_free(m);

  m = msg_of(privonly, N(privonly));
  ck_assert_str_eq(mxc_msg_trace(m, MXC_TRACE_IP), "192.168.1.2");
  ck_assert_ptr_nonnull(strstr(mxc_msg_trace_note(m), "global"));
  mxc_msg_free(m);

  m = msg_of(none, N(none));
  ck_assert_ptr_null(mxc_msg_trace(m, MXC_TRACE_IP));
  ck_assert_ptr_null(mxc_msg_trace(m, MXC_TRACE_MAIL_FROM));
  ck_assert_uint_eq(mxc_msg_trace_field(m, MXC_TRACE_IP), 0);
  ck_assert_ptr_nonnull(strstr(mxc_msg_trace_note(m), "not a path"));
  mxc_msg_free(m);

  ck_assert_ptr_null(mxc_msg_trace(NULL, MXC_TRACE_IP));
  ck_assert_str_eq(mxc_msg_trace_note(NULL), "");
}
END_TEST

/* A 64 KiB Received field, 1000 Received fields, NULs and 8-bit. */
START_TEST(hostile)
{
  mxc_msg_t *m = NULL;
  size_t big = 64 * 1024 + 100, i;
  char *f = malloc(big + 1);
  ck_assert_ptr_nonnull(f);

  /* 64 KiB of nested comments and brackets: bounded, nothing found */
  ck_assert_int_eq(mxc_msg_new(&m), MXC_OK);
  memcpy(f, "Received: from ", 15);
  for (i = 15; i < big; i++)
    f[i] = "([(["[i % 4];
  f[big] = '\0';
  ck_assert_int_eq(mxc_msg_field(m, f, big), MXC_OK);
  /* a long name in front of a good literal: cut, the address still read */
  big = 60 * 1024; /* under MXC_MSG_MAX_FIELD: not cut */
  memcpy(f, "Received: from ", 15);
  memset(f + 15, 'a', big - 15);
  memcpy(f + big - 40, " (x [192.0.2.1]) by mx.example", 30);
  f[big - 10] = '\0';
  ck_assert_int_eq(mxc_msg_field(m, f, big - 10), MXC_OK);
  ck_assert_str_eq(mxc_msg_trace(m, MXC_TRACE_IP), "192.0.2.1");
  ck_assert_uint_eq(strlen(mxc_msg_trace(m, MXC_TRACE_HELO)),
                    MXCI_TRACE_NAME - 1);
  mxc_msg_free(m);

  /* 1000 Received fields (internal hops), then the receiver's: past
   * MXC_MSG_MAX_FIELDS, not read */
  ck_assert_int_eq(mxc_msg_new(&m), MXC_OK);
  for (i = 0; i < MXC_MSG_MAX_FIELDS; i++) {
    const char *h = "Received: by mx.example.net with LMTP id 1";
    ck_assert_int_eq(mxc_msg_field(m, h, strlen(h)), MXC_OK);
  }
  {
    const char *h = "Received: from a (a [192.0.2.1]) by b";
    ck_assert_int_eq(mxc_msg_field(m, h, strlen(h)), MXC_ELIMIT);
  }
  ck_assert_ptr_null(mxc_msg_trace(m, MXC_TRACE_IP));
  ck_assert_ptr_nonnull(strstr(mxc_msg_trace_note(m), "1000 Received"));
  mxc_msg_free(m);

  /* NUL, CR, 8-bit inside */
  ck_assert_int_eq(mxc_msg_new(&m), MXC_OK);
  {
    static const char h[] = "Received: from \xff\xfe (\0 [192.0.2.9]\r) by x";
    ck_assert_int_eq(mxc_msg_field(m, h, sizeof(h) - 1), MXC_OK);
  }
  ck_assert_str_eq(mxc_msg_trace(m, MXC_TRACE_IP), "192.0.2.9");
  mxc_msg_free(m);
  free(f);
}
END_TEST

static mxc_result_t *comp(const char *ip, const char *mf, const char *helo,
                          const mxc_msg_t *m)
{
  mxc_result_t *r = NULL;
  ck_assert_int_eq(mxc_compliance_sync(ctx, ip, mf, helo, m, NULL, "gmail",
                                       &r),
                   MXC_OK);
  ck_assert_ptr_nonnull(r);
  return r;
}

static mxc_rule_state_t rule(const mxc_result_t *r, const char *id,
                             mxc_unknown_t *why)
{
  size_t i;
  for (i = 0; i < mxc_compliance_rule_count(r); i++)
    if (strcmp(mxc_compliance_rule_id(r, i), id) == 0) {
      if (why)
        *why = mxc_compliance_rule_unknown(r, i);
      return mxc_compliance_rule_state(r, i);
    }
  ck_abort_msg("no rule %s", id);
  return MXC_RULE_UNKNOWN;
}

START_TEST(compliance_from_trace)
{
  static const char *const rcvd[] = {
      "Return-Path: <bounce@bulk.test>",
      "Received: from good4.mxcheck.test (good4.mxcheck.test. [192.0.2.1])"
      " by mx.google.com with ESMTPS id 1; Tue, 24 Nov 2026 02:00:01 -0800",
      "From: News <news@bulk.test>",
      "Date: Tue, 24 Nov 2026 10:00:00 +0000",
      "Message-ID: <t1@bulk.test>"};
  mxc_msg_t *m = msg_of(rcvd, N(rcvd));
  mxc_result_t *r;
  mxc_unknown_t why;
  char *j;

  /* the trace is not read unless asked: nothing known, rules unknown */
  r = comp(NULL, NULL, NULL, m);
  ck_assert_int_eq(mxc_result_family(r), 0);
  ck_assert_ptr_null(mxc_compliance_envelope(r, MXC_TRACE_IP));
  ck_assert_ptr_null(mxc_compliance_sub(r, "iprev"));
  ck_assert_int_eq(rule(r, "R1", &why), MXC_RULE_UNKNOWN);
  ck_assert_int_eq(why, MXC_UNKNOWN_INDETERMINATE);
  ck_assert_int_eq(rule(r, "R5", &why), MXC_RULE_UNKNOWN);
  ck_assert_int_eq(rule(r, "R7", &why), MXC_RULE_UNKNOWN);
  ck_assert_int_eq(why, MXC_UNKNOWN_INDETERMINATE);
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_UNKNOWN);
  j = mxc_result_json(r);
  ck_assert_ptr_nonnull(strstr(j, "\"address\":null"));
  ck_assert_ptr_nonnull(strstr(j, "\"missing\":[\"ip\",\"helo\",\"mail_from\"]"));
  mxc_free(j);
  j = mxc_result_text(r, 0);
  ck_assert_ptr_nonnull(strstr(j, "client address not known"));
  mxc_free(j);
  mxc_result_free(r);

  /* asked: the envelope comes from the Received and Return-Path fields */
  mxc_msg_set_use_trace(m, 1);
  r = comp(NULL, NULL, NULL, m);
  ck_assert_str_eq(mxc_result_address(r), "192.0.2.1");
  ck_assert_str_eq(mxc_compliance_envelope(r, MXC_TRACE_MAIL_FROM),
                   "bounce@bulk.test");
  ck_assert_str_eq(mxc_compliance_envelope_source(r, MXC_TRACE_MAIL_FROM),
                   "Return-Path field 1, line 1");
  ck_assert_str_eq(mxc_compliance_envelope_source(r, MXC_TRACE_IP),
                   "Received field 2, line 2");
  ck_assert_str_eq(mxc_compliance_envelope(r, MXC_TRACE_HELO),
                   "good4.mxcheck.test");
  ck_assert_int_eq(rule(r, "R2", NULL), MXC_RULE_PASS);
  ck_assert_int_eq(rule(r, "R4", NULL), MXC_RULE_PASS);
  ck_assert_int_eq(rule(r, "R5", NULL), MXC_RULE_PASS);
  ck_assert_int_eq(rule(r, "R10", NULL), MXC_RULE_WARN); /* DKIM missing */
  mxc_result_free(r);

  /* given values win, each on its own */
  r = comp("192.0.2.7", "<>", NULL, m);
  ck_assert_str_eq(mxc_result_address(r), "192.0.2.7");
  ck_assert_str_eq(mxc_compliance_envelope_source(r, MXC_TRACE_IP), "given");
  ck_assert_str_eq(mxc_compliance_envelope(r, MXC_TRACE_MAIL_FROM), "");
  ck_assert_str_eq(mxc_compliance_envelope_source(r, MXC_TRACE_HELO),
                   "Received field 2, line 2");
  ck_assert_int_eq(rule(r, "R2", NULL), MXC_RULE_FAIL);
  {
    mxc_result_t *d = mxc_result_dup(r);
    ck_assert_str_eq(mxc_compliance_envelope_source(d, MXC_TRACE_HELO),
                     "Received field 2, line 2");
    mxc_result_free(d);
  }
  mxc_result_free(r);
  mxc_msg_free(m);
}
END_TEST

/* ---- the sending-domain audit (tests/zones/questions.test.zone) ---- */

START_TEST(domain_audit)
{
  mxc_result_t *r = NULL;
  char *j;

  ck_assert_int_eq(mxc_domain_sync(ctx, "Questions.Test.", &r), MXC_OK);
  ck_assert_str_eq(mxc_result_method(r), "domain");
  ck_assert_str_eq(mxc_domain_name(r), "questions.test");
  ck_assert_int_eq(mxc_domain_mx_state(r), MXC_MX_OK);
  ck_assert_uint_eq(mxc_domain_mx_count(r), 2);
  ck_assert_str_eq(mxc_domain_mx_host(r, 0), "good4.mxcheck.test");
  ck_assert_uint_eq(mxc_domain_mx_pref(r, 1), 20);
  ck_assert_uint_eq(mxc_domain_mx_addr_count(r, 0), 1);
  ck_assert_int_eq(mxc_result_verdict(mxc_domain_mx_iprev(r, 0, 0)),
                   MXC_VERDICT_PASS);
  /* mismatch7's address 192.0.2.77 has no PTR */
  ck_assert_str_eq(mxc_result_address(mxc_domain_mx_iprev(r, 1, 0)),
                   "192.0.2.77");
  ck_assert_int_eq(mxc_result_verdict(mxc_domain_mx_iprev(r, 1, 0)),
                   MXC_VERDICT_PERMERROR);
  ck_assert_str_eq(mxc_dmarc_policy(mxc_domain_dmarc(r)), "reject");
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_FAIL);
  j = mxc_result_json(r);
  ck_assert_ptr_nonnull(strstr(j, "\"mx_state\":\"ok\""));
  ck_assert_ptr_nonnull(strstr(j, "\"dmarc\":{"));
  mxc_free(j);
  j = mxc_result_authres(r, NULL);
  ck_assert_ptr_nonnull(strstr(j, "iprev=pass"));
  ck_assert_ptr_nonnull(strstr(j, "iprev=permerror"));
  mxc_free(j);
  {
    mxc_result_t *d = mxc_result_dup(r);
    char *t1 = mxc_result_text(r, 0), *t2 = mxc_result_text(d, 0);
    ck_assert_str_eq(t1, t2);
    ck_assert_ptr_nonnull(strstr(t1, "MX 20     mismatch7.mxcheck.test"));
    mxc_free(t1);
    mxc_free(t2);
    mxc_result_free(d);
  }
  mxc_result_free(r);

  ck_assert_int_eq(mxc_domain_sync(ctx, "nullmx.questions.test", &r), MXC_OK);
  ck_assert_int_eq(mxc_domain_mx_state(r), MXC_MX_NULL);
  ck_assert_uint_eq(mxc_domain_mx_count(r), 0);
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_FAIL);
  mxc_result_free(r);

  ck_assert_int_eq(mxc_domain_sync(ctx, "nomx.questions.test", &r), MXC_OK);
  ck_assert_int_eq(mxc_domain_mx_state(r), MXC_MX_NONE);
  ck_assert_str_eq(mxc_domain_mx_host(r, 0), "nomx.questions.test");
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_WARN);
  mxc_result_free(r);

  ck_assert_int_eq(mxc_domain_sync(ctx, "dual.questions.test", &r), MXC_OK);
  ck_assert_uint_eq(mxc_domain_mx_addr_count(r, 0), 2);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  mxc_result_free(r);

  ck_assert_int_eq(mxc_domain_sync(ctx, "absent.questions.test", &r), MXC_OK);
  ck_assert_int_eq(mxc_domain_mx_state(r), MXC_MX_NXDOMAIN);
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_FAIL);
  mxc_result_free(r);

  ck_assert_int_eq(mxc_domain_sync(ctx, "not a domain", &r), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PERMERROR);
  mxc_result_free(r);
  ck_assert_int_eq(mxc_domain_sync(ctx, NULL, &r), MXC_EINVAL);
}
END_TEST

/* The records of the audit (questions.test.zone, audit.*): SPF with its
 * networks, DKIM keys at selectors, rua= destinations. */
START_TEST(domain_records)
{
  static const char *const sel[] = {"s2048", "s1024", "old", "ed", "bad",
                                    "nokey"};
  static const char *const bad[] = {"a b"};
  mxc_result_t *r = NULL;

  ck_assert_int_eq(mxc_domain_audit_sync(ctx, "audit.questions.test", sel, 6,
                                         &r), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(mxc_domain_spf(r)),
                   MXC_VERDICT_SOFTFAIL);
  ck_assert_int_eq(mxc_spf_dns_lookups(mxc_domain_spf(r)), 3);
  ck_assert_uint_eq(mxc_domain_spf_network_count(r), 5);
  ck_assert_str_eq(mxc_domain_spf_network(r, 0), "192.0.2.0/28");
  ck_assert_str_eq(mxc_domain_spf_network(r, 3), "198.51.100.7/32");
  ck_assert_str_eq(mxc_domain_spf_network(r, 4), "2001:db8:77::7/128");
  ck_assert_ptr_null(mxc_domain_spf_network(r, 5));
  ck_assert_uint_eq(mxc_domain_key_count(r), 6);
  ck_assert_int_eq(mxc_domain_key_state(r, 0), MXC_DKEY_OK);
  ck_assert_uint_eq(mxc_domain_key_bits(r, 0), 2048);
  ck_assert_uint_eq(mxc_domain_key_bits(r, 1), 1024);
  ck_assert_int_eq(mxc_domain_key_testing(r, 1), 1);
  ck_assert_int_eq(mxc_domain_key_testing(r, 0), 0);
  ck_assert_int_eq(mxc_domain_key_state(r, 2), MXC_DKEY_REVOKED);
  ck_assert_str_eq(mxc_domain_key_type(r, 3), "ed25519");
  ck_assert_int_eq(mxc_domain_key_state(r, 4), MXC_DKEY_INVALID);
  ck_assert_int_eq(mxc_domain_key_state(r, 5), MXC_DKEY_NONE);
  ck_assert_str_eq(mxc_domain_key_selector(r, 5), "nokey");
  ck_assert_uint_eq(mxc_domain_rua_count(r), 3);
  ck_assert_int_eq(mxc_domain_rua_state(r, 0), MXC_RUA_INTERNAL);
  ck_assert_str_eq(mxc_domain_rua_domain(r, 1), "mxcheck.test");
  ck_assert_int_eq(mxc_domain_rua_state(r, 1), MXC_RUA_AUTHORISED);
  ck_assert_int_eq(mxc_domain_rua_state(r, 2), MXC_RUA_UNAUTHORISED);
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_FAIL);
  {
    mxc_result_t *d = mxc_result_dup(r);
    char *j1 = mxc_result_json(r), *j2 = mxc_result_json(d);
    ck_assert_str_eq(j1, j2);
    ck_assert_ptr_nonnull(strstr(j1, "\"dkim_keys\":["));
    mxc_free(j1);
    mxc_free(j2);
    mxc_result_free(d);
  }
  mxc_result_free(r);

  /* the keys that are fine, and no selector: no DKIM failure */
  ck_assert_int_eq(mxc_domain_audit_sync(ctx, "audit.questions.test", sel + 3,
                                         1, &r), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  mxc_result_free(r);
  ck_assert_int_eq(mxc_domain_sync(ctx, "open.questions.test", &r), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_FAIL);
  mxc_result_free(r);
  ck_assert_int_eq(mxc_domain_sync(ctx, "broken.questions.test", &r), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(mxc_domain_spf(r)),
                   MXC_VERDICT_PERMERROR);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_FAIL);
  mxc_result_free(r);

  ck_assert_int_eq(mxc_domain_audit_sync(ctx, "audit.questions.test", bad, 1,
                                         &r), MXC_EINVAL);
  ck_assert_int_eq(mxc_domain_audit_sync(ctx, "audit.questions.test", NULL, 1,
                                         &r), MXC_EINVAL);
  ck_assert_int_eq(mxc_domain_audit_sync(ctx, "audit.questions.test", sel,
                                         MXC_DOMAIN_MAX_SELECTORS + 1, &r),
                   MXC_EINVAL);
}
END_TEST

/* The host check (mxcheck.test.zone): A and AAAA, iprev of each address
 * against the host name. */
START_TEST(host_check)
{
  mxc_result_t *r = NULL;
  char *t;

  ck_assert_int_eq(mxc_host_sync(ctx, "Good6.MXcheck.test.", &r), MXC_OK);
  ck_assert_str_eq(mxc_result_method(r), "host");
  ck_assert_str_eq(mxc_host_name(r), "good6.mxcheck.test");
  ck_assert_int_eq(mxc_host_state(r), MXC_MX_OK);
  ck_assert_uint_eq(mxc_host_addr_count(r), 2);
  ck_assert_str_eq(mxc_host_addr(r, 0), "192.0.2.1");
  ck_assert_str_eq(mxc_host_addr(r, 1), "2001:db8::1");
  ck_assert_ptr_null(mxc_host_addr(r, 2));
  ck_assert_int_eq(mxc_result_verdict(mxc_host_iprev(r, 1)), MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_host_ptr_is_host(r, 0), 0); /* PTR good4 */
  ck_assert_int_eq(mxc_host_ptr_is_host(r, 1), 1);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_WARN);
  ck_assert_str_eq(mxc_result_warning_code(r, 0), "ptr-not-host");
  {
    mxc_result_t *d = mxc_result_dup(r);
    char *t2 = mxc_result_text(d, 0);
    t = mxc_result_text(r, 0);
    ck_assert_str_eq(t, t2);
    mxc_free(t2);
    mxc_free(t);
    mxc_result_free(d);
  }
  t = mxc_result_authres(r, NULL);
  ck_assert_ptr_nonnull(strstr(t, "iprev=pass"));
  mxc_free(t);
  mxc_result_free(r);

  ck_assert_int_eq(mxc_host_sync(ctx, "mismatch7.mxcheck.test", &r), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_FAIL);
  ck_assert_ptr_nonnull(strstr(mxc_result_fix(r), "192.0.2.77"));
  mxc_result_free(r);
  ck_assert_int_eq(mxc_host_sync(ctx, "absent.mxcheck.test", &r), MXC_OK);
  ck_assert_int_eq(mxc_host_state(r), MXC_MX_NXDOMAIN);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_FAIL);
  mxc_result_free(r);
  ck_assert_int_eq(mxc_host_sync(ctx, "questions.test", &r), MXC_OK);
  ck_assert_int_eq(mxc_host_state(r), MXC_MX_NODATA);
  mxc_result_free(r);
  ck_assert_int_eq(mxc_host_sync(ctx, "not a host", &r), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PERMERROR);
  mxc_result_free(r);
  ck_assert_int_eq(mxc_host_sync(ctx, NULL, &r), MXC_EINVAL);
  /* another method's result: the accessors answer "none" */
  ck_assert_uint_eq(mxc_host_addr_count(NULL), 0);
  ck_assert_str_eq(mxc_host_name(NULL), "");
}
END_TEST

static void host_cancel_cb(mxc_check_t *chk, mxc_status_t st,
                           const mxc_result_t *res, void *arg)
{
  (void)chk;
  (void)res;
  ck_assert_int_eq(st, MXC_ECANCELLED);
  (*(int *)arg)++;
}

START_TEST(host_cancel)
{
  mxc_check_t *c = NULL;
  int n = 0;
  ck_assert_int_eq(mxc_host_start(ctx, "good6.mxcheck.test", host_cancel_cb,
                                  &n, &c), MXC_OK);
  mxc_check_cancel(c);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  ck_assert_int_eq(n, 1);
}
END_TEST

/* Cancelled while its lookups and sub-checks run: one callback, no leak. */
static void count_cb(mxc_check_t *chk, mxc_status_t st,
                     const mxc_result_t *res, void *arg)
{
  (void)chk;
  (void)res;
  ck_assert_int_eq(st, MXC_ECANCELLED);
  (*(int *)arg)++;
}

START_TEST(domain_cancel)
{
  mxc_check_t *c = NULL;
  int n = 0;
  ck_assert_int_eq(mxc_domain_start(ctx, "questions.test", count_cb, &n, &c),
                   MXC_OK);
  mxc_check_cancel(c); /* lookups in flight, or answered from the cache */
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(mxc_run(ctx, 2000), MXC_OK);
  ck_assert_int_eq(n, 1);
  ck_assert_uint_eq(mxc_pending(ctx), 0);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("trace");
  TCase *u = tcase_create("parser");
  TCase *t = tcase_create("knot");
  server = getenv("MXC_TEST_DNS");
  tcase_add_test(u, received_forms);
  tcase_add_test(u, return_path);
  tcase_add_test(u, message_trace);
  tcase_add_test(u, hostile);
  suite_add_tcase(s, u);
  if (server && *server) {
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 30);
    tcase_add_test(t, compliance_from_trace);
    tcase_add_test(t, domain_audit);
    tcase_add_test(t, domain_records);
    tcase_add_test(t, host_check);
    tcase_add_test(t, host_cancel);
    tcase_add_test(t, domain_cancel);
    suite_add_tcase(s, t);
  } else {
    fprintf(stderr, "knot cases skipped: MXC_TEST_DNS not set\n");
  }
  return tu_run_suite(s);
}
