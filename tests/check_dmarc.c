/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_dmarc.c -- DMARC (RFC 9989): the record parser called directly (no
 * network), then policy discovery, organizational domains and alignment
 * against Knot DNS serving tests/zones/dmarc.test.zone (and the fake
 * uk. and io. zones for the Public Suffix List method), the DNS failures
 * of tests/faultdns.py, and the callback contract under cancellation,
 * destruction and allocation failures.
 */
#include "testutil.h"

#include "mxc_private.h"
#include "checks/dmarc/dmarc_private.h"

static const char *server, *fault;
static mxc_ctx_t *ctx;

static void setup(void)
{
  ctx = tu_ctx(server);
}
static void teardown(void)
{
  mxc_ctx_free(ctx);
}

/* ---- the record parser --------------------------------------------------- */

static int parse(const char *txt, struct mxci_dmarc_rec *r)
{
  return mxci_dmarc_parse((const unsigned char *)txt, strlen(txt), r);
}

static int has_err(const struct mxci_dmarc_rec *r, const char *what)
{
  size_t i;
  for (i = 0; i < r->nerr; i++)
    if (strstr(r->err[i], what))
      return 1;
  return 0;
}

START_TEST(record_selection)
{
  /* RFC 9989 section 4.7: v=DMARC1 first, the value case-sensitive. */
  static const struct {
    const char *txt;
    int is, looks;
  } cases[] = {{"v=DMARC1", 1, 1},
               {"v=DMARC1;", 1, 1},
               {"v=DMARC1; p=none", 1, 1},
               {"V = DMARC1 ;p=none", 1, 1},
               {"v=DMARC1\t;\tp=none", 1, 1},
               {"v=DMARC1 p=none", 0, 1},
               {"v=dmarc1; p=none", 0, 1},
               {" v=DMARC1; p=none", 0, 1},
               {"v=DMARC10; p=none", 0, 1},
               {"v=DMARC2; p=none", 0, 1},
               {"p=none; v=DMARC1", 0, 0},
               {"v=spf1 -all", 0, 0},
               {"", 0, 0}};
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const unsigned char *t = (const unsigned char *)cases[i].txt;
    size_t n = strlen(cases[i].txt);
    ck_assert_msg(mxci_dmarc_is_record(t, n) == cases[i].is, "%s",
                  cases[i].txt);
    ck_assert_msg(mxci_dmarc_looks_like(t, n) == cases[i].looks, "%s",
                  cases[i].txt);
  }
}
END_TEST

START_TEST(parse_good)
{
  struct mxci_dmarc_rec r;

  ck_assert_int_eq(parse("v=DMARC1; p=reject; sp=Quarantine; np=none; "
                         "adkim=s; aspf=S; psd=n; t=y; fo=1:d:s; "
                         "rua=mailto:a@example.org, mailto:b@example.net!10m;"
                         " ruf=mailto:f@example.org; pct=100; rf=afrf; "
                         "ri=86400; foo=bar;",
                         &r),
                   0);
  ck_assert_int_eq(r.nerr, 0);
  ck_assert_int_eq(r.p, 'r');
  ck_assert_int_eq(r.sp, 'q');
  ck_assert_int_eq(r.np, 'n');
  ck_assert_int_eq(r.adkim, 's');
  ck_assert_int_eq(r.aspf, 's');
  ck_assert_int_eq(r.psd, 'n');
  ck_assert_int_eq(r.t, 'y');
  ck_assert_int_eq(r.pct, 100);
  ck_assert_int_eq(r.nrua, 2);
  ck_assert_int_eq(r.nruf, 1);
  ck_assert_str_eq(mxci_dmarc_rec_tag(&r, "RUA"),
                   "mailto:a@example.org, mailto:b@example.net!10m");
  ck_assert_str_eq(mxci_dmarc_rec_tag(&r, "v"), "DMARC1");
  ck_assert_ptr_null(mxci_dmarc_rec_tag(&r, "foo"));
  /* pct, rf, ri and the !size of rua are obsolete; foo is unknown. */
  ck_assert_int_eq(r.nobs, 4);
  ck_assert_int_eq(r.nunknown, 1);
  ck_assert_str_eq(r.unknown[0], "foo=bar");
  mxci_dmarc_rec_clear(&r);

  /* Tag names are case-insensitive, values of p too; a bare v. */
  ck_assert_int_eq(parse("v=DMARC1", &r), 0);
  ck_assert_int_eq(r.p, 0);
  ck_assert_int_eq(r.pct, -1);
  mxci_dmarc_rec_clear(&r);
  ck_assert_int_eq(parse("v=DMARC1; p = none ;", &r), 0);
  ck_assert_int_eq(r.p, 'n');
  ck_assert_int_eq(r.nerr, 0);
  mxci_dmarc_rec_clear(&r);
  ck_assert_int_eq(parse("v=DMARC1;;P=Reject;ADKIM=r;FO=d;", &r), 0);
  ck_assert_int_eq(r.p, 'r');
  ck_assert_int_eq(r.adkim, 'r');
  ck_assert_int_eq(r.nerr, 0);
  mxci_dmarc_rec_clear(&r);
  ck_assert_int_eq(parse("v=DMARC1; p=none; rua=https://r.example/x?a=%20", &r),
                   0);
  ck_assert_int_eq(r.nrua, 1);
  mxci_dmarc_rec_clear(&r);

  /* Not a DMARC record at all. */
  ck_assert_int_eq(parse("v=dmarc1; p=reject", &r), -1);
  ck_assert_int_eq(r.ntags, 0);
}
END_TEST

