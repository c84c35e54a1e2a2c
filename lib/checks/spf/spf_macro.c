/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_macro.c -- SPF macro-strings (RFC 7208 section 7): syntax, expansion
 * and the names they produce.
 *
 *   macro-expand = ( "%{" macro-letter transformers *delimiter "}" )
 *                  / "%%" / "%_" / "%-"
 *   macro-letter = s l o d i p h c r t v   (upper case: URL-escaped)
 *   transformers = *DIGIT [ "r" ]
 *   delimiter    = "." / "-" / "+" / "," / "/" / "_" / "="
 *
 * Syntax is checked when the record is parsed, so that a bad macro is a
 * permerror wherever it sits; expansion happens when a term is evaluated.
 */
#include "mxc_private.h"
#include "spf_private.h"

#include <stdio.h>

/* ASCII classes: the C library's depend on the program's locale. */
static int a_alpha(int c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int a_digit(int c) { return c >= '0' && c <= '9'; }
static int a_alnum(int c) { return a_alpha(c) || a_digit(c); }
static int a_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int a_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int a_print(int c) { return c >= 0x20 && c < 0x7f; }

/* Our cap on one expansion.  A name used in a query is at most 253
 * octets (section 7.3) and an explanation is one line of a reply; an
 * expansion longer than this comes only from a hostile record or
 * identity, and fails instead of growing. */
#define MAX_EXPANSION 4096
/* Section 7.3: "if the expanded domain name exceeds 253 characters, the
 * left side is truncated to fit". */
#define MAX_DOMAIN 253
#define MAX_LABEL 63
/* A DIGIT transformer larger than this keeps every part anyway. */
#define MAX_PARTS_DIGIT 100000

static const char delimiters[] = ".-+,/_=";

static int is_letter(int c)
{
  return c != 0 && strchr("slodiphcrtv", a_lower(c)) != NULL;
}

/* A toplabel (section 7.1):
 *   ( *alphanum ALPHA *alphanum ) /
 *   ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int toplabel_ok(const char *s, size_t len)
{
  size_t i;
  int alpha = 0, dash = 0;
  if (len == 0)
    return 0;
  for (i = 0; i < len; i++) {
    if (a_alpha((unsigned char)s[i]))
      alpha = 1;
    else if (s[i] == '-')
      dash = 1;
    else if (!a_digit((unsigned char)s[i]))
      return 0;
  }
  if (!dash)
    return alpha;
  return a_alnum((unsigned char)s[0]) && a_alnum((unsigned char)s[len - 1]);
}

int mxci_spf_check_macro(const char *s, size_t len, int kind, char *err,
                         size_t errlen)
{
  size_t i = 0, tail = 0;
  int last_macro = 0;

  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    if (c != '%') {
      /* macro-literal = %x21-24 / %x26-7E; explain-string adds SP */
      if ((c < 0x21 || c > 0x7e) && !(kind == MXCI_SPF_MS_EXPLAIN && c == ' ')) {
        snprintf(err, errlen, "byte 0x%02x is not allowed (printable ASCII "
                              "only)",
                 c);
        return -1;
      }
      if (last_macro)
        tail = i;
      last_macro = 0;
      i++;
      continue;
    }
    if (i + 1 >= len) {
      snprintf(err, errlen, "'%%' at the end (write %%%% for a percent "
                            "sign)");
      return -1;
    }
    c = (unsigned char)s[i + 1];
    if (c == '%' || c == '_' || c == '-') {
      i += 2;
      last_macro = 1;
      continue;
    }
    if (c != '{') {
      /* Section 7.1: '%' not followed by '{', '%', '-' or '_' */
      snprintf(err, errlen, "'%%' followed by '%c' (a macro is %%{x}, "
                            "%%%%, %%_ or %%-)",
               a_print(c) ? c : '?');
      return -1;
    }
    i += 2;
    if (i >= len || !is_letter((unsigned char)s[i])) {
      snprintf(err, errlen, "unknown macro letter '%c' (RFC 7208 section "
                            "7.2: s l o d i p h c r t v)",
               i < len && a_print((unsigned char)s[i]) ? s[i] : '?');
      return -1;
    }
    if (kind != MXCI_SPF_MS_EXPLAIN && strchr("crt", a_lower((unsigned char)
                                                           s[i])) != NULL) {
      snprintf(err, errlen, "macro %%{%c} is allowed only in explanation "
                            "text (RFC 7208 section 7.2)",
               s[i]);
      return -1;
    }
    i++;
    if (i < len && a_digit((unsigned char)s[i])) {
      int nonzero = 0;
      while (i < len && a_digit((unsigned char)s[i])) {
        if (s[i] != '0')
          nonzero = 1;
        i++;
      }
      if (!nonzero) {
        /* Section 7.3: "If a DIGIT is specified, the value MUST be
         * nonzero." */
        snprintf(err, errlen, "macro transformer 0 (the number of parts "
                              "must be at least 1)");
        return -1;
      }
    }
    if (i < len && (s[i] == 'r' || s[i] == 'R'))
      i++;
    while (i < len && s[i] != '\0' && strchr(delimiters, s[i]) != NULL)
      i++;
    if (i >= len || s[i] != '}') {
      snprintf(err, errlen, "macro not closed by '}' or bad transformer "
                            "(digits, 'r', then delimiters .-+,/_=)");
      return -1;
    }
    i++;
    last_macro = 1;
  }
  if (kind != MXCI_SPF_MS_DOMAIN)
    return 0;
  /* domain-end = ( "." toplabel [ "." ] ) / macro-expand */
  if (len == 0) {
    snprintf(err, errlen, "empty domain-spec");
    return -1;
  }
  if (!last_macro) {
    size_t end = len, dot;
    if (end > tail && s[end - 1] == '.')
      end--;
    dot = end;
    while (dot > tail && s[dot - 1] != '.')
      dot--;
    if (dot == tail || !toplabel_ok(s + dot, end - dot)) {
      snprintf(err, errlen,
               "the domain must end in a macro or in \".\" and a top-level "
               "label that is not all digits nor starts or ends with '-' "
               "(RFC 7208 section 7.1)");
      return -1;
    }
  }
  return 0;
}

