/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_conffile.c -- the front ends' configuration-file reader
 * (common/conffile.c): separators, comments, quoting, CRLF, line numbers
 * in errors, the line and file limits, a missing file.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conffile.h"

/* The pairs read, as "key=[value]@where" lines. */
struct seen {
  char text[8192];
  int stop_at; /* the callback fails at this pair (1-based), 0: never */
  int n;
};

static int collect(void *arg, const char *key, const char *value,
                   const char *where)
{
  struct seen *s = arg;
  size_t have = strlen(s->text);
  const char *line = strrchr(where, ':'); /* "FILE:LINE: " */
  const char *p = line;
  while (p > where && p[-1] != ':')
    p--;
  snprintf(s->text + have, sizeof(s->text) - have, "%s=[%s]@%.*s\n", key,
           value, (int)(line - p), p);
  return ++s->n == s->stop_at ? -1 : 0;
}

static char path[64];

static void write_file(const char *text, size_t len)
{
  FILE *f;
  int fd;
  snprintf(path, sizeof(path), "/tmp/check_conffile.XXXXXX");
  fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  f = fdopen(fd, "w");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(text, 1, len, f), len);
  fclose(f);
}

/* Read text; the return code, the pairs in s, the error in err. */
static int read_text(const char *text, struct seen *s, char *err,
                     size_t errsize)
{
  int rc;
  write_file(text, strlen(text));
  rc = mxconf_read(path, 1, collect, s, err, errsize);
  unlink(path);
  return rc;
}

static void ok(const char *text, const char *want)
{
  struct seen s;
  char err[512];
  memset(&s, 0, sizeof(s));
  ck_assert_int_eq(read_text(text, &s, err, sizeof(err)), MXCONF_OK);
  ck_assert_str_eq(err, "");
  ck_assert_str_eq(s.text, want);
}

/* The error, after "FILE:". */
static void bad(const char *text, const char *want)
{
  struct seen s;
  char err[512], prefix[80];
  memset(&s, 0, sizeof(s));
  ck_assert_int_eq(read_text(text, &s, err, sizeof(err)), MXCONF_ERROR);
  snprintf(prefix, sizeof(prefix), "%s:", path);
  ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "error '%s'",
                err);
  ck_assert_str_eq(err + strlen(prefix), want);
}

START_TEST(forms)
{
  ok("", "");
  ok("key value\n", "key=[value]@1\n");
  ok("key = value\n", "key=[value]@1\n");
  ok("key=value\n", "key=[value]@1\n");
  ok("  key\t=\t value with  spaces \t\n", "key=[value with  spaces]@1\n");
  ok("key value=more\n", "key=[value=more]@1\n");
  ok("key == x\n", "key=[= x]@1\n");
  /* comments and blank lines keep the line numbers right */
  ok("# comment\n\n   \n\t# indented comment\nk v\n", "k=[v]@5\n");
  /* a # after a value is part of it */
  ok("k v # not a comment\n", "k=[v # not a comment]@1\n");
  /* CRLF, and a last line without its newline */
  ok("a 1\r\nb = 2\r\n", "a=[1]@1\nb=[2]@2\n");
  ok("a 1\nb 2", "a=[1]@1\nb=[2]@2\n");
  /* every pair, in order, repeated keys too */
  ok("s 1\ns 2\nt 3\n", "s=[1]@1\ns=[2]@2\nt=[3]@3\n");
}
END_TEST

START_TEST(quoting)
{
  ok("k \"  spaced  \"\n", "k=[  spaced  ]@1\n");
  ok("k = \"a \\\"b\\\" c\\\\\"  \n", "k=[a \"b\" c\\]@1\n");
  ok("k \"#x\"\n", "k=[#x]@1\n");
  /* a backslash before anything else stays */
  ok("k \"a\\nb\"\n", "k=[a\\nb]@1\n");
  /* quotes inside an unquoted value are kept */
  ok("k a\"b\"\n", "k=[a\"b\"]@1\n");
  bad("k \"open\n", "1: k: the quoted value does not end with '\"'");
  bad("k \"a\" b\n", "1: k: the quoted value does not end with '\"'");
  bad("k \"\"\n", "1: k: no value");
}
END_TEST

