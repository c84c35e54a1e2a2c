/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * compliance_private.h -- the sender requirements of Gmail, Yahoo and Microsoft
 * (doc RULES R1-R20): the message's header facts (message.c), the rule
 * table and the check (compliance.c), its part of a result
 * (compliance_result.c).
 */
#ifndef MXC_COMPLIANCE_PRIVATE_H
#define MXC_COMPLIANCE_PRIVATE_H

#include "mxc_private.h"


enum {
  MXCI_MF_NOCOLON = 1,    /* no "name:" */
  MXCI_MF_WSCOLON = 2,    /* white space before the colon */
  MXCI_MF_BADNAME = 4,    /* a name octet outside printable ASCII */
  MXCI_MF_BARECR = 8,     /* CR not followed by LF */
  MXCI_MF_BARELINE = 16,  /* a line end not followed by WSP (broken fold) */
  MXCI_MF_NUL = 32,
  MXCI_MF_CTL = 64,       /* other control characters */
  MXCI_MF_8BIT = 128,
  MXCI_MF_LONGLINE = 256, /* a line over 998 octets */
  MXCI_MF_CUT = 512       /* value cut at MXC_MSG_MAX_FIELD */
};

struct mxci_msg_field {
  char *name;  /* lower case, without trailing white space */
  char *value; /* unfolded, trimmed, cut at MXC_MSG_MAX_FIELD */
  size_t octets;
  unsigned flags;
};

size_t mxci_msg_count(const mxc_msg_t *m);
const struct mxci_msg_field *mxci_msg_get(const mxc_msg_t *m, size_t i);
int mxci_msg_date_ok(const char *v);
int mxci_msg_id_ok(const char *v);
/* The "arc" result given with mxc_msg_set_arc(), or NULL. */
const mxc_result_t *mxci_msg_arc(const mxc_msg_t *m);

/* ---- trace.c: the receiver's trace fields (RFC 5321 section 4.4) ------ */

#define MXCI_TRACE_NAME 256 /* octets kept of a name (longer: cut) */

/* What one Received field says. */
struct mxci_hop {
  int has_from;                 /* it has a from clause */
  char from[MXCI_TRACE_NAME];   /* the word after "from" */
  char helo[MXCI_TRACE_NAME];   /* the HELO name ("" unknown) */
  char rdns[MXCI_TRACE_NAME];   /* the receiver's reverse DNS name ("") */
  char ip[64];                  /* the client address, canonical ("") */
  char by[MXCI_TRACE_NAME];     /* the receiver */
  char with[32];                /* the protocol (ESMTPS, ...) */
};

/* The envelope found so far, fields given top down (mxci_trace_add). */
struct mxci_trace {
  size_t received, return_paths; /* fields seen */
  size_t skipped;                /* hops passed over (non-global client,
                                  * no address) */
  struct mxci_hop hop;           /* the receiver's hop (hop_field != 0) */
  size_t hop_field, hop_line;    /* 1-based field and line numbers */
  struct mxci_hop fb;            /* the first non-global hop, used when
                                  * no hop has a global client */
  size_t fb_field, fb_line;
  size_t stopped;                /* field of an authenticated submission */
  char mail_from[258];           /* of the first Return-Path */
  size_t rp_field, rp_line, rp_bad;
  char note[320];
};

/* Parse a Received field's value: 1 when it has a from clause. */
int mxci_trace_parse_received(const char *value, struct mxci_hop *h);
/* The path of a Return-Path value into out ("" for "<>"): 1, or 0 when
 * it is not a path. */
int mxci_trace_parse_return_path(const char *value, char *out, size_t cap);
int mxci_msg_use_trace(const mxc_msg_t *m);
/* Take one header field (name in lower case, unfolded value). */
void mxci_trace_add(struct mxci_trace *t, const char *name,
                    const char *value, size_t field, size_t line);

#define MXCI_MSG_MAX_FINDINGS 24
#define MXCI_MSG_BIG_HEADER (256 * 1024)
/* Distinct author domains kept of every mailbox of every From field (RFC
 * 7489 section 6.6.1: DMARC is evaluated for each); the mailboxes of other
 * domains beyond are counted in authors_over, not evaluated. */
#define MXCI_MSG_MAX_AUTHORS MXC_MAX_AUTHORS

/* What the header says, for the rules (a copy: the message may go). */
struct mxci_msg_facts {
  int present;             /* a message was given */
  size_t nfields, header_octets, long_lines;
  size_t from_count, from_mailboxes; /* From fields; mailboxes of the
                                      * first From field */
  int from_ok;             /* the first mailbox parsed as local@domain */
  size_t nauthors;         /* distinct author domains in author[], in
                            * order; author[0] is from_domain when set */
  char author[MXCI_MSG_MAX_AUTHORS][256];
  size_t authors_over;     /* mailboxes whose domain was past the limit */
  size_t author_mailboxes; /* mailboxes of every From field */
  char from_addr[256], from_domain[256], from_display[256];
  int display_has_addr, display_other_domain;
  char display_domain[256];
  int msgid_ok, date_ok, ew_in_addr;
  int lu_present, lu_https, lu_mailto, lu_malformed, lup_present, lup_ok;
  int list_id, arc, arc_cv_fail, precedence_bulk;
  size_t nfind;            /* RFC 5322 findings (rule R12) */
  struct {
    int fail;
    char *text;
  } find[MXCI_MSG_MAX_FINDINGS];
};

void mxci_msg_facts(const mxc_msg_t *m, struct mxci_msg_facts *f);
void mxci_msg_facts_clear(struct mxci_msg_facts *f);

/* One evaluated rule of a "compliance" result. */
struct mxci_rule_res {
  const char *id, *title, *source; /* static */
  int required;                    /* 0: a recommendation */
  mxc_rule_state_t state;
  mxc_unknown_t why;               /* why unknown; MXC_UNKNOWN_NONE else */
  char *evidence, *fix;
};

enum { MXCI_SUB_IPREV, MXCI_SUB_SPF, MXCI_SUB_DKIM, MXCI_SUB_DMARC,
       MXCI_SUB_ARC, MXCI_SUB_EXIST, MXCI_SUB_DNSBL, MXCI_SUB_N };

/* The envelope of a compliance report (struct mxci_comp src[]). */
enum { MXCI_ENV_IP, MXCI_ENV_HELO, MXCI_ENV_MAIL_FROM, MXCI_ENV_N };

/* The compliance part of a result (mxc_result_t.data); profile NULL: the
 * client address did not parse, nothing was checked. */
struct mxci_comp {
  char *profile;
  size_t nrules;
  struct mxci_rule_res *rules;
  mxc_result_t *sub[MXCI_SUB_N]; /* NULL: not run */
  char *from_domain;             /* "" when none */
  char *mail_from, *helo;        /* NULL when not given */
  char *src[MXCI_ENV_N];         /* where each came from ("given", "Received
                                  * field N (line L)"); NULL: not known */
  char *trace_note;              /* what the trace fields did not give */
  int traced;                    /* the message's trace fields were read */
  /* DMARC of every author domain (RFC 7489 section 6.6.1), in From order;
   * sub[MXCI_SUB_DMARC] is a copy of the decisive one, dmarc[decisive].
   * NULL entries: that domain's check could not be started. */
  size_t ndmarc, decisive;
  mxc_result_t **dmarc;
  size_t authors_over;           /* mailboxes past MXCI_MSG_MAX_AUTHORS */
};

#define MXCI_COMPR(r) ((struct mxci_comp *)(r)->data)

extern const struct mxci_method mxci_compliance_method;

#endif /* MXC_COMPLIANCE_PRIVATE_H */
