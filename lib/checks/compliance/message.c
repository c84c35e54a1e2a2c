/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * message.c -- checks of a message's header fields (RFC 5322 sections 2.2,
 * 3.3, 3.4, 3.6; RFC 2047 section 5; RFC 8058) for the compliance rules.
 *
 * Fields are given one at a time as received (mxc_msg_field()); memory is
 * bounded: at most MXC_MSG_MAX_FIELDS fields are kept, each cut at
 * MXC_MSG_MAX_FIELD octets.  Everything else is counted, not kept.
 */
#include "mxc_private.h"
#include "compliance_private.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

struct mxc_msg {
  size_t nfields;
  struct mxci_msg_field *fields;
  size_t cap;           /* fields[] allocated */
  size_t dropped;       /* fields beyond MXC_MSG_MAX_FIELDS */
  size_t header_octets; /* all fields as given */
  int smtputf8;
  mxc_result_t *arc;    /* mxc_msg_set_arc() */
  size_t lines;          /* lines of the fields so far */
  struct mxci_trace trace; /* trace.c: the receiver's envelope */
  int use_trace;         /* mxc_msg_set_use_trace() */
};

mxc_status_t mxc_msg_new(mxc_msg_t **out)
{
  mxc_msg_t *m;
  if (out == NULL)
    return MXC_EINVAL;
  *out = NULL;
  m = mxci_calloc(1, sizeof(*m));
  if (m == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  *out = m;
  return MXC_OK;
}

void mxc_msg_free(mxc_msg_t *m)
{
  size_t i;
  if (m == NULL)
    return;
  for (i = 0; i < m->nfields; i++) {
    mxci_free(m->fields[i].name);
    mxci_free(m->fields[i].value);
  }
  mxci_free(m->fields);
  mxc_result_free(m->arc);
  mxci_free(m);
}

mxc_status_t mxc_msg_set_arc(mxc_msg_t *m, const mxc_result_t *arc)
{
  mxc_result_t *copy;
  if (m == NULL || arc == NULL || strcmp(mxc_result_method(arc), "arc") != 0)
    return MXC_EINVAL;
  if ((copy = mxc_result_dup(arc)) == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  mxc_result_free(m->arc);
  m->arc = copy;
  return MXC_OK;
}

const mxc_result_t *mxci_msg_arc(const mxc_msg_t *m)
{
  return m ? m->arc : NULL;
}

void mxc_msg_set_smtputf8(mxc_msg_t *m, int on)
{
  if (m)
    m->smtputf8 = on != 0;
}

/* A field name is printable US-ASCII but ':' (RFC 5322 section 2.2). */
static int ftext(unsigned char c)
{
  return c >= 33 && c <= 126 && c != ':';
}

/* Why a fact is missing, or which hops were passed over. */
static void trace_note(struct mxci_trace *t)
{
  if (t->stopped)
    return; /* trace.c said it */
  if (t->received == 0)
    snprintf(t->note, sizeof(t->note), "no Received field");
  else if (t->hop_field == 0 && t->fb_field == 0)
    snprintf(t->note, sizeof(t->note),
             "no Received field with a client address (%zu Received "
             "field%s)",
             t->received, t->received == 1 ? "" : "s");
  else if (t->hop_field == 0)
    snprintf(t->note, sizeof(t->note),
             "no Received field with a global client address: Received "
             "field %zu (client %s) taken",
             t->fb_field, t->fb.ip);
  else if (t->skipped)
    snprintf(t->note, sizeof(t->note),
             "%zu Received hop%s above passed over (no or non-global "
             "client address)",
             t->skipped, t->skipped == 1 ? "" : "s");
  else
    t->note[0] = '\0';
  if (t->rp_field == 0 && t->rp_bad && strlen(t->note) < 200)
    snprintf(t->note + strlen(t->note), sizeof(t->note) - strlen(t->note),
             "%sReturn-Path field %zu is not a path", t->note[0] ? "; " : "",
             t->rp_bad);
}

mxc_status_t mxc_msg_field(mxc_msg_t *m, const char *f, size_t len)
{
  struct mxci_msg_field *nf, *fld;
  size_t i, nlen, keep;
  const char *colon;

  size_t first_line;

  if (m == NULL || (f == NULL && len > 0))
    return MXC_EINVAL;
  m->header_octets += len;
  first_line = m->lines + 1;
  m->lines++;
  for (i = 0; i < len; i++)
    m->lines += f[i] == '\n';
  if (m->nfields >= MXC_MSG_MAX_FIELDS) {
    m->dropped++;
    return MXC_ELIMIT;
  }
  if (m->nfields == m->cap) {
    /* doubled, from 16: one allocation for a common header */
    size_t cap = m->cap ? 2 * m->cap : 16;
    if (cap > MXC_MSG_MAX_FIELDS)
      cap = MXC_MSG_MAX_FIELDS;
    nf = mxci_realloc(m->fields, cap * sizeof(*nf));
    if (nf == NULL)
      return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
    m->fields = nf;
    m->cap = cap;
  }
  fld = &m->fields[m->nfields];
  memset(fld, 0, sizeof(*fld));
  fld->octets = len;
  colon = len ? memchr(f, ':', len) : NULL;
  nlen = colon ? (size_t)(colon - f) : 0;
  if (colon == NULL || nlen == 0)
    fld->flags |= MXCI_MF_NOCOLON;
  /* Name: up to the colon, without trailing white space (obs-optional,
   * RFC 5322 section 4.5.8, which senders must not generate). */
  if (colon) {
    while (nlen > 0 && (f[nlen - 1] == ' ' || f[nlen - 1] == '\t')) {
      nlen--;
      fld->flags |= MXCI_MF_WSCOLON;
    }
    for (i = 0; i < nlen; i++)
      if (!ftext((unsigned char)f[i]))
        fld->flags |= MXCI_MF_BADNAME;
    if (nlen == 0)
      fld->flags |= MXCI_MF_NOCOLON;
  }
  if (nlen > 128)
    nlen = 128;
  fld->name = mxci_strndup(f, colon ? nlen : 0);
  if (fld->name == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; fld->name[i]; i++)
    fld->name[i] = (char)tolower((unsigned char)fld->name[i]);
  /* Value: unfolded (CR and LF dropped), NUL and 8-bit noted. */
  {
    const char *v = colon ? colon + 1 : f;
    size_t vlen = len - (size_t)(v - f), o = 0, line = 0;
    keep = vlen < MXC_MSG_MAX_FIELD ? vlen : MXC_MSG_MAX_FIELD;
    if (vlen > MXC_MSG_MAX_FIELD)
      fld->flags |= MXCI_MF_CUT;
    fld->value = mxci_malloc(keep + 1);
    if (fld->value == NULL)
      return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
    line = colon ? (size_t)(colon - f) + 1 : 0;
    for (i = 0; i < vlen; i++) {
      unsigned char c = (unsigned char)v[i];
      if (c == '\n') {
        if (i + 1 < vlen && v[i + 1] != ' ' && v[i + 1] != '\t')
          fld->flags |= MXCI_MF_BARELINE;
        if (line > 998)
          fld->flags |= MXCI_MF_LONGLINE;
        line = 0;
        continue;
      }
      line++;
      if (c == '\r') {
        if (i + 1 >= vlen || v[i + 1] != '\n')
          fld->flags |= MXCI_MF_BARECR;
        continue;
      }
      if (c == 0) {
        fld->flags |= MXCI_MF_NUL;
        c = ' ';
      } else if (c >= 0x80) {
        fld->flags |= MXCI_MF_8BIT;
      } else if (c < 32 && c != '\t') {
        fld->flags |= MXCI_MF_CTL;
      }
      if (o < keep)
        fld->value[o++] = (char)c;
    }
    if (line > 998)
      fld->flags |= MXCI_MF_LONGLINE;
    /* trim */
    while (o > 0 && (fld->value[o - 1] == ' ' || fld->value[o - 1] == '\t'))
      o--;
    fld->value[o] = '\0';
    {
      size_t s = 0;
      while (fld->value[s] == ' ' || fld->value[s] == '\t')
        s++;
      if (s)
        memmove(fld->value, fld->value + s, o - s + 1);
    }
  }
  m->nfields++;
  if (strcmp(fld->name, "received") == 0 ||
      strcmp(fld->name, "return-path") == 0) {
    mxci_trace_add(&m->trace, fld->name, fld->value, m->nfields,
                   first_line);
    trace_note(&m->trace);
  }
  return MXC_OK;
}

size_t mxci_msg_count(const mxc_msg_t *m)
{
  return m ? m->nfields : 0;
}
const struct mxci_msg_field *mxci_msg_get(const mxc_msg_t *m, size_t i)
{
  return m && i < m->nfields ? &m->fields[i] : NULL;
}

/* ---- addresses (RFC 5322 section 3.4) ---------------------------------- */

/* Skip a comment starting at s[*i] == '(' (nested, with quoted-pairs). */
static void skip_comment(const char *s, size_t *i)
{
  int depth = 0;
  for (; s[*i]; (*i)++) {
    if (s[*i] == '\\' && s[*i + 1]) {
      (*i)++;
    } else if (s[*i] == '(') {
      depth++;
    } else if (s[*i] == ')') {
      if (--depth == 0) {
        (*i)++;
        return;
      }
    }
  }
}

static void skip_quoted(const char *s, size_t *i)
{
  for ((*i)++; s[*i]; (*i)++) {
    if (s[*i] == '\\' && s[*i + 1])
      (*i)++;
    else if (s[*i] == '"') {
      (*i)++;
      return;
    }
  }
}

static int domain_ok(const char *d)
{
  size_t i, lab = 0;
  if (*d == '\0' || *d == '.')
    return 0;
  if (*d == '[') /* domain-literal */
    return d[strlen(d) - 1] == ']';
  for (i = 0; d[i]; i++) {
    unsigned char c = (unsigned char)d[i];
    if (c == '.') {
      if (lab == 0)
        return 0;
      lab = 0;
    } else if (isalnum(c) || c == '-' || c == '_' || c >= 0x80) {
      if (++lab > 63)
        return 0;
    } else {
      return 0;
    }
  }
  return lab > 0 && i <= 253;
}

/* Copy the addr-spec of one mailbox (s[0..n)) to spec (size cap): the
 * content of <...> if any, else the mailbox without comments/whitespace.
 * disp gets the display name (before '<').  Returns 1 when it looks
 * like local@domain. */
static int mailbox_spec(const char *s, size_t n, char *spec, size_t cap,
                        char *disp, size_t dcap)
{
  size_t i = 0, o = 0, d = 0;
  const char *lt = NULL, *gt = NULL;
  char tmp[1024];
  size_t tn = n < sizeof(tmp) - 1 ? n : sizeof(tmp) - 1;
  memcpy(tmp, s, tn);
  tmp[tn] = '\0';
  /* find an angle-addr outside quotes and comments */
  for (i = 0; tmp[i];) {
    if (tmp[i] == '"') {
      skip_quoted(tmp, &i);
    } else if (tmp[i] == '(') {
      skip_comment(tmp, &i);
    } else {
      if (tmp[i] == '<' && lt == NULL)
        lt = tmp + i;
      else if (tmp[i] == '>' && lt && gt == NULL)
        gt = tmp + i;
      i++;
    }
  }
  if (lt && gt) {
    for (i = 0; tmp + i < lt && d + 1 < dcap; i++)
      disp[d++] = tmp[i];
    for (i = (size_t)(lt - tmp) + 1; tmp + i < gt && o + 1 < cap; i++)
      if (tmp[i] != ' ' && tmp[i] != '\t')
        spec[o++] = tmp[i];
  } else {
    for (i = 0; tmp[i] && o + 1 < cap;) {
      if (tmp[i] == '(') {
        skip_comment(tmp, &i);
      } else if (tmp[i] == '"') {
        size_t st = i;
        skip_quoted(tmp, &i);
        while (st < i && o + 1 < cap)
          spec[o++] = tmp[st++];
      } else {
        if (tmp[i] != ' ' && tmp[i] != '\t')
          spec[o++] = tmp[i];
        i++;
      }
    }
  }
  spec[o] = '\0';
  disp[d] = '\0';
  {
    char *at = strrchr(spec, '@');
    /* an obs-route "@a,@b:" is not expected here */
    return at && at != spec && domain_ok(at + 1);
  }
}

/* Split an address list at top-level commas; for each mailbox call fn.
 * Group syntax "name: a, b;" counts the members.  Returns the number of
 * mailboxes. */
static size_t each_mailbox(const char *v,
                           void (*fn)(void *arg, const char *s, size_t n),
                           void *arg)
{
  size_t i = 0, start = 0, count = 0;
  int angle = 0;
  for (;;) {
    char c = v[i];
    if (c == '"') {
      skip_quoted(v, &i);
      continue;
    }
    if (c == '(') {
      skip_comment(v, &i);
      continue;
    }
    if (c == '<')
      angle = 1;
    else if (c == '>')
      angle = 0;
    if (!angle && (c == ':' || c == ';')) {
      start = i + 1; /* group name or group end */
    } else if (c == '\0' || (c == ',' && !angle)) {
      size_t a = start, b = i;
      while (a < b && (v[a] == ' ' || v[a] == '\t'))
        a++;
      if (a < b) {
        count++;
        if (fn)
          fn(arg, v + a, b - a);
      }
      start = i + 1;
    }
    if (c == '\0')
      break;
    i++;
  }
  return count;
}

/* ---- dates (RFC 5322 section 3.3, with obs- zones) ------------------- */

static int next_tok(const char **p, char *tok, size_t cap)
{
  size_t n = 0;
  const char *s = *p;
  for (;;) {
    while (*s == ' ' || *s == '\t' || *s == ',')
      s++;
    if (*s == '(') {
      size_t i = 0;
      skip_comment(s, &i);
      s += i;
      continue;
    }
    break;
  }
  if (*s == '\0')
    return 0;
  while (*s && *s != ' ' && *s != '\t' && *s != ',' && *s != '(') {
    if (n + 1 < cap)
      tok[n++] = *s;
    s++;
  }
  tok[n] = '\0';
  *p = s;
  return 1;
}

static int all_digits(const char *t, size_t min, size_t max)
{
  size_t n = strlen(t), i;
  if (n < min || n > max)
    return 0;
  for (i = 0; i < n; i++)
    if (!isdigit((unsigned char)t[i]))
      return 0;
  return 1;
}

int mxci_msg_date_ok(const char *v)
{
  static const char *const days[] = {"mon", "tue", "wed", "thu",
                                     "fri", "sat", "sun"};
  static const char *const mons[] = {"jan", "feb", "mar", "apr",
                                     "may", "jun", "jul", "aug",
                                     "sep", "oct", "nov", "dec"};
  static const char *const zones[] = {"ut", "gmt", "est", "edt", "cst",
                                      "cdt", "mst", "mdt", "pst", "pdt"};
  char tok[64];
  const char *p = v;
  size_t i;
  int ok = 0, h, mi, s = 0, d, y;

  if (!next_tok(&p, tok, sizeof(tok)))
    return 0;
  for (i = 0; i < 7; i++)
    if (strncasecmp(tok, days[i], 3) == 0 && strlen(tok) == 3)
      break;
  if (i < 7 && !next_tok(&p, tok, sizeof(tok)))
    return 0;
  if (!all_digits(tok, 1, 2))
    return 0;
  d = atoi(tok);
  if (d < 1 || d > 31 || !next_tok(&p, tok, sizeof(tok)))
    return 0;
  for (i = 0; i < 12; i++)
    if (strcasecmp(tok, mons[i]) == 0)
      ok = 1;
  if (!ok || !next_tok(&p, tok, sizeof(tok)) || !all_digits(tok, 2, 4))
    return 0;
  y = atoi(tok);
  (void)y;
  if (!next_tok(&p, tok, sizeof(tok)))
    return 0;
  if (sscanf(tok, "%2d:%2d:%2d", &h, &mi, &s) < 2 || h > 23 || mi > 59 ||
      s > 60 || h < 0 || mi < 0 || s < 0 || !isdigit((unsigned char)tok[0]))
    return 0;
  if (!next_tok(&p, tok, sizeof(tok)))
    return 0; /* the zone is not optional */
  if ((tok[0] == '+' || tok[0] == '-') && all_digits(tok + 1, 4, 4)) {
    ok = 1;
  } else {
    ok = 0;
    for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
      if (strcasecmp(tok, zones[i]) == 0)
        ok = 1;
    if (strlen(tok) == 1 && isalpha((unsigned char)tok[0]))
      ok = 1; /* obs military zones */
  }
  return ok && !next_tok(&p, tok, sizeof(tok));
}

/* RFC 5322 section 3.6.4 msg-id (dot-atom-text / no-fold-literal on the
 * right, dot-atom-text or obs quoted on the left), with CFWS around. */
int mxci_msg_id_ok(const char *v)
{
  char buf[1024];
  size_t i = 0, o = 0;
  char *at, *end;
  /* drop comments and whitespace around */
  while (v[i] && o + 1 < sizeof(buf)) {
    if (v[i] == '(') {
      skip_comment(v, &i);
    } else {
      buf[o++] = v[i];
      i++;
    }
  }
  buf[o] = '\0';
  for (i = 0; buf[i] == ' ' || buf[i] == '\t'; i++)
    ;
  memmove(buf, buf + i, strlen(buf + i) + 1);
  o = strlen(buf);
  while (o > 0 && (buf[o - 1] == ' ' || buf[o - 1] == '\t'))
    buf[--o] = '\0';
  if (o < 5 || buf[0] != '<' || buf[o - 1] != '>')
    return 0;
  buf[o - 1] = '\0';
  at = strrchr(buf + 1, '@');
  if (at == NULL || at == buf + 1 || at[1] == '\0')
    return 0;
  *at = '\0';
  end = at + 1;
  for (i = 1; buf[i]; i++) {
    unsigned char c = (unsigned char)buf[i];
    if (c <= 32 || c >= 127 || strchr("()<>[]:;@\\,", c))
      if (!(buf[1] == '"'))
        return 0;
  }
  if (buf[1] == '.' || buf[strlen(buf) - 1] == '.' || strstr(buf, ".."))
    return 0;
  if (end[0] == '[')
    return end[strlen(end) - 1] == ']';
  for (i = 0; end[i]; i++) {
    unsigned char c = (unsigned char)end[i];
    if (c <= 32 || c >= 127 || strchr("()<>[]:;@\\,\"", c))
      return 0;
  }
  return end[0] != '.' && end[strlen(end) - 1] != '.' && !strstr(end, "..");
}

/* ---- the facts --------------------------------------------------------- */

/* Copy a string, cut to fit. */
static void copyz(char *d, size_t cap, const char *s)
{
  size_t n = strlen(s);
  if (n >= cap)
    n = cap - 1;
  memcpy(d, s, n);
  d[n] = '\0';
}

/* Keep the domain of an author mailbox (lower case) when it is not kept
 * yet; past MXCI_MSG_MAX_AUTHORS count it. */
static void author_domain(struct mxci_msg_facts *f, const char *spec)
{
  const char *at = strrchr(spec, '@');
  char dom[256];
  size_t i;
  if (at == NULL || at == spec || at[1] == '\0' || !domain_ok(at + 1))
    return; /* not local@domain: no DMARC identifier */
  copyz(dom, sizeof(dom), at + 1);
  for (i = 0; dom[i]; i++)
    dom[i] = (char)tolower((unsigned char)dom[i]);
  for (i = 0; i < f->nauthors; i++)
    if (mxci_name_eq(f->author[i], dom))
      return;
  if (f->nauthors >= MXCI_MSG_MAX_AUTHORS) {
    f->authors_over++;
    return;
  }
  copyz(f->author[f->nauthors++], sizeof(f->author[0]), dom);
}

/* A mailbox of a From field after the first mailbox of the first: only
 * its domain counts (DMARC of each author domain). */
static void other_author(void *arg, const char *s, size_t n)
{
  struct mxci_msg_facts *f = arg;
  char spec[512], disp[512];
  f->author_mailboxes++;
  mailbox_spec(s, n, spec, sizeof(spec), disp, sizeof(disp));
  author_domain(f, spec);
  if (strstr(spec, "=?"))
    f->ew_in_addr = 1;
}

static void from_mailbox(void *arg, const char *s, size_t n)
{
  struct mxci_msg_facts *f = arg;
  char spec[512], disp[512];
  int ok;
  if (f->from_mailboxes++ > 0) {
    other_author(arg, s, n);
    return;
  }
  f->author_mailboxes++;
  ok = mailbox_spec(s, n, spec, sizeof(spec), disp, sizeof(disp));
  f->from_ok = ok;
  copyz(f->from_addr, sizeof(f->from_addr), spec);
  if (ok) {
    char *at = strrchr(spec, '@');
    size_t i;
    copyz(f->from_domain, sizeof(f->from_domain), at + 1);
    for (i = 0; f->from_domain[i]; i++)
      f->from_domain[i] = (char)tolower((unsigned char)f->from_domain[i]);
    if (f->nauthors == 0) /* the first author domain is the From domain */
      copyz(f->author[f->nauthors++], sizeof(f->author[0]), f->from_domain);
  }
  if (strstr(spec, "=?"))
    f->ew_in_addr = 1;
  copyz(f->from_display, sizeof(f->from_display), disp);
  /* an address in the display name */
  {
    const char *a = strchr(disp, '@');
    if (a) {
      const char *e = a + 1;
      char dom[256];
      size_t k = 0;
      while (*e && (isalnum((unsigned char)*e) || *e == '.' || *e == '-') &&
             k + 1 < sizeof(dom)) {
        dom[k++] = (char)tolower((unsigned char)*e);
        e++;
      }
      while (k > 0 && dom[k - 1] == '.')
        k--;
      dom[k] = '\0';
      f->display_has_addr = 1;
      if (k && !mxci_name_eq(dom, f->from_domain)) {
        f->display_other_domain = 1;
        copyz(f->display_domain, sizeof(f->display_domain), dom);
      }
    }
  }
}

static void addr_ew(void *arg, const char *s, size_t n)
{
  struct mxci_msg_facts *f = arg;
  char spec[512], disp[512];
  mailbox_spec(s, n, spec, sizeof(spec), disp, sizeof(disp));
  if (strstr(spec, "=?"))
    f->ew_in_addr = 1;
}

static void finding(struct mxci_msg_facts *f, int fail, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void finding(struct mxci_msg_facts *f, int fail, const char *fmt, ...)
{
  va_list ap;
  char *t;
  int n;
  if (f->nfind >= MXCI_MSG_MAX_FINDINGS)
    return;
  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return; /* LCOV_EXCL_LINE */
  t = mxci_malloc((size_t)n + 1);
  if (t == NULL)
    return; /* LCOV_EXCL_LINE: OutOfMemory */
  va_start(ap, fmt);
  vsnprintf(t, (size_t)n + 1, fmt, ap);
  va_end(ap);
  f->find[f->nfind].fail = fail;
  f->find[f->nfind].text = t;
  f->nfind++;
}

void mxci_msg_facts_clear(struct mxci_msg_facts *f)
{
  size_t i;
  for (i = 0; i < f->nfind; i++)
    mxci_free(f->find[i].text);
  memset(f, 0, sizeof(*f));
}

static int is_https_uri_list(const char *v, int *https, int *mailto)
{
  const char *p = v;
  int any = 0;
  while ((p = strchr(p, '<')) != NULL) {
    const char *e = strchr(p, '>');
    if (e == NULL)
      break;
    any = 1;
    if (e - p > 9 && strncasecmp(p + 1, "https://", 8) == 0)
      *https = 1;
    if (e - p > 8 && strncasecmp(p + 1, "mailto:", 7) == 0)
      *mailto = 1;
    p = e + 1;
  }
  return any;
}

void mxci_msg_facts(const mxc_msg_t *m, struct mxci_msg_facts *f)
{
  static const char *const single[] = {
      "from", "sender", "reply-to", "to", "cc", "bcc", "subject",
      "date", "message-id", "in-reply-to", "references"};
  size_t counts[sizeof(single) / sizeof(single[0])];
  size_t i, k, bad_lines = 0, eightbit = 0;
  const char *first_bad = NULL;
  int has_irt = 0;
  const char *subject = NULL;

  memset(f, 0, sizeof(*f));
  memset(counts, 0, sizeof(counts));
  if (m == NULL)
    return;
  f->present = 1;
  f->nfields = m->nfields;
  f->header_octets = m->header_octets;
  for (i = 0; i < m->nfields; i++) {
    const struct mxci_msg_field *fl = &m->fields[i];
    const char *n = fl->name;
    for (k = 0; k < sizeof(single) / sizeof(single[0]); k++)
      if (strcmp(n, single[k]) == 0)
        counts[k]++;
    if (fl->flags & (MXCI_MF_NOCOLON | MXCI_MF_WSCOLON | MXCI_MF_BADNAME |
                     MXCI_MF_BARECR | MXCI_MF_BARELINE | MXCI_MF_NUL |
                     MXCI_MF_CTL)) {
      if (bad_lines++ == 0)
        first_bad = *n ? n : "(no name)";
    }
    if (fl->flags & MXCI_MF_8BIT)
      eightbit++;
    if (fl->flags & MXCI_MF_LONGLINE)
      f->long_lines++;
    if (strcmp(n, "from") == 0 && counts[0] == 1) {
      size_t nb = each_mailbox(fl->value, from_mailbox, f);
      (void)nb;
    } else if (strcmp(n, "from") == 0) {
      /* a further From field: its authors too (RFC 7489 section 6.6.1) */
      each_mailbox(fl->value, other_author, f);
    } else if (strcmp(n, "sender") == 0 || strcmp(n, "reply-to") == 0 ||
               strcmp(n, "to") == 0 || strcmp(n, "cc") == 0) {
      each_mailbox(fl->value, addr_ew, f);
    } else if (strcmp(n, "message-id") == 0 && !f->msgid_ok) {
      f->msgid_ok = mxci_msg_id_ok(fl->value);
    } else if (strcmp(n, "date") == 0 && !f->date_ok) {
      f->date_ok = mxci_msg_date_ok(fl->value);
    } else if (strcmp(n, "in-reply-to") == 0 ||
               strcmp(n, "references") == 0) {
      has_irt = 1;
    } else if (strcmp(n, "subject") == 0) {
      subject = fl->value;
    } else if (strcmp(n, "list-unsubscribe") == 0) {
      f->lu_present = 1;
      if (!is_https_uri_list(fl->value, &f->lu_https, &f->lu_mailto))
        f->lu_malformed = 1;
    } else if (strcmp(n, "list-unsubscribe-post") == 0) {
      f->lup_present = 1;
      if (strcmp(fl->value, "List-Unsubscribe=One-Click") == 0)
        f->lup_ok = 1;
    } else if (strcmp(n, "list-id") == 0) {
      f->list_id = 1;
    } else if (strcmp(n, "arc-seal") == 0) {
      f->arc = 1;
      if (strstr(fl->value, "cv=fail"))
        f->arc_cv_fail = 1;
    } else if (strcmp(n, "precedence") == 0) {
      if (strncasecmp(fl->value, "bulk", 4) == 0 ||
          strncasecmp(fl->value, "list", 4) == 0)
        f->precedence_bulk = 1;
    }
  }
  f->from_count = counts[0];
  if (counts[0] == 0)
    finding(f, 1, "no From: field");
  else if (counts[0] > 1)
    finding(f, 1, "%zu From: fields", counts[0]);
  if (counts[0] >= 1 && f->from_mailboxes != 1)
    finding(f, 1, "From: holds %zu mailboxes (RFC 5322 allows one without "
                  "Sender:, Gmail accepts one)",
            f->from_mailboxes);
  else if (counts[0] >= 1 && !f->from_ok)
    finding(f, 1, "From: address \"%s\" does not parse as local@domain",
            f->from_addr);
  for (k = 0; k < sizeof(single) / sizeof(single[0]); k++)
    if (counts[k] > 1 && k != 0)
      finding(f, 1, "%s: appears %zu times (single-instance field, RFC 5322 "
                    "section 3.6)",
              single[k], counts[k]);
  if (counts[8] == 0)
    finding(f, 1, "no Message-ID: field");
  else if (!f->msgid_ok)
    finding(f, 1, "Message-ID: is not <left@right> (RFC 5322 section "
                  "3.6.4)");
  if (counts[7] == 0)
    finding(f, 1, "no Date: field");
  else if (!f->date_ok)
    finding(f, 1, "Date: does not parse as an RFC 5322 date-time");
  if (bad_lines)
    finding(f, 1, "%zu malformed header field(s) (no colon, white space "
                  "before the colon, bare CR/LF, NUL or control "
                  "characters), first: %s",
            bad_lines, first_bad);
  if (eightbit && !m->smtputf8)
    finding(f, 1, "%zu header field(s) with raw 8-bit octets without "
                  "SMTPUTF8 (use RFC 2047 encoded words)",
            eightbit);
  if (f->ew_in_addr)
    finding(f, 1, "an encoded word (=?...?=) inside an address (RFC 2047 "
                  "section 5 forbids it in an addr-spec)");
  if (m->dropped)
    finding(f, 0, "%zu header fields beyond the %d examined", m->dropped,
            MXC_MSG_MAX_FIELDS);
  if (f->long_lines)
    finding(f, 0, "%zu header line(s) over 998 octets (RFC 5322 section "
                  "2.1.1)",
            f->long_lines);
  if (m->header_octets > MXCI_MSG_BIG_HEADER)
    finding(f, 0, "the header is %zu octets (large headers are refused: "
                  "Gmail 552 5.3.4)",
            m->header_octets);
  if (subject && !has_irt &&
      (strncasecmp(subject, "re:", 3) == 0 ||
       strncasecmp(subject, "fwd:", 4) == 0))
    finding(f, 0, "Subject: starts with Re:/Fwd: but there is no "
                  "In-Reply-To:/References: (thread mimicry)");
}

/* ---- the envelope from the trace fields (trace.c) ---------------------- */

/* The receiver's hop: the first with a global client, else the first
 * with a client; none after an authenticated submission. */
static const struct mxci_hop *trace_hop(const mxc_msg_t *m, size_t *field,
                                        size_t *line)
{
  const struct mxci_trace *t = &m->trace;
  if (t->hop_field) {
    *field = t->hop_field;
    *line = t->hop_line;
    return &t->hop;
  }
  if (t->fb_field && !t->stopped) {
    *field = t->fb_field;
    *line = t->fb_line;
    return &t->fb;
  }
  return NULL;
}

static const char *trace_fact(const mxc_msg_t *m, mxc_trace_t what,
                              size_t *field, size_t *line)
{
  const struct mxci_hop *h;
  const char *v = NULL;
  *field = *line = 0;
  if (m == NULL)
    return NULL;
  if (what == MXC_TRACE_MAIL_FROM) {
    if (m->trace.rp_field == 0)
      return NULL;
    *field = m->trace.rp_field;
    *line = m->trace.rp_line;
    return m->trace.mail_from;
  }
  h = trace_hop(m, field, line);
  if (h == NULL)
    return NULL;
  switch (what) {
  case MXC_TRACE_IP: v = h->ip; break;
  case MXC_TRACE_HELO: v = h->helo; break;
  case MXC_TRACE_RDNS: v = h->rdns; break;
  case MXC_TRACE_BY: v = h->by; break;
  default: break;
  }
  if (v == NULL || *v == '\0') {
    *field = *line = 0;
    return NULL;
  }
  return v;
}

const char *mxc_msg_trace(const mxc_msg_t *m, mxc_trace_t what)
{
  size_t f, l;
  return trace_fact(m, what, &f, &l);
}

size_t mxc_msg_trace_field(const mxc_msg_t *m, mxc_trace_t what)
{
  size_t f, l;
  (void)trace_fact(m, what, &f, &l);
  return f;
}

size_t mxc_msg_trace_line(const mxc_msg_t *m, mxc_trace_t what)
{
  size_t f, l;
  (void)trace_fact(m, what, &f, &l);
  return l;
}

const char *mxc_msg_trace_note(const mxc_msg_t *m)
{
  if (m == NULL)
    return "";
  if (m->trace.received == 0 && m->trace.rp_field == 0 && !m->trace.rp_bad)
    return "no Received or Return-Path field";
  return m->trace.note;
}

void mxc_msg_set_use_trace(mxc_msg_t *m, int on)
{
  if (m)
    m->use_trace = on != 0;
}

int mxci_msg_use_trace(const mxc_msg_t *m)
{
  return m ? m->use_trace : 0;
}
