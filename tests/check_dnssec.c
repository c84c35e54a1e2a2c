/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_dnssec.c -- the DNSSEC check of zone files (lib/checks/dnssec/):
 * key tags and signatures of published vectors (RFC 4034 section 5.4,
 * RFC 6605 section 6.1, RFC 8080 section 6), the canonical form of an
 * RRset, and the check's findings at fixed times over zone text: good,
 * expired, not yet valid, expiring within the horizon, a key tag without
 * DNSKEY, a tampered record, an RRset without signature, an algorithm not
 * known, hostile RDATA, an unsigned zone.  No DNS is asked (the names
 * are answered from the zone text).
 */
#include "mxc_private.h"
#include "checks/dnssec/dnssec_private.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOWHERE "127.0.0.1:9"

/* RFC 6605 section 6.1 (ECDSAP256SHA256): a KSK, www A and its RRSIG
 * (inception 2010-08-12 10:04:39, expiration 2010-09-09 10:04:39). */
static const char rfc6605[] =
    "$ORIGIN example.net.\n"
    "@ 3600 SOA ns hostmaster 1 3600 600 86400 60\n"
    "@ 3600 DNSKEY 257 3 13 ( GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb"
    "krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== )\n"
    "www 3600 A 192.0.2.1\n"
    "www 3600 RRSIG A 13 3 3600 ( 20100909100439 20100812100439 55648\n"
    "   example.net. qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXA"
    "yGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw== )\n";

/* RFC 8080 section 6.1 (ED25519): a KSK, the apex MX and its RRSIG
 * (inception 1438207200, expiration 1440021600). */
static const char rfc8080[] =
    "$ORIGIN example.com.\n"
    "@ 3600 SOA ns hostmaster 1 3600 600 86400 60\n"
    "@ 3600 DNSKEY 257 3 15 ( l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= )\n"
    "@ 3600 MX 10 mail.example.com.\n"
    "@ 3600 RRSIG MX 15 2 3600 ( 1440021600 1438207200 3613 example.com.\n"
    "   oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3f"
    "x8A4M3e23mRZ9VrbpMngwcrqNAg== )\n";

/* RFC 4034 section 5.4: key id 60485. */
static const char rfc4034[] =
    "$ORIGIN example.com.\n"
    "@ 3600 SOA ns hostmaster 1 3600 600 86400 60\n"
    "dskey 86400 DNSKEY 256 3 5 ( AQOeiiR0GOMYkDshWoSKz9Xz"
    "fwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZ"
    "DRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLU"
    "Uh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/r"
    "ljwvFw== )\n";

static mxc_ctx_t *ctx_with(const char *text)
{
  mxc_ctx_t *ctx = NULL;
  ck_assert_int_eq(mxc_ctx_new(&ctx), MXC_OK);
  ck_assert_int_eq(mxc_ctx_set_servers(ctx, NOWHERE), MXC_OK);
  if (text)
    ck_assert_msg(mxc_ctx_add_zone_text(ctx, NULL, text, strlen(text)) ==
                      MXC_OK,
                  "%s", mxc_ctx_error(ctx));
  return ctx;
}

static void set_now(mxc_ctx_t *ctx, long long now)
{
  struct mxci_dnssec_ctx *o = mxci_ctx_state(ctx, &mxci_dnssec_method);
  ck_assert_ptr_nonnull(o);
  o->now = now;
}

/* Ask name/type from the zones, as a check would (marks it used). */
static void ask(mxc_ctx_t *ctx, const char *name, uint16_t type)
{
  const struct mxci_answer *a = NULL;
  ck_assert_int_eq(mxci_zone_peek(ctx, name, type, &a), 1);
}

static mxc_result_t *dnssec(mxc_ctx_t *ctx)
{
  mxc_result_t *r = NULL;
  ck_assert_int_eq(mxc_dnssec_sync(ctx, 0, &r), MXC_OK);
  ck_assert_ptr_nonnull(r);
  ck_assert_str_eq(mxc_result_method(r), "dnssec");
  return r;
}

/* The index of the first finding with code (of an RRset of type), or
 * -1. */
static long has_of(const mxc_result_t *r, const char *code,
                   const char *type)
{
  size_t i;
  for (i = 0; i < mxc_dnssec_finding_count(r); i++)
    if (strcmp(mxc_dnssec_finding_code(r, i), code) == 0 &&
        (type == NULL || strcmp(mxc_dnssec_finding_type(r, i), type) == 0))
      return (long)i;
  return -1;
}
#define has(r, code) has_of(r, code, NULL)

