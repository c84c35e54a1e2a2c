/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mxcheck.h -- public interface of libmxcheck.
 *
 * libmxcheck tells whether the big mailbox providers will accept mail from a
 * server, and if not, why.  Every DNS lookup is asynchronous (c-ares).
 *
 * Threading: a context (mxc_ctx_t) and everything started on it belong to one
 * thread at a time.  A program that wants threads uses one context per
 * thread.  Different contexts share nothing.
 *
 * Callback contract (every check):
 *  1. A start function that returns anything but MXC_OK never calls the
 *     callback.  MXC_OK means the callback will be called exactly once.
 *  2. The callback never runs inside the start call: immediate results (a
 *     cache hit, an unparsable address) are delivered from the next
 *     mxc_process_fds() or mxc_run().
 *  3. mxc_check_cancel() delivers MXC_ECANCELLED; mxc_ctx_free() delivers
 *     MXC_EDESTRUCTION to every check still pending.
 *  4. Inside a callback the program may start and cancel checks, and may call
 *     mxc_ctx_free(): the free is then deferred until the library regains
 *     control.  Calling mxc_process_fds() or mxc_run() from a callback returns
 *     MXC_ERECURSIVE.
 *  5. The check handle and the result are valid only during the callback.
 *     Keep a result with mxc_result_dup().
 */
#ifndef MXCHECK_H
#define MXCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "mxcheck_version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MXC_BUILDING_LIBRARY) && defined(__GNUC__)
#define MXC_EXTERN __attribute__((visibility("default")))
#else
#define MXC_EXTERN
#endif

/*! Opaque handles. */
typedef struct mxc_ctx mxc_ctx_t;
typedef struct mxc_check mxc_check_t;
typedef struct mxc_result mxc_result_t;

/*! API and transport status.  Values are fixed and never reused. */
typedef enum {
  MXC_OK = 0,
  MXC_ENOMEM = 1,       /* out of memory */
  MXC_EINVAL = 2,       /* invalid argument */
  MXC_EADDRESS = 3,     /* not an IPv4 or IPv6 address */
  MXC_ETIMEOUT = 4,     /* mxc_run() gave up before the checks finished */
  MXC_EDNS = 5,         /* the resolver could not be set up */
  MXC_ECANCELLED = 6,   /* the check was cancelled */
  MXC_EDESTRUCTION = 7, /* the context was freed with the check pending */
  MXC_ERECURSIVE = 8,   /* loop driver called from a callback */
  MXC_EBUSY = 9,        /* already attached / in use */
  MXC_EDEPENDENCY = 10, /* a dependency failed unexpectedly */
  MXC_ELIMIT = 11,      /* a documented limit was reached */
  MXC_STATUS_LAST       /* not a status: one past the last */
} mxc_status_t;

/*! Verdicts, in the words of RFC 8601 / RFC 7208. */
typedef enum {
  MXC_VERDICT_NONE = 0,
  MXC_VERDICT_PASS = 1,
  MXC_VERDICT_FAIL = 2,
  MXC_VERDICT_SOFTFAIL = 3,
  MXC_VERDICT_NEUTRAL = 4,
  MXC_VERDICT_TEMPERROR = 5,
  MXC_VERDICT_PERMERROR = 6,
  MXC_VERDICT_POLICY = 7
} mxc_verdict_t;

/*! Static English text for a status; never NULL. */
MXC_EXTERN const char *mxc_strerror(mxc_status_t st);
/*! RFC word for a verdict ("pass", "temperror", ...); never NULL. */
MXC_EXTERN const char *mxc_verdict_str(mxc_verdict_t v);
/*! Run-time library version, e.g. "0.1.0". */
MXC_EXTERN const char *mxc_version(void);

/* ------------------------------------------------------------------------ */
/* Context                                                                  */
/* ------------------------------------------------------------------------ */

/*!
 * Create a context using the system resolver configuration
 * (/etc/resolv.conf) until mxc_ctx_set_servers() says otherwise.
 * \param[out] out the new context, to be freed with mxc_ctx_free()
 * \return MXC_OK, MXC_EINVAL, MXC_ENOMEM, MXC_EDNS
 */
MXC_EXTERN mxc_status_t mxc_ctx_new(mxc_ctx_t **out);

/*!
 * Free a context.  Every pending check gets its callback with
 * MXC_EDESTRUCTION first.  NULL is accepted.  From inside a callback the
 * free is deferred until the library regains control.
 */
MXC_EXTERN void mxc_ctx_free(mxc_ctx_t *ctx);

/*!
 * Name servers as a comma-separated list of "host[:port]": IPv4 literals,
 * IPv6 literals ("::1" or "[::1]:5353").  Names are not accepted.
 * Flushes the cache.  Call with no check pending.
 * \return MXC_OK, MXC_EINVAL (with a message in mxc_ctx_error()),
 *         MXC_EBUSY (checks pending), MXC_ENOMEM
 */
MXC_EXTERN mxc_status_t mxc_ctx_set_servers(mxc_ctx_t *ctx, const char *list);

/*!
 * Timeout of the first try of a query, in milliseconds (default 500,
 * 1..60000).  c-ares doubles it on every further try.
 * \return MXC_OK, MXC_EINVAL, MXC_EBUSY
 */
MXC_EXTERN mxc_status_t mxc_ctx_set_timeout_ms(mxc_ctx_t *ctx, int ms);

/*! Tries per query (default 4, 1..10).  \return MXC_OK, MXC_EINVAL, MXC_EBUSY */
MXC_EXTERN mxc_status_t mxc_ctx_set_tries(mxc_ctx_t *ctx, int tries);

/*!
 * Maximum DNS queries in flight (default 128, 1..65536).  Further queries
 * wait in the context's queue; this bounds bursts that overflow resolver
 * socket buffers.  May be changed at any time.
 * \return MXC_OK, MXC_EINVAL
 */
MXC_EXTERN mxc_status_t mxc_ctx_set_max_inflight(mxc_ctx_t *ctx, int n);

/*!
 * Most answers kept in the cache once their lookups are done (default
 * 10000; 0: keep none, only share queries in flight).  The oldest are
 * dropped first; answers also leave the cache when their TTL (at most one
 * day) runs out.  Takes effect as answers arrive.
 * \return MXC_OK, MXC_EINVAL
 */
MXC_EXTERN mxc_status_t mxc_ctx_set_cache_max(mxc_ctx_t *ctx, size_t n);

/*!
 * EDNS0 with the DO bit (default on).  With it, a validating resolver's AD
 * bit is reported as "DNSSEC-validated".  Off: plain queries (AD still
 * requested by the header bit of RFC 6840 section 5.7).
 * \return MXC_OK, MXC_EBUSY
 */
MXC_EXTERN mxc_status_t mxc_ctx_set_edns(mxc_ctx_t *ctx, int on);

/*! Human text of the last configuration error; never NULL. */
MXC_EXTERN const char *mxc_ctx_error(const mxc_ctx_t *ctx);

/* ------------------------------------------------------------------------ */
/* Zone files: answers from a draft zone instead of DNS                      */
/* ------------------------------------------------------------------------ */

/*! Limits on what one zone may hold (MXC_ELIMIT beyond them). */
#define MXC_ZONE_MAX_BYTES (8u * 1024u * 1024u) /* zone text or file */
#define MXC_ZONE_MAX_RECORDS 200000u            /* records in one zone */
#define MXC_ZONE_MAX_PER_NAME 1000u             /* records at one name */
#define MXC_ZONE_MAX_ZONES 64u                  /* zones in one context */

/*!
 * Load a zone file (RFC 1035 master file syntax, parsed by Knot's
 * libzscanner): from now on every lookup of a name at or below its origin
 * is answered from it -- records, NODATA and NXDOMAIN with its SOA, CNAME
 * chains, wildcards (RFC 4592) -- except below a zone cut of the file (NS
 * records below the apex), which is asked from DNS as usual.  Every check
 * works unchanged on top.  $INCLUDE is refused.
 * \param path   the file (at most MXC_ZONE_MAX_BYTES)
 * \param origin the zone's origin, or NULL: the owner of its first record,
 *               which must then be the SOA
 * \return MXC_OK, MXC_EINVAL (with "file:line: reason" in mxc_ctx_error():
 *         a syntax error, a record outside the origin, no SOA, a zone
 *         already loaded), MXC_ELIMIT (a MXC_ZONE_MAX_* limit), MXC_ENOMEM
 */
MXC_EXTERN mxc_status_t mxc_ctx_add_zone_file(mxc_ctx_t *ctx,
                                              const char *path,
                                              const char *origin);
/*! Like mxc_ctx_add_zone_file(), from zone text in memory (len bytes,
 * not NUL-terminated; errors name "(zone text)"). */
MXC_EXTERN mxc_status_t mxc_ctx_add_zone_text(mxc_ctx_t *ctx,
                                              const char *origin,
                                              const char *text, size_t len);
/*! The number of zones loaded. */
MXC_EXTERN size_t mxc_ctx_zone_count(const mxc_ctx_t *ctx);
/*! Zone i (0: the first loaded): its origin (no final dot), its source
 * (the file name, or "(zone text)"), and how many lookups it answered;
 * NULL/0 when i is out of range. */
MXC_EXTERN const char *mxc_ctx_zone_origin(const mxc_ctx_t *ctx, size_t i);
MXC_EXTERN const char *mxc_ctx_zone_source(const mxc_ctx_t *ctx, size_t i);
MXC_EXTERN unsigned long mxc_ctx_zone_answers(const mxc_ctx_t *ctx,
                                              size_t i);

/*! Counters of the context, for monitoring and tests. */
typedef struct {
  uint64_t queries_sent;   /* queries handed to c-ares */
  uint64_t cache_hits;     /* answers served from the cache */
  uint64_t dedup_joins;    /* lookups that joined a query in flight */
  uint64_t answers_bad;    /* answers that did not parse */
  size_t cache_entries;    /* entries in the cache now */
  size_t inflight;         /* queries in flight now */
  size_t queued;           /* queries waiting for a slot now */
  size_t checks_pending;   /* checks not yet delivered */
} mxc_stats_t;

/*! Fill *st with the context's counters. */
MXC_EXTERN void mxc_ctx_stats(const mxc_ctx_t *ctx, mxc_stats_t *st);

/* ------------------------------------------------------------------------ */
/* Event loop integration (in the spirit of libcurl's multi_socket API)      */
/* ------------------------------------------------------------------------ */

#define MXC_POLL_NONE 0
#define MXC_POLL_IN 1
#define MXC_POLL_OUT 2
#define MXC_POLL_INOUT 3
#define MXC_POLL_REMOVE 4

/*!
 * Socket callback: watch fd for `what` (MXC_POLL_IN/OUT/INOUT), or stop
 * watching it (MXC_POLL_REMOVE).  socketp is what mxc_assign() stored.
 */
typedef void (*mxc_socket_cb)(mxc_ctx_t *ctx, int fd, int what, void *userp,
                              void *socketp);
/*!
 * Timer callback: call mxc_process_fds(ctx, NULL, 0) in timeout_ms
 * milliseconds (0: as soon as possible); -1 deletes the timer.  It is
 * called only when the deadline changes.
 */
