/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_spf.c -- the SPF evaluator (RFC 7208): the record parser and the
 * macro expander called directly (no network), then check_host() against
 * Knot DNS serving tests/zones/spf.test.zone and against the hostile cases
 * of tests/faultdns.py, and the callback contract under cancellation,
 * destruction and allocation failures.
 */
#include "testutil.h"

#include <time.h>

#include "mxc_private.h"
#include "checks/spf/spf_private.h"

static const char *server, *fault;
static mxc_ctx_t *ctx;

static void setup(void) { ctx = tu_ctx(server); }
static void teardown(void) { mxc_ctx_free(ctx); }

/* ---- record selection and parsing ----------------------------------------- */

static int parse(const char *rec, struct mxci_spf_record *out, char *err,
                 size_t errlen)
{
  return mxci_spf_parse((const unsigned char *)rec, strlen(rec), out, err,
                        errlen);
}

START_TEST(record_selection)
{
  /* Section 4.5: "v=spf1" then a space or the end, any case. */
  static const struct {
    const char *txt;
    int is;
  } cases[] = {{"v=spf1", 1},         {"v=spf1 -all", 1},
               {"V=SpF1 ~all", 1},    {"v=spf10", 0},
               {"v=spf1mx", 0},       {"v=spf1\t-all", 0},
               {" v=spf1 -all", 0},   {"spf2.0/pra -all", 0},
               {"v=spf", 0},          {"", 0}};
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    ck_assert_msg(mxci_spf_is_record((const unsigned char *)cases[i].txt,
                                     strlen(cases[i].txt)) == cases[i].is,
                  "%s", cases[i].txt);
}
END_TEST

START_TEST(parse_good)
{
  static const char long_rec[] =
      "v=spf1  a  -mx:%{d}/24//64 ~ip4:192.0.2.0/0 ?ip6:2001:DB8::/0 "
      "+include:_spf.example.org exists:%{i}.x.example.com ptr "
      "ptr:example.com moo.cow-far_out=man:dog/cat default=+ exp=e.%{d} "
      "redirect=r.example.net -all ";
  struct mxci_spf_record r;
  char err[300];

  ck_assert_int_eq(parse("v=spf1", &r, err, sizeof(err)), 0);
  ck_assert_int_eq(r.nterms, 0);
  mxci_spf_record_clear(&r);

  ck_assert_msg(parse(long_rec, &r, err, sizeof(err)) == 0, "%s", err);
  ck_assert_int_eq(r.nterms, 9);
  ck_assert_int_eq(r.ndns, 6);
  ck_assert(r.has_all && r.has_ptr);
  ck_assert_str_eq(r.redirect, "r.example.net");
  ck_assert_str_eq(r.exp, "e.%{d}");
  ck_assert_int_eq(r.terms[0].mech, MXCI_SPF_A);
  ck_assert_int_eq(r.terms[0].qual, '+');
  ck_assert_ptr_null(r.terms[0].spec);
  ck_assert_int_eq(r.terms[0].cidr4, 32);
  ck_assert_int_eq(r.terms[0].cidr6, 128);
  ck_assert_int_eq(r.terms[1].mech, MXCI_SPF_MX);
  ck_assert_int_eq(r.terms[1].qual, '-');
  ck_assert_str_eq(r.terms[1].spec, "%{d}");
  ck_assert_int_eq(r.terms[1].cidr4, 24);
  ck_assert_int_eq(r.terms[1].cidr6, 64);
  ck_assert_int_eq(r.terms[2].mech, MXCI_SPF_IP4);
  ck_assert_int_eq(r.terms[2].cidr4, 0);
  ck_assert_int_eq(r.terms[2].qual, '~');
  ck_assert_int_eq(r.terms[3].mech, MXCI_SPF_IP6);
  ck_assert_int_eq(r.terms[3].net[0], 0x20);
  ck_assert_int_eq(r.terms[3].net[3], 0xb8);
  ck_assert_int_eq(r.terms[3].cidr6, 0);
  ck_assert_int_eq(r.terms[4].mech, MXCI_SPF_INCLUDE);
  ck_assert_str_eq(r.terms[4].spec, "_spf.example.org");
  ck_assert_int_eq(r.terms[5].mech, MXCI_SPF_EXISTS);
  ck_assert_int_eq(r.terms[6].mech, MXCI_SPF_PTR);
  ck_assert_ptr_null(r.terms[6].spec);
  ck_assert_str_eq(r.terms[7].spec, "example.com");
  ck_assert_int_eq(r.terms[8].mech, MXCI_SPF_ALL);
  ck_assert_int_eq(r.terms[8].qual, '-');
  ck_assert_int_eq(r.terms[8].off, (size_t)(strstr(long_rec, "-all") -
                                            long_rec));
  mxci_spf_record_clear(&r);

  /* Domain-specs that the grammar allows. */
  {
    static const char *const ok[] = {
        "v=spf1 a:foo:bar/baz.example.com",  /* ':' and '/' in a label */
        "v=spf1 a:foo.example.xn--zckzah",    /* dash in the toplabel */
        "v=spf1 a:mail.example.com.",         /* final dot */
        "v=spf1 a:mail.example...com",        /* empty label: syntax ok */
        "v=spf1 a:%{H}.bar",
        "v=spf1 a:macro%%percent%_%_space%-url-space.example.com",
        "v=spf1 exists:%{l2r+-}.user.%{d2}",
        "v=spf1 a:x.123-456",                 /* toplabel with a dash */
        "v=spf1 mx:%{d}",                     /* ends in a macro */
        "v=spf1 a/0 mx//0 a/32//128",
        "v=spf1 ip4:255.255.255.255/32 ip6:::ffff:1.2.3.4 ip6:::/128",
        "v=spf1 foo= bar=%{d}",               /* unknown modifiers */
        "v=spf1 Redirect=x.example.com",      /* case-insensitive */
    };
    size_t i;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
      ck_assert_msg(parse(ok[i], &r, err, sizeof(err)) == 0, "%s: %s", ok[i],
                    err);
      mxci_spf_record_clear(&r);
    }
  }
}
END_TEST

