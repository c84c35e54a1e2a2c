/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_dkim.c -- DKIM: the CRLF conversion and the message splitter of
 * the CLI (units), the streaming contract of mxc_dkim_*() (cancel before
 * finish, free with checks pending, exactly one callback, limits), and the
 * RFC 8463 Appendix A.3 message against Knot (tests/zones/
 * football.example.com.zone).  The corpus compared with dkimpy is
 * tests/dkim/run.sh.  "paths": verification on the context's cached keys
 * and libopendkim's own path give the same JSON, for the RFC 8463 message
 * intact and damaged, and for the corpus when run.sh gives it
 * (MXC_DKIM_CORPUS, MXC_DKIM_KEYSERVER).
 */
#include "testutil.h"

#include "mxc_private.h"
#include "checks/dkim/dkim_private.h"
#include "msgsplit.h"

#include <dirent.h>

/* RFC 8463 A.3, CRLF line ends. */
static const char *const rfc8463_lines[] = {
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;",
    " d=football.example.com; i=@football.example.com;",
    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :",
    " subject : date : message-id : from : subject : date;",
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;",
    " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus",
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==",
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;",
    " d=football.example.com; i=@football.example.com;",
    " q=dns/txt; s=test; t=1528637909; h=from : to : subject :",
    " date : message-id : from : subject : date;",
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;",
    " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3",
    " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz",
    " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=",
    "From: Joe SixPack <joe@football.example.com>",
    "To: Suzie Q <suzie@shopping.example.net>",
    "Subject: Is dinner ready?",
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)",
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>",
    "",
    "Hi.",
    "",
    "We lost the game.  Are you hungry yet?",
    "",
    "Joe.",
    NULL};

/* The message with eol line ends; a line starting with `from` replaced by
 * `to` (once), NULL: none.  Free with free(). */
static char *rfc8463(const char *eol, const char *from, const char *to)
{
  size_t cap = 4096, len = 0, i;
  char *m = malloc(cap);
  int done = 0;
  ck_assert_ptr_nonnull(m);
  m[0] = '\0';
  for (i = 0; rfc8463_lines[i]; i++) {
    const char *l = rfc8463_lines[i];
    if (from && !done && strncmp(l, from, strlen(from)) == 0) {
      l = to;
      done = 1;
    }
    len += strlen(l) + strlen(eol);
    ck_assert(len < cap);
    strcat(m, l);
    strcat(m, eol);
  }
  if (from)
    ck_assert_msg(done, "no line starts with %s", from);
  return m;
}

/* ---- CRLF --------------------------------------------------------------- */

static void crlf_is(const char *in, int cr0, const char *want, int cr1)
{
  char out[256];
  int cr = cr0;
  size_t n = mxci_crlf(in, strlen(in), &cr, out);
  out[n] = '\0';
  ck_assert_str_eq(out, want);
  ck_assert_int_eq(cr, cr1);
}

START_TEST(crlf_conversion)
{
  crlf_is("", 0, "", 0);
  crlf_is("a\nb", 0, "a\r\nb", 0);
  crlf_is("a\r\nb\r\n", 0, "a\r\nb\r\n", 0);
  crlf_is("\n\n", 0, "\r\n\r\n", 0);
  crlf_is("mixed\r\nand\nbare\n", 0, "mixed\r\nand\r\nbare\r\n", 0);
  /* a CR at the end of one chunk and its LF in the next */
  crlf_is("end\r", 0, "end\r", 1);
  crlf_is("\nnext", 1, "\nnext", 0);
  crlf_is("\nnext", 0, "\r\nnext", 0);
  /* bare CR stays as it is */
  crlf_is("a\rb\r\n", 0, "a\rb\r\n", 0);
  crlf_is("a\r\rb\n", 0, "a\r\rb\r\n", 0);
}
END_TEST

/* ---- the splitter --------------------------------------------------------- */

struct events {
  char log[65536]; /* F<field>|...E|B<body, all pieces> */
  size_t len;
  int stop_at_field; /* return 1 at this field (1-based), 0: never */
  int nfields;
  int in_body;
};

static void ev_add(struct events *e, const char *p, size_t n)
{
  ck_assert(e->len + n < sizeof(e->log));
  memcpy(e->log + e->len, p, n);
  e->len += n;
  e->log[e->len] = '\0';
}
static int ev_field(void *arg, const char *f, size_t len)
{
  struct events *e = arg;
  e->nfields++;
  ev_add(e, "F", 1);
  ev_add(e, f, len);
  ev_add(e, "|", 1);
  return e->stop_at_field == e->nfields;
}
static int ev_eoh(void *arg)
{
  ev_add(arg, "E|", 2);
  return 0;
}
static int ev_body(void *arg, const char *p, size_t len)
{
  struct events *e = arg;
  if (!e->in_body++)
    ev_add(e, "B", 1); /* the pieces depend on the chunks: one marker */
  ev_add(e, p, len);
  return 0;
}

/* Split msg fed in chunks of `chunk` octets (0: whole); the events with
 * body pieces merged. */
static void split_n(const char *msg, size_t n, size_t chunk, size_t max_field,
                    struct events *e, unsigned long *no_sep)
{
  struct msgsplit sp;
  size_t i;
  memset(e, 0, sizeof(*e));
  memset(&sp, 0, sizeof(sp));
  sp.field = ev_field;
  sp.eoh = ev_eoh;
  sp.body = ev_body;
  sp.arg = e;
  sp.max_field = max_field;
  msgsplit_init(&sp);
  if (chunk == 0)
    chunk = n ? n : 1;
  for (i = 0; i < n; i += chunk)
    if (msgsplit_feed(&sp, msg + i, n - i < chunk ? n - i : chunk) != 0)
      break;
  msgsplit_end(&sp);
  if (no_sep)
    *no_sep = sp.no_separator;
  msgsplit_free(&sp);
}

