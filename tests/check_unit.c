/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_unit.c -- unit tests without a network: address forms, reverse
 * names, query building, and the DNS parser fed raw (often hostile) packets.
 */
#include "mxc_private.h"

#include <check.h>
#include <arpa/inet.h>
#include <stdio.h>

/* ---- addresses ------------------------------------------------------------ */

static void parse_ok(const char *in, int family, int mapped, const char *text,
                     const char *rev)
{
  struct mxci_addr a;
  char err[160];
  ck_assert_msg(mxci_addr_parse(in, &a, err, sizeof(err)) == 0,
                "%s: %s", in, err);
  ck_assert_int_eq(a.family, family);
  ck_assert_int_eq(a.mapped, mapped);
  ck_assert_str_eq(a.text, text);
  if (rev)
    ck_assert_str_eq(a.rev, rev);
}

static void parse_bad(const char *in, const char *why)
{
  struct mxci_addr a;
  char err[160] = "";
  ck_assert_msg(mxci_addr_parse(in, &a, err, sizeof(err)) < 0, "%s parsed",
                in ? in : "(null)");
  ck_assert_msg(strstr(err, why) != NULL, "%s: error \"%s\" lacks \"%s\"",
                in ? in : "(null)", err, why);
}

START_TEST(addr_forms)
{
  parse_ok("192.0.2.1", 4, 0, "192.0.2.1", "1.2.0.192.in-addr.arpa");
  parse_ok("2001:db8::1", 6, 0, "2001:db8::1",
           "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
           "ip6.arpa");
  parse_ok("2001:DB8:0:0:0:0:0:1", 6, 0, "2001:db8::1", NULL);
  parse_ok("2001:0db8:0000:0000:0000:0000:0000:0001", 6, 0, "2001:db8::1",
           NULL);
  parse_ok("2A01:E35:8B50:2C40::4", 6, 0, "2a01:e35:8b50:2c40::4",
           "4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.c.2.0.5.b.8.5.3.e.0.1.0.a.2."
           "ip6.arpa");
  parse_ok("IPv6:2001:db8::25", 6, 0, "2001:db8::25", NULL);
  parse_ok("ipv6:2001:db8::25", 6, 0, "2001:db8::25", NULL);
  parse_ok("[192.0.2.7]", 4, 0, "192.0.2.7", NULL);
  parse_ok("[IPv6:2001:db8::7]", 6, 0, "2001:db8::7", NULL);
  parse_ok("::ffff:192.0.2.1", 4, 1, "192.0.2.1", "1.2.0.192.in-addr.arpa");
  parse_ok("::FFFF:c000:0201", 4, 1, "192.0.2.1", NULL);
  parse_ok("IPv6:::ffff:192.0.2.9", 4, 1, "192.0.2.9", NULL);
  parse_ok("::1", 6, 0, "::1", NULL);
  parse_ok("2001:db8::192.0.2.1", 6, 0, "2001:db8::c000:201", NULL);
}
END_TEST

START_TEST(addr_bad)
{
  parse_bad(NULL, "empty");
  parse_bad("", "empty");
  parse_bad("192.0.2", "not an IPv4");
  parse_bad("192.0.2.256", "not an IPv4");
  parse_bad("192.0.2.01", "not an IPv4");
  parse_bad("192.0.2.1 ", "not an IPv4");
  parse_bad("mail.example.org", "not an IPv4");
  parse_bad("2001:db8::1::2", "not an IPv6");
  parse_bad("2001:db8::g", "not an IPv6");
  parse_bad("fe80::1%eth0", "zone index");
  parse_bad("[192.0.2.1", "unbalanced");
  parse_bad("IPv6:192.0.2.1", "not IPv6");
  parse_bad("IPv6:", "IPv6");
  parse_bad("[]", "empty");
  parse_bad("1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc",
            "not an IPv6");
  parse_bad("1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:"
            "dddd:eeee:ffff",
            "too long");
}
END_TEST

