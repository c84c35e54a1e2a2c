/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnsmsg.c -- build queries and parse responses (RFC 1035 section 4).
 *
 * Our own parser rather than c-ares's ares_parse_*_reply helpers: we need
 * the AD bit, the TTLs of every record, the SOA of negative answers and the
 * CNAME chain, and every answer is hostile until parsed.  Names are turned
 * into presentation form with RFC 1035 section 5.1 escapes, so a label with
 * a NUL, a dot or a non-ASCII byte can be shown and never truncates a C
 * string.
 */
#include "mxc_private.h"

#include <stdio.h>

#define HDR_LEN 12

static uint16_t get16(const unsigned char *p)
{
  return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | p[3];
}

/* ---- building ------------------------------------------------------------ */

/* Encode a presentation name (with \. and \DDD escapes) as wire labels. */
static int encode_name(const char *name, unsigned char *out, size_t outlen)
{
  size_t o = 0, total = 0;
  const char *p = name;

  if (strcmp(name, ".") == 0 || *name == '\0') {
    if (outlen < 1)
      return -1;
    out[0] = 0;
    return 1;
  }
  while (*p) {
    unsigned char label[64];
    size_t ll = 0;
    while (*p && *p != '.') {
      int c = (unsigned char)*p++;
      if (c == '\\') {
        if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
            p[2] >= '0' && p[2] <= '9') {
          c = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
          if (c > 255)
            return -1;
          p += 3;
        } else if (*p) {
          c = (unsigned char)*p++;
        } else {
          return -1;
        }
      }
      if (ll >= 63)
        return -1; /* RFC 1035 section 2.3.4: labels are 63 octets */
      label[ll++] = (unsigned char)c;
    }
    if (ll == 0)
      return -1; /* empty label: "a..b" or a leading dot */
    if (*p == '.')
      p++;
    total += ll + 1;
    if (total + 1 > 255 || o + ll + 1 >= outlen)
      return -1; /* RFC 1035 section 2.3.4: names are 255 octets */
    out[o++] = (unsigned char)ll;
    memcpy(out + o, label, ll);
    o += ll;
  }
  if (o + 1 > outlen)
    return -1;
  out[o++] = 0;
  return (int)o;
}

int mxci_dns_encode_name(const char *name, unsigned char *out, size_t outlen)
{
  return encode_name(name, out, outlen);
}

int mxci_dns_build_query(const char *name, uint16_t type, int edns,
                         unsigned char *buf, size_t buflen)
{
  int nl;
  size_t o;

  if (buflen < HDR_LEN + 4 + 11)
    return -1;
  memset(buf, 0, HDR_LEN);
  /* RD, and AD: RFC 6840 section 5.7 asks a validating resolver to tell
   * whether the answer was validated even without DO. */
  buf[2] = 0x01;
  buf[3] = 0x20;
  buf[5] = 1; /* QDCOUNT */
  nl = encode_name(name, buf + HDR_LEN, buflen - HDR_LEN - 4 - 11);
  if (nl < 0)
    return -1;
  o = HDR_LEN + (size_t)nl;
  buf[o++] = (unsigned char)(type >> 8);
  buf[o++] = (unsigned char)type;
  buf[o++] = 0;
  buf[o++] = 1; /* IN */
  if (edns) {
    /* RFC 6891 OPT: root owner, type 41, class = UDP size 1232, DO set.
     * It is the last 11 bytes, which is what c-ares strips on FORMERR. */
    buf[11] = 1; /* ARCOUNT */
    buf[o++] = 0;
    buf[o++] = 0;
    buf[o++] = MXCI_T_OPT;
    buf[o++] = 1232 >> 8;
    buf[o++] = 1232 & 0xff;
    buf[o++] = 0;    /* extended rcode */
    buf[o++] = 0;    /* version */
    buf[o++] = 0x80; /* DO */
    buf[o++] = 0;
    buf[o++] = 0; /* rdlen */
    buf[o++] = 0;
  }
  return (int)o;
}

/* ---- parsing ------------------------------------------------------------- */

/*
 * Read a possibly compressed name at *off.  Pointers must go strictly
 * backwards (RFC 1035 section 4.1.4 only allows "a prior occurrence"), which
 * makes loops impossible; the jump count is bounded all the same.
 */