START_TEST(errors)
{
  char *big;
  size_t n;

  bad("ok 1\nk\n", "2: k: no value");
  bad("ok 1\nk =  \n", "2: k: no value");
  bad("\n\n= v\n", "3: no key before '='");
  /* a line of 4096 bytes is read, one more is not */
  big = malloc(MXCONF_MAX_BYTES + 100);
  ck_assert_ptr_nonnull(big);
  memset(big, 'a', MXCONF_MAX_LINE + 1);
  memcpy(big, "k ", 2);
  big[MXCONF_MAX_LINE] = '\n';
  big[MXCONF_MAX_LINE + 1] = '\0';
  {
    struct seen s;
    char err[512];
    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(read_text(big, &s, err, sizeof(err)), MXCONF_OK);
    ck_assert_int_eq(s.n, 1);
  }
  big[MXCONF_MAX_LINE] = 'a';
  big[MXCONF_MAX_LINE + 1] = '\n';
  big[MXCONF_MAX_LINE + 2] = '\0';
  bad(big, "1: line longer than 4096 bytes, or with a NUL byte");
  /* the same without the newline at the end of the file */
  big[MXCONF_MAX_LINE + 1] = '\0';
  bad(big, "1: line longer than 4096 bytes, or with a NUL byte");
  /* a file over 1 MiB of comments */
  for (n = 0; n + 64 <= MXCONF_MAX_BYTES + 64; n += 64) {
    memset(big + n, '#', 63);
    big[n + 63] = '\n';
  }
  big[n] = '\0';
  bad(big, "16385: file longer than 1048576 bytes");
  free(big);
  /* a NUL byte in a line */
  {
    struct seen s;
    char err[512];
    memset(&s, 0, sizeof(s));
    write_file("k v\nk a\0b\nk w\n", 14);
    ck_assert_int_eq(mxconf_read(path, 1, collect, &s, err, sizeof(err)),
                     MXCONF_ERROR);
    unlink(path);
    ck_assert_msg(strstr(err, ":2: line longer than 4096 bytes, or with a "
                              "NUL byte") != NULL, "%s", err);
  }
}
END_TEST

START_TEST(callback_stops)
{
  struct seen s;
  char err[512];
  memset(&s, 0, sizeof(s));
  s.stop_at = 2;
  ck_assert_int_eq(read_text("a 1\nb 2\nc 3\n", &s, err, sizeof(err)),
                   MXCONF_ERROR);
  ck_assert_str_eq(err, ""); /* the callback said why */
  ck_assert_str_eq(s.text, "a=[1]@1\nb=[2]@2\n");
}
END_TEST

START_TEST(missing)
{
  struct seen s;
  char err[512];
  memset(&s, 0, sizeof(s));
  ck_assert_int_eq(mxconf_read("/nonexistent/mxcheck.conf", 0, collect, &s,
                               err, sizeof(err)),
                   MXCONF_MISSING);
  ck_assert_str_eq(err, "");
  ck_assert_int_eq(mxconf_read("/nonexistent/mxcheck.conf", 1, collect, &s,
                               err, sizeof(err)),
                   MXCONF_ERROR);
  ck_assert_str_eq(err, "/nonexistent/mxcheck.conf: No such file or "
                        "directory");
  /* a directory is an error even when the file is optional */
  ck_assert_int_eq(mxconf_read("/", 0, collect, &s, err, sizeof(err)),
                   MXCONF_ERROR);
  ck_assert_int_eq(s.n, 0);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("conffile");
  TCase *t = tcase_create("reader");
  tcase_add_test(t, forms);
  tcase_add_test(t, quoting);
  tcase_add_test(t, errors);
  tcase_add_test(t, callback_stops);
  tcase_add_test(t, missing);
  suite_add_tcase(s, t);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(suite());
  int failed;
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