START_TEST(addr_nonglobal)
{
  struct mxci_addr a;
  char err[100];
  static const char *const nonglobal[] = {"10.1.2.3", "172.16.0.1",
                                          "192.168.1.1", "127.0.0.1",
                                          "169.254.1.1", "100.64.0.1",
                                          "::1", "fd00::1", "fe80::1",
                                          "::ffff:10.0.0.1"};
  static const char *const global[] = {"192.0.2.1", "172.32.0.1",
                                       "2001:db8::1", "2a00:1450::1"};
  size_t i;
  for (i = 0; i < sizeof(nonglobal) / sizeof(*nonglobal); i++) {
    ck_assert_int_eq(mxci_addr_parse(nonglobal[i], &a, err, sizeof(err)), 0);
    ck_assert_msg(mxci_addr_nonglobal(&a) != NULL, "%s", nonglobal[i]);
  }
  for (i = 0; i < sizeof(global) / sizeof(*global); i++) {
    ck_assert_int_eq(mxci_addr_parse(global[i], &a, err, sizeof(err)), 0);
    ck_assert_msg(mxci_addr_nonglobal(&a) == NULL, "%s", global[i]);
  }
}
END_TEST

/* mxci_addr_format() writes what glibc's inet_ntop() writes: every
 * pattern of zero and non-zero groups (2^8 of them, with group values of
 * every width and the IPv4 tails), and every IPv4 octet width. */
START_TEST(addr_format_as_inet_ntop)
{
  static const unsigned vals[] = {0x1, 0xa, 0x1f, 0xabc, 0xffff, 0x100};
  unsigned mask, v, i;
  char ours[INET6_ADDRSTRLEN + 8], libc[INET6_ADDRSTRLEN + 8];
  unsigned char b[16];
  for (mask = 0; mask < 256; mask++)
    for (v = 0; v < sizeof(vals) / sizeof(*vals); v++) {
      for (i = 0; i < 8; i++) {
        unsigned w = (mask >> i & 1) ? vals[(v + i) % 6] : 0;
        b[2 * i] = (unsigned char)(w >> 8);
        b[2 * i + 1] = (unsigned char)w;
      }
      if (v == 5) { /* ::ffff:a.b.c.d and ::a.b.c.d forms */
        b[10] = b[11] = (mask & 1) ? 0xff : 0;
        memset(b, 0, 10);
      }
      mxci_addr_format(6, b, ours, sizeof(ours));
      ck_assert_ptr_nonnull(inet_ntop(AF_INET6, b, libc, sizeof(libc)));
      ck_assert_str_eq(ours, libc);
    }
  for (v = 0; v < 256; v++) {
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(255 - v);
    b[2] = (unsigned char)(v / 3);
    b[3] = (unsigned char)(v * 7);
    mxci_addr_format(4, b, ours, sizeof(ours));
    ck_assert_ptr_nonnull(inet_ntop(AF_INET, b, libc, sizeof(libc)));
    ck_assert_str_eq(ours, libc);
  }
  /* too small a buffer: "?" as before */
  mxci_addr_format(4, b, ours, 4);
  ck_assert_str_eq(ours, "?");
}
END_TEST

/* ---- query building --------------------------------------------------------- */

START_TEST(query_build)
{
  unsigned char q[512];
  int n = mxci_dns_build_query("a.example", MXCI_T_PTR, 1, q, sizeof(q));
  static const unsigned char want[] = {1, 'a', 7, 'e', 'x', 'a', 'm', 'p',
                                       'l', 'e', 0, 0, 12, 0, 1};
  ck_assert_int_eq(n, 12 + (int)sizeof(want) + 11);
  ck_assert_int_eq(q[2], 0x01); /* RD */
  ck_assert_int_eq(q[3], 0x20); /* AD */
  ck_assert_int_eq(q[11], 1);   /* ARCOUNT: OPT */
  ck_assert_mem_eq(q + 12, want, sizeof(want));
  ck_assert_int_eq(q[n - 4], 0x80); /* DO */
  n = mxci_dns_build_query("a.example.", MXCI_T_A, 0, q, sizeof(q));
  ck_assert_int_eq(n, 12 + (int)sizeof(want));
  ck_assert_int_eq(q[11], 0);
  /* Escapes: a dot inside a label and a decimal byte. */
  n = mxci_dns_build_query("a\\.b\\000c.x", MXCI_T_A, 0, q, sizeof(q));
  ck_assert_int_gt(n, 0);
  ck_assert_int_eq(q[12], 5);
  ck_assert_mem_eq(q + 13, "a.b\0c", 5);
}
END_TEST