typedef void (*mxc_timer_cb)(mxc_ctx_t *ctx, long timeout_ms, void *userp);

/*! Set the socket callback (NULL detaches: the old callback gets
 * MXC_POLL_REMOVE for every socket).  Existing sockets are reported to the
 * new callback.  One loop at a time: while a callback is set,
 * setting another fails with MXC_EBUSY; detach with NULL first.
 * \return MXC_OK, MXC_EINVAL, MXC_EBUSY */
MXC_EXTERN mxc_status_t mxc_set_socket_cb(mxc_ctx_t *ctx, mxc_socket_cb cb,
                                          void *userp);
/*! Set the timer callback (NULL detaches: the old callback gets -1 if a
 * timer was set); like mxc_set_socket_cb(), a
 * second callback needs a detach first.  \return MXC_OK, MXC_EINVAL,
 * MXC_EBUSY */
MXC_EXTERN mxc_status_t mxc_set_timer_cb(mxc_ctx_t *ctx, mxc_timer_cb cb,
                                         void *userp);
/*!
 * Detach callback: the loop glue (an adapter, lib/adapters/) frees what it
 * keeps for this context.  Called exactly once, from mxc_ctx_free(), after
 * every socket got MXC_POLL_REMOVE and the timer -1, and never by a
 * context that was detached with mxc_set_detach_cb(ctx, NULL, NULL) first.
 * No other callback of the context runs after it.
 */
typedef void (*mxc_detach_cb)(mxc_ctx_t *ctx, void *userp);
/*! Set the detach callback (NULL removes it without calling it); one at a
 * time, like mxc_set_socket_cb().  \return MXC_OK, MXC_EINVAL, MXC_EBUSY */
MXC_EXTERN mxc_status_t mxc_set_detach_cb(mxc_ctx_t *ctx, mxc_detach_cb cb,
                                          void *userp);
/*! Attach the application's pointer to a socket the library watches.
 * \return MXC_OK, MXC_EINVAL (fd unknown) */
MXC_EXTERN mxc_status_t mxc_assign(mxc_ctx_t *ctx, int fd, void *socketp);

typedef struct {
  int fd;
  int events; /* MXC_POLL_IN and/or MXC_POLL_OUT that are ready */
} mxc_fd_event_t;

/*!
 * Drive the context: handle the ready sockets in ev[0..n-1], then expired
 * timeouts and queued completions.  ev = NULL, n = 0 means timeouts only.
 * Callbacks of checks run from here.
 * \return MXC_OK, MXC_EINVAL, MXC_ERECURSIVE
 */
MXC_EXTERN mxc_status_t mxc_process_fds(mxc_ctx_t *ctx,
                                        const mxc_fd_event_t *ev, size_t n);

/*! Milliseconds until mxc_process_fds(ctx, NULL, 0) is due; -1: nothing
 * pending; 0: now. */
MXC_EXTERN long mxc_timeout_ms(mxc_ctx_t *ctx);

/*! Number of checks whose callback has not run yet. */
MXC_EXTERN size_t mxc_pending(const mxc_ctx_t *ctx);

/*!
 * Blocking driver: poll() the context's sockets until no check is pending
 * or timeout_ms passed (-1: no limit).
 * \return MXC_OK (nothing pending, or the context was freed from a
 *         callback: then it must not be used again), MXC_ETIMEOUT,
 *         MXC_ERECURSIVE, MXC_EINVAL, MXC_ENOMEM, MXC_EDEPENDENCY (poll()
 *         failed)
 */
MXC_EXTERN mxc_status_t mxc_run(mxc_ctx_t *ctx, long timeout_ms);

/* ------------------------------------------------------------------------ */
/* Checks                                                                   */
/* ------------------------------------------------------------------------ */

/*!
 * Called exactly once per started check.  st is MXC_OK when the check ran
 * (its verdict, which may be temperror, is in res), MXC_EADDRESS when the
 * address did not parse (res holds the reason), MXC_ECANCELLED or
 * MXC_EDESTRUCTION (res is NULL).
 */
typedef void (*mxc_done_cb)(mxc_check_t *chk, mxc_status_t st,
                            const mxc_result_t *res, void *arg);

/*!
 * Most PTR names whose forward records are looked up (RFC 8601 section
 * 2.7.3 leaves the number to the verifier; RFC 7208 section 4.6.4 uses 10).
 */
#define MXC_IPREV_MAX_NAMES 10

/*!
 * Start a forward-confirmed reverse DNS check (RFC 8601 "iprev") of an
 * IPv4 or IPv6 address in any textual form: dotted quad, compressed or
 * uppercase IPv6, IPv4-mapped "::ffff:a.b.c.d" (checked as IPv4), with
 * Sendmail's "IPv6:" prefix or in brackets.  The string is copied.
 * The result's method is "iprev".
 * \param[out] out the check handle (may be NULL), valid until the callback
 * \return MXC_OK, MXC_EINVAL (NULL arguments), MXC_ENOMEM,
 *         MXC_EDESTRUCTION (the context is being freed)
 */
MXC_EXTERN mxc_status_t mxc_iprev_start(mxc_ctx_t *ctx, const char *address,
                                        mxc_done_cb cb, void *arg,
                                        mxc_check_t **out);

/*!
 * Blocking wrapper: start an iprev check and run the context until it
 * finished.  *out is a result to free with mxc_result_free().
 * \return MXC_OK, MXC_EADDRESS (*out holds the reason), MXC_EINVAL,
 *         MXC_ENOMEM, MXC_ERECURSIVE, MXC_EDESTRUCTION, or what mxc_run()
 *         returned
 */
MXC_EXTERN mxc_status_t mxc_iprev_sync(mxc_ctx_t *ctx, const char *address,
                                       mxc_result_t **out);

/*! The first names of the iprev check ("FCrDNS"), kept for existing
 * programs: the same functions and limit under their old names. */
#define MXC_FCRDNS_MAX_NAMES MXC_IPREV_MAX_NAMES
MXC_EXTERN mxc_status_t mxc_fcrdns_start(mxc_ctx_t *ctx, const char *address,
                                         mxc_done_cb cb, void *arg,
                                         mxc_check_t **out);
MXC_EXTERN mxc_status_t mxc_fcrdns_sync(mxc_ctx_t *ctx, const char *address,
                                        mxc_result_t **out);

/*! Cancel a pending check: its callback runs at once with MXC_ECANCELLED.
 * Queries it started still complete and fill the cache. */
MXC_EXTERN void mxc_check_cancel(mxc_check_t *chk);

/*! The application pointer given at start. */
MXC_EXTERN void *mxc_check_arg(const mxc_check_t *chk);

/* ------------------------------------------------------------------------ */
/* SPF (RFC 7208)                                                           */
/* ------------------------------------------------------------------------ */

/*! RFC 7208 section 4.6.4: DNS-querying terms per evaluation, void
 * lookups, and names looked at per mx / ptr term. */
#define MXC_SPF_MAX_DNS_TERMS 10
#define MXC_SPF_MAX_VOID_LOOKUPS 2
#define MXC_SPF_MAX_MX_NAMES 10
#define MXC_SPF_MAX_PTR_NAMES 10

typedef enum {
  MXC_SPF_SCOPE_MFROM = 0, /* the MAIL FROM identity */
  MXC_SPF_SCOPE_HELO = 1   /* the HELO identity (null sender, or asked) */
} mxc_spf_scope_t;

/*!
 * Start an SPF check_host() evaluation (RFC 7208 section 4) for a client
 * address.  mail_from is the SMTP MAIL FROM address ("user@domain", with
 * or without angle brackets; NULL, "" or "<>" is the null sender, then the
 * HELO identity is checked as postmaster@helo, section 2.4).  Without a
 * local-part ("@domain") or without '@' ("domain") the local-part is
 * "postmaster" (section 4.3).  helo is the HELO/EHLO name (may be NULL
 * when mail_from has a domain; %{h} is then "unknown").  Strings are
 * copied.  The address is parsed as by mxc_iprev_start(); an
 * IPv4-mapped IPv6 address is evaluated as IPv4 (section 5).
 * The result's method is "spf"; the verdict is one of none, neutral, pass,
 * fail, softfail, temperror, permerror.  The limits of section 4.6.4 are
 * applied as the MXC_SPF_MAX_ constants say.
 * \return MXC_OK, MXC_EINVAL (NULL ip or cb; null sender without a HELO
 *         name), MXC_ENOMEM, MXC_EDESTRUCTION
 */
MXC_EXTERN mxc_status_t mxc_spf_start(mxc_ctx_t *ctx, const char *ip,
                                      const char *mail_from, const char *helo,
                                      mxc_done_cb cb, void *arg,
                                      mxc_check_t **out);
/*! Blocking wrapper of mxc_spf_start(), as mxc_iprev_sync(). */
MXC_EXTERN mxc_status_t mxc_spf_sync(mxc_ctx_t *ctx, const char *ip,
                                     const char *mail_from, const char *helo,
                                     mxc_result_t **out);
/*! The domain whose policy was evaluated ("" when none). */
MXC_EXTERN const char *mxc_spf_domain(const mxc_result_t *res);
MXC_EXTERN mxc_spf_scope_t mxc_spf_scope(const mxc_result_t *res);
/*! The explanation of a fail (exp= or the default), "" otherwise. */
MXC_EXTERN const char *mxc_spf_explanation(const mxc_result_t *res);
/*! The top-level SPF record, "" when none was found. */
MXC_EXTERN const char *mxc_spf_record(const mxc_result_t *res);
/*! DNS-querying terms and void lookups counted (section 4.6.4). */
MXC_EXTERN int mxc_spf_dns_lookups(const mxc_result_t *res);
MXC_EXTERN int mxc_spf_void_lookups(const mxc_result_t *res);
/*! The evaluation trace, one line per record fetched / term tried. */
/*! Networks a match of which gives pass, as "ADDRESS/BITS", in the order
 * evaluated, each once, at most MXC_SPF_MAX_NETWORKS: every ip4: and ip6:
 * term reached, and the addresses an a or mx term resolved to (of the
 * client's family), with qualifier "+" and only "+" include: terms on the
 * way.  Evaluated with an address no term matches, they are the networks
 * the whole record authorises (the "domain" check does so). */
#define MXC_SPF_MAX_NETWORKS 64
MXC_EXTERN size_t mxc_spf_network_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_spf_network(const mxc_result_t *res, size_t i);
MXC_EXTERN size_t mxc_spf_trace_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_spf_trace(const mxc_result_t *res, size_t i);
/*! The <sender> evaluated: "user@domain" as given, "postmaster@domain"
 * when the local-part was missing, "postmaster@helo" for the HELO
 * identity ("" when none). */
MXC_EXTERN const char *mxc_spf_sender(const mxc_result_t *res);

/*!
 * The explanation given with a fail when the record has no usable exp=
 * (RFC 7208 section 6.2 leaves it to the verifier).  It is a macro-string,
 * expanded like exp= text: %{o} is the sender's domain, %{c} the client.
 */
#define MXC_SPF_DEFAULT_EXPLANATION                                          \
  "%{o} does not designate %{c} as a permitted sender"

