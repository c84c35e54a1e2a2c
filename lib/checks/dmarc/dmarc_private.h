/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dmarc_private.h -- the DMARC check (RFC 9989; RFC 7489's Public Suffix List
 * discovery as an option): record parser, its part of a result, options.
 */
#ifndef MXC_DMARC_PRIVATE_H
#define MXC_DMARC_PRIVATE_H

#include "mxc_private.h"

/* ---- dmarc_parse.c, dmarc.c, dmarc_report.c: DMARC (RFC 9989) ---------- */

/* A parsed DMARC policy record (RFC 9989 sections 4.7, 4.8).  Tags whose
 * value did not parse are not kept (their default applies) and are listed
 * in err with their place in the record. */
struct mxci_dmarc_rec {
  size_t ntags, nvals;
  char **tname, **tval; /* kept tags, in order: name (lower case), value */
  char p, sp, np;       /* 'n'one, 'q'uarantine, 'r'eject; 0: absent */
  int p_bad, sp_bad, np_bad; /* present, but the value is invalid */
  char adkim, aspf;     /* 'r' or 's'; 0: absent */
  char psd;             /* 'y', 'n' or 'u'; 0: absent */
  char t;               /* 'y' or 'n'; 0: absent */
  int pct;              /* 0..100 (RFC 7489); -1: absent or invalid */
  size_t nrua, nruf;    /* syntactically valid reporting URIs */
  size_t nerr, nobs, nunknown;
  char **err;           /* syntax errors: "tag N \"...\" at offset M: why" */
  char **obs;           /* obsolete tags seen (pct, rf, ri, !size) */
  char **unknown;       /* unknown tags as written (ignored) */
};

/* Does a TXT record begin with "v=DMARC1" (then the end or ';')? */
int mxci_dmarc_is_record(const unsigned char *txt, size_t len);
/* Does it look like an attempt at one ("v=dmarc...", any case)? */
int mxci_dmarc_looks_like(const unsigned char *txt, size_t len);
/* Parse a record.  0: a DMARC record (errors, if any, in r->err); -1: not
 * a DMARC record (no v=DMARC1 first, r is empty); -2: out of memory. */
int mxci_dmarc_parse(const unsigned char *txt, size_t len,
                     struct mxci_dmarc_rec *r);
void mxci_dmarc_rec_clear(struct mxci_dmarc_rec *r);
/* The value of a kept tag, or NULL. */
const char *mxci_dmarc_rec_tag(const struct mxci_dmarc_rec *r,
                               const char *name);
/* "none", "quarantine", "reject" for 'n', 'q', 'r'; "" otherwise. */
const char *mxci_dmarc_policy_word(char c);

/* The DMARC part of a result (mxc_result_t.data). */
struct mxci_dmarc_id {
  char *domain;          /* as given, lower case */
  mxc_verdict_t verdict; /* SPF's or DKIM's verdict as given */
  char *org;             /* its organizational domain, NULL if unknown */
  int aligned;           /* 1, 0, -1 (unknown: DNS error) */
  int identical;         /* the same name as the From domain */
};

struct mxci_dmarc {
  char *from;            /* the From (author) domain, lower case */
  unsigned method;       /* MXC_DMARC_TREEWALK or MXC_DMARC_PSL: decided */
  char *record;          /* the policy record (printable), NULL if none */
  char *record_domain;   /* where it was found (without _dmarc.) */
  char *org;             /* organizational domain of the From domain */
  char *org_how;         /* how it was determined */
  char policy;           /* 'n', 'q', 'r' applied; 0: no policy */
  char *policy_tag;      /* "p", "sp", "np" */
  char *policy_why;
  char aspf, adkim;      /* 'r' or 's' in force */
  int testing;           /* t=y */
  int audit;             /* no SPF or DKIM identifier was given */
  size_t ntags;
  char **tname, **tval;  /* tags of the policy record as kept */
  int has_spf;
  struct mxci_dmarc_id spf;
  size_t ndkim;
  struct mxci_dmarc_id *dkim;
  size_t nnotes;
  char **notes;          /* remarks on the record that are not warnings */
  size_t ntrace;
  char **trace;          /* the lookups, one line each */
};

#define MXCI_DMARCR(r) ((struct mxci_dmarc *)(r)->data)

/* The DMARC options of a context (mxci_ctx_state()). */
struct mxci_dmarc_ctx {
  unsigned discovery; /* MXC_DMARC_*; 0: the default (tree walk) */
};

extern const struct mxci_method mxci_dmarc_method;


#endif /* MXC_DMARC_PRIVATE_H */
