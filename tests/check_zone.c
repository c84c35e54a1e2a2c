/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_zone.c -- answers from zone files (lib/zone.c): the shape of the
 * answers mxci_dns_lookup() hands the checks (records, NODATA, NXDOMAIN
 * with the SOA, CNAME chains, wildcards, zone cuts), the checks on top,
 * and hostile zone text.  The file-only cases ask a server that does not
 * answer (nothing in the zone may reach it); the delegation case asks the Knot test
 * server of tests/dnsfixture.sh (MXC_TEST_DNS).
 */
#include "mxc_private.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#define NOWHERE "127.0.0.1:9"

static const char draft[] =
    "$ORIGIN example.test.\n"
    "$TTL 300\n"
    "@        3600 SOA ns1 hostmaster 1 3600 600 86400 60\n"
    "         NS   ns1\n"
    "         MX   10 mx1\n"
    "         TXT  \"v=spf1 ip4:192.0.2.0/25 -all\"\n"
    "ns1      A    192.0.2.53\n"
    "mx1      A    192.0.2.25\n"
    "mx1      AAAA 2001:db8::25\n"
    "www      A    192.0.2.80\n"
    "alias    CNAME www\n"
    "alias2   CNAME alias\n"
    "loop1    CNAME loop2\n"
    "loop2    CNAME loop1\n"
    "dangling CNAME nothere\n"
    "a.b      TXT  \"deep\"\n"
    "*.wild   TXT  \"v=spf1 -all\"\n"
    "*.wild   MX   0 .\n"
    "known.wild A  192.0.2.9\n"
    "sub      NS   ns.sub\n"
    "ns.sub   A    192.0.2.54\n"
    "_dmarc   TXT  \"v=DMARC1; p=reject\"\n";

struct got {
  int called;
  struct mxci_answer *ans;
};

static void got_cb(void *arg, const struct mxci_answer *ans)
{
  struct got *g = arg;
  g->called++;
  g->ans = mxci_answer_dup(ans);
}

static mxc_ctx_t *ctx_with(const char *server, const char *origin,
                           const char *text)
{
  mxc_ctx_t *ctx = NULL;
  ck_assert_int_eq(mxc_ctx_new(&ctx), MXC_OK);
  ck_assert_int_eq(mxc_ctx_set_servers(ctx, server), MXC_OK);
  mxc_ctx_set_timeout_ms(ctx, 300);
  mxc_ctx_set_tries(ctx, 1);
  ck_assert_msg(mxc_ctx_add_zone_text(ctx, origin, text, strlen(text)) ==
                    MXC_OK,
                "%s", mxc_ctx_error(ctx));
  return ctx;
}

/* Look name/type up; the answer (from the zone: at once). */
static struct mxci_answer *ask(mxc_ctx_t *ctx, const char *name,
                               uint16_t type)
{
  struct got g = {0, NULL};
  struct mxci_waiter w;
  int64_t end = mxci_now_ms() + 5000;
  ck_assert_int_eq(mxci_dns_lookup(ctx, name, type, got_cb, &g, &w), MXC_OK);
  /* Not from a zone: drive c-ares until the answer (no check is pending,
   * so mxc_run() would return at once). */
  while (!g.called && mxci_now_ms() < end) {
    fd_set r, wr;
    struct timeval tv = {0, 50000};
    int nfds;
    FD_ZERO(&r);
    FD_ZERO(&wr);
    nfds = ares_fds(ctx->channel, &r, &wr);
    select(nfds, &r, &wr, NULL, &tv);
    ares_process(ctx->channel, &r, &wr);
  }
  ck_assert_int_eq(g.called, 1);
  ck_assert_ptr_nonnull(g.ans);
  return g.ans;
}

static void ans_free(struct mxci_answer *a)
{
  mxci_answer_clear(a);
  mxci_free(a);
}