START_TEST(query_bad_names)
{
  unsigned char q[512];
  char label64[80], longname[300];
  memset(label64, 'a', 64);
  label64[64] = '\0';
  ck_assert_int_lt(mxci_dns_build_query(label64, MXCI_T_A, 0, q, sizeof(q)), 0);
  ck_assert_int_lt(mxci_dns_build_query("a..b", MXCI_T_A, 0, q, sizeof(q)), 0);
  ck_assert_int_lt(mxci_dns_build_query(".a", MXCI_T_A, 0, q, sizeof(q)), 0);
  ck_assert_int_lt(mxci_dns_build_query("a\\", MXCI_T_A, 0, q, sizeof(q)), 0);
  ck_assert_int_lt(mxci_dns_build_query("a\\999", MXCI_T_A, 0, q, sizeof(q)),
                   0);
  /* 255-octet limit on the wire. */
  memset(longname, 0, sizeof(longname));
  for (int i = 0; i < 64; i++)
    strcat(longname, "abc.");
  ck_assert_int_lt(mxci_dns_build_query(longname, MXCI_T_A, 0, q, sizeof(q)),
                   0);
}
END_TEST

/* ---- parsing ------------------------------------------------------------------ */

/* A tiny packet writer for the tests. */
struct pkt {
  unsigned char b[4096];
  size_t n;
};

static void put8(struct pkt *p, unsigned v) { p->b[p->n++] = (unsigned char)v; }
static void put16(struct pkt *p, unsigned v)
{
  put8(p, v >> 8);
  put8(p, v & 0xff);
}
static void put32(struct pkt *p, uint32_t v)
{
  put16(p, v >> 16);
  put16(p, v & 0xffff);
}
static void putname(struct pkt *p, const char *n)
{
  while (*n) {
    const char *d = strchr(n, '.');
    size_t l = d ? (size_t)(d - n) : strlen(n);
    put8(p, (unsigned)l);
    memcpy(p->b + p->n, n, l);
    p->n += l;
    n += l;
    if (*n == '.')
      n++;
  }
  put8(p, 0);
}
static void header(struct pkt *p, unsigned flags, unsigned qd, unsigned an,
                   unsigned ns)
{
  p->n = 0;
  put16(p, 0x1234);
  put16(p, flags);
  put16(p, qd);
  put16(p, an);
  put16(p, ns);
  put16(p, 0);
}

START_TEST(parse_ptr_answer)
{
  struct pkt p;
  struct mxci_answer a;
  size_t rd;
  header(&p, 0x8420 | 0x0000, 1, 2, 0); /* QR AA, AD */
  putname(&p, "1.2.0.192.in-addr.arpa");
  put16(&p, MXCI_T_PTR);
  put16(&p, 1);
  /* answer 1: owner by pointer to the question (offset 12) */
  put16(&p, 0xc00c);
  put16(&p, MXCI_T_PTR);
  put16(&p, 1);
  put32(&p, 300);
  rd = p.n;
  put16(&p, 0);
  putname(&p, "mail.example");
  p.b[rd] = (unsigned char)((p.n - rd - 2) >> 8);
  p.b[rd + 1] = (unsigned char)(p.n - rd - 2);
  /* answer 2: PTR whose rdata uses a pointer back into answer 1 */
  put16(&p, 0xc00c);
  put16(&p, MXCI_T_PTR);
  put16(&p, 1);
  put32(&p, 60);
  put16(&p, 6);
  put8(&p, 3);
  memcpy(p.b + p.n, "mx2", 3);
  p.n += 3;
  put16(&p, 0xc000 | (unsigned)(rd + 2 + 5)); /* "example" of answer 1 */
  ck_assert_int_eq(mxci_dns_parse(p.b, p.n, &a), 0);
  ck_assert_int_eq(a.nan, 2);
  ck_assert_int_eq(a.ad, 1);
  ck_assert_str_eq(a.an[0].owner, "1.2.0.192.in-addr.arpa");
  ck_assert_str_eq(a.an[0].name, "mail.example");
  ck_assert_str_eq(a.an[1].name, "mx2.example");
  ck_assert_int_eq(a.min_ttl, 60);
  mxci_answer_clear(&a);
}
END_TEST

