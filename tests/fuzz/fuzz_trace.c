/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_trace.c -- libFuzzer target for the trace field parser (Received,
 * Return-Path) of lib/checks/compliance/trace.c: a received message's
 * header is written by whoever sent it, above the receiver's own fields.
 * Build and run: make fuzz (clang with -fsanitize=fuzzer).
 */
#include "mxc_private.h"
#include "checks/compliance/compliance_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct mxci_trace t;
  struct mxci_hop h;
  char *s, rp[300];

  s = malloc(size + 1);
  if (s == NULL)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  (void)mxci_trace_parse_received(s, &h);
  (void)mxci_trace_parse_return_path(s, rp, sizeof(rp));
  memset(&t, 0, sizeof(t));
  mxci_trace_add(&t, "received", s, 1, 1);
  mxci_trace_add(&t, "return-path", s, 2, 2);
  free(s);
  return 0;
}
