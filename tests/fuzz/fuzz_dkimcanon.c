/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dkimcanon.c -- libFuzzer target for the relaxed body canonicaliser
 * of lib/checks/dkim/dkim_canon.c against libopendkim's: the input (its
 * first octet choosing the size of the pieces it is given in) is a message
 * body; libopendkim signs it (relaxed/relaxed, rsa-sha256, a key made once)
 * and its bh= must be the SHA-256 computed here.  When the canonicaliser
 * here says the final CRLF is missing, libopendkim must refuse the body
 * too (dkim_eom() fails), as a verification would.
 */
#include "mxc_private.h"
#include "checks/dkim/dkim_private.h"

#include <opendkim/dkim.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static DKIM_LIB *lib;
static char *key_pem;

static void setup(void)
{
  EVP_PKEY *k = EVP_RSA_gen(1024);
  BIO *b = BIO_new(BIO_s_mem());
  char *p;
  long n;
  if (k == NULL || b == NULL || !PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0,
                                                          NULL, NULL))
    abort();
  n = BIO_get_mem_data(b, &p);
  key_pem = malloc((size_t)n + 1);
  if (key_pem == NULL)
    abort();
  memcpy(key_pem, p, (size_t)n);
  key_pem[n] = '\0';
  BIO_free(b);
  EVP_PKEY_free(k);
  lib = dkim_init(NULL, NULL);
  if (lib == NULL)
    abort();
}

/* libopendkim's bh= for body[0..n), as base64 in out; 0, or -1 when
 * dkim_eom() refused the body. */
static int theirs(const uint8_t *body, size_t n, size_t piece, char *out,
                  size_t outlen)
{
  DKIM_STAT st;
  DKIM *d = dkim_sign(lib, (const unsigned char *)"fuzz", NULL,
                      (dkim_sigkey_t)key_pem, (const unsigned char *)"s",
                      (const unsigned char *)"example.org", DKIM_CANON_RELAXED,
                      DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &st);
  unsigned char hdr[4096];
  char flat[4096], *bh, *e;
  size_t i, o = 0;
  if (d == NULL)
    abort();
  if (dkim_header(d, (u_char *)"From: a@example.org", 19) != DKIM_STAT_OK ||
      dkim_eoh(d) != DKIM_STAT_OK)
    abort();
  for (i = 0; i < n; i += piece) {
    size_t k = n - i < piece ? n - i : piece;
    if (dkim_body(d, (u_char *)body + i, k) != DKIM_STAT_OK)
      abort();
  }
  if (dkim_eom(d, NULL) != DKIM_STAT_OK) {
    dkim_free(d);
    return -1;
  }
  if (dkim_getsighdr(d, hdr, sizeof(hdr), 0) != DKIM_STAT_OK)
    abort();
  dkim_free(d);
  /* unfolded, white space gone */
  for (i = 0; hdr[i] && o + 1 < sizeof(flat); i++)
    if (hdr[i] != ' ' && hdr[i] != '\t' && hdr[i] != '\r' && hdr[i] != '\n')
      flat[o++] = (char)hdr[i];
  flat[o] = '\0';
  bh = strstr(flat, "bh=");
  if (bh == NULL)
    abort();
  bh += 3;
  e = strchr(bh, ';');
  if (e)
    *e = '\0';
  if (strlen(bh) >= outlen)
    abort();
  strcpy(out, bh);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct mxci_dkim_canon *c;
  const unsigned char *h;
  unsigned hlen;
  char want[128], got[128];
  size_t piece, i;
  int rc;

  if (lib == NULL)
    setup();
  if (size < 1)
    return 0;
  piece = (size_t)data[0] % 64 + 1;
  data++;
  size--;
  c = mxci_dkim_canon_new(0, 1);
  if (c == NULL)
    abort();
  for (i = 0; i < size; i += piece)
    mxci_dkim_canon_body(c, (const char *)data + i,
                         size - i < piece ? size - i : piece);
  rc = mxci_dkim_canon_close(c);
  if (theirs(data, size, piece * 3 + 1, want, sizeof(want)) < 0) {
    if (rc == 0)
      abort(); /* libopendkim refused a body this side took */
    mxci_dkim_canon_free(c);
    return 0;
  }
  if (rc < 0)
    abort(); /* refused here, taken by libopendkim */
  h = mxci_dkim_canon_hash(c, 1, &hlen);
  if (hlen != 32)
    abort();
  EVP_EncodeBlock((unsigned char *)got, h, (int)hlen);
  if (strcmp(got, want) != 0)
    abort();
  mxci_dkim_canon_free(c);
  return 0;
}
