/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check_jsonw.c -- the renderings' JSON writer (lib/jsonw.c) against
 * json-c: the same values must give the same text as json-c's
 * json_object_to_json_string_ext(PLAIN | NOSLASHESCAPE), which the JSON
 * output was written with before the writer (tests/golden holds it); and
 * json-c's parser must read back what was written.
 */
#include "mxc_private.h"

#include <check.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static char *jsonc_text(json_object *o)
{
  char *s = strdup(json_object_to_json_string_ext(
      o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(o);
  return s;
}

/* {"k": s} by both */
static void same_string(const char *s)
{
  struct mxci_jw w = {0};
  json_object *o = json_object_new_object();
  char *a, *b;
  mxci_jw_object(&w, NULL);
  mxci_jw_str(&w, "k", s);
  mxci_jw_end(&w);
  a = mxci_jw_finish(&w);
  json_object_object_add(o, "k", json_object_new_string(s));
  b = jsonc_text(o);
  ck_assert_ptr_nonnull(a);
  ck_assert_str_eq(a, b);
  free(a);
  free(b);
}

START_TEST(every_octet)
{
  char s[4] = "a?b";
  int c;
  for (c = 1; c < 256; c++) {
    s[1] = (char)c;
    same_string(s);
    s[0] = (char)c; /* at the start and twice in a row */
    same_string(s);
    s[0] = 'a';
  }
  same_string("");
  same_string("/path/with/slashes and \"quotes\" \\ back\\slash");
  same_string("tab\there\r\nline\fform\bback\x01\x1f\x7f caf\xc3\xa9 \xff");
}
END_TEST

START_TEST(random_strings)
{
  char s[64];
  unsigned seed = 12345;
  int i, j, n;
  for (i = 0; i < 20000; i++) {
    seed = seed * 1103515245u + 12345u;
    n = (int)((seed >> 16) % (sizeof(s) - 1));
    for (j = 0; j < n; j++) {
      seed = seed * 1103515245u + 12345u;
      s[j] = (char)(1 + (seed >> 16) % 255);
    }
    s[n] = '\0';
    same_string(s);
  }
}
END_TEST

START_TEST(structures)
{
  struct mxci_jw w = {0};
  json_object *o = json_object_new_object(), *a = json_object_new_array(),
              *x = json_object_new_object();
  char *s1, *s2;
  const int64_t ints[] = {0, -1, 7, 42, -42, 1000000007, INT64_MAX, INT64_MIN};
  size_t i;

  mxci_jw_object(&w, NULL);
  mxci_jw_array(&w, "ints");
  for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
    mxci_jw_int(&w, NULL, ints[i]);
    json_object_array_add(a, json_object_new_int64(ints[i]));
  }
  mxci_jw_end(&w);
  json_object_object_add(o, "ints", a);
  mxci_jw_bool(&w, "yes", 1);
  json_object_object_add(o, "yes", json_object_new_boolean(1));
  mxci_jw_bool(&w, "no", 0);
  json_object_object_add(o, "no", json_object_new_boolean(0));
  mxci_jw_null(&w, "nothing");
  json_object_object_add(o, "nothing", NULL);
  mxci_jw_str(&w, "null string", NULL);
  json_object_object_add(o, "null string", NULL);
  mxci_jw_object(&w, "empty");
  mxci_jw_end(&w);
  json_object_object_add(o, "empty", json_object_new_object());
  mxci_jw_array(&w, "none");
  mxci_jw_end(&w);
  json_object_object_add(o, "none", json_object_new_array());
  mxci_jw_object(&w, "nested");
  mxci_jw_array(&w, "a");
  mxci_jw_object(&w, NULL);
  mxci_jw_str(&w, "k\"ey", "v");
  mxci_jw_end(&w);
  mxci_jw_null(&w, NULL);
  mxci_jw_end(&w);
  mxci_jw_end(&w);
  a = json_object_new_array();
  {
    json_object *e = json_object_new_object();
    json_object_object_add(e, "k\"ey", json_object_new_string("v"));
    json_object_array_add(a, e);
    json_object_array_add(a, NULL);
  }
  json_object_object_add(x, "a", a);
  json_object_object_add(o, "nested", x);
  mxci_jw_end(&w);

  s1 = mxci_jw_finish(&w);
  s2 = jsonc_text(o);
  ck_assert_ptr_nonnull(s1);
  ck_assert_str_eq(s1, s2);
  /* and json-c reads it back */
  o = json_tokener_parse(s1);
  ck_assert_ptr_nonnull(o);
  ck_assert_int_eq(json_object_array_length(json_object_object_get(o, "ints")),
                   8);
  json_object_put(o);
  free(s1);
  free(s2);
}
END_TEST

/* A key given to an element of an array goes unsaid; a key the outermost
 * object has already is dropped with its whole value (json-c kept one
 * member for it too). */
START_TEST(keys_in_arrays_and_repeated)
{
  struct mxci_jw w = {0};
  char *s;
  mxci_jw_object(&w, NULL);
  mxci_jw_str(&w, "message", "m1");
  mxci_jw_array(&w, "list");
  mxci_jw_object(&w, "dmarc"); /* one member of a result, in an array */
  mxci_jw_int(&w, "n", 1);
  mxci_jw_end(&w);
  mxci_jw_end(&w);
  mxci_jw_str(&w, "message", "m1");
  mxci_jw_object(&w, "list"); /* repeated, with nested values */
  mxci_jw_array(&w, "x");
  mxci_jw_str(&w, NULL, "dropped");
  mxci_jw_end(&w);
  mxci_jw_end(&w);
  mxci_jw_bool(&w, "after", 1);
  mxci_jw_object(&w, "inner");
  mxci_jw_int(&w, "n", 1);
  mxci_jw_int(&w, "n", 2); /* below the outermost object: as given */
  mxci_jw_end(&w);
  mxci_jw_end(&w);
  s = mxci_jw_finish(&w);
  ck_assert_ptr_nonnull(s);
  ck_assert_str_eq(s, "{\"message\":\"m1\",\"list\":[{\"n\":1}],"
                      "\"after\":true,\"inner\":{\"n\":1,\"n\":2}}");
  free(s);
}
END_TEST

START_TEST(unbalanced)
{
  struct mxci_jw w = {0};
  int i;
  mxci_jw_object(&w, NULL);
  ck_assert_ptr_null(mxci_jw_finish(&w)); /* not closed */
  mxci_jw_end(&w);
  ck_assert_ptr_null(mxci_jw_finish(&w)); /* closed more than opened */
  for (i = 0; i < MXCI_JW_DEPTH + 1; i++)
    mxci_jw_array(&w, NULL);
  for (i = 0; i < MXCI_JW_DEPTH + 1; i++)
    mxci_jw_end(&w);
  ck_assert_ptr_null(mxci_jw_finish(&w)); /* too deep */
  mxci_jw_str(&w, NULL, "x");
  mxci_jw_free(&w);
  ck_assert_ptr_null(w.buf);
}
END_TEST

/* Large text: the buffer grows by doubling past its first size. */
START_TEST(large)
{
  struct mxci_jw w = {0};
  static char big[100001];
  char *s;
  memset(big, 'x', sizeof(big) - 1);
  big[5000] = '"';
  mxci_jw_array(&w, NULL);
  mxci_jw_str(&w, NULL, big);
  mxci_jw_str(&w, NULL, big);
  mxci_jw_end(&w);
  s = mxci_jw_finish(&w);
  ck_assert_ptr_nonnull(s);
  ck_assert_uint_eq(strlen(s), 2 * (100000 + 1 + 2) + 1 + 2);
  free(s);
}
END_TEST

int main(void)
{
  Suite *su = suite_create("jsonw");
  TCase *tc = tcase_create("jsonw");
  SRunner *sr;
  int nf;
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, every_octet);
  tcase_add_test(tc, random_strings);
  tcase_add_test(tc, structures);
  tcase_add_test(tc, keys_in_arrays_and_repeated);
  tcase_add_test(tc, unbalanced);
  tcase_add_test(tc, large);
  suite_add_tcase(su, tc);
  sr = srunner_create(su);
  srunner_run_all(sr, CK_NORMAL);
  nf = srunner_ntests_failed(sr);
  srunner_free(sr);
  return nf == 0 ? 0 : 1;
}
