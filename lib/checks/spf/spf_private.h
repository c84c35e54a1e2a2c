/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spf_private.h -- the SPF check (RFC 7208): record parser, macro-strings,
 * libspf2's view, the check's part of a result and its options.
 */
#ifndef MXC_SPF_PRIVATE_H
#define MXC_SPF_PRIVATE_H

#include "mxc_private.h"

/* ---- spf_parse.c: SPF records (RFC 7208 sections 4.5, 4.6, 5, 6, 12) ----- */

/* Mechanisms (RFC 7208 section 5). */
enum mxci_spf_mech {
  MXCI_SPF_ALL,
  MXCI_SPF_INCLUDE,
  MXCI_SPF_A,
  MXCI_SPF_MX,
  MXCI_SPF_PTR,
  MXCI_SPF_IP4,
  MXCI_SPF_IP6,
  MXCI_SPF_EXISTS
};

struct mxci_spf_term {
  enum mxci_spf_mech mech;
  char qual;          /* '+', '-', '~' or '?' ('+' when not written) */
  char *text;         /* the term as written */
  char *spec;         /* domain-spec; NULL when absent (a, mx, ptr) */
  int cidr4, cidr6;   /* prefix lengths: a, mx (both), ip4 (cidr4), ip6
                       * (cidr6); the full length when not written */
  unsigned char net[16]; /* ip4 (4 bytes) or ip6 network */
  size_t off;         /* offset of the term in the record */
  int prefetched;     /* evaluator: its lookup was sent ahead */
};

struct mxci_spf_record {
  struct mxci_spf_term *terms; /* the mechanisms, in order */
  size_t nterms;
  char *redirect;     /* domain-spec of redirect=, NULL when absent */
  char *exp;          /* domain-spec of exp=, NULL when absent */
  size_t ndns;        /* DNS-querying mechanisms (section 4.6.4) */
  int has_all, has_ptr;
  int redirect_prefetched;
};

/* Does this TXT record begin with "v=spf1" followed by a space or its end
 * (section 4.5, case-insensitive)? */
int mxci_spf_is_record(const unsigned char *txt, size_t len);
/* Parse a whole record (every term, section 4.6: a syntax error anywhere is
 * a permerror).  0: parsed; -1: syntax error, err says which term and at
 * which offset; -2: out of memory. */
int mxci_spf_parse(const unsigned char *txt, size_t len,
                   struct mxci_spf_record *rec, char *err, size_t errlen);
void mxci_spf_record_clear(struct mxci_spf_record *rec);

/* ---- spf_macro.c: macro-strings (RFC 7208 section 7) --------------------- */

#define MXCI_SPF_MS_DOMAIN 0   /* domain-spec: ends in a toplabel or macro */
#define MXCI_SPF_MS_EXPLAIN 1  /* explain-string: SP, c, r and t allowed */
#define MXCI_SPF_MS_MODIFIER 2 /* unknown-modifier value (may be empty) */

/* Check the syntax of s[0..len).  0 or -1 with a reason in err. */
int mxci_spf_check_macro(const char *s, size_t len, int kind, char *err,
                         size_t errlen);
/* Does the (checked) macro-string use the letter p? */
int mxci_spf_uses_p(const char *s);

/* The values of the macro letters (section 7.2). */
struct mxci_spf_env {
  const char *s, *l, *o, *d, *i, *p, *h, *c, *r, *t, *v;
};
/* Expand a checked macro-string.  For MXCI_SPF_MS_DOMAIN a final dot is
 * removed and the result is cut to 253 octets from the left (section 7.3).
 * NULL with a reason in err on failure (out of memory, too long). */
char *mxci_spf_expand(const char *s, int kind, const struct mxci_spf_env *env,
                      char *err, size_t errlen);
/* The name in the presentation form the DNS layer takes and the parser
 * gives (\ and non-printable bytes escaped).  NULL on OOM. */
char *mxci_spf_dns_name(const char *name);

/* ---- spf_libspf2.c: libspf2's view of an SPF check ------------------------ */

/* States of the view (struct mxci_spf_res.spf2_state). */
#define MXCI_SPF2_SKIPPED 0 /* not computed (disabled, or no evaluation) */
#define MXCI_SPF2_DONE 1    /* libspf2 gave spf2_verdict */
#define MXCI_SPF2_UNKNOWN 2 /* libspf2 could not finish within the limits */

/* libspf2 evaluates from scratch on every run; past these the view is
 * "unknown".  The RFC 7208 suite needs at most 13 runs (notes/libspf2.md). */
