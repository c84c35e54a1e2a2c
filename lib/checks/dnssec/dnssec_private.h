/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnssec_private.h -- DNSSEC sanity of a signed zone file (--zone): its
 * part of a result, its options, and the RFC 4034 pieces (key tag,
 * canonical form, signature verification on OpenSSL) that the unit tests
 * call directly.
 */
#ifndef MXC_DNSSEC_PRIVATE_H
#define MXC_DNSSEC_PRIVATE_H

#include "mxc_private.h"

/* One finding: an RRset (owner and type) and what is wrong with it. */
struct mxci_dnssec_finding {
  mxc_rule_state_t state; /* fail, warn, or unknown ("not checked") */
  char *code;             /* "expired", "not-yet-valid", "expiring", ... */
  char *owner;            /* presentation, no final dot */
  char *type;             /* "TXT", "DNSKEY", ... */
  char *text;             /* one line */
};

/* The DNSSEC part of a result (mxc_result_t.data). */
struct mxci_dnssec {
  char *zone, *source;   /* origin; file name */
  int is_signed;         /* a DNSKEY at the apex, or an RRSIG in the zone */
  size_t nkeys;          /* DNSKEY records at the apex */
  size_t nsets, nsigs;   /* RRsets checked; RRSIGs verified */
  long live;             /* DNSKEYs DNS publishes now for the zone; -1:
                          * not asked or no answer */
  size_t nfind;
  struct mxci_dnssec_finding *find;
};

#define MXCI_DNSSEC(r) ((struct mxci_dnssec *)(r)->data)

/* Options (mxci_ctx_state). */
struct mxci_dnssec_ctx {
  long horizon; /* seconds */
  long long now; /* 0: the clock (tests set a fixed time) */
};

extern const struct mxci_method mxci_dnssec_method;

/* ---- dnssec_crypto.c ------------------------------------------------------ */

/* An RRSIG RDATA (RFC 4034 section 3.1), fields in host order. */
struct mxci_rrsig {
  uint16_t covered;
  uint8_t alg, labels;
  uint32_t ottl, expiration, inception;
  uint16_t tag;
  unsigned char signer[256]; /* wire, lowercase */
  size_t slen;
  const unsigned char *sig; /* into the RDATA */
  size_t siglen;
};
/* 0, or -1 when rd is not a well-formed RRSIG RDATA. */
int mxci_rrsig_parse(const unsigned char *rd, size_t len,
                     struct mxci_rrsig *out);
/* The key tag of a DNSKEY RDATA (RFC 4034 Appendix B). */
uint16_t mxci_dnssec_keytag(const unsigned char *rd, size_t len);
/* RDATA in canonical form (RFC 4034 section 6.2: the domain names of the
 * types listed there in lower case) into out (len octets); -1 when a name
 * in it is malformed. */
int mxci_dnssec_canon_rdata(uint16_t type, const unsigned char *rd,
                            size_t len, unsigned char *out);
/* The data an RRSIG signs (RFC 4034 section 3.1.8.1; RFC 4035 section
 * 5.3.2 for the owner of a wildcard expansion): a new buffer of *outlen
 * octets, or NULL (*why: malformed, or out of memory). */
unsigned char *mxci_dnssec_signed_data(const unsigned char *rrsig,
                                       size_t rrsiglen,
                                       const unsigned char *owner,
                                       size_t olen, uint16_t type,
                                       const struct mxci_zrr *rr, size_t n,
                                       size_t *outlen, const char **why);
/* Is the algorithm one that mxci_dnssec_verify() knows (RSASHA1 5, 7;
 * RSASHA256 8; RSASHA512 10; ECDSA 13, 14; Ed25519 15; Ed448 16)? */
int mxci_dnssec_alg_known(unsigned alg);
/* Verify sig over data with the DNSKEY RDATA key: 1 verifies, 0 does
 * not, -1 the algorithm is not supported, -2 the key is malformed. */
int mxci_dnssec_verify(const unsigned char *key, size_t keylen,
                       const unsigned char *data, size_t datalen,
                       const unsigned char *sig, size_t siglen);
/* The name of an algorithm number ("RSASHA256", or "algorithm 99"). */
const char *mxci_dnssec_alg_name(unsigned alg, char *buf, size_t len);

#endif /* MXC_DNSSEC_PRIVATE_H */
