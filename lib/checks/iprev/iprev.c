/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iprev.c -- forward-confirmed reverse DNS, RFC 8601 section 3 "iprev".
 *
 * PTR lookup of the address's reverse name (nibble ip6.arpa for IPv6), then
 * the forward lookup of each PTR name in the same family (A for IPv4, AAAA
 * for IPv6), at most MXC_IPREV_MAX_NAMES of them, in parallel.  The check
 * passes when one forward answer holds the address.  CNAMEs are followed in
 * both directions (RFC 2317 classless reverse delegation uses them).
 *
 * Beyond the RFC: where the reverse tree stops when there is no PTR, an
 * IPv6 PTR name with only an A record, generic-looking names, DNSSEC.
 */
#include "mxc_private.h"
#include "iprev_private.h"

#include <ctype.h>
#include <stdio.h>

/* Forward addresses kept per name for the report. */
#define MAX_ADDRS_SHOWN 16

struct iprev_check;

struct lookup {
  struct mxci_waiter w;
  struct iprev_check *f;
  size_t idx;    /* name index (forward lookups) */
  const char *qname; /* name asked (after CNAME hops): own, or borrowed */
  char *own;         /* qname when it is ours to free */
  int hops;      /* CNAME hops so far */
  int probe_a;   /* the A lookup for an IPv6 name without AAAA */
  int only_a;    /* ... and it found one */
  int active;
};

struct iprev_check {
  mxc_check_t *chk;
  /* the address checked (its text and reverse name are in res) */
  int family;
  unsigned char b[16];
  mxc_result_t *res;
  int pending;
  int all_ad, answers;
  int stage_error; /* PTR stage set a final verdict */
  struct lookup ptr;
  struct lookup *ns;  /* the reverse zone's NS: only when there is no PTR */
  struct lookup *fw;  /* one per PTR name tried */
  struct lookup *pa;  /* A probes (IPv6) */
  size_t nfw;
  size_t nnames_total;
};

static void iprev_done(struct iprev_check *f);

static void note_answer(struct iprev_check *f, const struct mxci_answer *ans)
{
  if (ans->err != ARES_SUCCESS)
    return;
  f->answers++;
  if (!ans->ad)
    f->all_ad = 0;
}

static void release(struct iprev_check *f)
{
  if (--f->pending == 0)
    iprev_done(f);
}

static void set_reason(struct iprev_check *f, char *s)
{
  mxci_free(f->res->reason);
  f->res->reason = s;
}

/* Look name up for l.  A name in the result (the reverse name) is
 * borrowed: it lives as long as the check; any other is copied. */
static int start_lookup(struct iprev_check *f, struct lookup *l, const char *name,
                        uint16_t type, mxci_dns_cb cb)
{
  mxc_status_t st;
  char *q = NULL;
  if (name != f->res->reverse && (q = mxci_strdup(name)) == NULL)
    return -1; /* LCOV_EXCL_LINE: OutOfMemory */
  mxci_free(l->own);
  l->own = q;
  l->qname = q ? q : name;
  l->f = f;
  l->active = 1;
  f->pending++;
  st = mxci_dns_lookup(f->chk->ctx, name, type, cb, l, &l->w);
  if (st != MXC_OK) {
    l->active = 0;
    f->pending--;
    return -1;
  }
  return 0;
}

/* ---- generic-looking names ----------------------------------------------- */

static const char *const generic_words[] = {
    "dyn",    "dynamic", "dynip",  "pool",      "dsl",      "adsl",
    "vdsl",   "xdsl",    "sdsl",   "dial",      "dialup",   "dialin",
    "ppp",    "pppoe",   "cable",  "dhcp",      "client",   "clients",
    "cust",   "customer", "broadband", "resident", "residential", "home",
    "user",   "users",   "ftth",   "fttx",      "cpe",      "mobile",
    "static", "wifi",    "nat",    "unassigned", "unknown", NULL};

/* The value of token t read as a number in base 10 or 16, written as
 * printf's %u or %x would (no sign, no leading zero, at most 4 digits);
 * -1 when it is not one. */
