/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_fcrdns.c -- the iprev check against Knot DNS on loopback serving
 * tests/zones (see tests/zones/README.md for the table of cases).
 */
#include "testutil.h"

static mxc_ctx_t *ctx;

static void setup(void) { ctx = tu_ctx(tu_server("MXC_TEST_DNS")); }
static void teardown(void) { mxc_ctx_free(ctx); }

static mxc_result_t *check(const char *addr, mxc_verdict_t want)
{
  mxc_result_t *r = NULL;
  ck_assert_int_eq(mxc_fcrdns_sync(ctx, addr, &r), MXC_OK);
  ck_assert_ptr_nonnull(r);
  ck_assert_msg(mxc_result_verdict(r) == want, "%s: %s, want %s (%s)", addr,
                mxc_verdict_str(mxc_result_verdict(r)), mxc_verdict_str(want),
                mxc_result_reason(r));
  ck_assert_str_eq(mxc_result_method(r), "iprev");
  return r;
}

START_TEST(good_v4)
{
  mxc_result_t *r = check("192.0.2.1", MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_result_family(r), 4);
  ck_assert_str_eq(mxc_iprev_matched_name(r), "good4.mxcheck.test");
  ck_assert_int_eq(mxc_iprev_ptr_count(r), 1);
  ck_assert_int_eq(mxc_iprev_ptr_state(r, 0), MXC_NAME_MATCH);
  ck_assert_str_eq(mxc_iprev_addr(r, 0, 0), "192.0.2.1");
  ck_assert_int_eq(mxc_result_warning_count(r), 0);
  ck_assert_str_eq(mxc_result_fix(r), "");
  ck_assert_ptr_null(mxc_iprev_reverse_zone(r));
  mxc_result_free(r);
}
END_TEST

START_TEST(good_v6)
{
  mxc_result_t *r = check("2001:db8::1", MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_result_family(r), 6);
  ck_assert_str_eq(mxc_iprev_matched_name(r), "good6.mxcheck.test");
  /* Only AAAA are compared for IPv6. */
  ck_assert_int_eq(mxc_iprev_addr_count(r, 0), 1);
  ck_assert_str_eq(mxc_iprev_addr(r, 0, 0), "2001:db8::1");
  mxc_result_free(r);
  /* Every textual form gives the same answer. */
  r = check("2001:0DB8:0:0::0001", MXC_VERDICT_PASS);
  ck_assert_str_eq(mxc_result_address(r), "2001:db8::1");
  mxc_result_free(r);
  r = check("IPv6:2001:db8::1", MXC_VERDICT_PASS);
  mxc_result_free(r);
  r = check("[2001:db8::1]", MXC_VERDICT_PASS);
  mxc_result_free(r);
}
END_TEST

START_TEST(mapped_v4)
{
  mxc_result_t *r = check("::ffff:192.0.2.1", MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_result_family(r), 4);
  ck_assert_int_eq(mxc_result_mapped(r), 1);
  ck_assert_str_eq(mxc_result_address(r), "192.0.2.1");
  ck_assert_str_eq(mxc_result_reverse_name(r), "1.2.0.192.in-addr.arpa");
  mxc_result_free(r);
}
END_TEST

START_TEST(later_ptr_maps_back)
{
  static const char *const addrs[] = {"192.0.2.2", "2001:db8::2"};
  static const char *const right[] = {"right2-last.mxcheck.test",
                                      "right6-last.mxcheck.test"};
  for (int k = 0; k < 2; k++) {
    mxc_result_t *r = check(addrs[k], MXC_VERDICT_PASS);
    long i = tu_name_index(r, right[k]);
    ck_assert_int_eq(mxc_iprev_ptr_count(r), 3);
    ck_assert_int_ge(i, 0);
    ck_assert_int_eq(mxc_iprev_ptr_state(r, (size_t)i), MXC_NAME_MATCH);
    ck_assert_str_eq(mxc_iprev_matched_name(r), right[k]);
    for (size_t j = 0; j < 3; j++)
      if ((long)j != i)
        ck_assert_int_eq(mxc_iprev_ptr_state(r, j), MXC_NAME_MISMATCH);
    ck_assert(tu_has_warning(r, "several-ptr-names"));
    mxc_result_free(r);
  }
}
END_TEST

START_TEST(through_cname)
{
  mxc_result_t *r = check("192.0.2.3", MXC_VERDICT_PASS);
  ck_assert_str_eq(mxc_iprev_matched_name(r), "alias3.mxcheck.test");
  ck_assert_ptr_nonnull(strstr(mxc_iprev_ptr_detail(r, 0), "host3"));
  mxc_result_free(r);
  r = check("2001:db8::3", MXC_VERDICT_PASS);
  ck_assert_ptr_nonnull(strstr(mxc_iprev_ptr_detail(r, 0), "host6"));
  mxc_result_free(r);
}
END_TEST

