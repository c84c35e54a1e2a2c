/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arc.c -- ARC verification (RFC 8617) of a streamed message, on OpenSSL.
 *
 *  - header fields are kept as given until the end of the header;
 *  - at eoh the ARC sets are found and their structure checked (RFC 8617
 *    section 5.2 steps 1-3: instances 1..N continuous, N <= 50, one
 *    ARC-Authentication-Results, ARC-Message-Signature and ARC-Seal per
 *    instance, cv= none at 1 and pass after, the latest not fail); the
 *    header hash of every AMS (its h= fields, RFC 6376 section 5.4.2) and
 *    of every AS (the ARC sets 1..i in order, RFC 8617 section 5.1.1) is
 *    computed, the header is dropped, and the key of each signature
 *    (selector._domainkey.domain TXT) is asked through mxci_dns_lookup(),
 *    all at once, one lookup per name;
 *  - body chunks are canonicalised and hashed as they come (one hasher per
 *    distinct canonicalisation and l=): the body is never held;
 *  - once the message is finished and every key is in, the signatures are
 *    verified (RSA-SHA256; Ed25519-SHA256 of RFC 8463 as well) and the
 *    chain judged (RFC 8617 section 5.2 steps 4-6).
 */
#include "mxc_private.h"
#include "arc_private.h"

#include <stdio.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#define SHA256_LEN 32
/* Octets of a text shown in a reason. */
#define MAX_SHOWN 120
/* Smallest RSA key accepted (RFC 8301 section 3.2). */
#define MIN_RSA_BITS 1024

enum { PH_HEADER, PH_BODY, PH_FINISHED, PH_DONE };
enum { KIND_AAR, KIND_AMS, KIND_AS };
enum { K_PENDING, K_FOUND, K_NONE, K_TEMP, K_BAD };

struct arc;

struct key {
  struct mxci_waiter w;
  struct arc *s;
  int active;
  int state;
  char *name;
  char *rec;      /* K_FOUND: the record */
  size_t len;
  char *cause;
};

struct field {
  char *f;        /* as given, without the final line end */
  size_t len;
  int kind;       /* KIND_*, -1: not an ARC field */
  long inst;      /* ARC fields: i=, -1: none */
};

/* One signature (AMS or AS) to verify. */
struct sig {
  int ok;                   /* parsed: the verdict waits for the key */
  mxc_verdict_t v;          /* when !ok: the verdict already reached */
  const char *code;
  char *reason;
  char *d, *s, *a, *cv;
  unsigned char digest[SHA256_LEN]; /* the header hash */
  unsigned char *b, *bh;
  size_t blen, bhlen;
  int body;                 /* AMS: index in bodies[] */
  int key;                  /* index in keys[], -1: none */
};

struct set {
  long inst;
  char *authserv_id;
  struct sig ams, as;
};

struct bodyh {
  int relaxed;
  long long l;              /* -1: the whole body */
  long long hashed;
  EVP_MD_CTX *md;
  struct mxci_arc_body c;
  unsigned char digest[SHA256_LEN];
};

struct arc {
  mxc_check_t *chk;
  int phase;
  int oom;
  char *input;
  char *refused;            /* a limit was passed */
  char *broken;             /* the structure fails: why */
  const char *broken_code;
  size_t nfields, hbytes, narc;
  struct field *fields;
  size_t fcap;
  struct set *sets;         /* sets[0] is instance 1 */
  size_t nsets;
  struct bodyh bodies[2 * MXC_ARC_MAX_INSTANCE];
  size_t nbodies;
  struct key keys[2 * MXC_ARC_MAX_INSTANCE];
  size_t nkeys, pending;
};

static const struct mxci_check_ops arc_ops;

/* ---- small helpers --------------------------------------------------------- */