/* 1: an octet a name's text shows as it is (not '.', '\\', controls,
 * space or beyond 0x7e) */
static const unsigned char plain_octet[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
};

static int read_name(const unsigned char *pkt, size_t len, size_t *off,
                     char *out, size_t outlen)
{
  size_t p = *off, o = 0, wire = 0;
  size_t limit = *off; /* pointers must go before this */
  int jumped = 0, jumps = 0;

  for (;;) {
    unsigned c;
    if (p >= len)
      return -1;
    c = pkt[p];
    if ((c & 0xc0) == 0xc0) {
      size_t target;
      if (p + 1 >= len)
        return -1;
      target = ((c & 0x3f) << 8) | pkt[p + 1];
      if (target >= limit || ++jumps > 64)
        return -1; /* forward pointer or loop */
      if (!jumped)
        *off = p + 2;
      jumped = 1;
      limit = target;
      p = target;
      continue;
    }
    if ((c & 0xc0) != 0)
      return -1; /* 0x40 / 0x80: extended label types, not allowed */
    p++;
    if (c == 0)
      break;
    if (p + c > len)
      return -1;
    wire += c + 1;
    if (wire + 1 > 255)
      return -1;
    if (o > 0) {
      if (o + 1 >= outlen)
        return -1;
      out[o++] = '.';
    }
    /* A label of letters, digits and hyphens (nearly all) is copied as it
     * is; others octet by octet, escaping as RFC 1035 section 5.1 does. */
    if (o + c + 1 < outlen) {
      unsigned i = 0;
      while (i < c && plain_octet[pkt[p + i]])
        i++;
      if (i == c) {
        memcpy(out + o, pkt + p, c);
        o += c;
        p += c;
        continue;
      }
    }
    for (unsigned i = 0; i < c; i++) {
      unsigned char ch = pkt[p + i];
      if (ch == '.' || ch == '\\' || ch <= 0x20 || ch >= 0x7f) {
        if (o + 4 >= outlen)
          return -1;
        if (ch == '.' || ch == '\\') {
          out[o++] = '\\';
          out[o++] = (char)ch;
        } else {
          o += (size_t)snprintf(out + o, outlen - o, "\\%03u", ch);
        }
      } else {
        if (o + 1 >= outlen)
          return -1;
        out[o++] = (char)ch;
      }
    }
    p += c;
  }
  if (!jumped)
    *off = p;
  if (o == 0) {
    out[o++] = '.';
  }
  out[o] = '\0';
  return 0;
}

static void rr_clear(struct mxci_rr *rr)
{
  mxci_free(rr->owner);
  mxci_free(rr->name);
  mxci_free(rr->data);
  memset(rr, 0, sizeof(*rr));
}

void mxci_answer_clear(struct mxci_answer *ans)
{
  size_t i;
  for (i = 0; i < ans->nan; i++)
    rr_clear(&ans->an[i]);
  for (i = 0; i < ans->nns; i++)
    rr_clear(&ans->ns[i]);
  mxci_free(ans->an);
  mxci_free(ans->ns);
  mxci_free(ans->cause);
  memset(ans, 0, sizeof(*ans));
}

static int bad(struct mxci_answer *ans, const char *why)
{
  mxci_free(ans->cause);
  ans->cause = mxci_asprintf("malformed answer: %s", why);
  ans->err = ARES_EBADRESP;
  return -1;
}

/* Parse one RR at *off into rr; 1 = parsed, 0 = skipped (not needed), -1. */
static int parse_rr(const unsigned char *pkt, size_t len, size_t *off,
                    struct mxci_rr *rr, struct mxci_answer *ans)
{
  char name[MXCI_MAX_NAME];
  uint16_t type, rdlen;
  uint32_t ttl;
  size_t rd;

  if (read_name(pkt, len, off, name, sizeof(name)) < 0)
    return bad(ans, "bad owner name");
  if (*off + 10 > len)
    return bad(ans, "record header past the end");
  type = get16(pkt + *off);
  ttl = get32(pkt + *off + 4);
  if (ttl > 0x7fffffff)
    ttl = 0; /* RFC 2181 section 8: treat as zero */
  rdlen = get16(pkt + *off + 8);
  rd = *off + 10;
  if (rd + rdlen > len)
    return bad(ans, "record data past the end");
  *off = rd + rdlen;
  if (get16(pkt + rd - 8) != 1 && type != MXCI_T_OPT)
    return 0; /* not class IN */

