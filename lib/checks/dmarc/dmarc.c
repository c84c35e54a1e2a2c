/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc.c -- DMARC (RFC 9989, which obsoleted RFC 7489 and RFC 9091) as a
 * check on the context's engine: policy discovery for the RFC 5322.From
 * (author) domain, the organizational domains of the From domain and of
 * the authenticated identifiers, identifier alignment and the DMARC
 * result.
 *
 * Two discovery methods (mxc_ctx_set_dmarc_discovery()):
 *
 *  - MXC_DMARC_TREEWALK, RFC 9989 section 4.10 (the default).  A tree walk
 *    of a domain queries _dmarc.<domain>, then, for a name of x labels,
 *    _dmarc.<the last min(x - 1, 7) labels> (step 4: a long name jumps
 *    straight to 7 labels), then one label less at a time down to the top-
 *    level domain: at most MXC_DMARC_MAX_WALK (8) queries.  Records that
 *    do not begin with v=DMARC1 are discarded, several DMARC records at one
 *    name count as none there, and a record with psd=y or psd=n stops the
 *    walk (steps 2 and 6).
 *      Organizational domain (section 4.10.2), over the records found,
 *    longest name first: psd=n marks the organizational domain itself;
 *    psd=y on a name other than the start makes the name one label below
 *    it the organizational domain; otherwise it is the name with the
 *    fewest labels that has a record; with no record at all, the domain
 *    itself.  As the walk stops at the first psd=y or psd=n, only its last
 *    record can carry one.
 *      Policy discovery (section 4.10.1): the record of the author domain
 *    if it has one (its p= applies); otherwise the record of its
 *    organizational domain, else that of the public suffix domain (the
 *    psd=y record that stopped the walk); sp= applies, or np= when the
 *    author domain does not exist (an NXDOMAIN answer, section 3.2.13 and
 *    appendix A.4), falling back to p=.  A record between the author and
 *    the organizational domain is not a policy record for the author
 *    domain.
 *
 *  - MXC_DMARC_PSL, RFC 7489 sections 3.2 and 6.6.3.  The organizational
 *    domain is the registrable domain of libpsl's built-in Public Suffix
 *    List (the domain itself when it is a public suffix); the policy is
 *    the record of the author domain, else that of its organizational
 *    domain; several records at the author domain end discovery (no
 *    policy).  np=, psd= and t= are not part of RFC 7489 and are not used.
 *
 *  With both flags, the tree walk decides and the PSL method is computed
 *  on the same answers; where its conclusion differs, a warning says so
 *  (receivers still on RFC 7489 would conclude that).
 *
 * Concurrency: every query a walk may need is known from the names alone,
 * so the walks of the From domain, of the SPF domain and of each DKIM d=
 * are all sent at once through mxci_dns_lookup(); names they share are
 * asked once (the check's own table and the context's in-flight
 * de-duplication).  A walk is complete when the answers up to its stop
 * are in; later answers are not waited for.  Answers from the cache call
 * back inside the lookup: run() is a trampoline.
 *
 * Results (RFC 9989 section 9.2):
 *  - none: no policy record applies (section 4.10.1);
 *  - pass: an identifier with an SPF or DKIM pass is aligned (5.3.5);
 *  - fail: a policy record applies and none is (5.3.5; no identifier at
 *    all is a fail too);
 *  - temperror: a query that decides the policy record failed (timeout,
 *    SERVFAIL, ...), or the alignment of a passing identifier could not be
 *    decided for the same reason (5.3.6), or no aligned pass exists and an
 *    aligned identifier's own result was temperror;
 *  - permerror: the policy record has no valid p= (or an invalid sp=/np=)
 *    and no valid rua=, so that "the Mail Receiver applies no DMARC
 *    processing" (4.10.1): "the retrieval of an improperly formatted DMARC
 *    Policy Record" of 9.2.  Other syntax errors are discarded in favour of
 *    defaults (4.8) and reported as warnings; the record stays in force.
 *
 * Simplifications, documented in mxcheck(1): when the 8-label jump of a
 * long name skips the name that psd=y designates as the organizational
 * domain, that name is not queried (the walk never asks it) and the PSD
 * record applies; existence of the author domain is asked with an A
 * query (any type gives NXDOMAIN for a name that does not exist), only
 * when an np= could apply.
 */
#include "mxc_private.h"
#include "dmarc_private.h"

#include <libpsl.h>
#include <stdio.h>
#include <strings.h>

/* RFC 9989 section 4.10 step 4: a name of 8 or more labels is cut to 7
 * after its first query. */
#define WALK_JUMP_LABELS 7
/* RFC 1035 section 2.3.4: 255 octets on the wire, 253 as text without the
 * final dot; 63 per label. */
#define MAX_DOMAIN 253
#define MAX_LABEL 63
/* Identifiers of one check: the SPF domain and the DKIM d= domains. */
#define MAX_IDS (MXC_DMARC_MAX_DKIM + 1)
/* Walks: the From domain and each identifier. */
#define MAX_WALKS (MAX_IDS + 1)
/* Record text shown in a trace line. */
#define MAX_TRACE_TEXT 300

enum { K_DMARC, K_EXIST };
enum { L_PENDING, L_NONE, L_ONE, L_MULTI, L_ERROR };

struct dmarc;

/* One query: TXT at _dmarc.<name> (K_DMARC) or A at <name> (K_EXIST). */
struct lk {
  struct mxci_waiter w;
  struct dmarc *d;
  int kind;
  char *name;    /* the domain asked about (lower case, no final dot) */
  char *qname;   /* the name asked now (a CNAME target after the first) */
  int active;    /* waiter linked */
  int hops;      /* CNAME hops so far */
  int st;        /* L_* */
  int nx;        /* L_NONE: NXDOMAIN (K_EXIST: the name does not exist) */
  int ad;        /* the answer carried the AD bit */
  char *cause;   /* L_ERROR */
  size_t ntxt;   /* TXT records at the name */
  size_t ndmarc; /* DMARC records among them */
  char *text;    /* L_ONE: the record, printable */
  struct mxci_dmarc_rec rec; /* L_ONE */
  char *near; /* a TXT record that looks like DMARC but is not one */
};

struct walk {
  const char *start;                      /* owned by the check */
  size_t n;                               /* targets */
  const char *target[MXC_DMARC_MAX_WALK]; /* suffixes of start */
  int lk[MXC_DMARC_MAX_WALK];
  /* outcome, once done */
  int done;
  int err;         /* a query before the stop failed */
  size_t used;     /* targets up to the stop */
  const char *org; /* a suffix of start */
  char how[300];
};

struct ident {
  char *domain; /* lower case, no final dot */
  mxc_verdict_t v;
  int is_spf;
  int valid;       /* a domain name that can be compared */
  int identical;   /* the From domain itself */
  int walk;        /* index in d->walks, -1: none needed */
  const char *psl; /* registrable domain (PSL), a suffix of domain */
};

struct dmarc {
  mxc_check_t *chk;
  mxc_result_t *res;
  unsigned methods;
  char *from; /* lower case, no final dot */
  int from_ok;
  const char *from_psl; /* registrable domain of from (PSL) */
  struct ident id[MAX_IDS];
  size_t nid;
  int has_spf;
  struct walk walks[MAX_WALKS];
  size_t nwalks;
  struct lk *lk;
  size_t nlk, lkcap;
  int psl_lk;   /* the PSL organizational domain's lookup, -1 */
  int exist_lk; /* the author domain's existence, -1 */
  int waiting, starting, in_run, again, finished;
};

