/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dkim-raw.c -- libopendkim's own verification rate, in memory: the
 * reference for mxcheck's per-core rate in bench/dkim-bench.sh.
 *
 * Every message is read into memory first (not timed).  Then, for each,
 * in one thread: dkim_verify(), dkim_header() per field, dkim_eoh(),
 * dkim_body() in 64 KiB chunks, dkim_eom() with DELAYSIGPROC and a key
 * lookup callback that copies the record from a table loaded before (no
 * DNS at all), dkim_free().  That is the flow of notes/libopendkim.md
 * section 5, without mxcheck around it.
 *
 * Usage: dkim-raw KEYTABLE REPS FILE...
 * KEYTABLE: the table of tests/dkim/keyserver.py (NAME TAB STRING...).
 * Prints: "<messages> <passed>", then per pass "<seconds> <CPU seconds>".
 * Messages must have CRLF line ends (bench/dkim-gen.py writes them so).
 */
#include <dkim.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CHUNK 65536
#define MAX_KEYS 16

static struct {
  char name[256];
  char rec[1025];
} keys[MAX_KEYS];
static int nkeys;

static DKIM_CBSTAT key_lookup(DKIM *d, DKIM_SIGINFO *sig, unsigned char *buf,
                              size_t buflen)
{
  char name[512];
  int i;
  (void)d;
  snprintf(name, sizeof(name), "%s._domainkey.%s", dkim_sig_getselector(sig),
           dkim_sig_getdomain(sig));
  for (i = 0; i < nkeys; i++)
    if (strcasecmp(keys[i].name, name) == 0 &&
        strlen(keys[i].rec) < buflen) {
      strcpy((char *)buf, keys[i].rec);
      return DKIM_CBSTAT_CONTINUE;
    }
  return DKIM_CBSTAT_NOTFOUND;
}

static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *b;
  long n;
  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
    perror(path);
    exit(2);
  }
  rewind(f);
  b = malloc((size_t)n + 1);
  if (b == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
    perror(path);
    exit(2);
  }
  fclose(f);
  b[n] = '\0';
  *len = (size_t)n;
  return b;
}

static void load_keys(const char *path)
{
  size_t len;
  char *t = slurp(path, &len), *line, *save = NULL;
  for (line = strtok_r(t, "\n", &save); line && nkeys < MAX_KEYS;
       line = strtok_r(NULL, "\n", &save)) {
    char *tab = strchr(line, '\t'), *p, *q;
    if (tab == NULL)
      continue;
    *tab = '\0';
    snprintf(keys[nkeys].name, sizeof(keys[nkeys].name), "%s", line);
    for (p = tab + 1, q = keys[nkeys].rec; *p && q < keys[nkeys].rec + 1024;
         p++)
      if (*p != '\t')
        *q++ = *p; /* strings joined without separator */
    *q = '\0';
    nkeys++;
  }
  free(t);
}

/* Verify one message; 1 when a signature passed. */
static int verify(DKIM_LIB *lib, char *m, size_t len)
{
  DKIM_STAT st;
  DKIM *d = dkim_verify(lib, (const unsigned char *)"raw", NULL, &st);
  char *p = m, *end = m + len, *hend;
  DKIM_SIGINFO **sigs;
  int n, i, ok = 0;

  if (d == NULL)
    return 0;
  hend = strstr(m, "\r\n\r\n");
  if (hend == NULL)
    hend = end;
  while (p < hend) {
    /* a field ends at a CRLF not followed by white space */
    char *f = p, *e = p;
    for (;;) {
      e = strstr(e, "\r\n");
      if (e == NULL || e >= hend || (e[2] != ' ' && e[2] != '\t'))
        break;
      e += 2;
    }
    if (e == NULL || e > hend)
      e = hend;
    dkim_header(d, (unsigned char *)f, (size_t)(e - f));
    p = e + 2;
  }
  if (dkim_eoh(d) == DKIM_STAT_OK) {
    char *b = hend + 4 <= end ? hend + 4 : end;
    while (b < end) {
      size_t c = (size_t)(end - b) < CHUNK ? (size_t)(end - b) : CHUNK;
      dkim_body(d, (unsigned char *)b, c);
      b += c;
    }
    dkim_eom(d, NULL);
    if (dkim_getsiglist(d, &sigs, &n) == DKIM_STAT_OK)
      for (i = 0; i < n; i++)
        if (DKIM_SIG_CHECK(sigs[i]) &&
            dkim_sig_geterror(sigs[i]) == DKIM_SIGERROR_OK)
          ok = 1;
  }
  dkim_free(d);
  return ok;
}

int main(int argc, char **argv)
{
  DKIM_LIB *lib;
  unsigned int flags = DKIM_LIBFLAGS_DELAYSIGPROC;
  char **msg;
  size_t *len;
  int nmsg, reps, r, i, passed = 0;

  if (argc < 4) {
    fprintf(stderr, "usage: %s KEYTABLE REPS FILE...\n", argv[0]);
    return 2;
  }
  load_keys(argv[1]);
  reps = atoi(argv[2]);
  nmsg = argc - 3;
  msg = calloc((size_t)nmsg, sizeof(*msg));
  len = calloc((size_t)nmsg, sizeof(*len));
  if (msg == NULL || len == NULL)
    return 2;
  for (i = 0; i < nmsg; i++)
    msg[i] = slurp(argv[3 + i], &len[i]);
  lib = dkim_init(NULL, NULL);
  if (lib == NULL)
    return 2;
  dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof(flags));
  dkim_set_key_lookup(lib, key_lookup);
  printf("%d", nmsg);
  for (r = 0; r < reps; r++) {
    struct timespec a, b, ca, cb;
    double s, c;
    clock_gettime(CLOCK_MONOTONIC, &a);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
    passed = 0;
    for (i = 0; i < nmsg; i++)
      passed += verify(lib, msg[i], len[i]);
    clock_gettime(CLOCK_MONOTONIC, &b);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
    s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    c = (double)(cb.tv_sec - ca.tv_sec) +
        (double)(cb.tv_nsec - ca.tv_nsec) / 1e9;
    if (r == 0)
      printf(" %d", passed);
    printf(" %.4f %.4f", s, c);
  }
  printf("\n");
  dkim_close(lib);
  for (i = 0; i < nmsg; i++)
    free(msg[i]);
  free(msg);
  free(len);
  return 0;
}