static long token_number(const char *t, unsigned base)
{
  long v = 0;
  size_t l = 0;
  if (t[0] == '0' && t[1] != '\0')
    return -1;
  for (; t[l]; l++) {
    int d = isdigit((unsigned char)t[l])  ? t[l] - '0'
            : base == 16 && t[l] >= 'a' && t[l] <= 'f' ? t[l] - 'a' + 10
                                                      : -1;
    if (d < 0 || l == 4)
      return -1;
    v = v * (long)base + d;
  }
  return l ? v : -1;
}

/* Returns a static reason when the name looks generic, else NULL.  Run
 * on every name checked: no printf, and a word is compared only with the
 * tokens that start with its letter. */
/* Why name looks generic, or NULL; why[] (whylen octets) may hold the
 * text (not a static buffer: contexts may run in several threads). */
static const char *generic_reason(const char *name, int family,
                                  const unsigned char *b, char *why,
                                  size_t whylen)
{
  static const char hexd[] = "0123456789abcdef";
  char tok[64][64];
  size_t nt = 0, i, j;
  const char *p = name;
  int hits = 0;
  unsigned k;

  while (*p && nt < 64) {
    size_t l = 0;
    while (*p && (*p == '.' || *p == '-' || *p == '_'))
      p++;
    while (*p && *p != '.' && *p != '-' && *p != '_') {
      if (l < 63)
        tok[nt][l++] = (char)tolower((unsigned char)*p);
      p++;
    }
    tok[nt][l] = '\0';
    if (l)
      nt++;
  }
  for (i = 0; i < nt; i++)
    for (j = 0; generic_words[j]; j++)
      if (tok[i][0] == generic_words[j][0] &&
          strcmp(tok[i], generic_words[j]) == 0) {
        snprintf(why, whylen, "it contains \"%s\"", generic_words[j]);
        return why;
      }
  if (family == 4) {
    char hex[9];
    for (k = 0; k < 4; k++) {
      hex[2 * k] = hexd[b[k] >> 4];
      hex[2 * k + 1] = hexd[b[k] & 0xf];
    }
    hex[8] = '\0';
    for (k = 0; k < 4; k++)
      for (i = 0; i < nt; i++)
        if (token_number(tok[i], 10) == (long)b[k]) {
          hits++;
          break;
        }
    for (i = 0; i < nt; i++)
      if (strstr(tok[i], hex))
        hits = 4;
    if (hits >= 3)
      return "it embeds the address's numbers";
  } else {
    for (k = 0; k < 8; k++) {
      long g = (long)(b[2 * k] << 8 | b[2 * k + 1]);
      if (g == 0)
        continue;
      for (i = 0; i < nt; i++)
        if (token_number(tok[i], 16) == g) {
          hits++;
          break;
        }
    }
    if (hits >= 3)
      return "it embeds the address's hex groups";
  }
  return NULL;
}

/* ---- final verdict ---------------------------------------------------------- */

static void summarise_fail(struct iprev_check *f, struct mxci_buf *b)
{
  size_t i, shown = 0;
  mxc_result_t *r = f->res;
  for (i = 0; i < MXCI_IPREV(r)->nnames && shown < 3; i++) {
    struct mxci_name *n = &MXCI_IPREV(r)->names[i];
    if (n->state == MXC_NAME_NOT_TRIED)
      continue;
    mxci_buf_printf(b, "%s%s ", shown ? "; " : "", n->name);
    switch (n->state) {
    case MXC_NAME_MISMATCH:
      mxci_buf_printf(b, "resolves to %s%s", n->addrs[0],
                      n->naddr > 1 ? " and others" : "");
      break;
    case MXC_NAME_NXDOMAIN:
      mxci_buf_puts(b, "does not exist (NXDOMAIN)");
      break;
    case MXC_NAME_NODATA:
      mxci_buf_printf(b, "has no %s record",
                      f->family == 6 ? "AAAA" : "A");
      break;
    default:
      mxci_buf_printf(b, "could not be resolved (%s)",
                      n->detail ? n->detail : "error");
    }
    shown++;
  }
  if (MXCI_IPREV(r)->nnames > shown)
    mxci_buf_printf(b, "; and %zu more", MXCI_IPREV(r)->nnames - shown);
}

