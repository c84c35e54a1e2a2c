/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_exist.c -- the domain existence check (rule R13; RFC 7505 null MX)
 * against tests/zones/exist.test.zone served by Knot, alone and inside
 * the compliance report.
 */
#include "testutil.h"

static const char *server;
static mxc_ctx_t *ctx;

static void setup(void) { ctx = tu_ctx(server); }
static void teardown(void) { mxc_ctx_free(ctx); }

static mxc_result_t *run(const char *const *d, size_t n)
{
  mxc_result_t *r = NULL;
  ck_assert_int_eq(mxc_exist_sync(ctx, d, n, &r), MXC_OK);
  ck_assert_ptr_nonnull(r);
  ck_assert_str_eq(mxc_result_method(r), "exist");
  return r;
}

START_TEST(states)
{
  static const struct {
    const char *domain;
    mxc_exist_state_t state;
    mxc_verdict_t verdict;
    const char *detail;
  } cases[] = {
      {"exist.test", MXC_EXIST_YES, MXC_VERDICT_PASS, "MX 10 good4"},
      {"EXIST.TEST.", MXC_EXIST_YES, MXC_VERDICT_PASS, "MX 10"},
      {"addronly.exist.test", MXC_EXIST_YES, MXC_VERDICT_PASS, "implicit MX"},
      {"nomail.exist.test", MXC_EXIST_YES, MXC_VERDICT_PASS, "no SOA, MX"},
      {"alias.exist.test", MXC_EXIST_YES, MXC_VERDICT_PASS, "MX 10"},
      {"nullmx.exist.test", MXC_EXIST_NULL_MX, MXC_VERDICT_FAIL, "RFC 7505"},
      {"mixed.exist.test", MXC_EXIST_NULL_MX, MXC_VERDICT_FAIL,
       "other MX records"},
      {"ghost.exist.test", MXC_EXIST_NXDOMAIN, MXC_VERDICT_FAIL, "NXDOMAIN"},
      {"dangling.exist.test", MXC_EXIST_NXDOMAIN, MXC_VERDICT_FAIL,
       "NXDOMAIN"},
      /* Knot refuses names outside its zones: no lookup decides */
      {"example.org", MXC_EXIST_TEMPERROR, MXC_VERDICT_TEMPERROR, "REFUSED"},
      {"no_such..name", MXC_EXIST_INVALID, MXC_VERDICT_FAIL, "not a domain"},
      {"bulk.test>", MXC_EXIST_INVALID, MXC_VERDICT_FAIL, "not a domain"},
  };
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *d[1] = {cases[i].domain};
    mxc_result_t *r = run(d, 1);
    ck_assert_uint_eq(mxc_exist_count(r), 1);
    ck_assert_msg(mxc_exist_state(r, 0) == cases[i].state, "%s: %s",
                  cases[i].domain,
                  mxc_exist_state_str(mxc_exist_state(r, 0)));
    ck_assert_msg(mxc_result_verdict(r) == cases[i].verdict, "%s: %s",
                  cases[i].domain, mxc_verdict_str(mxc_result_verdict(r)));
    ck_assert_msg(strstr(mxc_exist_detail(r, 0), cases[i].detail), "%s: %s",
                  cases[i].domain, mxc_exist_detail(r, 0));
    mxc_result_free(r);
  }
}
END_TEST

START_TEST(several)
{
  /* duplicates (case, final dot) collapse; the verdict is the worst */
  const char *d[] = {"exist.test", "Exist.Test.", "nullmx.exist.test",
                     "example.org"};
  mxc_result_t *r = run(d, 4);
  char *j;
  ck_assert_uint_eq(mxc_exist_count(r), 3);
  ck_assert_str_eq(mxc_exist_domain(r, 1), "nullmx.exist.test");
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_FAIL);
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_FAIL);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "nullmx.exist.test"));
  ck_assert_ptr_nonnull(strstr(mxc_result_fix(r), "null MX"));
  j = mxc_result_json(r);
  ck_assert_ptr_nonnull(strstr(j, "\"state\":\"null-mx\""));
  mxc_free(j);
  j = mxc_result_authres(r, NULL);
  ck_assert_str_eq(j, "Authentication-Results: mxcheck; none");
  mxc_free(j);
  mxc_result_free(r);
  /* pass with a warning: a domain that takes no mail */
  {
    const char *e[] = {"exist.test", "nomail.exist.test"};
    r = run(e, 2);
    ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
    ck_assert(tu_has_warning(r, "no-mail-host"));
    ck_assert_int_eq(mxc_result_state(r), MXC_RULE_WARN);
    mxc_result_free(r);
  }
}
END_TEST

