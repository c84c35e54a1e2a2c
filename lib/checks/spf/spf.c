/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf.c -- SPF, RFC 7208 check_host(), as a state machine on the context's
 * engine.
 *
 * Evaluation is sequential and exact: the record of <domain> is fetched
 * (TXT), parsed whole (spf_parse.c), and its mechanisms are tried left to
 * right, the first match wins; include: pushes a frame, redirect= replaces
 * the record of the frame.  Every lookup goes through mxci_dns_lookup(), so
 * answers come from the context's cache and lookups of the same name and
 * type share one query.  A lookup answered from the cache calls back at
 * once: run() is a trampoline, so that such answers do not recurse.
 *
 * Latency: when a record arrives, the lookups of the terms it names
 * without macros (include:, a, mx, exists, redirect=) are sent at once and
 * their answers dropped: they land in the cache, and the sequential
 * evaluation finds them there or joins them in flight.  A record fetched
 * ahead that comes from the network (not from the cache) is parsed when
 * it arrives and its own terms are sent ahead too, and so are the address
 * lookups of the names of an MX answer fetched ahead: round trips then
 * grow with the depth of the include tree (one per level), not with the
 * number of lookups nor with the order of evaluation.  Only terms that the
 * 10-term budget of section 4.6.4 could still reach are fetched ahead (the
 * number a term would have if every DNS-querying term before it on its
 * path were the only one evaluated), at most MXC_SPF_MAX_DNS_TERMS of them
 * and MAX_AHEAD_HOSTS MX host addresses per evaluation, none once the
 * verdict is known.  What is sent ahead is never counted nor read by the
 * evaluation (section 4.6.4 counts the terms it evaluates), so it cannot
 * change a result; the lint reads only the records the evaluation would
 * have fetched ahead from the records it evaluated.
 *
 * The limits of section 4.6.4 are enforced as the RFC words them; the caps
 * below are our own, for bounded memory and work on hostile data.
 */
#include "mxc_private.h"
#include "spf_private.h"

#include <stdio.h>
#include <time.h>

/* One SPF record: section 3.4 asks publishers to stay within a 512-octet
 * UDP answer, but an answer over TCP may carry 64 KB.  Longer records are
 * a permerror here, as no real policy is that long. */
#define MAX_RECORD_LEN 16384
/* Frames of nested include:.  Each include counts against the 10 terms of
 * section 4.6.4, so evaluation never goes deeper than 11; this is a guard. */
#define MAX_DEPTH (MXC_SPF_MAX_DNS_TERMS + 2)
/* DNS lookups of one evaluation, of every kind (records, terms, MX and PTR
 * names, CNAME follow-ups, %{p}, exp=).  Section 4.6.4
 * bounds the terms; this bounds everything else.  The RFC's worst case
 * (10 mx terms of 10 names each, plus %{p} and exp=) stays well below. */
#define MAX_QUERIES 256
/* Address lookups of MX names sent ahead per evaluation (the evaluation
 * of one mx term asks at most MXC_SPF_MAX_MX_NAMES), and all the lookups
 * sent ahead: the terms of the evaluation's records, those of records
 * fetched ahead, the MX hosts (they do not count against MAX_QUERIES). */
#define MAX_AHEAD_HOSTS (2 * MXC_SPF_MAX_MX_NAMES)
#define MAX_AHEAD (2 * MXC_SPF_MAX_DNS_TERMS + MAX_AHEAD_HOSTS)
/* MAIL FROM and HELO longer than this are not evaluated (RFC 5321 section
 * 4.5.3.1 allows a path of 256 octets). */
#define MAX_IDENTITY 1024
/* Trace lines kept, record text shown in one line, longest line. */
#define MAX_TRACE 300
#define MAX_NETS MXC_SPF_MAX_NETWORKS
#define MAX_TRACE_TEXT 600
#define MAX_TRACE_LINE 1000
/* Parallel address lookups of one mx term or of the PTR names. */
#define MAX_SUB                                                              \
  (MXC_SPF_MAX_MX_NAMES > MXC_SPF_MAX_PTR_NAMES ? MXC_SPF_MAX_MX_NAMES       \
                                                : MXC_SPF_MAX_PTR_NAMES)
/* Lint: a record longer than this may not fit a 512-octet UDP answer
 * with its neighbours (section 3.4). */
#define LINT_LONG_RECORD 450
/* Lint: worst-case DNS-querying terms from which we warn. */
#define LINT_CLOSE_TO_LIMIT 8
/* Lint: the worst-case walk stops past this many terms, or records. */
#define LINT_WORST_CAP 100
#define LINT_WORST_RECORDS 50
#define LINT_KEEP 16 /* parsed records kept for the lint */
/* Lint: octets shown on each side of a syntax error. */
#define SYNTAX_CONTEXT 40

enum { Q_OK, Q_NXDOMAIN, Q_NODATA, Q_ERROR, Q_LIMIT };

enum phase {
  PH_FETCH,        /* look up the record of the current frame */
  PH_FETCHED,      /* its TXT answer is in s->main */
  PH_TERM,         /* evaluate the current term (or the end of record) */
  PH_TERM_WAIT,    /* the lookup of an a, mx or exists term is done */
  PH_MX_WAIT,      /* the address lookups of the MX names are done */
  PH_PNAMES_PTR,   /* the PTR lookup for ptr / %{p} is done */
  PH_PNAMES_ADDR,  /* the address lookups of the PTR names are done */
  PH_EXP,          /* the result is fail: look up exp= */
  PH_EXP_WAIT,     /* the exp= TXT answer is in s->main */
  PH_EXP_TEXT,     /* expand the explanation text */
  PH_EXP_DEFAULT,  /* expand the default explanation */
  PH_DONE
};

enum { F_TOP, F_INCLUDE, F_REDIRECT };
enum { P_NONE, P_RUNNING, P_DONE };

struct spf;

struct lookup {
  struct mxci_waiter w;
  struct spf *s;
  int active;       /* waiter linked, callback to come */
  int prefetch;     /* sent ahead: the answer is dropped */
  int in_send;      /* inside mxci_dns_lookup(): an answer now is a hit */
  int hit;          /* sent ahead and answered so, from the cache */
  int deep;         /* sent ahead for a record fetched ahead, not for one
                     * the evaluation parsed: the lint does not read it */
  int proj;         /* TXT sent ahead: the least number its include: or
                     * redirect= can have among the DNS-querying terms */
  char *dom;        /* ... and the <domain> of the record it fetches */
  uint16_t type;
  int hops;         /* CNAME hops so far */
  char *qname;      /* name asked (presentation form) */
  char *orig;       /* MX or PTR name this address lookup is for */
  int st;           /* Q_* */
  char *cause;      /* Q_ERROR */
  struct mxci_answer *ans; /* Q_OK: the answer */
  char *final;      /* Q_OK: owner of the records, after CNAMEs */
};

struct frame {
  char *domain;     /* <domain> of this check_host() */
  struct mxci_spf_record rec;
  int have_rec;
  size_t ti;        /* current mechanism */
  int kind;         /* how its record is fetched: F_* */
};

struct spf {
  mxc_check_t *chk;
  mxc_result_t *res;
  struct mxci_addr a;
  /* macro values (section 7.2) */
  char *sender, *local, *odomain, *helo;
  char ival[80], tval[24];
  struct frame fr[MAX_DEPTH];
  size_t nfr;
  int phase, pret;
  int decided;      /* the verdict is set */
  int counted;      /* the current term was counted (section 4.6.4) */
  int dns_terms, voids, queries, terms_sent, deep_sent, hosts_sent;
  int waiting, in_run, finished;
  const struct mxci_spf_ctx *opt; /* the context's SPF options */
  int tracing, linting; /* mxc_ctx_set_spf_detail() */
  /* lint */
  int worst;        /* DNS-querying terms of the records seen */
  int multi;
  size_t top_len;
  char *ptr_domain;
  /* validated names of the client (ptr, %{p}; section 5.5) */
  int pstate, perr, pvoid;
  char **pnames;
  size_t npnames;
  char *exp_text;
  struct lookup main, ptrl, sub[MAX_SUB];
  struct lookup *pre[MAX_AHEAD]; /* sent ahead, allocated when sent */
  size_t nsub, npre;
  /* lint: the SPF RR type (99) of the domain, asked once at the start */
  struct lookup t99;
  int tail_wait;    /* the end waits for it and the lookups sent ahead
                     * (counted in waiting) */
  size_t t99_found; /* SPF records published with type 99 */
  char *syn_domain, *syn_err, *syn_here; /* the first syntax error */
  /* lint: the records the evaluation parsed, kept for worst_case() so
   * that it parses no record twice (LINT_KEEP at most) */
  struct kept {
    char *qname;                 /* the name its TXT was asked at */
    struct mxci_spf_record rec;
  } kept[LINT_KEEP];
  size_t nkept;
  /* libspf2's view (spf_libspf2.c): NULL when disabled */
  struct mxci_spf2 *l2;
  char *l2_from;    /* MAIL FROM as given, without <>; NULL: null sender */
  int l2_running;
};

static void run(struct spf *s);

static struct frame *top(struct spf *s) { return &s->fr[s->nfr - 1]; }

static int is_dns_mech(enum mxci_spf_mech m)
{
  return m == MXCI_SPF_INCLUDE || m == MXCI_SPF_A || m == MXCI_SPF_MX ||
         m == MXCI_SPF_PTR || m == MXCI_SPF_EXISTS;
}

static uint16_t addr_type(const struct spf *s)
{
  return s->a.family == 6 ? MXCI_T_AAAA : MXCI_T_A;
}

/* ---- trace ------------------------------------------------------------- */

