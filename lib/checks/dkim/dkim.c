/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim.c -- DKIM verification of a streamed message (RFC 6376, RFC 8463
 * Ed25519, RFC 8301): libopendkim canonicalises and verifies, the engine
 * fetches the keys.  notes/libopendkim.md has the measured recipe; in
 * short, with DKIM_LIBFLAGS_DELAYSIGPROC:
 *
 *  - header fields go to dkim_header() with CRLF line ends; bare LF is
 *    turned into CRLF here (libopendkim's DKIM_LIBFLAGS_FIXCRLF hashes
 *    folded fields truncated);
 *  - at eoh libopendkim lists the signatures without touching a key, and
 *    the key of each (selector._domainkey.domain TXT) is asked through
 *    mxci_dns_lookup() at once, all in parallel, one lookup per name; the
 *    record is copied here when it arrives (the cache may drop it later);
 *  - body chunks go to dkim_body() as they come: the body is never held;
 *  - once the message is finished and every key is in, dkim_eom() runs.
 *    Its key lookup callback copies the kept record into libopendkim's
 *    1025-octet buffer.  Missing keys, DNS failures and records it cannot
 *    take are marked on the signature before eom (dkim_sig_seterror(),
 *    which libopendkim keeps), so the callback never answers TRYAGAIN (a
 *    false "bad signature" at eom) nor DEFAULT (libopendkim's own blocking
 *    resolver: its hooks are set to refuse, and counted in the context's
 *    DKIM state: mxci_dkim_stray()).
 *  - key records are decoded once per context (the key cache, struct
 *    kent): once libopendkim has verified a signature with a record, later
 *    signatures of the same algorithm on it are verified here from the
 *    hashes libopendkim computed, and libopendkim skips them (it would
 *    decode the key's DER again for each).  MXC_DKIM_LIBOPENDKIM_ONLY=1
 *    leaves every signature to libopendkim; the tests compare both.
 *  - when every signature of a message will be verified that way (known at
 *    the end of the header, the keys coming from the cache) and hashes the
 *    body relaxed and whole, the body is canonicalised and hashed here
 *    instead of by libopendkim (own_decide(): libopendkim's state machine,
 *    without its octet-at-a-time string appends).
 *
 * One DKIM_LIB per context, made on first use: a context belongs to one
 * thread at a time, and so does its DKIM_LIB.
 */
#include "mxc_private.h"
#include "dkim_private.h"

#include <ctype.h>
#include <dkim.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* libopendkim hands the key lookup callback BUFRSZ + 1 = 1025 octets
 * (notes/libopendkim.md, section 1): a longer record (RSA-8192 is about
 * 1,430 octets) cannot be given to it. */
#define LIBOPENDKIM_KEY_MAX 1024
/* Octets of a key record kept in the result (a TXT answer can be 64 KB). */
#define MAX_SHOWN_RECORD 2048
/* Octets of a field shown in a reason (a malformed DKIM-Signature). */
#define MAX_SHOWN_TEXT 200
/* Body octets converted to CRLF at a time. */
#define BODY_CHUNK 65536
/* Identities are cut here (RFC 5321 section 4.5.3.1.3: a path is at most
 * 256 octets). */
#define MAX_IDENTITY 512

enum { PH_HEADER, PH_BODY, PH_FINISHED, PH_DONE };
/* What dkim_eoh() made of the message. */
enum { M_NONE, M_SIGNED, M_NOSIG, M_UNUSABLE };
enum { K_PENDING, K_FOUND, K_NONE, K_TEMP, K_BIG, K_BAD };
/* Header fields whose presence matters to the warnings. */
enum { HN_FROM, HN_TO, HN_SUBJECT, HN_DATE, HN_COUNT };
static const char *const hn_names[HN_COUNT] = {"from", "to", "subject",
                                               "date"};

struct dkim;
struct kent;
struct mxci_dkim_canon;

struct key {
  struct mxci_waiter w;
  struct dkim *s;
  int active;     /* lookup in flight */
  int state;      /* K_* */
  char *name;     /* selector._domainkey.domain */
  const char *rec; /* K_FOUND, K_BIG: the record, strings joined */
  size_t len;
  char *cause;    /* K_NONE, K_TEMP, K_BAD: why */
  int dnssec;
  int nrecords;   /* TXT records at the name */
  int form;       /* RSA p=: KF_* */
  const char *published; /* KF_PKCS1: the record as published (rec:
                            converted) */
  struct kent *ce; /* K_FOUND, K_BIG: the context's entry (rec, published
                      point into it); a reference */
};

/* The structure of an RSA key's p= (RFC 6376 section 3.6.1 names
 * RSAPublicKey, PKCS#1; most signers publish SubjectPublicKeyInfo, and
 * libopendkim decodes only that). */
enum { KF_UNKNOWN, KF_SPKI, KF_PKCS1 };

struct sigrec {
  DKIM_SIGINFO *si;  /* libopendkim's, after eoh; NULL: not in its list */
  int fast;          /* verified here on the cached key (f_*), not by
                        libopendkim */
  int f_err, f_bh;   /* what libopendkim would have said: DKIM_SIGERROR_*, */
  unsigned f_flags;  /* DKIM_SIGBH_*, DKIM_SIGFLAG_* */
  int malformed;     /* dkim_header() refused the field's tag list */
  int badname;       /* d= or s= cannot be looked up */
  char *why;         /* malformed: libopendkim's words */
  char *d, *s, *a;   /* parsed here, for display (printable) */
  int key;           /* index in keys[], -1: none */
  unsigned char *b;  /* b= decoded (own_decide()), for sig_crypto() */
  size_t blen;
};

struct dkim {
  mxc_check_t *chk;
  DKIM *d;
  char id[24];       /* libopendkim keeps the pointer: lives as long */
  int phase;
  int mode;          /* M_* */
  char *why;         /* M_UNUSABLE: libopendkim's words */
  char *refused;     /* a limit was passed: why (not verified) */
  int oom;
  char *input;
  size_t nfields, hbytes;
  int present[HN_COUNT];
  size_t skipped;    /* fields libopendkim refused (not signatures) */
  char *skipped_why;
  struct sigrec sig[MXC_DKIM_MAX_SIGNATURES];
  size_t nsig, ignored;
  struct key keys[MXC_DKIM_MAX_SIGNATURES];
  size_t nkeys, pending;
  int cr;            /* the last body octet given was CR */
  size_t line;       /* octets of the body line being given */
  char *hbuf;        /* header field converted to CRLF */
  size_t hcap;
  char *conv;        /* body chunk converted to CRLF (2 * BODY_CHUNK) */
  int eom_status;
  char *eom_error;
  struct mxci_dkim_canon *own; /* the body canonicalised here (see own_decide) */
};

static const struct mxci_check_ops dkim_ops;

/* ---- CRLF --------------------------------------------------------------- */

size_t mxci_crlf(const char *in, size_t n, int *cr, char *out)
{
  size_t i = 0, o = 0;
  int prev = *cr;
  while (i < n) {
    const char *lf = memchr(in + i, '\n', n - i);
    size_t run = lf ? (size_t)(lf - (in + i)) : n - i;
    if (run) {
      memcpy(out + o, in + i, run);
      o += run;
      i += run;
      prev = in[i - 1] == '\r';
    }
    if (lf == NULL)
      break;
    if (!prev)
      out[o++] = '\r';
    out[o++] = '\n';
    i++;
    prev = 0;
  }
  *cr = prev;
  return o;
}

/* ---- small helpers ------------------------------------------------------ */

/* p[0..n) as printable ASCII: other octets as \DDD, '\' doubled (as
 * mxci_printable(), by runs: key records are printed per message). */
static char *printable(const char *p, size_t n)
{
  struct mxci_buf b = {0};
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && (unsigned char)p[j] >= 0x20 && (unsigned char)p[j] < 0x7f &&
           p[j] != '\\')
      j++;
    if (j > i)
      mxci_buf_add(&b, p + i, j - i);
    if (j < n) {
      if (p[j] == '\\')
        mxci_buf_puts(&b, "\\\\");
      else
        mxci_buf_printf(&b, "\\%03u", (unsigned char)p[j]);
      j++;
    }
    i = j;
  }
  return mxci_buf_take(&b);
}

