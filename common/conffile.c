/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conffile.c -- the "key value" / "key = value" reader of conffile.h,
 * linked into mxcheck and mxcheck-milter (common/libmxconf.la).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conffile.h"

/* An unquoted value loses its trailing blanks; a quoted one ("...", with
 * \" and \\) its quotes.  -1: the quotes do not close, or text follows
 * them. */
static int value_of(char *v)
{
  char *e, *r, *w;
  if (*v != '"') {
    e = v + strlen(v);
    while (e > v && isspace((unsigned char)e[-1]))
      *--e = '\0';
    return 0;
  }
  for (r = v + 1, w = v; *r && *r != '"'; r++) {
    if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
      r++;
    *w++ = *r;
  }
  if (*r != '"')
    return -1;
  for (r++; *r; r++)
    if (!isspace((unsigned char)*r))
      return -1;
  *w = '\0';
  return 0;
}

int mxconf_read(const char *path, int must, mxconf_cb cb, void *arg,
                char *err, size_t errsize)
{
  FILE *f;
  char line[MXCONF_MAX_LINE + 2]; /* the line, its newline, the NUL */
  unsigned long lineno = 0;
  long total = 0;
  int rc = MXCONF_OK;

  err[0] = '\0';
  f = fopen(path, "r");
  if (f == NULL) {
    if (!must && errno == ENOENT)
      return MXCONF_MISSING;
    snprintf(err, errsize, "%s: %s", path, strerror(errno));
    return MXCONF_ERROR;
  }
  while (fgets(line, sizeof(line), f)) {
    char where[300], *k, *v, *e;
    size_t len = strlen(line);
    lineno++;
    snprintf(where, sizeof(where), "%s:%lu: ", path, lineno);
    total += (long)len;
    if (total > MXCONF_MAX_BYTES) {
      snprintf(err, errsize, "%sfile longer than %ld bytes", where,
               MXCONF_MAX_BYTES);
      rc = MXCONF_ERROR;
      break;
    }
    if (len && line[len - 1] == '\n')
      line[--len] = '\0';
    else if (!feof(f) || len > MXCONF_MAX_LINE) {
      /* (a NUL byte ends up here too: fgets() reads on past it) */
      snprintf(err, errsize, "%sline longer than %d bytes, or with a NUL "
               "byte", where, MXCONF_MAX_LINE);
      rc = MXCONF_ERROR;
      break;
    }
    k = line + strspn(line, " \t\r");
    if (*k == '#' || *k == '\0')
      continue;
    e = k + strcspn(k, " \t=\r");
    v = e + strspn(e, " \t");
    if (*v == '=')
      v++;
    v += strspn(v, " \t");
    *e = '\0';
    if (*k == '\0') {
      snprintf(err, errsize, "%sno key before '='", where);
      rc = MXCONF_ERROR;
      break;
    }
    if (value_of(v) < 0) {
      snprintf(err, errsize, "%s%s: the quoted value does not end with '\"'",
               where, k);
      rc = MXCONF_ERROR;
      break;
    }
    if (*v == '\0') {
      snprintf(err, errsize, "%s%s: no value", where, k);
      rc = MXCONF_ERROR;
      break;
    }
    if (cb(arg, k, v, where) < 0) {
      rc = MXCONF_ERROR;
      break;
    }
  }
  if (rc == MXCONF_OK && ferror(f)) {
    snprintf(err, errsize, "%s: %s", path, strerror(errno));
    rc = MXCONF_ERROR;
  }
  fclose(f);
  return rc;
}
