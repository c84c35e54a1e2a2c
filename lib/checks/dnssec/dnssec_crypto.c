/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnssec_crypto.c -- the RFC 4034 pieces of the DNSSEC check: the RRSIG
 * RDATA, the key tag (Appendix B), the canonical form of an RRset
 * (section 6) and the data a signature covers (section 3.1.8.1), and the
 * verification of a signature with a DNSKEY on OpenSSL (RSA: RFC 3110,
 * RFC 5702; ECDSA: RFC 6605; EdDSA: RFC 8080).
 */
#include "mxc_private.h"
#include "dnssec_private.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdio.h>

static uint32_t get32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* The length of the uncompressed wire name at p (at most len octets), or
 * 0 when it does not end inside them or is over 255 octets. */
static size_t name_len(const unsigned char *p, size_t len)
{
  size_t i = 0;
  while (i < len && p[i]) {
    if (p[i] > 63)
      return 0; /* a compression pointer or an unknown label type */
    i += (size_t)p[i] + 1;
  }
  if (i >= len || i + 1 > 255)
    return 0;
  return i + 1;
}

static void lower(unsigned char *p, size_t n)
{
  size_t i = 0;
  while (i < n && p[i]) {
    size_t l = p[i], j;
    for (j = 1; j <= l && i + j < n; j++)
      if (p[i + j] >= 'A' && p[i + j] <= 'Z')
        p[i + j] = (unsigned char)(p[i + j] + 32);
    i += l + 1;
  }
}

int mxci_rrsig_parse(const unsigned char *rd, size_t len,
                     struct mxci_rrsig *g)
{
  size_t sl;
  memset(g, 0, sizeof(*g));
  if (rd == NULL || len < 19)
    return -1;
  g->covered = (uint16_t)(rd[0] << 8 | rd[1]);
  g->alg = rd[2];
  g->labels = rd[3];
  g->ottl = get32(rd + 4);
  g->expiration = get32(rd + 8);
  g->inception = get32(rd + 12);
  g->tag = (uint16_t)(rd[16] << 8 | rd[17]);
  if ((sl = name_len(rd + 18, len - 18)) == 0)
    return -1;
  memcpy(g->signer, rd + 18, sl);
  g->slen = sl;
  lower(g->signer, sl);
  g->sig = rd + 18 + sl;
  g->siglen = len - 18 - sl;
  return g->siglen ? 0 : -1;
}

/* RFC 4034 Appendix B.  Algorithm 1 (RSA/MD5, B.1) has a rule of its own:
 * the third- and second-to-last octets of the public key. */
uint16_t mxci_dnssec_keytag(const unsigned char *rd, size_t len)
{
  uint32_t ac = 0;
  size_t i;
  if (len >= 4 && rd[3] == 1)
    return len >= 7 ? (uint16_t)(rd[len - 3] << 8 | rd[len - 2]) : 0;
  for (i = 0; i < len; i++)
    ac += (i & 1) ? rd[i] : (uint32_t)rd[i] << 8;
  ac += (ac >> 16) & 0xffff;
  return (uint16_t)(ac & 0xffff);
}

/* Lower the name at *off of out (len octets) and step over it. */
static int lower_name(unsigned char *out, size_t len, size_t *off)
{
  size_t n;
  if (*off > len || (n = name_len(out + *off, len - *off)) == 0)
    return -1;
  lower(out + *off, n);
  *off += n;
  return 0;
}

/*
 * RFC 4034 section 6.2, item 3: the names in the RDATA of NS, MD, MF,
 * CNAME, SOA, MB, MG, MR, PTR, HINFO, MINFO, MX, RP, AFSDB, RT, SIG, PX,
 * NXT, NAPTR, KX, SRV, DNAME, A6, RRSIG and NSEC.  Readings taken: NSEC
 * is left as it is (RFC 6840 section 5.1 removed it from the list, as
 * RFC 3755 had NXT); HINFO holds no name; NXT and A6 are obsolete and
 * left as they are.
 */
