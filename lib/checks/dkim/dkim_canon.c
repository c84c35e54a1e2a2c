/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim_canon.c -- the relaxed body canonicalisation of RFC 6376 section
 * 3.4.4 and its hashes, done here for the messages whose signatures are all
 * verified on learned keys (dkim.c, own_decide()); see the comment above
 * own_decide() in dkim.c for why and when.  It is libopendkim's state
 * machine, quirks kept, so that both give the same body hash:
 * MXC_DKIM_CANON_CHECK=1, tests/dkim/run.sh and fuzz_dkimcanon compare them.
 */
#include "mxc_private.h"
#include "dkim_private.h"

#include <openssl/evp.h>
#include <stddef.h>
#include <string.h>

#define OWN_OUT 8192

struct mxci_dkim_canon {
  int state;        /* 0..3, as libopendkim's canon_bodystate */
  int blankline;    /* no content since the last CRLF */
  size_t blanks;    /* empty lines held */
  size_t run;       /* octets of the run being read (libopendkim's
                       canon_buf), already in out[] */
  EVP_MD_CTX *md[2]; /* SHA-1, SHA-256: those the signatures need */
  unsigned char bh[2][EVP_MAX_MD_SIZE];
  unsigned bhlen[2];
  size_t olen;
  unsigned char out[OWN_OUT];
};

void mxci_dkim_canon_free(struct mxci_dkim_canon *oc)
{
  if (oc == NULL)
    return;
  EVP_MD_CTX_free(oc->md[0]);
  EVP_MD_CTX_free(oc->md[1]);
  mxci_free(oc);
}

static void own_flush(struct mxci_dkim_canon *oc)
{
  int i;
  for (i = 0; i < 2; i++)
    if (oc->md[i] && oc->olen)
      EVP_DigestUpdate(oc->md[i], oc->out, oc->olen);
  oc->olen = 0;
}

static void own_put(struct mxci_dkim_canon *oc, const char *p, size_t n)
{
  while (n > 0) {
    size_t room = OWN_OUT - oc->olen, k = n < room ? n : room;
    memcpy(oc->out + oc->olen, p, k);
    oc->olen += k;
    p += k;
    n -= k;
    if (oc->olen == OWN_OUT)
      own_flush(oc);
  }
}

/* libopendkim's dkim_canon_flushblanks(). */
static void own_blanks(struct mxci_dkim_canon *oc)
{
  for (; oc->blanks > 0; oc->blanks--)
    own_put(oc, "\r\n", 2);
}

/* Output room kept free while a slice of input is read: a slice of n
 * octets writes at most n + 1 (the white space or CR before it may be in the
 * slice before), empty lines held aside (own_blanks() makes room again). */
#define OWN_SLICE (OWN_OUT / 2 - 16)

/* Write the empty lines held, with the output at *o; room kept. */
static unsigned char *own_blanks_at(struct mxci_dkim_canon *oc, unsigned char *o)
{
  oc->olen = (size_t)(o - oc->out);
  own_blanks(oc);
  if (oc->olen > OWN_OUT / 2)
    own_flush(oc);
  return oc->out + oc->olen;
}

/* What ends a run: white space, CR. */
static const unsigned char own_stop[256] = {['\t'] = 1, [' '] = 1, ['\r'] = 1};

/* Octets p[0..8) (p[8] readable) copy through in state 3: no TAB, no CR,
 * and no space followed by white space or CR (a single space between two
 * runs is written as it is).  0 also when unsure (see HAS0). */
#define ONES UINT64_C(0x0101010101010101)
#define HAS0(v) (((v) - ONES) & ~(v) & (ONES << 7))
static int own_plain8(const unsigned char *p)
{
  uint64_t x, y;
  memcpy(&x, p, 8);
  memcpy(&y, p + 1, 8);
  if (HAS0(x ^ (ONES * '\t')) | HAS0(x ^ (ONES * '\r')))
    return 0;
  /* the bytes of HAS0 past the first zero byte may be set too: a space
   * taken for one only sends the octets to the slow path */
  return (HAS0(x ^ (ONES * ' ')) &
          (HAS0(y ^ (ONES * ' ')) | HAS0(y ^ (ONES * '\t')) |
           HAS0(y ^ (ONES * '\r')))) == 0;
}
#undef HAS0
#undef ONES

