/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dnsmsg.c -- libFuzzer target for the DNS response parser and the
 * address parser: every answer is hostile until parsed.
 * Build and run: make fuzz (clang with -fsanitize=fuzzer).
 */
#include "mxc_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct mxci_answer a;
  struct mxci_addr addr;
  char err[160], text[256];
  size_t i;

  if (mxci_dns_parse(data, size, &a) == 0) {
    struct mxci_answer *d = mxci_answer_dup(&a);
    int hops;
    for (i = 0; i < a.nan; i++) {
      (void)mxci_answer_follow(&a, a.an[i].owner, &hops);
      if (a.an[i].name) {
        unsigned char q[512];
        /* Every name we parse can be asked for again. */
        (void)mxci_dns_build_query(a.an[i].name, MXCI_T_A, 1, q, sizeof(q));
      }
    }
    (void)mxci_answer_soa_zone(&a);
    if (d) {
      mxci_answer_clear(d);
      mxci_free(d);
    }
  }
  mxci_answer_clear(&a);

  /* The same bytes as an address string. */
  if (size < sizeof(text)) {
    memcpy(text, data, size);
    text[size] = '\0';
    (void)mxci_addr_parse(text, &addr, err, sizeof(err));
  }
  return 0;
}