START_TEST(test_records)
{
  mxc_ctx_t *ctx = ctx_with(NOWHERE, "example.test", draft);
  struct mxci_answer *a;
  mxc_stats_t st;

  a = ask(ctx, "www.example.test", MXCI_T_A);
  ck_assert_int_eq(a->err, ARES_SUCCESS);
  ck_assert_int_eq(a->rcode, MXCI_RCODE_NOERROR);
  ck_assert(a->from_zone);
  ck_assert_uint_eq(a->nan, 1);
  ck_assert_str_eq(a->an[0].owner, "www.example.test");
  ck_assert_int_eq(a->an[0].addr[3], 80);
  ck_assert_uint_eq(a->an[0].ttl, 300);
  ans_free(a);

  /* case does not matter; a final dot neither */
  a = ask(ctx, "MX1.Example.TEST.", MXCI_T_AAAA);
  ck_assert_uint_eq(a->nan, 1);
  ck_assert_int_eq(a->an[0].addr[15], 0x25);
  ans_free(a);

  a = ask(ctx, "example.test", MXCI_T_MX);
  ck_assert_uint_eq(a->nan, 1);
  ck_assert_str_eq(a->an[0].name, "mx1.example.test");
  ck_assert_uint_eq(a->an[0].pref, 10);
  ans_free(a);

  a = ask(ctx, "example.test", MXCI_T_TXT);
  ck_assert_uint_eq(a->nan, 1);
  ck_assert_int_eq(memcmp(a->an[0].data, "v=spf1 ", 7), 0);
  ans_free(a);

  /* peek (what the SPF lint and libspf2's view read): the same answers,
   * kept while the context lives; nothing for names outside */
  {
    const struct mxci_answer *p1 = NULL, *p2 = NULL;
    ck_assert_int_eq(mxci_dns_peek(ctx, "www.example.test", MXCI_T_A, &p1),
                     1);
    ck_assert(p1->from_zone);
    ck_assert_uint_eq(p1->nan, 1);
    ck_assert_int_eq(mxci_dns_peek(ctx, "WWW.example.test.", MXCI_T_A, &p2),
                     1);
    ck_assert_ptr_eq(p1, p2);
    ck_assert_int_eq(mxci_dns_peek(ctx, "nope.example.test", MXCI_T_A, &p1),
                     1);
    ck_assert_int_eq(p1->rcode, MXCI_RCODE_NXDOMAIN);
    ck_assert_int_eq(mxci_dns_peek(ctx, "example.org", MXCI_T_A, &p1), 0);
    ck_assert_int_eq(mxci_dns_peek(ctx, "ns.sub.example.test", MXCI_T_A, &p1),
                     0);
  }
  mxc_ctx_stats(ctx, &st);
  ck_assert_uint_eq(st.queries_sent, 0);
  ck_assert_uint_eq(mxc_ctx_zone_count(ctx), 1);
  ck_assert_str_eq(mxc_ctx_zone_origin(ctx, 0), "example.test");
  ck_assert_str_eq(mxc_ctx_zone_source(ctx, 0), "(zone text)");
  ck_assert_uint_eq(mxc_ctx_zone_answers(ctx, 0), 6);
  ck_assert_ptr_null(mxc_ctx_zone_origin(ctx, 1));
  mxc_ctx_free(ctx);
}
END_TEST

START_TEST(test_negative)
{
  mxc_ctx_t *ctx = ctx_with(NOWHERE, "example.test", draft);
  struct mxci_answer *a;

  /* NXDOMAIN: the SOA in the authority section, the negative TTL the
   * smaller of its TTL (3600) and MINIMUM (60) */
  a = ask(ctx, "nope.example.test", MXCI_T_TXT);
  ck_assert_int_eq(a->err, ARES_SUCCESS);
  ck_assert_int_eq(a->rcode, MXCI_RCODE_NXDOMAIN);
  ck_assert_uint_eq(a->nan, 0);
  ck_assert_uint_eq(a->nns, 1);
  ck_assert_int_eq(a->ns[0].type, MXCI_T_SOA);
  ck_assert_str_eq(mxci_answer_soa_zone(a), "example.test");
  ck_assert_uint_eq(a->min_ttl, 60);
  ans_free(a);

  /* NODATA */
  a = ask(ctx, "www.example.test", MXCI_T_MX);
  ck_assert_int_eq(a->rcode, MXCI_RCODE_NOERROR);
  ck_assert_uint_eq(a->nan, 0);
  ck_assert_uint_eq(a->nns, 1);
  ck_assert(a->from_zone);
  ans_free(a);

  /* an empty non-terminal exists: NODATA, not NXDOMAIN */
  a = ask(ctx, "b.example.test", MXCI_T_TXT);
  ck_assert_int_eq(a->rcode, MXCI_RCODE_NOERROR);
  ck_assert_uint_eq(a->nan, 0);
  ans_free(a);
  mxc_ctx_free(ctx);
}
END_TEST

