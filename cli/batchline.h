/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * batchline.h -- the input syntax of the CLI that is not the library's:
 * one line of --batch ("ADDRESS [MAIL-FROM [HELO]]"), MAIL FROM forms and
 * domain names.  Apart from mxcheck.c so that a fuzz target reaches it
 * (tests/fuzz/fuzz_batchline.c).
 */
#ifndef MXCLI_BATCHLINE_H
#define MXCLI_BATCHLINE_H

#define BL_MAX_LINE 1024 /* octets of a --batch line, LF excluded */

/* A --batch line taken apart; the strings point into the line. */
struct bl_line {
  const char *addr;      /* the ADDRESS (or HOST) */
  const char *mail_from; /* NULL: not given, or "<>" (see null_sender) */
  const char *helo;      /* NULL: not given */
  int nfields;           /* 1 to 3 */
  int null_sender;       /* MAIL-FROM given as "<>" */
};

/* s without its leading blanks and its trailing blanks, CR and LF (cut in
 * place). */
char *bl_trim(char *s);
/* A domain name as DNS carries it: labels of 1-63 octets (letters, digits,
 * '-', '_', or UTF-8), at most 253 octets, a final dot allowed. */
int bl_is_domain(const char *s);
/* NULL when s is a usable MAIL FROM, with or without <angle brackets>:
 * empty (the null sender), local-part@domain, or a domain alone or after
 * a bare @ (RFC 7208 section 4.3: the local-part is then "postmaster");
 * else why not. */
const char *bl_bad_mail_from(const char *s);
/* Takes the line s apart in place.  Returns 0 with *b filled, 1 for a
 * line to pass over (blank or a # comment), or -1 with *why saying why the
 * line is refused (b is filled as far as the line went).  Whether a null
 * sender has a HELO name (the line's or --helo) is the caller's to ask. */
int bl_parse(char *s, struct bl_line *b, const char **why);

#endif
