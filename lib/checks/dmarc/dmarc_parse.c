/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_parse.c -- DMARC policy records (RFC 9989 sections 4.7 and 4.8;
 * RFC 7489 sections 6.3 and 6.4 for the obsolete tags).
 *
 * A TXT record is a DMARC policy record when it begins with the "v" tag of
 * value "DMARC1" (case-sensitive value, section 4.7); anything else is not
 * one and is discarded by the caller.  The rest is parsed as the formal
 * definition of section 4.8 says:
 *
 *   dmarc-record  = dmarc-version *(dmarc-sep dmarc-tag) [dmarc-sep]
 *   dmarc-sep     = *WSP ";" *WSP
 *   dmarc-tag     = 1*ALPHA equals 1*dmarc-value
 *   dmarc-value   = %x20-3A / %x3C-7E
 *
 * "Unknown tags MUST be ignored.  Syntax errors in the remainder of the
 * record MUST be discarded in favor of default values (if any) or ignored
 * outright" (section 4.8): a tag whose value does not parse is dropped,
 * the default applies, and the error is kept with its place in the record
 * so that the report can point at it.  The record stays a DMARC record.
 * What a record without a valid p= means is decided by the caller (section
 * 4.10.1).
 *
 * Interpretations (documented in mxcheck(1)):
 *  - A tag that appears twice: DKIM's tag-list rule (RFC 6376 section 3.2,
 *    which section 4.7 builds on) makes the whole list invalid; we keep the
 *    first occurrence and discard the others as syntax errors, in the
 *    spirit of section 4.8.
 *  - HTAB counts as white space like SP; empty tags (";;") are skipped.
 *  - pct, rf and ri are "historic" (section 9.3): parsed, kept for the RFC
 *    7489 method, and listed as obsolete.
 */
#include "mxc_private.h"
#include "dmarc_private.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>

/* Tags kept of one record.  Real records have fewer than 12. */
#define MAX_TAGS 64

