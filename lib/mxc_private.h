/* SPDX-License-Identifier: BSD-2-Clause */
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

struct mxci_jw; /* jsonw.c */

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
char *mxci_vasprintf(const char *fmt, va_list ap);
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

/* *d = a copy of s, or NULL when s is NULL.  -1 on OOM. */
int mxci_strdup_opt(char **d, const char *s);
/* Add a copy of s to a growable array of strings; -1 on OOM. */
int mxci_strv_add(char ***v, size_t *n, const char *s);
/* *d = a deep copy of s[0..n); -1 on OOM (*d holds what was copied). */
int mxci_strv_dup(char ***d, size_t *dn, char *const *s, size_t n);
void mxci_strv_free(char **v, size_t n);
/* Bytes in printable form: '\' doubled, other non-printable octets as
 * \DDD (new string, NULL on OOM). */
char *mxci_printable(const unsigned char *p, size_t len);
/* Can this name be looked up: 1..63-octet labels, at most 253 octets,
 * no empty label (a final dot is allowed)?  multi: also at least two
 * labels, printable ASCII, and not an address literal (RFC 7208 4.3). */
int mxci_name_ok(const char *name, int multi);

/* Colours of the text report (ANSI; the CLI honours NO_COLOR). */
#define MXCI_C_RESET "\033[0m"
#define MXCI_C_BOLD "\033[1m"
#define MXCI_C_RED "\033[31m"
#define MXCI_C_GREEN "\033[32m"
#define MXCI_C_YELLOW "\033[33m"

/* Growable string buffer. */
struct mxci_buf {
  char *s;
  size_t len, cap;
  int oom;
  int verbose; /* text renderings: MXC_RENDER_VERBOSE given (records,
                * traces, per-signature detail) */
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
  char text[48];         /* canonical text (RFC 5952 for IPv6): at most 45 */
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
#define MXCI_T_DS 43
#define MXCI_T_RRSIG 46
#define MXCI_T_NSEC 47
#define MXCI_T_DNSKEY 48
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
  unsigned char *data;    /* TXT, SPF: character-strings concatenated;
                           * DNSKEY: the RDATA as it is */
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
  int from_zone;      /* answered from a zone file (zone.c), not from DNS */
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
/* The longest name in wire format (RFC 1035 section 3.1). */
#define MXCI_WIRE_MAX 255
/* Presentation form of a wire-format name of at most len octets (no final
 * dot; "." for the root), cut to fit outlen. */
void mxci_wire_text(const unsigned char *w, size_t len, char *out,
                    size_t outlen);
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
/* mxci_dns_lookup() past the zone files: what DNS publishes now (the
 * live zone beside its draft). */
mxc_status_t mxci_dns_lookup_live(mxc_ctx_t *ctx, const char *name,
                                  uint16_t type, mxci_dns_cb cb, void *arg,
                                  struct mxci_waiter *w);
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

/* ---- zone.c: answers from zone files (mxc_ctx_add_zone_*) --------------- */

struct mxci_zones; /* zone.c */
/* How the zone store asks DNS for the rest of a CNAME chain that leaves
 * the files: mxci_dns_lookup(), handed in by dns.c, so that the store
 * depends on no resolver of its own (no call circle with dns.c). */
typedef mxc_status_t (*mxci_resolve_fn)(mxc_ctx_t *ctx, const char *name,
                                        uint16_t type, mxci_dns_cb cb,
                                        void *arg, struct mxci_waiter *w);
/* Called first by mxci_dns_lookup(): 0 when name is not inside a loaded
 * zone (or is below one of its zone cuts); 1 when it answered (cb ran, or
 * a CNAME chain out of the files was handed on to resolve()) with *st the
 * status to return. */
int mxci_zone_lookup(mxc_ctx_t *ctx, const char *name, uint16_t type,
                     mxci_dns_cb cb, void *arg, struct mxci_waiter *w,
                     mxc_status_t *st, mxci_resolve_fn resolve);
/* mxci_dns_peek() for the zones: 1 and *out (valid until the context is
 * freed) when name/type is answered from them without DNS, else 0. */
int mxci_zone_peek(mxc_ctx_t *ctx, const char *name, uint16_t type,
                   const struct mxci_answer **out);
void mxci_zones_free(mxc_ctx_t *ctx);

/* The records of the files as written, for a check that reads a zone
 * itself (DNSSEC signatures).  One record: its RDATA (wire, names as
 * written, uncompressed) and TTL. */
struct mxci_zrr {
  const unsigned char *rdata;
  uint16_t rdlen;
  uint32_t ttl;
};
/* An RRset of a zone, with the RRSIGs at its owner that cover its type
 * (by their Type Covered field).  The arrays are the caller's to clear
 * (mxci_zset_clear); the RDATA they point to is the zone's. */
struct mxci_zset {
  const unsigned char *owner; /* wire, lowercase */
  size_t olen;
  uint16_t type;
  int used; /* an answer from the file depended on it */
  const struct mxci_zrr *rr, *sig;
  size_t n, nsig;
};
void mxci_zset_clear(struct mxci_zset *s);
/* The apex of zone i (in the order added; wire, lowercase), or NULL. */
const unsigned char *mxci_zone_apex(const mxc_ctx_t *ctx, size_t i,
                                    size_t *olen);
/* The RRset of type at owner (wire) in zone i: 1 and *out (n may be 0),
 * 0 when the name has no node in the zone, -1 on OOM. */
int mxci_zone_rrset(const mxc_ctx_t *ctx, size_t i,
                    const unsigned char *owner, size_t olen, uint16_t type,
                    struct mxci_zset *out);
/* Call fn for every RRset of zone i that answered a lookup, and for the
 * apex SOA and DNSKEY RRsets, in canonical order (RFC 4034 section 6.1,
 * then type); a non-zero return of fn stops the walk and is returned;
 * -1 on OOM. */
typedef int (*mxci_zset_fn)(void *arg, const struct mxci_zset *s);
int mxci_zone_walk(const mxc_ctx_t *ctx, size_t i, mxci_zset_fn fn,
                   void *arg);

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
  struct mxci_ctx_state *states; /* per-check options and resources */