int mxci_dnssec_canon_rdata(uint16_t type, const unsigned char *rd,
                            size_t len, unsigned char *out)
{
  size_t off = 0, i;
  memcpy(out, rd, len);
  switch (type) {
  case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12:
  case 39: /* NS MD MF CNAME MB MG MR PTR DNAME: one name */
    return lower_name(out, len, &off);
  case 6: case 14: case 17: /* SOA MINFO RP: two names */
    if (lower_name(out, len, &off) < 0)
      return -1;
    return lower_name(out, len, &off);
  case 15: case 18: case 21: case 36: /* MX AFSDB RT KX */
    off = 2;
    return lower_name(out, len, &off);
  case 26: /* PX: preference, two names */
    off = 2;
    if (lower_name(out, len, &off) < 0)
      return -1;
    return lower_name(out, len, &off);
  case 33: /* SRV: priority, weight, port, target */
    off = 6;
    return lower_name(out, len, &off);
  case 35: /* NAPTR: order, preference, three strings, replacement */
    off = 4;
    for (i = 0; i < 3; i++) {
      if (off >= len)
        return -1;
      off += (size_t)out[off] + 1;
    }
    return lower_name(out, len, &off);
  case 24: case 46: /* SIG RRSIG: the signer's name */
    off = 18;
    return lower_name(out, len, &off);
  default:
    return 0;
  }
}

struct crr {
  unsigned char *d;
  size_t len;
};

static int crr_cmp(const void *pa, const void *pb)
{
  const struct crr *a = pa, *b = pb;
  size_t m = a->len < b->len ? a->len : b->len;
  int c = memcmp(a->d, b->d, m);
  if (c)
    return c;
  return a->len < b->len ? -1 : a->len > b->len;
}

unsigned char *mxci_dnssec_signed_data(const unsigned char *rrsig,
                                       size_t rrsiglen,
                                       const unsigned char *owner,
                                       size_t olen, uint16_t type,
                                       const struct mxci_zrr *rr, size_t n,
                                       size_t *outlen, const char **why)
{
  struct mxci_rrsig g;
  struct crr *v = NULL;
  unsigned char name[256], *out = NULL, *p;
  size_t nlabels = 0, i, total, nlen, skip;
  const unsigned char *o;

  *outlen = 0;
  *why = "malformed RRSIG";
  if (mxci_rrsig_parse(rrsig, rrsiglen, &g) < 0 || olen > sizeof(name) ||
      olen == 0)
    return NULL;
  for (i = 0; i < olen && owner[i]; i += (size_t)owner[i] + 1)
    nlabels++;
  /* RFC 4035 section 5.3.2: the owner as signed.  The Labels field counts
   * the labels of the owner without the root and without a leading "*";
   * fewer than the owner has: the RRset is a wildcard's, signed as "*."
   * and the rightmost Labels labels. */
  if (g.labels > nlabels ||
      (g.labels == nlabels && olen > 2 && owner[0] == 1 && owner[1] == '*')) {
    *why = "the RRSIG's Labels field is larger than its owner name has";
    return NULL;
  }
  o = owner;
  nlen = olen;
  for (skip = nlabels - g.labels; skip; skip--) {
    nlen -= (size_t)o[0] + 1;
    o += (size_t)o[0] + 1;
  }
  if (g.labels < nlabels) {
    name[0] = 1;
    name[1] = '*';
    memcpy(name + 2, o, nlen);
    nlen += 2;
  } else {
    memcpy(name, o, nlen);
  }
  lower(name, nlen);

  *why = "out of memory";
  v = mxci_calloc(n ? n : 1, sizeof(*v));
  if (v == NULL)
    return NULL; /* LCOV_EXCL_LINE: OutOfMemory */
  total = 18 + g.slen;
  for (i = 0; i < n; i++) {
    v[i].d = mxci_malloc(rr[i].rdlen ? rr[i].rdlen : 1);
    if (v[i].d == NULL)
      goto done; /* LCOV_EXCL_LINE: OutOfMemory */
    v[i].len = rr[i].rdlen;
    if (mxci_dnssec_canon_rdata(type, rr[i].rdata, rr[i].rdlen, v[i].d) < 0) {
      *why = "a record's data is malformed";
      goto done;
    }
    total += nlen + 10 + v[i].len;
  }
  /* RFC 4034 section 6.3: sorted by canonical RDATA, duplicates once. */
  qsort(v, n, sizeof(*v), crr_cmp);
  if ((out = mxci_malloc(total)) == NULL)
    goto done; /* LCOV_EXCL_LINE: OutOfMemory */
  p = out;
  memcpy(p, rrsig, 18);
  memcpy(p + 18, g.signer, g.slen); /* the signer's name in lower case */
  p += 18 + g.slen;
  for (i = 0; i < n; i++) {
    if (i && crr_cmp(&v[i - 1], &v[i]) == 0)
      continue;
    memcpy(p, name, nlen);
    p += nlen;
    *p++ = (unsigned char)(type >> 8);
    *p++ = (unsigned char)type;
    *p++ = 0;
    *p++ = 1; /* class IN */
    *p++ = (unsigned char)(g.ottl >> 24); /* the Original TTL */
    *p++ = (unsigned char)(g.ottl >> 16);
    *p++ = (unsigned char)(g.ottl >> 8);
    *p++ = (unsigned char)g.ottl;
    *p++ = (unsigned char)(v[i].len >> 8);
    *p++ = (unsigned char)v[i].len;
    memcpy(p, v[i].d, v[i].len);
    p += v[i].len;
  }
  *outlen = (size_t)(p - out);
  *why = NULL;
done:
  for (i = 0; i < n; i++)
    mxci_free(v[i].d);
  mxci_free(v);
  if (*why) {
    mxci_free(out);
    return NULL;
  }
  return out;
}

