/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * jsonw.c -- the JSON writer of the renderings: members are written into
 * one growing buffer as the checks name them, with no tree of objects to
 * build, render and free for every result (with json-c that tree cost
 * as much as the FCrDNS check itself: 37k instructions of 76k per
 * result, 12k with the writer; bench/README.md).  The text is what
 * json-c writes with JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE:
 * no spaces, the escapes \" \\ \b \f \n \r \t, \u00xx (lower-case hex) for
 * the other control characters, every other octet as it is.  json-c stays
 * the parser (mxcheck --diff, the tests); tests/check_jsonw.c and
 * fuzz_jsonw hold the two to the same text.
 */
#include "mxc_private.h"

#include <string.h>

/* 1: the octet is written as an escape */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x10 */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20: '"' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x50: '\\' */
};

/* Room for more octets: 0, or -1 when nothing is to be written (a
 * dropped value, or out of memory). */
static int grow(struct mxci_jw *w, size_t more)
{
  size_t cap;
  char *p;
  if (w->failed || w->mute)
    return -1;
  if (w->len + more < w->cap)
    return 0;
  /* 4 KiB: an FCrDNS result (about 600 octets) or one with SPF's trace
   * (about 3,000) without growing; it is freed when printed */
  cap = w->cap ? w->cap : 4096;
  while (cap <= w->len + more) {
    if (cap > ((size_t)-1) / 2) {
      w->failed = 1; /* LCOV_EXCL_LINE */
      return -1;     /* LCOV_EXCL_LINE */
    }
    cap *= 2;
  }
  p = realloc(w->buf, cap);
  if (p == NULL) {
    w->failed = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return -1;     /* LCOV_EXCL_LINE */
  }
  w->buf = p;
  w->cap = cap;
  return 0;
}

static inline int room(struct mxci_jw *w, size_t more)
{
  return w->len + more < w->cap && !w->mute ? 0 : grow(w, more);
}

static void put(struct mxci_jw *w, const char *s, size_t n)
{
  if (room(w, n) < 0)
    return;
  memcpy(w->buf + w->len, s, n);
  w->len += n;
}

static void putc1(struct mxci_jw *w, char c)
{
  if (room(w, 1) < 0)
    return;
  w->buf[w->len++] = c;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Eight octets of which one may need an escape: one below 0x20, a '"' or a
 * '\\' (the "has less than" and "has zero" tests of eight octets at once;
 * they may say yes wrongly, never no wrongly). */
static inline int special8(uint64_t x)
{
  uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
  return ((((x - ONES * 0x20) & ~x) | ((q - ONES) & ~q) | ((b - ONES) & ~b)) &
          HIGHS) != 0;
}

/* s as a JSON string, quotes included */
static void put_string(struct mxci_jw *w, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  size_t n = strlen(s);
  const unsigned char *p = (const unsigned char *)s, *end = p + n;
  char *o;
  /* room for the string unescaped; an escape makes more (below) */
  if (n > (size_t)-1 - 16 || room(w, n + 2) < 0)
    return;
  o = w->buf + w->len;
  *o++ = '"';
  while (p < end) {
    unsigned char c;
    if (end - p >= 8) {
      uint64_t x;
      memcpy(&x, p, 8);
      if (!special8(x)) {
        memcpy(o, p, 8);
        o += 8;
        p += 8;
        continue;
      }
    }
    c = *p++;
    if (!needs_escape[c]) {
      *o++ = (char)c;
      continue;
    }
    /* up to 6 octets for this one, 1 for each left and the quote */
    w->len = (size_t)(o - w->buf);
    if (room(w, (size_t)(end - p) + 8) < 0)
      return; /* LCOV_EXCL_LINE: OutOfMemory */
    o = w->buf + w->len;
    *o++ = '\\';
    switch (c) {
    case '"':  *o++ = '"';  break;
    case '\\': *o++ = '\\'; break;
    case '\b': *o++ = 'b';  break;
    case '\f': *o++ = 'f';  break;
    case '\n': *o++ = 'n';  break;
    case '\r': *o++ = 'r';  break;
    case '\t': *o++ = 't';  break;
    default:
      *o++ = 'u';
      *o++ = '0';
      *o++ = '0';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 0xf];
      break;
    }
  }
  *o++ = '"';
  w->len = (size_t)(o - w->buf);
}