static void split(const char *msg, size_t chunk, size_t max_field,
                  struct events *e, unsigned long *no_sep)
{
  split_n(msg, strlen(msg), chunk, max_field, e, no_sep);
}

static void split_is(const char *msg, const char *want, unsigned long sep)
{
  static const size_t chunks[] = {0, 1, 2, 3, 7, 64};
  size_t k;
  for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
    struct events e;
    unsigned long ns = 0;
    split(msg, chunks[k], 0, &e, &ns);
    ck_assert_msg(strcmp(e.log, want) == 0,
                  "chunk %zu: got \"%s\", want \"%s\"", chunks[k], e.log,
                  want);
    ck_assert_uint_eq(ns, sep);
  }
}

START_TEST(split_messages)
{
  split_is("A: 1\r\nB: 2\r\n\r\nbody\r\n", "FA: 1|FB: 2|E|Bbody\r\n", 0);
  split_is("A: 1\nB: 2\n\nbody\n", "FA: 1|FB: 2|E|Bbody\n", 0);
  /* folding keeps the inner line ends, as received */
  split_is("A: 1\r\n 2\r\n\t3\r\nB: x\r\n\r\n",
           "FA: 1\r\n 2\r\n\t3|FB: x|E|", 0);
  split_is("A: 1\n 2\nB: x\n\nb", "FA: 1\n 2|FB: x|E|Bb", 0);
  /* an mbox separator first is skipped; later "From " lines are body */
  split_is("From a@b Thu Jan  1 00:00:00 2026\nA: 1\n\nFrom x\n",
           "FA: 1|E|BFrom x\n", 0);
  /* white space before the colon (RFC 5322 section 4.5.8) */
  split_is("Name : v\n\n", "FName : v|E|", 0);
  /* header only, with or without the final line end */
  split_is("A: 1\r\nB: 2\r\n", "FA: 1|FB: 2|E|", 0);
  split_is("A: 1\r\nB: 2", "FA: 1|FB: 2|E|", 0);
  split_is("", "E|", 0);
  /* no empty line: the first line that is not a field starts the body */
  split_is("A: 1\nnot a field\nmore\n", "FA: 1|E|Bnot a field\nmore\n", 2);
  split_is("A: 1\r\n\r\r\nx", "FA: 1|E|B\r\r\nx", 2);
  /* a continuation line first is a field of its own (libopendkim skips
   * it: no colon) */
  split_is(" lead: x\nA: 1\n\n", "F lead: x|FA: 1|E|", 0);
  /* NUL and bare CR go through */
  {
    static const char m[] = "A: a\rb\n\nx\0y";
    struct events e;
    split_n(m, sizeof(m) - 1, 0, 0, &e, NULL);
    ck_assert_uint_eq(e.len, 14);
    ck_assert(memcmp(e.log, "FA: a\rb|E|Bx\0y", 14) == 0);
  }
}
END_TEST

/* The body handed over is exactly the tail of the input, whatever the
 * length of the header lines and wherever the chunks and the field limit
 * cut them: an over-long field keeps its identity (cut), an over-long line
 * that is not a field (its colon past the limit, or none) starts the body
 * whole. */
static void body_is_tail(const char *msg, size_t max_field, const char *first)
{
  size_t n = strlen(msg), chunk;
  for (chunk = 1; chunk <= n; chunk++) {
    struct events e;
    const char *b;
    size_t blen;
    split_n(msg, n, chunk, max_field, &e, NULL);
    b = strstr(e.log, "E|");
    ck_assert_ptr_nonnull(b);
    b += 2;
    if (*b == 'B')
      b++;
    blen = strlen(b);
    ck_assert_msg(blen <= n && strcmp(b, msg + n - blen) == 0,
                  "max %zu chunk %zu: body \"%s\" is not the tail", max_field,
                  chunk, b);
    ck_assert_msg(strncmp(e.log, first, strlen(first)) == 0,
                  "max %zu chunk %zu: \"%s\" does not start \"%s\"",
                  max_field, chunk, e.log, first);
  }
}

START_TEST(split_long_lines)
{
  size_t max;
  for (max = 8; max <= 40; max++) {
    /* a line whose colon lies past the limit: the body starts with it */
    body_is_tail("A: 1\nXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX: v\n\nbody\n",
                 max, "FA: 1|");
    /* an over-long field, folded, then a normal one */
    body_is_tail("Subject: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
                 " bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\nB: 2\n\nbody\r\n",
                 max, "FSubject: ");
    /* an over-long line of body text where the header should end */
    body_is_tail("A: 1\nthis is not a header line and it is long enough\nrest\n",
                 max, "FA: 1|E|Bthis");
  }
}
END_TEST