static void iprev_done(struct iprev_check *f)
{
  mxc_result_t *r = f->res;
  const char *fam = f->family == 6 ? "AAAA" : "A";
  size_t i;
  int any_temp = 0;
  const char *gname = NULL, *gwhy;
  char gbuf[160];

  r->dnssec = f->answers > 0 && f->all_ad;
  if (!f->stage_error) {
    for (i = 0; i < MXCI_IPREV(r)->nnames; i++) {
      if (MXCI_IPREV(r)->names[i].state == MXC_NAME_MATCH && MXCI_IPREV(r)->matched == NULL)
        MXCI_IPREV(r)->matched = mxci_strdup(MXCI_IPREV(r)->names[i].name);
      if (MXCI_IPREV(r)->names[i].state == MXC_NAME_TEMPERROR)
        any_temp = 1;
    }
    if (MXCI_IPREV(r)->matched) {
      r->verdict = MXC_VERDICT_PASS;
      for (i = 0; i < MXCI_IPREV(r)->nnames; i++)
        if (MXCI_IPREV(r)->names[i].state == MXC_NAME_MATCH)
          break;
      set_reason(f, mxci_asprintf(
                        "PTR name %s resolves back to %s%s%s", MXCI_IPREV(r)->matched,
                        r->address, MXCI_IPREV(r)->names[i].detail ? " " : "",
                        MXCI_IPREV(r)->names[i].detail ? MXCI_IPREV(r)->names[i].detail : ""));
      gname = MXCI_IPREV(r)->matched;
    } else {
      struct mxci_buf b = {0};
      r->verdict = any_temp ? MXC_VERDICT_TEMPERROR : MXC_VERDICT_FAIL;
      mxci_buf_printf(&b, "%s: ", any_temp
                                      ? "a forward lookup could not be done"
                                      : "no PTR name resolves back to the "
                                        "address");
      summarise_fail(f, &b);
      set_reason(f, mxci_buf_take(&b));
      gname = MXCI_IPREV(r)->nnames ? MXCI_IPREV(r)->names[0].name : NULL;
      if (r->verdict == MXC_VERDICT_FAIL && MXCI_IPREV(r)->nnames == 1) {
        struct mxci_name *n = &MXCI_IPREV(r)->names[0];
        if (f->pa && f->pa[0].only_a)
          r->fix = mxci_asprintf(
              "Add an AAAA record %s -> %s: the name has only an A record, "
              "so the IPv6 address does not map back.",
              n->name, r->address);
        else if (n->state == MXC_NAME_NXDOMAIN)
          r->fix = mxci_asprintf(
              "%s does not exist: create it with an %s record %s, or point "
              "the PTR of %s at your mail server's real name.",
              n->name, fam, r->address, r->address);
        else
          r->fix = mxci_asprintf(
              "Add an %s record %s -> %s, or change the PTR of %s to a name "
              "that resolves to it.",
              fam, n->name, r->address, r->address);
      } else if (r->verdict == MXC_VERDICT_FAIL) {
        r->fix = mxci_asprintf(
            "Give one PTR name of %s an %s record with %s (one PTR record per "
            "address is best).",
            r->address, fam, r->address);
      } else {
        r->fix = mxci_asprintf("Check that the name servers of the names "
                               "above answer, then run the check again.");
      }
    }
  }
  if (gname && (gwhy = generic_reason(gname, f->family, f->b, gbuf,
                                      sizeof(gbuf))) != NULL)
    mxci_result_warn(r, "generic-name",
                     "%s looks like a generic (dynamic/residential) name: %s. "
                     "Receivers score such names as end-user addresses; use "
                     "a name of your own, such as mail.example.org.",
                     gname, gwhy);
  mxci_check_finish(f->chk, MXC_OK, r);
  f->res = NULL;
}

/* ---- forward lookups ------------------------------------------------------- */

static void add_addr(struct mxci_name *n, const char *s)
{
  if (n->naddr < MAX_ADDRS_SHOWN)
    (void)mxci_strv_add(&n->addrs, &n->naddr, s);
}