  memset(rr, 0, sizeof(*rr));
  rr->type = type;
  rr->ttl = ttl;
  switch (type) {
  case MXCI_T_A:
    if (rdlen != 4)
      return bad(ans, "A record whose data is not 4 bytes");
    memcpy(rr->addr, pkt + rd, 4);
    break;
  case MXCI_T_AAAA:
    if (rdlen != 16)
      return bad(ans, "AAAA record whose data is not 16 bytes");
    memcpy(rr->addr, pkt + rd, 16);
    break;
  case MXCI_T_PTR:
  case MXCI_T_CNAME:
  case MXCI_T_NS:
  case MXCI_T_MX:
  case MXCI_T_SOA: {
    char target[MXCI_MAX_NAME];
    size_t p = rd;
    if (type == MXCI_T_MX) {
      if (rdlen < 3)
        return bad(ans, "MX record too short");
      rr->pref = get16(pkt + rd);
      p += 2;
    }
    /* Names inside rdata may be compressed (RFC 3597 section 4 lists the
     * types); they must stay inside the rdata. */
    if (read_name(pkt, rd + rdlen, &p, target, sizeof(target)) < 0)
      return bad(ans, type == MXCI_T_PTR ? "bad name in PTR record"
                                         : "bad name in record data");
    if (type == MXCI_T_SOA) {
      char rname[MXCI_MAX_NAME];
      if (read_name(pkt, rd + rdlen, &p, rname, sizeof(rname)) < 0 ||
          p + 20 > rd + rdlen)
        return bad(ans, "bad SOA record");
      rr->soa_minimum = get32(pkt + p + 16);
    } else if (p != rd + rdlen) {
      return bad(ans, "record data longer than its name");
    }
    rr->name = mxci_strdup(target);
    if (rr->name == NULL)
      return -2; /* LCOV_EXCL_LINE: OutOfMemory */
    break;
  }
  case MXCI_T_TXT:
  case MXCI_T_SPF: {
    size_t p = rd, o = 0;
    rr->rdlen = rdlen;
    rr->data = mxci_malloc(rdlen + 1u);
    if (rr->data == NULL)
      return -2; /* LCOV_EXCL_LINE: OutOfMemory */
    while (p < rd + rdlen) {
      unsigned sl = pkt[p++];
      if (p + sl > rd + rdlen) {
        rr_clear(rr);
        return bad(ans, type == MXCI_T_TXT
                            ? "TXT string past the end of its record"
                            : "SPF string past the end of its record");
      }
      memcpy(rr->data + o, pkt + p, sl);
      o += sl;
      p += sl;
    }
    rr->data[o] = '\0';
    rr->datalen = o;
    break;
  }
  case MXCI_T_DNSKEY:
    /* kept as it is (no names inside): flags, protocol, algorithm, key */
    rr->rdlen = rdlen;
    rr->data = mxci_malloc(rdlen + 1u);
    if (rr->data == NULL)
      return -2; /* LCOV_EXCL_LINE: OutOfMemory */
    memcpy(rr->data, pkt + rd, rdlen);
    rr->data[rdlen] = 0;
    rr->datalen = rdlen;
    break;
  default:
    return 0; /* a type we do not use: skip it */
  }
  rr->owner = mxci_strdup(name);
  if (rr->owner == NULL) {
    rr_clear(rr); /* LCOV_EXCL_LINE: OutOfMemory */
    return -2;    /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return 1;
}

static int parse_section(const unsigned char *pkt, size_t len, size_t *off,
                         unsigned count, struct mxci_rr **out, size_t *nout,
                         struct mxci_answer *ans)
{
  unsigned i;
  size_t cap = count < MXCI_MAX_RRS ? count : MXCI_MAX_RRS;

  *out = NULL;
  *nout = 0;
  if (count == 0)
    return 0;
  *out = mxci_calloc(cap, sizeof(**out));
  if (*out == NULL)
    return -2; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < count; i++) {
    struct mxci_rr rr;
    int r = parse_rr(pkt, len, off, &rr, ans);
    if (r < 0)
      return r;
    if (r == 0)
      continue;
    if (*nout >= cap) {
      rr_clear(&rr); /* over the limit: counted, not kept */
      continue;
    }
    (*out)[(*nout)++] = rr;
  }
  return 0;
}

