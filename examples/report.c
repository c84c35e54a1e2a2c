/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.c -- the blocking compliance report of one message file, with
 * no event loop of the program's own (mxc_compliance_sync()):
 *
 *   report [-s SERVERS] [-p PROFILE] [-i IP] [-f MAIL-FROM] [-H HELO]
 *          [-j] MESSAGE-FILE
 *
 * The header fields go to the compliance check and, with the body, to the
 * DKIM verifier; the envelope not given on the command line is taken from
 * the message's trace fields (Received, Return-Path).  Prints the text
 * report (-j: JSON).  Exit status: 0 when the message meets the profile,
 * 1 when a rule fails, 2 on an error.
 *
 * Build: cc report.c $(pkg-config --cflags --libs libmxcheck)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mxcheck.h>

static char *read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t cap = 0, n = 0, got;
  if (f == NULL)
    return NULL;
  do {
    if (n + 65536 > cap) {
      char *nb = realloc(buf, cap = n + 65536 + 1);
      if (nb == NULL) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
    }
    got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
  } while (got > 0);
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* Length of the line end at p (CRLF or LF), 0 if none. */
static size_t eol(const char *p, const char *end)
{
  if (p < end && *p == '\n')
    return 1;
  if (p + 1 < end && p[0] == '\r' && p[1] == '\n')
    return 2;
  return 0;
}

static void dkim_done(mxc_check_t *chk, mxc_status_t st,
                      const mxc_result_t *res, void *arg)
{
  mxc_result_t **out = arg;
  (void)chk;
  if (st == MXC_OK)
    *out = mxc_result_dup(res); /* res is valid only during the callback */
}

int main(int argc, char **argv)
{
  const char *servers = NULL, *profile = NULL, *ip = NULL, *from = NULL,
             *helo = NULL;
  int json = 0, c, rc = 2;
  char *buf = NULL, *out = NULL;
  const char *p, *end;
  size_t len = 0;
  mxc_ctx_t *ctx = NULL;
  mxc_msg_t *msg = NULL;
  mxc_check_t *dkim = NULL;
  mxc_result_t *dres = NULL, *res = NULL;
  mxc_status_t st;

  while ((c = getopt(argc, argv, "s:p:i:f:H:jh")) != -1) {
    switch (c) {
    case 's': servers = optarg; break;
    case 'p': profile = optarg; break;
    case 'i': ip = optarg; break;
    case 'f': from = optarg; break;
    case 'H': helo = optarg; break;
    case 'j': json = 1; break;
    default:
      fprintf(stderr, "usage: %s [-s SERVERS] [-p PROFILE] [-i IP] "
                      "[-f MAIL-FROM] [-H HELO] [-j] MESSAGE-FILE\n", argv[0]);
      return c == 'h' ? 0 : 2;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "usage: %s [options] MESSAGE-FILE\n", argv[0]);
    return 2;
  }
  buf = read_file(argv[optind], &len);
  if (buf == NULL) {
    perror(argv[optind]);
    return 2;
  }
  st = mxc_ctx_new(&ctx);
  if (st == MXC_OK && servers)
    st = mxc_ctx_set_servers(ctx, servers);
  if (st == MXC_OK)
    st = mxc_msg_new(&msg);
  if (st == MXC_OK)
    st = mxc_dkim_new(ctx, &dkim);
  if (st != MXC_OK) {
    fprintf(stderr, "report: %s\n", ctx ? mxc_ctx_error(ctx)
                                        : mxc_strerror(st));
    goto done;
  }
  mxc_msg_set_use_trace(msg, 1);

  /* The header: one field with its folds, up to the empty line. */
  p = buf;
  end = buf + len;
  while (p < end && eol(p, end) == 0) {
    const char *f = p;
    size_t n;
    for (;;) {
      while (p < end && *p != '\n')
        p++;
      if (p < end)
        p++; /* past the LF */
      if (p >= end || (*p != ' ' && *p != '\t'))
        break; /* the next line is not a fold */
    }
    n = (size_t)(p - f);
    while (n > 0 && (f[n - 1] == '\n' || f[n - 1] == '\r'))
      n--; /* without the final line end */
    mxc_msg_field(msg, f, n);
    mxc_dkim_header(dkim, f, n); /* errors end in the DKIM result */
  }
  p += eol(p, end);
  mxc_dkim_eoh(dkim);
  mxc_dkim_body(dkim, p, (size_t)(end - p));

  /* DKIM first (the compliance check takes its result), then the report;
   * mxc_run() and mxc_compliance_sync() block in poll(). */
  st = mxc_dkim_finish(dkim, dkim_done, &dres);
  dkim = NULL; /* the library owns it now */
  if (st == MXC_OK)
    st = mxc_run(ctx, 30000);
  if (st != MXC_OK) {
    fprintf(stderr, "report: DKIM: %s\n", mxc_strerror(st));
    goto done;
  }
  st = mxc_compliance_sync(ctx, ip, from, helo, msg, dres, profile, &res);
  if (st != MXC_OK && res == NULL) {
    fprintf(stderr, "report: %s\n", mxc_strerror(st));
    goto done;
  }
  out = json ? mxc_result_json(res) : mxc_result_text(res, 0);
  if (out == NULL)
    goto done;
  fputs(out, stdout);
  if (json)
    putchar('\n');
  rc = mxc_result_verdict(res) == MXC_VERDICT_PASS ? 0 : 1;
done:
  mxc_free(out);
  mxc_result_free(res);
  mxc_result_free(dres);
  mxc_msg_free(msg);
  mxc_ctx_free(ctx); /* a DKIM check not finished is freed with it */
  free(buf);
  return rc;
}