/*!
 * Replace the default explanation of the context's SPF checks (see
 * MXC_SPF_DEFAULT_EXPLANATION); NULL restores the built-in one.  The text
 * is an RFC 7208 explain-string (macros allowed); it is copied.
 * \return MXC_OK, MXC_EINVAL (bad macro syntax, message in
 *         mxc_ctx_error()), MXC_ENOMEM
 */
MXC_EXTERN mxc_status_t mxc_ctx_set_spf_explanation(mxc_ctx_t *ctx,
                                                    const char *text);

/*!
 * The detail of the context's SPF checks (default on): the evaluation
 * trace (mxc_spf_trace()) and the lint (the warnings of the SPF result,
 * with its query of the SPF RR type 99).  0: a check builds neither;
 * mxc_spf_trace_count() is 0 and the result has no warnings.
 * MXC_SPF_DETAIL_LINT: the lint without the trace (the warnings, on which
 * an exit status may depend, without the cost of the trace).  Any other
 * value: both.  The verdict, the reason, the explanation and the fix are
 * the same whatever the detail.
 * \return MXC_OK, MXC_EINVAL
 */
#define MXC_SPF_DETAIL_LINT 2
MXC_EXTERN mxc_status_t mxc_ctx_set_spf_detail(mxc_ctx_t *ctx, int on);

/*!
 * libspf2's view (default on).  Receivers built on libspf2 (Exim's SPF
 * support, spfmilter, policy daemons) compute SPF differently from RFC
 * 7208 in many cases.  With this on, every SPF check also runs libspf2 on
 * the same DNS answers once its own evaluation is over, through a libspf2
 * DNS layer that answers from the check's answers and the context's cache
 * and fetches what is missing through the context (libspf2 then runs
 * again, at most MXC_SPF_LIBSPF2_MAX_RUNS times).  The verdict of the
 * check is never changed by it.  Off: mxc_spf_libspf2_result() is
 * "skipped".  libspf2's own message handlers that print to stdout and
 * stderr (warning, info, debug) are replaced by silence the first time;
 * handlers set by the application are kept.
 * \return MXC_OK, MXC_EINVAL
 */
MXC_EXTERN mxc_status_t mxc_ctx_set_libspf2(mxc_ctx_t *ctx, int on);

/*! Runs of libspf2 per check before its view is given up ("unknown"). */
#define MXC_SPF_LIBSPF2_MAX_RUNS 64

/*!
 * libspf2's verdict for the check: 1 and *v when libspf2 computed one
 * (SPF_RESULT_INVALID, which libspf2 1.2.10 gives for a top-level record
 * it cannot compile or fetch, is mapped to permerror, or to temperror after
 * a DNS error); 0 when its view is "unknown" or "skipped".
 */
MXC_EXTERN int mxc_spf_libspf2_verdict(const mxc_result_t *res,
                                       mxc_verdict_t *v);
/*! The same as a word: an RFC verdict, "unknown" (libspf2 could not
 * finish within the limits) or "skipped" (off, or nothing evaluated). */
MXC_EXTERN const char *mxc_spf_libspf2_result(const mxc_result_t *res);
/*! libspf2's error messages ("; "-separated), or its explanation of a
 * fail or softfail; "" when none. */
MXC_EXTERN const char *mxc_spf_libspf2_detail(const mxc_result_t *res);

/* ------------------------------------------------------------------------ */
/* DKIM (RFC 6376, RFC 8463, RFC 8301), verified by libopendkim             */
/* ------------------------------------------------------------------------ */

/*!
 * Start a DKIM verification of one message, fed as a stream: header fields
 * with mxc_dkim_header(), mxc_dkim_eoh(), body chunks with mxc_dkim_body(),
 * then mxc_dkim_finish().  Key records are fetched through the context as
 * soon as the signatures are known (at eoh), while the body streams in.
 * No callback is attached until mxc_dkim_finish(); before that,
 * mxc_check_cancel() frees the check without a callback, the check is not
 * counted by mxc_pending() (mxc_run() does not wait for it), and
 * mxc_ctx_free() frees it without a callback.
 * \return MXC_OK, MXC_EINVAL, MXC_ENOMEM, MXC_EDEPENDENCY (libopendkim),
 *         MXC_EDESTRUCTION (the context is being freed)
 */
MXC_EXTERN mxc_status_t mxc_dkim_new(mxc_ctx_t *ctx, mxc_check_t **out);
/*! One header field as received, folds included, without its final line
 * end; bare LF line ends are accepted (converted to CRLF).
 * \return MXC_OK, MXC_EINVAL (NULL, empty, or after eoh), MXC_ELIMIT (a
 *         limit below was passed: the message will not be verified),
 *         MXC_ENOMEM */
MXC_EXTERN mxc_status_t mxc_dkim_header(mxc_check_t *chk, const char *field,
                                        size_t len);
/*! End of the header: the signatures are listed and their keys fetched.
 * \return MXC_OK, MXC_EINVAL (called twice), MXC_ELIMIT, MXC_ENOMEM */
MXC_EXTERN mxc_status_t mxc_dkim_eoh(mxc_check_t *chk);
/*! A chunk of the body, any size; LF or CRLF line ends.
 * \return MXC_OK, MXC_EINVAL (before eoh, after finish), MXC_ELIMIT,
 *         MXC_ENOMEM */
MXC_EXTERN mxc_status_t mxc_dkim_body(mxc_check_t *chk, const char *chunk,
                                      size_t len);
/*! End of the message: cb is called exactly once, when the keys are in and
 * every signature is verified (method "dkim").
 * \return MXC_OK, MXC_EINVAL (not a DKIM check, or finished already) */
MXC_EXTERN mxc_status_t mxc_dkim_finish(mxc_check_t *chk, mxc_done_cb cb,
                                        void *arg);

/*
 * Limits of one DKIM check.  libopendkim keeps the whole header in memory
 * (it hashes it at the end), so the header is bounded: a field longer than
 * MXC_DKIM_MAX_FIELD octets, more than MXC_DKIM_MAX_FIELDS fields or more
 * than MXC_DKIM_MAX_HEADER octets in all make mxc_dkim_header() return
 * MXC_ELIMIT; the message is then not verified and its result is a
 * permerror naming the limit.  RFC 5322 section 2.1.1 bounds lines (998
 * octets), not fields; these are far above any real message.  The body is
 * never held, but libopendkim's relaxed canonicalisation buffers a body
 * line up to its first white space: a body line over MXC_DKIM_MAX_LINE
 * octets makes mxc_dkim_body() return MXC_ELIMIT the same way (RFC 5322
 * allows 998).  RFC 6376 section 8.4 lets verifiers bound the signatures
 * they verify: DKIM-Signature fields after the first MXC_DKIM_MAX_SIGNATURES
 * are counted (mxc_dkim_ignored()), neither verified nor given to
 * libopendkim.
 */
#define MXC_DKIM_MAX_FIELD (1024 * 1024)
#define MXC_DKIM_MAX_FIELDS 10000
#define MXC_DKIM_MAX_HEADER (64 * 1024 * 1024)
#define MXC_DKIM_MAX_LINE (1024 * 1024)
#define MXC_DKIM_MAX_SIGNATURES 10

/*! Name the message (its file name, a queue ID): the result's input
 * (mxc_result_input()), "message" in JSON.  Copied.  Before finish only.
 * \return MXC_OK, MXC_EINVAL, MXC_ENOMEM */
MXC_EXTERN mxc_status_t mxc_dkim_set_input(mxc_check_t *chk,
                                           const char *name);

/*!
 * Per-signature results of a "dkim" result, in header order (index i from
 * 0 to mxc_dkim_sig_count() - 1).  The result's own verdict is pass when a
 * signature passed, else the first of temperror, policy, fail, permerror,
 * neutral found; none when the message has no DKIM-Signature.  Strings are
 * "" when absent (never NULL in range); numbers -1 when absent.
 */
MXC_EXTERN size_t mxc_dkim_sig_count(const mxc_result_t *res);
MXC_EXTERN mxc_verdict_t mxc_dkim_sig_verdict(const mxc_result_t *res,
                                              size_t i);
/*! Stable code of what went wrong ("" when the signature passed):
 * body-hash-mismatch, signature-mismatch, no-key, key-revoked, key-syntax,
 * key-too-large, key-type-mismatch, key-hash-mismatch, key-too-small,
 * rsa-sha1, algorithm-unsupported, signature-syntax, from-not-signed,
 * identity-mismatch, expired, future, body-length-exceeds-body,
 * dns-error, message-not-verifiable, not-verified.  mxcheck(1) explains
 * each. */
MXC_EXTERN const char *mxc_dkim_sig_error(const mxc_result_t *res, size_t i);
/*! One sentence saying why. */
MXC_EXTERN const char *mxc_dkim_sig_reason(const mxc_result_t *res,
                                           size_t i);
/*! d=, s=, the identity (i=, or "@" d= when absent) and a= as written. */
MXC_EXTERN const char *mxc_dkim_sig_domain(const mxc_result_t *res, size_t i);
MXC_EXTERN const char *mxc_dkim_sig_selector(const mxc_result_t *res,
                                             size_t i);
MXC_EXTERN const char *mxc_dkim_sig_identity(const mxc_result_t *res,
                                             size_t i);
MXC_EXTERN const char *mxc_dkim_sig_algorithm(const mxc_result_t *res,
                                              size_t i);
/*! The first characters of b= that tell the signature apart (RFC 6008,
 * "header.b" of Authentication-Results), "" when unknown. */
MXC_EXTERN const char *mxc_dkim_sig_b(const mxc_result_t *res, size_t i);
/*! Canonicalisation, "header/body" ("relaxed/simple"). */
MXC_EXTERN const char *mxc_dkim_sig_canon(const mxc_result_t *res, size_t i);
/*! The key: its DNS name (selector._domainkey.domain), its record as
 * published (strings joined; non-printable octets as \DDD), its type
 * ("rsa", "ed25519"; k= of the record, else the family of a=) and size in
 * bits (Ed25519: 256; 0 when no key was loaded), and whether its answer
 * carried the AD bit. */
MXC_EXTERN const char *mxc_dkim_sig_key_name(const mxc_result_t *res,
                                             size_t i);
MXC_EXTERN const char *mxc_dkim_sig_key_record(const mxc_result_t *res,
                                               size_t i);
MXC_EXTERN const char *mxc_dkim_sig_key_type(const mxc_result_t *res,
                                             size_t i);
MXC_EXTERN unsigned mxc_dkim_sig_key_bits(const mxc_result_t *res, size_t i);
/*! The structure of an RSA key's p=: "spki" (SubjectPublicKeyInfo, what
 * most signers publish) or "pkcs1" (RSAPublicKey, RFC 6376 section 3.6.1:
 * verified after conversion, with the warning "key-pkcs1": OpenDKIM-based
 * receivers reject it); "" for other keys or when none was decoded. */
MXC_EXTERN const char *mxc_dkim_sig_key_form(const mxc_result_t *res,
                                             size_t i);
MXC_EXTERN int mxc_dkim_sig_dnssec(const mxc_result_t *res, size_t i);
/*! 1 when the key says t=y (testing, RFC 6376 section 3.6.1). */
MXC_EXTERN int mxc_dkim_sig_testing(const mxc_result_t *res, size_t i);
/*! The signed header fields (h=), in order, lower case. */
MXC_EXTERN size_t mxc_dkim_sig_header_count(const mxc_result_t *res,
                                            size_t i);
