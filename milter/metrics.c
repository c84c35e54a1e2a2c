/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.c -- counters over time: a Prometheus text file (for
 * node_exporter's textfile collector, written to FILE.tmp then renamed),
 * one summary log line every summary-interval seconds, and --stats, which
 * reads such a file back and prints the share of compliant mail per From
 * domain and per rule.
 *
 * Counters that milter threads touch are atomics; the rest belongs to the
 * engine thread.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxm.h"

#define NRULES 64   /* R1..R63 */
#define MAX_DOMAINS 1000
#define TOP_DOMAINS 20

static const double bounds[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000,
                                5000}; /* ms; the last bucket is +Inf */
#define NBUCKETS (sizeof(bounds) / sizeof(bounds[0]) + 1)

struct dom {
  char name[128];
  uint64_t v[4]; /* by enum mxm_verdict */
};

static struct {
  uint64_t skipped, aborted; /* atomics */
  /* engine thread */
  uint64_t messages, verdicts[4], timeouts, errors, temperrors;
  uint64_t rule[NRULES][3]; /* fail, warn, unknown */
  uint64_t hist[NBUCKETS];
  double ms_sum;
  struct dom *doms;
  size_t ndoms;
  uint64_t other[4]; /* domains beyond MAX_DOMAINS */
  /* summary */
  double next_summary, next_file;
  uint64_t last_messages, last_verdicts[4];
} M;

void mxm_metrics_count_skip(void)
{
  __atomic_add_fetch(&M.skipped, 1, __ATOMIC_RELAXED);
}

void mxm_metrics_count_abort(void)
{
  __atomic_add_fetch(&M.aborted, 1, __ATOMIC_RELAXED);
}

static void count_rules(const char *list, int col)
{
  const char *p = list;
  while (p && *p) {
    int n = p[0] == 'R' ? atoi(p + 1) : 0;
    if (n > 0 && n < NRULES)
      M.rule[n][col]++;
    p = strchr(p, ',');
    if (p)
      p++;
  }
}

void mxm_metrics_message(enum mxm_verdict v, const char *status, double ms,
                         int dns_temperror, const char *from_domain,
                         const char *failed, const char *warned,
                         const char *unknown)
{
  size_t i;
  M.messages++;
  M.verdicts[v]++;
  if (strcmp(status, "timeout") == 0)
    M.timeouts++;
  else if (strcmp(status, "ok") != 0 && strcmp(status, "skipped") != 0)
    M.errors++;
  if (dns_temperror)
    M.temperrors++;
  for (i = 0; i < NBUCKETS - 1 && ms > bounds[i]; i++)
    ;
  M.hist[i]++;
  M.ms_sum += ms;
  count_rules(failed, 0);
  count_rules(warned, 1);
  count_rules(unknown, 2);
  if (from_domain == NULL || *from_domain == '\0')
    from_domain = "(none)";
  for (i = 0; i < M.ndoms; i++)
    if (strcmp(M.doms[i].name, from_domain) == 0)
      break;
  if (i == M.ndoms) {
    if (M.ndoms == MAX_DOMAINS) {
      M.other[v]++;
      return;
    }
    if (M.doms == NULL)
      M.doms = mxm_xcalloc(MAX_DOMAINS, sizeof(*M.doms));
    snprintf(M.doms[i].name, sizeof(M.doms[i].name), "%s", from_domain);
    M.ndoms++;
  }
  M.doms[i].v[v]++;
}

static uint64_t dom_total(const struct dom *d)
{
  return d->v[0] + d->v[1] + d->v[2] + d->v[3];
}

static int by_total(const void *a, const void *b)
{
  uint64_t x = dom_total(a), y = dom_total(b);
  return x < y ? 1 : x > y ? -1 : strcmp(((const struct dom *)a)->name,
                                         ((const struct dom *)b)->name);
}

static void write_file(const char *path, long jobs, long qbytes)
{
  char tmp[4096];
  FILE *f;
  size_t i;
  int v;
  uint64_t cum = 0;
  static const char *const cols[] = {"fail", "warn", "unknown"};

  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  f = fopen(tmp, "w");
  if (f == NULL) {
    mxm_log(MXM_ERR, "metrics-file %s: %s", tmp, strerror(errno));
    return;
  }
  fprintf(f, "# HELP mxcheck_milter_messages_total Messages checked and "
             "logged, by verdict.\n"
             "# TYPE mxcheck_milter_messages_total counter\n");
  for (v = 0; v < 4; v++)
    fprintf(f, "mxcheck_milter_messages_total{verdict=\"%s\"} %llu\n",
            mxm_verdict_str((enum mxm_verdict)v),
            (unsigned long long)M.verdicts[v]);
  fprintf(f,
          "# HELP mxcheck_milter_events_total Timeouts, skips (queue full), "
          "errors, aborted transactions, messages with a DNS temperror.\n"
          "# TYPE mxcheck_milter_events_total counter\n"
          "mxcheck_milter_events_total{event=\"timeout\"} %llu\n"
          "mxcheck_milter_events_total{event=\"skipped\"} %llu\n"
          "mxcheck_milter_events_total{event=\"error\"} %llu\n"
          "mxcheck_milter_events_total{event=\"aborted\"} %llu\n"
          "mxcheck_milter_events_total{event=\"dns_temperror\"} %llu\n",
          (unsigned long long)M.timeouts,
          (unsigned long long)__atomic_load_n(&M.skipped, __ATOMIC_RELAXED),
          (unsigned long long)M.errors,
          (unsigned long long)__atomic_load_n(&M.aborted, __ATOMIC_RELAXED),
          (unsigned long long)M.temperrors);
  fprintf(f, "# HELP mxcheck_milter_rule_total Messages where a rule "
             "failed, warned or was unknown.\n"
             "# TYPE mxcheck_milter_rule_total counter\n");
  for (i = 1; i < NRULES; i++)
    for (v = 0; v < 3; v++)
      if (M.rule[i][v])
        fprintf(f, "mxcheck_milter_rule_total{rule=\"R%zu\",state=\"%s\"} "
                   "%llu\n",
                i, cols[v], (unsigned long long)M.rule[i][v]);
  fprintf(f, "# HELP mxcheck_milter_domain_messages_total Messages by From "
             "domain (the top %d) and verdict.\n"
             "# TYPE mxcheck_milter_domain_messages_total counter\n",
          TOP_DOMAINS);
  if (M.ndoms)
    qsort(M.doms, M.ndoms, sizeof(*M.doms), by_total);
  for (i = 0; i < M.ndoms && i < TOP_DOMAINS; i++)
    for (v = 0; v < 4; v++)
      fprintf(f,
              "mxcheck_milter_domain_messages_total{domain=\"%s\","
              "verdict=\"%s\"} %llu\n",
              M.doms[i].name, mxm_verdict_str((enum mxm_verdict)v),
              (unsigned long long)M.doms[i].v[v]);
  fprintf(f, "# HELP mxcheck_milter_queue Jobs live and octets queued for "
             "the engine.\n# TYPE mxcheck_milter_queue gauge\n"
             "mxcheck_milter_queue{what=\"jobs\"} %ld\n"
             "mxcheck_milter_queue{what=\"bytes\"} %ld\n",
          jobs, qbytes);
  fprintf(f, "# HELP mxcheck_milter_check_ms Time from end of message to "
             "verdict.\n# TYPE mxcheck_milter_check_ms histogram\n");
  for (i = 0; i < NBUCKETS; i++) {
    cum += M.hist[i];
    if (i < NBUCKETS - 1)
      fprintf(f, "mxcheck_milter_check_ms_bucket{le=\"%g\"} %llu\n",
              bounds[i], (unsigned long long)cum);
    else
      fprintf(f, "mxcheck_milter_check_ms_bucket{le=\"+Inf\"} %llu\n",
              (unsigned long long)cum);
  }
  fprintf(f, "mxcheck_milter_check_ms_sum %.3f\n"
             "mxcheck_milter_check_ms_count %llu\n",
          M.ms_sum, (unsigned long long)cum);
  if (fclose(f) != 0 || rename(tmp, path) != 0) {
    mxm_log(MXM_ERR, "metrics-file %s: %s", path, strerror(errno));
    remove(tmp);
  }
}

void mxm_metrics_tick(const struct mxm_conf *conf, long jobs, long qbytes,
                      int force)
{
  double now = mxm_now_ms();
  double period = (double)conf->summary_s * 1000.0;

  if (M.next_summary == 0) {
    M.next_summary = now + period;
    M.next_file = now + (period < 10000 ? period : 10000);
  }
  if (conf->metrics_file && (force || now >= M.next_file)) {
    write_file(conf->metrics_file, jobs, qbytes);
    M.next_file = now + (period < 10000 ? period : 10000);
  }
  if (force || now >= M.next_summary) {
    uint64_t n = M.messages - M.last_messages;
    uint64_t d[4];
    int v;
    for (v = 0; v < 4; v++) {
      d[v] = M.verdicts[v] - M.last_verdicts[v];
      M.last_verdicts[v] = M.verdicts[v];
    }
    M.last_messages = M.messages;
    if (n || force)
      mxm_log(MXM_INFO,
              "summary: messages=%llu pass=%llu warn=%llu fail=%llu "
              "unknown=%llu total=%llu timeouts=%llu skipped=%llu "
              "dns_temperror=%llu queue_jobs=%ld",
              (unsigned long long)n, (unsigned long long)d[0],
              (unsigned long long)d[1], (unsigned long long)d[3],
              (unsigned long long)d[2], (unsigned long long)M.messages,
              (unsigned long long)M.timeouts,
              (unsigned long long)__atomic_load_n(&M.skipped,
                                                  __ATOMIC_RELAXED),
              (unsigned long long)M.temperrors, jobs);
    M.next_summary = now + period;
  }
}

/* ---- --stats -------------------------------------------------------------- */

struct srow {
  char key[128];
  uint64_t v[4];
};

static struct srow *srow_get(struct srow **rows, size_t *n, const char *key)
{
  size_t i;
  for (i = 0; i < *n; i++)
    if (strcmp((*rows)[i].key, key) == 0)
      return &(*rows)[i];
  *rows = realloc(*rows, (*n + 1) * sizeof(**rows));
  if (*rows == NULL)
    abort();
  memset(&(*rows)[*n], 0, sizeof(**rows));
  snprintf((*rows)[*n].key, sizeof((*rows)[*n].key), "%s", key);
  return &(*rows)[(*n)++];
}

/* The value of label name in a line, copied to dst. */
static int label(const char *line, const char *name, char *dst, size_t size)
{
  char pat[64];
  const char *p, *e;
  snprintf(pat, sizeof(pat), "%s=\"", name);
  p = strstr(line, pat);
  if (p == NULL)
    return -1;
  p += strlen(pat);
  e = strchr(p, '"');
  if (e == NULL || (size_t)(e - p) >= size)
    return -1;
  memcpy(dst, p, (size_t)(e - p));
  dst[e - p] = '\0';
  return 0;
}

static int verdict_index(const char *s)
{
  return !strcmp(s, "pass") ? 0 : !strcmp(s, "warn") ? 1
         : !strcmp(s, "unknown") ? 2 : !strcmp(s, "fail") ? 3 : -1;
}

int mxm_stats_print(const char *file)
{
  FILE *f = fopen(file, "r");
  char line[1024], a[128], b[32];
  struct srow *doms = NULL, *rules = NULL;
  size_t nd = 0, nr = 0, i;
  uint64_t tot[4] = {0, 0, 0, 0}, all;

  if (f == NULL) {
    fprintf(stderr, "mxcheck-milter: %s: %s\n", file, strerror(errno));
    return 1;
  }
  while (fgets(line, sizeof(line), f)) {
    const char *val = strrchr(line, ' ');
    unsigned long long n;
    int vi;
    if (line[0] == '#' || val == NULL)
      continue;
    n = strtoull(val + 1, NULL, 10);
    if (!strncmp(line, "mxcheck_milter_messages_total{", 30) &&
        label(line, "verdict", b, sizeof(b)) == 0 &&
        (vi = verdict_index(b)) >= 0)
      tot[vi] = n;
    else if (!strncmp(line, "mxcheck_milter_domain_messages_total{", 37) &&
             label(line, "domain", a, sizeof(a)) == 0 &&
             label(line, "verdict", b, sizeof(b)) == 0 &&
             (vi = verdict_index(b)) >= 0)
      srow_get(&doms, &nd, a)->v[vi] = n;
    else if (!strncmp(line, "mxcheck_milter_rule_total{", 26) &&
             label(line, "rule", a, sizeof(a)) == 0 &&
             label(line, "state", b, sizeof(b)) == 0) {
      struct srow *r = srow_get(&rules, &nr, a);
      r->v[!strcmp(b, "fail") ? 0 : !strcmp(b, "warn") ? 1 : 2] = n;
    }
  }
  fclose(f);
  all = tot[0] + tot[1] + tot[2] + tot[3];
  printf("messages %llu: pass %.1f%%, warn %.1f%%, fail %.1f%%, unknown "
         "%.1f%% (compliant = pass or warn: %.1f%%)\n",
         (unsigned long long)all, all ? 100.0 * tot[0] / all : 0.0,
         all ? 100.0 * tot[1] / all : 0.0, all ? 100.0 * tot[3] / all : 0.0,
         all ? 100.0 * tot[2] / all : 0.0,
         all ? 100.0 * (tot[0] + tot[1]) / all : 0.0);
  printf("\n%-40s %9s %10s %7s %8s\n", "From domain", "messages",
         "compliant", "fail", "unknown");
  for (i = 0; i < nd; i++) {
    uint64_t t = doms[i].v[0] + doms[i].v[1] + doms[i].v[2] + doms[i].v[3];
    if (t == 0)
      continue;
    printf("%-40s %9llu %9.1f%% %6.1f%% %7.1f%%\n", doms[i].key,
           (unsigned long long)t, 100.0 * (doms[i].v[0] + doms[i].v[1]) / t,
           100.0 * doms[i].v[3] / t, 100.0 * doms[i].v[2] / t);
  }
  printf("\n%-6s %9s %9s %9s   (share of all %llu messages)\n", "rule",
         "failed", "warned", "unknown", (unsigned long long)all);
  for (i = 0; i < nr; i++)
    printf("%-6s %8.1f%% %8.1f%% %8.1f%%\n", rules[i].key,
           all ? 100.0 * rules[i].v[0] / all : 0.0,
           all ? 100.0 * rules[i].v[1] / all : 0.0,
           all ? 100.0 * rules[i].v[2] / all : 0.0);
  free(doms);
  free(rules);
  return 0;
}