static int is_wsp(unsigned char c)
{
  return c == ' ' || c == '\t';
}
static int is_alpha(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_digit(unsigned char c)
{
  return c >= '0' && c <= '9';
}
static unsigned char lower(unsigned char c)
{
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Does txt[0..len) begin with the v tag: "v" *WSP "=" *WSP "DMARC1" and
 * then the end or a separator?  Returns the offset after "DMARC1" (and
 * its trailing white space) or 0. */
static size_t version_end(const unsigned char *txt, size_t len)
{
  size_t i = 0;
  if (len == 0 || lower(txt[0]) != 'v')
    return 0;
  i = 1;
  while (i < len && is_wsp(txt[i]))
    i++;
  if (i >= len || txt[i] != '=')
    return 0;
  i++;
  while (i < len && is_wsp(txt[i]))
    i++;
  if (len - i < 6 || memcmp(txt + i, "DMARC1", 6) != 0)
    return 0;
  i += 6;
  while (i < len && is_wsp(txt[i]))
    i++;
  if (i < len && txt[i] != ';')
    return 0;
  return i;
}

int mxci_dmarc_is_record(const unsigned char *txt, size_t len)
{
  return version_end(txt, len) > 0;
}

int mxci_dmarc_looks_like(const unsigned char *txt, size_t len)
{
  size_t i = 0;
  static const char want[] = "dmarc";
  size_t k;
  while (i < len && (is_wsp(txt[i]) || txt[i] == '"'))
    i++;
  if (i >= len || lower(txt[i]) != 'v')
    return 0;
  i++;
  while (i < len && is_wsp(txt[i]))
    i++;
  if (i >= len || txt[i] != '=')
    return 0;
  i++;
  while (i < len && is_wsp(txt[i]))
    i++;
  for (k = 0; want[k]; k++, i++)
    if (i >= len || lower(txt[i]) != (unsigned char)want[k])
      return 0;
  return 1;
}

void mxci_dmarc_rec_clear(struct mxci_dmarc_rec *r)
{
  mxci_strv_free(r->tname, r->ntags);
  mxci_strv_free(r->tval, r->nvals);
  mxci_strv_free(r->err, r->nerr);
  mxci_strv_free(r->obs, r->nobs);
  mxci_strv_free(r->unknown, r->nunknown);
  memset(r, 0, sizeof(*r));
}

/* ---- values -------------------------------------------------------------- */

/* dmarc-request (case-insensitive, RFC 5234 quoted strings). */
static char request(const char *v)
{
  if (strcasecmp(v, "none") == 0)
    return 'n';
  if (strcasecmp(v, "quarantine") == 0)
    return 'q';
  if (strcasecmp(v, "reject") == 0)
    return 'r';
  return 0;
}

/* One letter of a set, case-insensitive. */
static char letter(const char *v, const char *set)
{
  if (v[0] == '\0' || v[1] != '\0')
    return 0;
  return strchr(set, lower((unsigned char)v[0]))
             ? (char)lower((unsigned char)v[0])
             : 0;
}

/* The characters a URI may hold here (RFC 3986 section 2: unreserved,
 * reserved, '%'); ',' and '!' must be percent-encoded (section 4.8). */
static int uri_char(unsigned char c)
{
  if (is_alpha(c) || is_digit(c))
    return 1;
  return c != ',' && c != '!' && strchr("-._~:/?#[]@$&'()*+;=%", c) != NULL;
}

/* Check one dmarc-uri (or obs-dmarc-uri) of n octets.  0 or -1 with a
 * reason; *obs is set when the obsolete "!size" suffix is there. */
static int check_uri(const char *u, size_t n, int *obs, char *why,
                     size_t whylen)
{
  size_t i, end = n, colon = 0;
  const char *bang = memchr(u, '!', n);
  if (bang) {
    /* obs-dmarc-report-size = "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] */
    size_t j = (size_t)(bang - u) + 1, d = 0;
    while (j < n && is_digit((unsigned char)u[j])) {
      j++;
      d++;
    }
    if (j < n && strchr("kmgtKMGT", u[j]))
      j++;
    if (d == 0 || j != n) {
      snprintf(why, whylen,
               "\"%.*s\" is not a size (\"!\" then digits and "
               "k, m, g or t)",
               (int)(n - (size_t)(bang - u)), bang);
      return -1;
    }
    *obs = 1;
    end = (size_t)(bang - u);
  }
  /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
  if (end == 0 || !is_alpha((unsigned char)u[0])) {
    snprintf(why, whylen,
             "\"%.*s\" is not a URI (it must begin with a "
             "scheme such as mailto:)",
             (int)end, u);
    return -1;
  }
  for (i = 1; i < end; i++) {
    unsigned char c = (unsigned char)u[i];
    if (c == ':') {
      colon = i;
      break;
    }
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
      break;
  }
  if (colon == 0 || colon + 1 >= end) {
    snprintf(why, whylen,
             "\"%.*s\" is not a URI (a scheme such as mailto: "
             "and an address are needed)",
             (int)end, u);
    return -1;
  }
  for (i = colon + 1; i < end; i++) {
    unsigned char c = (unsigned char)u[i];
    if (!uri_char(c)) {
      snprintf(why, whylen,
               "\"%.*s\": the character '%c' must be "
               "percent-encoded in a URI",
               (int)end, u, c);
      return -1;
    }
    if (c == '%' && (i + 2 >= end || !isxdigit((unsigned char)u[i + 1]) ||
                     !isxdigit((unsigned char)u[i + 2]))) {
      snprintf(why, whylen,
               "\"%.*s\": '%%' is not followed by two hex "
               "digits",
               (int)end, u);
      return -1;
    }
  }
  if (colon == 6 && strncasecmp(u, "mailto", 6) == 0) {
    const char *at = memchr(u + 7, '@', end - 7);
    if (at == NULL || at == u + 7 || at + 1 >= u + end) {
      snprintf(why, whylen,
               "\"%.*s\" is not a mailto: address "
               "(local-part@domain)",
               (int)end, u);
      return -1;
    }
  }
  return 0;
}

/* ---- the parser ---------------------------------------------------------- */

struct pstate {
  struct mxci_dmarc_rec *r;
  const char *rec; /* the whole record (for offsets) */
  int oom;
  /* the tag being parsed, for error locations */
  size_t tagno, off, taglen;
};

static void add(struct pstate *ps, char ***v, size_t *n, const char *s)
{
  if (mxci_strv_add(v, n, s) < 0)
    ps->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
}

static void syntax(struct pstate *ps, size_t tagno, const char *tag,
                   size_t taglen, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void syntax(struct pstate *ps, size_t tagno, const char *tag,
                   size_t taglen, size_t off, const char *fmt, ...)
{
  char why[400], *line;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof(why), fmt, ap);
  va_end(ap);
  line = mxci_asprintf("tag %zu \"%.*s%s\" at offset %zu: %s", tagno,
                       (int)(taglen > 80 ? 77 : taglen), tag,
                       taglen > 80 ? "..." : "", off, why);
  if (line == NULL) {
    ps->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return;      /* LCOV_EXCL_LINE: OutOfMemory */
  }
  add(ps, &ps->r->err, &ps->r->nerr, line);
  mxci_free(line);
}

static int seen(const struct mxci_dmarc_rec *r, const char *name)
{
  size_t i;
  for (i = 0; i < r->ntags; i++)
    if (strcmp(r->tname[i], name) == 0)
      return 1;
  return 0;
}

/* Validate the value of a known tag; 0 (keep it) or -1 with why. */
static int check_value(struct pstate *ps, const char *name, const char *v,
                       char *why, size_t whylen)
{
  struct mxci_dmarc_rec *r = ps->r;
  if (strcmp(name, "p") == 0 || strcmp(name, "sp") == 0 ||
      strcmp(name, "np") == 0) {
    char c = request(v);
    if (c == 0) {
      snprintf(why, whylen, "expected none, quarantine or reject");
      if (name[0] == 'p')
        r->p_bad = 1;
      else if (name[0] == 's')
        r->sp_bad = 1;
      else
        r->np_bad = 1;
      return -1;
    }
    if (name[0] == 'p')
      r->p = c;
    else if (name[0] == 's')
      r->sp = c;
    else
      r->np = c;
    return 0;
  }
  if (strcmp(name, "adkim") == 0 || strcmp(name, "aspf") == 0) {
    char c = letter(v, "rs");
    if (c == 0) {
      snprintf(why, whylen,
               "expected r (relaxed) or s (strict); the "
               "default r applies");
      return -1;
    }
    if (name[1] == 'd')
      r->adkim = c;
    else
      r->aspf = c;
    return 0;
  }
  if (strcmp(name, "psd") == 0) {
    if ((r->psd = letter(v, "ynu")) == 0) {
      snprintf(why, whylen, "expected y, n or u; the default u applies");
      return -1;
    }
    return 0;
  }
  if (strcmp(name, "t") == 0) {
    if ((r->t = letter(v, "yn")) == 0) {
      snprintf(why, whylen, "expected y or n; the default n applies");
      return -1;
    }
    return 0;
  }
  if (strcmp(name, "rua") == 0 || strcmp(name, "ruf") == 0) {
    size_t *cnt = name[2] == 'a' ? &r->nrua : &r->nruf;
    const char *p = v;
    int obs = 0;
    char uwhy[300];
    *cnt = 0;
    for (;;) {
      const char *e = strchr(p, ',');
      size_t n = e ? (size_t)(e - p) : strlen(p);
      const char *s = p;
      while (n && is_wsp((unsigned char)*s)) {
        s++;
        n--;
      }
      while (n && is_wsp((unsigned char)s[n - 1]))
        n--;
      if (check_uri(s, n, &obs, uwhy, sizeof(uwhy)) == 0)
        (*cnt)++;
      else
        syntax(ps, ps->tagno, ps->rec + ps->off, ps->taglen, ps->off,
               "%s; this URI is ignored", uwhy);
      if (e == NULL)
        break;
      p = e + 1;
    }
    if (obs)
      add(ps, &r->obs, &r->nobs,
          name[2] == 'a' ? "rua size limit (!size)" : "ruf size limit (!size)");
    if (*cnt == 0) {
      snprintf(why, whylen, "no valid reporting URI");
      return -1;
    }
    return 0;
  }
  if (strcmp(name, "fo") == 0) {
    /* dmarc-fo: 0, 1, d, s separated by ':', each at most once, 0 and 1
     * not together. */
    int have[4] = {0, 0, 0, 0};
    const char *p = v;
    for (;;) {
      const char *e = strchr(p, ':');
      size_t n = e ? (size_t)(e - p) : strlen(p);
      const char *s = p;
      int k;
      while (n && is_wsp((unsigned char)*s)) {
        s++;
        n--;
      }
      while (n && is_wsp((unsigned char)s[n - 1]))
        n--;
      k = n != 1                              ? -1
          : s[0] == '0'                       ? 0
          : s[0] == '1'                       ? 1
          : lower((unsigned char)s[0]) == 'd' ? 2
          : lower((unsigned char)s[0]) == 's' ? 3
                                              : -1;
      if (k < 0 || have[k]) {
        snprintf(why, whylen,
                 "expected 0, 1, d or s separated by ':', "
                 "each once; the default 0 applies");
        return -1;
      }
      have[k] = 1;
      if (e == NULL)
        break;
      p = e + 1;
    }
    if (have[0] && have[1]) {
      snprintf(why, whylen,
               "0 and 1 exclude each other; the default 0 "
               "applies");
      return -1;
    }
    return 0;
  }
  if (strcmp(name, "pct") == 0) {
    size_t n = strlen(v), i;
    long pct = 0;
    add(ps, &r->obs, &r->nobs, "pct");
    for (i = 0; i < n; i++)
      if (!is_digit((unsigned char)v[i]))
        break;
    if (n == 0 || n > 3 || i != n || (pct = strtol(v, NULL, 10)) > 100) {
      snprintf(why, whylen, "expected a whole number from 0 to 100");
      return -1;
    }
    r->pct = (int)pct;
    return 0;
  }
  if (strcmp(name, "rf") == 0 || strcmp(name, "ri") == 0) {
    add(ps, &r->obs, &r->nobs, name);
    return 0;
  }
  return 0;
}

static int known(const char *name)
{
  static const char *const tags[] = {"v",    "p",   "sp", "np",  "adkim",
                                     "aspf", "psd", "t",  "rua", "ruf",
                                     "fo",   "pct", "rf", "ri"};
  size_t i;
  for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
    if (strcmp(name, tags[i]) == 0)
      return 1;
  return 0;
}

int mxci_dmarc_parse(const unsigned char *txt, size_t len,
                     struct mxci_dmarc_rec *r)
{
  struct pstate ps;
  size_t i, tagno = 1;
  char *rec;

  memset(r, 0, sizeof(*r));
  r->pct = -1;
  i = version_end(txt, len);
  if (i == 0)
    return -1;
  rec = mxci_strndup((const char *)txt, len);
  if (rec == NULL)
    return -2; /* LCOV_EXCL_LINE: OutOfMemory */
  ps.r = r;
  ps.rec = rec;
  ps.oom = 0;
  add(&ps, &r->tname, &r->ntags, "v");
  add(&ps, &r->tval, &r->nvals, "DMARC1");
  while (i < len && !ps.oom) {
    size_t start, end, s, e, eq, k;
    char name[16], *value, why[400];
    int bad = 0;

    /* i is at a ';' */
    start = ++i;
    while (i < len && txt[i] != ';')
      i++;
    end = i;
    s = start;
    e = end;
    while (s < e && is_wsp(txt[s]))
      s++;
    while (e > s && is_wsp(txt[e - 1]))
      e--;
    if (s == e)
      continue; /* ";;" or the final ";" */
    tagno++;
    if (r->ntags >= MAX_TAGS) {
      syntax(&ps, tagno, rec + s, e - s, s,
             "more than %d tags: this one and the rest are ignored", MAX_TAGS);
      break;
    }
    for (eq = s; eq < e && txt[eq] != '='; eq++)
      ;
    if (eq == e) {
      syntax(&ps, tagno, rec + s, e - s, s,
             "no '=': a tag is name=value; ignored");
      continue;
    }
    k = eq;
    while (k > s && is_wsp(txt[k - 1]))
      k--;
    if (k == s) {
      syntax(&ps, tagno, rec + s, e - s, s, "no tag name before '='");
      continue;
    }
    for (k = s; k < eq && !is_wsp(txt[k]); k++)
      if (!is_alpha(txt[k]))
        bad = 1;
    {
      size_t k2 = k;
      while (k2 < eq && is_wsp(txt[k2]))
        k2++;
      if (k2 != eq)
        bad = 1; /* white space inside the name */
    }
    if (bad || k - s >= sizeof(name)) {
      syntax(&ps, tagno, rec + s, e - s, s,
             "a tag name is letters only (1*ALPHA); ignored");
      continue;
    }
    for (k = s; k < eq && !is_wsp(txt[k]); k++)
      name[k - s] = (char)lower(txt[k]);
    name[k - s] = '\0';
    /* the value */
    k = eq + 1;
    while (k < e && is_wsp(txt[k]))
      k++;
    if (k == e) {
      syntax(&ps, tagno, rec + s, e - s, s, "empty value; %s",
             known(name) ? "the default applies" : "ignored");
      continue;
    }
    {
      size_t j;
      for (j = k; j < e; j++)
        if ((txt[j] < 0x20 && txt[j] != '\t') || txt[j] > 0x7e)
          break;
      if (j < e) {
        syntax(&ps, tagno, rec + s, e - s, s,
               "octet 0x%02x at offset %zu is not a printable ASCII "
               "character; ignored",
               txt[j], j);
        if (strcmp(name, "p") == 0)
          r->p_bad = 1;
        else if (strcmp(name, "sp") == 0)
          r->sp_bad = 1;
        else if (strcmp(name, "np") == 0)
          r->np_bad = 1;
        continue;
      }
    }
    if (!known(name)) {
      /* Section 4.7: unknown tags MUST be ignored. */
      char *u = mxci_strndup(rec + s, e - s);
      if (u)
        add(&ps, &r->unknown, &r->nunknown, u);
      else
        ps.oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
      mxci_free(u);
      continue;
    }
    if (strcmp(name, "v") == 0) {
      syntax(&ps, tagno, rec + s, e - s, s,
             "v= is allowed once, as the first tag; ignored");
      continue;
    }
    if (seen(r, name)) {
      syntax(&ps, tagno, rec + s, e - s, s,
             "%s= appears more than once; the first one counts", name);
      continue;
    }
    ps.tagno = tagno;
    ps.off = s;
    ps.taglen = e - s;
    value = mxci_strndup(rec + k, e - k);
    if (value == NULL) {
      ps.oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
      break;      /* LCOV_EXCL_LINE: OutOfMemory */
    }
    if (check_value(&ps, name, value, why, sizeof(why)) < 0) {
      syntax(&ps, tagno, rec + s, e - s, s, "%s", why);
    } else {
      add(&ps, &r->tname, &r->ntags, name);
      add(&ps, &r->tval, &r->nvals, value);
    }
    mxci_free(value);
  }
  mxci_free(rec);
  if (ps.oom) {
    mxci_dmarc_rec_clear(r); /* LCOV_EXCL_LINE: OutOfMemory */
    return -2;               /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return 0;
}

const char *mxci_dmarc_rec_tag(const struct mxci_dmarc_rec *r, const char *name)
{
  size_t i;
  for (i = 0; i < r->ntags && i < r->nvals; i++)
    if (strcasecmp(r->tname[i], name) == 0)
      return r->tval[i];
  return NULL;
}

const char *mxci_dmarc_policy_word(char c)
{
  switch (c) {
  case 'n':
    return "none";
  case 'q':
    return "quarantine";
  case 'r':
    return "reject";
  default:
    return "";
  }
}