START_TEST(parse_errors)
{
  /* RFC 9989 section 4.8: syntax errors are discarded, the defaults apply,
   * the record stays; each error names the tag and its offset. */
  static const struct {
    const char *txt;
    const char *where;
  } cases[] = {
      {"v=DMARC1; p=reject; adkim=x", "tag 3 \"adkim=x\" at offset 20"},
      {"v=DMARC1; p=rejekt", "tag 2 \"p=rejekt\" at offset 10"},
      {"v=DMARC1; aspf=relaxed", "expected r (relaxed) or s"},
      {"v=DMARC1; psd=x", "expected y, n or u"},
      {"v=DMARC1; t=maybe", "expected y or n"},
      {"v=DMARC1; pct=101", "0 to 100"},
      {"v=DMARC1; pct=", "empty value"},
      {"v=DMARC1; fo=0:1", "exclude each other"},
      {"v=DMARC1; fo=d:d", "each once"},
      {"v=DMARC1; fo=2", "expected 0, 1, d or s"},
      {"v=DMARC1; p=none; p=reject", "more than once"},
      {"v=DMARC1; p none", "no '='"},
      {"v=DMARC1; =none", "no tag name"},
      {"v=DMARC1; p1=none", "letters only"},
      {"v=DMARC1; p x=none", "letters only"},
      {"v=DMARC1; v=DMARC1", "allowed once"},
      {"v=DMARC1; rua=notauri", "is not a URI"},
      {"v=DMARC1; rua=mailto:nobody", "not a mailto: address"},
      {"v=DMARC1; rua=mailto:a,b@example.org", "not a URI"},
      {"v=DMARC1; rua=mailto:a@example.org!x", "not a size"},
      {"v=DMARC1; rua=mailto:a b@example.org", "percent-encoded"},
      {"v=DMARC1; rua=mailto:a@example.org%2", "two hex digits"},
      {"v=DMARC1; p=re\x01ject", "octet 0x01 at offset 14"},
      {"v=DMARC1; p=r\xc3\xa9ject", "0xc3"},
  };
  struct mxci_dmarc_rec r;
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ck_assert_int_eq(parse(cases[i].txt, &r), 0);
    ck_assert_msg(has_err(&r, cases[i].where), "%s: %s", cases[i].txt,
                  r.nerr ? r.err[0] : "no error");
    mxci_dmarc_rec_clear(&r);
  }
  /* What was discarded is not kept; the rest is. */
  ck_assert_int_eq(parse("v=DMARC1; p=rejekt; adkim=x; aspf=s; "
                         "rua=mailto:a@example.org,notauri",
                         &r),
                   0);
  ck_assert(r.p_bad);
  ck_assert_int_eq(r.p, 0);
  ck_assert_int_eq(r.adkim, 0);
  ck_assert_int_eq(r.aspf, 's');
  ck_assert_int_eq(r.nrua, 1);
  ck_assert_int_eq(r.nerr, 3);
  ck_assert_ptr_null(mxci_dmarc_rec_tag(&r, "p"));
  mxci_dmarc_rec_clear(&r);
  /* The first of two p= counts. */
  ck_assert_int_eq(parse("v=DMARC1; p=none; p=reject", &r), 0);
  ck_assert_int_eq(r.p, 'n');
  mxci_dmarc_rec_clear(&r);
}
END_TEST

/* ---- discovery and alignment (Knot) -------------------------------------- */

#define SPF(d, v) (&(mxc_auth_id_t){(d), MXC_VERDICT_##v})

static mxc_result_t *dmarc(mxc_ctx_t *c, const char *from,
                           const mxc_auth_id_t *spf, const char *dkim_d,
                           mxc_verdict_t dkim_v)
{
  mxc_result_t *r = NULL;
  mxc_auth_id_t dk = {dkim_d, dkim_v};
  ck_assert_int_eq(
      mxc_dmarc_sync(c, from, spf, dkim_d ? &dk : NULL, dkim_d ? 1 : 0, &r),
      MXC_OK);
  ck_assert_ptr_nonnull(r);
  ck_assert_str_eq(mxc_result_method(r), "dmarc");
  return r;
}