static void probe_a_done(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct iprev_check *f = l->f;
  struct mxci_name *n = &MXCI_IPREV(f->res)->names[l->idx];
  int hops;
  const char *final;
  size_t i;
  char a4[64] = "";

  l->active = 0;
  if (ans->err == ARES_SUCCESS) {
    final = mxci_answer_follow(ans, l->qname, &hops);
    for (i = 0; hops >= 0 && i < ans->nan; i++)
      if (ans->an[i].type == MXCI_T_A && mxci_name_eq(ans->an[i].owner, final)) {
        mxci_addr_format(4, ans->an[i].addr, a4, sizeof(a4));
        break;
      }
  }
  if (a4[0]) {
    mxci_result_warn(f->res, "ipv6-ptr-name-has-only-a",
                     "%s has an A record (%s) but no AAAA record: the PTR "
                     "of this IPv6 address names an IPv4-only host (Gmail: "
                     "\"the PTR record for the sending server isn't using "
                     "IPv6\").",
                     n->name, a4);
    mxci_free(n->detail);
    n->detail = mxci_asprintf("(only an A record: %s)", a4);
    l->only_a = 1;
  }
  release(f);
}

static void forward_done(void *arg, const struct mxci_answer *ans);

static void forward_done(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct iprev_check *f = l->f;
  struct mxci_name *n = &MXCI_IPREV(f->res)->names[l->idx];
  uint16_t want = f->family == 6 ? MXCI_T_AAAA : MXCI_T_A;
  size_t alen = f->family == 6 ? 16 : 4;
  const char *final;
  int hops, found = 0;
  size_t i;

  l->active = 0;
  note_answer(f, ans);
  if (ans->err != ARES_SUCCESS) {
    n->state = MXC_NAME_TEMPERROR;
    mxci_free(n->detail);
    n->detail = mxci_strdup(ans->cause ? ans->cause
                                       : mxci_dns_errstr(ans->err));
    release(f);
    return;
  }
  final = mxci_answer_follow(ans, l->qname, &hops);
  if (hops < 0 || l->hops + hops > MXCI_MAX_CNAME_HOPS) {
    n->state = MXC_NAME_TEMPERROR;
    mxci_free(n->detail);
    n->detail = mxci_asprintf("CNAME chain longer than %d or looping",
                              MXCI_MAX_CNAME_HOPS);
    release(f);
    return;
  }
  if (hops > 0 && !mxci_name_eq(final, n->name)) {
    mxci_free(n->detail);
    n->detail = mxci_asprintf("(via CNAME %s)", final);
  }
  for (i = 0; i < ans->nan; i++) {
    char txt[64];
    /* Only records of the final owner count (not unrelated records a
     * server put in the answer section). */
    if (ans->an[i].type != want || !mxci_name_eq(ans->an[i].owner, final))
      continue;
    found = 1;
    mxci_addr_format(f->family, ans->an[i].addr, txt, sizeof(txt));
    if (memcmp(ans->an[i].addr, f->b, alen) == 0) {
      n->state = MXC_NAME_MATCH;
      /* The matching address first in the report, even past the cap. */
      if (n->naddr == MAX_ADDRS_SHOWN) {
        mxci_free(n->addrs[--n->naddr]);
      }
      add_addr(n, txt);
      if (n->naddr > 1) {
        char *t = n->addrs[n->naddr - 1];
        memmove(n->addrs + 1, n->addrs, (n->naddr - 1) * sizeof(char *));
        n->addrs[0] = t;
      }
    } else {
      add_addr(n, txt);
    }
  }
  if (found) {
    if (n->state != MXC_NAME_MATCH)
      n->state = MXC_NAME_MISMATCH;
    release(f);
    return;
  }
  if (hops > 0 && ans->rcode == MXCI_RCODE_NOERROR) {
    /* The chain leaves the answer (an authoritative server does not chase
     * into other zones): ask for the target. */
    char *target = mxci_strdup(final);
    l->hops += hops;
    if (target && start_lookup(f, l, target, want, forward_done) == 0) {
      mxci_free(target);
      release(f);
      return;
    }
    mxci_free(target);
  }
  n->state = ans->rcode == MXCI_RCODE_NXDOMAIN ? MXC_NAME_NXDOMAIN
                                                : MXC_NAME_NODATA;
  if (f->family == 6 && n->state == MXC_NAME_NODATA) {
    /* Gmail's "PTR isn't using IPv6" case: does it have an A instead? */
    struct lookup *p = &f->pa[l->idx];
    p->idx = l->idx;
    p->probe_a = 1;
    (void)start_lookup(f, p, l->qname, MXCI_T_A, probe_a_done);
  }
  release(f);
}

/* ---- the delegation when there is no PTR --------------------------------- */

