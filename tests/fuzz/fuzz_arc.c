/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_arc.c -- libFuzzer target for what ARC verification reads of a
 * hostile header (lib/checks/arc/arc_parse.c): the tag-list parser, the
 * ARC-Authentication-Results instance, base64, the simple and relaxed
 * canonicalisation of a field (with its b= left out) and of a body.
 * Build and run: make fuzz (clang with -fsanitize=fuzzer).
 */
#include "mxc_private.h"
#include "checks/arc/arc_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *arg, const char *p, size_t n)
{
  size_t *total = arg;
  if (n && p[n - 1] == '\0')
    (*total)++;
  *total += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data;
  struct mxci_arc_tags t;
  struct mxci_buf b = {0};
  struct mxci_arc_body body;
  unsigned char *dec;
  size_t i, n, total = 0;

  if (mxci_arc_tags_parse(s, size, &t) == NULL) {
    for (i = 0; i < t.n; i++) {
      /* every tag found lies inside the input */
      if (t.t[i].name < s || t.t[i].name + t.t[i].nlen > s + size ||
          t.t[i].val < s || t.t[i].val + t.t[i].vlen > s + size)
        __builtin_trap();
      dec = mxci_arc_b64(t.t[i].val, t.t[i].vlen, &n);
      mxci_free(dec);
    }
    (void)mxci_arc_tag(&t, "b");
  }
  (void)mxci_arc_aar_instance(s, size);
  mxci_arc_canon_header(&b, s, size, 0, 1);
  mxci_arc_canon_header(&b, s, size, 1, 1);
  mxci_arc_canon_header(&b, s, size, 1, 0);
  mxci_free(b.s);
  for (i = 0; i < 2; i++) {
    memset(&body, 0, sizeof(body));
    body.relaxed = (int)i;
    body.out = sink;
    body.arg = &total;
    /* in two chunks, split anywhere */
    mxci_arc_body_feed(&body, s, size / 2);
    mxci_arc_body_feed(&body, s + size / 2, size - size / 2);
    mxci_arc_body_end(&body);
  }
  return 0;
}
