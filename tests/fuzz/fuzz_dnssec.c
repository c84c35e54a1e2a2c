/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dnssec.c -- libFuzzer target for the DNSSEC check: the input as
 * zone text (its origin from its SOA), some names asked from it, then the
 * check over what was asked (RRSIG and DNSKEY RDATA as libzscanner
 * makes them); and the same bytes as raw RDATA for the RFC 4034 pieces
 * (RRSIG parsing, canonical form of any type, the signed data, key tags,
 * keys of every algorithm handed to OpenSSL).
 */
#include "mxc_private.h"
#include "checks/dnssec/dnssec_private.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void done(mxc_check_t *chk, mxc_status_t st, const mxc_result_t *res,
                 void *arg)
{
  char *s;
  (void)chk;
  (void)st;
  (*(int *)arg)++;
  if ((s = mxc_result_text(res, MXC_RENDER_VERBOSE)) != NULL)
    mxc_free(s);
  if ((s = mxc_result_json(res)) != NULL)
    mxc_free(s);
}

static void raw(const uint8_t *data, size_t size)
{
  static const unsigned char owner[] = {1, 'a', 3, 'f', 'o', 'o', 0};
  struct mxci_rrsig g;
  struct mxci_zrr rr[2];
  unsigned char out[65536];
  size_t k, dlen = 0;
  uint16_t type;
  const char *why;
  unsigned char *d;

  if (size < 4)
    return;
  type = (uint16_t)(data[0] << 8 | data[1]);
  k = 3 + (size_t)data[2] % (size - 3);
  (void)mxci_rrsig_parse(data + 3, k - 3, &g);
  (void)mxci_dnssec_canon_rdata(type, data + k, size - k, out);
  (void)mxci_dnssec_keytag(data + k, size - k);
  rr[0].rdata = data + k;
  rr[0].rdlen = (uint16_t)(size - k > 65535 ? 65535 : size - k);
  rr[0].ttl = 1;
  rr[1] = rr[0];
  d = mxci_dnssec_signed_data(data + 3, k - 3, owner, sizeof(owner), type,
                              rr, 2, &dlen, &why);
  if (d && mxci_rrsig_parse(data + 3, k - 3, &g) == 0)
    (void)mxci_dnssec_verify(data + k, rr[0].rdlen, d, dlen, g.sig,
                             g.siglen);
  mxci_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const names[] = {"", "www.", "mail.", "_dmarc.",
                                      "a.wild.", "x._domainkey."};
  static const uint16_t types[] = {MXCI_T_A,   MXCI_T_TXT, MXCI_T_MX,
                                   MXCI_T_SOA, MXCI_T_NS,  MXCI_T_DNSKEY};
  mxc_ctx_t *ctx = NULL;
  size_t i, j;
  int calls = 0;

  raw(data, size);
  if (mxc_ctx_new(&ctx) != MXC_OK)
    return 0;
  mxc_ctx_set_servers(ctx, "127.0.0.1:9");
  if (mxc_ctx_add_zone_text(ctx, NULL, (const char *)data, size) == MXC_OK) {
    const char *origin = mxc_ctx_zone_origin(ctx, 0);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
      for (j = 0; j < sizeof(types) / sizeof(types[0]); j++) {
        char name[600];
        const struct mxci_answer *a;
        snprintf(name, sizeof(name), "%s%s", names[i], origin);
        (void)mxci_zone_peek(ctx, name, types[j], &a);
      }
    if (mxc_dnssec_start(ctx, 0, done, &calls, NULL) == MXC_OK)
      (void)mxc_run(ctx, -1);
  }
  mxc_ctx_free(ctx);
  return 0;
}
