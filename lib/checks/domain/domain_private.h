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

/* The domain part of a result (mxc_result_t.data). */
struct mxci_domain {
  char *domain;              /* lower case, no final dot */
  mxc_mx_state_t mx;         /* the MX lookup */
  size_t nhosts;
  struct mxci_domain_host *hosts;
  mxc_result_t *dmarc;       /* NULL: not run */
};

extern const struct mxci_method mxci_domain_method;

#endif /* MXC_DOMAIN_PRIVATE_H */
