/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * util.c -- allocation with fault injection, strings, clock.
 */
#include "mxc_private.h"

#include <stdio.h>
#include <sys/random.h>
#include <time.h>

static long alloc_fail_countdown; /* 0: never fail */

void mxci_alloc_fail_after(long n) { alloc_fail_countdown = n; }

static int alloc_should_fail(void)
{
  if (alloc_fail_countdown <= 0)
    return 0;
  if (--alloc_fail_countdown == 0)
    return 1;
  return 0;
}

void *mxci_malloc(size_t n)
{
  if (alloc_should_fail())
    return NULL;
  return malloc(n ? n : 1);
}

void *mxci_calloc(size_t n, size_t sz)
{
  if (alloc_should_fail())
    return NULL;
  return calloc(n ? n : 1, sz ? sz : 1);
}

void *mxci_realloc(void *p, size_t n)
{
  if (alloc_should_fail())
    return NULL;
  return realloc(p, n ? n : 1);
}

void mxci_free(void *p) { free(p); }

void mxc_free(void *p) { free(p); }

char *mxci_strndup(const char *s, size_t n)
{
  char *d;
  if (s == NULL)
    return NULL;
  d = mxci_malloc(n + 1);
  if (d == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

char *mxci_strdup(const char *s)
{
  if (s == NULL)
    return NULL;
  return mxci_strndup(s, strlen(s));
}

/* One vsnprintf() in the common case (a result under 256 octets): every
 * reason and warning of every check comes through here. */
char *mxci_vasprintf(const char *fmt, va_list ap)
{
  char tmp[256];
  va_list ap2;
  int n;
  char *s;

  va_copy(ap2, ap);
  n = vsnprintf(tmp, sizeof(tmp), fmt, ap2);
  va_end(ap2);
  if (n < 0)
    return NULL;
  s = mxci_malloc((size_t)n + 1);
  if (s == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  if ((size_t)n < sizeof(tmp))
    memcpy(s, tmp, (size_t)n + 1);
  else
    vsnprintf(s, (size_t)n + 1, fmt, ap);
  return s;
}

char *mxci_asprintf(const char *fmt, ...)
{
  va_list ap;
  char *s;
  va_start(ap, fmt);
  s = mxci_vasprintf(fmt, ap);
  va_end(ap);
  return s;
}

void mxci_random(void *buf, size_t n)
{
#ifdef HAVE_ARC4RANDOM_BUF
  arc4random_buf(buf, n);
#else
  /* getrandom() without flags blocks only before the kernel's pool is
   * initialised, once per boot. */
  unsigned char *p = buf;
  while (n > 0) {
    ssize_t r = getrandom(p, n, 0);
    if (r <= 0)
      continue;
    p += r;
    n -= (size_t)r;
  }
#endif
}

int64_t mxci_now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

int mxci_name_eq(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  size_t i;
  if (la > 1 && a[la - 1] == '.')
    la--;
  if (lb > 1 && b[lb - 1] == '.')
    lb--;
  if (la != lb)
    return 0;
  for (i = 0; i < la; i++)
    if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
      return 0;
  return 1;
}

/* Room for n more octets and the NUL after them. */
static void buf_grow(struct mxci_buf *b, size_t n)
{
  size_t cap = b->cap ? b->cap : 256;
  char *p;
  if (b->oom || b->len + n + 1 <= b->cap)
    return;
  while (cap < b->len + n + 1)
    cap *= 2;
  p = mxci_realloc(b->s, cap);
  if (p == NULL) {
    b->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return;     /* LCOV_EXCL_LINE: OutOfMemory */
  }
  b->s = p;
  b->cap = cap;
}

void mxci_buf_add(struct mxci_buf *b, const char *s, size_t n)
{
  buf_grow(b, n);
  if (b->oom)
    return;
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void mxci_buf_puts(struct mxci_buf *b, const char *s)
{
  mxci_buf_add(b, s, strlen(s));
}

void mxci_buf_printf(struct mxci_buf *b, const char *fmt, ...)
{
  va_list ap;
  size_t room;
  int n;

  if (b->oom)
    return;
  /* straight into the free space; grown and formatted again only when
   * it did not fit */
  if (b->cap - b->len < 128)
    buf_grow(b, 128);
  if (b->oom)
    return; /* LCOV_EXCL_LINE: OutOfMemory */
  room = b->cap - b->len;
  va_start(ap, fmt);
  n = vsnprintf(b->s + b->len, room, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->s[b->len] = '\0';
    b->oom = 1;
    return;
  }
  if ((size_t)n >= room) {
    buf_grow(b, (size_t)n + 1);
    if (b->oom)
      return; /* LCOV_EXCL_LINE: OutOfMemory */
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  b->len += (size_t)n;
}

char *mxci_buf_take(struct mxci_buf *b)
{
  char *s;
  if (b->oom) {
    mxci_free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    return NULL;
  }
  if (b->s == NULL)
    return mxci_strdup("");
  s = b->s;
  b->s = NULL;
  b->len = b->cap = 0;
  return s;
}

char *mxci_printable(const unsigned char *p, size_t len)
{
  struct mxci_buf b = {0};
  size_t i, run;
  if (len)
    buf_grow(&b, len); /* one allocation for the common case */
  for (i = 0; i < len; i++) {
    /* runs of printable octets in one piece */
    for (run = i; run < len && p[run] >= 0x20 && p[run] < 0x7f &&
                  p[run] != '\\';
         run++)
      ;
    if (run > i) {
      mxci_buf_add(&b, (const char *)p + i, run - i);
      i = run - 1;
    } else if (p[i] == '\\')
      mxci_buf_puts(&b, "\\\\");
    else
      mxci_buf_printf(&b, "\\%03u", p[i]);
  }
  return mxci_buf_take(&b);
}

int mxci_name_ok(const char *name, int multi)
{
  size_t len = strlen(name), i, label = 0, labels = 1, last = 0;
  if (len > 0 && name[len - 1] == '.')
    len--;
  if (len == 0 || len > 253)
    return 0;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)name[i];
    if (c == '.') {
      if (label == 0)
        return 0; /* empty label */
      label = 0;
      labels++;
      last = i + 1;
      continue;
    }
    if (multi && (c <= 0x20 || c >= 0x7f))
      return 0;
    if (++label > 63)
      return 0;
  }
  if (label == 0)
    return 0;
  if (multi) {
    /* Section 4.3: a multi-label domain name; an address literal such as
     * "[192.0.2.1]" or a bare address is not one. */
    int digits = 1;
    if (labels < 2 || name[0] == '[')
      return 0;
    for (i = last; i < len; i++)
      if (name[i] < '0' || name[i] > '9')
        digits = 0;
    if (digits)
      return 0;
  }
  return 1;
}

int mxci_strdup_opt(char **d, const char *s)
{
  if (s == NULL) {
    *d = NULL;
    return 0;
  }
  *d = mxci_strdup(s);
  return *d ? 0 : -1;
}

int mxci_strv_add(char ***v, size_t *n, const char *s)
{
  char **nv = mxci_realloc(*v, (*n + 1) * sizeof(**v));
  char *d;
  if (nv == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  *v = nv;
  d = mxci_strdup(s);
  if (d == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  nv[(*n)++] = d;
  return 0;
}

int mxci_strv_dup(char ***d, size_t *dn, char *const *s, size_t n)
{
  size_t i;
  *d = NULL;
  *dn = 0;
  for (i = 0; i < n; i++)
    if (mxci_strv_add(d, dn, s[i]) < 0)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  return 0;
}

void mxci_strv_free(char **v, size_t n)
{
  size_t i;
  for (i = 0; i < n; i++)
    mxci_free(v[i]);
  mxci_free(v);
}