/* What one method concludes from the answers. */
struct outcome {
  unsigned method;
  mxc_verdict_t verdict;
  char reason[700];
  const struct lk *pol; /* the policy record's lookup */
  const char *pol_domain;
  int unusable;    /* 4.10.1: no DMARC processing */
  int as_none;     /* 4.10.1: acting as p=none */
  int p_missing;   /* 4.7: no p=, treated as none */
  char policy;     /* applied: 'n', 'q', 'r'; 0 none */
  const char *tag; /* "p", "sp", "np" */
  char why[400];
  const char *org;
  char org_how[300];
  int org_err;
  char aspf, adkim;
  int testing;
  int al[MAX_IDS]; /* 1, 0, -1 */
  const char *idorg[MAX_IDS];
};

static void run(struct dmarc *d);

/* ---- names --------------------------------------------------------------- */

static size_t count_labels(const char *s)
{
  size_t n = 1;
  for (; *s; s++)
    if (*s == '.')
      n++;
  return n;
}

/* The last k labels of s (k >= 1, at most all of them). */
static const char *last_labels(const char *s, size_t k)
{
  size_t n = count_labels(s);
  while (n > k) {
    s = strchr(s, '.') + 1;
    n--;
  }
  return s;
}

/* A domain name we can query and compare: LDH and '_' labels of 1 to 63
 * octets, at most 253 in all.  Returns a lower-case copy without a final
 * dot, or NULL with *bad set (1: invalid, 2: out of memory). */
static char *norm_domain(const char *in, int *bad)
{
  size_t n = strlen(in), i, label = 0;
  char *s;
  *bad = 1;
  if (n > 1 && in[n - 1] == '.')
    n--;
  if (n == 0 || n > MAX_DOMAIN)
    return NULL;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)in[i];
    if (c == '.') {
      if (label == 0)
        return NULL;
      label = 0;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return NULL;
    if (++label > MAX_LABEL)
      return NULL;
  }
  if (label == 0)
    return NULL;
  s = mxci_strndup(in, n);
  if (s == NULL) {
    *bad = 2;    /* LCOV_EXCL_LINE: OutOfMemory */
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  for (i = 0; i < n; i++)
    if (s[i] >= 'A' && s[i] <= 'Z')
      s[i] = (char)(s[i] + 32);
  *bad = 0;
  return s;
}

/* Do a and b share at least their last label? */
static int share_suffix(const char *a, const char *b)
{
  return strcmp(last_labels(a, 1), last_labels(b, 1)) == 0;
}

/* Registrable domain by libpsl's built-in list, or the name itself. */
static const char *psl_org(const char *name)
{
  const psl_ctx_t *psl = psl_builtin();
  const char *r = psl ? psl_registrable_domain(psl, name) : NULL;
  return r ? r : name;
}

/* ---- lookups ------------------------------------------------------------- */

static void lk_cb(void *arg, const struct mxci_answer *ans);

static void lk_fail(struct lk *l, const char *cause)
{
  l->st = L_ERROR;
  mxci_free(l->cause);
  l->cause = mxci_strdup(cause);
}

/* Send the query of l for qname. */
static void lk_send(struct dmarc *d, struct lk *l, const char *qname)
{
  mxc_status_t st;
  char *q = mxci_strdup(qname);
  if (q == NULL) {
    lk_fail(l, "out of memory"); /* LCOV_EXCL_LINE: OutOfMemory */
    return;                      /* LCOV_EXCL_LINE: OutOfMemory */
  }
  mxci_free(l->qname);
  l->qname = q;
  l->st = L_PENDING;
  l->active = 1;
  d->waiting++;
  st = mxci_dns_lookup(d->chk->ctx, q,
                       l->kind == K_EXIST ? MXCI_T_A : MXCI_T_TXT, lk_cb, l,
                       &l->w);
  if (st != MXC_OK) {
    l->active = 0;
    d->waiting--;
    lk_fail(l,
            st == MXC_ENOMEM ? "out of memory" : "the name cannot be queried");
  }
}

/* The lookup of kind for name, started if new; its index, or -1 (OOM). */
static int lk_get(struct dmarc *d, const char *name, int kind)
{
  size_t i;
  struct lk *l;
  char *q;
  for (i = 0; i < d->nlk; i++)
    if (d->lk[i].kind == kind && strcmp(d->lk[i].name, name) == 0)
      return (int)i;
  if (d->nlk >= d->lkcap)
    return -1; /* cannot happen: lkcap counts every possible lookup */
  l = &d->lk[d->nlk];
  memset(l, 0, sizeof(*l));
  l->d = d;
  l->kind = kind;
  l->name = mxci_strdup(name);
  q = kind == K_DMARC ? mxci_asprintf("_dmarc.%s", name) : mxci_strdup(name);
  if (l->name == NULL || q == NULL) {
    mxci_free(l->name); /* LCOV_EXCL_LINE: OutOfMemory */
    mxci_free(q);       /* LCOV_EXCL_LINE: OutOfMemory */
    return -1;          /* LCOV_EXCL_LINE: OutOfMemory */
  }
  d->nlk++;
  if (strlen(q) > MAX_DOMAIN) {
    /* _dmarc.<a 253-octet name> cannot be asked: no record there. */
    l->st = L_NONE;
    l->qname = q;
    return (int)(d->nlk - 1);
  }
  lk_send(d, l, q);
  mxci_free(q);
  return (int)(d->nlk - 1);
}

static void lk_cancel(struct lk *l)
{
  if (l->active) {
    mxci_dns_cancel(&l->w);
    l->active = 0;
  }
}

static void lk_clear(struct lk *l)
{
  lk_cancel(l);
  mxci_free(l->name);
  mxci_free(l->qname);
  mxci_free(l->cause);
  mxci_free(l->text);
  mxci_free(l->near);
  mxci_dmarc_rec_clear(&l->rec);
}

/* Classify the TXT records of owner in ans. */
static void lk_txt(struct lk *l, const struct mxci_answer *ans,
                   const char *owner)
{
  const struct mxci_rr *rec = NULL;
  size_t i;
  for (i = 0; i < ans->nan; i++) {
    const struct mxci_rr *rr = &ans->an[i];
    if (rr->type != MXCI_T_TXT || !mxci_name_eq(rr->owner, owner))
      continue;
    l->ntxt++;
    if (mxci_dmarc_is_record(rr->data, rr->datalen)) {
      l->ndmarc++;
      rec = rr;
    } else if (l->near == NULL &&
               mxci_dmarc_looks_like(rr->data, rr->datalen)) {
      l->near = mxci_printable(rr->data, rr->datalen);
    }
  }
  if (l->ndmarc == 0 || rec == NULL) { /* rec is set when ndmarc is */
    l->st = L_NONE;
    l->nx = ans->rcode == MXCI_RCODE_NXDOMAIN;
    return;
  }
  if (l->ndmarc > 1) {
    l->st = L_MULTI; /* RFC 9989 section 4.10 step 2: all discarded */
    return;
  }
  l->text = mxci_printable(rec->data, rec->datalen);
  if (l->text == NULL ||
      mxci_dmarc_parse(rec->data, rec->datalen, &l->rec) != 0) {
    lk_fail(l, "out of memory"); /* LCOV_EXCL_LINE: OutOfMemory */
    return;                      /* LCOV_EXCL_LINE: OutOfMemory */
  }
  l->st = L_ONE;
}

