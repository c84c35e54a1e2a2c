/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * msgsplit.c -- split a message into header fields and body, read in
 * chunks, with bounded memory (see msgsplit.h).
 */
#include "msgsplit.h"

#include <stdlib.h>
#include <string.h>

enum { MS_START, MS_HEADER, MS_BODY, MS_STOPPED };

void msgsplit_init(struct msgsplit *m)
{
  int (*field)(void *, const char *, size_t) = m->field;
  int (*eoh)(void *) = m->eoh;
  int (*body)(void *, const char *, size_t) = m->body;
  void *arg = m->arg;
  size_t max = m->max_field;
  memset(m, 0, sizeof(*m));
  m->field = field;
  m->eoh = eoh;
  m->body = body;
  m->arg = arg;
  m->max_field = max;
}

void msgsplit_free(struct msgsplit *m)
{
  free(m->fld);
  free(m->line);
  m->fld = m->line = NULL;
  m->flen = m->fcap = m->llen = m->lcap = 0;
}

/* Room kept for one field or line: max_field octets, its line end, and one
 * more octet to show that it was longer. */
static size_t limit(const struct msgsplit *m)
{
  return m->max_field ? m->max_field + 3 : (size_t)-1;
}

/* Append p[0..n) to *buf, up to limit(m); *cut when octets were dropped. */
static int append(const struct msgsplit *m, char **buf, size_t *len,
                  size_t *cap, int *cut, const char *p, size_t n)
{
  size_t lim = limit(m);
  if (*len + n > lim) {
    n = lim > *len ? lim - *len : 0;
    *cut = 1;
  }
  if (n == 0)
    return 0;
  if (*len + n > *cap) {
    size_t nc = *cap ? *cap : 256;
    char *nb;
    while (nc < *len + n)
      nc *= 2;
    if (nc > lim)
      nc = lim;
    nb = realloc(*buf, nc);
    if (nb == NULL)
      return -1;
    *buf = nb;
    *cap = nc;
  }
  memcpy(*buf + *len, p, n);
  *len += n;
  return 0;
}

static int stop(struct msgsplit *m, int r)
{
  if (r)
    m->state = MS_STOPPED;
  return r;
}

/* Hand the gathered field over, without its final line end. */
static int flush_field(struct msgsplit *m)
{
  size_t n = m->flen;
  int r;
  if (n == 0)
    return 0;
  if (m->fcut) {
    /* Too long: hand over all that was kept (max_field + 3 octets), so
     * that even with a line end taken off the receiver sees it is over. */
  } else {
    if (n > 0 && m->fld[n - 1] == '\n')
      n--;
    if (n > 0 && m->fld[n - 1] == '\r')
      n--;
  }
  m->flen = 0;
  m->fcut = 0;
  if (n == 0)
    return 0;
  r = m->field(m->arg, m->fld, n);
  return stop(m, r);
}

static int end_header(struct msgsplit *m)
{
  int r = flush_field(m);
  if (r)
    return r;
  m->state = MS_BODY;
  return stop(m, m->eoh(m->arg));
}

/* RFC 5322 section 2.2 (and 4.5.8 for white space before the colon): a
 * field name of printable ASCII but ':', then the colon. */
static int is_field(const char *p, size_t n)
{
  size_t j = 0;
  while (j < n && (unsigned char)p[j] >= 33 && (unsigned char)p[j] <= 126 &&
         p[j] != ':')
    j++;
  if (j == 0)
    return 0;
  while (j < n && (p[j] == ' ' || p[j] == '\t'))
    j++;
  return j < n && p[j] == ':';
}