START_TEST(test_cname)
{
  mxc_ctx_t *ctx = ctx_with(NOWHERE, "example.test", draft);
  struct mxci_answer *a;
  int hops;

  a = ask(ctx, "alias2.example.test", MXCI_T_A);
  ck_assert_int_eq(a->rcode, MXCI_RCODE_NOERROR);
  ck_assert_uint_eq(a->nan, 3);
  ck_assert_str_eq(mxci_answer_follow(a, "alias2.example.test", &hops),
                   "www.example.test");
  ck_assert_int_eq(hops, 2);
  ans_free(a);

  /* asked for the CNAME itself: no following */
  a = ask(ctx, "alias.example.test", MXCI_T_CNAME);
  ck_assert_uint_eq(a->nan, 1);
  ans_free(a);

  /* a chain to a name that does not exist: NXDOMAIN with the chain */
  a = ask(ctx, "dangling.example.test", MXCI_T_A);
  ck_assert_int_eq(a->rcode, MXCI_RCODE_NXDOMAIN);
  ck_assert_uint_eq(a->nan, 1);
  ans_free(a);

  /* a loop ends; the follower sees it */
  a = ask(ctx, "loop1.example.test", MXCI_T_A);
  ck_assert_uint_le(a->nan, MXCI_MAX_CNAME_HOPS + 1);
  mxci_answer_follow(a, "loop1.example.test", &hops);
  ck_assert_int_eq(hops, -1);
  ans_free(a);
  mxc_ctx_free(ctx);
}
END_TEST

START_TEST(test_wildcard)
{
  mxc_ctx_t *ctx = ctx_with(NOWHERE, "example.test", draft);
  struct mxci_answer *a;

  a = ask(ctx, "host.wild.example.test", MXCI_T_TXT);
  ck_assert_int_eq(a->rcode, MXCI_RCODE_NOERROR);
  ck_assert_uint_eq(a->nan, 1);
  ck_assert_str_eq(a->an[0].owner, "host.wild.example.test");
  ans_free(a);

  /* deeper names match too (RFC 4592 section 2.2.1: closest encloser) */
  a = ask(ctx, "a.b.c.wild.example.test", MXCI_T_MX);
  ck_assert_uint_eq(a->nan, 1);
  ans_free(a);

  /* the wildcard does not cover a name that exists: NODATA */
  a = ask(ctx, "known.wild.example.test", MXCI_T_TXT);
  ck_assert_int_eq(a->rcode, MXCI_RCODE_NOERROR);
  ck_assert_uint_eq(a->nan, 0);
  ans_free(a);

  /* a wildcard owner with another type: NODATA */
  a = ask(ctx, "x.wild.example.test", MXCI_T_A);
  ck_assert_int_eq(a->rcode, MXCI_RCODE_NOERROR);
  ck_assert_uint_eq(a->nan, 0);
  ans_free(a);
  mxc_ctx_free(ctx);
}
END_TEST

START_TEST(test_outside_and_cut)
{
  mxc_ctx_t *ctx = ctx_with(NOWHERE, "example.test", draft);
  struct mxci_answer *a;
  mxc_stats_t st;

  /* below the zone cut at sub.example.test: DNS (which does not answer) */
  a = ask(ctx, "ns.sub.example.test", MXCI_T_A);
  ck_assert(!a->from_zone);
  ck_assert_int_ne(a->err, ARES_SUCCESS);
  ans_free(a);
  /* outside every zone: DNS */
  a = ask(ctx, "example.org", MXCI_T_A);
  ck_assert(!a->from_zone);
  ans_free(a);
  mxc_ctx_stats(ctx, &st);
  ck_assert_uint_eq(st.queries_sent, 2);
  mxc_ctx_free(ctx);
}
END_TEST

START_TEST(test_delegation_live)
{
  /* A draft of the parent zone "test" delegating spf.test to the Knot
   * test server: names below the cut come from it. */
  const char *dns = getenv("MXC_TEST_DNS");
  static const char parent[] =
      "$ORIGIN test.\n"
      "@ 300 SOA ns1.mxcheck.test. h.mxcheck.test. 1 3600 600 86400 60\n"
      "spf 300 NS ns1.mxcheck.test.\n"
      "draft 300 TXT \"v=spf1 ip4:203.0.113.0/24 -all\"\n";
  mxc_ctx_t *ctx;
  struct mxci_answer *a;
  mxc_result_t *res = NULL;

  if (dns == NULL || *dns == '\0')
    return; /* without the fixture: nothing to ask */
  ctx = ctx_with(dns, NULL, parent);
  ck_assert_str_eq(mxc_ctx_zone_origin(ctx, 0), "test");
  a = ask(ctx, "pass.spf.test", MXCI_T_TXT);
  ck_assert(!a->from_zone);
  ck_assert_int_eq(a->err, ARES_SUCCESS);
  ck_assert_uint_eq(a->nan, 1);
  ans_free(a);
  a = ask(ctx, "draft.test", MXCI_T_TXT);
  ck_assert(a->from_zone);
  ans_free(a);
  /* the SPF check on top: the live record and the draft one */
  ck_assert_int_eq(
      mxc_spf_sync(ctx, "192.0.2.1", "a@pass.spf.test", NULL, &res), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(res), MXC_VERDICT_PASS);
  mxc_result_free(res);
  ck_assert_int_eq(
      mxc_spf_sync(ctx, "192.0.2.1", "a@draft.test", NULL, &res), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(res), MXC_VERDICT_FAIL);
  mxc_result_free(res);
  mxc_ctx_free(ctx);
}
END_TEST