START_TEST(discovery)
{
  /* RFC 9989 section 4.10.1: the From domain's record (p=), else the
   * organizational domain's (sp=, or np= for a name that does not exist),
   * else the public suffix domain's. */
  static const struct {
    const char *from;
    mxc_verdict_t v; /* with no identifier: fail when a policy applies */
    const char *rec_domain, *org, *policy, *tag, *why;
  } cases[] = {
      {"org.dmarc.test", MXC_VERDICT_FAIL, "org.dmarc.test", "org.dmarc.test",
       "quarantine", "p", "own record"},
      {"ORG.dmarc.test.", MXC_VERDICT_FAIL, "org.dmarc.test", "org.dmarc.test",
       "quarantine", "p", "own record"},
      {"news.org.dmarc.test", MXC_VERDICT_FAIL, "org.dmarc.test",
       "org.dmarc.test", "none", "sp", "exists"},
      {"ghost.org.dmarc.test", MXC_VERDICT_FAIL, "org.dmarc.test",
       "org.dmarc.test", "reject", "np", "does not exist"},
      /* a record between the From domain and its organizational domain
       * is not its policy record */
      {"a.mid.org.dmarc.test", MXC_VERDICT_FAIL, "org.dmarc.test",
       "org.dmarc.test", "none", "sp", ""},
      {"x.div.org.dmarc.test", MXC_VERDICT_FAIL, "div.org.dmarc.test",
       "div.org.dmarc.test", "reject", "p", "no sp="},
      /* several records at a name: discarded, the walk goes on */
      {"multi.org.dmarc.test", MXC_VERDICT_FAIL, "org.dmarc.test",
       "org.dmarc.test", "none", "sp", ""},
      /* psd=y: the organizational domain is one label below; without a
       * record of its own, the PSD's applies */
      {"shop.psd.dmarc.test", MXC_VERDICT_FAIL, "psd.dmarc.test",
       "shop.psd.dmarc.test", "quarantine", "p", "no sp="},
      {"ghost.psd.dmarc.test", MXC_VERDICT_FAIL, "psd.dmarc.test",
       "ghost.psd.dmarc.test", "reject", "np", ""},
      {"mail.bank.psd.dmarc.test", MXC_VERDICT_FAIL, "bank.psd.dmarc.test",
       "bank.psd.dmarc.test", "reject", "p", "no sp="},
      /* more than 8 labels: after the first query the walk jumps to 7 */
      {"a.b.c.d.e.f.g.h.i.deep.dmarc.test", MXC_VERDICT_FAIL,
       "g.h.i.deep.dmarc.test", "g.h.i.deep.dmarc.test", "quarantine", "p", ""},
      {"e.f.g.h.i.deep.dmarc.test", MXC_VERDICT_FAIL,
       "e.f.g.h.i.deep.dmarc.test", "e.f.g.h.i.deep.dmarc.test", "reject", "p",
       "own record"},
      {"cname.dmarc.test", MXC_VERDICT_FAIL, "cname.dmarc.test",
       "cname.dmarc.test", "reject", "p", ""},
      {"nothere.dmarc.test", MXC_VERDICT_NONE, "", "nothere.dmarc.test", "", "",
       ""},
      {"notdmarc.dmarc.test", MXC_VERDICT_NONE, "", "notdmarc.dmarc.test", "",
       "", ""},
      {"space.dmarc.test", MXC_VERDICT_NONE, "", "space.dmarc.test", "", "",
       ""},
      {"other.dmarc.test", MXC_VERDICT_NONE, "", "other.dmarc.test", "", "",
       ""},
      {"test", MXC_VERDICT_NONE, "", "test", "", "", ""},
  };
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mxc_result_t *r = dmarc(ctx, cases[i].from, NULL, NULL, 0);
    ck_assert_msg(mxc_result_verdict(r) == cases[i].v, "%s: %s (%s)",
                  cases[i].from, mxc_verdict_str(mxc_result_verdict(r)),
                  mxc_result_reason(r));
    ck_assert_msg(strcmp(mxc_dmarc_record_domain(r), cases[i].rec_domain) == 0,
                  "%s: record at %s", cases[i].from,
                  mxc_dmarc_record_domain(r));
    ck_assert_msg(strcmp(mxc_dmarc_org_domain(r), cases[i].org) == 0,
                  "%s: org %s", cases[i].from, mxc_dmarc_org_domain(r));
    ck_assert_msg(strcmp(mxc_dmarc_policy(r), cases[i].policy) == 0 &&
                      strcmp(mxc_dmarc_policy_tag(r), cases[i].tag) == 0 &&
                      strstr(mxc_dmarc_policy_reason(r), cases[i].why),
                  "%s: policy %s (%s=) %s", cases[i].from, mxc_dmarc_policy(r),
                  mxc_dmarc_policy_tag(r), mxc_dmarc_policy_reason(r));
    ck_assert_int_eq(mxc_dmarc_discovery(r), MXC_DMARC_TREEWALK);
    mxc_result_free(r);
  }
}
END_TEST

static int trace_has(const mxc_result_t *r, const char *s)
{
  size_t i;
  for (i = 0; i < mxc_dmarc_trace_count(r); i++)
    if (strstr(mxc_dmarc_trace(r, i), s))
      return 1;
  return 0;
}

START_TEST(tree_walk)
{
  /* The 8-label jump: e.f.g.h.i.deep (8 labels) is never asked. */
  mxc_result_t *r =
      dmarc(ctx, "a.b.c.d.e.f.g.h.i.deep.dmarc.test", NULL, NULL, 0);
  ck_assert(trace_has(r, "_dmarc.a.b.c.d.e.f.g.h.i.deep.dmarc.test TXT"));
  ck_assert(trace_has(r, "_dmarc.f.g.h.i.deep.dmarc.test TXT: NXDOMAIN"));
  ck_assert(!trace_has(r, "_dmarc.e.f.g.h.i.deep"));
  ck_assert(trace_has(r, "stops at _dmarc.g.h.i.deep.dmarc.test: psd=n"));
  ck_assert(!trace_has(r, "_dmarc.deep.dmarc.test"));
  mxc_result_free(r);
  /* A walk goes up to the top-level domain. */
  r = dmarc(ctx, "news.org.dmarc.test", NULL, NULL, 0);
  ck_assert(trace_has(r, "_dmarc.test TXT: NXDOMAIN"));
  ck_assert(trace_has(r, "news.org.dmarc.test A: exists"));
  mxc_result_free(r);
  /* Several records at one name are reported. */
  r = dmarc(ctx, "multi.org.dmarc.test", NULL, NULL, 0);
  ck_assert(tu_has_warning(r, "dmarc-multiple-records"));
  ck_assert(trace_has(r, "2 DMARC records: all discarded"));
  mxc_result_free(r);
  /* With the PSL (RFC 7489 section 6.6.3), several records at the From
   * domain end discovery. */
  ck_assert_int_eq(mxc_ctx_set_dmarc_discovery(ctx, MXC_DMARC_PSL), MXC_OK);
  r = dmarc(ctx, "multi.org.dmarc.test", NULL, NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_NONE);
  ck_assert_int_eq(mxc_dmarc_discovery(r), MXC_DMARC_PSL);
  ck_assert_str_eq(
      mxc_result_fix(r),
      "Keep exactly one DMARC record at _dmarc.multi.org.dmarc.test.");
  mxc_result_free(r);
}
END_TEST