  /* dns.c state */
  struct mxci_cache *cache;
  struct mxci_zones *zones; /* zone.c: zone files, asked before the cache */
  struct mxci_dnsent *qhead, *qtail;   /* queries waiting for a slot */
  struct mxci_dnsent *pqhead, *pqtail; /* ... follow-ups, sent first */
  size_t cache_max;
  size_t inflight, queued;
  /* Queries in flight in the order sent; those whose first try timed out
   * (waiting only for a retransmission) are counted in nretry and do not
   * hold one of the max_inflight slots (a separate budget of as many). */
  struct mxci_dnsent *fhead, *ftail, *ffresh; /* ffresh: first not retrying */
  size_t nretry;
  /* Queries that ended in a timeout in a row, and until when new ones fail
   * at once because the resolver stopped answering (0: it answers). */
  unsigned consec_timeouts;
  int64_t dead_until;
  /* random octets for query IDs, fetched 256 at a time (one getrandom()
   * per query was 12% of the system time of a batch) */
  unsigned char idpool[256];
  unsigned idleft;

  /* sockets and timer (loop.c) */
  struct mxci_sock *socks;
  size_t nsocks, socks_cap;
  mxc_socket_cb sock_cb;
  void *sock_userp;
  mxc_timer_cb timer_cb;
  void *timer_userp;
  mxc_detach_cb detach_cb; /* the loop glue's cleanup, once */
  void *detach_userp;
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

static inline int mxci_ctx_valid(const mxc_ctx_t *ctx)
{
  return ctx != NULL && ctx->magic == MXCI_CTX_MAGIC;
}
/* Deliver finished checks (runs user callbacks). */
void mxci_deliver(mxc_ctx_t *ctx);
/* Recompute the timer and tell the application if the deadline changed. */
void mxci_update_timer(mxc_ctx_t *ctx);
/* Socket state from c-ares (loop.c). */
void mxci_sock_state(void *data, ares_socket_t fd, int readable,
                     int writable);
/* Tell the application to stop watching every socket and the timer
 * (loop.c; at teardown). */
void mxci_loop_detach(mxc_ctx_t *ctx);
/* End of a public call: deliver, pump, run a deferred free, update timer. */
void mxci_ctx_leave(mxc_ctx_t *ctx);
/* Really free (no callback running). */
void mxci_ctx_destroy(mxc_ctx_t *ctx);

/* ---- run.c: the blocking layer of the _sync() wrappers ------------------
 *
 *   struct mxci_sync s = {0};
 *   mxc_check_t *chk = NULL;
 *   mxc_status_t st = mxci_sync_begin(ctx, out);
 *   if (st == MXC_OK)
 *     st = mxc_X_start(ctx, ..., mxci_sync_done, &s, &chk);
 *   return mxci_sync_wait(ctx, &s, st, chk, out);
 */
struct mxci_sync {
  int done;
  mxc_status_t st;
  mxc_result_t *res;
};
mxc_status_t mxci_sync_begin(mxc_ctx_t *ctx, mxc_result_t **out);
void mxci_sync_done(mxc_check_t *chk, mxc_status_t st,
                    const mxc_result_t *res, void *arg);
/* Run ctx until the check delivered (started: what its start returned). */
mxc_status_t mxci_sync_wait(mxc_ctx_t *ctx, struct mxci_sync *s,
                            mxc_status_t started, mxc_check_t *chk,
                            mxc_result_t **out);

/* ---- methods: what the engine knows of a check ---------------------------
 *
 * Each check defines one const table of its operations (curl's
 * per-protocol table is the model).  The engine, the result functions and
 * the renderers reach a check only through it; they name no check. */

/* What a result is about: it decides the first members of the JSON object
 * and the first line of the text report. */
enum mxci_subject {
  MXCI_SUBJECT_ADDRESS, /* a client address: input, address, family, ... */
  MXCI_SUBJECT_DOMAIN,  /* a domain (json_subject/text_subject say which) */
  MXCI_SUBJECT_MESSAGE  /* a message */
};

struct mxci_method {
  const char *name;           /* RFC 8601 method word ("iprev", ...) */
  enum mxci_subject subject;
  /* The check's own part of a result (mxc_result_t.data): size bytes,
   * zeroed when made; clear() frees what it holds; copy() fills a zeroed
   * dst with a deep copy of src (-1 on OOM: clear() is then called). */
  size_t size;
  void (*clear)(void *data);
  int (*copy)(void *dst, const void *src);
  /* JSON: the members naming the subject of a domain or message result
   * (NULL: the address members), and the check's own members. */
  void (*json_subject)(struct mxci_jw *w, const mxc_result_t *r);
  void (*json)(struct mxci_jw *w, const mxc_result_t *r);
  /* Text: the subject line of a domain or message result (NULL: the
   * address line), and the check's block; under: the block follows
   * another result's subject line (a message then names itself). */
  void (*text_subject)(struct mxci_buf *b, const mxc_result_t *r, int color);
  void (*text)(struct mxci_buf *b, const mxc_result_t *r, int color,
               int under);
  /* The state of a result (mxc_result_state); NULL: pass (warn with
   * warnings), temperror unknown, anything else fail. */
  mxc_rule_state_t (*state)(const mxc_result_t *r);
  /* Its resinfo pieces of an Authentication-Results field (RFC 8601
   * section 2.2), each through mxci_authres_piece(). */
  void (*authres)(struct mxci_buf *b, const mxc_result_t *r, int *n);
  /* Per-context state (options, library handles): made on first use by
   * ctx_new() (NULL on OOM), freed with the context by ctx_free(). */
  void *(*ctx_new)(void);
  void (*ctx_free)(void *state);
};

/* The check's state in this context, made on first use; NULL on OOM. */
void *mxci_ctx_state(mxc_ctx_t *ctx, const struct mxci_method *m);

/* ---- result.c ------------------------------------------------------------- */

struct mxci_warning {
  char *code;
  char *text;
};

/* A result: the part every check has, then the check's own (data). */
struct mxc_result {
  const struct mxci_method *m;
  const char *method;   /* m->name */
  mxc_verdict_t verdict;
  char *reason;
  char *input;          /* as given: an address, a domain, a message name */
  char *error;          /* the input was not an address */
  /* the client address (subject MXCI_SUBJECT_ADDRESS) */
  char address[48];     /* as mxci_addr.text */
  int family;
  int mapped;
  char reverse[80];     /* its in-addr.arpa / ip6.arpa name */
  int dnssec;           /* every answer used carried the AD bit */
  size_t nwarn;
  struct mxci_warning *warn;
  char *fix;
  void *data;           /* m->size bytes: the check's own part */
};

/* A new result of method m (with its zeroed data); NULL on OOM. */
mxc_result_t *mxci_result_new(const struct mxci_method *m);
/* The check's own part of r when r is a result of method m, else NULL
 * (so that an accessor given another method's result answers "none"). */
static inline void *mxci_result_data(const mxc_result_t *r,
                                     const struct mxci_method *m)
{
  return r != NULL && r->m == m ? r->data : NULL;
}
/* Copy the address members (input excluded) of s into d. */
void mxci_result_copy_address(mxc_result_t *d, const mxc_result_t *s);
/* Append a warning; returns -1 on OOM. */
int mxci_result_warn(mxc_result_t *r, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- report.c: renderings, walking results through their methods -------- */

/* The JSON writer (jsonw.c): a rendering names members in order into one
 * buffer.  In an object every call names its key; in an array key is
 * NULL (or goes unsaid).  The text is json-c's (PLAIN | NOSLASHESCAPE); an error (out of
 * memory, an unbalanced end) makes mxci_jw_finish() return NULL. */
#define MXCI_JW_DEPTH 16
#define MXCI_JW_KEYS 32
struct mxci_jw {
  char *buf;
  size_t len, cap;
  int failed;
  int mute;                            /* a repeated member is dropped */
  unsigned depth;
  unsigned nkeys;                      /* keys of the outermost object */
  const char *keys[MXCI_JW_KEYS];
  char close[MXCI_JW_DEPTH];           /* '}' or ']' of each open level */
  unsigned char more[MXCI_JW_DEPTH];   /* a member is written there */
};
void mxci_jw_object(struct mxci_jw *w, const char *key);
void mxci_jw_array(struct mxci_jw *w, const char *key);
void mxci_jw_end(struct mxci_jw *w);
/* A JSON string, or null for NULL. */
void mxci_jw_str(struct mxci_jw *w, const char *key, const char *s);
void mxci_jw_int(struct mxci_jw *w, const char *key, int64_t v);
void mxci_jw_bool(struct mxci_jw *w, const char *key, int b);
void mxci_jw_null(struct mxci_jw *w, const char *key);
/* The array of a result's warnings ({code, text}). */
void mxci_jw_warnings(struct mxci_jw *w, const char *key,
                      const struct mxci_warning *warn, size_t n);
/* The text written (NUL-terminated, the caller frees it; NULL after an
 * error); w is empty again. */
char *mxci_jw_finish(struct mxci_jw *w);
void mxci_jw_free(struct mxci_jw *w);
/* The "warnings" and "fix" members that end a check's object (the JSON
 * side of mxci_text_tail()). */
void mxci_json_tail(struct mxci_jw *w, const mxc_result_t *r);
/* Write r's members into the open object (nothing when its address did
 * not parse). */
void mxci_json_members(struct mxci_jw *w, const mxc_result_t *r);
/* r's text block (nothing when its address did not parse). */
void mxci_text_block(struct mxci_buf *b, const mxc_result_t *r, int color,
                     int under);
/* Text pieces shared by the checks' blocks: "  method  verdict  reason",
 * the warnings and fix lines; the colour of a verdict. */
void mxci_text_verdict(struct mxci_buf *b, const mxc_result_t *r, int color);
void mxci_text_tail(struct mxci_buf *b, const mxc_result_t *r, int color);
const char *mxci_verdict_colour(mxc_verdict_t v);
/* Authentication-Results: r's resinfo pieces; one piece begins with
 * "method=result" (mxci_authres_piece) and goes on with properties
 * (mxci_authres_prop: " name=value", the value quoted when it must be). */
void mxci_authres_of(struct mxci_buf *b, const mxc_result_t *r, int *n);
void mxci_authres_piece(struct mxci_buf *b, int *n, const char *method,
                        mxc_verdict_t v);
void mxci_authres_prop(struct mxci_buf *b, const char *name,
                       const char *value);

#endif /* MXC_PRIVATE_H */