int mxci_spf_uses_p(const char *s)
{
  for (; *s; s++) {
    if (*s != '%')
      continue;
    if (s[1] == '{' && (s[2] == 'p' || s[2] == 'P'))
      return 1;
    if (s[1] != '\0')
      s++;
  }
  return 0;
}

/* ---- expansion --------------------------------------------------------- */

static const char *letter_value(const struct mxci_spf_env *env, int letter)
{
  const char *v = NULL;
  switch (a_lower(letter)) {
  case 's':
    v = env->s;
    break;
  case 'l':
    v = env->l;
    break;
  case 'o':
    v = env->o;
    break;
  case 'd':
    v = env->d;
    break;
  case 'i':
    v = env->i;
    break;
  case 'p':
    v = env->p;
    break;
  case 'h':
    v = env->h;
    break;
  case 'c':
    v = env->c;
    break;
  case 'r':
    v = env->r;
    break;
  case 't':
    v = env->t;
    break;
  case 'v':
    v = env->v;
    break;
  default:
    break;
  }
  return v ? v : "";
}

/* URL-escaping of section 7.3: everything but the unreserved characters
 * of RFC 3986 (ALPHA DIGIT - . _ ~) as %XX. */
static void add_escaped(struct mxci_buf *b, const char *s, size_t n)
{
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (a_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
      mxci_buf_add(b, (const char *)&c, 1);
    else
      mxci_buf_printf(b, "%%%02X", c);
  }
}