static void ns_done(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct iprev_check *f = l->f;
  mxc_result_t *r = f->res;
  size_t i;
  struct mxci_buf b = {0};

  l->active = 0;
  if (ans->err == ARES_SUCCESS) {
    for (i = 0; i < ans->nan; i++)
      if (ans->an[i].type == MXCI_T_NS && mxci_name_eq(ans->an[i].owner, MXCI_IPREV(r)->zone))
        (void)mxci_strv_add(&MXCI_IPREV(r)->zone_ns, &MXCI_IPREV(r)->nzone_ns, ans->an[i].name);
  }
  mxci_buf_printf(&b,
                  "Whoever runs the reverse zone %s%s", MXCI_IPREV(r)->zone,
                  MXCI_IPREV(r)->nzone_ns ? " (name servers " : "");
  for (i = 0; i < MXCI_IPREV(r)->nzone_ns; i++)
    mxci_buf_printf(&b, "%s%s", i ? ", " : "", MXCI_IPREV(r)->zone_ns[i]);
  mxci_buf_printf(&b,
                  "%s -- usually your ISP or hosting provider -- must publish "
                  "a PTR record for %s naming your mail server, or delegate "
                  "the reverse zone of your prefix to you.",
                  MXCI_IPREV(r)->nzone_ns ? ")" : "", r->address);
  mxci_free(r->fix);
  r->fix = mxci_buf_take(&b);
  release(f);
}

/* ---- the PTR lookup ----------------------------------------------------------- */