static long long utc(int y, int mo, int d, int h, int mi, int s)
{
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return (long long)timegm(&tm);
}

static unsigned char *wire(const char *name, size_t *len)
{
  static unsigned char w[256];
  int n = mxci_dns_encode_name(name, w, sizeof(w));
  ck_assert_int_gt(n, 0);
  *len = (size_t)n;
  return w;
}

/* ---- key tags (RFC 4034 Appendix B) ------------------------------------- */

START_TEST(test_keytag)
{
  mxc_ctx_t *ctx = ctx_with(rfc4034);
  struct mxci_zset s;
  size_t ol;
  const unsigned char *o = wire("dskey.example.com", &ol);
  ck_assert_int_eq(mxci_zone_rrset(ctx, 0, o, ol, MXCI_T_DNSKEY, &s), 1);
  ck_assert_uint_eq(s.n, 1);
  ck_assert_uint_eq(mxci_dnssec_keytag(s.rr[0].rdata, s.rr[0].rdlen), 60485);
  mxci_zset_clear(&s);
  mxc_ctx_free(ctx);

  ctx = ctx_with(rfc8080);
  o = wire("example.com", &ol);
  ck_assert_int_eq(mxci_zone_rrset(ctx, 0, o, ol, MXCI_T_DNSKEY, &s), 1);
  ck_assert_uint_eq(mxci_dnssec_keytag(s.rr[0].rdata, s.rr[0].rdlen), 3613);
  mxci_zset_clear(&s);
  mxc_ctx_free(ctx);

  ctx = ctx_with(rfc6605);
  o = wire("example.net", &ol);
  ck_assert_int_eq(mxci_zone_rrset(ctx, 0, o, ol, MXCI_T_DNSKEY, &s), 1);
  ck_assert_uint_eq(mxci_dnssec_keytag(s.rr[0].rdata, s.rr[0].rdlen), 55648);
  mxci_zset_clear(&s);
  mxc_ctx_free(ctx);
}
END_TEST

/* ---- published signatures verify ---------------------------------------- */

static void verify_vector(const char *text, const char *apex,
                          const char *owner, uint16_t type)
{
  mxc_ctx_t *ctx = ctx_with(text);
  struct mxci_zset k, s;
  size_t al, ol, dlen = 0;
  unsigned char a[256];
  const unsigned char *o;
  unsigned char *data;
  const char *why = NULL;
  struct mxci_rrsig g;

  o = wire(apex, &al);
  memcpy(a, o, al);
  ck_assert_int_eq(mxci_zone_rrset(ctx, 0, a, al, MXCI_T_DNSKEY, &k), 1);
  o = wire(owner, &ol);
  ck_assert_int_eq(mxci_zone_rrset(ctx, 0, o, ol, type, &s), 1);
  ck_assert_uint_eq(s.nsig, 1);
  ck_assert_int_eq(mxci_rrsig_parse(s.sig[0].rdata, s.sig[0].rdlen, &g), 0);
  data = mxci_dnssec_signed_data(s.sig[0].rdata, s.sig[0].rdlen, s.owner,
                                 s.olen, s.type, s.rr, s.n, &dlen, &why);
  ck_assert_msg(data != NULL, "%s", why);
  ck_assert_int_eq(mxci_dnssec_verify(k.rr[0].rdata, k.rr[0].rdlen, data,
                                      dlen, g.sig, g.siglen),
                   1);
  /* one bit changed in the signed data: it does not verify */
  data[dlen - 1] ^= 1;
  ck_assert_int_eq(mxci_dnssec_verify(k.rr[0].rdata, k.rr[0].rdlen, data,
                                      dlen, g.sig, g.siglen),
                   0);
  mxci_free(data);
  mxci_zset_clear(&k);
  mxci_zset_clear(&s);
  mxc_ctx_free(ctx);
}

START_TEST(test_vectors)
{
  verify_vector(rfc6605, "example.net", "www.example.net", MXCI_T_A);
  verify_vector(rfc8080, "example.com", "example.com", MXCI_T_MX);
}
END_TEST

/* ---- canonical form (RFC 4034 section 6) ---------------------------------- */