MXC_EXTERN const char *mxc_dkim_sig_header(const mxc_result_t *res, size_t i,
                                           size_t j);
/*! l= (octets of the body signed), t= and x= (seconds since the epoch);
 * -1 when absent. */
MXC_EXTERN long long mxc_dkim_sig_body_length(const mxc_result_t *res,
                                              size_t i);
MXC_EXTERN long long mxc_dkim_sig_timestamp(const mxc_result_t *res,
                                            size_t i);
MXC_EXTERN long long mxc_dkim_sig_expiration(const mxc_result_t *res,
                                             size_t i);
/*! Warnings of signature i that do not change its verdict (codes:
 * weak-key, body-length, testing, headers-not-signed, unsigned-instance,
 * rsa-sha1, several-key-records). */
MXC_EXTERN size_t mxc_dkim_sig_warning_count(const mxc_result_t *res,
                                             size_t i);
MXC_EXTERN const char *mxc_dkim_sig_warning_code(const mxc_result_t *res,
                                                 size_t i, size_t j);
MXC_EXTERN const char *mxc_dkim_sig_warning_text(const mxc_result_t *res,
                                                 size_t i, size_t j);
/*! DKIM-Signature fields beyond MXC_DKIM_MAX_SIGNATURES, not verified. */
MXC_EXTERN size_t mxc_dkim_ignored(const mxc_result_t *res);
/*! 1 when the context's libopendkim verifies Ed25519 (RFC 8463), 0 when
 * it does not, -1 when libopendkim cannot be set up (it is set up on first
 * use, once per context). */
MXC_EXTERN int mxc_dkim_ed25519_supported(mxc_ctx_t *ctx);

/* ------------------------------------------------------------------------ */
/* ARC (RFC 8617): the ARC sets of a message verified on OpenSSL            */
/* ------------------------------------------------------------------------ */

/*!
 * Start an ARC verification of one message, fed as a stream like a DKIM
 * check (the same fields and chunks can go to both): header fields with
 * mxc_arc_header(), mxc_arc_eoh(), body chunks with mxc_arc_body(), then
 * mxc_arc_finish().  At the end of the header the structure of the ARC
 * sets is checked (RFC 8617 section 5.2: instances 1..N continuous, N at
 * most MXC_ARC_MAX_INSTANCE, one ARC-Authentication-Results,
 * ARC-Message-Signature and ARC-Seal per instance, the cv= rules) and the
 * key of every AMS and AS (selector._domainkey.domain TXT) is asked
 * through the context, at once.  The body is hashed as it comes, never
 * held.  No callback is attached until mxc_arc_finish().
 * \return MXC_OK, MXC_EINVAL, MXC_ENOMEM, MXC_EDESTRUCTION
 */
MXC_EXTERN mxc_status_t mxc_arc_new(mxc_ctx_t *ctx, mxc_check_t **out);
/*! Name the message in the result (a file name, a queue id). */
MXC_EXTERN mxc_status_t mxc_arc_set_input(mxc_check_t *chk,
                                          const char *name);
/*! One header field as received, folded lines included (LF or CRLF),
 * the final line end optional.  MXC_ELIMIT: over a limit (below), the
 * message will not be verified and the result says why. */
MXC_EXTERN mxc_status_t mxc_arc_header(mxc_check_t *chk, const char *field,
                                       size_t len);
/*! The end of the header: structure checked, keys asked. */
MXC_EXTERN mxc_status_t mxc_arc_eoh(mxc_check_t *chk);
/*! A chunk of the body (LF or CRLF line ends), any size. */
MXC_EXTERN mxc_status_t mxc_arc_body(mxc_check_t *chk, const char *chunk,
                                     size_t len);
/*! The message is complete: cb gets the result (method "arc") once every
 * key is in.  Its verdict (RFC 8617 section 4.1): pass (every AMS that
 * must and every AS verify), fail (a structure error, the latest seal
 * says cv=fail, the latest AMS or any AS does not verify), none (no ARC
 * header field), or temperror (a key could not be fetched: DNS failed). */
MXC_EXTERN mxc_status_t mxc_arc_finish(mxc_check_t *chk, mxc_done_cb cb,
                                       void *arg);

/*! Limits of one ARC check: instances (RFC 8617 section 4.2.1), and, as
 * for DKIM, the header it holds until its end. */
#define MXC_ARC_MAX_INSTANCE 50
#define MXC_ARC_MAX_FIELD (1024 * 1024)
#define MXC_ARC_MAX_FIELDS 10000
#define MXC_ARC_MAX_HEADER (64 * 1024 * 1024)

/*! The ARC sets of an "arc" result, instance 1 first (index i is instance
 * i + 1); 0 when the structure failed before the sets could be read. */
MXC_EXTERN size_t mxc_arc_set_count(const mxc_result_t *res);
/*! RFC 8617 section 5.2 step 4: 0 when every AMS verifies, else the
 * lowest instance of the run of verifying AMSs ending with the latest;
 * -1 when not determined (the chain did not get that far). */
MXC_EXTERN int mxc_arc_oldest_pass(const mxc_result_t *res);
/*! Stable code of the chain's verdict ("" for pass and none), e.g.
 * "arc-structure", "arc-instance", "arc-cv", "arc-cv-fail",
 * "body-hash-mismatch", "signature-mismatch", "no-key". */
MXC_EXTERN const char *mxc_arc_error(const mxc_result_t *res);
/*! Per set: the AAR's authserv-id, the AS's cv=, and each signature's
 * verdict (none: not verified), d= (for the AS: the sealer), s=, error
 * code and reason.  NULL / none out of range. */
MXC_EXTERN const char *mxc_arc_authserv_id(const mxc_result_t *res, size_t i);
MXC_EXTERN const char *mxc_arc_cv(const mxc_result_t *res, size_t i);
MXC_EXTERN mxc_verdict_t mxc_arc_ams_verdict(const mxc_result_t *res,
                                             size_t i);
MXC_EXTERN const char *mxc_arc_ams_domain(const mxc_result_t *res, size_t i);
MXC_EXTERN const char *mxc_arc_ams_selector(const mxc_result_t *res,
                                            size_t i);
MXC_EXTERN const char *mxc_arc_ams_error(const mxc_result_t *res, size_t i);
MXC_EXTERN const char *mxc_arc_ams_reason(const mxc_result_t *res, size_t i);
MXC_EXTERN mxc_verdict_t mxc_arc_as_verdict(const mxc_result_t *res,
                                            size_t i);
MXC_EXTERN const char *mxc_arc_as_domain(const mxc_result_t *res, size_t i);
MXC_EXTERN const char *mxc_arc_as_selector(const mxc_result_t *res,
                                           size_t i);
MXC_EXTERN const char *mxc_arc_as_error(const mxc_result_t *res, size_t i);
MXC_EXTERN const char *mxc_arc_as_reason(const mxc_result_t *res, size_t i);

/* ------------------------------------------------------------------------ */
/* DMARC (RFC 9989; RFC 7489 with the Public Suffix List as an option)      */
/* ------------------------------------------------------------------------ */

/*! How the policy record and the organizational domains are found (flags
 * of mxc_ctx_set_dmarc_discovery(), values of mxc_dmarc_discovery()). */
#define MXC_DMARC_TREEWALK 1 /* RFC 9989 section 4.10: the DNS tree walk */
#define MXC_DMARC_PSL 2      /* RFC 7489 section 3.2: libpsl's built-in PSL */

/*! RFC 9989 section 4.10: DNS queries of one tree walk at most (a name of
 * more labels jumps to its last 7 after the first query). */
#define MXC_DMARC_MAX_WALK 8
/*! DKIM identifiers one check takes (each may need a tree walk). */
#define MXC_DMARC_MAX_DKIM 32

/*! An authenticated identifier: the SPF domain (the MAIL FROM domain, or
 * the HELO name for the null sender; RFC 9989 section 3.2.4) or a DKIM
 * signature's d=, with the verdict SPF or DKIM gave it. */
typedef struct {
  const char *domain;
  mxc_verdict_t verdict;
} mxc_auth_id_t;

/*!
 * Discovery method of the context's DMARC checks: MXC_DMARC_TREEWALK (the
 * default, RFC 9989), MXC_DMARC_PSL (RFC 7489: the From domain, then its
 * organizational domain by the Public Suffix List; np=, psd= and t= are
 * not used), or both: the tree walk decides, the PSL method is computed on
 * the same answers and a "dmarc-psl-differs" warning says where receivers
 * still on RFC 7489 would conclude otherwise.
 * \return MXC_OK, MXC_EINVAL (0 or unknown bits), MXC_EDEPENDENCY (libpsl
 *         has no built-in list; message in mxc_ctx_error())
 */
MXC_EXTERN mxc_status_t mxc_ctx_set_dmarc_discovery(mxc_ctx_t *ctx,
                                                    unsigned methods);

/*!
 * Start a DMARC evaluation for the RFC 5322.From (author) domain: policy
 * discovery, organizational domains, identifier alignment (RFC 9989
 * sections 4.4, 4.10) and the result (section 9.2, method "dmarc"):
 *  - none: no policy record applies;
 *  - pass: spf or one of dkim[] has verdict pass and is aligned;
 *  - fail: a policy record applies and no passing identifier is aligned
 *    (also when no identifier is given: spf NULL and ndkim 0 audits the
 *    published record, see mxcheck(1));
 *  - temperror: a DNS query that decides the policy, or the alignment of a
 *    passing identifier, failed (timeout, SERVFAIL, ...);
 *  - permerror: from_domain is not a domain name, or the policy record
 *    has no valid p= (or an invalid sp=/np=) and no valid rua=, so that
 *    receivers apply no DMARC processing (section 4.10.1).
 * Syntax errors elsewhere in the record are discarded in favour of the
 * defaults (section 4.8) and reported as warnings.  The tree walks of the
 * From domain and of the identifiers run concurrently through the
 * context's cache.  Domains are given as A-labels; strings are copied.
 * \param[in] spf  the SPF identifier, or NULL
 * \param[in] dkim ndkim DKIM identifiers (NULL when ndkim is 0)
 * \return MXC_OK, MXC_EINVAL (NULL from_domain or cb, NULL dkim with
 *         ndkim > 0), MXC_ELIMIT (ndkim > MXC_DMARC_MAX_DKIM), MXC_ENOMEM,
 *         MXC_EDESTRUCTION
 */
MXC_EXTERN mxc_status_t mxc_dmarc_start(mxc_ctx_t *ctx,
                                        const char *from_domain,
                                        const mxc_auth_id_t *spf,
                                        const mxc_auth_id_t *dkim,
                                        size_t ndkim, mxc_done_cb cb,
                                        void *arg, mxc_check_t **out);
/*! Blocking wrapper of mxc_dmarc_start(), as mxc_iprev_sync(). */
MXC_EXTERN mxc_status_t mxc_dmarc_sync(mxc_ctx_t *ctx,
                                       const char *from_domain,
                                       const mxc_auth_id_t *spf,
                                       const mxc_auth_id_t *dkim,
                                       size_t ndkim, mxc_result_t **out);

