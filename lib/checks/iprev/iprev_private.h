/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iprev_private.h -- the iprev check (RFC 8601 section 3; forward-confirmed
 * reverse DNS of the client address): its part of a result.
 */
#ifndef MXC_IPREV_PRIVATE_H
#define MXC_IPREV_PRIVATE_H

#include "mxc_private.h"

/* One PTR name and its forward lookup. */
struct mxci_name {
  char *name;
  mxc_name_state_t state;
  char *detail;
  size_t naddr;
  char **addrs;
};

/* The iprev part of a result (mxc_result_t.data). */
struct mxci_iprev {
  size_t nnames;
  struct mxci_name *names;
  char *matched;   /* the first name that maps back */
  char *zone;      /* where the reverse tree stops (no PTR) */
  size_t nzone_ns;
  char **zone_ns;  /* its name servers */
};

#define MXCI_IPREV(r) ((struct mxci_iprev *)(r)->data)

extern const struct mxci_method mxci_iprev_method;

#endif /* MXC_IPREV_PRIVATE_H */
