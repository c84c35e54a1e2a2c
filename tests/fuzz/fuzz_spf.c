/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_spf.c -- libFuzzer target for the SPF record parser (RFC 7208
 * sections 4.5, 4.6, 5, 6, 12) and the macro-string checker and expander
 * (section 7) with fuzzed macro values.  The input is a record; when it
 * holds NUL octets, the parts after them are the sender, the client
 * address, the domain and the HELO name the macros expand.
 */
#include "mxc_private.h"
#include "checks/spf/spf_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The n-th NUL-separated part of data (a copy), or def. */
static char *part(const uint8_t *data, size_t size, int n, const char *def)
{
  size_t i = 0, start = 0;
  int k = 0;
  for (i = 0; i <= size; i++)
    if (i == size || data[i] == '\0') {
      if (k == n)
        return mxci_strndup((const char *)data + start, i - start);
      k++;
      start = i + 1;
    }
  return mxci_strdup(def);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct mxci_spf_record rec;
  struct mxci_spf_env env;
  char err[200], *rec_text, *s, *ip, *d, *h, *out;
  static const int kinds[] = {MXCI_SPF_MS_DOMAIN, MXCI_SPF_MS_EXPLAIN,
                              MXCI_SPF_MS_MODIFIER};
  size_t i, k;

  rec_text = part(data, size, 0, "");
  s = part(data, size, 1, "user@example.com");
  ip = part(data, size, 2, "192.0.2.1");
  d = part(data, size, 3, "example.com");
  h = part(data, size, 4, "mx.example.com");
  if (!rec_text || !s || !ip || !d || !h)
    goto done;

  (void)mxci_spf_is_record((const unsigned char *)rec_text, strlen(rec_text));
  memset(&rec, 0, sizeof(rec));
  if (mxci_spf_parse((const unsigned char *)rec_text, strlen(rec_text), &rec,
                     err, sizeof(err)) == 0) {
    for (i = 0; i < rec.nterms; i++)
      if (rec.terms[i].spec)
        (void)mxci_name_ok(rec.terms[i].spec, 1);
  }
  mxci_spf_record_clear(&rec);

  /* The same text as each kind of macro-string, expanded when valid. */
  memset(&env, 0, sizeof(env));
  env.s = s;
  env.l = "user";
  env.o = d;
  env.d = d;
  env.i = ip;
  env.p = "unknown";
  env.h = h;
  env.c = ip;
  env.r = "unknown";
  env.t = "1700000000";
  env.v = strchr(ip, ':') ? "ip6" : "in-addr";
  for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
    if (mxci_spf_check_macro(rec_text, strlen(rec_text), kinds[k], err,
                             sizeof(err)) < 0)
      continue;
    (void)mxci_spf_uses_p(rec_text);
    out = mxci_spf_expand(rec_text, kinds[k], &env, err, sizeof(err));
    if (out && kinds[k] == MXCI_SPF_MS_DOMAIN) {
      char *dn = mxci_spf_dns_name(out);
      mxci_free(dn);
    }
    mxci_free(out);
  }
done:
  mxci_free(rec_text);
  mxci_free(s);
  mxci_free(ip);
  mxci_free(d);
  mxci_free(h);
  return 0;
}