/* ---- keys and signatures ------------------------------------------------- */

int mxci_dnssec_alg_known(unsigned alg)
{
  switch (alg) {
  case 5: case 7: case 8: case 10: case 13: case 14: case 15: case 16:
    return 1;
  default:
    return 0;
  }
}

const char *mxci_dnssec_alg_name(unsigned alg, char *buf, size_t len)
{
  static const char *const names[] = {
      [1] = "RSAMD5", [3] = "DSA", [5] = "RSASHA1",
      [6] = "DSA-NSEC3-SHA1", [7] = "RSASHA1-NSEC3-SHA1",
      [8] = "RSASHA256", [10] = "RSASHA512", [12] = "ECC-GOST",
      [13] = "ECDSAP256SHA256", [14] = "ECDSAP384SHA384",
      [15] = "ED25519", [16] = "ED448"};
  if (alg < sizeof(names) / sizeof(names[0]) && names[alg])
    return names[alg];
  snprintf(buf, len, "algorithm %u", alg);
  return buf;
}

/* An EVP_PKEY from params of keytype ("RSA", "EC"); NULL when refused. */
static EVP_PKEY *from_params(const char *keytype, OSSL_PARAM_BLD *bld)
{
  OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, keytype, NULL);
  EVP_PKEY *pk = NULL;
  if (params == NULL || pc == NULL || EVP_PKEY_fromdata_init(pc) != 1 ||
      EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
    pk = NULL;
  EVP_PKEY_CTX_free(pc);
  OSSL_PARAM_free(params);
  return pk;
}

/* RFC 3110 section 2: exponent length (1 octet, or 0 and 2 octets), the
 * exponent, the modulus. */
