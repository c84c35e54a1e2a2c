/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * trace.c -- the envelope of a received message, read from the trace
 * fields its receiver wrote (RFC 5321 section 4.4, RFC 5322 section
 * 3.6.7): the client address, HELO name and reverse DNS name of the
 * topmost Received field with a from clause, and the MAIL FROM of the
 * topmost Return-Path field.
 *
 * The forms read (all on the unfolded value):
 *   Postfix   from HELO (rdns [IP]) by ...        rdns "unknown": none
 *             from HELO (rdns [IPv6:2001:db8::1]:port) by ...
 *   Sendmail  from HELO (rdns [IP] (may be forged)) by ...
 *   Gmail     from HELO (rdns. [IP]) by mx.google.com with ESMTPS ...
 *   Exim      from rdns ([IP] helo=HELO) by ...   from rdns ([IP]) by ...
 *             from [IP] (helo=HELO) by ...
 *   qmail     from rdns (HELO helo) (IP) by ...
 *   Exchange  from HELO (IP) by ...
 * A field is only parsed: nothing here looks anything up.  Values are
 * bounded (MXCI_TRACE_NAME octets; longer names are cut, and marked), the
 * scan is linear in the field and never reads past its end.
 */
#include "mxc_private.h"
#include "compliance_private.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>

