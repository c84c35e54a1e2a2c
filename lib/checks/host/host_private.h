/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * host_private.h -- the "host" check: a mail server's host name, its A
 * and AAAA records, and iprev (RFC 8601) of every address with the name
 * as the expected PTR/HELO name, run concurrently through one context
 * over the public start function of the iprev check.
 */
#ifndef MXC_HOST_PRIVATE_H
#define MXC_HOST_PRIVATE_H

#include "mxc_private.h"

/* The host part of a result (mxc_result_t.data). */
struct mxci_host {
  char *host;                /* lower case, no final dot */
  mxc_mx_state_t state;      /* of its A/AAAA lookups */
  size_t naddr;
  mxc_result_t **iprev;      /* one "iprev" result per address (or NULL) */
  char (*addr)[64];          /* the addresses, in the order found */
};

extern const struct mxci_method mxci_host_method;

#endif /* MXC_HOST_PRIVATE_H */
