/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dmarc.c -- libFuzzer target for the DMARC policy record parser
 * (RFC 9989 sections 4.7, 4.8; RFC 7489's obsolete tags).
 */
#include "mxc_private.h"
#include "checks/dmarc/dmarc_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct mxci_dmarc_rec r;
  size_t i;

  (void)mxci_dmarc_looks_like(data, size);
  (void)mxci_dmarc_is_record(data, size);
  memset(&r, 0, sizeof(r));
  if (mxci_dmarc_parse(data, size, &r) == 0) {
    (void)mxci_dmarc_rec_tag(&r, "p");
    (void)mxci_dmarc_rec_tag(&r, "rua");
    (void)mxci_dmarc_policy_word(r.p);
    for (i = 0; i < r.ntags; i++)
      (void)mxci_dmarc_rec_tag(&r, r.tname[i]);
  }
  mxci_dmarc_rec_clear(&r);
  return 0;
}
