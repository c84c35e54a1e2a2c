/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_msgsplit.c -- libFuzzer target for the CLI's message splitter
 * (cli/msgsplit.c): the input is a message, fed in chunks whose sizes come
 * from its first octet, with a small field limit so that cuts happen.
 * Checked: every field handed over is at most the limit plus 3 octets, eoh
 * comes once, and the body handed over is exactly a tail of the input.
 */
#include "mxc_private.h"
#include "msgsplit.h"

#include <assert.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct sink {
  size_t max, eohs;
  char *body;
  size_t blen;
};

static int on_field(void *arg, const char *f, size_t len)
{
  struct sink *s = arg;
  (void)f;
  assert(len <= s->max + 3);
  assert(s->eohs == 0);
  return 0;
}

static int on_eoh(void *arg)
{
  struct sink *s = arg;
  s->eohs++;
  return 0;
}

static int on_body(void *arg, const char *p, size_t len)
{
  struct sink *s = arg;
  assert(s->eohs == 1);
  memcpy(s->body + s->blen, p, len);
  s->blen += len;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct msgsplit m;
  struct sink s;
  size_t step, off = 0;

  memset(&s, 0, sizeof(s));
  s.max = size ? (size_t)data[0] % 64 + 8 : 8;
  s.body = malloc(size + 1);
  if (s.body == NULL)
    return 0;
  msgsplit_init(&m);
  m.field = on_field;
  m.eoh = on_eoh;
  m.body = on_body;
  m.arg = &s;
  m.max_field = s.max;
  step = size > 1 ? (size_t)data[1] % 13 + 1 : 1;
  while (off < size) {
    size_t n = size - off < step ? size - off : step;
    if (msgsplit_feed(&m, (const char *)data + off, n) != 0)
      break;
    off += n;
  }
  (void)msgsplit_end(&m);
  assert(s.eohs == 1);
  assert(s.blen <= size);
  assert(memcmp(s.body, data + size - s.blen, s.blen) == 0);
  msgsplit_free(&m);
  free(s.body);
  return 0;
}