static void lk_cb(void *arg, const struct mxci_answer *ans)
{
  struct lk *l = arg;
  struct dmarc *d = l->d;
  const char *final;
  int hops;

  l->active = 0;
  d->waiting--;
  if (ans->err != ARES_SUCCESS) {
    lk_fail(l, ans->cause ? ans->cause : mxci_dns_errstr(ans->err));
  } else {
    final = mxci_answer_follow(ans, l->qname, &hops);
    l->ad = ans->ad;
    if (hops < 0 || l->hops + hops > MXCI_MAX_CNAME_HOPS) {
      lk_fail(l, "CNAME chain longer than 8 or looping");
    } else if (l->kind == K_EXIST) {
      /* RFC 9989 appendix A.4: NXDOMAIN means the name does not exist;
       * any record (a CNAME too) means it does. */
      l->st = L_NONE;
      l->nx = ans->rcode == MXCI_RCODE_NXDOMAIN && hops == 0 && l->hops == 0;
    } else {
      size_t i, here = 0;
      for (i = 0; i < ans->nan; i++)
        if (ans->an[i].type == MXCI_T_TXT &&
            mxci_name_eq(ans->an[i].owner, final))
          here++;
      if (here == 0 && hops > 0 && ans->rcode == MXCI_RCODE_NOERROR) {
        /* The chain leaves the answer (an authoritative server does not
         * chase into other zones): ask for its target. */
        char *target = mxci_strdup(final);
        l->hops += hops;
        if (target == NULL) {
          lk_fail(l, "out of memory"); /* LCOV_EXCL_LINE: OutOfMemory */
        } else {
          lk_send(d, l, target);
          mxci_free(target);
          if (l->st == L_PENDING)
            return; /* its answer is a callback of its own */
        }
      } else {
        lk_txt(l, ans, final);
      }
    }
  }
  if (!d->starting)
    run(d);
}

/* ---- tree walks (RFC 9989 section 4.10) ---------------------------------- */

/* The names a walk of start queries, in order (steps 1, 3, 4 and 7). */
static void walk_init(struct walk *w, const char *start)
{
  size_t x = count_labels(start), next;
  memset(w, 0, sizeof(*w));
  w->start = start;
  w->target[w->n++] = start;
  next = x < MXC_DMARC_MAX_WALK ? x - 1 : WALK_JUMP_LABELS;
  while (next >= 1 && w->n < MXC_DMARC_MAX_WALK) {
    w->target[w->n] = last_labels(start, next);
    w->lk[w->n] = -1;
    w->n++;
    next--;
  }
}

