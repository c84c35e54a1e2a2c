/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * domain_keys.c -- the parts of the domain audit that read published
 * records: a DKIM key record (RFC 6376 section 3.6.1: v=, k=, p=, t=;
 * the key's type and size with OpenSSL) and the mailto: destinations of a
 * DMARC rua= tag (RFC 7489 section 7.1, external destinations).
 */
#include "mxc_private.h"
#include "domain_private.h"

#include <ctype.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <strings.h>

/* The value of tag `name` in a tag-list (RFC 6376 section 3.2), spaces
 * removed from its ends; NULL when absent or out of memory. */
static char *tag_of(const char *rec, const char *name)
{
  const char *p = rec;
  size_t nl = strlen(name);
  while (*p) {
    const char *e = strchr(p, ';'), *v, *ve;
    size_t end = e ? (size_t)(e - p) : strlen(p);
    while (end && isspace((unsigned char)*p)) {
      p++;
      end--;
    }
    if (end > nl && strncasecmp(p, name, nl) == 0) {
      v = p + nl;
      while (v < p + end && isspace((unsigned char)*v))
        v++;
      if (v < p + end && *v == '=') {
        v++;
        while (v < p + end && isspace((unsigned char)*v))
          v++;
        ve = p + end;
        while (ve > v && isspace((unsigned char)ve[-1]))
          ve--;
        return mxci_strndup(v, (size_t)(ve - v));
      }
    }
    if (e == NULL)
      break;
    p = e + 1;
  }
  return NULL;
}

/* base64 of p= (folding whitespace removed) to bytes; -1 when not base64. */
static int unb64(const char *s, unsigned char **out)
{
  size_t n = 0, i, len = strlen(s);
  char *b = mxci_malloc(len + 1);
  int dl;
  *out = NULL;
  if (b == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  for (i = 0; i < len; i++)
    if (!isspace((unsigned char)s[i]))
      b[n++] = s[i];
  b[n] = '\0';
  if (n == 0 || n % 4 != 0 ||
      strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                "0123456789+/=") != n ||
      (*out = mxci_malloc(n / 4 * 3 + 1)) == NULL) {
    mxci_free(b);
    return -1;
  }
  dl = EVP_DecodeBlock(*out, (const unsigned char *)b, (int)n);
  if (dl >= 0)
    dl -= (b[n - 1] == '=') + (n >= 2 && b[n - 2] == '=');
  mxci_free(b);
  if (dl < 0) {
    mxci_free(*out);
    *out = NULL;
  }
  return dl;
}

void mxci_domain_key_parse(struct mxci_domain_key *k, const char *rec)
{
  char *v = tag_of(rec, "v"), *kt = tag_of(rec, "k"), *p = tag_of(rec, "p"),
       *t = tag_of(rec, "t");
  unsigned char *der = NULL;
  const unsigned char *q;
  EVP_PKEY *pk = NULL;
  int dl;

  k->state = MXC_DKEY_INVALID;
  k->record = mxci_strdup(rec);
  k->type = mxci_strdup(kt && *kt ? kt : "rsa");
  if (t) {
    char *c;
    for (c = strtok(t, ":"); c; c = strtok(NULL, ":")) {
      while (isspace((unsigned char)*c))
        c++;
      if (c[0] == 'y' && (c[1] == '\0' || isspace((unsigned char)c[1])))
        k->testing = 1;
    }
  }
  if (v && strcmp(v, "DKIM1") != 0) {
    k->problem = mxci_asprintf("v=%s: a key record has v=DKIM1 or no v=", v);
    goto out;
  }
  if (p == NULL) {
    k->problem = mxci_strdup("no p= tag: not a DKIM key record");
    goto out;
  }
  if (*p == '\0') {
    k->state = MXC_DKEY_REVOKED;
    k->problem = mxci_strdup("p= is empty: the key is revoked (RFC 6376 "
                             "section 3.6.1)");
    goto out;
  }
  if ((dl = unb64(p, &der)) < 0) {
    k->problem = mxci_strdup("p= is not base64");
    goto out;
  }
  if (k->type && strcasecmp(k->type, "ed25519") == 0) {
    if (dl != 32) {
      k->problem = mxci_asprintf("an Ed25519 p= has 32 bytes, not %d", dl);
      goto out;
    }
    k->bits = 256;
    k->state = MXC_DKEY_OK;
    goto out;
  }
  if (k->type == NULL || strcasecmp(k->type, "rsa") != 0) {
    k->problem = mxci_asprintf("unknown key type k=%s", k->type ? k->type : "");
    goto out;
  }
  q = der;
  if ((pk = d2i_PUBKEY(NULL, &q, dl)) == NULL || q != der + dl) {
    EVP_PKEY_free(pk);
    q = der;
    if ((pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, dl)) == NULL ||
        q != der + dl) {
      k->problem = mxci_strdup("p= is not an RSA public key");
      goto out;
    }
  }
  if (EVP_PKEY_base_id(pk) != EVP_PKEY_RSA) {
    k->problem = mxci_strdup("p= is not an RSA public key");
    goto out;
  }
  k->bits = (unsigned)EVP_PKEY_bits(pk);
  k->state = MXC_DKEY_OK;
  if (k->bits < 1024)
    k->problem = mxci_asprintf("a %u-bit RSA key: RFC 8301 section 3.2 "
                               "requires at least 1024 bits, receivers "
                               "fail its signatures", k->bits);
  else if (k->bits < 2048)
    k->problem = mxci_asprintf("a %u-bit RSA key: Gmail recommends 2048 "
                               "bits (RFC 8301 section 3.2)", k->bits);
out:
  ERR_clear_error();
  EVP_PKEY_free(pk);
  mxci_free(der);
  mxci_free(v);
  mxci_free(kt);
  mxci_free(p);
  mxci_free(t);
}

/* Is d the same as org or below it? */
static int within(const char *d, const char *org)
{
  size_t a = strlen(d), b = strlen(org);
  return *org && (strcasecmp(d, org) == 0 ||
                  (a > b && d[a - b - 1] == '.' &&
                   strcasecmp(d + a - b, org) == 0));
}

size_t mxci_domain_rua_parse(const char *rua, const char *org,
                             struct mxci_domain_rua *out, size_t max)
{
  size_t n = 0;
  const char *p = rua;
  while (p && *p && n < max) {
    const char *e = strchr(p, ','), *at, *end;
    size_t len = e ? (size_t)(e - p) : strlen(p), i;
    while (len && isspace((unsigned char)*p)) {
      p++;
      len--;
    }
    if (len > 7 && strncasecmp(p, "mailto:", 7) == 0 &&
        (at = memchr(p, '@', len)) != NULL) {
      char *dom;
      end = at + 1;
      while (end < p + len && *end != '!' && !isspace((unsigned char)*end))
        end++;
      dom = mxci_strndup(at + 1, (size_t)(end - at - 1));
      if (dom) {
        for (i = 0; dom[i]; i++)
          dom[i] = (char)tolower((unsigned char)dom[i]);
        if (dom[0] && dom[strlen(dom) - 1] == '.')
          dom[strlen(dom) - 1] = '\0';
        for (i = 0; i < n && strcmp(out[i].domain, dom) != 0; i++)
          ;
        if (i < n || !mxci_name_ok(dom, 1)) {
          mxci_free(dom);
        } else {
          out[n].domain = dom;
          out[n].state = within(dom, org) ? MXC_RUA_INTERNAL
                                          : MXC_RUA_TEMPERROR;
          n++;
        }
      }
    }
    p = e ? e + 1 : NULL;
  }
  return n;
}