START_TEST(parse_bad)
{
  /* Each a permerror; the message names the term and its offset. */
  static const struct {
    const char *rec;
    const char *where; /* "term N" */
  } bad[] = {
      {"v=spf1 ip4:1.2.3.4 -all moo", "term 3 \"moo\" at offset 24"},
      {"v=spf1 moo.cow/far_out=man:dog/cat", "term 1"},
      {"v=spf1 moo.cow:far_out=man:dog/cat", "term 1"},
      {"v=spf1 redirect:t2.example.com", "redirect is a modifier"},
      {"v=spf1 a:foo-bar -all", "top-level label"},
      {"v=spf1 -all.", "term 1"},
      {"v=spf1 -all:foobar", "term 1"},
      {"v=spf1 -all/8", "term 1"},
      {"v=spf1 ptr/0 -all", "term 1"},
      {"v=spf1 ptr:", "empty domain-spec"},
      {"v=spf1 a//33 a/33", "term 2"},
      {"v=spf1 a//129", "IPv6 prefix"},
      {"v=spf1 a/24/64", "term 1"},
      {"v=spf1 a:example.com:8080", "term 1"},
      {"v=spf1 a:111.222.33.44", "term 1"},
      {"v=spf1 a:abc.123", "term 1"},
      {"v=spf1 a:museum", "term 1"},
      {"v=spf1 a:museum.", "term 1"},
      {"v=spf1 a:example.-com", "term 1"},
      {"v=spf1 a:", "empty domain-spec"},
      {"v=spf1 include", "term 1"},
      {"v=spf1 include:", "term 1"},
      {"v=spf1 include:ip5.example.com/24 -all", "term 1"},
      {"v=spf1 mx:abc.123", "term 1"},
      {"v=spf1 exists", "term 1"},
      {"v=spf1 exists:mail.example.com/24", "term 1"},
      {"v=spf1 ip4", "term 1"},
      {"v=spf1 ip4:1.2.3.4/33", "term 1"},
      {"v=spf1 ip4:1.2.3.4/032", "leading"},
      {"v=spf1 a/032", "leading"},
      {"v=spf1 ip4:1.2.3.4//32", "term 1"},
      {"v=spf1 ip4:1.2.3.4:8080", "term 1"},
      {"v=spf1 ip4:1.2.3", "term 1"},
      {"v=spf1 ip4:01.2.3.4", "term 1"},
      {"v=spf1 ip4:1.2.3.256", "term 1"},
      {"v=spf1 -all ip6", "term 2"},
      {"v=spf1 ip6:::1.1.1.1/129", "term 1"},
      {"v=spf1 ip6:::1.1.1.1//33", "term 1"},
      {"v=spf1 ip6::CAFE::BABE", "term 1"},
      {"v=spf1 1up=foo", "term 1"},
      {"v=spf1 =all", "without a name"},
      {"v=spf1 exp= -all", "term 1"},
      {"v=spf1 exp=-all", "term 1"},
      {"v=spf1 redirect=-all ?all", "term 1"},
      {"v=spf1 ?all redirect=", "term 2"},
      {"v=spf1 exp=a.example.com -all exp=b.example.com", "more than once"},
      {"v=spf1 redirect=a.example.com redirect=b.example.com", "term 2"},
      {"v=spf1 -all foo=%abc", "followed by 'a'"},
      {"v=spf1 -exists:%(ir).sbl.example.com", "followed by '('"},
      {"v=spf1 exists:foo%.sbl.example.com", "term 1"},
      {"v=spf1 a:%{a}.example.com", "unknown macro letter"},
      {"v=spf1 -all exp=%{r}.example.com", "only in explanation"},
      {"v=spf1 a:%{d0}.example.com", "at least 1"},
      {"v=spf1 a:%{d", "not closed"},
      {"v=spf1 a:%{dx}.example.com", "not closed"},
      {"v=spf1 a:foo%", "at the end"},
      {"v=spf1 a:ctrl.example.com\rptr -all", "0x0d"},
      {"v=spf1 ip4:192.0.2.5\n include:spf.example.com", "0x0a"},
      {"v=spf1 \x80" "a:example.net -all", "0x80"},
      {"v=spf1 +-all", "term 1"},
      {"v=spf1 ip", "term 1"},
  };
  struct mxci_spf_record r;
  char err[300];
  size_t i;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ck_assert_msg(parse(bad[i].rec, &r, err, sizeof(err)) == -1, "%s parsed",
                  bad[i].rec);
    ck_assert_msg(strstr(err, bad[i].where) != NULL, "%s: \"%s\" lacks %s",
                  bad[i].rec, err, bad[i].where);
    ck_assert_msg(strstr(err, "offset") != NULL || strstr(err, "term") ||
                      strstr(err, "v=spf1"),
                  "%s: %s", bad[i].rec, err);
    ck_assert_int_eq(r.nterms, 0);
  }
  /* A NUL octet is an error at its place, not the end of the record. */
  {
    static const unsigned char rec[] = "v=spf1 a:foo.example.com\0 -all";
    ck_assert_int_eq(mxci_spf_parse(rec, sizeof(rec) - 1, &r, err,
                                    sizeof(err)),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "0x00"));
    ck_assert_ptr_nonnull(strstr(err, "offset 7"));
  }
  /* A hostile term is shown cut. */
  {
    char big[3000];
    memset(big, 'x', sizeof(big));
    memcpy(big, "v=spf1 a:", 9);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(parse(big, &r, err, sizeof(err)), -1);
    ck_assert_uint_lt(strlen(err), sizeof(err) - 1);
  }
}
END_TEST

/* ---- macros --------------------------------------------------------------- */

static char *expand(const char *s, int kind, const struct mxci_spf_env *e)
{
  char err[200];
  char *out;
  ck_assert_msg(mxci_spf_check_macro(s, strlen(s), kind, err, sizeof(err)) ==
                    0,
                "%s: %s", s, err);
  out = mxci_spf_expand(s, kind, e, err, sizeof(err));
  ck_assert_msg(out != NULL, "%s: %s", s, err);
  return out;
}

static void expect(const char *s, int kind, const struct mxci_spf_env *e,
                   const char *want)
{
  char *got = expand(s, kind, e);
  ck_assert_msg(strcmp(got, want) == 0, "%s -> \"%s\", want \"%s\"", s, got,
                want);
  mxci_free(got);
}

