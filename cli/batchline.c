/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * batchline.c -- one line of mxcheck --batch, MAIL FROM forms, domain
 * names (see batchline.h).
 */
#include "batchline.h"

#include <string.h>

char *bl_trim(char *s)
{
  char *e;
  while (*s == ' ' || *s == '\t')
    s++;
  e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
                   e[-1] == '\r'))
    *--e = '\0';
  return s;
}

int bl_is_domain(const char *s)
{
  size_t n = strlen(s), i, lab = 0;
  if (n && s[n - 1] == '.')
    n--;
  if (n == 0 || n > 253)
    return 0;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '.') {
      if (lab == 0)
        return 0;
      lab = 0;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_' || c >= 0x80))
      return 0;
    if (++lab > 63)
      return 0;
  }
  return lab > 0;
}

const char *bl_bad_mail_from(const char *s)
{
  const char *at, *p;
  char buf[BL_MAX_LINE + 1];
  size_t n = strlen(s);
  if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
    if (n - 2 >= sizeof(buf))
      return "too long";
    memcpy(buf, s + 1, n - 2);
    buf[n - 2] = '\0';
    s = buf;
  }
  if (*s == '\0')
    return NULL;
  for (p = s; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
      return "white space, a control character or <> in it";
  at = strrchr(s, '@');
  if (at == NULL)
    return bl_is_domain(s) ? NULL : "expected user@domain";
  if (at[1] == '\0')
    return "no domain after the @ (expected user@domain)";
  if (!bl_is_domain(at + 1))
    return "the part after the @ is not a domain name";
  return NULL;
}

int bl_parse(char *s, struct bl_line *b, const char **why)
{
  char *fld[4];
  int nf = 0;

  memset(b, 0, sizeof(*b));
  *why = NULL;
  s = bl_trim(s);
  if (*s == '\0' || *s == '#')
    return 1;
  while (*s && nf < 4) {
    fld[nf++] = s;
    s += strcspn(s, " \t");
    if (*s) {
      *s++ = '\0';
      s += strspn(s, " \t");
    }
  }
  b->addr = fld[0];
  b->nfields = nf > 3 ? 3 : nf;
  if (nf >= 2) {
    b->null_sender = strcmp(fld[1], "<>") == 0;
    b->mail_from = b->null_sender ? NULL : fld[1];
  }
  if (nf >= 3)
    b->helo = fld[2];
  if (nf > 3)
    *why = "more than ADDRESS MAIL-FROM HELO";
  else if (nf >= 2 && b->mail_from && bl_bad_mail_from(b->mail_from) != NULL)
    *why = "MAIL-FROM is not an address (expected user@domain or <>)";
  return *why ? -1 : 0;
}
