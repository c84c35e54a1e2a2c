/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dkim.c -- libFuzzer target for DKIM streaming through the public
 * API (mxc_dkim_new/header/eoh/body): signature fields parsed by
 * libopendkim and by the library, canonicalisation of header and body.
 * The input is a message; its header is split at LF (folds kept), the body
 * fed in chunks whose sizes come from the input.  The check is cancelled
 * at the end: key records are fetched through DNS, which a fuzzer has
 * none of (key-record parsing is covered by the DKIM suites).
 */
#include "mxc_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mxc_ctx_t *ctx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  mxc_check_t *chk = NULL;
  const char *p = (const char *)data, *end = p + size, *start = p;
  size_t step;

  if (ctx == NULL) {
    if (mxc_ctx_new(&ctx) != MXC_OK)
      return 0;
    /* A closed loopback port: nothing leaves the machine. */
    (void)mxc_ctx_set_servers(ctx, "127.0.0.1:9");
  }
  if (mxc_dkim_new(ctx, &chk) != MXC_OK)
    return 0;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *next = nl ? nl + 1 : end;
    if (nl == p || (nl == p + 1 && *p == '\r')) { /* the empty line */
      p = next;
      break;
    }
    if (next < end && (*next == ' ' || *next == '\t')) {
      p = next;
      continue;
    }
    if (mxc_dkim_header(chk, start, (size_t)((nl ? nl : end) - start)) !=
        MXC_OK)
      break;
    start = p = next;
  }
  if (mxc_dkim_eoh(chk) == MXC_OK) {
    step = size ? (size_t)data[0] % 97 + 1 : 1;
    while (p < end) {
      size_t n = (size_t)(end - p) < step ? (size_t)(end - p) : step;
      if (mxc_dkim_body(chk, p, n) != MXC_OK)
        break;
      p += n;
    }
  }
  mxc_check_cancel(chk);
  (void)mxc_run(ctx, 0);
  return 0;
}