/* One %{...}: *pp points after "%{"; returns -1 on OOM. */
static int expand_one(struct mxci_buf *out, const char **pp,
                      const struct mxci_spf_env *env)
{
  const char *p = *pp, *val, *dl = ".";
  int letter = (unsigned char)*p++, reverse = 0;
  long keep = 0;
  size_t ndl = 1, vlen, nparts = 1, i, first;
  struct part {
    const char *s;
    size_t n;
  } *parts;
  struct mxci_buf tmp = {0};

  while (a_digit((unsigned char)*p)) {
    if (keep < MAX_PARTS_DIGIT)
      keep = keep * 10 + (*p - '0');
    p++;
  }
  if (*p == 'r' || *p == 'R') {
    reverse = 1;
    p++;
  }
  if (*p != '}') {
    dl = p;
    while (*p != '\0' && *p != '}')
      p++;
    ndl = (size_t)(p - dl);
  }
  *pp = *p ? p + 1 : p;

  /* Section 7.3: split on the delimiters, reverse if asked, keep the
   * rightmost parts, and join them with ".". */
  val = letter_value(env, letter);
  vlen = strlen(val);
  for (i = 0; i < vlen; i++)
    if (memchr(dl, val[i], ndl) != NULL)
      nparts++;
  parts = mxci_calloc(nparts, sizeof(*parts));
  if (parts == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  nparts = 0;
  parts[0].s = val;
  for (i = 0; i < vlen; i++)
    if (memchr(dl, val[i], ndl) != NULL) {
      parts[nparts].n = (size_t)(val + i - parts[nparts].s);
      nparts++;
      parts[nparts].s = val + i + 1;
    }
  parts[nparts].n = (size_t)(val + vlen - parts[nparts].s);
  nparts++;
  if (reverse)
    for (i = 0; i < nparts / 2; i++) {
      struct part t = parts[i];
      parts[i] = parts[nparts - 1 - i];
      parts[nparts - 1 - i] = t;
    }
  first = keep > 0 && (size_t)keep < nparts ? nparts - (size_t)keep : 0;
  for (i = first; i < nparts; i++) {
    if (i > first)
      mxci_buf_add(&tmp, ".", 1);
    mxci_buf_add(&tmp, parts[i].s, parts[i].n);
  }
  mxci_free(parts);
  if (tmp.oom) {
    mxci_free(tmp.s); /* LCOV_EXCL_LINE: OutOfMemory */
    return -1;        /* LCOV_EXCL_LINE: OutOfMemory */
  }
  if (a_upper(letter))
    add_escaped(out, tmp.s ? tmp.s : "", tmp.len);
  else
    mxci_buf_add(out, tmp.s ? tmp.s : "", tmp.len);
  mxci_free(tmp.s);
  return 0;
}

char *mxci_spf_expand(const char *s, int kind, const struct mxci_spf_env *env,
                      char *err, size_t errlen)
{
  struct mxci_buf b = {0};
  const char *p = s;
  char *out;
  size_t len;

  while (*p && !b.oom && b.len <= MAX_EXPANSION) {
    const char *q = strchr(p, '%');
    if (q == NULL) {
      mxci_buf_puts(&b, p);
      break;
    }
    mxci_buf_add(&b, p, (size_t)(q - p));
    switch (q[1]) {
    case '%':
      mxci_buf_add(&b, "%", 1);
      p = q + 2;
      break;
    case '_':
      mxci_buf_add(&b, " ", 1);
      p = q + 2;
      break;
    case '-':
      mxci_buf_add(&b, "%20", 3);
      p = q + 2;
      break;
    case '{':
      p = q + 2;
      if (expand_one(&b, &p, env) < 0)
        b.oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
      break;
    default:
      /* Cannot happen for a checked string; keep the text as it is. */
      mxci_buf_add(&b, q, q[1] ? 2 : 1);
      p = q + (q[1] ? 2 : 1);
      break;
    }
  }
  if (b.len > MAX_EXPANSION) {
    mxci_free(b.s);
    snprintf(err, errlen, "the macro expansion is longer than %d octets",
             MAX_EXPANSION);
    return NULL;
  }
  out = mxci_buf_take(&b);
  if (out == NULL) {
    snprintf(err, errlen, "out of memory"); /* LCOV_EXCL_LINE: OutOfMemory */
    return NULL;                            /* LCOV_EXCL_LINE: OutOfMemory */
  }
  if (kind != MXCI_SPF_MS_DOMAIN)
    return out;
  len = strlen(out);
  if (len > 0 && out[len - 1] == '.')
    out[--len] = '\0';
  /* Section 7.3: drop whole labels from the left until it fits. */
  if (len > MAX_DOMAIN) {
    char *cut = out;
    while (strlen(cut) > MAX_DOMAIN && strchr(cut, '.') != NULL)
      cut = strchr(cut, '.') + 1;
    memmove(out, cut, strlen(cut) + 1);
  }
  return out;
}

/* ---- names ------------------------------------------------------------- */

char *mxci_spf_dns_name(const char *name)
{
  struct mxci_buf b = {0};
  size_t len = strlen(name), i;
  if (len > 1 && name[len - 1] == '.')
    len--;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)name[i];
    /* The escapes of dnsmsg.c's read_name(), so that owner names of the
     * answer compare equal to the name asked. */
    if (c == '\\')
      mxci_buf_puts(&b, "\\\\");
    else if (c <= 0x20 || c >= 0x7f)
      mxci_buf_printf(&b, "\\%03u", c);
    else
      mxci_buf_add(&b, (const char *)&c, 1);
  }
  return mxci_buf_take(&b);
}
