/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnssec.c -- DNSSEC sanity of a signed zone file before it is published
 * (--zone): would validating resolvers (Gmail's validate) accept the
 * records that the checks read from it?
 *
 * For every RRset of the zone that answered a lookup of the other checks,
 * and for the apex SOA and DNSKEY RRsets, each RRSIG covering it is
 * judged (RFC 4035 section 5.3): well-formed; signed by the zone's apex;
 * an algorithm known here; inception and expiration against now (RFC 1982
 * serial number arithmetic, RFC 4034 section 3.1.5); a DNSKEY of the
 * apex with its key tag, algorithm, Zone Key flag and protocol 3 (RFC
 * 4034 section 2.1); the signature verifies over the RRset in canonical
 * form (dnssec_crypto.c).  An RRset passes when one RRSIG is good (RFC
 * 4035 section 5.3.3; RFC 6840 section 5.11).  Findings:
 *  - no good RRSIG: fail, one finding per RRSIG saying why (or
 *    "unsigned" when it has none in a signed zone) -- a validating
 *    resolver answers SERVFAIL: the name is unresolvable for it;
 *  - good, but the last good RRSIG expires within the horizon: warn;
 *  - good, and some other RRSIG is bad: warn;
 *  - no good RRSIG, but one of an algorithm not known here: "not
 *    checked" (state unknown), never bad.
 * A zone is signed when its apex has a DNSKEY or an RRSIG covers one of
 * the RRsets checked; an unsigned zone has no findings (verdict none,
 * "zone not signed").
 *
 * A key rollover: the DNSKEYs that verified signatures of the file are
 * looked for in the DNSKEY RRset that DNS publishes now for the zone
 * (mxci_dns_lookup_live(), past the files).  A key the published set
 * lacks is a warning: resolvers that hold the published set (for up to
 * its TTL) cannot validate the new signatures -- publish the key first
 * (RFC 6781 section 4.1.1.1, pre-publication).  No published DNSKEY (the
 * zone is signed for the first time) or no answer: nothing said.
 */
#include "mxc_private.h"
#include "dnssec_private.h"

#include <stdio.h>
#include <time.h>

static const char *type_text(uint16_t t, char *buf, size_t len)
{
  const char *s = mxci_type_str(t);
  if (strcmp(s, "?") != 0)
    return s;
  switch (t) {
  case MXCI_T_DNSKEY:
    return "DNSKEY";
  case MXCI_T_RRSIG:
    return "RRSIG";
  case MXCI_T_NSEC:
    return "NSEC";
  case MXCI_T_DS:
    return "DS";
  case 33:
    return "SRV";
  case 257:
    return "CAA";
  case 52:
    return "TLSA";
  default:
    snprintf(buf, len, "TYPE%u", (unsigned)t);
    return buf;
  }
}

/* "2 days", "5 hours", "12 minutes" */
static void span(long long s, char *buf, size_t len)
{
  if (s < 0)
    s = -s;
  if (s >= 86400)
    snprintf(buf, len, "%lld day%s", s / 86400, s / 86400 == 1 ? "" : "s");
  else if (s >= 3600)
    snprintf(buf, len, "%lld hour%s", s / 3600, s / 3600 == 1 ? "" : "s");
  else
    snprintf(buf, len, "%lld minute%s", s / 60, s / 60 == 1 ? "" : "s");
}

static void when(long long t, char *buf, size_t len)
{
  time_t tt = (time_t)t;
  struct tm tm;
  if (gmtime_r(&tt, &tm) == NULL ||
      strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
    snprintf(buf, len, "%lld", t);
}

/* A DNSKEY of the file that verified a signature. */
struct used_key {
  unsigned char *rdata;
  uint16_t rdlen, tag;
};

struct dnssec_check {
  mxc_check_t *chk;
  mxc_result_t *res;
  struct mxci_waiter w;
  int active; /* the live DNSKEY lookup is out */
  struct used_key *keys;
  size_t nkeys;
  long long now;
};

struct walk {
  struct dnssec_check *dc;
  mxc_result_t *res;
  struct mxci_dnssec *x;
  struct mxci_zset keys; /* the apex DNSKEY RRset */
  const unsigned char *apex;
  size_t alen;
  long long now;
  long horizon;
  int oom;
};

static void finding(struct walk *w, mxc_rule_state_t st, const char *code,
                    const char *owner, const char *type, const char *fmt,
                    ...) __attribute__((format(printf, 6, 7)));
static void finding(struct walk *w, mxc_rule_state_t st, const char *code,
                    const char *owner, const char *type, const char *fmt,
                    ...)
{
  struct mxci_dnssec *x = w->x;
  struct mxci_dnssec_finding *f, *v;
  char text[600];
  va_list ap;
  if (x->nfind >= MXC_DNSSEC_MAX_FINDINGS)
    return;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  v = mxci_realloc(x->find, (x->nfind + 1) * sizeof(*v));
  if (v == NULL) {
    w->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return;     /* LCOV_EXCL_LINE: OutOfMemory */
  }
  x->find = v;
  f = &v[x->nfind++];
  memset(f, 0, sizeof(*f));
  f->state = st;
  if ((f->code = mxci_strdup(code)) == NULL ||
      (f->owner = mxci_strdup(owner)) == NULL ||
      (f->type = mxci_strdup(type)) == NULL ||
      (f->text = mxci_strdup(text)) == NULL)
    w->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
}

enum sigstate {
  S_GOOD,
  S_MALFORMED,
  S_SIGNER,
  S_UNSUPPORTED,
  S_EXPIRED,
  S_NOTYET,
  S_NOKEY,
  S_BADKEY,
  S_BOGUS
};

struct judged {
  enum sigstate st;
  struct mxci_rrsig g;
  long long exp_abs, inc_abs; /* absolute times, from serial arithmetic */
  const char *why;
};

/* Remember a key that verified a signature (once). */
static void note_key(struct walk *w, const struct mxci_zrr *key,
                     uint16_t tag)
{
  struct dnssec_check *dc = w->dc;
  struct used_key *v;
  size_t i;
  for (i = 0; i < dc->nkeys; i++)
    if (dc->keys[i].rdlen == key->rdlen &&
        memcmp(dc->keys[i].rdata, key->rdata, key->rdlen) == 0)
      return;
  v = mxci_realloc(dc->keys, (dc->nkeys + 1) * sizeof(*v));
  if (v == NULL) {
    w->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return;     /* LCOV_EXCL_LINE: OutOfMemory */
  }
  dc->keys = v;
  v = &dc->keys[dc->nkeys];
  if ((v->rdata = mxci_malloc(key->rdlen)) == NULL) {
    w->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    return;     /* LCOV_EXCL_LINE: OutOfMemory */
  }
  memcpy(v->rdata, key->rdata, key->rdlen);
  v->rdlen = key->rdlen;
  v->tag = tag;
  dc->nkeys++;
}

/* Judge one RRSIG of the RRset s. */
static void judge(struct walk *w, const struct mxci_zset *s,
                  const struct mxci_zrr *sig, struct judged *j)
{
  uint32_t now32 = (uint32_t)w->now;
  size_t k, dlen = 0;
  unsigned char *data;
  int found = 0, badkey = 0;

  memset(j, 0, sizeof(*j));
  if (mxci_rrsig_parse(sig->rdata, sig->rdlen, &j->g) < 0) {
    j->st = S_MALFORMED;
    j->why = "malformed RRSIG";
    return;
  }
  /* RFC 1982: times are compared with the clock modulo 2^32. */
  j->exp_abs = w->now + (int32_t)(j->g.expiration - now32);
  j->inc_abs = w->now + (int32_t)(j->g.inception - now32);
  if (j->g.slen != w->alen || memcmp(j->g.signer, w->apex, w->alen) != 0) {
    j->st = S_SIGNER;
    return;
  }
  if (!mxci_dnssec_alg_known(j->g.alg)) {
    j->st = S_UNSUPPORTED;
    return;
  }
  if (j->exp_abs < w->now) {
    j->st = S_EXPIRED;
    return;
  }
  if (j->inc_abs > w->now) {
    j->st = S_NOTYET;
    return;
  }
  data = mxci_dnssec_signed_data(sig->rdata, sig->rdlen, s->owner, s->olen,
                                 s->type, s->rr, s->n, &dlen, &j->why);
  if (data == NULL) {
    if (j->why && strcmp(j->why, "out of memory") == 0)
      w->oom = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    j->st = S_MALFORMED;
    return;
  }
  for (k = 0; k < w->keys.n; k++) {
    const struct mxci_zrr *key = &w->keys.rr[k];
    int v;
    /* RFC 4035 section 5.3.1: the key tag and algorithm match, the Zone
     * Key flag (bit 7) is set, the protocol is 3 (RFC 4034 2.1.1-2). */
    if (key->rdlen < 5 || key->rdata[3] != j->g.alg || key->rdata[2] != 3 ||
        !(key->rdata[0] & 1) ||
        mxci_dnssec_keytag(key->rdata, key->rdlen) != j->g.tag)
      continue;
    found = 1;
    w->x->nsigs++;
    v = mxci_dnssec_verify(key->rdata, key->rdlen, data, dlen, j->g.sig,
                           j->g.siglen);
    if (v == 1) {
      mxci_free(data);
      j->st = S_GOOD;
      note_key(w, key, j->g.tag);
      return;
    }
    if (v == -2)
      badkey = 1;
  }
  mxci_free(data);
  j->st = !found ? S_NOKEY : badkey ? S_BADKEY : S_BOGUS;
}

static void report(struct walk *w, const struct judged *j, int fail,
                   const char *owner, const char *type)
{
  mxc_rule_state_t st = fail ? MXC_RULE_FAIL : MXC_RULE_WARN;
  char a[64], t[40], zone[MXCI_MAX_NAME];
  const char *other = fail ? "" : "; another signature is good";
  mxci_wire_text(w->apex, w->alen, zone, sizeof(zone));
  switch (j->st) {
  case S_GOOD:
  case S_UNSUPPORTED:
    break;
  case S_MALFORMED:
    finding(w, st, "malformed", owner, type,
            "an RRSIG of %s %s cannot be used: %s%s", owner, type,
            j->why ? j->why : "malformed", other);
    break;
  case S_SIGNER: {
    char s[MXCI_MAX_NAME];
    mxci_wire_text(j->g.signer, j->g.slen, s, sizeof(s));
    finding(w, st, "signer", owner, type,
            "the signature of %s %s (key tag %u) names the signer %s, not "
            "the zone %s%s",
            owner, type, (unsigned)j->g.tag, s, zone, other);
    break;
  }
  case S_EXPIRED:
    span(w->now - j->exp_abs, t, sizeof(t));
    when(j->exp_abs, a, sizeof(a));
    finding(w, st, "expired", owner, type,
            "the signature of %s %s (key tag %u) expired %s ago (%s)%s",
            owner, type, (unsigned)j->g.tag, t, a, other);
    break;
  case S_NOTYET:
    span(j->inc_abs - w->now, t, sizeof(t));
    when(j->inc_abs, a, sizeof(a));
    finding(w, st, "not-yet-valid", owner, type,
            "the signature of %s %s (key tag %u) is not valid before %s (in "
            "%s)%s",
            owner, type, (unsigned)j->g.tag, a, t, other);
    break;
  case S_NOKEY: {
    char b[32];
    finding(w, st, "no-key", owner, type,
            "the signature of %s %s names key tag %u (%s), which no DNSKEY "
            "of %s has%s",
            owner, type, (unsigned)j->g.tag,
            mxci_dnssec_alg_name(j->g.alg, b, sizeof(b)), zone, other);
    break;
  }
  case S_BADKEY:
    finding(w, st, "bad-key", owner, type,
            "the DNSKEY of key tag %u of %s is malformed: the signature of "
            "%s %s cannot verify%s",
            (unsigned)j->g.tag, zone, owner, type, other);
    break;
  case S_BOGUS:
    finding(w, st, "bogus", owner, type,
            "the signature of %s %s (key tag %u) does not verify: the "
            "records differ from what was signed%s",
            owner, type, (unsigned)j->g.tag, other);
    break;
  }
}

static int check_set(void *arg, const struct mxci_zset *s)
{
  struct walk *w = arg;
  char owner[MXCI_MAX_NAME], tb[16];
  const char *type = type_text(s->type, tb, sizeof(tb));
  struct judged *j;
  size_t i, good = 0, unsupported = 0;
  long long best = 0;
  unsigned alg = 0;

  if (s->n == 0)
    return 0;
  w->x->nsets++;
  mxci_wire_text(s->owner, s->olen, owner, sizeof(owner));
  if (s->nsig == 0) {
    if (w->x->is_signed)
      finding(w, MXC_RULE_FAIL, "unsigned", owner, type,
              "%s %s has no signature (RRSIG) in a signed zone", owner,
              type);
    return w->oom ? -1 : 0;
  }
  j = mxci_calloc(s->nsig, sizeof(*j));
  if (j == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < s->nsig; i++) {
    judge(w, s, &s->sig[i], &j[i]);
    if (j[i].st == S_GOOD) {
      good++;
      if (j[i].exp_abs > best)
        best = j[i].exp_abs;
    } else if (j[i].st == S_UNSUPPORTED) {
      unsupported++;
      alg = j[i].g.alg;
    }
  }
  if (good) {
    if (best - w->now < w->horizon) {
      char t[40], a[64];
      span(best - w->now, t, sizeof(t));
      when(best, a, sizeof(a));
      finding(w, MXC_RULE_WARN, "expiring", owner, type,
              "signatures of %s %s expire in %s (%s)", owner, type, t, a);
    }
    for (i = 0; i < s->nsig; i++)
      report(w, &j[i], 0, owner, type);
  } else if (unsupported) {
    char b[32];
    finding(w, MXC_RULE_UNKNOWN, "not-checked", owner, type,
            "signatures of %s %s use %s: not checked", owner, type,
            mxci_dnssec_alg_name(alg, b, sizeof(b)));
  } else {
    for (i = 0; i < s->nsig; i++)
      report(w, &j[i], 1, owner, type);
  }
  mxci_free(j);
  return w->oom ? -1 : 0;
}

/* Does any RRset checked carry an RRSIG? */
static int any_sig(void *arg, const struct mxci_zset *s)
{
  (void)arg;
  return s->nsig ? 1 : 0;
}

/* ---- the check ------------------------------------------------------------ */

/* The verdict, reason and fix from the findings; deliver. */
static void finish(struct dnssec_check *dc)
{
  mxc_result_t *r = dc->res;
  struct mxci_dnssec *x = MXCI_DNSSEC(r);
  size_t i, nf;

  for (i = nf = 0; i < x->nfind; i++)
    nf += x->find[i].state == MXC_RULE_FAIL;
  mxci_free(r->reason);
  mxci_free(r->fix);
  r->fix = NULL;
  if (!x->is_signed) {
    r->verdict = MXC_VERDICT_NONE;
    r->reason = mxci_strdup("zone not signed");
  } else if (nf) {
    r->verdict = MXC_VERDICT_FAIL;
    r->reason = mxci_asprintf(
        "%zu signature problem%s: validating resolvers (Gmail's) would not "
        "resolve these names",
        nf, nf == 1 ? "" : "s");
    r->fix = mxci_strdup("sign the zone again (and publish every DNSKEY "
                         "its RRSIGs name) before publishing it");
  } else {
    r->verdict = MXC_VERDICT_PASS;
    r->reason = mxci_asprintf("%zu RRset%s checked, %zu signature%s verified",
                              x->nsets, x->nsets == 1 ? "" : "s", x->nsigs,
                              x->nsigs == 1 ? "" : "s");
    for (i = 0; i < x->nfind; i++)
      if (x->find[i].state == MXC_RULE_WARN) {
        r->fix = mxci_strdup(
            strcmp(x->find[i].code, "rollover") == 0
                ? "publish the new DNSKEY first and wait for the TTL of the "
                  "published DNSKEY RRset before publishing the zone signed "
                  "with it"
                : "sign the zone again before its signatures expire");
        break;
      }
  }
  mxci_check_finish(dc->chk, MXC_OK, r);
  dc->res = NULL;
}

/* The DNSKEY RRset that DNS publishes now: is every key that signs the
 * file in it? */
static void live_done(void *arg, const struct mxci_answer *ans)
{
  struct dnssec_check *dc = arg;
  struct mxci_dnssec *x = MXCI_DNSSEC(dc->res);
  struct walk w;
  size_t i, k, nlive = 0;
  uint32_t ttl = 0;

  dc->active = 0;
  memset(&w, 0, sizeof(w));
  w.dc = dc;
  w.res = dc->res;
  w.x = x;
  if (ans->err == ARES_SUCCESS && ans->rcode == MXCI_RCODE_NOERROR) {
    for (i = 0; i < ans->nan; i++)
      if (ans->an[i].type == MXCI_T_DNSKEY &&
          mxci_name_eq(ans->an[i].owner, x->zone)) {
        nlive++;
        ttl = ans->an[i].ttl;
      }
    x->live = (long)nlive;
  }
  for (k = 0; nlive && k < dc->nkeys; k++) {
    const struct used_key *u = &dc->keys[k];
    char b[32];
    for (i = 0; i < ans->nan; i++)
      if (ans->an[i].type == MXCI_T_DNSKEY && ans->an[i].data &&
          ans->an[i].datalen == u->rdlen &&
          mxci_name_eq(ans->an[i].owner, x->zone) &&
          memcmp(ans->an[i].data, u->rdata, u->rdlen) == 0)
        break;
    if (i < ans->nan)
      continue;
    finding(&w, MXC_RULE_WARN, "rollover", x->zone, "DNSKEY",
            "key tag %u (%s) signs the zone file but is not in the DNSKEY "
            "RRset published now for %s (TTL %lu s): resolvers holding that "
            "set cannot validate the new signatures until it expires",
            (unsigned)u->tag,
            mxci_dnssec_alg_name(u->rdata[3], b, sizeof(b)), x->zone,
            (unsigned long)ttl);
  }
  finish(dc);
}

static void dnssec_abort(mxc_check_t *chk)
{
  struct dnssec_check *dc = chk->priv;
  if (dc && dc->active) {
    mxci_dns_cancel(&dc->w);
    dc->active = 0;
  }
}

static void dnssec_free(mxc_check_t *chk)
{
  struct dnssec_check *dc = chk->priv;
  size_t i;
  if (dc == NULL)
    return;
  for (i = 0; i < dc->nkeys; i++)
    mxci_free(dc->keys[i].rdata);
  mxci_free(dc->keys);
  mxc_result_free(dc->res);
  mxci_free(dc);
  chk->priv = NULL;
}

static const struct mxci_check_ops dnssec_ops = {dnssec_abort, dnssec_free};

mxc_status_t mxc_dnssec_start(mxc_ctx_t *ctx, size_t zone, mxc_done_cb cb,
                              void *arg, mxc_check_t **out)
{
  struct mxci_dnssec_ctx *opt;
  struct dnssec_check *dc;
  struct walk w;
  struct mxci_dnssec *x;
  mxc_check_t *chk;
  mxc_result_t *r;
  const char *origin, *source;
  int rc;

  if (out)
    *out = NULL;
  if (!mxci_ctx_valid(ctx) || cb == NULL)
    return MXC_EINVAL;
  if ((origin = mxc_ctx_zone_origin(ctx, zone)) == NULL)
    return MXC_EINVAL;
  source = mxc_ctx_zone_source(ctx, zone);
  if (ctx->free_requested)
    return MXC_EDESTRUCTION;
  if ((opt = mxci_ctx_state(ctx, &mxci_dnssec_method)) == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  dc = mxci_calloc(1, sizeof(*dc));
  r = mxci_result_new(&mxci_dnssec_method);
  chk = dc && r ? mxci_check_new(ctx, &dnssec_ops, cb, arg) : NULL;
  if (chk == NULL) {
    mxci_free(dc);      /* LCOV_EXCL_LINE: OutOfMemory */
    mxc_result_free(r); /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM;  /* LCOV_EXCL_LINE: OutOfMemory */
  }
  chk->priv = dc;
  dc->chk = chk;
  dc->res = r;
  x = MXCI_DNSSEC(r);
  x->live = -1;
  memset(&w, 0, sizeof(w));
  w.dc = dc;
  w.res = r;
  w.x = x;
  w.now = opt->now ? opt->now : (long long)time(NULL);
  w.horizon = opt->horizon;
  w.apex = mxci_zone_apex(ctx, zone, &w.alen);
  if ((r->input = mxci_strdup(origin)) == NULL ||
      (x->zone = mxci_strdup(origin)) == NULL ||
      (x->source = mxci_strdup(source ? source : "")) == NULL ||
      mxci_zone_rrset(ctx, zone, w.apex, w.alen, MXCI_T_DNSKEY, &w.keys) < 0)
    goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  x->nkeys = w.keys.n;
  x->is_signed = w.keys.n > 0;
  if (!x->is_signed && (rc = mxci_zone_walk(ctx, zone, any_sig, NULL)) != 0) {
    if (rc < 0)
      goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
    x->is_signed = 1;
  }
  /* (unsigned: the walk only counts the RRsets) */
  if (mxci_zone_walk(ctx, zone, check_set, &w) < 0 || w.oom)
    goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  mxci_zset_clear(&w.keys);
  if (x->is_signed && dc->nkeys) {
    dc->active = 1;
    if (mxci_dns_lookup_live(ctx, origin, MXCI_T_DNSKEY, live_done, dc,
                             &dc->w) != MXC_OK) {
      dc->active = 0; /* LCOV_EXCL_LINE: OutOfMemory */
      finish(dc);     /* LCOV_EXCL_LINE: OutOfMemory */
    }
  } else {
    finish(dc);
  }
  if (out)
    *out = chk;
  mxci_ctx_leave(ctx);
  return MXC_OK;
oom:
  mxci_zset_clear(&w.keys); /* LCOV_EXCL_START: OutOfMemory */
  mxci_check_discard(chk);
  return MXC_ENOMEM; /* LCOV_EXCL_STOP */
}

mxc_status_t mxc_dnssec_sync(mxc_ctx_t *ctx, size_t zone, mxc_result_t **out)
{
  struct mxci_sync s = {0, MXC_OK, NULL};
  mxc_check_t *chk = NULL;
  mxc_status_t st = mxci_sync_begin(ctx, out);
  if (st == MXC_OK)
    st = mxc_dnssec_start(ctx, zone, mxci_sync_done, &s, &chk);
  return mxci_sync_wait(ctx, &s, st, chk, out);
}

mxc_status_t mxc_ctx_set_dnssec_horizon(mxc_ctx_t *ctx, long seconds)
{
  struct mxci_dnssec_ctx *opt;
  if (!mxci_ctx_valid(ctx) || seconds < 0 ||
      seconds > MXC_DNSSEC_MAX_HORIZON)
    return MXC_EINVAL;
  if ((opt = mxci_ctx_state(ctx, &mxci_dnssec_method)) == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  opt->horizon = seconds;
  return MXC_OK;
}
