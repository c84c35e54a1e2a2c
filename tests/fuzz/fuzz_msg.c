/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_msg.c -- libFuzzer target for the message header checks behind
 * the compliance rules (RFC 5322 findings of R12, From/display-name facts,
 * Date, Message-ID, List-Unsubscribe): the input is a header, one field per
 * LF-separated line (folds are lines that start with white space and stay
 * in their field), through the public mxc_msg_* API.
 */
#include "mxc_private.h"
#include "checks/compliance/compliance_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  mxc_msg_t *m = NULL;
  struct mxci_msg_facts f;
  const char *p = (const char *)data, *end = p + size, *start = p;
  size_t i;

  if (mxc_msg_new(&m) != MXC_OK)
    return 0;
  mxc_msg_set_smtputf8(m, size > 0 && (data[0] & 1));
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *next = nl ? nl + 1 : end;
    /* A following line that starts with WSP continues the field. */
    if (next < end && (*next == ' ' || *next == '\t')) {
      p = next;
      continue;
    }
    (void)mxc_msg_field(m, start, (size_t)((nl ? nl : end) - start));
    start = p = next;
  }
  memset(&f, 0, sizeof(f));
  mxci_msg_facts(m, &f);
  /* the author domains: bounded, distinct, non-empty, the From domain
   * first when there is one */
  if (f.nauthors > MXCI_MSG_MAX_AUTHORS ||
      (f.authors_over && f.nauthors != MXCI_MSG_MAX_AUTHORS) ||
      (*f.from_domain && (f.nauthors == 0 ||
                          strcmp(f.author[0], f.from_domain) != 0)))
    __builtin_trap();
  for (i = 0; i < f.nauthors; i++) {
    size_t j;
    if (f.author[i][0] == '\0')
      __builtin_trap();
    for (j = 0; j < i; j++)
      if (mxci_name_eq(f.author[i], f.author[j]))
        __builtin_trap();
  }
  for (i = 0; i < mxci_msg_count(m); i++) {
    const struct mxci_msg_field *x = mxci_msg_get(m, i);
    (void)mxci_msg_date_ok(x->value);
    (void)mxci_msg_id_ok(x->value);
  }
  mxci_msg_facts_clear(&f);
  mxc_msg_free(m);
  return 0;
}