START_TEST(macro_rfc_examples)
{
  /* RFC 7208 section 7.4. */
  struct mxci_spf_env e = {"strong-bad@email.example.com",
                           "strong-bad",
                           "email.example.com",
                           "email.example.com",
                           "192.0.2.3",
                           "mx.example.org",
                           "mx.example.org",
                           "192.0.2.3",
                           "example.net",
                           "1000000000",
                           "in-addr"};
  const int D = MXCI_SPF_MS_DOMAIN, X = MXCI_SPF_MS_EXPLAIN;
  expect("%{s}", X, &e, "strong-bad@email.example.com");
  expect("%{o}", D, &e, "email.example.com");
  expect("%{d}", D, &e, "email.example.com");
  expect("%{d4}", D, &e, "email.example.com");
  expect("%{d3}", D, &e, "email.example.com");
  expect("%{d2}", D, &e, "example.com");
  expect("%{d1}", D, &e, "com");
  expect("%{dr}", D, &e, "com.example.email");
  expect("%{d2r}", D, &e, "example.email");
  expect("%{l}", D, &e, "strong-bad");
  expect("%{l-}", D, &e, "strong.bad");
  expect("%{lr}", D, &e, "strong-bad");
  expect("%{lr-}", D, &e, "bad.strong");
  expect("%{l1r-}", D, &e, "strong");
  expect("%{ir}.%{v}._spf.%{d2}", D, &e,
         "3.2.0.192.in-addr._spf.example.com");
  expect("%{lr-}.lp._spf.%{d2}", D, &e, "bad.strong.lp._spf.example.com");
  expect("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", D, &e,
         "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
  expect("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", D, &e,
         "3.2.0.192.in-addr.strong.lp._spf.example.com");
  expect("%{d2}.trusted-domains.example.net", D, &e,
         "example.com.trusted-domains.example.net");
  expect("%{p2}.trusted-domains.example.net.", D, &e,
         "example.org.trusted-domains.example.net");
  /* c, r, t in explanations; %% %_ %-; URL escaping of upper case. */
  expect("%{c} via %{r} at %{t}", X, &e,
         "192.0.2.3 via example.net at 1000000000");
  expect("100%% %_%-x", X, &e, "100%  %20x");
  expect("trailing dot kept.", X, &e, "trailing dot kept.");
  expect("%{S}", X, &e, "strong-bad%40email.example.com");
  e.l = "~jack&jill=up-a_b3.c";
  expect("http://example.com/why.html?l=%{L}", X, &e,
         "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c");
  /* Several delimiters, and a number larger than the parts. */
  e.l = "foo-bar+zip+quux";
  expect("%{l2r+-}", D, &e, "bar.foo");
  expect("%{l100}", D, &e, "foo-bar+zip+quux");
  /* IPv6: the nibbles, and %{v} "ip6" (RFC 7208 section 7.4's example in
   * the upper case the test suite uses). */
  e.i = "2.0.0.1.0.D.B.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.C.B.0.1";
  e.v = "ip6";
  expect("%{ir}.%{v}._spf.%{d2}", D, &e,
         "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2."
         "ip6._spf.example.com");
}
END_TEST

START_TEST(macro_truncation)
{
  /* Section 7.3: over 253 octets, labels go from the left. */
  struct mxci_spf_env e;
  char *out;
  char err[200];
  memset(&e, 0, sizeof(e));
  e.o = "somewhat.long.exp.example.com";
  out = expand("foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com",
               MXCI_SPF_MS_DOMAIN, &e);
  ck_assert_uint_le(strlen(out), 253);
  ck_assert(strncmp(out, "somewhat.long.exp.example.com.somewhat", 38) == 0);
  mxci_free(out);
  /* A hostile expansion fails instead of growing. */
  e.s = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "@example.com";
  {
    char spec[4200];
    size_t i;
    for (i = 0; i + 4 < 4000; i += 4)
      memcpy(spec + i, "%{s}", 4);
    memcpy(spec + i, ".com", 5);
    ck_assert_ptr_null(mxci_spf_expand(spec, MXCI_SPF_MS_DOMAIN, &e, err,
                                       sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "longer than"));
  }
}
END_TEST

START_TEST(macro_syntax)
{
  static const struct {
    const char *s;
    int kind;
    int ok;
  } cases[] = {
      {"example.com", MXCI_SPF_MS_DOMAIN, 1},
      {"%{d}", MXCI_SPF_MS_DOMAIN, 1},
      {"%%", MXCI_SPF_MS_DOMAIN, 1},
      {"%{D2R-.}x.com", MXCI_SPF_MS_DOMAIN, 1},
      {"", MXCI_SPF_MS_DOMAIN, 0},
      {"com", MXCI_SPF_MS_DOMAIN, 0},
      {"%{d}com", MXCI_SPF_MS_DOMAIN, 0},
      {"%{c}.example.com", MXCI_SPF_MS_DOMAIN, 0},
      {"%{t}.example.com", MXCI_SPF_MS_MODIFIER, 0},
      {"", MXCI_SPF_MS_MODIFIER, 1},
      {"a b", MXCI_SPF_MS_DOMAIN, 0},
      {"a b %{c} %{r} %{t}", MXCI_SPF_MS_EXPLAIN, 1},
      {"The %{x}-files.", MXCI_SPF_MS_EXPLAIN, 0},
      {"\xEF\xBB\xBF" "Explanation", MXCI_SPF_MS_EXPLAIN, 0},
      {"tab\there", MXCI_SPF_MS_EXPLAIN, 0},
      {"%{l00}", MXCI_SPF_MS_EXPLAIN, 0},
      {"%{l01}", MXCI_SPF_MS_EXPLAIN, 1},
      {"%{lr}", MXCI_SPF_MS_EXPLAIN, 1},
      {"%{lrr}", MXCI_SPF_MS_EXPLAIN, 0},
      {"%{l-r}", MXCI_SPF_MS_EXPLAIN, 0},
      {"%{l.-+,/_=}", MXCI_SPF_MS_EXPLAIN, 1},
      {"%{l;}", MXCI_SPF_MS_EXPLAIN, 0},
      {"%{", MXCI_SPF_MS_EXPLAIN, 0},
  };
  char err[200];
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    ck_assert_msg((mxci_spf_check_macro(cases[i].s, strlen(cases[i].s),
                                        cases[i].kind, err,
                                        sizeof(err)) == 0) == cases[i].ok,
                  "%s (kind %d): %s", cases[i].s, cases[i].kind, err);
  ck_assert(mxci_spf_uses_p("x.%{p}.y"));
  ck_assert(mxci_spf_uses_p("%{P2}"));
  ck_assert(!mxci_spf_uses_p("%%{p}"));
  ck_assert(!mxci_spf_uses_p("%{d}"));
}
END_TEST

START_TEST(names)
{
  char l63[80], l64[80], *d;
  memset(l63, 'a', 63);
  strcpy(l63 + 63, ".example.com");
  memset(l64, 'a', 64);
  strcpy(l64 + 64, ".example.com");
  ck_assert(mxci_name_ok("example.com", 1));
  ck_assert(mxci_name_ok("example.com.", 1));
  ck_assert(mxci_name_ok(l63, 1));
  ck_assert(!mxci_name_ok(l64, 1));
  ck_assert(!mxci_name_ok("A...example.com", 1));
  ck_assert(!mxci_name_ok(".example.com", 1));
  ck_assert(!mxci_name_ok("A2345678", 1));
  ck_assert(mxci_name_ok("A2345678", 0));
  ck_assert(!mxci_name_ok("[1.2.3.5]", 1));
  ck_assert(!mxci_name_ok("1.2.3.5", 1));
  ck_assert(!mxci_name_ok("", 0));
  ck_assert(!mxci_name_ok("jumpin' jupiter.example", 1));
  ck_assert(mxci_name_ok("macro%percent  space.example.com", 0));
  d = mxci_spf_dns_name("a b\\c.example.com.");
  ck_assert_str_eq(d, "a\\032b\\\\c.example.com");
  mxci_free(d);
}
END_TEST

/* ---- check_host() against Knot (tests/zones/spf.test.zone) ------------- */

static mxc_result_t *spf(const char *ip, const char *mf, const char *helo,
                         mxc_verdict_t want)
{
  mxc_result_t *r = NULL;
  size_t i;
  ck_assert_int_eq(mxc_spf_sync(ctx, ip, mf, helo, &r), MXC_OK);
  ck_assert_ptr_nonnull(r);
  if (mxc_result_verdict(r) != want) {
    for (i = 0; i < mxc_spf_trace_count(r); i++)
      fprintf(stderr, "  | %s\n", mxc_spf_trace(r, i));
  }
  ck_assert_msg(mxc_result_verdict(r) == want, "%s %s: %s, want %s (%s)", ip,
                mf ? mf : helo, mxc_verdict_str(mxc_result_verdict(r)),
                mxc_verdict_str(want), mxc_result_reason(r));
  ck_assert_str_eq(mxc_result_method(r), "spf");
  return r;
}

static int trace_has(const mxc_result_t *r, const char *s)
{
  size_t i;
  for (i = 0; i < mxc_spf_trace_count(r); i++)
    if (strstr(mxc_spf_trace(r, i), s))
      return 1;
  return 0;
}

START_TEST(simple)
{
  mxc_result_t *r = spf("192.0.2.5", "user@pass.spf.test", "mail.test",
                        MXC_VERDICT_PASS);
  ck_assert_str_eq(mxc_spf_domain(r), "pass.spf.test");
  ck_assert_int_eq(mxc_spf_scope(r), MXC_SPF_SCOPE_MFROM);
  ck_assert_str_eq(mxc_spf_sender(r), "user@pass.spf.test");
  ck_assert_str_eq(mxc_spf_record(r),
                   "v=spf1 ip4:192.0.2.0/25 ip6:2001:db8::/64 -all");
  ck_assert_str_eq(mxc_spf_explanation(r), "");
  ck_assert_int_eq(mxc_spf_dns_lookups(r), 0);
  ck_assert(trace_has(r, "pass.spf.test TXT: v=spf1"));
  ck_assert(trace_has(r, "ip4:192.0.2.0/25 -> match"));
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "ip4:192.0.2.0/25"));
  ck_assert_str_eq(mxc_result_fix(r), "");
  mxc_result_free(r);
  r = spf("192.0.2.200", "user@pass.spf.test", NULL, MXC_VERDICT_FAIL);
  ck_assert_ptr_nonnull(strstr(mxc_result_fix(r), "ip4:192.0.2.200"));
  mxc_result_free(r);
  r = spf("2001:db8::25", "<user@PASS.spf.test.>", NULL, MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_result_family(r), 6);
  mxc_result_free(r);
  /* Section 5: an IPv4-mapped IPv6 client is IPv4. */
  r = spf("::ffff:192.0.2.5", "user@pass.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_result_family(r), 4);
  ck_assert_int_eq(mxc_result_mapped(r), 1);
  mxc_result_free(r);
  r = spf("198.51.100.7", "user@soft.spf.test", NULL, MXC_VERDICT_PASS);
  mxc_result_free(r);
  r = spf("192.0.2.7", "user@soft.spf.test", NULL, MXC_VERDICT_SOFTFAIL);
  ck_assert_str_eq(mxc_spf_explanation(r), "");
  mxc_result_free(r);
  /* A CNAME to a record. */
  r = spf("192.0.2.5", "user@alias.spf.test", NULL, MXC_VERDICT_PASS);
  mxc_result_free(r);
}
END_TEST