/* The separator before a member or element, and the key of a member
 * (in an array the key goes unsaid).  A key the outermost object has
 * already is not written again: its value is dropped (json-c kept one
 * member too; every such value is the same: the message's name, which
 * the subject and each message check give). */
static void member(struct mxci_jw *w, const char *key)
{
  unsigned i;
  if (w->mute)
    return;
  if (w->depth == 1 && key != NULL) {
    for (i = 0; i < w->nkeys; i++)
      if (strcmp(w->keys[i], key) == 0) {
        w->mute = 1;
        return;
      }
    if (w->nkeys < MXCI_JW_KEYS)
      w->keys[w->nkeys++] = key;
  }
  if (w->depth > 0) {
    if (w->more[w->depth - 1])
      putc1(w, ',');
    w->more[w->depth - 1] = 1;
    if (w->close[w->depth - 1] == ']')
      key = NULL;
  }
  if (key != NULL) {
    put_string(w, key);
    putc1(w, ':');
  }
}

/* A value is written: a dropped one ends when the writer is back in the
 * outermost object. */
static void written(struct mxci_jw *w)
{
  if (w->mute && w->depth == 1)
    w->mute = 0;
}

static void open(struct mxci_jw *w, const char *key, char how)
{
  member(w, key);
  if (w->depth >= MXCI_JW_DEPTH) {
    w->failed = 1; /* LCOV_EXCL_LINE: no rendering nests that deep */
    return;        /* LCOV_EXCL_LINE */
  }
  putc1(w, how);
  w->close[w->depth] = how == '{' ? '}' : ']';
  w->more[w->depth] = 0;
  w->depth++;
}

void mxci_jw_object(struct mxci_jw *w, const char *key)
{
  open(w, key, '{');
}

void mxci_jw_array(struct mxci_jw *w, const char *key)
{
  open(w, key, '[');
}

void mxci_jw_end(struct mxci_jw *w)
{
  if (w->depth == 0) {
    w->failed = 1; /* LCOV_EXCL_LINE: a rendering's own mistake */
    return;        /* LCOV_EXCL_LINE */
  }
  w->depth--;
  putc1(w, w->close[w->depth]);
  written(w);
}

void mxci_jw_str(struct mxci_jw *w, const char *key, const char *s)
{
  member(w, key);
  if (s == NULL)
    put(w, "null", 4);
  else
    put_string(w, s);
  written(w);
}

void mxci_jw_int(struct mxci_jw *w, const char *key, int64_t v)
{
  char d[24], *p = d + sizeof(d);
  /* as unsigned, so that INT64_MIN negates */
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  member(w, key);
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u > 0);
  if (v < 0)
    *--p = '-';
  put(w, p, (size_t)(d + sizeof(d) - p));
  written(w);
}

void mxci_jw_bool(struct mxci_jw *w, const char *key, int b)
{
  member(w, key);
  if (b)
    put(w, "true", 4);
  else
    put(w, "false", 5);
  written(w);
}

void mxci_jw_null(struct mxci_jw *w, const char *key)
{
  member(w, key);
  put(w, "null", 4);
  written(w);
}

void mxci_jw_warnings(struct mxci_jw *w, const char *key,
                      const struct mxci_warning *warn, size_t n)
{
  size_t i;
  mxci_jw_array(w, key);
  for (i = 0; i < n; i++) {
    mxci_jw_object(w, NULL);
    mxci_jw_str(w, "code", warn[i].code);
    mxci_jw_str(w, "text", warn[i].text);
    mxci_jw_end(w);
  }
  mxci_jw_end(w);
}

char *mxci_jw_finish(struct mxci_jw *w)
{
  char *s;
  putc1(w, '\0');
  if (w->failed || w->depth != 0) {
    free(w->buf);
    s = NULL;
  } else {
    s = w->buf;
  }
  memset(w, 0, sizeof(*w));
  return s;
}

void mxci_jw_free(struct mxci_jw *w)
{
  free(w->buf);
  memset(w, 0, sizeof(*w));
}
