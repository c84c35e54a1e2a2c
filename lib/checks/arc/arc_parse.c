/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arc_parse.c -- what ARC verification reads and hashes: tag=value lists
 * (RFC 6376 section 3.2, used by RFC 8617 sections 4.1.2 and 4.1.3), the
 * instance of an ARC-Authentication-Results field (RFC 8617 section
 * 4.1.1), base64, and the simple and relaxed canonicalisations of header
 * fields and of the body (RFC 6376 section 3.4).  No I/O, no allocation
 * but the buffers given: tests/fuzz/fuzz_arc.c drives it.
 */
#include "mxc_private.h"
#include "arc_private.h"

static int is_fws(int c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
static int is_wsp(int c) { return c == ' ' || c == '\t'; }
static int is_alpha(int c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_digit(int c) { return c >= '0' && c <= '9'; }
/* VALCHAR: %x21-3A / %x3C-7E */
static int is_valchar(int c) { return c >= 0x21 && c <= 0x7e && c != ';'; }

const char *mxci_arc_tags_parse(const char *s, size_t len,
                                struct mxci_arc_tags *out)
{
  size_t i = 0, k;
  out->n = 0;
  while (i < len) {
    size_t ns, ne, vs, ve;
    while (i < len && is_fws((unsigned char)s[i]))
      i++;
    if (i == len)
      break; /* a final ';' (or nothing at all) */
    ns = i;
    if (!is_alpha((unsigned char)s[i]))
      return "a tag name does not start with a letter";
    while (i < len && (is_alpha((unsigned char)s[i]) ||
                       is_digit((unsigned char)s[i]) || s[i] == '_'))
      i++;
    ne = i;
    while (i < len && is_fws((unsigned char)s[i]))
      i++;
    if (i == len || s[i] != '=')
      return "a tag without '='";
    i++;
    while (i < len && is_fws((unsigned char)s[i]))
      i++;
    vs = ve = i;
    while (i < len && s[i] != ';') {
      unsigned char c = (unsigned char)s[i];
      if (is_valchar(c))
        ve = i + 1;
      else if (!is_fws(c))
        return "a tag value holds an octet outside VALCHAR";
      i++;
    }
    if (i < len)
      i++; /* the ';' */
    for (k = 0; k < out->n; k++)
      if (out->t[k].nlen == ne - ns &&
          memcmp(out->t[k].name, s + ns, ne - ns) == 0)
        return "a tag appears twice";
    if (out->n >= MXCI_ARC_MAX_TAGS)
      return "too many tags";
    out->t[out->n].name = s + ns;
    out->t[out->n].nlen = ne - ns;
    out->t[out->n].val = s + vs;
    out->t[out->n].vlen = ve - vs;
    out->n++;
  }
  return NULL;
}

const struct mxci_arc_tag *mxci_arc_tag(const struct mxci_arc_tags *t,
                                        const char *name)
{
  size_t k, n = strlen(name);
  for (k = 0; k < t->n; k++)
    if (t->t[k].nlen == n && memcmp(t->t[k].name, name, n) == 0)
      return &t->t[k];
  return NULL;
}

long mxci_arc_aar_instance(const char *s, size_t len)
{
  size_t i = 0, digits = 0;
  long v = 0;
  while (i < len && is_fws((unsigned char)s[i]))
    i++;
  if (i == len || s[i] != 'i')
    return -1;
  i++;
  while (i < len && is_fws((unsigned char)s[i]))
    i++;
  if (i == len || s[i] != '=')
    return -1;
  i++;
  while (i < len && is_fws((unsigned char)s[i]))
    i++;
  while (i < len && is_digit((unsigned char)s[i])) {
    if (++digits > 6)
      return -1;
    v = v * 10 + (s[i] - '0');
    i++;
  }
  while (i < len && is_fws((unsigned char)s[i]))
    i++;
  if (digits == 0 || i == len || s[i] != ';')
    return -1;
  return v;
}

static int b64val(int c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

unsigned char *mxci_arc_b64(const char *s, size_t len, size_t *outlen)
{
  unsigned char *o = mxci_malloc(len / 4 * 3 + 3);
  size_t i, n = 0, pad = 0, chars = 0;
  unsigned acc = 0;
  int bits = 0;
  *outlen = 0;
  if (o == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < len; i++) {
    int c = (unsigned char)s[i], v;
    if (is_fws(c))
      continue;
    if (c == '=') {
      pad++;
      chars++;
      continue;
    }
    v = b64val(c);
    if (v < 0 || pad) {
      mxci_free(o);
      return NULL;
    }
    chars++;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      o[n++] = (unsigned char)(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  if (chars % 4 != 0 || pad > 2) {
    mxci_free(o);
    return NULL;
  }
  *outlen = n;
  return o;
}

/* The range of the b= value in a signature field f[0..len): from just
 * after its '=' to the end of its last value octet (what dkimpy and
 * libopendkim leave out).  0: no b= tag. */
static int find_b(const char *f, size_t len, size_t *from, size_t *to)
{
  const char *colon = memchr(f, ':', len);
  size_t i = colon ? (size_t)(colon - f) + 1 : len;
  while (i < len) {
    size_t ns;
    while (i < len && is_fws((unsigned char)f[i]))
      i++;
    ns = i;
    while (i < len && f[i] != '=' && f[i] != ';' && !is_fws((unsigned char)f[i]))
      i++;
    if (i - ns == 1 && f[ns] == 'b') {
      while (i < len && is_fws((unsigned char)f[i]))
        i++;
      if (i < len && f[i] == '=') {
        size_t e;
        *from = *to = ++i;
        for (e = i; e < len && f[e] != ';'; e++)
          if (!is_fws((unsigned char)f[e]))
            *to = e + 1;
        return 1;
      }
    }
    while (i < len && f[i] != ';')
      i++;
    i++;
  }
  return 0;
}

static void canon_simple(struct mxci_buf *b, const char *f, size_t len)
{
  size_t i = 0;
  while (i < len) {
    const char *lf = memchr(f + i, '\n', len - i);
    size_t e = lf ? (size_t)(lf - f) : len;
    size_t ce = e > i && f[e - 1] == '\r' ? e - 1 : e;
    mxci_buf_add(b, f + i, ce - i);
    if (lf)
      mxci_buf_add(b, "\r\n", 2);
    i = e + 1;
  }
}

static void canon_relaxed(struct mxci_buf *b, const char *f, size_t len)
{
  const char *colon = memchr(f, ':', len);
  size_t nlen = colon ? (size_t)(colon - f) : len, i;
  int wsp = 0, any = 0;
  while (nlen > 0 && is_fws((unsigned char)f[nlen - 1]))
    nlen--;
  for (i = 0; i < nlen; i++) {
    char c = f[i];
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    mxci_buf_add(b, &c, 1);
  }
  mxci_buf_add(b, ":", 1);
  for (i = colon ? (size_t)(colon - f) + 1 : len; i < len; i++) {
    unsigned char c = (unsigned char)f[i];
    if (c == '\r' || c == '\n')
      continue; /* unfold */
    if (is_wsp(c)) {
      wsp = 1;
      continue;
    }
    if (wsp && any)
      mxci_buf_add(b, " ", 1);
    wsp = 0;
    any = 1;
    mxci_buf_add(b, (const char *)&f[i], 1);
  }
}

void mxci_arc_canon_header(struct mxci_buf *b, const char *f, size_t len,
                           int relaxed, int blank_b)
{
  size_t from, to;
  if (blank_b && find_b(f, len, &from, &to)) {
    struct mxci_buf t = {0};
    char *s;
    mxci_buf_add(&t, f, from);
    mxci_buf_add(&t, f + to, len - to);
    if (t.oom || t.s == NULL) {
      mxci_free(t.s);
      b->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
      return;     /* LCOV_EXCL_LINE: OutOfMemory */
    }
    s = t.s;
    if (relaxed)
      canon_relaxed(b, s, t.len);
    else
      canon_simple(b, s, t.len);
    mxci_free(s);
  } else if (relaxed) {
    canon_relaxed(b, f, len);
  } else {
    canon_simple(b, f, len);
  }
  mxci_buf_add(b, "\r\n", 2);
}

/* ---- the body ------------------------------------------------------------- */

static void body_out(struct mxci_arc_body *c, const char *p, size_t n)
{
  c->any = 1;
  c->out(c->arg, p, n);
}

static void body_content(struct mxci_arc_body *c, const char *p, size_t n)
{
  if (!c->started) {
    for (; c->empty > 0; c->empty--)
      body_out(c, "\r\n", 2);
    c->started = 1;
  }
  if (c->wsp) {
    body_out(c, " ", 1);
    c->wsp = 0;
  }
  body_out(c, p, n);
}

static void body_eol(struct mxci_arc_body *c)
{
  c->wsp = 0; /* relaxed: white space at the end of a line goes */
  if (c->started) {
    body_out(c, "\r\n", 2);
    c->started = 0;
  } else {
    c->empty++;
  }
}

void mxci_arc_body_feed(struct mxci_arc_body *c, const char *p, size_t n)
{
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    if (c->cr) {
      c->cr = 0;
      if (p[i] == '\n') {
        body_eol(c);
        i++;
        continue;
      }
      body_content(c, "\r", 1); /* a bare CR is content */
    }
    /* a run of ordinary octets */
    while (j < n && p[j] != '\r' && p[j] != '\n' &&
           !(c->relaxed && is_wsp((unsigned char)p[j])))
      j++;
    if (j > i)
      body_content(c, p + i, j - i);
    if (j == n)
      break;
    if (p[j] == '\r')
      c->cr = 1;
    else if (p[j] == '\n')
      body_eol(c);
    else
      c->wsp = 1; /* relaxed white space */
    i = j + 1;
  }
}

void mxci_arc_body_end(struct mxci_arc_body *c)
{
  if (c->cr) {
    c->cr = 0;
    body_content(c, "\r", 1);
  }
  if (c->started) {
    c->wsp = 0;
    body_out(c, "\r\n", 2);
    c->started = 0;
  }
  /* RFC 6376 section 3.4.3: an empty body is one CRLF in simple; section
   * 3.4.4 (erratum 3192): nothing in relaxed. */
  if (!c->any && !c->relaxed)
    body_out(c, "\r\n", 2);
}
