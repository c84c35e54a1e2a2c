/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * msgsplit.h -- split a message read in chunks into header fields and body
 * (RFC 5322 section 2.1, 2.2.3), for mxcheck --message.
 *
 * Fed any chunks (a read(2) at a time), it calls:
 *   field(arg, f, len)  one header field as received, folds included,
 *                       without its final line end (LF or CRLF kept as
 *                       they are inside the field)
 *   eoh(arg)            once, at the empty line ending the header, at the
 *                       first line that is not a field (the header ended
 *                       without its empty line: *warned says so), or at the
 *                       end of the input
 *   body(arg, p, len)   body octets, in the caller's chunks, not copied
 * A callback returning non-zero stops the split: later input is ignored.
 * A first line "From " (an mbox separator) is skipped.  Memory is bounded
 * by max_field: a longer field is handed over cut at max_field + 3 octets
 * (so that the receiver sees it is too long, even after taking off a line
 * end) and the rest of it is dropped.  A header line is judged by what fits
 * in that room: a fold or a field keeps its identity; any other over-long
 * line starts the body and is handed over whole, so that the body is
 * always exactly the message's tail (DKIM's body hash needs that).
 */
#ifndef MXCHECK_MSGSPLIT_H
#define MXCHECK_MSGSPLIT_H

#include <stddef.h>

struct msgsplit {
  int (*field)(void *arg, const char *f, size_t len);
  int (*eoh)(void *arg);
  int (*body)(void *arg, const char *p, size_t len);
  void *arg;
  size_t max_field;     /* octets of a field kept (0: unlimited) */
  /* state */
  int state;            /* MS_* in msgsplit.c */
  char *fld;            /* the field being gathered */
  size_t flen, fcap;
  int fcut;             /* fld was cut at max_field + 3 */
  char *line;           /* the current line, before its LF */
  size_t llen, lcap;
  int lcut;
  int lskip;            /* skipping the rest of an over-long header line */
  unsigned long lineno;
  unsigned long no_separator; /* line where the header ended without the
                                 empty line (0: it did not) */
};

void msgsplit_init(struct msgsplit *m);
/* 0, or what a callback returned (the split stopped), or -1 out of
 * memory. */
int msgsplit_feed(struct msgsplit *m, const char *p, size_t n);
/* End of input. */
int msgsplit_end(struct msgsplit *m);
void msgsplit_free(struct msgsplit *m);

#endif