/* A whole header line is in m->line (with its LF, unless at the end). */
static int line_done(struct msgsplit *m)
{
  const char *p = m->line;
  size_t n = m->llen, content = n;
  int r = 0, cut = m->lcut;

  m->llen = 0;
  m->lcut = 0;
  m->lineno++;
  if (content > 0 && p[content - 1] == '\n')
    content--;
  if (content > 0 && p[content - 1] == '\r')
    content--;
  if (m->state == MS_START) {
    m->state = MS_HEADER;
    if (n >= 5 && memcmp(p, "From ", 5) == 0)
      return 0; /* mbox separator */
  }
  if (content == 0 && !cut)
    return end_header(m); /* the empty line */
  if ((p[0] == ' ' || p[0] == '\t') && m->flen > 0) {
    /* folded: part of the field being gathered */
    if (append(m, &m->fld, &m->flen, &m->fcap, &m->fcut, p, n) < 0)
      return -1;
    if (cut)
      m->fcut = 1;
    return 0;
  }
  if (p[0] == ' ' || p[0] == '\t' || is_field(p, content)) {
    r = flush_field(m);
    if (r)
      return r;
    if (append(m, &m->fld, &m->flen, &m->fcap, &m->fcut, p, n) < 0)
      return -1;
    if (cut)
      m->fcut = 1;
    return 0;
  }
  /* Not a field: the header ended without its empty line.  The line is
   * the first of the body. */
  m->no_separator = m->lineno;
  r = end_header(m);
  if (r)
    return r;
  return stop(m, m->body(m->arg, p, n));
}

/* The line in m->line reached the limit before its LF: decide now what it
 * is from what was kept, so that nothing is lost.  A fold or a field keeps
 * its identity (cut, the rest of the line skipped); anything else -- also
 * a "name" longer than the limit, whose colon cannot be seen -- is the
 * first line of the body, handed over whole: the body stays exactly the
 * message's tail. */
static int long_line(struct msgsplit *m)
{
  const char *p = m->line;
  size_t n = m->llen;
  int r;

  m->llen = 0;
  if (m->state == MS_START) {
    m->state = MS_HEADER;
    if (n >= 5 && memcmp(p, "From ", 5) == 0) {
      m->lskip = 1; /* an over-long mbox separator */
      return 0;
    }
  }
  if ((p[0] == ' ' || p[0] == '\t') && m->flen > 0) {
    if (append(m, &m->fld, &m->flen, &m->fcap, &m->fcut, p, n) < 0)
      return -1;
    m->fcut = 1;
    m->lskip = 1;
    return 0;
  }
  if (p[0] == ' ' || p[0] == '\t' || is_field(p, n)) {
    r = flush_field(m);
    if (r)
      return r;
    if (append(m, &m->fld, &m->flen, &m->fcap, &m->fcut, p, n) < 0)
      return -1;
    m->fcut = 1;
    m->lskip = 1;
    return 0;
  }
  m->no_separator = m->lineno + 1;
  r = end_header(m);
  if (r)
    return r;
  return stop(m, m->body(m->arg, p, n));
}

int msgsplit_feed(struct msgsplit *m, const char *p, size_t n)
{
  size_t i = 0;
  while (i < n) {
    const char *lf;
    size_t seg, room;
    int r;
    if (m->state == MS_STOPPED)
      return 0;
    if (m->state == MS_BODY)
      return stop(m, m->body(m->arg, p + i, n - i));
    lf = memchr(p + i, '\n', n - i);
    seg = lf ? (size_t)(lf - (p + i)) + 1 : n - i;
    if (m->lskip) {
      /* the rest of an over-long header line, already handed over cut */
      i += seg;
      if (lf) {
        m->lskip = 0;
        m->lineno++;
      }
      continue;
    }
    room = limit(m) - m->llen;
    if (seg > room) {
      if (append(m, &m->line, &m->llen, &m->lcap, &m->lcut, p + i, room) < 0)
        return -1;
      i += room;
      m->lcut = 0;
      r = long_line(m);
      if (r)
        return r;
      continue;
    }
    if (append(m, &m->line, &m->llen, &m->lcap, &m->lcut, p + i, seg) < 0)
      return -1;
    i += seg;
    if (lf == NULL)
      break;
    r = line_done(m);
    if (r)
      return r;
  }
  return 0;
}

int msgsplit_end(struct msgsplit *m)
{
  int r;
  if (m->state == MS_BODY || m->state == MS_STOPPED)
    return 0;
  if (m->llen > 0) {
    r = line_done(m); /* a last line without its LF */
    if (r)
      return r;
  }
  if (m->state == MS_START || m->state == MS_HEADER)
    return end_header(m); /* a message of header only */
  return 0;
}
