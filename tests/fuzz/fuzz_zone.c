/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_zone.c -- libFuzzer target for zone text (mxc_ctx_add_zone_text:
 * libzscanner, the store's limits) and the answers built from it
 * (records, NODATA/NXDOMAIN, CNAME chains, wildcards, zone cuts).
 * Inputs whose first byte is odd are loaded with the origin fuzz.test,
 * the others take it from their SOA.
 */
#include "mxc_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *arg, const struct mxci_answer *ans)
{
  int hops;
  (*(int *)arg)++;
  (void)mxci_answer_follow(ans, "www.fuzz.test", &hops);
  (void)mxci_answer_soa_zone(ans);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const names[] = {
      "fuzz.test", "www.fuzz.test", "a.b.c.fuzz.test", "_dmarc.fuzz.test",
      "x._domainkey.fuzz.test", "*.fuzz.test", "sub.fuzz.test",
      "1.2.0.192.in-addr.arpa"};
  static const uint16_t types[] = {MXCI_T_A,   MXCI_T_AAAA, MXCI_T_TXT,
                                   MXCI_T_MX,  MXCI_T_CNAME, MXCI_T_PTR,
                                   MXCI_T_SOA, MXCI_T_NS};
  mxc_ctx_t *ctx = NULL;
  size_t i, j;
  int calls = 0;

  if (mxc_ctx_new(&ctx) != MXC_OK)
    return 0;
  mxc_ctx_set_servers(ctx, "127.0.0.1:9");
  if (mxc_ctx_add_zone_text(ctx, size && (data[0] & 1) ? "fuzz.test" : NULL,
                            (const char *)data, size) == MXC_OK) {
    const char *origin = mxc_ctx_zone_origin(ctx, 0);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
      for (j = 0; j < sizeof(types) / sizeof(types[0]); j++) {
        struct mxci_waiter w;
        (void)mxci_dns_lookup(ctx, names[i], types[j], sink, &calls, &w);
        mxci_dns_cancel(&w);
      }
    if (origin) {
      struct mxci_waiter w;
      (void)mxci_dns_lookup(ctx, origin, MXCI_T_TXT, sink, &calls, &w);
      mxci_dns_cancel(&w);
    }
  }
  mxc_ctx_free(ctx);
  return 0;
}