/* Accessors of a "dmarc" result.  Strings are "" when absent unless said. */

/*! The From domain as evaluated (lower case, no final dot). */
MXC_EXTERN const char *mxc_dmarc_from_domain(const mxc_result_t *res);
/*! The policy record that applies (printable), and the domain it was found
 * at (without "_dmarc."). */
MXC_EXTERN const char *mxc_dmarc_record(const mxc_result_t *res);
MXC_EXTERN const char *mxc_dmarc_record_domain(const mxc_result_t *res);
/*! The organizational domain of the From domain, and how it was found. */
MXC_EXTERN const char *mxc_dmarc_org_domain(const mxc_result_t *res);
MXC_EXTERN const char *mxc_dmarc_org_reason(const mxc_result_t *res);
/*! The method that decided: MXC_DMARC_TREEWALK or MXC_DMARC_PSL. */
MXC_EXTERN unsigned mxc_dmarc_discovery(const mxc_result_t *res);
/*! The policy that applies: "none", "quarantine", "reject" ("" when no
 * policy applies); the tag it came from ("p", "sp", "np") and why. */
MXC_EXTERN const char *mxc_dmarc_policy(const mxc_result_t *res);
MXC_EXTERN const char *mxc_dmarc_policy_tag(const mxc_result_t *res);
MXC_EXTERN const char *mxc_dmarc_policy_reason(const mxc_result_t *res);
/*! 1 when the record says t=y (RFC 9989: the policy is being tested). */
MXC_EXTERN int mxc_dmarc_testing(const mxc_result_t *res);
/*! Alignment modes in force: 'r' (relaxed) or 's' (strict). */
MXC_EXTERN int mxc_dmarc_aspf(const mxc_result_t *res);
MXC_EXTERN int mxc_dmarc_adkim(const mxc_result_t *res);
/*! The value of a tag of the policy record as written ("rua", "p", ...;
 * case-insensitive), NULL when absent or discarded as a syntax error. */
MXC_EXTERN const char *mxc_dmarc_tag(const mxc_result_t *res,
                                     const char *name);
/*! Alignment of the SPF identifier with the From domain under aspf
 * (whatever its verdict): 1 aligned, 0 not, -1 unknown (DNS error) or no
 * SPF identifier given; and its organizational domain. */
MXC_EXTERN int mxc_dmarc_spf_aligned(const mxc_result_t *res);
MXC_EXTERN const char *mxc_dmarc_spf_org_domain(const mxc_result_t *res);
/*! The DKIM identifiers as given (i < mxc_dmarc_dkim_count()), their
 * alignment under adkim (1, 0, -1 as above) and organizational domain;
 * NULL / -1 out of range. */
MXC_EXTERN size_t mxc_dmarc_dkim_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_dmarc_dkim_domain(const mxc_result_t *res,
                                             size_t i);
MXC_EXTERN int mxc_dmarc_dkim_aligned(const mxc_result_t *res, size_t i);
MXC_EXTERN const char *mxc_dmarc_dkim_org_domain(const mxc_result_t *res,
                                                 size_t i);
/*! The lookups made and what they said, one line each. */
MXC_EXTERN size_t mxc_dmarc_trace_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_dmarc_trace(const mxc_result_t *res, size_t i);
/*! Remarks on the record that are not warnings (obsolete or unknown
 * tags, t=y). */
MXC_EXTERN size_t mxc_dmarc_note_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_dmarc_note(const mxc_result_t *res, size_t i);

/* ------------------------------------------------------------------------ */
/* Domain existence (rule R13; RFC 7505 null MX)                            */
/* ------------------------------------------------------------------------ */

/*! Domains one existence check takes. */
#define MXC_EXIST_MAX_DOMAINS 32

/*! What the lookups of one domain said. */
typedef enum {
  MXC_EXIST_YES = 0,       /* it exists (a record, or NOERROR) */
  MXC_EXIST_NXDOMAIN = 1,  /* it does not exist */
  MXC_EXIST_NULL_MX = 2,   /* it publishes a null MX: it takes no mail */
  MXC_EXIST_TEMPERROR = 3, /* no lookup decided (timeout, SERVFAIL, ...) */
  MXC_EXIST_INVALID = 4    /* not a domain name that can be looked up */
} mxc_exist_state_t;

/*! "exists", "nxdomain", "null-mx", "temperror", "invalid". */
MXC_EXTERN const char *mxc_exist_state_str(mxc_exist_state_t s);

/*!
 * Start an existence check of domains (the MAIL FROM and From domains of
 * a message: receivers refuse mail from a domain that does not exist or
 * publishes a null MX, RFC 7505).  SOA, MX, A and AAAA of every distinct
 * domain (case-insensitive, a final dot ignored) are asked concurrently
 * through ctx.  The result has method "exist": fail when a domain does not
 * exist (NXDOMAIN), publishes a null MX or is not a domain name; else
 * temperror when one could not be decided; else pass (a warning
 * "no-mail-host" when a domain has neither MX nor address records).
 * 
eturn MXC_OK, MXC_EINVAL (NULL cb, NULL domains with n > 0, a NULL
 *         domain), MXC_ELIMIT (n > MXC_EXIST_MAX_DOMAINS), MXC_ENOMEM,
 *         MXC_EDESTRUCTION
 */
MXC_EXTERN mxc_status_t mxc_exist_start(mxc_ctx_t *ctx,
                                        const char *const *domains, size_t n,
                                        mxc_done_cb cb, void *arg,
                                        mxc_check_t **out);
/*! Blocking wrapper of mxc_exist_start(), as mxc_iprev_sync(). */
MXC_EXTERN mxc_status_t mxc_exist_sync(mxc_ctx_t *ctx,
                                       const char *const *domains, size_t n,
                                       mxc_result_t **out);
/*! The distinct domains checked (lower case), in the order given; their
 * state, what decided it ("MX 10 mx.example.org", the DNS error, ...) and
 * the number of MX records (a null MX counts).  NULL / temperror / 0 out
 * of range. */
MXC_EXTERN size_t mxc_exist_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_exist_domain(const mxc_result_t *res, size_t i);
MXC_EXTERN mxc_exist_state_t mxc_exist_state(const mxc_result_t *res,
                                             size_t i);
MXC_EXTERN const char *mxc_exist_detail(const mxc_result_t *res, size_t i);
MXC_EXTERN size_t mxc_exist_mx_count(const mxc_result_t *res, size_t i);

/* ------------------------------------------------------------------------ */
/* DNS blocklists (rule R19; RFC 5782)                                      */
/* ------------------------------------------------------------------------ */

/*! Lists a context takes. */
#define MXC_DNSBL_MAX_ZONES 16

/*! What one list said of an address. */
typedef enum {
  MXC_DNSBL_NOT_LISTED = 0, /* NXDOMAIN, or no A record */
  MXC_DNSBL_LISTED = 1,     /* an A record in 127.0.0.0/8 */
  MXC_DNSBL_REFUSED = 2,    /* 127.255.255.252-255: the list refused the
                             * query (public resolver, rate limit, typo) */
  MXC_DNSBL_ERROR = 3       /* DNS error, or an answer outside 127/8 */
} mxc_dnsbl_state_t;

/*! "not-listed", "listed", "refused", "error". */
MXC_EXTERN const char *mxc_dnsbl_state_str(mxc_dnsbl_state_t s);

/*!
 * The DNS blocklists (zones such as "zen.spamhaus.org") the context's
 * blocklist checks ask, replacing any set before; n 0 clears them.  None
 * by default: public lists refuse queries that come through public
 * resolvers (they then answer 127.255.255.254), so ask them through a
 * resolver of your own.  Duplicates are dropped; strings are copied.
 * 
eturn MXC_OK, MXC_EINVAL (a NULL or invalid zone name; message in
 *         mxc_ctx_error()), MXC_ELIMIT (n > MXC_DNSBL_MAX_ZONES),
 *         MXC_ENOMEM
 */
MXC_EXTERN mxc_status_t mxc_ctx_set_dnsbl_zones(mxc_ctx_t *ctx,
                                                const char *const *zones,
                                                size_t n);
/*! The number of lists set by mxc_ctx_set_dnsbl_zones(). */
MXC_EXTERN size_t mxc_ctx_dnsbl_zone_count(mxc_ctx_t *ctx);

/*!
 * Start a blocklist check of a client address on every list of the
 * context, concurrently (RFC 5782: the reversed octets or nibbles under
 * the list's zone, A; TXT for the reason when listed).  The result has
 * method "dnsbl": fail when listed on a list, pass when on none, none
 * (state unknown) when a list refused the query or failed, or no list is
 * set.  Address forms and MXC_EADDRESS as mxc_iprev_start().
 * 
eturn MXC_OK, MXC_EINVAL, MXC_ENOMEM, MXC_EDESTRUCTION
 */
MXC_EXTERN mxc_status_t mxc_dnsbl_start(mxc_ctx_t *ctx, const char *address,
                                        mxc_done_cb cb, void *arg,
                                        mxc_check_t **out);
/*! Blocking wrapper of mxc_dnsbl_start(), as mxc_iprev_sync(). */
MXC_EXTERN mxc_status_t mxc_dnsbl_sync(mxc_ctx_t *ctx, const char *address,
                                       mxc_result_t **out);
/*! The lists asked (i < mxc_dnsbl_count()), what each said, the A records
 * it answered (", "-separated, "" when none) and its text: the TXT reason
 * when listed, the meaning of a refusal code, the DNS error.  NULL /
 * error out of range. */
MXC_EXTERN size_t mxc_dnsbl_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_dnsbl_zone(const mxc_result_t *res, size_t i);
MXC_EXTERN mxc_dnsbl_state_t mxc_dnsbl_state(const mxc_result_t *res,
                                             size_t i);
MXC_EXTERN const char *mxc_dnsbl_codes(const mxc_result_t *res, size_t i);
MXC_EXTERN const char *mxc_dnsbl_text(const mxc_result_t *res, size_t i);

/* ------------------------------------------------------------------------ */
/* Sender requirements of Gmail, Yahoo, Microsoft (rules R1-R20)            */
/* ------------------------------------------------------------------------ */

/*! A message's header fields, for the compliance check.  Memory is bounded:
 * MXC_MSG_MAX_FIELDS fields are kept, each value cut at MXC_MSG_MAX_FIELD
 * octets (a cut is reported, never a crash). */
typedef struct mxc_msg mxc_msg_t;
#define MXC_MSG_MAX_FIELDS 1000
#define MXC_MSG_MAX_FIELD (64 * 1024)

/*! A new, empty header.  \return MXC_OK, MXC_EINVAL, MXC_ENOMEM */
MXC_EXTERN mxc_status_t mxc_msg_new(mxc_msg_t **out);
/*!
 * Add one header field as received ("Name: value", folds and line ends
 * included, without the final line end; what mxc_dkim_header() takes).
 * Any octets are accepted: malformed fields (no colon, white space before
 * the colon, bare CR, NUL, 8-bit) are kept and reported by rule R12.
 * \return MXC_OK, MXC_EINVAL, MXC_ELIMIT (more than MXC_MSG_MAX_FIELDS:
 *         the field is counted, not kept), MXC_ENOMEM
 */