/* Issue the walk's queries; -1 on OOM. */
static int walk_send(struct dmarc *d, struct walk *w)
{
  size_t i;
  for (i = 0; i < w->n; i++) {
    w->lk[i] = lk_get(d, w->target[i], K_DMARC);
    if (w->lk[i] < 0)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return 0;
}

/* Is the walk complete?  Then fill its outcome (section 4.10.2). */
static int walk_eval(struct dmarc *d, struct walk *w)
{
  size_t i;
  int last = -1;
  const struct lk *l;

  if (w->done)
    return 1;
  w->err = 0;
  for (i = 0; i < w->n; i++) {
    l = &d->lk[w->lk[i]];
    if (l->st == L_PENDING)
      return 0;
    if (l->st == L_ERROR)
      w->err = 1;
    if (l->st == L_ONE) {
      last = (int)i;
      /* Steps 2 and 6: a single record with psd=y or psd=n stops. */
      if (l->rec.psd == 'y' || l->rec.psd == 'n') {
        i++;
        break;
      }
    }
  }
  w->used = i;
  w->done = 1;
  if (last < 0) {
    w->org = w->start;
    snprintf(w->how, sizeof(w->how),
             "no DMARC record on the way up: the domain itself (RFC 9989 "
             "section 4.10.2)");
    return 1;
  }
  l = &d->lk[w->lk[last]];
  if (l->rec.psd == 'n') {
    w->org = w->target[last];
    snprintf(w->how, sizeof(w->how),
             "the record at _dmarc.%s says psd=n (RFC 9989 section 4.10.2)",
             w->target[last]);
  } else if (l->rec.psd == 'y' && last > 0) {
    w->org = last_labels(w->start, count_labels(w->target[last]) + 1);
    snprintf(w->how, sizeof(w->how),
             "one label below %s, whose record says psd=y (a public suffix "
             "domain; RFC 9989 section 4.10.2)",
             w->target[last]);
  } else {
    w->org = w->target[last];
    snprintf(w->how, sizeof(w->how),
             "the name with the fewest labels that has a DMARC record (RFC "
             "9989 section 4.10.2)");
  }
  return 1;
}

/* ---- evaluation ---------------------------------------------------------- */

static const char *lk_state_text(const struct lk *l, char *buf, size_t len)
{
  switch (l->st) {
  case L_PENDING:
    return "no answer yet";
  case L_ERROR:
    snprintf(buf, len, "failed: %s", l->cause ? l->cause : "error");
    return buf;
  case L_MULTI:
    snprintf(buf, len,
             "%zu DMARC records: all discarded (RFC 9989 section "
             "4.10 step 2)",
             l->ndmarc);
    return buf;
  case L_ONE:
    return "a DMARC record";
  default:
    if (l->nx)
      return "NXDOMAIN";
    if (l->ntxt == 0)
      return "no TXT record";
    snprintf(buf, len, "%zu TXT record%s, none begins with v=DMARC1", l->ntxt,
             l->ntxt == 1 ? "" : "s");
    return buf;
  }
}

/* Section 4.10.1: check the policy record's p, sp, np and rua. */
static void check_policy_record(struct outcome *o)
{
  const struct mxci_dmarc_rec *rec = &o->pol->rec;
  int bad = rec->p_bad || rec->sp_bad ||
            (o->method == MXC_DMARC_TREEWALK && rec->np_bad);
  int absent = rec->p == 0 && !rec->p_bad;

  if (absent && !bad && o->method == MXC_DMARC_TREEWALK && rec->nerr == 0) {
    /* Section 4.7: no p= in an otherwise valid record is p=none. */
    o->p_missing = 1;
    return;
  }
  if (!bad && !absent)
    return;
  if (rec->nrua > 0)
    o->as_none = 1; /* "act as if a record containing p=none" */
  else
    o->unusable = 1;
}

/* The tag that applies and why (section 4.10.1).  Returns 0 when the
 * existence of the author domain is still being asked. */
static int choose_policy(struct dmarc *d, struct outcome *o)
{
  const struct mxci_dmarc_rec *rec = &o->pol->rec;
  char p = rec->p ? rec->p : 'n';

  if (o->as_none) {
    o->policy = 'n';
    o->tag = "p";
    snprintf(o->why, sizeof(o->why),
             "the record has no valid %s but a valid rua=: receivers act "
             "as if it said p=none (%s)",
             rec->p_bad || rec->p == 0 ? "p="
             : rec->sp_bad             ? "sp="
                                       : "np=",
             o->method == MXC_DMARC_PSL ? "RFC 7489 section 6.6.3"
                                        : "RFC 9989 section 4.10.1");
    return 1;
  }
  if (strcmp(o->pol_domain, d->from) == 0) {
    o->policy = p;
    o->tag = "p";
    snprintf(o->why, sizeof(o->why), "%s%s is the From domain's own record",
             o->p_missing ? "no p= (treated as p=none, RFC 9989 section "
                            "4.7); "
                          : "",
             o->pol_domain);
    return 1;
  }
  if (o->method == MXC_DMARC_TREEWALK && rec->np) {
    struct lk *l;
    if (d->exist_lk < 0) {
      d->exist_lk = lk_get(d, d->from, K_EXIST);
      if (d->exist_lk < 0) {
        o->policy = rec->sp ? rec->sp : p; /* LCOV_EXCL_LINE: OutOfMemory */
        o->tag = rec->sp ? "sp" : "p";     /* LCOV_EXCL_LINE: OutOfMemory */
        return 1;                          /* LCOV_EXCL_LINE: OutOfMemory */
      }
    }
    l = &d->lk[d->exist_lk];
    if (l->st == L_PENDING)
      return 0;
    if (l->st == L_NONE && l->nx) {
      o->policy = rec->np;
      o->tag = "np";
      snprintf(o->why, sizeof(o->why),
               "%s does not exist (NXDOMAIN) and the record of %s has np= "
               "for non-existent subdomains (RFC 9989 section 4.10.1)",
               d->from, o->pol_domain);
      return 1;
    }
    o->policy = rec->sp ? rec->sp : p;
    o->tag = rec->sp ? "sp" : "p";
    snprintf(o->why, sizeof(o->why), "%s is a subdomain of %s%s; %s", d->from,
             o->pol_domain,
             l->st == L_ERROR ? " (whether it exists is unknown: the A "
                                "query failed, so np= was not used)"
                              : " and exists",
             rec->sp ? "sp= applies" : "no sp=, so p= applies");
    return 1;
  }
  o->policy = rec->sp ? rec->sp : p;
  o->tag = rec->sp ? "sp" : "p";
  snprintf(o->why, sizeof(o->why), "%s is a subdomain of %s; %s", d->from,
           o->pol_domain, rec->sp ? "sp= applies" : "no sp=, so p= applies");
  return 1;
}

/* The policy record by the tree walk (section 4.10.1).  0: waiting. */
static int discover_treewalk(struct dmarc *d, struct outcome *o)
{
  struct walk *w = &d->walks[0];
  const struct lk *l0;
  char buf[400];
  size_t i;

  if (!walk_eval(d, w))
    return 0;
  l0 = &d->lk[w->lk[0]];
  o->org = w->org;
  snprintf(o->org_how, sizeof(o->org_how), "%s", w->how);
  o->org_err = w->err;
  if (l0->st == L_ERROR) {
    o->verdict = MXC_VERDICT_TEMPERROR;
    snprintf(o->reason, sizeof(o->reason),
             "the DMARC lookup of _dmarc.%s failed: %s", d->from,
             l0->cause ? l0->cause : "error");
    return 1;
  }
  if (l0->st == L_ONE) {
    o->pol = l0;
    o->pol_domain = w->target[0];
    return 1;
  }
  if (w->err) {
    for (i = 1; i < w->used; i++)
      if (d->lk[w->lk[i]].st == L_ERROR)
        break;
    o->verdict = MXC_VERDICT_TEMPERROR;
    snprintf(o->reason, sizeof(o->reason),
             "%s has no DMARC record and the DMARC lookup of _dmarc.%s "
             "failed (%s): the policy of its organizational domain cannot "
             "be found (RFC 9989 section 4.10.1)",
             d->from, i < w->used ? w->target[i] : "?",
             i < w->used ? lk_state_text(&d->lk[w->lk[i]], buf, sizeof(buf))
                         : "?");
    return 1;
  }
  /* The organizational domain's record, else the PSD's. */
  for (i = 1; i < w->used; i++)
    if (w->target[i] == w->org && d->lk[w->lk[i]].st == L_ONE) {
      o->pol = &d->lk[w->lk[i]];
      o->pol_domain = w->target[i];
      return 1;
    }
  for (i = w->used; i-- > 1;)
    if (d->lk[w->lk[i]].st == L_ONE && d->lk[w->lk[i]].rec.psd == 'y') {
      o->pol = &d->lk[w->lk[i]];
      o->pol_domain = w->target[i];
      return 1;
    }
  return 1;
}

/* The policy record by RFC 7489 section 6.6.3.  0: waiting. */
static int discover_psl(struct dmarc *d, struct outcome *o)
{
  const struct lk *l0 = &d->lk[d->walks[0].lk[0]], *lo;
  o->org = d->from_psl;
  snprintf(o->org_how, sizeof(o->org_how),
           "%s by the Public Suffix List (RFC 7489 section 3.2; libpsl's "
           "built-in list)",
           strcmp(d->from_psl, d->from) == 0 && psl_builtin() &&
                   psl_is_public_suffix(psl_builtin(), d->from)
               ? "the domain itself, a public suffix,"
               : "the registrable domain");
  if (l0->st == L_PENDING)
    return 0;
  if (l0->st == L_ERROR) {
    o->verdict = MXC_VERDICT_TEMPERROR;
    snprintf(o->reason, sizeof(o->reason),
             "the DMARC lookup of _dmarc.%s failed: %s", d->from,
             l0->cause ? l0->cause : "error");
    return 1;
  }
  if (l0->st == L_ONE) {
    o->pol = l0;
    o->pol_domain = d->from;
    return 1;
  }
  if (l0->st == L_MULTI || d->psl_lk < 0)
    return 1; /* section 6.6.3: several records end discovery */
  lo = &d->lk[d->psl_lk];
  if (lo->st == L_PENDING)
    return 0;
  if (lo->st == L_ERROR) {
    o->verdict = MXC_VERDICT_TEMPERROR;
    snprintf(o->reason, sizeof(o->reason),
             "%s has no DMARC record and the DMARC lookup of _dmarc.%s "
             "failed: %s",
             d->from, d->from_psl, lo->cause ? lo->cause : "error");
    return 1;
  }
  if (lo->st == L_ONE) {
    o->pol = lo;
    o->pol_domain = d->from_psl;
  }
  return 1;
}

/* The organizational domain of identifier k under the outcome's method:
 * its alignment in o->al[k].  0: waiting. */
static int align_one(struct dmarc *d, struct outcome *o, size_t k)
{
  struct ident *id = &d->id[k];
  char mode = id->is_spf ? o->aspf : o->adkim;
  o->idorg[k] = NULL;
  if (!id->valid) {
    o->al[k] = 0;
    return 1;
  }
  if (o->method == MXC_DMARC_PSL) {
    o->idorg[k] = id->psl;
  } else if (id->identical) {
    o->idorg[k] = o->org;
  } else if (id->walk >= 0) {
    struct walk *w = &d->walks[id->walk];
    if (!walk_eval(d, w))
      return 0;
    o->idorg[k] = w->err ? NULL : w->org;
  }
  if (id->identical)
    o->al[k] = 1; /* strict alignment, so relaxed too */
  else if (mode == 's')
    o->al[k] = 0;
  else if (o->method == MXC_DMARC_TREEWALK && id->walk < 0)
    o->al[k] = 0; /* no common parent: no common organizational domain */
  else if (o->method == MXC_DMARC_TREEWALK &&
           (o->org_err || o->idorg[k] == NULL))
    o->al[k] = -1;
  else
    o->al[k] = o->idorg[k] && o->org && strcmp(o->idorg[k], o->org) == 0;
  return 1;
}

static const char *id_label(const struct ident *id, char *buf, size_t len)
{
  if (id->is_spf)
    snprintf(buf, len, "SPF %s (%s)", id->domain, mxc_verdict_str(id->v));
  else
    snprintf(buf, len, "DKIM d=%s (%s)", id->domain, mxc_verdict_str(id->v));
  return buf;
}

/* The DMARC result (RFC 9989 section 5.3.5, 5.3.6, 9.2). */
static void verdict(struct dmarc *d, struct outcome *o)
{
  size_t k;
  char lab[400];
  int pass = -1, unknown = -1, temp = -1;

  if (o->verdict == MXC_VERDICT_TEMPERROR)
    return;
  if (o->pol == NULL) {
    o->verdict = MXC_VERDICT_NONE;
    snprintf(o->reason, sizeof(o->reason),
             "no DMARC policy record for %s (organizational domain %s)",
             d->from, o->org ? o->org : d->from);
    return;
  }
  if (o->unusable) {
    o->verdict = MXC_VERDICT_PERMERROR;
    snprintf(
        o->reason, sizeof(o->reason),
        "the DMARC record at _dmarc.%s has %s and no valid rua=: "
        "receivers apply no DMARC processing (%s)",
        o->pol_domain,
        o->pol->rec.p_bad ? "an invalid p="
        : o->pol->rec.p == 0
            ? (o->method == MXC_DMARC_PSL ? "no p=" : "no p= and syntax errors")
        : o->pol->rec.sp_bad ? "an invalid sp="
                             : "an invalid np=",
        o->method == MXC_DMARC_PSL ? "RFC 7489 section 6.6.3"
                                   : "RFC 9989 section 4.10.1");
    return;
  }
  for (k = 0; k < d->nid; k++) {
    if (d->id[k].v == MXC_VERDICT_PASS && o->al[k] == 1 && pass < 0)
      pass = (int)k;
    if (d->id[k].v == MXC_VERDICT_PASS && o->al[k] == -1 && unknown < 0)
      unknown = (int)k;
    if (d->id[k].v == MXC_VERDICT_TEMPERROR && o->al[k] != 0 && temp < 0)
      temp = (int)k;
  }
  if (pass >= 0) {
    struct ident *id = &d->id[pass];
    o->verdict = MXC_VERDICT_PASS;
    snprintf(o->reason, sizeof(o->reason), "%s is aligned with %s (%s)",
             id_label(id, lab, sizeof(lab)), d->from,
             id->identical ? "identical"
                           : "relaxed: the same organizational domain");
    return;
  }
  if (unknown >= 0) {
    o->verdict = MXC_VERDICT_TEMPERROR;
    snprintf(o->reason, sizeof(o->reason),
             "whether %s is aligned with %s is unknown: a DMARC lookup of "
             "the tree walk failed",
             id_label(&d->id[unknown], lab, sizeof(lab)), d->from);
    return;
  }
  if (temp >= 0) {
    o->verdict = MXC_VERDICT_TEMPERROR;
    snprintf(o->reason, sizeof(o->reason),
             "no aligned pass, and %s is a temporary error",
             id_label(&d->id[temp], lab, sizeof(lab)));
    return;
  }
  o->verdict = MXC_VERDICT_FAIL;
  if (d->nid == 0) {
    snprintf(o->reason, sizeof(o->reason),
             "no SPF or DKIM result was given: mail from %s must pass SPF "
             "or DKIM with an aligned domain (policy %s)",
             d->from, mxci_dmarc_policy_word(o->policy));
    return;
  }
  {
    struct mxci_buf b = {0};
    char *s;
    mxci_buf_printf(&b, "no SPF or DKIM pass aligned with %s:", d->from);
    for (k = 0; k < d->nid; k++) {
      const struct ident *id = &d->id[k];
      char mode = id->is_spf ? o->aspf : o->adkim;
      mxci_buf_printf(&b, "%s %s", k ? ";" : "",
                      id_label(id, lab, sizeof(lab)));
      if (!id->valid)
        mxci_buf_puts(&b, " is not a domain name");
      else if (o->al[k] == 1)
        mxci_buf_puts(&b, " is aligned but did not pass");
      else if (mode == 's')
        mxci_buf_puts(&b, " is not identical (strict alignment)");
      else
        mxci_buf_printf(&b, " has organizational domain %s, not %s",
                        o->idorg[k] ? o->idorg[k] : "?", o->org ? o->org : "?");
    }
    s = mxci_buf_take(&b);
    snprintf(o->reason, sizeof(o->reason), "%s", s ? s : "fail");
    mxci_free(s);
  }
}

/* Everything one method concludes.  0: still waiting for answers. */
static int compute(struct dmarc *d, unsigned method, struct outcome *o)
{
  size_t k;
  memset(o, 0, sizeof(*o));
  o->method = method;
  o->verdict = MXC_VERDICT_NONE;
  o->aspf = o->adkim = 'r';
  if (!(method == MXC_DMARC_PSL ? discover_psl(d, o) : discover_treewalk(d, o)))
    return 0;
  if (o->pol) {
    const struct mxci_dmarc_rec *rec = &o->pol->rec;
    check_policy_record(o);
    if (!o->unusable && !choose_policy(d, o))
      return 0;
    if (rec->aspf)
      o->aspf = rec->aspf;
    if (rec->adkim)
      o->adkim = rec->adkim;
    o->testing = method == MXC_DMARC_TREEWALK && rec->t == 'y';
  }
  for (k = 0; k < d->nid; k++)
    if (!align_one(d, o, k))
      return 0;
  verdict(d, o);
  return 1;
}

/* ---- the result ---------------------------------------------------------- */

static void trace(struct mxci_dmarc *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void trace(struct mxci_dmarc *m, const char *fmt, ...)
{
  char buf[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  (void)mxci_strv_add(&m->trace, &m->ntrace, buf);
}

static void trace_lk(struct mxci_dmarc *m, const struct lk *l)
{
  char buf[400];
  if (l->st == L_ONE)
    trace(m, "_dmarc.%s TXT: %.*s%s", l->name, MAX_TRACE_TEXT, l->text,
          strlen(l->text) > MAX_TRACE_TEXT ? "..." : "");
  else
    trace(m, "_dmarc.%s TXT: %s", l->name, lk_state_text(l, buf, sizeof(buf)));
}

static void note(struct mxci_dmarc *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(struct mxci_dmarc *m, const char *fmt, ...)
{
  char buf[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  (void)mxci_strv_add(&m->notes, &m->nnotes, buf);
}

/* Warnings about what the records say (they do not change the result). */
static void lint(struct dmarc *d, const struct outcome *o)
{
  mxc_result_t *r = d->res;
  struct mxci_dmarc *m = MXCI_DMARCR(r);
  const struct walk *w = &d->walks[0];
  size_t i, nshow = o->method == MXC_DMARC_TREEWALK && w->done ? w->used : 1;

  for (i = 0; i < nshow; i++) {
    const struct lk *l = &d->lk[w->lk[i]];
    if (l->st == L_MULTI)
      mxci_result_warn(r, "dmarc-multiple-records",
                       "_dmarc.%s has %zu TXT records beginning with "
                       "v=DMARC1: receivers discard them all (RFC 9989 "
                       "section 4.10). Keep exactly one.",
                       l->name, l->ndmarc);
    if (l->near && l->st != L_ONE)
      mxci_result_warn(r, "dmarc-not-a-record",
                       "The TXT record \"%.200s\" at _dmarc.%s is not a "
                       "DMARC record: it must begin with exactly "
                       "\"v=DMARC1;\" (RFC 9989 section 4.7), so receivers "
                       "ignore it.",
                       l->near, l->name);
  }
  if (o->pol == NULL)
    return;
  {
    const struct mxci_dmarc_rec *rec = &o->pol->rec;
    for (i = 0; i < rec->nerr; i++)
      mxci_result_warn(r, "dmarc-syntax",
                       "Syntax error in the DMARC record at _dmarc.%s, %s "
                       "(receivers discard it, RFC 9989 section 4.8).",
                       o->pol_domain, rec->err[i]);
    if (o->p_missing)
      mxci_result_warn(r, "dmarc-no-policy",
                       "The DMARC record at _dmarc.%s has no p= tag: it "
                       "counts as p=none under RFC 9989 section 4.7, but "
                       "receivers still on RFC 7489 ignore the record. Add "
                       "p=none (or quarantine, reject).",
                       o->pol_domain);
    if (o->as_none)
      mxci_result_warn(r, "dmarc-invalid-policy",
                       "The DMARC record at _dmarc.%s has no valid p= (or "
                       "an invalid sp=/np=): receivers act as if it said "
                       "p=none, only because it has a valid rua= (RFC 9989 "
                       "section 4.10.1).",
                       o->pol_domain);
    if (rec->nrua == 0 && !o->unusable)
      mxci_result_warn(r, "dmarc-no-rua",
                       "The DMARC record at _dmarc.%s has no rua=: nobody "
                       "sends you aggregate reports, so you cannot see who "
                       "sends mail as %s (Yahoo strongly recommends rua=).",
                       o->pol_domain, d->from);
    if (rec->pct >= 0 && rec->pct < 100)
      mxci_result_warn(r, "dmarc-pct-ignored",
                       "pct=%d in the DMARC record at _dmarc.%s: RFC 9989 "
                       "removed pct (appendix A.6); receivers following it "
                       "apply the policy to all failing mail. Use t=y to "
                       "test a policy.",
                       rec->pct, o->pol_domain);
    for (i = 0; i < rec->nobs; i++)
      if (strcmp(rec->obs[i], "pct") != 0 || rec->pct == 100)
        note(m,
             "%s is obsolete (historic since RFC 9989 section 9.3) and "
             "can be removed",
             rec->obs[i]);
    for (i = 0; i < rec->nunknown; i++)
      note(m, "unknown tag \"%.80s\" ignored (RFC 9989 section 4.7)",
           rec->unknown[i]);
    if (o->testing && o->policy != 'n')
      note(m,
           "t=y: the policy is being tested; receivers apply %s "
           "instead of %s (RFC 9989 section 4.7)",
           o->policy == 'r' ? "quarantine" : "none",
           mxci_dmarc_policy_word(o->policy));
  }
}

static void set_fix(struct dmarc *d, const struct outcome *o)
{
  mxc_result_t *r = d->res;
  const char *org = o->org ? o->org : d->from;
  switch (r->verdict) {
  case MXC_VERDICT_NONE:
    if (d->lk[d->walks[0].lk[0]].st == L_MULTI) {
      r->fix =
          mxci_asprintf("Keep exactly one DMARC record at _dmarc.%s.", d->from);
      break;
    }
    if (d->lk[d->walks[0].lk[0]].near) {
      r->fix = mxci_asprintf("Replace the TXT record at _dmarc.%s by a DMARC "
                             "record, which begins with \"v=DMARC1;\", "
                             "such as \"v=DMARC1; p=none; "
                             "rua=mailto:dmarc-reports@%s\".",
                             d->from, d->from_psl ? d->from_psl : org);
      break;
    }
    /* At the registrable domain, so that it covers the subdomains too
     * (a tree walk finds it there, and so does the PSL method). */
    org = d->from_psl ? d->from_psl : org;
    r->fix = mxci_asprintf("Publish a DMARC record: a TXT record at _dmarc.%s "
                           "such as \"v=DMARC1; p=none; "
                           "rua=mailto:dmarc-reports@%s\"; once the reports "
                           "show all your mail aligned, move to "
                           "p=quarantine, then p=reject.",
                           org, org);
    break;
  case MXC_VERDICT_PERMERROR:
    r->fix = mxci_asprintf("Correct the DMARC record at _dmarc.%s, e.g. "
                           "\"v=DMARC1; p=none; rua=mailto:dmarc-reports@%s\".",
                           o->pol_domain ? o->pol_domain : org, org);
    break;
  case MXC_VERDICT_TEMPERROR:
    r->fix = mxci_asprintf("Check that the name servers of %s (and of the "
                           "names above it) answer TXT queries for _dmarc "
                           "names, then run the check again.",
                           d->from);
    break;
  case MXC_VERDICT_FAIL:
    if (d->nid == 0)
      break;
    r->fix = mxci_asprintf("Make SPF or DKIM pass with a domain aligned with "
                           "%s: sign with DKIM d=%s%s, or send with a MAIL "
                           "FROM address @%s%s.",
                           d->from, o->adkim == 's' ? d->from : org,
                           o->adkim == 's' ? " (adkim=s: the same domain)"
                                           : " (or a name under it)",
                           o->aspf == 's' ? d->from : org,
                           o->aspf == 's' ? " (aspf=s: the same domain)"
                                          : " (or a name under it)");
    break;
  default:
    if (o->pol && o->pol->rec.nrua == 0)
      r->fix = mxci_asprintf("Add rua=mailto:dmarc-reports@%s to the DMARC "
                             "record at _dmarc.%s to receive aggregate "
                             "reports.",
                             org, o->pol_domain);
    break;
  }
}

static int id_copy(struct mxci_dmarc_id *dst, const struct ident *id,
                   const struct outcome *o, size_t k)
{
  dst->domain = mxci_strdup(id->domain);
  dst->verdict = id->v;
  dst->org = o->idorg[k] ? mxci_strdup(o->idorg[k]) : NULL;
  dst->aligned = o->al[k];
  dst->identical = id->identical;
  return dst->domain && (o->idorg[k] == NULL || dst->org) ? 0 : -1;
}

/* Does the PSL view conclude otherwise?  Then say how. */
static void compare_psl(struct dmarc *d, const struct outcome *tw,
                        const struct outcome *psl)
{
  struct mxci_buf b = {0};
  const char *tpd = tw->pol_domain, *ppd = psl->pol_domain;
  const char *to = tw->org ? tw->org : "?", *po = psl->org ? psl->org : "?";
  char *s;

  if (tw->verdict != psl->verdict && d->nid > 0)
    mxci_buf_printf(&b, "; result %s instead of %s (%s)",
                    mxc_verdict_str(psl->verdict), mxc_verdict_str(tw->verdict),
                    psl->reason);
  if ((tpd == NULL) != (ppd == NULL) || (tpd && strcmp(tpd, ppd) != 0)) {
    if (ppd)
      mxci_buf_printf(&b, "; policy record at _dmarc.%s", ppd);
    else
      mxci_buf_puts(&b, "; no policy record");
  }
  if (tw->policy != psl->policy && tpd && ppd)
    mxci_buf_printf(
        &b, "; policy %s instead of %s",
        psl->policy ? mxci_dmarc_policy_word(psl->policy) : "(none usable)",
        tw->policy ? mxci_dmarc_policy_word(tw->policy) : "(none usable)");
  if (strcmp(to, po) != 0)
    mxci_buf_printf(&b,
                    "; organizational domain %s instead of %s (it "
                    "decides relaxed alignment)",
                    po, to);
  s = mxci_buf_take(&b);
  if (s && *s)
    mxci_result_warn(d->res, "dmarc-psl-differs",
                     "Receivers still following RFC 7489 and the Public "
                     "Suffix List conclude otherwise: %s.",
                     s + 2);
  mxci_free(s);
}

static void finish(struct dmarc *d, const struct outcome *o,
                   const struct outcome *other)
{
  mxc_result_t *r = d->res;
  struct mxci_dmarc *m = MXCI_DMARCR(r);
  const struct walk *w = &d->walks[0];
  size_t i, k;
  int bad = 0, ad = 1, any = 0;

  d->finished = 1;
  for (i = 0; i < d->nlk; i++)
    lk_cancel(&d->lk[i]);
  r->verdict = o->verdict;
  r->reason = mxci_strdup(o->reason);
  m->method = o->method;
  if (o->pol) {
    m->record = mxci_strdup(o->pol->text);
    m->record_domain = mxci_strdup(o->pol_domain);
    bad |= m->record == NULL || m->record_domain == NULL;
    for (i = 0; i < o->pol->rec.ntags && i < o->pol->rec.nvals; i++) {
      size_t nv = m->ntags;
      if (mxci_strv_add(&m->tname, &m->ntags, o->pol->rec.tname[i]) < 0 ||
          mxci_strv_add(&m->tval, &nv, o->pol->rec.tval[i]) < 0) {
        /* LCOV_EXCL_START: OutOfMemory */
        mxci_strv_free(m->tname, m->ntags);
        mxci_strv_free(m->tval, nv);
        m->tname = m->tval = NULL;
        m->ntags = 0;
        bad = 1;
        break;
        /* LCOV_EXCL_STOP */
      }
    }
  }
  if (o->org) {
    m->org = mxci_strdup(o->org);
    m->org_how = mxci_strdup(o->org_how);
    bad |= m->org == NULL || m->org_how == NULL;
  }
  m->policy = o->unusable ? 0 : o->policy;
  if (m->policy) {
    m->policy_tag = mxci_strdup(o->tag);
    m->policy_why = mxci_strdup(o->why);
    bad |= m->policy_tag == NULL || m->policy_why == NULL;
  }
  m->aspf = o->aspf;
  m->adkim = o->adkim;
  m->testing = o->testing;
  for (k = 0; k < d->nid; k++) {
    if (d->id[k].is_spf) {
      m->has_spf = 1;
      bad |= id_copy(&m->spf, &d->id[k], o, k);
    } else {
      bad |= id_copy(&m->dkim[m->ndkim++], &d->id[k], o, k);
    }
  }
  /* The trace: the From domain's lookups, as the method made them. */
  if (o->method == MXC_DMARC_TREEWALK) {
    for (i = 0; i < (w->done ? w->used : 1); i++) {
      if (d->lk[w->lk[i]].st == L_PENDING)
        continue;
      trace_lk(m, &d->lk[w->lk[i]]);
      any = 1;
      ad &= d->lk[w->lk[i]].ad;
    }
    if (w->done && w->used < w->n)
      trace(m, "(the walk stops at _dmarc.%s: psd=%c)", w->target[w->used - 1],
            d->lk[w->lk[w->used - 1]].rec.psd);
  } else {
    trace_lk(m, &d->lk[w->lk[0]]);
    ad &= d->lk[w->lk[0]].ad;
    any = 1;
    if (d->psl_lk >= 0 && d->lk[d->psl_lk].st != L_PENDING &&
        d->lk[w->lk[0]].st == L_NONE) {
      trace_lk(m, &d->lk[d->psl_lk]);
      ad &= d->lk[d->psl_lk].ad;
    }
  }
  if (d->exist_lk >= 0 && d->lk[d->exist_lk].st != L_PENDING) {
    const struct lk *l = &d->lk[d->exist_lk];
    trace(m, "%s A: %s", l->name,
          l->st == L_ERROR ? "failed"
          : l->nx          ? "NXDOMAIN"
                           : "exists");
  }
  if (o->org)
    trace(m, "organizational domain of %s: %s, %s", d->from, o->org,
          o->org_how);
  for (k = 0; k < d->nid; k++) {
    const struct ident *id = &d->id[k];
    if (!id->valid || id->identical)
      continue;
    if (o->method == MXC_DMARC_TREEWALK && id->walk < 0)
      trace(m,
            "organizational domain of %s: not looked up (it shares no "
            "parent with %s)",
            id->domain, d->from);
    else if (o->idorg[k])
      trace(m, "organizational domain of %s: %s%s", id->domain, o->idorg[k],
            o->method == MXC_DMARC_PSL ? " (Public Suffix List)" : "");
    else
      trace(m,
            "organizational domain of %s: unknown (a DMARC lookup of its "
            "tree walk failed)",
            id->domain);
  }
  r->dnssec = any && ad;
  lint(d, o);
  if (other)
    compare_psl(d, o, other);
  set_fix(d, o);
  if (bad) {
    r->verdict = MXC_VERDICT_TEMPERROR; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  mxci_check_finish(d->chk, MXC_OK, r);
  d->res = NULL;
}

/* One step: decide when every answer needed is in. */
static void step(struct dmarc *d)
{
  struct outcome o, psl;
  unsigned first =
      d->methods & MXC_DMARC_TREEWALK ? MXC_DMARC_TREEWALK : MXC_DMARC_PSL;
  int both = d->methods == (MXC_DMARC_TREEWALK | MXC_DMARC_PSL);

  if (d->finished || d->starting)
    return;
  if (!compute(d, first, &o))
    return;
  if (both) {
    if (!compute(d, MXC_DMARC_PSL, &psl))
      return;
    finish(d, &o, &psl);
  } else {
    finish(d, &o, NULL);
  }
}

static void run(struct dmarc *d)
{
  if (d->in_run) {
    d->again = 1;
    return;
  }
  d->in_run = 1;
  do {
    d->again = 0;
    step(d);
  } while (d->again && !d->finished);
  d->in_run = 0;
}

/* ---- check ops and start ------------------------------------------------- */

static void dmarc_abort(mxc_check_t *chk)
{
  struct dmarc *d = chk->priv;
  size_t i;
  for (i = 0; i < d->nlk; i++)
    lk_cancel(&d->lk[i]);
  d->finished = 1;
}

static void dmarc_free(mxc_check_t *chk)
{
  struct dmarc *d = chk->priv;
  size_t i;
  if (d == NULL)
    return;
  for (i = 0; i < d->nlk; i++)
    lk_clear(&d->lk[i]);
  mxci_free(d->lk);
  for (i = 0; i < d->nid; i++)
    mxci_free(d->id[i].domain);
  mxci_free(d->from);
  mxc_result_free(d->res);
  mxci_free(d);
  chk->priv = NULL;
}

static const struct mxci_check_ops dmarc_ops = {dmarc_abort, dmarc_free};

/* Take one identifier; -1 on OOM. */
static int add_id(struct dmarc *d, const mxc_auth_id_t *a, int is_spf)
{
  struct ident *id = &d->id[d->nid];
  int bad;
  memset(id, 0, sizeof(*id));
  id->is_spf = is_spf;
  id->v = a->verdict;
  id->walk = -1;
  id->domain = norm_domain(a->domain ? a->domain : "", &bad);
  if (bad == 2)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  if (id->domain == NULL) {
    /* Kept as given (printable) for the report. */
    id->domain =
        mxci_printable((const unsigned char *)(a->domain ? a->domain : ""),
                           a->domain ? strlen(a->domain) : 0);
    if (id->domain == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  } else {
    id->valid = 1;
    id->identical = d->from_ok && strcmp(id->domain, d->from) == 0;
    id->psl = psl_org(id->domain);
  }
  d->nid++;
  return 0;
}

/* Walks needed: the From domain's, and one per distinct identifier that
 * is not the From domain but shares a parent with it (else it cannot
 * have the same organizational domain). */
static void plan_walks(struct dmarc *d)
{
  size_t k, j;
  walk_init(&d->walks[0], d->from);
  d->nwalks = 1;
  if (!(d->methods & MXC_DMARC_TREEWALK)) {
    d->walks[0].n = 1; /* RFC 7489: the From domain, then the PSL's */
    return;
  }
  for (k = 0; k < d->nid; k++) {
    struct ident *id = &d->id[k];
    if (!id->valid || id->identical || !share_suffix(id->domain, d->from))
      continue;
    for (j = 1; j < d->nwalks; j++)
      if (strcmp(d->walks[j].start, id->domain) == 0)
        break;
    if (j == d->nwalks)
      walk_init(&d->walks[d->nwalks++], id->domain);
    id->walk = (int)j;
  }
}

mxc_status_t mxc_dmarc_start(mxc_ctx_t *ctx, const char *from_domain,
                             const mxc_auth_id_t *spf,
                             const mxc_auth_id_t *dkim, size_t ndkim,
                             mxc_done_cb cb, void *arg, mxc_check_t **out)
{
  struct mxci_dmarc_ctx *opt;
  struct dmarc *d;
  mxc_check_t *chk;
  mxc_result_t *r;
  size_t k, total;
  int bad;

  if (out)
    *out = NULL;
  if (!mxci_ctx_valid(ctx) || from_domain == NULL || cb == NULL ||
      (ndkim > 0 && dkim == NULL))
    return MXC_EINVAL;
  if (ndkim > MXC_DMARC_MAX_DKIM)
    return MXC_ELIMIT;
  if (ctx->free_requested)
    return MXC_EDESTRUCTION;
  opt = mxci_ctx_state(ctx, &mxci_dmarc_method);
  if (opt == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  d = mxci_calloc(1, sizeof(*d));
  r = mxci_result_new(&mxci_dmarc_method);
  chk = d && r ? mxci_check_new(ctx, &dmarc_ops, cb, arg) : NULL;
  if (chk == NULL) {
    mxci_free(d);       /* LCOV_EXCL_LINE: OutOfMemory */
    mxc_result_free(r); /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM;  /* LCOV_EXCL_LINE: OutOfMemory */
  }
  chk->priv = d;
  d->chk = chk;
  d->res = r;
  d->psl_lk = d->exist_lk = -1;
  d->methods = opt->discovery ? opt->discovery : MXC_DMARC_TREEWALK;
  r->input = mxci_strdup(from_domain);
  if (r->input == NULL)
    goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  MXCI_DMARCR(r)->method =
      d->methods & MXC_DMARC_TREEWALK ? MXC_DMARC_TREEWALK : MXC_DMARC_PSL;
  MXCI_DMARCR(r)->aspf = MXCI_DMARCR(r)->adkim = 'r';
  MXCI_DMARCR(r)->audit = spf == NULL && ndkim == 0;
  d->from = norm_domain(from_domain, &bad);
  if (bad == 2)
    goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  d->from_ok = d->from != NULL;
  if (spf && add_id(d, spf, 1) < 0)
    goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  for (k = 0; k < ndkim; k++)
    if (add_id(d, &dkim[k], 0) < 0)
      goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  if (ndkim) {
    MXCI_DMARCR(r)->dkim = mxci_calloc(ndkim, sizeof(*MXCI_DMARCR(r)->dkim));
    if (MXCI_DMARCR(r)->dkim == NULL)
      goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  if (!d->from_ok) {
    /* RFC 9989 section 5.3.1: DMARC needs one author domain; this is not
     * a domain name (U-labels must be given as A-labels). */
    char *shown = mxci_printable((const unsigned char *)from_domain,
                                     strlen(from_domain));
    MXCI_DMARCR(r)->from = shown;
    r->verdict = MXC_VERDICT_PERMERROR;
    r->reason = mxci_asprintf("\"%.200s\" is not a domain name (letters, "
                              "digits, '-' and '_' in labels of 1 to 63 "
                              "octets; IDNs as A-labels)",
                              shown ? shown : "?");
    r->fix = mxci_strdup("Use a valid domain name in the From: header.");
    d->finished = 1;
    mxci_check_finish(chk, MXC_OK, r);
    d->res = NULL;
    goto started;
  }
  MXCI_DMARCR(r)->from = mxci_strdup(d->from);
  if (MXCI_DMARCR(r)->from == NULL)
    goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  d->from_psl = psl_org(d->from);
  plan_walks(d);
  total = 2;
  for (k = 0; k < d->nwalks; k++)
    total += d->walks[k].n;
  d->lk = mxci_calloc(total, sizeof(*d->lk));
  if (d->lk == NULL)
    goto oom; /* LCOV_EXCL_LINE: OutOfMemory */
  d->lkcap = total;
  /* Every query is sent now; answers from the cache only count down
   * until the end of this loop. */
  d->starting = 1;
  for (k = 0; k < d->nwalks; k++)
    if (walk_send(d, &d->walks[k]) < 0) {
      d->starting = 0;  /* LCOV_EXCL_LINE: OutOfMemory */
      dmarc_abort(chk); /* LCOV_EXCL_LINE: OutOfMemory */
      goto oom;         /* LCOV_EXCL_LINE: OutOfMemory */
    }
  if ((d->methods & MXC_DMARC_PSL) && strcmp(d->from_psl, d->from) != 0) {
    d->psl_lk = lk_get(d, d->from_psl, K_DMARC);
    if (d->psl_lk < 0) {
      d->starting = 0;  /* LCOV_EXCL_LINE: OutOfMemory */
      dmarc_abort(chk); /* LCOV_EXCL_LINE: OutOfMemory */
      goto oom;         /* LCOV_EXCL_LINE: OutOfMemory */
    }
  }
  d->starting = 0;
  run(d);
started:
  if (out)
    *out = chk;
  mxci_ctx_leave(ctx);
  return MXC_OK;
oom:
  mxci_check_discard(chk);
  return MXC_ENOMEM;
}

mxc_status_t mxc_ctx_set_dmarc_discovery(mxc_ctx_t *ctx, unsigned methods)
{
  struct mxci_dmarc_ctx *opt;
  if (!mxci_ctx_valid(ctx) || methods == 0 ||
      (methods & ~(unsigned)(MXC_DMARC_TREEWALK | MXC_DMARC_PSL)))
    return MXC_EINVAL;
  if ((methods & MXC_DMARC_PSL) && psl_builtin() == NULL) {
    snprintf(ctx->errbuf, sizeof(ctx->errbuf),
             "libpsl has no built-in Public Suffix List");
    return MXC_EDEPENDENCY; /* LCOV_EXCL_LINE: Debian's libpsl has one */
  }
  if ((opt = mxci_ctx_state(ctx, &mxci_dmarc_method)) == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  opt->discovery = methods;
  return MXC_OK;
}

mxc_status_t mxc_dmarc_sync(mxc_ctx_t *ctx, const char *from_domain,
                            const mxc_auth_id_t *spf,
                            const mxc_auth_id_t *dkim, size_t ndkim,
                            mxc_result_t **out)
{
  struct mxci_sync s = {0, MXC_OK, NULL};
  mxc_check_t *chk = NULL;
  mxc_status_t st = mxci_sync_begin(ctx, out);
  if (st == MXC_OK)
    st = mxc_dmarc_start(ctx, from_domain, spf, dkim, ndkim, mxci_sync_done,
                         &s, &chk);
  return mxci_sync_wait(ctx, &s, st, chk, out);
}