static void ptr_done(void *arg, const struct mxci_answer *ans)
{
  struct lookup *l = arg;
  struct iprev_check *f = l->f;
  mxc_result_t *r = f->res;
  const char *final;
  int hops;
  size_t i, nptr = 0;

  l->active = 0;
  note_answer(f, ans);
  if (ans->err != ARES_SUCCESS) {
    f->stage_error = 1;
    r->verdict = MXC_VERDICT_TEMPERROR;
    set_reason(f, mxci_asprintf("the PTR lookup of %s failed: %s",
                                l->qname,
                                ans->cause ? ans->cause
                                           : mxci_dns_errstr(ans->err)));
    r->fix = mxci_asprintf(
        "Check that the name servers of the reverse zone answer for %s, then "
        "run the check again.",
        r->reverse);
    release(f);
    return;
  }
  final = mxci_answer_follow(ans, l->qname, &hops);
  if (hops < 0 || l->hops + hops > MXCI_MAX_CNAME_HOPS) {
    f->stage_error = 1;
    r->verdict = MXC_VERDICT_PERMERROR;
    set_reason(f, mxci_asprintf("the reverse name %s has a CNAME chain longer "
                                "than %d or looping",
                                r->reverse, MXCI_MAX_CNAME_HOPS));
    release(f);
    return;
  }
  for (i = 0; i < ans->nan; i++)
    if (ans->an[i].type == MXCI_T_PTR && mxci_name_eq(ans->an[i].owner, final))
      nptr++;
  if (nptr == 0 && hops > 0 && ans->rcode == MXCI_RCODE_NOERROR) {
    /* RFC 2317 classless delegation: follow the CNAME's target. */
    char *target = mxci_strdup(final);
    l->hops += hops;
    if (target && start_lookup(f, l, target, MXCI_T_PTR, ptr_done) == 0) {
      mxci_free(target);
      release(f);
      return;
    }
    mxci_free(target);
  }
  if (nptr == 0) {
    const char *zone = mxci_answer_soa_zone(ans);
    f->stage_error = 1;
    r->verdict = MXC_VERDICT_PERMERROR;
    set_reason(f, mxci_asprintf(
                      "no PTR record for %s (%s: %s)", r->address, r->reverse,
                      ans->rcode == MXCI_RCODE_NXDOMAIN ? "NXDOMAIN"
                                                        : "no PTR data"));
    if (zone) {
      MXCI_IPREV(r)->zone = mxci_strdup(zone);
      f->ns = mxci_calloc(1, sizeof(*f->ns));
      if (f->ns)
        f->ns->f = f;
      if (MXCI_IPREV(r)->zone == NULL || f->ns == NULL ||
          start_lookup(f, f->ns, zone, MXCI_T_NS, ns_done) < 0) {
        r->fix = mxci_asprintf("Ask whoever runs the reverse zone %s to "
                               "publish a PTR record for %s.",
                               zone, r->address);
      }
    } else {
      r->fix = mxci_asprintf(
          "Ask your ISP or hosting provider (who holds the address) to "
          "publish a PTR record for %s naming your mail server.",
          r->address);
    }
    release(f);
    return;
  }

  /* Collect the distinct names, in answer order. */
  MXCI_IPREV(r)->names = mxci_calloc(nptr, sizeof(*MXCI_IPREV(r)->names));
  f->fw = mxci_calloc(nptr, sizeof(*f->fw));
  /* the A probes: an IPv6 address's names only */
  if (f->family == 6)
    f->pa = mxci_calloc(nptr, sizeof(*f->pa));
  if (MXCI_IPREV(r)->names == NULL || f->fw == NULL ||
      (f->family == 6 && f->pa == NULL)) {
    f->stage_error = 1; /* LCOV_EXCL_LINE: OutOfMemory */
    r->verdict = MXC_VERDICT_TEMPERROR;        /* LCOV_EXCL_LINE */
    set_reason(f, mxci_strdup("out of memory")); /* LCOV_EXCL_LINE */
    release(f);                                /* LCOV_EXCL_LINE */
    return;                                    /* LCOV_EXCL_LINE */
  }
  for (i = 0; i < ans->nan; i++) {
    size_t k;
    const char *name = ans->an[i].name;
    if (ans->an[i].type != MXCI_T_PTR || !mxci_name_eq(ans->an[i].owner, final))
      continue;
    for (k = 0; k < MXCI_IPREV(r)->nnames; k++)
      if (mxci_name_eq(MXCI_IPREV(r)->names[k].name, name))
        break;
    if (k < MXCI_IPREV(r)->nnames)
      continue;
    MXCI_IPREV(r)->names[MXCI_IPREV(r)->nnames].name = mxci_strdup(name);
    MXCI_IPREV(r)->names[MXCI_IPREV(r)->nnames].state = MXC_NAME_NOT_TRIED;
    if (MXCI_IPREV(r)->names[MXCI_IPREV(r)->nnames].name == NULL)
      continue; /* LCOV_EXCL_LINE: OutOfMemory */
    MXCI_IPREV(r)->nnames++;
  }
  if (MXCI_IPREV(r)->nnames > MXC_IPREV_MAX_NAMES)
    mxci_result_warn(r, "ptr-names-capped",
                     "%s has %zu PTR names; only the first %d were looked "
                     "up. Receivers may try fewer: publish one PTR record.",
                     r->address, MXCI_IPREV(r)->nnames, MXC_IPREV_MAX_NAMES);
  else if (MXCI_IPREV(r)->nnames > 1)
    mxci_result_warn(r, "several-ptr-names",
                     "%s has %zu PTR names; some receivers look only at one. "
                     "Publish one PTR record per address.",
                     r->address, MXCI_IPREV(r)->nnames);
  for (i = 0; i < MXCI_IPREV(r)->nnames && i < MXC_IPREV_MAX_NAMES; i++) {
    struct lookup *fl = &f->fw[i];
    fl->idx = i;
    MXCI_IPREV(r)->names[i].state = MXC_NAME_TEMPERROR;
    if (start_lookup(f, fl, MXCI_IPREV(r)->names[i].name,
                     f->family == 6 ? MXCI_T_AAAA : MXCI_T_A,
                     forward_done) < 0) {
      MXCI_IPREV(r)->names[i].detail = mxci_strdup("name cannot be looked up");
    }
    f->nfw = i + 1;
  }
  release(f);
}

/* ---- check ops ------------------------------------------------------------- */

static void lookup_cancel(struct lookup *l)
{
  if (l->active) {
    mxci_dns_cancel(&l->w);
    l->active = 0;
  }
}

static void iprev_abort(mxc_check_t *chk)
{
  struct iprev_check *f = chk->priv;
  size_t i;
  lookup_cancel(&f->ptr);
  if (f->ns)
    lookup_cancel(f->ns);
  for (i = 0; f->fw && i < f->nfw; i++) {
    lookup_cancel(&f->fw[i]);
    if (f->pa)
      lookup_cancel(&f->pa[i]);
  }
}