START_TEST(split_limits)
{
  struct events e;
  char msg[200];
  /* a field over max_field is handed over with max_field + 3 octets */
  snprintf(msg, sizeof(msg), "A: 123456789012345\r\nB: 2\r\n\r\nbody");
  split(msg, 0, 10, &e, NULL);
  ck_assert_msg(strncmp(e.log, "FA: 1234567890|FB: 2|E|Bbody", 28) == 0, "%s",
                e.log);
  split(msg, 1, 10, &e, NULL);
  ck_assert_msg(strncmp(e.log, "FA: 1234567890|FB: 2|E|Bbody", 28) == 0, "%s",
                e.log);
  /* a field of max_field octets is whole */
  split("A: 1234567\r\n\r\n", 3, 10, &e, NULL);
  ck_assert_str_eq(e.log, "FA: 1234567|E|");
  /* a folded field over the limit */
  split("A: 1234\r\n 5678\r\n 9\r\n\r\n", 2, 10, &e, NULL);
  ck_assert_int_eq(e.nfields, 1);
  ck_assert_msg(strlen(e.log) == 1 + 13 + 1 + 2, "%s", e.log);
  /* a callback that says stop stops everything */
  memset(&e, 0, sizeof(e));
  {
    struct msgsplit sp;
    memset(&sp, 0, sizeof(sp));
    sp.field = ev_field;
    sp.eoh = ev_eoh;
    sp.body = ev_body;
    sp.arg = &e;
    msgsplit_init(&sp);
    e.stop_at_field = 1;
    ck_assert_int_eq(msgsplit_feed(&sp, "A: 1\nB: 2\n\nbody", 16), 1);
    ck_assert_int_eq(msgsplit_end(&sp), 0);
    msgsplit_free(&sp);
    ck_assert_str_eq(e.log, "FA: 1|");
  }
}
END_TEST

/* ---- the contract ---------------------------------------------------------- */

struct got {
  int calls;
  mxc_status_t st;
  mxc_result_t *res;
};

static void on_done(mxc_check_t *chk, mxc_status_t st, const mxc_result_t *res,
                    void *arg)
{
  struct got *g = arg;
  (void)chk;
  g->calls++;
  g->st = st;
  if (res) {
    mxc_result_free(g->res);
    g->res = mxc_result_dup(res); /* NULL in the allocation-failure test */
  }
}

struct feed {
  mxc_check_t *chk;
  mxc_status_t st;
};
static int f_field(void *arg, const char *f, size_t len)
{
  struct feed *d = arg;
  d->st = mxc_dkim_header(d->chk, f, len);
  return d->st == MXC_ELIMIT;
}
static int f_eoh(void *arg)
{
  struct feed *d = arg;
  d->st = mxc_dkim_eoh(d->chk);
  return d->st != MXC_OK;
}
static int f_body(void *arg, const char *p, size_t len)
{
  struct feed *d = arg;
  d->st = mxc_dkim_body(d->chk, p, len);
  return d->st != MXC_OK;
}

/* Feed a message (len octets) in chunks into a new check; not finished. */
static mxc_check_t *feed(mxc_ctx_t *ctx, const char *msg, size_t len,
                         size_t chunk)
{
  struct msgsplit sp;
  struct feed d;
  size_t i;
  memset(&d, 0, sizeof(d));
  ck_assert_int_eq(mxc_dkim_new(ctx, &d.chk), MXC_OK);
  memset(&sp, 0, sizeof(sp));
  sp.field = f_field;
  sp.eoh = f_eoh;
  sp.body = f_body;
  sp.arg = &d;
  sp.max_field = MXC_DKIM_MAX_FIELD;
  msgsplit_init(&sp);
  if (chunk == 0)
    chunk = len ? len : 1;
  for (i = 0; i < len; i += chunk)
    if (msgsplit_feed(&sp, msg + i, len - i < chunk ? len - i : chunk) != 0)
      break;
  msgsplit_end(&sp);
  msgsplit_free(&sp);
  return d.chk;
}

/* Verify a message; the result (free it) with its callback count. */
static mxc_result_t *verify(mxc_ctx_t *ctx, const char *msg, size_t chunk)
{
  struct got g = {0, MXC_OK, NULL};
  mxc_check_t *chk = feed(ctx, msg, strlen(msg), chunk);
  ck_assert_int_eq(mxc_dkim_set_input(chk, "test.eml"), MXC_OK);
  ck_assert_int_eq(mxc_dkim_finish(chk, on_done, &g), MXC_OK);
  ck_assert_int_eq(g.calls, 0); /* never inside finish */
  ck_assert_int_eq(mxc_run(ctx, 20000), MXC_OK);
  ck_assert_int_eq(g.calls, 1);
  ck_assert_int_eq(g.st, MXC_OK);
  ck_assert_ptr_nonnull(g.res);
  return g.res;
}

START_TEST(contract_cancel_and_free)
{
  mxc_ctx_t *ctx = tu_ctx(tu_server("MXC_TEST_DNS"));
  char *m = rfc8463("\r\n", NULL, NULL);
  struct got g = {0, MXC_OK, NULL};
  mxc_check_t *chk;

  /* cancel before finish: freed, no callback, not pending */
  chk = feed(ctx, m, strlen(m), 0);
  ck_assert_uint_eq(mxc_pending(ctx), 0);
  mxc_check_cancel(chk);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);

  /* cancel after finish: one callback, MXC_ECANCELLED */
  chk = feed(ctx, m, strlen(m), 0);
  ck_assert_int_eq(mxc_dkim_finish(chk, on_done, &g), MXC_OK);
  ck_assert_uint_eq(mxc_pending(ctx), 1);
  mxc_check_cancel(chk);
  ck_assert_int_eq(g.calls, 1);
  ck_assert_int_eq(g.st, MXC_ECANCELLED);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  ck_assert_int_eq(g.calls, 1);

  /* free the context with one check unfinished (keys in flight) and one
   * finished: the finished one gets MXC_EDESTRUCTION, once */
  g.calls = 0;
  (void)feed(ctx, m, strlen(m), 0);
  chk = feed(ctx, m, strlen(m), 0);
  ck_assert_int_eq(mxc_dkim_finish(chk, on_done, &g), MXC_OK);
  mxc_ctx_free(ctx);
  ck_assert_int_eq(g.calls, 1);
  ck_assert_int_eq(g.st, MXC_EDESTRUCTION);
  mxc_result_free(g.res);
  free(m);
}
END_TEST