int mxci_dns_parse(const unsigned char *pkt, size_t len,
                   struct mxci_answer *ans)
{
  size_t off = HDR_LEN;
  unsigned qd, an, ns, i;
  int r;

  memset(ans, 0, sizeof(*ans));
  if (pkt == NULL || len < HDR_LEN)
    return bad(ans, "shorter than a DNS header");
  if (!(pkt[2] & 0x80))
    return bad(ans, "not a response");
  ans->tc = (pkt[2] & 0x02) != 0;
  ans->ad = (pkt[3] & 0x20) != 0;
  ans->rcode = pkt[3] & 0x0f;
  qd = get16(pkt + 4);
  an = get16(pkt + 6);
  ns = get16(pkt + 8);
  for (i = 0; i < qd; i++) {
    char name[MXCI_MAX_NAME];
    if (read_name(pkt, len, &off, name, sizeof(name)) < 0 || off + 4 > len)
      return bad(ans, "bad question section");
    off += 4;
  }
  r = parse_section(pkt, len, &off, an, &ans->an, &ans->nan, ans);
  if (r == 0)
    r = parse_section(pkt, len, &off, ns, &ans->ns, &ans->nns, ans);
  if (r == -2) {
    mxci_answer_clear(ans); /* LCOV_EXCL_LINE: OutOfMemory */
    ans->err = ARES_ENOMEM; /* LCOV_EXCL_LINE: OutOfMemory */
    return -1;              /* LCOV_EXCL_LINE: OutOfMemory */
  }
  if (r < 0) {
    /* Keep the cause, drop the partial records. */
    char *cause = ans->cause;
    ans->cause = NULL;
    mxci_answer_clear(ans);
    ans->cause = cause;
    ans->err = ARES_EBADRESP;
    return -1;
  }
  /* TTL for the cache: the smallest answer TTL; for a negative answer the
   * SOA's TTL capped by its MINIMUM field (RFC 2308 section 5). */
  ans->min_ttl = UINT32_MAX;
  for (i = 0; i < ans->nan; i++)
    if (ans->an[i].ttl < ans->min_ttl)
      ans->min_ttl = ans->an[i].ttl;
  if (ans->nan == 0) {
    for (i = 0; i < ans->nns; i++)
      if (ans->ns[i].type == MXCI_T_SOA) {
        uint32_t t = ans->ns[i].ttl < ans->ns[i].soa_minimum
                         ? ans->ns[i].ttl
                         : ans->ns[i].soa_minimum;
        if (t < ans->min_ttl)
          ans->min_ttl = t;
      }
  }
  if (ans->min_ttl == UINT32_MAX)
    ans->min_ttl = 0;
  ans->err = ARES_SUCCESS;
  return 0;
}