START_TEST(records)
{
  mxc_result_t *r;
  /* Syntax errors are discarded, located, and the record stays. */
  r = dmarc(ctx, "syntax.dmarc.test", NULL, NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_FAIL);
  ck_assert_str_eq(mxc_dmarc_policy(r), "reject");
  ck_assert_int_eq(mxc_dmarc_adkim(r), 'r');
  ck_assert_int_eq(mxc_dmarc_aspf(r), 's');
  ck_assert(tu_has_warning(r, "dmarc-syntax"));
  ck_assert_ptr_nonnull(
      strstr(mxc_result_warning_text(r, 0), "tag 3 \"adkim=x\" at offset 20"));
  ck_assert_str_eq(mxc_dmarc_tag(r, "rua"),
                   "mailto:a@syntax.dmarc.test,notauri");
  ck_assert_ptr_null(mxc_dmarc_tag(r, "adkim"));
  ck_assert_ptr_null(mxc_dmarc_tag(r, "fo"));
  mxc_result_free(r);
  /* No valid p= and no rua=: no DMARC processing, a permerror. */
  r = dmarc(ctx, "badp.dmarc.test", NULL, NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PERMERROR);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "invalid p="));
  ck_assert_str_eq(mxc_dmarc_policy(r), "");
  ck_assert_ptr_nonnull(strstr(mxc_result_fix(r), "_dmarc.badp.dmarc.test"));
  mxc_result_free(r);
  /* ... with a valid rua=: acts as p=none. */
  r = dmarc(ctx, "badprua.dmarc.test", NULL, NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_FAIL);
  ck_assert_str_eq(mxc_dmarc_policy(r), "none");
  ck_assert(tu_has_warning(r, "dmarc-invalid-policy"));
  mxc_result_free(r);
  /* No p= in an otherwise valid record: p=none (section 4.7). */
  r = dmarc(ctx, "nop2.dmarc.test", NULL, NULL, 0);
  ck_assert_str_eq(mxc_dmarc_policy(r), "none");
  ck_assert(tu_has_warning(r, "dmarc-no-policy"));
  ck_assert(tu_has_warning(r, "dmarc-no-rua"));
  mxc_result_free(r);
  /* Not a DMARC record (v=dmarc1, no ';'): none, with a warning. */
  r = dmarc(ctx, "notdmarc.dmarc.test", NULL, NULL, 0);
  ck_assert(tu_has_warning(r, "dmarc-not-a-record"));
  ck_assert_ptr_nonnull(strstr(mxc_result_fix(r),
                               "Replace the TXT record at _dmarc.notdmarc."
                               "dmarc.test by a DMARC record"));
  mxc_result_free(r);
  r = dmarc(ctx, "space.dmarc.test", NULL, NULL, 0);
  ck_assert(tu_has_warning(r, "dmarc-not-a-record"));
  mxc_result_free(r);
  r = dmarc(ctx, "other.dmarc.test", NULL, NULL, 0);
  ck_assert(!tu_has_warning(r, "dmarc-not-a-record"));
  /* The fix names the registrable domain, which covers subdomains. */
  ck_assert_ptr_nonnull(strstr(mxc_result_fix(r),
                               "a TXT record at _dmarc.dmarc.test such as "
                               "\"v=DMARC1; p=none; rua=mailto:dmarc-"
                               "reports@dmarc.test\""));
  mxc_result_free(r);
  /* pct (obsolete), t=y, unknown tags. */
  r = dmarc(ctx, "pct.dmarc.test", NULL, NULL, 0);
  ck_assert(tu_has_warning(r, "dmarc-pct-ignored"));
  ck_assert_int_eq(mxc_dmarc_testing(r), 1);
  ck_assert_int_eq(mxc_dmarc_note_count(r), 4);
  ck_assert_ptr_nonnull(strstr(mxc_dmarc_note(r, 2), "foo=bar"));
  ck_assert_ptr_nonnull(strstr(mxc_dmarc_note(r, 3), "quarantine instead"));
  mxc_result_free(r);
  /* Not a domain name. */
  r = dmarc(ctx, "bad..name", NULL, NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PERMERROR);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "not a domain name"));
  mxc_result_free(r);
  r = dmarc(ctx,
            "b\xc3\xbc"
            "cher.dmarc.test",
            NULL, NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PERMERROR);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "\\195\\188"));
  mxc_result_free(r);
}
END_TEST