START_TEST(contract_misuse)
{
  mxc_ctx_t *ctx = tu_ctx(tu_server("MXC_TEST_DNS"));
  struct got g = {0, MXC_OK, NULL};
  mxc_check_t *chk, *other;

  ck_assert_int_eq(mxc_dkim_new(NULL, &chk), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_new(ctx, NULL), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_header(NULL, "A: b", 4), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_new(ctx, &chk), MXC_OK);
  ck_assert_int_eq(mxc_dkim_header(chk, NULL, 4), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_header(chk, "", 0), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_header(chk, "\r\n", 2), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_body(chk, "x", 1), MXC_EINVAL); /* before eoh */
  ck_assert_int_eq(mxc_dkim_header(chk, "From: a@b.example\r\n", 19), MXC_OK);
  ck_assert_int_eq(mxc_dkim_eoh(chk), MXC_OK);
  ck_assert_int_eq(mxc_dkim_eoh(chk), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_header(chk, "A: b", 4), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_body(chk, NULL, 1), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_body(chk, NULL, 0), MXC_OK);
  ck_assert_int_eq(mxc_dkim_finish(chk, NULL, NULL), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_finish(chk, on_done, &g), MXC_OK);
  ck_assert_int_eq(mxc_dkim_finish(chk, on_done, &g), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_body(chk, "x", 1), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_set_input(chk, "late"), MXC_EINVAL);
  /* not a DKIM check */
  ck_assert_int_eq(mxc_fcrdns_start(ctx, "192.0.2.1", on_done, &g, &other),
                   MXC_OK);
  ck_assert_int_eq(mxc_dkim_header(other, "A: b", 4), MXC_EINVAL);
  ck_assert_int_eq(mxc_dkim_finish(other, on_done, &g), MXC_EINVAL);
  ck_assert_int_eq(mxc_run(ctx, 10000), MXC_OK);
  ck_assert_int_eq(g.calls, 2);
  mxc_result_free(g.res);
  mxc_ctx_free(ctx);
}
END_TEST