START_TEST(explanation)
{
  mxc_result_t *r = spf("192.0.2.9", "Jo Doe@fail.spf.test", NULL,
                        MXC_VERDICT_FAIL);
  ck_assert_str_eq(mxc_spf_explanation(r),
                   "192.0.2.9 may not send mail as fail.spf.test: see "
                   "https://spf.test/why?l=Jo%20Doe");
  mxc_result_free(r);
  /* Without exp=: the default, or the context's. */
  r = spf("192.0.2.1", "user@helo.spf.test", NULL, MXC_VERDICT_FAIL);
  ck_assert_str_eq(mxc_spf_explanation(r),
                   "helo.spf.test does not designate 192.0.2.1 as a "
                   "permitted sender");
  mxc_result_free(r);
  ck_assert_int_eq(mxc_ctx_set_spf_explanation(ctx, "bad %{x}"), MXC_EINVAL);
  ck_assert_ptr_nonnull(strstr(mxc_ctx_error(ctx), "macro"));
  ck_assert_int_eq(mxc_ctx_set_spf_explanation(ctx, "DEFAULT for %{c}"),
                   MXC_OK);
  r = spf("192.0.2.1", "user@helo.spf.test", NULL, MXC_VERDICT_FAIL);
  ck_assert_str_eq(mxc_spf_explanation(r), "DEFAULT for 192.0.2.1");
  mxc_result_free(r);
  ck_assert_int_eq(mxc_ctx_set_spf_explanation(ctx, NULL), MXC_OK);
}
END_TEST

START_TEST(includes_and_redirect)
{
  mxc_result_t *r = spf("192.0.2.10", "u@chain.spf.test", NULL,
                        MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_spf_dns_lookups(r), 3);
  ck_assert(trace_has(r, "c3.spf.test TXT: v=spf1 ip4:192.0.2.10 -all"));
  ck_assert(trace_has(r, "include:c1.spf.test -> pass (match)"));
  mxc_result_free(r);
  /* c3 fails for others: include does not match, chain's -all. */
  r = spf("192.0.2.11", "u@chain.spf.test", NULL, MXC_VERDICT_FAIL);
  ck_assert(trace_has(r, "include:c1.spf.test -> fail (no match)"));
  mxc_result_free(r);
  r = spf("192.0.2.5", "u@redir.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert(trace_has(r, "redirect=pass.spf.test"));
  ck_assert_int_eq(mxc_spf_dns_lookups(r), 1);
  ck_assert_str_eq(mxc_spf_domain(r), "redir.spf.test");
  ck_assert_str_eq(mxc_spf_record(r), "v=spf1 redirect=pass.spf.test");
  mxc_result_free(r);
  /* Sections 5.2 and 6.1: a target without a record is a permerror. */
  r = spf("192.0.2.5", "u@redir-none.spf.test", NULL, MXC_VERDICT_PERMERROR);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "redirect="));
  mxc_result_free(r);
  r = spf("192.0.2.5", "u@inc-none.spf.test", NULL, MXC_VERDICT_PERMERROR);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "include:"));
  mxc_result_free(r);
  /* Every include answered from the lookups sent ahead. */
  r = spf("192.0.2.5", "u@wide.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_spf_dns_lookups(r), 4);
  mxc_result_free(r);
}
END_TEST