MXC_EXTERN mxc_status_t mxc_msg_field(mxc_msg_t *msg, const char *field,
                                      size_t len);
/*! The message came with SMTPUTF8 (RFC 6531): 8-bit header octets are
 * then allowed. */
MXC_EXTERN void mxc_msg_set_smtputf8(mxc_msg_t *msg, int on);
/*! The "arc" result (mxc_arc_finish()) of the same message: the
 * compliance report judges the forwarders' chain with it (rule R16) and
 * shows it (arc= in Authentication-Results).  A copy is kept.
 * \return MXC_OK, MXC_EINVAL (not an "arc" result), MXC_ENOMEM */
MXC_EXTERN mxc_status_t mxc_msg_set_arc(mxc_msg_t *msg,
                                        const mxc_result_t *arc);
MXC_EXTERN void mxc_msg_free(mxc_msg_t *msg);

/* The envelope of a received copy, from its receiver's trace fields      */

/*! The facts the trace fields of a received message give. */
typedef enum {
  MXC_TRACE_IP = 0,        /* the client address the receiver saw */
  MXC_TRACE_HELO = 1,      /* the HELO/EHLO name it recorded */
  MXC_TRACE_RDNS = 2,      /* the reverse DNS name it recorded */
  MXC_TRACE_MAIL_FROM = 3, /* the MAIL FROM of Return-Path ("" for <>) */
  MXC_TRACE_BY = 4         /* the receiver's own name */
} mxc_trace_t;

/*!
 * A fact of the envelope as the receiving server wrote it into the
 * message (RFC 5321 section 4.4), read as the fields are added: the
 * topmost Received field with a from clause whose client address is
 * global (hops without an address or with a private or loopback client,
 * such as the receiver's content filter, are passed over; when every hop
 * is such, the first with an address is taken), in the forms of Postfix,
 * Sendmail, Exim, qmail, Exchange and Gmail ("from HELO (rdns [IP])",
 * "[IPv6:...]", "helo=", ...); and the topmost Return-Path field.  A
 * Received field that records an authenticated submission (with ESMTPA,
 * ESMTPSA, RFC 3848) marks a copy as sent: no hop is taken.  Only the
 * first MXC_MSG_MAX_FIELDS fields are read.  The fields are not proof:
 * use them only for a copy as delivered to a receiver the reader trusts.
 * \return the fact (canonical text for MXC_TRACE_IP), NULL when the
 *         message does not give it
 */
MXC_EXTERN const char *mxc_msg_trace(const mxc_msg_t *msg, mxc_trace_t what);
/*! Which field gave the fact: its number (1: the first field of the
 * header) and the line of the header block where it starts; 0 when the
 * message does not give it. */
MXC_EXTERN size_t mxc_msg_trace_field(const mxc_msg_t *msg, mxc_trace_t what);
MXC_EXTERN size_t mxc_msg_trace_line(const mxc_msg_t *msg, mxc_trace_t what);
/*! Why a fact is missing, or what was passed over ("" when nothing to
 * say); never NULL. */
MXC_EXTERN const char *mxc_msg_trace_note(const mxc_msg_t *msg);
/*!
 * The message is a copy as delivered (e.g. "Show original"): the
 * compliance check takes each of ip, mail_from and helo given as NULL
 * from the trace fields (mxc_msg_trace()), and says in its result where
 * each came from (mxc_compliance_envelope()).  Off by default: a milter
 * sees fields a sender could have written.
 */
MXC_EXTERN void mxc_msg_set_use_trace(mxc_msg_t *msg, int on);

/*! State of one rule. */
typedef enum {
  MXC_RULE_PASS = 0,
  MXC_RULE_WARN = 1,
  MXC_RULE_FAIL = 2,
  MXC_RULE_UNKNOWN = 3 /* cannot be decided from what was given: the
                        * evidence says why; never a silent pass */
} mxc_rule_state_t;

/*! "pass", "warn", "fail", "unknown". */
MXC_EXTERN const char *mxc_rule_state_str(mxc_rule_state_t s);

/*! Why a rule (or a report) is unknown. */
typedef enum {
  MXC_UNKNOWN_NONE = 0,           /* decided: the state is not unknown */
  MXC_UNKNOWN_NOT_APPLICABLE = 1, /* the rule does not apply (R20 for an
                                   * IPv4 client) */
  MXC_UNKNOWN_NOT_OBSERVABLE = 2, /* cannot be seen from here (TLS of the
                                   * hop from the command line) */
  MXC_UNKNOWN_NOT_IMPLEMENTED = 3,
  MXC_UNKNOWN_INDETERMINATE = 4   /* the evidence is missing: a DNS
                                   * temperror or timeout, or an input not
                                   * given */
} mxc_unknown_t;

/*! "", "not-applicable", "not-observable-here", "not-implemented",
 * "indeterminate". */
MXC_EXTERN const char *mxc_unknown_str(mxc_unknown_t u);

/*!
 * Start a compliance check: does mail from client address ip, with this
 * envelope and header, meet the sender requirements of profile ("gmail"
 * (all senders, the default when NULL), "gmail-bulk", "yahoo-bulk",
 * "microsoft-bulk")?  It runs iprev and SPF concurrently (SPF only when
 * mail_from or helo is given), then DMARC of the From domain of msg with
 * the SPF identifier and the d= of every signature of dkim; all DNS goes
 * through ctx.  dkim is a finished "dkim" result of the same message (from
 * mxc_dkim_finish(); may be NULL) and msg its header fields (may be NULL:
 * message rules are then unknown).  Both are copied: they may be freed
 * once this returns.  The result has method "compliance", the client in
 * mxc_result_address(), the verdict fail when a rule fails, else pass; the
 * rules (in id order) and the sub-results are read with the accessors
 * below.  An address that does not parse gives MXC_EADDRESS as
 * mxc_iprev_start() does.
 * \return MXC_OK, MXC_EINVAL (NULL cb, unknown profile, dkim not a
 *         "dkim" result), MXC_ENOMEM, MXC_EDESTRUCTION
 */
MXC_EXTERN mxc_status_t mxc_compliance_start(
    mxc_ctx_t *ctx, const char *ip, const char *mail_from, const char *helo,
    const mxc_msg_t *msg, const mxc_result_t *dkim, const char *profile,
    mxc_done_cb cb, void *arg, mxc_check_t **out);
/*!
 * ip may be NULL (and mail_from, helo): with mxc_msg_set_use_trace() on
 * msg, each fact not given is taken from the message's trace fields;
 * what is still missing is reported, not failed: iprev and SPF are not
 * run and the rules that need them are unknown (indeterminate), the
 * result has no address (mxc_result_family() 0).  Where each fact came
 * from is read with the functions below.
 */
/*! The envelope the report used (what: MXC_TRACE_IP, MXC_TRACE_HELO or
 * MXC_TRACE_MAIL_FROM; "" for the null sender or no HELO), NULL when it
 * was not known; its source: "given", "Received field N, line L",
 * "Return-Path field N, line L", NULL when not known; and what the trace
 * fields did not give ("" when nothing to say). */
MXC_EXTERN const char *mxc_compliance_envelope(const mxc_result_t *res,
                                               mxc_trace_t what);
MXC_EXTERN const char *mxc_compliance_envelope_source(const mxc_result_t *res,
                                                      mxc_trace_t what);
MXC_EXTERN const char *mxc_compliance_envelope_note(const mxc_result_t *res);
/*! Blocking wrapper of mxc_compliance_start(), as mxc_iprev_sync(). */
MXC_EXTERN mxc_status_t mxc_compliance_sync(
    mxc_ctx_t *ctx, const char *ip, const char *mail_from, const char *helo,
    const mxc_msg_t *msg, const mxc_result_t *dkim, const char *profile,
    mxc_result_t **out);
/*! The profile evaluated ("gmail", ...). */
MXC_EXTERN const char *mxc_compliance_profile(const mxc_result_t *res);
/*! The rules evaluated for the profile: id ("R1".."R20"), title, source
 * tag (of RULES), state, evidence, the one-line fix ("" when it passed).
 * NULL / MXC_RULE_UNKNOWN out of range. */
MXC_EXTERN size_t mxc_compliance_rule_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_compliance_rule_id(const mxc_result_t *res,
                                              size_t i);
MXC_EXTERN const char *mxc_compliance_rule_title(const mxc_result_t *res,
                                                 size_t i);
MXC_EXTERN const char *mxc_compliance_rule_source(const mxc_result_t *res,
                                                  size_t i);
MXC_EXTERN mxc_rule_state_t mxc_compliance_rule_state(const mxc_result_t *res,
                                                      size_t i);
MXC_EXTERN const char *mxc_compliance_rule_evidence(const mxc_result_t *res,
                                                    size_t i);
MXC_EXTERN const char *mxc_compliance_rule_fix(const mxc_result_t *res,
                                               size_t i);
/*! Why rule i is unknown (MXC_UNKNOWN_NONE when it is decided). */
MXC_EXTERN mxc_unknown_t mxc_compliance_rule_unknown(const mxc_result_t *res,
                                                     size_t i);
/*! 1 when the profile requires rule i, 0 when it recommends it. */
MXC_EXTERN int mxc_compliance_rule_required(const mxc_result_t *res,
                                            size_t i);
/*! The worst decided state: fail, else warn, else pass (unknown rules do
 * not count).  See mxc_result_state() for the report's verdict. */
MXC_EXTERN mxc_rule_state_t mxc_compliance_worst(const mxc_result_t *res);
/*! The sub-result of method "iprev", "spf", "dkim" or "dmarc"; NULL when
 * it was not run. */
MXC_EXTERN const mxc_result_t *mxc_compliance_sub(const mxc_result_t *res,
                                                  const char *method);

/* ---- several author domains (RFC 7489 section 6.6.1) -------------------- */

/*! Distinct author domains of one message whose DMARC is evaluated. */
#define MXC_MAX_AUTHORS 32

/*! Distinct author domains (of every mailbox of every From field) whose
 * DMARC was evaluated: at most MXC_MAX_AUTHORS, in From order.  The "dmarc"
 * sub-result is a copy of the decisive one: among the failing domains the
 * one with the strictest policy (reject, quarantine, none; the first on a
 * tie); when none fails, the least favourable of temperror, permerror,
 * none, pass.  0 when DMARC did not run. */
MXC_EXTERN size_t mxc_compliance_dmarc_count(const mxc_result_t *res);
/*! The DMARC result of author domain i (i < mxc_compliance_dmarc_count());
 * NULL out of range or when that domain's check could not start. */
MXC_EXTERN const mxc_result_t *mxc_compliance_dmarc(const mxc_result_t *res,
                                                    size_t i);
/*! The index of the decisive author domain (0 when there is none). */
MXC_EXTERN size_t mxc_compliance_dmarc_decisive(const mxc_result_t *res);
/*! From mailboxes past the limit of MXC_MAX_AUTHORS domains: not evaluated (the
 * DMARC rules R9 and R10 are then unknown at best). */
MXC_EXTERN size_t mxc_compliance_authors_over(const mxc_result_t *res);

/* ------------------------------------------------------------------------ */
/* A sending domain's audit (method "domain")                               */
/* ------------------------------------------------------------------------ */