START_TEST(parse_negative_soa)
{
  struct pkt p;
  struct mxci_answer a;
  size_t rd;
  header(&p, 0x8403, 1, 0, 1); /* NXDOMAIN */
  putname(&p, "5.2.0.192.in-addr.arpa");
  put16(&p, MXCI_T_PTR);
  put16(&p, 1);
  putname(&p, "2.0.192.in-addr.arpa");
  put16(&p, MXCI_T_SOA);
  put16(&p, 1);
  put32(&p, 3600);
  rd = p.n;
  put16(&p, 0);
  putname(&p, "ns1.isp.test");
  putname(&p, "hostmaster.isp.test");
  put32(&p, 1);
  put32(&p, 2);
  put32(&p, 3);
  put32(&p, 4);
  put32(&p, 120); /* minimum */
  p.b[rd + 1] = (unsigned char)(p.n - rd - 2);
  ck_assert_int_eq(mxci_dns_parse(p.b, p.n, &a), 0);
  ck_assert_int_eq(a.rcode, MXCI_RCODE_NXDOMAIN);
  ck_assert_str_eq(mxci_answer_soa_zone(&a), "2.0.192.in-addr.arpa");
  ck_assert_int_eq(a.min_ttl, 120); /* RFC 2308: min(TTL, MINIMUM) */
  mxci_answer_clear(&a);
}
END_TEST

static void expect_bad(struct pkt *p, const char *why)
{
  struct mxci_answer a;
  ck_assert_int_lt(mxci_dns_parse(p->b, p->n, &a), 0);
  ck_assert_int_eq(a.err, ARES_EBADRESP);
  ck_assert_ptr_nonnull(a.cause);
  ck_assert_msg(strstr(a.cause, why) != NULL, "cause \"%s\" lacks \"%s\"",
                a.cause, why);
  ck_assert_int_eq(a.nan, 0);
  mxci_answer_clear(&a);
}

static void ptr_head(struct pkt *p, unsigned an)
{
  header(p, 0x8400, 1, an, 0);
  putname(p, "1.2.0.192.in-addr.arpa");
  put16(p, MXCI_T_PTR);
  put16(p, 1);
}

static void rr_head(struct pkt *p, unsigned type, unsigned rdlen)
{
  put16(p, 0xc00c);
  put16(p, type);
  put16(p, 1);
  put32(p, 60);
  put16(p, rdlen);
}