START_TEST(test_checks_on_top)
{
  /* SPF, iprev (a reverse zone file) and DMARC without any DNS server. */
  static const char rev[] =
      "$ORIGIN 2.0.192.in-addr.arpa.\n"
      "@ 300 SOA ns1.example.test. h.example.test. 1 3600 600 86400 60\n"
      "25 300 PTR mx1.example.test.\n"
      "80 300 PTR nowhere.example.test.\n";
  mxc_ctx_t *ctx = ctx_with(NOWHERE, "example.test", draft);
  mxc_result_t *res = NULL;
  mxc_stats_t st;

  ck_assert_int_eq(mxc_ctx_add_zone_text(ctx, NULL, rev, strlen(rev)),
                   MXC_OK);
  ck_assert_int_eq(
      mxc_spf_sync(ctx, "192.0.2.25", "a@example.test", NULL, &res), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(res), MXC_VERDICT_PASS);
  mxc_result_free(res);
  ck_assert_int_eq(
      mxc_spf_sync(ctx, "192.0.2.200", "a@example.test", NULL, &res),
      MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(res), MXC_VERDICT_FAIL);
  mxc_result_free(res);
  /* a wildcard SPF record */
  ck_assert_int_eq(
      mxc_spf_sync(ctx, "192.0.2.25", "a@x.wild.example.test", NULL, &res),
      MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(res), MXC_VERDICT_FAIL);
  mxc_result_free(res);
  ck_assert_int_eq(mxc_iprev_sync(ctx, "192.0.2.25", &res), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(res), MXC_VERDICT_PASS);
  mxc_result_free(res);
  ck_assert_int_eq(mxc_iprev_sync(ctx, "192.0.2.80", &res), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(res), MXC_VERDICT_FAIL);
  mxc_result_free(res);
  mxc_ctx_stats(ctx, &st);
  ck_assert_uint_eq(st.queries_sent, 0);
  ck_assert_int_eq(mxc_dmarc_sync(ctx, "example.test", NULL, NULL, 0, &res),
                   MXC_OK);
  /* (its tree walk asks DNS about _dmarc.test: outside the zone) */
  ck_assert_str_eq(mxc_dmarc_policy(res), "reject");
  mxc_result_free(res);
  mxc_ctx_free(ctx);
}
END_TEST

/* Load text, expect st and, when not OK, msg in the error. */
static void bad_zone(const char *origin, const char *text, size_t len,
                     mxc_status_t want, const char *msg)
{
  mxc_ctx_t *ctx = NULL;
  mxc_status_t st;
  ck_assert_int_eq(mxc_ctx_new(&ctx), MXC_OK);
  st = mxc_ctx_add_zone_text(ctx, origin, text, len);
  ck_assert_msg(st == want, "status %d, want %d (%s)", (int)st, (int)want,
                mxc_ctx_error(ctx));
  ck_assert_msg(strstr(mxc_ctx_error(ctx), msg) != NULL, "error: %s",
                mxc_ctx_error(ctx));
  ck_assert_uint_eq(mxc_ctx_zone_count(ctx), 0);
  mxc_ctx_free(ctx);
}

#define BAD(o, t, want, msg) bad_zone(o, t, strlen(t), want, msg)

