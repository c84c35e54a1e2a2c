/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exist_private.h -- the domain existence check (rule R13: the MAIL FROM
 * and From domains exist and can receive mail; RFC 7505 null MX): its
 * part of a result.
 */
#ifndef MXC_EXIST_PRIVATE_H
#define MXC_EXIST_PRIVATE_H

#include "mxc_private.h"

/* One domain and what its SOA, MX, A and AAAA lookups said. */
struct mxci_exist_dom {
  char *name;             /* lower case, no final dot */
  mxc_exist_state_t state;
  char *detail;           /* one line: what decided the state */
  size_t nmx;             /* MX records (a null MX counts) */
  int has_soa, has_addr;  /* an SOA at the name; an A or AAAA */
};

/* The existence part of a result (mxc_result_t.data). */
struct mxci_exist {
  size_t ndom;
  struct mxci_exist_dom *dom;
};

#define MXCI_EXIST(r) ((struct mxci_exist *)(r)->data)

extern const struct mxci_method mxci_exist_method;

#endif /* MXC_EXIST_PRIVATE_H */