/*! MX hosts looked at, and addresses per host checked with iprev. */
#define MXC_DOMAIN_MAX_MX 10
#define MXC_DOMAIN_MAX_ADDRS 8

/*! What the MX lookup of the domain (or the address lookups of a host)
 * gave. */
typedef enum {
  MXC_MX_OK = 0,        /* MX hosts (a host: addresses) */
  MXC_MX_NULL = 1,      /* null MX "MX 0 ." (RFC 7505): takes no mail */
  MXC_MX_NONE = 2,      /* no MX: the domain itself (RFC 5321 5.1) */
  MXC_MX_NXDOMAIN = 3,  /* the name does not exist */
  MXC_MX_NODATA = 4,    /* a host without A or AAAA */
  MXC_MX_TEMPERROR = 5  /* timeout, SERVFAIL, bad answer */
} mxc_mx_state_t;

/*! "ok", "null-mx", "no-mx", "nxdomain", "no-address", "temperror". */
MXC_EXTERN const char *mxc_mx_state_str(mxc_mx_state_t s);

/*!
 * Start the audit of a sending domain, concurrently through ctx: its MX
 * hosts (sorted by preference; a null MX is a fail), the A and AAAA of
 * each (at most MXC_DOMAIN_MAX_MX hosts, MXC_DOMAIN_MAX_ADDRS addresses
 * each), iprev of every address (mxc_iprev_start()), and its DMARC policy
 * (mxc_dmarc_start() without identifiers: the published record audited).
 * The result's method is "domain"; its verdict: fail (NXDOMAIN, null MX,
 * an address without iprev pass), temperror (a lookup failed), else pass;
 * mxc_result_state() also counts DMARC (permerror fail; none, p=none
 * warn; temperror unknown).  A string that is not a domain name gives a
 * permerror result.  Also the SPF record (mxc_domain_spf(): permerror, no
 * record, an "all" that passes every address), the DKIM keys of
 * mxc_domain_audit_start() (none, revoked, invalid or under 1024 bits:
 * fail; testing, under 2048 bits: warnings) and the rua= destinations of
 * the DMARC record (an unauthorised external one: a warning).
 * \return MXC_OK, MXC_EINVAL, MXC_ENOMEM, MXC_EDESTRUCTION
 */
MXC_EXTERN mxc_status_t mxc_domain_start(mxc_ctx_t *ctx, const char *domain,
                                         mxc_done_cb cb, void *arg,
                                         mxc_check_t **out);
/*! Blocking wrapper of mxc_domain_start(), as mxc_iprev_sync(). */
MXC_EXTERN mxc_status_t mxc_domain_sync(mxc_ctx_t *ctx, const char *domain,
                                        mxc_result_t **out);
/*! The domain audited (lower case, no final dot). */
MXC_EXTERN const char *mxc_domain_name(const mxc_result_t *res);
MXC_EXTERN mxc_mx_state_t mxc_domain_mx_state(const mxc_result_t *res);
/*! MX host i (the domain itself for no MX), its preference, the state of
 * its address lookups, its addresses' iprev results (j <
 * mxc_domain_mx_addr_count(); NULL when its check did not finish). */
MXC_EXTERN size_t mxc_domain_mx_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_domain_mx_host(const mxc_result_t *res, size_t i);
MXC_EXTERN unsigned mxc_domain_mx_pref(const mxc_result_t *res, size_t i);
MXC_EXTERN mxc_mx_state_t mxc_domain_mx_host_state(const mxc_result_t *res,
                                                   size_t i);
MXC_EXTERN size_t mxc_domain_mx_addr_count(const mxc_result_t *res,
                                           size_t i);
MXC_EXTERN const mxc_result_t *mxc_domain_mx_iprev(const mxc_result_t *res,
                                                   size_t i, size_t j);
/*! The "dmarc" sub-result, NULL when it was not run. */
MXC_EXTERN const mxc_result_t *mxc_domain_dmarc(const mxc_result_t *res);

/*! Start the audit of mxc_domain_start() with, in addition, the DKIM keys
 * published at the given selectors (SELECTOR._domainkey.DOMAIN TXT;
 * nselectors at most MXC_DOMAIN_MAX_SELECTORS, else MXC_EINVAL). */
#define MXC_DOMAIN_MAX_SELECTORS 16
MXC_EXTERN mxc_status_t mxc_domain_audit_start(mxc_ctx_t *ctx,
                                               const char *domain,
                                               const char *const *selectors,
                                               size_t nselectors,
                                               mxc_done_cb cb, void *arg,
                                               mxc_check_t **out);
/*! Blocking wrapper of mxc_domain_audit_start(). */
MXC_EXTERN mxc_status_t mxc_domain_audit_sync(mxc_ctx_t *ctx,
                                              const char *domain,
                                              const char *const *selectors,
                                              size_t nselectors,
                                              mxc_result_t **out);
/*! The "spf" sub-result: the domain's SPF record evaluated for MAIL FROM
 * postmaster@DOMAIN and an IPv4 address that no term should match
 * (233.252.0.1, RFC 6676), so that every term is reached: its record,
 * lint (warnings), DNS lookup count (mxc_spf_dns_lookups()); NULL when not
 * run.  mxc_domain_spf6() is the same with 100::1 (RFC 6666). */
MXC_EXTERN const mxc_result_t *mxc_domain_spf(const mxc_result_t *res);
MXC_EXTERN const mxc_result_t *mxc_domain_spf6(const mxc_result_t *res);
/*! The networks the SPF record authorises (mxc_spf_network() of both
 * evaluations, each once). */
MXC_EXTERN size_t mxc_domain_spf_network_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_domain_spf_network(const mxc_result_t *res,
                                              size_t i);

/*! What was found at a DKIM selector. */
typedef enum {
  MXC_DKEY_OK = 0,        /* a usable key (see its problem for weaknesses) */
  MXC_DKEY_NONE = 1,      /* no key record (NXDOMAIN, no TXT) */
  MXC_DKEY_REVOKED = 2,   /* p= empty */
  MXC_DKEY_INVALID = 3,   /* not a key record, or a key that does not parse */
  MXC_DKEY_TEMPERROR = 4  /* the lookup failed */
} mxc_dkim_key_state_t;
/*! "ok", "none", "revoked", "invalid", "temperror". */
MXC_EXTERN const char *mxc_dkim_key_state_str(mxc_dkim_key_state_t s);
/*! The selectors given (i < mxc_domain_key_count()) and their keys: state,
 * type (k=, "rsa" when absent), size in bits (0 when unknown), testing
 * (t=y), the record (NULL when none) and what is wrong with it (NULL). */
MXC_EXTERN size_t mxc_domain_key_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_domain_key_selector(const mxc_result_t *res,
                                               size_t i);
MXC_EXTERN mxc_dkim_key_state_t mxc_domain_key_state(const mxc_result_t *res,
                                                     size_t i);
MXC_EXTERN const char *mxc_domain_key_type(const mxc_result_t *res, size_t i);
MXC_EXTERN unsigned mxc_domain_key_bits(const mxc_result_t *res, size_t i);
MXC_EXTERN int mxc_domain_key_testing(const mxc_result_t *res, size_t i);
MXC_EXTERN const char *mxc_domain_key_record(const mxc_result_t *res,
                                             size_t i);
MXC_EXTERN const char *mxc_domain_key_problem(const mxc_result_t *res,
                                              size_t i);

/*! A rua= destination (RFC 7489 section 7.1): within the policy's
 * organizational domain, or external and authorised by a "v=DMARC1" TXT
 * record at DOMAIN._report._dmarc.DESTINATION, or not. */
typedef enum {
  MXC_RUA_INTERNAL = 0,
  MXC_RUA_AUTHORISED = 1,
  MXC_RUA_UNAUTHORISED = 2,
  MXC_RUA_TEMPERROR = 3
} mxc_rua_state_t;
/*! "internal", "authorised", "unauthorised", "temperror". */
MXC_EXTERN const char *mxc_rua_state_str(mxc_rua_state_t s);
MXC_EXTERN size_t mxc_domain_rua_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_domain_rua_domain(const mxc_result_t *res,
                                             size_t i);
MXC_EXTERN mxc_rua_state_t mxc_domain_rua_state(const mxc_result_t *res,
                                                size_t i);

/* ------------------------------------------------------------------------ */
/* A mail server's host name (method "host")                                */
/* ------------------------------------------------------------------------ */

/*! Addresses of a host name checked. */
#define MXC_HOST_MAX_ADDRS 16

/*!
 * Start the check of a mail server by its host name: its A and AAAA
 * records (at most MXC_HOST_MAX_ADDRS addresses), then iprev
 * (mxc_iprev_start()) of every address, concurrently through ctx, with
 * the host name as the expected PTR (and HELO) name.  The result's method
 * is "host"; its verdict: fail (the name does not exist or has no
 * address, an address without iprev pass), temperror (a lookup failed and
 * nothing failed), else pass, with a warning ("ptr-not-host") for each
 * address whose PTR name is another name.  A string that is not a domain
 * name gives a permerror result.
 * \return MXC_OK, MXC_EINVAL, MXC_ENOMEM, MXC_EDESTRUCTION
 */
MXC_EXTERN mxc_status_t mxc_host_start(mxc_ctx_t *ctx, const char *host,
                                       mxc_done_cb cb, void *arg,
                                       mxc_check_t **out);
/*! Blocking wrapper of mxc_host_start(), as mxc_iprev_sync(). */
MXC_EXTERN mxc_status_t mxc_host_sync(mxc_ctx_t *ctx, const char *host,
                                      mxc_result_t **out);
/*! The host name (lower case, no final dot). */
MXC_EXTERN const char *mxc_host_name(const mxc_result_t *res);
/*! What its A/AAAA lookups gave (MXC_MX_OK, _NXDOMAIN, _NODATA,
 * _TEMPERROR). */
MXC_EXTERN mxc_mx_state_t mxc_host_state(const mxc_result_t *res);
/*! Its addresses (IPv4, then IPv6, each in text order), their iprev results (NULL when the
 * check did not finish), and whether the PTR name that resolved back is
 * the host name itself. */
MXC_EXTERN size_t mxc_host_addr_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_host_addr(const mxc_result_t *res, size_t i);
MXC_EXTERN const mxc_result_t *mxc_host_iprev(const mxc_result_t *res,
                                              size_t i);
MXC_EXTERN int mxc_host_ptr_is_host(const mxc_result_t *res, size_t i);

/* ------------------------------------------------------------------------ */
/* Results                                                                  */
/* ------------------------------------------------------------------------ */

/*! Deep copy of a result, to keep it past the callback; NULL on OOM. */
MXC_EXTERN mxc_result_t *mxc_result_dup(const mxc_result_t *res);
/*! Free a result from mxc_result_dup() or a _sync() call; NULL accepted. */
MXC_EXTERN void mxc_result_free(mxc_result_t *res);

/*! The method of a result: "iprev" (mxc_iprev_start), "spf"
 * (mxc_spf_start), "dkim" (mxc_dkim_finish), "dmarc" (mxc_dmarc_start) --
 * the RFC 8601 method names -- or "compliance" (mxc_compliance_start). */