static void trace(struct spf *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void trace(struct spf *s, const char *fmt, ...)
{
  mxc_result_t *r = s->res;
  /* Nesting of include: shows as indentation. */
  char buf[2 * MAX_DEPTH + MAX_TRACE_LINE + 1], *line, **v;
  size_t ind = s->nfr > 1 ? 2 * (s->nfr - 1) : 0, n = r ? MXCI_SPFR(r)->nspf_trace : 0;
  va_list ap;
  int len;

  if (!s->tracing || r == NULL || n > MAX_TRACE)
    return;
  if (n == MAX_TRACE) {
    (void)mxci_strv_add(&MXCI_SPFR(r)->spf_trace, &MXCI_SPFR(r)->nspf_trace,
                        "(trace cut here: too many lines)");
    return;
  }
  memset(buf, ' ', ind);
  va_start(ap, fmt);
  len = vsnprintf(buf + ind, MAX_TRACE_LINE + 1, fmt, ap);
  va_end(ap);
  if (len < 0)
    return;
  if (len > MAX_TRACE_LINE) {
    memcpy(buf + ind + MAX_TRACE_LINE - 3, "...", 4);
    len = MAX_TRACE_LINE;
  }
  /* One allocation per line; the array grows by doubling. */
  if (n == 0 || (n >= 8 && (n & (n - 1)) == 0)) {
    v = mxci_realloc(MXCI_SPFR(r)->spf_trace, (n ? 2 * n : 8) * sizeof(*v));
    if (v == NULL)
      return; /* LCOV_EXCL_LINE: OutOfMemory */
    MXCI_SPFR(r)->spf_trace = v;
  }
  line = mxci_malloc(ind + (size_t)len + 1);
  if (line == NULL)
    return; /* LCOV_EXCL_LINE: OutOfMemory */
  memcpy(line, buf, ind + (size_t)len + 1);
  MXCI_SPFR(r)->spf_trace[MXCI_SPFR(r)->nspf_trace++] = line;
}

/* Record text for the trace: cut when long. */
static char *shown_text(const char *t)
{
  size_t n = strlen(t);
  if (n <= MAX_TRACE_TEXT)
    return mxci_strdup(t);
  return mxci_asprintf("%.*s... (%zu octets)", MAX_TRACE_TEXT, t, n);
}

/* ---- the verdict --------------------------------------------------------- */

static void decide(struct spf *s, mxc_verdict_t v, char *reason)
{
  mxc_result_t *r = s->res;
  if (s->decided) {
    mxci_free(reason);
    return;
  }
  s->decided = 1;
  r->verdict = v;
  mxci_free(r->reason);
  r->reason = reason ? reason : mxci_strdup(mxc_verdict_str(v));
  /* Section 6.2: an explanation only for fail. */
  s->phase = v == MXC_VERDICT_FAIL ? PH_EXP : PH_DONE;
}

/* Decide an error verdict with its reason, traced. */
static void error_verdict(struct spf *s, mxc_verdict_t v, const char *fmt,
                          va_list ap)
{
  char buf[1024];
  vsnprintf(buf, sizeof(buf), fmt, ap);
  trace(s, "%s: %s", mxc_verdict_str(v), buf);
  decide(s, v, mxci_strdup(buf));
}

static void permerror(struct spf *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void permerror(struct spf *s, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  error_verdict(s, MXC_VERDICT_PERMERROR, fmt, ap);
  va_end(ap);
}

static void temperror(struct spf *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void temperror(struct spf *s, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  error_verdict(s, MXC_VERDICT_TEMPERROR, fmt, ap);
  va_end(ap);
}

static mxc_verdict_t qual_verdict(char q)
{
  switch (q) {
  case '-':
    return MXC_VERDICT_FAIL;
  case '~':
    return MXC_VERDICT_SOFTFAIL;
  case '?':
    return MXC_VERDICT_NEUTRAL;
  default:
    return MXC_VERDICT_PASS;
  }
}

/* ---- lookups ------------------------------------------------------------ */

static void lookup_clear(struct lookup *l)
{
  mxci_free(l->qname);
  mxci_free(l->orig);
  mxci_free(l->cause);
  mxci_free(l->final);
  mxci_free(l->dom);
  if (l->ans) {
    mxci_answer_clear(l->ans);
    mxci_free(l->ans);
  }
  l->qname = l->orig = l->cause = l->final = l->dom = NULL;
  l->ans = NULL;
}

static void lookup_cancel(struct lookup *l)
{
  if (l->active) {
    mxci_dns_cancel(&l->w);
    l->active = 0;
  }
}

static void lookup_fail(struct lookup *l, int st, const char *cause)
{
  l->st = st;
  mxci_free(l->cause);
  l->cause = mxci_strdup(cause);
}

static size_t count_rrs(const struct mxci_answer *ans, uint16_t type,
                        const char *owner)
{
  size_t i, n = 0;
  for (i = 0; i < ans->nan; i++)
    if (ans->an[i].type == type && mxci_name_eq(ans->an[i].owner, owner))
      n++;
  return n;
}

/* The one SPF record of a TXT answer to qname (section 4.5), of an
 * acceptable length; NULL when there is none or more than one. */
static const struct mxci_rr *spf_record_of(const struct mxci_answer *ans,
                                           const char *qname)
{
  const struct mxci_rr *rec = NULL;
  const char *final;
  size_t i, n = 0;
  int hops;

  final = mxci_answer_follow(ans, qname, &hops);
  for (i = 0; hops >= 0 && i < ans->nan; i++)
    if (ans->an[i].type == MXCI_T_TXT &&
        mxci_name_eq(ans->an[i].owner, final) &&
        mxci_spf_is_record(ans->an[i].data, ans->an[i].datalen)) {
      rec = &ans->an[i];
      n++;
    }
  return n == 1 && rec->datalen <= MAX_RECORD_LEN ? rec : NULL;
}

static void lookup_send(struct spf *s, struct lookup *l, const char *name,
                        uint16_t type);

static void lookup_cb(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct spf *s = l->s;
  const char *final;
  int hops;

  l->active = 0;
  mxci_spf2_pin(s->l2, l->qname, l->type, ans);
  if (ans->err != ARES_SUCCESS) {
    lookup_fail(l, Q_ERROR, ans->cause ? ans->cause
                                       : mxci_dns_errstr(ans->err));
  } else {
    final = mxci_answer_follow(ans, l->qname, &hops);
    if (hops < 0 || l->hops + hops > MXCI_MAX_CNAME_HOPS) {
      lookup_fail(l, Q_ERROR, "CNAME chain longer than 8 or looping");
    } else if (count_rrs(ans, l->type, final) > 0) {
      l->ans = mxci_answer_dup(ans);
      l->final = mxci_strdup(final);
      if (l->ans == NULL || l->final == NULL)
        lookup_fail(l, Q_ERROR, "out of memory"); /* LCOV_EXCL_LINE */
      else
        l->st = Q_OK;
    } else if (hops > 0 && ans->rcode == MXCI_RCODE_NOERROR) {
      /* The chain leaves the answer (an authoritative server does not
       * chase into other zones): ask for its target.  Its completion is
       * a callback of its own. */
      char *target = mxci_strdup(final);
      l->hops += hops;
      if (target == NULL)
        lookup_fail(l, Q_ERROR, "out of memory"); /* LCOV_EXCL_LINE */
      else
        lookup_send(s, l, target, l->type);
      mxci_free(target);
    } else {
      l->st = ans->rcode == MXCI_RCODE_NXDOMAIN ? Q_NXDOMAIN : Q_NODATA;
    }
  }
  s->waiting--;
  run(s);
}

/* The lookup sent ahead for q/type, if there is one: a name is sent ahead
 * once per evaluation. */
static struct lookup *sent_ahead(struct spf *s, const char *q, uint16_t type)
{
  size_t i;
  for (i = 0; i < s->npre; i++)
    if (s->pre[i]->type == type && s->pre[i]->qname &&
        mxci_name_eq(s->pre[i]->qname, q))
      return s->pre[i];
  return NULL;
}

/* Lookups that the end of the check waits for, when the lint runs: the
 * type 99 query and the records sent ahead from the records the
 * evaluation parsed (the lint reads them; other lookups sent ahead are
 * not waited for: their queries still fill the cache). */
static int tail_pending(const struct spf *s)
{
  size_t i;
  if (!s->linting)
    return 0;
  for (i = 0; i < s->npre; i++)
    if (s->pre[i]->active && s->pre[i]->type == MXCI_T_TXT &&
        !s->pre[i]->deep)
      return 1;
  return s->t99.active;
}

static void tail_done(struct spf *s)
{
  if (s->tail_wait && !tail_pending(s)) {
    s->tail_wait = 0;
    s->waiting--;
    run(s);
  }
}

static void prefetch_record(struct spf *s, struct mxci_spf_record *rec,
                            const char *domain, int proj, int evaluated);
static void prefetch_hosts(struct spf *s, const struct lookup *l,
                           const struct mxci_answer *ans);

static void prefetch_cb(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct spf *s = l->s;
  const struct mxci_rr *rec;
  l->active = 0;
  /* Dropped by the evaluator, which finds it in the cache; kept for
   * libspf2's view. */
  mxci_spf2_pin(s->l2, l->qname, l->type, ans);
  l->hit = l->in_send;
  /* From the network, before the verdict: one level further ahead.  An
   * answer from the cache is not followed: the evaluation finds the
   * records below it as fast in the cache, or sends them ahead itself. */
  if (!l->in_send && !s->decided && !s->finished &&
      ans->err == ARES_SUCCESS) {
    if (l->type == MXCI_T_TXT && l->dom &&
        (rec = spf_record_of(ans, l->qname)) != NULL) {
      struct mxci_spf_record r;
      char err[200];
      memset(&r, 0, sizeof(r));
      if (mxci_spf_parse(rec->data, rec->datalen, &r, err, sizeof(err)) ==
          0)
        prefetch_record(s, &r, l->dom, l->proj, 0);
      mxci_spf_record_clear(&r);
    } else if (l->type == MXCI_T_MX) {
      prefetch_hosts(s, l, ans);
    }
  }
  tail_done(s);
}

/* The answer to the type 99 query of the lint. */
static void t99_cb(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct spf *s = l->s;
  const char *final;
  int hops;
  l->active = 0;
  mxci_spf2_pin(s->l2, l->qname, l->type, ans);
  if (ans->err == ARES_SUCCESS) {
    size_t i;
    final = mxci_answer_follow(ans, l->qname, &hops);
    for (i = 0; hops >= 0 && i < ans->nan; i++)
      if (ans->an[i].type == MXCI_T_SPF &&
          mxci_name_eq(ans->an[i].owner, final) &&
          mxci_spf_is_record(ans->an[i].data, ans->an[i].datalen))
        s->t99_found++;
  }
  tail_done(s);
}

/* Send one query for l.  When it cannot be sent, l holds the error and
 * nothing is pending. */
static void lookup_send(struct spf *s, struct lookup *l, const char *name,
                        uint16_t type)
{
  mxc_status_t st;
  char *q;

  if (!l->prefetch && s->queries >= MAX_QUERIES) {
    lookup_fail(l, Q_LIMIT, "too many DNS queries");
    return;
  }
  q = mxci_strdup(name);
  if (q == NULL) {
    lookup_fail(l, Q_ERROR, "out of memory"); /* LCOV_EXCL_LINE */
    return;                                   /* LCOV_EXCL_LINE */
  }
  mxci_free(l->qname);
  l->qname = q;
  l->s = s;
  l->type = type;
  l->active = 1;
  if (!l->prefetch) {
    s->queries++;
    s->waiting++;
  }
  l->in_send = 1;
  st = mxci_dns_lookup(s->chk->ctx, l->qname, type,
                       l->prefetch ? prefetch_cb : lookup_cb, l, &l->w);
  l->in_send = 0;
  if (st != MXC_OK) {
    l->active = 0;
    if (!l->prefetch)
      s->waiting--;
    lookup_fail(l, Q_ERROR, st == MXC_ENOMEM ? "out of memory"
                                             : "the name cannot be queried");
  }
}

/* Start a lookup of a name in presentation form (from an answer). */
static void lookup_begin_pres(struct spf *s, struct lookup *l,
                              const char *name, uint16_t type)
{
  char *orig = l->orig;
  l->orig = NULL;
  lookup_clear(l);
  l->orig = orig;
  l->hops = 0;
  l->st = Q_ERROR;
  lookup_send(s, l, name, type);
}

/* Start a lookup of a name from a record or an identity. */
static void lookup_begin(struct spf *s, struct lookup *l, const char *name,
                         uint16_t type)
{
  char *q = mxci_spf_dns_name(name);
  if (q == NULL) {
    lookup_clear(l);                           /* LCOV_EXCL_LINE */
    lookup_fail(l, Q_ERROR, "out of memory");  /* LCOV_EXCL_LINE */
    return;                                    /* LCOV_EXCL_LINE */
  }
  lookup_begin_pres(s, l, q, type);
  mxci_free(q);
}

static const char *lookup_cause(const struct lookup *l)
{
  return l->cause ? l->cause : "error";
}

static int prefix_eq(const unsigned char *a, const unsigned char *b, int bits)
{
  int full = bits / 8, rem = bits % 8;
  if (memcmp(a, b, (size_t)full) != 0)
    return 0;
  if (rem) {
    unsigned char m = (unsigned char)(0xff << (8 - rem));
    return (a[full] & m) == (b[full] & m);
  }
  return 1;
}

/* Does the answer of l hold an address of the client's family within
 * bits of it? */
static int answer_matches(const struct spf *s, const struct lookup *l,
                          int bits)
{
  size_t i;
  uint16_t t = addr_type(s);
  for (i = 0; l->ans && i < l->ans->nan; i++)
    if (l->ans->an[i].type == t && mxci_name_eq(l->ans->an[i].owner, l->final)
        && prefix_eq(l->ans->an[i].addr, s->a.b, bits))
      return 1;
  return 0;
}

/* ---- the networks a record authorises ------------------------------------ */

/* Would a match of term t give pass?  Its own qualifier and that of every
 * include: on the way to its record are "+" (a redirect= passes its
 * record's result on). */
static int authorises(const struct spf *s, const struct mxci_spf_term *t)
{
  size_t k;
  if (t->qual != '+')
    return 0;
  for (k = 1; k < s->nfr; k++)
    if (s->fr[k].kind == F_INCLUDE && s->fr[k - 1].ti < s->fr[k - 1].rec.nterms &&
        s->fr[k - 1].rec.terms[s->fr[k - 1].ti].qual != '+')
      return 0;
  return 1;
}

/* Note the network b/bits (family 4 or 6) as authorised by term t
 * (mxc_spf_network()), once. */
static void note_net(struct spf *s, const struct mxci_spf_term *t, int family,
                     const unsigned char *b, int bits)
{
  struct mxci_spf_res *p = s->res ? MXCI_SPFR(s->res) : NULL;
  unsigned char net[16];
  char text[80];
  size_t i, n = family == 6 ? 16 : 4;
  if (p == NULL || !authorises(s, t) || p->nspf_nets >= MAX_NETS)
    return;
  memset(net, 0, sizeof(net));
  for (i = 0; i < n; i++) {
    int keep = bits - (int)(8 * i);
    net[i] = keep >= 8 ? b[i] : keep <= 0 ? 0
             : (unsigned char)(b[i] & (0xff << (8 - keep)));
  }
  mxci_addr_format(family, net, text, sizeof(text) - 5);
  /* "/" and the prefix length (0..128) by hand: snprintf() was most of
   * this function's time, which every ip4:/ip6:/a/mx term pays */
  {
    char *e = text + strlen(text);
    *e++ = '/';
    if (bits >= 100)
      *e++ = (char)('0' + bits / 100);
    if (bits >= 10)
      *e++ = (char)('0' + bits / 10 % 10);
    *e++ = (char)('0' + bits % 10);
    *e = '\0';
  }
  for (i = 0; i < p->nspf_nets; i++)
    if (strcmp(p->spf_nets[i], text) == 0)
      return;
  (void)mxci_strv_add(&p->spf_nets, &p->nspf_nets, text);
}

/* The addresses of answer l that term t matches with the client's family. */
static void note_answer(struct spf *s, const struct mxci_spf_term *t,
                        const struct lookup *l)
{
  size_t i;
  uint16_t ty = addr_type(s);
  for (i = 0; l->ans && i < l->ans->nan; i++)
    if (l->ans->an[i].type == ty && mxci_name_eq(l->ans->an[i].owner, l->final))
      note_net(s, t, s->a.family, l->ans->an[i].addr,
               s->a.family == 6 ? t->cidr6 : t->cidr4);
}

/* ---- macros -------------------------------------------------------------- */

/* %{p} (section 7.3): <domain> itself if validated, else a subdomain of
 * it, else any validated name, else "unknown". */
static const char *choose_p(const struct spf *s, const char *d)
{
  size_t i, dl = strlen(d);
  if (s->npnames == 0)
    return "unknown";
  for (i = 0; i < s->npnames; i++)
    if (mxci_name_eq(s->pnames[i], d))
      return s->pnames[i];
  for (i = 0; i < s->npnames; i++) {
    size_t nl = strlen(s->pnames[i]);
    if (nl > dl + 1 && s->pnames[i][nl - dl - 1] == '.' &&
        mxci_name_eq(s->pnames[i] + nl - dl, d))
      return s->pnames[i];
  }
  return s->pnames[0];
}

static void env_fill(struct spf *s, struct mxci_spf_env *e)
{
  const char *d = s->nfr ? top(s)->domain : s->odomain;
  e->s = s->sender;
  e->l = s->local;
  e->o = s->odomain;
  e->d = d;
  e->i = s->ival;
  e->p = choose_p(s, d);
  e->h = s->helo ? s->helo : "unknown";
  e->c = s->a.text;
  e->r = "unknown"; /* the receiver's name: not known to a checker */
  e->t = s->tval;
  e->v = s->a.family == 6 ? "ip6" : "in-addr";
}

static char *expand(struct spf *s, const char *spec, int kind, char *err,
                    size_t errlen)
{
  struct mxci_spf_env e;
  env_fill(s, &e);
  return mxci_spf_expand(spec, kind, &e, err, errlen);
}

/* ---- validated names (ptr, %{p}): section 5.5 -------------------------- */

static void pnames_start(struct spf *s, int ret)
{
  s->pret = ret;
  s->pstate = P_RUNNING;
  s->phase = PH_PNAMES_PTR;
  lookup_begin_pres(s, &s->ptrl, s->a.rev, MXCI_T_PTR);
}

static void pnames_done(struct spf *s)
{
  s->pstate = P_DONE;
  s->phase = s->pret;
}

static void step_pnames_ptr(struct spf *s)
{
  struct lookup *l = &s->ptrl;
  size_t i, n = 0;

  if (l->st != Q_OK) {
    /* A DNS error on the PTR lookup: the ptr mechanism does not match and
     * %{p} is "unknown" (sections 5.5, 7.3). */
    if (l->st == Q_NXDOMAIN || l->st == Q_NODATA)
      s->pvoid = 1;
    else
      s->perr = 1;
    trace(s, "%s PTR: %s", s->a.rev,
          l->st == Q_NXDOMAIN  ? "NXDOMAIN"
          : l->st == Q_NODATA ? "no PTR records"
                               : lookup_cause(l));
    pnames_done(s);
    return;
  }
  /* Section 4.6.4: only the first 10 PTR names are looked at. */
  s->phase = PH_PNAMES_ADDR;
  s->nsub = 0;
  for (i = 0; i < l->ans->nan && s->nsub < MXC_SPF_MAX_PTR_NAMES; i++) {
    const struct mxci_rr *rr = &l->ans->an[i];
    struct lookup *sl;
    if (rr->type != MXCI_T_PTR || !mxci_name_eq(rr->owner, l->final))
      continue;
    sl = &s->sub[s->nsub++];
    lookup_clear(sl);
    sl->orig = mxci_strdup(rr->name);
    if (sl->orig == NULL) {
      s->nsub--; /* LCOV_EXCL_LINE: OutOfMemory */
      continue;  /* LCOV_EXCL_LINE: OutOfMemory */
    }
  }
  n = count_rrs(l->ans, MXCI_T_PTR, l->final);
  trace(s, "%s PTR: %zu name%s%s", s->a.rev, n, n == 1 ? "" : "s",
        n > MXC_SPF_MAX_PTR_NAMES ? " (only the first 10 are looked at)"
                                  : "");
  for (i = 0; i < s->nsub; i++)
    lookup_begin_pres(s, &s->sub[i], s->sub[i].orig, addr_type(s));
}

static void step_pnames_addr(struct spf *s)
{
  size_t i;
  for (i = 0; i < s->nsub; i++) {
    struct lookup *l = &s->sub[i];
    int bits = s->a.family == 6 ? 128 : 32;
    if (l->st == Q_OK && answer_matches(s, l, bits)) {
      (void)mxci_strv_add(&s->pnames, &s->npnames, l->orig);
      trace(s, "%s %s: validated", l->orig, mxci_type_str(addr_type(s)));
    } else {
      trace(s, "%s %s: %s", l->orig, mxci_type_str(addr_type(s)),
            l->st == Q_OK          ? "does not hold the address"
            : l->st == Q_NXDOMAIN ? "NXDOMAIN"
            : l->st == Q_NODATA   ? "no address"
                                   : lookup_cause(l));
    }
  }
  pnames_done(s);
}

/* ---- section 4.6.4 ----------------------------------------------------- */

/* Count a DNS-querying term; -1 (permerror decided) over the limit. */
static int count_term(struct spf *s, const char *text, int prefetched)
{
  s->dns_terms++;
  if (!prefetched)
    s->terms_sent++;
  if (s->dns_terms > MXC_SPF_MAX_DNS_TERMS) {
    permerror(s, "more than %d DNS-querying terms (RFC 7208 section "
                 "4.6.4): \"%s\" in the record of %s would be term %d",
              MXC_SPF_MAX_DNS_TERMS, text, top(s)->domain, s->dns_terms);
    return -1;
  }
  return 0;
}

/* Count a void lookup (NXDOMAIN or no answer); -1 over the limit. */
static int count_void(struct spf *s, const char *what)
{
  s->voids++;
  trace(s, "void lookup %d: %s", s->voids, what);
  if (s->voids > MXC_SPF_MAX_VOID_LOOKUPS) {
    permerror(s, "more than %d void lookups (RFC 7208 section 4.6.4): "
                 "void lookup %d is %s",
              MXC_SPF_MAX_VOID_LOOKUPS, s->voids, what);
    return -1;
  }
  return 0;
}

/* ---- frames -------------------------------------------------------------- */

/* The parsed record of frame f is done with: kept for the lint when it
 * runs and there is room, else freed. */
static void record_done(struct spf *s, struct frame *f)
{
  struct kept *k;
  if (!f->have_rec || !s->linting || s->nkept == LINT_KEEP ||
      (s->kept[s->nkept].qname = mxci_spf_dns_name(f->domain)) == NULL) {
    mxci_spf_record_clear(&f->rec);
    f->have_rec = 0;
    return;
  }
  k = &s->kept[s->nkept++];
  k->rec = f->rec;
  memset(&f->rec, 0, sizeof(f->rec));
  f->have_rec = 0;
}

static void frame_clear(struct spf *s, struct frame *f)
{
  record_done(s, f);
  mxci_free(f->domain);
  memset(f, 0, sizeof(*f));
}

static void next_term(struct spf *s)
{
  top(s)->ti++;
  s->counted = 0;
  s->phase = PH_TERM;
}

static void frame_result(struct spf *s, mxc_verdict_t v, char *reason);

/* The current term matched: the frame's result is its qualifier. */
static void term_match(struct spf *s, const struct mxci_spf_term *t)
{
  struct frame *f = top(s);
  mxc_verdict_t v = qual_verdict(t->qual);
  const char *what;
  switch (v) {
  case MXC_VERDICT_PASS:
    what = "designates %s as a permitted sender";
    break;
  case MXC_VERDICT_FAIL:
    what = "does not designate %s as a permitted sender";
    break;
  case MXC_VERDICT_SOFTFAIL:
    what = "says %s is probably not a permitted sender (softfail)";
    break;
  default:
    what = "makes no assertion about %s (neutral)";
    break;
  }
  {
    char *w = mxci_asprintf(what, s->a.text);
    frame_result(s, v,
                 mxci_asprintf("the SPF record of %s %s: \"%s\" matched",
                               f->domain, w ? w : "", t->text));
    mxci_free(w);
  }
}

static void no_record(struct spf *s, const char *why)
{
  struct frame *f = top(s);
  if (f->kind == F_TOP) {
    frame_result(s, MXC_VERDICT_NONE,
                 mxci_asprintf("%s has no SPF record (%s)", f->domain, why));
    return;
  }
  /* Section 5.2: include of a domain without a record is a permerror;
   * section 6.1: so is redirect=. */
  permerror(s, "%s%s has no SPF record (%s)",
            f->kind == F_INCLUDE ? "include:" : "redirect=", f->domain, why);
}

/* A frame ended with pass, fail, softfail, neutral or none. */
static void frame_result(struct spf *s, mxc_verdict_t v, char *reason)
{
  struct frame *parent;
  const struct mxci_spf_term *t;

  if (s->nfr == 1) {
    trace(s, "result: %s", mxc_verdict_str(v));
    decide(s, v, reason);
    return;
  }
  mxci_free(reason);
  parent = &s->fr[s->nfr - 2];
  t = &parent->rec.terms[parent->ti];
  frame_clear(s, &s->fr[--s->nfr]);
  /* Section 5.2: pass matches; fail, softfail and neutral do not. */
  trace(s, "%s: %s -> %s (%s)", parent->domain, t->text,
        mxc_verdict_str(v), v == MXC_VERDICT_PASS ? "match" : "no match");
  if (v == MXC_VERDICT_PASS)
    term_match(s, t);
  else
    next_term(s);
}

/* ---- fetching a record (section 4.4, 4.5) ------------------------------ */

static void step_fetch(struct spf *s)
{
  struct frame *f = top(s);
  if (!mxci_name_ok(f->domain, f->kind == F_TOP)) {
    if (f->kind == F_TOP) {
      /* Section 4.3: a malformed domain or not a multi-label one. */
      frame_result(s, MXC_VERDICT_NONE,
                   mxci_asprintf("\"%s\" is not a fully qualified domain "
                                 "name (RFC 7208 section 4.3)",
                                 f->domain));
      return;
    }
    no_record(s, "not a valid domain name");
    return;
  }
  s->phase = PH_FETCHED;
  {
    /* Fetched by the evaluation: the lint may read it. */
    char *q = mxci_spf_dns_name(f->domain);
    struct lookup *ahead = q ? sent_ahead(s, q, MXCI_T_TXT) : NULL;
    if (ahead)
      ahead->deep = 0;
    mxci_free(q);
  }
  lookup_begin(s, &s->main, f->domain, MXCI_T_TXT);
}

/* Keep the first syntax error for the lint, with the record around the
 * offset the parser gave, marked. */
static void note_syntax(struct spf *s, const char *domain,
                        const struct mxci_rr *rec, const char *err)
{
  /* The parser says: term N "TEXT" at offset K: ... (TEXT has no space) */
  const char *at = strstr(err, "\" at offset ");
  size_t off = 0, from, to;
  char *before, *after;

  if (s->syn_domain || !s->linting)
    return;
  if (at)
    off = strtoul(at + 12, NULL, 10);
  if (off > rec->datalen)
    off = rec->datalen;
  from = off > SYNTAX_CONTEXT ? off - SYNTAX_CONTEXT : 0;
  to = rec->datalen - off > SYNTAX_CONTEXT ? off + SYNTAX_CONTEXT
                                           : rec->datalen;
  before = mxci_printable(rec->data + from, off - from);
  after = mxci_printable(rec->data + off, to - off);
  s->syn_domain = mxci_strdup(domain);
  s->syn_err = mxci_strdup(err);
  if (before && after)
    s->syn_here = mxci_asprintf("%s%s-->%s%s", from ? "..." : "", before,
                                after, to < rec->datalen ? "..." : "");
  mxci_free(before);
  mxci_free(after);
}

static void step_fetched(struct spf *s)
{
  struct frame *f = top(s);
  struct lookup *l = &s->main;
  const struct mxci_rr *rec = NULL;
  size_t i, nspf = 0, ntxt = 0;
  char err[400], *shown, *txt;

  switch (l->st) {
  case Q_LIMIT:
    permerror(s, "more than %d DNS queries: a limit of mxcheck",
              MAX_QUERIES);
    return;
  case Q_ERROR:
    /* Section 4.4: a timeout or server failure is a temperror. */
    temperror(s, "the TXT lookup of %s%s failed: %s",
              f->kind == F_INCLUDE    ? "include:"
              : f->kind == F_REDIRECT ? "redirect="
                                      : "",
              f->domain, lookup_cause(l));
    return;
  case Q_NXDOMAIN:
  case Q_NODATA: {
    char what[320];
    snprintf(what, sizeof(what), "%s TXT: %s", f->domain,
             l->st == Q_NXDOMAIN ? "NXDOMAIN" : "no TXT records");
    trace(s, "%s", what);
    if (f->kind != F_TOP && count_void(s, what) < 0)
      return;
    no_record(s, l->st == Q_NXDOMAIN ? "the domain does not exist"
                                     : "no TXT records");
    return;
  }
  default:
    break;
  }
  for (i = 0; i < l->ans->nan; i++) {
    const struct mxci_rr *rr = &l->ans->an[i];
    if (rr->type != MXCI_T_TXT || !mxci_name_eq(rr->owner, l->final))
      continue;
    ntxt++;
    if (mxci_spf_is_record(rr->data, rr->datalen)) {
      nspf++;
      rec = rr;
    }
  }
  if (nspf == 0) {
    char why[80];
    trace(s, "%s TXT: %zu record%s, none begins with \"v=spf1\"", f->domain,
          ntxt, ntxt == 1 ? "" : "s");
    snprintf(why, sizeof(why), "%zu TXT record%s, none begins with v=spf1",
             ntxt, ntxt == 1 ? "" : "s");
    no_record(s, why);
    return;
  }
  if (nspf > 1) {
    /* Section 4.5: more than one record is a permerror. */
    trace(s, "%s TXT: %zu SPF records", f->domain, nspf);
    s->multi = 1;
    permerror(s, "%s has %zu SPF records (RFC 7208 section 4.5 allows "
                 "one)",
              f->domain, nspf);
    return;
  }
  /* The text kept for the report stops at the length we accept. */
  txt = mxci_printable(rec->data, rec->datalen > MAX_RECORD_LEN
                                          ? MAX_RECORD_LEN
                                          : rec->datalen);
  shown = txt && s->tracing ? shown_text(txt) : NULL;
  trace(s, "%s TXT: %s", f->domain, shown ? shown : "?");
  mxci_free(shown);
  if (f->kind == F_TOP && MXCI_SPFR(s->res)->spf_record == NULL) {
    MXCI_SPFR(s->res)->spf_record = txt;
    s->top_len = rec->datalen;
    txt = NULL;
  }
  mxci_free(txt);
  if (rec->datalen > MAX_RECORD_LEN) {
    permerror(s, "the SPF record of %s is %zu octets long, over the %d "
                 "that mxcheck accepts",
              f->domain, rec->datalen, MAX_RECORD_LEN);
    return;
  }
  switch (mxci_spf_parse(rec->data, rec->datalen, &f->rec, err,
                         sizeof(err))) {
  case 0:
    break;
  case -1:
    note_syntax(s, f->domain, rec, err);
    permerror(s, "syntax error in the SPF record of %s: %s", f->domain, err);
    return;
  default:
    permerror(s, "out of memory"); /* LCOV_EXCL_LINE: OutOfMemory */
    return;                        /* LCOV_EXCL_LINE: OutOfMemory */
  }
  f->have_rec = 1;
  f->ti = 0;
  s->counted = 0;
  s->worst += (int)f->rec.ndns + (f->rec.redirect && !f->rec.has_all);
  if (f->rec.has_ptr && s->ptr_domain == NULL)
    s->ptr_domain = mxci_strdup(f->domain);
  s->phase = PH_TERM;
  prefetch_record(s, &f->rec, f->domain, s->dns_terms, 1);
}

/* Send q/type ahead; dom (taken) and proj go with the TXT of a record. */
static void send_ahead(struct spf *s, const char *q, uint16_t type, char *dom,
                       int proj, int deep)
{
  struct lookup *l = mxci_calloc(1, sizeof(*l));
  if (l == NULL) {
    mxci_free(dom); /* LCOV_EXCL_LINE: OutOfMemory */
    return;         /* LCOV_EXCL_LINE: OutOfMemory */
  }
  s->pre[s->npre++] = l;
  l->prefetch = 1;
  l->hops = 0;
  l->st = Q_ERROR;
  l->dom = dom;
  l->proj = proj;
  l->deep = deep;
  lookup_send(s, l, q, type);
}

/* Send ahead the lookups of the macro-free terms of record rec (the
 * record of domain) that the 10-term budget could still reach: its k-th
 * DNS-querying term cannot be evaluated as a number below proj + k.
 * evaluated: rec is the evaluation's own parsed record, whose terms are
 * marked as sent ahead (also when an earlier record sent them). */
static void prefetch_record(struct spf *s, struct mxci_spf_record *rec,
                            const char *domain, int proj, int evaluated)
{
  size_t i;
  char err[160] = "out of memory";

  for (i = 0; i <= rec->nterms && !s->decided && !s->finished; i++) {
    struct mxci_spf_term *t = i < rec->nterms ? &rec->terms[i] : NULL;
    const char *spec;
    char *name, *q;
    uint16_t type;
    struct lookup *l;

    if (t && !is_dns_mech(t->mech))
      continue;
    if (t == NULL && (rec->redirect == NULL || rec->has_all))
      break;
    if (++proj > MXC_SPF_MAX_DNS_TERMS ||
        (evaluated && s->terms_sent >= MXC_SPF_MAX_DNS_TERMS))
      break;
    spec = t ? t->spec : rec->redirect;
    if ((t && t->mech == MXCI_SPF_PTR) || (spec && strchr(spec, '%')))
      continue;
    name = spec ? expand(s, spec, MXCI_SPF_MS_DOMAIN, err, sizeof(err))
                : mxci_strdup(domain);
    if (name == NULL)
      continue; /* LCOV_EXCL_LINE: OutOfMemory */
    if (!mxci_name_ok(name, 0) || (q = mxci_spf_dns_name(name)) == NULL) {
      mxci_free(name);
      continue;
    }
    if (t == NULL || t->mech == MXCI_SPF_INCLUDE)
      type = MXCI_T_TXT;
    else if (t->mech == MXCI_SPF_MX)
      type = MXCI_T_MX;
    else if (t->mech == MXCI_SPF_A)
      type = addr_type(s);
    else
      type = MXCI_T_A; /* exists */
    if ((l = sent_ahead(s, q, type)) != NULL) {
      /* Sent from a record fetched ahead: now also one the evaluation's
       * records send, which the lint reads. */
      if (evaluated)
        l->deep = 0;
    } else if (s->npre < MAX_AHEAD &&
               (evaluated || s->deep_sent < MXC_SPF_MAX_DNS_TERMS)) {
      s->deep_sent += !evaluated;
      send_ahead(s, q, type, type == MXCI_T_TXT ? name : NULL, proj,
                 !evaluated);
      if (type == MXCI_T_TXT)
        name = NULL;
    } else {
      mxci_free(q);
      mxci_free(name);
      break;
    }
    mxci_free(q);
    mxci_free(name);
    if (!evaluated)
      continue;
    /* The budget of the evaluation's records is the one it had before
     * records fetched ahead were followed, so that the lint reads the
     * same records. */
    s->terms_sent++;
    if (t)
      t->prefetched = 1;
    else
      rec->redirect_prefetched = 1;
  }
}

/* The MX answer of l, sent ahead for an mx term, arrived: the address
 * lookups of its names (section 5.4), when the term could take them all
 * (at most 10 names: more is a permerror). */
static void prefetch_hosts(struct spf *s, const struct lookup *l,
                           const struct mxci_answer *ans)
{
  const char *final;
  size_t i;
  int hops;

  final = mxci_answer_follow(ans, l->qname, &hops);
  if (hops < 0 || count_rrs(ans, MXCI_T_MX, final) > MXC_SPF_MAX_MX_NAMES)
    return;
  for (i = 0; i < ans->nan && !s->decided && !s->finished; i++) {
    const struct mxci_rr *rr = &ans->an[i];
    if (rr->type != MXCI_T_MX || !mxci_name_eq(rr->owner, final) ||
        strcmp(rr->name, ".") == 0 || sent_ahead(s, rr->name, addr_type(s)))
      continue;
    if (s->hosts_sent >= MAX_AHEAD_HOSTS || s->npre >= MAX_AHEAD)
      break;
    s->hosts_sent++;
    send_ahead(s, rr->name, addr_type(s), NULL, 0, 1);
  }
}

/* ---- terms (section 5) --------------------------------------------------- */

static void end_of_record(struct spf *s)
{
  struct frame *f = top(s);
  char err[200] = "out of memory", *target;

  if (f->rec.redirect == NULL) {
    /* Section 4.7: no match and no redirect=: neutral. */
    trace(s, "%s: no mechanism matched", f->domain);
    frame_result(s, MXC_VERDICT_NEUTRAL,
                 mxci_asprintf("no mechanism of the SPF record of %s "
                               "matched %s: the default is neutral",
                               f->domain, s->a.text));
    return;
  }
  /* Section 6.1: redirect= applies when nothing matched (an "all"
   * anywhere always matches before). */
  if (!s->counted) {
    char text[300];
    snprintf(text, sizeof(text), "redirect=%s", f->rec.redirect);
    if (count_term(s, text, f->rec.redirect_prefetched) < 0)
      return;
    s->counted = 1;
  }
  if (mxci_spf_uses_p(f->rec.redirect) && s->pstate != P_DONE) {
    pnames_start(s, PH_TERM);
    return;
  }
  target = expand(s, f->rec.redirect, MXCI_SPF_MS_DOMAIN, err, sizeof(err));
  if (target == NULL) {
    permerror(s, "redirect=%s in the record of %s: %s", f->rec.redirect,
              f->domain, err);
    return;
  }
  trace(s, "%s: redirect=%s", f->domain, target);
  record_done(s, f);
  mxci_free(f->domain);
  f->domain = target;
  f->ti = 0;
  f->kind = F_REDIRECT;
  s->counted = 0;
  s->phase = PH_FETCH;
}

static void step_term(struct spf *s)
{
  struct frame *f = top(s);
  struct mxci_spf_term *t;
  char err[200] = "out of memory", *target;
  size_t i;

  if (f->ti >= f->rec.nterms) {
    end_of_record(s);
    return;
  }
  t = &f->rec.terms[f->ti];
  switch (t->mech) {
  case MXCI_SPF_ALL:
    trace(s, "%s: %s -> match", f->domain, t->text);
    term_match(s, t);
    return;
  case MXCI_SPF_IP4:
  case MXCI_SPF_IP6: {
    /* Section 5.6: an IPv4 client only matches ip4, an IPv6 one ip6 (an
     * IPv4-mapped IPv6 client is IPv4: section 5). */
    int v6 = t->mech == MXCI_SPF_IP6;
    note_net(s, t, v6 ? 6 : 4, t->net, v6 ? t->cidr6 : t->cidr4);
    if (s->a.family == (v6 ? 6 : 4) &&
        prefix_eq(s->a.b, t->net, v6 ? t->cidr6 : t->cidr4)) {
      trace(s, "%s: %s -> match", f->domain, t->text);
      term_match(s, t);
    } else {
      trace(s, "%s: %s -> no match", f->domain, t->text);
      next_term(s);
    }
    return;
  }
  default:
    break;
  }
  if (!s->counted) {
    if (count_term(s, t->text, t->prefetched) < 0)
      return;
    s->counted = 1;
  }
  if ((t->mech == MXCI_SPF_PTR || (t->spec && mxci_spf_uses_p(t->spec))) &&
      s->pstate != P_DONE) {
    pnames_start(s, PH_TERM);
    return;
  }
  target = t->spec ? expand(s, t->spec, MXCI_SPF_MS_DOMAIN, err, sizeof(err))
                   : mxci_strdup(f->domain);
  if (target == NULL) {
    permerror(s, "\"%s\" in the record of %s: %s", t->text, f->domain, err);
    return;
  }
  switch (t->mech) {
  case MXCI_SPF_PTR: {
    /* Section 5.5: a validated name equal to the target or below it. */
    size_t tl = strlen(target);
    int match = 0;
    if (s->pvoid) {
      char what[200];
      snprintf(what, sizeof(what), "%s PTR (for \"%s\")", s->a.rev, t->text);
      if (count_void(s, what) < 0)
        break;
    }
    for (i = 0; i < s->npnames && !match; i++) {
      const char *n = s->pnames[i];
      size_t nl = strlen(n);
      if (mxci_name_eq(n, target) ||
          (nl > tl + 1 && n[nl - tl - 1] == '.' &&
           mxci_name_eq(n + nl - tl, target)))
        match = 1;
    }
    trace(s, "%s: %s -> %s", f->domain, t->text, match ? "match" : "no match");
    if (match)
      term_match(s, t);
    else
      next_term(s);
    break;
  }
  case MXCI_SPF_INCLUDE:
    if (!mxci_name_ok(target, 0)) {
      permerror(s, "include:%s in the record of %s: not a valid domain "
                   "name, so no SPF record",
                target, f->domain);
      break;
    }
    if (s->nfr >= MAX_DEPTH) {
      permerror(s, "include: nested deeper than %d", MAX_DEPTH);
      break;
    }
    trace(s, "%s: %s", f->domain, t->text);
    s->fr[s->nfr].domain = target;
    s->fr[s->nfr].kind = F_INCLUDE;
    s->nfr++;
    target = NULL;
    s->counted = 0;
    s->phase = PH_FETCH;
    break;
  default: /* a, mx, exists */
    if (!mxci_name_ok(target, 0)) {
      /* An expansion can give a name no query can carry (an empty or
       * over-long label): it does not exist (sections 4.3, 4.8). */
      trace(s, "%s: %s -> no match (\"%s\" is not a valid domain name)",
            f->domain, t->text, target);
      next_term(s);
      break;
    }
    s->phase = PH_TERM_WAIT;
    /* Section 5.7: exists uses an A lookup whatever the client's family. */
    lookup_begin(s, &s->main, target,
                 t->mech == MXCI_SPF_MX       ? MXCI_T_MX
                 : t->mech == MXCI_SPF_EXISTS ? MXCI_T_A
                                              : addr_type(s));
    break;
  }
  mxci_free(target);
}

/* The MX names of an mx term, in order of preference. */
static void start_mx_names(struct spf *s, const struct mxci_spf_term *t)
{
  struct lookup *l = &s->main;
  struct frame *f = top(s);
  const struct mxci_rr *mx[MXC_SPF_MAX_MX_NAMES];
  size_t i, j, n = 0, total = count_rrs(l->ans, MXCI_T_MX, l->final);

  if (total > MXC_SPF_MAX_MX_NAMES) {
    /* Section 4.6.4: more than 10 MX records is a permerror. */
    permerror(s, "%s has %zu MX records: RFC 7208 section 4.6.4 allows "
                 "%d for \"%s\"",
              l->final, total, MXC_SPF_MAX_MX_NAMES, t->text);
    return;
  }
  for (i = 0; i < l->ans->nan; i++) {
    const struct mxci_rr *rr = &l->ans->an[i];
    if (rr->type != MXCI_T_MX || !mxci_name_eq(rr->owner, l->final))
      continue;
    /* Insertion sort on the preference, stable. */
    for (j = n; j > 0 && mx[j - 1]->pref > rr->pref; j--)
      mx[j] = mx[j - 1];
    mx[j] = rr;
    n++;
  }
  s->nsub = 0;
  for (i = 0; i < n; i++) {
    struct lookup *sl;
    /* RFC 7505 null MX ("."): no host to look up. */
    if (strcmp(mx[i]->name, ".") == 0)
      continue;
    sl = &s->sub[s->nsub];
    lookup_clear(sl);
    sl->orig = mxci_strdup(mx[i]->name);
    if (sl->orig != NULL)
      s->nsub++;
  }
  trace(s, "%s MX: %zu name%s", l->final, n, n == 1 ? "" : "s");
  if (s->nsub == 0) {
    trace(s, "%s: %s -> no match (no MX host)", f->domain, t->text);
    next_term(s);
    return;
  }
  s->phase = PH_MX_WAIT;
  for (i = 0; i < s->nsub; i++)
    lookup_begin_pres(s, &s->sub[i], s->sub[i].orig, addr_type(s));
}

static void step_term_wait(struct spf *s)
{
  struct frame *f = top(s);
  struct mxci_spf_term *t = &f->rec.terms[f->ti];
  struct lookup *l = &s->main;
  int bits = s->a.family == 6 ? t->cidr6 : t->cidr4;
  const char *tn = t->mech == MXCI_SPF_MX       ? "MX"
                   : t->mech == MXCI_SPF_EXISTS ? "A"
                                                : mxci_type_str(addr_type(s));

  switch (l->st) {
  case Q_LIMIT:
    permerror(s, "more than %d DNS queries: a limit of mxcheck",
              MAX_QUERIES);
    return;
  case Q_ERROR:
    /* Section 5: a DNS error other than NXDOMAIN is a temperror. */
    temperror(s, "the %s lookup of %s for \"%s\" in the record of %s "
                 "failed: %s",
              tn, l->qname, t->text, f->domain, lookup_cause(l));
    return;
  case Q_NXDOMAIN:
  case Q_NODATA: {
    char what[400];
    snprintf(what, sizeof(what), "%s %s: %s", l->qname, tn,
             l->st == Q_NXDOMAIN ? "NXDOMAIN" : "no records");
    trace(s, "%s: %s -> no match (%s)", f->domain, t->text, what);
    if (count_void(s, what) < 0)
      return;
    next_term(s);
    return;
  }
  default:
    break;
  }
  if (t->mech == MXCI_SPF_MX) {
    start_mx_names(s, t);
    return;
  }
  if (t->mech == MXCI_SPF_A)
    note_answer(s, t, l);
  if (t->mech == MXCI_SPF_EXISTS || answer_matches(s, l, bits)) {
    trace(s, "%s: %s -> match", f->domain, t->text);
    term_match(s, t);
    return;
  }
  trace(s, "%s: %s -> no match (%s has %zu %s record%s, none matches)",
        f->domain, t->text, l->final, count_rrs(l->ans, addr_type(s),
                                                l->final),
        tn, count_rrs(l->ans, addr_type(s), l->final) == 1 ? "" : "s");
  next_term(s);
}

static void step_mx_wait(struct spf *s)
{
  struct frame *f = top(s);
  struct mxci_spf_term *t = &f->rec.terms[f->ti];
  int bits = s->a.family == 6 ? t->cidr6 : t->cidr4;
  size_t i;

  for (i = 0; i < s->nsub; i++)
    if (s->sub[i].st == Q_OK)
      note_answer(s, t, &s->sub[i]);
  for (i = 0; i < s->nsub; i++)
    if (s->sub[i].st == Q_OK && answer_matches(s, &s->sub[i], bits)) {
      trace(s, "%s: %s -> match (MX host %s)", f->domain, t->text,
            s->sub[i].orig);
      term_match(s, t);
      return;
    }
  for (i = 0; i < s->nsub; i++) {
    if (s->sub[i].st == Q_LIMIT) {
      permerror(s, "more than %d DNS queries: a limit of mxcheck",
                MAX_QUERIES);
      return;
    }
    if (s->sub[i].st == Q_ERROR) {
      temperror(s, "the %s lookup of MX host %s for \"%s\" in the record "
                   "of %s failed: %s",
                mxci_type_str(addr_type(s)), s->sub[i].orig, t->text,
                f->domain, lookup_cause(&s->sub[i]));
      return;
    }
  }
  trace(s, "%s: %s -> no match (no MX host has the address)", f->domain,
        t->text);
  next_term(s);
}

/* ---- the explanation (section 6.2) ------------------------------------- */

static void exp_default(struct spf *s)
{
  s->phase = PH_EXP_DEFAULT;
}

static void step_exp(struct spf *s)
{
  struct frame *f = &s->fr[0];
  char err[200] = "out of memory", *name;

  if (!f->have_rec || f->rec.exp == NULL) {
    trace(s, "explanation: no exp=, the default is used");
    exp_default(s);
    return;
  }
  if (mxci_spf_uses_p(f->rec.exp) && s->pstate != P_DONE) {
    pnames_start(s, PH_EXP);
    return;
  }
  name = expand(s, f->rec.exp, MXCI_SPF_MS_DOMAIN, err, sizeof(err));
  if (name == NULL || !mxci_name_ok(name, 0)) {
    trace(s, "explanation: exp=%s ignored (no name to look up: %s), the "
             "default is used",
          f->rec.exp, name ? name : err);
    mxci_free(name);
    exp_default(s);
    return;
  }
  /* The exp= lookup counts neither as a term nor as a void lookup
   * (section 4.6.4). */
  s->phase = PH_EXP_WAIT;
  lookup_begin(s, &s->main, name, MXCI_T_TXT);
  mxci_free(name);
}

static void step_exp_wait(struct spf *s)
{
  struct lookup *l = &s->main;
  const struct mxci_rr *rr = NULL;
  size_t i, n = 0;
  char err[200];

  if (l->st == Q_OK) {
    for (i = 0; i < l->ans->nan; i++)
      if (l->ans->an[i].type == MXCI_T_TXT &&
          mxci_name_eq(l->ans->an[i].owner, l->final)) {
        rr = &l->ans->an[i];
        n++;
      }
  }
  /* Section 6.2: errors, no record or several records, or a syntax error
   * in the text: as if there were no exp=. */
  if (n != 1) {
    trace(s, "explanation: exp= ignored (%s TXT: %s), the default is used",
          l->qname,
          l->st == Q_OK          ? "more than one record"
          : l->st == Q_NXDOMAIN ? "NXDOMAIN"
          : l->st == Q_NODATA   ? "no TXT record"
                                 : lookup_cause(l));
    exp_default(s);
    return;
  }
  if (mxci_spf_check_macro((const char *)rr->data, rr->datalen,
                           MXCI_SPF_MS_EXPLAIN, err, sizeof(err)) < 0) {
    trace(s, "explanation: exp= ignored (%s TXT: %s), the default is used",
          l->qname, err);
    exp_default(s);
    return;
  }
  mxci_free(s->exp_text);
  s->exp_text = mxci_strndup((const char *)rr->data, rr->datalen);
  if (s->exp_text == NULL) {
    exp_default(s); /* LCOV_EXCL_LINE: OutOfMemory */
    return;         /* LCOV_EXCL_LINE: OutOfMemory */
  }
  s->phase = PH_EXP_TEXT;
}

static void step_exp_text(struct spf *s, const char *text, int fallback)
{
  char err[200] = "out of memory";
  char *e;
  if (mxci_spf_uses_p(text) && s->pstate != P_DONE) {
    pnames_start(s, s->phase);
    return;
  }
  e = expand(s, text, MXCI_SPF_MS_EXPLAIN, err, sizeof(err));
  if (e == NULL) {
    if (fallback) {
      trace(s, "explanation: exp= ignored (%s), the default is used", err);
      exp_default(s);
      return;
    }
    e = mxci_strdup(text); /* the default could not be expanded */
  }
  mxci_free(MXCI_SPFR(s->res)->spf_exp);
  MXCI_SPFR(s->res)->spf_exp = e;
  if (fallback)
    trace(s, "explanation from exp=%s: %s", s->fr[0].rec.exp, e ? e : "");
  else
    trace(s, "explanation: the default: %s", e ? e : "");
  s->phase = PH_DONE;
}

/* ---- the end ------------------------------------------------------------- */

static void cancel_all(struct spf *s)
{
  size_t i;
  lookup_cancel(&s->main);
  lookup_cancel(&s->ptrl);
  for (i = 0; i < MAX_SUB; i++)
    lookup_cancel(&s->sub[i]);
  for (i = 0; i < s->npre; i++)
    lookup_cancel(s->pre[i]);
  lookup_cancel(&s->t99);
  mxci_spf2_cancel(s->l2);
}

/* An answer the check already has for name/type, without a query:
 * pinned for libspf2's view, else in the context's cache. */
static const struct mxci_answer *fetched(struct spf *s, const char *name,
                                         uint16_t type)
{
  const struct mxci_answer *a = mxci_spf2_pinned(s->l2, name, type);
  if (a == NULL && !mxci_dns_peek(s->chk->ctx, name, type, &a))
    return NULL;
  return a;
}

/* Worst case of the DNS-querying terms of the policy of domain (section
 * 4.6.4), following the include: and redirect= targets without macros
 * whose records were fetched (the evaluation and the lookups sent ahead
 * fetch them).  *budget bounds the records parsed. */
static int worst_of(struct spf *s, const struct mxci_spf_record *r, int depth,
                    int *budget);

/* The record the evaluation parsed for the TXT at q, if it did. */
static const struct mxci_spf_record *parsed_at(const struct spf *s,
                                               const char *q)
{
  size_t i;
  for (i = 0; i < s->nkept; i++)
    if (mxci_name_eq(s->kept[i].qname, q))
      return &s->kept[i].rec;
  for (i = 0; i < s->nfr; i++)
    if (s->fr[i].have_rec && s->fr[i].domain) {
      char *fq = mxci_spf_dns_name(s->fr[i].domain);
      int same = fq && mxci_name_eq(fq, q);
      mxci_free(fq);
      if (same)
        return &s->fr[i].rec;
    }
  return NULL;
}

static int worst_case(struct spf *s, const char *domain, int depth,
                      int *budget)
{
  const struct mxci_answer *ans;
  const struct mxci_rr *rec = NULL;
  const struct mxci_spf_record *kept;
  const struct lookup *ahead;
  struct mxci_spf_record r;
  char err[200], *q;
  int w;

  if (depth > MAX_DEPTH || *budget <= 0)
    return 0;
  (*budget)--;
  q = mxci_spf_dns_name(domain);
  memset(&r, 0, sizeof(r));
  if (q && (kept = parsed_at(s, q)) != NULL) {
    mxci_free(q);
    return worst_of(s, kept, depth, budget);
  }
  /* A record only fetched ahead from records fetched ahead, from the
   * network, is not read: whether it came depends on timing. */
  if (q && (ahead = sent_ahead(s, q, MXCI_T_TXT)) != NULL && ahead->deep &&
      !ahead->hit) {
    mxci_free(q);
    return 0;
  }
  ans = q ? fetched(s, q, MXCI_T_TXT) : NULL;
  if (ans == NULL || ans->err != ARES_SUCCESS) {
    mxci_free(q);
    return 0;
  }
  rec = spf_record_of(ans, q);
  mxci_free(q);
  if (rec == NULL ||
      mxci_spf_parse(rec->data, rec->datalen, &r, err, sizeof(err)) != 0) {
    mxci_spf_record_clear(&r);
    return 0;
  }
  w = worst_of(s, &r, depth, budget);
  mxci_spf_record_clear(&r);
  return w;
}

/* The DNS-querying terms of parsed record r and of the records below it. */
static int worst_of(struct spf *s, const struct mxci_spf_record *r, int depth,
                    int *budget)
{
  char err[200];
  size_t i;
  int w = (int)r->ndns + (r->redirect && !r->has_all);
  for (i = 0; i < r->nterms && w <= LINT_WORST_CAP; i++) {
    const struct mxci_spf_term *t = &r->terms[i];
    if (t->mech == MXCI_SPF_INCLUDE && t->spec && !strchr(t->spec, '%')) {
      char *name = expand(s, t->spec, MXCI_SPF_MS_DOMAIN, err, sizeof(err));
      if (name)
        w += worst_case(s, name, depth + 1, budget);
      mxci_free(name);
    }
  }
  if (r->redirect && !r->has_all && !strchr(r->redirect, '%') &&
      w <= LINT_WORST_CAP) {
    char *name = expand(s, r->redirect, MXCI_SPF_MS_DOMAIN, err, sizeof(err));
    if (name)
      w += worst_case(s, name, depth + 1, budget);
    mxci_free(name);
  }
  return w;
}

static void lint(struct spf *s)
{
  mxc_result_t *r = s->res;
  const struct frame *f = &s->fr[0];
  int budget = LINT_WORST_RECORDS, tree;
  size_t i;

  tree = worst_case(s, s->odomain, 0, &budget);
  if (tree > s->worst)
    s->worst = tree;
  if (s->syn_domain)
    mxci_result_warn(r, "spf-syntax-error",
                     "Syntax error in the SPF record of %s: %s; here: "
                     "\"%s\". RFC 7208 section 4.6 makes the whole "
                     "policy a permerror.",
                     s->syn_domain, s->syn_err ? s->syn_err : "",
                     s->syn_here ? s->syn_here : "");
  if (s->t99_found)
    mxci_result_warn(r, "spf-type99",
                     "%s publishes its SPF policy as a record of type SPF "
                     "(99), which RFC 7208 section 14.1 made obsolete: "
                     "receivers only read the TXT record. Delete the type "
                     "SPF record%s and keep one TXT record.",
                     s->odomain, s->t99_found == 1 ? "" : "s");

  if (s->ptr_domain)
    mxci_result_warn(r, "spf-ptr",
                     "The SPF record of %s uses the ptr mechanism, which RFC "
                     "7208 section 5.5 says SHOULD NOT be used: it is slow "
                     "and unreliable, and receivers may skip it. List the "
                     "servers with ip4:, ip6: or a: instead.",
                     s->ptr_domain);
  for (i = 0; s->nfr >= 1 && f->have_rec && i < f->rec.nterms; i++) {
    const struct mxci_spf_term *t = &f->rec.terms[i];
    if (t->mech != MXCI_SPF_ALL)
      continue;
    if (t->qual == '+')
      mxci_result_warn(r, "spf-all-pass",
                       "The SPF record of %s ends in +all: every host on "
                       "the Internet may send mail as %s. End it with -all "
                       "(or ~all) after listing your servers.",
                       f->domain, s->odomain);
    else if (t->qual == '?')
      mxci_result_warn(r, "spf-all-neutral",
                       "The SPF record of %s ends in ?all: hosts not listed "
                       "get neutral, which receivers treat like no SPF at "
                       "all. End it with -all or ~all.",
                       f->domain);
    break;
  }
  if (s->top_len > LINT_LONG_RECORD)
    mxci_result_warn(r, "spf-record-long",
                     "The SPF record of %s is %zu octets long: above about "
                     "450 it may not fit a 512-octet UDP answer, and "
                     "receivers that do not retry over TCP get a temperror "
                     "(RFC 7208 section 3.4).",
                     MXCI_SPFR(r)->spf_domain, s->top_len);
  if (s->multi)
    mxci_result_warn(r, "spf-multiple-records",
                     "More than one TXT record beginning with \"v=spf1\": "
                     "merge them into one (RFC 7208 section 4.5 makes this "
                     "a permerror).");
  if (s->dns_terms > MXC_SPF_MAX_DNS_TERMS || s->worst > MXC_SPF_MAX_DNS_TERMS)
    mxci_result_warn(r, "spf-lookups-over-limit",
                     "Evaluating the SPF policy of %s can take %s%d "
                     "DNS-querying terms (include, a, mx, ptr, exists, "
                     "redirect); RFC 7208 section 4.6.4 allows %d and "
                     "receivers return permerror beyond. Replace includes "
                     "and names with ip4:/ip6: ranges.",
                     MXCI_SPFR(r)->spf_domain, s->decided ? "at least " : "",
                     s->worst > s->dns_terms ? s->worst : s->dns_terms,
                     MXC_SPF_MAX_DNS_TERMS);
  else if (s->worst >= LINT_CLOSE_TO_LIMIT)
    mxci_result_warn(r, "spf-close-to-limit",
                     "Evaluating the SPF policy of %s can take at least %d "
                     "DNS-querying terms, close to the limit of %d (RFC "
                     "7208 section 4.6.4): one more include may break it.",
                     MXCI_SPFR(r)->spf_domain, s->worst, MXC_SPF_MAX_DNS_TERMS);
}

static void set_fix(struct spf *s)
{
  mxc_result_t *r = s->res;
  const char *mech = s->a.family == 6 ? "ip6" : "ip4";
  switch (r->verdict) {
  case MXC_VERDICT_FAIL:
  case MXC_VERDICT_SOFTFAIL:
    r->fix = mxci_asprintf("If %s sends mail as %s, add it to the SPF record "
                           "of %s, e.g. \"%s:%s\", or the include: of your "
                           "mail provider.",
                           s->a.text, s->odomain, MXCI_SPFR(r)->spf_domain, mech,
                           s->a.text);
    break;
  case MXC_VERDICT_NEUTRAL:
    r->fix = mxci_asprintf("Receivers treat neutral like no SPF at all: list "
                           "your servers in the SPF record of %s (e.g. "
                           "\"%s:%s\") and end it with -all or ~all.",
                           MXCI_SPFR(r)->spf_domain, mech, s->a.text);
    break;
  case MXC_VERDICT_NONE:
    if (mxci_name_ok(MXCI_SPFR(r)->spf_domain, 1))
      r->fix = mxci_asprintf("Publish an SPF record: a TXT record at %s such "
                             "as \"v=spf1 %s:%s -all\" listing every server "
                             "that sends mail as %s.",
                             MXCI_SPFR(r)->spf_domain, mech, s->a.text, MXCI_SPFR(r)->spf_domain);
    else
      r->fix = mxci_asprintf("Use a fully qualified domain name in %s.",
                             MXCI_SPFR(r)->spf_scope == MXC_SPF_SCOPE_HELO
                                 ? "HELO/EHLO"
                                 : "the MAIL FROM address");
    break;
  case MXC_VERDICT_PERMERROR:
    r->fix = mxci_asprintf("Correct the SPF policy of %s: receivers treat a "
                           "permerror like a fail or ignore the record.",
                           MXCI_SPFR(r)->spf_domain);
    break;
  case MXC_VERDICT_TEMPERROR:
    r->fix = mxci_asprintf("Check that the name servers of %s and of the "
                           "domains its SPF record names answer, then run "
                           "the check again.",
                           MXCI_SPFR(r)->spf_domain);
    break;
  default:
    break;
  }
}

static void finish(struct spf *s)
{
  mxc_result_t *r = s->res;
  cancel_all(s);
  s->finished = 1;
  MXCI_SPFR(r)->spf_lookups = s->dns_terms;
  MXCI_SPFR(r)->spf_voids = s->voids;
  MXCI_SPFR(r)->spf2_state = mxci_spf2_outcome(s->l2, &MXCI_SPFR(r)->spf2_verdict, &MXCI_SPFR(r)->spf2_detail);
  if (s->linting)
    lint(s);
  set_fix(s);
  mxci_check_finish(s->chk, MXC_OK, r);
  s->res = NULL;
}

static void l2_done(void *arg)
{
  struct spf *s = arg;
  s->l2_running = 2;
  s->waiting--;
  run(s);
}

/* The evaluation is over: libspf2's view, then the answers the lint reads
 * (type 99, the records fetched ahead), then the result. */
static void step_done(struct spf *s)
{
  if (s->l2 && s->l2_running == 0) {
    struct mxci_spf2_query q;
    q.a = &s->a;
    q.mail_from = s->l2_from;
    q.helo = s->helo;
    q.exp = s->opt->exp ? s->opt->exp : MXC_SPF_DEFAULT_EXPLANATION;
    s->l2_running = 1;
    s->waiting++;
    mxci_spf2_start(s->l2, &q, l2_done, s);
    return;
  }
  if (tail_pending(s)) {
    s->tail_wait = 1;
    s->waiting++;
    return;
  }
  finish(s);
}

/* One step of the machine; every step either waits for lookups or moves
 * to another phase. */
static void step(struct spf *s)
{
  switch (s->phase) {
  case PH_FETCH:
    step_fetch(s);
    break;
  case PH_FETCHED:
    step_fetched(s);
    break;
  case PH_TERM:
    step_term(s);
    break;
  case PH_TERM_WAIT:
    step_term_wait(s);
    break;
  case PH_MX_WAIT:
    step_mx_wait(s);
    break;
  case PH_PNAMES_PTR:
    step_pnames_ptr(s);
    break;
  case PH_PNAMES_ADDR:
    step_pnames_addr(s);
    break;
  case PH_EXP:
    step_exp(s);
    break;
  case PH_EXP_WAIT:
    step_exp_wait(s);
    break;
  case PH_EXP_TEXT:
    step_exp_text(s, s->exp_text, 1);
    break;
  case PH_EXP_DEFAULT: {
    step_exp_text(s, s->opt->exp ? s->opt->exp : MXC_SPF_DEFAULT_EXPLANATION,
                  0);
    break;
  }
  default:
    step_done(s);
    break;
  }
}

/* The trampoline: answers from the cache call back inside a lookup; they
 * only count down s->waiting, and the loop here goes on. */
static void run(struct spf *s)
{
  if (s->in_run)
    return;
  s->in_run = 1;
  while (!s->finished && s->waiting == 0)
    step(s);
  s->in_run = 0;
}

/* ---- check ops and start --------------------------------------------------- */

static void spf_abort(mxc_check_t *chk)
{
  struct spf *s = chk->priv;
  cancel_all(s);
  s->finished = 1;
}

static void spf_free(mxc_check_t *chk)
{
  struct spf *s = chk->priv;
  size_t i;
  if (s == NULL)
    return;
  cancel_all(s);
  lookup_clear(&s->main);
  lookup_clear(&s->ptrl);
  for (i = 0; i < MAX_SUB; i++)
    lookup_clear(&s->sub[i]);
  for (i = 0; i < s->npre; i++) {
    lookup_clear(s->pre[i]);
    mxci_free(s->pre[i]);
  }
  lookup_clear(&s->t99);
  mxci_spf2_free(s->l2);
  mxci_free(s->l2_from);
  mxci_free(s->syn_domain);
  mxci_free(s->syn_err);
  mxci_free(s->syn_here);
  for (i = 0; i < s->nfr; i++)
    frame_clear(s, &s->fr[i]);
  for (i = 0; i < s->nkept; i++) {
    mxci_free(s->kept[i].qname);
    mxci_spf_record_clear(&s->kept[i].rec);
  }
  mxci_strv_free(s->pnames, s->npnames);
  mxci_free(s->sender);
  mxci_free(s->local);
  mxci_free(s->odomain);
  mxci_free(s->helo);
  mxci_free(s->ptr_domain);
  mxci_free(s->exp_text);
  mxc_result_free(s->res);
  mxci_free(s);
  chk->priv = NULL;
}

static const struct mxci_check_ops spf_ops = {spf_abort, spf_free};

/* <sender> and <domain> (section 4.1, 4.3): "user@domain"; without a
 * local-part "postmaster"; without '@' the whole is the domain; the null
 * sender gives postmaster@HELO.  Returns -1 on OOM. */
static int set_identity(struct spf *s, const char *mail_from,
                        const char *helo, int null_sender)
{
  mxc_result_t *r = s->res;
  const char *at;
  size_t n;

  if (helo && *helo && (s->helo = mxci_strdup(helo)) == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  if (null_sender) {
    MXCI_SPFR(r)->spf_scope = MXC_SPF_SCOPE_HELO;
    s->local = mxci_strdup("postmaster");
    s->odomain = mxci_strdup(helo);
  } else {
    const char *m = mail_from;
    MXCI_SPFR(r)->spf_scope = MXC_SPF_SCOPE_MFROM;
    n = strlen(m);
    if (n >= 2 && m[0] == '<' && m[n - 1] == '>') {
      m++;
      n -= 2;
    }
    /* The domain follows the last '@' (a quoted local-part may hold '@'). */
    at = NULL;
    {
      size_t i;
      for (i = 0; i < n; i++)
        if (m[i] == '@')
          at = m + i;
    }
    if (at == NULL) {
      s->local = mxci_strdup("postmaster");
      s->odomain = mxci_strndup(m, n);
    } else {
      s->local = at == m ? mxci_strdup("postmaster")
                         : mxci_strndup(m, (size_t)(at - m));
      s->odomain = mxci_strndup(at + 1, n - (size_t)(at + 1 - m));
    }
  }
  if (s->local == NULL || s->odomain == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  n = strlen(s->odomain);
  if (n > 1 && s->odomain[n - 1] == '.')
    s->odomain[n - 1] = '\0';
  s->sender = mxci_asprintf("%s@%s", s->local, s->odomain);
  MXCI_SPFR(r)->spf_domain = mxci_strdup(s->odomain);
  MXCI_SPFR(r)->spf_sender = mxci_strdup(s->sender ? s->sender : "");
  MXCI_SPFR(r)->spf_helo = s->helo ? mxci_strdup(s->helo) : NULL;
  if (s->sender == NULL || MXCI_SPFR(r)->spf_domain == NULL || MXCI_SPFR(r)->spf_sender == NULL ||
      (s->helo && MXCI_SPFR(r)->spf_helo == NULL))
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  return 0;
}

static void set_macro_values(struct spf *s)
{
  if (s->a.family == 4) {
    snprintf(s->ival, sizeof(s->ival), "%s", s->a.text);
  } else {
    /* Section 7.3: the nibbles, dot-separated (upper case, as the RFC
     * 7208 test suite expects in explanations). */
    static const char hex[] = "0123456789ABCDEF";
    char *p = s->ival;
    int k;
    for (k = 0; k < 16; k++) {
      *p++ = hex[s->a.b[k] >> 4];
      *p++ = '.';
      *p++ = hex[s->a.b[k] & 0xf];
      *p++ = k == 15 ? '\0' : '.';
    }
  }
  snprintf(s->tval, sizeof(s->tval), "%lld", (long long)time(NULL));
}

/* libspf2's view will be computed when the evaluation ends; from now on
 * the check's answers are pinned for it.  -1 on OOM. */
static int start_libspf2(struct spf *s, const char *mail_from,
                         int null_sender)
{
  s->l2 = mxci_spf2_new(s->chk->ctx);
  if (s->l2 == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  if (!null_sender) {
    size_t n = strlen(mail_from);
    if (n >= 2 && mail_from[0] == '<' && mail_from[n - 1] == '>')
      s->l2_from = mxci_strndup(mail_from + 1, n - 2);
    else
      s->l2_from = mxci_strdup(mail_from);
    if (s->l2_from == NULL)
      return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return 0;
}

/* The lint's one query of the SPF RR type (99), sent with the first TXT
 * query; the result waits for its answer. */
static void start_t99(struct spf *s)
{
  struct lookup *l = &s->t99;
  mxc_status_t st;
  char *q;
  if (!s->linting || !mxci_name_ok(s->odomain, 1))
    return;
  q = mxci_spf_dns_name(s->odomain);
  if (q == NULL)
    return; /* LCOV_EXCL_LINE: OutOfMemory */
  l->qname = q;
  l->s = s;
  l->type = MXCI_T_SPF;
  l->active = 1;
  st = mxci_dns_lookup(s->chk->ctx, l->qname, MXCI_T_SPF, t99_cb, l, &l->w);
  if (st != MXC_OK)
    l->active = 0;
}

mxc_status_t mxc_spf_start(mxc_ctx_t *ctx, const char *ip,
                           const char *mail_from, const char *helo,
                           mxc_done_cb cb, void *arg, mxc_check_t **out)
{
  struct spf *s;
  mxc_check_t *chk;
  mxc_result_t *r;
  struct mxci_spf_ctx *opt;
  char err[160];
  int null_sender;

  if (out)
    *out = NULL;
  if (!mxci_ctx_valid(ctx) || ip == NULL || cb == NULL)
    return MXC_EINVAL;
  null_sender = mail_from == NULL || *mail_from == '\0' ||
                strcmp(mail_from, "<>") == 0;
  if (null_sender && (helo == NULL || *helo == '\0'))
    return MXC_EINVAL;
  if (ctx->free_requested)
    return MXC_EDESTRUCTION;
  opt = mxci_ctx_state(ctx, &mxci_spf_method);
  if (opt == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  s = mxci_calloc(1, sizeof(*s));
  r = mxci_result_new(&mxci_spf_method);
  chk = s && r ? mxci_check_new(ctx, &spf_ops, cb, arg) : NULL;
  if (chk == NULL) {
    mxci_free(s);       /* LCOV_EXCL_LINE: OutOfMemory */
    mxc_result_free(r); /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM;  /* LCOV_EXCL_LINE: OutOfMemory */
  }
  chk->priv = s;
  s->chk = chk;
  s->res = r;
  s->opt = opt;
  s->tracing = opt->detail == 1;
  s->linting = opt->detail != 0;
  r->input = mxci_strdup(ip);
  if (r->input == NULL || set_identity(s, mail_from, helo, null_sender) < 0) {
    mxci_check_discard(chk); /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM;       /* LCOV_EXCL_LINE: OutOfMemory */
  }
  if (mxci_addr_parse(ip, &s->a, err, sizeof(err)) < 0) {
    r->error = mxci_asprintf("\"%.80s\": %s", ip, err);
    mxci_check_finish(chk, MXC_EADDRESS, r);
    s->res = NULL;
    s->finished = 1;
    goto started;
  }
  memcpy(r->address, s->a.text, sizeof(r->address));
  memcpy(r->reverse, s->a.rev, sizeof(r->reverse));
  r->family = s->a.family;
  r->mapped = s->a.mapped;
  set_macro_values(s);
  s->fr[0].domain = mxci_strdup(s->odomain);
  if (s->fr[0].domain == NULL) {
    mxci_check_discard(chk); /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM;       /* LCOV_EXCL_LINE: OutOfMemory */
  }
  s->fr[0].kind = F_TOP;
  s->nfr = 1;
  if (strlen(s->sender) > MAX_IDENTITY ||
      (s->helo && strlen(s->helo) > MAX_IDENTITY)) {
    decide(s, MXC_VERDICT_NONE,
           mxci_asprintf("the %s is longer than %d octets",
                         strlen(s->sender) > MAX_IDENTITY ? "sender address"
                                                          : "HELO name",
                         MAX_IDENTITY));
  } else {
    trace(s, "check_host(%s, %s, %s) for the %s identity", s->a.text,
          s->odomain, s->sender,
          MXCI_SPFR(r)->spf_scope == MXC_SPF_SCOPE_HELO ? "HELO" : "MAIL FROM");
    s->phase = PH_FETCH;
    if (opt->libspf2 && start_libspf2(s, mail_from, null_sender) < 0) {
      mxci_check_discard(chk); /* LCOV_EXCL_LINE: OutOfMemory */
      return MXC_ENOMEM;       /* LCOV_EXCL_LINE: OutOfMemory */
    }
    start_t99(s);
  }
  run(s);
started:
  if (out)
    *out = chk;
  mxci_ctx_leave(ctx);
  return MXC_OK;
}

mxc_status_t mxc_ctx_set_spf_detail(mxc_ctx_t *ctx, int on)
{
  struct mxci_spf_ctx *opt;
  if (!mxci_ctx_valid(ctx))
    return MXC_EINVAL;
  if ((opt = mxci_ctx_state(ctx, &mxci_spf_method)) == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  opt->detail = on == MXC_SPF_DETAIL_LINT ? on : on ? 1 : 0;
  return MXC_OK;
}

mxc_status_t mxc_ctx_set_spf_explanation(mxc_ctx_t *ctx, const char *text)
{
  struct mxci_spf_ctx *opt;
  char err[200], *copy = NULL;
  if (!mxci_ctx_valid(ctx))
    return MXC_EINVAL;
  if ((opt = mxci_ctx_state(ctx, &mxci_spf_method)) == NULL)
    return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  if (text != NULL) {
    if (mxci_spf_check_macro(text, strlen(text), MXCI_SPF_MS_EXPLAIN, err,
                             sizeof(err)) < 0) {
      snprintf(ctx->errbuf, sizeof(ctx->errbuf), "SPF explanation: %s", err);
      return MXC_EINVAL;
    }
    copy = mxci_strdup(text);
    if (copy == NULL)
      return MXC_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  mxci_free(opt->exp);
  opt->exp = copy;
  return MXC_OK;
}

mxc_status_t mxc_spf_sync(mxc_ctx_t *ctx, const char *ip,
                          const char *mail_from, const char *helo,
                          mxc_result_t **out)
{
  struct mxci_sync s = {0, MXC_OK, NULL};
  mxc_check_t *chk = NULL;
  mxc_status_t st = mxci_sync_begin(ctx, out);
  if (st == MXC_OK)
    st = mxc_spf_start(ctx, ip, mail_from, helo, mxci_sync_done, &s, &chk);
  return mxci_sync_wait(ctx, &s, st, chk, out);
}