START_TEST(contract_limits)
{
  mxc_ctx_t *ctx = tu_ctx(tu_server("MXC_TEST_DNS"));
  struct got g = {0, MXC_OK, NULL};
  mxc_check_t *chk;
  char *big = malloc(MXC_DKIM_MAX_FIELD + 2);
  int i;

  ck_assert_ptr_nonnull(big);
  memcpy(big, "X-Big: ", 7);
  memset(big + 7, 'x', MXC_DKIM_MAX_FIELD + 1 - 7);
  /* a field of exactly MXC_DKIM_MAX_FIELD octets is taken, one more not */
  ck_assert_int_eq(mxc_dkim_new(ctx, &chk), MXC_OK);
  ck_assert_int_eq(mxc_dkim_header(chk, big, MXC_DKIM_MAX_FIELD), MXC_OK);
  ck_assert_int_eq(mxc_dkim_header(chk, big, MXC_DKIM_MAX_FIELD + 1),
                   MXC_ELIMIT);
  ck_assert_int_eq(mxc_dkim_header(chk, "From: a@b.example", 17), MXC_ELIMIT);
  ck_assert_int_eq(mxc_dkim_eoh(chk), MXC_ELIMIT);
  ck_assert_int_eq(mxc_dkim_body(chk, "x", 1), MXC_ELIMIT);
  ck_assert_int_eq(mxc_dkim_finish(chk, on_done, &g), MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  ck_assert_int_eq(g.calls, 1);
  ck_assert_int_eq(mxc_result_verdict(g.res), MXC_VERDICT_PERMERROR);
  ck_assert_msg(strstr(mxc_result_reason(g.res), "MXC_DKIM_MAX_FIELD"), "%s",
                mxc_result_reason(g.res));
  /* MXC_DKIM_MAX_FIELDS fields are taken, one more not */
  ck_assert_int_eq(mxc_dkim_new(ctx, &chk), MXC_OK);
  for (i = 0; i < MXC_DKIM_MAX_FIELDS; i++)
    ck_assert_int_eq(mxc_dkim_header(chk, "X-A: b", 6), MXC_OK);
  ck_assert_int_eq(mxc_dkim_header(chk, "X-A: b", 6), MXC_ELIMIT);
  g.calls = 0;
  ck_assert_int_eq(mxc_dkim_finish(chk, on_done, &g), MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
  ck_assert_int_eq(g.calls, 1);
  ck_assert_msg(strstr(mxc_result_reason(g.res), "MXC_DKIM_MAX_FIELDS"), "%s",
                mxc_result_reason(g.res));
  /* a body line over MXC_DKIM_MAX_LINE, given in two pieces */
  {
    char *m = rfc8463("\r\n", NULL, NULL);
    char *body = strstr(m, "\r\n\r\n");
    ck_assert_ptr_nonnull(body);
    body[2] = '\0'; /* the header only */
    chk = feed(ctx, m, strlen(m), 0);
    memset(big, 'y', MXC_DKIM_MAX_LINE / 2 + 1);
    ck_assert_int_eq(mxc_dkim_body(chk, "first line\r\n", 12), MXC_OK);
    ck_assert_int_eq(mxc_dkim_body(chk, big, MXC_DKIM_MAX_LINE / 2 + 1),
                     MXC_OK);
    ck_assert_int_eq(mxc_dkim_body(chk, big, MXC_DKIM_MAX_LINE / 2 + 1),
                     MXC_ELIMIT);
    ck_assert_int_eq(mxc_dkim_body(chk, "\r\n", 2), MXC_ELIMIT);
    g.calls = 0;
    ck_assert_int_eq(mxc_dkim_finish(chk, on_done, &g), MXC_OK);
    ck_assert_int_eq(mxc_run(ctx, 5000), MXC_OK);
    ck_assert_int_eq(g.calls, 1);
    ck_assert_int_eq(mxc_result_verdict(g.res), MXC_VERDICT_PERMERROR);
    ck_assert_msg(strstr(mxc_result_reason(g.res), "MXC_DKIM_MAX_LINE"), "%s",
                  mxc_result_reason(g.res));
    free(m);
  }
  mxc_result_free(g.res);
  free(big);
  mxc_ctx_free(ctx);
}
END_TEST

/* ---- RFC 8463 A.3 against Knot ------------------------------------------------ */

START_TEST(rfc8463_verifies)
{
  static const size_t chunks[] = {0, 1, 5, 64};
  mxc_ctx_t *ctx = tu_ctx(tu_server("MXC_TEST_DNS"));
  const char *eols[] = {"\r\n", "\n"};
  size_t e, k;

  ck_assert_int_eq(mxc_dkim_ed25519_supported(ctx), 1);
  for (e = 0; e < 2; e++)
    for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
      char *m = rfc8463(eols[e], NULL, NULL);
      mxc_result_t *r = verify(ctx, m, chunks[k]);
      ck_assert_str_eq(mxc_result_method(r), "dkim");
      ck_assert_str_eq(mxc_result_input(r), "test.eml");
      ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
      ck_assert_uint_eq(mxc_dkim_sig_count(r), 2);
      ck_assert_int_eq(mxc_dkim_sig_verdict(r, 0), MXC_VERDICT_PASS);
      ck_assert_int_eq(mxc_dkim_sig_verdict(r, 1), MXC_VERDICT_PASS);
      ck_assert_str_eq(mxc_dkim_sig_algorithm(r, 0), "ed25519-sha256");
      ck_assert_str_eq(mxc_dkim_sig_key_type(r, 0), "ed25519");
      ck_assert_uint_eq(mxc_dkim_sig_key_bits(r, 0), 256);
      ck_assert_str_eq(mxc_dkim_sig_key_type(r, 1), "rsa");
      ck_assert_uint_eq(mxc_dkim_sig_key_bits(r, 1), 1024);
      ck_assert_str_eq(mxc_dkim_sig_domain(r, 1), "football.example.com");
      ck_assert_str_eq(mxc_dkim_sig_selector(r, 1), "test");
      ck_assert_str_eq(mxc_dkim_sig_identity(r, 1), "@football.example.com");
      ck_assert_str_eq(mxc_dkim_sig_canon(r, 1), "relaxed/relaxed");
      ck_assert_str_eq(mxc_dkim_sig_b(r, 0), "/gCrinpc");
      ck_assert_str_eq(mxc_dkim_sig_key_name(r, 0),
                       "brisbane._domainkey.football.example.com");
      ck_assert_uint_eq(mxc_dkim_sig_header_count(r, 0), 8);
      ck_assert_str_eq(mxc_dkim_sig_header(r, 0, 4), "message-id");
      ck_assert_ptr_null(mxc_dkim_sig_header(r, 0, 8));
      ck_assert_int_eq(mxc_dkim_sig_timestamp(r, 0), 1528637909);
      ck_assert_int_eq(mxc_dkim_sig_expiration(r, 0), -1);
      ck_assert_int_eq(mxc_dkim_sig_body_length(r, 0), -1);
      ck_assert_str_eq(mxc_dkim_sig_error(r, 0), "");
      /* the 1024-bit RSA key: a warning, on the result too (RSA is the
       * signature that every receiver checks) */
      ck_assert_str_eq(mxc_dkim_sig_warning_code(r, 1, 0), "weak-key");
      ck_assert(tu_has_warning(r, "weak-key"));
      ck_assert_uint_eq(mxc_dkim_ignored(r), 0);
      mxc_result_free(r);
      free(m);
    }
  /* libopendkim's own resolver never ran */
  ck_assert_uint_eq(mxci_dkim_stray(ctx), 0);
  mxc_ctx_free(ctx);
}
END_TEST

START_TEST(rfc8463_tampered)
{
  mxc_ctx_t *ctx = tu_ctx(tu_server("MXC_TEST_DNS"));
  char *m;
  mxc_result_t *r;
  char *json;

  /* the body: both body hashes differ */
  m = rfc8463("\r\n", "We lost", "We won the game.  Are you hungry yet?");
  r = verify(ctx, m, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_FAIL);
  ck_assert_str_eq(mxc_dkim_sig_error(r, 0), "body-hash-mismatch");
  ck_assert_str_eq(mxc_dkim_sig_error(r, 1), "body-hash-mismatch");
  ck_assert_str_ne(mxc_result_fix(r), "");
  mxc_result_free(r);
  free(m);
  /* a signed header field */
  m = rfc8463("\r\n", "Subject:", "Subject: Is lunch ready?");
  r = verify(ctx, m, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_FAIL);
  ck_assert_str_eq(mxc_dkim_sig_error(r, 0), "signature-mismatch");
  ck_assert_str_eq(mxc_dkim_sig_error(r, 1), "signature-mismatch");
  mxc_result_free(r);
  free(m);
  /* an unsigned field added: still pass */
  m = rfc8463("\r\n", "Message-ID:",
              "Message-ID: <20030712040037.46341.5F8J@football.example.com>"
              "\r\nX-Added: by a relay");
  r = verify(ctx, m, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  mxc_result_free(r);
  free(m);
  /* a selector with no key: that signature is a permerror, the other
   * still passes */
  m = rfc8463("\r\n", " q=dns/txt; s=brisbane",
              " q=dns/txt; s=nokey; t=1528637909; h=from : to :");
  r = verify(ctx, m, 0);
  ck_assert_int_eq(mxc_dkim_sig_verdict(r, 0), MXC_VERDICT_PERMERROR);
  ck_assert_str_eq(mxc_dkim_sig_error(r, 0), "no-key");
  ck_assert_str_eq(mxc_dkim_sig_key_name(r, 0),
                   "nokey._domainkey.football.example.com");
  ck_assert_int_eq(mxc_dkim_sig_verdict(r, 1), MXC_VERDICT_PASS);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PASS);
  /* JSON: one object per signature under "dkim", the message's verdict */
  json = mxc_result_json(r);
  ck_assert_ptr_nonnull(json);
  ck_assert_msg(strstr(json, "\"message\":\"test.eml\"") &&
                    strstr(json, "\"dkim\":[{\"result\":\"permerror\"") &&
                    strstr(json, "\"dkim_result\":{\"result\":\"pass\""),
                "%s", json);
  mxc_free(json);
  mxc_result_free(r);
  free(m);
  /* unsigned */
  r = verify(ctx, "From: a@b.example\r\nSubject: x\r\n\r\nhi\r\n", 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_NONE);
  ck_assert_uint_eq(mxc_dkim_sig_count(r), 0);
  mxc_result_free(r);
  /* no From: libopendkim cannot verify, a clear permerror */
  m = rfc8463("\r\n", "From:", "Sender: Joe SixPack <joe@football.example.com>");
  r = verify(ctx, m, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_PERMERROR);
  ck_assert_str_eq(mxc_dkim_sig_error(r, 0), "message-not-verifiable");
  ck_assert_str_eq(mxc_dkim_sig_domain(r, 0), "football.example.com");
  mxc_result_free(r);
  free(m);
  /* a malformed DKIM-Signature */
  m = rfc8463("\r\n", " d=football.example.com; i=@football.example.com;",
              " d=football.example.com; i=@football.example.com; ;=;");
  r = verify(ctx, m, 0);
  ck_assert_int_eq(mxc_dkim_sig_verdict(r, 0), MXC_VERDICT_PERMERROR);
  ck_assert_str_eq(mxc_dkim_sig_error(r, 0), "signature-syntax");
  ck_assert_int_eq(mxc_dkim_sig_verdict(r, 1), MXC_VERDICT_PASS);
  mxc_result_free(r);
  free(m);
  ck_assert_uint_eq(mxci_dkim_stray(ctx), 0);
  mxc_ctx_free(ctx);
}
END_TEST

START_TEST(dns_failure_is_temperror)
{
  /* Nothing listens on the discard port: the key lookup fails at once or
   * times out; either way a temperror, never a pass or a fail. */
  mxc_ctx_t *ctx = tu_ctx("127.0.0.1:9");
  char *m = rfc8463("\r\n", NULL, NULL);
  mxc_result_t *r;
  ck_assert_int_eq(mxc_ctx_set_timeout_ms(ctx, 100), MXC_OK);
  ck_assert_int_eq(mxc_ctx_set_tries(ctx, 1), MXC_OK);
  r = verify(ctx, m, 0);
  ck_assert_int_eq(mxc_result_verdict(r), MXC_VERDICT_TEMPERROR);
  ck_assert_str_eq(mxc_dkim_sig_error(r, 0), "dns-error");
  ck_assert_str_eq(mxc_dkim_sig_error(r, 1), "dns-error");
  mxc_result_free(r);
  free(m);
  mxc_ctx_free(ctx);
}
END_TEST

/* Feed a whole message through the API, tolerating any failure (the
 * allocation-failure test); the check or NULL when it could not start. */
static mxc_check_t *feed_tolerant(mxc_ctx_t *ctx, const char *msg)
{
  mxc_check_t *chk;
  const char *p = msg, *body;
  if (mxc_dkim_new(ctx, &chk) != MXC_OK)
    return NULL;
  (void)mxc_dkim_set_input(chk, "oom.eml");
  body = strstr(msg, "\r\n\r\n");
  while (p < body) {
    const char *e = p;
    for (;;) { /* a field ends at a CRLF not followed by white space */
      e = strstr(e, "\r\n");
      if (e[2] != ' ' && e[2] != '\t')
        break;
      e += 2;
    }
    (void)mxc_dkim_header(chk, p, (size_t)(e - p));
    p = e + 2;
  }
  (void)mxc_dkim_eoh(chk);
  (void)mxc_dkim_body(chk, body + 4, strlen(body + 4));
  return chk;
}

START_TEST(allocation_failures)
{
  /* Fail each allocation in turn through a verification of the RFC 8463
   * message (two signatures, two keys): never a crash, never two
   * callbacks, no leak (the ASan and valgrind runs).  libopendkim's own
   * allocations are not ours to fail. */
  const char *server = tu_server("MXC_TEST_DNS");
  char *m = rfc8463("\r\n", NULL, NULL);
  int n, completed = 0;
  for (n = 1; n < 400; n++) {
    mxc_ctx_t *c = NULL;
    struct got g = {0, MXC_OK, NULL};
    mxc_check_t *chk;
    mxci_alloc_fail_after(n);
    if (mxc_ctx_new(&c) != MXC_OK)
      continue;
    if (mxc_ctx_set_servers(c, server) == MXC_OK &&
        (chk = feed_tolerant(c, m)) != NULL) {
      if (mxc_dkim_finish(chk, on_done, &g) == MXC_OK) {
        /* mxc_run() itself may run out of memory: the callback then
         * comes from mxc_ctx_free() (MXC_EDESTRUCTION) */
        if (mxc_run(c, 5000) == MXC_OK)
          ck_assert_int_eq(g.calls, 1);
        completed += g.calls == 1 && g.st == MXC_OK && g.res &&
                     mxc_result_verdict(g.res) == MXC_VERDICT_PASS;
        mxc_ctx_free(c);
        c = NULL;
        ck_assert_int_eq(g.calls, 1);
      } else {
        mxc_check_cancel(chk);
      }
    }
    mxc_result_free(g.res);
    mxc_ctx_free(c);
  }
  mxci_alloc_fail_after(0);
  ck_assert_int_gt(completed, 0);
  free(m);
}
END_TEST

/* ---- the two paths: verification on cached keys vs libopendkim alone ------- */

/* The JSON of a message verified in ctx (the result freed). */
static char *verify_json(mxc_ctx_t *ctx, const char *msg, size_t len)
{
  struct got g = {0, MXC_OK, NULL};
  mxc_check_t *chk = feed(ctx, msg, len, 0);
  char *json, *copy;
  ck_assert_int_eq(mxc_dkim_set_input(chk, "test.eml"), MXC_OK);
  ck_assert_int_eq(mxc_dkim_finish(chk, on_done, &g), MXC_OK);
  ck_assert_int_eq(mxc_run(ctx, 60000), MXC_OK);
  ck_assert_int_eq(g.calls, 1);
  ck_assert_int_eq(g.st, MXC_OK);
  ck_assert_ptr_nonnull(g.res);
  json = mxc_result_json(g.res);
  ck_assert_ptr_nonnull(json);
  copy = strdup(json);
  mxc_free(json);
  mxc_result_free(g.res);
  return copy;
}

/* Two contexts on one server: keys cached (fast) and libopendkim alone. */
struct paths {
  mxc_ctx_t *fast, *slow;
  size_t n;
};

static void paths_new(struct paths *p, const char *server, int timeout_ms)
{
  p->fast = tu_ctx(server);
  p->slow = tu_ctx(server);
  p->n = 0;
  ck_assert_int_eq(mxc_ctx_set_timeout_ms(p->fast, timeout_ms), MXC_OK);
  ck_assert_int_eq(mxc_ctx_set_timeout_ms(p->slow, timeout_ms), MXC_OK);
  mxci_dkim_set_libopendkim_only(p->fast, 0);
  mxci_dkim_set_libopendkim_only(p->slow, 1);
}

/* The message through both paths, twice through the cached keys (the
 * second time every key it uses has been learned): the same JSON. */
static void paths_agree(struct paths *p, const char *name, const char *msg,
                        size_t len)
{
  char *a = verify_json(p->fast, msg, len);
  char *b = verify_json(p->slow, msg, len);
  char *c = verify_json(p->fast, msg, len);
  ck_assert_msg(strcmp(a, b) == 0, "%s: cached keys\n%s\nlibopendkim\n%s",
                name, a, b);
  ck_assert_msg(strcmp(c, b) == 0, "%s: cached keys (again)\n%s\n"
                "libopendkim\n%s", name, c, b);
  free(a);
  free(b);
  free(c);
  p->n++;
}

/* Both paths were taken as meant: the libopendkim one never verified on a
 * cached key, the other did at least `min` times. */
static void paths_free(struct paths *p, unsigned long min)
{
  unsigned long fast, learned;
  mxci_dkim_stats(p->slow, &fast, &learned);
  ck_assert_uint_eq(fast, 0);
  ck_assert_uint_eq(learned, 0);
  mxci_dkim_stats(p->fast, &fast, &learned);
  ck_assert_msg(fast >= min && learned > 0,
                "%zu messages: %lu signatures verified on cached keys, %lu "
                "keys learned",
                p->n, fast, learned);
  fprintf(stderr, "paths: %zu messages; %lu signatures verified on cached "
          "keys, %lu keys learned\n", p->n, fast, learned);
  ck_assert_uint_eq(mxci_dkim_stray(p->fast), 0);
  ck_assert_uint_eq(mxci_dkim_stray(p->slow), 0);
  mxc_ctx_free(p->fast);
  mxc_ctx_free(p->slow);
}

START_TEST(paths_agree_rfc8463)
{
  /* The RFC 8463 message (Ed25519 and RSA) intact and damaged, through
   * both paths. */
  static const char *const edits[][2] = {
      {NULL, NULL},
      {"We lost", "We won the game.  Are you hungry yet?"},
      {"Subject:", "Subject: Is lunch ready?"},
      {"Message-ID:", "Message-ID: <20030712040037.46341.5F8J@football."
                      "example.com>\r\nX-Added: by a relay"},
      {" q=dns/txt; s=brisbane",
       " q=dns/txt; s=nokey; t=1528637909; h=from : to :"},
      {"From:", "Sender: Joe SixPack <joe@football.example.com>"},
      /* b= of each changed; the last octet of RSA's b= written with
       * non-zero padding bits (the same octets: still a pass); bh= so */
      {" b=/gCrinpc",
       " b=/gCrinpdQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus"},
      {" b=F45dVWDf",
       " b=F45dVWDgMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3"},
      {" dA+L10TeYt9B",
       " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+9="},
      {" bh=2jUSOH", " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv9=;"},
  };
  const char *eols[] = {"\r\n", "\n"};
  struct paths p;
  size_t i, e;

  paths_new(&p, tu_server("MXC_TEST_DNS"), 5000);
  for (e = 0; e < 2; e++)
    for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
      char *m = rfc8463(eols[e], edits[i][0], edits[i][1]);
      char name[32];
      snprintf(name, sizeof(name), "edit %zu%s", i, e ? " (LF)" : "");
      paths_agree(&p, name, m, strlen(m));
      free(m);
    }
  paths_free(&p, 10);
}
END_TEST

