/*
 * verdict.c -- one word for one compliance report: pass, warn, fail or
 * unknown.
 *
 * TO BE REPLACED by the library's per-report verdict accessor when it
 * lands (issue "Verdicts an admin and a monitor can trust"); until then
 * this is the one place where the milter computes it, from public
 * accessors only:
 *   fail     a rule's state is fail (unless the rule is judged on a
 *            sub-result that is a temperror: see depends());
 *   unknown  else, a sub-result (iprev, spf, dkim, dmarc) is a temperror,
 *            or a rule the profile requires is unknown for want of
 *            evidence;
 *   warn     else, a rule warns;
 *   pass     otherwise.
 * A DNS temperror is unknown, never pass nor fail.
 */
#include "config.h"

#include <string.h>

#include "mxm.h"

/*
 * Rules no milter can decide, whatever the message: R14 (TLS of the hop to
 * the receiver is chosen by the MTA's SMTP client, which no milter sees)
 * and R13 (the library does not look the domains up yet: "not checked").
 * They are listed in unknown= but do not make the verdict unknown, or
 * every message would be.
 */
int mxm_rule_unobservable(const char *id)
{
  return strcmp(id, "R13") == 0 || strcmp(id, "R14") == 0;
}

/*
 * Whether a rule is required by a profile (else recommended).  The public
 * API does not expose it yet; this mirrors the rule table of
 * lib/compliance.c (RULES.md section 1.4) and goes with this file.
 */
static int required(const char *id, const char *profile)
{
  static const char *const all[] = {"R1", "R2", "R5", "R6", "R7", "R10",
                                    "R11", "R12", "R13", "R14", "R20"};
  size_t i;
  int bulk = strstr(profile, "-bulk") != NULL;
  for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
    if (strcmp(id, all[i]) == 0)
      return 1;
  if (strcmp(id, "R8") == 0 || strcmp(id, "R9") == 0)
    return bulk;
  if (strcmp(id, "R15") == 0)
    return strcmp(profile, "gmail-bulk") == 0 ||
           strcmp(profile, "yahoo-bulk") == 0;
  return 0;
}

/*
 * The methods (bits: 1 iprev, 2 spf, 4 dkim, 8 dmarc) whose results a rule
 * is judged on (RULES.md section 1.4).  A rule that fails while one of them
 * is a temperror failed for want of an answer, not on evidence: unknown.
 * (The library reports R8 and R15 as fail when SPF or DKIM are temperror.)
 */
static unsigned depends(const char *id)
{
  static const struct {
    const char *id;
    unsigned m;
  } t[] = {{"R1", 1},  {"R2", 1},   {"R3", 1},   {"R4", 1},   {"R5", 2},
           {"R6", 4},  {"R7", 6},   {"R8", 6},   {"R9", 8},   {"R10", 14},
           {"R11", 12}, {"R13", 15}, {"R15", 4}, {"R19", 1},  {"R20", 7}};
  size_t i;
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
    if (strcmp(id, t[i].id) == 0)
      return t[i].m;
  return 0; /* R12, R14, R16, R17, R18: the message alone */
}

enum mxm_verdict mxm_verdict(const mxc_result_t *res)
{
  static const char *const methods[] = {"iprev", "spf", "dkim", "dmarc"};
  const char *profile = mxc_compliance_profile(res);
  size_t i, n = mxc_compliance_rule_count(res);
  int warn = 0, unknown = 0, fail = 0;
  unsigned temp = 0;

  for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
    const mxc_result_t *sub = mxc_compliance_sub(res, methods[i]);
    if (sub && mxc_result_verdict(sub) == MXC_VERDICT_TEMPERROR)
      temp |= 1u << i;
  }
  if (temp)
    unknown = 1;
  for (i = 0; i < n; i++) {
    const char *id = mxc_compliance_rule_id(res, i);
    switch (mxc_compliance_rule_state(res, i)) {
    case MXC_RULE_FAIL:
      if (depends(id) & temp)
        unknown = 1;
      else
        fail = 1;
      break;
    case MXC_RULE_WARN:
      warn = 1;
      break;
    case MXC_RULE_UNKNOWN:
      if (required(id, profile ? profile : "gmail") &&
          !mxm_rule_unobservable(id))
        unknown = 1;
      break;
    default:
      break;
    }
  }
  return fail ? MXM_FAIL : unknown ? MXM_UNKNOWN : warn ? MXM_WARN : MXM_PASS;
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