static int wsp(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_wsp(const char **p)
{
  while (wsp(**p))
    (*p)++;
}

/* Copy [s, s+n) into d (cap octets with the NUL), cut when longer. */
static void put(char *d, size_t cap, const char *s, size_t n)
{
  if (n >= cap)
    n = cap - 1;
  memcpy(d, s, n);
  d[n] = '\0';
}

/* A word: up to white space, '(', ')' or ';' (at most the end). */
static size_t word_len(const char *p)
{
  size_t n = 0;
  while (p[n] && !wsp(p[n]) && p[n] != '(' && p[n] != ')' && p[n] != ';')
    n++;
  return n;
}

/*
 * A comment starting at *p == '(' (nested, with quoted-pairs, RFC 5322
 * section 3.2.2): its text, nested parentheses flattened to spaces, into
 * out (cut at cap).  *p moves past it (to the end when unclosed).
 */
static void comment(const char **p, char *out, size_t cap)
{
  const char *s = *p;
  size_t o = 0, depth = 0;
  for (; *s; s++) {
    char c = *s;
    if (c == '\\' && s[1]) {
      s++;
      c = *s;
    } else if (c == '(') {
      if (depth++ == 0)
        continue;
      c = ' ';
    } else if (c == ')') {
      if (--depth == 0) {
        s++;
        break;
      }
      c = ' ';
    }
    if (o + 1 < cap)
      out[o++] = c;
  }
  out[o] = '\0';
  *p = s;
}

/* Canonical text of an address literal's content ("IPv6:" prefix, or
 * plain); 0 when it is not an address. */
static int literal(const char *s, size_t n, char *ip, size_t cap)
{
  char tmp[80], err[96];
  struct mxci_addr a;
  if (n == 0 || n >= sizeof(tmp))
    return 0;
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  if (mxci_addr_parse(tmp, &a, err, sizeof(err)) < 0)
    return 0;
  put(ip, cap, a.text, strlen(a.text));
  return 1;
}

/* A name as recorded: without a final dot; "unknown" means none. */
static void name(char *d, size_t cap, const char *s, size_t n)
{
  if (n > 0 && s[n - 1] == '.')
    n--;
  if (n == 7 && strncasecmp(s, "unknown", 7) == 0)
    n = 0;
  put(d, cap, s, n);
}

/* What one TCP-info comment says (it may say nothing). */
static void tcp_info(const char *c, struct mxci_hop *h, int *helo_kw)
{
  const char *p = c, *lb;
  skip_wsp(&p);
  /* qmail: "(HELO name)" */
  if (strncasecmp(p, "HELO ", 5) == 0 || strncasecmp(p, "EHLO ", 5) == 0) {
    p += 5;
    skip_wsp(&p);
    put(h->helo, sizeof(h->helo), p, word_len(p));
    *helo_kw = 1;
    return;
  }
  /* Exim: "helo=NAME" anywhere */
  {
    const char *q = c;
    while ((q = strstr(q, "helo=")) != NULL) {
      if (q == c || wsp(q[-1]) || q[-1] == '(') {
        put(h->helo, sizeof(h->helo), q + 5, word_len(q + 5));
        *helo_kw = 1;
        break;
      }
      q += 5;
    }
  }
  if (h->ip[0])
    return; /* the first comment with an address decides */
  lb = strchr(c, '[');
  if (lb) {
    const char *rb = strchr(lb, ']');
    if (rb && literal(lb + 1, (size_t)(rb - lb - 1), h->ip, sizeof(h->ip))) {
      /* the word before the literal is the reverse DNS name */
      const char *w = c;
      skip_wsp(&w);
      if (w < lb && strncasecmp(w, "helo=", 5) != 0) {
        size_t n = word_len(w);
        if (w + n <= lb)
          name(h->rdns, sizeof(h->rdns), w, n);
      }
    }
    return;
  }
  /* qmail and Exchange: "(IP)" -- a comment that is one address */
  {
    size_t n = word_len(p);
    const char *e = p + n;
    skip_wsp(&e);
    if (*e == '\0')
      (void)literal(p, n, h->ip, sizeof(h->ip));
  }
}

int mxci_trace_parse_received(const char *v, struct mxci_hop *h)
{
  const char *p = v;
  char c[MXCI_TRACE_NAME * 2];
  int helo_kw = 0;
  size_t n;

  memset(h, 0, sizeof(*h));
  if (v == NULL)
    return 0;
  skip_wsp(&p);
  if (strncasecmp(p, "from", 4) != 0 || !wsp(p[4])) {
    /* no from clause ("by host with SMTP id ...": a hop inside the
     * receiver); still read its by and with */
    h->has_from = 0;
  } else {
    h->has_from = 1;
    p += 4;
    skip_wsp(&p);
    n = word_len(p);
    put(h->from, sizeof(h->from), p, n);
    p += n;
    for (;;) {
      skip_wsp(&p);
      if (*p != '(')
        break;
      comment(&p, c, sizeof(c));
      tcp_info(c, h, &helo_kw);
    }
    /* "from [IP] (helo=NAME)": the client's address is the from word */
    if (!h->ip[0] && h->from[0] == '[') {
      const char *rb = strchr(h->from, ']');
      if (rb)
        (void)literal(h->from + 1, (size_t)(rb - h->from - 1), h->ip,
                      sizeof(h->ip));
    } else if (helo_kw && !h->rdns[0] && h->from[0] != '[') {
      /* Exim puts the reverse DNS name after "from" */
      name(h->rdns, sizeof(h->rdns), h->from, strlen(h->from));
    }
    if (!helo_kw)
      put(h->helo, sizeof(h->helo), h->from, strlen(h->from));
  }
  /* The clauses that follow: by, via, with, id, for (comments skipped);
   * the date after ';' ends them. */
  while (*p && *p != ';') {
    const char *w;
    skip_wsp(&p);
    if (*p == '(') {
      comment(&p, c, sizeof(c));
      continue;
    }
    if (*p == ')') {
      p++;
      continue;
    }
    w = p;
    n = word_len(p);
    p += n;
    if ((n == 2 && strncasecmp(w, "by", 2) == 0) ||
        (n == 4 && strncasecmp(w, "with", 4) == 0)) {
      int by = n == 2;
      skip_wsp(&p);
      n = word_len(p);
      if (by && !h->by[0])
        name(h->by, sizeof(h->by), p, n);
      else if (!by && !h->with[0])
        put(h->with, sizeof(h->with), p, n);
      p += n;
    }
  }
  return h->has_from;
}

int mxci_trace_parse_return_path(const char *v, char *out, size_t cap)
{
  const char *p = v, *lt, *gt;
  size_t n, i;
  if (v == NULL || cap == 0)
    return 0;
  out[0] = '\0';
  skip_wsp(&p);
  lt = strchr(p, '<');
  if (lt) {
    gt = strchr(lt, '>');
    if (gt == NULL)
      return 0;
    p = lt + 1;
    n = (size_t)(gt - p);
  } else {
    n = word_len(p); /* written without angle brackets */
  }
  /* RFC 5321 section 4.5.3.1.3: a path is at most 256 octets */
  if (n >= cap || n > 256)
    return 0;
  for (i = 0; i < n; i++)
    if ((unsigned char)p[i] <= 32 || (unsigned char)p[i] >= 127)
      return 0;
  /* a path is empty (the null sender) or has a domain */
  if (n > 0 && memchr(p, '@', n) == NULL)
    return 0;
  /* a source route ("@a,@b:user@c", RFC 5321 section 4.1.2) is dropped */
  if (n > 0 && p[0] == '@') {
    const char *colon = memchr(p, ':', n);
    if (colon == NULL)
      return 0;
    n -= (size_t)(colon + 1 - p);
    p = colon + 1;
  }
  put(out, cap, p, n);
  return 1;
}

/* Authenticated submission (RFC 3848: ESMTPA, ESMTPSA, LMTPA, LMTPSA):
 * the hop from a mail user agent, not from another server. */
static int submission(const char *with)
{
  size_t n = strlen(with);
  return n >= 5 && toupper((unsigned char)with[n - 1]) == 'A' &&
         (strcasestr(with, "SMTP") != NULL || strcasestr(with, "LMTP") != NULL);
}

void mxci_trace_add(struct mxci_trace *t, const char *name, const char *value,
                    size_t field, size_t line)
{
  if (strcmp(name, "return-path") == 0) {
    t->return_paths++;
    if (t->rp_field == 0) {
      if (mxci_trace_parse_return_path(value, t->mail_from,
                                       sizeof(t->mail_from))) {
        t->rp_field = field;
        t->rp_line = line;
      } else if (!t->rp_bad) {
        t->rp_bad = field;
      }
    }
    return;
  }
  if (strcmp(name, "received") != 0)
    return;
  t->received++;
  if (t->hop_field || t->stopped)
    return;
  {
    struct mxci_hop h;
    struct mxci_addr a;
    char err[96];
    if (!mxci_trace_parse_received(value, &h))
      return; /* no from clause: a hop inside the receiver */
    if (h.with[0] && submission(h.with)) {
      /* the client authenticated: the message was submitted here, so this
       * is a copy as sent, not as the receiving MX got it */
      t->stopped = field;
      snprintf(t->note, sizeof(t->note),
               "Received field %zu records an authenticated submission "
               "(with %s): a copy as sent, not as received",
               field, h.with);
      return;
    }
    if (!h.ip[0]) {
      t->skipped++;
      return;
    }
    if (mxci_addr_parse(h.ip, &a, err, sizeof(err)) == 0 &&
        mxci_addr_nonglobal(&a) != NULL) {
      /* the receiver's own content filter (amavis on 127.0.0.1, ...) */
      t->skipped++;
      if (t->fb_field == 0) {
        t->fb = h;
        t->fb_field = field;
        t->fb_line = line;
      }
      return;
    }
    t->hop = h;
    t->hop_field = field;
    t->hop_line = line;
  }
}