START_TEST(paths_agree_cache_limits)
{
  /* Entries expire with the record's TTL (300 s in the zone) and the
   * oldest goes when the cache is full, while checks still hold them: the
   * results stay those of libopendkim alone, keys are learned again. */
  char *m = rfc8463("\r\n", NULL, NULL);
  struct paths p;
  unsigned long fast0, learned0, fast1, learned1;

  paths_new(&p, tu_server("MXC_TEST_DNS"), 5000);
  paths_agree(&p, "intact", m, strlen(m));
  mxci_dkim_stats(p.fast, &fast0, &learned0);
  ck_assert_uint_eq(learned0, 2); /* Ed25519 and RSA */
  ck_assert_uint_eq(fast0, 2);    /* the second time through */
  mxci_dkim_key_cache_test(p.fast, 0, 301 * 1000);
  paths_agree(&p, "expired", m, strlen(m));
  mxci_dkim_stats(p.fast, &fast1, &learned1);
  ck_assert_uint_eq(learned1, 4); /* learned again */
  ck_assert_uint_eq(fast1, 4);
  /* room for one entry, two keys a message (the entries there expired):
   * each key drops the other's entry, which its check still holds */
  mxci_dkim_key_cache_test(p.fast, 1, 301 * 1000);
  paths_agree(&p, "one entry", m, strlen(m));
  paths_agree(&p, "one entry (again)", m, strlen(m));
  mxci_dkim_stats(p.fast, &fast1, &learned1);
  ck_assert_uint_eq(fast1, 4);       /* no key stays to be verified on */
  ck_assert_uint_eq(learned1, 12);   /* both learned each time, in vain */
  free(m);
  paths_free(&p, 4);
}
END_TEST