/* One slice (at most OWN_SLICE octets), the output written in place. */
static void own_slice(struct mxci_dkim_canon *oc, const unsigned char *p,
                      const unsigned char *end)
{
  unsigned char *o = oc->out + oc->olen;
  int state = oc->state;
  while (p < end) {
    unsigned char c = 0;
    if (state == 3) {
      /* a run: copied up to white space or CR; a single space between
       * two runs is copied too (libopendkim: to state 1 and back) */
      for (;;) {
        /* eight octets at a time while none of them ends the run */
        while (end - p > 8 && own_plain8(p)) {
          memcpy(o, p, 8);
          o += 8;
          p += 8;
        }
        while (p < end && !own_stop[c = *p]) {
          *o++ = c;
          p++;
        }
        if (p + 1 < end && c == ' ' && !own_stop[p[1]]) {
          *o++ = ' ';
          p++;
          continue;
        }
        break;
      }
      if (p == end)
        break;
      p++;
      if (c == '\r') {
        state = 2;
      } else {
        if (oc->blanks) /* LCOV_EXCL_LINE: written when the run began */
          o = own_blanks_at(oc, o); /* LCOV_EXCL_LINE */
        oc->run = 0;
        state = 1;
      }
      continue;
    }
    c = *p++;
    switch (state) {
    case 0:
      if (c == ' ' || c == '\t') {
        state = 1;
      } else if (c == '\r') {
        state = 2;
      } else {
        oc->blankline = 0;
        if (oc->blanks)
          o = own_blanks_at(oc, o);
        *o++ = c; /* a run begins (libopendkim: dkim_dstring_cat1()) */
        oc->run = 1;
        state = 3;
      }
      break;
    case 1:
      if (c == ' ' || c == '\t') {
      } else if (c == '\r') {
        state = 2;
      } else {
        if (oc->blanks)
          o = own_blanks_at(oc, o);
        *o++ = ' ';
        oc->blankline = 0;
        *o++ = c;
        oc->run = 1;
        state = 3;
      }
      break;
    default: /* 2: after CR */
      if (c == '\n') {
        if (oc->blankline) {
          oc->blanks++;
        } else {
          if (oc->blanks) /* LCOV_EXCL_LINE: written before the content */
            o = own_blanks_at(oc, o); /* LCOV_EXCL_LINE */
          *o++ = '\r'; /* the run was written already */
          *o++ = '\n';
          oc->run = 0;
          oc->blankline = 1;
        }
        state = 0;
      } else if (c == '\r') {
        oc->blankline = 0;
        if (oc->run == 0 && oc->blanks)
          o = own_blanks_at(oc, o);
        *o++ = c;
        oc->run++;
      } else if (c == ' ' || c == '\t') {
        if (oc->blanks)
          o = own_blanks_at(oc, o);
        oc->run = 0;
        state = 1;
      } else {
        oc->blankline = 0;
        if (oc->run == 0 && oc->blanks)
          o = own_blanks_at(oc, o);
        *o++ = c;
        oc->run++;
        state = 3;
      }
      break;
    }
  }
  oc->state = state;
  oc->olen = (size_t)(o - oc->out);
}

void mxci_dkim_canon_body(struct mxci_dkim_canon *oc, const char *p, size_t n)
{
  const unsigned char *u = (const unsigned char *)p;
  while (n > 0) {
    size_t k = n < OWN_SLICE ? n : OWN_SLICE;
    if (oc->olen > OWN_OUT / 2)
      own_flush(oc);
    own_slice(oc, u, u + k);
    u += k;
    n -= k;
  }
}

/* The end of the body: the hashes.  -1 when libopendkim would find the
 * body's final CRLF missing (a run still open). */
int mxci_dkim_canon_close(struct mxci_dkim_canon *oc)
{
  int i;
  if (oc->run > 0)
    return -1;
  own_flush(oc);
  for (i = 0; i < 2; i++)
    if (oc->md[i] &&
        EVP_DigestFinal_ex(oc->md[i], oc->bh[i], &oc->bhlen[i]) != 1)
      oc->bhlen[i] = 0; /* LCOV_EXCL_LINE: OpenSSL failed */
  return 0;
}

struct mxci_dkim_canon *mxci_dkim_canon_new(int sha1, int sha256)
{
  struct mxci_dkim_canon *oc = mxci_malloc(sizeof(*oc));
  int i, need[2] = {sha1, sha256};
  if (oc == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  memset(oc, 0, offsetof(struct mxci_dkim_canon, out));
  oc->blankline = 1;
  for (i = 0; i < 2; i++)
    if (need[i] &&
        ((oc->md[i] = EVP_MD_CTX_new()) == NULL ||
         EVP_DigestInit_ex(oc->md[i], i == 0 ? EVP_sha1() : EVP_sha256(),
                           NULL) != 1)) {
      mxci_dkim_canon_free(oc); /* LCOV_EXCL_LINE: OpenSSL failed */
      return NULL;              /* LCOV_EXCL_LINE: OpenSSL failed */
    }
  return oc;
}

const unsigned char *mxci_dkim_canon_hash(const struct mxci_dkim_canon *oc,
                                          int sha256, unsigned *len)
{
  *len = oc->bhlen[sha256 ? 1 : 0];
  return oc->bh[sha256 ? 1 : 0];
}
