/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nullmilter.c -- a do-nothing milter for make bench-milter: it asks for
 * every step a content milter gets and answers "continue" to each, so
 * that the benchmark measures what mxcheck-milter adds over the milter
 * protocol itself.  Usage: nullmilter unix:/path
 */
#include <stdio.h>
#include <stdlib.h>

#include <libmilter/mfapi.h>

static sfsistat cont_hdr(SMFICTX *ctx, char *f, char *v)
{
  (void)ctx;
  (void)f;
  (void)v;
  return SMFIS_CONTINUE;
}

static sfsistat cont_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
  (void)ctx;
  (void)p;
  (void)n;
  return SMFIS_CONTINUE;
}

static sfsistat cont(SMFICTX *ctx)
{
  (void)ctx;
  return SMFIS_CONTINUE;
}

int main(int argc, char **argv)
{
  struct smfiDesc d = {"null", SMFI_VERSION, 0, NULL, NULL, NULL, NULL,
                       cont_hdr, cont, cont_body, cont, NULL, NULL, NULL,
                       NULL, NULL};
  if (argc != 2) {
    fprintf(stderr, "usage: nullmilter SOCKET\n");
    return 2;
  }
  if (smfi_register(d) != MI_SUCCESS || smfi_setconn(argv[1]) != MI_SUCCESS ||
      smfi_opensocket(1) != MI_SUCCESS)
    return 1;
  return smfi_main() == MI_SUCCESS ? 0 : 1;
}
