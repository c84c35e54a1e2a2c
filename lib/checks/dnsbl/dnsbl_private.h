/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnsbl_private.h -- the DNS blocklist check (rule R19): its part of a
 * result and the context's list of zones.
 */
#ifndef MXC_DNSBL_PRIVATE_H
#define MXC_DNSBL_PRIVATE_H

#include "mxc_private.h"

/* Return codes kept per list. */
#define MXCI_DNSBL_MAX_CODES 8

/* One list and what it said of the address. */
struct mxci_dnsbl_zone {
  char *zone;
  mxc_dnsbl_state_t state;
  char *codes;  /* the A records answered, ", "-separated; NULL: none */
  char *text;   /* TXT reason (listed), the refusal's meaning, the error */
};

/* The DNSBL part of a result (mxc_result_t.data). */
struct mxci_dnsbl {
  size_t nzones;
  struct mxci_dnsbl_zone *zones;
};

#define MXCI_DNSBL(r) ((struct mxci_dnsbl *)(r)->data)

/* The lists of a context (mxci_ctx_state()). */
struct mxci_dnsbl_ctx {
  size_t nzones;
  char **zones;
};

extern const struct mxci_method mxci_dnsbl_method;

#endif /* MXC_DNSBL_PRIVATE_H */