START_TEST(parse_hostile)
{
  struct pkt p;
  struct mxci_answer a;
  size_t at;

  /* shorter than a header */
  ck_assert_int_lt(mxci_dns_parse((const unsigned char *)"\x12\x34\x84", 3, &a),
                   0);
  mxci_answer_clear(&a);
  /* not a response (QR = 0) */
  header(&p, 0x0100, 1, 0, 0);
  putname(&p, "x");
  put16(&p, 1);
  put16(&p, 1);
  expect_bad(&p, "not a response");
  /* a pointer to itself in PTR rdata */
  ptr_head(&p, 1);
  rr_head(&p, MXCI_T_PTR, 2);
  at = p.n;
  put16(&p, 0xc000 | (unsigned)at);
  expect_bad(&p, "PTR");
  /* two pointers pointing at each other */
  ptr_head(&p, 1);
  rr_head(&p, MXCI_T_PTR, 4);
  at = p.n;
  put16(&p, 0xc000 | (unsigned)(at + 2));
  put16(&p, 0xc000 | (unsigned)at);
  expect_bad(&p, "PTR");
  /* a forward pointer past the end */
  ptr_head(&p, 1);
  rr_head(&p, MXCI_T_PTR, 2);
  put16(&p, 0xc000 | 0x3ff0);
  expect_bad(&p, "PTR");
  /* rdlength past the end */
  ptr_head(&p, 1);
  rr_head(&p, MXCI_T_PTR, 200);
  putname(&p, "a.b");
  expect_bad(&p, "past the end");
  /* answer count larger than the packet */
  ptr_head(&p, 1);
  expect_bad(&p, "owner");
  /* label type 0x80 */
  ptr_head(&p, 1);
  rr_head(&p, MXCI_T_PTR, 3);
  put8(&p, 0x80);
  put8(&p, 'a');
  put8(&p, 0);
  expect_bad(&p, "PTR");
  /* a name over 255 octets: 5 labels of 63 */
  ptr_head(&p, 1);
  rr_head(&p, MXCI_T_PTR, 5 * 64 + 1);
  for (int i = 0; i < 5; i++) {
    put8(&p, 63);
    memset(p.b + p.n, 'x', 63);
    p.n += 63;
  }
  put8(&p, 0);
  expect_bad(&p, "PTR");
  /* A record with 5 bytes */
  ptr_head(&p, 1);
  rr_head(&p, MXCI_T_A, 5);
  put32(&p, 0);
  put8(&p, 0);
  expect_bad(&p, "4 bytes");
  /* AAAA with 4 bytes */
  ptr_head(&p, 1);
  rr_head(&p, MXCI_T_AAAA, 4);
  put32(&p, 0);
  expect_bad(&p, "16 bytes");
  /* PTR rdata longer than its name */
  ptr_head(&p, 1);
  rr_head(&p, MXCI_T_PTR, 5);
  putname(&p, "ab");
  put8(&p, 0);
  expect_bad(&p, "longer than its name");
  /* TXT string past its record */
  ptr_head(&p, 1);
  rr_head(&p, MXCI_T_TXT, 3);
  put8(&p, 10);
  put8(&p, 'a');
  put8(&p, 'b');
  expect_bad(&p, "TXT");
  /* truncated SOA */
  ptr_head(&p, 1);
  rr_head(&p, MXCI_T_SOA, 4);
  putname(&p, "a");
  putname(&p, "b");
  expect_bad(&p, "SOA");
}
END_TEST

START_TEST(parse_escapes_and_unknown)
{
  struct pkt p;
  struct mxci_answer a;
  ptr_head(&p, 3);
  /* PTR to a name with NUL, 0xff, a dot and a backslash inside labels */
  rr_head(&p, MXCI_T_PTR, 1 + 8 + 1);
  put8(&p, 8);
  memcpy(p.b + p.n, "e\0v\xff.i\\l", 8);
  p.n += 8;
  put8(&p, 0);
  /* an unknown type (HINFO) is skipped */
  rr_head(&p, 13, 4);
  put32(&p, 0);
  /* TXT with two strings */
  rr_head(&p, MXCI_T_TXT, 6);
  put8(&p, 2);
  put8(&p, 'a');
  put8(&p, 'b');
  put8(&p, 2);
  put8(&p, 'c');
  put8(&p, 'd');
  ck_assert_int_eq(mxci_dns_parse(p.b, p.n, &a), 0);
  ck_assert_int_eq(a.nan, 2);
  ck_assert_str_eq(a.an[0].name, "e\\000v\\255\\.i\\\\l");
  ck_assert_int_eq(a.an[1].type, MXCI_T_TXT);
  ck_assert_int_eq(a.an[1].datalen, 4);
  ck_assert_str_eq((char *)a.an[1].data, "abcd");
  mxci_answer_clear(&a);
}
END_TEST