START_TEST(alignment)
{
  /* RFC 9989 section 4.4: relaxed = the same organizational domain,
   * strict = identical; an aligned identifier must also pass. */
  static const struct {
    const char *from;
    const char *spf;
    mxc_verdict_t spf_v;
    const char *dkim;
    mxc_verdict_t dkim_v;
    mxc_verdict_t want;
    int spf_al, dkim_al;
  } cases[] = {
      /* relaxed (org.dmarc.test) */
      {"org.dmarc.test", "org.dmarc.test", MXC_VERDICT_PASS, NULL, 0,
       MXC_VERDICT_PASS, 1, -1},
      {"org.dmarc.test", "bounce.org.dmarc.test", MXC_VERDICT_PASS, NULL, 0,
       MXC_VERDICT_PASS, 1, -1},
      {"news.org.dmarc.test", "bounce.org.dmarc.test", MXC_VERDICT_PASS, NULL,
       0, MXC_VERDICT_PASS, 1, -1},
      {"news.org.dmarc.test", NULL, 0, "ORG.dmarc.test", MXC_VERDICT_PASS,
       MXC_VERDICT_PASS, -1, 1},
      {"org.dmarc.test", "bounce.org.dmarc.test", MXC_VERDICT_FAIL,
       "org.dmarc.test", MXC_VERDICT_FAIL, MXC_VERDICT_FAIL, 1, 1},
      {"org.dmarc.test", "other.dmarc.test", MXC_VERDICT_PASS, "example.net",
       MXC_VERDICT_PASS, MXC_VERDICT_FAIL, 0, 0},
      {"org.dmarc.test", "bounce.org.dmarc.test", MXC_VERDICT_SOFTFAIL,
       "mail.org.dmarc.test", MXC_VERDICT_PASS, MXC_VERDICT_PASS, 1, 1},
      /* psd=n makes div its own organizational domain */
      {"x.div.org.dmarc.test", "bounce.org.dmarc.test", MXC_VERDICT_PASS,
       "y.div.org.dmarc.test", MXC_VERDICT_PASS, MXC_VERDICT_PASS, 0, 1},
      /* psd=y: bank and mega are two organizations (RFC 9989 B.3.3) */
      {"bank.psd.dmarc.test", "mail.bank.psd.dmarc.test", MXC_VERDICT_PASS,
       "mail.mega.psd.dmarc.test", MXC_VERDICT_PASS, MXC_VERDICT_PASS, 1, 0},
      {"bank.psd.dmarc.test", "mail.bank.psd.dmarc.test", MXC_VERDICT_FAIL,
       "mail.mega.psd.dmarc.test", MXC_VERDICT_PASS, MXC_VERDICT_FAIL, 1, 0},
      /* strict (aspf=s, adkim=s) */
      {"strict.dmarc.test", "mail.strict.dmarc.test", MXC_VERDICT_PASS,
       "mail.strict.dmarc.test", MXC_VERDICT_PASS, MXC_VERDICT_FAIL, 0, 0},
      {"strict.dmarc.test", "Strict.dmarc.test.", MXC_VERDICT_PASS, NULL, 0,
       MXC_VERDICT_PASS, 1, -1},
      {"strict.dmarc.test", "mail.strict.dmarc.test", MXC_VERDICT_PASS,
       "strict.dmarc.test", MXC_VERDICT_PASS, MXC_VERDICT_PASS, 0, 1},
      /* a temporary error of an aligned identifier, and no pass */
      {"org.dmarc.test", "bounce.org.dmarc.test", MXC_VERDICT_TEMPERROR, NULL,
       0, MXC_VERDICT_TEMPERROR, 1, -1},
      /* an identifier that is no domain name */
      {"org.dmarc.test", "not a domain", MXC_VERDICT_PASS, NULL, 0,
       MXC_VERDICT_FAIL, 0, -1},
      /* no policy: none, alignment still reported */
      {"nothere.dmarc.test", "nothere.dmarc.test", MXC_VERDICT_PASS, NULL, 0,
       MXC_VERDICT_NONE, 1, -1},
  };
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mxc_auth_id_t spf = {cases[i].spf, cases[i].spf_v};
    mxc_result_t *r = dmarc(ctx, cases[i].from, cases[i].spf ? &spf : NULL,
                            cases[i].dkim, cases[i].dkim_v);
    ck_assert_msg(mxc_result_verdict(r) == cases[i].want,
                  "case %zu %s: %s (%s)", i, cases[i].from,
                  mxc_verdict_str(mxc_result_verdict(r)), mxc_result_reason(r));
    ck_assert_msg(mxc_dmarc_spf_aligned(r) == cases[i].spf_al,
                  "case %zu: spf aligned %d", i, mxc_dmarc_spf_aligned(r));
    ck_assert_msg(mxc_dmarc_dkim_aligned(r, 0) == cases[i].dkim_al,
                  "case %zu: dkim aligned %d", i, mxc_dmarc_dkim_aligned(r, 0));
    mxc_result_free(r);
  }
}
END_TEST