START_TEST(mx_and_a)
{
  mxc_result_t *r = spf("192.0.2.42", "u@mxa.spf.test", NULL,
                        MXC_VERDICT_PASS);
  ck_assert(trace_has(r, "match (MX host mx1.spf.test)"));
  mxc_result_free(r);
  r = spf("192.0.2.44", "u@mxa.spf.test", NULL, MXC_VERDICT_FAIL);
  mxc_result_free(r);
  r = spf("192.0.2.126", "u@mxa.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert(trace_has(r, "a:host.spf.test/28 -> match"));
  ck_assert_int_eq(mxc_spf_dns_lookups(r), 2);
  mxc_result_free(r);
  /* The second MX host, with mx/30. */
  r = spf("198.51.100.41", "u@mxa.spf.test", NULL, MXC_VERDICT_PASS);
  mxc_result_free(r);
  r = spf("2001:db8:5:ffff::1", "u@mx6.spf.test", NULL, MXC_VERDICT_PASS);
  mxc_result_free(r);
  r = spf("2001:db8:6::1", "u@mx6.spf.test", NULL, MXC_VERDICT_FAIL);
  mxc_result_free(r);
  /* IPv4 clients never match AAAA: mx//48 is mx/32//48. */
  r = spf("192.0.2.40", "u@mx6.spf.test", NULL, MXC_VERDICT_FAIL);
  mxc_result_free(r);
}
END_TEST

START_TEST(limits)
{
  mxc_stats_t st;
  mxc_ctx_t *fresh = tu_ctx(server);
  mxc_result_t *r = NULL;

  /* An include loop ends on the term limit, quickly. */
  r = spf("192.0.2.5", "u@loop1.spf.test", NULL, MXC_VERDICT_PERMERROR);
  ck_assert_int_eq(mxc_spf_dns_lookups(r), 11);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "4.6.4"));
  ck_assert(tu_has_warning(r, "spf-lookups-over-limit"));
  mxc_result_free(r);
  r = spf("192.0.2.5", "u@ten.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_spf_dns_lookups(r), 10);
  ck_assert(tu_has_warning(r, "spf-close-to-limit"));
  mxc_result_free(r);
  /* The 11th term: permerror before its lookup, which is never sent,
   * not even ahead: 1 TXT + 10 A queries. */
  /* (libspf2's view off: it makes lookups of its own.) */
  ck_assert_int_eq(mxc_ctx_set_libspf2(fresh, 0), MXC_OK);
  ck_assert_int_eq(mxc_spf_sync(fresh, "192.0.2.5", "u@eleven.spf.test", NULL,
                                &r),
                   MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PERMERROR);
  ck_assert_int_eq(mxc_spf_dns_lookups(r), 11);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "a:h11.spf.test"));
  mxc_ctx_stats(fresh, &st);
  /* ... and the lint's query of type SPF (99). */
  ck_assert_int_eq((int)st.queries_sent, 12);
  mxc_result_free(r);
  mxc_ctx_free(fresh);
  /* Void lookups: two allowed, the third a permerror. */
  r = spf("192.0.2.5", "u@void2.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_spf_void_lookups(r), 2);
  mxc_result_free(r);
  r = spf("192.0.2.5", "u@void3.spf.test", NULL, MXC_VERDICT_PERMERROR);
  ck_assert_int_eq(mxc_spf_void_lookups(r), 3);
  ck_assert(trace_has(r, "void lookup 3"));
  mxc_result_free(r);
  /* The worst case follows the includes fetched ahead, even when the
   * first term matched: 1 + 1 + 5 + 5 = 12 terms. */
  r = spf("192.0.2.5", "u@deep.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_spf_dns_lookups(r), 0);
  ck_assert(tu_has_warning(r, "spf-lookups-over-limit"));
  ck_assert(tu_warning_has(r, "spf-lookups-over-limit", "12 DNS-querying"));
  mxc_result_free(r);
}
END_TEST

START_TEST(records)
{
  mxc_result_t *r = spf("192.0.2.5", "u@multi.spf.test", NULL,
                        MXC_VERDICT_PERMERROR);
  ck_assert(tu_has_warning(r, "spf-multiple-records"));
  mxc_result_free(r);
  r = spf("192.0.2.5", "u@nospf.spf.test", NULL, MXC_VERDICT_NONE);
  ck_assert_ptr_nonnull(strstr(mxc_result_fix(r), "v=spf1 ip4:192.0.2.5"));
  mxc_result_free(r);
  r = spf("192.0.2.5", "u@nonexistent.spf.test", NULL, MXC_VERDICT_NONE);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "does not exist"));
  mxc_result_free(r);
  /* Section 4.3: not a domain for SPF. */
  r = spf("192.0.2.5", "u@localhost", NULL, MXC_VERDICT_NONE);
  mxc_result_free(r);
  r = spf("192.0.2.5", "u@[192.0.2.5]", NULL, MXC_VERDICT_NONE);
  mxc_result_free(r);
  r = spf("192.0.2.5", NULL, "A2345678", MXC_VERDICT_NONE);
  ck_assert_int_eq(mxc_spf_scope(r), MXC_SPF_SCOPE_HELO);
  mxc_result_free(r);
  /* A syntax error anywhere, even after a match (section 4.6). */
  r = spf("192.0.2.5", "u@syntax.spf.test", NULL, MXC_VERDICT_PERMERROR);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "term 2"));
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "offset 24"));
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "a:foo-bar"));
  /* The lint shows where. */
  ck_assert(tu_warning_has(r, "spf-syntax-error",
                           "\"v=spf1 ip4:192.0.2.0/24 -->a:foo-bar -all\""));
  mxc_result_free(r);
  /* The SPF RR type (99) published too. */
  r = spf("192.0.2.5", "u@t99.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert(tu_has_warning(r, "spf-type99"));
  mxc_result_free(r);
  r = spf("192.0.2.5", "u@pass.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert(!tu_has_warning(r, "spf-type99"));
  ck_assert(!tu_has_warning(r, "spf-syntax-error"));
  mxc_result_free(r);
  /* A NUL octet is seen, not a record cut short. */
  r = spf("192.0.2.5", "u@nul.spf.test", NULL, MXC_VERDICT_PERMERROR);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "0x00"));
  ck_assert_ptr_nonnull(strstr(mxc_spf_record(r), "\\000"));
  mxc_result_free(r);
  r = spf("192.0.2.5", "u@long.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert(tu_has_warning(r, "spf-record-long"));
  mxc_result_free(r);
  r = spf("192.0.2.5", "u@all-pass.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert(tu_has_warning(r, "spf-all-pass"));
  mxc_result_free(r);
  r = spf("192.0.2.5", "u@all-neutral.spf.test", NULL, MXC_VERDICT_NEUTRAL);
  ck_assert(tu_has_warning(r, "spf-all-neutral"));
  mxc_result_free(r);
}
END_TEST

START_TEST(ptr_ip6_exists_helo)
{
  /* 192.0.2.1 PTR good4.mxcheck.test, which has A 192.0.2.1. */
  mxc_result_t *r = spf("192.0.2.1", "u@ptr.spf.test", NULL,
                        MXC_VERDICT_PASS);
  ck_assert(tu_has_warning(r, "spf-ptr"));
  mxc_result_free(r);
  /* 192.0.2.7 PTR mismatch7.mxcheck.test: not validated. */
  r = spf("192.0.2.7", "u@ptr.spf.test", NULL, MXC_VERDICT_FAIL);
  mxc_result_free(r);
  r = spf("2001:db8::1", "u@ptr.spf.test", NULL, MXC_VERDICT_PASS);
  mxc_result_free(r);
  r = spf("2001:db8:1::5", "u@v6.spf.test", NULL, MXC_VERDICT_PASS);
  mxc_result_free(r);
  r = spf("2001:db8::5", "u@v6.spf.test", NULL, MXC_VERDICT_FAIL);
  mxc_result_free(r);
  r = spf("192.0.2.1", "u@exists.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert(trace_has(r, "exists:%{i}._allow.spf.test -> match"));
  mxc_result_free(r);
  r = spf("192.0.2.2", "u@exists.spf.test", NULL, MXC_VERDICT_FAIL);
  mxc_result_free(r);
  /* exists is an A lookup, of the nibble name, for an IPv6 client. */
  r = spf("2001:db8::1", "u@exists.spf.test", NULL, MXC_VERDICT_PASS);
  mxc_result_free(r);
  /* The HELO identity: null sender, postmaster@helo. */
  r = spf("192.0.2.30", NULL, "helo.spf.test", MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_spf_scope(r), MXC_SPF_SCOPE_HELO);
  ck_assert_str_eq(mxc_spf_sender(r), "postmaster@helo.spf.test");
  mxc_result_free(r);
  r = spf("192.0.2.30", "<>", "helo.spf.test", MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_spf_scope(r), MXC_SPF_SCOPE_HELO);
  mxc_result_free(r);
  /* No '@': the whole is the domain; no local-part: postmaster. */
  r = spf("192.0.2.30", "helo.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert_str_eq(mxc_spf_sender(r), "postmaster@helo.spf.test");
  ck_assert_int_eq(mxc_spf_scope(r), MXC_SPF_SCOPE_MFROM);
  mxc_result_free(r);
  r = spf("192.0.2.30", "@helo.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert_str_eq(mxc_spf_sender(r), "postmaster@helo.spf.test");
  mxc_result_free(r);
}
END_TEST

START_TEST(rendering)
{
  mxc_result_t *r = spf("192.0.2.9", "u@fail.spf.test", "mx.example.org",
                        MXC_VERDICT_FAIL);
  mxc_result_t *ip = NULL;
  const mxc_result_t *both[2];
  char *s;
  s = mxc_result_json(r);
  ck_assert_ptr_nonnull(s);
  ck_assert_ptr_nonnull(strstr(s, "\"spf\":{\"result\":\"fail\""));
  ck_assert_ptr_nonnull(strstr(s, "\"scope\":\"mfrom\""));
  ck_assert_ptr_nonnull(strstr(s, "\"smtp.mailfrom\":\"u@fail.spf.test\""));
  ck_assert_ptr_nonnull(strstr(s, "\"smtp.helo\":\"mx.example.org\""));
  ck_assert_ptr_nonnull(strstr(s, "\"explanation\":\"192.0.2.9 may not"));
  ck_assert_ptr_nonnull(strstr(s, "\"trace\":["));
  ck_assert_ptr_nonnull(strstr(s, "\"dns_lookups\":0"));
  mxc_free(s);
  s = mxc_result_text(r, 0);
  ck_assert_ptr_nonnull(strstr(s, "192.0.2.9 (IPv4)"));
  ck_assert_ptr_nonnull(strstr(s, "spf       fail"));
  ck_assert_ptr_nonnull(strstr(s, "explain"));
  mxc_free(s);
  ck_assert_int_eq(mxc_fcrdns_sync(ctx, "192.0.2.9", &ip), MXC_OK);
  both[0] = ip;
  both[1] = r;
  s = mxc_results_json(both, 2);
  ck_assert_ptr_nonnull(s);
  ck_assert_ptr_nonnull(strstr(s, "{\"input\":\"192.0.2.9\""));
  ck_assert_ptr_nonnull(strstr(s, "\"iprev\":{"));
  ck_assert_ptr_nonnull(strstr(s, "\"spf\":{"));
  mxc_free(s);
  s = mxc_results_text(both, 2, MXC_RENDER_COLOR);
  ck_assert_ptr_nonnull(strstr(s, "iprev"));
  ck_assert_ptr_nonnull(strstr(s, "spf"));
  /* The address line once. */
  ck_assert_ptr_nonnull(strstr(s, "(IPv4)"));
  ck_assert_ptr_null(strstr(strstr(s, "(IPv4)") + 1, "(IPv4)"));
  mxc_free(s);
  both[0] = NULL;
  s = mxc_results_json(both, 1);
  ck_assert_ptr_null(s);
  mxc_result_free(ip);
  mxc_result_free(r);
  /* A bad address: EADDRESS with the reason, as for iprev. */
  ck_assert_int_eq(mxc_spf_sync(ctx, "192.0.2.300", "u@pass.spf.test", NULL,
                                &r),
                   MXC_EADDRESS);
  ck_assert_ptr_nonnull(r);
  s = mxc_result_json(r);
  ck_assert_ptr_nonnull(strstr(s, "\"error\""));
  mxc_free(s);
  mxc_result_free(r);
}
END_TEST

/* ---- libspf2's view ---------------------------------------------------------- */

START_TEST(libspf2_view)
{
  mxc_ctx_t *c;
  mxc_stats_t st, st_off;
  mxc_verdict_t v = MXC_VERDICT_NONE;
  mxc_result_t *r;
  char *s;

  r = spf("192.0.2.5", "u@pass.spf.test", "mail.test", MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_spf_libspf2_verdict(r, &v), 1);
  ck_assert_int_eq(v, MXC_VERDICT_PASS);
  ck_assert_str_eq(mxc_spf_libspf2_result(r), "pass");
  s = mxc_result_json(r);
  ck_assert_ptr_nonnull(strstr(s, "\"libspf2\":{\"result\":\"pass\","
                                  "\"detail\":\"\"}"));
  mxc_free(s);
  /* The same verdict: no line in the report. */
  s = mxc_result_text(r, 0);
  ck_assert_ptr_null(strstr(s, "libspf2"));
  mxc_free(s);
  mxc_result_free(r);

  /* a/0: the RFC allows it, libspf2 rejects it. */
  r = spf("192.0.2.5", "u@cidr0.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_spf_libspf2_verdict(r, &v), 1);
  ck_assert_int_eq(v, MXC_VERDICT_PERMERROR);
  ck_assert_ptr_nonnull(strstr(mxc_spf_libspf2_detail(r), "CIDR"));
  s = mxc_result_text(r, 0);
  ck_assert_ptr_nonnull(strstr(s, "receivers using libspf2 (Exim, spfmilter, "
                                  "...) will compute permerror: "));
  mxc_free(s);
  s = mxc_result_json(r);
  ck_assert_ptr_nonnull(strstr(s, "\"libspf2\":{\"result\":\"permerror\""));
  mxc_free(s);
  mxc_result_free(r);

  /* A fail: libspf2's explanation is the detail. */
  r = spf("192.0.2.9", "u@fail.spf.test", NULL, MXC_VERDICT_FAIL);
  ck_assert_str_eq(mxc_spf_libspf2_result(r), "fail");
  ck_assert_ptr_nonnull(strstr(mxc_spf_libspf2_detail(r), "192.0.2.9"));
  mxc_result_free(r);

  /* The evaluator stops at the syntax error; libspf2 needs a lookup that
   * was never made (the include): it is fetched and libspf2 runs again. */
  c = tu_ctx(server);
  ck_assert_int_eq(mxc_spf_sync(c, "192.0.2.5", "u@syntax2.spf.test", NULL,
                                &r),
                   MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PERMERROR);
  ck_assert_str_eq(mxc_spf_libspf2_result(r), "pass");
  mxc_ctx_stats(c, &st);
  /* TXT, type 99, then libspf2's TXT of the include. */
  ck_assert_int_eq((int)st.queries_sent, 3);
  mxc_result_free(r);
  mxc_ctx_free(c);

  /* libspf2 reads the answers the check received, not the cache: with no
   * cache at all it needs no query of its own. */
  c = tu_ctx(server);
  ck_assert_int_eq(mxc_ctx_set_cache_max(c, 0), MXC_OK);
  ck_assert_int_eq(mxc_spf_sync(c, "192.0.2.42", "u@mxa.spf.test", NULL, &r),
                   MXC_OK);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  ck_assert_str_eq(mxc_spf_libspf2_result(r), "pass");
  mxc_result_free(r);
  ck_assert_int_eq(mxc_spf_sync(c, "192.0.2.10", "u@chain.spf.test", NULL,
                                &r),
                   MXC_OK);
  ck_assert_str_eq(mxc_spf_libspf2_result(r), "pass");
  mxc_result_free(r);
  mxc_ctx_stats(c, &st);
  mxc_ctx_free(c);
  c = tu_ctx(server);
  ck_assert_int_eq(mxc_ctx_set_cache_max(c, 0), MXC_OK);
  ck_assert_int_eq(mxc_ctx_set_libspf2(c, 0), MXC_OK);
  ck_assert_int_eq(mxc_spf_sync(c, "192.0.2.42", "u@mxa.spf.test", NULL, &r),
                   MXC_OK);
  ck_assert_str_eq(mxc_spf_libspf2_result(r), "skipped");
  ck_assert_int_eq(mxc_spf_libspf2_verdict(r, &v), 0);
  ck_assert_str_eq(mxc_spf_libspf2_detail(r), "");
  s = mxc_result_json(r);
  ck_assert_ptr_nonnull(strstr(s, "\"libspf2\":{\"result\":\"skipped\""));
  mxc_free(s);
  mxc_result_free(r);
  ck_assert_int_eq(mxc_spf_sync(c, "192.0.2.10", "u@chain.spf.test", NULL,
                                &r),
                   MXC_OK);
  mxc_result_free(r);
  mxc_ctx_stats(c, &st_off);
  ck_assert_int_eq((int)st.queries_sent, (int)st_off.queries_sent);
  mxc_ctx_free(c);
  ck_assert_int_eq(mxc_ctx_set_libspf2(NULL, 1), MXC_EINVAL);

  /* The cache peek the libspf2 layer uses: no query, no counter moved,
   * errors never served. */
  {
    const struct mxci_answer *a = NULL;
    mxc_stats_t s1, s2;
    c = tu_ctx(server);
    ck_assert_int_eq(mxci_dns_peek(c, "pass.spf.test", MXCI_T_TXT, &a), 0);
    ck_assert_int_eq(mxc_spf_sync(c, "192.0.2.5", "u@pass.spf.test", NULL,
                                  &r),
                     MXC_OK);
    mxc_result_free(r);
    mxc_ctx_stats(c, &s1);
    ck_assert_int_eq(mxci_dns_peek(c, "PASS.spf.test.", MXCI_T_TXT, &a), 1);
    ck_assert_int_eq(a->err, ARES_SUCCESS);
    ck_assert_uint_ge(a->nan, 1);
    ck_assert_int_eq(mxci_dns_peek(c, "pass.spf.test", MXCI_T_MX, &a), 0);
    ck_assert_ptr_null(a);
    mxc_ctx_stats(c, &s2);
    ck_assert(s1.queries_sent == s2.queries_sent &&
              s1.cache_hits == s2.cache_hits);
    mxc_ctx_free(c);
  }

  /* The HELO identity, an IPv6 client, a kept result. */
  r = spf("192.0.2.30", NULL, "helo.spf.test", MXC_VERDICT_PASS);
  ck_assert_str_eq(mxc_spf_libspf2_result(r), "pass");
  {
    mxc_result_t *d = mxc_result_dup(r);
    ck_assert_str_eq(mxc_spf_libspf2_result(d), "pass");
    mxc_result_free(d);
  }
  mxc_result_free(r);
  r = spf("2001:db8:1::5", "u@v6.spf.test", NULL, MXC_VERDICT_PASS);
  ck_assert_str_eq(mxc_spf_libspf2_result(r), "pass");
  mxc_result_free(r);
  /* Not evaluated at all: skipped. */
  ck_assert_int_eq(mxc_spf_sync(ctx, "192.0.2.300", "u@pass.spf.test", NULL,
                                &r),
                   MXC_EADDRESS);
  ck_assert_str_eq(mxc_spf_libspf2_result(r), "skipped");
  mxc_result_free(r);
}
END_TEST

/* ---- the callback contract ------------------------------------------------- */

struct rec {
  int calls;
  mxc_status_t st;
  mxc_verdict_t v;
};

static void rec_cb(mxc_check_t *chk, mxc_status_t st, const mxc_result_t *res,
                   void *arg)
{
  struct rec *r = arg;
  (void)chk;
  r->calls++;
  r->st = st;
  r->v = mxc_result_verdict(res);
}

START_TEST(contract)
{
  struct rec a = {0}, b = {0}, c = {0};
  mxc_check_t *chk = NULL;
  mxc_ctx_t *c2;

  ck_assert_int_eq(mxc_spf_start(NULL, "192.0.2.1", "u@pass.spf.test", NULL,
                                 rec_cb, &a, NULL),
                   MXC_EINVAL);
  ck_assert_int_eq(mxc_spf_start(ctx, NULL, "u@pass.spf.test", NULL, rec_cb,
                                 &a, NULL),
                   MXC_EINVAL);
  ck_assert_int_eq(mxc_spf_start(ctx, "192.0.2.1", NULL, NULL, rec_cb, &a,
                                 NULL),
                   MXC_EINVAL);
  ck_assert_int_eq(mxc_spf_start(ctx, "192.0.2.1", "<>", "", rec_cb, &a,
                                 NULL),
                   MXC_EINVAL);
  /* Never inside start, exactly once, even for an immediate answer. */
  ck_assert_int_eq(mxc_spf_start(ctx, "192.0.2.1", "u@localhost", NULL,
                                 rec_cb, &a, NULL),
                   MXC_OK);
  ck_assert_int_eq(a.calls, 0);
  ck_assert_int_eq(mxc_spf_start(ctx, "192.0.2.10", "u@chain.spf.test", NULL,
                                 rec_cb, &b, &chk),
                   MXC_OK);
  ck_assert_int_eq(mxc_spf_start(ctx, "192.0.2.5", "u@loop1.spf.test", NULL,
                                 rec_cb, &c, NULL),
                   MXC_OK);
  mxc_check_cancel(chk);
  ck_assert_int_eq(b.calls, 1);
  ck_assert_int_eq(b.st, MXC_ECANCELLED);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  ck_assert_int_eq(a.calls, 1);
  ck_assert_int_eq(a.v, MXC_VERDICT_NONE);
  ck_assert_int_eq(b.calls, 1);
  ck_assert_int_eq(c.calls, 1);
  ck_assert_int_eq(c.v, MXC_VERDICT_PERMERROR);
  /* Freeing the context with checks pending. */
  memset(&a, 0, sizeof(a));
  c2 = tu_ctx(server);
  ck_assert_int_eq(mxc_spf_start(c2, "192.0.2.10", "u@chain.spf.test", NULL,
                                 rec_cb, &a, NULL),
                   MXC_OK);
  mxc_ctx_free(c2);
  ck_assert_int_eq(a.calls, 1);
  ck_assert_int_eq(a.st, MXC_EDESTRUCTION);
}
END_TEST

START_TEST(allocation_failures)
{
  /* Fail each allocation in turn through an evaluation with includes,
   * mx, ptr and an explanation: never a crash, never two callbacks, no
   * leak (ASan and valgrind runs). */
  static const struct {
    const char *ip, *mf;
  } runs[] = {{"192.0.2.10", "u@chain.spf.test"},
              {"192.0.2.42", "u@mxa.spf.test"},
              {"192.0.2.1", "u@ptr.spf.test"},
              {"192.0.2.9", "u@fail.spf.test"},
              {"192.0.2.1", "u@exists.spf.test"}};
  int n, completed = 0;
  for (n = 1; n < 700; n++) {
    mxc_ctx_t *c = NULL;
    struct rec r[5];
    size_t i;
    memset(r, 0, sizeof(r));
    mxci_alloc_fail_after(n);
    if (mxc_ctx_new(&c) != MXC_OK)
      continue;
    if (mxc_ctx_set_servers(c, server) == MXC_OK) {
      int ok = 1;
      for (i = 0; i < 5; i++)
        if (mxc_spf_start(c, runs[i].ip, runs[i].mf, "h.example", rec_cb,
                          &r[i], NULL) != MXC_OK)
          ok = 0;
      mxc_run(c, 5000);
      for (i = 0; i < 5; i++)
        ck_assert_int_le(r[i].calls, 1);
      completed += ok;
    }
    mxc_ctx_free(c);
  }
  mxci_alloc_fail_after(0);
  ck_assert_int_gt(completed, 0);
}
END_TEST

/* ---- hostile answers (tests/faultdns.py) ----------------------------------- */

START_TEST(faults)
{
  /* l2: libspf2's view (NULL: any verdict; it must not crash, leak or
   * be skipped: these run under ASan and valgrind too). */
  static const struct {
    const char *ip, *mf;
    mxc_verdict_t want;
    const char *reason, *l2;
  } cases[] = {
      {"198.51.100.7", "u@drop.spf.fault.test", MXC_VERDICT_TEMPERROR,
       "timeout", "temperror"},
      {"198.51.100.7", "u@servfail.spf.fault.test", MXC_VERDICT_TEMPERROR,
       "SERVFAIL", "temperror"},
      {"198.51.100.7", "u@big.spf.fault.test", MXC_VERDICT_PERMERROR,
       "60000 octets", NULL},
      {"198.51.100.7", "u@long.spf.fault.test", MXC_VERDICT_PASS,
       "ip4:198.51.100.0/24", NULL},
      {"198.51.100.7", "u@bomb.spf.fault.test", MXC_VERDICT_PERMERROR,
       "longer than", NULL},
      {"198.51.100.7", "u@bomb2.spf.fault.test", MXC_VERDICT_PERMERROR,
       "4.6.4", NULL},
      {"198.51.100.7", "u@nul.spf.fault.test", MXC_VERDICT_PERMERROR,
       "0x00", NULL},
      {"198.51.100.7", "u@nonexistent.spf.fault.test", MXC_VERDICT_NONE,
       "does not exist", "none"},
      {"198.51.100.7",
       "a-very-long.local-part_with+many-delimiters.and.dots.a-very-long."
       "local-part_with+many-delimiters.and.dots.a-very-long.local-part_with"
       "+many-delimiters.and.dots@macros.spf.fault.test",
       MXC_VERDICT_FAIL, "", NULL},
      {"198.51.100.7", "u@macros2.spf.fault.test", MXC_VERDICT_FAIL, "",
       NULL},
  };
  struct rec r[sizeof(cases) / sizeof(cases[0])];
  mxc_result_t *res[sizeof(cases) / sizeof(cases[0])];
  mxc_ctx_t *c = tu_ctx(fault);
  size_t i;

  memset(r, 0, sizeof(r));
  ck_assert_int_eq(mxc_ctx_set_timeout_ms(c, 200), MXC_OK);
  ck_assert_int_eq(mxc_ctx_set_tries(c, 1), MXC_OK);
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ck_assert_int_eq(mxc_spf_sync(c, cases[i].ip, cases[i].mf, NULL, &res[i]),
                     MXC_OK);
    ck_assert_msg(mxc_result_verdict(res[i]) == cases[i].want &&
                      strstr(mxc_result_reason(res[i]), cases[i].reason),
                  "%s: %s (%s)", cases[i].mf,
                  mxc_verdict_str(mxc_result_verdict(res[i])),
                  mxc_result_reason(res[i]));
    ck_assert_msg(strcmp(mxc_spf_libspf2_result(res[i]), "skipped") != 0 &&
                      (cases[i].l2 == NULL ||
                       strcmp(mxc_spf_libspf2_result(res[i]), cases[i].l2) ==
                           0),
                  "%s: libspf2 %s (%s)", cases[i].mf,
                  mxc_spf_libspf2_result(res[i]),
                  mxc_spf_libspf2_detail(res[i]));
    mxc_result_free(res[i]);
  }
  /* All at once through one context: one hostile case must not disturb
   * the others. */
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    ck_assert_int_eq(mxc_spf_start(c, cases[i].ip, cases[i].mf, NULL, rec_cb,
                                   &r[i], NULL),
                     MXC_OK);
  ck_assert_int_eq(mxc_run(c, 10000), MXC_OK);
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ck_assert_int_eq(r[i].calls, 1);
    ck_assert_int_eq(r[i].v, cases[i].want);
  }
  mxc_ctx_free(c);
}
END_TEST

static long elapsed_ms(const struct timespec *t0)
{
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

START_TEST(prefetch_round_trips)
{
  /* pf.spf.fault.test includes pf1..pf5; every TXT answer of that tree
   * comes 300 ms late.  One by one that is 6 round trips (1.8 s); with the
   * includes fetched ahead in parallel it is 2 (0.6 s). */
  mxc_ctx_t *c = tu_ctx(fault);
  mxc_result_t *r = NULL;
  struct timespec t0;
  long ms;
  mxc_stats_t st;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ck_assert_int_eq(mxc_spf_sync(c, "198.51.100.5", "u@pf.spf.fault.test",
                                NULL, &r),
                   MXC_OK);
  ms = elapsed_ms(&t0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_spf_dns_lookups(r), 5);
  ck_assert_msg(ms < 1300, "took %ld ms", ms);
  mxc_ctx_stats(c, &st);
  /* With the type SPF (99) query of the lint, sent with the first TXT
   * query; libspf2's view needs none of its own. */
  ck_assert_int_eq((int)st.queries_sent, 7);
  ck_assert_str_eq(mxc_spf_libspf2_result(r), "pass");
  mxc_result_free(r);
  mxc_ctx_free(c);
}
END_TEST

START_TEST(prefetch_depth)
{
  /* dp.spf.fault.test: include:dp1 ... dp3, each including one more
   * record, then mx:dpm; every answer of that tree comes 300 ms late.
   * Evaluated one by one that is 6 round trips (1.8 s); with the records
   * fetched ahead followed one level further (dp1a ... dp3a with dp1 ...
   * dp3) and the MX host fetched ahead as soon as the MX answer is in, it
   * is 3 (0.9 s).  The verdict and the terms counted are the same for a
   * client that matches and for one that does not. */
  static const struct {
    const char *ip;
    mxc_verdict_t want;
  } cases[] = {{"198.51.100.60", MXC_VERDICT_PASS},
               {"198.51.100.99", MXC_VERDICT_FAIL}};
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mxc_ctx_t *c = tu_ctx(fault);
    mxc_result_t *r = NULL;
    struct timespec t0;
    long ms;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(mxc_spf_sync(c, cases[i].ip, "u@dp.spf.fault.test",
                                  NULL, &r),
                     MXC_OK);
    ms = elapsed_ms(&t0);
    ck_assert_int_eq(mxc_result_verdict(r), cases[i].want);
    ck_assert_int_eq(mxc_spf_dns_lookups(r), 7);
    ck_assert_int_eq(mxc_spf_void_lookups(r), 0);
    ck_assert_msg(ms < 1500, "%s took %ld ms", cases[i].ip, ms);
    ck_assert_str_eq(mxc_spf_libspf2_result(r),
                     mxc_verdict_str(cases[i].want));
    mxc_result_free(r);
    mxc_ctx_free(c);
  }
}
END_TEST

int main(void)
{
  Suite *s = suite_create("spf");
  TCase *u = tcase_create("parser and macros");
  TCase *t = tcase_create("check_host");
  TCase *f = tcase_create("faults");
  server = tu_server("MXC_TEST_DNS");
  fault = tu_server("MXC_TEST_FAULT");
  tcase_add_test(u, record_selection);
  tcase_add_test(u, parse_good);
  tcase_add_test(u, parse_bad);
  tcase_add_test(u, macro_rfc_examples);
  tcase_add_test(u, macro_truncation);
  tcase_add_test(u, macro_syntax);
  tcase_add_test(u, names);
  suite_add_tcase(s, u);
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, simple);
  tcase_add_test(t, explanation);
  tcase_add_test(t, includes_and_redirect);
  tcase_add_test(t, mx_and_a);
  tcase_add_test(t, limits);
  tcase_add_test(t, records);
  tcase_add_test(t, ptr_ip6_exists_helo);
  tcase_add_test(t, rendering);
  tcase_add_test(t, libspf2_view);
  tcase_add_test(t, contract);
  tcase_add_test(t, allocation_failures);
  suite_add_tcase(s, t);
  tcase_set_timeout(f, 60);
  tcase_add_test(f, faults);
  tcase_add_test(f, prefetch_round_trips);
  tcase_add_test(f, prefetch_depth);
  suite_add_tcase(s, f);
  return tu_run_suite(s);
}