START_TEST(parse_many_records_capped)
{
  struct mxci_answer a;
  static unsigned char big[12 + 7 + 5000 * 16];
  size_t n = 0;
  unsigned i, count = 5000;
  /* 5000 A records of 16 bytes each: more than MXCI_MAX_RRS. */
  memcpy(big, "\x12\x34\x84\x00\x00\x01\x13\x88\x00\x00\x00\x00", 12);
  n = 12;
  memcpy(big + n, "\x01x\x00\x00\x01\x00\x01", 7);
  n += 7;
  for (i = 0; i < count; i++) {
    static const unsigned char rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0,
                                       0,    60,   0, 4, 192, 0, 2, 1};
    memcpy(big + n, rr, sizeof(rr));
    n += sizeof(rr);
  }
  ck_assert_int_eq(mxci_dns_parse(big, n, &a), 0);
  ck_assert_int_eq(a.nan, MXCI_MAX_RRS);
  mxci_answer_clear(&a);
}
END_TEST

START_TEST(follow_cname)
{
  struct mxci_answer a;
  struct mxci_rr rr[3];
  int hops;
  memset(&a, 0, sizeof(a));
  memset(rr, 0, sizeof(rr));
  rr[0].owner = "a.x";
  rr[0].type = MXCI_T_CNAME;
  rr[0].name = "b.x";
  rr[1].owner = "B.X";
  rr[1].type = MXCI_T_CNAME;
  rr[1].name = "c.x";
  rr[2].owner = "c.x";
  rr[2].type = MXCI_T_A;
  a.an = rr;
  a.nan = 3;
  ck_assert_str_eq(mxci_answer_follow(&a, "a.x", &hops), "c.x");
  ck_assert_int_eq(hops, 2);
  ck_assert_str_eq(mxci_answer_follow(&a, "c.x", &hops), "c.x");
  ck_assert_int_eq(hops, 0);
  /* a loop */
  rr[1].name = "a.x";
  mxci_answer_follow(&a, "a.x", &hops);
  ck_assert_int_eq(hops, -1);
}
END_TEST

START_TEST(strings)
{
  ck_assert_str_eq(mxc_verdict_str(MXC_VERDICT_PERMERROR), "permerror");
  ck_assert_str_eq(mxc_verdict_str((mxc_verdict_t)99), "unknown");
  ck_assert_str_eq(mxc_strerror(MXC_ECANCELLED), "cancelled");
  ck_assert_str_eq(mxc_strerror(MXC_STATUS_LAST), "unknown status");
  ck_assert_str_eq(mxc_name_state_str(MXC_NAME_NODATA), "nodata");
  ck_assert_str_eq(mxc_version(), MXC_VERSION_STR);
  ck_assert(MXC_AT_LEAST_VERSION(0, 0, 1));
  ck_assert_int_eq(mxci_name_eq("Mail.Example.", "mail.example"), 1);
  ck_assert_int_eq(mxci_name_eq("mail.example", "mail.example.org"), 0);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("unit");
  TCase *t = tcase_create("addr");
  tcase_add_test(t, addr_forms);
  tcase_add_test(t, addr_bad);
  tcase_add_test(t, addr_nonglobal);
  tcase_add_test(t, addr_format_as_inet_ntop);
  suite_add_tcase(s, t);
  t = tcase_create("dnsmsg");
  tcase_add_test(t, query_build);
  tcase_add_test(t, query_bad_names);
  tcase_add_test(t, parse_ptr_answer);
  tcase_add_test(t, parse_negative_soa);
  tcase_add_test(t, parse_hostile);
  tcase_add_test(t, parse_escapes_and_unknown);
  tcase_add_test(t, parse_many_records_capped);
  tcase_add_test(t, follow_cname);
  suite_add_tcase(s, t);
  t = tcase_create("strings");
  tcase_add_test(t, strings);
  suite_add_tcase(s, t);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(suite());
  int failed;
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
