/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_dnsbl.c -- the DNS blocklist check (rule R19; RFC 5782) against
 * tests/zones/bl.test.zone served by Knot: listed, not listed, the refusal
 * codes 127.255.255.252-255 (never "listed"), a list answering outside
 * 127/8, a zone nobody serves; alone and inside the compliance report.
 */
#include "testutil.h"

static const char *server;
static mxc_ctx_t *ctx;

static void setup(void) { ctx = tu_ctx(server); }
static void teardown(void) { mxc_ctx_free(ctx); }

static void zones(const char *a, const char *b)
{
  const char *z[2] = {a, b};
  ck_assert_int_eq(mxc_ctx_set_dnsbl_zones(ctx, z, b ? 2 : a ? 1 : 0),
                   MXC_OK);
}

static mxc_result_t *run(const char *ip)
{
  mxc_result_t *r = NULL;
  ck_assert_int_eq(mxc_dnsbl_sync(ctx, ip, &r), MXC_OK);
  ck_assert_str_eq(mxc_result_method(r), "dnsbl");
  return r;
}

START_TEST(lookups)
{
  static const struct {
    const char *ip, *zone;
    mxc_dnsbl_state_t state;
    mxc_verdict_t verdict;
    mxc_rule_state_t rstate;
    const char *codes, *text;
  } cases[] = {
      {"192.0.2.7", "bl.test", MXC_DNSBL_LISTED, MXC_VERDICT_FAIL,
       MXC_RULE_FAIL, "127.0.0.2, 127.0.0.4", "lookup?ip=192.0.2.7"},
      {"127.0.0.2", "bl.test", MXC_DNSBL_LISTED, MXC_VERDICT_FAIL,
       MXC_RULE_FAIL, "127.0.0.2", "RFC 5782"},
      {"2001:db8::7", "bl.test", MXC_DNSBL_LISTED, MXC_VERDICT_FAIL,
       MXC_RULE_FAIL, "127.0.0.3", ""},
      {"::ffff:192.0.2.7", "bl.test.", MXC_DNSBL_LISTED, MXC_VERDICT_FAIL,
       MXC_RULE_FAIL, "127.0.0.2, 127.0.0.4", "listed"},
      {"192.0.2.1", "bl.test", MXC_DNSBL_NOT_LISTED, MXC_VERDICT_PASS,
       MXC_RULE_PASS, "", ""},
      {"2001:db8::1", "bl.test", MXC_DNSBL_NOT_LISTED, MXC_VERDICT_PASS,
       MXC_RULE_PASS, "", ""},
      {"192.0.2.7", "refused.bl.test", MXC_DNSBL_REFUSED, MXC_VERDICT_NONE,
       MXC_RULE_UNKNOWN, "127.255.255.254", "public or open resolver"},
      {"192.0.2.7", "ratelimit.bl.test", MXC_DNSBL_REFUSED, MXC_VERDICT_NONE,
       MXC_RULE_UNKNOWN, "127.255.255.255", "rate limited"},
      {"192.0.2.1", "wild.bl.test", MXC_DNSBL_ERROR, MXC_VERDICT_NONE,
       MXC_RULE_UNKNOWN, "192.0.2.99", "outside 127.0.0.0/8"},
      {"192.0.2.1", "nx.example", MXC_DNSBL_ERROR, MXC_VERDICT_NONE,
       MXC_RULE_UNKNOWN, "", "REFUSED"},
  };
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mxc_result_t *r;
    zones(cases[i].zone, NULL);
    r = run(cases[i].ip);
    ck_assert_uint_eq(mxc_dnsbl_count(r), 1);
    ck_assert_msg(mxc_dnsbl_state(r, 0) == cases[i].state, "%s on %s: %s",
                  cases[i].ip, cases[i].zone,
                  mxc_dnsbl_state_str(mxc_dnsbl_state(r, 0)));
    ck_assert_int_eq(mxc_result_verdict(r), cases[i].verdict);
    ck_assert_int_eq(mxc_result_state(r), cases[i].rstate);
    ck_assert_msg(strcmp(mxc_dnsbl_codes(r, 0), cases[i].codes) == 0,
                  "%s: codes %s", cases[i].ip, mxc_dnsbl_codes(r, 0));
    ck_assert_msg(strstr(mxc_dnsbl_text(r, 0), cases[i].text), "%s: %s",
                  cases[i].ip, mxc_dnsbl_text(r, 0));
    mxc_result_free(r);
  }
}
END_TEST

