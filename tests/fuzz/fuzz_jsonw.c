/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_jsonw.c -- libFuzzer target for the renderings' JSON writer
 * (lib/jsonw.c): the input, cut at NUL octets into strings, is written as
 * an object of numbered members (strings, and an array of them, and the
 * string lengths as numbers) by the writer and by json-c.  Checked: the
 * two texts are the same octets, and json-c's parser reads the writer's
 * text back to the same strings whenever the input was valid UTF-8 for it.
 */
#include "mxc_private.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *buf, *strs[MAXS], keys[MAXS][8];
  size_t n = 0, i, off = 0;
  struct mxci_jw w = {0};
  json_object *o, *a, *back;
  char *mine;
  const char *theirs;

  buf = malloc(size + 1);
  if (buf == NULL)
    return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  while (off <= size && n < MAXS) {
    strs[n++] = buf + off;
    off += strlen(buf + off) + 1;
  }
  o = json_object_new_object();
  a = json_object_new_array();
  mxci_jw_object(&w, NULL);
  for (i = 0; i < n; i++) {
    snprintf(keys[i], sizeof(keys[i]), "s%zu", i);
    mxci_jw_str(&w, keys[i], strs[i]);
    json_object_object_add(o, keys[i], json_object_new_string(strs[i]));
  }
  mxci_jw_array(&w, "all");
  for (i = 0; i < n; i++) {
    mxci_jw_str(&w, NULL, strs[i]);
    mxci_jw_int(&w, NULL, -(int64_t)strlen(strs[i]) * 1000003);
    json_object_array_add(a, json_object_new_string(strs[i]));
    json_object_array_add(a,
                          json_object_new_int64(-(int64_t)strlen(strs[i]) * 1000003));
  }
  mxci_jw_end(&w);
  json_object_object_add(o, "all", a);
  mxci_jw_bool(&w, "odd", n % 2);
  json_object_object_add(o, "odd", json_object_new_boolean(n % 2));
  mxci_jw_end(&w);
  mine = mxci_jw_finish(&w);
  theirs = json_object_to_json_string_ext(
      o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  if (mine == NULL || theirs == NULL || strcmp(mine, theirs) != 0)
    abort();
  back = json_tokener_parse(mine);
  if (back != NULL) {
    for (i = 0; i < n; i++) {
      json_object *v;
      if (!json_object_object_get_ex(back, keys[i], &v) ||
          strcmp(json_object_get_string(v), strs[i]) != 0)
        abort();
    }
    json_object_put(back);
  }
  json_object_put(o);
  free(mine);
  free(buf);
  return 0;
}
