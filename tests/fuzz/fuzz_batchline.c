/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_batchline.c -- libFuzzer target for the lines of mxcheck --batch
 * (cli/batchline.c): the input is a batch file, cut into lines of at most
 * BL_MAX_LINE octets as the CLI reads them.  Checked: a line taken apart
 * has an ADDRESS and one to three fields without blanks; a MAIL FROM it
 * keeps is one bl_bad_mail_from() accepts; a refused line says why.
 */
#include "batchline.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_blank(const char *f)
{
  if (f && (strchr(f, ' ') || strchr(f, '\t') || *f == '\0'))
    abort();
}

static void one_line(char *line)
{
  struct bl_line b;
  const char *why;
  char copy[BL_MAX_LINE + 1];
  int k;

  memcpy(copy, line, strlen(line) + 1);
  (void)bl_is_domain(copy);
  (void)bl_bad_mail_from(copy);
  k = bl_parse(line, &b, &why);
  if (k == 1)
    return;
  if (k == 0) {
    if (why != NULL || b.addr == NULL || b.nfields < 1 || b.nfields > 3)
      abort();
    no_blank(b.addr);
    no_blank(b.mail_from);
    no_blank(b.helo);
    if (b.mail_from && bl_bad_mail_from(b.mail_from) != NULL)
      abort();
    if (b.null_sender && b.mail_from)
      abort();
    if ((b.nfields >= 2) != (b.mail_from != NULL || b.null_sender))
      abort();
    return;
  }
  if (k != -1 || why == NULL || *why == '\0')
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char line[BL_MAX_LINE + 1];
  size_t i = 0, n = 0;

  for (i = 0; i <= size; i++) {
    if (i == size || data[i] == '\n') {
      line[n] = '\0';
      /* the CLI skips lines with a NUL octet before parsing */
      if (memchr(line, '\0', n) == NULL)
        one_line(line);
      n = 0;
      continue;
    }
    if (n < BL_MAX_LINE)
      line[n++] = (char)data[i];
  }
  return 0;
}
