/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_parse.c -- a strict parser of SPF records, the ABNF of RFC 7208
 * section 12 term by term.
 *
 * The whole record is parsed before anything is evaluated: a syntax error
 * anywhere makes the result permerror (section 4.6), even after a
 * mechanism that would match.  Records are bytes, not C strings: a NUL or
 * any byte outside printable ASCII inside a term is a syntax error
 * (section 3.1 restricts records to 7-bit ASCII), never a silent
 * truncation.  Every error names the term and its offset in the record.
 */
#include "mxc_private.h"
#include "spf_private.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <strings.h>

/* ASCII classes: the C library's depend on the program's locale. */
static int a_alpha(int c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int a_digit(int c) { return c >= '0' && c <= '9'; }
static int a_alnum(int c) { return a_alpha(c) || a_digit(c); }

/* Longest term text kept for reports (longer ones are cut). */
#define MAX_TERM_SHOWN 120

#define SPF_VERSION "v=spf1"
#define SPF_VERSION_LEN 6

int mxci_spf_is_record(const unsigned char *txt, size_t len)
{
  /* Section 4.5: "v=spf1" exactly (ABNF strings are case-insensitive),
   * ended by SP or the end of the record: "v=spf10" is not one. */
  if (len < SPF_VERSION_LEN || strncasecmp((const char *)txt, SPF_VERSION,
                                       SPF_VERSION_LEN) != 0)
    return 0;
  return len == SPF_VERSION_LEN || txt[SPF_VERSION_LEN] == ' ';
}

void mxci_spf_record_clear(struct mxci_spf_record *rec)
{
  size_t i;
  for (i = 0; i < rec->nterms; i++) {
    mxci_free(rec->terms[i].text);
    mxci_free(rec->terms[i].spec);
  }
  mxci_free(rec->terms);
  mxci_free(rec->redirect);
  mxci_free(rec->exp);
  memset(rec, 0, sizeof(*rec));
}

/* ---- pieces of the grammar ------------------------------------------------ */

/* ip4-network = qnum "." qnum "." qnum "." qnum, without leading zeros. */
static int parse_ip4(const char *s, size_t len, unsigned char *out)
{
  size_t i = 0;
  int part;
  for (part = 0; part < 4; part++) {
    size_t start = i;
    unsigned v = 0;
    while (i < len && a_digit((unsigned char)s[i]) && i - start < 3)
      v = v * 10 + (unsigned)(s[i++] - '0');
    if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
      return -1;
    out[part] = (unsigned char)v;
    if (part < 3) {
      if (i >= len || s[i] != '.')
        return -1;
      i++;
    }
  }
  return i == len ? 0 : -1;
}

/* ip6-network: RFC 4291 section 2.2, which inet_pton() implements. */
static int parse_ip6(const char *s, size_t len, unsigned char *out)
{
  char buf[INET6_ADDRSTRLEN + 1];
  if (len == 0 || len >= sizeof(buf))
    return -1;
  memcpy(buf, s, len);
  buf[len] = '\0';
  return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -1;
}

/* A CIDR length after its slash: "0" or a number without a leading zero
 * (section 5.6 prohibits leading zeros in addresses; "/032" is taken the
 * same way), at most max.  Returns the value, or -1. */
static int parse_cidr(const char *s, size_t len, int max)
{
  size_t i;
  int v = 0;
  if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
    return -1;
  for (i = 0; i < len; i++) {
    if (!a_digit((unsigned char)s[i]))
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v <= max ? v : -1;
}

/* Length of a run of digits ending at s[len-1] that follows a '/'; 0 if
 * the string does not end that way. */
static size_t cidr_suffix(const char *s, size_t len)
{
  size_t j = len;
  while (j > 0 && a_digit((unsigned char)s[j - 1]))
    j--;
  if (j == len || j == 0 || s[j - 1] != '/')
    return 0;
  return len - j;
}

/* ---- one term ---------------------------------------------------------------- */

struct parse {
  struct mxci_spf_record *rec;
  const char *t; /* the term */
  size_t len;
  size_t off;    /* its offset in the record */
  size_t n;      /* its number, from 1 */
  char *err;
  size_t errlen;
  size_t cap;    /* terms allocated in rec->terms */
};

static int term_error(struct parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int term_error(struct parse *p, const char *fmt, ...)
{
  char why[200];
  char *shown;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof(why), fmt, ap);
  va_end(ap);
  shown = mxci_printable((const unsigned char *)p->t,
                             p->len > 80 ? 80 : p->len);
  snprintf(p->err, p->errlen, "term %zu \"%s%s\" at offset %zu: %s", p->n,
           shown ? shown : "?", p->len > 80 ? "..." : "", p->off, why);
  mxci_free(shown);
  return -1;
}

/* Check a domain-spec; on error the message names the term. */
static int check_spec(struct parse *p, const char *spec, size_t len)
{
  char why[160];
  if (len == 0)
    return term_error(p, "empty domain-spec");
  if (mxci_spf_check_macro(spec, len, MXCI_SPF_MS_DOMAIN, why, sizeof(why)) <
      0)
    return term_error(p, "%s", why);
  return 0;
}

static int add_term(struct parse *p, const struct mxci_spf_term *t)
{
  struct mxci_spf_record *rec = p->rec;
  struct mxci_spf_term *nt = rec->terms;
  if (rec->nterms == p->cap) {
    /* doubling: a realloc per term was a fifth of the parse */
    size_t cap = p->cap ? 2 * p->cap : 8;
    nt = mxci_realloc(rec->terms, cap * sizeof(*nt));
    if (nt == NULL)
      return -2; /* LCOV_EXCL_LINE: OutOfMemory */
    rec->terms = nt;
    p->cap = cap;
  }
  nt[rec->nterms] = *t;
  /* The text is for reports: a hostile term is shown cut. */
  if (p->len > MAX_TERM_SHOWN)
    nt[rec->nterms].text =
        mxci_asprintf("%.*s...", MAX_TERM_SHOWN, p->t);
  else
    nt[rec->nterms].text = mxci_strndup(p->t, p->len);
  if (nt[rec->nterms].text == NULL)
    return -2; /* LCOV_EXCL_LINE: OutOfMemory */
  rec->nterms++;
  return 0;
}

/* modifier = redirect / explanation / unknown-modifier (sections 6, 12) */
static int parse_modifier(struct parse *p, size_t namelen)
{
  const char *val = p->t + namelen + 1;
  size_t vlen = p->len - namelen - 1;
  char why[160];
  char **slot = NULL;

  if (namelen == 8 && strncasecmp(p->t, "redirect", 8) == 0)
    slot = &p->rec->redirect;
  else if (namelen == 3 && strncasecmp(p->t, "exp", 3) == 0)
    slot = &p->rec->exp;
  if (slot == NULL) {
    /* unknown-modifier = name "=" macro-string: ignored, but its macros
     * must be valid (RFC 7208 appendix A). */
    if (mxci_spf_check_macro(val, vlen, MXCI_SPF_MS_MODIFIER, why,
                             sizeof(why)) < 0)
      return term_error(p, "%s", why);
    return 0;
  }
  /* Section 6: redirect= and exp= appear at most once each. */
  if (*slot != NULL)
    return term_error(p, "%.*s= appears more than once", (int)namelen, p->t);
  if (check_spec(p, val, vlen) < 0)
    return -1;
  *slot = mxci_strndup(val, vlen);
  return *slot ? 0 : -2;
}

static const struct {
  const char *name;
  enum mxci_spf_mech mech;
} mechs[] = {{"all", MXCI_SPF_ALL},       {"include", MXCI_SPF_INCLUDE},
             {"a", MXCI_SPF_A},           {"mx", MXCI_SPF_MX},
             {"ptr", MXCI_SPF_PTR},       {"ip4", MXCI_SPF_IP4},
             {"ip6", MXCI_SPF_IP6},       {"exists", MXCI_SPF_EXISTS}};

/* directive = [ qualifier ] mechanism (section 4.6.2, 5) */
static int parse_directive(struct parse *p)
{
  struct mxci_spf_term t;
  const char *s = p->t, *rest;
  size_t len = p->len, nl = 0, rlen, k;
  int found = 0, r;

  memset(&t, 0, sizeof(t));
  t.qual = '+';
  t.off = p->off;
  if (len > 0 && strchr("+-?~", s[0]) != NULL) {
    t.qual = s[0];
    s++;
    len--;
  }
  while (nl < len && a_alnum((unsigned char)s[nl]))
    nl++;
  for (k = 0; k < sizeof(mechs) / sizeof(mechs[0]); k++)
    if (strlen(mechs[k].name) == nl && strncasecmp(s, mechs[k].name, nl) == 0) {
      t.mech = mechs[k].mech;
      found = 1;
      break;
    }
  rest = s + nl;
  rlen = len - nl;
  if (!found || (rlen > 0 && rest[0] != ':' && rest[0] != '/')) {
    if (nl == 8 && strncasecmp(s, "redirect", 8) == 0)
      return term_error(p, "unknown mechanism (redirect is a modifier: "
                           "redirect=domain)");
    if (nl == 3 && strncasecmp(s, "exp", 3) == 0)
      return term_error(p, "unknown mechanism (exp is a modifier: "
                           "exp=domain)");
    if (found)
      return term_error(p, "unexpected '%c' after \"%.*s\"", rest[0],
                        (int)nl, s);
    return term_error(p, "unknown mechanism or modifier");
  }

  switch (t.mech) {
  case MXCI_SPF_ALL: /* all = "all" (section 5.1) */
    if (rlen > 0)
      return term_error(p, "\"all\" takes no argument");
    p->rec->has_all = 1;
    break;
  case MXCI_SPF_INCLUDE: /* "include" ":" domain-spec (5.2) */
  case MXCI_SPF_EXISTS:  /* "exists" ":" domain-spec (5.7) */
  case MXCI_SPF_PTR:     /* "ptr" [ ":" domain-spec ] (5.5) */
    if (rlen == 0 && t.mech == MXCI_SPF_PTR)
      break;
    if (rlen == 0 || rest[0] != ':')
      return term_error(p, "%s needs \":domain\"",
                        t.mech == MXCI_SPF_INCLUDE  ? "include"
                        : t.mech == MXCI_SPF_EXISTS ? "exists"
                                                    : "ptr");
    if (check_spec(p, rest + 1, rlen - 1) < 0)
      return -1;
    t.spec = mxci_strndup(rest + 1, rlen - 1);
    if (t.spec == NULL)
      return -2; /* LCOV_EXCL_LINE: OutOfMemory */
    break;
  case MXCI_SPF_A:  /* "a"  [ ":" domain-spec ] [ dual-cidr-length ] (5.3) */
  case MXCI_SPF_MX: { /* "mx" [ ":" domain-spec ] [ dual-cidr-length ] (5.4) */
    size_t d;
    t.cidr4 = 32;
    t.cidr6 = 128;
    /* dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ],
     * taken from the end: a domain-spec may itself hold '/'. */
    if ((d = cidr_suffix(rest, rlen)) > 0 && rlen >= d + 2 &&
        rest[rlen - d - 2] == '/') {
      if ((t.cidr6 = parse_cidr(rest + rlen - d, d, 128)) < 0)
        return term_error(p, "bad IPv6 prefix length (0 to 128, no leading "
                             "zero)");
      rlen -= d + 2;
    }
    if ((d = cidr_suffix(rest, rlen)) > 0) {
      if ((t.cidr4 = parse_cidr(rest + rlen - d, d, 32)) < 0)
        return term_error(p, "bad IPv4 prefix length (0 to 32, no leading "
                             "zero)");
      rlen -= d + 1;
    }
    if (rlen == 0)
      break;
    if (rest[0] != ':')
      return term_error(p, "bad prefix length (\"/N\", \"//N\" or "
                           "\"/N//M\")");
    if (check_spec(p, rest + 1, rlen - 1) < 0)
      return -1;
    t.spec = mxci_strndup(rest + 1, rlen - 1);
    if (t.spec == NULL)
      return -2; /* LCOV_EXCL_LINE: OutOfMemory */
    break;
  }
  case MXCI_SPF_IP4: /* "ip4" ":" ip4-network [ ip4-cidr-length ] (5.6) */
  case MXCI_SPF_IP6: { /* "ip6" ":" ip6-network [ ip6-cidr-length ] */
    int v6 = t.mech == MXCI_SPF_IP6;
    const char *slash;
    size_t alen;
    if (rlen == 0 || rest[0] != ':')
      return term_error(p, "%s needs \":address\"", v6 ? "ip6" : "ip4");
    rest++;
    rlen--;
    slash = memchr(rest, '/', rlen);
    alen = slash ? (size_t)(slash - rest) : rlen;
    if ((v6 ? parse_ip6(rest, alen, t.net) : parse_ip4(rest, alen, t.net)) <
        0)
      return term_error(p, "not an %s address", v6 ? "IPv6" : "IPv4");
    t.cidr4 = 32;
    t.cidr6 = 128;
    if (slash) {
      int c = parse_cidr(slash + 1, rlen - alen - 1, v6 ? 128 : 32);
      if (c < 0)
        return term_error(p, "bad prefix length (/0 to /%d, no leading zero"
                             ", no dual CIDR)",
                          v6 ? 128 : 32);
      if (v6)
        t.cidr6 = c;
      else
        t.cidr4 = c;
    }
    break;
  }
  }
  if (t.mech == MXCI_SPF_INCLUDE || t.mech == MXCI_SPF_A ||
      t.mech == MXCI_SPF_MX || t.mech == MXCI_SPF_PTR ||
      t.mech == MXCI_SPF_EXISTS)
    p->rec->ndns++;
  if (t.mech == MXCI_SPF_PTR)
    p->rec->has_ptr = 1;
  r = add_term(p, &t);
  if (r < 0)
    mxci_free(t.spec); /* LCOV_EXCL_LINE: OutOfMemory */
  return r;
}

static int parse_term(struct parse *p)
{
  size_t i, nl = 0;
  /* Section 3.1 and the ABNF: a term is printable ASCII.  Control
   * characters (CR, LF, TAB, NUL) are not separators (section 4.6.1). */
  for (i = 0; i < p->len; i++) {
    unsigned char c = (unsigned char)p->t[i];
    if (c < 0x21 || c > 0x7e)
      return term_error(p, "byte 0x%02x at position %zu is not printable "
                           "ASCII (RFC 7208 section 3.1)",
                        c, i + 1);
  }
  /* modifier: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ), then "="
   * immediately (section 4.6.1). */
  if (a_alpha((unsigned char)p->t[0])) {
    nl = 1;
    while (nl < p->len && (a_alnum((unsigned char)p->t[nl]) ||
                           strchr("-_.", p->t[nl]) != NULL))
      nl++;
    if (nl < p->len && p->t[nl] == '=')
      return parse_modifier(p, nl);
  }
  if (p->t[0] == '=')
    return term_error(p, "modifier without a name");
  return parse_directive(p);
}

int mxci_spf_parse(const unsigned char *txt, size_t len,
                   struct mxci_spf_record *rec, char *err, size_t errlen)
{
  struct parse p;
  size_t i;
  int r = 0;

  memset(rec, 0, sizeof(*rec));
  memset(&p, 0, sizeof(p));
  p.rec = rec;
  p.err = err;
  p.errlen = errlen;
  if (!mxci_spf_is_record(txt, len)) {
    snprintf(err, errlen, "does not begin with \"v=spf1\"");
    return -1;
  }
  /* record = version terms *SP; terms = *( 1*SP ( directive / modifier ) ) */
  i = SPF_VERSION_LEN;
  while (i < len) {
    size_t start;
    if (txt[i] == ' ') {
      i++;
      continue;
    }
    start = i;
    while (i < len && txt[i] != ' ')
      i++;
    p.t = (const char *)txt + start;
    p.len = i - start;
    p.off = start;
    p.n++;
    r = parse_term(&p);
    if (r < 0)
      break;
  }
  if (r < 0)
    mxci_spf_record_clear(rec);
  if (r == -2)
    snprintf(err, errlen, "out of memory"); /* LCOV_EXCL_LINE: OutOfMemory */
  return r;
}