START_TEST(test_canonical)
{
  /* MX 10 Mail.EXAMPLE. */
  static const unsigned char mx[] = {0, 10, 4, 'M', 'a', 'i', 'l', 7, 'E',
                                     'X', 'A', 'M', 'P', 'L', 'E', 0};
  static const unsigned char nsec[] = {4, 'N', 'e', 'x', 't', 0, 0, 1, 0x40};
  unsigned char out[64];
  /* an RRSIG RDATA: A 13 labels 2, TTL 300, times, tag 1, signer Ex.,
   * a 1-octet signature */
  static const unsigned char sig[] = {0, 1, 13, 2, 0, 0, 1, 44, 0, 0, 0, 2,
                                      0, 0, 0, 1, 0, 1, 2, 'E', 'x', 0, 9};
  struct mxci_zrr rr[3];
  static const unsigned char a1[] = {192, 0, 2, 2}, a2[] = {192, 0, 2, 1};
  size_t ol, dlen;
  const unsigned char *o = wire("A.B.Ex", &ol);
  const char *why;
  unsigned char *d;

  ck_assert_int_eq(mxci_dnssec_canon_rdata(15, mx, sizeof(mx), out), 0);
  ck_assert_int_eq(memcmp(out + 3, "mail", 4), 0);
  ck_assert_int_eq(memcmp(out + 8, "example", 7), 0);
  /* NSEC's next name is left as written (RFC 6840 section 5.1) */
  ck_assert_int_eq(mxci_dnssec_canon_rdata(47, nsec, sizeof(nsec), out), 0);
  ck_assert_int_eq(memcmp(out, nsec, sizeof(nsec)), 0);
  /* a name running past the RDATA */
  ck_assert_int_eq(mxci_dnssec_canon_rdata(15, mx, 6, out), -1);

  /* records sorted by RDATA, duplicates once, the owner in lower case and
   * as a wildcard (Labels 2 of the 3 of a.b.ex), original TTL */
  rr[0].rdata = a1, rr[0].rdlen = 4, rr[0].ttl = 5;
  rr[1].rdata = a2, rr[1].rdlen = 4, rr[1].ttl = 5;
  rr[2].rdata = a1, rr[2].rdlen = 4, rr[2].ttl = 5;
  d = mxci_dnssec_signed_data(sig, sizeof(sig), o, ol, MXCI_T_A, rr, 3,
                              &dlen, &why);
  ck_assert_ptr_nonnull(d);
  {
    static const unsigned char want[] = {
        0, 1, 13, 2, 0, 0, 1, 44, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 2, 'e', 'x',
        0, /* the RRSIG RDATA without its signature, signer in lower case */
        1, '*', 1, 'b', 2, 'e', 'x', 0, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0,
        2, 1, /* "*.b.ex": the 2 rightmost labels of a.b.ex */
        1, '*', 1, 'b', 2, 'e', 'x', 0, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0,
        2, 2};
    ck_assert_uint_eq(dlen, sizeof(want));
    ck_assert_int_eq(memcmp(d, want, dlen), 0);
  }
  mxci_free(d);
  /* Labels larger than the owner has */
  {
    unsigned char bad[sizeof(sig)];
    memcpy(bad, sig, sizeof(sig));
    bad[3] = 4;
    ck_assert_ptr_null(mxci_dnssec_signed_data(bad, sizeof(bad), o, ol,
                                               MXCI_T_A, rr, 3, &dlen, &why));
    ck_assert_ptr_nonnull(why);
  }
  /* truncated RRSIG RDATA */
  ck_assert_ptr_null(
      mxci_dnssec_signed_data(sig, 18, o, ol, MXCI_T_A, rr, 3, &dlen, &why));
}
END_TEST

/* ---- the check at fixed times ------------------------------------------- */

