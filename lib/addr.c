/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * addr.c -- parse every textual form of an IP address a mail admin or an
 * MTA may hand us, and build its reverse DNS name.
 */
#include "mxc_private.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <strings.h>

/* b as dotted decimal at p; returns the end. */
static char *format4(const unsigned char *b, char *p)
{
  int i;
  for (i = 0; i < 4; i++) {
    unsigned v = b[i];
    if (i)
      *p++ = '.';
    if (v >= 100)
      *p++ = (char)('0' + v / 100);
    if (v >= 10)
      *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
  }
  return p;
}

/*
 * The text form of an address: RFC 5952 for IPv6 (lowercase, no leading
 * zeros, the first longest run of two or more zero groups as "::"), with
 * the last 32 bits dotted after "::" and "::ffff:", exactly as glibc's
 * inet_ntop() writes it (tests/check_unit.c compares the two).  By hand
 * because inet_ntop() goes through sprintf() for every group, which made
 * it a tenth of a whole iprev check.
 */
void mxci_addr_format(int family, const unsigned char *b, char *out,
                      size_t outlen)
{
  static const char hex[] = "0123456789abcdef";
  char tmp[sizeof("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255")];
  char *p = tmp;
  unsigned w[8];
  int i, best = -1, bestlen = 0, cur = -1, curlen = 0;
  size_t n;

  if (family == 4) {
    p = format4(b, p);
  } else {
    for (i = 0; i < 8; i++)
      w[i] = (unsigned)(b[2 * i] << 8 | b[2 * i + 1]);
    for (i = 0; i <= 8; i++) {
      if (i < 8 && w[i] == 0) {
        if (cur < 0)
          cur = i, curlen = 0;
        curlen++;
      } else if (cur >= 0) {
        if (curlen > bestlen)
          best = cur, bestlen = curlen;
        cur = -1;
      }
    }
    if (bestlen < 2)
      best = -1;
    for (i = 0; i < 8; i++) {
      int sh;
      if (best >= 0 && i >= best && i < best + bestlen) {
        if (i == best)
          *p++ = ':';
        continue;
      }
      if (i)
        *p++ = ':';
      if (i == 6 && best == 0 &&
          (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
        p = format4(b + 12, p);
        break;
      }
      for (sh = 12; sh > 0 && (w[i] >> sh) == 0; sh -= 4)
        ;
      for (; sh >= 0; sh -= 4)
        *p++ = hex[(w[i] >> sh) & 0xf];
    }
    if (best >= 0 && best + bestlen == 8)
      *p++ = ':';
  }
  n = (size_t)(p - tmp);
  if (n >= outlen) {
    if (outlen)
      snprintf(out, outlen, "?");
    return;
  }
  memcpy(out, tmp, n);
  out[n] = '\0';
}

static void build_reverse(struct mxci_addr *a)
{
  static const char hex[] = "0123456789abcdef";
  if (a->family == 4) {
    snprintf(a->rev, sizeof(a->rev), "%u.%u.%u.%u.in-addr.arpa", a->b[3],
             a->b[2], a->b[1], a->b[0]);
  } else {
    char *p = a->rev;
    int i;
    /* RFC 3596 section 2.5: nibbles in reverse order. */
    for (i = 15; i >= 0; i--) {
      *p++ = hex[a->b[i] & 0xf];
      *p++ = '.';
      *p++ = hex[a->b[i] >> 4];
      *p++ = '.';
    }
    memcpy(p, "ip6.arpa", sizeof("ip6.arpa"));
  }
}

int mxci_addr_parse(const char *in, struct mxci_addr *out, char *err,
                    size_t errlen)
{
  char buf[INET6_ADDRSTRLEN + 16];
  const char *s = in;
  size_t n;
  unsigned char b6[16];
  static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0,    0,
                                                  0, 0, 0, 0, 0xff, 0xff};

  memset(out, 0, sizeof(*out));
  if (in == NULL || *in == '\0') {
    snprintf(err, errlen, "empty address");
    return -1;
  }
  n = strlen(s);
  /* Literal in brackets, as in SMTP address literals "[192.0.2.1]". */
  if (s[0] == '[') {
    if (s[n - 1] != ']') {
      snprintf(err, errlen, "unbalanced '[' in address");
      return -1;
    }
    s++;
    n -= 2;
  }
  /* Sendmail's and RFC 5321's "IPv6:" tag. */
  if (n >= 5 && strncasecmp(s, "IPv6:", 5) == 0) {
    s += 5;
    n -= 5;
    if (memchr(s, ':', n) == NULL) {
      snprintf(err, errlen, "'IPv6:' prefix on something that is not IPv6");
      return -1;
    }
  }
  if (n == 0 || n >= sizeof(buf)) {
    snprintf(err, errlen, n ? "address too long" : "empty address");
    return -1;
  }
  memcpy(buf, s, n);
  buf[n] = '\0';
  if (strchr(buf, '%') != NULL) {
    snprintf(err, errlen,
             "zone index (%%...) is for link-local addresses, which mail "
             "receivers never see");
    return -1;
  }

  if (strchr(buf, ':') == NULL) {
    if (inet_pton(AF_INET, buf, out->b) != 1) {
      snprintf(err, errlen,
               "not an IPv4 address (expected four decimal numbers 0-255 "
               "without leading zeros, as in 192.0.2.1)");
      return -1;
    }
    out->family = 4;
  } else {
    if (inet_pton(AF_INET6, buf, b6) != 1) {
      snprintf(err, errlen, "not an IPv6 address (as in 2001:db8::25)");
      return -1;
    }
    if (memcmp(b6, mapped_prefix, 12) == 0) {
      /* RFC 4291 section 2.5.5.2: checked as the IPv4 address it maps. */
      out->family = 4;
      out->mapped = 1;
      memcpy(out->b, b6 + 12, 4);
    } else {
      out->family = 6;
      memcpy(out->b, b6, 16);
    }
  }
  mxci_addr_format(out->family, out->b, out->text, sizeof(out->text));
  build_reverse(out);
  return 0;
}

const char *mxci_addr_nonglobal(const struct mxci_addr *a)
{
  const unsigned char *b = a->b;
  static const unsigned char zero[16];
  if (a->family == 4) {
    if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
        (b[0] == 192 && b[1] == 168))
      return "a private address (RFC 1918)";
    if (b[0] == 127)
      return "a loopback address";
    if (b[0] == 169 && b[1] == 254)
      return "a link-local address";
    if (b[0] == 100 && (b[1] & 0xc0) == 64)
      return "a carrier-grade NAT address (RFC 6598)";
    if (b[0] == 0)
      return "an unspecified address";
    return NULL;
  }
  if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
    return b[15] ? "the loopback address" : "the unspecified address";
  if ((b[0] & 0xfe) == 0xfc)
    return "a unique local address (RFC 4193)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
    return "a link-local address";
  return NULL;
}