static char *printable_cut(const char *p, size_t n, size_t max)
{
  char *s, *t;
  if (n <= max)
    return printable(p, n);
  s = printable(p, max);
  if (s == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  t = mxci_asprintf("%s... (%zu octets)", s, n);
  mxci_free(s);
  return t;
}

static int is_wsp(int c) { return c == ' ' || c == '\t'; }
static int is_fws(int c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The value of tag `name` in a tag=value list (RFC 6376 section 3.2), its
 * folding white space removed, as a printable string; NULL when absent (or
 * out of memory).  Used where libopendkim has no parse to offer: malformed
 * signatures, key records with several strings.
 */
static char *tag_value(const char *list, size_t len, const char *name)
{
  size_t i = 0, nlen = strlen(name);
  while (i < len) {
    size_t ts, te, vs, ve;
    while (i < len && is_fws((unsigned char)list[i]))
      i++;
    ts = i;
    while (i < len && list[i] != '=' && list[i] != ';' &&
           !is_fws((unsigned char)list[i]))
      i++;
    te = i;
    while (i < len && is_fws((unsigned char)list[i]))
      i++;
    if (i >= len || list[i] != '=') {
      /* not a tag-spec: skip to the next ';' */
      while (i < len && list[i] != ';')
        i++;
      i++;
      continue;
    }
    i++;
    vs = i;
    while (i < len && list[i] != ';')
      i++;
    ve = i;
    i++;
    if (te - ts == nlen && memcmp(list + ts, name, nlen) == 0) {
      struct mxci_buf b = {0};
      size_t k;
      char *out;
      for (k = vs; k < ve; k++)
        if (!is_fws((unsigned char)list[k]))
          mxci_buf_add(&b, list + k, 1);
      out = mxci_buf_take(&b);
      if (out) {
        char *p = printable(out, strlen(out));
        mxci_free(out);
        out = p;
      }
      return out;
    }
  }
  return NULL;
}

/* Can selector._domainkey.domain be asked: letters, digits, '-', '_' and
 * dots in 1..63-octet labels (RFC 6376 section 3.1: the selector and d=
 * are domain names; '_' is tolerated, as receivers do). */
static int key_name_ok(const char *name)
{
  const char *p;
  for (p = name; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return 0;
  }
  return mxci_name_ok(name, 0);
}

/* ---- libopendkim, once per context --------------------------------------- */

/* libopendkim's own resolver must never run.  Its hooks are replaced: the
 * service handle is the context, init and close do nothing, and a query
 * fails at once (the signature then gets KEYFAIL, a temperror) and is
 * counted: tests check the count stays 0. */
/* The context's DKIM state. */
struct dkim_ctx {
  DKIM_LIB *lib;       /* made on first use */
  unsigned long stray; /* libopendkim's own DNS asked (must stay 0) */
  int libopendkim_only; /* no verification on cached keys (tests) */
  int canon_check;     /* MXC_DKIM_CANON_CHECK: the body canonicalised
                          here is also given to libopendkim, and the body
                          hashes compared (tests) */
  unsigned minbits;    /* libopendkim's DKIM_OPTS_MINKEYBITS */
  struct kent **kc;    /* the key cache, oldest first */
  size_t nkc, kc_max;  /* kc_max: KEY_CACHE_MAX, lower in tests */
  unsigned long fast, learned; /* signatures verified here; keys learned */
};

/*
 * The key cache: each key record fetched, decoded once.  An entry is keyed
 * by the name and the record's exact text and lives for the record's TTL;
 * checks hold references, so an entry dropped from the cache stays valid
 * for the checks that use it.
 *
 * Verifying on a cached key: libopendkim decodes the key's DER for every
 * signature (d2i_PUBKEY_bio, the slowest step of a verification with
 * OpenSSL 3).  The first signature of each algorithm (DKIM_SIGN_*) to use
 * a record goes through libopendkim, which applies every rule of the key
 * record (v=, h= against the signature's hash, s=, k=, p=, t=); when it
 * verified the header signature, and the same verification on the key
 * decoded here agrees with it (header signature, body hash), the record is
 * "learned" for that algorithm, with what libopendkim saw of it (k=, t=y,
 * t=s, the key size it reports).  Later signatures of that algorithm on the
 * same record are verified here, from the hashes libopendkim computed
 * (dkim_sig_gethashes()), by the steps of libopendkim's dkim_sig_process()
 * and dkim_eom_verify(); libopendkim is told to ignore them.
 */
struct kent {
  unsigned refs;
  char *name;
  char *text;        /* the record as published (strings joined) */
  size_t tlen;
  int64_t expires;   /* mxci_now_ms() */
  char *rec;         /* what libopendkim is given: text, or text with a
                        PKCS#1 p= rewritten as SubjectPublicKeyInfo */
  size_t len;
  int form;          /* KF_* */
  EVP_PKEY *rsa;     /* p= as RSA SubjectPublicKeyInfo (or PKCS#1) */
  EVP_PKEY *ed;      /* p= as a raw Ed25519 key (32 octets) */
  EVP_PKEY_CTX *rv[2]; /* rsa made ready to verify rsa-sha1, rsa-sha256
                          signatures (made on first use) */
  unsigned learned;  /* bit (1 << DKIM_SIGN_*): see above */
  int distrust;      /* a verification here disagreed: never again */
  char *ktag;        /* libopendkim's k= (NULL: absent) */
  unsigned bits[3];  /* libopendkim's key size, per DKIM_SIGN_* */
  unsigned kflags;   /* DKIM_SIGFLAG_TESTKEY, _NOSUBDOMAIN from t= */
};

/* Entries kept; the oldest goes first when full. */
#define KEY_CACHE_MAX 256
/* A record's TTL is capped here (seconds). */
#define KEY_CACHE_MAX_TTL 86400

static void kent_unref(struct kent *e)
{
  if (e == NULL || --e->refs > 0)
    return;
  if (e->rec != e->text)
    mxci_free(e->rec);
  mxci_free(e->text);
  mxci_free(e->name);
  mxci_free(e->ktag);
  EVP_PKEY_CTX_free(e->rv[0]);
  EVP_PKEY_CTX_free(e->rv[1]);
  EVP_PKEY_free(e->rsa);
  EVP_PKEY_free(e->ed);
  mxci_free(e);
}

static void kc_drop(struct dkim_ctx *dc, size_t i)
{
  kent_unref(dc->kc[i]);
  memmove(dc->kc + i, dc->kc + i + 1, (dc->nkc - i - 1) * sizeof(*dc->kc));
  dc->nkc--;
}

static int dns_init_hook(void **srv)
{
  (void)srv;
  return 0;
}
static void dns_close_hook(void *srv) { (void)srv; }
static int dns_start_hook(void *srv, int type, unsigned char *query,
                          unsigned char *buf, size_t buflen, void **qh)
{
  struct dkim_ctx *dc = srv;
  (void)type;
  (void)query;
  (void)buf;
  (void)buflen;
  (void)qh;
  if (dc)
    dc->stray++;
  return DKIM_DNS_ERROR;
}

static DKIM_CBSTAT key_lookup(DKIM *d, DKIM_SIGINFO *si, unsigned char *buf,
                              size_t buflen);

static DKIM_CBSTAT final_cb(DKIM *d, DKIM_SIGINFO **sigs, int nsigs);

void *mxci_dkim_ctx_new(void)
{
  struct dkim_ctx *dc = mxci_calloc(1, sizeof(struct dkim_ctx));
  /* libopendkim's own path only: for the tests that compare both. */
  const char *e = getenv("MXC_DKIM_LIBOPENDKIM_ONLY");
  const char *c = getenv("MXC_DKIM_CANON_CHECK");
  if (dc) {
    dc->libopendkim_only = e != NULL && *e != '\0' && strcmp(e, "0") != 0;
    dc->canon_check = c != NULL && *c != '\0' && strcmp(c, "0") != 0;
  }
  return dc;
}

void mxci_dkim_ctx_free(void *state)
{
  struct dkim_ctx *dc = state;
  while (dc->nkc > 0)
    kc_drop(dc, dc->nkc - 1);
  mxci_free(dc->kc);
  if (dc->lib)
    dkim_close(dc->lib);
  mxci_free(dc);
}

void mxci_dkim_set_libopendkim_only(mxc_ctx_t *ctx, int on)
{
  struct dkim_ctx *dc = mxci_ctx_state(ctx, &mxci_dkim_method);
  if (dc)
    dc->libopendkim_only = on;
}

void mxci_dkim_key_cache_test(mxc_ctx_t *ctx, size_t max, int64_t age_ms)
{
  struct dkim_ctx *dc = mxci_ctx_state(ctx, &mxci_dkim_method);
  size_t i;
  if (dc == NULL)
    return;
  if (max > 0 && max <= KEY_CACHE_MAX)
    dc->kc_max = max;
  for (i = 0; i < dc->nkc; i++)
    dc->kc[i]->expires -= age_ms;
}

void mxci_dkim_stats(mxc_ctx_t *ctx, unsigned long *fast,
                     unsigned long *learned)
{
  struct dkim_ctx *dc = mxci_ctx_state(ctx, &mxci_dkim_method);
  *fast = dc ? dc->fast : 0;
  *learned = dc ? dc->learned : 0;
}

unsigned long mxci_dkim_stray(mxc_ctx_t *ctx)
{
  struct dkim_ctx *dc = mxci_ctx_state(ctx, &mxci_dkim_method);
  return dc ? dc->stray : 0;
}

static mxc_status_t lib_get(mxc_ctx_t *ctx, DKIM_LIB **out)
{
  struct dkim_ctx *dc = mxci_ctx_state(ctx, &mxci_dkim_method);
  DKIM_LIB *lib;
  unsigned int flags = DKIM_LIBFLAGS_DELAYSIGPROC;

  if (dc == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  lib = dc->lib;
  if (lib == NULL) {
    lib = dkim_init(NULL, NULL);
    if (lib == NULL)
      return MXC_EDEPENDENCY; /* LCOV_EXCL_LINE: OutOfMemory */
    if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
                     sizeof(flags)) != DKIM_STAT_OK ||
        dkim_set_key_lookup(lib, key_lookup) != DKIM_STAT_OK ||
        dkim_set_final(lib, final_cb) != DKIM_STAT_OK ||
        dkim_options(lib, DKIM_OP_GETOPT, DKIM_OPTS_MINKEYBITS, &dc->minbits,
                     sizeof(dc->minbits)) != DKIM_STAT_OK) {
      dkim_close(lib); /* LCOV_EXCL_LINE: cannot fail */
      return MXC_EDEPENDENCY; /* LCOV_EXCL_LINE: cannot fail */
    }
    (void)dkim_dns_set_query_service(lib, dc);
    dkim_dns_set_init(lib, dns_init_hook);
    dkim_dns_set_close(lib, dns_close_hook);
    dkim_dns_set_query_start(lib, dns_start_hook);
    dc->lib = lib;
  }
  *out = lib;
  return MXC_OK;
}

int mxc_dkim_ed25519_supported(mxc_ctx_t *ctx)
{
  DKIM_LIB *lib;
  if (!mxci_ctx_valid(ctx) || lib_get(ctx, &lib) != MXC_OK)
    return -1;
  return dkim_libfeature(lib, DKIM_FEATURE_ED25519) ? 1 : 0;
}

/* ---- the check ------------------------------------------------------------ */

static struct dkim *get(mxc_check_t *chk)
{
  if (chk == NULL || chk->magic != MXCI_CHECK_MAGIC || chk->ops != &dkim_ops ||
      chk->state != MXCI_CHK_RUNNING)
    return NULL;
  return chk->priv;
}

static void keys_cancel(struct dkim *s)
{
  size_t i;
  for (i = 0; i < s->nkeys; i++)
    if (s->keys[i].active) {
      mxci_dns_cancel(&s->keys[i].w);
      s->keys[i].active = 0;
    }
  s->pending = 0;
}

/* Release what only verification needs (libopendkim's handle holds the
 * whole header). */
static void release_work(struct dkim *s)
{
  if (s->d)
    dkim_free(s->d);
  s->d = NULL;
  mxci_free(s->hbuf);
  s->hbuf = NULL;
  s->hcap = 0;
  mxci_free(s->conv);
  s->conv = NULL;
  mxci_dkim_canon_free(s->own);
  s->own = NULL;
}

static void dkim_abort(mxc_check_t *chk)
{
  struct dkim *s = chk->priv;
  if (s)
    keys_cancel(s);
}

static void dkim_free_priv(mxc_check_t *chk)
{
  struct dkim *s = chk->priv;
  size_t i;
  if (s == NULL)
    return;
  keys_cancel(s);
  release_work(s);
  for (i = 0; i < s->nsig; i++) {
    mxci_free(s->sig[i].why);
    mxci_free(s->sig[i].d);
    mxci_free(s->sig[i].s);
    mxci_free(s->sig[i].a);
    mxci_free(s->sig[i].b);
  }
  for (i = 0; i < s->nkeys; i++) {
    mxci_free(s->keys[i].name);
    kent_unref(s->keys[i].ce); /* rec, published are its */
    mxci_free(s->keys[i].cause);
  }
  mxci_free(s->why);
  mxci_free(s->refused);
  mxci_free(s->input);
  mxci_free(s->skipped_why);
  mxci_free(s->eom_error);
  mxci_free(s);
  chk->priv = NULL;
}

static const struct mxci_check_ops dkim_ops = {dkim_abort, dkim_free_priv};

mxc_status_t mxc_dkim_new(mxc_ctx_t *ctx, mxc_check_t **out)
{
  struct dkim *s;
  mxc_check_t *chk;
  DKIM_LIB *lib;
  DKIM_STAT dst = DKIM_STAT_OK;
  mxc_status_t st;

  if (out)
    *out = NULL;
  if (!mxci_ctx_valid(ctx) || out == NULL)
    return MXC_EINVAL;
  if (ctx->free_requested)
    return MXC_EDESTRUCTION;
  st = lib_get(ctx, &lib);
  if (st != MXC_OK)
    return st;
  s = mxci_calloc(1, sizeof(*s));
  chk = s ? mxci_check_new(ctx, &dkim_ops, NULL, NULL) : NULL;
  if (chk == NULL) {
    mxci_free(s);      /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  chk->priv = s;
  s->chk = chk;
  snprintf(s->id, sizeof(s->id), "mxcheck");
  s->d = dkim_verify(lib, (const unsigned char *)s->id, NULL, &dst);
  if (s->d == NULL) {
    mxci_check_discard(chk); /* LCOV_EXCL_LINE: OutOfMemory */
    return dst == DKIM_STAT_NORESOURCE ? MXC_ENOMEM : MXC_EDEPENDENCY;
  }
  dkim_set_user_context(s->d, s);
  *out = chk;
  return MXC_OK;
}

mxc_status_t mxc_dkim_set_input(mxc_check_t *chk, const char *name)
{
  struct dkim *s = get(chk);
  char *copy;
  if (s == NULL || name == NULL || chk->cb != NULL)
    return MXC_EINVAL;
  copy = mxci_strdup(name);
  if (copy == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  mxci_free(s->input);
  s->input = copy;
  return MXC_OK;
}

static mxc_status_t refuse(struct dkim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static mxc_status_t refuse(struct dkim *s, const char *fmt, ...)
{
  va_list ap;
  char buf[256];
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  s->refused = mxci_strdup(buf);
  if (s->refused == NULL)
    s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
  release_work(s);
  keys_cancel(s);
  return MXC_ELIMIT;
}

static int name_is(const char *p, size_t n, const char *name)
{
  return strlen(name) == n && strncasecmp(p, name, n) == 0;
}

mxc_status_t mxc_dkim_header(mxc_check_t *chk, const char *field, size_t len)
{
  struct dkim *s = get(chk);
  const char *colon;
  size_t nlen, k, n;
  int is_sig, cr = 0;
  DKIM_STAT dst;

  if (s == NULL || field == NULL || s->phase != PH_HEADER)
    return MXC_EINVAL;
  if (s->refused)
    return MXC_ELIMIT;
  if (s->oom)
    return MXC_ENOMEM;
  /* Tolerate the final line end the contract leaves out. */
  if (len > 0 && field[len - 1] == '\n')
    len--;
  if (len > 0 && field[len - 1] == '\r')
    len--;
  if (len == 0)
    return MXC_EINVAL;
  if (len > MXC_DKIM_MAX_FIELD)
    return refuse(s, "header field %zu is over %d octets (MXC_DKIM_MAX_FIELD)",
                  s->nfields + 1, MXC_DKIM_MAX_FIELD);
  if (s->nfields >= MXC_DKIM_MAX_FIELDS)
    return refuse(s, "the header has more than %d fields (MXC_DKIM_MAX_FIELDS)",
                  MXC_DKIM_MAX_FIELDS);
  if (s->hbytes + len > MXC_DKIM_MAX_HEADER)
    return refuse(s, "the header is over %d octets (MXC_DKIM_MAX_HEADER)",
                  MXC_DKIM_MAX_HEADER);
  s->nfields++;
  s->hbytes += len;

  /* The field name: up to the colon, white space before it dropped (RFC
   * 5322 section 4.5.8 obsolete syntax), as libopendkim does. */
  colon = memchr(field, ':', len);
  nlen = colon ? (size_t)(colon - field) : len;
  while (nlen > 0 && is_wsp((unsigned char)field[nlen - 1]))
    nlen--;
  for (k = 0; k < HN_COUNT; k++)
    if (name_is(field, nlen, hn_names[k]))
      s->present[k]++;
  is_sig = colon != NULL && name_is(field, nlen, DKIM_SIGNHEADER);
  if (is_sig && s->nsig >= MXC_DKIM_MAX_SIGNATURES) {
    s->ignored++;
    return MXC_OK;
  }

  if (2 * len > s->hcap) {
    char *nb = mxci_realloc(s->hbuf, 2 * len);
    if (nb == NULL) {
      s->oom = 1;        /* LCOV_EXCL_LINE: OutOfMemory */
      return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
    }
    s->hbuf = nb;
    s->hcap = 2 * len;
  }
  n = mxci_crlf(field, len, &cr, s->hbuf);
  dst = dkim_header(s->d, (unsigned char *)s->hbuf, n);
  if (dst == DKIM_STAT_NORESOURCE) {
    s->oom = 1;        /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  if (is_sig) {
    struct sigrec *g = &s->sig[s->nsig++];
    const char *v = colon + 1;
    size_t vlen = len - (size_t)(v - field);
    g->key = -1;
    g->d = tag_value(v, vlen, "d");
    g->s = tag_value(v, vlen, "s");
    g->a = tag_value(v, vlen, "a");
    if (dst != DKIM_STAT_OK) {
      const char *e = dkim_geterror(s->d);
      g->malformed = 1;
      g->why = printable(e ? e : "syntax error", strlen(e ? e : "syntax error"));
    }
  } else if (dst != DKIM_STAT_OK) {
    /* Not a field to libopendkim (a name that is not printable ASCII, no
     * colon): it is not hashed, so no signature can cover it. */
    if (s->skipped++ == 0) {
      const char *e = dkim_geterror(s->d);
      char *shown = printable_cut(field, nlen, 60);
      s->skipped_why = mxci_asprintf("field %zu (\"%s\"): %s", s->nfields,
                                     shown ? shown : "",
                                     e && *e ? e : "not a header field");
      mxci_free(shown);
    }
  }
  return MXC_OK;
}

/* ---- keys ------------------------------------------------------------------ */

static void complete(struct dkim *s);

/* Where the value of tag p= is in a key record: [*b, *e); -1 if none. */
static int p_span(const char *rec, size_t len, size_t *b, size_t *e)
{
  size_t i = 0;
  while (i < len) {
    size_t ns, ne, vs, ve;
    while (i < len && isspace((unsigned char)rec[i]))
      i++;
    ns = i;
    while (i < len && rec[i] != '=' && rec[i] != ';')
      i++;
    ne = i;
    while (ne > ns && isspace((unsigned char)rec[ne - 1]))
      ne--;
    if (i >= len || rec[i] == ';') {
      i++;
      continue;
    }
    vs = ++i;
    while (i < len && rec[i] != ';')
      i++;
    ve = i++;
    if (ne - ns == 1 && rec[ns] == 'p') {
      *b = vs;
      *e = ve;
      return 0;
    }
  }
  return -1;
}

/* Strict base64 (RFC 4648 section 4) of p[0..n), white space skipped:
 * the octets in a new buffer (*out, *outlen), or -1 when it is not
 * base64 exactly (then libopendkim's lenient decoder, which skips what it
 * does not know, might read other octets: such input is left to it). */
static int b64_strict(const char *p, size_t n, unsigned char **out,
                      size_t *outlen)
{
  char *b64 = mxci_malloc(n + 1);
  unsigned char *der = NULL;
  size_t i, m = 0;
  int dl;

  *out = NULL;
  *outlen = 0;
  if (b64 == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < n; i++)
    if (!isspace((unsigned char)p[i]))
      b64[m++] = p[i];
  b64[m] = '\0';
  if (m == 0 || m % 4 != 0 ||
      strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "abcdefghijklmnopqrstuvwxyz"
                  "0123456789+/") < m - 2 ||
      strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "abcdefghijklmnopqrstuvwxyz"
                  "0123456789+/=") != m ||
      (b64[m - 2] == '=' && b64[m - 1] != '='))
    goto bad;
  der = mxci_malloc(m / 4 * 3 + 1);
  if (der == NULL)
    goto bad; /* LCOV_EXCL_LINE: OutOfMemory */
  dl = EVP_DecodeBlock(der, (const unsigned char *)b64, (int)m);
  if (dl < 0)
    goto bad;
  dl -= (b64[m - 1] == '=') + (b64[m - 2] == '=');
  mxci_free(b64);
  *out = der;
  *outlen = (size_t)dl;
  return 0;
bad:
  mxci_free(der);
  mxci_free(b64);
  return -1;
}

/* Decode an entry's p= once: the form of an RSA key (a PKCS#1
 * RSAPublicKey is rewritten in e->rec as SubjectPublicKeyInfo, for
 * libopendkim), the RSA key and the Ed25519 key the octets make, if any
 * (libopendkim decodes by the signature's algorithm, whatever k= says). */
static void key_form(struct kent *e)
{
  size_t b, end, dl = 0;
  unsigned char *der = NULL, *spki = NULL;
  char *kt = tag_value(e->text, e->tlen, "k");
  const unsigned char *q;
  EVP_PKEY *pk = NULL;
  int sl, rsa_kt = kt == NULL || strcasecmp(kt, "rsa") == 0;

  if (p_span(e->text, e->tlen, &b, &end) < 0 || end == b ||
      b64_strict(e->text + b, end - b, &der, &dl) < 0)
    goto out;
  if (dl == 32)
    e->ed = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, dl);
  q = der;
  if ((pk = d2i_PUBKEY(NULL, &q, (long)dl)) != NULL && q == der + dl) {
    if (rsa_kt)
      e->form = KF_SPKI;
    if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA) {
      e->rsa = pk;
      pk = NULL;
    }
    goto out;
  }
  EVP_PKEY_free(pk);
  q = der;
  pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, (long)dl);
  if (pk == NULL || q != der + dl || !rsa_kt)
    goto out;
  sl = i2d_PUBKEY(pk, &spki);
  if (sl <= 0)
    goto out; /* LCOV_EXCL_LINE: OutOfMemory */
  {
    size_t el = ((size_t)sl + 2) / 3 * 4;
    char *rec = mxci_malloc(b + el + (e->tlen - end) + 1);
    if (rec == NULL)
      goto out; /* LCOV_EXCL_LINE: OutOfMemory */
    memcpy(rec, e->text, b);
    EVP_EncodeBlock((unsigned char *)rec + b, spki, sl);
    memcpy(rec + b + el, e->text + end, e->tlen - end);
    rec[b + el + (e->tlen - end)] = '\0';
    e->rec = rec;
    e->len = b + el + (e->tlen - end);
    e->form = KF_PKCS1;
    e->rsa = pk;
    pk = NULL;
  }
out:
  ERR_clear_error(); /* nothing of a failed decode is left for others */
  EVP_PKEY_free(pk);
  OPENSSL_free(spki);
  mxci_free(der);
  mxci_free(kt);
}