START_TEST(test_times)
{
  mxc_ctx_t *ctx = ctx_with(rfc6605);
  mxc_result_t *r;
  long i;

  ask(ctx, "www.example.net", MXCI_T_A);
  /* inside the validity: the A RRSIG is good.  The SOA and the DNSKEY
   * RRset of the vector are not signed. */
  set_now(ctx, utc(2010, 8, 20, 0, 0, 0));
  r = dnssec(ctx);
  ck_assert_int_eq(mxc_dnssec_signed(r), 1);
  ck_assert_uint_eq(mxc_dnssec_rrset_count(r), 3);
  ck_assert_int_lt(has(r, "bogus"), 0);
  ck_assert_int_lt(has(r, "expiring"), 0);
  i = has(r, "unsigned");
  ck_assert_int_ge(i, 0);
  ck_assert_str_eq(mxc_dnssec_finding_owner(r, (size_t)i), "example.net");
  ck_assert_int_eq(mxc_dnssec_finding_state(r, (size_t)i), MXC_RULE_FAIL);
  mxc_result_free(r);

  /* within 7 days of the expiration: warn */
  set_now(ctx, utc(2010, 9, 7, 10, 4, 39));
  r = dnssec(ctx);
  i = has(r, "expiring");
  ck_assert_int_ge(i, 0);
  ck_assert_int_eq(mxc_dnssec_finding_state(r, (size_t)i), MXC_RULE_WARN);
  ck_assert_str_eq(mxc_dnssec_finding_text(r, (size_t)i),
                   "signatures of www.example.net A expire in 2 days "
                   "(2010-09-09 10:04 UTC)");
  mxc_result_free(r);
  /* ... not with a horizon of one day */
  ck_assert_int_eq(mxc_ctx_set_dnssec_horizon(ctx, 86400), MXC_OK);
  r = dnssec(ctx);
  ck_assert_int_lt(has(r, "expiring"), 0);
  mxc_result_free(r);
  ck_assert_int_eq(mxc_ctx_set_dnssec_horizon(ctx, -1), MXC_EINVAL);

  /* after the expiration: fail */
  set_now(ctx, utc(2010, 9, 12, 10, 4, 39));
  r = dnssec(ctx);
  i = has(r, "expired");
  ck_assert_int_ge(i, 0);
  ck_assert_int_eq(mxc_dnssec_finding_state(r, (size_t)i), MXC_RULE_FAIL);
  ck_assert_str_eq(mxc_dnssec_finding_text(r, (size_t)i),
                   "the signature of www.example.net A (key tag 55648) "
                   "expired 3 days ago (2010-09-09 10:04 UTC)");
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_FAIL);
  mxc_result_free(r);

  /* before the inception: fail */
  set_now(ctx, utc(2010, 8, 1, 0, 0, 0));
  r = dnssec(ctx);
  ck_assert_int_ge(has(r, "not-yet-valid"), 0);
  mxc_result_free(r);
  mxc_ctx_free(ctx);
}
END_TEST

/* The RFC 8080 zone with its findings at now = within the validity. */
static mxc_result_t *rfc8080_with(const char *from, const char *to)
{
  char text[2048];
  const char *p = strstr(rfc8080, from);
  mxc_ctx_t *ctx;
  mxc_result_t *r;
  ck_assert_ptr_nonnull(p);
  snprintf(text, sizeof(text), "%.*s%s%s", (int)(p - rfc8080), rfc8080, to,
           p + strlen(from));
  ctx = ctx_with(text);
  ask(ctx, "example.com", MXCI_T_MX);
  set_now(ctx, 1439000000);
  r = dnssec(ctx);
  mxc_ctx_free(ctx);
  return r;
}

