/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conffile.h -- the configuration-file reader shared by the front ends
 * (mxcheck and mxcheck-milter; not part of libmxcheck's API).
 *
 * A file is lines of "key value" or "key = value".  Blank lines and lines
 * whose first non-blank character is '#' are ignored.  A value is the rest
 * of the line without its leading and trailing blanks; a value written in
 * double quotes keeps its blanks and may hold \" and \\.  The reader knows
 * no key: each pair goes to the caller's callback, with "FILE:LINE: " to
 * put before its error message.
 */
#ifndef MXCONF_H
#define MXCONF_H

#include <stddef.h>

/* Limits: a longer line, or a bigger file, is an error. */
#define MXCONF_MAX_LINE 4096
#define MXCONF_MAX_BYTES (1024L * 1024)

/* One key: 0, or -1 to stop reading (the callback has said why). */
typedef int (*mxconf_cb)(void *arg, const char *key, const char *value,
                         const char *where);

enum {
  MXCONF_OK = 0,
  MXCONF_MISSING = 1, /* no such file, and must was 0 */
  MXCONF_ERROR = -1   /* err holds the message, or "" when the callback
                       * failed (it said why) */
};

/* Read path, calling cb for each pair in file order.  must: a missing file
 * is an error too. */
int mxconf_read(const char *path, int must, mxconf_cb cb, void *arg,
                char *err, size_t errsize);

#endif