START_TEST(several)
{
  mxc_result_t *r;
  char *j;
  /* listed on one, refused by the other: listed (the refusal is no
   * listing, but another list's listing stands) */
  zones("refused.bl.test", "bl.test");
  ck_assert_uint_eq(mxc_ctx_dnsbl_zone_count(ctx), 2);
  r = run("192.0.2.7");
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_FAIL);
  ck_assert_int_eq(mxc_dnsbl_state(r, 0), MXC_DNSBL_REFUSED);
  ck_assert_int_eq(mxc_dnsbl_state(r, 1), MXC_DNSBL_LISTED);
  j = mxc_result_json(r);
  ck_assert_ptr_nonnull(strstr(j, "\"state\":\"refused\""));
  mxc_free(j);
  j = mxc_result_authres(r, NULL);
  ck_assert_str_eq(j, "Authentication-Results: mxcheck; none");
  mxc_free(j);
  mxc_result_free(r);
  /* not listed on one, refused by the other: unknown, never a pass */
  r = run("192.0.2.1");
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_NONE);
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_UNKNOWN);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "refused"));
  mxc_result_free(r);
  /* no list */
  zones(NULL, NULL);
  r = run("192.0.2.7");
  ck_assert_uint_eq(mxc_dnsbl_count(r), 0);
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_UNKNOWN);
  mxc_result_free(r);
}
END_TEST

START_TEST(contract)
{
  const char *bad[] = {"bl..test"}, *dup[] = {"bl.test", "BL.TEST."};
  const char *many[MXC_DNSBL_MAX_ZONES + 1];
  mxc_result_t *r = NULL;
  size_t i;
  ck_assert_int_eq(mxc_ctx_set_dnsbl_zones(ctx, bad, 1), MXC_EINVAL);
  ck_assert_ptr_nonnull(strstr(mxc_ctx_error(ctx), "bl..test"));
  ck_assert_int_eq(mxc_ctx_set_dnsbl_zones(ctx, NULL, 1), MXC_EINVAL);
  for (i = 0; i < MXC_DNSBL_MAX_ZONES + 1; i++)
    many[i] = "bl.test";
  ck_assert_int_eq(mxc_ctx_set_dnsbl_zones(ctx, many, i), MXC_ELIMIT);
  ck_assert_int_eq(mxc_ctx_set_dnsbl_zones(ctx, dup, 2), MXC_OK);
  ck_assert_uint_eq(mxc_ctx_dnsbl_zone_count(ctx), 1);
  ck_assert_int_eq(mxc_dnsbl_sync(ctx, "not-an-address", &r), MXC_EADDRESS);
  mxc_result_free(r);
  r = run("192.0.2.7");
  {
    mxc_result_t *c = mxc_result_dup(r);
    ck_assert_str_eq(mxc_dnsbl_zone(c, 0), "bl.test");
    ck_assert_str_eq(mxc_dnsbl_codes(c, 0), "127.0.0.2, 127.0.0.4");
    ck_assert_ptr_null(mxc_dnsbl_zone(c, 1));
    mxc_result_free(c);
  }
  mxc_result_free(r);
}
END_TEST

static const char *r19(const mxc_result_t *r, mxc_rule_state_t *st)
{
  size_t i;
  for (i = 0; i < mxc_compliance_rule_count(r); i++)
    if (strcmp(mxc_compliance_rule_id(r, i), "R19") == 0) {
      ck_assert(!mxc_compliance_rule_required(r, i));
      *st = mxc_compliance_rule_state(r, i);
      return mxc_compliance_rule_evidence(r, i);
    }
  ck_abort_msg("no R19");
  return NULL;
}

START_TEST(rule_r19)
{
  static const struct {
    const char *ip, *z1, *z2;
    mxc_rule_state_t state;
    const char *evidence;
  } cases[] = {
      {"192.0.2.7", NULL, NULL, MXC_RULE_UNKNOWN, "no DNS blocklist"},
      {"192.0.2.1", "bl.test", NULL, MXC_RULE_PASS, "not listed on bl.test"},
      /* a recommendation: a listing is a warning */
      {"192.0.2.7", "bl.test", NULL, MXC_RULE_WARN,
       "bl.test listed (127.0.0.2, 127.0.0.4)"},
      /* the refusal codes are never a listing */
      {"192.0.2.7", "refused.bl.test", NULL, MXC_RULE_UNKNOWN,
       "refused.bl.test refused: query refused: it came through a public"},
      {"192.0.2.7", "ratelimit.bl.test", "wild.bl.test", MXC_RULE_UNKNOWN,
       "ratelimit.bl.test refused"},
  };
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mxc_result_t *r = NULL;
    mxc_rule_state_t st;
    const char *e;
    zones(cases[i].z1, cases[i].z2);
    ck_assert_int_eq(mxc_compliance_sync(ctx, cases[i].ip, NULL, NULL, NULL,
                                         NULL, "gmail-bulk", &r),
                     MXC_OK);
    e = r19(r, &st);
    ck_assert_msg(st == cases[i].state, "case %zu: %s", i, e);
    ck_assert_msg(strstr(e, cases[i].evidence), "case %zu: %s", i, e);
    ck_assert_int_eq(mxc_compliance_sub(r, "dnsbl") != NULL,
                     cases[i].z1 != NULL);
    mxc_result_free(r);
  }
}
END_TEST

int main(void)
{
  Suite *s = suite_create("dnsbl");
  TCase *t = tcase_create("blocklists");
  server = tu_server("MXC_TEST_DNS");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_set_timeout(t, 120);
  tcase_add_test(t, lookups);
  tcase_add_test(t, several);
  tcase_add_test(t, contract);
  tcase_add_test(t, rule_r19);
  suite_add_tcase(s, t);
  return tu_run_suite(s);
}