START_TEST(contract)
{
  const char *many[MXC_EXIST_MAX_DOMAINS + 1];
  const char *withnull[2] = {"exist.test", NULL};
  mxc_result_t *r = NULL, *c;
  size_t i;
  for (i = 0; i < MXC_EXIST_MAX_DOMAINS + 1; i++)
    many[i] = "exist.test";
  ck_assert_int_eq(mxc_exist_sync(ctx, many, MXC_EXIST_MAX_DOMAINS + 1, &r),
                   MXC_ELIMIT);
  ck_assert_int_eq(mxc_exist_sync(ctx, withnull, 2, &r), MXC_EINVAL);
  ck_assert_int_eq(mxc_exist_sync(ctx, NULL, 1, &r), MXC_EINVAL);
  r = run(NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  ck_assert_uint_eq(mxc_exist_count(r), 0);
  mxc_result_free(r);
  r = run(many, MXC_EXIST_MAX_DOMAINS);
  ck_assert_uint_eq(mxc_exist_count(r), 1);
  c = mxc_result_dup(r);
  ck_assert_str_eq(mxc_exist_domain(c, 0), "exist.test");
  /* accessors of another method's result answer "none" */
  ck_assert_uint_eq(mxc_exist_count(NULL), 0);
  ck_assert_ptr_null(mxc_exist_domain(c, 1));
  mxc_result_free(c);
  mxc_result_free(r);
}
END_TEST

static const char *rule(const mxc_result_t *r, const char *id,
                        mxc_rule_state_t *st, mxc_unknown_t *why)
{
  size_t i;
  for (i = 0; i < mxc_compliance_rule_count(r); i++)
    if (strcmp(mxc_compliance_rule_id(r, i), id) == 0) {
      *st = mxc_compliance_rule_state(r, i);
      *why = mxc_compliance_rule_unknown(r, i);
      return mxc_compliance_rule_evidence(r, i);
    }
  ck_abort_msg("no rule %s", id);
  return NULL;
}

static mxc_msg_t *msg_from(const char *from)
{
  mxc_msg_t *m = NULL;
  ck_assert_int_eq(mxc_msg_new(&m), MXC_OK);
  ck_assert_int_eq(mxc_msg_field(m, from, strlen(from)), MXC_OK);
  return m;
}

START_TEST(rule_r13)
{
  static const struct {
    const char *mail_from, *from;
    mxc_rule_state_t state;
    mxc_unknown_t why;
    const char *evidence;
  } cases[] = {
      {NULL, NULL, MXC_RULE_UNKNOWN, MXC_UNKNOWN_INDETERMINATE,
       "no MAIL FROM or From domain"},
      {"a@exist.test", NULL, MXC_RULE_PASS, MXC_UNKNOWN_NONE,
       "exist.test: MX 10"},
      {"<a@exist.test>", NULL, MXC_RULE_PASS, MXC_UNKNOWN_NONE,
       "exist.test: MX 10"},
      {"a@exist.test", "From: b@addronly.exist.test", MXC_RULE_PASS,
       MXC_UNKNOWN_NONE, "addronly.exist.test: no MX"},
      {"a@nullmx.exist.test", NULL, MXC_RULE_FAIL, MXC_UNKNOWN_NONE,
       "nullmx.exist.test null-mx: null MX (RFC 7505"},
      {"a@exist.test", "From: b@ghost.exist.test", MXC_RULE_FAIL,
       MXC_UNKNOWN_NONE, "ghost.exist.test nxdomain"},
      {"a@example.org", NULL, MXC_RULE_UNKNOWN, MXC_UNKNOWN_INDETERMINATE,
       "example.org temperror"},
      /* a decided failure beats an undecided domain */
      {"a@example.org", "From: b@nullmx.exist.test", MXC_RULE_FAIL,
       MXC_UNKNOWN_NONE, "nullmx.exist.test null-mx"},
  };
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mxc_msg_t *m = cases[i].from ? msg_from(cases[i].from) : NULL;
    mxc_result_t *r = NULL;
    mxc_rule_state_t st;
    mxc_unknown_t why;
    const char *e;
    ck_assert_int_eq(mxc_compliance_sync(ctx, "192.0.2.1", cases[i].mail_from,
                                         NULL, m, NULL, "gmail", &r),
                     MXC_OK);
    mxc_msg_free(m);
    e = rule(r, "R13", &st, &why);
    ck_assert_msg(st == cases[i].state && why == cases[i].why, "case %zu: %s",
                  i, e);
    ck_assert_msg(strstr(e, cases[i].evidence), "case %zu: %s", i, e);
    ck_assert_int_eq(mxc_compliance_sub(r, "exist") != NULL,
                     cases[i].mail_from != NULL || cases[i].from != NULL);
    mxc_result_free(r);
  }
}
END_TEST

int main(void)
{
  Suite *s = suite_create("exist");
  TCase *t = tcase_create("existence");
  server = tu_server("MXC_TEST_DNS");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_set_timeout(t, 120);
  tcase_add_test(t, states);
  tcase_add_test(t, several);
  tcase_add_test(t, contract);
  tcase_add_test(t, rule_r13);
  suite_add_tcase(s, t);
  return tu_run_suite(s);
}