static char *shown(const char *p, size_t n)
{
  char *s, *t;
  if (n <= MAX_SHOWN)
    return mxci_printable((const unsigned char *)p, n);
  s = mxci_printable((const unsigned char *)p, MAX_SHOWN);
  if (s == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  t = mxci_asprintf("%s... (%zu octets)", s, n);
  mxci_free(s);
  return t;
}

/* A tag's value without its folding white space, printable. */
static char *tag_str(const struct mxci_arc_tags *t, const char *name)
{
  const struct mxci_arc_tag *g = mxci_arc_tag(t, name);
  struct mxci_buf b = {0};
  size_t i;
  char *raw, *out;
  if (g == NULL)
    return NULL;
  for (i = 0; i < g->vlen; i++)
    if (!strchr(" \t\r\n", g->val[i]))
      mxci_buf_add(&b, g->val + i, 1);
  mxci_buf_add(&b, "", 0);
  if (b.s == NULL && !b.oom)
    return mxci_strdup("");
  raw = mxci_buf_take(&b);
  if (raw == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  out = shown(raw, strlen(raw));
  mxci_free(raw);
  return out;
}

static int name_is(const char *p, size_t n, const char *name)
{
  return strlen(name) == n && strncasecmp(p, name, n) == 0;
}

static void sig_set(struct sig *g, mxc_verdict_t v, const char *code,
                    char *reason)
{
  g->ok = 0;
  g->v = v;
  g->code = code;
  mxci_free(g->reason);
  g->reason = reason;
}

/* The value of a field (after the colon) and its length. */
static const char *field_value(const struct field *f, size_t *len)
{
  const char *c = memchr(f->f, ':', f->len);
  if (c == NULL) {
    *len = 0;
    return f->f + f->len;
  }
  *len = f->len - (size_t)(c + 1 - f->f);
  return c + 1;
}

/* ---- the check's life --------------------------------------------------------- */

static struct arc *get(mxc_check_t *chk)
{
  if (chk == NULL || chk->magic != MXCI_CHECK_MAGIC || chk->ops != &arc_ops ||
      chk->state != MXCI_CHK_RUNNING)
    return NULL;
  return chk->priv;
}

static void keys_cancel(struct arc *s)
{
  size_t i;
  for (i = 0; i < s->nkeys; i++)
    if (s->keys[i].active) {
      mxci_dns_cancel(&s->keys[i].w);
      s->keys[i].active = 0;
    }
  s->pending = 0;
}

static void fields_free(struct arc *s)
{
  size_t i;
  for (i = 0; i < s->nfields; i++)
    mxci_free(s->fields[i].f);
  mxci_free(s->fields);
  s->fields = NULL;
  s->nfields = s->fcap = 0;
}

static void sig_free(struct sig *g)
{
  mxci_free(g->reason);
  mxci_free(g->d);
  mxci_free(g->s);
  mxci_free(g->a);
  mxci_free(g->cv);
  mxci_free(g->b);
  mxci_free(g->bh);
}

static void arc_abort(mxc_check_t *chk)
{
  struct arc *s = chk->priv;
  if (s)
    keys_cancel(s);
}

static void arc_free_priv(mxc_check_t *chk)
{
  struct arc *s = chk->priv;
  size_t i;
  if (s == NULL)
    return;
  keys_cancel(s);
  fields_free(s);
  for (i = 0; i < s->nsets; i++) {
    mxci_free(s->sets[i].authserv_id);
    sig_free(&s->sets[i].ams);
    sig_free(&s->sets[i].as);
  }
  mxci_free(s->sets);
  for (i = 0; i < s->nbodies; i++)
    EVP_MD_CTX_free(s->bodies[i].md);
  for (i = 0; i < s->nkeys; i++) {
    mxci_free(s->keys[i].name);
    mxci_free(s->keys[i].rec);
    mxci_free(s->keys[i].cause);
  }
  mxci_free(s->input);
  mxci_free(s->refused);
  mxci_free(s->broken);
  mxci_free(s);
  chk->priv = NULL;
}

static const struct mxci_check_ops arc_ops = {arc_abort, arc_free_priv};

mxc_status_t mxc_arc_new(mxc_ctx_t *ctx, mxc_check_t **out)
{
  struct arc *s;
  mxc_check_t *chk;
  if (out)
    *out = NULL;
  if (!mxci_ctx_valid(ctx) || out == NULL)
    return MXC_EINVAL;
  if (ctx->free_requested)
    return MXC_EDESTRUCTION;
  s = mxci_calloc(1, sizeof(*s));
  chk = s ? mxci_check_new(ctx, &arc_ops, NULL, NULL) : NULL;
  if (chk == NULL) {
    mxci_free(s);      /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  chk->priv = s;
  s->chk = chk;
  *out = chk;
  return MXC_OK;
}

mxc_status_t mxc_arc_set_input(mxc_check_t *chk, const char *name)
{
  struct arc *s = get(chk);
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

static mxc_status_t refuse(struct arc *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static mxc_status_t refuse(struct arc *s, const char *fmt, ...)
{
  va_list ap;
  char buf[256];
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  s->refused = mxci_strdup(buf);
  if (s->refused == NULL)
    s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
  fields_free(s);
  keys_cancel(s);
  return MXC_ELIMIT;
}

mxc_status_t mxc_arc_header(mxc_check_t *chk, const char *field, size_t len)
{
  struct arc *s = get(chk);
  const char *colon;
  size_t nlen;
  struct field *f;

  if (s == NULL || field == NULL || s->phase != PH_HEADER)
    return MXC_EINVAL;
  if (s->refused)
    return MXC_ELIMIT;
  if (s->oom)
    return MXC_ENOMEM;
  if (len > 0 && field[len - 1] == '\n')
    len--;
  if (len > 0 && field[len - 1] == '\r')
    len--;
  if (len == 0)
    return MXC_EINVAL;
  if (len > MXC_ARC_MAX_FIELD)
    return refuse(s, "header field %zu is over %d octets (MXC_ARC_MAX_FIELD)",
                  s->nfields + 1, MXC_ARC_MAX_FIELD);
  if (s->nfields >= MXC_ARC_MAX_FIELDS)
    return refuse(s, "the header has more than %d fields (MXC_ARC_MAX_FIELDS)",
                  MXC_ARC_MAX_FIELDS);
  if (s->hbytes + len > MXC_ARC_MAX_HEADER)
    return refuse(s, "the header is over %d octets (MXC_ARC_MAX_HEADER)",
                  MXC_ARC_MAX_HEADER);
  if (s->nfields == s->fcap) {
    size_t ncap = s->fcap ? 2 * s->fcap : 32;
    struct field *nf = mxci_realloc(s->fields, ncap * sizeof(*nf));
    if (nf == NULL) {
      s->oom = 1;        /* LCOV_EXCL_LINE: OutOfMemory */
      return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
    }
    s->fields = nf;
    s->fcap = ncap;
  }
  f = &s->fields[s->nfields];
  f->f = mxci_strndup(field, len);
  if (f->f == NULL) {
    s->oom = 1;        /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  f->len = len;
  f->inst = -1;
  colon = memchr(field, ':', len);
  nlen = colon ? (size_t)(colon - field) : len;
  while (nlen > 0 && (field[nlen - 1] == ' ' || field[nlen - 1] == '\t'))
    nlen--;
  f->kind = !colon                                          ? -1
            : name_is(field, nlen, "ARC-Authentication-Results") ? KIND_AAR
            : name_is(field, nlen, "ARC-Message-Signature")      ? KIND_AMS
            : name_is(field, nlen, "ARC-Seal")                   ? KIND_AS
                                                                 : -1;
  if (f->kind >= 0)
    s->narc++;
  s->nfields++;
  s->hbytes += len;
  return MXC_OK;
}

/* ---- keys ------------------------------------------------------------------ */

static void complete(struct arc *s);

static void key_store(struct key *k, const struct mxci_answer *ans)
{
  const struct mxci_rr *pick = NULL;
  const char *final;
  size_t i;
  int hops;

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
  /* The first TXT record with p= (RFC 6376 section 6.1.2 leaves the
   * choice to the verifier), else the first. */
  for (i = 0; i < ans->nan; i++) {
    const struct mxci_rr *rr = &ans->an[i];
    struct mxci_arc_tags t;
    if (rr->type != MXCI_T_TXT || !mxci_name_eq(rr->owner, final))
      continue;
    if (pick == NULL)
      pick = rr;
    if (mxci_arc_tags_parse((const char *)rr->data, rr->datalen, &t) == NULL &&
        mxci_arc_tag(&t, "p")) {
      pick = rr;
      break;
    }
  }
  if (pick == NULL) {
    k->state = K_NONE;
    k->cause = mxci_strdup("no TXT record (NODATA)");
    return;
  }
  k->rec = mxci_strndup((const char *)pick->data, pick->datalen);
  k->len = pick->datalen;
  k->state = k->rec ? K_FOUND : K_TEMP;
}

static void key_done(void *arg, const struct mxci_answer *ans)
{
  struct key *k = arg;
  struct arc *s = k->s;
  k->active = 0;
  s->pending--;
  key_store(k, ans);
  if (s->phase == PH_FINISHED && s->pending == 0)
    complete(s);
}

/* Can selector._domainkey.domain be asked (RFC 6376 section 3.1). */
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

static void key_start(struct arc *s, struct sig *g)
{
  char *name = mxci_asprintf("%s._domainkey.%s", g->s, g->d);
  struct key *k;
  mxc_status_t st;
  size_t i;

  if (name == NULL) {
    s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return;     /* LCOV_EXCL_LINE: OutOfMemory */
  }
  if (!key_name_ok(name)) {
    sig_set(g, MXC_VERDICT_PERMERROR, "key-name",
            mxci_asprintf("%s cannot be looked up (RFC 6376 section 3.1)",
                          name));
    mxci_free(name);
    return;
  }
  for (i = 0; i < s->nkeys; i++)
    if (mxci_name_eq(s->keys[i].name, name)) {
      g->key = (int)i;
      mxci_free(name);
      return;
    }
  k = &s->keys[s->nkeys];
  k->s = s;
  k->name = name;
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

/* ---- end of header: structure, header hashes ----------------------------------- */

static void broken(struct arc *s, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void broken(struct arc *s, const char *code, const char *fmt, ...)
{
  va_list ap;
  char buf[512];
  if (s->broken)
    return;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  s->broken_code = code;
  s->broken = mxci_strdup(buf);
  if (s->broken == NULL)
    s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
}

static const char *kind_name(int kind)
{
  return kind == KIND_AAR   ? "ARC-Authentication-Results"
         : kind == KIND_AMS ? "ARC-Message-Signature"
                            : "ARC-Seal";
}

/* The instance of each ARC field; the sets; RFC 8617 section 5.2 steps
 * 1-3 (the cv= rules of section 4.1.3).  Fills s->sets, or s->broken. */
static void structure(struct arc *s, size_t *where)
{
  long n = 0, i;
  size_t k;
  int kind;

  for (k = 0; k < s->nfields; k++) {
    struct field *f = &s->fields[k];
    size_t vlen;
    const char *v;
    if (f->kind < 0)
      continue;
    v = field_value(f, &vlen);
    if (f->kind == KIND_AAR) {
      f->inst = mxci_arc_aar_instance(v, vlen);
    } else {
      struct mxci_arc_tags t;
      const struct mxci_arc_tag *g;
      f->inst = -1;
      if (mxci_arc_tags_parse(v, vlen, &t) == NULL &&
          (g = mxci_arc_tag(&t, "i")) != NULL && g->vlen > 0 && g->vlen <= 6) {
        size_t j;
        f->inst = 0;
        for (j = 0; j < g->vlen; j++) {
          if (g->val[j] < '0' || g->val[j] > '9') {
            f->inst = -1;
            break;
          }
          f->inst = f->inst * 10 + (g->val[j] - '0');
        }
      }
    }
    if (f->inst < 1) {
      broken(s, "arc-instance",
             "an %s field has no valid instance tag i= (RFC 8617 section "
             "4.2.1)",
             kind_name(f->kind));
      return;
    }
    if (f->inst > n)
      n = f->inst;
  }
  if (n > MXC_ARC_MAX_INSTANCE) {
    broken(s, "arc-instance",
           "instance i=%ld is over %d (RFC 8617 section 4.2.1)", n,
           MXC_ARC_MAX_INSTANCE);
    return;
  }
  /* where[(i - 1) * 3 + kind]: the field of each part; exactly one. */
  for (k = 0; k < s->nfields; k++) {
    struct field *f = &s->fields[k];
    size_t *w;
    if (f->kind < 0)
      continue;
    w = &where[(size_t)(f->inst - 1) * 3 + (size_t)f->kind];
    if (*w != (size_t)-1) {
      broken(s, "arc-structure",
             "instance %ld has more than one %s field (RFC 8617 section "
             "5.2 step 3)",
             f->inst, kind_name(f->kind));
      return;
    }
    *w = k;
  }
  for (i = 1; i <= n; i++)
    for (kind = 0; kind < 3; kind++)
      if (where[(size_t)(i - 1) * 3 + (size_t)kind] == (size_t)-1) {
        broken(s, "arc-structure",
               "ARC set %ld of %ld has no %s field (RFC 8617 section 5.2 "
               "step 3: sets must be complete and continuous)",
               i, n, kind_name(kind));
        return;
      }
  s->sets = mxci_calloc((size_t)n, sizeof(*s->sets));
  if (s->sets == NULL) {
    s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return;     /* LCOV_EXCL_LINE: OutOfMemory */
  }
  s->nsets = (size_t)n;
  for (i = 0; i < n; i++) {
    s->sets[i].inst = i + 1;
    s->sets[i].ams.key = s->sets[i].as.key = -1;
    s->sets[i].ams.body = -1;
  }
}

/* Parse a signature's tags into g (AMS: ams != 0). */
static void sig_parse(struct arc *s, const struct field *f, struct sig *g,
                      int ams)
{
  struct mxci_arc_tags t;
  const char *v, *why;
  size_t vlen;
  static const char *const req_ams[] = {"i", "a", "b", "bh", "d", "h", "s"};
  static const char *const req_as[] = {"i", "a", "b", "cv", "d", "s"};
  const char *const *req = ams ? req_ams : req_as;
  size_t nreq = ams ? 7 : 6, k;
  const struct mxci_arc_tag *tb;

  g->ok = 1;
  v = field_value(f, &vlen);
  why = mxci_arc_tags_parse(v, vlen, &t);
  if (why) {
    sig_set(g, MXC_VERDICT_PERMERROR, "signature-syntax",
            mxci_asprintf("the %s is not a tag list: %s (RFC 6376 section "
                          "3.2)",
                          kind_name(ams ? KIND_AMS : KIND_AS), why));
    return;
  }
  g->d = tag_str(&t, "d");
  g->s = tag_str(&t, "s");
  g->a = tag_str(&t, "a");
  if (!ams)
    g->cv = tag_str(&t, "cv");
  for (k = 0; k < nreq; k++)
    if (mxci_arc_tag(&t, req[k]) == NULL) {
      sig_set(g, MXC_VERDICT_PERMERROR, "signature-syntax",
              mxci_asprintf("the %s has no %s= tag (RFC 8617 section %s)",
                            kind_name(ams ? KIND_AMS : KIND_AS), req[k],
                            ams ? "4.1.2" : "4.1.3"));
      return;
    }
  if (g->a == NULL || (strcmp(g->a, "rsa-sha256") != 0 &&
                       strcmp(g->a, "ed25519-sha256") != 0)) {
    sig_set(g, MXC_VERDICT_PERMERROR, "algorithm-unsupported",
            mxci_asprintf("a=%s: ARC uses rsa-sha256 (RFC 8617 section "
                          "4.1.2; ed25519-sha256 is verified too)",
                          g->a ? g->a : ""));
    return;
  }
  if (!ams && mxci_arc_tag(&t, "h")) {
    sig_set(g, MXC_VERDICT_PERMERROR, "signature-syntax",
            mxci_strdup("the ARC-Seal has an h= tag (RFC 8617 section "
                        "4.1.3: not allowed)"));
    return;
  }
  tb = mxci_arc_tag(&t, "b");
  g->b = mxci_arc_b64(tb->val, tb->vlen, &g->blen);
  if (g->b == NULL || g->blen == 0) {
    sig_set(g, MXC_VERDICT_PERMERROR, "signature-syntax",
            mxci_strdup("b= is not base64"));
    return;
  }
  if (ams) {
    const struct mxci_arc_tag *th = mxci_arc_tag(&t, "bh");
    g->bh = mxci_arc_b64(th->val, th->vlen, &g->bhlen);
    if (g->bh == NULL || g->bhlen != SHA256_LEN) {
      sig_set(g, MXC_VERDICT_PERMERROR, "signature-syntax",
              mxci_strdup("bh= is not the base64 of a SHA-256 hash"));
      return;
    }
  }
}

/* The body hasher for canonicalisation relaxed and length l. */
static void body_out(void *arg, const char *p, size_t n)
{
  struct bodyh *h = arg;
  if (h->l >= 0) {
    if (h->hashed >= h->l)
      return;
    if ((long long)n > h->l - h->hashed)
      n = (size_t)(h->l - h->hashed);
  }
  EVP_DigestUpdate(h->md, p, n);
  h->hashed += (long long)n;
}

static int body_get(struct arc *s, int relaxed, long long l)
{
  size_t i;
  struct bodyh *h;
  for (i = 0; i < s->nbodies; i++)
    if (s->bodies[i].relaxed == relaxed && s->bodies[i].l == l)
      return (int)i;
  h = &s->bodies[s->nbodies];
  h->md = EVP_MD_CTX_new();
  if (h->md == NULL || EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1) {
    EVP_MD_CTX_free(h->md); /* LCOV_EXCL_LINE: OutOfMemory */
    h->md = NULL;           /* LCOV_EXCL_LINE: OutOfMemory */
    s->oom = 1;             /* LCOV_EXCL_LINE: OutOfMemory */
    return -1;              /* LCOV_EXCL_LINE: OutOfMemory */
  }
  h->relaxed = relaxed;
  h->l = l;
  h->c.relaxed = relaxed;
  h->c.out = body_out;
  h->c.arg = h;
  return (int)s->nbodies++;
}

static int digest(struct mxci_buf *b, unsigned char *out)
{
  unsigned int n = 0;
  if (b->oom)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  return EVP_Digest(b->s ? b->s : "", b->len, out, &n, EVP_sha256(), NULL) ==
                 1
             ? 0
             : -1;
}

/* The AMS: c=, l=, h= and the header hash (RFC 6376 section 5.4.2: each
 * name of h= takes the last field of that name not yet taken, from the
 * bottom up; a name with none left adds nothing). */
static void ams_prepare(struct arc *s, size_t fi, struct sig *g)
{
  const struct field *f = &s->fields[fi];
  struct mxci_arc_tags t;
  const struct mxci_arc_tag *tc, *th, *tl;
  const char *v;
  size_t vlen, k, *used = NULL, nused = 0;
  int hrel = 0, brel = 0;
  long long l = -1;
  struct mxci_buf b = {0};

  v = field_value(f, &vlen);
  if (mxci_arc_tags_parse(v, vlen, &t) != NULL)
    return; /* LCOV_EXCL_LINE: sig_parse() saw it */
  if ((tc = mxci_arc_tag(&t, "c")) != NULL) {
    char c[40];
    size_t n = tc->vlen < sizeof(c) - 1 ? tc->vlen : sizeof(c) - 1;
    char *slash;
    memcpy(c, tc->val, n);
    c[n] = '\0';
    slash = strchr(c, '/');
    if (slash)
      *slash++ = '\0';
    if ((strcmp(c, "relaxed") != 0 && strcmp(c, "simple") != 0) ||
        (slash && strcmp(slash, "relaxed") != 0 && strcmp(slash, "simple") != 0)) {
      sig_set(g, MXC_VERDICT_PERMERROR, "signature-syntax",
              mxci_asprintf("c=%s is not a canonicalisation", c));
      return;
    }
    hrel = strcmp(c, "relaxed") == 0;
    brel = slash && strcmp(slash, "relaxed") == 0;
  }
  if ((tl = mxci_arc_tag(&t, "l")) != NULL) {
    l = 0;
    for (k = 0; k < tl->vlen; k++) {
      if (tl->val[k] < '0' || tl->val[k] > '9' || k >= 15) {
        sig_set(g, MXC_VERDICT_PERMERROR, "signature-syntax",
                mxci_strdup("l= is not a number"));
        return;
      }
      l = l * 10 + (tl->val[k] - '0');
    }
  }
  th = mxci_arc_tag(&t, "h");
  used = mxci_calloc(s->nfields ? s->nfields : 1, sizeof(*used));
  if (used == NULL) {
    s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return;     /* LCOV_EXCL_LINE: OutOfMemory */
  }
  k = 0;
  while (k < th->vlen) {
    size_t ns, ne, j;
    while (k < th->vlen && strchr(" \t\r\n:", th->val[k]))
      k++;
    ns = k;
    while (k < th->vlen && !strchr(" \t\r\n:", th->val[k]))
      k++;
    ne = k;
    if (ne == ns)
      break;
    if (name_is(th->val + ns, ne - ns, "ARC-Seal")) {
      sig_set(g, MXC_VERDICT_PERMERROR, "signature-syntax",
              mxci_strdup("h= signs ARC-Seal (RFC 8617 section 4.1.2: it "
                          "must not)"));
      goto out;
    }
    /* the last field of that name not yet taken */
    for (j = s->nfields; j-- > 0;) {
      const struct field *x = &s->fields[j];
      const char *colon = memchr(x->f, ':', x->len);
      size_t nl = colon ? (size_t)(colon - x->f) : 0, u;
      int taken = 0;
      while (nl > 0 && (x->f[nl - 1] == ' ' || x->f[nl - 1] == '\t'))
        nl--;
      if (!colon || nl != ne - ns || strncasecmp(x->f, th->val + ns, nl) != 0)
        continue;
      for (u = 0; u < nused && !taken; u++)
        taken = used[u] == j;
      if (taken)
        continue;
      used[nused++] = j;
      mxci_arc_canon_header(&b, x->f, x->len, hrel, 0);
      break;
    }
  }
  /* the signature's own field, b= empty, no final CRLF */
  mxci_arc_canon_header(&b, f->f, f->len, hrel, 1);
  if (!b.oom)
    b.len -= 2;
  if (digest(&b, g->digest) < 0)
    s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
  g->body = body_get(s, brel, l);
out:
  mxci_free(used);
  mxci_free(b.s);
}

/* The AS of instance i: the sets 1..i, each AAR, AMS, AS in this order,
 * relaxed, its own b= empty and no final CRLF (RFC 8617 section 5.1.1). */
static void as_prepare(struct arc *s, const size_t *where, long i,
                       struct sig *g)
{
  struct mxci_buf b = {0};
  long j;
  int kind;
  for (j = 1; j <= i; j++)
    for (kind = 0; kind < 3; kind++) {
      const struct field *x = &s->fields[where[(size_t)(j - 1) * 3 + (size_t)kind]];
      mxci_arc_canon_header(&b, x->f, x->len, 1, j == i && kind == KIND_AS);
    }
  if (!b.oom)
    b.len -= 2;
  if (digest(&b, g->digest) < 0)
    s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
  mxci_free(b.s);
}

/* The authserv-id of an AAR ("i=N; id; ..."), printable. */
static char *aar_authserv(const struct field *f)
{
  size_t vlen, a, e;
  const char *v = field_value(f, &vlen);
  const char *semi = memchr(v, ';', vlen);
  if (semi == NULL)
    return mxci_strdup("");
  a = (size_t)(semi + 1 - v);
  while (a < vlen && strchr(" \t\r\n", v[a]))
    a++;
  e = a;
  while (e < vlen && v[e] != ';' && !strchr(" \t\r\n(", v[e]))
    e++;
  return shown(v + a, e - a);
}

static void eoh(struct arc *s)
{
  size_t *where = NULL, k;
  long n;

  s->phase = PH_BODY;
  if (s->refused || s->oom || s->narc == 0) {
    fields_free(s);
    return;
  }
  where = mxci_malloc(3 * MXC_ARC_MAX_INSTANCE * sizeof(*where));
  if (where == NULL) {
    s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return;     /* LCOV_EXCL_LINE: OutOfMemory */
  }
  for (k = 0; k < 3 * MXC_ARC_MAX_INSTANCE; k++)
    where[k] = (size_t)-1;
  structure(s, where);
  if (s->broken || s->oom)
    goto out;
  n = (long)s->nsets;
  for (k = 0; k < s->nsets; k++) {
    struct set *st = &s->sets[k];
    st->authserv_id = aar_authserv(&s->fields[where[k * 3 + KIND_AAR]]);
    sig_parse(s, &s->fields[where[k * 3 + KIND_AMS]], &st->ams, 1);
    sig_parse(s, &s->fields[where[k * 3 + KIND_AS]], &st->as, 0);
  }
  /* RFC 8617 section 5.2 step 2: the latest seal says the chain failed. */
  if (s->sets[n - 1].as.cv && strcmp(s->sets[n - 1].as.cv, "fail") == 0) {
    broken(s, "arc-cv-fail",
           "the latest ARC-Seal (i=%ld, d=%s) says cv=fail: the chain "
           "failed before it",
           n, s->sets[n - 1].as.d ? s->sets[n - 1].as.d : "");
    goto out;
  }
  /* Step 3 (section 4.1.3): cv=none at instance 1, pass after. */
  for (k = 0; k < s->nsets; k++) {
    const char *cv = s->sets[k].as.cv;
    const char *want = k == 0 ? "none" : "pass";
    if (cv == NULL)
      continue; /* the AS is malformed: its own verdict says so */
    if (strcmp(cv, want) != 0) {
      broken(s, "arc-cv",
             "ARC-Seal i=%zu has cv=%s, must be %s (RFC 8617 section "
             "4.1.3)",
             k + 1, cv, want);
      goto out;
    }
  }
  for (k = 0; k < s->nsets && !s->oom; k++) {
    struct set *st = &s->sets[k];
    if (st->ams.ok)
      ams_prepare(s, where[k * 3 + KIND_AMS], &st->ams);
    if (st->as.ok)
      as_prepare(s, where, (long)k + 1, &st->as);
  }
  fields_free(s);
  for (k = 0; k < s->nsets && !s->oom; k++) {
    struct set *st = &s->sets[k];
    if (st->ams.ok)
      key_start(s, &st->ams);
    if (st->as.ok && !s->oom)
      key_start(s, &st->as);
  }
out:
  fields_free(s);
  mxci_free(where);
}

mxc_status_t mxc_arc_eoh(mxc_check_t *chk)
{
  struct arc *s = get(chk);
  if (s == NULL || s->phase != PH_HEADER)
    return MXC_EINVAL;
  eoh(s);
  mxci_ctx_leave(chk->ctx);
  if (s->oom)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  return s->refused ? MXC_ELIMIT : MXC_OK;
}

mxc_status_t mxc_arc_body(mxc_check_t *chk, const char *chunk, size_t len)
{
  struct arc *s = get(chk);
  size_t i;
  if (s == NULL || (chunk == NULL && len > 0) || s->phase != PH_BODY)
    return MXC_EINVAL;
  if (s->refused)
    return MXC_ELIMIT;
  if (s->oom)
    return MXC_ENOMEM;
  for (i = 0; i < s->nbodies; i++)
    mxci_arc_body_feed(&s->bodies[i].c, chunk, len);
  return MXC_OK;
}

mxc_status_t mxc_arc_finish(mxc_check_t *chk, mxc_done_cb cb, void *arg)
{
  struct arc *s = get(chk);
  mxc_ctx_t *ctx;
  size_t i;
  if (s == NULL || cb == NULL || chk->cb != NULL)
    return MXC_EINVAL;
  ctx = chk->ctx;
  if (s->phase == PH_HEADER)
    eoh(s);
  for (i = 0; i < s->nbodies; i++) {
    unsigned int n = 0;
    mxci_arc_body_end(&s->bodies[i].c);
    if (EVP_DigestFinal_ex(s->bodies[i].md, s->bodies[i].digest, &n) != 1)
      s->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  mxci_check_arm(chk, cb, arg);
  s->phase = PH_FINISHED;
  if (s->pending == 0)
    complete(s);
  mxci_ctx_leave(ctx);
  return MXC_OK;
}

/* ---- verification ---------------------------------------------------------- */

/* The public key of record rec for algorithm family alg ("rsa",
 * "ed25519"); NULL with *code and *why set. */
static EVP_PKEY *key_decode(const char *rec, size_t len, const char *alg,
                            const char **code, char **why)
{
  struct mxci_arc_tags t;
  const struct mxci_arc_tag *tk, *tp, *th;
  const char *err = mxci_arc_tags_parse(rec, len, &t);
  unsigned char *der;
  const unsigned char *p;
  size_t dlen;
  EVP_PKEY *pk = NULL;
  int is_rsa;

  *code = "key-syntax";
  if (err) {
    *why = mxci_asprintf("the key record is not a tag list: %s", err);
    return NULL;
  }
  tk = mxci_arc_tag(&t, "k");
  is_rsa = tk == NULL || (tk->vlen == 3 && memcmp(tk->val, "rsa", 3) == 0);
  if (!is_rsa && !(tk->vlen == 7 && memcmp(tk->val, "ed25519", 7) == 0)) {
    *why = mxci_strdup("the key record's k= is neither rsa nor ed25519");
    return NULL;
  }
  if (strcmp(alg, is_rsa ? "rsa" : "ed25519") != 0) {
    *code = "key-type-mismatch";
    *why = mxci_asprintf("the key is k=%s but the signature is a=%s-sha256",
                         is_rsa ? "rsa" : "ed25519", alg);
    return NULL;
  }
  if ((th = mxci_arc_tag(&t, "h")) != NULL) {
    /* a colon-separated list of hashes: sha256 must be in it */
    size_t i = 0;
    int found = 0;
    while (i < th->vlen && !found) {
      size_t j = i;
      while (j < th->vlen && th->val[j] != ':')
        j++;
      while (i < j && strchr(" \t\r\n", th->val[i]))
        i++;
      found = j - i >= 6 && memcmp(th->val + i, "sha256", 6) == 0;
      i = j + 1;
    }
    if (!found) {
      *code = "key-hash-mismatch";
      *why = mxci_strdup("the key's h= does not list sha256");
      return NULL;
    }
  }
  tp = mxci_arc_tag(&t, "p");
  if (tp == NULL) {
    *why = mxci_strdup("the key record has no p=");
    return NULL;
  }
  if (tp->vlen == 0) {
    *code = "key-revoked";
    *why = mxci_strdup("the key is revoked (empty p=)");
    return NULL;
  }
  der = mxci_arc_b64(tp->val, tp->vlen, &dlen);
  if (der == NULL) {
    *why = mxci_strdup("p= is not base64");
    return NULL;
  }
  if (is_rsa) {
    p = der;
    pk = d2i_PUBKEY(NULL, &p, (long)dlen);
    if (pk == NULL) { /* RFC 6376 section 3.6.1 names RSAPublicKey too */
      p = der;
      pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)dlen);
    }
    if (pk && EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
      EVP_PKEY_free(pk);
      pk = NULL;
    }
    if (pk && EVP_PKEY_get_bits(pk) < MIN_RSA_BITS) {
      *code = "key-too-small";
      *why = mxci_asprintf("%d-bit RSA key: under %d bits (RFC 8301 section "
                           "3.2)",
                           EVP_PKEY_get_bits(pk), MIN_RSA_BITS);
      EVP_PKEY_free(pk);
      mxci_free(der);
      return NULL;
    }
  } else if (dlen == 32) {
    pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, dlen);
  }
  mxci_free(der);
  if (pk == NULL)
    *why = mxci_strdup(is_rsa ? "p= is not an RSA public key"
                              : "p= is not a 32-octet Ed25519 key");
  return pk;
}

static int crypto_verify(EVP_PKEY *pk, const struct sig *g)
{
  int ok = 0;
  if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA) {
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(pk, NULL);
    ok = pc && EVP_PKEY_verify_init(pc) == 1 &&
         EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 &&
         EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) == 1 &&
         EVP_PKEY_verify(pc, g->b, g->blen, g->digest, SHA256_LEN) == 1;
    EVP_PKEY_CTX_free(pc);
  } else {
    /* RFC 8463 section 3: Ed25519 signs the SHA-256 hash */
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    ok = mc && EVP_DigestVerifyInit(mc, NULL, NULL, NULL, pk) == 1 &&
         EVP_DigestVerify(mc, g->b, g->blen, g->digest, SHA256_LEN) == 1;
    EVP_MD_CTX_free(mc);
  }
  return ok;
}

/* The verdict of one signature whose parse went well. */
static void sig_verify(struct arc *s, struct sig *g, int ams)
{
  struct key *k = g->key >= 0 ? &s->keys[g->key] : NULL;
  const char *code = NULL;
  char *why = NULL;
  EVP_PKEY *pk;

  if (!g->ok)
    return;
  if (k == NULL)
    return; /* LCOV_EXCL_LINE: key_start() set a verdict */
  if (k->state == K_TEMP) {
    sig_set(g, MXC_VERDICT_TEMPERROR, "dns-error",
            mxci_asprintf("the key at %s could not be fetched: %s", k->name,
                          k->cause ? k->cause : ""));
    return;
  }
  if (k->state == K_NONE || k->state == K_BAD || k->state == K_PENDING) {
    sig_set(g, MXC_VERDICT_PERMERROR, "no-key",
            mxci_asprintf("no key at %s: %s", k->name,
                          k->cause ? k->cause : ""));
    return;
  }
  if (ams && g->body >= 0 &&
      memcmp(s->bodies[g->body].digest, g->bh, SHA256_LEN) != 0) {
    sig_set(g, MXC_VERDICT_FAIL, "body-hash-mismatch",
            mxci_strdup("the body hash does not match bh=: the body changed "
                        "after this ARC-Message-Signature"));
    return;
  }
  pk = key_decode(k->rec, k->len,
                  strncmp(g->a, "rsa", 3) == 0 ? "rsa" : "ed25519", &code,
                  &why);
  if (pk == NULL) {
    sig_set(g, MXC_VERDICT_PERMERROR, code,
            mxci_asprintf("%s: %s", k->name, why ? why : ""));
    mxci_free(why);
    return;
  }
  if (crypto_verify(pk, g))
    sig_set(g, MXC_VERDICT_PASS, "",
            mxci_asprintf("verified with the %d-bit %s key at %s",
                          EVP_PKEY_get_bits(pk),
                          EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA ? "rsa"
                                                                   : "ed25519",
                          k->name));
  else
    sig_set(g, MXC_VERDICT_FAIL, "signature-mismatch",
            mxci_asprintf("the signature does not verify with the key at %s%s",
                          k->name,
                          ams ? "" : " (an ARC header field changed after "
                                     "sealing)"));
  EVP_PKEY_free(pk);
}

static void set_copy(struct mxci_arc_set *d, const struct set *st, int *bad)
{
  d->instance = (int)st->inst;
  d->ams = st->ams.v;
  d->as = st->as.v;
  *bad |= mxci_strdup_opt(&d->authserv_id, st->authserv_id);
  *bad |= mxci_strdup_opt(&d->ams_domain, st->ams.d);
  *bad |= mxci_strdup_opt(&d->ams_selector, st->ams.s);
  *bad |= mxci_strdup_opt(&d->ams_error, st->ams.code ? st->ams.code : "");
  *bad |= mxci_strdup_opt(&d->ams_reason, st->ams.reason ? st->ams.reason : "");
  *bad |= mxci_strdup_opt(&d->as_domain, st->as.d);
  *bad |= mxci_strdup_opt(&d->as_selector, st->as.s);
  *bad |= mxci_strdup_opt(&d->as_error, st->as.code ? st->as.code : "");
  *bad |= mxci_strdup_opt(&d->as_reason, st->as.reason ? st->as.reason : "");
  *bad |= mxci_strdup_opt(&d->cv, st->as.cv);
}

static const char *fix_for(const char *code)
{
  if (strcmp(code, "body-hash-mismatch") == 0)
    return "the body changed after the last ARC-Message-Signature: the "
           "last forwarder must seal after it modifies the message";
  if (strcmp(code, "dns-error") == 0)
    return "retry later; check the name servers of the sealing domain";
  if (strncmp(code, "key-", 4) == 0 || strcmp(code, "no-key") == 0)
    return "the sealer must publish its key at selector._domainkey.domain";
  return "the forwarder or list that added the failing ARC set must fix "
         "its ARC signer (RFC 8617)";
}

static mxc_result_t *build_result(struct arc *s)
{
  mxc_result_t *r = mxci_result_new(&mxci_arc_method);
  struct mxci_arc *p;
  size_t i, n = s->nsets;
  int bad = 0;
  const char *code = "";
  char *reason = NULL;
  mxc_verdict_t v = MXC_VERDICT_PASS;

  if (r == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  p = MXCI_ARCR(r);
  p->oldest_pass = -1;
  r->input = mxci_strdup(s->input ? s->input : "");
  bad |= r->input == NULL;
  if (n) {
    p->sets = mxci_calloc(n, sizeof(*p->sets));
    bad |= p->sets == NULL;
  }
  for (i = 0; p->sets && i < n; i++) {
    p->nsets++;
    set_copy(&p->sets[i], &s->sets[i], &bad);
  }
  if (s->refused) {
    v = MXC_VERDICT_FAIL;
    code = "message-not-verifiable";
    reason = mxci_asprintf("the message was not verified: %s", s->refused);
  } else if (s->narc == 0) {
    v = MXC_VERDICT_NONE;
    reason = mxci_strdup("the message has no ARC header fields");
  } else if (s->broken) {
    v = MXC_VERDICT_FAIL;
    code = s->broken_code;
    reason = mxci_strdup(s->broken);
  } else {
    const struct set *last = &s->sets[n - 1];
    /* Step 4: the latest AMS must verify; the oldest-pass is the lowest
     * instance of the run of verifying AMSs that ends with it (0: all). */
    if (last->ams.v != MXC_VERDICT_PASS) {
      v = last->ams.v == MXC_VERDICT_TEMPERROR ? MXC_VERDICT_TEMPERROR
                                               : MXC_VERDICT_FAIL;
      code = last->ams.code;
      reason = mxci_asprintf("the latest ARC-Message-Signature (i=%zu, d=%s) "
                             "does not verify: %s",
                             n, last->ams.d ? last->ams.d : "",
                             last->ams.reason ? last->ams.reason : "");
    } else {
      size_t m = n;
      while (m > 1 && s->sets[m - 2].ams.v == MXC_VERDICT_PASS)
        m--;
      p->oldest_pass = m == 1 ? 0 : (int)m;
      /* Step 5: every seal, latest first. */
      for (i = n; i-- > 0;) {
        const struct sig *g = &s->sets[i].as;
        if (g->v == MXC_VERDICT_PASS)
          continue;
        v = g->v == MXC_VERDICT_TEMPERROR ? MXC_VERDICT_TEMPERROR
                                          : MXC_VERDICT_FAIL;
        code = g->code;
        reason = mxci_asprintf("the ARC-Seal i=%zu (d=%s) does not verify: %s",
                               i + 1, g->d ? g->d : "",
                               g->reason ? g->reason : "");
        break;
      }
      if (v == MXC_VERDICT_PASS) {
        struct mxci_buf b = {0};
        for (i = n; i-- > 0;)
          mxci_buf_printf(&b, "%s%s", i + 1 == n ? "" : ", ",
                          s->sets[i].as.d ? s->sets[i].as.d : "");
        reason = mxci_asprintf("%zu ARC set%s verified, sealed by %s", n,
                               n == 1 ? "" : "s", b.s && !b.oom ? b.s : "");
        mxci_free(b.s);
      }
    }
  }
  r->verdict = v;
  r->reason = reason;
  bad |= mxci_strdup_opt(&p->error, code ? code : "");
  r->fix = mxci_strdup(v == MXC_VERDICT_PASS || v == MXC_VERDICT_NONE
                           ? ""
                           : fix_for(code ? code : ""));
  if (bad || r->reason == NULL || r->fix == NULL) {
    mxc_result_free(r); /* LCOV_EXCL_LINE: OutOfMemory */
    return NULL;        /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return r;
}

static void complete(struct arc *s)
{
  mxc_result_t *r;
  size_t i;
  s->phase = PH_DONE;
  if (!s->refused && !s->broken && !s->oom)
    for (i = 0; i < s->nsets; i++) {
      sig_verify(s, &s->sets[i].ams, 1);
      sig_verify(s, &s->sets[i].as, 0);
    }
  r = s->oom ? NULL : build_result(s);
  if (r == NULL) {
    mxci_check_finish(s->chk, MXC_ENOMEM, NULL);
    return;
  }
  mxci_check_finish(s->chk, MXC_OK, r);
}
