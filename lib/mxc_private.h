/*
 * mxc_private.h -- internals shared by the files of libmxcheck.
 * Included first in every .c of lib/.  Internal names are mxci_*, so that
 * the export filter '^mxc_' can never leak them.
 */
#ifndef MXC_PRIVATE_H
#define MXC_PRIVATE_H

#include "config.h"

#include <ares.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mxcheck.h"

#define MXCI_CTX_MAGIC 0x6d786378u   /* "mxcx" */
#define MXCI_CHECK_MAGIC 0x6d786368u /* "mxch" */

/* ---- util.c -------------------------------------------------------------- */

/* Allocation goes through these, so that tests can inject failures. */
void *mxci_malloc(size_t n);
void *mxci_calloc(size_t n, size_t sz);
void *mxci_realloc(void *p, size_t n);
void mxci_free(void *p);
char *mxci_strdup(const char *s);
char *mxci_strndup(const char *s, size_t n);
/* printf into a new string; NULL on OOM. */
char *mxci_asprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Fail the nth allocation from now (1 = the next one); 0 disables. */
void mxci_alloc_fail_after(long n);
/* Unpredictable bytes (DNS query IDs). */
void mxci_random(void *buf, size_t n);
/* Monotonic clock in milliseconds. */
int64_t mxci_now_ms(void);
/* ASCII case-insensitive comparison of DNS names, ignoring a final dot. */
int mxci_name_eq(const char *a, const char *b);

