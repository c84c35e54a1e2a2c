/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c -- mxcheck-milter's log: stderr (one write(2) per line, so lines
 * of different threads never mix) or syslog; and small helpers.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "mxm.h"

static int use_syslog;

static const struct {
  const char *name;
  int fac;
} facilities[] = {
    {"mail", LOG_MAIL},     {"daemon", LOG_DAEMON}, {"user", LOG_USER},
    {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

int mxm_log_open(const char *spec)
{
  const char *fac;
  size_t i;
  if (spec == NULL || strcmp(spec, "stderr") == 0) {
    if (use_syslog)
      closelog();
    use_syslog = 0;
    return 0;
  }
  if (strncmp(spec, "syslog", 6) != 0 || (spec[6] && spec[6] != ':'))
    return -1;
  fac = spec[6] ? spec + 7 : "mail";
  for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
    if (strcasecmp(fac, facilities[i].name) == 0) {
      if (use_syslog)
        closelog();
      openlog("mxcheck-milter", LOG_PID | LOG_NDELAY, facilities[i].fac);
      use_syslog = 1;
      return 0;
    }
  return -1;
}

void mxm_log(enum mxm_level lvl, const char *fmt, ...)
{
  char line[4096];
  int n, off;
  va_list ap;
  int saved = errno;
  static const char *const tag[] = {"error: ", "warning: ", ""};

  off = snprintf(line, sizeof(line), "mxcheck-milter: %s", tag[lvl]);
  va_start(ap, fmt);
  n = vsnprintf(line + off, sizeof(line) - (size_t)off - 1, fmt, ap);
  va_end(ap);
  if (n < 0)
    n = 0;
  n += off;
  if ((size_t)n > sizeof(line) - 2)
    n = (int)sizeof(line) - 2;
  if (use_syslog) {
    line[n] = '\0';
    syslog(lvl == MXM_ERR ? LOG_ERR : lvl == MXM_WARNING ? LOG_WARNING
                                                      : LOG_INFO,
           "%s", line + 16); /* without "mxcheck-milter: " */
  } else {
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, (size_t)n) < 0) {
      /* nowhere left to say it */
    }
  }
  errno = saved;
}

void *mxm_xmalloc(size_t n)
{
  void *p = malloc(n ? n : 1);
  if (p == NULL) {
    mxm_log(MXM_ERR, "out of memory");
    abort();
  }
  return p;
}

void *mxm_xcalloc(size_t n, size_t m)
{
  void *p = calloc(n ? n : 1, m ? m : 1);
  if (p == NULL) {
    mxm_log(MXM_ERR, "out of memory");
    abort();
  }
  return p;
}

char *mxm_xstrdup(const char *s)
{
  size_t n = strlen(s ? s : "") + 1;
  char *p = mxm_xmalloc(n);
  memcpy(p, s ? s : "", n);
  return p;
}

void mxm_logval(char *dst, size_t dstsize, const char *s, size_t max)
{
  size_t i = 0;
  if (dstsize == 0)
    return;
  if (max > dstsize - 1)
    max = dstsize - 1;
  for (; s && s[i] && i < max; i++) {
    unsigned char c = (unsigned char)s[i];
    dst[i] = (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') ? '?'
                                                               : (char)c;
  }
  dst[i] = '\0';
}

double mxm_now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}