static void iprev_free(mxc_check_t *chk)
{
  struct iprev_check *f = chk->priv;
  size_t i;
  if (f == NULL)
    return;
  mxci_free(f->ptr.own);
  if (f->ns) {
    mxci_free(f->ns->own);
    mxci_free(f->ns);
  }
  for (i = 0; f->fw && i < f->nfw; i++) {
    mxci_free(f->fw[i].own);
    if (f->pa)
      mxci_free(f->pa[i].own);
  }
  mxci_free(f->fw);
  mxci_free(f->pa);
  mxc_result_free(f->res);
  mxci_free(f);
  chk->priv = NULL;
}

static const struct mxci_check_ops iprev_ops = {iprev_abort, iprev_free};

mxc_status_t mxc_iprev_start(mxc_ctx_t *ctx, const char *address,
                              mxc_done_cb cb, void *arg, mxc_check_t **out)
{
  struct iprev_check *f;
  mxc_check_t *chk;
  mxc_result_t *r;
  struct mxci_addr a;
  char err[160];
  const char *ng;

  if (out)
    *out = NULL;
  if (!mxci_ctx_valid(ctx) || address == NULL || cb == NULL)
    return MXC_EINVAL;
  if (ctx->free_requested)
    return MXC_EDESTRUCTION;
  f = mxci_calloc(1, sizeof(*f));
  r = mxci_result_new(&mxci_iprev_method);
  chk = f && r ? mxci_check_new(ctx, &iprev_ops, cb, arg) : NULL;
  if (chk == NULL) {
    mxci_free(f);       /* LCOV_EXCL_LINE: OutOfMemory */
    mxc_result_free(r); /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM;  /* LCOV_EXCL_LINE: OutOfMemory */
  }
  chk->priv = f;
  f->chk = chk;
  f->res = r;
  f->all_ad = 1;
  r->input = mxci_strdup(address);
  if (r->input == NULL) {
    mxci_check_discard(chk); /* LCOV_EXCL_LINE: OutOfMemory */
    return MXC_ENOMEM;       /* LCOV_EXCL_LINE: OutOfMemory */
  }
  if (mxci_addr_parse(address, &a, err, sizeof(err)) < 0) {
    r->error = mxci_asprintf("\"%.80s\": %s", address, err);
    r->verdict = MXC_VERDICT_NONE;
    mxci_check_finish(chk, MXC_EADDRESS, r);
    f->res = NULL;
    goto started;
  }
  memcpy(r->address, a.text, sizeof(r->address));
  memcpy(r->reverse, a.rev, sizeof(r->reverse));
  r->family = a.family;
  r->mapped = a.mapped;
  f->family = a.family;
  memcpy(f->b, a.b, sizeof(f->b));
  if ((ng = mxci_addr_nonglobal(&a)) != NULL)
    mxci_result_warn(r, "not-global",
                     "%s is %s: receivers on the Internet never see it; check "
                     "your server's public address.",
                     a.text, ng);

  f->pending = 1; /* held until the lookups are issued */
  if (start_lookup(f, &f->ptr, r->reverse, MXCI_T_PTR, ptr_done) < 0) {
    f->stage_error = 1;
    r->verdict = MXC_VERDICT_TEMPERROR;
    set_reason(f, mxci_strdup("the PTR lookup could not be started"));
  }
  release(f);
started:
  if (out)
    *out = chk;
  mxci_ctx_leave(ctx);
  return MXC_OK;
}

/* The first name of this check, kept for the library's users. */
mxc_status_t mxc_fcrdns_start(mxc_ctx_t *ctx, const char *address,
                              mxc_done_cb cb, void *arg, mxc_check_t **out)
{
  return mxc_iprev_start(ctx, address, cb, arg, out);
}

mxc_status_t mxc_iprev_sync(mxc_ctx_t *ctx, const char *address,
                            mxc_result_t **out)
{
  struct mxci_sync s = {0, MXC_OK, NULL};
  mxc_check_t *chk = NULL;
  mxc_status_t st = mxci_sync_begin(ctx, out);
  if (st == MXC_OK)
    st = mxc_iprev_start(ctx, address, mxci_sync_done, &s, &chk);
  return mxci_sync_wait(ctx, &s, st, chk, out);
}

mxc_status_t mxc_fcrdns_sync(mxc_ctx_t *ctx, const char *address,
                             mxc_result_t **out)
{
  return mxc_iprev_sync(ctx, address, out);
}
