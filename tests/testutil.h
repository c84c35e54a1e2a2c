/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * testutil.h -- helpers shared by the integration tests.  The servers come
 * from tests/dnsfixture.sh through the environment.
 */
#ifndef MXC_TESTUTIL_H
#define MXC_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxcheck.h"

/* Exit with automake's SKIP status when the fixture did not run. */
static inline const char *tu_server(const char *var)
{
  const char *s = getenv(var);
  if (s == NULL || *s == '\0') {
    fprintf(stderr, "SKIP: %s not set (run under tests/dnsfixture.sh)\n", var);
    exit(77);
  }
  return s;
}

static inline mxc_ctx_t *tu_ctx(const char *server)
{
  mxc_ctx_t *ctx = NULL;
  ck_assert_int_eq(mxc_ctx_new(&ctx), MXC_OK);
  ck_assert_msg(mxc_ctx_set_servers(ctx, server) == MXC_OK, "%s",
                mxc_ctx_error(ctx));
  return ctx;
}

/* Index of the PTR name `name` in an iprev result, or -1. */
static inline long tu_name_index(const mxc_result_t *r, const char *name)
{
  size_t i;
  for (i = 0; i < mxc_iprev_ptr_count(r); i++)
    if (strcmp(mxc_iprev_ptr_name(r, i), name) == 0)
      return (long)i;
  return -1;
}

static inline int tu_has_warning(const mxc_result_t *r, const char *code)
{
  size_t i;
  for (i = 0; i < mxc_result_warning_count(r); i++)
    if (strcmp(mxc_result_warning_code(r, i), code) == 0)
      return 1;
  return 0;
}

/* Does warning `code` exist and contain `text`? */
static inline int tu_warning_has(const mxc_result_t *r, const char *code,
                                 const char *text)
{
  size_t i;
  for (i = 0; i < mxc_result_warning_count(r); i++)
    if (strcmp(mxc_result_warning_code(r, i), code) == 0 &&
        strstr(mxc_result_warning_text(r, i), text))
      return 1;
  return 0;
}

static inline int tu_run_suite(Suite *s)
{
  SRunner *sr = srunner_create(s);
  int failed;
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}

#endif