START_TEST(public_suffix_list)
{
  /* github.io is a public suffix of the PSL's private section: a.github.io
   * and b.github.io are not relaxed-aligned by RFC 7489.  The fake io.
   * zone has a record at _dmarc.github.io without psd=y, so the RFC 9989
   * tree walk makes github.io their organizational domain. */
  mxc_result_t *r;

  ck_assert_int_eq(mxc_ctx_set_dmarc_discovery(ctx, MXC_DMARC_PSL), MXC_OK);
  r = dmarc(ctx, "a.github.io", SPF("b.github.io", PASS), NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_FAIL);
  ck_assert_int_eq(mxc_dmarc_spf_aligned(r), 0);
  ck_assert_str_eq(mxc_dmarc_org_domain(r), "a.github.io");
  ck_assert_str_eq(mxc_dmarc_spf_org_domain(r), "b.github.io");
  ck_assert_int_eq(mxc_dmarc_discovery(r), MXC_DMARC_PSL);
  ck_assert_ptr_nonnull(strstr(mxc_dmarc_org_reason(r), "Public Suffix"));
  mxc_result_free(r);
  /* co.uk (ICANN section): example.co.uk is the organizational domain;
   * the policy of a subdomain is found there (sp=, here p=). */
  r = dmarc(ctx, "example.co.uk", SPF("mail.example.co.uk", PASS),
            "other.co.uk", MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_dmarc_spf_aligned(r), 1);
  ck_assert_int_eq(mxc_dmarc_dkim_aligned(r, 0), 0);
  mxc_result_free(r);
  r = dmarc(ctx, "mail.example.co.uk", NULL, NULL, 0);
  ck_assert_str_eq(mxc_dmarc_record_domain(r), "example.co.uk");
  ck_assert_str_eq(mxc_dmarc_policy_tag(r), "p");
  ck_assert_str_eq(mxc_dmarc_policy(r), "reject");
  mxc_result_free(r);
  /* RFC 7489 has no p=none default: no p= and no rua= is a permerror. */
  r = dmarc(ctx, "nop2.dmarc.test", NULL, NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PERMERROR);
  ck_assert_ptr_nonnull(strstr(mxc_result_reason(r), "RFC 7489"));
  mxc_result_free(r);
  /* The PSL method never asks np=. */
  r = dmarc(ctx, "ghost.org.dmarc.test", NULL, NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_NONE);
  mxc_result_free(r);

  /* The tree walk (default) aligns them through github.io. */
  ck_assert_int_eq(mxc_ctx_set_dmarc_discovery(ctx, MXC_DMARC_TREEWALK),
                   MXC_OK);
  r = dmarc(ctx, "a.github.io", SPF("b.github.io", PASS), NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  ck_assert_str_eq(mxc_dmarc_org_domain(r), "github.io");
  ck_assert_int_eq(mxc_dmarc_discovery(r), MXC_DMARC_TREEWALK);
  ck_assert(!tu_has_warning(r, "dmarc-psl-differs"));
  mxc_result_free(r);
  r = dmarc(ctx, "example.co.uk", SPF("mail.example.co.uk", PASS), NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  mxc_result_free(r);

  /* Both: the tree walk decides, the difference is a warning. */
  ck_assert_int_eq(
      mxc_ctx_set_dmarc_discovery(ctx, MXC_DMARC_TREEWALK | MXC_DMARC_PSL),
      MXC_OK);
  r = dmarc(ctx, "a.github.io", SPF("b.github.io", PASS), NULL, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  ck_assert(tu_has_warning(r, "dmarc-psl-differs"));
  ck_assert_ptr_nonnull(
      strstr(mxc_result_warning_text(r, 0), "result fail instead of pass"));
  mxc_result_free(r);
  r = dmarc(ctx, "example.co.uk", SPF("mail.example.co.uk", PASS), NULL, 0);
  ck_assert(!tu_has_warning(r, "dmarc-psl-differs"));
  mxc_result_free(r);
  r = dmarc(ctx, "ghost.org.dmarc.test", NULL, NULL, 0);
  ck_assert(tu_has_warning(r, "dmarc-psl-differs"));
  mxc_result_free(r);

  ck_assert_int_eq(mxc_ctx_set_dmarc_discovery(ctx, 0), MXC_EINVAL);
  ck_assert_int_eq(mxc_ctx_set_dmarc_discovery(ctx, 4), MXC_EINVAL);
  ck_assert_int_eq(mxc_ctx_set_dmarc_discovery(NULL, 1), MXC_EINVAL);
}
END_TEST

START_TEST(rendering)
{
  mxc_result_t *r, *ip = NULL, *d;
  const mxc_result_t *both[2];
  char *s;

  r = dmarc(ctx, "news.org.dmarc.test", SPF("bounce.org.dmarc.test", PASS),
            "example.net", MXC_VERDICT_PASS);
  d = mxc_result_dup(r);
  ck_assert_ptr_nonnull(d);
  mxc_result_free(r);
  s = mxc_result_json(d);
  ck_assert_ptr_nonnull(strstr(s, "\"input\":\"news.org.dmarc.test\","
                                  "\"domain\":\"news.org.dmarc.test\","
                                  "\"dmarc\":{\"result\":\"pass\""));
  ck_assert_ptr_nonnull(strstr(s, "\"record_domain\":\"org.dmarc.test\""));
  ck_assert_ptr_nonnull(strstr(s, "\"policy\":\"none\",\"policy_tag\":\"sp\""));
  ck_assert_ptr_nonnull(strstr(s, "{\"type\":\"spf\",\"domain\":\"bounce.org."
                                  "dmarc.test\",\"result\":\"pass\","
                                  "\"organizational_domain\":\"org.dmarc."
                                  "test\",\"aligned\":true"));
  ck_assert_ptr_nonnull(strstr(s, "{\"type\":\"dkim\",\"domain\":\"example."
                                  "net\",\"result\":\"pass\","
                                  "\"organizational_domain\":null,"
                                  "\"aligned\":false"));
  ck_assert_ptr_nonnull(strstr(s, "\"tags\":{\"v\":\"DMARC1\",\"p\":"
                                  "\"quarantine\""));
  mxc_free(s);
  s = mxc_result_text(d, 0);
  ck_assert_ptr_nonnull(strstr(s, "news.org.dmarc.test (From domain)\n"
                                  "  dmarc     pass  SPF bounce.org.dmarc."
                                  "test (pass) is aligned"));
  ck_assert_ptr_nonnull(strstr(s, "  policy    none (sp=)"));
  ck_assert_ptr_nonnull(strstr(s, "  SPF       bounce.org.dmarc.test pass, "
                                  "aligned (relaxed: organizational domain "
                                  "org.dmarc.test)"));
  ck_assert_ptr_nonnull(strstr(s, "  DKIM      example.net pass, not "
                                  "aligned"));
  mxc_free(s);
  /* Merged with the address's results: one object, one report. */
  ck_assert_int_eq(mxc_fcrdns_sync(ctx, "192.0.2.1", &ip), MXC_OK);
  both[0] = ip;
  both[1] = d;
  s = mxc_results_json(both, 2);
  ck_assert_ptr_nonnull(strstr(s, "{\"input\":\"192.0.2.1\""));
  ck_assert_ptr_nonnull(strstr(s, "\"iprev\":{"));
  ck_assert_ptr_nonnull(strstr(s, "\"dmarc\":{\"result\":\"pass\""));
  mxc_free(s);
  s = mxc_results_text(both, 2, MXC_RENDER_COLOR);
  ck_assert_ptr_nonnull(strstr(s, "  iprev"));
  ck_assert_ptr_nonnull(strstr(s, "  dmarc     \033[32mpass"));
  mxc_free(s);
  mxc_result_free(ip);
  /* An address that did not parse still carries the domain's result. */
  ck_assert_int_eq(mxc_fcrdns_sync(ctx, "not-an-address", &ip), MXC_EADDRESS);
  both[0] = ip;
  s = mxc_results_json(both, 2);
  ck_assert_ptr_nonnull(strstr(s, "\"error\""));
  ck_assert_ptr_nonnull(strstr(s, "\"dmarc\":{"));
  mxc_free(s);
  s = mxc_results_text(both, 2, 0);
  ck_assert_ptr_nonnull(strstr(s, "  dmarc     pass"));
  mxc_free(s);
  mxc_result_free(ip);
  mxc_result_free(d);
  /* The audit (no identifier): the record is shown as found. */
  r = dmarc(ctx, "org.dmarc.test", NULL, NULL, 0);
  s = mxc_result_text(r, 0);
  ck_assert_ptr_nonnull(strstr(s, "  dmarc     found  policy quarantine (p=)"
                                  " of org.dmarc.test\n"));
  mxc_free(s);
  s = mxc_result_json(r);
  ck_assert_ptr_nonnull(strstr(s, "\"audit\":true"));
  mxc_free(s);
  mxc_result_free(r);
  /* Accessors on other results and out of range. */
  ck_assert_str_eq(mxc_dmarc_record(NULL), "");
  ck_assert_int_eq(mxc_dmarc_spf_aligned(NULL), -1);
  ck_assert_ptr_null(mxc_dmarc_dkim_domain(NULL, 0));
  ck_assert_ptr_null(mxc_dmarc_tag(NULL, "p"));
}
END_TEST

/* ---- the callback contract ----------------------------------------------- */

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
  r->v = res ? mxc_result_verdict(res) : MXC_VERDICT_NONE;
}

START_TEST(contract)
{
  struct rec a = {0}, b = {0}, c = {0};
  mxc_auth_id_t many[MXC_DMARC_MAX_DKIM + 1];
  mxc_check_t *chk = NULL;
  mxc_ctx_t *c2;
  size_t i;

  for (i = 0; i <= MXC_DMARC_MAX_DKIM; i++) {
    many[i].domain = "org.dmarc.test";
    many[i].verdict = MXC_VERDICT_PASS;
  }
  ck_assert_int_eq(
      mxc_dmarc_start(NULL, "org.dmarc.test", NULL, NULL, 0, rec_cb, &a, NULL),
      MXC_EINVAL);
  ck_assert_int_eq(mxc_dmarc_start(ctx, NULL, NULL, NULL, 0, rec_cb, &a, NULL),
                   MXC_EINVAL);
  ck_assert_int_eq(
      mxc_dmarc_start(ctx, "org.dmarc.test", NULL, NULL, 1, rec_cb, &a, NULL),
      MXC_EINVAL);
  ck_assert_int_eq(mxc_dmarc_start(ctx, "org.dmarc.test", NULL, many,
                                   MXC_DMARC_MAX_DKIM + 1, rec_cb, &a, NULL),
                   MXC_ELIMIT);
  ck_assert_int_eq(mxc_dmarc_sync(ctx, "org.dmarc.test", NULL, NULL, 0, NULL),
                   MXC_EINVAL);
  /* Never inside start, exactly once, even for an immediate answer. */
  ck_assert_int_eq(
      mxc_dmarc_start(ctx, "bad..name", NULL, NULL, 0, rec_cb, &a, NULL),
      MXC_OK);
  ck_assert_int_eq(a.calls, 0);
  ck_assert_int_eq(mxc_dmarc_start(ctx, "news.org.dmarc.test", NULL, many,
                                   MXC_DMARC_MAX_DKIM, rec_cb, &b, &chk),
                   MXC_OK);
  ck_assert_int_eq(mxc_dmarc_start(ctx, "mail.bank.psd.dmarc.test",
                                   SPF("bank.psd.dmarc.test", PASS), NULL, 0,
                                   rec_cb, &c, NULL),
                   MXC_OK);
  mxc_check_cancel(chk);
  ck_assert_int_eq(b.calls, 1);
  ck_assert_int_eq(b.st, MXC_ECANCELLED);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  ck_assert_int_eq(a.calls, 1);
  ck_assert_int_eq(a.v, MXC_VERDICT_PERMERROR);
  ck_assert_int_eq(b.calls, 1);
  ck_assert_int_eq(c.calls, 1);
  ck_assert_int_eq(c.v, MXC_VERDICT_PASS);
  /* A second run answers from the cache, still never inside start. */
  memset(&c, 0, sizeof(c));
  ck_assert_int_eq(mxc_dmarc_start(ctx, "mail.bank.psd.dmarc.test",
                                   SPF("bank.psd.dmarc.test", PASS), NULL, 0,
                                   rec_cb, &c, NULL),
                   MXC_OK);
  ck_assert_int_eq(c.calls, 0);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  ck_assert_int_eq(c.calls, 1);
  ck_assert_int_eq(c.v, MXC_VERDICT_PASS);
  /* Freeing the context with checks pending. */
  memset(&a, 0, sizeof(a));
  c2 = tu_ctx(server);
  ck_assert_int_eq(mxc_dmarc_start(c2, "ghost.org.dmarc.test", NULL, NULL, 0,
                                   rec_cb, &a, NULL),
                   MXC_OK);
  mxc_ctx_free(c2);
  ck_assert_int_eq(a.calls, 1);
  ck_assert_int_eq(a.st, MXC_EDESTRUCTION);
}
END_TEST

START_TEST(allocation_failures)
{
  /* Fail each allocation in turn: never a crash, never two callbacks, no
   * leak (ASan and valgrind runs). */
  static const char *const froms[] = {"ghost.org.dmarc.test",
                                      "mail.bank.psd.dmarc.test",
                                      "syntax.dmarc.test", "a.github.io"};
  mxc_auth_id_t dk[2] = {{"mail.mega.psd.dmarc.test", MXC_VERDICT_PASS},
                         {"b.github.io", MXC_VERDICT_FAIL}};
  int n, completed = 0;
  for (n = 1; n < 1200; n++) {
    mxc_ctx_t *c = NULL;
    struct rec r[4];
    size_t i;
    memset(r, 0, sizeof(r));
    mxci_alloc_fail_after(n);
    if (mxc_ctx_new(&c) != MXC_OK)
      continue;
    if (mxc_ctx_set_servers(c, server) == MXC_OK &&
        mxc_ctx_set_dmarc_discovery(c, MXC_DMARC_TREEWALK | MXC_DMARC_PSL) ==
            MXC_OK) {
      int ok = 1;
      for (i = 0; i < 4; i++)
        if (mxc_dmarc_start(c, froms[i], SPF("bounce.org.dmarc.test", PASS), dk,
                            2, rec_cb, &r[i], NULL) != MXC_OK)
          ok = 0;
      mxc_run(c, 5000);
      for (i = 0; i < 4; i++)
        ck_assert_int_le(r[i].calls, 1);
      completed += ok;
    }
    mxc_ctx_free(c);
  }
  mxci_alloc_fail_after(0);
  ck_assert_int_gt(completed, 0);
}
END_TEST

/* ---- DNS failures (tests/faultdns.py) ------------------------------------ */

START_TEST(faults)
{
  static const struct {
    const char *from, *spf, *dkim;
    mxc_verdict_t want;
    const char *reason;
  } cases[] = {
      /* the From domain's own lookup times out */
      {"drop.dmarc.fault.test", NULL, NULL, MXC_VERDICT_TEMPERROR,
       "_dmarc.drop.dmarc.fault.test failed: timeout"},
      /* a record at the From domain, SERVFAIL above it: the policy is
       * known, the organizational domain is not */
      {"rec.dmarc.fault.test", NULL, "rec.dmarc.fault.test", MXC_VERDICT_PASS,
       "identical"},
      {"rec.dmarc.fault.test", "mail.rec.dmarc.fault.test", NULL,
       MXC_VERDICT_TEMPERROR, "is unknown"},
      {"rec.dmarc.fault.test", "example.net", NULL, MXC_VERDICT_FAIL,
       "example.net"},
      /* no record at the From domain, SERVFAIL on the way up */
      {"child.rec.dmarc.fault.test", NULL, NULL, MXC_VERDICT_TEMPERROR,
       "_dmarc.dmarc.fault.test failed"},
  };
  mxc_ctx_t *c = tu_ctx(fault);
  size_t i;

  ck_assert_int_eq(mxc_ctx_set_timeout_ms(c, 200), MXC_OK);
  ck_assert_int_eq(mxc_ctx_set_tries(c, 1), MXC_OK);
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mxc_auth_id_t spf = {cases[i].spf, MXC_VERDICT_PASS};
    mxc_result_t *r = dmarc(c, cases[i].from, cases[i].spf ? &spf : NULL,
                            cases[i].dkim, MXC_VERDICT_PASS);
    ck_assert_msg(mxc_result_verdict(r) == cases[i].want &&
                      strstr(mxc_result_reason(r), cases[i].reason),
                  "%s: %s (%s)", cases[i].from,
                  mxc_verdict_str(mxc_result_verdict(r)), mxc_result_reason(r));
    if (cases[i].want == MXC_VERDICT_TEMPERROR)
      ck_assert_ptr_nonnull(strstr(mxc_result_fix(r), "name servers"));
    mxc_result_free(r);
  }
  mxc_ctx_free(c);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("dmarc");
  TCase *u = tcase_create("record parser");
  TCase *t = tcase_create("discovery and alignment");
  TCase *f = tcase_create("faults");
  server = tu_server("MXC_TEST_DNS");
  fault = tu_server("MXC_TEST_FAULT");
  tcase_add_test(u, record_selection);
  tcase_add_test(u, parse_good);
  tcase_add_test(u, parse_errors);
  suite_add_tcase(s, u);
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_set_timeout(t, 120);
  tcase_add_test(t, discovery);
  tcase_add_test(t, tree_walk);
  tcase_add_test(t, records);
  tcase_add_test(t, alignment);
  tcase_add_test(t, public_suffix_list);
  tcase_add_test(t, rendering);
  tcase_add_test(t, contract);
  tcase_add_test(t, allocation_failures);
  suite_add_tcase(s, t);
  tcase_set_timeout(f, 60);
  tcase_add_test(f, faults);
  suite_add_tcase(s, f);
  return tu_run_suite(s);
}
