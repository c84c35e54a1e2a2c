/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * domain_private.h -- the "domain" check: a sending domain's audit (its
 * MX hosts with null MX of RFC 7505, iprev of every address of every MX
 * host, its DMARC policy), run concurrently through one context over the
 * public start functions of the iprev and DMARC checks.
 */
#ifndef MXC_DOMAIN_PRIVATE_H
#define MXC_DOMAIN_PRIVATE_H

#include "mxc_private.h"

struct mxci_domain_host {
  char *name;                /* the exchange, no final dot */
  unsigned pref;
  mxc_mx_state_t state;      /* of its A/AAAA lookups */
  size_t naddr;
  mxc_result_t **iprev;      /* one "iprev" result per address */
};

/* A DKIM key at a selector given (domain_keys.c). */
struct mxci_domain_key {
  char *selector;
  mxc_dkim_key_state_t state;
  char *record;              /* the TXT record, NULL when none */
  char *type;                /* k=, "rsa" when absent */
  unsigned bits;
  int testing;               /* t=y */
  char *problem;             /* why not ok, or a weakness; NULL */
};

/* A mailto: destination of rua=. */
struct mxci_domain_rua {
  char *domain;
  mxc_rua_state_t state;
};

#define MXCI_DOMAIN_MAX_RUA 8

/* Parse a key record into k (state, type, bits, testing, problem). */
void mxci_domain_key_parse(struct mxci_domain_key *k, const char *rec);
/* The distinct domains of the mailto: URIs of rua (at most max), each
 * MXC_RUA_INTERNAL when within org, else MXC_RUA_TEMPERROR (to be
 * looked up); the domains are allocated. */
size_t mxci_domain_rua_parse(const char *rua, const char *org,
                             struct mxci_domain_rua *out, size_t max);

/* The domain part of a result (mxc_result_t.data). */
struct mxci_domain {
  char *domain;              /* lower case, no final dot */
  mxc_mx_state_t mx;         /* the MX lookup */
  size_t nhosts;
  struct mxci_domain_host *hosts;
  mxc_result_t *dmarc;       /* NULL: not run */
  mxc_result_t *spf;         /* evaluated for an IPv4 address no term matches */
  mxc_result_t *spf6;        /* the same for IPv6 (its networks) */
  size_t nkeys;
  struct mxci_domain_key *keys;
  size_t nrua;
  struct mxci_domain_rua rua[MXCI_DOMAIN_MAX_RUA];
};

extern const struct mxci_method mxci_domain_method;

#endif /* MXC_DOMAIN_PRIVATE_H */
