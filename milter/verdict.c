/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict.c -- one word for one compliance report: pass, warn, fail or
 * unknown, the library's verdict (mxc_result_state()).  A DNS temperror is
 * unknown, never pass nor fail.
 */
#include "config.h"

#include <string.h>

#include "mxm.h"

/* The library's verdict of the report (mxc_result_state(): a required rule
 * fails -> fail; a required rule indeterminate, e.g. a DNS temperror ->
 * unknown; a warning -> warn; else pass), in the milter's words. */
enum mxm_verdict mxm_verdict(const mxc_result_t *res)
{
  switch (mxc_result_state(res)) {
  case MXC_RULE_PASS:
    return MXM_PASS;
  case MXC_RULE_WARN:
    return MXM_WARN;
  case MXC_RULE_FAIL:
    return MXM_FAIL;
  default:
    return MXM_UNKNOWN;
  }
}

const char *mxm_verdict_str(enum mxm_verdict v)
{
  switch (v) {
  case MXM_PASS:
    return "pass";
  case MXM_WARN:
    return "warn";
  case MXM_FAIL:
    return "fail";
  default:
    return "unknown";
  }
}
