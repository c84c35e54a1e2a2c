/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * diff.c -- mxcheck --diff: the same checks against the published DNS and
 * against the draft zones of --zone, and what changes between the two.
 *
 * Two runs of this program (two contexts): the command line without
 * --diff, as JSON, once without its --zone options (the published DNS)
 * and once with them (the drafts).  Their reports are paired (by batch
 * line, else by position) and compared member by member: verdicts,
 * reasons, records, policies, rule states and evidence, warnings.
 */
#include "diff.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DIFF_MAX_OUTPUT (256L * 1024 * 1024)

struct out {
  char *s;
  size_t len;
  int status; /* exit code, or -1 */
};

static void oom(void)
{
  fprintf(stderr, "mxcheck: out of memory\n");
  exit(3);
}

static void *xrealloc(void *p, size_t n)
{
  void *q = realloc(p, n);
  if (q == NULL)
    oom();
  return q;
}

/* Run self with argv; its standard output into *o. */
static int run_child(const char *self, char **argv, struct out *o)
{
  int fd[2], st;
  pid_t pid;
  size_t cap = 65536;
  memset(o, 0, sizeof(*o));
  o->status = -1;
  if (pipe(fd) != 0)
    return -1;
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    close(fd[0]);
    close(fd[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(fd[1], 1);
    close(fd[0]);
    close(fd[1]);
    execv(self, argv);
    fprintf(stderr, "mxcheck: --diff: cannot run %s: %s\n", self,
            strerror(errno));
    _exit(3);
  }
  close(fd[1]);
  o->s = xrealloc(NULL, cap);
  for (;;) {
    ssize_t n;
    if (o->len + 1 >= cap) {
      if (cap >= (size_t)DIFF_MAX_OUTPUT)
        break;
      cap *= 2;
      o->s = xrealloc(o->s, cap);
    }
    n = read(fd[0], o->s + o->len, cap - o->len - 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    o->len += (size_t)n;
  }
  o->s[o->len] = '\0';
  close(fd[0]);
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  o->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return 0;
}

/* ---- flattening: "path\tvalue" lines of the members compared ----------- */

struct flat {
  char **k, **v;
  size_t n, cap;
};

static void flat_add(struct flat *f, const char *k, const char *v)
{
  if (f->n == f->cap) {
    f->cap = f->cap ? f->cap * 2 : 64;
    f->k = xrealloc(f->k, f->cap * sizeof(*f->k));
    f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
  }
  f->k[f->n] = strdup(k);
  f->v[f->n] = strdup(v);
  if (f->k[f->n] == NULL || f->v[f->n] == NULL)
    oom();
  f->n++;
}

static void flat_free(struct flat *f)
{
  size_t i;
  for (i = 0; i < f->n; i++) {
    free(f->k[i]);
    free(f->v[i]);
  }
  free(f->k);
  free(f->v);
  memset(f, 0, sizeof(*f));
}

/* Members compared (the last part of their path). */
static int wanted(const char *key)
{
  static const char *const keys[] = {
      "result", "verdict", "state", "reason", "record", "policy",
      "evidence", "explanation", "matched_name", "dns_lookups",
      "void_lookups", NULL};
  size_t i;
  for (i = 0; keys[i]; i++)
    if (strcmp(key, keys[i]) == 0)
      return 1;
  return 0;
}

static void flatten(struct flat *f, const char *path, const char *key,
                    struct json_object *o)
{
  char p[1024];
  if (json_object_is_type(o, json_type_object)) {
    json_object_object_foreach(o, k, v)
    {
      snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", k);
      flatten(f, p, k, v);
    }
  } else if (json_object_is_type(o, json_type_array)) {
    size_t i, n = json_object_array_length(o);
    int warn = strcmp(key, "warnings") == 0;
    for (i = 0; i < n; i++) {
      struct json_object *e = json_object_array_get_idx(o, i), *id, *t;
      if (warn && json_object_object_get_ex(e, "text", &t)) {
        /* a warning: present or not (its position does not matter) */
        snprintf(p, sizeof(p), "%s: %s", path, json_object_get_string(t));
        flat_add(f, p, "present");
      } else if (json_object_is_type(e, json_type_object) &&
                 json_object_object_get_ex(e, "id", &id)) {
        snprintf(p, sizeof(p), "%s[%s]", path, json_object_get_string(id));
        flatten(f, p, "", e);
      } else if (json_object_is_type(e, json_type_object)) {
        snprintf(p, sizeof(p), "%s[%zu]", path, i);
        flatten(f, p, "", e);
      }
    }
  } else if (wanted(key)) {
    flat_add(f, path, o ? json_object_get_string(o) : "null");
  }
}

static const char *flat_get(const struct flat *f, const char *k)
{
  size_t i;
  for (i = 0; i < f->n; i++)
    if (strcmp(f->k[i], k) == 0)
      return f->v[i];
  return NULL;
}

/* ---- reports ---------------------------------------------------------- */

struct report {
  char *name; /* what it is about */
  long line;  /* batch line, or -1 */
  struct flat f;
};

struct reports {
  struct report *r;
  size_t n;
  struct flat sec; /* the DNSSEC findings of the zone files: zone, line */
};

static const char *subject_of(struct json_object *o)
{
  static const char *const keys[] = {"message", "input", "domain",
                                     "from_domain", NULL};
  struct json_object *v;
  size_t i;
  for (i = 0; keys[i]; i++)
    if (json_object_object_get_ex(o, keys[i], &v) &&
        json_object_is_type(v, json_type_string))
      return json_object_get_string(v);
  return "(report)";
}

static void parse_reports(char *s, struct reports *rs)
{
  char *line, *save = NULL;
  memset(rs, 0, sizeof(*rs));
  for (line = strtok_r(s, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    struct json_object *o = json_tokener_parse(line), *v;
    struct report *r;
    if (o == NULL || !json_object_is_type(o, json_type_object) ||
        json_object_object_get_ex(o, "zones", &v)) {
      json_object_put(o);
      continue;
    }
    if (json_object_object_get_ex(o, "dnssec", &v)) {
      /* a signed zone file's DNSSEC report: it has no counterpart in the
       * published DNS; its findings are listed after the changes */
      struct json_object *fs, *z;
      size_t i, n;
      const char *zone = json_object_object_get_ex(o, "zone", &z)
                             ? json_object_get_string(z)
                             : "(zone)";
      if (json_object_object_get_ex(v, "findings", &fs) &&
          json_object_is_type(fs, json_type_array))
        for (i = 0, n = json_object_array_length(fs); i < n; i++) {
          struct json_object *e = json_object_array_get_idx(fs, i), *st, *t;
          char text[1024];
          if (!json_object_object_get_ex(e, "state", &st) ||
              !json_object_object_get_ex(e, "text", &t))
            continue;
          snprintf(text, sizeof(text), "%s: %s", json_object_get_string(st),
                   json_object_get_string(t));
          flat_add(&rs->sec, zone, text);
        }
      json_object_put(o);
      continue;
    }
    rs->r = xrealloc(rs->r, (rs->n + 1) * sizeof(*rs->r));
    r = &rs->r[rs->n++];
    memset(r, 0, sizeof(*r));
    r->name = strdup(subject_of(o));
    r->line = json_object_object_get_ex(o, "line", &v)
                  ? (long)json_object_get_int64(v)
                  : -1;
    flatten(&r->f, "", "", o);
    json_object_put(o);
  }
}

static void reports_free(struct reports *rs)
{
  size_t i;
  for (i = 0; i < rs->n; i++) {
    free(rs->r[i].name);
    flat_free(&rs->r[i].f);
  }
  free(rs->r);
  flat_free(&rs->sec);
}

/* Print what changes from a (published) to b (draft); the count. */
static unsigned diff_one(const struct report *a, const struct report *b)
{
  unsigned n = 0;
  size_t i;
  int head = 0;
#define HEAD()                                                              \
  do {                                                                      \
    if (!head++)                                                            \
      printf("%s\n", b->name);                                             \
  } while (0)
  for (i = 0; i < a->f.n; i++) {
    const char *bv = flat_get(&b->f, a->f.k[i]);
    if (bv && strcmp(bv, a->f.v[i]) == 0)
      continue;
    HEAD();
    n++;
    if (bv == NULL && strcmp(a->f.v[i], "present") == 0)
      printf("  - %s\n", a->f.k[i]);
    else if (bv == NULL)
      printf("  - %s: %s\n", a->f.k[i], a->f.v[i]);
    else
      printf("  ~ %s: %s -> %s\n", a->f.k[i], a->f.v[i], bv);
  }
  for (i = 0; i < b->f.n; i++) {
    if (flat_get(&a->f, b->f.k[i]))
      continue;
    HEAD();
    n++;
    if (strcmp(b->f.v[i], "present") == 0)
      printf("  + %s\n", b->f.k[i]);
    else
      printf("  + %s: %s\n", b->f.k[i], b->f.v[i]);
  }
#undef HEAD
  return n;
}

/* ---- the command line -------------------------------------------------- */

static int is(const char *a, const char *opt)
{
  size_t n = strlen(opt);
  return strncmp(a, opt, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

/* argv without the output options and --diff (and without --zone when
 * published), with --json. */
static char **child_argv(const char *self, int argc, char **argv,
                         int published)
{
  char **v = xrealloc(NULL, ((size_t)argc + 3) * sizeof(*v));
  int i, n = 0, end = 0;
  v[n++] = (char *)self;
  v[n++] = (char *)"--json";
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!end && strcmp(a, "--") == 0) {
      end = 1;
    } else if (!end) {
      if (strcmp(a, "--diff") == 0 || strcmp(a, "--json") == 0 ||
          strcmp(a, "-j") == 0 || strcmp(a, "--nagios") == 0 ||
          strcmp(a, "--authres") == 0 || strcmp(a, "-q") == 0 ||
          strcmp(a, "--quiet") == 0)
        continue;
      if (is(a, "--format") || is(a, "--progress") ||
          (published && is(a, "--zone"))) {
        if (strchr(a, '=') == NULL && i + 1 < argc)
          i++;
        continue;
      }
    }
    v[n++] = argv[i];
  }
  v[n] = NULL;
  return v;
}

int mxcheck_diff(int argc, char **argv)
{
  const char *self = "/proc/self/exe";
  char **pa, **da;
  struct out po, dout;
  struct reports pr, dr;
  size_t i;
  unsigned changes = 0;

  for (i = 1; i + 1 < (size_t)argc; i++)
    if ((strcmp(argv[i], "-b") == 0 || strcmp(argv[i], "--batch") == 0) &&
        strcmp(argv[i + 1], "-") == 0) {
      fprintf(stderr, "mxcheck: --diff reads the batch twice: give a file, "
                      "not stdin\n");
      return 3;
    }
  if (access(self, X_OK) != 0)
    self = argv[0];
  pa = child_argv(self, argc, argv, 1);
  da = child_argv(self, argc, argv, 0);
  if (run_child(self, pa, &po) < 0 || run_child(self, da, &dout) < 0) {
    fprintf(stderr, "mxcheck: --diff: %s\n", strerror(errno));
    free(pa);
    free(da);
    return 3;
  }
  free(pa);
  free(da);
  if (po.status < 0 || po.status > 2 || dout.status < 0 ||
      dout.status > 2) {
    /* 3 is also UNKNOWN of a check: go on when there are reports */
    if (po.len == 0 || dout.len == 0) {
      free(po.s);
      free(dout.s);
      return 3;
    }
  }
  parse_reports(po.s, &pr);
  parse_reports(dout.s, &dr);
  printf("published DNS -> draft zones:\n");
  for (i = 0; i < dr.n; i++) {
    const struct report *a = NULL;
    size_t j;
    if (dr.r[i].line >= 0) {
      for (j = 0; j < pr.n; j++)
        if (pr.r[j].line == dr.r[i].line)
          a = &pr.r[j];
    } else if (i < pr.n) {
      a = &pr.r[i];
    }
    if (a == NULL) {
      printf("%s\n  + (no report against the published DNS)\n",
             dr.r[i].name);
      changes++;
      continue;
    }
    changes += diff_one(a, &dr.r[i]);
  }
  /* The DNSSEC findings of the signed drafts (dnssec check). */
  for (i = 0; i < dr.sec.n; i++) {
    if (i == 0 || strcmp(dr.sec.k[i], dr.sec.k[i - 1]) != 0)
      printf("%s (DNSSEC of the draft zone file)\n", dr.sec.k[i]);
    printf("  ! %s\n", dr.sec.v[i]);
    changes++;
  }
  if (changes == 0)
    printf("no change\n");
  printf("exit status: %d -> %d\n", po.status, dout.status);
  reports_free(&pr);
  reports_free(&dr);
  free(po.s);
  free(dout.s);
  return changes ? 1 : 0;
}