START_TEST(test_hostile)
{
  static const char soa[] = "@ 300 SOA ns1 h 1 3600 600 86400 60\n";
  char *big;
  size_t i, n;
  struct mxci_buf b = {0};

  BAD("example.test", "$TTL 300\n@ SOA ns1 h 1 2 3 4 5\nwww A 300.1.1.1\n",
      MXC_EINVAL, "(zone text):3: ");
  BAD("example.test", "@ 300 SOA ns1 h 1 3600 600 86400 60\n"
                      "$INCLUDE /etc/passwd\n",
      MXC_EINVAL, ":2: $INCLUDE is not allowed");
  BAD("example.test",
      "@ 300 SOA ns1 h 1 3600 600 86400 60\nwww.example.com. 300 A 1.2.3.4\n",
      MXC_EINVAL, ":2: record outside the zone example.test");
  /* a zone for another origin */
  BAD("example.test",
      "$ORIGIN example.com.\n@ 300 SOA ns1 h 1 3600 600 86400 60\n",
      MXC_EINVAL, "record outside the zone");
  BAD("example.test", "www 300 A 192.0.2.1\n", MXC_EINVAL, "needs one SOA");
  BAD(NULL, "www.example.test. 300 A 192.0.2.1\n", MXC_EINVAL,
      "the first record is not the SOA");
  BAD(NULL, "@ 300 SOA ns1 h 1 3600 600 86400 60\n", MXC_EINVAL,
      "a zone for the root");
  BAD("example.test", "@ 300 CH SOA ns1 h 1 3600 600 86400 60\n", MXC_EINVAL,
      "(zone text):1: ");
  BAD("bad..origin", soa, MXC_EINVAL, "bad origin");
  BAD("example.test", "", MXC_EINVAL, "needs one SOA");
  /* SOA data in the generic form, too short for its MINIMUM field (found
   * by fuzz_zone: the negative TTL was read past the data) */
  BAD("example.test", "@ 1 SOA \\# 3 414243\n", MXC_EINVAL,
      ":1: SOA data is not two names and five numbers");
  BAD("example.test", "@ 1 SOA \\# 4 00054142\n",
      MXC_EINVAL, ":1: SOA data is not two names");

  /* too many records at one name */
  mxci_buf_puts(&b, soa);
  for (i = 0; i <= MXC_ZONE_MAX_PER_NAME; i++)
    mxci_buf_printf(&b, "many 300 TXT \"%zu\"\n", i);
  big = mxci_buf_take(&b);
  BAD("example.test", big, MXC_ELIMIT, "records at one name");
  mxci_free(big);

  /* over the size cap: refused before parsing */
  n = MXC_ZONE_MAX_BYTES + 1;
  big = mxci_malloc(n);
  ck_assert_ptr_nonnull(big);
  memset(big, ';', n);
  bad_zone("example.test", big, n, MXC_ELIMIT, "over");
  mxci_free(big);

  /* NUL bytes and binary junk: an error, never a crash */
  bad_zone("example.test", "@ 300 SOA\0\0\xff", 12, MXC_EINVAL,
           "(zone text)");
}
END_TEST

START_TEST(test_files)
{
  mxc_ctx_t *ctx = NULL;
  const char *src = getenv("MXC_SRCDIR");
  char path[4096];
  struct mxci_answer *a;

  ck_assert_int_eq(mxc_ctx_new(&ctx), MXC_OK);
  ck_assert_int_eq(mxc_ctx_set_servers(ctx, NOWHERE), MXC_OK);
  ck_assert_int_eq(mxc_ctx_add_zone_file(ctx, "/nonexistent/z", NULL),
                   MXC_EINVAL);
  ck_assert_ptr_nonnull(strstr(mxc_ctx_error(ctx), "/nonexistent/z: "));
  ck_assert_int_eq(mxc_ctx_add_zone_file(ctx, "/", NULL), MXC_EINVAL);
  snprintf(path, sizeof(path), "%s/tests/zones/spf.test.zone",
           src ? src : ".");
  ck_assert_msg(mxc_ctx_add_zone_file(ctx, path, NULL) == MXC_OK, "%s",
                mxc_ctx_error(ctx));
  /* the same zone twice */
  ck_assert_int_eq(mxc_ctx_add_zone_file(ctx, path, NULL), MXC_EINVAL);
  ck_assert_ptr_nonnull(strstr(mxc_ctx_error(ctx), "already loaded"));
  a = ask(ctx, "pass.spf.test", MXCI_T_TXT);
  ck_assert(a->from_zone);
  ck_assert_uint_eq(a->nan, 1);
  ans_free(a);
  ck_assert_str_eq(mxc_ctx_zone_source(ctx, 0), path);
  mxc_ctx_free(ctx);
}
END_TEST

static Suite *zone_suite(void)
{
  Suite *s = suite_create("zone");
  TCase *tc = tcase_create("zone");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_records);
  tcase_add_test(tc, test_negative);
  tcase_add_test(tc, test_cname);
  tcase_add_test(tc, test_wildcard);
  tcase_add_test(tc, test_outside_and_cut);
  tcase_add_test(tc, test_delegation_live);
  tcase_add_test(tc, test_checks_on_top);
  tcase_add_test(tc, test_hostile);
  tcase_add_test(tc, test_files);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(zone_suite());
  int failed;
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