MXC_EXTERN const char *mxc_result_method(const mxc_result_t *res);
MXC_EXTERN mxc_verdict_t mxc_result_verdict(const mxc_result_t *res);
/*!
 * The state of a report, the one a monitor or a milter acts on:
 * - "compliance": fail when a required rule fails; else unknown when a
 *   required rule is indeterminate (a DNS temperror or timeout, a missing
 *   input); else warn when a rule warns or a recommended rule fails; else
 *   pass.  Rules that are not applicable, not observable here or not
 *   implemented do not count.
 * - a check: pass (warn when it has warnings), temperror is unknown,
 *   fail and permerror are fail; for SPF neutral and none, for DKIM none
 *   (no signature), for DMARC none (no policy) are warn.
 * A temperror is never pass and never fail.  NULL gives unknown.
 */
MXC_EXTERN mxc_rule_state_t mxc_result_state(const mxc_result_t *res);
/*! One sentence saying why the verdict is what it is; never NULL. */
MXC_EXTERN const char *mxc_result_reason(const mxc_result_t *res);
/*! The address as given ("dkim": the message's name, mxc_dkim_set_input()). */
MXC_EXTERN const char *mxc_result_input(const mxc_result_t *res);
/*! The address in canonical text (RFC 5952 for IPv6); "" if invalid. */
MXC_EXTERN const char *mxc_result_address(const mxc_result_t *res);
/*! 4 or 6 (as checked), 0 if the input was not an address. */
MXC_EXTERN int mxc_result_family(const mxc_result_t *res);
/*! 1 when the input was an IPv4-mapped IPv6 address checked as IPv4. */
MXC_EXTERN int mxc_result_mapped(const mxc_result_t *res);
/*! 1 when every answer used carried the AD bit (DNSSEC-validated). */
MXC_EXTERN int mxc_result_dnssec(const mxc_result_t *res);
/*! The reverse name queried (in-addr.arpa or ip6.arpa), "" if invalid. */
MXC_EXTERN const char *mxc_result_reverse_name(const mxc_result_t *res);

/*! State of one PTR name's forward lookup. */
typedef enum {
  MXC_NAME_MATCH = 0,     /* an address of the name equals the client's */
  MXC_NAME_MISMATCH = 1,  /* the name has addresses, none is the client's */
  MXC_NAME_NXDOMAIN = 2,  /* the name does not exist */
  MXC_NAME_NODATA = 3,    /* the name exists but has no A/AAAA */
  MXC_NAME_TEMPERROR = 4, /* timeout, SERVFAIL, bad answer */
  MXC_NAME_NOT_TRIED = 5  /* beyond MXC_IPREV_MAX_NAMES */
} mxc_name_state_t;

MXC_EXTERN const char *mxc_name_state_str(mxc_name_state_t s);

/*! Number of PTR names found. */
MXC_EXTERN size_t mxc_iprev_ptr_count(const mxc_result_t *res);
/*! PTR name i (without the trailing dot), NULL when out of range. */
MXC_EXTERN const char *mxc_iprev_ptr_name(const mxc_result_t *res, size_t i);
MXC_EXTERN mxc_name_state_t mxc_iprev_ptr_state(const mxc_result_t *res,
                                                size_t i);
/*! Detail of the forward lookup of name i (CNAME chain, error cause). */
MXC_EXTERN const char *mxc_iprev_ptr_detail(const mxc_result_t *res,
                                            size_t i);
/*! Addresses the forward lookup of name i returned, in the checked family. */
MXC_EXTERN size_t mxc_iprev_addr_count(const mxc_result_t *res, size_t i);
MXC_EXTERN const char *mxc_iprev_addr(const mxc_result_t *res, size_t i,
                                      size_t j);
/*! The first PTR name that mapped back, NULL if none. */
MXC_EXTERN const char *mxc_iprev_matched_name(const mxc_result_t *res);
/*! Where the reverse tree stops when there is no PTR: the zone that
 * answered (from the SOA of the negative answer) and its name servers. */
MXC_EXTERN const char *mxc_iprev_reverse_zone(const mxc_result_t *res);
MXC_EXTERN size_t mxc_iprev_reverse_ns_count(const mxc_result_t *res);
MXC_EXTERN const char *mxc_iprev_reverse_ns(const mxc_result_t *res, size_t i);

/*! Warnings that do not change the verdict. */
MXC_EXTERN size_t mxc_result_warning_count(const mxc_result_t *res);
/*! Stable code of warning i ("ipv6-ptr-name-has-only-a", "generic-name",
 * "ptr-names-capped", "several-ptr-names", "not-global"), NULL out of
 * range. */
MXC_EXTERN const char *mxc_result_warning_code(const mxc_result_t *res,
                                               size_t i);
MXC_EXTERN const char *mxc_result_warning_text(const mxc_result_t *res,
                                               size_t i);
/*! One line for the admin saying what to do, "" when nothing. */
MXC_EXTERN const char *mxc_result_fix(const mxc_result_t *res);

/* Rendering, done by the library so every front end says the same. */

#define MXC_RENDER_COLOR 1 /* ANSI colours in the text report */
/* The text report in full: the records, the SPF and DMARC traces, each
 * DKIM signature's signed fields and warnings, the networks of a domain's
 * SPF record.  Without it the text report is short: verdicts, reasons,
 * warnings and fixes.  JSON always carries everything. */
#define MXC_RENDER_VERBOSE 2

/*!
 * The result as one JSON object (schema in mxcheck(1)), NUL-terminated,
 * without a newline; free with mxc_free().  NULL on OOM.
 */
MXC_EXTERN char *mxc_result_json(const mxc_result_t *res);
/*! The human report, several lines ending in '\n'; free with mxc_free(). */
MXC_EXTERN char *mxc_result_text(const mxc_result_t *res, int flags);
/*!
 * Several results of checks of the same address (e.g. iprev and spf) as
 * ONE JSON object: "input", "address", "family" and "ipv4_mapped" from
 * res[0], then one member per result named by its method ("iprev",
 * "spf").  A result whose address did not parse gives {"input", "error"}.
 * NULL entries are skipped.  Free with mxc_free(); NULL on OOM or when
 * there is no result.
 */
MXC_EXTERN char *mxc_results_json(const mxc_result_t *const *res, size_t n);
/*! The human report of several results of one address: the address line
 * once, then each result's block.  Free with mxc_free(). */
MXC_EXTERN char *mxc_results_text(const mxc_result_t *const *res, size_t n,
                                  int flags);
/*!
 * An RFC 8601 Authentication-Results header field (one line, no line end)
 * for a result: of a "compliance" result every method run (iprev, spf,
 * each dkim signature, dmarc), else the result's own method.
 * authserv_id NULL: "mxcheck".  Free with mxc_free(); NULL on OOM.
 */
MXC_EXTERN char *mxc_result_authres(const mxc_result_t *res,
                                    const char *authserv_id);
/*! Free memory returned by the library.  NULL accepted. */
MXC_EXTERN void mxc_free(void *p);

/* ------------------------------------------------------------------------ */
/* DNSSEC of a zone file (preflight of a signed zone, before publishing)    */
/* ------------------------------------------------------------------------ */

/*! The default horizon: signatures expiring sooner are a warning. */
#define MXC_DNSSEC_HORIZON_DEFAULT (7L * 86400L)
/*! The longest horizon accepted (a year). */
#define MXC_DNSSEC_MAX_HORIZON (366L * 86400L)
/*! Findings kept in one result (more are dropped). */
#define MXC_DNSSEC_MAX_FINDINGS 1000

/*!
 * Signatures expiring within seconds from now are a warning of the
 * DNSSEC check (default MXC_DNSSEC_HORIZON_DEFAULT).
 * \return MXC_OK, MXC_EINVAL (seconds < 0 or over MXC_DNSSEC_MAX_HORIZON),
 *         MXC_ENOMEM
 */
MXC_EXTERN mxc_status_t mxc_ctx_set_dnssec_horizon(mxc_ctx_t *ctx,
                                                   long seconds);
/*!
 * Check the DNSSEC signatures of zone file i (mxc_ctx_add_zone_file(); 0:
 * the first loaded), for the RRsets that answered lookups of the checks
 * run so far in ctx and for the apex SOA and DNSKEY RRsets: each RRSIG's
 * inception and expiration against now, its key tag against the apex
 * DNSKEYs, and the signature itself (RFC 4034, RFC 4035 section 5.3;
 * RSASHA1, RSASHA256, RSASHA512, ECDSA P-256 and P-384, Ed25519, Ed448).
 * Start it after the other checks delivered.  It asks DNS one question:
 * the DNSKEY RRset published now for the zone (past the zone files), to
 * warn of a key that signs the file but is not published yet (a rollover;
 * finding "rollover").  The result has method
 * "dnssec": fail when an RRset has no good signature (a validating
 * resolver, as Gmail's, answers SERVFAIL for it), pass otherwise (warn
 * when the signatures of an RRset expire within the horizon, or another
 * signature is bad), none when the zone is not signed ("zone not signed":
 * no DNSKEY at the apex and no RRSIG).  A signature of an algorithm not
 * listed is "not checked" (state unknown), never bad.
 * \return MXC_OK, MXC_EINVAL (NULL cb, no zone i), MXC_ENOMEM,
 *         MXC_EDESTRUCTION
 */
MXC_EXTERN mxc_status_t mxc_dnssec_start(mxc_ctx_t *ctx, size_t zone,
                                         mxc_done_cb cb, void *arg,
                                         mxc_check_t **out);
/*! Blocking wrapper of mxc_dnssec_start(), as mxc_iprev_sync(). */
MXC_EXTERN mxc_status_t mxc_dnssec_sync(mxc_ctx_t *ctx, size_t zone,
                                        mxc_result_t **out);
/*! Is the zone signed; the number of RRsets checked (0 / 0 for a result
 * of another method). */
MXC_EXTERN int mxc_dnssec_signed(const mxc_result_t *res);
MXC_EXTERN size_t mxc_dnssec_rrset_count(const mxc_result_t *res);
/*! The findings, in canonical order of their owner names: the state
 * (fail, warn, or unknown for "not checked"), a code ("unsigned",
 * "expired", "not-yet-valid", "expiring", "no-key", "bad-key", "bogus",
 * "signer", "malformed", "not-checked", "rollover"), the owner name and
 * type of the
 * RRset ("_dmarc.example.org", "TXT") and one line of text.  NULL /
 * unknown out of range. */
MXC_EXTERN size_t mxc_dnssec_finding_count(const mxc_result_t *res);
MXC_EXTERN mxc_rule_state_t mxc_dnssec_finding_state(const mxc_result_t *res,
                                                     size_t i);
MXC_EXTERN const char *mxc_dnssec_finding_code(const mxc_result_t *res,
                                               size_t i);
MXC_EXTERN const char *mxc_dnssec_finding_owner(const mxc_result_t *res,
                                                size_t i);
MXC_EXTERN const char *mxc_dnssec_finding_type(const mxc_result_t *res,
                                               size_t i);
MXC_EXTERN const char *mxc_dnssec_finding_text(const mxc_result_t *res,
                                               size_t i);

#ifdef __cplusplus
}
#endif
#endif /* MXCHECK_H */
