/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arc_private.h -- the ARC check (RFC 8617): verification of the ARC sets
 * of a streamed message, on OpenSSL, with the keys fetched through the
 * engine.  Its part of a result, its tag-list parser and canonicalisation
 * (arc_parse.c), the method table (arc_result.c).
 */
#ifndef MXC_ARC_PRIVATE_H
#define MXC_ARC_PRIVATE_H

#include "mxc_private.h"

/* ---- arc_parse.c: tag=value lists (RFC 6376 section 3.2) ---------------- */

#define MXCI_ARC_MAX_TAGS 64

struct mxci_arc_tag {
  const char *name; /* points into the parsed text; not NUL-terminated */
  size_t nlen;
  const char *val;  /* the value, its leading and trailing FWS left out */
  size_t vlen;
};

struct mxci_arc_tags {
  size_t n;
  struct mxci_arc_tag t[MXCI_ARC_MAX_TAGS];
};

/* Parse a tag-list.  Returns NULL, or a static text saying why it is not
 * one (a tag without '=', a bad tag name, a value octet outside VALCHAR, a
 * duplicated tag, more than MXCI_ARC_MAX_TAGS tags). */
const char *mxci_arc_tags_parse(const char *s, size_t len,
                                struct mxci_arc_tags *out);
/* The tag of that name, or NULL. */
const struct mxci_arc_tag *mxci_arc_tag(const struct mxci_arc_tags *t,
                                        const char *name);
/* The instance of an ARC-Authentication-Results value ("i=N; ..."):
 * 1..999999, or -1 when the value does not start with one. */
long mxci_arc_aar_instance(const char *s, size_t len);
/* Decode base64 with folding white space in it; NULL when malformed (or
 * out of memory).  *outlen: decoded octets. */
unsigned char *mxci_arc_b64(const char *s, size_t len, size_t *outlen);

/* Header canonicalisation (RFC 6376 section 3.4.1, 3.4.2) of the field
 * f[0..len) (line ends LF or CRLF, no final line end), appended to b with
 * a final CRLF.  blank_b: the value of its b= tag is left out (the
 * signature's own field, section 3.7). */
void mxci_arc_canon_header(struct mxci_buf *b, const char *f, size_t len,
                           int relaxed, int blank_b);

/* Streaming body canonicalisation (RFC 6376 section 3.4.3, 3.4.4): line
 * ends LF or CRLF in, CRLF out; `out` is called with canonical octets. */
struct mxci_arc_body {
  int relaxed;
  int cr;          /* a CR was the last octet, its LF not yet seen */
  int started;     /* the current line has content */
  int wsp;         /* relaxed: white space pending in the line */
  int any;         /* octets were given out */
  size_t empty;    /* empty lines pending */
  void (*out)(void *arg, const char *p, size_t n);
  void *arg;
};
void mxci_arc_body_feed(struct mxci_arc_body *c, const char *p, size_t n);
void mxci_arc_body_end(struct mxci_arc_body *c);

/* ---- the result ----------------------------------------------------------- */

/* One ARC set (instance i) of an "arc" result. */
struct mxci_arc_set {
  int instance;
  char *authserv_id;            /* of the AAR, printable */
  mxc_verdict_t ams, as;        /* each signature's verdict (none: not
                                 * verified) */
  char *ams_domain, *ams_selector, *ams_error, *ams_reason;
  char *as_domain, *as_selector, *as_error, *as_reason;
  char *cv;                     /* the AS's cv=, printable */
};

/* The ARC part of a result (mxc_result_t.data). */
struct mxci_arc {
  size_t nsets;
  struct mxci_arc_set *sets;    /* instance 1 first */
  char *error;                  /* stable code of the chain's verdict */
  int oldest_pass;              /* RFC 8617 section 5.2 step 4; -1: not
                                 * determined */
};

#define MXCI_ARCR(r) ((struct mxci_arc *)(r)->data)

extern const struct mxci_method mxci_arc_method;

#endif /* MXC_ARC_PRIVATE_H */
