/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * diff.h -- mxcheck --diff (diff.c): the checks of the command line against
 * the published DNS and against the --zone drafts, and what changes.
 */
#ifndef MXCHECK_DIFF_H
#define MXCHECK_DIFF_H

/* Run the command line (argv, with --diff and --zone options) twice and
 * print the differences; the exit code: 0 no change, 1 changes, 3 error. */
int mxcheck_diff(int argc, char **argv);

#endif