/* The cache's entry for this record at this name: found, or made (and its
 * key decoded).  A new reference; NULL when out of memory. */
static struct kent *kc_get(struct dkim_ctx *dc, const char *name,
                           const char *text, size_t tlen, uint32_t ttl)
{
  int64_t now = mxci_now_ms();
  struct kent *e;
  size_t i;

  for (i = 0; i < dc->nkc; i++) {
    e = dc->kc[i];
    if (e->tlen != tlen || memcmp(e->text, text, tlen) != 0 ||
        !mxci_name_eq(e->name, name))
      continue;
    if (e->expires <= now) {
      kc_drop(dc, i);
      break;
    }
    e->refs++;
    return e;
  }
  e = mxci_calloc(1, sizeof(*e));
  if (e == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  e->refs = 1;
  e->name = mxci_strdup(name);
  e->text = mxci_strndup(text, tlen);
  if (e->name == NULL || e->text == NULL) {
    kent_unref(e); /* LCOV_EXCL_LINE: OutOfMemory */
    return NULL;   /* LCOV_EXCL_LINE: OutOfMemory */
  }
  e->tlen = tlen;
  e->rec = e->text;
  e->len = tlen;
  e->expires =
      now + 1000 * (int64_t)(ttl > KEY_CACHE_MAX_TTL ? KEY_CACHE_MAX_TTL : ttl);
  key_form(e);
  if (dc->kc == NULL &&
      (dc->kc = mxci_calloc(KEY_CACHE_MAX, sizeof(*dc->kc))) == NULL)
    return e; /* LCOV_EXCL_LINE: OutOfMemory (used, not kept) */
  for (i = dc->nkc; i-- > 0;)
    if (dc->kc[i]->expires <= now)
      kc_drop(dc, i);
  if (dc->nkc >= (dc->kc_max ? dc->kc_max : KEY_CACHE_MAX))
    kc_drop(dc, 0);
  dc->kc[dc->nkc++] = e;
  e->refs++;
  return e;
}

static void key_store(struct key *k, const struct mxci_answer *ans)
{
  const struct mxci_rr *pick = NULL;
  const char *final;
  size_t i;
  int hops, n = 0, with_p = 0;
  struct dkim_ctx *dc;

  k->dnssec = ans->ad;
  if (ans->err != ARES_SUCCESS) {
    k->state = K_TEMP;
    k->cause = mxci_strdup(ans->cause ? ans->cause : mxci_dns_errstr(ans->err));
    return;
  }
  if (ans->rcode == MXCI_RCODE_NXDOMAIN) {
    k->state = K_NONE;
    k->cause = mxci_strdup("NXDOMAIN");
    return;
  }
  if (ans->rcode != MXCI_RCODE_NOERROR) {
    k->state = K_TEMP;
    k->cause = mxci_strdup(mxci_rcode_str(ans->rcode));
    return;
  }
  final = mxci_answer_follow(ans, k->name, &hops);
  if (hops < 0) {
    k->state = K_BAD;
    k->cause = mxci_strdup("its CNAME chain loops or is too long");
    return;
  }
  /* RFC 6376 section 6.1.2 lets the verifier choose among several
   * records: the first that has p= (a site may publish other TXT records
   * at the name), else the first. */
  for (i = 0; i < ans->nan; i++) {
    const struct mxci_rr *rr = &ans->an[i];
    if (rr->type != MXCI_T_TXT || !mxci_name_eq(rr->owner, final))
      continue;
    n++;
    if (pick == NULL)
      pick = rr;
  }
  for (i = 0; n > 1 && !with_p && i < ans->nan; i++) {
    const struct mxci_rr *rr = &ans->an[i];
    char *p;
    if (rr->type != MXCI_T_TXT || !mxci_name_eq(rr->owner, final))
      continue;
    p = tag_value((const char *)rr->data, rr->datalen, "p");
    if (p) {
      mxci_free(p);
      pick = rr;
      with_p = 1;
    }
  }
  k->nrecords = n;
  if (pick == NULL) {
    k->state = K_NONE;
    k->cause = mxci_strdup("no TXT record (NODATA)");
    return;
  }
  if (memchr(pick->data, '\0', pick->datalen) != NULL) {
    k->state = K_BAD;
    k->cause = mxci_strdup("the record holds a NUL octet");
    return;
  }
  dc = mxci_ctx_state(k->s->chk->ctx, &mxci_dkim_method);
  k->ce = dc ? kc_get(dc, k->name, (const char *)pick->data, pick->datalen,
                      ans->min_ttl)
             : NULL;
  if (k->ce == NULL) {
    k->state = K_TEMP; /* LCOV_EXCL_LINE: OutOfMemory */
    return;            /* LCOV_EXCL_LINE: OutOfMemory */
  }
  k->rec = k->ce->rec;
  k->len = k->ce->len;
  k->form = k->ce->form;
  k->published = k->ce->rec != k->ce->text ? k->ce->text : NULL;
  k->state = k->len > LIBOPENDKIM_KEY_MAX ? K_BIG : K_FOUND;
}

static void key_done(void *arg, const struct mxci_answer *ans)
{
  struct key *k = arg;
  struct dkim *s = k->s;
  k->active = 0;
  s->pending--;
  key_store(k, ans);
  if (s->phase == PH_FINISHED && s->pending == 0)
    complete(s);
}

/* The key of a signature: shared with an earlier signature of the same
 * name, or a new lookup. */
static void key_start(struct dkim *s, struct sigrec *g, const char *name)
{
  mxc_status_t st;
  struct key *k;
  size_t i;

  for (i = 0; i < s->nkeys; i++)
    if (mxci_name_eq(s->keys[i].name, name)) {
      g->key = (int)i;
      return;
    }
  k = &s->keys[s->nkeys];
  k->s = s;
  k->name = mxci_strdup(name);
  if (k->name == NULL) {
    s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return;     /* LCOV_EXCL_LINE: OutOfMemory */
  }
  g->key = (int)s->nkeys++;
  k->state = K_PENDING;
  k->active = 1;
  s->pending++;
  /* A cache hit calls key_done() before this returns. */
  st = mxci_dns_lookup(s->chk->ctx, name, MXCI_T_TXT, key_done, k, &k->w);
  if (st != MXC_OK) {
    k->active = 0;
    s->pending--;
    k->state = K_TEMP;
    k->cause = mxci_strdup(mxc_strerror(st));
  }
}

/* dkim_eom() asks for the key of each signature still unprocessed: only
 * those whose record is kept here (the others were marked before eom). */
static DKIM_CBSTAT key_lookup(DKIM *d, DKIM_SIGINFO *si, unsigned char *buf,
                              size_t buflen)
{
  struct dkim *s = dkim_get_user_context(d);
  size_t i;
  for (i = 0; s && i < s->nsig; i++) {
    struct sigrec *g = &s->sig[i];
    struct key *k;
    if (g->si != si || g->key < 0)
      continue;
    k = &s->keys[g->key];
    if (k->state == K_FOUND && k->len < buflen) {
      memcpy(buf, k->rec, k->len);
      buf[k->len] = '\0';
      return DKIM_CBSTAT_CONTINUE;
    }
    break;
  }
  /* Cannot happen: every other case was marked before eom.  KEYFAIL is
   * the safe answer (temperror), never TRYAGAIN or DEFAULT. */
  dkim_sig_seterror(si, DKIM_SIGERROR_KEYFAIL);
  if (buflen)
    buf[0] = '\0';
  return DKIM_CBSTAT_CONTINUE;
}

/* ---- the relaxed body canonicalisation, here -------------------------------- */

static EVP_PKEY *kent_key(const struct kent *e, dkim_alg_t alg);

/*
 * libopendkim's relaxed body canonicaliser (dkim_canon_bodychunk()) takes
 * most of a verification's time: it appends each octet to a growing string
 * with a function call.  When every signature of a message will be
 * verified here on a learned key (see struct kent), and all of them hash
 * the body relaxed and whole (no l=), the body is canonicalised and hashed
 * here and not given to libopendkim; the verification on the learned key
 * then compares bh= with this hash.  The decision is taken at the end of
 * the header, from what is known then (keys from the cache), so it never
 * depends on the body.
 *
 * The state machine is libopendkim's, state for state (its
 * DKIM_CANON_RELAXED case, without DKIM_LIBFLAGS_FIXCRLF, as the body is
 * given in CRLF form here): 0 line start, 1 in white space, 2 after CR, 3 in
 * a run of other octets.  Its quirks are kept: a CR not followed by LF is
 * dropped before an octet that is not CR (and kept before another CR), and
 * empty lines are held until content follows (never at the end).  Where
 * libopendkim keeps the run being read in a string until it ends, it is
 * written out at once here: nothing else is written before it would be
 * (the empty lines held are written first, as they would be), and a run
 * still open at the end makes libopendkim's dkim_eom() fail ("CRLF at end
 * of body missing"), which is reproduced (own_close()).
 *
 * MXC_DKIM_CANON_CHECK=1 (tests) gives the body to libopendkim as well and
 * aborts when the two body hashes differ.
 */
static int own_md(dkim_alg_t alg)
{
  return alg == DKIM_SIGN_RSASHA1 ? 0 : 1;
}

/* At the end of the header, once the cached keys are in: canonicalise the
 * body here when every signature libopendkim listed will be verified here
 * on a learned key, and hashes the body relaxed and whole. */
static void own_decide(struct dkim *s)
{
  struct dkim_ctx *dc = mxci_ctx_state(s->chk->ctx, &mxci_dkim_method);
  int need[2] = {0, 0};
  size_t i, listed = 0;

  if (dc == NULL || dc->libopendkim_only || s->mode != M_SIGNED ||
      s->pending > 0 || s->refused || s->oom)
    return;
  for (i = 0; i < s->nsig; i++) {
    struct sigrec *g = &s->sig[i];
    struct key *k = g->key >= 0 ? &s->keys[g->key] : NULL;
    dkim_canon_t hc, bc;
    dkim_alg_t alg;
    const char *b, *bh;
    unsigned char *sig = NULL;
    size_t siglen;
    if (g->malformed)
      continue; /* not libopendkim's: no body hash */
    if (g->si == NULL || k == NULL || k->state != K_FOUND || k->ce == NULL ||
        k->ce->distrust || g->badname ||
        dkim_sig_geterror(g->si) != DKIM_SIGERROR_UNKNOWN ||
        (dkim_sig_getflags(g->si) & DKIM_SIGFLAG_IGNORE) != 0 ||
        dkim_sig_getsignalg(g->si, &alg) != DKIM_STAT_OK || alg < 0 ||
        alg > DKIM_SIGN_ED25519SHA256 ||
        (k->ce->learned & (1u << alg)) == 0 || kent_key(k->ce, alg) == NULL ||
        dkim_sig_getcanons(g->si, &hc, &bc) != DKIM_STAT_OK ||
        bc != DKIM_CANON_RELAXED ||
        dkim_sig_gettagvalue(g->si, 0, (unsigned char *)"l") != NULL)
      return;
    b = (const char *)dkim_sig_gettagvalue(g->si, 0, (unsigned char *)"b");
    bh = (const char *)dkim_sig_gettagvalue(g->si, 0, (unsigned char *)"bh");
    if (b == NULL || bh == NULL || b64_strict(b, strlen(b), &sig, &siglen) < 0)
      return; /* left to libopendkim */
    mxci_free(g->b);
    g->b = sig; /* decoded once */
    g->blen = siglen;
    need[own_md(alg)] = 1;
    listed++;
  }
  if (listed == 0)
    return;
  /* NULL (out of memory, OpenSSL failed): libopendkim does it */
  s->own = mxci_dkim_canon_new(need[0], need[1]);
}

/* MXC_DKIM_CANON_CHECK: libopendkim canonicalises the body too. */
static int own_checked(struct dkim *s)
{
  struct dkim_ctx *dc = mxci_ctx_state(s->chk->ctx, &mxci_dkim_method);
  return dc != NULL && dc->canon_check;
}

/* ---- verification on a cached key ------------------------------------------- */

/* The header signature b= of si against e's key for alg, over
 * libopendkim's header hash hh, as dkim_sig_process() does: RSA PKCS#1
 * v1.5 over the SHA-1 or SHA-256 digest (RSA_verify()), Ed25519 over the
 * 32-octet SHA-256 hash (RFC 8463 section 3).  1: valid, 0: not, -1:
 * cannot tell here. */
static int sig_crypto(DKIM_SIGINFO *si, const struct sigrec *g,
                      dkim_alg_t alg, struct kent *e, const unsigned char *hh,
                      size_t hhlen)
{
  const char *b = (const char *)dkim_sig_gettagvalue(si, 0,
                                                     (unsigned char *)"b");
  unsigned char *sig = NULL;
  const unsigned char *bsig;
  size_t siglen;
  int ok = -1;

  if (g && g->b) {
    bsig = g->b; /* decoded by own_decide() */
    siglen = g->blen;
  } else if (b == NULL || b64_strict(b, strlen(b), &sig, &siglen) < 0) {
    return -1;
  } else {
    bsig = sig;
  }
  if (alg == DKIM_SIGN_ED25519SHA256) {
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    if (mc && EVP_DigestVerifyInit(mc, NULL, NULL, NULL, e->ed) == 1)
      ok = EVP_DigestVerify(mc, bsig, siglen, hh, hhlen) == 1;
    EVP_MD_CTX_free(mc);
  } else {
    /* One context per key and digest, set up once (a verification keeps
     * no state in it). */
    EVP_PKEY_CTX **pc = &e->rv[alg == DKIM_SIGN_RSASHA1 ? 0 : 1];
    const EVP_MD *md = alg == DKIM_SIGN_RSASHA1 ? EVP_sha1() : EVP_sha256();
    if (*pc == NULL && (*pc = EVP_PKEY_CTX_new(e->rsa, NULL)) != NULL &&
        (EVP_PKEY_verify_init(*pc) != 1 ||
         EVP_PKEY_CTX_set_rsa_padding(*pc, RSA_PKCS1_PADDING) != 1 ||
         EVP_PKEY_CTX_set_signature_md(*pc, md) != 1)) {
      EVP_PKEY_CTX_free(*pc); /* LCOV_EXCL_LINE: OpenSSL refused */
      *pc = NULL;             /* LCOV_EXCL_LINE: OpenSSL refused */
    }
    if (*pc)
      ok = EVP_PKEY_verify(*pc, bsig, siglen, hh, hhlen) == 1;
  }
  ERR_clear_error();
  mxci_free(sig);
  return ok;
}

/* Does the body hash match bh=?  As libopendkim: the hash in base64,
 * compared with the tag's value as text.  -1: cannot tell. */
static int bh_match(DKIM_SIGINFO *si, const unsigned char *bh, size_t bhlen)
{
  const char *tag = (const char *)dkim_sig_gettagvalue(si, 0,
                                                       (unsigned char *)"bh");
  char enc[96];
  if (tag == NULL || bhlen == 0 || bhlen > 64)
    return -1;
  EVP_EncodeBlock((unsigned char *)enc, bh, (int)bhlen);
  return strcmp(tag, enc) == 0;
}

/* The key (decoded once) a signature of algorithm alg would be verified
 * with, NULL when none. */
static EVP_PKEY *kent_key(const struct kent *e, dkim_alg_t alg)
{
  if (alg == DKIM_SIGN_ED25519SHA256)
    return e->ed;
  if (alg == DKIM_SIGN_RSASHA1 || alg == DKIM_SIGN_RSASHA256)
    return e->rsa;
  return NULL;
}

/* Verify one signature on its learned key, as libopendkim would (its
 * dkim_sig_process() after the key was retrieved, then dkim_eom_verify()'s
 * key size rule); the outcome in g->f_*.  -1: left to libopendkim. */
static int fast_verify(struct dkim_ctx *dc, struct sigrec *g,
                       struct kent *e, dkim_alg_t alg,
                       const struct mxci_dkim_canon *oc)
{
  DKIM_SIGINFO *si = g->si;
  void *hh, *bh;
  size_t hhlen, bhlen;
  int ok, err = DKIM_SIGERROR_UNKNOWN, bhs = DKIM_SIGBH_UNTESTED;
  unsigned flags = DKIM_SIGFLAG_PROCESSED | (e->kflags & DKIM_SIGFLAG_TESTKEY);

  if (dkim_sig_gethashes(si, &hh, &hhlen, &bh, &bhlen) != DKIM_STAT_OK)
    return -1;
  if (oc) {
    /* the body was canonicalised here */
    int i = own_md(alg);
    unsigned ohlen;
    const unsigned char *oh = mxci_dkim_canon_hash(oc, i, &ohlen);
    if (dc->canon_check &&
        (bhlen != ohlen || memcmp(bh, oh, bhlen) != 0)) {
      fprintf(stderr, "mxcheck: MXC_DKIM_CANON_CHECK: body hashes differ\n");
      abort();
    }
    bh = (void *)(uintptr_t)oh;
    bhlen = ohlen;
  }
  ok = sig_crypto(si, g, alg, e, hh, hhlen);
  if (ok < 0)
    return -1;
  if (ok) {
    int m = bh_match(si, bh, bhlen);
    if (m < 0)
      return -1;
    flags |= DKIM_SIGFLAG_PASSED;
    bhs = m ? DKIM_SIGBH_MATCH : DKIM_SIGBH_MISMATCH;
    if (!m)
      err = DKIM_SIGERROR_BADSIG;
  } else {
    err = DKIM_SIGERROR_BADSIG;
  }
  /* t=s: the i= domain must be d= itself. */
  if (e->kflags & DKIM_SIGFLAG_NOSUBDOMAIN) {
    const char *d = (const char *)dkim_sig_gettagvalue(si, 0,
                                                       (unsigned char *)"d");
    const char *i = (const char *)dkim_sig_gettagvalue(si, 0,
                                                       (unsigned char *)"i");
    if (i != NULL && d != NULL) {
      const char *at = strchr(i, '@');
      if (strcasecmp(at ? at + 1 : i, d) != 0)
        err = DKIM_SIGERROR_SUBDOMAIN;
    }
  }
  if (err == DKIM_SIGERROR_UNKNOWN && bhs != DKIM_SIGBH_UNTESTED)
    err = DKIM_SIGERROR_OK;
  if (err == DKIM_SIGERROR_OK && alg != DKIM_SIGN_ED25519SHA256 &&
      e->bits[alg] < dc->minbits) {
    err = DKIM_SIGERROR_KEYTOOSMALL;
    flags &= ~DKIM_SIGFLAG_PASSED;
  }
  g->f_err = err;
  g->f_bh = bhs;
  g->f_flags = flags;
  g->fast = 1;
  return 0;
}

/* libopendkim's final callback, in dkim_eom() once the body hashes are
 * final and before it processes any signature: the signatures whose key
 * is learned for their algorithm are verified here, and libopendkim told
 * to ignore them. */
static DKIM_CBSTAT final_cb(DKIM *d, DKIM_SIGINFO **sigs, int nsigs)
{
  struct dkim *s = dkim_get_user_context(d);
  struct dkim_ctx *dc;
  size_t i;

  (void)sigs;
  (void)nsigs;
  if (s == NULL)
    return DKIM_CBSTAT_CONTINUE; /* LCOV_EXCL_LINE: always set */
  dc = mxci_ctx_state(s->chk->ctx, &mxci_dkim_method);
  if (dc == NULL || dc->libopendkim_only)
    return DKIM_CBSTAT_CONTINUE;
  if (s->own) {
    /* Every signature is verified here (own_decide() checked that each
     * can be), on the body hash computed here. */
    for (i = 0; i < s->nsig; i++) {
      struct sigrec *g = &s->sig[i];
      dkim_alg_t alg;
      if (g->si == NULL)
        continue;
      if (dkim_sig_getsignalg(g->si, &alg) != DKIM_STAT_OK ||
          fast_verify(dc, g, s->keys[g->key].ce, alg, s->own) != 0) {
        s->oom = 1; /* LCOV_EXCL_LINE: OpenSSL failed (out of memory) */
        continue;   /* LCOV_EXCL_LINE: OpenSSL failed (out of memory) */
      }
      dkim_sig_ignore(g->si);
      dc->fast++;
    }
    return DKIM_CBSTAT_CONTINUE;
  }
  for (i = 0; i < s->nsig; i++) {
    struct sigrec *g = &s->sig[i];
    struct key *k = g->key >= 0 ? &s->keys[g->key] : NULL;
    dkim_alg_t alg;
    if (g->si == NULL || k == NULL || k->state != K_FOUND || k->ce == NULL ||
        k->ce->distrust ||
        dkim_sig_geterror(g->si) != DKIM_SIGERROR_UNKNOWN ||
        (dkim_sig_getflags(g->si) & DKIM_SIGFLAG_IGNORE) != 0 ||
        dkim_sig_getsignalg(g->si, &alg) != DKIM_STAT_OK || alg < 0 ||
        alg > DKIM_SIGN_ED25519SHA256 ||
        (k->ce->learned & (1u << alg)) == 0 || kent_key(k->ce, alg) == NULL)
      continue;
    if (fast_verify(dc, g, k->ce, alg, NULL) == 0) {
      dkim_sig_ignore(g->si);
      dc->fast++;
    }
  }
  return DKIM_CBSTAT_CONTINUE;
}

/* After dkim_eom(): learn the keys libopendkim verified a header signature
 * with, when the same verification here agrees (see struct kent). */
static void learn(struct dkim *s)
{
  struct dkim_ctx *dc = mxci_ctx_state(s->chk->ctx, &mxci_dkim_method);
  size_t i;

  if (dc == NULL || dc->libopendkim_only)
    return;
  for (i = 0; i < s->nsig; i++) {
    struct sigrec *g = &s->sig[i];
    struct key *k = g->key >= 0 ? &s->keys[g->key] : NULL;
    struct kent *e = k ? k->ce : NULL;
    unsigned flags, bits = 0;
    dkim_alg_t alg;
    void *hh, *bh;
    size_t hhlen, bhlen;
    const char *kt;
    int ok, m;

    if (g->si == NULL || g->fast || e == NULL || k->state != K_FOUND ||
        e->distrust)
      continue;
    flags = dkim_sig_getflags(g->si);
    if ((flags & DKIM_SIGFLAG_PASSED) == 0 ||
        dkim_sig_getsignalg(g->si, &alg) != DKIM_STAT_OK || alg < 0 ||
        alg > DKIM_SIGN_ED25519SHA256 || (e->learned & (1u << alg)) != 0 ||
        kent_key(e, alg) == NULL ||
        dkim_sig_gethashes(g->si, &hh, &hhlen, &bh, &bhlen) != DKIM_STAT_OK ||
        dkim_sig_getkeysize(g->si, &bits) != DKIM_STAT_OK)
      continue;
    ok = sig_crypto(g->si, g, alg, e, hh, hhlen);
    m = bh_match(g->si, bh, bhlen);
    if (ok < 0 || m < 0)
      continue;
    if (!ok || m != (dkim_sig_getbh(g->si) == DKIM_SIGBH_MATCH)) {
      e->distrust = 1; /* LCOV_EXCL_LINE: libopendkim read another key */
      continue;        /* LCOV_EXCL_LINE: libopendkim read another key */
    }
    kt = (const char *)dkim_sig_gettagvalue(g->si, 1, (unsigned char *)"k");
    if (e->learned == 0) {
      if (kt && (e->ktag = mxci_strdup(kt)) == NULL)
        continue; /* LCOV_EXCL_LINE: OutOfMemory */
      e->kflags = flags & (DKIM_SIGFLAG_TESTKEY | DKIM_SIGFLAG_NOSUBDOMAIN);
    } else if ((kt == NULL) != (e->ktag == NULL) ||
               (kt && strcmp(kt, e->ktag) != 0) ||
               e->kflags != (flags & (DKIM_SIGFLAG_TESTKEY |
                                      DKIM_SIGFLAG_NOSUBDOMAIN))) {
      e->distrust = 1; /* LCOV_EXCL_LINE: one record, one parse */
      continue;        /* LCOV_EXCL_LINE: one record, one parse */
    }
    e->bits[alg] = bits;
    e->learned |= 1u << alg;
    dc->learned++;
  }
}

/* libopendkim's view of a signature, or ours when it was verified here. */
static int sig_error(const struct sigrec *r)
{
  return r->fast ? r->f_err : dkim_sig_geterror(r->si);
}
static unsigned sig_flags(const struct sigrec *r)
{
  return r->fast ? r->f_flags : dkim_sig_getflags(r->si);
}
static int sig_bh(const struct sigrec *r)
{
  return r->fast ? r->f_bh : dkim_sig_getbh(r->si);
}

/* ---- end of header, body ---------------------------------------------------- */

static void eoh(struct dkim *s)
{
  DKIM_SIGINFO **sigs = NULL;
  DKIM_STAT dst;
  int n = 0;
  size_t i, j = 0;

  s->phase = PH_BODY;
  if (s->refused || s->oom)
    return;
  if (s->nsig == 0) {
    s->mode = M_NOSIG; /* unsigned: libopendkim has nothing to do */
    return;
  }
  dst = dkim_eoh(s->d);
  if (dst == DKIM_STAT_NOSIG) {
    s->mode = M_NOSIG; /* only malformed signatures */
    return;
  }
  if (dst == DKIM_STAT_NORESOURCE) {
    s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return;     /* LCOV_EXCL_LINE: OutOfMemory */
  }
  if (dst != DKIM_STAT_OK ||
      dkim_getsiglist(s->d, &sigs, &n) != DKIM_STAT_OK) {
    /* SYNTAX: no From field, or one libopendkim cannot parse; the handle
     * is unusable (notes/libopendkim.md, pitfall 10). */
    const char *e = dkim_geterror(s->d);
    if (e == NULL || *e == '\0')
      e = dkim_getresultstr(dst);
    s->mode = M_UNUSABLE;
    s->why = printable(e, strlen(e));
    return;
  }
  s->mode = M_SIGNED;
  /* libopendkim lists the well-formed signatures in header order. */
  for (i = 0; i < s->nsig; i++) {
    struct sigrec *g = &s->sig[i];
    const char *dom, *sel;
    char *name;
    if (g->malformed)
      continue;
    if (j >= (size_t)n)
      break; /* LCOV_EXCL_LINE: libopendkim lists every one */
    g->si = sigs[j++];
    if (dkim_sig_geterror(g->si) != DKIM_SIGERROR_UNKNOWN)
      continue; /* judged already (expired, syntax...): no key needed */
    dom = (const char *)dkim_sig_getdomain(g->si);
    sel = (const char *)dkim_sig_getselector(g->si);
    if (dom == NULL || sel == NULL)
      continue; /* LCOV_EXCL_LINE: set when the error is unknown */
    name = mxci_asprintf("%s._domainkey.%s", sel, dom);
    if (name == NULL) {
      s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
      return;     /* LCOV_EXCL_LINE: OutOfMemory */
    }
    if (!key_name_ok(name))
      g->badname = 1;
    else
      key_start(s, g, name);
    mxci_free(name);
  }
  for (; j < (size_t)n; j++)
    dkim_sig_ignore(sigs[j]); /* LCOV_EXCL_LINE: cannot happen */
  own_decide(s);
}

mxc_status_t mxc_dkim_eoh(mxc_check_t *chk)
{
  struct dkim *s = get(chk);
  if (s == NULL || s->phase != PH_HEADER)
    return MXC_EINVAL;
  eoh(s);
  mxci_ctx_leave(chk->ctx);
  if (s->oom)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  return s->refused ? MXC_ELIMIT : MXC_OK;
}

/* One pass over a body chunk: are its lines (the first continuing
 * s->line) within MXC_DKIM_MAX_LINE (libopendkim's relaxed body
 * canonicalisation keeps a run of octets without white space in memory,
 * unbounded), and does it hold a bare LF (*bare)?  -1: a line is too
 * long. */
static int scan_body(struct dkim *s, const char *p, size_t n, int *bare)
{
  const char *start = p, *end = p + n, *lf;
  while (p < end && (lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
    if (s->line + (size_t)(lf - p) > MXC_DKIM_MAX_LINE)
      return -1;
    if (lf == start ? !s->cr : lf[-1] != '\r')
      *bare = 1;
    s->line = 0;
    p = lf + 1;
  }
  s->line += (size_t)(end - p);
  return s->line > MXC_DKIM_MAX_LINE ? -1 : 0;
}

mxc_status_t mxc_dkim_body(mxc_check_t *chk, const char *chunk, size_t len)
{
  struct dkim *s = get(chk);
  int bare = 0;

  if (s == NULL || (chunk == NULL && len > 0) || s->phase != PH_BODY)
    return MXC_EINVAL;
  if (s->refused)
    return MXC_ELIMIT;
  if (s->oom)
    return MXC_ENOMEM;
  if (s->mode != M_SIGNED)
    return MXC_OK; /* nothing to hash */
  if (scan_body(s, chunk, len, &bare) < 0)
    return refuse(s, "a body line is over %d octets (MXC_DKIM_MAX_LINE)",
                  MXC_DKIM_MAX_LINE);
  while (len > 0) {
    size_t n = len < BODY_CHUNK ? len : BODY_CHUNK;
    const char *p = chunk;
    size_t o = n;
    DKIM_STAT dst = DKIM_STAT_OK;
    if (!bare) {
      /* CRLF already: hand the caller's octets over (libopendkim only
       * reads them). */
      s->cr = chunk[n - 1] == '\r';
    } else {
      if (s->conv == NULL && (s->conv = mxci_malloc(2 * BODY_CHUNK)) == NULL) {
        s->oom = 1;        /* LCOV_EXCL_LINE: OutOfMemory */
        return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
      }
      p = s->conv;
      o = mxci_crlf(chunk, n, &s->cr, s->conv);
    }
    if (s->own)
      mxci_dkim_canon_body(s->own, p, o);
    if (s->own == NULL || own_checked(s))
      dst = dkim_body(s->d, (unsigned char *)(uintptr_t)p, o);
    if (dst == DKIM_STAT_NORESOURCE) {
      s->oom = 1;        /* LCOV_EXCL_LINE: OutOfMemory */
      return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
    }
    chunk += n;
    len -= n;
  }
  return MXC_OK;
}

mxc_status_t mxc_dkim_finish(mxc_check_t *chk, mxc_done_cb cb, void *arg)
{
  struct dkim *s = get(chk);
  mxc_ctx_t *ctx;
  if (s == NULL || cb == NULL || chk->cb != NULL)
    return MXC_EINVAL;
  ctx = chk->ctx;
  if (s->phase == PH_HEADER)
    eoh(s);
  mxci_check_arm(chk, cb, arg);
  s->phase = PH_FINISHED;
  if (s->pending == 0)
    complete(s);
  mxci_ctx_leave(ctx);
  return MXC_OK;
}

/* ---- the verdict of each signature --------------------------------------------- */

struct verdict {
  mxc_verdict_t v;
  const char *code;
  char *reason;
};

static void set_v(struct verdict *o, mxc_verdict_t v, const char *code,
                  char *reason)
{
  o->v = v;
  o->code = code;
  mxci_free(o->reason);
  o->reason = reason;
}

static const char *alg_family(const char *a)
{
  if (a == NULL)
    return "";
  if (strncasecmp(a, "rsa-", 4) == 0)
    return "rsa";
  if (strncasecmp(a, "ed25519-", 8) == 0)
    return "ed25519";
  return "";
}

static long long tag_num(DKIM_SIGINFO *si, const char *tag)
{
  const char *v = (const char *)dkim_sig_gettagvalue(si, 0,
                                                     (unsigned char *)tag);
  char *e;
  long long n;
  if (v == NULL || *v < '0' || *v > '9')
    return -1;
  n = strtoll(v, &e, 10);
  return *e == '\0' && n >= 0 ? n : -1;
}

static int warn_sig(struct mxci_dkim_sig *g, const char *code,
                    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int warn_sig(struct mxci_dkim_sig *g, const char *code,
                    const char *fmt, ...)
{
  struct mxci_warning *w;
  char buf[2048]; /* room for an RSA-4096 key in base64 (key-pkcs1) */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  w = mxci_realloc(g->warn, (g->nwarn + 1) * sizeof(*w));
  if (w == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  g->warn = w;
  w[g->nwarn].code = mxci_strdup(code);
  w[g->nwarn].text = mxci_strdup(buf);
  if (w[g->nwarn].code == NULL || w[g->nwarn].text == NULL) {
    mxci_free(w[g->nwarn].code); /* LCOV_EXCL_LINE: OutOfMemory */
    mxci_free(w[g->nwarn].text); /* LCOV_EXCL_LINE: OutOfMemory */
    return -1;                   /* LCOV_EXCL_LINE: OutOfMemory */
  }
  g->nwarn++;
  return 0;
}

/* What is wrong with a key record libopendkim did not take, in words more
 * precise than its error string where the record says it. */
static const char *key_problem(const struct key *k, int err, const char *es,
                               char *buf, size_t buflen)
{
  char *p = NULL, *kt = NULL, *v = NULL;
  if (k == NULL || k->rec == NULL)
    return es;
  p = tag_value(k->rec, k->len, "p");
  kt = tag_value(k->rec, k->len, "k");
  v = tag_value(k->rec, k->len, "v");
  if (p == NULL)
    snprintf(buf, buflen, "it is not a tag=value list with p= (%s)",
             es);
  else if (v && strcmp(v, "DKIM1") != 0)
    snprintf(buf, buflen, "v=%.40s is not DKIM1", v);
  else if (err == DKIM_SIGERROR_KEYTYPEUNKNOWN && kt)
    snprintf(buf, buflen, "k=%.40s is not a known key type", kt);
  else if (err == DKIM_SIGERROR_KEYDECODE || err == DKIM_SIGERROR_DNSSYNTAX)
    snprintf(buf, buflen, "p= is not a public key in base64 (%s)", es);
  else
    snprintf(buf, buflen, "%s", es);
  mxci_free(p);
  mxci_free(kt);
  mxci_free(v);
  return buf;
}

/* What libopendkim's error code means, for a signature it processed or
 * judged at eoh (RFC 6376 section 6.1 names the PERMFAILs). */
static void from_sigerror(struct dkim *s, struct sigrec *r,
                          struct mxci_dkim_sig *g, struct verdict *o)
{
  int err = sig_error(r);
  unsigned flags = sig_flags(r);
  const char *es = dkim_sig_geterrorstr(err);
  const char *kn = g->key_name ? g->key_name : "";
  char kbuf[160];

  if (es == NULL)
    es = "unknown error";
  switch (err) {
  case DKIM_SIGERROR_OK:
    set_v(o, MXC_VERDICT_PASS, "", NULL);
    break;
  case DKIM_SIGERROR_BADSIG:
    if (sig_bh(r) == DKIM_SIGBH_MISMATCH)
      set_v(o, MXC_VERDICT_FAIL, "body-hash-mismatch",
            mxci_strdup("the body was changed after signing: its hash does "
                        "not match bh= (RFC 6376 section 6.1.3)"));
    else
      set_v(o, MXC_VERDICT_FAIL, "signature-mismatch",
            mxci_asprintf("the signature does not verify with the key at %s: "
                          "a signed header field was changed after signing, "
                          "or the key is not the signer's (RFC 6376 section "
                          "6.1.3)",
                          kn));
    break;
  case DKIM_SIGERROR_KEYTOOSMALL:
    set_v(o, MXC_VERDICT_POLICY, "key-too-small",
          mxci_asprintf("the signature verifies, but with a %u-bit RSA key: "
                        "RFC 8301 section 3.2 requires at least 1024 bits, "
                        "and receivers refuse smaller keys",
                        g->key_bits));
    break;
  case DKIM_SIGERROR_NOKEY:
    set_v(o, MXC_VERDICT_PERMERROR, "no-key",
          mxci_asprintf("no key at %s (RFC 6376 section 6.1.2)", kn));
    break;
  case DKIM_SIGERROR_KEYFAIL:
  case DKIM_SIGERROR_MULTIREPLY:
    set_v(o, MXC_VERDICT_TEMPERROR, "dns-error",
          mxci_asprintf("the key lookup of %s failed", kn));
    break;
  case DKIM_SIGERROR_KEYREVOKED:
    set_v(o, MXC_VERDICT_PERMERROR, "key-revoked",
          mxci_asprintf("the key at %s is revoked: its p= is empty (RFC 6376 "
                        "section 6.1.2)",
                        kn));
    break;
  case DKIM_SIGERROR_KEYHASHMISMATCH:
    set_v(o, MXC_VERDICT_PERMERROR, "key-hash-mismatch",
          mxci_asprintf("the key at %s allows other hashes (h=) than the "
                        "signature's a=%s (RFC 6376 section 6.1.2: "
                        "inappropriate hash algorithm)",
                        kn, g->algorithm ? g->algorithm : ""));
    break;
  case DKIM_SIGERROR_KEYDECODE:
  case DKIM_SIGERROR_DNSSYNTAX:
  case DKIM_SIGERROR_KEYVERSION:
  case DKIM_SIGERROR_KEYUNKNOWNHASH:
  case DKIM_SIGERROR_NOTEMAILKEY:
  case DKIM_SIGERROR_KEYTYPEMISSING:
  case DKIM_SIGERROR_KEYTYPEUNKNOWN:
    set_v(o, MXC_VERDICT_PERMERROR, "key-syntax",
          mxci_asprintf("the key record at %s is not usable: %s (RFC 6376 "
                        "section 6.1.2: key syntax error)",
                        kn, key_problem(r->key >= 0 ? &s->keys[r->key] : NULL,
                                        err, es, kbuf, sizeof(kbuf))));
    break;
  case DKIM_SIGERROR_EXPIRED:
    set_v(o, MXC_VERDICT_PERMERROR, "expired",
          mxci_asprintf("the signature expired at x=%lld (RFC 6376 section "
                        "3.5)",
                        g->x));
    break;
  case DKIM_SIGERROR_FUTURE:
    set_v(o, MXC_VERDICT_PERMERROR, "future",
          mxci_asprintf("the signature's time t=%lld is in the future", g->t));
    break;
  case DKIM_SIGERROR_INVALID_H:
    set_v(o, MXC_VERDICT_PERMERROR, "from-not-signed",
          mxci_strdup("h= does not list From (RFC 6376 section 6.1.1: From "
                      "field not signed)"));
    break;
  case DKIM_SIGERROR_INVALID_A:
    if (strcmp(alg_family(g->algorithm), "ed25519") == 0 &&
        mxc_dkim_ed25519_supported(s->chk->ctx) != 1)
      set_v(o, MXC_VERDICT_PERMERROR, "algorithm-unsupported",
            mxci_strdup("this libopendkim was built without Ed25519 (RFC "
                        "8463): the signature cannot be verified here"));
    else
      set_v(o, MXC_VERDICT_PERMERROR, "signature-syntax",
            mxci_asprintf("unknown algorithm a=%s (RFC 6376 section 3.5)",
                          g->algorithm ? g->algorithm : ""));
    break;
  case DKIM_SIGERROR_TOOLARGE_L:
    set_v(o, MXC_VERDICT_PERMERROR, "body-length-exceeds-body",
          mxci_asprintf("l=%lld is longer than the body (RFC 6376 section "
                        "3.5)",
                        g->l));
    break;
  case DKIM_SIGERROR_DOMAIN:
  case DKIM_SIGERROR_SUBDOMAIN:
    set_v(o, MXC_VERDICT_PERMERROR, "identity-mismatch",
          mxci_asprintf("the identity i=%s is not in d=%s (RFC 6376 section "
                        "6.1.1)",
                        g->identity ? g->identity : "",
                        g->domain ? g->domain : ""));
    break;
  case DKIM_SIGERROR_UNKNOWN:
    /* Never processed: dkim_eom() failed before it. */
    set_v(o, MXC_VERDICT_TEMPERROR, "not-verified",
          mxci_asprintf("libopendkim did not verify it: %s",
                        s->eom_error ? s->eom_error : "no reason given"));
    break;
  default:
    set_v(o, MXC_VERDICT_PERMERROR, "signature-syntax",
          mxci_asprintf("the DKIM-Signature is not valid: %s (RFC 6376 "
                        "section 6.1.1)",
                        es));
    break;
  }
  (void)flags;
}

/* The per-signature record of a signature libopendkim listed. */
static int fill_listed(struct dkim *s, struct sigrec *r,
                       struct mxci_dkim_sig *g, struct verdict *o)
{
  DKIM_SIGINFO *si = r->si;
  struct key *k = r->key >= 0 ? &s->keys[r->key] : NULL;
  const char *v, *ktype = NULL;
  unsigned char buf[MAX_IDENTITY];
  size_t blen;
  unsigned int bits = 0;
  unsigned flags = sig_flags(r);
  int keyloaded = r->fast ||
                  dkim_sig_gettagvalue(si, 1, (unsigned char *)"p") != NULL;

  v = (const char *)dkim_sig_getdomain(si);
  g->domain = v ? printable(v, strlen(v)) : NULL;
  v = (const char *)dkim_sig_getselector(si);
  g->selector = v ? printable(v, strlen(v)) : NULL;
  v = (const char *)dkim_sig_gettagvalue(si, 0, (unsigned char *)"a");
  g->algorithm = v ? printable(v, strlen(v)) : NULL;
  if (dkim_sig_getidentity(s->d, si, buf, sizeof(buf)) == DKIM_STAT_OK)
    g->identity = printable((const char *)buf, strlen((const char *)buf));
  blen = sizeof(buf) - 1;
  if (dkim_get_sigsubstring(s->d, si, (char *)buf, &blen) == DKIM_STAT_OK) {
    buf[blen < sizeof(buf) ? blen : sizeof(buf) - 1] = '\0';
    g->b = printable((const char *)buf, strlen((const char *)buf));
  }
  /* c= as written (RFC 6376 section 3.5: "simple" when absent, the body
   * part "simple" when left out); libopendkim sets its own only for the
   * signatures it goes on with. */
  v = (const char *)dkim_sig_gettagvalue(si, 0, (unsigned char *)"c");
  if (v == NULL) {
    g->canon = mxci_strdup("simple/simple");
  } else {
    const char *slash = strchr(v, '/');
    char *c = slash ? mxci_strdup(v)
                    : mxci_asprintf("%s/simple", *v ? v : "simple");
    g->canon = c ? printable(c, strlen(c)) : NULL;
    mxci_free(c);
  }
  v = (const char *)dkim_sig_gettagvalue(si, 0, (unsigned char *)"h");
  if (v) {
    const char *p = v;
    while (*p) {
      size_t n = strcspn(p, ":");
      if (n > 0) {
        char *h = printable(p, n), *q;
        if (h == NULL)
          return -1; /* LCOV_EXCL_LINE: OutOfMemory */
        for (q = h; *q; q++)
          if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q - 'A' + 'a');
        if (mxci_strv_add(&g->headers, &g->nheaders, h) < 0) {
          mxci_free(h); /* LCOV_EXCL_LINE: OutOfMemory */
          return -1;    /* LCOV_EXCL_LINE: OutOfMemory */
        }
        mxci_free(h);
      }
      p += n;
      if (*p == ':')
        p++;
    }
  }
  g->l = tag_num(si, "l");
  g->t = tag_num(si, "t");
  g->x = tag_num(si, "x");
  if (k) {
    g->key_name = mxci_strdup(k->name);
    if (k->published)
      g->key_record = printable_cut(k->published, strlen(k->published),
                                    MAX_SHOWN_RECORD);
    else if (k->rec)
      g->key_record = printable_cut(k->rec, k->len, MAX_SHOWN_RECORD);
    g->key_form = k->form == KF_PKCS1  ? "pkcs1"
                  : k->form == KF_SPKI ? "spki"
                                       : "";
    g->dnssec = k->dnssec;
  } else {
    const char *dom = (const char *)dkim_sig_getdomain(si);
    const char *sel = (const char *)dkim_sig_getselector(si);
    if (dom && sel) {
      char *n = mxci_asprintf("%s._domainkey.%s", sel, dom);
      g->key_name = n ? printable(n, strlen(n)) : NULL;
      mxci_free(n);
    }
  }
  if (keyloaded) {
    if (r->fast) {
      dkim_alg_t alg = DKIM_SIGN_RSASHA256;
      ktype = k->ce->ktag;
      if (dkim_sig_getsignalg(si, &alg) == DKIM_STAT_OK && alg >= 0 &&
          alg <= DKIM_SIGN_ED25519SHA256)
        g->key_bits = k->ce->bits[alg];
    } else {
      ktype = (const char *)dkim_sig_gettagvalue(si, 1, (unsigned char *)"k");
      if (dkim_sig_getkeysize(si, &bits) == DKIM_STAT_OK)
        g->key_bits = bits;
    }
    if (ktype == NULL)
      ktype = "rsa"; /* RFC 6376 section 3.6.1: the default */
    g->testing = (flags & DKIM_SIGFLAG_TESTKEY) != 0;
    if (strcasecmp(ktype, "ed25519") == 0 &&
        strcmp(alg_family(g->algorithm), "ed25519") == 0)
      g->key_bits = 256; /* libopendkim 2.11 says 0 */
  }
  g->key_type = mxci_strdup(ktype ? ktype : alg_family(g->algorithm));

  /* The verdict: our own findings on the key first, then libopendkim's. */
  if (r->badname) {
    set_v(o, MXC_VERDICT_PERMERROR, "signature-syntax",
          mxci_asprintf("d= or s= is not a domain name that can be looked up "
                        "(%s)",
                        g->key_name ? g->key_name : ""));
  } else if (k && k->state == K_TEMP) {
    set_v(o, MXC_VERDICT_TEMPERROR, "dns-error",
          mxci_asprintf("the key lookup of %s failed: %s", k->name,
                        k->cause ? k->cause : "DNS error"));
  } else if (k && k->state == K_NONE) {
    set_v(o, MXC_VERDICT_PERMERROR, "no-key",
          mxci_asprintf("no key at %s: %s (RFC 6376 section 6.1.2)", k->name,
                        k->cause ? k->cause : "not found"));
  } else if (k && k->state == K_BIG) {
    set_v(o, MXC_VERDICT_PERMERROR, "key-too-large",
          mxci_asprintf("the key record at %s is %zu octets: libopendkim takes "
                        "at most %d, so keys over RSA-4096 (such as "
                        "RSA-8192) cannot be verified here, nor by receivers "
                        "built on libopendkim (OpenDKIM)",
                        k->name, k->len, LIBOPENDKIM_KEY_MAX));
  } else if (k && k->state == K_BAD) {
    set_v(o, MXC_VERDICT_PERMERROR, "key-syntax",
          mxci_asprintf("the key record at %s is not usable: %s", k->name,
                        k->cause ? k->cause : "malformed"));
  } else {
    from_sigerror(s, r, g, o);
  }

  /* RFC 6376 section 6.1.2: a key whose k= does not fit a= is an
   * "inappropriate key algorithm" (libopendkim checks the key material
   * only, and passes an RSA key published as k=ed25519). */
  if (keyloaded && o->v != MXC_VERDICT_TEMPERROR && *alg_family(g->algorithm) &&
      (strcasecmp(ktype, "rsa") == 0 || strcasecmp(ktype, "ed25519") == 0) &&
      strcasecmp(ktype, alg_family(g->algorithm)) != 0)
    set_v(o, MXC_VERDICT_PERMERROR, "key-type-mismatch",
          mxci_asprintf("the key at %s is k=%s but the signature is a=%s "
                        "(RFC 6376 section 6.1.2: inappropriate key "
                        "algorithm)",
                        g->key_name ? g->key_name : "", g->key_type,
                        g->algorithm));

  /* RFC 8301 section 3.1: verifiers MUST NOT consider rsa-sha1 signatures
   * valid. */
  if (g->algorithm && strcasecmp(g->algorithm, "rsa-sha1") == 0) {
    if (o->v == MXC_VERDICT_PASS)
      set_v(o, MXC_VERDICT_POLICY, "rsa-sha1",
            mxci_strdup("the signature verifies, but it is rsa-sha1: RFC 8301 "
                        "section 3.1 says verifiers MUST NOT consider rsa-sha1 "
                        "signatures valid"));
    else if (warn_sig(g, "rsa-sha1", "rsa-sha1 must not be used (RFC 8301 "
                                     "section 3.1)") < 0)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return 0;
}

/* Warnings of a signature that do not change its verdict. */
static int sig_warnings(struct dkim *s, struct sigrec *r,
                        struct mxci_dkim_sig *g)
{
  struct key *k = r->key >= 0 ? &s->keys[r->key] : NULL;
  int bad = 0;
  size_t i, j;

  if (g->key_type && strcmp(g->key_type, "rsa") == 0 && g->key_bits >= 1024 &&
      g->key_bits < 2048)
    bad |= warn_sig(g, "weak-key",
                    "%u-bit RSA key: Gmail recommends 2048 bits (RFC 8301 "
                    "section 3.2 allows 1024 to 4096)",
                    g->key_bits);
  if (g->l >= 0)
    bad |= warn_sig(g, "body-length",
                    "l=%lld: only the first %lld octets of the body are "
                    "signed; text appended later still verifies (RFC 6376 "
                    "section 8.2)",
                    g->l, g->l);
  if (g->testing)
    bad |= warn_sig(g, "testing",
                    "the key is in testing mode (t=y): RFC 6376 section "
                    "3.6.1 says verifiers MUST NOT treat such mail "
                    "differently from unsigned mail");
  if (g->nheaders) {
    char miss[64] = "";
    for (i = 1; i < HN_COUNT; i++) {
      int found = 0;
      if (!s->present[i])
        continue;
      for (j = 0; j < g->nheaders && !found; j++)
        found = strcmp(g->headers[j], hn_names[i]) == 0;
      if (!found) {
        if (*miss)
          strcat(miss, ", ");
        strcat(miss, hn_names[i]);
      }
    }
    if (*miss)
      bad |= warn_sig(g, "headers-not-signed",
                      "h= leaves out %s, present in the message (RFC 6376 "
                      "section 5.4.1 recommends signing them)",
                      miss);
    /* More instances in the message than h= signs: one was added after
     * signing, and a reader may see it (RFC 6376 section 8.15). */
    *miss = '\0';
    for (i = 0; i < HN_COUNT; i++) {
      int signed_n = 0;
      for (j = 0; j < g->nheaders; j++)
        signed_n += strcmp(g->headers[j], hn_names[i]) == 0;
      if (signed_n > 0 && s->present[i] > signed_n) {
        if (*miss)
          strcat(miss, ", ");
        strcat(miss, hn_names[i]);
      }
    }
    if (*miss)
      bad |= warn_sig(g, "unsigned-instance",
                      "the message has more %s fields than h= signs: one was "
                      "added after signing and is not covered (RFC 6376 "
                      "section 8.15); sign them once more than they occur",
                      miss);
  }
  if (k && k->form == KF_PKCS1) {
    size_t b, e;
    if (p_span(k->rec, k->len, &b, &e) == 0)
      bad |= warn_sig(g, "key-pkcs1",
                      "the RSA key at %s is published as a PKCS#1 "
                      "RSAPublicKey: RFC 6376 allows it and it verifies "
                      "here, but receivers built on OpenDKIM decode only "
                      "SubjectPublicKeyInfo and fail the signature (key "
                      "syntax error). Publish the same key as "
                      "SubjectPublicKeyInfo: p=%.*s",
                      k->name, (int)(e - b), k->rec + b);
  }
  if (k && k->nrecords > 1)
    bad |= warn_sig(g, "several-key-records",
                    "%d TXT records at %s; the first with p= was used (RFC "
                    "6376 section 6.1.2 leaves the choice to the verifier)",
                    k->nrecords, k->name);
  return bad ? -1 : 0;
}

/* The record of a signature not verified (malformed, or the message could
 * not be verified at all). */
static int fill_unlisted(struct dkim *s, struct sigrec *r,
                         struct mxci_dkim_sig *g, struct verdict *o)
{
  g->domain = r->d ? mxci_strdup(r->d) : NULL;
  g->selector = r->s ? mxci_strdup(r->s) : NULL;
  g->algorithm = r->a ? mxci_strdup(r->a) : NULL;
  g->key_type = mxci_strdup(alg_family(r->a));
  g->l = g->t = g->x = -1;
  if (r->malformed) {
    char *why = printable_cut(r->why ? r->why : "", strlen(r->why ? r->why : ""),
                              MAX_SHOWN_TEXT);
    set_v(o, MXC_VERDICT_PERMERROR, "signature-syntax",
          mxci_asprintf("the DKIM-Signature is malformed: %s (RFC 6376 "
                        "section 3.2, 6.1.1)",
                        why ? why : ""));
    mxci_free(why);
  } else if (s->refused) {
    set_v(o, MXC_VERDICT_PERMERROR, "message-not-verifiable",
          mxci_asprintf("not verified: %s", s->refused));
  } else {
    set_v(o, MXC_VERDICT_PERMERROR, "message-not-verifiable",
          mxci_asprintf("libopendkim cannot verify this message: %s (RFC "
                        "6376 section 5.4: From must be signed)",
                        s->why ? s->why : "header not usable"));
  }
  return 0;
}

/* Order of verdicts for the result, best first (pass, then the verdicts
 * that could still become a pass: temperror, then policy, fail, permerror,
 * neutral). */
static int rank(mxc_verdict_t v)
{
  switch (v) {
  case MXC_VERDICT_PASS:
    return 0;
  case MXC_VERDICT_TEMPERROR:
    return 1;
  case MXC_VERDICT_POLICY:
    return 2;
  case MXC_VERDICT_FAIL:
    return 3;
  case MXC_VERDICT_PERMERROR:
    return 4;
  default:
    return 5;
  }
}

static int is_ed25519(const struct mxci_dkim_sig *g)
{
  return g->key_type && strcmp(g->key_type, "ed25519") == 0;
}

/* Is signature a a better witness for the result than b?  The best
 * verdict; among passes an RSA one (every receiver verifies RSA, not all
 * Ed25519), then the one with fewer warnings; else the earlier. */
static int better(const struct mxci_dkim_sig *a, const struct mxci_dkim_sig *b)
{
  if (rank(a->verdict) != rank(b->verdict))
    return rank(a->verdict) < rank(b->verdict);
  if (a->verdict == MXC_VERDICT_PASS && is_ed25519(a) != is_ed25519(b))
    return !is_ed25519(a);
  return a->nwarn < b->nwarn;
}

static const char *fix_for(const char *code)
{
  static const struct {
    const char *code, *fix;
  } fixes[] = {
      {"body-hash-mismatch",
       "something changed the body after signing (a footer, a list, a "
       "filter, a re-encoding): sign after it, or stop it"},
      {"signature-mismatch",
       "check that the published key matches the signer's private key, and "
       "that nothing rewrites signed header fields after signing"},
      {"no-key", "publish the public key as a TXT record at the key name, or "
                 "fix s= and d= in the signer's configuration"},
      {"key-revoked", "sign with a current key"},
      {"key-too-large",
       "use an RSA key of 2048 (at most 4096) bits, or Ed25519 beside RSA"},
      {"key-syntax", "fix the key record (RFC 6376 section 3.6.1)"},
      {"key-type-mismatch", "publish the key with the k= of its algorithm"},
      {"key-hash-mismatch", "drop h= from the key record, or list sha256"},
      {"key-too-small", "rotate to a 2048-bit RSA key"},
      {"rsa-sha1", "sign with rsa-sha256 (RFC 8301)"},
      {"algorithm-unsupported", "also sign with rsa-sha256"},
      {"from-not-signed", "sign the From header field"},
      {"expired", "make x= later, or leave it out"},
      {"future", "fix the signer's clock"},
      {"dns-error", "check the name servers of the signing domain"},
      {"signature-syntax", "fix the signer: its DKIM-Signature is not valid"},
      {"identity-mismatch", "make i= a subdomain of d=, or leave it out"},
      {"body-length-exceeds-body", "fix the signer's l="},
      {"message-not-verifiable",
       "give the message one From field with one address (RFC 5322 section "
       "3.6.2)"},
  };
  size_t i;
  for (i = 0; i < sizeof(fixes) / sizeof(fixes[0]); i++)
    if (strcmp(fixes[i].code, code) == 0)
      return fixes[i].fix;
  return "";
}

#define REFUSED_FIX                                                          \
  "none in DNS: the message is over the limits of a DKIM check (see "     \
  "MXC_DKIM_MAX_FIELD, mxcheck(1) LIMITS)"

static mxc_result_t *build_result(struct dkim *s)
{
  mxc_result_t *r = mxci_result_new(&mxci_dkim_method);
  size_t i, best = 0;
  int bad = 0;

  if (r == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  r->input = mxci_strdup(s->input ? s->input : "");
  MXCI_DKIMR(r)->dkim_ignored = s->ignored;
  bad |= r->input == NULL;
  if (s->nsig) {
    MXCI_DKIMR(r)->dkim = mxci_calloc(s->nsig, sizeof(*MXCI_DKIMR(r)->dkim));
    bad |= MXCI_DKIMR(r)->dkim == NULL;
  }
  for (i = 0; MXCI_DKIMR(r)->dkim && i < s->nsig; i++) {
    struct sigrec *g = &s->sig[i];
    struct mxci_dkim_sig *d = &MXCI_DKIMR(r)->dkim[i];
    struct verdict o = {MXC_VERDICT_NEUTRAL, "", NULL};
    MXCI_DKIMR(r)->ndkim++;
    if (g->si && s->mode == M_SIGNED && !s->refused)
      bad |= fill_listed(s, g, d, &o) < 0;
    else
      bad |= fill_unlisted(s, g, d, &o) < 0;
    d->verdict = o.v;
    d->error = mxci_strdup(o.code);
    d->reason = o.reason ? o.reason : mxci_strdup("");
    if (o.v == MXC_VERDICT_PASS) {
      mxci_free(d->reason);
      d->reason = mxci_asprintf("verified with the %u-bit %s key at %s",
                                d->key_bits, d->key_type ? d->key_type : "",
                                d->key_name ? d->key_name : "");
    }
    if (d->error == NULL || d->reason == NULL)
      bad = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    if (g->si && s->mode == M_SIGNED && !s->refused)
      bad |= sig_warnings(s, g, d) < 0;
    if (i > 0 && better(d, &MXCI_DKIMR(r)->dkim[best]))
      best = i;
  }
  if (bad)
    goto oom; /* LCOV_EXCL_LINE: OutOfMemory */

  if (s->refused && s->nsig == 0) {
    r->verdict = MXC_VERDICT_PERMERROR;
    r->reason = mxci_asprintf("the message was not verified: %s", s->refused);
    r->fix = mxci_strdup(REFUSED_FIX);
  } else if (MXCI_DKIMR(r)->ndkim == 0) {
    r->verdict = MXC_VERDICT_NONE;
    r->reason = mxci_strdup("the message has no DKIM-Signature header field");
    r->fix = mxci_strdup("sign outgoing mail with DKIM (RFC 6376), with a "
                         "2048-bit RSA key; Gmail requires DKIM of bulk "
                         "senders");
  } else {
    const struct mxci_dkim_sig *d = &MXCI_DKIMR(r)->dkim[best];
    r->verdict = d->verdict;
    if (d->verdict == MXC_VERDICT_PASS)
      r->reason = mxci_asprintf("d=%s %s (%s)", d->domain ? d->domain : "",
                                d->reason, d->algorithm ? d->algorithm : "");
    else
      r->reason = mxci_asprintf("no signature verified; d=%s s=%s: %s",
                                d->domain ? d->domain : "",
                                d->selector ? d->selector : "", d->reason);
    r->fix = mxci_strdup(d->verdict == MXC_VERDICT_PASS ? ""
                         : s->refused                  ? REFUSED_FIX
                                                       : fix_for(d->error));
    /* The warnings of the signature that makes the verdict. */
    if (d->verdict == MXC_VERDICT_PASS)
      for (i = 0; i < d->nwarn; i++)
        bad |= mxci_result_warn(r, d->warn[i].code, "d=%s: %s",
                                d->domain ? d->domain : "", d->warn[i].text) <
               0;
    if (d->verdict == MXC_VERDICT_PASS && is_ed25519(d))
      bad |= mxci_result_warn(r, "ed25519-only",
                              "only Ed25519 signatures verify: receivers "
                              "without RFC 8463 see no valid signature; sign "
                              "with RSA as well (a message may carry both)") <
             0;
  }
  if (s->ignored)
    bad |= mxci_result_warn(r, "signatures-ignored",
                            "%zu more DKIM-Signature field%s not verified "
                            "(MXC_DKIM_MAX_SIGNATURES is %d)",
                            s->ignored, s->ignored == 1 ? "" : "s",
                            MXC_DKIM_MAX_SIGNATURES) < 0;
  if (s->skipped)
    bad |= mxci_result_warn(r, "header-fields-skipped",
                            "%zu header field%s not taken by libopendkim, "
                            "first %s",
                            s->skipped, s->skipped == 1 ? "" : "s",
                            s->skipped_why ? s->skipped_why : "") < 0;
  for (i = 0; MXCI_DKIMR(r)->dkim && i < MXCI_DKIMR(r)->ndkim; i++)
    if (strcmp(MXCI_DKIMR(r)->dkim[i].error, "algorithm-unsupported") == 0) {
      bad |= mxci_result_warn(r, "ed25519-unsupported",
                              "libopendkim here has no Ed25519 (RFC 8463): "
                              "Ed25519 signatures are not verified") < 0;
      break;
    }
  if (bad || r->reason == NULL || r->fix == NULL)
    goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  return r;
oom:
  mxc_result_free(r); /* LCOV_EXCL_LINE: OutOfMemory */
  return NULL;        /* LCOV_EXCL_LINE: OutOfMemory */
}

/* Every key is in and the message is finished: verify, deliver. */
static void complete(struct dkim *s)
{
  mxc_result_t *r;
  size_t i;

  s->phase = PH_DONE;
  if (s->mode == M_SIGNED && !s->refused && !s->oom) {
    /* Mark what the key lookup callback cannot serve (see the top). */
    for (i = 0; i < s->nsig; i++) {
      struct sigrec *g = &s->sig[i];
      struct key *k = g->key >= 0 ? &s->keys[g->key] : NULL;
      if (g->si == NULL)
        continue;
      if (g->badname)
        dkim_sig_seterror(g->si, DKIM_SIGERROR_DNSSYNTAX);
      else if (k && k->state == K_NONE)
        dkim_sig_seterror(g->si, DKIM_SIGERROR_NOKEY);
      else if (k && k->state == K_TEMP)
        dkim_sig_seterror(g->si, DKIM_SIGERROR_KEYFAIL);
      else if (k && (k->state == K_BIG || k->state == K_BAD))
        dkim_sig_seterror(g->si, DKIM_SIGERROR_KEYDECODE);
    }
    if (s->own && mxci_dkim_canon_close(s->own) < 0) {
      /* libopendkim says it: the same body end for it (an octet that is
       * not white space, with no line end after it) */
      mxci_dkim_canon_free(s->own);
      s->own = NULL;
      if (!own_checked(s))
        (void)dkim_body(s->d, (unsigned char *)"x", 1);
    }
    s->eom_status = dkim_eom(s->d, NULL);
    learn(s);
    if (s->eom_status == DKIM_STAT_NORESOURCE ||
        s->eom_status == DKIM_STAT_INTERNAL ||
        s->eom_status == DKIM_STAT_INVALID ||
        s->eom_status == DKIM_STAT_CBERROR ||
        s->eom_status == DKIM_STAT_CBINVALID) {
      const char *e = dkim_geterror(s->d);
      if (e == NULL || *e == '\0')
        e = dkim_getresultstr(s->eom_status);
      s->eom_error = printable(e, strlen(e));
    }
  }
  r = s->oom ? NULL : build_result(s);
  release_work(s);
  if (r == NULL) {
    /* Out of memory: the callback still runs, once, with the status. */
    mxci_check_finish(s->chk, MXC_ENOMEM, NULL);
    return;
  }
  mxci_check_finish(s->chk, MXC_OK, r);
}
