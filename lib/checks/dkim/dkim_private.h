/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_private.h -- the DKIM check (RFC 6376, RFC 8463; libopendkim verifies):
 * its part of a result and its state in a context.
 */
#ifndef MXC_DKIM_PRIVATE_H
#define MXC_DKIM_PRIVATE_H

#include "mxc_private.h"

/* ---- dkim.c, dkim_result.c: DKIM (RFC 6376, RFC 8463) ----------------- */

/* One signature of a "dkim" result.  Strings are printable ASCII. */
struct mxci_dkim_sig {
  mxc_verdict_t verdict;
  char *error;      /* stable code, "" when it passed */
  char *reason;
  char *domain, *selector, *identity, *algorithm, *b, *canon;
  char *key_name, *key_record, *key_type;
  const char *key_form; /* static: "spki", "pkcs1", "" (RSA p= structure) */
  unsigned key_bits;
  int dnssec, testing;
  size_t nheaders;
  char **headers;   /* h=, lower case */
  long long l, t, x; /* -1: absent */
  size_t nwarn;
  struct mxci_warning *warn;
};

/* The DKIM part of a result (mxc_result_t.data). */
struct mxci_dkim {
  size_t ndkim;
  struct mxci_dkim_sig *dkim; /* per signature, in header order */
  size_t dkim_ignored;        /* over MXC_DKIM_MAX_SIGNATURES */
};

#define MXCI_DKIMR(r) ((struct mxci_dkim *)(r)->data)

/* The context's DKIM state (dkim.c; mxci_ctx_state()): libopendkim's
 * handle, made on first use, and its own DNS asked (must stay 0). */
void *mxci_dkim_ctx_new(void);
void mxci_dkim_ctx_free(void *state);
unsigned long mxci_dkim_stray(mxc_ctx_t *ctx);
/* Verification on the context's cached keys (dkim.c, struct kent): off
 * makes every signature go through libopendkim alone, as the environment
 * variable MXC_DKIM_LIBOPENDKIM_ONLY=1 does for a new context (the tests
 * compare both paths).  Stats: signatures verified on a cached key, keys
 * learned from libopendkim. */
void mxci_dkim_set_libopendkim_only(mxc_ctx_t *ctx, int on);
void mxci_dkim_stats(mxc_ctx_t *ctx, unsigned long *fast,
                     unsigned long *learned);
/* Tests: the key cache keeps at most max entries (0: unchanged), and every
 * entry is made age_ms older (expiry). */
void mxci_dkim_key_cache_test(mxc_ctx_t *ctx, size_t max, int64_t age_ms);

extern const struct mxci_method mxci_dkim_method;
/* Line ends for libopendkim: copy in[0..n) to out (room for 2n octets)
 * with every LF not preceded by CR turned into CRLF; *cr carries "the last
 * octet was CR" from one call to the next.  Returns the octets written. */
size_t mxci_crlf(const char *in, size_t n, int *cr, char *out);

/* dkim_canon.c: the relaxed body canonicalisation (RFC 6376 section 3.4.4)
 * and its SHA-1 and/or SHA-256 hashes, as libopendkim computes them.  The
 * body comes in CRLF form, in pieces of any size; close() is -1 when
 * libopendkim would find the final CRLF missing (then there is no hash). */
struct mxci_dkim_canon;
struct mxci_dkim_canon *mxci_dkim_canon_new(int sha1, int sha256);
void mxci_dkim_canon_body(struct mxci_dkim_canon *c, const char *p, size_t n);
int mxci_dkim_canon_close(struct mxci_dkim_canon *c);
/* The hash (sha256: 1, SHA-256; 0, SHA-1) and its length in *len. */
const unsigned char *mxci_dkim_canon_hash(const struct mxci_dkim_canon *c,
                                          int sha256, unsigned *len);
void mxci_dkim_canon_free(struct mxci_dkim_canon *c);


#endif /* MXC_DKIM_PRIVATE_H */