static int rr_copy(struct mxci_rr *d, const struct mxci_rr *s)
{
  *d = *s;
  d->owner = mxci_strdup(s->owner);
  d->name = s->name ? mxci_strdup(s->name) : NULL;
  d->data = NULL;
  if (s->data) {
    d->data = mxci_malloc(s->datalen + 1);
    if (d->data)
      memcpy(d->data, s->data, s->datalen + 1);
  }
  if (d->owner == NULL || (s->name && d->name == NULL) ||
      (s->data && d->data == NULL)) {
    rr_clear(d); /* LCOV_EXCL_LINE: OutOfMemory */
    return -1;   /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return 0;
}

struct mxci_answer *mxci_answer_dup(const struct mxci_answer *ans)
{
  struct mxci_answer *d = mxci_calloc(1, sizeof(*d));
  size_t i;
  if (d == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  *d = *ans;
  d->an = d->ns = NULL;
  d->nan = d->nns = 0;
  d->cause = NULL;
  if (ans->cause && (d->cause = mxci_strdup(ans->cause)) == NULL)
    goto fail; /* LCOV_EXCL_LINE: OutOfMemory */
  if (ans->nan) {
    d->an = mxci_calloc(ans->nan, sizeof(*d->an));
    if (d->an == NULL)
      goto fail; /* LCOV_EXCL_LINE: OutOfMemory */
    for (i = 0; i < ans->nan; i++, d->nan++)
      if (rr_copy(&d->an[i], &ans->an[i]) < 0)
        goto fail; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  if (ans->nns) {
    d->ns = mxci_calloc(ans->nns, sizeof(*d->ns));
    if (d->ns == NULL)
      goto fail; /* LCOV_EXCL_LINE: OutOfMemory */
    for (i = 0; i < ans->nns; i++, d->nns++)
      if (rr_copy(&d->ns[i], &ans->ns[i]) < 0)
        goto fail; /* LCOV_EXCL_LINE: OutOfMemory */
  }
  return d;
fail:
  mxci_answer_clear(d);
  mxci_free(d);
  return NULL;
}

const char *mxci_answer_follow(const struct mxci_answer *ans,
                               const char *qname, int *hops)
{
  const char *cur = qname;
  int h = 0;
  for (;;) {
    size_t i;
    const char *next = NULL;
    for (i = 0; i < ans->nan; i++)
      if (ans->an[i].type == MXCI_T_CNAME &&
          mxci_name_eq(ans->an[i].owner, cur)) {
        next = ans->an[i].name;
        break;
      }
    if (next == NULL)
      break;
    if (++h > MXCI_MAX_CNAME_HOPS) {
      *hops = -1;
      return cur;
    }
    cur = next;
  }
  *hops = h;
  return cur;
}

const char *mxci_answer_soa_zone(const struct mxci_answer *ans)
{
  size_t i;
  for (i = 0; i < ans->nns; i++)
    if (ans->ns[i].type == MXCI_T_SOA)
      return ans->ns[i].owner;
  return NULL;
}

const char *mxci_dns_errstr(int st)
{
  switch (st) {
  case ARES_SUCCESS:
    return "no error";
  case ARES_ETIMEOUT:
    return "timeout (no answer from the name servers)";
  case ARES_ESERVFAIL:
    return "SERVFAIL from the name server";
  case ARES_EREFUSED:
    return "REFUSED by the name server";
  case ARES_ENOTIMP:
    return "NOTIMP from the name server";
  case ARES_EFORMERR:
    return "FORMERR from the name server";
  case ARES_EBADRESP:
    return "malformed answer";
  case ARES_ECONNREFUSED:
    return "connection refused by the name server";
  case ARES_ENOMEM:
    return "out of memory";
  case ARES_ECANCELLED:
    return "cancelled";
  case ARES_EDESTRUCTION:
    return "resolver shut down";
  case ARES_EBADNAME:
    return "name cannot be queried";
  default:
    return ares_strerror(st);
  }
}

const char *mxci_rcode_str(int rcode)
{
  static const char *const names[] = {
      "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
      "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
  if (rcode >= 0 && (size_t)rcode < sizeof(names) / sizeof(names[0]))
    return names[rcode];
  return "unknown rcode";
}

const char *mxci_type_str(uint16_t type)
{
  switch (type) {
  case MXCI_T_A:
    return "A";
  case MXCI_T_NS:
    return "NS";
  case MXCI_T_CNAME:
    return "CNAME";
  case MXCI_T_SOA:
    return "SOA";
  case MXCI_T_PTR:
    return "PTR";
  case MXCI_T_MX:
    return "MX";
  case MXCI_T_TXT:
    return "TXT";
  case MXCI_T_AAAA:
    return "AAAA";
  case MXCI_T_SPF:
    return "SPF";
  default:
    return "?";
  }
}

/* Presentation form of a wire-format name of at most len octets (no final
 * dot; "." for the root), escaped as RFC 1035 section 5.1 does; cut to
 * fit outlen. */
void mxci_wire_text(const unsigned char *w, size_t len, char *out,
                    size_t outlen)
{
  size_t i = 0, o = 0;
  if (len == 0 || w[0] == 0) {
    snprintf(out, outlen, ".");
    return;
  }
  while (i < len && w[i] && o + 8 < outlen) {
    size_t l = w[i], j;
    if (i)
      out[o++] = '.';
    for (j = 1; j <= l && i + j < len && o + 5 < outlen; j++) {
      unsigned char c = w[i + j];
      if (c == '.' || c == '\\')
        o += (size_t)snprintf(out + o, outlen - o, "\\%c", c);
      else if (c <= ' ' || c >= 0x7f)
        o += (size_t)snprintf(out + o, outlen - o, "\\%03u", c);
      else
        out[o++] = (char)c;
    }
    i += l + 1;
  }
  out[o] = '\0';
}
