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

#define MXCI_MSG_MAX_FINDINGS 24
#define MXCI_MSG_BIG_HEADER (256 * 1024)

/* What the header says, for the rules (a copy: the message may go). */
struct mxci_msg_facts {
  int present;             /* a message was given */
  size_t nfields, header_octets, long_lines;
  size_t from_count, from_mailboxes;
  int from_ok;             /* the first mailbox parsed as local@domain */
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

/* The compliance part of a result (mxc_result_t.data); profile NULL: the
 * client address did not parse, nothing was checked. */
struct mxci_comp {
  char *profile;
  size_t nrules;
  struct mxci_rule_res *rules;
  mxc_result_t *sub[MXCI_SUB_N]; /* NULL: not run */
  char *from_domain;             /* "" when none */
  char *mail_from, *helo;        /* NULL when not given */
};

#define MXCI_COMPR(r) ((struct mxci_comp *)(r)->data)

extern const struct mxci_method mxci_compliance_method;

#endif /* MXC_COMPLIANCE_PRIVATE_H */