static int by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(paths_agree_corpus)
{
  /* tests/dkim/run.sh sets these: the corpus of cases.py (every key and
   * algorithm, bad signatures, hostile messages) and its key server. */
  const char *dir = getenv("MXC_DKIM_CORPUS");
  const char *server = getenv("MXC_DKIM_KEYSERVER");
  struct paths p;
  struct dirent *de;
  char **names = NULL;
  size_t n = 0, i;
  DIR *d;

  if (dir == NULL || server == NULL)
    return; /* only under tests/dkim/run.sh */
  d = opendir(dir);
  ck_assert_msg(d != NULL, "%s", dir);
  while ((de = readdir(d)) != NULL) {
    size_t l = strlen(de->d_name);
    if (l < 4 || strcmp(de->d_name + l - 4, ".eml") != 0)
      continue;
    names = realloc(names, (n + 1) * sizeof(*names));
    ck_assert_ptr_nonnull(names);
    names[n++] = strdup(de->d_name);
  }
  closedir(d);
  ck_assert_uint_gt(n, 0);
  qsort(names, n, sizeof(*names), by_name);
  paths_new(&p, server, 1000);
  for (i = 0; i < n; i++) {
    char path[4096];
    FILE *f;
    char *buf;
    long len;
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    ck_assert_int_ge(len, 0);
    rewind(f);
    buf = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    paths_agree(&p, names[i], buf, (size_t)len);
    free(buf);
    free(names[i]);
  }
  free(names);
  paths_free(&p, n / 2);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("dkim");
  TCase *t = tcase_create("units");
  tcase_add_test(t, crlf_conversion);
  tcase_add_test(t, split_messages);
  tcase_add_test(t, split_limits);
  tcase_add_test(t, split_long_lines);
  suite_add_tcase(s, t);
  t = tcase_create("contract");
  tcase_set_timeout(t, 60);
  tcase_add_test(t, contract_cancel_and_free);
  tcase_add_test(t, contract_misuse);
  tcase_add_test(t, contract_limits);
  tcase_add_test(t, allocation_failures);
  suite_add_tcase(s, t);
  t = tcase_create("rfc8463");
  tcase_set_timeout(t, 60);
  tcase_add_test(t, rfc8463_verifies);
  tcase_add_test(t, rfc8463_tampered);
  tcase_add_test(t, dns_failure_is_temperror);
  suite_add_tcase(s, t);
  t = tcase_create("paths");
  tcase_set_timeout(t, 600);
  tcase_add_test(t, paths_agree_rfc8463);
  tcase_add_test(t, paths_agree_cache_limits);
  tcase_add_test(t, paths_agree_corpus);
  suite_add_tcase(s, t);
  return s;
}

int main(void)
{
  tu_server("MXC_TEST_DNS");
  return tu_run_suite(suite());
}