/* Growable string buffer. */
struct mxci_buf {
  char *s;
  size_t len, cap;
  int oom;
};
void mxci_buf_add(struct mxci_buf *b, const char *s, size_t n);
void mxci_buf_puts(struct mxci_buf *b, const char *s);
void mxci_buf_printf(struct mxci_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Take the string (NUL-terminated); NULL if any append ran out of memory. */
char *mxci_buf_take(struct mxci_buf *b);

/* ---- addr.c --------------------------------------------------------------- */

struct mxci_addr {
  int family;            /* 4 or 6 */
  int mapped;            /* IPv4-mapped IPv6 given, checked as IPv4 */
  unsigned char b[16];   /* 4 or 16 bytes */
  char text[64];         /* canonical text (RFC 5952 for IPv6) */
  char rev[80];          /* in-addr.arpa / ip6.arpa name, no final dot */
};

/* Parse any textual form; on error fills err (reason) and returns -1. */
int mxci_addr_parse(const char *in, struct mxci_addr *out, char *err,
                    size_t errlen);
/* Canonical text of 4 or 16 address bytes. */
void mxci_addr_format(int family, const unsigned char *b, char *out,
                      size_t outlen);
/* Is this address one that is never seen on the Internet (private,
 * loopback, link-local, ULA, unspecified)?  Returns a short reason or NULL. */
const char *mxci_addr_nonglobal(const struct mxci_addr *a);

/* ---- dnsmsg.c: DNS packets ------------------------------------------------ */

#define MXCI_T_A 1
#define MXCI_T_NS 2
#define MXCI_T_CNAME 5
#define MXCI_T_SOA 6
#define MXCI_T_PTR 12
#define MXCI_T_MX 15
#define MXCI_T_TXT 16
#define MXCI_T_AAAA 28
#define MXCI_T_OPT 41
#define MXCI_T_SPF 99 /* RFC 7208 section 14.1: obsolete, decoded like TXT */

#define MXCI_RCODE_NOERROR 0
#define MXCI_RCODE_FORMERR 1
#define MXCI_RCODE_SERVFAIL 2
#define MXCI_RCODE_NXDOMAIN 3
#define MXCI_RCODE_REFUSED 5

/* Limits on what is kept of one answer: a hostile server cannot make the
 * library hold more than this per query. */
#define MXCI_MAX_RRS 4096        /* records kept from one section */
#define MXCI_MAX_NAME 1024       /* presentation length of a name, escaped */
#define MXCI_MAX_CNAME_HOPS 8    /* CNAME chain followed for one lookup */

struct mxci_rr {
  char *owner;      /* presentation form, no final dot */
  uint16_t type;
  uint32_t ttl;
  /* decoded rdata */
  unsigned char addr[16]; /* A (4) / AAAA (16) */
  char *name;             /* PTR, CNAME, NS target; SOA mname; MX exchange */
  uint16_t pref;          /* MX */
  unsigned char *data;    /* TXT, SPF: character-strings concatenated */
  size_t datalen;
  uint16_t rdlen;         /* TXT, SPF: RDATA length (0: no string at all) */
  uint32_t soa_minimum;   /* SOA */
};

/* A parsed response, or the error that stood for one. */
struct mxci_answer {
  int err;          /* ARES_SUCCESS or an ARES_E* code (timeout, ...) */
  char *cause;      /* human text when err != ARES_SUCCESS or malformed */
  int rcode;
  int ad;           /* AD bit set in the response */
  int tc;
  size_t nan, nns;
  struct mxci_rr *an; /* answer section */
  struct mxci_rr *ns; /* authority section */
  uint32_t min_ttl;   /* for caching: min over answer TTLs or negative TTL */
};

/* Build a query for name/type into buf (ID 0: the caller sets it).
 * edns: add an OPT record with the DO bit.  Returns the length or -1 when
 * the name cannot be encoded. */
int mxci_dns_build_query(const char *name, uint16_t type, int edns,
                         unsigned char *buf, size_t buflen);
/* Parse a response.  Returns 0 on success, -1 with ans->cause set when the
 * packet is malformed (ans->err is then ARES_EBADRESP). */
int mxci_dns_parse(const unsigned char *pkt, size_t len,
                   struct mxci_answer *ans);
void mxci_answer_clear(struct mxci_answer *ans);
struct mxci_answer *mxci_answer_dup(const struct mxci_answer *ans);
/* Follow the CNAME chain of qname inside the answer section.  Returns the
 * final owner name (pointing into ans, or qname itself) and the number of
 * hops in *hops; -1 in *hops when the chain loops or is too long. */
const char *mxci_answer_follow(const struct mxci_answer *ans,
                               const char *qname, int *hops);
/* Encode a presentation name as wire labels (RFC 1035 section 3.1) into
 * out.  Returns the length, or -1 when it cannot be encoded (an empty or
 * over-long label, over 255 octets). */
int mxci_dns_encode_name(const char *name, unsigned char *out,
                         size_t outlen);
/* Owner of the SOA record of the authority section (the zone of a
 * negative answer), or NULL. */
const char *mxci_answer_soa_zone(const struct mxci_answer *ans);
/* Short text for an ares status or rcode ("timeout", "SERVFAIL"...). */
const char *mxci_dns_errstr(int ares_status);
const char *mxci_rcode_str(int rcode);
const char *mxci_type_str(uint16_t type);

/* ---- dns.c: the engine's resolver with cache and de-duplication ---------- */

struct mxci_waiter;
/* Called with the answer (owned by the cache, valid during the call). */
typedef void (*mxci_dns_cb)(void *arg, const struct mxci_answer *ans);

struct mxci_dnsent; /* cache entry, opaque outside dns.c */

struct mxci_waiter {
  struct mxci_waiter *next, *prev; /* on the entry */
  struct mxci_dnsent *ent;
  mxci_dns_cb cb;
  void *arg;
};

/* Look name/type up through the cache.  On a cache hit cb runs before this
 * returns.  *w (caller-owned) is linked while the query is in flight so that
 * it can be cancelled.  Returns MXC_OK or MXC_ENOMEM/MXC_EINVAL (cb not
 * called). */
mxc_status_t mxci_dns_lookup(mxc_ctx_t *ctx, const char *name, uint16_t type,
                             mxci_dns_cb cb, void *arg, struct mxci_waiter *w);
/* Is a fresh answer for name/type in the cache?  1 and *out (owned by the
 * cache: copy it before the next call into the library) or 0.  No query,
 * no change to the cache or its counters. */
int mxci_dns_peek(mxc_ctx_t *ctx, const char *name, uint16_t type,
                  const struct mxci_answer **out);
/* Unhook a waiter whose callback has not run; safe to call twice. */
void mxci_dns_cancel(struct mxci_waiter *w);
int mxci_dns_init(mxc_ctx_t *ctx);
void mxci_dns_destroy(mxc_ctx_t *ctx);
void mxci_dns_flush(mxc_ctx_t *ctx);
/* Send queued queries while slots are free. */
void mxci_dns_pump(mxc_ctx_t *ctx);
/* Expire old cache entries (amortised). */
void mxci_dns_expire(mxc_ctx_t *ctx);
/* Entries in the cache, including those in flight. */
size_t mxci_dns_cache_count(const mxc_ctx_t *ctx);

/* ---- checks --------------------------------------------------------------- */

struct mxci_check_ops {
  /* Drop every outstanding lookup (waiters unhooked); the check will not be
   * resumed. */
  void (*abort)(mxc_check_t *chk);
  /* Free the check's private state. */
  void (*free)(mxc_check_t *chk);
};

enum { MXCI_CHK_RUNNING, MXCI_CHK_QUEUED, MXCI_CHK_DELIVERING };

struct mxc_check {
  unsigned magic;
  mxc_ctx_t *ctx;
  struct mxc_check *next, *prev; /* ctx->checks */
  struct mxc_check *qnext;       /* ctx done queue */
  int state;
  mxc_done_cb cb;
  void *arg;
  mxc_status_t status;
  mxc_result_t *res;
  const struct mxci_check_ops *ops;
  void *priv;
};

mxc_check_t *mxci_check_new(mxc_ctx_t *ctx, const struct mxci_check_ops *ops,
                            mxc_done_cb cb, void *arg);
/* The check is finished: queue its delivery (res is taken). */
void mxci_check_finish(mxc_check_t *chk, mxc_status_t st, mxc_result_t *res);
/* Free a check that was never handed to the user (start failed). */
void mxci_check_discard(mxc_check_t *chk);
/* A check made without a callback (cb NULL at mxci_check_new(): a DKIM
 * check before mxc_dkim_finish()) is not counted as pending, and is freed
 * without a callback if stopped.  Attach the callback: from now on the
 * check is pending and its callback runs exactly once. */
void mxci_check_arm(mxc_check_t *chk, mxc_done_cb cb, void *arg);

/* ---- the context ---------------------------------------------------------- */

struct mxci_sock {
  int fd;
  int what;
  void *socketp;
};

struct mxci_cache; /* dns.c */

struct mxc_ctx {
  unsigned magic;
  ares_channel channel;
  char errbuf[256];

  /* options */
  int timeout_ms;
  int tries;
  int max_inflight;
  int edns;
  char *servers;
  char *spf_exp; /* default SPF explanation; NULL: the built-in one */
  int libspf2;   /* SPF checks also compute libspf2's view (default 1) */
  int spf_detail; /* SPF trace and lint: 1 (default), 0, MXC_SPF_DETAIL_LINT */
  struct dkim_lib *dkim_lib; /* libopendkim's DKIM_LIB, made on first use */
  unsigned long dkim_stray;  /* libopendkim's own DNS asked (must stay 0) */
  unsigned dmarc_discovery;  /* MXC_DMARC_*; 0: the default (tree walk) */

  /* dns.c state */
  struct mxci_cache *cache;
  struct mxci_dnsent *qhead, *qtail;   /* queries waiting for a slot */
  struct mxci_dnsent *pqhead, *pqtail; /* ... follow-ups, sent first */
  size_t cache_max;
  size_t inflight, queued;

  /* sockets and timer (loop.c) */
  struct mxci_sock *socks;
  size_t nsocks, socks_cap;
  mxc_socket_cb sock_cb;
  void *sock_userp;
  mxc_timer_cb timer_cb;
  void *timer_userp;
  int64_t timer_deadline; /* absolute ms; -1: none; -2: unknown (fired) */

  /* checks */
  struct mxc_check *checks;              /* all not yet delivered */
  struct mxc_check *dq_head, *dq_tail;   /* finished, to deliver */
  size_t npending;
  int in_callback;
  int processing;
  int running; /* inside mxc_run(): it performs a deferred free itself */
  int free_requested;

  mxc_stats_t stats;
};

int mxci_ctx_valid(const mxc_ctx_t *ctx);
/* Deliver finished checks (runs user callbacks). */
void mxci_deliver(mxc_ctx_t *ctx);
/* Recompute the timer and tell the application if the deadline changed. */
void mxci_update_timer(mxc_ctx_t *ctx);
/* Socket state from c-ares. */
void mxci_sock_state(void *data, ares_socket_t fd, int readable,
                     int writable);
/* End of a public call: deliver, pump, run a deferred free, update timer. */
void mxci_ctx_leave(mxc_ctx_t *ctx);
/* Really free (no callback running). */
void mxci_ctx_destroy(mxc_ctx_t *ctx);

/* ---- result.c ------------------------------------------------------------- */

struct mxci_name {
  char *name;
  mxc_name_state_t state;
  char *detail;
  size_t naddr;
  char **addrs;
};

struct mxci_warning {
  char *code;
  char *text;
};

struct mxc_result {
  const char *method;
  mxc_verdict_t verdict;
  char *reason;
  char *input;
  char *error; /* the input was not an address */
  char address[64];
  int family;
  int mapped;
  int dnssec;
  char reverse[80];
  size_t nnames;
  struct mxci_name *names;
  char *matched;
  char *zone;
  size_t nzone_ns;
  char **zone_ns;
  size_t nwarn;
  struct mxci_warning *warn;
  char *fix;
  /* method "spf" */
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
  int spf2_state;    /* MXCI_SPF2_*: libspf2's view of the check */
  mxc_verdict_t spf2_verdict;
  char *spf2_detail; /* libspf2's error text or explanation */
  /* method "dkim" (input: the message's name) */
  size_t ndkim;
  struct mxci_dkim_sig *dkim; /* per signature, in header order */
  size_t dkim_ignored;        /* over MXC_DKIM_MAX_SIGNATURES */
  /* method "dmarc" (input: the From domain as given) */
  struct mxci_dmarc *dmarc;   /* dmarc.c */
  /* method "compliance" (input: the client address) */
  struct mxci_comp *comp;     /* compliance.c */
};

mxc_result_t *mxci_result_new(const char *method);
/* Append a warning; returns -1 on OOM. */
int mxci_result_warn(mxc_result_t *r, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Add a string to a growable array of strings; -1 on OOM. */
int mxci_strv_add(char ***v, size_t *n, const char *s);
void mxci_strv_free(char **v, size_t n);

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
/* A record (or any bytes) in printable form: non-printable bytes as \DDD. */
char *mxci_spf_printable(const unsigned char *p, size_t len);

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
/* Can this name be looked up: 1..63-octet labels, at most 253 octets,
 * no empty label (a final dot is allowed)?  multi: also at least two
 * labels and not an address literal (section 4.3). */
int mxci_spf_name_ok(const char *name, int multi);
/* The name in the presentation form the DNS layer takes and the parser
 * gives (\ and non-printable bytes escaped).  NULL on OOM. */
char *mxci_spf_dns_name(const char *name);

/* ---- spf_libspf2.c: libspf2's view of an SPF check ------------------------ */

/* States of the view (mxc_result_t.spf2_state). */
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

/* ---- dkim.c, dkim_result.c: DKIM (RFC 6376, RFC 8463) ----------------- */

/* One signature of a "dkim" result.  Strings are printable ASCII. */
struct mxci_dkim_sig {
  mxc_verdict_t verdict;
  char *error;      /* stable code, "" when it passed */
  char *reason;
  char *domain, *selector, *identity, *algorithm, *b, *canon;
  char *key_name, *key_record, *key_type;
  unsigned key_bits;
  int dnssec, testing;
  size_t nheaders;
  char **headers;   /* h=, lower case */
  long long l, t, x; /* -1: absent */
  size_t nwarn;
  struct mxci_warning *warn;
};

void mxci_dkim_result_free(mxc_result_t *r);
/* Copy the "dkim" members of s into d; -1 on OOM. */
int mxci_dkim_result_dup(mxc_result_t *d, const mxc_result_t *s);
/* Free the context's libopendkim handle. */
void mxci_dkim_ctx_destroy(mxc_ctx_t *ctx);
/* Line ends for libopendkim: copy in[0..n) to out (room for 2n octets)
 * with every LF not preceded by CR turned into CRLF; *cr carries "the last
 * octet was CR" from one call to the next.  Returns the octets written. */
size_t mxci_crlf(const char *in, size_t n, int *cr, char *out);

/* ---- dmarc_parse.c, dmarc.c, dmarc_report.c: DMARC (RFC 9989) ---------- */

/* A parsed DMARC policy record (RFC 9989 sections 4.7, 4.8).  Tags whose
 * value did not parse are not kept (their default applies) and are listed
 * in err with their place in the record. */
struct mxci_dmarc_rec {
  size_t ntags, nvals;
  char **tname, **tval; /* kept tags, in order: name (lower case), value */
  char p, sp, np;       /* 'n'one, 'q'uarantine, 'r'eject; 0: absent */
  int p_bad, sp_bad, np_bad; /* present, but the value is invalid */
  char adkim, aspf;     /* 'r' or 's'; 0: absent */
  char psd;             /* 'y', 'n' or 'u'; 0: absent */
  char t;               /* 'y' or 'n'; 0: absent */
  int pct;              /* 0..100 (RFC 7489); -1: absent or invalid */
  size_t nrua, nruf;    /* syntactically valid reporting URIs */
  size_t nerr, nobs, nunknown;
  char **err;           /* syntax errors: "tag N \"...\" at offset M: why" */
  char **obs;           /* obsolete tags seen (pct, rf, ri, !size) */
  char **unknown;       /* unknown tags as written (ignored) */
};

/* Does a TXT record begin with "v=DMARC1" (then the end or ';')? */
int mxci_dmarc_is_record(const unsigned char *txt, size_t len);
/* Does it look like an attempt at one ("v=dmarc...", any case)? */
int mxci_dmarc_looks_like(const unsigned char *txt, size_t len);
/* Parse a record.  0: a DMARC record (errors, if any, in r->err); -1: not
 * a DMARC record (no v=DMARC1 first, r is empty); -2: out of memory. */
int mxci_dmarc_parse(const unsigned char *txt, size_t len,
                     struct mxci_dmarc_rec *r);
void mxci_dmarc_rec_clear(struct mxci_dmarc_rec *r);
/* The value of a kept tag, or NULL. */
const char *mxci_dmarc_rec_tag(const struct mxci_dmarc_rec *r,
                               const char *name);
/* "none", "quarantine", "reject" for 'n', 'q', 'r'; "" otherwise. */
const char *mxci_dmarc_policy_word(char c);

/* The DMARC members of a result (method "dmarc"). */
struct mxci_dmarc_id {
  char *domain;          /* as given, lower case */
  mxc_verdict_t verdict; /* SPF's or DKIM's verdict as given */
  char *org;             /* its organizational domain, NULL if unknown */
  int aligned;           /* 1, 0, -1 (unknown: DNS error) */
  int identical;         /* the same name as the From domain */
};

struct mxci_dmarc {
  char *from;            /* the From (author) domain, lower case */
  unsigned method;       /* MXC_DMARC_TREEWALK or MXC_DMARC_PSL: decided */
  char *record;          /* the policy record (printable), NULL if none */
  char *record_domain;   /* where it was found (without _dmarc.) */
  char *org;             /* organizational domain of the From domain */
  char *org_how;         /* how it was determined */
  char policy;           /* 'n', 'q', 'r' applied; 0: no policy */
  char *policy_tag;      /* "p", "sp", "np" */
  char *policy_why;
  char aspf, adkim;      /* 'r' or 's' in force */
  int testing;           /* t=y */
  int audit;             /* no SPF or DKIM identifier was given */
  size_t ntags;
  char **tname, **tval;  /* tags of the policy record as kept */
  int has_spf;
  struct mxci_dmarc_id spf;
  size_t ndkim;
  struct mxci_dmarc_id *dkim;
  size_t nnotes;
  char **notes;          /* remarks on the record that are not warnings */
  size_t ntrace;
  char **trace;          /* the lookups, one line each */
};

void mxci_dmarc_result_free(mxc_result_t *r);
/* Copy the DMARC members of s into d; -1 on OOM. */
int mxci_dmarc_result_dup(mxc_result_t *d, const mxc_result_t *s);
/* Renderings of a "dmarc" result (dmarc_report.c). */
struct json_object;
struct json_object *mxci_dmarc_json(const mxc_result_t *r);
void mxci_dmarc_text(struct mxci_buf *b, const mxc_result_t *r, int color);

/* ---- message.c, compliance.c: sender requirements (doc RULES R1-R20) ---- */

enum {
  MXCI_MF_NOCOLON = 1,    /* no "name:" */
  MXCI_MF_WSCOLON = 2,    /* white space before the colon */
  MXCI_MF_BADNAME = 4,    /* a name octet outside printable ASCII */
  MXCI_MF_BARECR = 8,     /* CR not followed by LF */
  MXCI_MF_BARELINE = 16,  /* a line end not followed by WSP (broken fold) */
  MXCI_MF_NUL = 32,
  MXCI_MF_CTL = 64,       /* other control characters */
  MXCI_MF_8BIT = 128,
  MXCI_MF_LONGLINE = 256, /* a line over 998 octets */
  MXCI_MF_CUT = 512       /* value cut at MXC_MSG_MAX_FIELD */
};

struct mxci_msg_field {
  char *name;  /* lower case, without trailing white space */
  char *value; /* unfolded, trimmed, cut at MXC_MSG_MAX_FIELD */
  size_t octets;
  unsigned flags;
};

size_t mxci_msg_count(const mxc_msg_t *m);
const struct mxci_msg_field *mxci_msg_get(const mxc_msg_t *m, size_t i);
int mxci_msg_date_ok(const char *v);
int mxci_msg_id_ok(const char *v);

#define MXCI_MSG_MAX_FINDINGS 24
#define MXCI_MSG_BIG_HEADER (256 * 1024)

/* What the header says, for the rules (a copy: the message may go). */
struct mxci_msg_facts {
  int present;             /* a message was given */
  size_t nfields, header_octets, long_lines;
  size_t from_count, from_mailboxes;
  int from_ok;             /* the first mailbox parsed as local@domain */
  char from_addr[256], from_domain[256], from_display[256];
  int display_has_addr, display_other_domain;
  char display_domain[256];
  int msgid_ok, date_ok, ew_in_addr;
  int lu_present, lu_https, lu_mailto, lu_malformed, lup_present, lup_ok;
  int list_id, arc, arc_cv_fail, precedence_bulk;
  size_t nfind;            /* RFC 5322 findings (rule R12) */
  struct {
    int fail;
    char *text;
  } find[MXCI_MSG_MAX_FINDINGS];
};

void mxci_msg_facts(const mxc_msg_t *m, struct mxci_msg_facts *f);
void mxci_msg_facts_clear(struct mxci_msg_facts *f);

/* One evaluated rule of a "compliance" result. */
struct mxci_rule_res {
  const char *id, *title, *source; /* static */
  int required;                    /* 0: a recommendation */
  mxc_rule_state_t state;
  char *evidence, *fix;
};

enum { MXCI_SUB_IPREV, MXCI_SUB_SPF, MXCI_SUB_DKIM, MXCI_SUB_DMARC,
       MXCI_SUB_N };

struct mxci_comp {
  char *profile;
  size_t nrules;
  struct mxci_rule_res *rules;
  mxc_result_t *sub[MXCI_SUB_N]; /* NULL: not run */
  char *from_domain;             /* "" when none */
  char *mail_from, *helo;        /* NULL when not given */
};

void mxci_comp_free(struct mxci_comp *c);
int mxci_comp_result_dup(mxc_result_t *d, const mxc_result_t *s);
struct json_object *mxci_comp_json(const mxc_result_t *r);
void mxci_comp_text(struct mxci_buf *b, const mxc_result_t *r, int color);

#endif /* MXC_PRIVATE_H */