START_TEST(ipv6_name_with_only_a)
{
  mxc_result_t *r = check("2001:db8::4", MXC_VERDICT_FAIL);
  ck_assert_int_eq(mxc_iprev_ptr_state(r, 0), MXC_NAME_NODATA);
  ck_assert(tu_has_warning(r, "ipv6-ptr-name-has-only-a"));
  ck_assert_ptr_nonnull(strstr(mxc_iprev_ptr_detail(r, 0), "192.0.2.4"));
  ck_assert_ptr_nonnull(strstr(mxc_result_fix(r), "AAAA"));
  mxc_result_free(r);
  /* The same name is fine for its IPv4 address. */
  r = check("192.0.2.4", MXC_VERDICT_PASS);
  mxc_result_free(r);
}
END_TEST

START_TEST(no_ptr_parent)
{
  mxc_result_t *r = check("192.0.2.5", MXC_VERDICT_PERMERROR);
  ck_assert_str_eq(mxc_iprev_reverse_zone(r), "2.0.192.in-addr.arpa");
  ck_assert_int_eq(mxc_iprev_reverse_ns_count(r), 1);
  ck_assert_str_eq(mxc_iprev_reverse_ns(r, 0), "ns1.mxcheck.test");
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "no PTR"));
  ck_assert_ptr_nonnull(strstr(mxc_result_fix(r), "2.0.192.in-addr.arpa"));
  mxc_result_free(r);
  r = check("2001:db8::5", MXC_VERDICT_PERMERROR);
  ck_assert_str_eq(mxc_iprev_reverse_zone(r), "8.b.d.0.1.0.0.2.ip6.arpa");
  mxc_result_free(r);
}
END_TEST

START_TEST(no_ptr_delegated)
{
  mxc_result_t *r = check("2001:db8:1::5", MXC_VERDICT_PERMERROR);
  ck_assert_str_eq(mxc_iprev_reverse_zone(r),
                   "1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  ck_assert_int_eq(mxc_iprev_reverse_ns_count(r), 2);
  ck_assert(strcmp(mxc_iprev_reverse_ns(r, 0), "ns1.isp.test") == 0 ||
            strcmp(mxc_iprev_reverse_ns(r, 1), "ns1.isp.test") == 0);
  ck_assert_ptr_nonnull(strstr(mxc_result_fix(r), "ns2.isp.test"));
  mxc_result_free(r);
}
END_TEST

START_TEST(forward_nxdomain)
{
  mxc_result_t *r = check("192.0.2.6", MXC_VERDICT_FAIL);
  ck_assert_int_eq(mxc_iprev_ptr_state(r, 0), MXC_NAME_NXDOMAIN);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "nx6.mxcheck.test"));
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "NXDOMAIN"));
  mxc_result_free(r);
  r = check("2001:db8::6", MXC_VERDICT_FAIL);
  ck_assert_int_eq(mxc_iprev_ptr_state(r, 0), MXC_NAME_NXDOMAIN);
  mxc_result_free(r);
}
END_TEST

START_TEST(mismatch)
{
  mxc_result_t *r = check("192.0.2.7", MXC_VERDICT_FAIL);
  ck_assert_int_eq(mxc_iprev_ptr_state(r, 0), MXC_NAME_MISMATCH);
  ck_assert_str_eq(mxc_iprev_addr(r, 0, 0), "192.0.2.77");
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "192.0.2.77"));
  ck_assert_ptr_null(mxc_iprev_matched_name(r));
  mxc_result_free(r);
  r = check("2001:db8::7", MXC_VERDICT_FAIL);
  ck_assert_str_eq(mxc_iprev_addr(r, 0, 0), "2001:db8::77");
  mxc_result_free(r);
}
END_TEST

START_TEST(names_capped)
{
  mxc_result_t *r = check("192.0.2.8", MXC_VERDICT_FAIL);
  size_t i, tried = 0, not_tried = 0;
  ck_assert_int_eq(mxc_iprev_ptr_count(r), 12);
  for (i = 0; i < 12; i++) {
    if (mxc_iprev_ptr_state(r, i) == MXC_NAME_NOT_TRIED)
      not_tried++;
    else if (mxc_iprev_ptr_state(r, i) == MXC_NAME_MISMATCH)
      tried++;
  }
  ck_assert_int_eq(tried, MXC_FCRDNS_MAX_NAMES);
  ck_assert_int_eq(not_tried, 12 - MXC_FCRDNS_MAX_NAMES);
  ck_assert(tu_has_warning(r, "ptr-names-capped"));
  mxc_result_free(r);
}
END_TEST