START_TEST(test_findings)
{
  mxc_result_t *r;
  long i;

  /* as published: the MX is good */
  r = rfc8080_with("", "");
  ck_assert_int_lt(has(r, "bogus"), 0);
  ck_assert_int_lt(has(r, "no-key"), 0);
  mxc_result_free(r);
  /* a tampered record: does not verify */
  r = rfc8080_with("MX 10 mail", "MX 20 mail");
  i = has(r, "bogus");
  ck_assert_int_ge(i, 0);
  ck_assert_str_eq(mxc_dnssec_finding_type(r, (size_t)i), "MX");
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_FAIL);
  mxc_result_free(r);
  /* the name in lower case: the same canonical form, still good */
  r = rfc8080_with("MX 10 mail.example.com.", "MX 10 MAIL.Example.COM.");
  ck_assert_int_lt(has(r, "bogus"), 0);
  mxc_result_free(r);
  /* a key tag without DNSKEY */
  r = rfc8080_with(" 3613 ", " 3614 ");
  ck_assert_int_ge(has(r, "no-key"), 0);
  mxc_result_free(r);
  /* no DNSKEY at all: still signed (an RRSIG), every key missing */
  r = rfc8080_with("@ 3600 DNSKEY", "x 3600 DNSKEY");
  ck_assert_int_eq(mxc_dnssec_signed(r), 1);
  ck_assert_int_ge(has(r, "no-key"), 0);
  mxc_result_free(r);
  /* no RRSIG of the MX: unsigned */
  r = rfc8080_with("@ 3600 RRSIG MX", "x 3600 RRSIG MX");
  i = has_of(r, "unsigned", "MX");
  ck_assert_int_ge(i, 0);
  ck_assert_int_eq(mxc_dnssec_finding_state(r, (size_t)i), MXC_RULE_FAIL);
  mxc_result_free(r);
  /* an algorithm not known here: not checked, never bad */
  r = rfc8080_with("RRSIG MX 15", "RRSIG MX 253");
  i = has(r, "not-checked");
  ck_assert_int_ge(i, 0);
  ck_assert_int_eq(mxc_dnssec_finding_state(r, (size_t)i), MXC_RULE_UNKNOWN);
  ck_assert_int_lt(has(r, "bogus"), 0);
  mxc_result_free(r);
  /* a signer that is not the apex */
  r = rfc8080_with("3613 example.com.", "3613 other.example.");
  ck_assert_int_ge(has(r, "signer"), 0);
  mxc_result_free(r);
  /* a DNSKEY of the wrong size for its algorithm (its tag in the RRSIG) */
  {
    static const unsigned char k[] = {1, 1, 3, 15, 1, 2, 3, 4};
    char to[64];
    snprintf(to, sizeof(to), " %u ", mxci_dnssec_keytag(k, sizeof(k)));
    r = rfc8080_with(
        "@ 3600 DNSKEY 257 3 15 ( l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZ"
        "JA4= )",
        "@ 3600 DNSKEY 257 3 15 AQIDBA==");
    mxc_result_free(r);
    {
      char text[2048];
      mxc_ctx_t *ctx;
      snprintf(text, sizeof(text),
               "$ORIGIN example.com.\n"
               "@ 3600 SOA ns hostmaster 1 3600 600 86400 60\n"
               "@ 3600 DNSKEY 257 3 15 AQIDBA==\n"
               "@ 3600 MX 10 mail.example.com.\n"
               "@ 3600 RRSIG MX 15 2 3600 1440021600 1438207200%sexample.com."
               " AQIDBA==\n",
               to);
      ctx = ctx_with(text);
      ask(ctx, "example.com", MXCI_T_MX);
      set_now(ctx, 1439000000);
      r = dnssec(ctx);
      ck_assert_int_ge(has(r, "bad-key"), 0);
      mxc_result_free(r);
      mxc_ctx_free(ctx);
    }
  }
}
END_TEST

START_TEST(test_unsigned_and_args)
{
  mxc_ctx_t *ctx = ctx_with("$ORIGIN u.test.\n"
                            "@ SOA ns hostmaster 1 3600 600 86400 60\n"
                            "@ TXT \"v=spf1 -all\"\n");
  mxc_result_t *r;
  char *j;
  ask(ctx, "u.test", MXCI_T_TXT);
  r = dnssec(ctx);
  ck_assert_int_eq(mxc_dnssec_signed(r), 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_NONE);
  ck_assert_uint_eq(mxc_dnssec_finding_count(r), 0);
  ck_assert_int_eq(mxc_result_state(r), MXC_RULE_PASS);
  j = mxc_result_json(r);
  ck_assert_ptr_nonnull(strstr(j, "\"zone\":\"u.test\""));
  ck_assert_ptr_nonnull(strstr(j, "zone not signed"));
  mxc_free(j);
  mxc_result_free(r);
  /* no such zone; NULL callback; accessors of another method */
  ck_assert_int_eq(mxc_dnssec_sync(ctx, 1, &r), MXC_EINVAL);
  ck_assert_int_eq(mxc_dnssec_start(ctx, 0, NULL, NULL, NULL), MXC_EINVAL);
  ck_assert_uint_eq(mxc_dnssec_finding_count(NULL), 0);
  ck_assert_ptr_null(mxc_dnssec_finding_text(NULL, 0));
  mxc_ctx_free(ctx);
}
END_TEST

static Suite *dnssec_suite(void)
{
  Suite *s = suite_create("dnssec");
  TCase *tc = tcase_create("dnssec");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_keytag);
  tcase_add_test(tc, test_vectors);
  tcase_add_test(tc, test_canonical);
  tcase_add_test(tc, test_times);
  tcase_add_test(tc, test_findings);
  tcase_add_test(tc, test_unsigned_and_args);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(dnssec_suite());
  int failed;
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