static EVP_PKEY *rsa_key(const unsigned char *p, size_t len)
{
  size_t elen, off = 1;
  BIGNUM *n = NULL, *e = NULL;
  OSSL_PARAM_BLD *bld = NULL;
  EVP_PKEY *pk = NULL;
  if (len < 3)
    return NULL;
  elen = p[0];
  if (elen == 0) {
    elen = (size_t)p[1] << 8 | p[2];
    off = 3;
  }
  if (elen == 0 || off + elen >= len || len - off - elen > 4096 / 8 * 4)
    return NULL;
  e = BN_bin2bn(p + off, (int)elen, NULL);
  n = BN_bin2bn(p + off + elen, (int)(len - off - elen), NULL);
  bld = OSSL_PARAM_BLD_new();
  if (e && n && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
    pk = from_params("RSA", bld);
  OSSL_PARAM_BLD_free(bld);
  BN_free(e);
  BN_free(n);
  return pk;
}

/* RFC 6605 section 4: the key is x | y. */
static EVP_PKEY *ec_key(const char *group, const unsigned char *p,
                        size_t len)
{
  unsigned char pt[1 + 96];
  OSSL_PARAM_BLD *bld;
  EVP_PKEY *pk = NULL;
  if (len + 1 > sizeof(pt))
    return NULL;
  pt[0] = 4; /* an uncompressed point */
  memcpy(pt + 1, p, len);
  bld = OSSL_PARAM_BLD_new();
  if (bld &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                      0) &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
                                       len + 1))
    pk = from_params("EC", bld);
  OSSL_PARAM_BLD_free(bld);
  return pk;
}

/* RFC 6605 section 4: the signature is r | s; OpenSSL wants DER. */
static unsigned char *ecdsa_der(const unsigned char *sig, size_t half,
                                size_t *derlen)
{
  ECDSA_SIG *es = ECDSA_SIG_new();
  BIGNUM *r = BN_bin2bn(sig, (int)half, NULL);
  BIGNUM *s = BN_bin2bn(sig + half, (int)half, NULL);
  unsigned char *der = NULL;
  int n;
  *derlen = 0;
  if (es == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return NULL;
  }
  n = i2d_ECDSA_SIG(es, &der);
  ECDSA_SIG_free(es);
  if (n <= 0)
    return NULL;
  *derlen = (size_t)n;
  return der;
}

int mxci_dnssec_verify(const unsigned char *key, size_t keylen,
                       const unsigned char *data, size_t datalen,
                       const unsigned char *sig, size_t siglen)
{
  const unsigned char *pub;
  size_t plen;
  unsigned alg;
  EVP_PKEY *pk = NULL;
  const EVP_MD *md = NULL;
  unsigned char *der = NULL;
  EVP_MD_CTX *mc;
  int ok;

  if (keylen < 5)
    return -2;
  alg = key[3];
  pub = key + 4;
  plen = keylen - 4;
  switch (alg) {
  case 5: case 7:
    md = EVP_sha1();
    pk = rsa_key(pub, plen);
    break;
  case 8:
    md = EVP_sha256();
    pk = rsa_key(pub, plen);
    break;
  case 10:
    md = EVP_sha512();
    pk = rsa_key(pub, plen);
    break;
  case 13:
    md = EVP_sha256();
    if (plen == 64)
      pk = ec_key("prime256v1", pub, plen);
    break;
  case 14:
    md = EVP_sha384();
    if (plen == 96)
      pk = ec_key("secp384r1", pub, plen);
    break;
  case 15:
    if (plen == 32)
      pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, plen);
    break;
  case 16:
    if (plen == 57)
      pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED448, NULL, pub, plen);
    break;
  default:
    return -1;
  }
  if (pk == NULL)
    return -2;
  if (alg == 13 || alg == 14) {
    size_t half = alg == 13 ? 32 : 48, dl;
    if (siglen != 2 * half) {
      EVP_PKEY_free(pk);
      return 0;
    }
    if ((der = ecdsa_der(sig, half, &dl)) == NULL) {
      EVP_PKEY_free(pk);
      return 0;
    }
    sig = der;
    siglen = dl;
  }
  mc = EVP_MD_CTX_new();
  ok = mc && EVP_DigestVerifyInit(mc, NULL, md, NULL, pk) == 1 &&
       EVP_DigestVerify(mc, sig, siglen, data, datalen) == 1;
  EVP_MD_CTX_free(mc);
  EVP_PKEY_free(pk);
  OPENSSL_free(der);
  return ok ? 1 : 0;
}