START_TEST(generic_names)
{
  mxc_result_t *r = check("192.0.2.9", MXC_VERDICT_PASS);
  ck_assert(tu_has_warning(r, "generic-name"));
  mxc_result_free(r);
  r = check("2001:db8::9", MXC_VERDICT_PASS);
  ck_assert(tu_has_warning(r, "generic-name"));
  mxc_result_free(r);
  /* A proper name gives no such warning. */
  r = check("192.0.2.11", MXC_VERDICT_PASS);
  ck_assert(!tu_has_warning(r, "generic-name"));
  mxc_result_free(r);
}
END_TEST

START_TEST(forward_nodata)
{
  mxc_result_t *r = check("192.0.2.10", MXC_VERDICT_FAIL);
  ck_assert_int_eq(mxc_iprev_ptr_state(r, 0), MXC_NAME_NODATA);
  mxc_result_free(r);
}
END_TEST

START_TEST(dual_stack)
{
  mxc_result_t *r = check("192.0.2.11", MXC_VERDICT_PASS);
  mxc_result_free(r);
  r = check("2001:db8::11", MXC_VERDICT_PASS);
  ck_assert_str_eq(mxc_iprev_matched_name(r), "mx.mxcheck.test");
  mxc_result_free(r);
  r = check("192.0.2.12", MXC_VERDICT_PASS);
  mxc_result_free(r);
}
END_TEST

START_TEST(not_an_address)
{
  mxc_result_t *r = NULL;
  ck_assert_int_eq(mxc_fcrdns_sync(ctx, "mail.example.org", &r),
                   MXC_EADDRESS);
  ck_assert_ptr_nonnull(r);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "mail.example.org"));
  ck_assert_str_eq(mxc_result_address(r), "");
  mxc_result_free(r);
}
END_TEST

START_TEST(not_global_warning)
{
  /* No reverse data for 10/8 here: permerror, and a warning about it. */
  mxc_result_t *r = NULL;
  ck_assert_int_eq(mxc_fcrdns_sync(ctx, "10.1.2.3", &r), MXC_OK);
  ck_assert(tu_has_warning(r, "not-global"));
  mxc_result_free(r);
}
END_TEST

START_TEST(over_ipv6_transport)
{
  const char *s6 = getenv("MXC_TEST_DNS6");
  mxc_ctx_t *c6;
  mxc_result_t *r = NULL;
  if (s6 == NULL || *s6 == '\0')
    return; /* no usable ::1 on this machine: nothing to test */
  c6 = tu_ctx(s6);
  ck_assert_int_eq(mxc_fcrdns_sync(c6, "2001:db8::1", &r), MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  mxc_result_free(r);
  mxc_ctx_free(c6);
}
END_TEST

START_TEST(json_and_text)
{
  mxc_result_t *r = check("2001:db8:1::5", MXC_VERDICT_PERMERROR);
  char *j = mxc_result_json(r), *t = mxc_result_text(r, 0), *tc;
  ck_assert_ptr_nonnull(strstr(j, "\"iprev\":{\"result\":\"permerror\""));
  ck_assert_ptr_nonnull(strstr(j, "\"policy.iprev\":\"2001:db8:1::5\""));
  ck_assert_ptr_nonnull(strstr(j, "\"ns\":[\"ns1.isp.test\""));
  ck_assert_ptr_nonnull(strstr(t, "permerror"));
  ck_assert_ptr_null(strchr(t, '\033'));
  tc = mxc_result_text(r, MXC_RENDER_COLOR);
  ck_assert_ptr_nonnull(strchr(tc, '\033'));
  mxc_free(j);
  mxc_free(t);
  mxc_free(tc);
  mxc_result_free(r);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("fcrdns");
  TCase *t = tcase_create("zones");
  tu_server("MXC_TEST_DNS");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_set_timeout(t, 30);
  tcase_add_test(t, good_v4);
  tcase_add_test(t, good_v6);
  tcase_add_test(t, mapped_v4);
  tcase_add_test(t, later_ptr_maps_back);
  tcase_add_test(t, through_cname);
  tcase_add_test(t, ipv6_name_with_only_a);
  tcase_add_test(t, no_ptr_parent);
  tcase_add_test(t, no_ptr_delegated);
  tcase_add_test(t, forward_nxdomain);
  tcase_add_test(t, mismatch);
  tcase_add_test(t, names_capped);
  tcase_add_test(t, generic_names);
  tcase_add_test(t, forward_nodata);
  tcase_add_test(t, dual_stack);
  tcase_add_test(t, not_an_address);
  tcase_add_test(t, not_global_warning);
  tcase_add_test(t, over_ipv6_transport);
  tcase_add_test(t, json_and_text);
  suite_add_tcase(s, t);
  return tu_run_suite(s);
}