#define MXCI_SPF2_MAX_RUNS MXC_SPF_LIBSPF2_MAX_RUNS
#define MXCI_SPF2_MAX_FETCHES 256 /* lookups made for libspf2's misses */

struct SPF_server_struct; /* libspf2's SPF_server_t */
struct mxci_spf2;

/* What libspf2 is asked, as a receiver would ask it. */
struct mxci_spf2_query {
  const struct mxci_addr *a; /* the client, as given (IPv4-mapped: IPv6) */
  const char *mail_from;     /* MAIL FROM without <>; NULL: null sender */
  const char *helo;          /* may be NULL */
  const char *exp;           /* the default explanation (macro-string) */
};

/* One synchronous libspf2 evaluation on a server whose DNS layer is set:
 * a fresh request, SPF_request_query_mailfrom(), the result mapped
 * (SPF_RESULT_INVALID: temperror after a DNS error, else permerror).
 * *detail (NULL or mxci_malloc'ed, printable) is libspf2's error text or
 * explanation.  Returns 0, or -1 when libspf2 could not be asked (out of
 * memory).  Used by the view below and by the RFC 7208 suite's
 * synchronous comparison run. */
int mxci_spf2_eval(struct SPF_server_struct *server,
                   const struct mxci_spf2_query *q, mxc_verdict_t *v,
                   char **detail);
/* A libspf2 server with our default settings around a DNS layer
 * (receiving domain "unknown", the explanation q->exp); NULL on failure. */
struct SPF_server_struct *mxci_spf2_server_new(void *dns_layer,
                                               const char *exp);
void mxci_spf2_server_free(struct SPF_server_struct *server);

/* The asynchronous view: libspf2 reads DNS answers only from answers the
 * check pinned (mxci_spf2_pin) or, failing that, from the context's cache;
 * a miss aborts the run, is fetched, and the evaluation runs again. */
struct mxci_spf2 *mxci_spf2_new(mxc_ctx_t *ctx);
void mxci_spf2_free(struct mxci_spf2 *v);
/* Keep a copy of an answer the check received for name/type (presentation
 * form).  Later answers for the same name/type are ignored. */
void mxci_spf2_pin(struct mxci_spf2 *v, const char *name, uint16_t type,
                   const struct mxci_answer *ans);
/* The answer pinned for name/type, or NULL (also when v is NULL). */
const struct mxci_answer *mxci_spf2_pinned(const struct mxci_spf2 *v,
                                           const char *name, uint16_t type);
/* Start the evaluation; done(arg) is called once when the view is
 * computed or given up, possibly before this returns.  The strings of q
 * are copied. */
void mxci_spf2_start(struct mxci_spf2 *v, const struct mxci_spf2_query *q,
                     void (*done)(void *arg), void *arg);
/* Unhook the lookups in flight; done() is not called. */
void mxci_spf2_cancel(struct mxci_spf2 *v);
/* The outcome: MXCI_SPF2_*, the verdict, and the detail (taken). */
int mxci_spf2_outcome(struct mxci_spf2 *v, mxc_verdict_t *verdict,
                      char **detail);


/* ---- spf_result.c: the SPF part of a result ------------------------------ */

struct mxci_spf_res {
  char *spf_domain;  /* the domain checked first */
  char *spf_sender;  /* <sender> as evaluated (postmaster@... filled in) */
  char *spf_helo;    /* the HELO name given, NULL when none */
  mxc_spf_scope_t spf_scope;
  char *spf_exp;     /* explanation of a fail */
  char *spf_record;  /* the first record evaluated (display form) */
  int spf_lookups;   /* DNS-querying terms counted (RFC 7208 4.6.4) */
  int spf_voids;     /* void lookups counted */
  size_t nspf_trace;
  char **spf_trace;
  size_t nspf_nets;  /* networks a match would pass (mxc_spf_network()) */
  char **spf_nets;
  int spf2_state;    /* MXCI_SPF2_*: libspf2's view of the check */
  mxc_verdict_t spf2_verdict;
  char *spf2_detail; /* libspf2's error text or explanation */
};

#define MXCI_SPFR(r) ((struct mxci_spf_res *)(r)->data)

/* The SPF options of a context (mxci_ctx_state()). */
struct mxci_spf_ctx {
  char *exp;   /* default explanation; NULL: the built-in one */
  int libspf2; /* also compute libspf2's view (default 1) */
  int detail;  /* trace and lint: 1 (default), 0, MXC_SPF_DETAIL_LINT */
};

extern const struct mxci_method mxci_spf_method;

#endif /* MXC_SPF_PRIVATE_H */
